"""``approvals.transitive`` end to end: ``modelgate check`` through the real command line on a real git repository.

A chain A → B → C → D (model a provides a-out, which b reads, and so on; see ``tests.test_approvals.CHAIN``); the
PR breaks a-out@1 (MG101), so b is impacted directly (depth 1), c at depth 2 and d, three hops down, at depth 3.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import commit, git, json_out, make_repo, run_cli
from tests.scenarios import contract, line_of, version
from tests.test_approvals import CHAIN

BREAK = {"contracts/a-out.yaml": contract("a-out", version(1, types="string"))}
D_REASON = ("transitively impacted at depth 3 through contract:a-out@1 → model:b → contract:b-out@1 → model:c → "
            "contract:c-out@1 → model:d (approvals.transitive: require): the owners approve or /rollout ack")


def check(tmp_path: Path, config: str | None, *extra: str) -> subprocess.CompletedProcess[str]:
    """``modelgate check --base main --head pr`` on a repository whose branch ``pr`` breaks a-out@1."""
    repo = make_repo(tmp_path / "repo", {**CHAIN, **({".modelgate.yml": config} if config is not None else {})})
    git(repo, "checkout", "-q", "-b", "pr")
    commit(repo, BREAK, "a-out@1: a is a string now")
    return run_cli("check", "--base", "main", "--head", "pr", "--today", "2026-11-28", *extra, cwd=repo)


def as_json(tmp_path: Path, config: str | None) -> tuple[int, dict[str, Any]]:
    done = check(tmp_path, config, "--format", "json")
    return done.returncode, json_out(done)


def downstream(out: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(a["subject"], a["owners"]) for a in out["approvals"] if a["rule"] == "MG302"]


def transitive(out: dict[str, Any]) -> list[tuple[str, int, list[str], list[str]]]:
    return [(i["model"], i["depth"], i["owners"], i["chain"]) for i in out["impact"]["transitive"]]


D_CHAIN = ["contract:a-out@1", "model:b", "contract:b-out@1", "model:c", "contract:c-out@1", "model:d"]


def test_require_asks_the_owners_three_hops_down_and_the_check_is_blocked(tmp_path: Path) -> None:
    code, out = as_json(tmp_path, "approvals: {transitive: require}\n")
    assert code == 1 and out["verdict"] == "fail"
    assert {(f["rule"], f["file"]) for f in out["findings"]} == {("MG101", "contracts/a-out.yaml")}
    assert downstream(out) == [("model:b", ["@b-owner"]), ("model:c", ["@c-owner"]), ("model:d", ["@d-owner"])]
    [d] = [a for a in out["approvals"] if a["subject"] == "model:d"]
    assert (d["reason"], d["satisfied"], d["by"]) == (D_REASON, False, [])
    assert transitive(out)[-1] == ("d", 3, ["@d-owner"], D_CHAIN)


@pytest.mark.parametrize("config", [None, "approvals: {transitive: notify}\n"])
def test_notify_lists_them_with_owners_and_depth_but_does_not_ask(tmp_path: Path, config: str | None) -> None:
    code, out = as_json(tmp_path, config)
    assert code == 1 and out["verdict"] == "fail"  # MG101 still fails it; only the approvals differ
    assert downstream(out) == [("model:b", ["@b-owner"])]
    assert transitive(out) == [("c", 2, ["@c-owner"], D_CHAIN[:4]), ("d", 3, ["@d-owner"], D_CHAIN)]


def test_max_depth_stops_the_asking_not_the_listing(tmp_path: Path) -> None:
    code, out = as_json(tmp_path, "approvals:\n  transitive: require\n  max_depth: 2\n")
    assert code == 1
    assert downstream(out) == [("model:b", ["@b-owner"]), ("model:c", ["@c-owner"])]
    assert [m for m, *_ in transitive(out)] == ["c", "d"]


def test_the_text_and_markdown_reports_say_who_approves(tmp_path: Path) -> None:
    config = "approvals:\n  transitive: require\n  max_depth: 2\n"
    text = check(tmp_path / "text", config, "--format", "text").stdout
    assert ("    d  depth 3  contract:a-out@1 → model:b → contract:b-out@1 → model:c → contract:c-out@1 → model:d  "
            "owners: @d-owner\n") in text
    assert "model:c  owners: @c-owner  approval required\n" in text
    assert "waiting   MG302 model:c — transitively impacted at depth 2 through" in text
    markdown = check(tmp_path / "md", config, "--format", "markdown").stdout
    assert "<details><summary>Transitively impacted (2) — at risk of a cascading regression: shadow before " \
           "production; the owners of those marked *required* approve" in markdown
    assert "| c | 2 | contract:a-out@&#8203;1 → model:b → contract:b-out@&#8203;1 → model:c | @&#8203;c-owner | " \
           "required |" in markdown
    assert "| @&#8203;d-owner | not asked (deeper than approvals.max_depth) |" in markdown
    notified = check(tmp_path / "notify", None, "--format", "text").stdout
    assert "model:d  owners: @d-owner\n" in notified and "approval required" not in notified


def test_max_depth_without_require_is_mg001_with_its_line(tmp_path: Path) -> None:
    config = "admins: ['@acme/platform']\napprovals:\n  allow_author: false\n  max_depth: 3\n"
    code, out = as_json(tmp_path, config)
    assert code == 1 and out["verdict"] == "fail"
    [problem] = [f for f in out["findings"] if f["rule"] == "MG001"]
    assert (problem["file"], problem["line"]) == (".modelgate.yml", line_of(config, "max_depth"))
    assert "max_depth bounds `transitive: require`" in problem["message"]
