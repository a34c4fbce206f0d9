"""Numeric keywords with values that are no numbers (invalid schemas, MG008 elsewhere) never break the diff."""

import pytest

from bot.compat import compare


@pytest.mark.parametrize(("old", "new"), [
    ({"maxLength": False}, {"maxLength": "string"}),
    ({"minimum": "a"}, {"minimum": [1]}),
    ({"maxItems": None}, {"maxItems": True}),
])
def test_a_bound_that_is_no_number_reads_as_absent(old, new):
    assert [c.type for c in compare(old, new).changes] == []


def test_a_multiple_of_that_is_zero_or_negative_reads_as_absent():
    result = compare({"type": "number", "multipleOf": 0}, {"type": "number", "multipleOf": 2})
    assert [(c.type, c.path, c.compatible) for c in result.changes] == [("MULTIPLE_OF_ADDED", "#/multipleOf", False)]
    assert compare({"type": "number", "multipleOf": -1}, {"type": "number"}).changes == []


def test_numbers_still_compare():
    assert [c.type for c in compare({"maxLength": 3}, {"maxLength": 5}).changes] == ["MAX_LENGTH_INCREASED"]


def test_a_schema_nested_too_deeply_is_refused_with_a_clear_error_not_a_recursion_error():
    deep: dict = {"type": "object"}
    for _ in range(400):
        deep = {"type": "object", "properties": {"a": deep}}
    with pytest.raises(ValueError, match="nested deeper than 200 levels"):
        compare(deep, {"type": "object"})
    shallow = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert compare(shallow, shallow).changes == []
