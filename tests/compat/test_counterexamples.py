"""bot.compat.counterexamples: instances that show a breaking change, none for a compatible one, bounded work.

Every counterexample found here is checked again with a validator built directly (jsonschema-rs, formats asserted):
valid under the writer's schema and invalid under the reader's.
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import pytest

from bot.compat import compare
from bot.compat.counterexamples import MAX_CANDIDATES, MAX_INSTANCE_CHARS, Counterexample, candidates, explain

D4 = "http://json-schema.org/draft-04/schema#"
D7 = "http://json-schema.org/draft-07/schema#"


def valid(schema: Any, instance: Any) -> bool:
    return bool(jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(instance))


def obj(properties: dict[str, Any], required: tuple[str, ...] = (), **more: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required), **more}


# (name, old, new, the counterexample expected in the backward direction; ... when any will do)
BREAKING: list[tuple[str, Any, Any, Any]] = [
    ("maximum decreased", {"type": "number", "maximum": 2}, {"type": "number", "maximum": 1}, 2),
    ("minimum increased", {"type": "integer", "minimum": 0}, {"type": "integer", "minimum": 1}, 0),
    ("minimum added", {"type": "integer"}, {"type": "integer", "minimum": 5}, 0),
    ("maximum added", {"type": "integer", "minimum": 0}, {"type": "integer", "minimum": 0, "maximum": 50}, ...),
    ("exclusive bound tightened by a fraction", {"type": "number", "minimum": 1},
     {"type": "number", "exclusiveMinimum": 1}, 1),
    ("inclusive to exclusive, draft-04", {"$schema": D4, "type": "number", "maximum": 10},
     {"$schema": D4, "type": "number", "maximum": 10, "exclusiveMaximum": True}, 10),
    ("multipleOf added", {"type": "integer", "minimum": 1}, {"type": "integer", "minimum": 1, "multipleOf": 2}, 1),
    ("multipleOf changed", {"type": "number", "multipleOf": 0.5}, {"type": "number", "multipleOf": 1}, ...),
    ("enum narrowed", {"enum": ["low", "medium", "high"]}, {"enum": ["low", "high"]}, "medium"),
    ("const changed", {"const": "v1"}, {"const": "v2"}, "v1"),
    ("type narrowed", {"type": ["string", "null"]}, {"type": "string"}, None),
    ("type changed", {"type": "integer"}, {"type": "string"}, 0),
    ("integer from number", {"type": "number"}, {"type": "integer"}, ...),
    ("maxLength decreased", {"type": "string", "maxLength": 10}, {"type": "string", "maxLength": 5}, "a" * 10),
    ("minLength increased", {"type": "string", "minLength": 1}, {"type": "string", "minLength": 3}, "a"),
    ("format added", {"type": "string"}, {"type": "string", "format": "date"}, ...),
    ("date-time to date", {"type": "string", "format": "date-time"}, {"type": "string", "format": "date"},
     "2024-01-31T12:00:00Z"),
    ("email to uuid", {"type": "string", "format": "email"}, {"type": "string", "format": "uuid"}, "user@example.com"),
    ("ipv4 to ipv6", {"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"}, "192.0.2.1"),
    ("uuid to date", {"type": "string", "format": "uuid"}, {"type": "string", "format": "date"},
     "123e4567-e89b-12d3-a456-426614174000"),
    ("pattern added", {"type": "string"}, {"type": "string", "pattern": "^[0-9]+$"}, ...),
    ("literal pattern changed", {"type": "string", "pattern": "^v1$"}, {"type": "string", "pattern": "^v2$"}, "v1"),
    ("pattern narrowed", {"type": "string", "pattern": "^R[0-9]{3}$"}, {"type": "string", "pattern": "^R[0-9]{2}$"},
     "R000"),
    ("pattern alternative removed", {"type": "string", "pattern": "^(eur|usd)-\\d+$"},
     {"type": "string", "pattern": "^usd-\\d+$"}, "eur-0"),
    ("required added (declared)", obj({"id": {"type": "string"}, "city": {"type": "string"}}, ("id",)),
     obj({"id": {"type": "string"}, "city": {"type": "string"}}, ("id", "city")), {"id": ""}),
    ("required added (undeclared)", obj({"id": {"type": "string"}}, ("id",)),
     obj({"id": {"type": "string"}}, ("id", "city")), {"id": ""}),
    ("closed content model", {"type": "object"}, {"type": "object", "additionalProperties": False}, ...),
    ("property removed from a closed model", obj({"a": {"type": "integer"}, "b": {"type": "integer"}},
                                                  additionalProperties=False),
     obj({"a": {"type": "integer"}}, additionalProperties=False), ...),
    ("property type changed", obj({"score": {"type": "number"}}, ("score",)),
     obj({"score": {"type": "integer"}}, ("score",)), ...),
    ("additionalProperties narrowed", {"type": "object", "additionalProperties": {"type": ["string", "integer"]}},
     {"type": "object", "additionalProperties": {"type": "string"}}, ...),
    ("patternProperties narrowed", {"type": "object", "patternProperties": {"^x$": {"type": "integer"}}},
     {"type": "object", "patternProperties": {"^x$": {"type": "string"}}}, {"x": 0}),
    ("patternProperties class narrowed", {"type": "object", "patternProperties": {"^f_[a-z]+$": {"type": "integer"}},
                                          "additionalProperties": False},
     {"type": "object", "patternProperties": {"^f_[a-z]+$": {"type": "string"}}}, {"f_a": 0}),
    ("nested maximum", obj({"a": obj({"b": {"type": "integer", "maximum": 9}}, ("b",))}, ("a",)),
     obj({"a": obj({"b": {"type": "integer", "maximum": 3}}, ("b",))}, ("a",)), ...),
    ("maxItems added", {"type": "array", "items": {"type": "integer"}},
     {"type": "array", "items": {"type": "integer"}, "maxItems": 2}, ...),
    ("minItems increased", {"type": "array", "minItems": 1}, {"type": "array", "minItems": 2}, ...),
    ("items narrowed", {"type": "array", "items": {"type": ["integer", "string"]}},
     {"type": "array", "items": {"type": "integer"}}, ...),
    ("uniqueItems added", {"type": "array", "items": {"type": "integer"}},
     {"type": "array", "items": {"type": "integer"}, "uniqueItems": True}, ...),
    ("prefixItems position narrowed", {"type": "array", "prefixItems": [{"type": "string"}, {"enum": [1, 2]}]},
     {"type": "array", "prefixItems": [{"type": "string"}, {"enum": [1]}]}, ...),
    ("draft-07 tuple closed", {"$schema": D7, "type": "array", "items": [{"type": "string"}]},
     {"$schema": D7, "type": "array", "items": [{"type": "string"}], "additionalItems": False}, ...),
    ("anyOf branch removed", {"anyOf": [{"type": "string"}, {"type": "integer"}]}, {"type": "string"}, 0),
    ("oneOf branch removed", {"oneOf": [{"type": "string", "maxLength": 3}, {"type": "null"}]},
     {"oneOf": [{"type": "string", "maxLength": 3}]}, None),
    ("allOf to anyOf narrowed", {"allOf": [{"type": "integer"}, {"minimum": 0}]},
     {"allOf": [{"type": "integer"}, {"minimum": 1}]}, 0),
    ("through a local $ref", obj({"a": {"$ref": "#/$defs/x"}}, ("a",), **{"$defs": {"x": {"type": "integer",
                                                                                           "minimum": 3}}}),
     obj({"a": {"type": "integer", "minimum": 4}}, ("a",)), {"a": 3}),
    ("if/then removed", {"type": "object", "if": {"required": ["a"]}, "then": {"required": ["b"]}},
     {"type": "object", "required": ["b"]}, ...),
    ("property added to an open model", obj({"id": {"type": "string"}}),
     obj({"id": {"type": "string"}, "x": {"type": "integer"}}), {"x": None}),
    ("everything to nothing", True, False, ...),
]


@pytest.mark.parametrize(("old", "new", "expected"), [case[1:] for case in BREAKING],
                         ids=[case[0] for case in BREAKING])
def test_a_breaking_change_gets_a_counterexample(old: Any, new: Any, expected: Any) -> None:
    search = explain(old, new)
    assert search.found is not None, search
    instance = search.found.instance
    assert search.found.direction == "backward"
    assert valid(old, instance) and not valid(new, instance)
    if expected is not ...:
        assert instance == expected
    assert 1 <= search.tried <= MAX_CANDIDATES


@pytest.mark.parametrize(("old", "new", "expected"), [case[1:] for case in BREAKING],
                         ids=[case[0] for case in BREAKING])
def test_forward_swaps_writer_and_reader(old: Any, new: Any, expected: Any) -> None:
    search = explain(new, old, "forward")
    assert search.found is not None
    assert search.found.direction == "forward"
    assert valid(old, search.found.instance) and not valid(new, search.found.instance)


def test_full_looks_backward_then_forward() -> None:
    narrow, wide = {"type": "integer", "maximum": 1}, {"type": "integer", "maximum": 5}
    assert explain(narrow, wide, "full").found == Counterexample("forward", 5)
    assert explain(wide, narrow, "full").found == Counterexample("backward", 5)
    assert explain(narrow, narrow, "full").found is None


# Pairs the engine proves compatible (backward): no instance of the old schema is rejected by the new one.
COMPATIBLE: list[tuple[str, Any, Any]] = [
    ("maximum increased", {"type": "number", "maximum": 1}, {"type": "number", "maximum": 2}),
    ("minimum removed", {"type": "integer", "minimum": 3}, {"type": "integer"}),
    ("enum widened", {"enum": ["low", "high"]}, {"enum": ["low", "medium", "high"]}),
    ("integer to number", {"type": "integer"}, {"type": "number"}),
    ("type widened", {"type": "string"}, {"type": ["string", "null"]}),
    ("maxLength increased", {"type": "string", "maxLength": 5}, {"type": "string", "maxLength": 10}),
    ("required removed", obj({"id": {"type": "string"}, "b": {"type": "string"}}, ("id", "b")),
     obj({"id": {"type": "string"}, "b": {"type": "string"}}, ("id",))),
    ("closed model opened", obj({"a": {"type": "integer"}}, additionalProperties=False),
     obj({"a": {"type": "integer"}})),
    ("anyOf branch added", {"anyOf": [{"type": "string"}]}, {"anyOf": [{"type": "string"}, {"type": "integer"}]}),
    ("maxItems removed", {"type": "array", "maxItems": 2}, {"type": "array"}),
    ("items widened", {"type": "array", "items": {"type": "integer"}}, {"type": "array", "items": {"type": "number"}}),
    ("through a $ref, same meaning", obj({"a": {"$ref": "#/$defs/x"}}, **{"$defs": {"x": {"type": "integer"}}}),
     obj({"a": {"type": "integer"}})),
    ("nothing changed", obj({"a": {"type": "string", "format": "date"}}, ("a",)),
     obj({"a": {"type": "string", "format": "date"}}, ("a",))),
]


@pytest.mark.parametrize(("old", "new"), [case[1:] for case in COMPATIBLE], ids=[case[0] for case in COMPATIBLE])
def test_no_counterexample_for_a_compatible_change(old: Any, new: Any) -> None:
    assert compare(old, new).compatible
    assert explain(old, new).found is None


def test_a_semantically_compatible_change_the_engine_refuses_gets_none() -> None:
    """x > 10 implies x >= 10: whatever the verdict, no instance shows a break."""
    search = explain({"type": "number", "exclusiveMinimum": 10}, {"type": "number", "minimum": 10})
    assert search.found is None and search.tried > 0


def test_formats_are_annotations_when_asked() -> None:
    old, new = {"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}
    assert explain(old, new, formats=True).found is not None
    assert explain(old, new, formats=False).found is None


def test_boundary_values_come_first() -> None:
    first = list(candidates({"type": "integer", "minimum": 3, "maximum": 9}, limit=6))
    assert first[:6] == [3, 4, 2, 5, 1, 9]
    strings = list(candidates({"type": "string", "minLength": 2, "maxLength": 4, "format": "date"}, limit=5))
    assert strings == ["2024-01-31", "aa", "aaaa", "aaa", "aaaaa"]
    objects = list(candidates(obj({"a": {"type": "integer"}, "b": {"type": "string"}}, ("a",)), limit=5))
    # the required only, all, each optional one beside the required, each required one missing, then one varied
    assert objects == [{"a": 0}, {"a": 0, "b": ""}, {"a": 0, "b": ""}, {"b": ""}, {"a": 1}]


@pytest.mark.parametrize(("pattern", "first"), [
    ("^R[0-9]{3}$", ["R000"]), ("^(foo|bar)-\\d+$", ["foo-0", "foo-00"]), ("^[^a-z]+$", ["A", "AA"]),
    ("^[a-zA-Z_][a-zA-Z0-9_]*$", ["a", "aa"]), ("^\\w+@\\w+\\.com$", ["a@a.com", "aa@aa.com"]),
    ("(?=a)b", []), ("^\\p{L}$", []), ("^(a)\\1$", []), ("a{99999999}", []), ("((((", []), ("[", []),
])
def test_pattern_examples_are_written_from_the_pattern_text(pattern: str, first: list[str]) -> None:
    """The fewest repetitions (then one more) of the first alternative; what it does not read gives no example."""
    written = list(candidates({"type": "string", "pattern": pattern}, limit=len(first) + 1))
    assert written[:len(first)] == first
    assert written[len(first)] == ""  # then the lengths, from 0


def test_the_reader_bounds_are_tried() -> None:
    """The writer says nothing of 41; the reader's bound does, so 41 is tried."""
    search = explain({"type": "integer"}, {"type": "integer", "maximum": 40})
    assert search.found is not None and search.found.instance > 40


