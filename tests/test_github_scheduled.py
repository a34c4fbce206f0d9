"""The scheduled run of ``modelgate action`` (``schedule``, ``workflow_dispatch``) end to end against the GitHub double
and a real git repository (docs/calendar.md): the tracking issue, the announcements, the re-judged pull requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.calendar import said
from bot.github.events import read_event
from bot.github.tracking_issue import TITLE
from bot.report.calendar import CALENDAR_MARKER
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


def test_a_run_github_fails_exits_1_without_a_status(world, github):
    github.fail(status=503, method="GET", path=r"^/repos/acme/platform$", times=None)
    assert world.run("2026-12-10") == 1
    assert github.statuses == [] and github.issues == {}


def test_a_look_alike_found_by_search_is_not_taken_either(world, github):
    fake = github.add_issue(title=TITLE, body=f"{CALENDAR_MARKER}\nfake", user="github-actions")  # not the bot
    world.run("2026-12-10")
    assert github.calls("GET", r"^/search/issues$")
    assert fake["labels"] == [] and fake["body"] == f"{CALENDAR_MARKER}\nfake"
    assert len(world.tracking()) == 1


def test_an_invalid_configuration_on_the_default_branch_fails_the_run_and_writes_nothing(tmp_path, github,
                                                                                        monkeypatch, capsys):
    world = Scheduled(tmp_path, github, monkeypatch, {**CONFIG, "calendar": {"notify_days": 7, "enabled": False}})
    assert world.run("2026-12-10") == 1
    assert writes(github) == [] and github.issues == {}
    out = capsys.readouterr()
    [error] = [line for line in out.out.splitlines() if line.startswith("::error")]
    assert ".modelgate.yml:" in error and "MG001" in error and "notify_days" in error
    summary = (world.tmp / "summary.md").read_text()
    assert ".modelgate.yml:" in summary and "MG001" in summary and "writes nothing" in summary


@pytest.mark.parametrize("status", [410, 403, 503])
def test_a_tracking_issue_github_refuses_does_not_stop_the_re_judging(world, github, capsys, status):
    head = world.open_pull()
    github.fail(status=status, method="GET", path=r"^/repos/acme/platform/issues$", times=None)
    assert world.run("2026-12-16") == 1  # 503: the retries run out
    assert github.statuses_for(head)[-1]["state"] == "failure"  # re-judged all the same
    out = capsys.readouterr()
    assert "the tracking issue could not be kept" in out.out and "#7: re-judged" in out.out
    assert ("Issues must be enabled" in out.out) is (status != 503)
    assert "::error" in out.out and "the tracking issue could not be kept" in (world.tmp / "summary.md").read_text()


def test_the_calendar_names_the_branch_and_a_short_sha_and_the_summary_links_the_issue(world, github):
    world.run("2026-12-10")
    [issue] = world.tracking()
    at = f"On 2026-12-10, main \\({world.main[:7]}\\) has"  # markdown: the parentheses escaped
    assert at in issue["body"]
    summary = (world.tmp / "summary.md").read_text()
    assert at in summary
    assert f"[#{issue['number']}]({issue['html_url']})" in summary and "\\#" not in summary


def test_the_job_summary_stays_under_githubs_limit(world, monkeypatch):
    from bot.github import scheduled

    monkeypatch.setattr(scheduled, "SUMMARY_BYTES", 4000)
    world.run("2026-12-10")
    summary = (world.tmp / "summary.md").read_bytes()
    assert len(summary) <= 4000 and b"created the tracking issue" in summary


def test_a_run_on_another_day_than_the_real_one_says_which_day_it_uses(world, capsys):
    import datetime as dt

    world.run("2026-12-10")
    [warning] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::warning title=modelgate")]
    assert "2026-12-10" in warning and "MODELGATE_TODAY" in warning
    world.run(dt.datetime.now(dt.UTC).date().isoformat())
    assert "::warning title=modelgate" not in capsys.readouterr().out
