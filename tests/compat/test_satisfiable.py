"""Subschemas no instance satisfies (``bot.compat.satisfiable``, MG011): each contradiction, what it does to the
schema, and the satisfiable look-alikes that must not be reported."""

from __future__ import annotations

import math
from typing import Any

import jsonschema_rs
import pytest

from bot.compat.satisfiable import MAX_NAMES, Unsatisfiable, unsatisfiable

ROOT = "no instance satisfies the schema"
SCORE = {"type": "object", "additionalProperties": False, "required": ["user_id", "scroe"],
         "properties": {"user_id": {"type": "string"}, "score": {"type": "number"}}}


def only(schema: Any) -> Unsatisfiable:
    found = unsatisfiable(schema)
    assert len(found) == 1, found
    return found[0]


def accepts_nothing(schema: Any, *candidates: Any) -> bool:
    """A real validator's word that none of ``candidates`` is valid (a finding that cannot be wrong)."""
    validator = jsonschema_rs.validator_for(schema)
    return not any(validator.is_valid(value) for value in candidates)


CANDIDATES = (None, True, 0, 1, 2, 1.5, -3, "", "abc", [], [1], {}, {"user_id": "u", "score": 1},
              {"user_id": "u", "scroe": 1})


def test_a_required_name_nothing_declares_under_a_closed_object_is_the_issue_case() -> None:
    found = only(SCORE)
    assert found.path == ("required", 1) and found.pointer == "#/required/1" and found.whole
    assert found.message == ("#/required/1: required property 'scroe' (did you mean 'score'?) is not declared in "
                             "properties, and additionalProperties is false; " + ROOT)
    assert accepts_nothing(SCORE, *CANDIDATES)


@pytest.mark.parametrize(("schema", "path", "reason"), [
    ({"type": "number", "minimum": 5, "maximum": 1}, ("minimum",), "minimum 5 is greater than maximum 1"),
    ({"type": "number", "exclusiveMinimum": 1, "maximum": 1}, ("exclusiveMinimum",),
     "exclusiveMinimum 1 is equal to maximum 1, and one of them is exclusive"),
    ({"type": "number", "minimum": 1, "exclusiveMaximum": 1}, ("minimum",), "is equal to exclusiveMaximum 1"),
    ({"type": "integer", "minimum": 1.2, "maximum": 1.8}, ("minimum",), "no integer lies between"),
    ({"type": "string", "minLength": 3, "maxLength": 1}, ("minLength",), "minLength 3 is greater than maxLength 1"),
    ({"type": "array", "minItems": 2, "maxItems": 1}, ("minItems",), "minItems 2 is greater than maxItems 1"),
    ({"type": "object", "minProperties": 2, "maxProperties": 1}, ("minProperties",), "minProperties 2"),
    ({"type": "object", "required": ["a", "b"], "maxProperties": 1}, ("maxProperties",), "2 properties are required"),
    ({"enum": []}, ("enum",), "enum is empty"),
    ({"const": 3, "enum": [1, 2]}, ("const",), "const 3 is not one of the enum's values"),
    ({"const": True, "enum": [1]}, ("const",), "const true is not one of the enum's values"),  # true is not 1
    ({"allOf": [{"type": "integer"}, {"type": "string"}]}, ("allOf", 0),
     "the types share no member (allOf/0 allows integer; allOf/1 allows string)"),
    ({"type": "string", "enum": [1, 2]}, ("type",), "type allows string; enum allows integer"),
    ({"type": "string", "const": 1}, ("type",), "const allows integer"),
    ({"type": "object", "required": ["a"], "properties": {"a": False}}, ("required", 0), "its schema is false"),
    ({"type": "object", "required": ["x"], "unevaluatedProperties": False}, ("required", 0),
     "unevaluatedProperties is false"),
    ({"type": "object", "required": ["x"], "additionalProperties": {"not": {}, "type": "string", "enum": [1]},
      "patternProperties": {"^y": {}}}, ("required", 0), "nor matched by patternProperties"),
])
def test_each_contradiction_makes_the_schema_unsatisfiable(schema: dict[str, Any], path: tuple[Any, ...],
                                                           reason: str) -> None:
    found = [f for f in unsatisfiable(schema) if f.whole]
    assert [f.path for f in found][:1] == [path] and reason in found[0].reason, found
    assert found[0].effect == ROOT
    assert accepts_nothing(schema, *CANDIDATES, {"a": 1}, {"x": 1}, {"a": 1, "b": 2}, [1, 2])


