"""Who may run which ``/rollout`` command (docs/rollout.md). Pure: the shell gathers the facts, this judges.

The facts are the commenter's repository permission (as GitHub's collaborator-permission endpoint reports
it), the owners of each named model (trusted from the base), the configured admins, and the members of the
owning and admin teams (None when the token cannot read team membership). A refusal says exactly what was
missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.approvals import is_owner, login
from bot.rollout.parse import Command
from bot.rollout.verbs import Permission, verb_of

PERMISSIONS = ("none", "read", "triage", "write", "maintain", "admin")
UNWAIVABLE = ("MG301", "MG302")


@dataclass(frozen=True)
class Actor:
    """The commenter: login, repository permission (``none`` … ``admin``) and the teams resolved for them."""

    login: str
    permission: str
    team_members: Mapping[str, frozenset[str]] | None = None


@dataclass(frozen=True)
class CommandRules:
    """The repository's rules for commands: its admins, the permission deploying needs (``required``) and the
    stage verbs (``stages``)."""

    admins: tuple[str, ...]
    required: str
    stages: tuple[str, ...]


def permission_at_least(actual: str, required: str) -> bool:
    """read < triage < write < maintain < admin; an unknown permission counts as none."""
    rank = {name: index for index, name in enumerate(PERMISSIONS)}
    return rank.get(actual.lower(), 0) >= rank[required]


def authorize(command: Command, actor: Actor, *, owners: Mapping[str, tuple[str, ...]],
              rules: CommandRules) -> str | None:
    """Why ``actor`` may not run ``command`` on the models ``owners`` lists (model → owners), or None if they may.

    The verb's :class:`~bot.rollout.verbs.Permission` decides: deploying (``rules.stages`` are the stage verbs)
    needs ``rules.required`` permission and ownership of every model, or being an admin; ``OWNER`` needs
    ownership of the model; ``ADMIN`` being an admin with write permission or higher (as an approval counts).
    """
    admins, required, stages = rules.admins, rules.required, rules.stages
    permission = verb_of(command.verb).permission
    if permission is Permission.ANYONE:
        return None
    who = f"@{login(actor.login)}"
    admin = is_owner(actor.login, admins, actor.team_members)
    if permission is Permission.ADMIN:
        if command.rule in UNWAIVABLE:
            return f"{command.rule} cannot be waived: it needs the owners' approval (or `/rollout ack`)"
        if admin and permission_at_least(actor.permission, "write"):
            return None
        if admin:
            return (f"{who} has {actor.permission} permission on this repository; `{command.verb}` counts only from "
                    "an admin with write permission or higher, as an approval does")
        if not admins:
            return f"`{command.verb}` is for admins and no admins are configured (`admins` in .modelgate.yml)"
        return f"`{command.verb}` is for admins ({_list(admins)}); {who} is not one{_blind(admins, actor)}"
    deploying = deploys(command, stages)
    if deploying and not permission_at_least(actor.permission, required):
        return (f"{who} has {actor.permission} permission on this repository; `{command.verb}` needs {required} "
                "(rollout.command_permission)")
    not_owned = sorted(model for model, names in owners.items() if not is_owner(actor.login, names, actor.team_members))
    if not not_owned or (deploying and admin):
        return None
    details = "; ".join(f"{model} is owned by {_list(owners[model]) or 'nobody'}" for model in not_owned)
    either = " nor an admin" if deploying else ""
    blind = _blind(tuple(o for model in not_owned for o in owners[model]), actor)
    return f"{who} is not an owner of {', '.join(not_owned)}{either} ({details}){blind}"


def deploys(command: Command, stages: tuple[str, ...]) -> bool:
    """Whether ``command`` deploys (and so needs the configured permission): a stage verb, or a verb with the
    ``DEPLOY`` permission. A stage named like a fixed verb deploys, yet is judged as that verb otherwise."""
    return command.verb in stages or verb_of(command.verb).permission is Permission.DEPLOY


def _list(owners: tuple[str, ...] | list[str]) -> str:
    return ", ".join(owners)


def _blind(owners: tuple[str, ...] | list[str], actor: Actor) -> str:
    teams = [o for o in owners if "/" in o]
    if teams and actor.team_members is None:
        return (f"; team membership ({_list(teams)}) could not be checked: the token cannot read it "
                "(a GitHub App token with organisation members: read can)")
    return ""
