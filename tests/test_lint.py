"""lint_snapshot: MG002-MG008 on the valid manifests, MG001 passed through, sorted by file and line."""

from __future__ import annotations

import datetime as dt
import json

from bot.lint import _fallback_error, lint_snapshot, schema_problems
from bot.loader import Loader
from bot.manifests.parse import parse_config
from bot.sources import DirectorySource
from tests.helpers import chain_repo, contract, contract_text, dump, model, write_tree


def load(tmp_path, files):
    return Loader(DirectorySource(write_tree(tmp_path, files))).load()


def lint(tmp_path, files):
    return lint_snapshot(load(tmp_path, files))


def lint_rule(tmp_path, rule, text):
    """The findings of ``rule`` on a repository of one contract, ``contracts/s.yaml``."""
    return [f for f in lint(tmp_path, {"contracts/s.yaml": text}) if f.rule == rule]


def brief(findings):
    return [(f.rule, f.file, f.line) for f in findings]


def test_a_clean_repository_has_no_findings(tmp_path):
    assert lint(tmp_path, chain_repo(4)) == []


def test_findings_are_sorted_by_file_then_line(tmp_path):
    findings = lint(tmp_path, {
        "b.yaml": model("b", consumes=[("x", 1), ("y", 1)]),
        "a.yaml": "apiVersion: modelgate/v1\nkind: Model\nmetadata: {name: x\n",
    })
    assert brief(findings) == [("MG001", "a.yaml", 3), ("MG003", "b.yaml", 10), ("MG003", "b.yaml", 12)]


def test_duplicate_names_point_at_the_second_file(tmp_path):
    findings = lint(tmp_path, {"a/m.yaml": model("m"), "b/m.yaml": model("m"),
                               "a/c.yaml": contract("c"), "b/c.yaml": contract("c"),
                               "z/same-name.yaml": contract("m"), "models/p.yaml": model("p", provides=[("c", 1)])})
    dup = [f for f in findings if f.rule == "MG002"]
    assert brief(dup) == [("MG002", "b/c.yaml", 4), ("MG002", "b/m.yaml", 4)]
    assert "already used by a/c.yaml" in dup[0].message
    assert dup[1].subject == "model:m"


def test_unknown_contract_and_unknown_version(tmp_path):
    findings = lint(tmp_path, {"contracts/c.yaml": contract("c", [1, 2]),
                               "models/p.yaml": model("p", provides=[("c", 1), ("c", 2), ("c", 9)]),
                               "models/q.yaml": model("q", consumes=[("nope", 1)])})
    assert brief(findings) == [("MG003", "models/p.yaml", 15), ("MG003", "models/q.yaml", 10)]
    assert "version 9 of contract 'c'" in findings[0].message and "versions: 1, 2" in findings[0].message


def test_an_unknown_contract_suggests_a_close_name(tmp_path):
    findings = lint(tmp_path, {"contracts/c.yaml": contract("rank-score"),
                               "models/p.yaml": model("p", provides=[("rank-score", 1)]),
                               "models/q.yaml": model("q", consumes=[("rank-scores", 1), ("zzz", 1)])})
    assert [f.message for f in findings] == [
        "consumes contract 'rank-scores', which does not exist; did you mean 'rank-score'?",
        "consumes contract 'zzz', which does not exist",
    ]


def test_a_contract_that_does_not_validate_is_reported_once_not_as_missing(tmp_path):
    broken = contract("c").replace("status: active", "status: actif")
    findings = lint(tmp_path, {"contracts/c.yaml": broken, "models/p.yaml": model("p", provides=[("c", 1)])})
    assert [(f.rule, f.file) for f in findings] == [("MG001", "contracts/c.yaml")]


def test_cycle_is_reported_as_a_chain(tmp_path):
    files = chain_repo(2)
    files["models/m0.yaml"] = model("m0", consumes=[("c1", 1)], provides=[("c0", 1)])
    (finding,) = lint(tmp_path, files)
    assert (finding.rule, finding.file, finding.line) == ("MG004", "models/m0.yaml", 10)
    assert finding.message == ("dependency cycle: model:m0 → contract:c0@1 → model:m1 → contract:c1@1 → model:m0")


