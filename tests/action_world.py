"""Plain parts of a ``modelgate action`` run against the GitHub double, shared by tests and benchmarks.

    env = action_env(github.url, workspace, tmp)              # the Actions environment of one run
    payload = pull_request_payload(7, head=head, base=base)   # a real synchronize payload for PR #7
    busy_pull(github, 7, head, comments=100, reviews=20)      # the PR of the API budget (docs/github.md)
    code, client = run_action(os.environ.__setitem__, "pull_request", payload, tmp / "event.json", sleep=...)
    read_outputs(tmp / "output.txt")                          # {"verdict": "fail", "errors": "3", ...}

No pytest here: tests pass ``monkeypatch.setenv`` wherever the environment is set, a benchmark sets ``os.environ``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.commands.action import execute
from bot.github.client import Client, RetryPolicy
from tests.github_double import GitHubDouble

REPO = "acme/platform"
TODAY = "2026-11-28"
EVENTS = Path(__file__).parent / "fixtures" / "github" / "events"
INPUTS = ("MODELGATE_CONFIG", "MODELGATE_BOT_LOGIN", "MODELGATE_STATUS_CONTEXT", "MODELGATE_TODAY", "MODELGATE_SARIF")


def action_env(api_url: str, workspace: Path, tmp: Path, repo: str = REPO) -> dict[str, str]:
    """The standard Actions environment of a run on ``repo`` (summary and outputs go to files in ``tmp``);
    the event's name and path are set per run, and the action's inputs (``INPUTS``) are left unset."""
    return {
        "GITHUB_REPOSITORY": repo, "GITHUB_API_URL": api_url, "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "42", "GITHUB_WORKSPACE": str(workspace), "GITHUB_TOKEN": "t0ken",
        "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"), "GITHUB_OUTPUT": str(tmp / "output.txt"),
    }


def pull_request_payload(number: int, *, head: str, base: str, name: str = "pull_request.synchronize.json") -> dict:
    """A recorded event payload (tests/fixtures/github/events/NAME) pointed at PR ``number``, ``head`` and ``base``."""
    payload = json.loads((EVENTS / name).read_text())
    for key in ("pull_request", "issue"):
        if key in payload:
            payload[key]["number"] = number
    if "pull_request" in payload:
        payload["pull_request"]["head"]["sha"] = head
        payload["pull_request"]["base"]["sha"] = base
    return payload


def read_outputs(path: Path) -> dict[str, str]:
    """The ``name<<DELIMITER`` blocks a run wrote to $GITHUB_OUTPUT, as a dict."""
    lines = path.read_text().splitlines()
    found, i = {}, 0
    while i < len(lines):
        key, delimiter = lines[i].split("<<", 1)
        end = lines.index(delimiter, i + 1)
        found[key] = "\n".join(lines[i + 1:end])
        i = end + 1
    return found


def busy_pull(github: GitHubDouble, number: int, head: str, *, comments: int, reviews: int) -> None:
    """Comments by seven users and ``reviews`` COMMENTED reviews on ``head``, as on a long-lived PR."""
    for i in range(comments):
        github.add_comment(number, f"user{i % 7}", f"looks good {i}")
    for i in range(reviews):
        github.add_review(number, f"reviewer{i}", "COMMENTED", commit_id=head)


def run_action(setenv: Callable[[str, str], None], event: str, payload: dict[str, Any], event_path: Path, *,
               sleep: Callable[[float], None], policy: RetryPolicy | None = None,
               today: str = TODAY) -> tuple[int, Client | None]:
    """Write ``payload`` to ``event_path``, ``setenv`` the event's name and path, and run ``modelgate action`` in
    this process (the rest of the environment is the caller's); return its exit code and the client it used
    (None if it made none)."""
    event_path.write_text(json.dumps(payload))
    setenv("GITHUB_EVENT_NAME", event)
    setenv("GITHUB_EVENT_PATH", str(event_path))
    made: list[Client] = []

    def make(token: str | None, url: str | None) -> Client:
        made.append(Client(token, url, sleep=sleep, policy=policy))
        return made[-1]

    code = execute(argparse.Namespace(today=today), make)
    return code, (made[-1] if made else None)
