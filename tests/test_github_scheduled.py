"""The scheduled run of ``modelgate action`` (``schedule``, ``workflow_dispatch``) end to end against the GitHub double
and a real git repository (docs/calendar.md): the tracking issue, the announcements, the re-judged pull requests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.calendar import date_sensitive, said
from bot.config import Config
from bot.github import rejudge
from bot.github.events import read_event
from bot.github.tracking_issue import TITLE
from bot.report.calendar import CALENDAR_MARKER
from bot.result import Change, Finding, Result
from tests.action_world import INPUTS, action_env, pull_request_payload, read_outputs, run_action
from tests.github_double import GitHubDouble
from tests.helpers import commit, contract, dump, git, make_repo, model

LABEL = "modelgate-calendar"
REPORT = "<!-- modelgate:report -->"
V1 = {"version": 1, "status": "deprecated", "schema": {"type": "object", "properties": {"x": {"type": "number"}}},
      "deprecation": {"announced": "2026-09-01", "sunset": "2026-12-15", "replacement": 2,
                      "migration": "docs/migrations/score-v2.md"}}
CONFIG = {"rules": {"MG203": "warning"}}  # a new consumer of a deprecated version: a warning until the sunset
FILES = {
    "contracts/score.yaml": contract("score", [V1, 2], owners=["@alice"]),
    "models/scorer.yaml": model("scorer", provides=[("score", 1), ("score", 2)], owners=["@acme/risk"]),
    "models/router.yaml": model("router", consumes=[("score", 1)], provides=[("route", 1)], owners=["@carol"]),
    "contracts/route.yaml": contract("route", owners=["@carol"]),
    "models/feed.yaml": model("feed", consumes=[("route", 1)], owners=["@dan"]),
    "docs/migrations/score-v2.md": "# v2\n",
}
NEWBIE = {"models/newbie.yaml": model("newbie", consumes=[("score", 1)], owners=["@erin"])}


class Scheduled:
    """The default branch ``main`` of a repository with one deprecated version (sunset 2026-12-15) consumed by
    ``router`` (and ``feed`` through it), the GitHub double, and the Actions environment of a scheduled run."""

    def __init__(self, tmp: Path, github: GitHubDouble, monkeypatch: pytest.MonkeyPatch,
                 config: dict | None = None) -> None:
        self.tmp, self.github, self.monkeypatch = tmp, github, monkeypatch
        self.repo = make_repo(tmp / "ws", {**FILES, ".modelgate.yml": dump(config or CONFIG)})
        self.main = git(self.repo, "rev-parse", "HEAD").strip()
        github.branches["main"] = self.main
        for key, value in action_env(github.url, self.repo, tmp).items():
            monkeypatch.setenv(key, value)
        for key in INPUTS:
            monkeypatch.delenv(key, raising=False)

    def run(self, today: str, event: str = "schedule", payload: dict | None = None) -> int:
        output = self.tmp / "output.txt"
        output.unlink(missing_ok=True)
        code, _ = run_action(self.monkeypatch.setenv, event, payload or {}, self.tmp / "event.json",
                             sleep=self.github.sleeps.append, today=today)
        return code

    def outputs(self) -> dict[str, str]:
        return read_outputs(self.tmp / "output.txt")

    def tracking(self) -> list[dict]:
        return [i for i in self.github.issues.values() if CALENDAR_MARKER in (i["body"] or "")
                and i["user"]["login"] == self.github.bot_login]

    def notices(self, number: int) -> list[dict]:
        return [c for c in self.github.comments_on(number) if said([c["body"]])]

    def open_pull(self, number: int = 7, files: dict | None = None, head_ref: str = "feature") -> str:
        """PR ``number`` from a branch off main adding ``files`` (default: a new consumer of the deprecated
        version), judged by its own run on 2026-12-10 (MG201 a warning then)."""
        git(self.repo, "checkout", "-q", "-b", head_ref)
        head = commit(self.repo, files or NEWBIE, "a new consumer")
        git(self.repo, "checkout", "-q", "main")
        self.github.add_pull(number, head_sha=head, base_sha=self.main, head_ref=head_ref)
        assert self.run("2026-12-10", "pull_request", pull_request_payload(number, head=head, base=self.main)) == 0
        return head


def writes(github: GitHubDouble, since: int = 0) -> list[str]:
    return [f"{c.method} {c.path}" for c in github.log[since:] if c.method != "GET"]


@pytest.fixture
def world(tmp_path, github, monkeypatch):
    return Scheduled(tmp_path, github, monkeypatch)


def test_schedule_and_workflow_dispatch_are_calendar_runs_whatever_the_payload():
    assert read_event("schedule", {"schedule": "23 5 * * *"}).kind == "calendar"
    assert read_event("workflow_dispatch", {"ref": "refs/heads/x", "inputs": {}}).kind == "calendar"
    assert read_event("schedule", {"action": ["not", "a", "string"]}).kind == "calendar"


def test_enabled_false_writes_nothing(tmp_path, github, monkeypatch, capsys):
    world = Scheduled(tmp_path, github, monkeypatch, {**CONFIG, "calendar": {"enabled": False}})
    world.open_pull()
    first = len(github.log)
    assert world.run("2026-12-16") == 0
    assert [f"{c.method} {c.path}" for c in github.log[first:]] == [
        "GET /repos/acme/platform", "GET /repos/acme/platform/git/ref/heads%2Fmain"]
    assert "calendar.enabled is false" in capsys.readouterr().out


def test_a_workflow_dispatch_on_another_branch_reads_the_default_branch(world, github):
    git(world.repo, "checkout", "-q", "-b", "elsewhere")
    commit(world.repo, {".modelgate.yml": dump({**CONFIG, "calendar": {"enabled": False, "label": "other"}})})
    world.monkeypatch.setenv("GITHUB_REF", "refs/heads/elsewhere")
    assert world.run("2026-12-10", "workflow_dispatch", {"ref": "refs/heads/elsewhere", "inputs": {}}) == 0
    [issue] = world.tracking()
    assert [label["name"] for label in issue["labels"]] == [LABEL]


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


def test_a_pull_request_whose_verdict_the_day_does_not_change_costs_no_status_read(world, github):
    head = world.open_pull(files={"README.md": "docs only\n"})
    first = len(github.log)
    world.run("2026-12-16")
    assert not github.calls("GET", rf"/commits/{head}/status$") and len(github.statuses_for(head)) == 1
    assert len(github.log) > first


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


def test_hostile_text_never_reaches_the_issue_unescaped(tmp_path, github, monkeypatch):
    hostile = {**V1, "deprecation": {**V1["deprecation"], "migration": "docs/<img src=x>[x](javascript:1)@dan.md"}}
    world = Scheduled(tmp_path, github, monkeypatch)
    git(world.repo, "checkout", "-q", "main")
    github.branches["main"] = world.main = commit(world.repo, {
        "contracts/score.yaml": contract("score", [hostile, 2], owners=["@alice"]),
        "models/router.yaml": model("router", consumes=[("score", 1)], provides=[("route", 1)],
                                    owners=["@carol <b>x</b>"])})
    world.open_pull(files=NEWBIE, head_ref="feat/<script>_x_")
    github.pulls[7].update({"title": "**PWN** @everyone <img src=x>", "body": "<script>alert(1)</script>"})
    world.run("2026-12-10")
    [issue] = world.tracking()
    [notice] = world.notices(issue["number"])
    for body in (issue["body"], notice["body"]):
        assert "<img" not in body and "<b>" not in body and "](javascript" not in body and "<script" not in body
        assert "@everyone" not in body and "PWN" not in body and "@dan" not in body
        assert "&lt;img src=x&gt;\\[x\\]\\(javascript:1\\)" in body  # it is there, as text


def test_beyond_the_bounds_pull_requests_wait_for_the_next_run(world, github, monkeypatch, capsys):
    world.open_pull(7)
    world.open_pull(8, files={"models/other.yaml": model("other", consumes=[("score", 1)])}, head_ref="second")
    monkeypatch.setattr(rejudge, "MAX_REJUDGED", 1)
    world.run("2026-12-16")
    assert world.outputs()["rejudged"] == "[7]"
    assert "1 pull request(s) left for the next run" in capsys.readouterr().out
    world.run("2026-12-17")
    assert world.outputs()["rejudged"] == "[8]"


def test_a_run_github_fails_exits_1_without_a_status(world, github):
    github.fail(status=503, method="GET", path=r"^/repos/acme/platform$", times=None)
    assert world.run("2026-12-10") == 1
    assert github.statuses == [] and github.issues == {}


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


def test_date_sensitive_is_about_the_pull_requests_own_findings_and_changes():
    def result(findings=(), changes=()) -> Result:
        return Result("pass", "b", "h", date(2026, 12, 10), findings=list(findings), changes=list(changes))

    own, preexisting = (Finding("MG201", "warning", "m", "f", 1, preexisting=p) for p in (False, True))
    assert date_sensitive(result([own])) and not date_sensitive(result([preexisting]))
    assert not date_sensitive(result([Finding("MG203", "warning", "m", "f", 1)]))
    for kind in ("VERSION_DEPRECATED", "SUNSET_MOVED", "VERSION_REMOVED", "VERSION_RETIRED"):
        assert date_sensitive(result(changes=[Change("contract:score@1", "contract", kind)]))
    assert not date_sensitive(result(changes=[Change("contract:score@1", "contract", "FIELD_ADDED")]))


def test_a_look_alike_found_by_search_is_not_taken_either(world, github):
    fake = github.add_issue(title=TITLE, body=f"{CALENDAR_MARKER}\nfake", user="github-actions")  # not the bot
    world.run("2026-12-10")
    assert github.calls("GET", r"^/search/issues$")
    assert fake["labels"] == [] and fake["body"] == f"{CALENDAR_MARKER}\nfake"
    assert len(world.tracking()) == 1


def test_a_pull_request_into_another_branch_is_judged_against_that_branchs_tip(world, github):
    github.branches["release"] = world.main
    head = world.open_pull(files=NEWBIE, head_ref="to-release")
    github.pulls[7]["base"]["ref"] = "release"
    world.run("2026-12-16")
    assert github.calls("GET", r"/git/ref/heads%2Frelease$")
    assert github.statuses_for(head)[-1]["state"] == "failure" and world.outputs()["rejudged"] == "[7]"