def test_provider_missing_is_a_warning_for_active_versions_only(tmp_path):
    findings = lint(tmp_path, {"contracts/c.yaml": contract("c", [
        {"version": 1, "status": "retired", "schema": {"type": "object"}},
        {"version": 2, "status": "active", "schema": {"type": "object"}}])})
    assert [(f.rule, f.severity, f.subject, f.line) for f in findings] == [
        ("MG005", "warning", "contract:c@2", 13)]


def test_provider_conflict(tmp_path):
    findings = lint(tmp_path, {"contracts/c.yaml": contract("c"),
                               "models/a.yaml": model("a", provides=[("c", 1)]),
                               "models/b.yaml": model("b", consumes=[], provides=[("c", 1)])})
    assert brief(findings) == [("MG006", "models/b.yaml", 10)]
    assert "already by model:a (models/a.yaml)" in findings[0].message


def test_schema_not_valid_points_inside_the_schema(tmp_path):
    text = contract_text("c", """
        - version: 1
          status: retired
          schema:
            type: object
            properties:
              score: {type: numbr}
    """, owner="@o")
    (finding,) = lint(tmp_path, {"contracts/c.yaml": text})
    assert (finding.rule, finding.line) == ("MG008", 11)
    assert "not a valid JSON Schema" in finding.message


def test_draft_07_keywords_and_local_refs_are_accepted():
    schema = {"definitions": {"p": {"type": "number"}}, "type": "array", "items": [{"$ref": "#/definitions/p"}],
              "additionalItems": False, "dependencies": {"a": ["b"]}}
    assert schema_problems(schema) == []
    assert schema_problems(True) == []
    assert schema_problems({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}) == []


def test_non_local_refs_anywhere_in_the_schema():
    schema = {"properties": {"$ref": {"type": "string"},  # a property called $ref is not a reference
                             "a": {"anyOf": [{"$ref": "other.json#/x"}]}},
              "default": {"$ref": "http://data-not-schema"},
              "$defs": {"d": {"items": {"$ref": "https://x/y"}}}}
    found = schema_problems(schema)
    assert [p for p, _ in found] == [("properties", "a", "anyOf", 0, "$ref"), ("$defs", "d", "items", "$ref")]
    assert schema_problems({"type": "nope"})[0][0] == ("type",)
    assert schema_problems([1])[0][1].startswith("not a valid JSON Schema")


def test_schema_ref_files_are_checked_and_their_problems_point_at_schema_ref(tmp_path):
    bad = {"type": "object", "properties": {"a": {"$ref": "https://example.com/a.json"}}}
    findings = lint(tmp_path, {
        "schemas/c.json": json.dumps(bad),
        "schemas/deep.json": "[" * 5000 + "]" * 5000,
        "schemas/big.json": json.dumps({"description": "x" * 2_000_000}),
        "contracts/c.yaml": contract("c", [
            {"version": 1, "status": "retired", "schema_ref": "schemas/c.json"},
            {"version": 2, "status": "retired", "schema_ref": "schemas/deep.json"},
            {"version": 3, "status": "retired", "schema_ref": "schemas/big.json"},
            {"version": 4, "status": "retired", "schema_ref": "schemas/missing.json"}]),
    })
    assert brief(findings) == [("MG008", "contracts/c.yaml", line) for line in (11, 14, 17, 20)]
    assert "schemas/c.json at #/properties/a/$ref" in findings[0].message
    assert "nesting deeper than 64" in findings[1].message
    assert "over the limit" in findings[2].message
    assert "no file 'schemas/missing.json'" in findings[3].message


def test_fallback_default_value_must_be_valid_under_the_schema(tmp_path):
    findings = lint_rule(tmp_path, "MG001", contract_text("s", """
        - version: 1
          schema:
            type: object
            properties: {score: {type: number, maximum: 1}}
            required: [score]
          fallback:
            strategy: default_value
            value:
              score: 7
        - version: 2
          schema: {type: object, properties: {score: {type: number}}}
          fallback: {strategy: default_value, value: {score: 0.5}}
        """, owner="@acme/risk"))
    assert [(f.subject, f.file, f.line) for f in findings] == [("contract:s@1", "contracts/s.yaml", 14)]
    assert "7 is greater than the maximum of 1" in findings[0].message


