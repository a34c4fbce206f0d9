"""Object schemas: properties against open, partially open and closed content models.

A content model is *open* when unknown properties are allowed (``additionalProperties`` absent or true),
*closed* when they are not (``false``, or ``unevaluatedProperties: false``), and *partially open* when a
schema covers them (``patternProperties`` matching the name, else an ``additionalProperties`` schema).
A property added to the update is judged against what the original allowed for that name; a property
removed from the update is judged against what the update now allows for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.compat import patterns
from bot.compat.context import Context, Refused, pointer
from bot.compat.keywords import bound, is_kind, judge_cover, open_slot, openness, optional_schema, type_flags
from bot.compat.model import Kind, Node

_NO_SCHEMAS: dict[str, Node] = {}


def compare_objects(ctx: Context, original: Node, update: Node) -> None:
    old, new = original.kw, update.kw
    type_flags(ctx, original, update)
    for keyword in ("maxProperties", "minProperties"):
        bound(ctx, keyword, old, new)
    carried = _properties(ctx, old, new)
    _required(ctx, old, new, carried)
    _dependencies(ctx, old, new)
    open_slot(ctx, "additionalProperties", "ADDITIONAL_PROPERTIES", old.get("additionalProperties"),
              new.get("additionalProperties"))
    open_slot(ctx, "unevaluatedProperties", "UNEVALUATED_PROPERTIES", old.get("unevaluatedProperties"),
              new.get("unevaluatedProperties"))
    _pattern_properties(ctx, old, new)
    optional_schema(ctx, "propertyNames", old.get("propertyNames"), new.get("propertyNames"))
    _reserved(ctx, old, new)


def _properties(ctx: Context, old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    """Compare the declared properties; the names of the added ones whose change type says they are required."""
    old_props, new_props = old.get("properties", _NO_SCHEMAS), new.get("properties", _NO_SCHEMAS)
    required = set(new.get("required", ()))
    old_patterns = old.get("patternProperties", _NO_SCHEMAS)
    carried: set[str] = set()
    for name, schema in new_props.items():
        if name in old_props:
            ctx.child("properties", name).compare(old_props[name], schema)
            _patterns_over(ctx.child("properties", name), new, name, old_props[name], set(old_patterns))
        elif _added(ctx.child("properties", name), old, name, schema, name in required):
            carried.add(name)
    for name, schema in old_props.items():
        if name not in new_props:
            _removed(ctx.child("properties", name), new, name, schema, old_patterns)
    return carried


def _pattern_properties(ctx: Context, old: dict[str, Any], new: dict[str, Any]) -> None:
    old_pats, new_pats = old.get("patternProperties", _NO_SCHEMAS), new.get("patternProperties", _NO_SCHEMAS)
    for pattern, schema in new_pats.items():
        if pattern in old_pats:
            ctx.child("patternProperties", pattern).compare(old_pats[pattern], schema)
        else:
            _added(ctx.child("patternProperties", pattern), old, None, schema, False)
            _over_old_patterns(ctx.child("patternProperties", pattern), old_pats, pattern, schema)
    for pattern, schema in old_pats.items():
        if pattern not in new_pats:
            _removed(ctx.child("patternProperties", pattern), new, None, schema)


def _over_old_patterns(ctx: Context, old_pats: dict[str, Node], added: str, schema: Node) -> None:
    """A pattern the update adds governs every name it matches, also the names an original pattern admitted: where
    the two may match one name (not provably disjoint: ``_disjoint_prefixes``), the added pattern's schema must admit
    what the original's did, or the difference is reported at the added pattern (``^y: number`` kept and
    ``^y_: string`` added rejects ``{"y_a": 0}``)."""
    for pattern, original in old_pats.items():
        if _disjoint_prefixes(pattern, added):
            continue
        _must_admit(ctx, original, schema)


def _must_admit(ctx: Context, writer: Node, schema: Node) -> None:
    """The differences by which ``schema`` fails to admit what ``writer`` did (none when it does), recorded at ``ctx``:
    a trial comparison, kept only when it is incompatible (title, description and default changes left out)."""
    trial = ctx.trial()
    trial.compare(writer, schema, meta=False)
    if not trial.compatible:
        ctx.extend(trial.changes)


_LITERAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:/@")


def _literal_prefix(pattern: str) -> str | None:
    """The text every name ``pattern`` matches starts with, when the pattern says so plainly (``^y_`` → ``y_``);
    None when it does not (no ``^``, an alternation)."""
    if not pattern.startswith("^") or "|" in pattern:
        return None
    prefix = ""
    for char in pattern[1:]:
        if char not in _LITERAL:
            break
        prefix += char
    rest = pattern[1 + len(prefix):]
    return prefix[:-1] if rest[:1] in ("*", "?", "{") else prefix  # a quantified last character is optional


def _disjoint_prefixes(first: str, second: str) -> bool:
    """Whether no name can match both patterns: each starts with a literal prefix and neither prefix begins the
    other (a sound, partial answer: overlapping patterns are never called disjoint)."""
    a, b = _literal_prefix(first), _literal_prefix(second)
    return a is not None and b is not None and not a.startswith(b) and not b.startswith(a)


def _patterns_over(ctx: Context, new: dict[str, Any], name: str, writer: Node, compared: set[str | Node]) -> None:
    """A declared property is also governed by every ``patternProperties`` schema whose pattern matches its name.

    So the update's schema for ``name`` is its ``properties`` schema AND each matching pattern's: a pattern the
    original does not have (one it has is compared pattern to pattern) must admit what the original's property
    did, or the difference is reported at the property. ``compared``: the patterns (the original's, by key) and
    the schemas already compared with the property.
    """
    for pattern, schema in _matching(ctx, new, name):
        if pattern not in compared and schema not in compared:
            _must_admit(ctx, writer, schema)


def _matching(ctx: Context, model: dict[str, Any], name: str) -> Iterator[tuple[str, Node]]:
    """The ``patternProperties`` of ``model`` whose pattern matches ``name``, in order.

    Patterns run on the linear engine (``bot.compat.patterns``); one it does not evaluate refuses the comparison.
    """
    for pattern, schema in model.get("patternProperties", _NO_SCHEMAS).items():
        ctx.shared.budget.spend_pattern(pattern)
        found = patterns.search(pattern, name)
        if found is None:
            where = f"the patternProperties of {pointer(ctx.path[:-2])}"  # ctx is at one of its names
            raise Refused(f"not comparable: {where}: {patterns.problem(pattern)}")
        if found:
            yield pattern, schema  # a loaded model holds Nodes under patternProperties


def _covering(ctx: Context, model: dict[str, Any], name: str | None) -> Node | None:
    """The schema that governs ``name`` when it is not a declared property (``None``: open or closed)."""
    if name is not None:
        for _, governing in _matching(ctx, model, name):
            return governing
    for key in ("additionalProperties", "unevaluatedProperties"):
        slot = openness(model.get(key))
        if isinstance(slot, Node):
            return slot
    return None


def _is_open(model: dict[str, Any]) -> bool:
    return openness(model.get("additionalProperties")) is True and (
        "additionalProperties" in model or openness(model.get("unevaluatedProperties")) is True)


def _added(ctx: Context, old: dict[str, Any], name: str | None, schema: Node, required: bool) -> bool:
    """A property the update declares and the original did not (``name`` None: a pattern).

    True when the type reported says the property is required (``REQUIRED_PROPERTY_…``); a required property
    reported otherwise (of the empty schema, added to an open model) is required all the same.
    """
    cover = _covering(ctx, old, name)
    default = "default" in schema.meta
    if cover is not None:
        judge_cover(ctx, cover, schema, "PROPERTY", "ADDED")
    elif _is_open(old):
        if is_kind(schema, Kind.EMPTY):
            ctx.add("PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL")
            return False
        if name is None:
            ctx.add("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL")
        elif required:
            ctx.add("REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL" if default
                    else "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL")
            return True
        else:
            ctx.add("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL")
        return False
    elif name is None:
        return False  # a pattern added to a closed model only admits more
    if required:
        ctx.add("REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL" if default
                else "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL")
        return True
    ctx.add("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL")
    return False


def _removed(ctx: Context, new: dict[str, Any], name: str | None, schema: Node,
             old_patterns: dict[str, Node] = _NO_SCHEMAS) -> None:
    """A property the original declared and the update does not (``name`` None: a pattern)."""
    cover = _covering(ctx, new, name)
    if cover is not None:
        judge_cover(ctx, schema, cover, "PROPERTY", "REMOVED")
        if name is not None:  # every other pattern matching the name governs it too
            _patterns_over(ctx, new, name, schema, {*old_patterns, cover})
    elif _is_open(new):
        ctx.add("PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL")
    elif is_kind(schema, Kind.FALSE):
        ctx.add("PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL")
    else:
        ctx.add("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL")


def _required(ctx: Context, old: dict[str, Any], new: dict[str, Any], carried: set[str]) -> None:
    old_req, new_req = old.get("required", []), new.get("required", [])
    new_props = new.get("properties", _NO_SCHEMAS)
    for name in new_req:
        # A new property whose type says it is required (``carried``) is reported with the property itself; any
        # other name newly required is required all the same, declared or not, whatever its schema (``{}``
        # too): old data without it is rejected.
        if name not in old_req and name not in carried:
            default = name in new_props and "default" in new_props[name].meta
            ctx.add("REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED" if default else "REQUIRED_ATTRIBUTE_ADDED",
                    "required", name)
    for name in old_req:
        if name not in new_req:
            ctx.add("REQUIRED_ATTRIBUTE_REMOVED", "required", name)


def _dependencies(ctx: Context, old: dict[str, Any], new: dict[str, Any]) -> None:
    old_arrays, new_arrays = old.get("dependencyArrays", {}), new.get("dependencyArrays", {})
    for name, needs in new_arrays.items():
        if name not in old_arrays:
            ctx.add("DEPENDENCY_ARRAY_ADDED", "dependencies", name)
            continue
        before, after = set(old_arrays[name]), set(needs)
        if before != after:
            change = ("DEPENDENCY_ARRAY_EXTENDED" if before < after else
                      "DEPENDENCY_ARRAY_NARROWED" if after < before else "DEPENDENCY_ARRAY_CHANGED")
            ctx.add(change, "dependencies", name)
    for name in old_arrays:
        if name not in new_arrays:
            ctx.add("DEPENDENCY_ARRAY_REMOVED", "dependencies", name)
    old_schemas, new_schemas = old.get("dependencySchemas", _NO_SCHEMAS), new.get("dependencySchemas", _NO_SCHEMAS)
    for name, schema in new_schemas.items():
        if name in old_schemas:
            ctx.child("dependencies", name).compare(old_schemas[name], schema)
        else:
            ctx.add("DEPENDENCY_SCHEMA_ADDED", "dependencies", name)
    for name in old_schemas:
        if name not in new_schemas:
            ctx.add("DEPENDENCY_SCHEMA_REMOVED", "dependencies", name)


def _reserved(ctx: Context, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Reserved names (``x-reserved`` / ``confluent:reserved``): kept reserved, never reused."""
    old_res, new_res = old.get("reserved", []), new.get("reserved", [])
    new_props, old_props = new.get("properties", _NO_SCHEMAS), old.get("properties", _NO_SCHEMAS)
    for name in old_res:
        if name not in new_res:
            ctx.add("RESERVED_PROPERTY_REMOVED", "properties", name)
    for name in new_res:
        if name in new_props and not (name in old_res and name in old_props):
            ctx.add("RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY", "properties", name)
