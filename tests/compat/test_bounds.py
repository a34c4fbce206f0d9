"""The comparison is bounded: memoised by pair of subschemas, its work capped, refused (never a hang) past the cap.

The hostile inputs of issue 19 (item 7): ``$defs`` fanning out through ``$ref`` (each level refers to the next
twice: 2^30 paths in 31 definitions), a recursive schema against such a fan-out, a long chain of ``$ref``.
"""

import datetime as dt
import json
import random
from typing import Any

import pytest

from bot.compat import (
    MAX_COMPARED_PAIRS,
    MAX_COMPARISON_DEPTH,
    MAX_RECORDED_CHANGES,
    Budget,
    CompareResult,
    SchemaChange,
    compare,
)
from bot.policy.contract_diff import MAX_REPORTED_CHANGES, NOT_COMPARED, NOT_SHOWN, _Paths, diff_contract_version


def fan_out(depth: int, leaf: dict[str, Any]) -> dict[str, Any]:
    """Each definition refers to the next twice: ``2 ** depth`` paths reach ``leaf``."""
    defs: dict[str, Any] = {f"L{k}": {"type": "object", "properties": {"a": {"$ref": f"#/$defs/L{k + 1}"},
                                                                       "b": {"$ref": f"#/$defs/L{k + 1}"}}}
                            for k in range(depth)}
    defs[f"L{depth}"] = leaf
    return {"$ref": "#/$defs/L0", "$defs": defs}


RECURSIVE = {"type": "object", "properties": {"a": {"$ref": "#"}, "b": {"$ref": "#"}}}


def spent(old: Any, new: Any, mode: str = "backward") -> tuple[CompareResult, int, int]:
    """The result, the pairs compared and the differences recorded."""
    budget = Budget()
    result = compare(old, new, mode, budget=budget)  # type: ignore[arg-type]
    return result, MAX_COMPARED_PAIRS - budget.pairs, MAX_RECORDED_CHANGES - budget.changes


def test_a_shared_definition_is_compared_once_per_pair_and_reported_once_per_distinct_path():
    result, pairs, _ = spent(fan_out(3, {"type": "string"}), fan_out(3, {"type": "integer"}))
    assert [(c.type, c.path) for c in result.changes] == [
        ("TYPE_CHANGED", f"#/properties/{x}/properties/{y}/properties/{z}") for x in "ab" for y in "ab" for z in "ab"]
    assert pairs == 1 + 2 * 3  # each reference is met (a and b at 3 levels); the memo answers the second of each


def test_a_fan_out_whose_leaf_changed_is_too_complex_to_compare_not_a_gigabyte_of_changes():
    result, pairs, _ = spent(fan_out(30, {"type": "string"}), fan_out(30, {"type": "integer"}), "full")
    assert (result.compatible, result.changes) == (False, [])
    assert result.refused == f"too complex to compare: more than {MAX_RECORDED_CHANGES:,} differences"
    assert pairs <= 2 * 31
    assert result.to_json()["refused"] == result.refused


def test_a_recursive_schema_against_a_fan_out_is_too_complex_to_compare():
    result = compare(RECURSIVE, fan_out(30, {"type": "string"}))
    assert not result.compatible and result.refused is not None and "too complex to compare" in result.refused


@pytest.mark.parametrize("mode", ["backward", "forward", "full"])
def test_a_fan_out_on_one_side_alone_or_a_ref_cycle_finishes_with_its_few_changes(mode):
    plain = {"type": "object"}
    for old, new in [(fan_out(30, {"type": "string"}), plain), (plain, fan_out(30, {"type": "string"})),
                     (RECURSIVE, plain), (RECURSIVE, RECURSIVE), ({"$ref": "#"}, {"$ref": "#/$defs/x", "$defs": {
                         "x": {"$ref": "#/$defs/y"}, "y": {"$ref": "#/$defs/x"}}})]:
        result, pairs, _ = spent(old, new, mode)
        assert result.refused is None and len(result.changes) <= 4 and pairs <= 10


