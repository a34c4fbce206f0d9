"""bot.report text: the terminal report, colour only when asked, and no control characters from user text."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date

import pytest

from bot.report import render
from bot.result import Sunset
from tests.test_report_view import HOSTILE, sample_result

ESC = "\x1b"


def test_the_terminal_report_lists_every_section_in_order():
    out = render(sample_result(), "text")
    lines = out.splitlines()
    assert lines[0] == "modelgate: fail — the merge is blocked by 1 error"
    assert lines[1].startswith("1 error · 1 warning · 1 notice · 1 waived · 1 preexisting · 2 changes (1 breaking)")
    headings = ["Errors — they block the merge (1)", "Waived by an admin (1)", "Warnings (1)", "Notices (1)",
                "Preexisting — already on the base branch, they do not change the verdict (1)", "Changes (2)",
                "Downstream impact", "Approvals (1 of 2)", "Migration checklist", "Rollout plan", "Current stage",
                "Upcoming sunsets", "Command log (newest first)", "Notes"]
    assert [lines.index(h) for h in headings] == sorted(lines.index(h) for h in headings)
    assert ESC not in out


def test_findings_show_file_and_line_rule_message_and_subject():
    lines = render(sample_result(), "text").splitlines()
    assert ("  contracts/fraud-score.yaml:31  MG102  version 1 removed before its sunset  [contract:fraud-score@1]"
            in lines)
    assert ("  contracts/x.yaml:3  MG101  a waived break  [contract:x@1]  (waived by @admin: hotfix for incident 42)"
            in lines)
    assert "  models/scorer.yaml:5  MG205  major version changed" in lines


def test_changes_impact_approvals_and_plan():
    lines = render(sample_result(), "text").splitlines()
    assert ("  breaking    contract:fraud-score@2  schema TYPE_CHANGED #/properties/score — number becomes string  "
            "(contracts/fraud-score.yaml:12)") in lines
    assert "  compatible  contract:fraud-score@2  slo SLO_CHANGED — latency lowered" in lines
    assert ("    risk-router  via contract:fraud-score@2  fields: score  owners: @acme/payments  depth 1") in lines
    assert ("    dashboard  depth 2  contract:fraud-score@2 → model:risk-router → contract:route@1 → model:dashboard  "
            "owners: @bob") in lines
    assert ("  waiting   MG302 model:risk-router — directly impacted  owners: @acme/payments  "
            "(team membership not readable)") in lines
    assert "  approved  MG301 contract:fraud-score — changed manifest  owners: @acme/risk-ml  by @alice" in lines
    assert "  [ ] Migrate risk-router to fraud-score@2 — @acme/payments — due 2026-12-15" in lines
    assert "  [x] Announce the sunset" in lines
    assert "  1. shadow: fraud-scorer, risk-router — transitively impacted" in lines
    assert "  fraud-scorer: canary" in lines
    assert "  contract:fraud-score@1  2026-12-15 (17 days left)  still consumed by risk-router" in lines
    assert "  2026-11-28T11:00:00Z  @mallory  /rollout production  refused — canary first" in lines


@pytest.mark.parametrize(("days", "words"), [(1, "1 day left"), (0, "sunset today"), (-241, "241 days ago")])
def test_a_sunset_says_how_far_away_it_is_in_words(days: int, words: str):
    result = replace(sample_result(), sunsets=[Sunset("contract:f@1", date(2026, 4, 1), days, ())])
    assert f"  contract:f@1  2026-04-01 ({words})" in render(result, "text").splitlines()


def test_colour_only_when_asked():
    plain = render(sample_result(), "text")
    coloured = render(sample_result(), "text", color=True)
    assert ESC not in plain
    assert coloured.splitlines()[0] == "\x1b[31;1mmodelgate: fail — the merge is blocked by 1 error\x1b[0m"
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
    for fmt in ("markdown", "github", "json"):
        assert ESC not in render(sample_result(), fmt, color=True)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_user_text_cannot_add_lines_or_control_the_terminal(hostile):
    benign = render(sample_result("x"), "text", color=True)
    out = render(sample_result(hostile), "text", color=True)
    assert len(out.splitlines()) == len(benign.splitlines())
    assert out.count(ESC) == benign.count(ESC)
    assert not re.search(r"[\x00-\x09\x0b-\x1a\x1c-\x1f\x7f]", out)


def test_pending_and_pass_headlines():
    assert render(sample_result(verdict="pending"), "text").startswith("modelgate: pending — waiting on 1 approval\n")
    assert render(sample_result(verdict="pass"), "text").startswith("modelgate: pass — every contract holds")


def test_json_is_the_stable_form_and_unknown_formats_are_refused():
    result = sample_result()
    assert json.loads(render(result, "json")) == json.loads(json.dumps(result.to_json()))
    with pytest.raises(ValueError, match="unknown report format 'yaml'"):
        render(result, "yaml")


def test_a_long_text_is_whole():
    assert "z" * 10_000 in render(sample_result(notes=["z" * 10_000]), "text")


def test_a_sunset_line_marks_a_consumer_whose_manifest_does_not_load():
    out = render(sample_result(), "text")
    assert ("  contract:churn-score@1  2027-01-15 (48 days left)  still consumed by crm-dashboard (cannot tell: "
            "models/crm-dashboard.yaml does not load)") in out.splitlines()


def test_a_sunset_line_names_each_consumer_once_known_ones_first():
    [known, unknown] = sample_result().sunsets
    mixed = replace(unknown, consumers=("billing", "crm-dashboard"))
    out = render(replace(sample_result(), sunsets=[known, mixed]), "text")
    assert ("  contract:churn-score@1  2027-01-15 (48 days left)  still consumed by billing, crm-dashboard (cannot "
            "tell: models/crm-dashboard.yaml does not load)") in out.splitlines()
