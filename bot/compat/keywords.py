"""Keyword-level comparisons shared by every kind: bounds, ``format``, optional subschemas, open/closed slots."""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from typing import Any, Final

from bot.compat.context import Context
from bot.compat.model import Kind, Node, deref
from bot.compat.types import DIFFERENCE_TYPES


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: ``1 == 1.0`` but ``true != 1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(json_equal, a, b))
    return (type(a) is type(b) and a == b) or (_is_number(a) and _is_number(b) and a == b)


def canonical(value: Any) -> str:
    """A text that two JSON-equal values share (keys sorted, integral floats as integers).

    A value JSON has no type for (a YAML date) is written as its ``repr``, a text no JSON value has.
    """
    return json.dumps(_normalise(value), sort_keys=True, separators=(",", ":"), default=repr)


def text(ctx: Context, raw: Any) -> str:
    """``raw``'s canonical text, made once per subschema: JSON equality of two is then one comparison of texts,
    however often the pair (or a pair of alternatives holding them) is met."""
    texts = ctx.shared.texts
    if id(raw) not in texts:
        texts[id(raw)] = (raw, canonical(raw))  # the entry holds ``raw``, so its id is not reused meanwhile
    return texts[id(raw)][1]


def _normalise(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _prefix(keyword: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", keyword).upper()


def _numeric(value: Any, *, positive: bool = False) -> int | float | None:
    """A keyword's number, or None when it is not one (an invalid schema, reported as MG008 elsewhere).

    A value that is no number constrains nothing a validator can agree on, so the diff reads it as absent
    rather than failing on it.
    """
    if not isinstance(value, int | float) or isinstance(value, bool) or (positive and value <= 0):
        return None
    return value


def bound(ctx: Context, keyword: str, original: dict[str, Any], update: dict[str, Any]) -> None:
    """``X_ADDED`` / ``X_REMOVED`` / ``X_INCREASED`` / ``X_DECREASED`` for a numeric keyword."""
    change_type = _bound_change(keyword, original, update)
    if change_type is not None:
        ctx.add(change_type, keyword)


def _bound_change(keyword: str, original: dict[str, Any], update: dict[str, Any]) -> str | None:
    old, new = _numeric(original.get(keyword)), _numeric(update.get(keyword))
    if old == new:
        return None
    prefix = _prefix(keyword)
    if old is None:
        return f"{prefix}_ADDED"
    if new is None:
        return f"{prefix}_REMOVED"
    return f"{prefix}_INCREASED" if new > old else f"{prefix}_DECREASED"


# The keywords of a number's two bounds: (side, inclusive keyword, exclusive keyword). Draft-04's boolean
# ``exclusiveMinimum: true`` beside ``minimum`` is loaded as the numeric form (``bot.compat.model``).
_SIDES: Final = (("upper", "maximum", "exclusiveMaximum"), ("lower", "minimum", "exclusiveMinimum"))
_BOUND_KEYWORDS: Final = ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum")
Bound = tuple[Fraction, bool]  # (value, exclusive)


def number_bounds(ctx: Context, original: dict[str, Any], update: dict[str, Any]) -> None:
    """The bound keywords' changes, reported keyword by keyword (Confluent's types), judged by the bound they imply.

    Each side's bound is what its two keywords imply together (the tighter wins; for an integer, ``x > 9`` is
    ``x >= 10``). When the new bound admits every value the old one did, a keyword-level change that would call
    it incompatible is left out (``exclusiveMinimum: 10`` -> ``minimum: 10`` is ``EXCLUSIVE_MINIMUM_REMOVED``
    alone, not also ``MINIMUM_ADDED``); otherwise every keyword-level change is reported, as Confluent does.
    """
    integral = bool(original.get("integer"))  # the writer's values are integers: compare over the integers
    finite = all(math.isfinite(v) for kw in (original, update) for k in _BOUND_KEYWORDS
                 if (v := _numeric(kw.get(k))) is not None)  # YAML has .inf: then keyword by keyword only
    widened = {side for side, inclusive, exclusive in _SIDES
               if finite and _admits_all(side, _implied(side, inclusive, exclusive, original, integral),
                                         _implied(side, inclusive, exclusive, update, integral))}
    for keyword in _BOUND_KEYWORDS:
        change_type = _bound_change(keyword, original, update)
        if change_type is None:
            continue
        side = "upper" if "aximum" in keyword else "lower"
        if side in widened and not DIFFERENCE_TYPES[change_type][0]:
            continue  # the keyword alone narrows, the bound the pair implies does not
        ctx.add(change_type, keyword)


def _implied(side: str, inclusive: str, exclusive: str, kw: dict[str, Any], integral: bool) -> Bound | None:
    """The tighter of the side's two keywords as ``(value, exclusive)``; over the integers, an inclusive bound."""
    found: list[Bound] = []
    for keyword, is_exclusive in ((inclusive, False), (exclusive, True)):
        value = _numeric(kw.get(keyword))
        if value is not None:
            found.append((Fraction(str(value)) if isinstance(value, float) else Fraction(value), is_exclusive))
    if not found:
        return None
    if integral:
        found = [_integral(side, b) for b in found]
    return max(found, key=lambda b: _tightness(side, b))


def _integral(side: str, bound: Bound) -> Bound:
    """The same set of integers as an inclusive bound: ``> 9.5`` and ``> 9`` are ``>= 10``; ``< 10`` is ``<= 9``."""
    value, exclusive = bound
    if side == "lower":
        return Fraction(math.floor(value) + 1 if exclusive else math.ceil(value)), False
    return Fraction(math.ceil(value) - 1 if exclusive else math.floor(value)), False


def _tightness(side: str, bound: Bound) -> tuple[Fraction, bool]:
    """Orders one side's bounds from loosest to tightest (at one value, the exclusive bound is the tighter)."""
    value, exclusive = bound
    return (value if side == "lower" else -value), exclusive


def _admits_all(side: str, old: Bound | None, new: Bound | None) -> bool:
    """Whether every value within ``old`` is within ``new`` (no bound admits every value)."""
    if new is None:
        return True
    return old is not None and _tightness(side, new) <= _tightness(side, old)


def multiple_of(ctx: Context, original: dict[str, Any], update: dict[str, Any]) -> None:
    old, new = _numeric(original.get("multipleOf"), positive=True), _numeric(update.get("multipleOf"), positive=True)
    if old == new:
        return
    if old is None or new is None:
        ctx.add("MULTIPLE_OF_ADDED" if old is None else "MULTIPLE_OF_REMOVED", "multipleOf")
        return
    ratio = Fraction(str(old)) / Fraction(str(new))
    if ratio.denominator == 1:
        ctx.add("MULTIPLE_OF_REDUCED", "multipleOf")  # the new step divides the old one: more values
    elif ratio.numerator == 1:
        ctx.add("MULTIPLE_OF_EXPANDED", "multipleOf")
    else:
        ctx.add("MULTIPLE_OF_CHANGED", "multipleOf")


def string_format(ctx: Context, original: dict[str, Any], update: dict[str, Any]) -> None:
    """``FORMAT_ADDED`` / ``FORMAT_REMOVED`` / ``FORMAT_CHANGED`` for an asserted ``format`` (modelgate's own types).

    Only a format the loader keeps is here (``bot.compat.model.ASSERTED_FORMATS``, under ``format_assertion``).
    Every change of one format for another is judged a narrowing, even where one format's strings contain the
    other's (``uri`` -> ``iri``): validators disagree at those edges, and a gate should not guess.
    """
    old, new = original.get("format"), update.get("format")
    if old != new:
        ctx.add("FORMAT_ADDED" if old is None else "FORMAT_REMOVED" if new is None else "FORMAT_CHANGED", "format")


def optional_schema(ctx: Context, keyword: str, original: Node | None, update: Node | None) -> None:
    """A subschema keyword that constrains when present: ``SCHEMA_ADDED`` / ``SCHEMA_REMOVED`` / recurse."""
    if original is None and update is None:
        return
    if original is None:
        ctx.add("SCHEMA_ADDED", keyword)
    elif update is None:
        ctx.add("SCHEMA_REMOVED", keyword)
    else:
        ctx.child(keyword).compare(original, update)


def openness(slot: Node | None) -> bool | Node:
    """What a slot such as ``additionalProperties`` admits: ``True`` (anything), ``False``, or a schema."""
    if slot is None:
        return True
    node, _ = deref(slot)
    if node.kind is Kind.EMPTY:
        return True
    if node.kind is Kind.FALSE:
        return False
    return slot


def open_slot(ctx: Context, keyword: str, prefix: str, original: Node | None, update: Node | None) -> None:
    """``PREFIX_ADDED/REMOVED/EXTENDED/NARROWED`` for ``additionalProperties``-like keywords."""
    old, new = openness(original), openness(update)
    if old is new:
        return
    if old is False:
        ctx.add(f"{prefix}_ADDED", keyword)
    elif new is False:
        ctx.add(f"{prefix}_REMOVED", keyword)
    elif old is True:
        ctx.add(f"{prefix}_NARROWED", keyword)
    elif new is True:
        ctx.add(f"{prefix}_EXTENDED", keyword)
    else:
        assert isinstance(old, Node) and isinstance(new, Node)
        ctx.child(keyword).compare(old, new)


def is_kind(node: Node, kind: Kind) -> bool:
    return deref(node)[0].kind is kind


def type_flags(ctx: Context, original: Node, update: Node) -> None:
    """``TYPE_NARROWED`` / ``TYPE_EXTENDED`` when a kind becomes (or stops being) required or integral, or an
    ``integer`` stops (or starts) accepting ``1.0`` (draft-04's integer rejects it, draft-06+'s accepts it)."""
    old_int, new_int = bool(original.kw.get("integer")), bool(update.kw.get("integer"))
    both_int = old_int and new_int
    narrower = (update.requires_type and not original.requires_type, new_int and not old_int,
                both_int and original.kw.get("integral_floats", True) and not update.kw.get("integral_floats", True))
    wider = (original.requires_type and not update.requires_type, old_int and not new_int,
             both_int and update.kw.get("integral_floats", True) and not original.kw.get("integral_floats", True))
    if any(narrower) and any(wider):
        ctx.add("TYPE_CHANGED")
    elif any(narrower):
        ctx.add("TYPE_NARROWED")
    elif any(wider):
        ctx.add("TYPE_EXTENDED")


def judge_cover(ctx: Context, original: Node, update: Node, kind: str, event: str) -> None:
    """Compare a schema with the one that covers it in a partially open model, then say whether it fits.

    ``kind`` is ``PROPERTY`` or ``ITEM``, ``event`` ``ADDED`` or ``REMOVED``.
    """
    trial = ctx.trial()
    trial.compare(original, update)
    ctx.extend(trial.changes)
    fit = "IS_COVERED" if trial.compatible else "NOT_COVERED"
    ctx.add(f"{kind}_{event}_{fit}_BY_PARTIALLY_OPEN_CONTENT_MODEL")
