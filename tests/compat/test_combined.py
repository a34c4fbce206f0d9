"""Combinations related by meaning (``bot.compat.combined``): criteria paired across kinds, and a ``oneOf`` judged by
whether its parts can overlap. Each verdict is checked with a real validator: a counterexample for every
incompatible one, a sample of the writer's instances that the reader keeps for every compatible one."""

from __future__ import annotations

from typing import Any

import pytest

from bot.compat import compare
from tests.compat.witness import counterexample, none_breaks

A = {"properties": {"a": {"type": "integer"}}, "required": ["a"]}
B = {"properties": {"b": {"type": "integer"}}, "required": ["b"]}
ONLY_A, ONLY_B, BOTH, NEITHER = {"a": 1}, {"b": 1}, {"a": 1, "b": 2}, {"c": 3}
SAMPLE = (ONLY_A, ONLY_B, BOTH, NEITHER, {"a": "x", "b": 1}, {})


def typed(criterion: str, *parts: Any) -> dict[str, Any]:
    """An object schema combining ``parts`` beside a sibling ``type`` (the issue's shape)."""
    return {"type": "object", criterion: list(parts)}


def types(old: Any, new: Any) -> list[tuple[str, str]]:
    return [(c.type, c.path) for c in compare(old, new).changes]


@pytest.mark.parametrize("criterion", ["allOf", "oneOf"])
def test_to_anyof_beside_a_type_is_backward_compatible(criterion: str) -> None:
    old, new = typed(criterion, A, B), typed("anyOf", A, B)
    result = compare(old, new)
    assert result.compatible, result
    assert types(old, new) == [("COMBINED_TYPE_EXTENDED", "#/")]
    assert none_breaks(old, new, *SAMPLE)


def test_anyof_to_allof_rejects_an_instance_matching_one_part_only() -> None:
    old, new = typed("anyOf", A, B), typed("allOf", A, B)
    assert types(old, new) == [("COMBINED_TYPE_CHANGED", "#/")]
    assert not compare(old, new).compatible
    assert counterexample(old, new, ONLY_A)


def test_anyof_to_oneof_rejects_an_instance_matching_both() -> None:
    old, new = typed("anyOf", A, B), typed("oneOf", A, B)
    assert types(old, new) == [("COMBINED_TYPE_CHANGED", "#/")]
    assert counterexample(old, new, BOTH)


def test_allof_to_oneof_rejects_every_instance_it_had() -> None:
    """Confluent calls allOf -> oneOf an extension; each instance of allOf [A, B] matches both, so oneOf rejects it."""
    for old, new in ((typed("allOf", A, B), typed("oneOf", A, B)), ({"allOf": [A, B]}, {"oneOf": [A, B]})):
        assert types(old, new) == [("COMBINED_TYPE_CHANGED", "#/")]
        assert counterexample(old, new, BOTH)


def test_oneof_to_allof_rejects_an_instance_matching_one_part_only() -> None:
    old, new = typed("oneOf", A, B), typed("allOf", A, B)
    assert not compare(old, new).compatible
    assert counterexample(old, new, ONLY_B)


def test_without_a_sibling_type_the_criteria_relate_alike() -> None:
    assert compare({"allOf": [A, B]}, {"anyOf": [A, B]}).compatible
    assert compare({"oneOf": [A, B]}, {"anyOf": [A, B]}).compatible
    assert not compare({"anyOf": [A, B]}, {"allOf": [A, B]}).compatible
    assert none_breaks({"oneOf": [A, B]}, {"anyOf": [A, B]}, *SAMPLE)


def test_a_part_narrowed_on_the_way_to_anyof_is_not_passed() -> None:
    """oneOf -> anyOf beside a type with a part narrowed: {"a": 9} matched A alone and matches nothing now."""
    narrowed = {"properties": {"a": {"type": "integer", "maximum": 5}}, "required": ["a"]}
    old, new = typed("oneOf", A, B), typed("anyOf", narrowed, B)
    assert types(old, new) == [("COMBINED_TYPE_EXTENDED", "#/"), ("COMBINED_TYPE_SUBSCHEMAS_CHANGED", "#/")]
    assert counterexample(old, new, {"a": 9})


def test_allof_to_anyof_beside_other_combinations_pairs_the_one_left() -> None:
    old = {"type": "object", "allOf": [A, B], "oneOf": [{"required": ["x"]}, {"required": ["y"]}]}
    new = {"type": "object", "anyOf": [A, B], "oneOf": [{"required": ["x"]}, {"required": ["y"]}]}
    assert compare(old, new).compatible
    assert not compare(new, old).compatible
    assert counterexample(new, old, {"a": 1, "x": 1})


# --- a oneOf whose parts may overlap -----------------------------------------------------------------------

def test_into_a_oneof_of_disjoint_types_stays_compatible() -> None:
    old, new = {"anyOf": [{"type": "string"}]}, {"oneOf": [{"type": "number"}, {"type": "string"}]}
    assert compare(old, new).compatible
    assert none_breaks(old, new, "a", "", 1)


