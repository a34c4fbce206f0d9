"""``modelgate check`` through the real command line on a git repository whose PR breaks a consumer's manifest: the
consumer is unknown at head, never done, never removed (issue 13, item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, commit, git, json_out, make_repo, run_cli
from tests.scenarios import contract, line_of, model, version

BASE = {
    "migrations/churn-v2.md": "# churn-score 1 → 2\n",
    "contracts/churn-score.yaml": contract(
        "churn-score", version(1, status="deprecated", sunset="2027-01-15", replacement=2,
                               migration="migrations/churn-v2.md"), version(2)),
    "models/churn-model.yaml": model("churn-model", provides=[("churn-score", 1), ("churn-score", 2)]),
    "models/crm-dashboard.yaml": model("crm-dashboard", consumes=[("churn-score", 1)], owners='["@acme/crm"]'),
}
# The PR's edit of crm-dashboard leaves a flow sequence open: a YAML error.
BROKEN = BASE["models/crm-dashboard.yaml"].replace("  consumes:\n", "  consumes: [\n")
TODAY = "2026-11-28"


def pr_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo", BASE)
    git(repo, "checkout", "-q", "-b", "pr")
    commit(repo, {"models/crm-dashboard.yaml": BROKEN}, "crm-dashboard: edit")
    return repo


def test_a_consumer_whose_manifest_breaks_is_unknown_in_every_section(tmp_path: Path) -> None:
    repo = pr_repo(tmp_path)
    done = run_cli("check", "--base", "main", "--head", "pr", "--format", "json", "--today", TODAY, cwd=repo)
    assert done.returncode == 1, done.stderr
    out = json_out(done)
    assert out["verdict"] == "fail"
    errors = [(f["rule"], f["file"], f["line"]) for f in out["findings"] if f["severity"] == "error"
              and not f["preexisting"]]
    [(rule, file, line)] = errors
    assert (rule, file) == ("MG001", "models/crm-dashboard.yaml")
    assert line == line_of(BROKEN, "consumes: [") + 1  # the sequence's next line is where the YAML goes wrong
    assert [(c["subject"], c["type"]) for c in out["changes"]] == [("model:crm-dashboard", "MANIFEST_UNREADABLE")]
    [item] = out["checklist"]
    assert (item["id"], item["done"], item["cannot_tell"]) == (
        "migrate:crm-dashboard:churn-score@1", False, "models/crm-dashboard.yaml")
    assert item["text"].endswith("; cannot tell: models/crm-dashboard.yaml does not load")
    assert item["owners"] == ["@acme/crm"]
    assert not [p for p in out["plan"] if p["stage"] == "retire"]
    # crm-dashboard is not shipped (nothing says what its new version is); it still has to move off churn-score@1
    assert [(p["stage"], p["models"]) for p in out["plan"]] == [("migrate", ["crm-dashboard"]),
                                                                 ("hold", ["churn-model"])]
    hold = out["plan"][-1]
    assert "no retirement of churn-score@1 is proposed" in hold["why"]
    assert "models/crm-dashboard.yaml does not load" in hold["why"]
    assert {(a["rule"], a["subject"], tuple(a["owners"])) for a in out["approvals"]} == {
        ("MG301", "model:crm-dashboard", ("@acme/crm",))}

    text = run_cli("check", "--base", "main", "--head", "pr", "--format", "text", "--today", TODAY, cwd=repo)
    assert text.returncode == 1, text.stderr
    lines = text.stdout.splitlines()
    assert ("  contract:churn-score@1  2027-01-15 (48 days left)  still consumed by crm-dashboard (cannot tell: "
            "models/crm-dashboard.yaml does not load)") in lines
    assert not [line for line in lines if "[x]" in line]


def test_the_same_pr_that_really_moves_the_consumer_ticks_it_off_and_retires(tmp_path: Path) -> None:
    """The control: with crm-dashboard moved to churn-score@2 (and loading), the item is done and the retirement is
    proposed, so the test above fails for the unknown manifest, not for the shape of the repository."""
    repo = make_repo(tmp_path / "repo", BASE)
    git(repo, "checkout", "-q", "-b", "pr")
    commit(repo, {"models/crm-dashboard.yaml": model("crm-dashboard", consumes=[("churn-score", 2)],
                                                     owners='["@acme/crm"]')})
    done = run_cli("check", "--base", "main", "--head", "pr", "--format", "json", "--today", TODAY, cwd=repo)
    out = json_out(done)
    assert done.returncode == 0, done.stderr
    assert [(i["done"], "cannot_tell" in i) for i in out["checklist"]] == [(True, False)]
    assert [p["stage"] for p in out["plan"]][-1] == "retire"


@pytest.mark.skipif(not (REPO_ROOT / "rules" / "MG009.yaml").exists(),
                    reason="needs MG009 (a manifest the globs do not load), built beside this on issue 13")
def test_a_manifest_renamed_out_of_the_globs_never_passes_and_is_never_removed(tmp_path: Path) -> None:
    config = {".modelgate.yml": "manifests: {include: ['contracts/*.yaml', 'models/*.yaml']}\n"}
    repo = make_repo(tmp_path / "repo", {**BASE, **config})
    git(repo, "checkout", "-q", "-b", "pr")
    commit(repo, {"models/crm-dashboard.yaml": None,
                  "models/crm-dashboard.yml": BASE["models/crm-dashboard.yaml"]}, "rename")
    done = run_cli("check", "--base", "main", "--head", "pr", "--format", "json", "--today", TODAY, cwd=repo)
    assert done.returncode == 1, done.stderr
    out = json_out(done)
    assert [(f["rule"], f["file"]) for f in out["findings"] if f["severity"] == "error" and not f["preexisting"]] \
        == [("MG001", "models/crm-dashboard.yml")]
    assert [(c["subject"], c["type"]) for c in out["changes"]] == [("model:crm-dashboard", "MANIFEST_UNREADABLE")]
    assert [(i["done"], i["cannot_tell"]) for i in out["checklist"]] == [(False, "models/crm-dashboard.yml")]


def test_the_change_of_a_manifest_that_does_not_load_is_unknown_not_compatible(tmp_path: Path) -> None:
    """The Changes section does not call a manifest it cannot read "compatible": its row says "unknown" (the JSON
    keeps ``breaking: false`` and the type MANIFEST_UNREADABLE)."""
    repo = pr_repo(tmp_path)
    text = run_cli("check", "--base", "main", "--head", "pr", "--format", "text", "--today", TODAY, cwd=repo)
    assert text.returncode == 1, text.stderr
    [row] = [line for line in text.stdout.splitlines() if "MANIFEST_UNREADABLE" in line]
    assert row.startswith("  unknown     model:crm-dashboard  metadata MANIFEST_UNREADABLE — "), row
    markdown = run_cli("check", "--base", "main", "--head", "pr", "--format", "markdown", "--today", TODAY, cwd=repo)
    assert markdown.returncode == 1, markdown.stderr
    [row] = [line for line in markdown.stdout.splitlines() if "MANIFEST\\_UNREADABLE" in line]
    assert row.startswith("| ❔ unknown | model:crm-dashboard | "), row
    assert "compatible" not in row
