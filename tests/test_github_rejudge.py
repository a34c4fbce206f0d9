"""The scheduled run's re-judging of open pull requests (``bot.github.rejudge``, docs/calendar.md) end to end against
the GitHub double and a real git repository, and ``bot.calendar.date_sensitive``, which picks the ones to look at."""

from __future__ import annotations

import datetime as dt
import json
from datetime import date

import pytest

from bot import check
from bot.calendar import date_sensitive
from bot.config import Config
from bot.github import rejudge
from bot.result import Change, Finding, Result
from tests.action_world import pull_request_payload
from tests.helpers import commit, contract, dump, git, model
from tests.scenarios import contract as contract_text
from tests.scenarios import model as scenario_model
from tests.scenarios import states, version
from tests.test_github_scheduled import CONFIG, NEWBIE, REPORT, Scheduled, world, writes

__all__ = ["world"]  # the fixture


def test_a_run_after_the_sunset_rejudges_the_pull_request_that_consumes_it(world, github):
    head = world.open_pull()
    [status] = github.statuses_for(head)
    assert status["state"] == "pending"
    [report] = [c for c in github.comments_on(7) if REPORT in c["body"]]
    requests = len(github.calls("POST", r"/requested_reviewers$"))
    first = len(github.log)
    assert world.run("2026-12-16") == 0
    assert [s["state"] for s in github.statuses_for(head)] == ["pending", "failure"]
    assert "MG201" in github.statuses_for(head)[-1]["description"]
    assert "MG201" in github.comments[report["id"]]["body"]
    assert [c for c in github.comments_on(7) if REPORT in c["body"]] == [github.comments[report["id"]]]
    assert len(github.calls("POST", r"/requested_reviewers$")) == requests  # a re-judge asks nobody
    assert world.outputs()["rejudged"] == "[7]"
    number = world.tracking()[0]["number"]
    assert writes(github, first) == [  # the issue, the sunset's announcement, the PR's report and status
        "POST /repos/acme/platform/issues", f"POST /repos/acme/platform/issues/{number}/comments",
        f"PATCH /repos/acme/platform/issues/comments/{report['id']}", f"POST /repos/acme/platform/statuses/{head}"]
    first = len(github.log)
    assert world.run("2026-12-16") == 0  # a third run: nothing new
    assert writes(github, first) == []
    assert world.outputs()["rejudged"] == "[]"


def test_a_pull_request_whose_verdict_the_day_does_not_change_costs_no_status_read(world, github, monkeypatch):
    seen: list[bool] = []

    def spy(result, base, head):
        seen.append(date_sensitive(result, base, head))
        return seen[-1]

    monkeypatch.setattr(rejudge, "date_sensitive", spy)
    other = {"models/other.yaml": model("other", consumes=[("score", 2)], owners=["@erin"])}  # an active version
    head = world.open_pull(files=other)
    world.run("2026-12-16")
    assert seen == [False]  # assessed (it changes a manifest), and found not to depend on the day
    assert not github.calls("GET", rf"/commits/{head}/status$") and len(github.statuses_for(head)) == 1


def test_a_pull_request_never_judged_is_left_to_its_own_run(world, github):
    git(world.repo, "checkout", "-q", "-b", "fresh")
    head = commit(world.repo, NEWBIE, "a new consumer")
    git(world.repo, "checkout", "-q", "main")
    github.add_pull(8, head_sha=head, base_sha=world.main, head_ref="fresh")
    world.run("2026-12-16")
    assert github.statuses_for(head) == [] and world.outputs()["rejudged"] == "[]"


def test_a_pull_request_that_cannot_be_read_is_skipped_and_the_run_goes_on(world, github, capsys):
    world.open_pull(7)
    github.add_pull(9, head_sha="f" * 40, base_sha=world.main, head_ref="gone")  # its head is nowhere
    assert world.run("2026-12-16") == 0
    assert world.outputs()["rejudged"] == "[7]"
    assert "#9: skipped" in capsys.readouterr().out


def test_beyond_the_bound_pull_requests_are_re_judged_in_turns(world, github, monkeypatch, capsys):
    world.open_pull(7)
    world.open_pull(8, files={"models/other.yaml": model("other", consumes=[("score", 1)])}, head_ref="second")
    monkeypatch.setattr(rejudge, "MAX_REJUDGED", 1)
    capsys.readouterr()
    world.run("2026-12-16")
    first = json.loads(world.outputs()["rejudged"])
    [waiting] = {7, 8} - set(first)
    assert f"1 pull request(s) wait for a later run (#{waiting})" in capsys.readouterr().out
    world.run("2026-12-17")
    assert json.loads(world.outputs()["rejudged"]) == [waiting]


