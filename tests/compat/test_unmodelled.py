"""Keywords the engine does not compare by meaning (``bot.compat.unmodelled``): a difference is
NOT_PROVEN_COMPATIBLE, judged incompatible, never a silent "no difference"; equal keywords are no difference. The
keywords of 2019-09/2020-12 the engine does compare by meaning (dependentRequired, dependentSchemas, prefixItems,
propertyNames, unevaluated* alone) are checked here in both directions too. Each verdict is checked with a real
validator where the change breaks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.compat import DIFFERENCE_TYPES, compare, is_compatible
from tests.compat.witness import counterexample, none_breaks

D2020 = "https://json-schema.org/draft/2020-12/schema"
IF_A = {"required": ["a"]}
THEN_B = {"type": "object", "if": IF_A, "then": {"required": ["b"]}}
NO_THEN = {"type": "object", "if": IF_A}


def found(old: Any, new: Any, mode: str = "backward") -> list[tuple[str, str]]:
    return [(c.type, c.path) for c in compare(old, new, mode).changes]  # type: ignore[arg-type]


def test_the_type_is_modelgate_own_and_incompatible_under_both_policies() -> None:
    assert "NOT_PROVEN_COMPATIBLE" not in DIFFERENCE_TYPES  # Confluent's 132 stay Confluent's
    assert not is_compatible("NOT_PROVEN_COMPATIBLE", "strict")
    assert not is_compatible("NOT_PROVEN_COMPATIBLE", "lenient")


def test_removing_then_is_reported_in_both_directions() -> None:
    assert found(THEN_B, NO_THEN) == [("NOT_PROVEN_COMPATIBLE", "#/then")]
    assert found(THEN_B, NO_THEN, "forward") == [("NOT_PROVEN_COMPATIBLE", "#/then")]
    assert not compare(THEN_B, NO_THEN, "forward").compatible
    assert counterexample(NO_THEN, THEN_B, {"a": 1})  # the forward direction breaks: old readers require b
    # backward the removal only admits more: conservative, judged incompatible all the same (docs/compatibility.md)
    assert none_breaks(THEN_B, NO_THEN, {"a": 1, "b": 2}, {"c": 1})
    assert not compare(THEN_B, NO_THEN).compatible


@pytest.mark.parametrize(("old", "new", "where", "instance"), [
    (THEN_B, {**THEN_B, "then": {"required": ["c"]}}, "#/then", {"a": 1, "b": 2}),
    (THEN_B, {**THEN_B, "if": {"required": ["x"]}, "then": {"required": ["b"]}}, "#/if", {"x": 1}),
    ({"type": "object", "if": IF_A, "else": {"required": ["z"]}}, {"type": "object", "if": IF_A,
                                                                 "else": {"required": ["y"]}}, "#/else", {"z": 1}),
    ({"type": "object"}, THEN_B, "#/if", {"a": 1}),
])
def test_a_changed_condition_breaks_and_is_not_proven(old: Any, new: Any, where: str, instance: Any) -> None:
    assert (("NOT_PROVEN_COMPATIBLE", where)) in found(old, new)
    assert not compare(old, new).compatible
    assert counterexample(old, new, instance)


def test_a_condition_added_to_an_empty_schema_is_not_passed_as_anything_goes() -> None:
    assert found({}, {"if": IF_A, "then": {"required": ["b"]}}) == [
        ("NOT_PROVEN_COMPATIBLE", "#/if"), ("NOT_PROVEN_COMPATIBLE", "#/then")]
    assert counterexample({}, {"if": IF_A, "then": {"required": ["b"]}}, {"a": 1})


def test_an_equal_condition_is_no_difference_whatever_its_key_order() -> None:
    same = {"then": {"required": ["b"]}, "if": {"required": ["a"]}, "type": "object"}
    assert found(THEN_B, same) == []
    assert found(THEN_B, {**THEN_B, "description": "now documented"}) == [("DESCRIPTION_CHANGED", "#/")]


def test_a_condition_is_compared_with_what_its_references_reach() -> None:
    """The text of then is equal, the schema its $ref designates changed: not proven, not passed."""
    def schema(needs: str) -> dict[str, Any]:
        return {"type": "object", "if": IF_A, "then": {"$ref": "#/$defs/need"},
                "$defs": {"need": {"required": [needs]}}, "properties": {"a": {"type": "integer"}}}

    assert ("NOT_PROVEN_COMPATIBLE", "#/then") in found(schema("b"), schema("c"))
    assert counterexample(schema("b"), schema("c"), {"a": 1, "b": 2})
    assert found(schema("b"), schema("b")) == []


def test_a_condition_beside_a_draft07_ref_is_ignored_as_the_draft_ignores_it() -> None:
    old = {"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"s": {"type": "string"}},
           "properties": {"p": {"$ref": "#/definitions/s", "if": {"minLength": 1}, "then": {"maxLength": 3}}}}
    new = {**old, "properties": {"p": {"$ref": "#/definitions/s"}}}
    assert found(old, new) == []
    assert none_breaks(old, new, {"p": "abcdef"}, {"p": "a"})


def test_a_changed_dynamic_reference_or_anchor_is_not_proven() -> None:
    def schema(anchor_type: str, ref: str = "#node") -> dict[str, Any]:
        return {"$schema": D2020, "$dynamicAnchor": "node", "type": "object",
                "properties": {"child": {"$dynamicRef": ref}, "v": {"type": anchor_type}}}

    assert found(schema("string"), schema("string", "#other")) == [
        ("NOT_PROVEN_COMPATIBLE", "#/properties/child/$dynamicRef")]
    assert ("NOT_PROVEN_COMPATIBLE", "#/properties/child/$dynamicRef") in found(schema("string"), schema("integer"))
    assert counterexample(schema("string"), schema("integer"), {"child": {"v": "x"}})
    assert found(schema("string"), schema("string")) == []


def test_unevaluated_properties_beside_an_applicator_is_not_proven() -> None:
    """unevaluatedProperties: false sees the properties allOf evaluates: dropping them from allOf closes the object."""
    old = {"$schema": D2020, "type": "object", "allOf": [{"properties": {"a": {"type": "string"}}}],
           "unevaluatedProperties": False}
    new = {**old, "allOf": [{}]}
    assert ("NOT_PROVEN_COMPATIBLE", "#/unevaluatedProperties") in found(old, new)
    assert not compare(old, new).compatible
    assert counterexample(old, new, {"a": "x"})
    items_old = {"$schema": D2020, "type": "array", "allOf": [{"prefixItems": [{"type": "string"}]}],
                 "unevaluatedItems": False}
    items_new = {**items_old, "allOf": [{}]}
    assert ("NOT_PROVEN_COMPATIBLE", "#/unevaluatedItems") in found(items_old, items_new)
    assert counterexample(items_old, items_new, ["x"])


def test_unevaluated_properties_alone_is_still_an_open_or_closed_model() -> None:
    closed = {"$schema": D2020, "type": "object", "properties": {"a": {}}, "unevaluatedProperties": False}
    open_ = {"$schema": D2020, "type": "object", "properties": {"a": {}}}
    assert found(open_, closed) == [("UNEVALUATED_PROPERTIES_REMOVED", "#/unevaluatedProperties")]
    assert counterexample(open_, closed, {"b": 1})
    assert compare(closed, open_).compatible and none_breaks(closed, open_, {"a": 1}, {})


# --- the 2019-09/2020-12 keywords compared by meaning: both directions -------------------------------------

@pytest.mark.parametrize(("narrow", "wide", "instance"), [
    ({"type": "object", "dependentRequired": {"a": ["b"]}}, {"type": "object"}, {"a": 1}),
    ({"type": "object", "dependentRequired": {"a": ["b", "c"]}}, {"type": "object", "dependentRequired": {"a": ["b"]}},
     {"a": 1, "b": 2}),
    ({"type": "object", "dependentSchemas": {"a": {"required": ["b"]}}}, {"type": "object"}, {"a": 1}),
    ({"type": "object", "propertyNames": {"maxLength": 2}}, {"type": "object", "propertyNames": {"maxLength": 3}},
     {"abc": 1}),
    ({"type": "object", "propertyNames": {"pattern": "^x"}}, {"type": "object"}, {"y": 1}),
    ({"$schema": D2020, "type": "array", "prefixItems": [{"type": "integer"}]},
     {"$schema": D2020, "type": "array", "prefixItems": [{"type": "number"}]}, [1.5]),
    ({"$schema": D2020, "type": "array", "prefixItems": [{"type": "string"}], "items": False},
     {"$schema": D2020, "type": "array", "prefixItems": [{"type": "string"}]}, ["a", 1]),
    ({"$schema": D2020, "type": "array", "unevaluatedItems": False}, {"$schema": D2020, "type": "array"}, [1]),
])
def test_keywords_compared_by_meaning_break_one_way_only(narrow: Any, wide: Any, instance: Any) -> None:
    assert compare(narrow, wide).compatible, found(narrow, wide)
    assert not compare(wide, narrow).compatible, found(wide, narrow)
    assert counterexample(wide, narrow, instance)
    assert not any(t == "NOT_PROVEN_COMPATIBLE" for t, _ in found(wide, narrow))


def test_many_references_to_one_large_schema_write_its_text_once() -> None:
    """A condition referring 2,000 times, by as many spellings (``#/$defs/ab``, ``#/$defs/%61b``, …), to one large
    schema is compared as that schema's text once with the list of references (before: 2,000 copies of it, 15 s
    and 600 MB for a pair of 100 kB files). A change to the schema is still not proven."""
    from bot.compat import unmodelled
    from bot.compat.context import Context, Shared
    from bot.compat.model import Loader
    from bot.compat.walker import compare_nodes

    name = "abcdefghijk"
    spellings = ["".join(f"%{ord(c):02x}" if bits >> k & 1 else c for k, c in enumerate(name)) for bits in range(2000)]

    def schema(needs: str) -> dict[str, Any]:
        target = {"required": [needs], "properties": {f"p{i}": {"type": "string"} for i in range(2000)}}
        return {"$schema": D2020, "type": "object", "$defs": {name: target},
                "if": {"allOf": [{"$ref": f"#/$defs/{s}"} for s in spellings]}, "then": {"required": ["z"]}}

    root = schema("b")
    loader = Loader(root)
    ctx = Context(Shared("strict", compare_nodes))
    reached = unmodelled._reach(ctx, loader.root_node(), root["if"])
    assert sum(map(len, reached)) < 10 * len(json.dumps(root))
    assert ("NOT_PROVEN_COMPATIBLE", "#/if") in found(schema("b"), schema("c"))
    assert counterexample(schema("b"), schema("c"), {"c": 1})  # the condition holds now: z is required
    assert ("NOT_PROVEN_COMPATIBLE", "#/if") in found(schema("b"), schema("c"), "forward")
    assert counterexample(schema("c"), schema("b"), {"b": 1})
    assert found(schema("b"), schema("b")) == []
