"""The token never leaves the Authorization header: a canary token through every path of ``modelgate action``.

Each run (a clean evaluation, a /rollout command, GitHub answering 500 until the run gives up, a 422, a
dropped connection, an exception inside the run, --debug) is watched everywhere the token could leak: stdout,
stderr, $GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY, every request body the double received, and what the bot wrote
on GitHub (comments, statuses, deployments).
"""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.github.client import RetryPolicy
from tests.github_double import RESET, GitHubDouble
from tests.test_action import REPO, TODAY, World
from tests.test_github_commands import World as RolloutWorld

CANARY = "ghs_CANARY0123456789abcdefghijklmnopqrstuv"


def _boom(*_: object) -> None:
    raise RuntimeError("the evaluation blew up")


PATHS = {
    "clean": lambda gh, mp: None,
    "server-errors": lambda gh, mp: gh.fail(500, method="GET", path=r"/pulls/7/reviews$", times=None),
    "rate-limited": lambda gh, mp: gh.fail(403, path=r"/statuses/", times=None, headers={"retry-after": "70"},
                                           body={"message": "You have exceeded a secondary rate limit."}),
    "refused-review-request": lambda gh, mp: gh.unrequestable.update({"alice", "risk"}),
    "connection-reset": lambda gh, mp: gh.fail(RESET, method="GET", path=r"/issues/7/comments$", times=None),
    "not-found": lambda gh, mp: gh.fail(404, method="GET", path=r"/pulls/7$", times=None),
    "exception": lambda gh, mp: mp.setattr("bot.check.assess", _boom),
}


def _everything_written(world: World, github: GitHubDouble, out: str, err: str) -> str:
    seen = [out, err, json.dumps([c.body for c in github.log]), json.dumps([c.query for c in github.log]),
            json.dumps(list(github.comments.values())), json.dumps(github.statuses), json.dumps(github.deployments)]
    for path in (world.summary, world.output):
        if path.exists():
            seen.append(path.read_text())
    return "\n".join(seen)


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("path", list(PATHS))
def test_the_token_never_appears(tmp_path, monkeypatch, capsys, path, debug):
    monkeypatch.setattr("bot.github.client.RetryPolicy", lambda: RetryPolicy(budget=1, max_attempts=2))
    with GitHubDouble(REPO) as github:
        world = World(tmp_path, github, monkeypatch)
        monkeypatch.setenv("GITHUB_TOKEN", CANARY)
        event = tmp_path / "event.json"
        event.write_text(json.dumps(world.payload()))
        monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
        monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
        PATHS[path](github, monkeypatch)
        code = main([*(["--debug"] if debug else []), "action", "--today", TODAY])
        out, err = capsys.readouterr()
        assert github.log, "the run reached GitHub"
        assert code == (0 if path in ("clean", "refused-review-request") else 1 if path != "exception" else 2)
        written = _everything_written(world, github, out, err)
    assert CANARY not in written
    assert "CANARY" not in written


def test_the_token_never_appears_in_a_rollout_run(tmp_path, monkeypatch, capsys):
    with GitHubDouble(REPO) as github:
        world = RolloutWorld(tmp_path, github, monkeypatch)
        monkeypatch.setenv("GITHUB_TOKEN", CANARY)
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
        github.add_review(7, "rita", "APPROVED", commit_id=world.head)
        world.say("rita", "/rollout shadow")
        world.say("reader", "/rollout production")  # refused: a reply saying why
        out, err = capsys.readouterr()
        written = "\n".join([out, err, json.dumps([c.body for c in github.log]), world.output.read_text(),
                             (tmp_path / "summary.md").read_text(), json.dumps(list(github.comments.values())),
                             json.dumps(github.deployments)])
        assert len(world.deployments(environment="shadow")) == 1
    assert CANARY not in written
