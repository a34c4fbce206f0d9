"""``approvals.transitive: require`` on GitHub: ``modelgate action`` against the in-memory GitHub (real event
payloads) and a real git repository. The chain A → B → C → D of ``tests.test_approvals``; the PR makes model a a
new major version (a behaviour change, no error), so only approvals decide the verdict: b at depth 1, c at 2, d at 3.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.github.pull_request import MAX_PERMISSION_LOOKUPS
from tests.github_double import GitHubDouble
from tests.helpers import chain_repo, commit, git, make_repo
from tests.test_action import World, _command, _reactions
from tests.test_approvals import CHAIN, MAJOR


@pytest.fixture
def world(tmp_path: Path, github: GitHubDouble, monkeypatch: pytest.MonkeyPatch) -> World:
    return World(tmp_path, github, monkeypatch)


def chain_world(world: World, config: str, base: dict[str, str] | None = None,
                change: dict[str, str] | None = None) -> World:
    """``world`` with its repository replaced by the chain (and ``config``), the PR making a 2.0.0."""
    shutil.rmtree(world.repo)
    world.repo = make_repo(world.tmp / "chain", {**(base or CHAIN), ".modelgate.yml": config})
    world.base = git(world.repo, "rev-parse", "HEAD").strip()
    world.head = commit(world.repo, change or MAJOR, "a 2.0.0: a behaviour change")
    world.pr["base"]["sha"], world.pr["head"]["sha"] = world.base, world.head
    world.monkeypatch.setenv("GITHUB_WORKSPACE", str(world.repo))
    return world


def approve(github: GitHubDouble, world: World, *users: str) -> None:
    for user in users:
        github.add_review(7, user, "APPROVED", commit_id=world.head)


def test_an_approval_by_the_owner_three_hops_down_satisfies_its_group(world: World, github: GitHubDouble) -> None:
    chain_world(world, "approvals: {transitive: require}\n")
    approve(github, world, "a-owner", "b-owner", "c-owner")
    assert world.run() == 0
    assert world.statuses[-1]["state"] == "pending"
    assert world.statuses[-1]["description"] == "3 of 4 approvals · waiting on @d-owner"
    assert github.requested[7]["users"] == ["d-owner"]
    [report] = world.reports()
    assert "MG302 model:d — transitively impacted at depth 3 through contract:a-out@&#8203;1 → model:b → " in \
        report["body"]

    approve(github, world, "d-owner")
    assert world.run("pull_request_review", world.payload("pull_request_review.submitted.json")) == 0
    assert world.statuses[-1]["state"] == "success"
    assert world.outputs()["verdict"] == "pass"
    assert "approved by d-owner" in world.reports()[0]["body"]
    # one permission lookup per distinct approver, never one per group
    assert len(github.calls("GET", r"/collaborators/d-owner/permission$")) == 1


def test_under_notify_the_same_pr_passes_without_them(world: World, github: GitHubDouble) -> None:
    chain_world(world, "approvals: {transitive: notify}\n")
    approve(github, world, "a-owner", "b-owner")
    assert world.run() == 0
    assert world.statuses[-1]["state"] == "success"
    assert world.statuses[-1]["description"] == "no errors; 2 of 2 approvals"
    assert github.requested[7] == {"users": [], "teams": []}
    body = world.reports()[0]["body"]
    assert "| d | 3 | contract:a-out@&#8203;1 → model:b → contract:b-out@&#8203;1 → model:c → " \
           "contract:c-out@&#8203;1 → model:d | @&#8203;d-owner |" in body
    assert "MG302 model:d" not in body


@pytest.mark.parametrize(("transitive", "outcome"), [("require", "rocket"), ("notify", "confused")])
def test_rollout_ack_by_the_owner_three_hops_down(world: World, github: GitHubDouble, transitive: str,
                                                  outcome: str) -> None:
    """Under require, d's owner may acknowledge instead of approving, and it counts; under notify nothing awaits it."""
    chain_world(world, f"approvals: {{transitive: {transitive}}}\n")
    approve(github, world, "a-owner", "b-owner", "c-owner")
    github.permissions["d-owner"] = "write"
    ack = _command(world, "d-owner", "/rollout ack d --note 'reads nothing that changed'")
    assert _reactions(github, ack) == ["eyes", outcome]
    assert world.statuses[-1]["state"] == "success"
    if transitive == "notify":
        assert "d awaits no acknowledgement in this PR" in world.reports()[0]["body"]


@pytest.mark.parametrize("depth", [6, 20])
def test_many_transitive_groups_cost_one_review_request_and_bounded_lookups(world: World, github: GitHubDouble,
                                                                              depth: int) -> None:
    """The API budget does not grow with the number of groups: the reviews are requested in one call, permission
    lookups are per distinct approver (at most MAX_PERMISSION_LOOKUPS), an owning team is looked up once."""
    files = {path: text.replace("@acme/team", f"@owner-{path.split('/')[-1].split('.')[0]}")
             if path.startswith("models/m") and path != "models/m0.yaml" else text
             for path, text in chain_repo(depth).items()}
    chain_world(world, "approvals: {transitive: require}\n", base=files,
                change={"models/m0.yaml": files["models/m0.yaml"].replace("version: 1.0.0", "version: 2.0.0")})
    approve(github, world, *(f"owner-m{i}" for i in range(1, depth)))
    assert world.run() == 0
    [report] = world.reports()
    assert report["body"].count("| MG302 model:m") == depth - 1  # m1 is direct, m2 … are transitive
    looked_up = min(depth - 1, MAX_PERMISSION_LOOKUPS)
    assert f"{looked_up} of {depth} approvals" in world.statuses[-1]["description"]  # MG301 m0 waits on @acme/team
    assert len(github.calls("POST", r"/requested_reviewers$")) == 1
    assert len(github.calls("GET", r"/collaborators/[^/]+/permission$")) == looked_up
    assert len(github.calls("GET", r"/teams/team/members$")) == 1
    assert world.client is not None and world.client.calls == len(github.log) <= 30
