"""The ``/rollout`` verbs: the one table that parsing, authorization, the GitHub dispatch and ``/rollout help``
are derived from (docs/rollout.md). Pure.

Each :class:`Verb` says what it takes (:class:`Takes` and its options; :mod:`bot.rollout.parse` reads them into
a ``Command``), who may run it (:class:`Permission`; :mod:`bot.rollout.authorize` judges it), which handler
answers it (:data:`Handler`; ``bot.github.commands`` holds the GitHub side of each) and how the help shows it
(``usage`` and ``summary``, laid out by ``bot/report/templates/rollout-help.md.j2``).

The stage verbs are one entry, :data:`STAGE`: they are the stages of the PR's configuration and models, known
only when a command is read. A word that is a stage is read as a stage verb; a command whose verb is a fixed
verb's name is judged and answered as that fixed verb (:func:`verb_of`), as before the table existed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Literal

Handler = Literal["help", "plan", "status", "ack", "override", "deploy"]


class Takes(Enum):
    """The positional arguments of a verb (its options are listed beside it)."""

    NOTHING = "nothing"
    MODELS = "models"  # any number of the PR's models; none means all of them
    MODEL = "model"  # exactly one model
    RULE = "rule"  # exactly one rule id, and a --reason


class Permission(Enum):
    """Who may run a verb; the value is how the help says it."""

    ANYONE = "anyone"
    # rollout.command_permission (the help names the default) and ownership of every model, or being an admin
    DEPLOY = "write permission and an owner of each model, or an admin"
    OWNER = "an owner of MODEL"  # ownership of the one model named
    ADMIN = "an admin"  # one of the configured ``admins``


@dataclass(frozen=True)
class Verb:
    """One ``/rollout`` verb: ``usage`` is what follows its name in the help, ``example`` another way to write
    it the help adds, ``summary`` what it does."""

    name: str
    takes: Takes
    options: tuple[str, ...]
    permission: Permission
    handler: Handler
    usage: str
    summary: str
    example: str = ""


STAGE = Verb("STAGE", Takes.MODELS, ("--percent",), Permission.DEPLOY, "deploy", "[MODEL ...]",
             "deploy the PR's head to that stage", example="canary --percent N")
ACK = Verb("ack", Takes.MODEL, ("--note",), Permission.OWNER, "ack", "MODEL [--note N]",
           "acknowledge the migration (counts for MG302)")
OVERRIDE = Verb("override", Takes.RULE, ("--reason",), Permission.ADMIN, "override", "RULE --reason R",
                "waive RULE for the current head (not MG301/MG302)")

# In the order of the help and of the verbs a refusal lists (after the stages).
VERBS: tuple[Verb, ...] = (
    Verb("help", Takes.NOTHING, (), Permission.ANYONE, "help", "", "this help"),
    Verb("plan", Takes.NOTHING, (), Permission.ANYONE, "plan", "", "refresh the plan"),
    Verb("status", Takes.NOTHING, (), Permission.ANYONE, "status", "", "where each model is"),
    STAGE,
    Verb("promote", Takes.MODELS, ("--percent",), Permission.DEPLOY, "deploy", "[MODEL ...]",
         "the next stage of each model"),
    Verb("rollback", Takes.MODELS, ("--reason",), Permission.DEPLOY, "deploy", "[MODEL ...] [--reason R]",
         "deploy the base to the model's current stage"),
    ACK,
    OVERRIDE,
)
FIXED: Mapping[str, Verb] = {verb.name: verb for verb in VERBS if verb is not STAGE}
FIXED_VERBS = tuple(FIXED)


def verb_of(name: str) -> Verb:
    """The entry of a command's verb: a fixed verb by its name, else a stage verb."""
    return FIXED.get(name, STAGE)


@dataclass(frozen=True)
class HelpRow:
    """One row of the help's table: verbs that take nothing and share a permission share a row; ``who`` is
    ``same`` when the row above has the same permission."""

    verbs: tuple[Verb, ...]
    who: str


def help_rows() -> list[HelpRow]:
    """The rows of the help's table, in the order of :data:`VERBS`."""
    groups: list[list[Verb]] = []
    for verb in VERBS:
        last = groups[-1][-1] if groups else None
        if last and last.takes is verb.takes is Takes.NOTHING and last.permission is verb.permission:
            groups[-1].append(verb)
        else:
            groups.append([verb])
    return [HelpRow(tuple(group), "same" if index and groups[index - 1][0].permission is group[0].permission
                    else group[0].permission.value)
            for index, group in enumerate(groups)]
