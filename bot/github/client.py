"""The one GitHub adapter: every REST call modelgate makes goes through ``Client.request``.

PyGithub is the transport (authentication, base URL, JSON, error classes) through its low-level
``Requester.requestJsonAndCheck``; its object model is not used, so each call here is exactly one HTTP
request to a path named in GitHub's REST description, and nothing is fetched lazily behind our back.

Retries: PyGithub's own retry (an urllib3 ``Retry``, ``GithubRetry`` by default) is switched OFF
(``retry=None`` gives requests' zero retries) and so is its write throttle. This module is the one
mechanism, because the run must wait at most ``RetryPolicy.budget`` seconds in total (urllib3 counts per
request and sleeps with ``time.sleep``, which tests cannot replace) and every attempt must be counted.
As GitHub documents for secondary rate limits and server errors: a 5xx, a connection failure, or a 403/429
that is a rate limit is retried after ``retry-after`` seconds if given, else until ``x-ratelimit-reset``
when ``x-ratelimit-remaining`` is 0, else after an exponential back-off (1, 2, 4 ... s, capped). When the
next wait would exceed the budget, or attempts run out, ``GitHubError(exhausted=True)`` is raised with the
reason. Other errors (404, 422, a plain 403) are raised at once for the caller to judge.

``calls`` counts HTTP requests sent (retries included): the API budget of a run is measured on it.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from github import Auth, Github, GithubException

DEFAULT_API_URL = "https://api.github.com"
PER_PAGE = 100
_NEXT_RE = re.compile(r'<([^>]+)>;\s*rel="next"')


class GitHubError(Exception):
    """A GitHub call that failed: its HTTP status (None for a connection failure) and GitHub's message."""

    def __init__(self, status: int | None, message: str, *, exhausted: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.exhausted = exhausted


@dataclass(frozen=True)
class RetryPolicy:
    budget: float = 60.0  # seconds of waiting in total, per run
    max_attempts: int = 8  # per request
    base_delay: float = 1.0
    max_delay: float = 30.0
    timeout: int = 30  # seconds one attempt may take; a timeout is retried like a connection failure



def parse_time(value: Any) -> datetime | None:
    """A timestamp as GitHub writes it (ISO 8601, ``Z`` for UTC; one without a zone read as UTC); None for anything
    else."""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) and value else None
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when and when.tzinfo is None else when

@dataclass(frozen=True)
class CommitStatus:
    """A commit status as GitHub takes it (the description is cut to GitHub's 140 characters when sent)."""

    state: str
    context: str
    description: str
    target_url: str | None = None


def _message(data: Any) -> str:
    if isinstance(data, dict) and data.get("message"):
        errors = data.get("errors")
        detail = ""
        if isinstance(errors, list) and errors:
            detail = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
        return f"{data['message']}{f' ({detail})' if detail else ''}"
    return str(data or "no message")


def is_rate_limited(status: int, headers: dict[str, str], message: str) -> bool:
    """A 403/429 that GitHub means as "slow down" rather than "not allowed"."""
    if status == 429:
        return True
    if status != 403:
        return False
    return ("retry-after" in headers or headers.get("x-ratelimit-remaining") == "0"
            or "rate limit" in message.lower())


def retry_delay(headers: dict[str, str], attempt: int, now: float, policy: RetryPolicy) -> float:
    """Seconds to wait before attempt ``attempt + 1``: retry-after, then x-ratelimit-reset, then back-off."""
    after = headers.get("retry-after", "")
    if after.strip().isdigit():
        return float(after)
    reset = headers.get("x-ratelimit-reset", "")
    if headers.get("x-ratelimit-remaining") == "0" and reset.strip().isdigit():
        return max(0.0, float(reset) - now) + 1.0
    return float(min(policy.max_delay, policy.base_delay * 2 ** attempt))


