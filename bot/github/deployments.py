"""GitHub Deployments for rollouts: read the bot's own deployments of a PR, create one, set its status.

GitHub is the only state: the deployments the bot created (task ``deploy:MODEL``, ``payload.pr``) and the
latest status of each. Reading costs one call per model plus one per deployment whose state matters (the
newest of each model, stage, SHA and direction).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.github.client import Client
from bot.rollout.stages import TASK_PREFIX, Deployment, Request, ours


def from_api(data: Mapping[str, Any], state: str | None = None, url: str = "") -> Deployment:
    payload = data.get("payload")
    return Deployment(
        id=int(data["id"]), sha=str(data.get("sha") or ""), environment=str(data.get("environment") or ""),
        task=str(data.get("task") or ""), creator=str((data.get("creator") or {}).get("login") or ""),
        payload=payload if isinstance(payload, dict) else {}, created_at=str(data.get("created_at") or ""),
        state=state, url=url)


def latest_status(gh: Client, repo: str, deployment_id: int) -> tuple[str | None, str]:
    """The state and link of a deployment's newest status (GitHub lists newest first); (None, "") if none."""
    _, statuses = gh.request("GET", f"/repos/{repo}/deployments/{deployment_id}/statuses", params={"per_page": 1})
    if not statuses:
        return None, ""
    first = statuses[0]
    return first.get("state"), first.get("log_url") or first.get("target_url") or first.get("environment_url") or ""


def list_ours(gh: Client, repo: str, pr: int, bot_login: str, models: Iterable[str]) -> list[Deployment]:
    """The bot's deployments of ``models`` for PR ``pr``, oldest first, with the states that matter filled in."""
    found: list[Deployment] = []
    for model in sorted(set(models)):
        found += ours((from_api(d) for d in gh.deployments(repo, task=f"{TASK_PREFIX}{model}")), bot_login, pr)
    newest: dict[tuple[str, str, str, bool], Deployment] = {}
    for deployment in sorted(found, key=lambda d: d.id):
        newest[(deployment.model, deployment.environment, deployment.sha, deployment.rollback)] = deployment
    filled = {d.id: from_api_with_state(gh, repo, d) for d in newest.values()}
    return sorted((filled.get(d.id, d) for d in found), key=lambda d: d.id)


def from_api_with_state(gh: Client, repo: str, deployment: Deployment) -> Deployment:
    state, url = latest_status(gh, repo, deployment.id)
    return Deployment(deployment.id, deployment.sha, deployment.environment, deployment.task, deployment.creator,
                      deployment.payload, deployment.created_at, state, url)


def create(gh: Client, repo: str, request: Request, *, payload: Mapping[str, Any], production: bool,
           description: str) -> Deployment:
    """One deployment of ``request.sha`` to the stage's environment. ``required_contexts`` is empty: the gate
    is modelgate's own (the stage gates and the commit status), not GitHub's check for every context."""
    body = {
        "ref": request.sha, "environment": request.stage, "task": f"{TASK_PREFIX}{request.model}",
        "auto_merge": False, "required_contexts": [], "description": description[:140],
        "production_environment": production, "transient_environment": False,
        "payload": {**payload, "model": request.model, "percent": request.percent, "rollback": request.rollback,
                    **({"reason": request.reason} if request.reason else {})},
    }
    return from_api(gh.create_deployment(repo, **body))


def set_status(gh: Client, repo: str, deployment_id: int, state: str, description: str,
               log_url: str | None = None) -> None:
    fields: dict[str, Any] = {"state": state, "description": description[:140]}
    if log_url:
        fields["log_url"] = log_url
    gh.create_deployment_status(repo, deployment_id, **fields)


def get(gh: Client, repo: str, deployment_id: int) -> Deployment:
    return from_api(gh.request("GET", f"/repos/{repo}/deployments/{deployment_id}")[1])
