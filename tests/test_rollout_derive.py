"""The audit log, acks and overrides derived from a PR's comments (bot.rollout.derive)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.approvals import Ack, Override
from bot.result import AuditEntry
from bot.rollout.derive import MARKER_RE, Reply, derive, replies, reply_marker
from bot.rollout.parse import Comment

BOT = "github-actions[bot]"
T0 = datetime(2026, 11, 28, 12, tzinfo=UTC)
SHA = "c" * 40


def c(cid: int, user: str, body: str, *, user_type: str = "User", edited: bool = False) -> Comment:
    created = T0 + timedelta(minutes=cid)
    return Comment(cid, user, user_type, body, created, created + timedelta(seconds=30) if edited else created)


def answer(cid: int, outcome: str, detail: str = "", *, user: str = BOT, sha: str = SHA) -> Comment:
    return c(100 + cid, user, f"{reply_marker(Reply(cid, outcome, sha, detail))}\nsome text", user_type="Bot")


def test_marker_round_trip_survives_hostile_detail():
    detail = "--> <script>alert(1)</script> & -- \u2028 \"quoted\""
    text = reply_marker(Reply(5, "refused", SHA, detail))
    assert "-->" not in text[:-3] and "<" not in text[4:] and "&" not in text
    assert MARKER_RE.fullmatch(text)
    assert replies([c(9, BOT, text)], BOT) == {5: Reply(5, "refused", SHA, detail)}


def test_only_the_bots_markers_count():
    spoof = answer(1, "accepted", user="mallory")
    assert replies([spoof], BOT) == {}
    assert replies([c(1, BOT, "<!-- modelgate:rollout {not json} -->")], BOT) == {}
    assert replies([c(1, BOT, '<!-- modelgate:rollout {"comment": 1, "outcome": "maybe"} -->')], BOT) == {}


def test_audit_acks_and_overrides():
    comments = [
        c(1, "alice", "/rollout ack router --note fine"),
        answer(1, "accepted", "router acknowledged"),
        c(2, "bob", "/rollout ack router"),
        answer(2, "refused", "@bob is not an owner of router"),
        c(3, "dora", "/rollout override MG204 --reason 'budget agreed'"),
        answer(3, "accepted", "MG204 waived"),
        c(4, "erin", "/rollout canary", edited=True),
        c(5, "frank", "/rollout shadow"),
        c(6, "renovate[bot]", "/rollout shadow", user_type="Bot"),
        c(7, "gina", "just a comment"),
    ]
    got = derive(comments, BOT)
    assert got.acks == (Ack("alice", "router"),)
    assert got.overrides == (Override("dora", "MG204", "budget agreed", SHA),)
    at = [(T0 + timedelta(minutes=i)).isoformat() for i in range(6)]
    assert got.audit == (
        AuditEntry("alice", at[1], "/rollout ack router --note fine", "accepted", "router acknowledged"),
        AuditEntry("bob", at[2], "/rollout ack router", "refused", "@bob is not an owner of router"),
        AuditEntry("dora", at[3], "/rollout override MG204 --reason 'budget agreed'", "accepted", "MG204 waived"),
        AuditEntry("erin", at[4], "/rollout canary", "ignored", "edited after posting; post the command anew"),
        AuditEntry("frank", at[5], "/rollout shadow", "ignored", "not processed yet"),
    )


def test_edited_ack_does_not_count_even_if_accepted():
    comments = [c(1, "alice", "/rollout ack router", edited=True), answer(1, "accepted")]
    assert derive(comments, BOT).acks == ()


def test_issue_comments_are_not_derived():
    plain = Comment(1, "alice", "User", "/rollout ack router", T0, T0, on_pull_request=False)
    assert derive([plain, answer(1, "accepted")], BOT) == derive([], BOT)


def test_acks_on_another_head_do_not_count_when_pushes_invalidate():
    comments = [c(1, "alice", "/rollout ack router"), answer(1, "accepted")]
    assert derive(comments, BOT, head_sha=SHA).acks == (Ack("alice", "router"),)
    assert derive(comments, BOT, head_sha="f" * 40).acks == ()
