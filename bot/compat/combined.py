"""``allOf`` / ``anyOf`` / ``oneOf``: criterion changes, sum and product types, subschema matching.

Subschemas are paired by a maximum bipartite matching over the compatible pairs (exact matches
tried first); when fewer pairs than the smaller side exist, the subschemas changed. Differences inside
a pair are reported at ``criterion/index-in-the-original``. The parts of a synthetic combination
(sibling keywords such as ``type`` + ``enum``, or a list ``type``) are the author's keywords side by
side: two synthetic combinations pair their parts by kind, and report differences in place.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.compat.context import Context
from bot.compat.keywords import canonical
from bot.compat.model import Node

ALL, ANY, ONE = "allOf", "anyOf", "oneOf"


def _distinct(node: Node) -> list[tuple[int, Node]]:
    """Subschemas with their original index, duplicates dropped."""
    seen: set[str] = set()
    out = []
    for i, sub in enumerate(node.subs):
        key = canonical(sub.raw)
        if key not in seen:
            seen.add(key)
            out.append((i, sub))
    return out


def _criterion_change(original: str, update: str, single_o: bool, single_u: bool) -> str | None:
    if original == update:
        return None
    widened = (update == ANY
               or (update == ONE and (original == ALL or single_o))
               or (update == ALL and single_o and single_u))
    return "COMBINED_TYPE_EXTENDED" if widened else "COMBINED_TYPE_CHANGED"


def compare_combined(ctx: Context, original: Node, update: Node) -> None:
    old, new = _distinct(original), _distinct(update)
    criterion = _criterion_change(original.criterion, update.criterion, len(old) == 1, len(new) == 1)
    if criterion:
        ctx.add(criterion)
        if criterion == "COMBINED_TYPE_CHANGED":
            return
    if len(old) < len(new):
        ctx.add("PRODUCT_TYPE_EXTENDED" if update.criterion == ALL else "SUM_TYPE_EXTENDED")
    elif len(old) > len(new):
        ctx.add("PRODUCT_TYPE_NARROWED" if original.criterion == ALL else "SUM_TYPE_NARROWED")
    pairs = _by_kind(ctx, old, new) if original.synthetic and update.synthetic else _match(ctx, original, old, new)
    if len(pairs) < min(len(old), len(new)):
        ctx.add("COMBINED_TYPE_SUBSCHEMAS_CHANGED")
        return
    for i in sorted(pairs):
        ctx.extend(pairs[i].changes)


def _kind_key(node: Node) -> tuple[str, str]:
    return node.kind.value, node.criterion or node.kw.get("keyword", "")


def _by_kind(ctx: Context, old: list[tuple[int, Node]], new: list[tuple[int, Node]]) -> dict[int, Context]:
    """Pair the parts of two synthetic combinations by kind: each kind occurs once on each side."""
    parts = {_kind_key(sub): sub for _, sub in new}
    pairs = {}
    for i, sub in old:
        if _kind_key(sub) in parts:
            pairs[i] = ctx.trial()
            pairs[i].compare(sub, parts[_kind_key(sub)], meta=False)
    return pairs


def _match(ctx: Context, original: Node, old: list[tuple[int, Node]],
           new: list[tuple[int, Node]]) -> dict[int, Context]:
    """Pair each original subschema with a distinct compatible update subschema (Kuhn's algorithm)."""
    trials: dict[tuple[int, int], Context] = {}
    edges: dict[int, list[int]] = {}
    for i, sub_o in old:
        where = () if original.synthetic else (original.criterion, str(i))
        for j, sub_u in new:
            trial = ctx.trial(*where)
            trial.compare(sub_o, sub_u)
            if trial.compatible:
                trials[i, j] = trial
                edges.setdefault(i, []).append(j)
        if i in edges:
            edges[i] = sorted(edges[i], key=lambda j: len(trials[i, j].changes))
    owner: dict[int, int] = {}

    def augment(i: int, visited: set[int]) -> bool:
        for j in edges.get(i, []):
            if j not in visited:
                visited.add(j)
                if j not in owner or augment(owner[j], visited):
                    owner[j] = i
                    return True
        return False

    for i, _ in old:
        augment(i, set())
    return {i: trials[i, j] for j, i in owner.items()}


def widen(ctx: Context, original: Node, update: Node) -> None:
    """The update combines subschemas, the original does not."""
    subs = [s for _, s in _distinct(update)]
    if len(subs) == 1:
        ctx.compare(original, subs[0], meta=False)
    elif update.criterion in (ANY, ONE):
        _adopt_first(ctx, subs, lambda s, t: t.compare(original, s, meta=False), "SUM_TYPE_EXTENDED")
    elif update.synthetic:
        _adopt_first(ctx, subs, lambda s, t: t.compare(original, s, meta=False), "PRODUCT_TYPE_EXTENDED")
    else:
        ctx.add("TYPE_CHANGED")


def narrow(ctx: Context, original: Node, update: Node) -> None:
    """The original combines subschemas, the update does not."""
    subs = [s for _, s in _distinct(original)]
    if len(subs) == 1:
        ctx.compare(subs[0], update, meta=False)
    else:
        found = "PRODUCT_TYPE_NARROWED" if original.criterion == ALL else "SUM_TYPE_NARROWED"
        _adopt_first(ctx, subs, lambda s, t: t.compare(s, update, meta=False), found)


def _adopt_first(ctx: Context, subs: list[Node], run: Callable[[Node, Context], None], found: str) -> None:
    """Adopt the first subschema whose comparison is compatible, then report ``found``; else TYPE_CHANGED."""
    for sub in subs:
        trial = ctx.trial()
        run(sub, trial)
        if trial.compatible:
            ctx.extend(trial.changes)
            ctx.add(found)
            return
    ctx.add("TYPE_CHANGED")
