"""Two ``modelgate action`` runs for one PR at once (a push and a review), as two processes against the double.

Both read the PR while neither has posted its report yet (the double holds each comment listing until both
runs have asked for it), so both post one: the run must settle that race itself. The end state is one report
comment and a status on the newer head.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from typing import Any

from tests.github_double import GitHubDouble
from tests.helpers import BOT_HOME, GIT_ENV, REPO_ROOT
from tests.test_action import REPO, TODAY, World


def _hold_listings(github: GitHubDouble, runs: int) -> threading.Barrier:
    """Make the first comment listing of each run wait for the other runs' (a deterministic race)."""
    barrier = threading.Barrier(runs, timeout=30)
    answer = github._answer
    seen: list[int] = []

    def held(index: int, method: str, path: str, *args: Any) -> Any:
        if method == "GET" and path.endswith("/issues/7/comments") and len(seen) < runs:
            seen.append(index)
            github._lock.release()  # let the other run's requests in while this one waits
            try:
                barrier.wait()
            finally:
                github._lock.acquire()
        return answer(index, method, path, *args)

    github._answer = held  # type: ignore[method-assign]
    return barrier


def _start(world: World, name: str, payload: dict[str, Any]) -> subprocess.Popen[str]:
    path = world.tmp / f"{name}.json"
    path.write_text(json.dumps(payload))
    env = {**os.environ, **GIT_ENV, "PYTHONPATH": str(BOT_HOME), "GITHUB_EVENT_PATH": str(path),
           "GITHUB_EVENT_NAME": "pull_request" if name == "push" else "pull_request_review",
           "GITHUB_OUTPUT": str(world.tmp / f"{name}.out"), "GITHUB_STEP_SUMMARY": str(world.tmp / f"{name}.md")}
    return subprocess.Popen([sys.executable, "-m", "bot", "action", "--today", TODAY], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO_ROOT)


def test_a_push_and_a_review_at_once_leave_one_report_and_the_newer_heads_status(tmp_path, monkeypatch):
    with GitHubDouble(REPO) as github:
        world = World(tmp_path, github, monkeypatch)
        old_head = world.head
        review = world.payload("pull_request_review.submitted.json")  # delivered for the old head
        github.add_review(7, "alice", "APPROVED", commit_id=old_head)
        new_head = world.push({"README.md": "pushed while the review ran\n"})
        push = world.payload()
        barrier = _hold_listings(github, 2)
        runs = [_start(world, "push", push), _start(world, "review", review)]
        done = [run.communicate(timeout=120) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], done
        assert not barrier.broken
        reports = world.reports()
        assert len(reports) == 1, [r["id"] for r in reports]
        assert len(github.calls("POST", r"/issues/7/comments$")) == 2  # the race happened: both posted
        statuses = github.statuses_for(new_head)
        assert statuses and statuses[-1]["state"] == "pending"
        assert "0 of 2 approvals" in statuses[-1]["description"]  # alice approved the old head only
        assert not github.statuses_for(old_head)
    github.assert_clean()
