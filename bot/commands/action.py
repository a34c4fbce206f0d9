"""``modelgate action``: the GitHub Actions entry point (docs/github.md). A thin shell over ``bot.github``.

It reads the standard environment (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL,
GITHUB_SERVER_URL, GITHUB_RUN_ID, GITHUB_WORKSPACE, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, GITHUB_TOKEN) and
the action's inputs (MODELGATE_CONFIG, MODELGATE_BOT_LOGIN, MODELGATE_STATUS_CONTEXT; MODELGATE_PULL_REQUEST for a
``workflow_run`` follow-up), dispatches on the
event, and exits 0 whatever the verdict (the commit status carries it), 1 when the run could not do its job
(after setting the status ``error`` with the reason where it can).

``schedule`` and ``workflow_dispatch``: the scheduled run of the deprecation calendar (``bot.github.scheduled``,
docs/calendar.md): the tracking issue, the announcements, the open pull requests the day re-judged; its outputs are
``calendar-issue`` and ``rejudged`` (no ``verdict``).

/rollout: on ``issue_comment``, ``bot.github.commands.handle_comment`` runs the command first; its outputs
(e.g. ``rollout-model``) are written to GITHUB_OUTPUT, and the PR it read (with the bot's reply among its
comments) is evaluated and published like any other PR event, without reading it a second time.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot import check
from bot.commands._common import today
from bot.config import CONFIG_PATH, Config
from bot.escape import workflow_command_data
from bot.github import code_scanning, scheduled
from bot.github.client import Client, CommitStatus, GitHubError
from bot.github.commands import Handled, handle_comment
from bot.github.events import Event, read_event
from bot.github.pull_request import Settings, evaluate, publish, read_pull_request
from bot.github.revisions import DEFAULT_SERVER_URL, ensure_commits, load_trusted_states
from bot.github.status import error_status, status_of
from bot.manifests.parse import parse_config
from bot.report import ReportContext, render, render_summary
from bot.result import Result
from bot.sources import GitRevisionSource, SourceError


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("action", help="the GitHub Actions entry point (needs GitHub)",
                                   description="The GitHub Actions entry point: evaluate the event's pull request, "
                                               "post the report, set the commit status, run /rollout commands.")
    parser.add_argument("--today", metavar="YYYY-MM-DD",
                        help="the day the check runs (default: $MODELGATE_TODAY, else today in UTC)")
    parser.set_defaults(func=run)


class RunError(Exception):
    """The run could not do its job; ``sha`` is where the ``error`` status goes (when known), ``base`` the commit
    whose configuration names its context (the trusted ``status_context``)."""

    def __init__(self, message: str, sha: str | None, base: str | None = None) -> None:
        super().__init__(message)
        self.sha, self.base = sha, base


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name) or default


def settings_from_env(args: argparse.Namespace) -> Settings:
    server = _env("GITHUB_SERVER_URL", DEFAULT_SERVER_URL).rstrip("/")
    repo = _env("GITHUB_REPOSITORY")
    run_id = _env("GITHUB_RUN_ID")
    return Settings(
        repo=repo, workspace=Path(_env("GITHUB_WORKSPACE", ".")), today=today(args),
        bot_login=_env("MODELGATE_BOT_LOGIN", "github-actions[bot]"), config_path=_env("MODELGATE_CONFIG", CONFIG_PATH),
        status_context=_env("MODELGATE_STATUS_CONTEXT") or None, server_url=server,
        run_url=f"{server}/{repo}/actions/runs/{run_id}" if repo and run_id else None,
        token=_env("GITHUB_TOKEN") or None,
    )


def run(args: argparse.Namespace) -> int:
    return execute(args, Client)


def execute(args: argparse.Namespace, make_client: Callable[[str | None, str | None], Client]) -> int:
    """The whole run; ``make_client(token, api_url)`` builds the GitHub adapter (tests give it a fake clock)."""
    name, event_path = _env("GITHUB_EVENT_NAME"), _env("GITHUB_EVENT_PATH")
    if not name or not event_path:
        print("modelgate action: GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are not set; this runs inside GitHub "
              "Actions (use modelgate check offline)", file=sys.stderr)
        return 1
    try:
        payload = json.loads(Path(event_path).read_text(encoding="utf-8"))
        if not isinstance(payload, dict):
            raise ValueError(f"a JSON object was expected, not {type(payload).__name__}")
    except (OSError, ValueError) as exc:
        print(f"modelgate action: cannot read the event payload {event_path}: {exc}", file=sys.stderr)
        return 1
    event = read_event(name, payload, _env("MODELGATE_PULL_REQUEST"))
    if event.kind == "ignored":
        print(f"modelgate: ignored {event.reason}")
        return 0
    settings = settings_from_env(args)
    if "/" not in settings.repo:
        print("modelgate action: GITHUB_REPOSITORY is not set (owner/name)", file=sys.stderr)
        return 1
    gh = make_client(settings.token, _env("GITHUB_API_URL") or None)
    try:
        outputs = dispatch(gh, settings, event, payload)
    except RunError as exc:
        return _fail(gh, settings, str(exc), exc.sha, exc.base)
    write_outputs(outputs)
    print(f"modelgate: {outputs.get('verdict', 'done')} ({gh.calls} GitHub API calls)")  # a scheduled run: done
    return 0


def dispatch(gh: Client, settings: Settings, event: Event, payload: dict[str, Any]) -> dict[str, str]:
    """Do what ``event`` asks; every failure to do so becomes a RunError naming the SHA to mark."""
    sarif_mode(event.head_sha, event.base_sha)  # a wrong sarif input fails the run before it does anything
    if event.kind == "calendar":
        try:
            return scheduled.run(gh, settings, _env("GITHUB_STEP_SUMMARY"))
        except (GitHubError, SourceError) as exc:
            raise RunError(str(exc), None) from exc
    if event.kind == "merge_group":
        assert event.head_sha and event.base_sha
        try:
            return evaluate_merge_group(gh, settings, event.base_sha, event.head_sha, _merge_group_ref(payload))
        except (GitHubError, SourceError) as exc:
            raise RunError(str(exc), event.head_sha, event.base_sha) from exc
    assert event.number is not None
    sha, base = event.head_sha, event.base_sha  # where an error goes until the PR is read
    try:
        handled = handle_comment(gh, settings, payload) if event.kind == "comment" else Handled()
        pr = handled.pr or read_pull_request(gh, settings.repo, event.number, settings)
        sha, base = pr.head_sha, pr.base_sha
        result, shared = share_sarif(gh, settings, evaluate(gh, settings, pr), pr.head_sha,
                                     f"refs/pull/{pr.number}/head")
        result = publish(gh, settings, result, pr)
    except (GitHubError, SourceError) as exc:
        raise RunError(str(exc), sha, base) from exc
    context = ReportContext(server_url=settings.server_url, repository=settings.repo, head_sha=pr.head_sha,
                            run_url=settings.run_url, stages=tuple(pr.trust.config.rollout.stages))
    report(result, context)
    return {**result_outputs(result), **shared, **handled.outputs}


def evaluate_merge_group(gh: Client, settings: Settings, base_sha: str, head_sha: str,
                         ref: str | None = None) -> dict[str, str]:
    """A merge group: its head against its base; errors fail, approvals were settled on the PR."""
    ensure_commits(settings.workspace, [base_sha, head_sha], auth=settings.fetch_auth)
    states = load_trusted_states(settings.workspace, base_sha, head_sha, settings.config_path, settings.fetch_auth)
    base, head = states.base, states.head  # the group's base is the target branch as it will be: the trust root
    result, shared = share_sarif(gh, settings, check.evaluate(base, head, settings.today, trust=states.trust),
                                 head_sha, ref)
    state, description = status_of(result, merge_group=True)
    context = settings.status_context or states.trust.config.status_context
    gh.create_status(settings.repo, head_sha, CommitStatus(state, context, description, settings.run_url))
    report(result, ReportContext(server_url=settings.server_url, repository=settings.repo, head_sha=head_sha,
                                 run_url=settings.run_url, stages=tuple(states.trust.config.rollout.stages)))
    return {**result_outputs(result), **shared}


def sarif_mode(sha: str | None, base: str | None) -> code_scanning.Mode:
    """The ``sarif`` input ($MODELGATE_SARIF); a value that is not a mode is a RunError (the run fails with the
    ``error`` status on ``sha``): a workflow asking for something modelgate cannot do must not pass quietly."""
    value = _env("MODELGATE_SARIF")
    mode = code_scanning.mode_of(value)
    if mode is None:
        raise RunError(f"the sarif input {value!r} is not off, file or upload", sha, base)
    return mode


def share_sarif(gh: Client, settings: Settings, result: Result, head_sha: str,
                ref: str | None) -> tuple[Result, dict[str, str]]:
    """The ``sarif`` input (off, file, upload) done for ``result`` (see bot.github.code_scanning): the Result with
    a note when the upload failed, and the outputs ``sarif-file`` and, for ``upload-sarif``'s ``sha`` and ``ref``
    inputs, ``sarif-sha`` and ``sarif-ref``: the commit and ref analysed (the pull request's head, not the default
    branch that ``GITHUB_SHA``/``GITHUB_REF`` name on pull_request_target and issue_comment runs). (``dispatch``
    checked the input first.)"""
    mode = sarif_mode(head_sha, None)
    if mode == "upload" and ref is None:
        print("::warning title=modelgate::the merge group's ref is not known; the SARIF is written, not uploaded")
        mode = "file"
    shared = code_scanning.share(gh, result, mode, code_scanning.Target(settings.repo, head_sha, ref or ""))
    if shared.note:
        print(f"::warning title=modelgate::{workflow_command_data(shared.note)}")
    if shared.uploaded is not None:
        print(f"modelgate: the findings were uploaded to code scanning (SARIF upload {shared.uploaded or 'accepted'})")
    outputs = {"sarif-file": str(shared.path), "sarif-sha": head_sha, "sarif-ref": ref or ""} if shared.path else {}
    return code_scanning.with_note(result, shared), outputs


def _merge_group_ref(payload: dict[str, Any]) -> str | None:
    """The merge group's ref (``refs/heads/gh-readonly-queue/...``): its ``head_ref``, else $GITHUB_REF."""
    group = payload.get("merge_group")
    ref = group.get("head_ref") if isinstance(group, dict) else None
    ref = ref if isinstance(ref, str) else _env("GITHUB_REF")
    return ref if ref.startswith("refs/") else None


