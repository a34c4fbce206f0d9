"""``modelgate check`` through the real command line: git revisions (merge base), directories, formats, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from bot.cli import main
from tests.helpers import REPO_ROOT, commit, git, json_out, make_repo, run_cli, write_tree
from tests.helpers import contract as contract_of
from tests.scenarios import contract, model, version

SCHEMA = json.loads((REPO_ROOT / "docs" / "check-output.schema.json").read_text(encoding="utf-8"))
EXAMPLE = REPO_ROOT / "examples" / "fraud-platform"
BASE = {
    "contracts/feat.yaml": contract("feat", version(1)),
    "models/pipe.yaml": model("pipe", provides=[("feat", 1)]),
    "models/scorer.yaml": model("scorer", consumes=[("feat", 1, ["a"])]),
}
BREAKING = {"contracts/feat.yaml": contract("feat", version(1, types="string"))}


def valid(output: dict) -> dict:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(output)
    return output


def test_the_output_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def branched_repo(tmp_path: Path) -> Path:
    """A repository whose branch ``pr`` breaks contract feat, with a consumer ``late`` landed on main after the
    branch point (main checked out)."""
    repo = make_repo(tmp_path / "repo", BASE)
    git(repo, "checkout", "-q", "-b", "pr")
    commit(repo, BREAKING, "remove b")
    git(repo, "checkout", "-q", "main")
    commit(repo, {"models/late.yaml": model("late", consumes=[("feat", 1)])}, "landed on main after the branch point")
    return repo


def test_git_revisions_use_the_merge_base(tmp_path: Path) -> None:
    repo = branched_repo(tmp_path)
    done = run_cli("check", "--base", "main", "--head", "pr", "--format", "json", "--today", "2026-11-28", cwd=repo)
    out = valid(json_out(done))
    assert done.returncode == 1, done.stderr
    assert {c["subject"] for c in out["changes"]} == {"contract:feat@1"}
    assert {(f["rule"], f["file"]) for f in out["findings"]} == {("MG101", "contracts/feat.yaml")}
    assert "late" not in {i["model"] for i in out["impact"]["direct"]}
    assert out["verdict"] == "fail"


def test_a_branch_from_an_old_commit_is_judged_by_the_policy_of_the_base_tip(tmp_path: Path) -> None:
    """An old commit turned MG101 off; main turned it on again; a branch cut from the old commit breaks a contract.
    The merge base says what changed, the given base (main's tip, the trust root) says which rules apply."""
    repo = make_repo(tmp_path / "repo", {**BASE, ".modelgate.yml": "rules: {MG101: off}\n"})
    git(repo, "checkout", "-q", "-b", "pr")
    commit(repo, BREAKING, "remove b")
    git(repo, "checkout", "-q", "main")
    commit(repo, {".modelgate.yml": "rules: {}\n"}, "MG101 is on again")
    done = run_cli("check", "--base", "main", "--head", "pr", "--format", "json", "--today", "2026-11-28",
                   "--cache-dir", "none", cwd=repo)
    out = valid(json_out(done))
    assert "MG101" in {f["rule"] for f in out["findings"]}
    assert out["verdict"] == "fail" and done.returncode == 1
    assert {c["subject"] for c in out["changes"]} == {"contract:feat@1"}  # main's own change is not the branch's


def test_the_result_cache_keys_on_the_trust_root(tmp_path: Path) -> None:
    """The same merge base and head under another tip of main are another check: a stored Result is not replayed."""
    repo = make_repo(tmp_path / "repo", {**BASE, ".modelgate.yml": "rules: {MG101: off}\n"})
    git(repo, "checkout", "-q", "-b", "pr")
    commit(repo, BREAKING, "remove b")
    git(repo, "checkout", "-q", "main")
    commit(repo, {"docs/a.md": "a\n"}, "main moves on, MG101 still off")
    args = ("check", "--base", "main", "--head", "pr", "--format", "json", "--today", "2026-11-28",
            "--cache-dir", str(tmp_path / "cache"))
    assert json_out(run_cli(*args, cwd=repo))["verdict"] != "fail"
    commit(repo, {".modelgate.yml": "rules: {}\n"}, "MG101 is on again")
    assert json_out(run_cli(*args, cwd=repo))["verdict"] == "fail"


def test_the_working_tree_is_compared_with_its_merge_base(tmp_path: Path) -> None:
    repo = branched_repo(tmp_path)
    git(repo, "checkout", "-q", "pr")
    done = run_cli("check", "--base", "main", "--format", "json", "--today", "2026-11-28", cwd=repo)
    out = valid(json_out(done))
    assert {c["subject"] for c in out["changes"]} == {"contract:feat@1"}, "late (landed on main) is no PR change"
    assert "merge base" in out["base"]


def test_default_base_is_main_and_default_head_the_working_tree(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", BASE)
    write_tree(repo, {"contracts/feat.yaml": contract("feat", version(1, props=("a",)))})  # b dropped: compatible
    done = run_cli("check", "--format", "json", "--today", "2026-11-28", cwd=repo)
    out = valid(json_out(done))
    assert done.returncode == 0, done.stderr
    assert out["verdict"] == "pending"
    assert [(a["rule"], a["subject"], a["satisfied"]) for a in out["approvals"]] == [
        ("MG301", "contract:feat", False)]


def test_config_file_replaces_the_trusted_configuration(tmp_path: Path) -> None:
    base = write_tree(tmp_path / "base", BASE)
    head = write_tree(tmp_path / "head", {**BASE, **BREAKING})
    config = write_tree(tmp_path, {"relaxed.yml": "rules: {MG101: off}\n"}) / "relaxed.yml"
    strict = run_cli("check", "--base", str(base), "--head", str(head), "--today", "2026-11-28")
    relaxed = run_cli("check", "--base", str(base), "--head", str(head), "--config", str(config),
                      "--today", "2026-11-28", "--format", "json")
    assert strict.returncode == 1, strict.stderr
    assert relaxed.returncode == 0, relaxed.stderr
    assert valid(json_out(relaxed))["findings"] == []


def dated_contract(own_format: str | None = None, **day: str) -> str:
    schema = {"type": "object", "properties": {"day": {"type": "string", **day}}}
    compat = {"compat": {"format": own_format}} if own_format else {}
    return contract_of("feat", [{"version": 1, "status": "active", "schema": schema}], compatibility="backward",
                       **compat)


@pytest.mark.parametrize(("config", "own_format", "breaks"), [
    (None, None, True), ("compat: {format: assert}\n", None, True), ("compat: {format: annotate}\n", None, False),
    (None, "annotate", False), ("compat: {format: annotate}\n", "assert", True)])
def test_a_format_added_under_backward_is_mg101_unless_the_contract_or_the_configuration_annotates(
        tmp_path: Path, config: str | None, own_format: str | None, breaks: bool) -> None:
    files = {"contracts/feat.yaml": dated_contract(own_format),
             "models/pipe.yaml": model("pipe", provides=[("feat", 1)]),
             "models/reader.yaml": model("reader", consumes=[("feat", 1)])}
    repo = make_repo(tmp_path / "repo", {**files, **({".modelgate.yml": config} if config else {})})
    git(repo, "checkout", "-q", "-b", "pr")
    commit(repo, {"contracts/feat.yaml": dated_contract(own_format, format="date")}, "day becomes a date")
    done = run_cli("check", "--base", "main", "--head", "pr", "--format", "json", "--today", "2026-11-28",
                   "--cache-dir", "none", cwd=repo)
    out = valid(json_out(done))
    assert ("MG101" in {f["rule"] for f in out["findings"]}) is breaks, out["findings"]
    assert (done.returncode == 1) is breaks, done.stderr
    if breaks:
        assert {(c["type"], c["breaking"]) for c in out["changes"]} == {("FORMAT_ADDED", True)}


def test_a_pr_cannot_annotate_the_format_it_adds(tmp_path: Path) -> None:
    """The base's ``spec.compat`` applies to the PR, as its ``compatibility`` does."""
    files = {"contracts/feat.yaml": dated_contract(), "models/pipe.yaml": model("pipe", provides=[("feat", 1)])}
    repo = make_repo(tmp_path / "repo", files)
    git(repo, "checkout", "-q", "-b", "pr")
    commit(repo, {"contracts/feat.yaml": dated_contract("annotate", format="date")}, "annotate, and add a format")
    done = run_cli("check", "--base", "main", "--head", "pr", "--format", "json", "--today", "2026-11-28",
                   "--cache-dir", "none", cwd=repo)
    out = valid(json_out(done))
    assert done.returncode == 1, done.stderr
    assert {(c["type"], c["breaking"]) for c in out["changes"]} == {("FORMAT_ADDED", True), ("COMPAT_CHANGED", False)}
    assert "MG101" in {f["rule"] for f in out["findings"]}


def test_a_head_cannot_turn_its_own_rule_off(tmp_path: Path) -> None:
    base = write_tree(tmp_path / "base", BASE)
    head = write_tree(tmp_path / "head", {**BASE, **BREAKING, ".modelgate.yml": "rules: {MG101: off}\n"})
    done = run_cli("check", "--base", str(base), "--head", str(head), "--today", "2026-11-28", "--format", "json")
    out = valid(json_out(done))
    assert done.returncode == 1
    assert ("MG301", "config") in {(a["rule"], a["subject"]) for a in out["approvals"]}


@pytest.mark.parametrize("fmt", ["json", "text", "markdown", "github"])
def test_the_example_in_every_format(fmt: str) -> None:
    if not (EXAMPLE / "head").is_dir():
        pytest.skip("examples/fraud-platform is not there")
    done = run_cli("check", "--base", str(EXAMPLE / "base"), "--head", str(EXAMPLE / "head"),
                   "--today", "2026-11-28", "--format", fmt)
    assert done.returncode == 1, done.stderr
    if fmt == "json":
        assert valid(json_out(done))["verdict"] == "fail"
    elif fmt == "github":
        assert "file=contracts/transaction-features.yaml,line=30" in done.stdout
    else:
        assert "MG101" in done.stdout


@pytest.mark.parametrize("args", [["--base", "no-such-rev"], ["--today", "someday"], ["--format", "yaml"]])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    repo = make_repo(tmp_path / "repo", BASE)
    done = run_cli("check", *args, cwd=repo)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_outside_a_repository_without_a_base_says_what_to_pass(tmp_path, capsys):
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "neither origin/HEAD nor main is a revision here; pass --base REV" in err
    assert "--base DIR --head DIR" in err
