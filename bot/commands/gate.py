"""``modelgate gate``: judge a rollout stage's metrics against the model's ``spec.rollout.gates`` (docs/rollout.md).

Offline it prints the verdict: exit 0 pass, 1 a breach, 2 usage. With ``--deployment ID`` (GitHub
environment: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL) it also sets that deployment's status, and on a
breach creates the rollback deployment (the PR's base SHA to the same stage) and says so on the PR.
With ``--records``, ``--table`` or ``--query`` the stage's data is verified against a contract version
(``modelgate verify``, docs/verify.md) as part of the gate.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any, cast

from bot.approvals import login
from bot.commands._common import add_format, add_max_bytes, find_version, load_state, parse_ref, show
from bot.commands._records import add_sources, source_asked, verify_asked
from bot.config import Config
from bot.errors import UsageError
from bot.github import deployments
from bot.github.client import Client, GitHubError
from bot.loader import Loader
from bot.manifests.models import Model
from bot.manifests.snapshot import Snapshot
from bot.report.formats import GATE
from bot.report.gate import GateReport, rollback_comment
from bot.rollout.gates import MetricsError, breaches, data_breaches, judge, read_metrics
from bot.rollout.stages import Deployment, Request, stages_of
from bot.sources import GitRevisionSource, SourceError, git
from bot.verify import Expected, VerifyResult
from bot.verify.readers import Limits

MAX_METRICS_BYTES = 10_000_000
DEFAULT_BOT = "github-actions[bot]"
SHA_RE = re.compile(r"[0-9a-f]{40}")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "gate", help="judge rollout metrics against a model's rollout.gates",
        description="Compare a metrics file ({\"candidate\": {...}, \"baseline\": {...}} or a flat object) with the "
                    "model's spec.rollout.gates[STAGE] (min, max, max_delta against the baseline). Exit 1 on a "
                    "breach. With --deployment, set the deployment's status and roll back on a breach.")
    parser.add_argument("--model", required=True, help="the model deployed")
    parser.add_argument("--stage", required=True, help="the rollout stage whose gates apply")
    parser.add_argument("--metrics", required=True, metavar="FILE", help="the metrics (JSON)")
    parser.add_argument("--deployment", type=int, metavar="ID",
                        help="the GitHub deployment to judge (needs GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL)")
    add_sources(parser, required=False)
    parser.add_argument("--contract", metavar="CONTRACT@V",
                        help="the contract version the records must honour (default: the one the model provides; "
                             "a model providing two must name one)")
    parser.add_argument("--baseline", metavar="FILE",
                        help="a baseline for the records' drift: a sample (same formats) or a baseline file (.json)")
    add_max_bytes(parser)
    parser.add_argument("--at", metavar="PATH|REV",
                        help="the state holding the model: a directory or a git revision (default: the working tree)")
    add_format(parser, GATE)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    github = _github_env() if args.deployment is not None else None
    deployment = _deployment(github, args) if github else None
    base = _base_of(github, deployment) if github and deployment else None
    snap = load_state(args.at)
    model = _model(snap, args.model)
    judged, config = _trusted(base, args.model, model) if base else (model, snap.config)
    stages = stages_of(judged, config)
    if args.stage not in stages:
        raise UsageError(f"model {args.model} has no stage {args.stage!r} (its stages: {', '.join(stages)})")
    gates = judged.spec.rollout.gates.get(args.stage, {}) if judged.spec.rollout else {}
    checks = judge(gates, read_metrics_file(args.metrics))
    for flag, given in (("--baseline", args.baseline), ("--contract", args.contract)):
        if given is not None and not source_asked(args):
            raise UsageError(f"{flag} is for records to verify: name them with --records, --table or --query")
    verified = _verify(snap, model, args) if source_asked(args) else None
    failed = [c.reason for c in breaches(checks)] + (data_breaches(verified) if verified else [])
    rollback = _settle(github, deployment, base, failed) if github and deployment and base else None
    show(GATE, args.format, GateReport(args.model, args.stage, checks, verified, failed, bool(gates), args.deployment,
                                       rollback))
    return 1 if failed else 0


def _trusted(base: str, name: str, proposed: Model) -> tuple[Model, Config]:
    """The model's gates and stages as the deployment's base commit has them (docs/rollout.md: whose gates judge).

    A pull request must not loosen the gates that judge its own rollout, as it cannot turn a rule off: when the
    model exists at the base, the base's manifest and configuration decide; a model the PR adds has only the
    gates the PR proposes (which its owners approved). ``base`` is a commit of the target branch
    (:func:`_base_of`), read from git objects (never a directory of that name).
    """
    source = GitRevisionSource(".", base)
    try:
        snap = Loader(source).load()
    finally:
        source.close()
    manifest = snap.models.get(name)
    return (cast(Model, manifest.doc) if manifest else proposed), snap.config


def _base_of(github: tuple[Client, str], deployment: Deployment) -> str:
    """The commit a deployment's PR is measured from: its payload's ``base``, else the PR's base; either way a
    commit of the PR's target branch, reachable from that branch's tip in this clone (``origin/BRANCH``), so
    that a deployment naming ``.``, the PR's head or any other commit cannot choose the gates that judge it."""
    pr = deployment.payload.get("pr")
    if not isinstance(pr, int) or isinstance(pr, bool):
        raise UsageError(f"deployment {deployment.id} names no PR")
    gh, repo = github
    try:
        pull = gh.pull(repo, pr)
    except GitHubError as exc:
        raise UsageError(f"GitHub: {exc.message}") from exc
    branch, base = str(pull["base"]["ref"]), deployment.payload.get("base") or pull["base"]["sha"]
    if not isinstance(base, str) or not SHA_RE.fullmatch(base):
        raise UsageError(f"deployment {deployment.id} names {str(base)[:60]!r} as its base, not a commit of "
                         f"{branch}; its gates are not judged")
    tip = f"refs/remotes/origin/{branch}"
    try:
        git(".", "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    except SourceError as exc:
        raise UsageError(f"the gates are read from the deployment's base commit {base[:12]}, which is not in this "
                         f"clone; fetch it first (git fetch origin {base})") from exc
    try:
        git(".", "rev-parse", "--verify", "--quiet", f"{tip}^{{commit}}")
    except SourceError as exc:
        raise UsageError(f"the base of deployment {deployment.id} must be a commit of {branch}, and {tip} is not in "
                         f"this clone; fetch it first (git fetch origin {branch})") from exc
    if not _is_ancestor(base, tip):
        raise UsageError(f"deployment {deployment.id} names {base[:12]} as its base, which is not a commit of "
                         f"{branch} ({tip}); its gates are not judged")
    return base


def _is_ancestor(commit: str, tip: str) -> bool:
    """Whether ``commit`` is reachable from ``tip`` (replace refs ignored: they could graft any history)."""
    done = subprocess.run(["git", "--no-replace-objects", "merge-base", "--is-ancestor", commit, tip],
                          capture_output=True, check=False)
    return done.returncode == 0


def _deployment(github: tuple[Client, str], args: argparse.Namespace) -> Deployment:
    gh, repo = github
    try:
        deployment = deployments.get(gh, repo, args.deployment)
    except GitHubError as exc:
        raise UsageError(f"GitHub: {exc.message}") from exc
    bot = os.environ.get("MODELGATE_BOT_LOGIN") or DEFAULT_BOT
    if login(deployment.creator) != login(bot):
        raise UsageError(f"deployment {args.deployment} was created by {deployment.creator or 'nobody'}, not by the "
                         f"bot ({bot}, MODELGATE_BOT_LOGIN); its gates are not judged")
    if deployment.model != args.model or deployment.environment != args.stage:
        raise UsageError(f"deployment {args.deployment} deploys {deployment.model} to {deployment.environment}, "
                         f"not {args.model} to {args.stage}")
    return deployment


def _model(snap: Snapshot, name: str) -> Model:
    manifest = snap.models.get(name)
    if manifest is None:
        close = difflib.get_close_matches(name, sorted(snap.models), n=1)
        hint = f"; did you mean {close[0]}?" if close else f" (models: {', '.join(sorted(snap.models)) or 'none'})"
        raise UsageError(f"no model {name!r} in {snap.label}{hint}")
    return cast(Model, manifest.doc)


def read_metrics_file(path: str) -> Any:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"--metrics {path}: {exc.strerror}") from exc
    if len(data) > MAX_METRICS_BYTES:
        raise UsageError(f"--metrics {path}: over {MAX_METRICS_BYTES} bytes")
    try:
        return read_metrics(json.loads(data))
    except (ValueError, MetricsError) as exc:
        raise UsageError(f"--metrics {path}: {exc}") from exc


