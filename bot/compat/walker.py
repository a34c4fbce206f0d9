"""The comparison of two loaded schemas: dispatch by kind, metadata, and the scalar kinds.

``compare_nodes(ctx, original, update)`` records, under ``ctx``, every difference a reader holding
``update`` sees when reading records valid under ``original``. References are followed transparently;
a pair of schemas reached through references is compared once (memoised, then re-rooted at every
place it occurs), and a pair met again while still being compared (a recursive schema) adds nothing.
Every comparison of a pair, and every difference recorded (re-rooted copies included), is counted against
the budget of ``bot.compat.context``; when it runs out, :class:`~bot.compat.context.Refused` ends the walk.
"""

from __future__ import annotations

from bot.compat import arrays, combined, objects, sqltypes, unmodelled
from bot.compat.context import MAX_COMPARISON_DEPTH, Context, Refused
from bot.compat.keywords import (
    bound,
    canonical,
    json_equal,
    multiple_of,
    number_bounds,
    string_format,
    text,
    type_flags,
)
from bot.compat.model import Kind, Node, deref


def compare_nodes(ctx: Context, original: Node, update: Node, meta: bool = True) -> None:
    ctx.shared.budget.spend_pair()  # every pair met counts, an equal one too: checking it costs its size
    written_o, written_u = original, update
    original, via_ref_o = deref(original)
    update, via_ref_u = deref(update)
    if original.kind is not Kind.FALSE:  # (nothing was valid: nothing can break)
        # x-sql-type, x-sql-constraints: what JSON types cannot say; read where the author wrote them, beside a $ref too
        sqltypes.compare_sql(ctx, written_o, written_u)
    if _identical(ctx, original, update):
        return
    if not (via_ref_o or via_ref_u):
        _bounded(ctx, original, update, meta)
        return
    key = (id(original), id(update), meta)
    shared = ctx.shared
    if key in shared.in_progress:
        return
    if key not in shared.memo:
        shared.in_progress.add(key)
        sub = Context(shared)
        _bounded(sub, original, update, meta)
        shared.in_progress.discard(key)
        shared.memo[key] = (original, update, sub.changes)
    ctx.extend(shared.memo[key][2], ctx.path)


def _bounded(ctx: Context, original: Node, update: Node, meta: bool) -> None:
    """``_compare``, the walk no deeper than ``MAX_COMPARISON_DEPTH``."""
    shared = ctx.shared
    if shared.depth >= MAX_COMPARISON_DEPTH:
        raise Refused(f"too complex to compare: subschemas nest more than {MAX_COMPARISON_DEPTH} levels deep")
    shared.depth += 1
    try:
        _compare(ctx, original, update, meta)
    finally:
        shared.depth -= 1


def _identical(ctx: Context, original: Node, update: Node) -> bool:
    if original is update:
        return True
    lo, lu = original.loader, update.loader
    same_reading = lo.dialect == lu.dialect and lo.formats == lu.formats and lo.integral_floats == lu.integral_floats
    return (same_reading and not lo.contains_ref(original.raw) and not lu.contains_ref(update.raw)
            and text(ctx, original.raw) == text(ctx, update.raw))


def _compare(ctx: Context, original: Node, update: Node, meta: bool) -> None:
    if original.kind is Kind.FALSE:
        return  # nothing was valid: nothing can break
    unmodelled.compare_unmodelled(ctx, original, update)  # if/then/else, $dynamicRef...: never a silent pass
    if original.kind is not update.kind and update.kind is Kind.EMPTY:
        return  # anything can change to the empty schema
    if meta:
        _metadata(ctx, original, update)
    if original.kind is update.kind:
        _SAME_KIND[original.kind](ctx, original, update)
    elif update.kind is Kind.COMBINED:
        combined.widen(ctx, original, update)
    elif original.kind is Kind.COMBINED:
        combined.narrow(ctx, original, update)
    else:
        ctx.add("TYPE_CHANGED")


def _metadata(ctx: Context, original: Node, update: Node) -> None:
    old, new = original.meta, update.meta
    checks = [("TITLE_CHANGED", "title"), ("DESCRIPTION_CHANGED", "description"), ("DEFAULT_CHANGED", "default")]
    if original.loader.dialect.report_id:
        checks.insert(0, ("ID_CHANGED", "$id" if "$id" in old or "$id" in new else "id"))
    for change_type, key in checks:
        if (key in old) != (key in new) or (key in old and not json_equal(old[key], new[key])):
            ctx.add(change_type)


def _string(ctx: Context, original: Node, update: Node) -> None:
    type_flags(ctx, original, update)
    for keyword in ("maxLength", "minLength"):
        bound(ctx, keyword, original.kw, update.kw)
    old, new = original.kw.get("pattern"), update.kw.get("pattern")
    if old != new:
        ctx.add("PATTERN_ADDED" if old is None else "PATTERN_REMOVED" if new is None else "PATTERN_CHANGED",
                "pattern")
    string_format(ctx, original.kw, update.kw)


def _number(ctx: Context, original: Node, update: Node) -> None:
    type_flags(ctx, original, update)
    number_bounds(ctx, original.kw, update.kw)
    multiple_of(ctx, original.kw, update.kw)


def _enum(ctx: Context, original: Node, update: Node) -> None:
    old, new = _canonical_values(original), _canonical_values(update)
    if old == new:
        return
    change_type = "ENUM_ARRAY_EXTENDED" if old < new else "ENUM_ARRAY_NARROWED" if new < old else "ENUM_ARRAY_CHANGED"
    ctx.add(change_type, original.kw["keyword"])


def _canonical_values(node: Node) -> frozenset[str]:
    """The node's values as canonical texts, computed once per node (an alternative meets many others)."""
    if "canonical" not in node.kw:
        node.kw["canonical"] = frozenset(canonical(v) for v in node.kw["values"])
    values: frozenset[str] = node.kw["canonical"]
    return values


def _not(ctx: Context, original: Node, update: Node) -> None:
    # not A -> not B admits more exactly when B admits less than A: compare the other way round.
    trial = ctx.trial("not")
    trial.compare(update.subs[0], original.subs[0])
    if trial.changes:
        ctx.add("NOT_TYPE_NARROWED" if trial.compatible else "NOT_TYPE_EXTENDED", "not")


def _opaque(ctx: Context, original: Node, update: Node) -> None:
    if original.ref != update.ref:
        ctx.add("TYPE_CHANGED")


def _nothing(ctx: Context, original: Node, update: Node) -> None:
    """Kinds with no keywords of their own (null, boolean, empty, false)."""


_SAME_KIND = {
    Kind.EMPTY: _nothing, Kind.FALSE: _nothing, Kind.BOOLEAN: type_flags, Kind.NULL: type_flags,
    Kind.STRING: _string, Kind.NUMBER: _number, Kind.ENUM: _enum, Kind.NOT: _not, Kind.OPAQUE: _opaque,
    Kind.OBJECT: objects.compare_objects, Kind.ARRAY: arrays.compare_arrays, Kind.COMBINED: combined.compare_combined,
}
