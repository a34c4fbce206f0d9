"""What the PR's comments say about its rollout: the audit log, the acks and the overrides. Pure.

Nothing is stored: every run re-reads the comments. The bot answers each command with a reply carrying a
marker (:func:`reply_marker`) that records the command's comment id, the outcome, the head SHA it acted on
and why. Only markers in comments authored by the bot's own login are believed. An ack or an override counts
once the bot accepted it (the approvals engine checks the ownership or admin rights again); an override
waives its rule for the SHA recorded in that reply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.approvals import Ack, Override, login
from bot.result import AuditEntry
from bot.rollout.parse import Command, Comment, first_line, is_candidate, is_command, parse, shorten
from bot.rollout.verbs import ACK, OVERRIDE, verb_of

Outcome = Literal["accepted", "refused", "ignored"]
MARKER_RE = re.compile(r"<!-- modelgate:rollout (\{[^<>]*?\}) -->")
_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "-": "\\u002d"})


@dataclass(frozen=True)
class Reply:
    """What the bot recorded about one command."""

    comment: int
    outcome: Outcome
    sha: str
    detail: str


@dataclass(frozen=True)
class Derived:
    audit: tuple[AuditEntry, ...]
    acks: tuple[Ack, ...]
    overrides: tuple[Override, ...]


def reply_marker(reply: Reply) -> str:
    """An HTML comment holding ``reply`` as JSON, with every character that could end the comment escaped."""
    data = {"comment": reply.comment, "outcome": reply.outcome, "sha": reply.sha, "detail": reply.detail}
    return f"<!-- modelgate:rollout {json.dumps(data, ensure_ascii=True).translate(_SAFE)} -->"


def replies(comments: Sequence[Comment], bot_login: str) -> dict[int, Reply]:
    """The bot's replies by the id of the command they answer (the latest reply wins)."""
    bot = login(bot_login)
    found: dict[int, Reply] = {}
    for comment in comments:
        if login(comment.user) != bot:
            continue
        for match in MARKER_RE.finditer(comment.body):
            reply = _read_marker(match.group(1))
            if reply is not None:
                found[reply.comment] = reply
    return found


def _read_marker(text: str) -> Reply | None:
    try:
        data = json.loads(text)
        outcome = data["outcome"]
        if outcome not in ("accepted", "refused", "ignored") or not isinstance(data["comment"], int):
            return None
        return Reply(data["comment"], outcome, str(data.get("sha", "")), str(data.get("detail", "")))
    except (ValueError, KeyError, TypeError):
        return None


def derive(comments: Sequence[Comment], bot_login: str, head_sha: str | None = None) -> Derived:
    """The audit log (every command, in order), and the acks and overrides the bot accepted; with ``head_sha``
    (``invalidate_on_push``) only the acks accepted on that head, as an ack counts like an approval."""
    answered = replies(comments, bot_login)
    audit: list[AuditEntry] = []
    acks: list[Ack] = []
    overrides: list[Override] = []
    for comment in comments:
        if comment.by_bot or not comment.on_pull_request or not is_command(comment.body):
            continue
        at = comment.created_at.isoformat()
        line = shorten(first_line(comment.body))
        if not is_candidate(comment):
            audit.append(AuditEntry(comment.user, at, line, "ignored", "edited after posting; post the command anew"))
            continue
        reply = answered.get(comment.id)
        if reply is None:
            audit.append(AuditEntry(comment.user, at, line, "ignored", "not processed yet"))
            continue
        audit.append(AuditEntry(comment.user, at, line, reply.outcome, reply.detail))
        command = parse(comment.body, ())  # no stages: only the fixed verbs count here
        if reply.outcome != "accepted" or not isinstance(command, Command):
            continue
        verb = verb_of(command.verb)
        if verb is ACK and head_sha in (None, reply.sha):
            acks.append(Ack(comment.user, command.models[0]))
        elif verb is OVERRIDE and command.rule and command.reason:
            overrides.append(Override(comment.user, command.rule, command.reason, reply.sha))
    return Derived(tuple(audit), tuple(acks), tuple(overrides))
