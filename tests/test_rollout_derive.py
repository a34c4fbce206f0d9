"""The audit log, acks and overrides derived from a PR's comments (bot.rollout.derive)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.approvals import Ack, Override
from bot.result import AuditEntry
from bot.rollout.derive import MARKER_RE, UNSIGNED, Head, Reply, derive, needs_push_time, replies, reply_marker
from bot.rollout.parse import Comment

BOT = "github-actions[bot]"
T0 = datetime(2026, 11, 28, 12, tzinfo=UTC)
SHA = "c" * 40
NEW = "d" * 40
KEY = b"a repository secret"
HEAD = Head(SHA, T0)  # received before every comment below


def c(cid: int, user: str, body: str, *, user_type: str = "User", edited: bool = False) -> Comment:
    created = T0 + timedelta(minutes=cid)
    return Comment(cid, user, user_type, body, created, created + timedelta(seconds=30) if edited else created)


def answer(cid: int, outcome: str, detail: str = "", *, user: str = BOT, sha: str = SHA,
           key: bytes | None = KEY) -> Comment:
    return c(100 + cid, user, f"{reply_marker(Reply(cid, outcome, sha, detail), key)}\nsome text", user_type="Bot")


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
    got = derive(comments, BOT, HEAD, key=KEY)
    assert got.acks == (Ack("alice", "router"), Ack("bob", "router"))  # the approvals engine judges who owns router
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
    assert derive(comments, BOT, HEAD, key=KEY).acks == ()


def test_issue_comments_are_not_derived():
    plain = Comment(1, "alice", "User", "/rollout ack router", T0, T0, on_pull_request=False)
    assert derive([plain, answer(1, "accepted")], BOT, HEAD) == derive([], BOT, HEAD)


def test_acks_count_on_the_head_they_were_written_for_when_pushes_invalidate():
    comments = [c(1, "alice", "/rollout ack router"), answer(1, "accepted")]
    assert derive(comments, BOT, HEAD, invalidate_on_push=True).acks == (Ack("alice", "router"),)
    pushed_later = Head(NEW, T0 + timedelta(minutes=5))
    assert derive(comments, BOT, pushed_later, invalidate_on_push=True).acks == ()
    assert derive(comments, BOT, pushed_later).acks == (Ack("alice", "router"),)
    assert derive(comments, BOT, Head(SHA, None), invalidate_on_push=True).acks == ()  # GitHub cannot date it


def test_acks_and_overrides_come_from_the_peoples_comments_not_the_bots_replies():
    """Issue 19, item 5: every workflow of the repository posts as github-actions[bot], so a reply proves
    nothing. An override counts for the head GitHub received before it was written, whatever any reply says;
    it needs no reply at all (the approvals engine checks that its author is an admin)."""
    override = c(3, "dora", "/rollout override MG204 --reason 'budget agreed'")
    assert derive([override], BOT, HEAD).overrides == (Override("dora", "MG204", "budget agreed", SHA),)
    forged = answer(3, "accepted", sha=NEW, key=None)  # "accepted on the new head", by another workflow
    pushed_later = Head(NEW, T0 + timedelta(minutes=5))
    for key in (None, KEY):
        assert derive([override, forged], BOT, pushed_later, key=key).overrides == (
            Override("dora", "MG204", "budget agreed", ""),)  # written for an older head: waives nothing here
    refused = answer(3, "refused", "not an admin")
    assert derive([override, refused], BOT, HEAD, key=KEY).overrides[0].sha == SHA  # re-judged, not believed


def test_with_a_key_only_signed_markers_are_read_back():
    signed = answer(1, "refused", "not an owner")
    forged = answer(1, "accepted", "ok", key=b"guessed")
    unsigned = answer(1, "accepted", "ok", key=None)
    assert replies([signed, forged, unsigned], BOT, KEY) == {1: Reply(1, "refused", SHA, "not an owner", signed=True)}
    assert replies([forged], BOT, KEY) == {} and replies([unsigned], BOT, KEY) == {}
    tampered = c(9, BOT, signed.body.replace("not an owner", "fine"))
    assert replies([tampered], BOT, KEY) == {}


def test_without_a_key_replies_are_shown_as_unsigned():
    comments = [c(1, "alice", "/rollout shadow"), answer(1, "accepted", "deployed scorer", key=None)]
    [entry] = derive(comments, BOT, HEAD).audit
    assert (entry.outcome, entry.detail) == ("accepted", UNSIGNED + "deployed scorer")


def test_the_push_time_is_needed_only_for_overrides_and_invalidating_acks():
    ack, override = c(1, "alice", "/rollout ack router"), c(2, "dora", "/rollout override MG204 --reason r")
    shadow, bot = c(3, "alice", "/rollout shadow"), c(4, "bot[bot]", "/rollout override MG204 --reason r")
    assert not needs_push_time([shadow, bot, ack], invalidate_on_push=False)
    assert needs_push_time([shadow, ack], invalidate_on_push=True)
    assert needs_push_time([override], invalidate_on_push=False)
