"""What a GitHub Actions event asks of modelgate (docs/github.md). Pure: a payload in, an Event out.

| event                                         | actions                                          | kind         |
|-----------------------------------------------|--------------------------------------------------|--------------|
| pull_request, pull_request_target             | opened synchronize reopened ready_for_review edited | pull_request |
| pull_request_review                           | submitted dismissed                              | review       |
| issue_comment (on a pull request)             | created                                          | comment      |
| merge_group                                   | checks_requested (any)                           | merge_group  |
| workflow_run (of a pull_request_review run)   | completed                                        | review       |
| schedule, workflow_dispatch                   | (any: the payload is not read)                   | calendar     |
| anything else                                 |                                                  | ignored      |

The parts of a payload modelgate reads are typed models (:class:`PullRequestPayload` and its siblings),
validated strictly: a payload whose parts have other shapes (``issue: "x"``, ``merge_group: [...]``,
``pull_requests: {}``, a string number) is ignored with one line saying which part, never an exception.
Everything else in the payload is not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

Kind = Literal["pull_request", "review", "comment", "merge_group", "calendar", "ignored"]

PR_EVENTS = ("pull_request", "pull_request_target")
PR_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review", "edited")
REVIEW_ACTIONS = ("submitted", "dismissed")
CALENDAR_EVENTS = ("schedule", "workflow_dispatch")  # the scheduled run (docs/calendar.md): the default branch's tip
# $MODELGATE_PULL_REQUEST: ASCII digits only (str.isdigit() and int() also take "٣" and "３")
PULL_NUMBER_RE = re.compile(r"[0-9]{1,10}")


class _Part(BaseModel):
    """A part of a payload as GitHub sends it: strict types (no "7" for 7, no true for 1), other keys ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class Commit(_Part):
    sha: str | None = None


class PullRequest(_Part):
    number: int | None = None
    head: Commit | None = None
    base: Commit | None = None


class Issue(_Part):
    number: int | None = None
    pull_request: dict[str, Any] | None = None  # present (an object) when the issue is a pull request


class MergeGroup(_Part):
    head_sha: str | None = None
    base_sha: str | None = None


class WorkflowRun(_Part):
    event: str | None = None
    pull_requests: list[PullRequest] | None = None


class Payload(_Part):
    """The parts of any event's payload that modelgate reads."""

    action: str | None = None


class PullRequestPayload(Payload):
    pull_request: PullRequest | None = None


class IssueCommentPayload(Payload):
    issue: Issue | None = None
    comment: dict[str, Any] | None = None  # its fields are read by bot.github.commands.comment_value


class MergeGroupPayload(Payload):
    merge_group: MergeGroup | None = None


class WorkflowRunPayload(Payload):
    workflow_run: WorkflowRun | None = None


EXPECTED = {"model_type": "an object", "dict_type": "an object", "list_type": "a list", "string_type": "a string",
            "int_type": "an integer"}  # pydantic's error types, in words
SHAPES: dict[str, type[Payload]] = {
    **dict.fromkeys(PR_EVENTS, PullRequestPayload), "pull_request_review": PullRequestPayload,
    "issue_comment": IssueCommentPayload, "merge_group": MergeGroupPayload, "workflow_run": WorkflowRunPayload,
}


@dataclass(frozen=True)
class Event:
    """``number`` is the PR's; ``head_sha``/``base_sha`` are the merge group's (what it evaluates) or, for a PR
    event, the payload's (only where an ``error`` status goes before the PR is read: its SHAs come from the
    API); ``reason`` says why an ignored event is ignored."""

    name: str
    action: str
    kind: Kind
    number: int | None = None
    head_sha: str | None = None
    base_sha: str | None = None
    reason: str = ""


def _ignored(name: str, action: str, why: str) -> Event:
    return Event(name, action, "ignored", reason=f"{name}{f'.{action}' if action else ''}: {why}")


def _shape_error(exc: ValidationError) -> str:
    """Which part of the payload has the wrong shape, in words (field names are ours: no payload text)."""
    error = exc.errors()[0]
    if error["loc"] and error["loc"][-1] == "number":
        return "the payload names no pull request number"
    where = ".".join(str(part) for part in error["loc"])
    return f"the payload's {where} is not {EXPECTED.get(error['type'], 'of the type GitHub sends')}"


def read_event(name: str, payload: dict[str, Any], pull_request: str = "") -> Event:
    """The Event of a ``GITHUB_EVENT_NAME`` and its payload (the JSON at ``GITHUB_EVENT_PATH``).

    ``pull_request`` (``$MODELGATE_PULL_REQUEST``) names the PR of a ``workflow_run`` follow-up whose payload
    lists none (GitHub leaves ``workflow_run.pull_requests`` empty for fork PRs)."""
    if name in CALENDAR_EVENTS:
        action = payload.get("action")
        return Event(name, action if isinstance(action, str) else "", "calendar")
    shape = SHAPES.get(name)
    if shape is None:
        action = payload.get("action")
        return _ignored(name, action if isinstance(action, str) else "", "not an event modelgate acts on")
    try:
        read = shape.model_validate(payload)
    except ValidationError as exc:
        action = payload.get("action")
        return _ignored(name, action if isinstance(action, str) else "", _shape_error(exc))
    action = read.action or ""
    if isinstance(read, PullRequestPayload):
        if name in PR_EVENTS and action not in PR_ACTIONS:
            return _ignored(name, action, "modelgate evaluates pull requests when opened, pushed to, reopened, "
                                          "edited or marked ready for review")
        if name == "pull_request_review" and action not in REVIEW_ACTIONS:
            return _ignored(name, action, "only submitted and dismissed reviews change approvals")
        return _for_pull(name, action, "review" if name == "pull_request_review" else "pull_request",
                         read.pull_request)
    if isinstance(read, IssueCommentPayload):
        if action != "created":
            return _ignored(name, action, "only new comments can be commands")
        if read.issue is None or not read.issue.pull_request:
            return _ignored(name, action, "a comment on an issue, not on a pull request")
        return _for_pull(name, action, "comment", read.issue.number)
    if isinstance(read, MergeGroupPayload):
        group = read.merge_group
        if group is None or group.head_sha is None or group.base_sha is None:
            return _ignored(name, action, "the payload has no head_sha and base_sha")
        return Event(name, action, "merge_group", head_sha=group.head_sha, base_sha=group.base_sha)
    assert isinstance(read, WorkflowRunPayload)
    run = read.workflow_run
    if run is None or run.event != "pull_request_review":
        return _ignored(name, action, "only the follow-up of a pull_request_review run re-evaluates")
    if run.pull_requests:
        return _for_pull(name, action, "review", run.pull_requests[0].number)
    if not PULL_NUMBER_RE.fullmatch(pull_request):
        return _ignored(name, action, "the payload names no pull request number, and MODELGATE_PULL_REQUEST is "
                                      "not one (ASCII digits)" if pull_request else
                                      "the payload names no pull request number")
    return _for_pull(name, action, "review", int(pull_request))


def _for_pull(name: str, action: str, kind: Kind, item: PullRequest | int | None) -> Event:
    pull = item if isinstance(item, PullRequest) else PullRequest(number=item)
    if pull.number is None:
        return _ignored(name, action, "the payload names no pull request number")
    return Event(name, action, kind, number=pull.number, head_sha=pull.head.sha if pull.head else None,
                 base_sha=pull.base.sha if pull.base else None)