@pytest.mark.parametrize("schema", [
    {"type": "object", "additionalProperties": False, "required": ["scroe"], "patternProperties": {"^sc": {}}},
    {"type": "object", "additionalProperties": True, "required": ["scroe"], "properties": {"score": {}}},
    {"type": "object", "required": ["scroe"], "properties": {"score": {}}},  # open: any property may be there
    {"type": "object", "additionalProperties": {"type": "number"}, "required": ["scroe"]},
    {"allOf": [{"type": "integer"}, {"type": "number"}]},  # integer is a number
    {"allOf": [{"type": ["string", "null"]}, {"type": "null"}]},
    {"type": "number", "minimum": 1, "maximum": 1},  # bounds equal and inclusive: 1
    {"type": "number", "exclusiveMinimum": 1, "maximum": 1.5},
    {"type": "integer", "minimum": 1.2, "maximum": 2},
    {"minimum": 5, "maximum": 1},  # no type: every string is valid
    {"type": ["number", "string"], "minimum": 5, "maximum": 1},
    {"type": "number", "minLength": 3, "maxLength": 1},  # string keywords do not bind numbers
    {"enum": [1, "a"], "type": "string"},
    {"const": 2, "enum": [1, 2.0]},  # JSON equality: 2 == 2.0
    {"type": "object", "unevaluatedProperties": False, "required": ["x"], "allOf": [{"properties": {"x": {}}}]},
    {"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},  # a cycle is no contradiction
    {"type": "object", "properties": {"a": {"not": {"type": "string", "minLength": 3, "maxLength": 1}}}},
    {"type": "integer", "minimum": -math.inf, "maximum": 5},  # YAML's -.inf: no integer bound, and no crash
    {"type": "integer", "minimum": 1, "exclusiveMaximum": math.inf},
    True, False, {}, [],  # booleans are meant; what is not a schema is MG008's
])
def test_satisfiable_look_alikes_are_not_reported(schema: Any) -> None:
    assert unsatisfiable(schema) == []


def test_a_contradiction_in_an_optional_property_only_forbids_it() -> None:
    schema = {"type": "object", "properties": {"tier": {"type": "integer", "minimum": 3, "maximum": 1}}}
    found = only(schema)
    assert not found.whole and found.path == ("properties", "tier", "minimum")
    assert found.effect.startswith("property 'tier' can never be present") and "almost always a typo" in found.effect


def test_a_contradiction_in_a_required_property_reaches_the_root() -> None:
    schema = {"type": "object", "required": ["tier"],
              "properties": {"tier": {"type": "integer", "minimum": 3, "maximum": 1}}}
    assert only(schema).whole and accepts_nothing(schema, {"tier": 2}, {"tier": 3}, {})


def test_one_dead_anyof_branch_drops_it_all_dead_branches_sink_the_schema() -> None:
    dead = {"type": "string", "minLength": 3, "maxLength": 1}
    found = only({"anyOf": [dead, {"type": "null"}]})
    assert not found.whole and found.effect == "this anyOf branch never matches"
    found_all = unsatisfiable({"oneOf": [dead, {"enum": []}]})
    assert [f.path for f in found_all] == [("oneOf", 0, "minLength"), ("oneOf", 1, "enum")]
    assert all(f.whole for f in found_all)


def test_through_a_ref_and_allof_and_items() -> None:
    schema = {"$defs": {"code": {"type": "string", "enum": [1]}}, "type": "object", "required": ["c"],
              "properties": {"c": {"allOf": [{"$ref": "#/$defs/code"}]}}}
    found = only(schema)
    assert found.whole and found.path == ("$defs", "code", "type")
    array = {"type": "array", "minItems": 1, "items": {"enum": []}}
    assert only(array).whole
    assert only({"type": "array", "items": {"enum": []}}).effect == "the array can hold no item here"
    unused = only({"$defs": {"x": {"enum": []}}, "type": "object"})
    assert not unused.whole and unused.effect == "no value satisfies the definition 'x'"


def test_draft4_boolean_exclusive_bounds() -> None:
    assert only({"type": "number", "minimum": 1, "maximum": 1, "exclusiveMaximum": True}).whole
    assert unsatisfiable({"type": "number", "minimum": 1, "maximum": 1, "exclusiveMaximum": False}) == []


def test_a_pattern_the_engine_refuses_is_taken_to_match() -> None:
    schema = {"type": "object", "additionalProperties": False, "required": ["aa"],
              "patternProperties": {"(a)\\1": {}}}
    assert unsatisfiable(schema) == []


def test_many_required_names_and_a_long_allof_chain_stay_bounded() -> None:
    names = [f"n{i}" for i in range(50_000)]
    closed = {"type": "object", "additionalProperties": False, "required": names,
              "patternProperties": {f"^p{i}$": {} for i in range(50)}}
    found = only(closed)
    assert found.path == ("required", 0)
    assert found.reason.startswith("required properties 'n0', 'n1', 'n2', 'n3', 'n4' and 995 more are not declared")
    assert MAX_NAMES == 1_000
    chain: dict[str, Any] = {"type": "string", "minLength": 2, "maxLength": 1}
    for _ in range(60):
        chain = {"allOf": [chain, {}]}
    assert only(chain).whole
    refs = {"$defs": {f"d{i}": {"$ref": f"#/$defs/d{i + 1}"} for i in range(5_000)}, "$ref": "#/$defs/d0"}
    refs["$defs"]["d5000"] = {"enum": []}
    assert [f.path for f in unsatisfiable(refs)] == [("$defs", "d5000", "enum")]  # past MAX_DEPTH: not the root


def test_long_names_are_cut_short_in_the_message() -> None:
    name = "x" * 10_000
    found = only({"type": "object", "additionalProperties": False, "required": [name]})
    assert len(found.message) < 200 and "xxx…'" in found.message


def test_an_array_that_must_hold_an_item_no_schema_accepts() -> None:
    found = only({"type": "array", "prefixItems": [{}], "items": False, "minItems": 2})
    assert found.whole and found.path == ("minItems",) and found.reason == "item 1 is required, and items is false"
    assert only({"type": "array", "contains": {"enum": []}}).whole
    assert unsatisfiable({"type": "array", "contains": {"enum": []}, "minContains": 0}) != [] and not any(
        f.whole for f in unsatisfiable({"type": "array", "contains": {"enum": []}, "minContains": 0}))


def test_references_are_not_followed_where_they_would_be_misread() -> None:
    dead = {"type": "string", "enum": [1]}
    nested_id = {"type": "object", "required": ["a"], "properties": {"a": {"$ref": "#/$defs/d"}},
                 "$defs": {"d": dead, "e": {"$id": "https://example.com/e", "type": "object"}}}
    assert not any(f.whole for f in unsatisfiable(nested_id))  # '#...' may be relative to the nested $id
    draft7 = {"$schema": "http://json-schema.org/draft-07/schema#", "$ref": "#/definitions/a",
              "minimum": 5, "maximum": 1, "type": "number", "definitions": {"a": {}}}
    assert unsatisfiable(draft7) == []  # before 2019-09, the keywords beside $ref are ignored
    assert unsatisfiable({"$dynamicRef": "#/$defs/d", "$defs": {"d": dead}})[0].whole is False


def test_pattern_tests_stop_at_the_budget_and_then_claim_no_contradiction() -> None:
    """1,000 required names against 1,000 patterns took 70 s (found by the issue 13 attack): past ``MAX_TESTS`` a
    name counts as matched; a name judged before the budget is still reported."""
    from bot.compat.satisfiable import MAX_TESTS

    keyed = {f"^q{i}[a-z]+$": {} for i in range(1_000)}
    schema = {"type": "object", "additionalProperties": False, "required": [f"n{i}" for i in range(1_000)],
              "patternProperties": keyed}
    [found] = unsatisfiable(schema)
    judged = MAX_TESTS // len(keyed)
    assert f"'n0', 'n1', 'n2', 'n3', 'n4' and {judged - 5:,} more" in found.message
