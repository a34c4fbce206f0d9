"""GitHub Deployments for rollouts: read the bot's own deployments of a PR, create one, set its status.

GitHub is the only state: the deployments the bot created (task ``deploy:MODEL``, ``payload.pr``) and the
latest status of each. GitHub filters a repository's deployments only by sha, ref, task and environment, and
none of them picks a PR's: a PR deploys several head SHAs over its life, a rollback deploys the base SHA (which
other PRs share), and a task filter costs one call per model. So :func:`list_pr` reads the repository's
deployments newest first, 100 a call, and keeps the bot's for the PR; it stops at the first page that reaches
back before the PR was opened (nothing older can be the PR's) or after ``pages`` pages.

Reading states costs one call per deployment: :func:`list_ours` (for the commands) reads the newest of each
model, stage, SHA and direction; :func:`report_stages` (for the report) only the newest of each model, at
most ``MAX_STAGE_READS``, so a pull_request run stays within its API budget (30 calls) however many models
the PR deploys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.github.client import PER_PAGE, Client, parse_time
from bot.rollout.stages import TASK_PREFIX, Deployment, Request, current_stages, latest, ours

# Deployment statuses read for the report. A pull_request run's worst case is then 3 (PR, reviews, 100 comments)
# + 12 (team lookups) + 1 + MAX_STAGE_READS (stages) + 2 (review requests split on a 422) + 1 (the report)
# + 2 (the listing that settles a race, over 101 comments) + 1 (status) = 28 calls of the budget's 30 (docs/github.md).
MAX_STAGE_READS = 6
COMMAND_PAGES = 5  # pages of 100 deployments a command reads at most (its gates need the PR's older ones too)


@dataclass(frozen=True)
class PullRequest:
    """Whose deployments are read: the bot's (``bot_login``) for PR ``number`` of ``repo``. ``since`` is when
    the PR was opened (ISO 8601; empty: unknown)."""

    repo: str
    number: int
    bot_login: str
    since: str = ""


@dataclass(frozen=True)
class Details:
    """What a new deployment carries besides its request: the payload, whether its environment is production,
    and the description (cut to GitHub's 140 characters when sent)."""

    payload: Mapping[str, Any]
    production: bool
    description: str


@dataclass(frozen=True)
class Status:
    """A deployment status as GitHub takes it (the description is cut to 140 characters when sent)."""

    state: str
    description: str
    log_url: str | None = None


def from_api(data: Mapping[str, Any], state: str | None = None, url: str = "") -> Deployment:
    payload = data.get("payload")
    return Deployment(
        id=int(data["id"]), sha=str(data.get("sha") or ""), environment=str(data.get("environment") or ""),
        task=str(data.get("task") or ""), creator=str((data.get("creator") or {}).get("login") or ""),
        payload=payload if isinstance(payload, dict) else {}, created_at=str(data.get("created_at") or ""),
        state=state, url=url)


def latest_status(gh: Client, repo: str, deployment_id: int) -> tuple[str | None, str]:
    """The state and link of a deployment's newest status (GitHub lists newest first); (None, "") if none.

    ``inactive`` is passed over: GitHub adds it to every older deployment of an environment when a newer one
    there succeeds (another model's, or a job's own ``environment:``), which says nothing of how this one went.
    One call: a page holds far more statuses than a deployment gets."""
    _, statuses = gh.request("GET", f"/repos/{repo}/deployments/{deployment_id}/statuses",
                             params={"per_page": PER_PAGE})
    if not statuses:
        return None, ""
    first = next((s for s in statuses if s.get("state") != "inactive"), statuses[0])
    return first.get("state"), first.get("log_url") or first.get("target_url") or first.get("environment_url") or ""


def list_pr(gh: Client, pr: PullRequest, pages: int = 1) -> tuple[list[Deployment], bool]:
    """The bot's deployments for the PR, oldest first, states not read; and whether the listing is complete.

    The listing is incomplete when ``pages`` full pages were read and the oldest of them is still younger than
    the PR (``pr.since``): older ones may be the PR's too.
    """
    opened = parse_time(pr.since)
    found: list[Deployment] = []
    for page in range(1, pages + 1):
        _, items = gh.request("GET", f"/repos/{pr.repo}/deployments", params={"per_page": PER_PAGE, "page": page})
        batch = [from_api(d) for d in items or []]
        found += batch
        if len(batch) < PER_PAGE or (opened and min(parse_time(d.created_at) or opened for d in batch) < opened):
            return ours(found, pr.bot_login, pr.number), True
    return ours(found, pr.bot_login, pr.number), False


def list_ours(gh: Client, pr: PullRequest, models: Iterable[str], pages: int = COMMAND_PAGES) -> list[Deployment]:
    """The bot's deployments of ``models`` for the PR, oldest first, with the states the stage gates read
    (the newest of each model, stage, SHA and direction)."""
    wanted = set(models)
    found = [d for d in list_pr(gh, pr, pages)[0] if d.model in wanted]
    newest: dict[tuple[str, str, str, bool], Deployment] = {}
    for deployment in found:
        newest[(deployment.model, deployment.environment, deployment.sha, deployment.rollback)] = deployment
    filled = {d.id: from_api_with_state(gh, pr.repo, d) for d in newest.values()}
    return [filled.get(d.id, d) for d in found]


def report_stages(gh: Client, pr: PullRequest, models: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """Model → its current rollout stage as the report shows it (:func:`bot.rollout.stages.stage_label`), and
    notes on what was not read. One listing call, then one status read per model whose newest deployment
    is not a rollback, for at most ``MAX_STAGE_READS`` models; the others are left out and named in a note."""
    if not models:
        return {}, []
    found, complete = list_pr(gh, pr)
    newest = {m: d for m in models if (d := latest(found, m)) is not None}
    forward = [d for d in newest.values() if not d.rollback]  # a rollback's label needs no state
    read = {d.id: from_api_with_state(gh, pr.repo, d) for d in forward[:MAX_STAGE_READS]}
    skipped = [d.model for d in forward[MAX_STAGE_READS:]]
    shown = [m for m in models if m not in skipped and (complete or m in newest)]
    stages = current_stages([read.get(d.id, d) for d in found], shown)
    notes = []
    if skipped:
        notes.append(f"current rollout stage of {len(skipped)} model(s) not read ({', '.join(skipped)}): at most "
                     f"{MAX_STAGE_READS} deployment statuses per run; `/rollout status` shows every model")
    if not complete:
        notes.append(f"rollout stages come from the repository's {PER_PAGE} newest deployments; models without "
                     "one among them are not shown")
    return stages, notes


def from_api_with_state(gh: Client, repo: str, deployment: Deployment) -> Deployment:
    state, url = latest_status(gh, repo, deployment.id)
    return Deployment(deployment.id, deployment.sha, deployment.environment, deployment.task, deployment.creator,
                      deployment.payload, deployment.created_at, state, url)


def create(gh: Client, repo: str, request: Request, details: Details) -> Deployment:
    """One deployment of ``request.sha`` to the stage's environment. ``required_contexts`` is empty: the gate
    is modelgate's own (the stage gates and the commit status), not GitHub's check for every context."""
    body = {
        "ref": request.sha, "environment": request.stage, "task": f"{TASK_PREFIX}{request.model}",
        "auto_merge": False, "required_contexts": [], "description": details.description[:140],
        "production_environment": details.production, "transient_environment": False,
        "payload": {**details.payload, "model": request.model, "percent": request.percent, "rollback": request.rollback,
                    **({"reason": request.reason} if request.reason else {})},
    }
    return from_api(gh.create_deployment(repo, **body))


def set_status(gh: Client, repo: str, deployment_id: int, status: Status) -> None:
    fields: dict[str, Any] = {"state": status.state, "description": status.description[:140]}
    if status.log_url:
        fields["log_url"] = status.log_url
    gh.create_deployment_status(repo, deployment_id, **fields)


def get(gh: Client, repo: str, deployment_id: int) -> Deployment:
    return from_api(gh.request("GET", f"/repos/{repo}/deployments/{deployment_id}")[1])
