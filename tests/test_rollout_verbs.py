"""The /rollout verb table (bot.rollout.verbs) and what is derived from it: parsing, authorization, the GitHub
dispatch and the help agree with the table."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from bot.github.commands import HANDLERS
from bot.report.rollout_help import ModelHelp, render_help
from bot.rollout.authorize import Actor, CommandRules, authorize, deploys
from bot.rollout.parse import Command, Refusal, parse
from bot.rollout.verbs import (
    FIXED,
    FIXED_VERBS,
    STAGE,
    VERBS,
    Handler,
    Permission,
    Takes,
    help_rows,
    verb_of,
)

STAGES = ("shadow", "canary", "production")
ARGUMENTS = {Takes.NOTHING: "", Takes.MODELS: "scorer router", Takes.MODEL: "scorer", Takes.RULE: "MG101"}
VALUES = {"--percent": "10", "--reason": "'two words'", "--note": "fine"}
OWNERS = {"scorer": ("@alice",)}
ADMINS = ("@dora",)


def line(verb_name: str) -> str:
    """A well-formed command of the verb, with every option it takes."""
    verb = verb_of(verb_name)
    words = [verb_name, ARGUMENTS[verb.takes], *(f"{option} {VALUES[option]}" for option in verb.options)]
    return "/rollout " + " ".join(w for w in words if w)


NAMES = [*FIXED_VERBS, *STAGES]


def test_the_table_names_each_verb_once_and_the_stage_verbs_once():
    assert len({v.name for v in VERBS}) == len(VERBS)
    assert tuple(v.name for v in VERBS if v is not STAGE) == FIXED_VERBS
    assert set(FIXED) == set(FIXED_VERBS)


@pytest.mark.parametrize("name", NAMES)
def test_every_verb_parses_with_its_arguments_and_options(name):
    command = parse(line(name), STAGES)
    assert isinstance(command, Command), command
    assert command.verb == name
    assert (command.stage == name) is (name in STAGES)
    assert command.models == {Takes.MODELS: ("scorer", "router"), Takes.MODEL: ("scorer",)}.get(
        verb_of(name).takes, ())
    assert (command.percent, command.reason, command.note) == (
        10 if "--percent" in verb_of(name).options else None,
        "two words" if "--reason" in verb_of(name).options else None,
        "fine" if "--note" in verb_of(name).options else None)


@pytest.mark.parametrize("name", NAMES)
def test_an_option_the_verb_does_not_take_is_refused(name):
    others = [o for o in VALUES if o not in verb_of(name).options]
    got = parse(f"{line(name)} {others[0]} x", STAGES)
    assert isinstance(got, Refusal)
    assert f"unknown option {others[0]!r} for `{name}`" in got.reason


def test_an_unknown_verb_is_refused_with_every_verb():
    got = parse("/rollout xyzzy", STAGES)
    assert isinstance(got, Refusal)
    assert got.reason == f"unknown verb 'xyzzy'; the verbs are {', '.join([*STAGES, *FIXED_VERBS])}"
    assert isinstance(parse(f"/rollout {STAGE.name}", STAGES), Refusal)  # the stage entry is no verb itself


@pytest.mark.parametrize("name", NAMES)
def test_every_verb_has_its_permission(name):
    command = parse(line(name), STAGES)
    assert isinstance(command, Command)
    permission = verb_of(name).permission
    assert isinstance(permission, Permission)
    owners = {m: OWNERS.get(m, ("@alice",)) for m in command.models}

    def why(login: str, repository: str) -> str | None:
        return authorize(command, Actor(login, repository), owners=owners, rules=CommandRules(ADMINS, "write", STAGES))

    assert deploys(command, STAGES) is (permission is Permission.DEPLOY)
    may = {"a stranger": why("mallory", "none") is None, "an owner who reads": why("alice", "read") is None,
           "an owner who writes": why("alice", "write") is None, "an admin who writes": why("dora", "write") is None}
    assert may == {
        Permission.ANYONE: dict.fromkeys(may, True),
        Permission.DEPLOY: {**dict.fromkeys(may, False), "an owner who writes": True, "an admin who writes": True},
        Permission.OWNER: {**dict.fromkeys(may, True), "a stranger": False, "an admin who writes": False},
        Permission.ADMIN: {**dict.fromkeys(may, False), "an admin who writes": True},
    }[permission]


def test_every_handler_has_its_github_side():
    assert set(HANDLERS) == set(get_args(Handler))
    assert {verb.handler for verb in VERBS} <= set(HANDLERS)


def test_every_verb_appears_in_the_help_with_its_permission_and_summary():
    lines = render_help(STAGES, [ModelHelp("scorer", STAGES, "no metric gates")])
    rows = lines[2:2 + len(help_rows())]
    assert all(row.startswith("| `/rollout ") for row in rows)
    for verb in VERBS:
        [row] = [r for r in rows if f"`{verb.name}" in r or f"/rollout {verb.name}" in r]
        assert verb.summary in row
        assert verb.permission.value in row or "| same |" in row
        assert f"{verb.name} {verb.usage}`" in row if verb.usage else f"{verb.name}`" in row
    assert lines[-1] == "- scorer (shadow → canary → production): no metric gates"


def test_verbs_that_take_nothing_share_a_row_and_a_repeated_permission_reads_same():
    rows = help_rows()
    assert [[v.name for v in row.verbs] for row in rows] == [["help", "plan", "status"], [STAGE.name], ["promote"],
                                                             ["rollback"], ["ack"], ["override"]]
    assert [row.who for row in rows] == ["anyone", Permission.DEPLOY.value, "same", "same", "an owner of MODEL",
                                         "an admin"]


def test_the_help_escapes_user_text():
    lines = render_help(["a|b"], [ModelHelp("<m>", ("x_y",), "@team [x](y)")])
    assert "(stages: a\\|b)" in lines[3]
    assert lines[-1] == "- &lt;m&gt; (x\\_y): @&#8203;team \\[x\\]\\(y\\)"


def test_a_stage_named_like_a_fixed_verb_reads_as_a_stage_and_is_judged_as_that_verb():
    """As before the table: parsing takes the stage, authorization and dispatch the fixed verb, which then
    also needs the deploying permission."""
    command = parse("/rollout ack scorer --percent 5", ("ack",))
    assert isinstance(command, Command) and command.stage == "ack"
    assert verb_of(command.verb).handler == "ack"
    assert deploys(command, ("ack",))


def test_the_users_table_in_the_docs_lists_every_verb():
    docs = (Path(__file__).parents[1] / "docs" / "rollout.md").read_text(encoding="utf-8")
    table = docs[docs.index("| command | who may | what |"):docs.index("- **Models.**")]
    for name in (*FIXED_VERBS, STAGES[0]):  # the first stage stands for the stage verbs
        assert f"| `/rollout {name}" in table, name