def test_unchanged_fan_outs_compare_in_a_pair_per_definition():
    result, pairs, recorded = spent(fan_out(30, {"type": "string"}), fan_out(30, {"type": "string"}), "full")
    assert (result.compatible, result.changes, result.refused) == (True, [], None)
    assert (pairs, recorded) == (2 * (1 + 2 * 30), 0)  # two directions, each reference met once


def test_a_chain_of_refs_deeper_than_the_walk_may_nest_is_refused_not_a_recursion_error():
    def chain(n: int, leaf: str) -> dict[str, Any]:
        defs: dict[str, Any] = {f"L{k}": {"type": "object", "properties": {"a": {"$ref": f"#/$defs/L{k + 1}"}}}
                                for k in range(n)}
        defs[f"L{n}"] = {"type": leaf}
        return {"$ref": "#/$defs/L0", "$defs": defs}

    result = compare(chain(500, "string"), chain(500, "integer"))
    assert result.refused == f"too complex to compare: subschemas nest more than {MAX_COMPARISON_DEPTH} levels deep"
    short = compare(chain(MAX_COMPARISON_DEPTH - 2, "string"), chain(MAX_COMPARISON_DEPTH - 2, "integer"))
    assert [c.type for c in short.changes] == ["TYPE_CHANGED"]


def test_too_many_pairs_of_alternatives_are_refused():
    """Every alternative of an anyOf is tried against every other: the pairs are counted, not only the changes."""
    def union(side: str) -> dict[str, Any]:  # annotations differ: each pair is compared, and finds nothing
        return {"anyOf": [{"type": "string", "x-note": f"{side} {i}"} for i in range(400)]}

    result = compare(union("old"), union("new"))
    assert result.refused == f"too complex to compare: more than {MAX_COMPARED_PAIRS:,} pairs of subschemas"


def test_equal_pairs_count_too():
    """Checking that two subschemas are equal costs their size: 250 x 250 alternatives of 200 equal properties."""
    same = {f"f{k}": {"type": "string"} for k in range(200)}

    def union(side: str) -> dict[str, Any]:
        return {"anyOf": [{"type": "object", "properties": {**same, "x": {"const": f"{side}{i}"}}} for i in range(250)]}

    result = compare(union("old"), union("new"))
    assert result.refused == f"too complex to compare: more than {MAX_COMPARED_PAIRS:,} pairs of subschemas"


def test_a_budget_is_shared_by_the_comparisons_given_it():
    budget = Budget(pairs=3)
    assert compare({"maxLength": 1}, {"maxLength": 2}, budget=budget).refused is None
    assert budget.pairs == 2
    changed = {"type": "object", "properties": {"a": {"maxLength": 1}, "b": {"maxLength": 1}}}
    assert compare(changed, {**changed, "properties": {"a": {}, "b": {}}}, budget=budget).refused is not None


def test_metadata_is_part_of_the_memo_key():
    """A pair compared without its metadata (a part of a synthetic allOf) does not answer for the pair with it."""
    old = {"$defs": {"d": {"type": "string", "title": "old"}}, "properties": {
        "x": {"type": ["string", "null"], "$ref": "#/$defs/d"}, "y": {"$ref": "#/$defs/d"}}}
    new = {"$defs": {"d": {"type": "string", "title": "new"}}, "properties": {
        "x": {"type": ["string", "null"], "$ref": "#/$defs/d"}, "y": {"$ref": "#/$defs/d"}}}
    assert ("TITLE_CHANGED", "#/properties/y") in [(c.type, c.path) for c in compare(old, new).changes]


# --- the contract-level diff (bot.policy.contract_diff): how check reports a bounded comparison -----------------

SUBJECT = "contract:c@1"


