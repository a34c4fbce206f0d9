"""A small in-memory GitHub served over HTTP, for tests of everything that talks to GitHub.

    with GitHubDouble() as gh:                        # a ThreadingHTTPServer on 127.0.0.1, in a thread
        pr = gh.add_pull(7, head_sha=..., base_sha=..., author="dev")
        gh.add_review(7, "alice", "APPROVED", commit_id=...)
        gh.fail(status=502, path=r"/pulls/7$", times=1)   # fault injection by script
        gh.fail(status=500, call=4, persist=True)         # the 5th request, and every retry of it, fails
        gh.fail(status=RESET, call=4)                     # ... or its connection is dropped unanswered
        client = Client("token", gh.url, sleep=gh.sleeps.append)
        ...
    gh.problems                                       # every request or response that broke the description

Every request the bot makes AND every response served is validated with openapi-core against GitHub's own
REST description (tests/fixtures/github/rest-api.subset.json, loaded once per session). A request for a path
or method not in the description, or a body that does not match it, is answered 400 and recorded in
``problems``; ``assert_clean()`` fails the test on any. Responses are built from the description's own
examples (patched where they fail its own schemas), with ``https://api.github.com`` rewritten to the
double's address, because PyGithub follows the ``url`` fields it is given.

State is plain dicts and lists (pulls, issues, comments, reviews, requested reviewers, statuses, teams,
collaborator permissions, deployments, deployment statuses, reactions, code scanning uploads) that a test reads and
writes directly. Pull requests and issues share one number space (``add_issue`` takes the next free number); issue
search finds an issue by the quoted phrase of its query in its body and ``author:``, once ``searchable``.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

SPEC_PATH = Path(__file__).parent / "fixtures" / "github" / "rest-api.subset.json"
GITHUB = "https://api.github.com"
NOW = "2026-11-28T10:00:00Z"
RESET = 0  # a Fault status: the connection is closed without an answer


@functools.cache
def description() -> tuple[OpenAPI, dict[str, Any]]:
    """GitHub's REST description (the subset), parsed once per test session."""
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None)), spec


def example(name: str) -> Any:
    """A deep copy of one of the description's examples, patched where it fails the description's schemas."""
    value = copy.deepcopy(description()[1]["components"]["examples"][name]["value"])
    _patch(value)
    return value


def _patch(value: Any) -> None:
    if isinstance(value, dict):
        if "slug" in value and "members_url" in value and "type" not in value:
            value["type"] = "organization"  # the description's team examples lack the required "type"
        if "permission" in value and isinstance(value.get("user"), dict):
            value["user"].setdefault("role_name", value["permission"])
        for item in value.values():
            _patch(item)
    elif isinstance(value, list):
        for item in value:
            _patch(item)


