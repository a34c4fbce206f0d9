"""The result cache: a check of the same pair of git trees is replayed, byte for byte, and anything else misses.

Most tests run ``modelgate check`` in-process (``bot.cli.main``) on real git repositories, counting the
evaluations through ``bot.check.evaluate``; one runs the real CLI twice to see a hit end to end.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.check
from bot import result_cache
from bot.cli import main
from bot.result import ChecklistItem, Finding, Impacted, Result
from bot.result_cache import ResultCache
from tests.helpers import commit, git, make_repo, run_cli, write_tree
from tests.scenarios import contract, model, version
from tests.test_report_view import sample_result

TODAY = "2026-11-28"
BASE = {
    "contracts/feat.yaml": contract("feat", version(1)),
    "models/pipe.yaml": model("pipe", provides=[("feat", 1)]),
    "models/scorer.yaml": model("scorer", consumes=[("feat", 1, ["a"])]),
}
BREAKING = {"contracts/feat.yaml": contract("feat", version(1, types="string"))}
KEY = {"format": "1", "base": "b" * 40, "head": "c" * 40}
HEAVY = ("bot.check", "bot.policy", "networkx", "jsonschema", "jinja2")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """main holds BASE (its parent lacks scorer); branch ``pr`` breaks contract feat (main checked out, the cwd)."""
    path = make_repo(tmp_path / "repo", {k: v for k, v in BASE.items() if k != "models/scorer.yaml"})
    commit(path, {"models/scorer.yaml": BASE["models/scorer.yaml"]}, "add scorer")
    git(path, "checkout", "-q", "-b", "pr")
    commit(path, BREAKING, "break feat")
    git(path, "checkout", "-q", "main")
    monkeypatch.chdir(path)
    return path


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[Result]:
    """Every Result ``bot.check.evaluate`` computes from now on."""
    seen: list[Result] = []
    real = bot.check.evaluate

    def counting(*args: object, **kwargs: object) -> Result:
        seen.append(real(*args, **kwargs))  # type: ignore[arg-type]
        return seen[-1]

    monkeypatch.setattr(bot.check, "evaluate", counting)
    return seen


def check(capsys: pytest.CaptureFixture[str], cache: Path | str, *args: str) -> tuple[int, str]:
    """(exit code, stdout) of ``modelgate check --base main --head pr ARGS`` with the cache at ``cache``."""
    code = main(["check", "--base", "main", "--head", "pr", "--today", TODAY, "--cache-dir", str(cache), *args])
    return code, capsys.readouterr().out


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "results").glob("*.json"))


# --- the whole command -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "text", "markdown", "github"])
def test_a_hit_replays_the_same_output_and_exit_code_without_evaluating(repo, tmp_path, capsys, monkeypatch, fmt):
    first = check(capsys, tmp_path / "cache", "--format", fmt)
    assert first[0] == 1 and "MG101" in first[1]

    def refuse(*args: object) -> Result:
        raise AssertionError("a hit must not evaluate")

    monkeypatch.setattr(bot.check, "evaluate", refuse)
    assert check(capsys, tmp_path / "cache", "--format", fmt) == first


def test_one_entry_serves_every_format(repo, tmp_path, capsys, evaluations):
    outputs = {fmt: check(capsys, tmp_path / "cache", "--format", fmt) for fmt in ("json", "text")}
    assert len(evaluations) == 1 and len(entries(tmp_path / "cache")) == 1
    assert json.loads(outputs["json"][1])["verdict"] == "fail" and "MG101" in outputs["text"][1]


def move_head(repo: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    git(repo, "checkout", "-q", "pr")
    commit(repo, {"models/extra.yaml": model("extra", consumes=[("feat", 1)])}, "one more consumer")
    git(repo, "checkout", "-q", "main")
    return []


def move_base(repo: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    git(repo, "tag", "-f", "b", "main~1")  # the same name, an older tree (and still the merge base)
    return []


def edit_config(repo: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    (repo.parent / "config.yml").write_text("rules: {MG101: warning}\n", encoding="utf-8")
    return []


def other_code(repo: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(result_cache, "code_digest", lambda: "another version of modelgate")
    return []


@pytest.mark.parametrize("change", [
    move_head, move_base, edit_config, other_code,
    lambda repo, monkeypatch: ["--today", "2026-11-29"],
    lambda repo, monkeypatch: ["--head", "PR"],  # the same commit by another name: the report shows the label
], ids=["head-tree", "base-tree", "config-content", "code", "today", "label"])
def test_anything_the_result_depends_on_misses(repo, tmp_path, capsys, monkeypatch, evaluations, change):
    git(repo, "tag", "b", "main")
    git(repo, "tag", "PR", "pr")
    config = repo.parent / "config.yml"
    config.write_text("rules: {MG101: error}\n", encoding="utf-8")
    args = ["--base", "b", "--config", str(config)]
    first = check(capsys, tmp_path / "cache", *args)
    assert check(capsys, tmp_path / "cache", *args) == first
    assert len(evaluations) == 1, "the same check again is a hit"
    again = check(capsys, tmp_path / "cache", *args, *change(repo, monkeypatch))
    assert len(evaluations) == 2, "a change of what the Result depends on is a miss"
    assert len(entries(tmp_path / "cache")) == 2
    assert again[1] == check(capsys, tmp_path / "cache", *args, *change(repo, monkeypatch))[1]
    assert len(evaluations) == 2, "and is then a hit of its own"


def test_a_new_commit_with_the_same_tree_is_a_hit(repo, tmp_path, capsys, evaluations):
    first = check(capsys, tmp_path / "cache", "--format", "json")
    git(repo, "checkout", "-q", "pr")
    git(repo, "commit", "-q", "--allow-empty", "-m", "re-run: same tree, new commit")
    git(repo, "checkout", "-q", "main")
    assert check(capsys, tmp_path / "cache", "--format", "json") == first
    assert len(evaluations) == 1


@pytest.mark.parametrize("head", ["directory", "working tree"])
def test_a_directory_or_working_tree_head_never_caches(repo, tmp_path, capsys, evaluations, head):
    if head == "directory":
        args = ["--head", str(write_tree(tmp_path / "head", {**BASE, **BREAKING}))]
    else:
        write_tree(repo, BREAKING)
        args = []
    for _ in range(2):
        assert main(["check", "--base", "main", *args, "--today", TODAY, "--cache-dir", str(tmp_path / "cache")]) == 1
    assert len(evaluations) == 2
    assert not entries(tmp_path / "cache")


def test_cache_dir_none_writes_nothing(repo, tmp_path, capsys, monkeypatch, evaluations):
    monkeypatch.setenv("MODELGATE_CACHE_DIR", str(tmp_path / "env-cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    check(capsys, "none")
    check(capsys, "none")
    assert len(evaluations) == 2
    assert not (tmp_path / "env-cache").exists() and not (tmp_path / "xdg").exists()


def test_without_cache_dir_results_go_under_the_parse_cache_of_the_environment(repo, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MODELGATE_CACHE_DIR", str(tmp_path / "env-cache"))
    assert main(["check", "--base", "main", "--head", "pr", "--today", TODAY]) == 1
    assert len(entries(tmp_path / "env-cache")) == 1


def test_a_corrupt_entry_is_healed(repo, tmp_path, capsys, evaluations):
    first = check(capsys, tmp_path / "cache")
    [entry] = entries(tmp_path / "cache")
    entry.write_bytes(entry.read_bytes()[:1000])
    assert check(capsys, tmp_path / "cache") == first
    assert len(evaluations) == 2
    json.loads(entry.read_bytes())  # written whole again
    assert check(capsys, tmp_path / "cache") == first
    assert len(evaluations) == 2


def test_a_config_that_cannot_be_read_is_still_a_usage_error(repo, tmp_path, capsys):
    code = main(["check", "--base", "main", "--head", "pr", "--config", str(tmp_path / "missing.yml"),
                 "--cache-dir", str(tmp_path / "cache")])
    assert code == 2
    assert "missing.yml" in capsys.readouterr().err


@pytest.mark.e2e
def test_the_real_cli_replays_a_hit_without_importing_the_engine(repo, tmp_path):
    args = ("check", "--base", "main", "--head", "pr", "--today", TODAY, "--format", "json",
            "--cache-dir", str(tmp_path / "cache"))
    env = {"PYTHONPROFILEIMPORTTIME": "1"}
    miss, hit = run_cli(*args, cwd=repo, env=env), run_cli(*args, cwd=repo, env=env)
    assert (hit.returncode, hit.stdout) == (miss.returncode, miss.stdout) == (1, miss.stdout)
    assert json.loads(hit.stdout)["verdict"] == "fail"

    def imported(done) -> set[str]:
        return {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}

    assert {m for m in imported(miss) if m.startswith(HEAVY)}, "the miss evaluates (so this test can fail)"
    assert not {m for m in imported(hit) if m.startswith(HEAVY)}


# --- the store ---------------------------------------------------------------------------------------------


def a_result(note: str = "") -> Result:
    return Result(
        "fail", "main", "pr", date(2026, 11, 28),
        findings=[Finding("MG101", "error", "b removed", "contracts/feat.yaml", 12, "contract:feat@1")],
        transitive=[Impacted("scorer", ("@acme/ml",), 2, ("feat", "pipe", "scorer"))],
        notes=[note] if note else [],
    )


@settings(max_examples=60, deadline=None)
@given(result=st.from_type(Result))
def test_any_result_reads_back_equal(tmp_path_factory, result):
    store = ResultCache(tmp_path_factory.mktemp("results"))
    store.put(KEY, result)
    assert store.get(KEY) == result


@pytest.mark.parametrize("content", [
    b"", b"not json", b"\xff\xfe", b"[]", b'{"key": {}, "result": {}}', b'{"key": null}',
    "truncated", "another key", "a directory",
])
def test_an_entry_that_does_not_read_back_whole_is_a_miss_and_is_removed(tmp_path, content):
    store = ResultCache(tmp_path)
    store.put(KEY, a_result())
    path = store.path(KEY)
    if content == "truncated":
        path.write_bytes(path.read_bytes()[:-10])
    elif content == "another key":
        other = {**KEY, "head": "d" * 40}
        store.put(other, a_result())
        store.path(other).replace(path)
    elif content == "a directory":
        path.unlink()
        path.mkdir()
    else:
        path.write_bytes(content)
    assert store.get(KEY) is None
    assert not path.is_file()


def test_the_bound_keeps_the_most_recently_used(tmp_path):
    store = ResultCache(tmp_path, max_entries=3)
    keys = [{**KEY, "head": str(n)} for n in range(4)]
    for age, key in enumerate(keys[:3]):
        store.put(key, a_result(str(age)))
        os.utime(store.path(key), (1000 + age, 1000 + age))
    assert store.get(keys[0]) == a_result("0")  # used: now the newest
    store.put(keys[3], a_result("3"))
    assert sorted(tmp_path.glob("*.json")) == sorted(store.path(k) for k in (keys[0], keys[2], keys[3]))
    assert store.get(keys[1]) is None


def test_temporary_files_of_dead_runs_are_pruned_and_fresh_ones_kept(tmp_path):
    stale, fresh = tmp_path / ".tmp-dead.json", tmp_path / ".tmp-writing.json"
    stale.write_bytes(b"{")
    fresh.write_bytes(b"{")
    os.utime(stale, (1000, 1000))
    ResultCache(tmp_path).put(KEY, a_result())
    assert not stale.exists() and fresh.exists()


def test_a_cache_that_cannot_be_written_is_only_a_miss(tmp_path):
    (tmp_path / "file").write_text("x")
    store = ResultCache(tmp_path / "file" / "results")
    store.put(KEY, a_result())
    assert store.get(KEY) is None


def _writer(root: str, number: int) -> None:
    store = ResultCache(root, max_entries=2)
    for round_ in range(25):
        store.put(KEY, a_result(str(number) * 200_000))  # large: a write is many syscalls, never atomic alone
        store.put({**KEY, "head": f"{number}-{round_}"}, a_result())  # prunes others' entries meanwhile


def test_concurrent_writers_never_leave_a_torn_entry(tmp_path):
    procs = [multiprocessing.Process(target=_writer, args=(str(tmp_path), n)) for n in range(3)]
    for proc in procs:
        proc.start()
    path, seen = ResultCache(tmp_path).path(KEY), set()
    while any(p.is_alive() for p in procs):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue  # pruned by a writer
        seen.add(json.loads(data)["result"]["notes"][0][0])  # whole JSON, or this raises
    for proc in procs:
        proc.join()
        assert proc.exitcode == 0
    assert seen <= {"0", "1", "2"}
    assert len(list(tmp_path.glob("*.json"))) <= 2 and not list(tmp_path.glob(".tmp-*"))


# --- the key -----------------------------------------------------------------------------------------------


def test_an_entry_keeps_what_a_check_says_it_cannot_tell(tmp_path):
    """A checklist item's cannot_tell and a sunset's unknown consumers read back whole (a replay is the same
    report)."""
    result = sample_result(checklist=[ChecklistItem("migrate:b:f@1", "Move b off f@1; cannot tell: m/b.yaml does "
                                                    "not load", ("@b",), None, False, "m/b.yaml")])
    assert any(s.unknown for s in result.sunsets)
    store = ResultCache(tmp_path)
    key: result_cache.Key = {"format": "1", "head": "t"}
    store.put(key, result)
    assert store.get(key) == result
