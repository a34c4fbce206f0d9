"""``modelgate check`` through the real command line on a git repository whose PR hides a consumer's manifest from
the loader instead of breaking its YAML: the file is still there but no longer reads as a manifest (re-encoded as
UTF-16, an apiVersion that is a list or no longer starts with ``modelgate``). The consumer is unknown at head, never
removed: its MG001 blocks the merge and the breaking change still asks it (issue 13, item 1 and 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import commit, git, json_out, make_repo, run_cli
from tests.test_cli_unknown import BASE, TODAY

CONSUMER = "models/crm-dashboard.yaml"
HIDDEN = {
    "utf-16": BASE[CONSUMER].encode("utf-16"),
    "list": BASE[CONSUMER].replace("apiVersion: modelgate/v1", "apiVersion: [modelgate/v1]").encode(),
    "typo": BASE[CONSUMER].replace("apiVersion: modelgate/v1", "apiVersion: mode1gate/v1").encode(),
}


@pytest.mark.parametrize("how", sorted(HIDDEN))
def test_a_consumer_hidden_from_the_loader_is_unknown_not_removed(tmp_path: Path, how: str) -> None:
    repo = make_repo(tmp_path / "repo", BASE)
    git(repo, "checkout", "-q", "-b", "pr")
    (repo / CONSUMER).write_bytes(HIDDEN[how])
    commit(repo, {}, f"crm-dashboard: {how}")
    done = run_cli("check", "--base", "main", "--head", "pr", "--format", "json", "--today", TODAY, cwd=repo)
    assert done.returncode == 1, done.stderr
    out = json_out(done)
    assert out["verdict"] == "fail"
    errors = [(f["rule"], f["file"], f["line"]) for f in out["findings"] if f["severity"] == "error"]
    assert errors == [("MG001", CONSUMER, 1)]
    assert "MODEL_REMOVED" not in {c["type"] for c in out["changes"]}
    [item] = out["checklist"]
    assert (item["done"], item["cannot_tell"]) == (False, CONSUMER)
    assert not [p for p in out["plan"] if p["stage"] == "retire"]


def test_deleting_the_file_is_still_a_removal(tmp_path: Path) -> None:
    """The control: the same consumer deleted is a removal, so the test above fails for the hidden file."""
    repo = make_repo(tmp_path / "repo", BASE)
    git(repo, "checkout", "-q", "-b", "pr")
    git(repo, "rm", "-q", CONSUMER)
    commit(repo, {}, "crm-dashboard: removed")
    out = json_out(run_cli("check", "--base", "main", "--head", "pr", "--format", "json", "--today", TODAY, cwd=repo))
    assert "MODEL_REMOVED" in {c["type"] for c in out["changes"]}
    assert not [f for f in out["findings"] if f["rule"] == "MG001"]