def _verify(snap: Snapshot, model: Model, args: argparse.Namespace) -> VerifyResult:
    if args.contract:
        name, number = parse_ref(args.contract)
    elif len(model.spec.provides) == 1:
        name, number = model.spec.provides[0].contract, model.spec.provides[0].version
    else:
        provided = ", ".join(f"{p.contract}@{p.version}" for p in model.spec.provides) or "none"
        raise UsageError(f"verifying records needs --contract CONTRACT@V: {args.model} provides {provided}")
    _, _, version = find_version(snap, name, number)
    schema = snap.schema(name, number)
    if schema is None:
        raise UsageError(f"the schema of {name}@{number} cannot be read (run modelgate lint)")
    return verify_asked(Expected(schema, version.quality, f"{name}@{number}"), args, args.baseline, 10,
                        Limits(max_bytes=args.max_bytes))


def _github_env() -> tuple[Client, str]:
    missing = [k for k in ("GITHUB_TOKEN", "GITHUB_REPOSITORY") if not os.environ.get(k)]
    if missing:
        raise UsageError(f"--deployment needs the GitHub environment: {', '.join(missing)} not set")
    return Client(os.environ["GITHUB_TOKEN"], os.environ.get("GITHUB_API_URL")), os.environ["GITHUB_REPOSITORY"]