class Client:
    """GitHub's REST API over PyGithub's requester, with counted calls and budgeted retries."""

    def __init__(self, token: str | None, api_url: str | None = None, *,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
                 policy: RetryPolicy | None = None) -> None:
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self.policy = policy or RetryPolicy()
        self._gh = Github(auth=Auth.Token(token) if token else None, base_url=self.api_url,
                          timeout=self.policy.timeout, retry=None, per_page=PER_PAGE, seconds_between_requests=None,
                          seconds_between_writes=None)
        self._sleep = sleep
        self._clock = clock
        self.calls = 0
        self.waited = 0.0

    def request(self, verb: str, path: str, *, params: dict[str, Any] | None = None,
                body: Any = None) -> tuple[dict[str, str], Any]:
        """One REST call (``path`` relative to the API URL, or an absolute URL GitHub gave us)."""
        attempt = 0
        while True:
            self.calls += 1
            try:
                headers, data = self._gh.requester.requestJsonAndCheck(verb, path, parameters=params, input=body)
                return {k.lower(): v for k, v in headers.items()}, data
            except GithubException as exc:
                headers = {k.lower(): str(v) for k, v in (exc.headers or {}).items()}
                status, message = exc.status, _message(exc.data)
                transient = status >= 500 or is_rate_limited(status, headers, message)
            except (requests.ConnectionError, requests.Timeout) as exc:
                headers, status, message, transient = {}, None, f"connection failed: {exc}", True
            where = f"{verb} {urllib.parse.urlsplit(path).path}"
            if not transient:
                raise GitHubError(status, f"{where}: {status} {message}")
            delay = retry_delay(headers, attempt, self._clock(), self.policy)
            attempt += 1
            if attempt >= self.policy.max_attempts or self.waited + delay > self.policy.budget:
                raise GitHubError(status, f"{where}: {status or 'no answer'} {message} "
                                          f"(gave up after {attempt} attempts, {self.waited:.0f} s of waiting)",
                                  exhausted=True)
            self.waited += delay
            self._sleep(delay)

    def object(self, verb: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None) -> dict[str, Any]:
        """One REST call whose answer is a JSON object (an endpoint documented to return one)."""
        data = self.request(verb, path, params=params, body=body)[1]
        if not isinstance(data, dict):
            raise GitHubError(None, f"{verb} {path}: GitHub answered {type(data).__name__}, not a JSON object")
        return data

    def paginate(self, path: str, params: dict[str, Any] | None = None, limit: int | None = None) -> list[Any]:
        """Every item of a list endpoint, following ``Link: rel="next"`` (100 per page); with ``limit``, the pages
        that hold the first ``limit`` items (the list cut there)."""
        items: list[Any] = []
        url: str | None = path
        query: dict[str, Any] | None = {"per_page": PER_PAGE, **(params or {})}
        while url and (limit is None or len(items) < limit):
            headers, data = self.request("GET", url, params=query)
            items.extend(data or [])
            found = _NEXT_RE.search(headers.get("link", ""))
            url, query = (found.group(1), None) if found else (None, None)
        return items if limit is None else items[:limit]

    # The repository

    def repository(self, repo: str) -> dict[str, Any]:
        """The repository (its ``default_branch``)."""
        return self.object("GET", f"/repos/{repo}")

    # Pull requests and reviews

    def pull(self, repo: str, number: int) -> dict[str, Any]:
        return self.object("GET", f"/repos/{repo}/pulls/{number}")

    def open_pulls(self, repo: str, limit: int) -> list[dict[str, Any]]:
        """The open pull requests, oldest first, the first ``limit`` of them (one call per 100)."""
        params = {"state": "open", "sort": "created", "direction": "asc"}
        return self.paginate(f"/repos/{repo}/pulls", params, limit)

    def reviews(self, repo: str, number: int) -> list[dict[str, Any]]:
        return self.paginate(f"/repos/{repo}/pulls/{number}/reviews")

    def request_reviewers(self, repo: str, number: int, users: list[str], teams: list[str]) -> dict[str, Any]:
        body = {"reviewers": users, "team_reviewers": teams}
        return self.object("POST", f"/repos/{repo}/pulls/{number}/requested_reviewers", body=body)

    # Issues (the calendar's tracking issue)

    def issues(self, repo: str, label: str) -> list[dict[str, Any]]:
        """Every issue with ``label``, open or closed, oldest first (GitHub lists pull requests here too: each has a
        ``pull_request`` key)."""
        params = {"labels": label, "state": "all", "sort": "created", "direction": "asc"}
        return self.paginate(f"/repos/{repo}/issues", params)

    def create_issue(self, repo: str, title: str, body: str, labels: list[str]) -> dict[str, Any]:
        return self.object("POST", f"/repos/{repo}/issues", body={"title": title, "body": body, "labels": labels})

    def update_issue(self, repo: str, number: int, **fields: Any) -> dict[str, Any]:
        return self.object("PATCH", f"/repos/{repo}/issues/{number}", body=fields)

    def add_labels(self, repo: str, number: int, labels: list[str]) -> None:
        self.request("POST", f"/repos/{repo}/issues/{number}/labels", body={"labels": labels})

    def search_issues(self, query: str) -> list[dict[str, Any]]:
        """The first page (100) of the issues GitHub's search finds for ``query`` (an index: eventually consistent)."""
        items = self.object("GET", "/search/issues", params={"q": query, "per_page": PER_PAGE}).get("items")
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    # Issue comments and reactions

    def issue_comments(self, repo: str, number: int, limit: int | None = None) -> list[dict[str, Any]]:
        """The comments of an issue or a pull request, oldest first (one call per 100); with ``limit``, the first
        ``limit`` of them."""
        return self.paginate(f"/repos/{repo}/issues/{number}/comments", limit=limit)

    def comment(self, repo: str, comment_id: int) -> dict[str, Any]:
        return self.object("GET", f"/repos/{repo}/issues/comments/{comment_id}")

    def create_comment(self, repo: str, number: int, body: str) -> dict[str, Any]:
        return self.object("POST", f"/repos/{repo}/issues/{number}/comments", body={"body": body})

    def update_comment(self, repo: str, comment_id: int, body: str) -> dict[str, Any]:
        return self.object("PATCH", f"/repos/{repo}/issues/comments/{comment_id}", body={"body": body})

    def delete_comment(self, repo: str, comment_id: int) -> None:
        self.request("DELETE", f"/repos/{repo}/issues/comments/{comment_id}")

    def add_reaction(self, repo: str, comment_id: int, content: str) -> dict[str, Any]:
        path = f"/repos/{repo}/issues/comments/{comment_id}/reactions"
        return self.object("POST", path, body={"content": content})

    # Commit statuses

    def create_status(self, repo: str, sha: str, status: CommitStatus) -> dict[str, Any]:
        body: dict[str, Any] = {"state": status.state, "context": status.context,
                                "description": status.description[:140]}
        if status.target_url:
            body["target_url"] = status.target_url
        return self.object("POST", f"/repos/{repo}/statuses/{sha}", body=body)

    def combined_status(self, repo: str, ref: str) -> dict[str, Any]:
        """The combined status of ``ref``: the latest status of each context (first page: 100 contexts)."""
        return self.object("GET", f"/repos/{repo}/commits/{ref}/status", params={"per_page": PER_PAGE})

    # Teams and permissions

    def team_members(self, org: str, team_slug: str) -> list[dict[str, Any]]:
        return self.paginate(f"/orgs/{org}/teams/{team_slug}/members")

    def collaborator_permission(self, repo: str, username: str) -> dict[str, Any]:
        return self.object("GET", f"/repos/{repo}/collaborators/{username}/permission")

    # Deployments

    def deployments(self, repo: str, **filters: Any) -> list[dict[str, Any]]:
        return self.paginate(f"/repos/{repo}/deployments", filters)

    def create_deployment(self, repo: str, **fields: Any) -> dict[str, Any]:
        return self.object("POST", f"/repos/{repo}/deployments", body=fields)

    def create_deployment_status(self, repo: str, deployment_id: int, **fields: Any) -> dict[str, Any]:
        return self.object("POST", f"/repos/{repo}/deployments/{deployment_id}/statuses", body=fields)

    # Check suites (their created_at is when GitHub received the commit's push)

    def check_suites(self, repo: str, ref: str) -> dict[str, Any]:
        """One page (100) of the check suites of ``ref``: ``{"total_count": N, "check_suites": [...]}``."""
        path = f"/repos/{repo}/commits/{ref}/check-suites"
        return self.object("GET", path, params={"per_page": PER_PAGE})

    # Git references

    def branch_tip(self, repo: str, branch: str) -> str:
        """The commit a branch points at now (the trust root of a PR is its base branch's tip: docs/github.md). The ref
        is one path segment, its slashes encoded (``heads%2Frelease%2F2``), as GitHub's own clients send it."""
        ref = urllib.parse.quote(f"heads/{branch}", safe="")
        data = self.object("GET", f"/repos/{repo}/git/ref/{ref}")
        sha = (data.get("object") or {}).get("sha") if isinstance(data.get("object"), dict) else None
        if not isinstance(sha, str) or not sha:
            raise GitHubError(None, f"GET /repos/{repo}/git/ref/{ref}: no commit in GitHub's answer")
        return sha
