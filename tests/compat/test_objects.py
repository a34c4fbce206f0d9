"""Object schemas (``bot.compat.objects``): ``required`` of a name the schema never declared in ``properties``.

Requiring a name is a constraint whether or not ``properties`` describes it: old data without it is rejected.
Each verdict is checked with a real validator."""

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
