"""MG010 unknown-field end to end: ``modelgate check`` and ``modelgate lint`` through the real command line, on a
real git repository (issue #13: a misspelt field was no finding, and field-level impact then missed the model)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import commit, dedent, git, json_out, make_repo, run_cli
from tests.scenarios import line_of

CHURN = dedent("""
    apiVersion: modelgate/v1
    kind: Contract
    metadata:
      name: churn-score
      owners: ["@acme/data"]
    spec:
      versions:
        - version: 1
          status: active
          schema:
            type: object
            properties:
              age_days: {type: integer}
              user: {$ref: "#/$defs/user"}
            $defs:
              user:
                type: object
                properties:
                  country: {type: string}
    """)
PROVIDER = dedent("""
    apiVersion: modelgate/v1
    kind: Model
    metadata: {name: churn, owners: ["@acme/data"]}
    spec:
      version: 1.0.0
      provides: [{contract: churn-score, version: 1}]
    """)


def dashboard(*fields: str) -> str:
    return dedent("""
        apiVersion: modelgate/v1
        kind: Model
        metadata: {name: crm-dashboard, owners: ["@acme/crm"]}
        spec:
          version: 1.0.0
          consumes:
            - contract: churn-score
              version: 1
              fields:
        """) + "".join(f"        - {field}\n" for field in fields)


def repo_with_pr(tmp_path: Path, head_dashboard: str) -> Path:
    repo = make_repo(tmp_path / "repo", {"contracts/churn-score.yaml": CHURN, "models/churn.yaml": PROVIDER,
                                         "models/crm-dashboard.yaml": dashboard("age_days")})
    git(repo, "checkout", "-q", "-b", "pr")
    commit(repo, {"models/crm-dashboard.yaml": head_dashboard}, "the dashboard reads more")
    return repo


def test_a_misspelt_field_fails_the_check_with_its_file_line_and_the_declared_name(tmp_path: Path) -> None:
    head = dashboard("age_days", "age_dayz")
    repo = repo_with_pr(tmp_path, head)
    done = run_cli("check", "--base", "main", "--head", "pr", "--format", "json", "--today", "2026-11-28", cwd=repo)
    assert done.returncode == 1, done.stderr
    out = json_out(done)
    assert out["verdict"] == "fail"
    assert [(f["rule"], f["severity"], f["file"], f["line"]) for f in out["findings"] if f["rule"] == "MG010"] == [
        ("MG010", "error", "models/crm-dashboard.yaml", line_of(head, "- age_dayz"))]
    message = next(f["message"] for f in out["findings"] if f["rule"] == "MG010")
    assert "'age_dayz'" in message and "did you mean 'age_days'" in message

    text = run_cli("check", "--base", "main", "--head", "pr", "--today", "2026-11-28", cwd=repo)
    assert text.returncode == 1
    assert f"models/crm-dashboard.yaml:{line_of(head, '- age_dayz')}  MG010" in text.stdout
    assert "did you mean 'age_days'?" in text.stdout


def test_lint_reports_a_nested_path_and_passes_once_it_is_declared(tmp_path: Path) -> None:
    head = dashboard("user.county")
    repo = repo_with_pr(tmp_path, head)
    done = run_cli("lint", "pr", cwd=repo)
    assert done.returncode == 1, done.stderr
    assert (f"models/crm-dashboard.yaml:{line_of(head, '- user.county')}: MG010 [error] field 'user.county' is not "
            "declared by the schema of contract:churn-score@1; did you mean 'user.country'?") in done.stdout
    commit(repo, {"models/crm-dashboard.yaml": dashboard("user.country", "age_days")}, "fixed")
    fixed = run_cli("lint", "pr", cwd=repo)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "MG010" not in fixed.stdout


def test_a_consumer_whose_fields_are_all_undeclared_is_impacted_as_if_it_read_every_field(tmp_path: Path) -> None:
    """The typo landed before the PR (a preexisting MG010); the PR breaks age_days: the dashboard is still asked."""
    repo = make_repo(tmp_path / "repo", {"contracts/churn-score.yaml": CHURN, "models/churn.yaml": PROVIDER,
                                         "models/crm-dashboard.yaml": dashboard("age_dayz")})
    git(repo, "checkout", "-q", "-b", "pr")
    commit(repo, {"contracts/churn-score.yaml": CHURN.replace("age_days: {type: integer}",
                                                              "age_days: {type: string}")}, "age_days as text")
    done = run_cli("check", "--base", "main", "--head", "pr", "--format", "json", "--today", "2026-11-28", cwd=repo)
    assert done.returncode == 1, done.stderr
    out = json_out(done)
    assert [(i["model"], i["via"], i["fields"]) for i in out["impact"]["direct"]] == [
        ("crm-dashboard", "contract:churn-score@1", ["age_days"])]
    assert [(f["rule"], f["preexisting"]) for f in out["findings"] if f["rule"] == "MG010"] == [("MG010", True)]
    assert any(a["rule"] == "MG302" and "@acme/crm" in a["owners"] for a in out["approvals"])
