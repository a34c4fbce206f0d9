"""Reading and writing the bot's deployments on the GitHub double (bot.github.deployments)."""

from __future__ import annotations

import pytest

from bot.github import deployments
from bot.github.client import Client
from bot.rollout.stages import Request
from tests.github_double import GitHubDouble

REPO = "acme/platform"
HEAD, BASE = "a" * 40, "b" * 40


@pytest.fixture
def github():
    with GitHubDouble(REPO) as double:
        yield double
    double.assert_clean()


def test_create_list_and_states(github):
    gh = Client("t", github.url)
    first = deployments.create(gh, REPO, Request("scorer", "shadow", HEAD), payload={"pr": 7}, production=False,
                               description="d")
    assert (first.model, first.environment, first.sha, first.creator) == ("scorer", "shadow", HEAD, github.bot_login)
    deployments.set_status(gh, REPO, first.id, "success", "ok", "https://ci.example/run/1")
    deployments.create(gh, REPO, Request("scorer", "shadow", HEAD), payload={"pr": 8}, production=False,
                       description="another PR")
    deployments.create(gh, REPO, Request("router", "shadow", HEAD), payload={"pr": 7}, production=False,
                       description="another model")
    before = gh.calls
    found = deployments.list_ours(gh, REPO, 7, github.bot_login, ["scorer"])
    assert [(d.id, d.state, d.url) for d in found] == [(first.id, "success", "https://ci.example/run/1")]
    assert gh.calls - before == 2  # one list per model, one status per deployment that matters
    assert deployments.list_ours(gh, REPO, 7, "someone-else", ["scorer"]) == []
    assert deployments.get(gh, REPO, first.id).payload["pr"] == 7
