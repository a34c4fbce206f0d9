"""Fault injection by call index across whole ``modelgate action`` runs (docs/github.md, "Faults, retries and the API
budget").

A clean run is made first to count its API calls (K). Then, for every i < K and every kind of fault
(500, 403, 404, a dropped connection), call i of the same run fails persistently (its retries too), and the
run must leave either the previous state or an ``error`` status with the reason: never a half-written report,
a duplicate comment or deployment, or a silent exit 0.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.commands.action import execute
from bot.github.client import Client, RetryPolicy
from tests.github_double import RESET, GitHubDouble
from tests.test_action import MARKER, REPO, World
from tests.test_github_commands import World as RolloutWorld

FAULTS = {"500": 500, "403": 403, "404": 404, "reset": RESET}
POLICY = RetryPolicy(budget=20, max_attempts=3)
BOT = "github-actions[bot]"
FOOTER = "</sub>\n"  # the last line of every complete report


@dataclass
class Outcome:
    code: int
    err: str
    outputs: str


def _run(client_log: list[Client], tmp: Path, monkeypatch: pytest.MonkeyPatch, github: GitHubDouble) -> int:
    def make(token: str | None, url: str | None) -> Client:
        client = Client(token, url, sleep=github.sleeps.append, policy=POLICY)
        client_log.append(client)
        return client

    return execute(argparse.Namespace(today="2026-11-28"), make)


def _reports(github: GitHubDouble) -> list[dict]:
    return [c for c in github.comments_on(7) if MARKER in (c["body"] or "") and c["user"]["login"] == BOT]


def _assert_left_a_clear_state(outcome: Outcome, github: GitHubDouble, head: str, before: list[str],
                               what: str) -> None:
    reports = _reports(github)
    assert len(reports) == 1, f"{what}: {len(reports)} reports"
    body = reports[0]["body"]
    assert body.startswith(MARKER) and body.endswith(FOOTER), f"{what}: a half-written report"
    states = [s["state"] for s in github.statuses_for(head)]
    if outcome.code == 0:
        assert states and states[-1] in ("pending", "success", "failure"), f"{what}: exit 0 without a status"
        assert "verdict<<" in outcome.outputs
        return
    assert outcome.code == 1, f"{what}: exit {outcome.code}"
    lines = outcome.err.splitlines()
    assert lines and all(line.startswith("modelgate action: ") for line in lines), outcome.err
    assert "verdict<<" not in outcome.outputs, f"{what}: outputs of a failed run"
    if states[len(before):]:
        assert states[-1] == "error", f"{what}: the run failed but the status says {states[-1]}"
        assert github.statuses_for(head)[-1]["description"], what
    else:
        assert states == before, f"{what}: neither the previous state nor an error status"


# --- a pull_request run ----------------------------------------------------------------------------------

def _pr_world(tmp: Path, monkeypatch: pytest.MonkeyPatch, github: GitHubDouble) -> World:
    """A PR with a report from an earlier run, and a new approval that changes what the next run writes."""
    world = World(tmp, github, monkeypatch)
    assert world.run() == 0
    github.add_review(7, "alice", "APPROVED", commit_id=world.head)
    path = tmp / "event.json"
    path.write_text(json.dumps(world.payload()))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(path))
    return world


def _faulty_pr_run(tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                   fault: Callable[[GitHubDouble, int], None] | None) -> tuple[Outcome, GitHubDouble, World, int]:
    with GitHubDouble(REPO) as github:
        world = _pr_world(tmp, monkeypatch, github)
        before = len(github.log)
        world.output.write_text("")
        capsys.readouterr()
        if fault:
            fault(github, before)
        code = _run([], tmp, monkeypatch, github)
        outcome = Outcome(code, capsys.readouterr().err, world.output.read_text())
    return outcome, github, world, before


def test_every_call_of_a_pull_request_run_failing(tmp_path, monkeypatch, capsys):
    clean, github, _, before = _faulty_pr_run(tmp_path / "clean", monkeypatch, capsys, None)
    assert clean.code == 0
    calls = github.log[before:]
    assert len(calls) >= 5  # pull, reviews, comments, team lookup, review request, comment edit, status
    for i, call in enumerate(calls):
        for kind, status in FAULTS.items():
            what = f"call {i} ({call.method} {call.path}) answering {kind}"

            def fault(gh: GitHubDouble, offset: int, status: int = status, i: int = i) -> None:
                gh.fail(status, call=offset + i, persist=True, body={"message": "injected", "documentation_url": "x"})

            outcome, github, world, _ = _faulty_pr_run(tmp_path / f"{i}-{kind}", monkeypatch, capsys, fault)
            before_states = [s["state"] for s in github.statuses_for(world.head)][:1]
            _assert_left_a_clear_state(outcome, github, world.head, before_states, what)
            github.assert_clean()


# --- a /rollout run (issue_comment) ------------------------------------------------------------------------

def _faulty_rollout_run(tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                        fault: Callable[[GitHubDouble, int], None] | None
                        ) -> tuple[Outcome, GitHubDouble, RolloutWorld, dict, int]:
    with GitHubDouble(REPO) as github:
        world = RolloutWorld(tmp, github, monkeypatch)
        world.github.add_review(7, "rita", "APPROVED", commit_id=world.head)
        world.say("carol", "/rollout ack router")  # a first run: the report exists
        command = world.say("rita", "/rollout shadow", deliver=False)
        world.stage(command)
        before = len(github.log)
        capsys.readouterr()
        if fault:
            fault(github, before)
        code = _run([], tmp, monkeypatch, github)
        outcome = Outcome(code, capsys.readouterr().err, world.output.read_text())
        if fault:  # the same event delivered again once GitHub is healthy: the command completes, once
            github.faults.clear()
            world.stage(command)
            assert _run([], tmp, monkeypatch, github) == 0
            capsys.readouterr()
    return outcome, github, world, command, before


def _replies_to(github: GitHubDouble, comment: dict) -> list[dict]:
    return [c for c in github.comments_on(7) if c["user"]["login"] == BOT and f'"comment": {comment["id"]},' in
            c["body"].replace("&quot;", '"')]


def test_every_call_of_a_rollout_run_failing(tmp_path, monkeypatch, capsys):
    clean, github, world, command, before = _faulty_rollout_run(tmp_path / "clean", monkeypatch, capsys, None)
    assert clean.code == 0 and len(world.deployments(environment="shadow")) == 1
    calls = github.log[before:]
    assert len(calls) >= 8
    for i, call in enumerate(calls):
        for kind in [list(FAULTS)[i % len(FAULTS)]]:  # one kind per call, in turn: each run costs a second
            what = f"call {i} ({call.method} {call.path}) answering {kind}"

            def fault(gh: GitHubDouble, offset: int, status: int = FAULTS[kind], i: int = i) -> None:
                gh.fail(status, call=offset + i, persist=True, body={"message": "injected", "documentation_url": "x"})

            outcome, github, world, command, _ = _faulty_rollout_run(tmp_path / f"{i}-{kind}", monkeypatch, capsys,
                                                                       fault)
            assert outcome.code in (0, 1), what
            if outcome.code == 1:
                assert outcome.err.startswith("modelgate action: "), what
            assert len(_replies_to(github, command)) == 1, f"{what}: replies"
            assert len(world.deployments(environment="shadow")) <= 1, f"{what}: duplicate deployments"
            assert len(_reports(github)) == 1, f"{what}: reports"
            github.assert_clean()
