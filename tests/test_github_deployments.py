"""Reading and writing the bot's deployments on the GitHub double (bot.github.deployments)."""

from __future__ import annotations

from bot.github import deployments
from bot.github.client import Client
from bot.github.deployments import Details, PullRequest, Status
from bot.rollout.stages import Request
from tests.action_world import REPO  # the repository of the ``github`` fixture (tests/conftest.py)
from tests.github_double import GitHubDouble

HEAD, BASE = "a" * 40, "b" * 40
OPENED = "2026-11-20T09:00:00Z"  # when PR 7 was opened


def ours(github: GitHubDouble, model: str, environment: str = "shadow", sha: str = HEAD, pr: int = 7,
         **payload) -> dict:
    """A deployment by the bot for PR ``pr``, as /rollout creates them."""
    return github.add_deployment(sha, environment=environment, task=f"deploy:{model}",
                                 payload={"model": model, "pr": pr, **payload})


def succeed(github: GitHubDouble, deployment: dict, url: str = "") -> None:
    github._create_deployment_status(did=str(deployment["id"]), body={"state": "success", "log_url": url})


def test_create_list_and_states(github):
    gh = Client("t", github.url)
    first = deployments.create(gh, REPO, Request("scorer", "shadow", HEAD),
                               Details({"pr": 7}, production=False, description="d"))
    assert (first.model, first.environment, first.sha, first.creator) == ("scorer", "shadow", HEAD, github.bot_login)
    deployments.set_status(gh, REPO, first.id, Status("success", "ok", "https://ci.example/run/1"))
    deployments.create(gh, REPO, Request("scorer", "shadow", HEAD),
                       Details({"pr": 8}, production=False, description="another PR"))
    deployments.create(gh, REPO, Request("router", "shadow", HEAD),
                       Details({"pr": 7}, production=False, description="another model"))
    before = gh.calls
    found = deployments.list_ours(gh, PullRequest(REPO, 7, github.bot_login), ["scorer"])
    assert [(d.id, d.state, d.url) for d in found] == [(first.id, "success", "https://ci.example/run/1")]
    assert gh.calls - before == 2  # one listing, one status per deployment that matters
    assert deployments.list_ours(gh, PullRequest(REPO, 7, "someone-else"), ["scorer"]) == []
    assert deployments.get(gh, REPO, first.id).payload["pr"] == 7


def test_one_listing_for_every_model_with_rollbacks_of_the_base_and_older_heads(github):
    gh = Client("t", github.url)
    old_head = ours(github, "scorer", sha="c" * 40)
    rollback = ours(github, "scorer", sha=BASE, rollback=True)  # the base SHA: a sha= filter would miss it
    routed = ours(github, "router")
    github.add_deployment(HEAD, task="deploy:scorer", payload={"model": "scorer", "pr": 7}, creator="mallory")
    github.add_deployment(BASE, task="deploy:scorer", payload={"model": "scorer", "pr": 8})
    found, complete = deployments.list_pr(gh, PullRequest(REPO, 7, github.bot_login, OPENED))
    assert [d.id for d in found] == [old_head["id"], rollback["id"], routed["id"]] and complete
    assert gh.calls == 1
    known = deployments.list_ours(gh, PullRequest(REPO, 7, github.bot_login, OPENED), ["scorer", "router"])
    assert len(known) == 3 and gh.calls == 1 + 1 + 3  # one listing; the newest of each model, stage, SHA, direction


def test_listing_pages_back_to_the_pr_opening_and_no_further(github):
    gh = Client("t", github.url)
    for i in range(130):  # long before the PR
        github.add_deployment(f"{i:040x}", payload={"pr": 1}, created_at="2026-11-01T00:00:00Z")
    early = ours(github, "scorer")
    github.deployments[-1]["created_at"] = "2026-11-21T00:00:00Z"
    for i in range(150):  # other PRs and pipelines deploy a lot meanwhile
        github.add_deployment(f"{i:040x}", payload={"pr": 100 + i})
    found, complete = deployments.list_pr(gh, PullRequest(REPO, 7, github.bot_login, OPENED))
    assert found == [] and not complete and gh.calls == 1  # one page: the report's budget
    found, complete = deployments.list_pr(gh, PullRequest(REPO, 7, github.bot_login, OPENED), pages=5)
    assert [d.id for d in found] == [early["id"]] and complete
    assert gh.calls == 1 + 2  # the second page reaches back before the PR was opened: no third


def test_report_stages_read_one_status_per_model(github):
    gh = Client("t", github.url)
    shadow = ours(github, "scorer")
    succeed(github, shadow)
    ours(github, "scorer", "canary", percent=10)
    ours(github, "router")
    done = ours(github, "router", "canary")
    succeed(github, done)
    ours(github, "ranker", sha=BASE, rollback=True)
    models = ("ranker", "router", "scorer", "unseen")
    stages, notes = deployments.report_stages(gh, PullRequest(REPO, 7, github.bot_login, OPENED), models)
    assert stages == {"ranker": "shadow (rolled back)", "router": "canary", "scorer": "canary 10% (pending)",
                      "unseen": "not deployed"}
    assert notes == []
    assert gh.calls == 1 + 2  # the listing, then router's and scorer's newest (a rollback needs no state)
    assert deployments.report_stages(gh, PullRequest(REPO, 7, github.bot_login, OPENED), ()) == ({}, [])
    assert gh.calls == 3  # a PR without models lists nothing


def test_report_stages_are_capped_and_say_so(github):
    gh = Client("t", github.url)
    models = [f"m{i:02d}" for i in range(deployments.MAX_STAGE_READS + 3)]
    for model in models:
        ours(github, model)
    stages, [note] = deployments.report_stages(gh, PullRequest(REPO, 7, github.bot_login, OPENED), models)
    assert gh.calls == 1 + deployments.MAX_STAGE_READS
    assert list(stages) == models[:deployments.MAX_STAGE_READS]
    assert note.startswith(f"current rollout stage of 3 model(s) not read ({', '.join(models[-3:])}): at most "
                           f"{deployments.MAX_STAGE_READS} deployment statuses per run")


def test_report_stages_from_an_incomplete_listing_leave_out_the_unseen(github):
    gh = Client("t", github.url)
    for i in range(100):
        github.add_deployment(f"{i:040x}", payload={"pr": 100 + i})
    ours(github, "scorer")
    pr = PullRequest(REPO, 7, github.bot_login, OPENED)
    stages, [note] = deployments.report_stages(gh, pr, ["router", "scorer"])
    assert stages == {"scorer": "shadow (pending)"}  # router may have an older deployment: not "not deployed"
    assert "100 newest deployments" in note
