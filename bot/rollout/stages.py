"""Where each model of a PR stands in its rollout, and whether it may move (docs/rollout.md). Pure.

The state is the bot's own GitHub Deployments for the PR (created by the bot's login, ``payload.pr`` the PR
number, task ``deploy:MODEL``) with the state of each one's latest status. Nothing else is remembered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.approvals import login
from bot.config import Config
from bot.manifests.models import Model
from bot.result import Approval

TASK_PREFIX = "deploy:"
FAILED = ("failure", "error")
APPROVED_STAGES = ("canary", "production")  # docs/rollout.md: they need every approval wherever they stand


@dataclass(frozen=True)
class Deployment:
    """One GitHub deployment as plain data; ``state`` is its latest status (None: no status yet)."""

    id: int
    sha: str
    environment: str
    task: str
    creator: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    created_at: str = ""
    state: str | None = None
    url: str = ""

    @property
    def model(self) -> str:
        return str(self.payload.get("model") or self.task.removeprefix(TASK_PREFIX))

    @property
    def rollback(self) -> bool:
        return bool(self.payload.get("rollback"))

    @property
    def percent(self) -> int | None:
        value = self.payload.get("percent")
        return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Request:
    """A deployment the bot is about to create for one model (the idempotency key is its shape)."""

    model: str
    stage: str
    sha: str
    percent: int | None = None
    rollback: bool = False
    reason: str | None = None


def stages_of(model: Model | None, config: Config) -> tuple[str, ...]:
    """A model's rollout stages: its own ``spec.rollout.stages`` when set, else the configured ones. ``model`` is
    the model as the trust root has it: a new model (None) has the configured stages until it has landed."""
    own = model.spec.rollout.stages if model is not None and model.spec.rollout else None
    return tuple(own or config.rollout.stages)


def ours(deployments: Iterable[Deployment], bot_login: str, pr: int) -> list[Deployment]:
    """The bot's deployments for this PR, oldest first (deployment ids grow with time)."""
    bot = login(bot_login)
    return sorted((d for d in deployments
                   if login(d.creator) == bot and d.task.startswith(TASK_PREFIX) and d.payload.get("pr") == pr),
                  key=lambda d: d.id)


def latest(deployments: Sequence[Deployment], model: str, **match: Any) -> Deployment | None:
    """The newest of ``deployments`` for ``model`` whose attributes equal ``match`` (e.g. environment, sha)."""
    for deployment in reversed(deployments):
        if deployment.model == model and all(getattr(deployment, k) == v for k, v in match.items()):
            return deployment
    return None


def existing(deployments: Sequence[Deployment], request: Request) -> Deployment | None:
    """The deployment that already does what ``request`` asks, if any: the same command twice deploys once.

    It is the newest deployment of the model to that stage when it has the same SHA, percentage and direction
    and has not failed (a failed one may be retried; a later deployment to the stage supersedes it).
    """
    found = latest(deployments, request.model, environment=request.stage)
    if found is None or found.state in FAILED:
        return None
    same = (found.sha, found.rollback) == (request.sha, request.rollback)
    return found if same and (request.rollback or found.percent == request.percent) else None


def stage_label(deployment: Deployment | None) -> str:
    """How a model's rollout reads in the report: ``canary``, ``canary (pending)``, ``canary (rolled back)``."""
    if deployment is None:
        return "not deployed"
    if deployment.rollback:
        return f"{deployment.environment} (rolled back)"
    state = deployment.state or "pending"
    percent = f" {deployment.percent}%" if deployment.percent is not None else ""
    return deployment.environment + percent + ("" if state == "success" else f" ({state})")


def current_stages(deployments: Sequence[Deployment], models: Iterable[str]) -> dict[str, str]:
    """Model → its rollout as :func:`stage_label` puts it (for ``Result.stages``)."""
    return {model: stage_label(latest(deployments, model)) for model in models}


def targets(requested: Sequence[str], of_pr: Sequence[str]) -> tuple[tuple[str, ...], str | None]:
    """The models a command acts on (all of the PR's when none are named), or a refusal naming the strays."""
    if not requested:
        if not of_pr:
            return (), "this PR changes no model, so there is nothing to roll out"
        return tuple(of_pr), None
    strays = [m for m in requested if m not in of_pr]
    if strays:
        known = ", ".join(of_pr) or "none"
        return (), f"{', '.join(strays)} {'is' if len(strays) == 1 else 'are'} not among this PR's models ({known})"
    return tuple(requested), None


def next_stage(deployments: Sequence[Deployment], model: str, stages: Sequence[str], sha: str) -> str | None:
    """The stage after the furthest one the model has reached with ``sha`` (the first if none); None past the end."""
    reached = [stages.index(d.environment) for d in deployments
               if d.model == model and d.sha == sha and not d.rollback and d.environment in stages]
    index = max(reached, default=-1) + 1
    return stages[index] if index < len(stages) else None


def entry_refusal(request: Request, stages: Sequence[str], deployments: Sequence[Deployment], verdict: str,
                  approvals: Sequence[Approval]) -> str | None:
    """Why ``request.model`` may not enter ``request.stage`` at ``request.sha`` now, or None when every gate holds.

    Stages are entered in order: the previous stage must have a successful deployment of the same SHA. Never
    while the verdict is ``fail``. ``canary``, ``production`` and every stage after the first also need every
    approval (a model whose stages start at ``canary`` does not skip them).
    """
    model, stage, sha = request.model, request.stage, request.sha
    if stage not in stages:
        return f"{model} has no stage {stage!r} (its stages: {', '.join(stages)})"
    if verdict == "fail":
        return "the check fails; fix its errors before any rollout"
    index = stages.index(stage)
    if index > 0:
        previous = stages[index - 1]
        done = latest(deployments, model, environment=previous, sha=sha, rollback=False)
        if done is None or done.state != "success":
            got = "no deployment" if done is None else f"its deployment is {done.state or 'pending'}"
            return f"{model} enters {stage} only after a successful {previous} deployment of {sha[:7]} ({got})"
    elif stage not in APPROVED_STAGES:
        return None
    missing = [a for a in approvals if not a.satisfied]
    if missing:
        waiting = "; ".join(f"{a.rule} {a.subject} ({', '.join(a.owners) or 'no owners'})" for a in missing)
        return f"{stage} needs every approval first; waiting on {waiting}"
    return None


def written_for_head(comment_at: datetime, head_received_at: datetime | None) -> bool:
    """Whether a comment was written while the PR's head was the commit GitHub received at ``head_received_at``
    (a time GitHub sets, never a commit's own dates, which the pusher chooses): only when that time is known and
    not after the comment."""
    if head_received_at is None:
        return False
    if comment_at.tzinfo is None:
        comment_at = comment_at.replace(tzinfo=UTC)
    return head_received_at <= comment_at


def push_refusal(comment_at: datetime, head_received_at: datetime | None, sha: str) -> str | None:
    """Why a command written at ``comment_at`` may not act on head ``sha``: GitHub received the head after the
    comment (a push raced it), or GitHub cannot say when it received it; None when it was written for ``sha``."""
    if written_for_head(comment_at, head_received_at):
        return None
    if head_received_at is None:
        return (f"GitHub cannot say when it received the head {sha[:7]} (the commit has no check suite on this "
                "PR's branch yet), so this command cannot be bound to it; repeat the command once its checks "
                "have started")
    return (f"the head moved to {sha[:7]} after this command was written (a push raced it); check the new head "
            "and repeat the command")