def test_into_a_oneof_of_overlapping_parts_is_not_compatible() -> None:
    """anyOf [A] -> oneOf [A, short strings]: "ab" matches both parts of the oneOf."""
    old = {"anyOf": [{"type": "string"}]}
    new = {"oneOf": [{"type": "string"}, {"type": "string", "maxLength": 3}]}
    assert types(old, new) == [("COMBINED_TYPE_CHANGED", "#/")]
    assert counterexample(old, new, "ab")


def test_a_schema_widened_into_an_overlapping_oneof_is_not_compatible() -> None:
    old, new = {"type": "string"}, {"oneOf": [{"type": "string"}, {"maxLength": 3}]}
    assert types(old, new) == [("COMBINED_TYPE_SUBSCHEMAS_CHANGED", "#/")]
    assert counterexample(old, new, "ab")
    # into a oneOf of disjoint types it stays Confluent's SUM_TYPE_EXTENDED
    widened = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    assert types(old, widened) == [("SUM_TYPE_EXTENDED", "#/")]
    assert none_breaks(old, widened, "ab", "")


def test_a_part_of_an_overlapping_oneof_widened_is_not_compatible() -> None:
    """oneOf [A, B] -> oneOf [A, B'] with B' wider: an instance of A alone may now match B' too."""
    old = {"oneOf": [{"type": "integer", "maximum": 0}, {"type": "integer", "minimum": 10}]}
    new = {"oneOf": [{"type": "integer", "maximum": 0}, {"type": "integer", "minimum": -10}]}
    assert types(old, new) == [("COMBINED_TYPE_SUBSCHEMAS_CHANGED", "#/")]
    assert counterexample(old, new, -5)


def test_a_discriminated_union_is_disjoint_and_its_parts_compare_as_usual() -> None:
    """oneOf of objects told apart by a required const: an optional property added to one part stays compatible."""
    def part(kind: str, *extra: str) -> dict[str, Any]:
        props: dict[str, Any] = {"kind": {"const": kind}, **{e: {"type": "string"} for e in extra}}
        return {"type": "object", "properties": props, "required": ["kind"], "additionalProperties": False}

    old = {"oneOf": [part("card"), part("bank")]}
    new = {"oneOf": [part("card", "note"), part("bank")]}
    assert compare(old, new).compatible
    assert none_breaks(old, new, {"kind": "card"}, {"kind": "bank"})
    enums = {"oneOf": [{"enum": ["a", "b"]}, {"enum": ["c"]}]}
    assert compare({"oneOf": [{"enum": ["a"]}, {"enum": ["c"]}]}, enums).compatible
    overlapping = {"oneOf": [{"enum": ["a", "b"]}, {"enum": ["b", "c"]}]}
    assert not compare({"oneOf": [{"enum": ["a"]}, {"enum": ["b", "c"]}]}, overlapping).compatible
    assert counterexample({"oneOf": [{"enum": ["a"]}, {"enum": ["b", "c"]}]}, overlapping, "b")


def test_an_overlapping_oneof_described_is_no_breaking_change_and_widened_is() -> None:
    """A description changes no instance's matches; a part widened makes 9 (the second part's alone) match both."""
    old = {"oneOf": [{"type": "integer", "maximum": 8}, {"type": "integer", "minimum": 5}]}
    described = {"oneOf": [{"type": "integer", "maximum": 8, "description": "low"}, {"type": "integer", "minimum": 5}]}
    assert [c.type for c in compare(old, described).changes] == ["DESCRIPTION_CHANGED"]
    assert compare(old, described).compatible
    widened = {"oneOf": [{"type": "integer", "maximum": 10}, {"type": "integer", "minimum": 5}]}
    assert [c.type for c in compare(old, widened).changes] == ["COMBINED_TYPE_SUBSCHEMAS_CHANGED"]
    assert counterexample(old, widened, 9)


def test_a_list_type_beside_the_combination_is_not_taken_for_it() -> None:
    """``type: [object, null]`` is a synthetic anyOf of its own; the author's allOf -> anyOf beside it still pairs."""
    old = {"type": ["object", "null"], "allOf": [A, B]}
    new = {"type": ["object", "null"], "anyOf": [A, B]}
    assert [c.type for c in compare(old, new).changes] == ["COMBINED_TYPE_EXTENDED"]
    assert none_breaks(old, new, None, BOTH, ONLY_A)
    assert not compare(new, old).compatible
    assert counterexample(new, old, ONLY_A)
    assert counterexample({"type": ["object", "null"], "anyOf": [A, B]}, {"type": "object", "anyOf": [A, B]}, None)


# --- a oneOf holding a part twice; keywords beside a list type and a combination -----------------------------

