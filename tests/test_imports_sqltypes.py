"""``bot.imports.sqltypes``: a SQL column type as the JSON type of its values."""

from __future__ import annotations

import pytest

from bot.imports.sqltypes import json_schema_of


@pytest.mark.parametrize(("data_type", "schema"), [
    ("integer", {"type": "integer"}), ("VARCHAR(10)", {"type": "string"}), ("numeric(10, 2)", {"type": "number"}),
    ("date", {"type": "string", "format": "date"}), ("integer[]", {"type": "array"}), ("jsonb", {}),
    ("bit", {"type": "boolean"}), ("BIT(1)", {"type": "boolean"}), ("bit ( 1 )", {"type": "boolean"}),
])
def test_a_known_type_maps_to_its_json_type(data_type, schema):
    assert json_schema_of(data_type) == schema


@pytest.mark.parametrize("data_type", ["bit(8)", "bit(64)", "bit varying(5)", "geometry"])
def test_a_bit_string_or_an_unknown_type_is_left_open(data_type):
    """postgres' bit(8) is a string of 8 bits, MySQL's an 8-bit number: no one JSON type (the importer notices)."""
    assert json_schema_of(data_type) is None