def test_the_names_the_reader_requires_are_tried_even_inside_a_condition() -> None:
    """The writer declares nothing; the reader requires ``b`` whenever ``a`` is present (if/then)."""
    reader = {"type": "object", "if": {"required": ["a"]}, "then": {"required": ["b"]}}
    search = explain({"type": "object"}, reader)
    assert search.found is not None and "a" in search.found.instance and "b" not in search.found.instance
    assert not jsonschema_rs.validator_for(reader).is_valid(search.found.instance)


def test_deterministic() -> None:
    old, new = BREAKING[-6][1], BREAKING[-6][2]
    assert explain(old, new) == explain(old, new)
    assert list(candidates(old, limit=300)) == list(candidates(old, limit=300))


def _deep(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"}
    for _ in range(levels):
        schema = obj({"a": schema}, ("a",))
    return schema


HOSTILE: list[tuple[str, Any]] = [
    ("a $ref cycle", {"$defs": {"n": obj({"l": {"$ref": "#/$defs/n"}, "r": {"$ref": "#/$defs/n"},
                                          "v": {"type": "integer"}}, ("v", "l"))}, "$ref": "#/$defs/n"}),
    ("a $ref to itself", {"$ref": "#"}),
    ("an allOf cycle", {"$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}},
                        "$ref": "#/$defs/a"}),
    ("a dangling $ref", {"$ref": "#/$defs/missing"}),
    ("deep nesting", _deep(150)),
    ("deeper than compare() accepts", _deep(3000)),
    ("a huge enum", {"enum": list(range(100_000))}),
    ("many wide properties", obj({f"p{i}": obj({f"q{j}": {"type": "integer", "minimum": j} for j in range(50)})
                                  for i in range(200)}, tuple(f"p{i}" for i in range(200)))),
    ("an unreachable length", {"type": "string", "minLength": 10 ** 9}),
    ("an array too long to write", {"type": "array", "minItems": 10 ** 6}),
    ("huge numbers", {"type": "number", "minimum": 1e308, "maximum": 1.7e308, "multipleOf": 1e-300}),
    ("huge integers", {"type": "integer", "minimum": 10 ** 30, "multipleOf": 7}),
    ("a backreference", {"type": "string", "pattern": "^(a)\\1$"}),
    ("catastrophic backtracking for re", {"type": "string", "pattern": "^(a|a)*$"}),
    ("too many patterns", {"anyOf": [{"type": "string", "pattern": f"^{i}$"} for i in range(150)]}),
    ("nothing validates", False),
    ("a non-schema", [1, 2]),
]


@pytest.mark.parametrize("schema", [case[1] for case in HOSTILE], ids=[case[0] for case in HOSTILE])
def test_hostile_schemas_are_bounded_and_never_raise(schema: Any) -> None:
    for old, new in ((schema, True), (schema, {"not": {}}), (True, schema)):
        search = explain(old, new, "full")
        assert search.tried <= 2 * MAX_CANDIDATES
        if search.found is not None:
            assert len(str(search.found.instance)) <= MAX_INSTANCE_CHARS * 2
    assert sum(1 for _ in candidates(schema)) <= MAX_CANDIDATES


def test_schema_patterns_never_reach_python_re(monkeypatch: pytest.MonkeyPatch) -> None:
    evil = "^(a|a)*$"
    compile_ = re._compile  # type: ignore[attr-defined]

    def guarded(pattern: Any, flags: Any) -> Any:
        assert pattern != evil, "a schema pattern reached Python's re"
        return compile_(pattern, flags)

    monkeypatch.setattr(re, "_compile", guarded)
    found = explain({"type": "string", "pattern": evil}, {"type": "string", "maxLength": 0}).found
    assert found is not None and found.instance == "a"
