"""Issue 13, item 3, end to end through the real command line on real git repositories: a schema no instance
satisfies is MG011 with its file and line (``check`` and ``lint`` exit 1), and ``schema-diff`` refuses an input
that is not a valid JSON Schema (exit 2, in text and JSON) instead of calling it compatible."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import commit, contract_text, git, json_out, make_repo, model, run_cli

REQUIRED = "required: [user_id, score]"
TYPO = "required: [user_id, scroe]"


def churn(required: str = REQUIRED) -> str:
    return contract_text("churn-score", f"""
        - version: 1
          status: active
          schema:
            type: object
            additionalProperties: false
            {required}
            properties:
              user_id: {{type: string}}
              score: {{type: number, minimum: 0, maximum: 1}}
    """)


def repo_with(tmp_path: Path, head: dict[str, str]) -> Path:
    """main: a valid contract, its provider and a consumer; branch pr: ``head`` on top."""
    repo = make_repo(tmp_path / "repo", {
        "contracts/churn.yaml": churn(),
        "models/churner.yaml": model("churner", provides=[("churn-score", 1)]),
        "models/crm.yaml": model("crm-dashboard", consumes=[("churn-score", 1)]),
    })
    git(repo, "checkout", "-q", "-b", "pr")
    commit(repo, head)
    return repo


def mg011(done_json: dict[str, object]) -> list[dict[str, object]]:
    findings = done_json["findings"]
    assert isinstance(findings, list)
    return [f for f in findings if f["rule"] == "MG011"]


def test_a_required_typo_under_additional_properties_false_fails_check_with_file_and_line(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {"contracts/churn.yaml": churn(TYPO)})
    done = run_cli("check", "--base", "main", "--head", "pr", "--format", "json", "--today", "2026-11-28",
                   "--cache-dir", "none", cwd=repo)
    assert done.returncode == 1, done.stderr
    found = mg011(json_out(done))
    assert [(f["file"], f["line"], f["severity"]) for f in found] == [("contracts/churn.yaml", 11, "error")]
    assert found[0]["message"] == (
        "#/required/1: required property 'scroe' (did you mean 'score'?) is not declared in properties, and "
        "additionalProperties is false; no instance satisfies the schema")
    assert json_out(done)["verdict"] == "fail"


def test_lint_reports_it_too_and_the_valid_base_does_not(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {"contracts/churn.yaml": churn(TYPO)})
    done = run_cli("lint", str(repo))
    assert done.returncode == 1
    assert "contracts/churn.yaml:11: MG011 [error] #/required/1: required property 'scroe'" in done.stdout
    base = run_cli("lint", "main", cwd=repo)
    assert base.returncode == 0 and "MG011" not in base.stdout, base.stdout


def test_a_schema_ref_file_points_at_the_schema_ref_line(tmp_path: Path) -> None:
    manifest = contract_text("churn-score", """
        - version: 1
          status: active
          schema_ref: schemas/churn.json
    """)
    schema = {"type": "object", "properties": {"score": {"type": "number", "exclusiveMinimum": 1, "maximum": 1}},
              "required": ["score"]}
    repo = repo_with(tmp_path, {"contracts/churn.yaml": manifest, "schemas/churn.json": json.dumps(schema)})
    done = run_cli("lint", "pr", "--format", "json", cwd=repo)
    assert done.returncode == 1, done.stderr
    found = mg011(json_out(done))
    assert [(f["file"], f["line"]) for f in found] == [("contracts/churn.yaml", 8)]
    assert found[0]["message"] == ("schemas/churn.json: #/properties/score/exclusiveMinimum: exclusiveMinimum 1 is "
                                   "equal to maximum 1, and one of them is exclusive; no instance satisfies the schema")


def test_an_optional_property_that_can_never_be_present_is_reported_as_a_likely_typo(tmp_path: Path) -> None:
    text = churn().replace("score: {type: number, minimum: 0, maximum: 1}",
                           "score: {type: number, minimum: 0, maximum: 1}\n          tier: {enum: []}")
    repo = repo_with(tmp_path, {"contracts/churn.yaml": text})
    done = run_cli("lint", "pr", "--format", "json", cwd=repo)
    found = mg011(json_out(done))
    assert [(f["line"], f["message"]) for f in found] == [(15, (
        "#/properties/tier/enum: enum is empty; property 'tier' can never be present (it is optional, so the "
        "schema holds, but this is almost always a typo)"))]
    assert done.returncode == 1


def test_an_invalid_schema_is_mg008_alone(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {"contracts/churn.yaml": churn(TYPO).replace("type: object", "type: [object, objekt]")})
    found = json_out(run_cli("lint", "pr", "--format", "json", cwd=repo))["findings"]
    assert [(f["rule"], f["line"], f["message"]) for f in found] == [
        ("MG008", 9, f"not a valid JSON Schema: 'objekt' is not one of {TYPES}")]


def schema_diff(tmp_path: Path, new: str, *extra: str) -> tuple[int, str, str]:
    (tmp_path / "old.json").write_text('{"type": "object", "properties": {"score": {"type": "number"}}}')
    (tmp_path / "new.json").write_text(new)
    done = run_cli("schema-diff", "old.json", "new.json", *extra, cwd=tmp_path)
    return done.returncode, done.stdout, done.stderr


TYPES = "['array', 'boolean', 'integer', 'null', 'number', 'object', 'string']"
INVALID = f"new.json:1: not a valid JSON Schema: 'objekt' is not one of {TYPES} at #/type"


def test_schema_diff_refuses_an_invalid_schema_in_text(tmp_path: Path) -> None:
    code, out, err = schema_diff(tmp_path, '{"type": "objekt"}')
    assert (code, out, err) == (2, "", f"modelgate: error: {INVALID}\n")


def test_schema_diff_refuses_an_invalid_schema_in_json(tmp_path: Path) -> None:
    code, out, err = schema_diff(tmp_path, '{"type": "objekt"}', "--format", "json")
    assert code == 2 and err == f"modelgate: error: {INVALID}\n"
    assert json.loads(out) == {"error": {
        "file": "new.json", "line": 1, "pointer": "#/type",
        "message": f"not a valid JSON Schema: 'objekt' is not one of {TYPES}"}, "notes": []}


def test_schema_diff_names_the_line_of_the_keyword_an_invalid_schema_breaks(tmp_path: Path) -> None:
    new = '{"type": "object",\n "properties": {\n  "a": {\n   "type": "strng"}}}\n'
    code, out, err = schema_diff(tmp_path, new, "--format", "json")
    assert code == 2 and err.startswith("modelgate: error: new.json:4: not a valid JSON Schema: 'strng' is not one")
    assert json.loads(out)["error"]["line"] == 4 and json.loads(out)["error"]["pointer"] == "#/properties/a/type"


def test_schema_diff_follows_the_draft_schema_names(tmp_path: Path) -> None:
    draft4 = ('{"$schema": "http://json-schema.org/draft-04/schema#", "type": "number", "minimum": 0, '
              '"exclusiveMinimum": true}')
    assert schema_diff(tmp_path, draft4)[0] == 1  # valid in draft-04 (a boolean), compared: a type change
    code, _, err = schema_diff(tmp_path, '{"type": "number", "exclusiveMinimum": true}')
    assert code == 2
    assert "new.json:1: not a valid JSON Schema: True is not of type 'number' at #/exclusiveMinimum" in err


def test_schema_diff_notes_an_unsatisfiable_input_and_keeps_its_verdict(tmp_path: Path) -> None:
    new = '{"type": "object", "properties": {"score": {"type": "number", "minimum": 2, "maximum": 1}}}'
    code, out, err = schema_diff(tmp_path, new)
    assert code == 1 and "INCOMPATIBLE" in out
    assert err == ("modelgate: note: new.json: #/properties/score/minimum: minimum 2 is greater than maximum 1; "
                   "property 'score' can never be present (it is optional, so the schema holds, but this is almost "
                   "always a typo) (MG011; the comparison stands)\n")
    code, out, _ = schema_diff(tmp_path, new, "--format", "json")
    shown = json.loads(out)
    assert code == 1 and shown["compatible"] is False
    assert [(n["file"], n["rule"], n["pointer"]) for n in shown["notes"]] == [
        ("new.json", "MG011", "#/properties/score/minimum")]
    assert "notes" not in json.loads(schema_diff(tmp_path, '{"type": "object"}', "--format", "json")[1])
