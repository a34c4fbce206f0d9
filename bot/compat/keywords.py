"""Keyword-level comparisons shared by every kind: bounds, optional subschemas, open/closed slots."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from typing import Any

from bot.compat.context import Context
from bot.compat.model import Kind, Node, deref


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
    old, new = _numeric(original.get(keyword)), _numeric(update.get(keyword))
    if old == new:
        return
    prefix = _prefix(keyword)
    if old is None:
        ctx.add(f"{prefix}_ADDED", keyword)
    elif new is None:
        ctx.add(f"{prefix}_REMOVED", keyword)
    else:
        ctx.add(f"{prefix}_INCREASED" if new > old else f"{prefix}_DECREASED", keyword)


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
    """``TYPE_NARROWED`` / ``TYPE_EXTENDED`` when a kind becomes (or stops being) required or integral."""
    narrower = (update.requires_type and not original.requires_type,
                bool(update.kw.get("integer")) and not original.kw.get("integer"))
    wider = (original.requires_type and not update.requires_type,
             bool(original.kw.get("integer")) and not update.kw.get("integer"))
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
