"""Who may run which ``/rollout`` command (SPEC section 7). Pure: the shell gathers the facts, this judges.

The facts are the commenter's repository permission (as GitHub's collaborator-permission endpoint reports
it), the owners of each named model (trusted from the base), the configured admins, and the members of the
owning and admin teams (None when the token cannot read team membership). A refusal says exactly what was
missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.approvals import is_owner, login
from bot.rollout.parse import DEPLOYING, Command

PERMISSIONS = ("none", "read", "triage", "write", "maintain", "admin")
ANYONE = ("help", "plan", "status")
UNWAIVABLE = ("MG301", "MG302")


@dataclass(frozen=True)
class Actor:
    """The commenter: login, repository permission (``none`` … ``admin``) and the teams resolved for them."""

    login: str
    permission: str
    team_members: Mapping[str, frozenset[str]] | None = None


def permission_at_least(actual: str, required: str) -> bool:
    """read < triage < write < maintain < admin; an unknown permission counts as none."""
    rank = {name: index for index, name in enumerate(PERMISSIONS)}
    return rank.get(actual.lower(), 0) >= rank[required]


def authorize(command: Command, actor: Actor, *, owners: Mapping[str, tuple[str, ...]], admins: tuple[str, ...],
              required: str, stages: tuple[str, ...]) -> str | None:
    """Why ``actor`` may not run ``command`` on the models ``owners`` lists (model → owners), or None if they may.

    ``stages`` are the stage verbs; deploying (a stage, promote, rollback) needs ``required`` permission and
    ownership of every model, or being an admin; ``ack`` needs ownership of the model; ``override`` an admin.
    """
    if command.verb in ANYONE:
        return None
    who = f"@{login(actor.login)}"
    admin = is_owner(actor.login, admins, actor.team_members)
    if command.verb == "override":
        if command.rule in UNWAIVABLE:
            return f"{command.rule} cannot be waived: it needs the owners' approval (or `/rollout ack`)"
        if admin:
            return None
        if not admins:
            return "`override` is for admins and no admins are configured (`admins` in .modelgate.yml)"
        return f"`override` is for admins ({_list(admins)}); {who} is not one{_blind(admins, actor)}"
    deploying = command.verb in stages or command.verb in DEPLOYING
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


def _list(owners: tuple[str, ...] | list[str]) -> str:
    return ", ".join(owners)


def _blind(owners: tuple[str, ...] | list[str], actor: Actor) -> str:
    teams = [o for o in owners if "/" in o]
    if teams and actor.team_members is None:
        return (f"; team membership ({_list(teams)}) could not be checked: the token cannot read it "
                "(a GitHub App token with organisation members: read can)")
    return ""
