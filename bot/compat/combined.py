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
from bot.compat.model import META_KEYWORDS, Kind, Node, deref
from bot.compat.sqltypes import SQL_CHANGES, SQL_KEYWORDS
from bot.compat.types import is_compatible

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


_JSON_TYPES: frozenset[str] = frozenset({"string", "number", "boolean", "null", "object", "array"})
_KIND_TYPE = {Kind.STRING: "string", Kind.NUMBER: "number", Kind.BOOLEAN: "boolean", Kind.NULL: "null",
              Kind.OBJECT: "object", Kind.ARRAY: "array"}


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array" if isinstance(value, list) else "null"


# what ``_admits`` and ``_apart`` found, by the nodes' ids and depth, for one ``_disjoint``: through $ref a few
# definitions nest a tree of any size (each ``allOf`` of 12 references to the next: 12^8 paths in 8 definitions),
# so each node (pair) is looked at once per depth. Each entry holds its nodes, so that no id is reused meanwhile.
_Memo = dict[tuple[int, ...], tuple[tuple[Node, ...], bool | frozenset[str]]]


def _admits(node: Node, depth: int = 0, memo: _Memo | None = None) -> frozenset[str]:
    """The JSON types ``node`` may admit (an over-approximation: all of them when it cannot tell)."""
    node, _ = deref(node)
    memo = {} if memo is None else memo
    key = (0, id(node), depth)
    if key not in memo:
        memo[key] = ((node,), _admits_now(node, depth, memo))
    found = memo[key][1]
    assert isinstance(found, frozenset)
    return found


def _admits_now(node: Node, depth: int, memo: _Memo) -> frozenset[str]:
    if node.kind is Kind.FALSE:
        return frozenset()
    if node.kind in _KIND_TYPE and node.requires_type:
        return frozenset({_KIND_TYPE[node.kind]})
    if node.kind is Kind.ENUM:
        return frozenset(_json_type(v) for v in node.kw["values"])
    if node.kind is Kind.COMBINED and depth < 8:
        sets = [_admits(sub, depth + 1, memo) for sub in node.subs]
        if node.criterion == ALL:
            return frozenset.intersection(_JSON_TYPES, *sets)
        return frozenset().union(*sets)
    return _JSON_TYPES


def _disjoint(subs: list[Node]) -> bool:
    """Whether no instance can match two of ``subs`` (as far as their types and enum values show)."""
    memo: _Memo = {}
    admits = [_admits(s, 0, memo) for s in subs]
    for i in range(len(subs)):
        for j in range(i + 1, len(subs)):
            common = admits[i] & admits[j]
            if common and not _apart(subs[i], subs[j], 0, memo):
                return False
    return True


def _may_overlap(node: Node) -> bool:
    """Whether ``node`` is a ``oneOf`` an instance may match two parts of. Every part counts, a repeated one too:
    ``oneOf [{}, {}]`` rejects every instance (it matches both)."""
    return node.criterion == ONE and len(node.subs) > 1 and not _disjoint(node.subs)


def _repeated(node: Node) -> set[str]:
    """The parts a ``oneOf`` holds more than once (by text): it rejects every instance of such a part."""
    if node.criterion != ONE:
        return set()
    texts = [canonical(sub.raw) for sub in node.subs]
    return {t for t in texts if texts.count(t) > 1}


def _apart(a: Node, b: Node, depth: int, memo: _Memo) -> bool:
    """Disjoint by value: two enums with no value in common, or two objects that require a property (a
    discriminator) whose schemas are disjoint; the parts of a synthetic ``allOf`` are looked at one by one."""
    a, b = deref(a)[0], deref(b)[0]
    key = (1, id(a), id(b), depth)
    if key not in memo:
        memo[key] = ((a, b), _apart_now(a, b, depth, memo))
    return memo[key][1] is True


def _apart_now(a: Node, b: Node, depth: int, memo: _Memo) -> bool:
    if depth > 8:
        return False
    if not _admits(a, 0, memo) & _admits(b, 0, memo):
        return True
    if a.kind is Kind.ENUM and b.kind is Kind.ENUM:
        return not {canonical(v) for v in a.kw["values"]} & {canonical(v) for v in b.kw["values"]}
    for x, y in ((a, b), (b, a)):
        if x.kind is Kind.COMBINED and x.criterion == ALL:
            return any(_apart(part, y, depth + 1, memo) for part in x.subs)
    if a.kind is Kind.OBJECT and b.kind is Kind.OBJECT:
        props_a, props_b = a.kw.get("properties", {}), b.kw.get("properties", {})
        both = set(a.kw.get("required", ())) & set(b.kw.get("required", ())) & props_a.keys() & props_b.keys()
        return any(_apart(props_a[name], props_b[name], depth + 1, memo) for name in sorted(both))
    return False