def _run_url() -> str | None:
    server, repo, run_id = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    return f"{server}/{repo}/actions/runs/{run_id}" if server and repo and run_id else None


def _settle(github: tuple[Client, str], deployment: Deployment, base: str, failed: list[str]) -> Deployment | None:
    """Set the deployment's status; on a breach, roll back and tell the PR. Returns the rollback deployment."""
    gh, repo = github
    try:
        log_url = _run_url()
        if not failed:
            deployments.set_status(gh, repo, deployment.id,
                                   deployments.Status("success", f"{deployment.environment} gates passed", log_url))
            return None
        deployments.set_status(gh, repo, deployment.id,
                               deployments.Status("failure", f"gate breach: {'; '.join(failed)}", log_url))
        return _roll_back(gh, repo, deployment, base, failed)
    except GitHubError as exc:
        raise UsageError(f"GitHub: {exc.message}") from exc


def _roll_back(gh: Client, repo: str, deployment: Deployment, base: str, failed: list[str]) -> Deployment:
    pr = deployment.payload.get("pr")
    payload = {k: v for k, v in deployment.payload.items() if k not in ("reason", "rollback", "percent")}
    request = Request(deployment.model, deployment.environment, base, rollback=True,
                      reason=f"gate breach of deployment {deployment.id}: {'; '.join(failed)}")
    rollback = deployments.create(gh, repo, request,
                                  deployments.Details({**payload, "actor": "modelgate gate"},
                                                      production=deployment.environment == "production",
                                                      description=f"rollback of {deployment.model}: gate breach"))
    if isinstance(pr, int):
        gh.create_comment(repo, pr, rollback_comment(deployment, rollback, base, failed))
    return rollback
