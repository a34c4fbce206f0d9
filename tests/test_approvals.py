"""Approval groups (MG301, MG302) and their satisfaction by reviews, acks and teams (docs/rules.md, MG301 and MG302)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bot.approvals import Ack, Override, Review, ReviewState, evaluate, required_groups, waivers
from bot.check import evaluation
from bot.config import Config
from bot.loader import Loader
from bot.result import Approval, Result
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


def test_without_admins_a_config_change_needs_the_base_codeowners_of_the_file(tmp_path: Path) -> None:
    """A repository adopting modelgate: the base has no .modelgate.yml (so no admins). The first PR adds one, and
    the base's CODEOWNERS for .modelgate.yml approve it; the PR's own CODEOWNERS and its own admins do not."""
    base = {**BASE, "CODEOWNERS": "* @acme/core\n/.modelgate.yml @acme/ml-platform\n"}
    head = {".modelgate.yml": "admins: ['@me']\n", "CODEOWNERS": "/.modelgate.yml @me\n"}
    result = check_pair(tmp_path, base, head)
    assert [(a.subject, a.owners) for a in result.approvals] == [("config", ("@acme/ml-platform",))]
    assert "no admins" in result.approvals[0].reason


def test_without_admins_or_a_codeowners_rule_a_config_change_says_no_one_can_approve(tmp_path: Path) -> None:
    result = check_pair(tmp_path, BASE, {".modelgate.yml": "admins: ['@me']\n"})
    (group,) = result.approvals
    assert (group.subject, group.owners, group.satisfied) == ("config", (), False)
    assert "names no admins" in group.reason


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


# A → B → C → D: model a provides a-out, b reads it and provides b-out, c reads that and provides c-out, d reads
# c-out. A major version of a impacts b directly (depth 1, no error of its own); c is at depth 2, d at depth 3.
CHAIN = {
    "contracts/a-out.yaml": contract("a-out", version(1)),
    "contracts/b-out.yaml": contract("b-out", version(1)),
    "contracts/c-out.yaml": contract("c-out", version(1)),
    "models/a.yaml": model("a", provides=[("a-out", 1)]),
    "models/b.yaml": model("b", consumes=[("a-out", 1)], provides=[("b-out", 1)]),
    "models/c.yaml": model("c", consumes=[("b-out", 1)], provides=[("c-out", 1)]),
    "models/d.yaml": model("d", consumes=[("c-out", 1)]),
}
MAJOR = {"models/a.yaml": model("a", provides=[("a-out", 1)], semver="2.0.0")}


def chain_check(tmp_path: Path, approvals: str | None, changes: dict[str, str] | None = None,
                reviews: ReviewState | None = None, base: dict[str, str] | None = None) -> Result:
    base = dict(base or CHAIN)
    if approvals is not None:
        base[".modelgate.yml"] = f"approvals: {approvals}\n"
    return check_pair(tmp_path, base, changes or MAJOR, reviews=reviews)


def downstream(result: Result) -> list[tuple[str, tuple[str, ...]]]:
    return [(a.subject, a.owners) for a in result.approvals if a.rule == "MG302"]


@pytest.mark.parametrize("approvals", [None, "{transitive: notify}"])
def test_notify_lists_transitive_models_with_owners_and_depth_but_asks_only_direct_ones(
        tmp_path: Path, approvals: str | None) -> None:
    result = chain_check(tmp_path, approvals)
    assert [(i.model, i.owners, i.depth) for i in result.transitive] == [
        ("c", ("@c-owner",), 2), ("d", ("@d-owner",), 3)]
    assert downstream(result) == [("model:b", ("@b-owner",))]


def test_require_asks_the_owners_of_each_transitive_model_and_says_why(tmp_path: Path) -> None:
    result = chain_check(tmp_path, "{transitive: require}")
    assert downstream(result) == [("model:b", ("@b-owner",)), ("model:c", ("@c-owner",)),
                                  ("model:d", ("@d-owner",))]
    d = next(a for a in result.approvals if a.subject == "model:d")
    assert d.reason == ("transitively impacted at depth 3 through contract:a-out@1 → model:b → contract:b-out@1 → "
                        "model:c → contract:c-out@1 → model:d (approvals.transitive: require): the owners approve "
                        "or /rollout ack")
    assert "at depth 2 through contract:a-out@1 → model:b → contract:b-out@1 → model:c (" in next(
        a.reason for a in result.approvals if a.subject == "model:c")


def test_require_with_max_depth_stops_at_that_depth(tmp_path: Path) -> None:
    result = chain_check(tmp_path, "{transitive: require, max_depth: 2}")
    assert downstream(result) == [("model:b", ("@b-owner",)), ("model:c", ("@c-owner",))]
    assert "(approvals.transitive: require, max_depth 2)" in result.approvals[-1].reason
    assert [i.model for i in result.transitive] == ["c", "d"]  # d is still listed, with its depth
    only_direct = chain_check(tmp_path / "one", "{transitive: require, max_depth: 1}")
    assert downstream(only_direct) == [("model:b", ("@b-owner",))]


def test_a_model_both_direct_and_transitive_is_one_direct_group(tmp_path: Path) -> None:
    both = {**CHAIN, "models/d.yaml": model("d", consumes=[("c-out", 1), ("a-out", 1)])}
    result = chain_check(tmp_path, "{transitive: require}", base=both)
    assert [(a.subject, a.reason.split(" ", 1)[0]) for a in result.approvals if a.rule == "MG302"] == [
        ("model:b", "directly"), ("model:d", "directly"), ("model:c", "transitively")]


def test_a_transitive_model_without_owners_keeps_its_group_waiting_and_says_why(tmp_path: Path) -> None:
    orphan = {**CHAIN, "models/d.yaml": model("d", consumes=[("c-out", 1)], owners="[]")}
    everyone = ReviewState("author", HEAD, tuple(review(f"{m}-owner") for m in "abcd"), team_members={})
    notified = chain_check(tmp_path / "notify", None, base=orphan, reviews=everyone)
    assert ("MG007", "model:d") in {(f.rule, f.subject) for f in notified.findings}
    assert [(i.model, i.owners) for i in notified.transitive if i.model == "d"] == [("d", ())]
    required = chain_check(tmp_path / "require", "{transitive: require}", base=orphan, reviews=everyone)
    [d] = [a for a in required.approvals if a.subject == "model:d"]
    assert (d.owners, d.satisfied, d.note) == ((), False, "no owners to approve this")
    # d had no owners at base too, so its MG007 is preexisting: it does not fail the check, and under require the
    # group of a model nobody owns waits (MG302 cannot be waived) until the model is given owners
    assert (notified.verdict, required.verdict) == ("pass", "pending")


def test_under_require_the_transitive_owners_decide_the_verdict(tmp_path: Path) -> None:
    def verdict(*reviews: Review, author: str = "author", config: str = "{transitive: require}",
                acks: tuple[Ack, ...] = ()) -> str:
        state = ReviewState(author, HEAD, reviews, acks, team_members={})
        return chain_check(tmp_path / str(len(list(tmp_path.iterdir()))), config, reviews=state).verdict

    upstream = (review("a-owner"), review("b-owner"), review("c-owner"))
    assert verdict(*upstream) == "pending"
    assert verdict(*upstream, review("d-owner")) == "pass"
    assert verdict(*upstream, acks=(Ack("d-owner", "d"),)) == "pass"  # /rollout ack counts as for direct ones
    assert verdict(*upstream, review("d-owner", sha="h1")) == "pending"  # invalidate_on_push
    assert verdict(*upstream, review("d-owner"), author="d-owner") == "pending"  # the author's own approval
    assert verdict(*upstream, review("d-owner"), author="d-owner",
                   config="{transitive: require, allow_author: true}") == "pass"
    assert verdict(*upstream, config="{transitive: notify}") == "pass"
    assert verdict(*upstream[:2], config="{transitive: require, max_depth: 2}") == "pending"


def test_transitive_owners_come_from_the_trust_root(tmp_path: Path) -> None:
    swapped = {**MAJOR, "models/d.yaml": model("d", consumes=[("c-out", 1)], owners='["@intruder"]')}
    result = chain_check(tmp_path, "{transitive: require}", changes=swapped)
    assert ("model:d", ("@d-owner",)) in downstream(result)
    assert [(i.model, i.owners) for i in result.transitive if i.model == "d"] == [("d", ("@d-owner",))]


def test_a_pr_cannot_relax_require_for_itself(tmp_path: Path) -> None:
    relaxed = {**MAJOR, ".modelgate.yml": "approvals: {transitive: notify}\n"}
    result = chain_check(tmp_path, "{transitive: require}", changes=relaxed)
    assert [s for s, _ in downstream(result)] == ["model:b", "model:c", "model:d"]
    assert ("MG301", "config") in {(a.rule, a.subject) for a in result.approvals}
