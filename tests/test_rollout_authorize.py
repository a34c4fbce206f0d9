"""Who may run which /rollout command (bot.rollout.authorize)."""

from __future__ import annotations

import pytest

from bot.rollout.authorize import Actor, CommandRules, authorize, permission_at_least
from bot.rollout.parse import Command, parse

STAGES = ("shadow", "canary", "production")
OWNERS = {"fraud-scorer": ("@acme/risk-ml", "@alice")}
TEAMS = {"acme/risk-ml": frozenset({"carol"}), "acme/ml-platform": frozenset({"dora"})}


def run(text: str, actor: Actor, *, owners=OWNERS, admins=("@acme/ml-platform",), required="write") -> str | None:
    command = parse(text, STAGES)
    assert isinstance(command, Command)
    return authorize(command, actor, owners=owners, rules=CommandRules(admins, required, STAGES))


@pytest.mark.parametrize(("actual", "required", "ok"), [
    ("read", "write", False), ("triage", "write", False), ("write", "write", True), ("maintain", "write", True),
    ("admin", "maintain", True), ("none", "read", False), ("bogus", "read", False), ("READ", "read", True),
])
def test_permission_order(actual, required, ok):
    assert permission_at_least(actual, required) is ok


def test_anyone_may_ask_for_help_status_plan():
    nobody = Actor("mallory", "none", TEAMS)
    for verb in ("help", "status", "plan"):
        assert run(f"/rollout {verb}", nobody) is None


def test_owner_with_write_may_deploy():
    assert run("/rollout canary fraud-scorer", Actor("Alice", "write", TEAMS)) is None


def test_read_only_owner_is_refused():
    reason = run("/rollout shadow", Actor("alice", "read", TEAMS))
    assert reason == "@alice has read permission on this repository; `shadow` needs write (rollout.command_permission)"


def test_configured_permission():
    assert run("/rollout shadow", Actor("alice", "write", TEAMS), required="maintain").endswith(
        "`shadow` needs maintain (rollout.command_permission)")
    assert run("/rollout shadow", Actor("alice", "triage", TEAMS), required="triage") is None


def test_non_owner_is_refused_with_the_owners():
    reason = run("/rollout promote", Actor("bob", "admin", TEAMS))
    assert reason == ("@bob is not an owner of fraud-scorer nor an admin "
                      "(fraud-scorer is owned by @acme/risk-ml, @alice)")


def test_team_owner_via_membership():
    assert run("/rollout rollback --reason bad", Actor("carol", "write", TEAMS)) is None


def test_team_membership_unreadable_is_explained():
    reason = run("/rollout shadow", Actor("carol", "write", None))
    assert "is not an owner of fraud-scorer" in reason
    assert "team membership (@acme/risk-ml) could not be checked" in reason


def test_admin_may_deploy_any_model():
    assert run("/rollout shadow", Actor("dora", "write", TEAMS)) is None


def test_ack_needs_ownership_not_admin():
    assert run("/rollout ack fraud-scorer", Actor("carol", "read", TEAMS)) is None
    reason = run("/rollout ack fraud-scorer", Actor("dora", "admin", TEAMS))
    assert reason.startswith("@dora is not an owner of fraud-scorer (")


def test_override_by_admin_only():
    assert run("/rollout override MG101 --reason ok", Actor("dora", "write", TEAMS)) is None
    reason = run("/rollout override MG101 --reason ok", Actor("alice", "admin", TEAMS))
    assert reason == "`override` is for admins (@acme/ml-platform); @alice is not one"
    assert "no admins are configured" in run("/rollout override MG101 --reason ok", Actor("dora", "admin", TEAMS),
                                              admins=())


def test_an_admin_without_write_permission_cannot_override():
    """Attack (review after issue 19): a member of an admin team with read permission waived a blocking rule; an
    override counts only from write permission or higher, as an approval does."""
    reason = run("/rollout override MG101 --reason ok", Actor("dora", "read", TEAMS))
    assert reason == ("@dora has read permission on this repository; `override` counts only from an admin with "
                      "write permission or higher, as an approval does")


@pytest.mark.parametrize("rule", ["MG301", "MG302"])
def test_approval_rules_cannot_be_waived(rule):
    assert "cannot be waived" in run(f"/rollout override {rule} --reason x", Actor("dora", "admin", TEAMS))
