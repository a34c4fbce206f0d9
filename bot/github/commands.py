"""``/rollout`` commands on GitHub (docs/rollout.md): the ``issue_comment`` flow around the pure rollout core.

``handle_comment(gh, settings, payload)`` is what ``modelgate action`` calls for an ``issue_comment`` event,
before it evaluates and publishes the PR. For a new comment by a human on a PR whose first line is a
command, it reads and assesses the PR as it is now, reacts 👀, judges the command (parse, scope, permission and
ownership, a head GitHub received after the command was written or cannot date, the stage gates), creates the
deployments it asks for (each one only once per model, stage and SHA), then reacts 🚀 or 😕 and replies with
what it did or why not. The reply carries a marker (signed with the ``rollout-key`` secret when the workflow
passes one) from which later runs show the audit log; a command that already has a reply was handled, so the
same event delivered twice changes nothing. Acks and overrides are never read from replies: every run
re-derives them from the people's own comments (:mod:`bot.rollout.derive`).

It returns a :class:`Handled`: the action's rollout outputs (``rollout-model``, ``rollout-stage``,
``rollout-sha`` and ``deployment-id``, space-separated, in the same order, when a command deploys several
models) and the PR as it was read, with the bot's reply among its comments, so that the action evaluates and
publishes it without reading it again: the audit log, acks and overrides then include the command just
handled, exactly as any later run re-derives them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from bot.approvals import login, trusted_manifest, trusted_owners
from bot.escape import markdown_text
from bot.evaluation import pr_models
from bot.github import deployments, pushes
from bot.github.client import Client, GitHubError
from bot.github.pull_request import (
    PrContext,
    Settings,
    assess,
    comment_value,
    known_members,
    pr_whose,
    read_pull_request,
)
from bot.github.rollout_state import signing_key
from bot.graph import Graph
from bot.manifests.models import Bound, Model
from bot.report.rollout_help import ModelHelp, render_help
from bot.result import Result
from bot.rollout.authorize import Actor, CommandRules, authorize, deploys
from bot.rollout.derive import Outcome, Reply, replies, reply_marker
from bot.rollout.parse import (
    Command,
    Comment,
    Refusal,
    first_line,
    is_candidate,
    is_command,
    parse,
    shorten,
)
from bot.rollout.stages import (
    Deployment,
    Request,
    entry_refusal,
    existing,
    latest,
    next_stage,
    push_refusal,
    stage_label,
    stages_of,
    targets,
)
from bot.rollout.verbs import Handler, Permission, verb_of
from bot.rules import catalog

REACTIONS = {"accepted": "rocket", "refused": "confused"}
# A deployment status link is linked only when nothing in it can close the link or open another (docs/github.md: no
# link or image built from user text); anything else is left out.
SAFE_URL = re.compile(r"https://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~%/=+:@,;?&#-]*)?")


@dataclass
class Answer:
    """What the bot did about one command: the outcome, one line why, more lines for the reply, deployments."""

    outcome: Outcome
    detail: str
    body: list[str] = field(default_factory=list)
    deployed: list[Deployment] = field(default_factory=list)

    def outputs(self) -> dict[str, str]:
        if not self.deployed:
            return {}
        return {"rollout-model": " ".join(d.model for d in self.deployed),
                "rollout-stage": " ".join(d.environment for d in self.deployed),
                "rollout-sha": " ".join(dict.fromkeys(d.sha for d in self.deployed)),
                "deployment-id": " ".join(str(d.id) for d in self.deployed)}


@dataclass
class Handled:
    """What :func:`handle_comment` did: the action's rollout outputs, and the PR as read (None when the event
    held no command), its comments including the bot's reply."""

    outputs: dict[str, str] = field(default_factory=dict)
    pr: PrContext | None = None


def handle_comment(gh: Client, settings: Settings, payload: Mapping[str, Any]) -> Handled:
    """Run the ``/rollout`` command of an ``issue_comment`` event, if it holds one."""
    issue = payload.get("issue") or {}
    raw = payload.get("comment") or {}
    if payload.get("action") != "created" or not raw or not isinstance(issue.get("number"), int):
        return Handled()
    comment = comment_value(dict(raw), on_pull_request=bool(issue.get("pull_request")))
    if not is_candidate(comment) or not is_command(comment.body):
        return Handled()
    pr = read_pull_request(gh, settings.repo, issue["number"], settings)
    if comment.id in replies([comment_value(c) for c in pr.comments], settings.bot_login, signing_key()):
        return Handled(pr=pr)  # answered already: this delivery is a repeat
    gh.add_reaction(settings.repo, comment.id, "eyes")
    answer = Rollout(gh, settings, assess(gh, settings, pr), pr, comment).answer()
    gh.add_reaction(settings.repo, comment.id, REACTIONS.get(answer.outcome, "confused"))
    pr.comments.append(gh.create_comment(settings.repo, pr.number, reply(comment, answer, pr.head_sha)))
    return Handled(answer.outputs(), pr)


