"""The pure parts of ``bot.github.pull_request`` the Action tests reach only in passing: GitHub objects read
as plain values, what is a report comment, whom to ask for a review (never the author, never twice, a 422
split by kind), and the bounded team lookups."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.approvals import Review
from bot.github.client import CommitStatus, GitHubError
from bot.github.pull_request import (
    MAX_TEAM_LOOKUPS,
    PrContext,
    Settings,
    comment_value,
    is_report,
    publish,
    request_reviews,
    review_values,
    team_members,
)
from bot.report import MARKER
from bot.result import Approval, Change, Result
from bot.rollout.parse import Comment
from tests.helpers import write_tree
from tests.scenarios import load


class FakeGitHub:
    """Records review requests and answers team lookups; ``refuse`` maps a (users, teams) request to a 422."""

    def __init__(self, refuse: set[tuple[tuple[str, ...], tuple[str, ...]]] | None = None,
                 teams: dict[str, list[str]] | None = None, denied: int | None = None) -> None:
        self.refuse, self.teams, self.denied = refuse or set(), teams or {}, denied
        self.requests: list[tuple[list[str], list[str]]] = []
        self.lookups: list[str] = []

    def request_reviewers(self, repo: str, number: int, users: list[str], teams: list[str]) -> None:
        assert (repo, number) == ("acme/mono", 7)
        self.requests.append((users, teams))
        if (tuple(users), tuple(teams)) in self.refuse:
            raise GitHubError(422, "Reviews may only be requested from collaborators.")

    def team_members(self, org: str, slug: str) -> list[dict[str, str]]:
        self.lookups.append(f"{org}/{slug}")
        if self.denied is not None:
            raise GitHubError(self.denied, "Not Found")
        return [{"login": user} for user in self.teams.get(f"{org}/{slug}", [])]


def pr(tmp_path: Path, author: str = "dev", pull: dict[str, Any] | None = None,
       reviews: list[dict[str, Any]] | None = None) -> PrContext:
    empty = load(write_tree(tmp_path / "empty", {}))
    return PrContext(7, pull or {}, "h" * 40, "b" * 40, author, False, empty, empty, empty, reviews=reviews or [])


def result(*groups: tuple[tuple[str, ...], bool]) -> Result:
    return Result("pending", "b", "h", date(2026, 11, 28), approvals=[
        Approval("MG301", f"model:m{i}", owners, "changed", satisfied=done) for i, (owners, done) in enumerate(groups)])


def test_a_comment_is_read_as_a_plain_value() -> None:
    raw = {"id": 11, "user": {"login": "Alice", "type": "User"}, "body": "/rollout canary",
           "created_at": "2026-11-28T10:00:00Z", "updated_at": "2026-11-28T10:05:00Z", "html_url": "https://x/11"}
    at = datetime(2026, 11, 28, 10, tzinfo=UTC)
    assert comment_value(raw) == Comment(11, "Alice", "User", "/rollout canary", at, at.replace(minute=5), True,
                                         "https://x/11")


def test_a_comment_without_user_body_or_update_time_still_reads() -> None:
    value = comment_value({"id": "12", "user": None, "body": None, "created_at": "2026-11-28T10:00:00+00:00"},
                          on_pull_request=False)
    assert (value.id, value.user, value.user_type, value.body, value.on_pull_request) == (12, "", "User", "", False)
    assert value.updated_at == value.created_at  # never edited
    assert comment_value({"id": 1}).created_at == datetime.min


def test_reviews_by_deleted_users_are_skipped() -> None:
    raw = [{"user": {"login": "pat"}, "state": "APPROVED", "commit_id": "abc", "submitted_at": "2026-11-28T10:00:00Z"},
           {"user": None, "state": "APPROVED", "commit_id": "abc"},
           {"user": {"login": "kim"}, "state": "CHANGES_REQUESTED", "commit_id": None, "submitted_at": None}]
    assert review_values(raw) == (Review("pat", "APPROVED", "abc", "2026-11-28T10:00:00Z"),
                                  Review("kim", "CHANGES_REQUESTED", None, ""))


@pytest.mark.parametrize(("comment", "bot", "expected"), [
    ({"user": {"login": "github-actions[bot]"}, "body": f"{MARKER}\nreport"}, "github-actions[bot]", True),
    ({"user": {"login": "Modelgate-Bot"}, "body": f"x {MARKER}"}, "@modelgate-bot", True),
    ({"user": {"login": "mallory"}, "body": f"{MARKER}\nfake report"}, "github-actions[bot]", False),
    ({"user": {"login": "github-actions[bot]"}, "body": "another bot message"}, "github-actions[bot]", False),
    ({"user": None, "body": MARKER}, "github-actions[bot]", False),
    ({"user": {"login": "github-actions[bot]"}, "body": None}, "github-actions[bot]", False),
])
def test_a_report_is_the_bots_comment_with_the_marker(comment: dict[str, Any], bot: str, expected: bool) -> None:
    assert is_report(comment, bot) is expected


def test_reviews_are_requested_once_from_unsatisfied_owners_never_the_author(tmp_path: Path) -> None:
    gh = FakeGitHub()
    context = pr(tmp_path, author="Dev", pull={"requested_reviewers": [{"login": "Ann"}],
                                               "requested_teams": [{"slug": "Data"}]},
                 reviews=[{"user": {"login": "bob"}, "state": "COMMENTED"}])
    groups = result((("@dev", "@ann", "@bob", "@cat"), False), (("@Cat", "@dan", "@acme/ml", "@acme/data"), False),
                    (("@eve", "@acme/ops"), True), (("@other-org/team", "@acme/ML"), False))
    notes, unasked = request_reviews(gh, "acme/mono", context, groups)  # type: ignore[arg-type]
    assert gh.requests == [(["cat", "dan"], ["ml"])]
    assert notes == ["cannot request a review from @other-org/team: a team of another organisation"]
    assert unasked == ["other-org/team"]


def test_nothing_to_ask_makes_no_call(tmp_path: Path) -> None:
    gh = FakeGitHub()
    assert request_reviews(gh, "acme/mono", pr(tmp_path), result((("@dev",), False), (("@x",), True))) == ([], [])  # type: ignore[arg-type]
    assert gh.requests == []


def test_a_422_for_users_and_teams_together_is_retried_kind_by_kind(tmp_path: Path) -> None:
    gh = FakeGitHub(refuse={(("cat",), ("ml",)), ((), ("ml",))})
    notes, unasked = request_reviews(gh, "acme/mono", pr(tmp_path), result((("@cat", "@acme/ml"), False)))  # type: ignore[arg-type]
    assert gh.requests == [(["cat"], ["ml"]), (["cat"], []), ([], ["ml"])]
    assert unasked == ["acme/ml"]
    assert notes == ["GitHub refused the review request for team ml: "
                     "Reviews may only be requested from collaborators."]


def test_a_422_for_one_kind_alone_is_a_note(tmp_path: Path) -> None:
    gh = FakeGitHub(refuse={(("cat", "dan"), ())})
    notes, unasked = request_reviews(gh, "acme/mono", pr(tmp_path), result((("@cat", "@dan"), False)))  # type: ignore[arg-type]
    assert gh.requests == [(["cat", "dan"], [])]
    assert unasked == []
    assert notes == ["GitHub refused the review request for cat, dan: "
                     "Reviews may only be requested from collaborators."]


def test_team_members_are_looked_up_at_most_the_limit(tmp_path: Path) -> None:
    teams = [f"acme/t{i}" for i in range(MAX_TEAM_LOOKUPS + 2)]
    gh = FakeGitHub(teams={"acme/t0": ["Ann", "bob"]})
    found, note = team_members(gh, teams)  # type: ignore[arg-type]
    assert gh.lookups == teams[:MAX_TEAM_LOOKUPS]
    assert found is not None and found["acme/t0"] == frozenset({"ann", "bob"}) and len(found) == MAX_TEAM_LOOKUPS
    assert note == (f"2 owning team(s) not looked up (@acme/t{MAX_TEAM_LOOKUPS}, @acme/t{MAX_TEAM_LOOKUPS + 1}): "
                    f"at most {MAX_TEAM_LOOKUPS} per run")


@pytest.mark.parametrize("status", [401, 403, 404])
def test_a_token_that_may_not_read_teams_says_why(status: int) -> None:
    gh = FakeGitHub(denied=status)
    assert team_members(gh, ["acme/ml", "acme/ops"]) == (  # type: ignore[arg-type]
        None, f"team membership of @acme/ml could not be read ({status})")
    assert gh.lookups == ["acme/ml"]


def test_other_team_lookup_failures_propagate() -> None:
    with pytest.raises(GitHubError):
        team_members(FakeGitHub(denied=500), ["acme/ml"])  # type: ignore[arg-type]


class PublishingGitHub(FakeGitHub):
    """A FakeGitHub that also takes the report comment and the commit status."""

    def __init__(self, refuse: set[tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
        super().__init__(refuse)
        self.posted: list[str] = []
        self.statuses: list[tuple[str, str]] = []

    def create_comment(self, repo: str, number: int, body: str) -> dict[str, Any]:
        self.posted.append(body)
        return {"id": 1}

    def issue_comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        return []

    def create_status(self, repo: str, sha: str, status: CommitStatus) -> None:
        self.statuses.append((status.state, status.description))


def test_publish_returns_the_result_with_the_runs_notes_and_leaves_the_evaluated_one_alone(tmp_path: Path) -> None:
    gh = PublishingGitHub(refuse={(("cat",), ())})
    context = pr(tmp_path)
    context.team_note = "2 owning teams not looked up"
    evaluated = replace(result((("@cat",), False)), changes=[Change("model:m0", "metadata", "DESCRIPTION_CHANGED")])
    published = publish(gh, Settings("acme/mono", tmp_path, date(2026, 11, 28)), evaluated, context)  # type: ignore[arg-type]
    assert published.notes == ["GitHub refused the review request for cat: "
                               "Reviews may only be requested from collaborators.", context.team_note]
    assert evaluated.notes == [] and replace(published, notes=[]) == evaluated
    assert len(gh.posted) == 1 and f"- {context.team_note}\n" in gh.posted[0]
    assert gh.statuses == [("pending", "0 of 1 approvals · waiting on @cat")]