def compare_combined(ctx: Context, original: Node, update: Node) -> None:
    old, new = _distinct(original), _distinct(update)
    criterion = _criterion_change(original.criterion, update.criterion, len(old) == 1, len(new) == 1)
    overlap = _may_overlap(update)
    if criterion == "COMBINED_TYPE_EXTENDED" and overlap:
        criterion = "COMBINED_TYPE_CHANGED"  # to a oneOf whose parts may overlap: an instance may match two
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
    if overlap and original.criterion == ONE and (len(old) < len(new) or _widened(ctx, pairs)
                                                  or _repeated(update) - _repeated(original)
                                                  or _rewritten(old, new, pairs)):
        # a oneOf whose parts may overlap, a part added or widened: an instance matching one part may now match two
        ctx.add("COMBINED_TYPE_SUBSCHEMAS_CHANGED")
        return
    for i in sorted(pairs):
        ctx.extend(pairs[i].changes)


_ANNOTATIONS = frozenset({"ID_CHANGED", "DESCRIPTION_CHANGED", "TITLE_CHANGED", "DEFAULT_CHANGED", *SQL_CHANGES})


def _pairs_up(trial: Context) -> bool:
    """Whether two subschemas are one part, changed compatibly for the instances they match: a change of the SQL
    keywords (``bot.compat.sqltypes``) matches the same instances, so it pairs the parts and is reported inside."""
    return all(t in SQL_CHANGES or is_compatible(t, trial.shared.policy) for t, _ in trial.changes)


def _widened(ctx: Context, pairs: dict[int, Context]) -> bool:
    """Whether a pair admits more than before (a compatible change that is not an annotation's); a narrowed part
    cannot make an instance match two parts, and an incompatible change is reported as it is."""
    return any(t not in _ANNOTATIONS and is_compatible(t, ctx.shared.policy)
               for pair in pairs.values() for t, _ in pair.changes)


def _shape(node: Node) -> str:
    """A part's text without its own annotations (a description edit changes no instance's matches)."""
    raw = node.raw
    return canonical({k: v for k, v in raw.items() if k not in META_KEYWORDS and k not in SQL_KEYWORDS}
                     if isinstance(raw, dict) else raw)


def _rewritten(old: list[tuple[int, Node]], new: list[tuple[int, Node]], pairs: dict[int, Context]) -> bool:
    """Whether a paired part changed beyond its annotations. Its pair was compatible, so it is the same or wider, and
    a widening the pair does not report (``{"items": {"maximum": 9}}`` -> ``{"items": {}}``: anything may become
    the empty schema, silently) may make an instance of it match a second part."""
    shapes = {_shape(sub) for _, sub in new}
    return any(_shape(sub) not in shapes for i, sub in old if i in pairs)


def _kind_key(node: Node) -> tuple[str, str, bool]:
    # a list ``type`` (a synthetic anyOf) is not the author's anyOf beside it
    return node.kind.value, node.criterion or node.kw.get("keyword", ""), node.synthetic


def _by_kind(ctx: Context, old: list[tuple[int, Node]], new: list[tuple[int, Node]]) -> dict[int, Context]:
    """Pair the parts of two synthetic combinations by kind: each kind occurs once on each side."""
    parts = {_kind_key(sub): sub for _, sub in new}
    pairs = {}
    for i, sub in old:
        if _kind_key(sub) in parts:
            pairs[i] = ctx.trial()
            pairs[i].compare(sub, parts.pop(_kind_key(sub)), meta=False)
    # one combination left on each side (allOf -> anyOf beside a type): they are the same part, changed
    left_old = [(i, sub) for i, sub in old if i not in pairs and sub.kind is Kind.COMBINED and not sub.synthetic]
    left_new = [sub for sub in parts.values() if sub.kind is Kind.COMBINED and not sub.synthetic]
    if len(left_old) == 1 and len(left_new) == 1:
        i, sub = left_old[0]
        pairs[i] = ctx.trial()
        pairs[i].compare(sub, left_new[0], meta=False)
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
            if _pairs_up(trial):
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
    if _may_overlap(update):
        ctx.add("COMBINED_TYPE_SUBSCHEMAS_CHANGED")  # the original's instances may match two of the oneOf's parts
    elif len(subs) == 1:
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
        if _pairs_up(trial):
            ctx.extend(trial.changes)
            ctx.add(found)
            return
    ctx.add("TYPE_CHANGED")
