"""Array schemas: bounds, the all-items schema, and tuple items against the additional-items model.

Tuple positions (draft-07 array-form ``items``, 2020-12 ``prefixItems``) are reported at ``#/items/N``;
what lies past the tuple (``additionalItems``, 2020-12 ``items`` after ``prefixItems``) at
``#/additionalItems``, as Confluent names them whichever spelling the schema used.
"""

from __future__ import annotations

from typing import Any

from bot.compat.context import Context
from bot.compat.keywords import bound, is_kind, judge_cover, open_slot, openness, optional_schema, type_flags
from bot.compat.model import Kind, Node


def compare_arrays(ctx: Context, original: Node, update: Node) -> None:
    old, new = original.kw, update.kw
    type_flags(ctx, original, update)
    for keyword in ("maxItems", "minItems"):
        bound(ctx, keyword, old, new)
    if bool(old.get("uniqueItems")) != bool(new.get("uniqueItems")):
        ctx.add("UNIQUE_ITEMS_ADDED" if new.get("uniqueItems") else "UNIQUE_ITEMS_REMOVED", "uniqueItems")
    optional_schema(ctx, "items", old.get("items"), new.get("items"))
    _tuple(ctx, old, new)
    open_slot(ctx, "additionalItems", "ADDITIONAL_ITEMS", old.get("additionalItems"), new.get("additionalItems"))
    open_slot(ctx, "unevaluatedItems", "UNEVALUATED_ITEMS", old.get("unevaluatedItems"),
              new.get("unevaluatedItems"))
    optional_schema(ctx, "contains", old.get("contains"), new.get("contains"))
    for keyword in ("maxContains", "minContains"):
        bound(ctx, keyword, old, new)


def _beyond(model: dict[str, Any]) -> bool | Node:
    """What the array admits past its tuple: True (anything), False (nothing) or a schema."""
    slot = openness(model.get("additionalItems"))
    return openness(model.get("unevaluatedItems")) if slot is True and "additionalItems" not in model else slot


def _tuple(ctx: Context, old: dict[str, Any], new: dict[str, Any]) -> None:
    old_items, new_items = old.get("tuple", []), new.get("tuple", [])
    for i in range(max(len(old_items), len(new_items))):
        item = ctx.child("items", str(i))
        if i < len(old_items) and i < len(new_items):
            item.compare(old_items[i], new_items[i])
        elif i < len(new_items):
            _added(item, _beyond(old), new_items[i])
        else:
            _removed(item, _beyond(new), old_items[i])


def _added(ctx: Context, beyond: bool | Node, schema: Node) -> None:
    if isinstance(beyond, Node):
        judge_cover(ctx, beyond, schema, "ITEM", "ADDED")
    elif not beyond:
        ctx.add("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL")
    elif is_kind(schema, Kind.EMPTY):
        ctx.add("ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL")
    else:
        ctx.add("ITEM_ADDED_TO_OPEN_CONTENT_MODEL")


def _removed(ctx: Context, beyond: bool | Node, schema: Node) -> None:
    if isinstance(beyond, Node):
        judge_cover(ctx, schema, beyond, "ITEM", "REMOVED")
    elif beyond:
        ctx.add("ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL")
    elif is_kind(schema, Kind.FALSE):
        ctx.add("ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL")
    else:
        ctx.add("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL")
