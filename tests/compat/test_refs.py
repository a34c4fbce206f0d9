"""``bot.compat.refs.walk_schemas``: the one JSON Schema walker (lint's $ref check uses it too)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.compat.refs import escape, nonlocal_refs, pointer_segments, unescape, walk_schemas

# Every applicator keyword of JSON Schema 2020-12 (and 2019-09), draft-07's, and $defs, with a subschema under it.
ONE = ["additionalItems", "additionalProperties", "contains", "if", "then", "else", "not", "propertyNames",
       "unevaluatedItems", "unevaluatedProperties", "contentSchema", "items"]
LIST = ["allOf", "anyOf", "oneOf", "prefixItems", "items"]
MAP = ["properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "dependencies"]
LEAF = {"$ref": "other.json"}


def every_applicator() -> list[tuple[dict[str, Any], tuple[str | int, ...]]]:
    """(a schema with LEAF under one keyword, the path of LEAF) for each applicator keyword and shape."""
    return ([({k: LEAF}, (k,)) for k in ONE] + [({k: [True, LEAF]}, (k, 1)) for k in LIST]
            + [({k: {"a/b": LEAF}}, (k, "a/b")) for k in MAP])


@pytest.mark.parametrize(("schema", "path"), every_applicator())
def test_every_applicator_keyword_is_walked(schema: dict[str, Any], path: tuple[str | int, ...]) -> None:
    assert list(walk_schemas(schema)) == [((), schema), (path, LEAF)]


def test_data_keywords_are_not_walked() -> None:
    schema = {"enum": [LEAF], "const": LEAF, "default": LEAF, "examples": [LEAF], "x-vendor": LEAF}
    assert list(walk_schemas(schema)) == [((), schema)]


def test_a_list_items_index_is_an_int_and_a_pointer_a_string() -> None:
    schema = {"allOf": [{"properties": {"a": LEAF}}, LEAF]}
    assert [path for path, _ in walk_schemas(schema)] == [(), ("allOf", 0), ("allOf", 0, "properties", "a"),
                                                          ("allOf", 1)]
    assert nonlocal_refs(schema) == ["#/allOf/0/properties/a/$ref", "#/allOf/1/$ref"]


def test_a_long_chain_of_refs_is_refused_a_cycle_of_them_asserts_nothing() -> None:
    from bot.compat import compare

    chain = {f"d{i}": {"$ref": f"#/$defs/d{i + 1}"} for i in range(70)}
    chain["d70"] = {"enum": []}
    old = {"type": "object", "properties": {"p": {"type": "object"}}}
    new = {"type": "object", "properties": {"p": {"$ref": "#/$defs/d0"}}, "$defs": chain}
    result = compare(old, new)
    assert not result.compatible and result.refused == "too complex to compare: a chain of more than 64 $ref"
    short = {**new, "$defs": {**chain, "d0": {"$ref": "#/$defs/d70"}}}
    assert [c.type for c in compare(old, short).changes] == ["TYPE_CHANGED"]
    cycle = {**new, "$defs": {"d0": {"$ref": "#/$defs/d1"}, "d1": {"$ref": "#/$defs/d0"}}}
    assert compare(old, cycle).compatible  # a cycle of $ref is the empty schema: anything is valid


@pytest.mark.parametrize("segments", [[], ["a"], ["a/b", "~c", "~1"], ["", "x"], ["properties", "0"]])
def test_pointer_segments_decode_what_escape_encodes(segments):
    path = "#" + "".join("/" + escape(s) for s in segments)
    assert pointer_segments(path) == segments
    assert pointer_segments(path.removeprefix("#")) == segments
    assert [unescape(escape(s)) for s in segments] == segments
