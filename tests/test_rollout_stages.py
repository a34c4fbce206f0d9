"""Rollout state from deployments, stage gates, idempotency and races (bot.rollout.stages)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.result import Approval
from bot.rollout.stages import (
    Deployment,
    Request,
    current_stages,
    entry_refusal,
    existing,
    next_stage,
    ours,
    push_refusal,
    targets,
)

STAGES = ("shadow", "canary", "production")
HEAD = "a" * 40
OLD = "b" * 40
BOT = "github-actions[bot]"
_ids = iter(range(1, 10_000))


def dep(env: str, state: str | None = "success", *, sha: str = HEAD, model: str = "m", percent: int | None = None,
        rollback: bool = False, creator: str = BOT, pr: int = 7) -> Deployment:
    payload = {"model": model, "pr": pr, "percent": percent, "rollback": rollback}
    return Deployment(next(_ids), sha, env, f"deploy:{model}", creator, payload, state=state)


def refusal(stage: str, deployments: list[Deployment], *, verdict: str = "pending",
            approvals: tuple[Approval, ...] = ()) -> str | None:
    return entry_refusal(Request("m", stage, HEAD), STAGES, deployments, verdict, approvals)


def test_ours_filters_creator_pr_and_task():
    mine = dep("shadow")
    other_pr = dep("shadow", pr=8)
    by_human = dep("shadow", creator="alice")
    foreign_task = Deployment(next(_ids), HEAD, "shadow", "deploy", BOT, {"pr": 7})
    assert ours([other_pr, by_human, foreign_task, mine], "GitHub-Actions[bot]", 7) == [mine]


def test_first_stage_is_open():
    assert refusal("shadow", []) is None


def test_out_of_order_refused():
    assert refusal("canary", []) == ("m enters canary only after a successful shadow deployment of aaaaaaa "
                                     "(no deployment)")
    assert "successful canary" in refusal("production", [dep("shadow")])


def test_previous_stage_must_have_succeeded_on_the_same_sha():
    assert "its deployment is failure" in refusal("canary", [dep("shadow", "failure")])
    assert "its deployment is pending" in refusal("canary", [dep("shadow", None)])
    assert "(no deployment)" in refusal("canary", [dep("shadow", sha=OLD)])
    assert "(no deployment)" in refusal("canary", [dep("shadow", rollback=True)])
    assert refusal("canary", [dep("shadow")]) is None


def test_never_while_failing():
    assert refusal("shadow", [], verdict="fail") == "the check fails; fix its errors before any rollout"


def test_later_stages_need_every_approval():
    missing = Approval("MG302", "model:router", ("@acme/payments",), "impacted")
    done = Approval("MG301", "model:m", ("@alice",), "changed", satisfied=True, by=("alice",))
    assert refusal("shadow", [], approvals=(missing,)) is None
    assert refusal("canary", [dep("shadow")], approvals=(missing, done)) == (
        "canary needs every approval first; waiting on MG302 model:router (@acme/payments)")
    assert refusal("canary", [dep("shadow")], approvals=(done,)) is None


def test_unknown_stage_for_the_model():
    assert entry_refusal(Request("m", "canary", HEAD), ("shadow", "production"), [], "pass", ()) == (
        "m has no stage 'canary' (its stages: shadow, production)")


def test_next_stage():
    assert next_stage([], "m", STAGES, HEAD) == "shadow"
    assert next_stage([dep("shadow", None)], "m", STAGES, HEAD) == "canary"
    assert next_stage([dep("shadow"), dep("canary")], "m", STAGES, HEAD) == "production"
    assert next_stage([dep("shadow", sha=OLD)], "m", STAGES, HEAD) == "shadow"
    assert next_stage([dep("shadow"), dep("canary"), dep("production")], "m", STAGES, HEAD) is None


def test_idempotency():
    shadow = dep("shadow", None)
    assert existing([shadow], Request("m", "shadow", HEAD)) == shadow
    assert existing([shadow], Request("m", "shadow", OLD)) is None
    assert existing([shadow], Request("other", "shadow", HEAD)) is None
    canary10 = dep("canary", percent=10)
    assert existing([canary10], Request("m", "canary", HEAD, percent=10)) == canary10
    assert existing([canary10], Request("m", "canary", HEAD, percent=50)) is None
    assert existing([dep("shadow", "failure")], Request("m", "shadow", HEAD)) is None  # a retry after a failure


def test_rollback_idempotency():
    back = dep("canary", rollback=True, sha=OLD)
    assert existing([dep("canary"), back], Request("m", "canary", OLD, rollback=True)) == back
    assert existing([back, dep("canary")], Request("m", "canary", OLD, rollback=True)) is None
    # after a rollback the same forward deployment is new again
    assert existing([dep("canary", percent=10), back], Request("m", "canary", HEAD, percent=10)) is None


def test_current_stages():
    deployments = [dep("shadow"), dep("canary", None, percent=10), dep("shadow", model="n"),
                   dep("shadow", model="n", rollback=True, sha=OLD)]
    assert current_stages(deployments, ["m", "n", "o"]) == {
        "m": "canary 10% (pending)", "n": "shadow (rolled back)", "o": "not deployed"}


def test_targets():
    assert targets([], ["a", "b"]) == (("a", "b"), None)
    assert targets(["b"], ["a", "b"]) == (("b",), None)
    assert targets(["c", "d"], ["a", "b"])[1] == "c, d are not among this PR's models (a, b)"
    assert targets([], [])[1] == "this PR changes no model, so there is nothing to roll out"


def test_push_refusal():
    at = datetime(2026, 11, 28, 12, tzinfo=UTC)
    assert "a push raced it" in push_refusal(at, at + timedelta(seconds=1), HEAD)
    assert push_refusal(at, at, HEAD) is None
    assert push_refusal(at, at - timedelta(hours=1), HEAD) is None
    assert "GitHub cannot say when it received the head" in push_refusal(at, None, HEAD)


def test_canary_and_production_need_every_approval_even_first():
    waiting = [Approval("MG301", "model:m", ("@a",), "changed")]
    assert "needs every approval" in entry_refusal(Request("m", "canary", HEAD), ("canary", "production"), [],
                                                   "pending", waiting)
    assert entry_refusal(Request("m", "shadow", HEAD), ("shadow", "canary"), [], "pending", waiting) is None
