"""The compiled validator: same verdict as jsonschema, errors as (JSON pointer, reason), never a fetch."""

from __future__ import annotations

import datetime as dt

import jsonschema
import pytest

from bot.compat.refs import fragment
from bot.verify.validate import Problem, RecordValidator, SchemaCompileError

SCHEMA = {
    "$defs": {"code": {"type": "string", "pattern": "^R[0-9]+$"}},
    "type": "object",
    "properties": {
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "codes": {"type": "array", "items": {"$ref": "#/$defs/code"}},
        "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
        "a/b": {"type": "integer"},
        "email": {"type": "string", "format": "email"},
    },
    "required": ["score"],
    "additionalProperties": False,
}
RECORDS = [
    {"score": 0.5}, {"score": 1.7}, {"score": True}, {"score": 1}, {"score": 0.5, "codes": ["R1", "X"]},
    {"score": 0.5, "pair": ["a", "b"]}, {"score": 0.5, "pair": ["a", 1, None]}, {"score": 0.5, "a/b": 1.0},
    {"score": 0.5, "a/b": 1.5}, {"score": 0.5, "email": "not an email"}, {}, [], None, "x", {"score": None},
]


def test_agrees_with_jsonschema_on_every_record():
    fast, reference = RecordValidator(SCHEMA), jsonschema.Draft202012Validator(SCHEMA)
    for record in RECORDS:
        assert fast.is_valid(record) == reference.is_valid(record), record
        paths = sorted(p.path for p in fast.problems(record))
        assert paths == sorted(fragment(list(e.absolute_path)) for e in reference.iter_errors(record)), record


def test_problems_name_the_pointer_and_the_reason():
    validator = RecordValidator(SCHEMA)
    assert validator.problems({"score": 1.7}) == [Problem("#/score", "1.7 is greater than the maximum of 1")]
    assert sorted(p.path for p in validator.problems({"score": 0.5, "a/b": "x", "codes": ["R1", 2]})) == [
        "#/a~1b", "#/codes/1"]


def test_values_json_cannot_hold_are_invalid_not_crashes():
    validator = RecordValidator(SCHEMA)
    assert validator.is_valid({"score": dt.date(2026, 1, 1)}) is False
    [problem] = validator.problems({"score": b"x"})
    assert problem.path == "#" and problem.reason.startswith("not a JSON value")


def test_remote_references_are_never_fetched():
    with pytest.raises(SchemaCompileError, match=r"cannot be compiled.*Retrieval is disabled"):
        RecordValidator({"$ref": "https://example.com/schema.json"})
    with pytest.raises(SchemaCompileError, match="cannot be compiled"):
        RecordValidator({"type": "nope"})


def test_boolean_schemas():
    assert RecordValidator(True).is_valid({"anything": 1})
    assert not RecordValidator(False).is_valid({})


def test_pointer_escapes():
    assert fragment([]) == "#"
    assert fragment(["a~b", "c/d", 0]) == "#/a~0b/c~1d/0"
