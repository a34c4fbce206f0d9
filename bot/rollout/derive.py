"""What the PR's comments say about its rollout: the audit log, the acks and the overrides. Pure.

Nothing is stored: every run re-reads the comments, and what counts is re-derived from what nobody but its
author can write. The bot's login is no proof of anything (every workflow of the repository posts as
``github-actions[bot]``), so:

- **Acks and overrides** come from the people's own ``/rollout ack`` and ``/rollout override`` comments (a
  human's, unedited, on the PR), never from the bot's replies. Their authors are authorized again by the
  approvals engine against the trusted configuration (an ack counts only from an owner of the model's MG302
  group, an override only from an admin, never for MG301/MG302). The head a comment was written for is known
  only from GitHub's own time of the push (:class:`Head`): an override waives its rule for the current head
  only when GitHub received that head before the override was written; with ``invalidate_on_push`` an ack
  counts likewise; a head whose push time is unknown gets neither.
- **The bot's replies** carry a marker (:func:`reply_marker`: the command's comment id, the outcome, the head
  SHA it acted on and why). They serve only to answer each command once and to show the audit log. With a
  key (a repository secret the workflow passes in) each marker carries an HMAC-SHA256 of its content and
  only a marker whose MAC verifies is read back; without a key no marker is believed: it still stops a
  second answer to the same command (which can only withhold an answer) and the audit log shows its outcome
  marked as unsigned.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.approvals import Ack, Override, login
from bot.result import AuditEntry
from bot.rollout.parse import Command, Comment, first_line, is_candidate, is_command, parse, shorten
from bot.rollout.stages import written_for_head
from bot.rollout.verbs import ACK, OVERRIDE, Verb, verb_of

Outcome = Literal["accepted", "refused", "ignored"]
MARKER_RE = re.compile(r"<!-- modelgate:rollout (\{[^<>]*?\}) -->")
_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "-": "\\u002d"})
UNSIGNED = "unsigned reply: "  # how the audit log shows the detail of a reply no key verified


@dataclass(frozen=True)
class Reply:
    """What the bot recorded about one command; ``signed``: its MAC verified with the run's key."""

    comment: int
    outcome: Outcome
    sha: str
    detail: str
    signed: bool = False


@dataclass(frozen=True)
class Head:
    """The PR's head and when GitHub received it (a time GitHub sets; None: GitHub cannot say)."""

    sha: str
    received_at: datetime | None = None


@dataclass(frozen=True)
class Derived:
    audit: tuple[AuditEntry, ...]
    acks: tuple[Ack, ...]
    overrides: tuple[Override, ...]


def _fields(reply: Reply) -> dict[str, Any]:
    return {"comment": reply.comment, "outcome": reply.outcome, "sha": reply.sha, "detail": reply.detail}


def mac(key: bytes, fields: dict[str, Any], purpose: str = "rollout") -> str:
    """The HMAC-SHA256 of ``fields`` (as canonical JSON) under ``key``, for ``purpose`` (a marker's kind: a MAC
    made for one kind never verifies as another). The calendar's markers (``bot.github.tracking_issue``) use it too."""
    message = json.dumps(fields, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode()
    return hmac.new(key, f"modelgate:{purpose}:".encode() + message, hashlib.sha256).hexdigest()


def reply_marker(reply: Reply, key: bytes | None = None) -> str:
    """An HTML comment holding ``reply`` as JSON (with its MAC under ``key``), with every character that could
    end the comment escaped."""
    data = _fields(reply)
    if key:
        data["mac"] = mac(key, data)
    return f"<!-- modelgate:rollout {json.dumps(data, ensure_ascii=True).translate(_SAFE)} -->"


def replies(comments: Sequence[Comment], bot_login: str, key: bytes | None = None) -> dict[int, Reply]:
    """The bot's replies by the id of the command they answer (the latest reply wins): with ``key``, only those
    whose MAC verifies (``signed``); without, every marker in a comment by the bot's login, unsigned."""
    bot = login(bot_login)
    found: dict[int, Reply] = {}
    for comment in comments:
        if login(comment.user) != bot:
            continue
        for match in MARKER_RE.finditer(comment.body):
            reply = _read_marker(match.group(1), key)
            if reply is not None:
                found[reply.comment] = reply
    return found


def _read_marker(text: str, key: bytes | None) -> Reply | None:
    try:
        data = json.loads(text)
        outcome = data["outcome"]
        if outcome not in ("accepted", "refused", "ignored") or not isinstance(data["comment"], int):
            return None
        reply = Reply(data["comment"], outcome, str(data.get("sha", "")), str(data.get("detail", "")))
        if key is None:
            return reply
        given = data.get("mac")
        if not isinstance(given, str) or not hmac.compare_digest(given, mac(key, _fields(reply))):
            return None
        return Reply(reply.comment, reply.outcome, reply.sha, reply.detail, signed=True)
    except (ValueError, KeyError, TypeError):
        return None


def counted(comment: Comment) -> tuple[Verb, Command] | None:
    """The ack or override a comment makes, if it is one that may count: a human's, unedited, on the PR, well
    formed (the approvals engine judges who made it)."""
    if not is_candidate(comment) or not is_command(comment.body):
        return None
    command = parse(comment.body, ())  # no stages: only the fixed verbs count here
    if not isinstance(command, Command):
        return None
    verb = verb_of(command.verb)
    if verb is ACK or (verb is OVERRIDE and command.rule and command.reason):
        return verb, command
    return None


def needs_push_time(comments: Sequence[Comment], invalidate_on_push: bool) -> bool:
    """Whether :func:`derive` needs to know when GitHub received the head: an override, or an ack when pushes
    invalidate approvals (so the shell asks GitHub only then)."""
    return any(found is not None and (found[0] is OVERRIDE or invalidate_on_push)
               for found in map(counted, comments))


def derive(comments: Sequence[Comment], bot_login: str, head: Head, *, invalidate_on_push: bool = False,
           key: bytes | None = None) -> Derived:
    """The audit log (every command, in order, as the bot's replies answered it), and the acks and overrides the
    people's own comments make (see the module): an override for ``head`` only when written after GitHub
    received it; with ``invalidate_on_push`` an ack likewise."""
    answered = replies(comments, bot_login, key)
    audit: list[AuditEntry] = []
    acks: list[Ack] = []
    overrides: list[Override] = []
    for comment in comments:
        if comment.by_bot or not comment.on_pull_request or not is_command(comment.body):
            continue
        audit.append(_entry(comment, answered.get(comment.id)))
        found = counted(comment)
        if found is None:
            continue
        verb, command = found
        current = written_for_head(comment.created_at, head.received_at)
        if verb is ACK and (current or not invalidate_on_push):
            acks.append(Ack(comment.user, command.models[0]))
        elif verb is OVERRIDE and command.rule and command.reason:
            overrides.append(Override(comment.user, command.rule, command.reason, head.sha if current else ""))
    return Derived(tuple(audit), tuple(acks), tuple(overrides))


def _entry(comment: Comment, reply: Reply | None) -> AuditEntry:
    at = comment.created_at.isoformat()
    line = shorten(first_line(comment.body))
    if not is_candidate(comment):
        return AuditEntry(comment.user, at, line, "ignored", "edited after posting; post the command anew")
    if reply is None:
        return AuditEntry(comment.user, at, line, "ignored", "not processed yet")
    return AuditEntry(comment.user, at, line, reply.outcome, reply.detail if reply.signed else UNSIGNED + reply.detail)