def test_unknown_rule_id_in_configuration_is_mg001_with_line():
    _, problems = parse_config(b"rules:\n  MG204: off\n  MG999: error\n")
    assert [(p.rule, p.file, p.line) for p in problems] == [("MG001", ".modelgate.yml", 3)]  # the MG999 line
    assert "MG999" in problems[0].message


def test_a_local_ref_that_points_at_nothing_is_mg008_at_its_line(tmp_path):
    findings = lint_rule(tmp_path, "MG008", contract_text("s", """
        - version: 1
          schema:
            $defs:
              band: {enum: [low, high]}
              node: {$anchor: leaf, type: string}
            type: object
            properties:
              band: {$ref: "#/$defs/band"}
              leaf: {$ref: "#leaf"}
              typo: {$ref: "#/$defs/bnad"}
        """, owner="@acme/risk"))
    assert [(f.line, f.message) for f in findings] == [(15, "$ref '#/$defs/bnad' points at nothing in this schema")]


def test_a_ref_spelled_with_a_yaml_escape_is_still_found(tmp_path):
    findings = lint_rule(tmp_path, "MG008", contract_text("s", """
        - version: 1
          schema:
            type: object
            properties:
              a: {"\\x24ref": "https://example.com/a.json"}
        """, owner="@acme/risk"))
    assert [(f.line, "is not local" in f.message) for f in findings] == [(10, True)]


def test_a_model_whose_name_is_taken_is_still_checked_for_unknown_contracts(tmp_path):
    findings = lint(tmp_path, {"a/m.yaml": model("m"), "b/m.yaml": model("m", consumes=[("nope", 1)])})
    assert brief(findings) == [("MG002", "b/m.yaml", 4), ("MG003", "b/m.yaml", 10)]


def test_a_memo_shared_by_two_states_judges_each_by_its_own_bytes(tmp_path):
    """The contract file is the same in both states; its schema_ref file is not: each state gets its own answer."""
    manifest = contract("c", [{"version": 1, "status": "retired", "schema_ref": "schemas/c.json",
                               "fallback": {"strategy": "default_value", "value": {"score": 0.5}}}])
    schema = {"type": "object", "properties": {"score": {"type": "number", "maximum": 1}}}
    states = {
        "fine": schema,
        "invalid": {"type": "object", "properties": {"score": {"type": "nope"}}},
        "strict": {"type": "object", "properties": {"score": {"type": "number", "maximum": 0.1}}},
    }
    memo = {}
    found = {name: brief(lint_snapshot(load(tmp_path / name, {"contracts/c.yaml": manifest,
                                                                "schemas/c.json": json.dumps(text)}), memo))
             for name, text in [*states.items(), ("fine again", schema)]}
    assert found == {"fine": [], "invalid": [("MG008", "contracts/c.yaml", 11)],
                     "strict": [("MG001", "contracts/c.yaml", 15)], "fine again": []}
    assert memo  # it was used


def test_rules_run_only_the_checks_that_can_find_them_and_lose_none_of_their_findings(tmp_path):
    snapshot = load(tmp_path, {
        "a/m.yaml": model("m"), "b/m.yaml": model("m", owners=["alice"]),
        "contracts/c.yaml": contract("c", [1, 2]), "contracts/lonely.yaml": contract("lonely"),
        "contracts/s.yaml": contract("s", [{"version": 1, "status": "active", "schema": {"type": "nope"},
                                            "fallback": {"strategy": "default_value", "value": 1}},
                                           {"version": 2, "status": "active", "schema": {"type": "string"},
                                            "fallback": {"strategy": "default_value", "value": 1}}]),
        "models/p.yaml": model("p", consumes=[("c", 2)], provides=[("c", 1), ("c", 2), ("ghost", 1)]),
        "models/q.yaml": model("q", provides=[("c", 1), ("s", 1), ("s", 2)]),
        "broken.yaml": "apiVersion: modelgate/v1\nkind: Model\nmetadata: {name: x\n",
    })
    everything = lint_snapshot(snapshot)
    rules = sorted({f.rule for f in everything})
    assert rules == ["MG001", "MG002", "MG003", "MG004", "MG005", "MG006", "MG007", "MG008"]
    for rule in rules:
        assert [f for f in lint_snapshot(snapshot, rules={rule}) if f.rule == rule] == \
            [f for f in everything if f.rule == rule], rule
    assert lint_snapshot(snapshot, rules=set()) == snapshot.findings  # the loader's pass through