@pytest.mark.parametrize(("files", "untouched"), [
    ({"README.md": "docs\n"}, True),
    ({"src/train.py": "print()\n"}, True),
    (NEWBIE, False),
    ({"schemas/x.json": "{}\n"}, False),
    ({"anywhere/Notes.YML": "a: 1\n"}, False),
    ({".github/CODEOWNERS": "* @x\n"}, False),
    ({".modelgate.yml": dump(CONFIG) + "# edited\n"}, False),
])
def test_a_pull_request_that_changes_no_state_file_is_not_assessed(world, files, untouched):
    head = commit(world.repo, files)
    assert rejudge.changes_no_state(world.repo, Config(), ".modelgate.yml", world.main, head) is untouched
    assert rejudge.changes_no_state(world.repo, Config(), ".modelgate.yml", world.main, "e" * 40) is False


def test_date_sensitive_is_about_the_pull_requests_own_findings_and_changes(tmp_path):
    def result(findings=(), changes=()) -> Result:
        return Result("pass", "b", "h", date(2026, 12, 10), findings=list(findings), changes=list(changes))

    base, head = states(tmp_path, {"contracts/s.yaml": contract_text("s", version(1))}, {})  # nothing deprecated
    own, preexisting = (Finding("MG201", "warning", "m", "f", 1, preexisting=p) for p in (False, True))
    assert date_sensitive(result([own]), base, head) and not date_sensitive(result([preexisting]), base, head)
    assert not date_sensitive(result([Finding("MG203", "warning", "m", "f", 1)]), base, head)
    for kind in ("VERSION_DEPRECATED", "SUNSET_MOVED", "VERSION_REMOVED", "VERSION_RETIRED"):
        assert date_sensitive(result(changes=[Change("contract:score@1", "contract", kind)]), base, head)
    assert not date_sensitive(result(changes=[Change("contract:score@1", "contract", "FIELD_ADDED")]), base, head)


DEPRECATED = {".modelgate.yml": dump({"rules": {"MG201": {"before": "error", "after": "off"}}}),
              "contracts/score.yaml": contract_text("score", version(1, status="deprecated", sunset="2026-12-15",
                                                                     replacement=2) + version(2)),
              "models/router.yaml": scenario_model("router", consumes=[("score", 2)])}


@pytest.mark.parametrize(("change", "sensitive"), [
    ({"models/newbie.yaml": scenario_model("newbie", consumes=[("score", 1)])}, True),  # a new consumer
    ({"models/router.yaml": scenario_model("router", consumes=[("score", 2), ("score", 1)])}, True),
    ({"models/newbie.yaml": scenario_model("newbie", consumes=[("score", 2)])}, False),
    ({"models/router.yaml": scenario_model("router", consumes=[("score", 2)], semver="1.1.0")}, False),
    ({"contracts/score.yaml": contract_text("score", version(1, status="deprecated", sunset="2026-12-15",
                                                             replacement=2, props=("a", "b", "c"))
                                            + version(2))}, True),  # anything about the deprecated version
])
def test_a_pull_request_touching_a_deprecated_version_is_date_sensitive_even_when_its_finding_vanishes(
        tmp_path, change, sensitive):
    base, head = states(tmp_path, DEPRECATED, change)
    after = check.assess(base, head, date(2026, 12, 16)).result
    assert not [f for f in after.findings if f.rule == "MG201" and not f.preexisting]  # off after the sunset
    assert date_sensitive(after, base, head) is sensitive


def test_a_pull_request_into_another_branch_is_judged_against_that_branchs_tip(world, github):
    github.branches["release"] = world.main
    head = world.open_pull(files=NEWBIE, head_ref="to-release")
    github.pulls[7]["base"]["ref"] = "release"
    world.run("2026-12-16")
    assert github.calls("GET", r"/git/ref/heads%2Frelease$")
    assert github.statuses_for(head)[-1]["state"] == "failure" and world.outputs()["rejudged"] == "[7]"


ADMINS = {**CONFIG, "admins": ["@acme/admins"]}