@dataclass
class Fault:
    """Answer ``status`` instead of serving: to the ``call``-th request (0-based), or to requests matching
    ``method`` and the ``path`` regex, ``times`` times (None: always). ``persist``: once the ``call``-th
    request is hit, every later request with its method and path is too (a retry meets the same fault).
    Status ``RESET`` closes the connection without an answer."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    method: str | None = None
    path: str | None = None
    call: int | None = None
    times: int | None = 1
    persist: bool = False

    def matches(self, index: int, method: str, path: str) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.call is not None:
            if self.call == index and self.persist:
                self.call, self.method, self.path, self.times = None, method, f"^{re.escape(path)}$", None
            return self.call is None or self.call == index
        return ((self.method is None or self.method == method)
                and (self.path is None or bool(re.search(self.path, path))))


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int = 0


class _Answer(Exception):
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def _not_found(what: str) -> _Answer:
    return _Answer(404, {"message": f"Not Found ({what})", "documentation_url": "https://docs.github.com/rest"})


def _user(login: str) -> dict[str, Any]:
    user = example("simple-pull-request-review-request")["users"][0]
    uid = abs(hash(login)) % 10_000_000
    user.update({"login": login, "id": uid, "node_id": f"U_{uid}", "type": "Bot" if login.endswith("[bot]") else "User",
                 "url": f"{GITHUB}/users/{login}", "html_url": f"https://github.com/{login}"})
    return user


def _team(slug: str) -> dict[str, Any]:
    team = example("simple-pull-request-review-request")["teams"][0]
    team.update({"slug": slug, "name": slug})
    return team


class GitHubDouble:
    """The in-memory GitHub; use as a context manager (starts and stops the server)."""

    def __init__(self, repo: str = "acme/platform") -> None:
        self.repo = repo
        self.pulls: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, dict[str, Any]] = {}
        self.reviews: dict[int, list[dict[str, Any]]] = {}
        self.requested: dict[int, dict[str, list[str]]] = {}
        self.statuses: list[dict[str, Any]] = []
        self.teams: dict[str, list[str]] = {}  # "org/slug" -> active member logins
        self.teams_visible = True  # False: team endpoints answer 404, as they do to the workflow token
        self.unrequestable: set[str] = set()  # logins or team slugs a review request is refused for (422)
        self.permissions: dict[str, str] = {}  # login -> admin | write | read | none
        self.deployments: list[dict[str, Any]] = []
        self.deployment_statuses: dict[int, list[dict[str, Any]]] = {}
        self.reactions: dict[int, list[dict[str, Any]]] = {}
        self.commit_dates: dict[str, str] = {}  # sha -> committer date of a PR's head commit (default NOW)
        self.received: dict[str, list[str | None]] = {}  # sha -> its check suites' head_branch, see check_suites()
        self.received_at: dict[str, str] = {}  # sha -> when GitHub received its push (its suites' created_at)
        self.branches: dict[str, str] = {}  # branch -> its tip; else the base.sha of the newest PR into it
        self.sarifs: list[dict[str, Any]] = []  # the code scanning uploads taken: the request bodies, as sent
        self.sarif_ids: list[str] = []  # the id answered to each
        self.code_scanning = True  # False: uploads answer 403, as GitHub does where code scanning is not enabled
        self.bot_login = "github-actions[bot]"  # the author of what the bot creates
        self.issues: dict[int, dict[str, Any]] = {}  # number -> issue (not pull requests)
        self.default_branch = "main"
        self.searchable = True  # False: issue search has not indexed anything yet (GitHub's is eventually consistent)
        self.log: list[Call] = []
        self.problems: list[str] = []
        self.faults: list[Fault] = []
        self.sleeps: list[float] = []  # a ready-made sleep for clients under test: sleeps.append
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.url = ""
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = [
            (m, re.compile(f"^/repos/(?P<owner>[^/]+)/(?P<name>[^/]+){p}$"), h) for m, p, h in [
                ("GET", r"", self._get_repository),
                ("GET", r"/pulls", self._list_pulls),
                ("GET", r"/issues", self._list_issues),
                ("POST", r"/issues", self._create_issue),
                ("GET", r"/issues/(?P<n>\d+)", self._get_issue),
                ("PATCH", r"/issues/(?P<n>\d+)", self._update_issue),
                ("POST", r"/issues/(?P<n>\d+)/labels", self._add_labels),
                ("GET", r"/commits/(?P<ref>[^/]+)/status", self._combined_status),
                ("GET", r"/pulls/(?P<n>\d+)", self._get_pull),
                ("GET", r"/pulls/(?P<n>\d+)/reviews", self._list_reviews),
                ("GET", r"/pulls/(?P<n>\d+)/commits", self._list_pull_commits),
                ("GET", r"/commits/(?P<ref>[^/]+)/check-suites", self._list_check_suites),
                ("GET", r"/pulls/(?P<n>\d+)/requested_reviewers", self._get_requested),
                ("POST", r"/pulls/(?P<n>\d+)/requested_reviewers", self._post_requested),
                ("GET", r"/issues/(?P<n>\d+)/comments", self._list_comments),
                ("POST", r"/issues/(?P<n>\d+)/comments", self._create_comment),
                ("GET", r"/issues/comments/(?P<cid>\d+)", self._get_comment),
                ("PATCH", r"/issues/comments/(?P<cid>\d+)", self._update_comment),
                ("DELETE", r"/issues/comments/(?P<cid>\d+)", self._delete_comment),
                ("GET", r"/issues/comments/(?P<cid>\d+)/reactions", self._list_reactions),
                ("POST", r"/issues/comments/(?P<cid>\d+)/reactions", self._add_reaction),
                ("POST", r"/statuses/(?P<sha>[0-9a-f]{40})", self._create_status),
                ("GET", r"/collaborators/(?P<user>[^/]+)/permission", self._permission),
                ("GET", r"/git/ref/(?P<ref>[^/]+)", self._git_ref),
                ("GET", r"/deployments", self._list_deployments),
                ("POST", r"/deployments", self._create_deployment),
                ("GET", r"/deployments/(?P<did>\d+)", self._get_deployment),
                ("GET", r"/deployments/(?P<did>\d+)/statuses", self._list_deployment_statuses),
                ("POST", r"/deployments/(?P<did>\d+)/statuses", self._create_deployment_status),
                ("POST", r"/code-scanning/sarifs", self._upload_sarif),
            ]
        ] + [
            ("GET", re.compile(r"^/search/issues$"), self._search_issues),
            ("GET", re.compile(r"^/orgs/(?P<org>[^/]+)/teams/(?P<slug>[^/]+)/members$"), self._team_members),
            ("GET", re.compile(r"^/orgs/(?P<org>[^/]+)/teams/(?P<slug>[^/]+)/memberships/(?P<user>[^/]+)$"),
             self._team_membership),
        ]

    # Lifecycle

    def __enter__(self) -> GitHubDouble:
        description()
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                double._handle(self)

            do_POST = do_PATCH = do_DELETE = do_PUT = do_GET

            def log_message(self, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def assert_clean(self) -> None:
        assert not self.problems, "requests or responses outside GitHub's REST description:\n" + "\n".join(
            self.problems)

    # Scripting

    def fail(self, status: int, *, headers: dict[str, str] | None = None, body: Any = None, method: str | None = None,
             path: str | None = None, call: int | None = None, times: int | None = 1, persist: bool = False) -> None:
        self.faults.append(Fault(status, headers or {}, body, method, path, call, times, persist))

    def calls(self, method: str | None = None, path: str | None = None) -> list[Call]:
        return [c for c in self.log if (method is None or c.method == method)
                and (path is None or re.search(path, c.path))]

    def next_id(self) -> int:
        return next(self._ids)

    def add_pull(self, number: int, *, head_sha: str, base_sha: str, author: str = "dev", draft: bool = False,
                 head_ref: str = "feature", base_ref: str = "main", state: str = "open") -> dict[str, Any]:
        pr = example("pull-request")
        owner, name = self.repo.split("/")
        pr.update({"number": number, "id": 500 + number, "draft": draft, "state": state, "user": _user(author),
                   "title": f"PR {number}", "body": "", "requested_reviewers": [], "requested_teams": [],
                   "url": f"{GITHUB}/repos/{self.repo}/pulls/{number}",
                   "html_url": f"https://github.com/{self.repo}/pull/{number}"})
        pr["head"].update({"sha": head_sha, "ref": head_ref, "label": f"{owner}:{head_ref}"})
        pr["base"].update({"sha": base_sha, "ref": base_ref, "label": f"{owner}:{base_ref}"})
        for side in ("head", "base"):
            pr[side]["repo"].update({"name": name, "full_name": self.repo})
        self.pulls[number] = pr
        self.reviews.setdefault(number, [])
        self.requested.setdefault(number, {"users": [], "teams": []})
        return pr

    def add_comment(self, number: int, user: str, body: str, *, created_at: str = NOW,
                    updated_at: str | None = None) -> dict[str, Any]:
        comment = example("issue-comment")
        cid = self.next_id()
        comment.update({
            "id": cid, "node_id": f"IC_{cid}", "body": body, "user": _user(user),
            "created_at": created_at, "updated_at": updated_at or created_at,
            "url": f"{GITHUB}/repos/{self.repo}/issues/comments/{cid}",
            "html_url": f"https://github.com/{self.repo}/pull/{number}#issuecomment-{cid}",
            "issue_url": f"{GITHUB}/repos/{self.repo}/issues/{number}",
        })
        self.comments[cid] = comment
        return comment

    def comments_on(self, number: int) -> list[dict[str, Any]]:
        suffix = f"/issues/{number}"
        return [c for c in self.comments.values() if c["issue_url"].endswith(suffix)]

    def add_review(self, number: int, user: str, state: str, *, commit_id: str,
                   submitted_at: str = NOW) -> dict[str, Any]:
        """A review by ``user``, who has write permission on the repository unless ``permissions`` says otherwise
        (set it, before or after, to review as a reader or an outsider)."""
        self.permissions.setdefault(user, "write")
        review = example("pull-request-review-items")[0]
        rid = self.next_id()
        review.update({"id": rid, "node_id": f"PRR_{rid}", "user": _user(user), "state": state,
                       "commit_id": commit_id, "submitted_at": submitted_at})
        self.reviews.setdefault(number, []).append(review)
        requested = self.requested.setdefault(number, {"users": [], "teams": []})
        if user in requested["users"]:
            requested["users"].remove(user)  # a submitted review clears that user's request
        return review

    # Serving

    def _handle(self, http: BaseHTTPRequestHandler) -> None:
        split = urllib.parse.urlsplit(http.path)
        path, query = split.path, dict(urllib.parse.parse_qsl(split.query))
        length = int(http.headers.get("Content-Length") or 0)
        raw = http.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        method = http.command
        with self._lock:
            index = len(self.log)
            call = Call(method, path, query, body)
            self.log.append(call)
            status, payload, headers = self._answer(index, method, path, query, raw, body,
                                                    http.headers.get("Content-Type") or "application/json")
            call.status = status
        if status == RESET:
            http.close_connection = True
            return
        data = b"" if payload is None else json.dumps(payload).replace(GITHUB, self.url).encode()
        http.send_response(status)
        http.send_header("Content-Type", "application/json; charset=utf-8")
        http.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            http.send_header(key, value.replace(GITHUB, self.url))
        http.end_headers()
        http.wfile.write(data)

    def _answer(self, index: int, method: str, path: str, query: dict[str, str], raw: bytes, body: Any,
                content_type: str) -> tuple[int, Any, dict[str, str]]:
        api, _ = description()
        request = MockRequest(GITHUB, method, path, args=query, data=raw or None,
                              content_type=content_type.split(";")[0].strip())
        try:
            api.validate_request(request)
        except Exception as exc:  # openapi-core raises one of many classes; every one is a problem here
            cause = exc.__cause__ or exc
            self.problems.append(f"request {method} {path}: {type(exc).__name__}: {cause}")
            return 400, {"message": f"not in the REST description: {exc}"}, {}
        for fault in self.faults:
            if fault.matches(index, method, path):
                if fault.times is not None:
                    fault.times -= 1
                return fault.status, fault.body or {"message": f"injected {fault.status}"}, dict(fault.headers)
        for verb, pattern, handler in self._routes:
            found = pattern.match(path)
            if verb == method and found:
                try:
                    status, payload, headers = handler(query=query, body=body, **found.groupdict())
                except _Answer as answer:
                    status, payload, headers = answer.status, answer.body, answer.headers
                break
        else:
            self.problems.append(f"{method} {path}: in the description but not served by the double")
            return 501, {"message": "not implemented by the double"}, {}
        self._check_response(request, status, payload, headers)
        return status, payload, headers

    def _check_response(self, request: MockRequest, status: int, payload: Any, headers: dict[str, str]) -> None:
        api, _ = description()
        if str(status) not in _documented_statuses(request.method, request.path):
            return  # an undocumented status (an injected 502) has no schema to check
        response = MockResponse(b"" if payload is None else json.dumps(payload).encode(), status, headers=headers)
        try:
            api.validate_response(request, response)
        except Exception as exc:
            cause = exc.__cause__ or exc
            errors = getattr(cause, "schema_errors", None)
            detail = "; ".join(str(e).splitlines()[0] for e in errors[:3]) if errors else str(cause)
            self.problems.append(f"response {status} to {request.method.upper()} {request.path}: {detail}")

    # Handlers: each returns (status, body, headers) or raises _Answer

    def _pull(self, n: str) -> dict[str, Any]:
        if int(n) not in self.pulls:
            raise _not_found(f"pull {n}")
        return self.pulls[int(n)]

    def _pull_or_issue(self, n: str) -> dict[str, Any]:
        return self.issues[int(n)] if int(n) in self.issues else self._pull(n)

    # The repository, issues, the pull request list, combined statuses, issue search (the scheduled run)

    def _get_repository(self, **_: Any) -> tuple[int, Any, dict[str, str]]:
        repository = example("full-repository-default-response")
        owner, name = self.repo.split("/")
        repository.update({"name": name, "full_name": self.repo, "default_branch": self.default_branch,
                           "url": f"{GITHUB}/repos/{self.repo}", "html_url": f"https://github.com/{self.repo}"})
        repository["owner"]["login"] = owner
        for part in (repository, *(v for v in repository.values() if isinstance(v, dict) and "full_name" in v)):
            part.setdefault("language", "Python")  # the description's example lacks the required "language"
        return 200, repository, {}

    def add_issue(self, *, title: str, body: str, user: str | None = None, labels: list[str] | None = None,
                  state: str = "open") -> dict[str, Any]:
        """An issue by ``user`` (default the bot) with ``labels``, numbered after every pull request and issue."""
        issue = example("issue")
        issue.pop("pull_request", None)
        number = max([*self.pulls, *self.issues, 0]) + 1
        iid = self.next_id()
        issue.update({
            "id": iid, "node_id": f"I_{iid}", "number": number, "title": title, "body": body, "state": state,
            "user": _user(user or self.bot_login),
            "labels": [self._label(name) for name in labels or []], "comments": 0, "created_at": NOW,
            "updated_at": NOW, "closed_at": NOW if state == "closed" else None, "closed_by": None,
            "url": f"{GITHUB}/repos/{self.repo}/issues/{number}",
            "html_url": f"https://github.com/{self.repo}/issues/{number}",
            "comments_url": f"{GITHUB}/repos/{self.repo}/issues/{number}/comments",
        })
        issue.pop("state_reason", None)  # the description allows no null there, only a reason when closed
        if state == "closed":
            issue["state_reason"] = "completed"
        self.issues[number] = issue
        return issue

    def _label(self, name: str) -> dict[str, Any]:
        label = example("label-items")[0]
        label.update({"name": name, "url": f"{GITHUB}/repos/{self.repo}/labels/{urllib.parse.quote(name)}"})
        return label

    def _issue(self, n: str) -> dict[str, Any]:
        if int(n) not in self.issues:
            raise _not_found(f"issue {n}")
        return self.issues[int(n)]

    def _list_issues(self, query: dict[str, str], **_: Any) -> tuple[int, Any, dict[str, str]]:
        """Issues (this double lists no pull requests here) with every label of ``labels``, by ``state``
        (default open), oldest first with ``direction=asc``."""
        wanted = [name for name in query.get("labels", "").split(",") if name]
        state = query.get("state", "open")
        found = [i for _, i in sorted(self.issues.items())
                 if state in ("all", i["state"]) and all(w in {lb["name"] for lb in i["labels"]} for w in wanted)]
        if query.get("direction", "desc") == "desc":
            found.reverse()
        return self._page("/issues", found, query)

    def _create_issue(self, body: Any, **_: Any) -> tuple[int, Any, dict[str, str]]:
        if len(body.get("body") or "") > 65536:
            raise _Answer(422, {"message": "Validation Failed", "errors": [{"message": "body is too long"}],
                                "documentation_url": "https://docs.github.com/rest"})
        issue = self.add_issue(title=body["title"], body=body.get("body") or "",
                               labels=[lb if isinstance(lb, str) else lb["name"] for lb in body.get("labels") or []])
        return 201, issue, {}

    def _get_issue(self, n: str, **_: Any) -> tuple[int, Any, dict[str, str]]:
        return 200, self._issue(n), {}

    def _update_issue(self, n: str, body: Any, **_: Any) -> tuple[int, Any, dict[str, str]]:
        issue = self._issue(n)
        for key in ("title", "body", "state"):
            if key in body:
                issue[key] = body[key]
        if "labels" in body:
            issue["labels"] = [self._label(lb if isinstance(lb, str) else lb["name"]) for lb in body["labels"]]
        issue["updated_at"] = NOW
        return 200, issue, {}

    def _add_labels(self, n: str, body: Any, **_: Any) -> tuple[int, Any, dict[str, str]]:
        issue = self._issue(n)
        names = body.get("labels", []) if isinstance(body, dict) else body
        have = {lb["name"] for lb in issue["labels"]}
        issue["labels"] += [self._label(name) for name in names if name not in have]
        return 200, issue["labels"], {}

    def _search_issues(self, query: dict[str, str], **_: Any) -> tuple[int, Any, dict[str, str]]:
        """``q``'s quoted phrase in the body, and its ``author:`` (``app/NAME`` is ``NAME[bot]``)."""
        q = query.get("q", "")
        phrase = re.search(r'"([^"]*)"', q)
        author = re.search(r"author:(\S+)", q)
        login = author.group(1) if author else None
        login = f"{login.removeprefix('app/')}[bot]" if login and login.startswith("app/") else login
        found = [] if not self.searchable else [
            i for _, i in sorted(self.issues.items())
            if (phrase is None or phrase.group(1) in (i["body"] or ""))
            and (login is None or i["user"]["login"] == login)]
        items = []
        for issue in found:
            item = example("issue-search-result-item-paginated")["items"][0]
            item.pop("pull_request", None)
            item.update({k: copy.deepcopy(issue[k]) for k in item if k in issue and k != "pull_request"})
            item["score"] = 1.0
            items.append(item)
        answer = example("issue-search-result-item-paginated")
        answer.update({"total_count": len(items), "incomplete_results": False, "items": items[:100]})
        return 200, answer, {}

    def _list_pulls(self, query: dict[str, str], **_: Any) -> tuple[int, Any, dict[str, str]]:
        """Pull requests by ``state`` (default open), oldest first with ``direction=asc``, as simple pull requests."""
        state = query.get("state", "open")
        keys = example("pull-request-simple-items")[0].keys()
        found = [{k: copy.deepcopy(p[k]) for k in keys if k in p} for _, p in sorted(self.pulls.items())
                 if state in ("all", p["state"])]
        if query.get("direction", "desc") == "desc":
            found.reverse()
        return self._page("/pulls", found, query)

    def _combined_status(self, ref: str, **_: Any) -> tuple[int, Any, dict[str, str]]:
        """The latest status of each context on ``ref`` (a SHA), newest first, and their combined state."""
        latest: dict[str, dict[str, Any]] = {}
        for status in self.statuses_for(ref):
            latest[status["context"]] = status
        statuses = [{k: v for k, v in s.items() if k != "sha"} for s in reversed(latest.values())]
        states = {s["state"] for s in statuses}
        combined = example("combined-commit-status")
        combined.update({
            "state": "failure" if states & {"failure", "error"} else "pending" if "pending" in states or not states
            else "success", "statuses": statuses, "sha": ref, "total_count": len(statuses),
            "commit_url": f"{GITHUB}/repos/{self.repo}/commits/{ref}",
            "url": f"{GITHUB}/repos/{self.repo}/commits/{ref}/status"})
        return 200, combined, {}

    def _get_pull(self, n: str, **_: Any) -> tuple[int, Any, dict[str, str]]:
        pr = self._pull(n)
        requested = self.requested[int(n)]
        pr["requested_reviewers"] = [_user(u) for u in requested["users"]]
        pr["requested_teams"] = [_team(t) for t in requested["teams"]]
        return 200, pr, {}

    def _list_reviews(self, n: str, query: dict[str, str], **_: Any) -> tuple[int, Any, dict[str, str]]:
        self._pull(n)
        return self._page(f"/pulls/{n}/reviews", self.reviews[int(n)], query)

    def _list_pull_commits(self, n: str, query: dict[str, str], **_: Any) -> tuple[int, Any, dict[str, str]]:
        """The PR's commits: here just its current head, dated ``commit_dates[sha]`` (default NOW)."""
        sha = self._pull(n)["head"]["sha"]
        item = example("commit-items")[0]
        date = self.commit_dates.get(sha, NOW)
        item.update({"sha": sha, "node_id": f"C_{sha[:8]}", "url": f"{GITHUB}/repos/{self.repo}/commits/{sha}",
                     "html_url": f"https://github.com/{self.repo}/commit/{sha}"})
        item["commit"]["author"]["date"] = item["commit"]["committer"]["date"] = date
        return self._page(f"/pulls/{n}/commits", [item], query)

    def _get_requested(self, n: str, **_: Any) -> tuple[int, Any, dict[str, str]]:
        self._pull(n)
        requested = self.requested[int(n)]
        return 200, {"users": [_user(u) for u in requested["users"]],
                     "teams": [_team(t) for t in requested["teams"]]}, {}

    def _post_requested(self, n: str, body: Any, **_: Any) -> tuple[int, Any, dict[str, str]]:
        pr = self._pull(n)
        users, teams = list(body.get("reviewers") or []), list(body.get("team_reviewers") or [])
        refused = [u for u in users if u == pr["user"]["login"] or u in self.unrequestable]
        refused += [t for t in teams if t in self.unrequestable or not self.teams_visible]
        if refused:
            raise _Answer(422, {"message": "Reviews may only be requested from collaborators. One or more of the "
                                           f"users or teams you specified is not a collaborator: {refused}",
                                "documentation_url": "https://docs.github.com/rest"})
        requested = self.requested[int(n)]
        requested["users"] += [u for u in users if u not in requested["users"]]
        requested["teams"] += [t for t in teams if t not in requested["teams"]]
        pr_simple = example("pull-request-review-request")
        pr_simple.update({"number": int(n), "requested_reviewers": [_user(u) for u in requested["users"]],
                          "requested_teams": [_team(t) for t in requested["teams"]]})
        return 201, pr_simple, {}

    def _list_comments(self, n: str, query: dict[str, str], **_: Any) -> tuple[int, Any, dict[str, str]]:
        self._pull_or_issue(n)
        return self._page(f"/issues/{n}/comments", self.comments_on(int(n)), query)

    def _create_comment(self, n: str, body: Any, **_: Any) -> tuple[int, Any, dict[str, str]]:
        self._pull_or_issue(n)
        if len(body["body"]) > 65536:
            raise _Answer(422, {"message": "Validation Failed", "errors": [{"message": "body is too long"}],
                                "documentation_url": "https://docs.github.com/rest"})
        return 201, self.add_comment(int(n), self.bot_login, body["body"]), {}

    def _comment(self, cid: str) -> dict[str, Any]:
        if int(cid) not in self.comments:
            raise _not_found(f"comment {cid}")
        return self.comments[int(cid)]

    def _get_comment(self, cid: str, **_: Any) -> tuple[int, Any, dict[str, str]]:
        return 200, self._comment(cid), {}

    def _update_comment(self, cid: str, body: Any, **_: Any) -> tuple[int, Any, dict[str, str]]:
        comment = self._comment(cid)
        comment.update({"body": body["body"], "updated_at": NOW})
        return 200, comment, {}

    def _delete_comment(self, cid: str, **_: Any) -> tuple[int, Any, dict[str, str]]:
        self._comment(cid)
        del self.comments[int(cid)]
        return 204, None, {}

    def _list_reactions(self, cid: str, query: dict[str, str], **_: Any) -> tuple[int, Any, dict[str, str]]:
        self._comment(cid)
        return self._page(f"/issues/comments/{cid}/reactions", self.reactions.get(int(cid), []), query)

    def _add_reaction(self, cid: str, body: Any, **_: Any) -> tuple[int, Any, dict[str, str]]:
        self._comment(cid)
        reaction = example("reaction")
        rid = self.next_id()
        reaction.update({"id": rid, "node_id": f"R_{rid}", "content": body["content"], "user": _user(self.bot_login)})
        self.reactions.setdefault(int(cid), []).append(reaction)
        return 201, reaction, {}

    def _create_status(self, sha: str, body: Any, **_: Any) -> tuple[int, Any, dict[str, str]]:
        status = example("status")
        sid = self.next_id()
        status.update({"id": sid, "state": body["state"], "context": body.get("context", "default"),
                       "description": body.get("description"), "target_url": body.get("target_url"),
                       "url": f"{GITHUB}/repos/{self.repo}/statuses/{sha}"})
        status["sha"] = sha
        self.statuses.append(status)
        return 201, {k: v for k, v in status.items() if k != "sha"}, {}

    def _upload_sarif(self, body: Any, **_: Any) -> tuple[int, Any, dict[str, str]]:
        if not self.code_scanning:
            raise _Answer(403, {"message": "Advanced Security must be enabled for this repository to use code "
                                           "scanning.", "documentation_url": "https://docs.github.com/rest"})
        receipt = example("code-scanning-sarif-upload")
        sarif_id = f"{self.next_id():08d}-5596-11eb-80a1-c1e54ef945c6"
        receipt.update({"id": sarif_id, "url": f"{GITHUB}/repos/{self.repo}/code-scanning/sarifs/{sarif_id}"})
        self.sarifs.append(body)
        self.sarif_ids.append(sarif_id)
        return 202, receipt, {}

    def add_status(self, sha: str, state: str, *, context: str = "modelgate", description: str = "") -> dict[str, Any]:
        """A commit status on ``sha`` as if set through the API (by an earlier run), without a request."""
        return self._create_status(sha, {"state": state, "context": context, "description": description})[1]

    def statuses_for(self, sha: str) -> list[dict[str, Any]]:
        return [s for s in self.statuses if s["sha"] == sha]

    def _permission(self, user: str, **_: Any) -> tuple[int, Any, dict[str, str]]:
        answer = example("repository-collaborator-permission-response-if-user-has-admin-permissions")
        permission = self.permissions.get(user, "none")
        answer["permission"] = permission
        if "role_name" in answer:  # the example's top-level role_name says admin whatever the user
            answer["role_name"] = permission
        answer["user"] = {**_user(user), "role_name": permission}
        return 200, answer, {}

    def _git_ref(self, ref: str, **_: Any) -> tuple[int, Any, dict[str, str]]:
        """A branch's ref (``heads%2F<branch>``, one segment): its tip from ``branches``, else the base.sha of the
        newest PR into that branch (what a test that never moves the branch expects)."""
        name = urllib.parse.unquote(ref)
        branch = name.removeprefix("heads/")
        pulls = [p["base"]["sha"] for _, p in sorted(self.pulls.items()) if p["base"]["ref"] == branch]
        sha = self.branches.get(branch) or (pulls[-1] if pulls else None)
        if not name.startswith("heads/") or sha is None:
            raise _not_found(f"ref {name}")
        answer = example("git-ref")
        answer.update({"ref": f"refs/{name}", "node_id": f"REF_{sha[:8]}",
                       "url": f"{GITHUB}/repos/{self.repo}/git/refs/{name}"})
        answer["object"].update({"sha": sha, "type": "commit", "url": f"{GITHUB}/repos/{self.repo}/git/commits/{sha}"})
        return 200, answer, {}

    def _team_members(self, org: str, slug: str, query: dict[str, str], **_: Any) -> tuple[int, Any, dict[str, str]]:
        key = f"{org}/{slug}"
        if not self.teams_visible or key not in self.teams:
            raise _not_found(f"team {key}")
        return self._page(f"/orgs/{org}/teams/{slug}/members", [_user(u) for u in self.teams[key]], query)

    def _team_membership(self, org: str, slug: str, user: str, **_: Any) -> tuple[int, Any, dict[str, str]]:
        key = f"{org}/{slug}"
        if not self.teams_visible or user not in self.teams.get(key, []):
            raise _not_found(f"membership of {user} in {key}")
        answer = example("team-membership-response-if-user-is-a-team-maintainer")
        answer.update({"state": "active", "role": "member"})
        return 200, answer, {}

    def _deployment(self, did: str) -> dict[str, Any]:
        for deployment in self.deployments:
            if deployment["id"] == int(did):
                return deployment
        raise _not_found(f"deployment {did}")

    def _list_deployments(self, query: dict[str, str], **_: Any) -> tuple[int, Any, dict[str, str]]:
        keys = ("sha", "ref", "task", "environment")
        wanted = [d for d in reversed(self.deployments) if all(query.get(k) in (None, d[k]) for k in keys)]
        return self._page("/deployments", wanted, query)

    def _create_deployment(self, body: Any, **_: Any) -> tuple[int, Any, dict[str, str]]:
        deployment = self.add_deployment(body["ref"], environment=body.get("environment", "production"),
                                         task=body.get("task", "deploy"), payload=body.get("payload") or {},
                                         description=body.get("description"))
        deployment["required_contexts_sent"] = body.get("required_contexts")
        return 201, _public(deployment), {}

    def add_deployment(self, sha: str, *, environment: str = "production", task: str = "deploy",
                       payload: dict[str, Any] | None = None, description: str | None = None,
                       creator: str | None = None, created_at: str = NOW) -> dict[str, Any]:
        """A deployment as if created through the API (by ``creator``, default the bot), without a request."""
        deployment = example("deployment-simple-example")
        did = self.next_id()
        deployment.update({
            "id": did, "node_id": f"D_{did}", "ref": sha, "sha": sha, "task": task, "payload": payload or {},
            "environment": environment, "description": description,
            "creator": _user(creator or self.bot_login), "created_at": created_at, "updated_at": created_at,
            "url": f"{GITHUB}/repos/{self.repo}/deployments/{did}",
            "statuses_url": f"{GITHUB}/repos/{self.repo}/deployments/{did}/statuses",
        })
        self.deployments.append(deployment)
        self.deployment_statuses[did] = []
        return deployment

    def _get_deployment(self, did: str, **_: Any) -> tuple[int, Any, dict[str, str]]:
        return 200, _public(self._deployment(did)), {}

    def _list_deployment_statuses(self, did: str, query: dict[str, str], **_: Any) -> tuple[int, Any, dict[str, str]]:
        self._deployment(did)
        return self._page(f"/deployments/{did}/statuses", list(reversed(self.deployment_statuses[int(did)])), query)

    def _create_deployment_status(self, did: str, body: Any, **_: Any) -> tuple[int, Any, dict[str, str]]:
        deployment = self._deployment(did)
        status = example("deployment-status")
        sid = self.next_id()
        status.update({"id": sid, "node_id": f"DS_{sid}", "state": body["state"],
                       "description": body.get("description", ""), "environment": deployment["environment"],
                       "creator": _user(self.bot_login), "created_at": NOW, "updated_at": NOW,
                       "deployment_url": deployment["url"],
                       "url": f"{deployment['url']}/statuses/{sid}"})
        for key in ("target_url", "log_url", "environment_url"):
            if body.get(key):
                status[key] = body[key]
        self.deployment_statuses[int(did)].append(status)
        return 201, status, {}

    def _page(self, path: str, items: list[Any], query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        per_page, page = int(query.get("per_page", 30)), int(query.get("page", 1))
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            rest = {**query, "page": str(page + 1), "per_page": str(per_page)}
            full = path if path.startswith("/orgs/") else f"/repos/{self.repo}{path}"
            headers["Link"] = f'<{GITHUB}{full}?{urllib.parse.urlencode(rest)}>; rel="next"'
        return 200, copy.deepcopy(chunk), headers

    # Check suites: the one time GitHub sets when it receives a push (a commit's own dates are the pusher's)

    def push(self, sha: str, at: str, *, branches: list[str | None] | None = None) -> None:
        """Record that GitHub received ``sha`` at ``at``: it gets one check suite per branch in ``branches``
        (default: the branch of the PR whose head it is), each created then."""
        self.received_at[sha] = at
        if branches is not None:
            self.received[sha] = branches

    def check_suites(self, sha: str) -> list[dict[str, Any]]:
        """The check suites of ``sha``: by default one, on the head branch of the PR whose head it is, created
        at ``received_at[sha]`` (default NOW); ``received[sha] = []``: none (nothing ran on the push)."""
        default = [next((p["head"]["ref"] for p in self.pulls.values() if p["head"]["sha"] == sha), None)]
        suites = []
        for branch in self.received.get(sha, default):
            suite = example("check-suite-paginated")["check_suites"][0]
            sid = self.next_id()
            when = self.received_at.get(sha, NOW)
            suite.update({"id": sid, "node_id": f"CS_{sid}", "head_branch": branch, "head_sha": sha, "after": sha,
                          "created_at": when, "updated_at": when, "pull_requests": [],
                          "url": f"{GITHUB}/repos/{self.repo}/check-suites/{sid}",
                          "check_runs_url": f"{GITHUB}/repos/{self.repo}/check-suites/{sid}/check-runs"})
            suite["head_commit"].update({"id": sha, "tree_id": sha})
            suites.append(suite)
        return suites

    def _list_check_suites(self, ref: str, query: dict[str, str], **_: Any) -> tuple[int, Any, dict[str, str]]:
        suites = self.check_suites(ref)
        status, page, headers = self._page(f"/commits/{ref}/check-suites", suites, query)
        return status, {"total_count": len(suites), "check_suites": page}, headers


def _public(deployment: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in deployment.items() if k != "required_contexts_sent"}


def _pattern(template: str) -> re.Pattern[str]:
    """A regex for the paths of a template: each ``{parameter}`` is one path segment."""
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


@functools.cache
def _documented() -> dict[tuple[str, re.Pattern[str]], set[str]]:
    spec = description()[1]
    table: dict[tuple[str, re.Pattern[str]], set[str]] = {}
    for template, item in spec["paths"].items():
        pattern = _pattern(template)
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                table[(method, pattern)] = {
                    code for code, r in operation["responses"].items()
                    if "application/json" in (r.get("content") or {}) or code in ("204",)
                }
    return table


@functools.cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    """Every path template of the description with its pattern, the most literal first (fewest parameters)."""
    templates = sorted(description()[1]["paths"], key=lambda t: (t.count("{"), t))
    return [(_pattern(t), t) for t in templates]


def path_template(path: str) -> str:
    """The description's template of a request path (``/repos/{owner}/{repo}/pulls/{pull_number}``); the path
    itself when none matches."""
    return next((template for pattern, template in _templates() if pattern.match(path)), path)


def _documented_statuses(method: str, path: str) -> set[str]:
    for (verb, pattern), codes in _documented().items():
        if verb == method.lower() and pattern.match(path):
            return codes
    return set()
