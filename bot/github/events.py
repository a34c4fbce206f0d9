"""What a GitHub Actions event asks of modelgate (SPEC section 6). Pure: a payload in, an Event out.

| event                                         | actions                                          | kind         |
|-----------------------------------------------|--------------------------------------------------|--------------|
| pull_request, pull_request_target             | opened synchronize reopened ready_for_review edited | pull_request |
| pull_request_review                           | submitted dismissed                              | review       |
| issue_comment (on a pull request)             | created                                          | comment      |
| merge_group                                   | checks_requested (any)                           | merge_group  |
| workflow_run (of a pull_request_review run)   | completed                                        | review       |
| anything else                                 |                                                  | ignored      |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["pull_request", "review", "comment", "merge_group", "ignored"]

PR_EVENTS = ("pull_request", "pull_request_target")
PR_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review", "edited")
REVIEW_ACTIONS = ("submitted", "dismissed")


@dataclass(frozen=True)
class Event:
    """``number`` is the PR's; ``head_sha``/``base_sha`` are set for merge groups (a PR's come from the API);
    ``reason`` says why an ignored event is ignored."""

    name: str
    action: str
    kind: Kind
    number: int | None = None
    head_sha: str | None = None
    base_sha: str | None = None
    reason: str = ""


def _ignored(name: str, action: str, why: str) -> Event:
    return Event(name, action, "ignored", reason=f"{name}{f'.{action}' if action else ''}: {why}")


def read_event(name: str, payload: dict[str, Any], pull_request: str = "") -> Event:
    """The Event of a ``GITHUB_EVENT_NAME`` and its payload (the JSON at ``GITHUB_EVENT_PATH``).

    ``pull_request`` (``$MODELGATE_PULL_REQUEST``) names the PR of a ``workflow_run`` follow-up whose payload
    lists none (GitHub leaves ``workflow_run.pull_requests`` empty for fork PRs)."""
    action = str(payload.get("action") or "")
    if name in PR_EVENTS:
        if action not in PR_ACTIONS:
            return _ignored(name, action, "modelgate evaluates pull requests when opened, pushed to, reopened, "
                                          "edited or marked ready for review")
        return _for_pull(name, action, "pull_request", payload.get("pull_request"))
    if name == "pull_request_review":
        if action not in REVIEW_ACTIONS:
            return _ignored(name, action, "only submitted and dismissed reviews change approvals")
        return _for_pull(name, action, "review", payload.get("pull_request"))
    if name == "issue_comment":
        issue = payload.get("issue") or {}
        if action != "created":
            return _ignored(name, action, "only new comments can be commands")
        if not issue.get("pull_request"):
            return _ignored(name, action, "a comment on an issue, not on a pull request")
        return _for_pull(name, action, "comment", issue)
    if name == "merge_group":
        group = payload.get("merge_group") or {}
        head, base = group.get("head_sha"), group.get("base_sha")
        if not (isinstance(head, str) and isinstance(base, str)):
            return _ignored(name, action, "the payload has no head_sha and base_sha")
        return Event(name, action, "merge_group", head_sha=head, base_sha=base)
    if name == "workflow_run":
        run = payload.get("workflow_run") or {}
        if run.get("event") != "pull_request_review":
            return _ignored(name, action, "only the follow-up of a pull_request_review run re-evaluates")
        listed = run.get("pull_requests") or []
        item = listed[0] if listed else {"number": int(pull_request) if pull_request.isdigit() else None}
        return _for_pull(name, action, "review", item)
    return _ignored(name, action, "not an event modelgate acts on")


def _for_pull(name: str, action: str, kind: Kind, item: Any) -> Event:
    number = item.get("number") if isinstance(item, dict) else None
    if not isinstance(number, int) or isinstance(number, bool):
        return _ignored(name, action, "the payload names no pull request number")
    return Event(name, action, kind, number=number)