def test_a_pull_request_an_override_keeps_green_never_holds_the_others_back(tmp_path, github, monkeypatch, capsys):
    world = Scheduled(tmp_path, github, monkeypatch, ADMINS)
    github.teams.update({"acme/admins": ["adam"]})
    github.permissions.update({"adam": "admin"})
    head7 = world.open_pull(7)
    github.add_comment(7, "adam", "/rollout override MG201 --reason 'accepted'", created_at="2026-12-10T12:00:00Z")
    head8 = world.open_pull(8, files={"models/other.yaml": model("other", consumes=[("score", 1)])},
                            head_ref="second")
    monkeypatch.setattr(rejudge, "MAX_REJUDGED", 1)
    for day in ("2026-12-16", "2026-12-17", "2026-12-18"):  # #7 is a candidate every day: the override holds
        world.run(day)
    assert github.statuses_for(head8)[-1]["state"] == "failure"
    assert github.statuses_for(head7)[-1]["state"] != "failure"
    assert "#7: still" in capsys.readouterr().out


def test_turns_reach_every_candidate_within_ceil_n_over_the_bound_days():
    numbers = [3, 9, 4, 12, 7]
    for size in (1, 2, 3):
        for first in range(10):
            days = [date(2026, 12, 1) + dt.timedelta(days=first + i) for i in range(-(-len(numbers) // size))]
            reached = [n for day in days for n in rejudge.turn(numbers, day, size)]
            assert set(reached) == set(numbers) and all(len(rejudge.turn(numbers, d, size)) == size for d in days)
    assert rejudge.turn([8, 7], date(2026, 12, 16), 5) == [7, 8]


def test_a_green_pull_request_turns_red_on_the_sunset_and_says_why(tmp_path, github, monkeypatch):
    world = Scheduled(tmp_path, github, monkeypatch, ADMINS)
    github.teams.update({"acme/admins": ["adam"]})
    head = world.open_pull()
    github.add_review(7, "adam", "APPROVED", commit_id=head)
    assert world.run("2026-12-10", "pull_request", pull_request_payload(7, head=head, base=world.main)) == 0
    assert github.statuses_for(head)[-1]["state"] == "success"
    [report] = [c for c in github.comments_on(7) if REPORT in c["body"]]
    assert "re-judged by the scheduled run" not in report["body"]
    world.run("2026-12-16")
    assert github.statuses_for(head)[-1]["state"] == "failure" and world.outputs()["rejudged"] == "[7]"
    assert ("re-judged by the scheduled run on 2026-12-16, with no new push: the date changed the verdict "
            "from success to failure") in github.comments[report["id"]]["body"]


def test_a_removal_refused_before_the_sunset_is_re_judged_once_it_comes(world, github):
    files = {"contracts/score.yaml": contract("score", [2], owners=["@alice"]),
             "models/scorer.yaml": model("scorer", provides=[("score", 2)], owners=["@acme/risk"]),
             "models/router.yaml": model("router", consumes=[("score", 2)], provides=[("route", 1)],
                                         owners=["@carol"])}
    head = world.open_pull(files=files, head_ref="remove-v1")
    assert github.statuses_for(head)[-1]["state"] == "failure" and "MG102" in github.statuses_for(head)[-1][
        "description"]
    world.run("2026-12-16")  # the sunset has come: the removal is allowed (it still wants its approvals)
    assert github.statuses_for(head)[-1]["state"] == "pending" and world.outputs()["rejudged"] == "[7]"


def test_the_assessing_stops_at_its_time_budget_and_says_which_wait(world, github, monkeypatch, capsys):
    head = world.open_pull()
    monkeypatch.setattr(rejudge, "ASSESS_SECONDS", -1)  # spent before the first
    capsys.readouterr()
    world.run("2026-12-16")
    assert "1 open pull request(s) not assessed within this run's" in capsys.readouterr().out
    assert github.statuses_for(head)[-1]["state"] == "pending" and world.outputs()["rejudged"] == "[]"


def test_the_assessing_starts_further_on_each_day():
    days = [date(2026, 12, 16) + dt.timedelta(days=i) for i in range(3)]
    assert sorted(rejudge.rotation([9, 7, 8], days[0], 1)) == [7, 8, 9]
    assert {rejudge.rotation([9, 7, 8], day, 1)[0] for day in days} == {7, 8, 9}
    assert rejudge.rotation([], days[0], 100) == []