def report(result: Result, context: ReportContext) -> None:
    """Annotations on stdout (workflow commands) and the full report in the job summary."""
    annotations = render(result, "github", context=context)
    if annotations.strip():
        print(annotations, end="" if annotations.endswith("\n") else "\n")
    summary = _env("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as out:
            out.write(render_summary(result, context) + "\n")


def result_outputs(result: Result) -> dict[str, str]:
    return {"verdict": result.verdict, "errors": str(len(result.errors)),
            "impacted": json.dumps(result.impacted_models)}


def write_outputs(outputs: dict[str, str]) -> None:
    """``name<<DELIMITER`` blocks in $GITHUB_OUTPUT, with a random delimiter no value can contain."""
    path = _env("GITHUB_OUTPUT")
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as out:
        for key, value in outputs.items():
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
            while delimiter in value:
                delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
            out.write(f"{key}<<{delimiter}\n{value}\n{delimiter}\n")


def _fail(gh: Client, settings: Settings, reason: str, sha: str | None, base: str | None) -> int:
    """Exit 1 with the reason, after marking the head SHA ``error`` when GitHub still answers."""
    print(f"::error title=modelgate::{workflow_command_data(reason)}")
    print(f"modelgate action: {reason}", file=sys.stderr)
    if sha:
        state, description = error_status(reason)
        try:
            gh.create_status(settings.repo, sha,
                             CommitStatus(state, status_context(settings, base), description, settings.run_url))
        except GitHubError as exc:
            print(f"modelgate action: could not set the error status either: {exc}", file=sys.stderr)
    return 1


def status_context(settings: Settings, base: str | None) -> str:
    """The context of the run's status: the ``status-context`` input, else the configuration's at ``base`` (read
    from git objects, as for the evaluation), else the default when that cannot be read."""
    if settings.status_context:
        return settings.status_context
    if base:
        try:
            source = GitRevisionSource(settings.workspace, base)
            try:
                config, problems = parse_config(source.read(settings.config_path), settings.config_path)
            finally:
                source.close()
            if not problems:
                return config.status_context
        except (SourceError, OSError):
            pass
    return Config().status_context
