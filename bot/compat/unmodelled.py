"""The keywords the differ does not compare by meaning: any difference in one is reported, never passed.

``if``/``then``/``else`` (a constraint that holds on a condition), ``$dynamicRef``/``$recursiveRef`` (a reference
resolved through the dynamic scope), and ``unevaluatedProperties``/``unevaluatedItems`` beside an in-place
applicator (``allOf``, ``$ref``, ``if``...: which names or items count as evaluated then depends on every
subschema that applies) are compared as JSON: each one's canonical text, with the text of every local schema it
reaches through ``$ref`` (and, for a dynamic reference, of every schema that declares a dynamic anchor). When that
differs, the difference is ``NOT_PROVEN_COMPATIBLE`` at the keyword: the engine could not prove the change
compatible, so it is judged incompatible. The other keywords of 2019-09/2020-12 are compared by meaning elsewhere
(``prefixItems`` as a tuple, ``dependentRequired``/``dependentSchemas`` as ``dependencies``, ``propertyNames``
as a schema, ``unevaluated*`` alone as an open or closed content model).
"""

from __future__ import annotations

from typing import Any, Final

from bot.compat.context import Context
from bot.compat.keywords import text
from bot.compat.model import Node
from bot.compat.refs import resolve_local

NOT_PROVEN: Final = "NOT_PROVEN_COMPATIBLE"
UNMODELLED: Final = ("if", "then", "else", "$dynamicRef", "$recursiveRef")
UNEVALUATED: Final = ("unevaluatedProperties", "unevaluatedItems")
# applicators whose subschemas evaluate names and items in place (for unevaluated*)
IN_PLACE: Final = ("allOf", "anyOf", "oneOf", "$ref", "$dynamicRef", "$recursiveRef", "if", "then", "else",
                   "dependentSchemas", "dependencies")
_DYNAMIC: Final = ("$dynamicRef", "$recursiveRef")
_ANCHORS: Final = ("$dynamicAnchor", "$recursiveAnchor")


def unmodelled(node: Node) -> dict[str, Any]:
    """The keywords of ``node``'s schema compared as JSON only: keyword -> the JSON that decides its meaning.

    Draft-04..07 ignore the siblings of ``$ref``: then there are none.
    """
    raw = node.raw
    if not isinstance(raw, dict) or ("$ref" in raw and not node.loader.dialect.ref_siblings):
        return {}
    found = {k: raw[k] for k in UNMODELLED if k in raw}
    for key in UNEVALUATED:
        if key in raw and raw[key] is not True and raw[key] != {} and any(k in raw for k in IN_PLACE):
            found[key] = {k: raw[k] for k in (key, *IN_PLACE) if k in raw}
    return found


def compare_unmodelled(ctx: Context, original: Node, update: Node) -> None:
    """``NOT_PROVEN_COMPATIBLE`` at each such keyword whose JSON (with what it reaches) differs."""
    before, after = unmodelled(original), unmodelled(update)
    for keyword in [*UNMODELLED, *UNEVALUATED]:
        old, new = before.get(keyword), after.get(keyword)
        if old is None and new is None:
            continue
        if old is None or new is None or _reach(ctx, original, {keyword: old}) != _reach(ctx, update, {keyword: new}):
            ctx.add(NOT_PROVEN, keyword)


def _reach(ctx: Context, node: Node, value: Any) -> tuple[str, ...]:
    """``value``'s canonical text and that of every local schema it reaches by reference.

    Each schema reached is written once, however many references (``#/$defs/a``, ``#/%24defs/a``, …) designate it:
    a reference is written as the number of the schema it reaches. Texts are made once per schema
    (``keywords.text``): a few kilobytes of references to one large schema would otherwise make its text again for
    each, and for each keyword that reaches it.
    """
    root = node.loader.root
    texts, refs, seen, todo = [text(ctx, value)], [], set(), [value]
    reached: dict[int, int] = {}  # id(schema reached) -> its number
    dynamic = False
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            for key in ("$ref", *_DYNAMIC):
                ref = item.get(key)
                dynamic = dynamic or (key in _DYNAMIC and ref is not None)
                if isinstance(ref, str) and ref not in seen:
                    seen.add(ref)
                    ctx.shared.budget.spend_pair()
                    found, target = resolve_local(root, ref)
                    if not found:
                        refs.append(f"{ref}=?")
                        continue
                    if id(target) not in reached:
                        reached[id(target)] = len(texts)
                        texts.append(text(ctx, target))
                        todo.append(target)
                    refs.append(f"{ref}={reached[id(target)]}")
            todo.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            todo.extend(v for v in item if isinstance(v, dict | list))
    if dynamic:
        texts.extend(_anchored(ctx, root))
    return (*texts, *sorted(refs))


def _anchored(ctx: Context, root: Any) -> list[str]:
    """The text of every schema of the document that declares a dynamic (or recursive) anchor."""
    out, todo = [], [root]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            if any(k in item for k in _ANCHORS):
                out.append(text(ctx, item))
            todo.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            todo.extend(v for v in item if isinstance(v, dict | list))
    return sorted(out)