def test_a_oneof_holding_a_part_twice_rejects_every_instance_of_it() -> None:
    """``oneOf [{}, {}]``: every instance matches both parts, so it accepts none; the same part written twice is no
    duplicate to drop."""
    old, new = {"properties": {"at": {}}}, {"properties": {"at": {"oneOf": [{}, {}]}}}
    assert types(old, new) == [("COMBINED_TYPE_SUBSCHEMAS_CHANGED", "#/properties/at")]
    assert counterexample(old, new, {"at": "abc"})
    assert not compare(new, old, "forward").compatible  # forward: the reader holds the oneOf
    assert compare(new, old).compatible  # the oneOf's writer wrote no "at": any reader reads it
    assert none_breaks(new, old, {}, {"b": 1}, {"at": "abc"})
    # one part repeated in a oneOf that had it once, or in a oneOf of disjoint types
    assert types({"oneOf": [{}]}, {"oneOf": [{}, {}]}) == [("COMBINED_TYPE_SUBSCHEMAS_CHANGED", "#/")]
    assert counterexample({"oneOf": [{}]}, {"oneOf": [{}, {}]}, "abc")
    once = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    twice = {"oneOf": [{"type": "string"}, {"type": "string"}, {"type": "integer"}]}
    assert not compare(once, twice).compatible
    assert counterexample(once, twice, "abc")
    assert compare(twice, once).compatible  # the writer's strings were rejected: only its integers remain
    assert none_breaks(twice, once, 1, "abc")


def test_properties_beside_a_list_type_and_an_allof_are_compared() -> None:
    """``type: [object, number]`` beside ``allOf``: the list type's keywords (``properties``, ``minLength``) used to be
    left out of what the synthetic combination compared, so any change to them passed as no difference."""
    old = {"type": ["object", "number"], "allOf": [{}]}
    new = {**old, "properties": {"c_v2": {"anyOf": [{"type": "string"}]}}}
    assert types(old, new) == [("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/c_v2")]
    assert counterexample(old, new, {"c_v2": 1})
    assert not compare(new, old, "forward").compatible
    assert types(new, old) == [("PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", "#/properties/c_v2")]
    assert compare(new, old).compatible
    assert none_breaks(new, old, {"c_v2": "x"}, {}, 1)
    short = {"type": ["string", "number"], "allOf": [{}], "minLength": 2}
    long = {**short, "minLength": 3}
    assert types(short, long) == [("MIN_LENGTH_INCREASED", "#/minLength")]
    assert counterexample(short, long, "ab")
    assert compare(long, short).compatible
    assert none_breaks(long, short, "abc", 1)


def test_a_part_of_an_overlapping_oneof_widened_silently_is_not_compatible() -> None:
    """``{"maximum": 9}`` -> ``{}`` reports nothing (anything may become the empty schema); in a oneOf beside ``{}``
    it makes ``[10]``, which matched ``{}`` alone, match both parts."""
    old = {"oneOf": [{"items": {"maximum": 9}}, {}]}
    new = {"oneOf": [{"items": {}}, {}]}
    assert types(old, new) == [("COMBINED_TYPE_SUBSCHEMAS_CHANGED", "#/")]
    assert counterexample(old, new, [10])
    assert not compare(new, old, "forward").compatible
    # a part widened in a oneOf whose parts are disjoint (array, string) stays compatible
    apart = {"oneOf": [{"type": "array", "items": {"maximum": 9}}, {"type": "string"}]}
    narrower = {"oneOf": [{"type": "array", "items": {"maximum": 9}}, {"type": "string", "maxLength": 3}]}
    assert compare(narrower, apart).compatible
    assert none_breaks(narrower, apart, [1], "ab")


def _ladder(name: str, leaf: dict[str, Any], levels: int = 6, width: int = 12) -> dict[str, Any]:
    """``levels`` definitions, each an ``allOf`` of ``width`` references to the next: ``width ** levels`` paths
    through a few hundred bytes of schema, down to ``leaf``."""
    defs: dict[str, Any] = {f"{name}{i}": {"allOf": [{"$ref": f"#/$defs/{name}{i + 1}"}] * width}
                            for i in range(levels)}
    return {**defs, f"{name}{levels}": leaf}


def test_the_oneof_overlap_check_looks_at_each_referenced_part_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A oneOf of two reference ladders: the check of its parts' types follows each definition once per depth, not
    each of the 12^6 paths (before: ~3 million dereferences; a ladder of 10 levels ran for minutes)."""
    from bot.compat import combined

    followed = []

    def counting(node: Any) -> Any:
        followed.append(node)
        return real(node)

    real = combined.deref
    monkeypatch.setattr(combined, "deref", counting)
    defs = {**_ladder("S", {"type": "string"}), **_ladder("N", {"type": "number"})}
    old = {"$defs": defs, "type": "string"}
    disjoint = {"$defs": defs, "oneOf": [{"$ref": "#/$defs/S0"}, {"$ref": "#/$defs/N0"}]}
    overlapping = {"$defs": defs, "oneOf": [{"$ref": "#/$defs/S0"}, {"$ref": "#/$defs/S0"}]}
    assert compare(old, disjoint).compatible  # a string matches the string ladder alone
    assert none_breaks(old, disjoint, "a", "")
    assert not compare(old, overlapping).compatible
    assert counterexample(old, overlapping, "a")  # it matches both parts
    assert len(followed) < 5_000