def schema_changes(old: Any, new: Any, compatibility: str = "forward") -> list[tuple[str, str, bool]]:
    return [(c.type, c.path, c.breaking)
            for c in diff_contract_version(SUBJECT, {"schema": old}, {"schema": new}, compatibility)]


def test_a_schema_too_complex_to_compare_is_one_breaking_change_with_the_reason():
    changes = diff_contract_version(SUBJECT, {"schema": fan_out(30, {"type": "string"})},
                                    {"schema": fan_out(30, {"type": "integer"})})
    assert [(c.type, c.path, c.breaking) for c in changes] == [(NOT_COMPARED, "#", True)]
    assert changes[0].detail == (f"the schema is too complex to compare: more than {MAX_RECORDED_CHANGES:,} "
                                 "differences, so it cannot be shown to keep forward compatibility")


def test_equal_schemas_are_not_compared():
    """Equal, yet comparing them would spend the budget: alternatives behind $ref are tried against each other."""
    schema = {"anyOf": [{"$ref": f"#/$defs/d{i}"} for i in range(400)],
              "$defs": {f"d{i}": {"type": "string", "x-note": i} for i in range(400)}}
    assert compare(schema, json.loads(json.dumps(schema))).refused is not None
    assert schema_changes(schema, json.loads(json.dumps(schema))) == []


def test_past_the_reported_changes_the_breaking_ones_come_first_then_one_change_for_the_rest():
    n = MAX_REPORTED_CHANGES + 500
    old = {"type": "object", "properties": {f"p{i}": {"type": "string", "maxLength": 5} for i in range(n)}}
    new = {"type": "object", "properties": {f"p{i}": {"type": "string", "maxLength": 4 if i % 2 else 6}
                                            for i in range(n)}}
    changes = schema_changes(old, new)  # forward: a raised maxLength breaks (old readers reject longer text)
    assert len(changes) == MAX_REPORTED_CHANGES
    assert changes[:n // 2] == [("MAX_LENGTH_INCREASED", f"#/properties/p{i}/maxLength", True) for i in range(0, n, 2)]
    assert changes[-1] == (NOT_SHOWN, "#", False)
    narrower = {"type": "object", "properties": {f"p{i}": {"type": "string", "maxLength": 4} for i in range(n)}}
    last = diff_contract_version(SUBJECT, {"schema": old}, {"schema": narrower}, "backward")[-1]
    assert (last.type, last.breaking) == (NOT_SHOWN, True)
    assert last.detail == ("501 more schema changes not shown (at most 1,000 are listed), 501 of them breaking "
                           "backward compatibility")


def test_related_paths_are_found_through_the_index_as_a_scan_finds_them():
    def related(a: str, b: str) -> bool:  # the scan it replaces: one path encloses the other
        sa, sb = [p for p in a.lstrip("#").split("/") if p], [p for p in b.lstrip("#").split("/") if p]
        n = min(len(sa), len(sb))
        return sa[:n] == sb[:n]

    rng = random.Random(19)
    paths = ["#/" + "/".join(rng.choice("abc") for _ in range(rng.randint(0, 4))) for _ in range(300)]
    reported = [SchemaChange("TYPE_CHANGED", p, False) for p in paths[:150]]
    index = _Paths(reported)
    for judged in paths[150:]:
        exact = [i for i, c in enumerate(reported) if c.path == judged]
        expected = exact or [i for i, c in enumerate(reported) if related(c.path, judged)]
        assert sorted(index.hits(judged)) == expected


def test_a_value_json_has_no_type_for_is_compared_not_a_crash():
    """A YAML date in an enum (manifests are YAML) is a value of its own, not a TypeError of the canonical text."""
    day = dt.date(2026, 1, 1)
    assert [c.type for c in compare({"enum": [day]}, {"enum": [day, "2026-01-01"]}).changes] == ["ENUM_ARRAY_EXTENDED"]
    assert compare({"anyOf": [{"const": day}, {"type": "string"}]}, {"anyOf": [{"const": day}]}).refused is None
