"""Object schemas (``bot.compat.objects``): ``required`` of a name the schema never declared in ``properties``, or
declared with the empty schema; ``patternProperties`` over a declared property.

Requiring a name is a constraint whether or not ``properties`` describes it, and whatever its schema: old data
without it is rejected. A declared property is governed by every matching pattern too. Each verdict is checked
with a real validator."""

from __future__ import annotations

from typing import Any

import pytest

from bot.compat import compare
from tests.compat.witness import counterexample, none_breaks

PLAIN = {"type": "object", "properties": {"street": {"type": "string"}}}
REQUIRES_CITY = {**PLAIN, "required": ["city"]}
SAMPLE = ({"street": "x"}, {"street": "x", "city": "y"}, {}, {"city": 1})


def found(old: Any, new: Any) -> list[tuple[str, str, bool]]:
    return [(c.type, c.path, c.compatible) for c in compare(old, new).changes]


def test_requiring_a_name_neither_schema_declares_breaks_backward() -> None:
    assert found(PLAIN, REQUIRES_CITY) == [("REQUIRED_ATTRIBUTE_ADDED", "#/required/city", False)]
    assert counterexample(PLAIN, REQUIRES_CITY, {"street": "x"})


def test_dropping_the_requirement_is_the_compatible_direction() -> None:
    assert found(REQUIRES_CITY, PLAIN) == [("REQUIRED_ATTRIBUTE_REMOVED", "#/required/city", True)]
    assert none_breaks(REQUIRES_CITY, PLAIN, *SAMPLE)


def test_forward_and_full_see_the_added_requirement_the_other_way() -> None:
    assert not compare(REQUIRES_CITY, PLAIN, "forward").compatible
    assert not compare(PLAIN, REQUIRES_CITY, "full").compatible
    assert compare(REQUIRES_CITY, PLAIN, "backward").compatible


@pytest.mark.parametrize("content", [{"additionalProperties": False}, {"additionalProperties": {"type": "string"}},
                                     {"patternProperties": {"^c": {"type": "string"}}}])
def test_whatever_the_content_model_a_new_requirement_breaks(content: dict[str, Any]) -> None:
    old, new = {**PLAIN, **content}, {**PLAIN, **content, "required": ["city"]}
    result = compare(old, new)
    assert not result.compatible
    assert ("REQUIRED_ATTRIBUTE_ADDED", "#/required/city", False) in found(old, new)
    assert counterexample(old, new, {"street": "x"})


def test_a_name_declared_by_the_update_is_reported_with_the_property_as_before() -> None:
    new = {"type": "object", "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
           "required": ["city"]}
    assert found(PLAIN, new) == [("REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/city", False)]
    assert counterexample(PLAIN, new, {"street": "x"})


def test_an_undeclared_name_required_on_both_sides_is_no_difference() -> None:
    assert found(REQUIRES_CITY, {**REQUIRES_CITY}) == []
    assert found(REQUIRES_CITY, {**PLAIN, "required": ["city"], "description": "d"}) == [
        ("DESCRIPTION_CHANGED", "#/", True)]


# A property whose schema is ``{}`` admits any value, but requiring it rejects an object without it: the
# requirement is the narrowing, whatever the property's schema.
OPEN = {"required": []}
REQUIRES_EMPTY = {"properties": {"v": {}}, "required": ["v"]}


def test_a_required_property_of_the_empty_schema_breaks_backward() -> None:
    assert counterexample(OPEN, REQUIRES_EMPTY, {})
    assert found(OPEN, REQUIRES_EMPTY) == [
        ("PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/v", True),
        ("REQUIRED_ATTRIBUTE_ADDED", "#/required/v", False)]
    assert not compare(REQUIRES_EMPTY, OPEN, "forward").compatible


def test_dropping_a_required_property_of_the_empty_schema_is_compatible() -> None:
    assert none_breaks(REQUIRES_EMPTY, OPEN, {"v": 1}, {"v": None, "w": "x"}, {})
    assert compare(REQUIRES_EMPTY, OPEN).compatible
    assert compare(OPEN, REQUIRES_EMPTY, "forward").compatible


def test_an_optional_property_of_the_empty_schema_is_still_compatible() -> None:
    new = {"properties": {"v": {}}}
    assert none_breaks(OPEN, new, {}, {"v": 1}, {"w": "x"})
    assert found(OPEN, new) == [("PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/v", True)]


# patternProperties apply to a declared property as well as its ``properties`` schema.
def point(prop: Any, **rest: Any) -> dict[str, Any]:
    return {"type": "object", "properties": {"y_v2": prop}, **rest}