def test_a_catastrophic_pattern_judges_a_fallback_at_once_on_a_linear_engine():
    """``^(a|a)*$`` against 30 characters took Python's ``re`` 92 s; a regression hangs until pytest-timeout.

    The manifest's line: tests/hostile/manifests/pattern-backtracking-fallback.yaml (tests/test_hostile.py)."""
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^(a|a)*$"}}}
    assert _fallback_error(schema, {"code": "a" * 30 + "!"}) == (("code",), f'"{"a" * 30}!" does not match "^(a|a)*$"')
    assert _fallback_error(schema, {"code": "a" * 30}) is None
    assert _fallback_error({}, dt.date(2026, 1, 1)) == (
        (), "the value is not JSON data: Unsupported type: 'date'")


def test_a_pattern_the_linear_engine_does_not_evaluate_is_mg008_at_its_line(tmp_path):
    findings = lint_rule(tmp_path, "MG008", contract_text("s", """
        - version: 1
          schema:
            type: object
            properties:
              code: {type: string, pattern: '^(a)\\1$'}
              fine: {type: string, pattern: '^[a-z]+$'}
            patternProperties:
              '^(?!x_)': {type: string}
          fallback: {strategy: default_value, value: {code: aa}}
        """, owner="@acme/risk"))
    assert [(f.line, f.message.split(" uses ")[1]) for f in findings] == [
        (10, "a construct modelgate does not evaluate (a backreference); only what a linear-time engine runs is "
             "evaluated"),
        (13, "a construct modelgate does not evaluate (a look-around); only what a linear-time engine runs is "
             "evaluated")]
    assert lint_rule(tmp_path / "again", "MG001", contract_text("s", """
        - version: 1
          schema: {type: string, pattern: '^(a)\\1$'}
          fallback: {strategy: default_value, value: ab}
        """)) == []  # the schema's MG008 is the finding: a value is not judged by half a schema


def test_a_pattern_that_is_no_regular_expression_is_mg008_once():
    assert schema_problems({"type": "string", "pattern": "(unclosed"}) == [
        (("pattern",), "pattern '(unclosed' is not a regular expression modelgate can read (ECMA-262 syntax)")]
    assert [path for path, _ in schema_problems({"type": "string", "pattern": 12})] == [("pattern",)]


def test_more_distinct_patterns_than_modelgate_evaluates_in_one_schema_is_one_mg008():
    from bot.compat.patterns import MAX_PATTERNS

    schema = {"type": "object", "properties": {f"p{i}": {"type": "string", "pattern": f"^{i}$"}
                                               for i in range(MAX_PATTERNS + 1)}}
    assert schema_problems(schema) == [
        ((), f"the schema has {MAX_PATTERNS + 1} distinct patterns; modelgate evaluates at most {MAX_PATTERNS} "
             "in one schema")]
    schema["properties"]["p0"]["pattern"] = "^1$"  # the same pattern twice is one
    assert schema_problems(schema) == []


def reader(name, contract_name, number, fields):
    """A Model manifest consuming ``contract_name@number`` with ``fields`` (one entry a line, from line 13)."""
    return dump({"apiVersion": "modelgate/v1", "kind": "Model", "metadata": {"name": name, "owners": ["@acme/team"]},
                 "spec": {"version": "1.0.0",
                          "consumes": [{"contract": contract_name, "version": number, "fields": list(fields)}]}})


NESTED_SCHEMA = {"type": "object", "properties": {
    "age_days": {"type": "integer"}, "user": {"$ref": "#/$defs/user"},
    "orders": {"type": "array", "items": {"type": "object", "properties": {"amount": {"type": "number"}}}}},
    "$defs": {"user": {"type": "object", "properties": {"country": {"type": "string"}}}}}


def mg010(tmp_path, files):
    return [(f.file, f.line, f.message, f.subject) for f in lint(tmp_path, files) if f.rule == "MG010"]


