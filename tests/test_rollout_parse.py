"""Reading /rollout commands from comment bodies (bot.rollout.parse)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.rollout.parse import MAX_LINE, Command, Comment, Refusal, is_candidate, parse

STAGES = ("shadow", "canary", "production")
T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def comment(body: str = "/rollout help", *, user: str = "alice", user_type: str = "User",
            edited: bool = False, on_pr: bool = True) -> Comment:
    return Comment(1, user, user_type, body, T0, T0 + timedelta(minutes=5) if edited else T0, on_pr)


def test_not_a_command():
    assert parse("looks good to me\n/rollout canary", STAGES) is None
    assert parse("/rollouts canary", STAGES) is None
    assert parse("", STAGES) is None


def test_stage_with_models_and_percent():
    got = parse("  /rollout canary fraud-scorer risk-router --percent 10\nthanks!", STAGES)
    assert got == Command("canary", "/rollout canary fraud-scorer risk-router --percent 10",
                          models=("fraud-scorer", "risk-router"), percent=10, stage="canary")
    assert parse("/rollout canary --percent=25", STAGES).percent == 25


def test_quoted_arguments():
    got = parse('/rollout override MG101 --reason "consumers migrated; see #12"', STAGES)
    assert isinstance(got, Command)
    assert (got.rule, got.reason) == ("MG101", "consumers migrated; see #12")
    got = parse("/rollout ack risk-router --note 'it''s fine'", STAGES)
    assert got.models == ("risk-router",) and got.note == "its fine"


def test_unbalanced_quote_is_refused():
    got = parse('/rollout rollback --reason "oops', STAGES)
    assert isinstance(got, Refusal)
    assert "close every quote" in got.reason


def test_unknown_verb_did_you_mean():
    got = parse("/rollout canery", STAGES)
    assert isinstance(got, Refusal)
    assert "did you mean `/rollout canary`" in got.reason
    far = parse("/rollout xyzzy", STAGES)
    assert "the verbs are shadow, canary, production, help" in far.reason


def test_model_stages_are_verbs():
    assert parse("/rollout blue fraud-scorer", (*STAGES, "blue")).stage == "blue"
    assert isinstance(parse("/rollout blue", STAGES), Refusal)


@pytest.mark.parametrize(("body", "needle"), [
    ("/rollout", "no verb given"),
    ("/rollout canary --percent 0", "from 1 to 100"),
    ("/rollout canary --percent 101", "from 1 to 100"),
    ("/rollout canary --percent ten", "from 1 to 100"),
    ("/rollout canary --percent", "--percent needs a value"),
    ("/rollout canary --percnt 5", "did you mean --percent?"),
    ("/rollout shadow --reason x", "it takes --percent"),
    ("/rollout help me", "`help` takes no arguments"),
    ("/rollout status --all", "`status` takes no options"),
    ("/rollout ack", "exactly one model"),
    ("/rollout ack a b", "exactly one model"),
    ("/rollout override MG101", "needs a reason"),
    ("/rollout override MG101 --reason '  '", "needs a reason"),
    ("/rollout override nope --reason x", "not a rule id"),
    ("/rollout canary Fraud_Scorer", "not a model name"),
    ("/rollout canary --percent 5 --percent 6", "given twice"),
])
def test_bad_arguments_are_refused(body, needle):
    got = parse(body, STAGES)
    assert isinstance(got, Refusal), got
    assert needle in got.reason


def test_lowercase_rule_is_normalised():
    assert parse("/rollout override mg204 --reason budget", STAGES).rule == "MG204"


def test_duplicate_models_collapse():
    assert parse("/rollout shadow a a b", STAGES).models == ("a", "b")


def test_one_megabyte_comment():
    body = "/rollout canary " + "a" * 1_000_000
    got = parse(body, STAGES)
    assert isinstance(got, Refusal)
    assert f"longer than {MAX_LINE}" in got.reason
    assert len(got.line) <= 120
    # a huge body after a short first line is fine
    assert parse("/rollout status\n" + "x" * 1_000_000, STAGES) == Command("status", "/rollout status")


def test_control_characters():
    got = parse("/rollout canary \x00\x07\x1b[31mred" + "\x01" * 500, STAGES)
    assert isinstance(got, Refusal)
    assert "control characters" in got.reason
    assert "\x00" not in got.line and "\x1b" not in got.line
    assert isinstance(parse("/rollout " + "\x01" * 1_000_000, STAGES), Refusal)
    assert parse("/rollout status\r\n", STAGES) == Command("status", "/rollout status")


def test_candidates():
    assert is_candidate(comment())
    assert not is_candidate(comment(user="github-actions[bot]"))
    assert not is_candidate(comment(user="renovate", user_type="Bot"))
    assert not is_candidate(comment(edited=True))
    assert not is_candidate(comment(on_pr=False))


@pytest.mark.parametrize("body", [
    "    /rollout production",  # an indented code block: Markdown shows it as code
    "        /rollout production --percent 100",
    "\t/rollout production",  # a tab is four columns
    "  \t/rollout production",
    "\r\n    /rollout production",  # the first line is empty: no command at all
    "```\n/rollout production\n```",  # a fenced block: its first line is the fence
    "~~~sh\n/rollout production\n~~~",
    "`/rollout production`",  # inline code
])
def test_a_command_shown_as_code_is_not_run(body):
    assert parse(body, STAGES) is None


@pytest.mark.parametrize("body", [" /rollout production", "   /rollout production", "/rollout production"])
def test_up_to_three_spaces_of_indentation_is_still_a_command(body):
    assert parse(body, STAGES) == Command("production", "/rollout production", stage="production")


@pytest.mark.parametrize("digits", ["٥٠", "５０", "۵۰", "5٠", "²"])
def test_percent_takes_ascii_digits_only(digits):
    got = parse(f"/rollout canary --percent {digits}", STAGES)
    assert isinstance(got, Refusal) and "--percent must be a whole number" in got.reason


def test_a_rule_id_takes_ascii_digits_only():
    got = parse("/rollout override MG١٠١ --reason because", STAGES)
    assert isinstance(got, Refusal) and "is not a rule id" in got.reason
    assert parse("/rollout override MG101 --reason because", STAGES) == Command(
        "override", "/rollout override MG101 --reason because", rule="MG101", reason="because")