NUMBER_Y = point({"type": "number"}, additionalProperties=False)
STRING_PATTERN = point({}, patternProperties={"^y_": {"type": "string"}})


def test_a_pattern_added_over_a_declared_property_is_compared_with_it() -> None:
    assert counterexample(NUMBER_Y, STRING_PATTERN, {"y_v2": 0})
    result = compare(NUMBER_Y, STRING_PATTERN)
    assert not result.compatible
    assert ("TYPE_CHANGED", "#/properties/y_v2", False) in found(NUMBER_Y, STRING_PATTERN)
    assert not compare(STRING_PATTERN, NUMBER_Y, "forward").compatible


CLOSED_Y = {"type": "object", "patternProperties": {"^y": {"type": "number"}}, "additionalProperties": False}


def with_pattern(pattern: str, schema: Any) -> dict[str, Any]:
    return {**CLOSED_Y, "patternProperties": {**CLOSED_Y["patternProperties"], pattern: schema}}


def test_a_pattern_added_over_an_original_pattern_must_admit_what_it_did() -> None:
    overlapping = with_pattern("^y_", {"type": "string"})
    assert counterexample(CLOSED_Y, overlapping, {"y_a": 0})
    assert ("TYPE_CHANGED", "#/patternProperties/^y_", False) in found(CLOSED_Y, overlapping)
    assert not compare(overlapping, CLOSED_Y, "forward").compatible


def test_a_pattern_added_beside_a_disjoint_one_or_admitting_it_is_compatible() -> None:
    disjoint = with_pattern("^x_", {"type": "string"})
    assert none_breaks(CLOSED_Y, disjoint, {"y_a": 0}, {"ya": 1.5}, {})
    assert compare(CLOSED_Y, disjoint).compatible
    wider = with_pattern("^y_", {"type": ["number", "string"]})
    assert none_breaks(CLOSED_Y, wider, {"y_a": 0}, {"y": 2}, {})
    assert compare(CLOSED_Y, wider).compatible


def test_a_pattern_added_that_admits_the_declared_property_is_compatible() -> None:
    old = point({"type": "number", "minimum": 0}, additionalProperties=False)
    new = point({}, patternProperties={"^y_": {"type": "number"}, "^z": {"type": "string"}})
    assert none_breaks(old, new, {"y_v2": 0}, {"y_v2": 2.5}, {})
    assert found(old, new) == [("ADDITIONAL_PROPERTIES_ADDED", "#/additionalProperties", True)]
    assert compare(new, old, "forward").compatible


def test_a_pattern_narrowed_over_a_declared_property_breaks_there() -> None:
    old = point({"type": "number"})
    new = point({"type": "number"}, patternProperties={"^y_": {"type": "number", "minimum": 0}})
    assert counterexample(old, new, {"y_v2": -1})
    assert ("MINIMUM_ADDED", "#/properties/y_v2/minimum", False) in found(old, new)


def test_a_pattern_both_sides_have_is_compared_pattern_to_pattern_only() -> None:
    """The original's pattern constrained its property too: the property's values met it already."""
    old = point({"type": "number"}, patternProperties={"^y_": {"type": "number", "minimum": 0}})
    new = {**old, "description": "d"}
    assert none_breaks(old, new, {"y_v2": 0}, {"y_x": 3}, {})
    assert found(old, new) == [("DESCRIPTION_CHANGED", "#/", True)]


def test_a_pattern_the_engine_cannot_evaluate_over_a_declared_property_is_refused() -> None:
    new = point({}, patternProperties={"^(a+)+\\1$": {"type": "string"}})
    result = compare(point({"type": "number"}), new)
    assert not result.compatible
    assert result.refused is not None and "backreference" in result.refused


def test_a_declared_property_removed_under_two_matching_patterns_is_judged_against_both() -> None:
    old = point({"type": "number"}, additionalProperties=False)
    new = {"type": "object", "patternProperties": {"^y": {"type": "number"}, "^y_": {"type": "string"}}}
    assert counterexample(old, new, {"y_v2": 0})
    assert not compare(old, new).compatible  # ^y covers it, ^y_ does not
    assert not compare(new, old, "forward").compatible
    admits = {"type": "object", "patternProperties": {"^y": {"type": "number"}, "^y_": {"minimum": 0}}}
    narrower = point({"type": "number", "minimum": 1}, additionalProperties=False)
    assert none_breaks(narrower, admits, {"y_v2": 1}, {"y_v2": 7.5}, {})
    assert compare(narrower, admits).compatible
