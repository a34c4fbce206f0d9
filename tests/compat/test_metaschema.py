"""``bot.compat.metaschema``: validity under the metaschema a schema names (2020-12, or draft-07, by default), and
a message that names what is wrong where the metaschema allows a keyword several shapes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.compat.metaschema import metaschema_error

TYPES = "['array', 'boolean', 'integer', 'null', 'number', 'object', 'string']"


@pytest.mark.parametrize("schema", [
    True, False, {}, {"type": "object"}, {"type": ["string", "null"]},
    {"$schema": "http://json-schema.org/draft-07/schema#", "items": [{}], "additionalItems": False},
    {"$schema": "http://json-schema.org/draft-04/schema#", "minimum": 0, "exclusiveMinimum": True},
    {"items": [{}]},  # draft-07's tuple form: accepted without a $schema too
])
def test_valid_schemas(schema: Any) -> None:
    assert metaschema_error(schema) is None


@pytest.mark.parametrize(("schema", "path", "message"), [
    ({"type": "objekt"}, ["type"], f"'objekt' is not one of {TYPES}"),
    ({"type": ["string", "nope"]}, ["type", 1], f"'nope' is not one of {TYPES}"),
    ({"properties": {"a": {"type": 7}}}, ["properties", "a", "type"], f"7 is not one of {TYPES}"),
    ({"minimum": "zero"}, ["minimum"], "'zero' is not of type 'number'"),
    ({"type": "number", "exclusiveMinimum": True}, ["exclusiveMinimum"], "True is not of type 'number'"),
    ([1], [], "[1] is not an object or a boolean"),
])
def test_invalid_schemas_say_what_and_where(schema: Any, path: list[Any], message: str) -> None:
    error = metaschema_error(schema)
    assert error is not None and (list(error.path), error.message) == (path, message)
