"""Approval groups (MG301, MG302) and their satisfaction by reviews, acks and teams (SPEC section 5)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bot.approvals import Ack, Override, Review, ReviewState, evaluate, required_groups, waivers
from bot.check import evaluation
from bot.config import Config
from bot.loader import Loader
from bot.result import Approval
from bot.sources import DirectorySource
from tests.helpers import contract_text, write_tree
from tests.scenarios import TODAY, check_pair, contract, model, states, version

HEAD = "h2"
GROUP = Approval("MG301", "model:scorer", ("@alice", "@acme/ml"), "changed")
IMPACTED = Approval("MG302", "model:router", ("@bob",), "impacted")


def review(user: str, state: str = "APPROVED", sha: str = HEAD, at: str = "2026-11-28T10:00:00Z") -> Review:
    return Review(user, state, sha, at)


def judge(*reviews: Review, config: Config | None = None, teams: dict[str, frozenset[str]] | None = None,
          acks: tuple[Ack, ...] = (), author: str = "carol") -> list[Approval]:
    state = ReviewState(author, HEAD, tuple(reviews), acks, (), teams)
    return evaluate([GROUP, IMPACTED], state, config or Config())


def test_offline_every_group_is_unsatisfied() -> None:
    assert [(a.satisfied, a.note) for a in evaluate([GROUP], None, Config())] == [(False, "offline: no reviews")]


def test_an_owner_approval_on_the_head_satisfies_its_group() -> None:
    scorer, router = judge(review("Alice"))
    assert (scorer.satisfied, scorer.by) == (True, ("alice",))
    assert not router.satisfied


@pytest.mark.parametrize("later", ["CHANGES_REQUESTED", "DISMISSED"])
def test_a_later_request_for_changes_or_dismissal_cancels(later: str) -> None:
    scorer, _ = judge(review("alice"), review("alice", later, at="2026-11-28T11:00:00Z"))
    assert not scorer.satisfied


def test_a_later_comment_does_not_cancel_and_a_later_approval_restores() -> None:
    scorer, _ = judge(review("alice", "CHANGES_REQUESTED"), review("alice", at="2026-11-28T11:00:00Z"),
                      review("alice", "COMMENTED", at="2026-11-28T12:00:00Z"))
    assert scorer.satisfied


def test_invalidate_on_push_needs_the_head_sha() -> None:
    stale = review("alice", sha="h1")
    assert not judge(stale)[0].satisfied
    relaxed = Config.model_validate({"approvals": {"invalidate_on_push": False}})
    assert judge(stale, config=relaxed)[0].satisfied


def test_the_author_does_not_approve_their_own_pr_unless_allowed() -> None:
    assert not judge(review("alice"), author="Alice")[0].satisfied
    allowed = Config.model_validate({"approvals": {"allow_author": True}})
    assert judge(review("alice"), author="alice", config=allowed)[0].satisfied


def test_a_team_owner_is_satisfied_by_an_active_member() -> None:
    scorer, _ = judge(review("dave"), teams={"acme/ml": frozenset({"Dave"})})
    assert (scorer.satisfied, scorer.by) == (True, ("dave",))
    assert not judge(review("erin"), teams={"acme/ml": frozenset({"dave"})})[0].satisfied


def test_without_team_membership_a_team_cannot_be_matched_and_the_note_says_why() -> None:
    scorer, _ = judge(review("dave"), teams=None)
    assert not scorer.satisfied
    assert "token cannot read team membership" in scorer.note and "@acme/ml" in scorer.note


def test_an_ack_by_an_owner_counts_for_downstream_groups_only() -> None:
    scorer, router = judge(acks=(Ack("bob", "router"), Ack("alice", "scorer")))
    assert (router.satisfied, router.by) == (True, ("bob",))
    assert not scorer.satisfied
    assert not judge(acks=(Ack("mallory", "router"),))[1].satisfied


def test_the_authors_own_ack_counts_like_their_approval_only_when_allowed() -> None:
    assert not judge(acks=(Ack("Bob", "router"),), author="bob")[1].satisfied
    allowed = Config.model_validate({"approvals": {"allow_author": True}})
    assert judge(acks=(Ack("bob", "router"),), author="bob", config=allowed)[1].satisfied


def test_waivers_only_from_admins_on_the_head_sha_and_never_for_approvals() -> None:
    config = Config.model_validate({"admins": ["@root", "@acme/platform"]})
    state = ReviewState("carol", HEAD, overrides=(
        Override("root", "MG101", "hotfix", HEAD), Override("root", "MG102", "old", "h1"),
        Override("mallory", "MG103", "please", HEAD), Override("root", "MG301", "skip", HEAD),
        Override("pat", "MG201", "team admin", HEAD)), team_members={"acme/platform": frozenset({"pat"})})
    assert waivers(state, config) == {"MG101": ("root", "hotfix"), "MG201": ("pat", "team admin")}
    assert waivers(None, config) == {}
    # with the repository permissions looked up, an admin without write permission waives nothing
    assert waivers(replace(state, writers=frozenset({"pat"})), config) == {"MG201": ("pat", "team admin")}


BASE = {
    "contracts/feat.yaml": contract("feat", version(1), owners='["@data-owner"]'),
    "models/pipe.yaml": model("pipe", provides=[("feat", 1)], owners='["@pipe-owner"]'),
}


def test_owners_come_from_base_so_a_pr_cannot_swap_them(tmp_path: Path) -> None:
    result = check_pair(tmp_path, BASE, {"models/pipe.yaml": model("pipe", provides=[("feat", 1)],
                                                                   owners='["@intruder"]')})
    assert [(a.subject, a.owners, "owners" in a.reason) for a in result.approvals] == [
        ("model:pipe", ("@pipe-owner",), True)]
    intruder = ReviewState("intruder", "x", (Review("intruder", "APPROVED", "x", "t"),),
                           team_members={})
    assert check_pair(tmp_path / "again", BASE, {"models/pipe.yaml": model("pipe", provides=[("feat", 1)],
                                                                           owners='["@intruder"]')},
                      reviews=intruder).verdict == "pending"


def test_codeowners_come_from_base_even_for_a_new_manifest(tmp_path: Path) -> None:
    unowned = model("fresh", consumes=[("feat", 1)]).replace('  owners: ["@fresh-owner"]\n', "")
    base = {**BASE, "CODEOWNERS": "* @acme/core\n"}
    result = check_pair(tmp_path, base, {"CODEOWNERS": "* @intruder\n", "models/fresh.yaml": unowned})
    assert [(a.subject, a.owners) for a in result.approvals] == [("model:fresh", ("@acme/core",))]


def test_a_config_change_needs_the_admins(tmp_path: Path) -> None:
    base = {**BASE, ".modelgate.yml": "admins: ['@platform-admin']\n"}
    result = check_pair(tmp_path, base, {".modelgate.yml": "admins: ['@me']\n"})
    assert [(a.subject, a.owners) for a in result.approvals] == [("config", ("@platform-admin",))]


def test_approval_rules_turned_off_in_the_base_config_drop_their_groups(tmp_path: Path) -> None:
    base_state, head_state = states(tmp_path, {**BASE, ".modelgate.yml": "rules: {MG301: off}\n"},
                                    {"models/pipe.yaml": model("pipe", provides=[("feat", 1)], semver="1.1.0")})
    ev = evaluation(base_state, head_state, TODAY)
    assert ev.changes and required_groups(ev) == []


def test_a_schema_file_change_names_the_schema_file_in_the_reason(tmp_path):
    manifest = contract_text("score", """
        - version: 1
          schema_ref: schemas/score.json
        """, owner="@acme/risk")
    schema = {"type": "object", "properties": {"score": {"type": "number"}}}
    before = write_tree(tmp_path / "base", {"contracts/score.yaml": manifest,
                                            "schemas/score.json": json.dumps(schema)})
    schema["properties"]["band"] = {"type": "string"}
    after = write_tree(tmp_path / "head", {"contracts/score.yaml": manifest, "schemas/score.json": json.dumps(schema)})
    base, head = Loader(DirectorySource(before)).load(), Loader(DirectorySource(after)).load()
    [group] = required_groups(evaluation(base, head, TODAY))
    assert (group.subject, group.owners) == ("contract:score", ("@acme/risk",))
    assert group.reason == "schemas/score.json changed: its owners (base) approve"