def reply(comment: Comment, answer: Answer, sha: str) -> str:
    marker = reply_marker(Reply(comment.id, answer.outcome, sha, answer.detail), signing_key())
    command = markdown_text(shorten(first_line(comment.body), 200))  # no control character reaches GitHub
    head = f"**{answer.outcome}** · `{sha[:7]}` · {command} by {markdown_text('@' + login(comment.user))}"
    return "\n".join([marker, head, "", markdown_text(answer.detail), *(["", *answer.body] if answer.body else [])])


class Rollout:
    """One command judged against the PR as it is now."""

    def __init__(self, gh: Client, settings: Settings, result: Result, pr: PrContext, comment: Comment) -> None:
        self.gh, self.settings, self.result, self.pr, self.comment = gh, settings, result, pr, comment
        self.config = pr.trust.config
        self.models = pr_models(result.changes, Graph.from_snapshot(pr.base), Graph.from_snapshot(pr.head))
        self.stages = {m: stages_of(self._model(m), self.config) for m in self.models}
        verbs = [*self.config.rollout.stages, *(s for stages in self.stages.values() for s in stages)]
        self.verbs = tuple(dict.fromkeys(verbs))

    def _model(self, name: str) -> Model | None:
        found = trusted_manifest(self.pr.trust, "model", name)  # None: new, its own stages apply once it lands
        return cast(Model, found.doc) if found is not None else None

    def _owners(self, name: str) -> tuple[str, ...]:
        return trusted_owners(self.pr.trust, self.pr.head, "model", name)

    def answer(self) -> Answer:
        command = parse(self.comment.body, self.verbs)
        if isinstance(command, Refusal):
            return Answer("refused", command.reason)
        assert command is not None
        return HANDLERS[verb_of(command.verb).handler](self, command)

    # --- checks shared by the verbs that change something ------------------------------------------------

    def _refusal(self, command: Command, owners: Mapping[str, tuple[str, ...]], *, bound: bool = True) -> str | None:
        """Permission/ownership, then (``bound``: the command holds for one head) whether GitHub received the head
        before the command was written; None when the command may go on."""
        needs_permission = deploys(command, self.verbs) or verb_of(command.verb).permission is Permission.ADMIN
        actor = Actor(self.comment.user, self._permission() if needs_permission else "none", {})
        admins = tuple(self.config.admins)
        rules = CommandRules(admins, self.config.rollout.command_permission, self.verbs)
        why = authorize(command, actor, owners=owners, rules=rules)
        teams = sorted({login(o) for o in (*admins, *(o for names in owners.values() for o in names)) if "/" in o})
        if why and teams and "permission on this repository" not in why:
            members, _ = known_members(self.gh, self.pr, teams)
            why = authorize(command, Actor(actor.login, actor.permission, members), owners=owners, rules=rules)
        if why or not bound:
            return why
        received = pushes.received_at(self.gh, self.settings.repo, self.pr.head_sha, pushes.head_branch(self.pr.pull))
        return push_refusal(self.comment.created_at, received, self.pr.head_sha)

    def _permission(self) -> str:
        try:
            data = self.gh.collaborator_permission(self.settings.repo, login(self.comment.user))
        except GitHubError as exc:
            if exc.status == 404 and not exc.exhausted:
                return "none"
            raise
        user = data.get("user") or {}
        return str(data.get("role_name") or user.get("role_name") or data.get("permission") or "none")

    # --- ack and override ------------------------------------------------------------------------------

    def _ack(self, command: Command) -> Answer:
        model = command.models[0]
        group = next((a for a in self.result.approvals if a.rule == "MG302" and a.subject == f"model:{model}"), None)
        if group is None:
            waiting = [a.subject.removeprefix("model:") for a in self.result.approvals if a.rule == "MG302"]
            return Answer("refused", f"{model} awaits no acknowledgement in this PR (MG302 asks it of: "
                                     f"{', '.join(waiting) or 'no model'})")
        # an ack holds for one head only as approvals do: with invalidate_on_push (as derive counts it)
        why = self._refusal(command, {model: group.owners}, bound=self.config.approvals.invalidate_on_push)
        if why:
            return Answer("refused", why)
        note = f": {command.note}" if command.note else ""
        return Answer("accepted", f"the migration of {model} is acknowledged (MG302){note}")

    def _override(self, command: Command) -> Answer:
        rules = catalog()
        if command.rule not in rules:
            close = difflib.get_close_matches(command.rule or "", sorted(rules), n=1)
            return Answer("refused", f"no rule {command.rule}" + (f"; did you mean {close[0]}?" if close else ""))
        why = self._refusal(command, {})
        if why:
            return Answer("refused", why)
        return Answer("accepted", f"{command.rule} is waived for {self.pr.head_sha[:7]} by "
                                  f"@{login(self.comment.user)}: {command.reason}")

    # --- deploying -------------------------------------------------------------------------------------

    def _deploy(self, command: Command) -> Answer:
        models, why = targets(command.models, self.models)
        why = why or self._refusal(command, {m: self._owners(m) for m in models})
        if why:
            return Answer("refused", why)
        known = self._deployments(models)
        requests: list[Request] = []
        refusals: list[str] = []
        for model in models:
            request, refusal = self._request(command, model, known)
            if refusal:
                refusals.append(refusal)
            elif request:
                requests.append(request)
        if refusals:
            return Answer("refused", "; ".join(refusals))
        done: list[Deployment] = []
        lines: list[str] = []
        for request in requests:
            found = existing(known, request)
            deployment = found or self._create(request, command)
            done.append(deployment)
            what = "rollback" if request.rollback else "deployment"
            lines.append(f"- {markdown_text(request.model)} → {markdown_text(request.stage)}"
                         f"{f' ({request.percent}%)' if request.percent else ''} at `{request.sha[:7]}`: "
                         f"{what} {deployment.id} {'already exists' if found else 'created'}")
        summary = ", ".join(f"{r.model} → {r.stage}" for r in requests)
        verb = "rolled back" if command.verb == "rollback" else "deployed"
        return Answer("accepted", f"{verb} {summary}", lines, done)

    def _deployments(self, models: Sequence[str]) -> list[Deployment]:
        return deployments.list_ours(self.gh, pr_whose(self.settings, self.pr), models)

    def _request(self, command: Command, model: str, known: Sequence[Deployment]) -> tuple[Request | None, str | None]:
        stages = self.stages[model]
        sha = self.pr.head_sha
        if command.verb == "rollback":
            current = latest(known, model)
            if current is None:
                return None, f"{model} has no deployment to roll back"
            base = self.pr.trust.label  # the target branch's tip: what is live once the PR is abandoned
            reason = command.reason or f"rollback requested by @{login(self.comment.user)}"
            return Request(model, current.environment, base, rollback=True, reason=reason), None
        stage = command.stage or next_stage(known, model, stages, sha)
        if stage is None:
            return None, f"{model} is already at its last stage ({stages[-1]}) with {sha[:7]}"
        refusal = entry_refusal(Request(model, stage, sha), stages, known, self.result.verdict, self.result.approvals)
        if refusal:
            return None, refusal
        percent = command.percent if command.percent is not None else 100 if stage == stages[-1] else None
        return Request(model, stage, sha, percent), None

    def _create(self, request: Request, command: Command) -> Deployment:
        head = self.pr.head.models[request.model].doc
        assert isinstance(head, Model)
        # "base": the trust root, from which `gate --deployment` reads the metric gates (a commit of the target branch)
        payload = {"version": head.spec.version, "contracts": [f"{p.contract}@{p.version}" for p in head.spec.provides],
                   "pr": self.pr.number, "actor": login(self.comment.user), "base": self.pr.trust.label}
        description = (f"rollback of {request.model}: {request.reason}" if request.rollback
                       else f"/rollout {command.verb} by @{login(self.comment.user)}")
        production = request.stage == self.stages[request.model][-1]
        return deployments.create(self.gh, self.settings.repo, request,
                                  deployments.Details(payload, production, description))

    # --- help and status -------------------------------------------------------------------------------

    def _help(self, command: Command) -> Answer:
        models = [ModelHelp(m, self.stages[m], _gates(self._model(m))) for m in self.models]
        return Answer("accepted", "the /rollout commands", render_help(self.config.rollout.stages, models))

    def _plan(self, command: Command) -> Answer:
        return Answer("accepted", "the rollout plan in the report is refreshed")

    def _status(self, command: Command) -> Answer:
        return Answer("accepted", f"rollout of {len(self.models)} model(s) at {self.pr.head_sha[:7]}",
                      self._status_table())

    def _status_table(self) -> list[str]:
        known = self._deployments(self.models)
        lines = ["| model | stage | deployment |", "|---|---|---|"]
        for model in self.models:
            current = latest(known, model)
            link = "—"
            if current is not None:
                link = f"{current.id} of `{current.sha[:7]}`"
                if SAFE_URL.fullmatch(current.url):
                    link = f"[{link}]({current.url})"
            lines.append(f"| {markdown_text(model)} | {markdown_text(stage_label(current))} | {link} |")
        return lines if self.models else ["This PR changes no model."]


# The GitHub side of each handler of the verb table (bot.rollout.verbs).
HANDLERS: Mapping[Handler, Callable[[Rollout, Command], Answer]] = {
    "help": Rollout._help, "plan": Rollout._plan, "status": Rollout._status, "ack": Rollout._ack,
    "override": Rollout._override, "deploy": Rollout._deploy,
}


def _gates(model: Model | None) -> str:
    """A model's metric gates in words, for the help."""
    gates = model.spec.rollout.gates if model is not None and model.spec.rollout else {}
    return "; ".join(f"{stage}: " + ", ".join(f"{metric} {_bound(bound)}" for metric, bound in metrics.items())
                     for stage, metrics in gates.items()) or "no metric gates"


def _bound(bound: Bound) -> str:
    parts = [f"≥ {bound.min:g}" if bound.min is not None else "", f"≤ {bound.max:g}" if bound.max is not None else "",
             f"±{bound.max_delta:g} of the baseline" if bound.max_delta is not None else ""]
    return " ".join(p for p in parts if p)
