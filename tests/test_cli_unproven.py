"""Issue 14 end to end, through the real command line: a PR that removes ``then: {required: [...]}`` from a
contract's schema (a change the engine cannot prove compatible) fails ``modelgate check`` with MG101; an edit that
changes nothing of the schema's meaning stays TEXT_CHANGED; ``modelgate schema-diff`` relates allOf to anyOf."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import commit, contract_text, dedent, json_out, make_repo, model, run_cli

CONDITIONAL = """\
    - version: 1
      status: active
      schema:
        type: object
        properties:
          kind: {type: string}
          reason: {type: string}
        if: {properties: {kind: {const: refund}}, required: [kind]}
        then: {required: [reason]}
    """


def manifest(versions: str, compatibility: str | None = None) -> str:
    text = contract_text("refunds", versions)
    return text.replace("spec:\n", f"spec:\n  compatibility: {compatibility}\n") if compatibility else text


def repo_with(tmp_path: Path, versions: str, compatibility: str | None = None) -> Path:
    return make_repo(tmp_path / "repo", {
        "contracts/refunds.yaml": manifest(versions, compatibility),
        "models/ledger.yaml": model("ledger", provides=[("refunds", 1)]),
        "models/auditor.yaml": model("auditor", consumes=[("refunds", 1)]),
    })


def check(repo: Path) -> tuple[int, dict]:
    done = run_cli("check", "--base", "HEAD~1", "--head", "HEAD", "--format", "json", "--today", "2026-11-28",
                   "--cache-dir", "none", cwd=repo)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json_out(done)


@pytest.mark.parametrize("compatibility", [None, "backward"])
def test_removing_then_required_is_mg101(tmp_path: Path, compatibility: str | None) -> None:
    repo = repo_with(tmp_path, CONDITIONAL, compatibility)
    without_then = CONDITIONAL.replace("        then: {required: [reason]}\n", "")
    assert without_then != CONDITIONAL
    commit(repo, {"contracts/refunds.yaml": manifest(without_then, compatibility)}, "reason is optional now")
    code, out = check(repo)
    schema = [c for c in out["changes"] if c["kind"] == "schema"]
    assert [(c["type"], c["path"], c["breaking"]) for c in schema] == [("NOT_PROVEN_COMPATIBLE", "#/then", True)]
    assert "could not be proven compatible" in schema[0]["detail"]
    assert [(f["rule"], f["file"]) for f in out["findings"] if f["rule"] == "MG101"] == [
        ("MG101", "contracts/refunds.yaml")]
    assert code == 1 and out["verdict"] == "fail"


def test_changing_the_if_is_mg101(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, CONDITIONAL)
    commit(repo, {"contracts/refunds.yaml": manifest(CONDITIONAL.replace("const: refund", "const: chargeback"))})
    code, out = check(repo)
    assert [(c["type"], c["path"]) for c in out["changes"] if c["kind"] == "schema"] == [
        ("NOT_PROVEN_COMPATIBLE", "#/if")]
    assert "MG101" in {f["rule"] for f in out["findings"]} and code == 1


def test_an_edit_without_a_change_of_meaning_is_still_text_changed(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, CONDITIONAL)
    reordered = CONDITIONAL.replace("        if: {properties: {kind: {const: refund}}, required: [kind]}\n"
                                    "        then: {required: [reason]}\n",
                                    "        # the refund rule\n        then: {required: [reason]}\n"
                                    "        if: {required: [kind], properties: {kind: {const: refund}}}\n")
    assert reordered != CONDITIONAL
    commit(repo, {"contracts/refunds.yaml": manifest(reordered)})
    code, out = check(repo)
    assert [(c["type"], c["breaking"]) for c in out["changes"]] == [("TEXT_CHANGED", False)]
    assert code == 0 and "MG101" not in {f["rule"] for f in out["findings"]}


def test_schema_diff_relates_allof_to_anyof(tmp_path: Path) -> None:
    parts = [{"required": ["card"]}, {"required": ["iban"]}]
    (tmp_path / "all.json").write_text(json.dumps({"type": "object", "allOf": parts}))
    (tmp_path / "any.yaml").write_text(dedent("""
        type: object
        anyOf:
          - required: [card]
          - required: [iban]
        """))
    done = run_cli("schema-diff", "all.json", "any.yaml", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json_out(done)["compatible"] is True
    assert [c["type"] for c in json_out(done)["changes"]] == ["COMBINED_TYPE_EXTENDED"]
    back = run_cli("schema-diff", "any.yaml", "all.json", "--format", "json", cwd=tmp_path)
    assert back.returncode == 1 and json_out(back)["compatible"] is False