def test_mg010_points_at_each_undeclared_field_entry_with_the_closest_declared_path(tmp_path):
    found = mg010(tmp_path, {
        "contracts/c.yaml": contract("c", [{"version": 1, "status": "active", "schema": NESTED_SCHEMA}]),
        "models/m.yaml": reader("m", "c", 1, ["age_days", "age_dayz", "user.country", "usr.country",
                                              "orders.amount", "orders.amount.cents"])})
    subject = "model:m"
    assert found == [
        ("models/m.yaml", 14, "field 'age_dayz' is not declared by the schema of contract:c@1; did you mean "
                              "'age_days'?", subject),
        ("models/m.yaml", 16, "field 'usr.country' is not declared by the schema of contract:c@1: it declares no "
                              "'usr'; did you mean 'user'?", subject),
        ("models/m.yaml", 18, "field 'orders.amount.cents' is not declared by the schema of contract:c@1", subject)]


def test_mg010_leaves_a_missing_version_to_mg003_and_an_invalid_schema_to_mg008(tmp_path):
    invalid = {"type": "object", "properties": {"a": {"type": "nope"}}}
    remote = {"type": "object", "properties": {"a": {"$ref": "https://example.com/a.json"}}}
    findings = lint(tmp_path, {
        "contracts/c.yaml": contract("c", [{"version": 1, "status": "retired", "schema": invalid},
                                           {"version": 2, "status": "retired", "schema": remote},
                                           {"version": 3, "status": "retired", "schema_ref": "schemas/missing.json"},
                                           {"version": 4, "status": "retired", "schema_ref": "schemas/bad.json"}]),
        "schemas/bad.json": "{not json",
        "models/a.yaml": reader("a", "c", 1, ["nope"]), "models/b.yaml": reader("b", "c", 2, ["a.nope"]),
        "models/c.yaml": reader("c", "c", 3, ["nope"]), "models/d.yaml": reader("d", "c", 4, ["nope"]),
        "models/e.yaml": reader("e", "c", 9, ["nope"]), "models/f.yaml": reader("f", "gone", 1, ["nope"])})
    assert {f.rule for f in findings} == {"MG008", "MG003"}
    assert brief([f for f in findings if f.rule == "MG003"]) == [("MG003", "models/e.yaml", 11),
                                                                 ("MG003", "models/f.yaml", 10)]


def test_mg010_reads_a_schema_ref_file_and_a_shared_memo_answers_each_state_by_its_own_bytes(tmp_path):
    manifest = contract("c", [{"version": 1, "status": "retired", "schema_ref": "schemas/c.json"}])
    memo = {}
    found = {}
    for name, schema in [("declared", NESTED_SCHEMA), ("renamed", {"properties": {"age": {}}}),
                         ("declared again", NESTED_SCHEMA)]:
        snapshot = load(tmp_path / name, {"contracts/c.yaml": manifest, "schemas/c.json": json.dumps(schema),
                                          "models/m.yaml": reader("m", "c", 1, ["age_days", "user.country"])})
        found[name] = [(f.line, f.message) for f in lint_snapshot(snapshot, memo) if f.rule == "MG010"]
    assert found == {"declared": [], "declared again": [], "renamed": [
        (13, "field 'age_days' is not declared by the schema of contract:c@1"),
        (14, "field 'user.country' is not declared by the schema of contract:c@1: it declares no 'user'")]}
    assert any(key[0] == "fields" for key in memo)


def test_mg010_says_when_a_schema_is_too_complex_to_resolve(tmp_path, monkeypatch):
    from bot import schema_fields

    monkeypatch.setattr(schema_fields, "BUDGET", 5)  # the top level costs 4 visits (its node, its 3 properties)
    found = mg010(tmp_path, {
        "contracts/c.yaml": contract("c", [{"version": 1, "status": "active", "schema": NESTED_SCHEMA}]),
        "models/m.yaml": reader("m", "c", 1, ["age_days", "user.country"])})
    assert [(line, message) for _, line, message, _ in found] == [
        (14, "field 'user.country' cannot be checked: the schema of contract:c@1 is too complex to resolve (more "
             "than 5 subschemas visited)")]
