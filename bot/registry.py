"""The rule registry: the one map of rule id → family, scope and handler (the function that emits it).

The catalogue (``rules/``, :mod:`bot.rules`) says what a rule is; the registry says which code finds it. A
family registers its rules where it writes them, with a decorator that names them::

    MG204: Final = "MG204"

    @registry.on_state("latency", MG204)
    def _budgets(state: State) -> Iterator[Finding]: ...

A handler may emit several rules (each of them is registered with it); a rule has exactly one handler.
The scope says what a handler judges, and so how the engine runs it:

- ``state``: one state (a :class:`State`); run on head, and on base for the rules head found, so that a
  finding already at base is preexisting. MG001 and MG008 are also reported by the loader itself
  (``Snapshot.findings``), which every run of a state passes through.
- ``change``: what the pull request changes (the :class:`bot.evaluation.Evaluation`).
- ``approval``: the approval groups a pull request needs (the :class:`bot.evaluation.Evaluation`); not findings.

Handlers of a scope run in the order of their first rule id. ``tests/test_rule_fixtures.py`` holds the
registry to the catalogue: the same ids, and a fixture for each.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Generic, Literal, TypeVar

from bot.config import Config
from bot.evaluation import Evaluation
from bot.graph import Graph
from bot.manifests.snapshot import Snapshot
from bot.result import Approval, Finding

Scope = Literal["state", "change", "approval"]
# What one contract version's schema checks found, by (check, contract blob, version index, schema_ref file
# blob): the bytes decide it, so the states of one run share it (most of their files are the same).
SchemaMemo = dict[tuple[str, str, int, str | None], Any]


@dataclass(frozen=True)
class State:
    """One state, as the rules of scope ``state`` judge it."""

    snapshot: Snapshot
    today: date | None = None  # None for ``modelgate lint``, which runs only the MG0xx rules (no day in them)
    memo: SchemaMemo = field(default_factory=dict)  # shared by the states of one run (see ``bot.lint``)

    @property
    def graph(self) -> Graph:
        """The state's graph (built once per snapshot)."""
        return Graph.from_snapshot(self.snapshot)

    @property
    def day(self) -> date:
        """``today``, for a rule that reads it."""
        if self.today is None:
            raise ValueError("this rule is judged on a day: give the State one")
        return self.today


StateHandler = Callable[[State], Iterable[Finding]]
ChangeHandler = Callable[[Evaluation], Iterable[Finding]]
ApprovalHandler = Callable[[Evaluation], Iterable[Approval]]
H = TypeVar("H", StateHandler, ChangeHandler, ApprovalHandler)


@dataclass(frozen=True)
class Registration(Generic[H]):
    """One handler and the rules it emits."""

    family: str
    scope: Scope
    rules: tuple[str, ...]
    handler: H


_STATE: list[Registration[StateHandler]] = []
_CHANGE: list[Registration[ChangeHandler]] = []
_APPROVAL: list[Registration[ApprovalHandler]] = []
_BY_RULE: dict[str, Registration[Any]] = {}


def _register(table: list[Registration[H]], registration: Registration[H]) -> H:
    if not registration.rules:
        raise ValueError(f"{registration.handler!r} registers no rule")
    for rule in registration.rules:
        if rule in _BY_RULE:
            raise ValueError(f"{rule} is registered twice: by {_BY_RULE[rule].family} and {registration.family}")
    for rule in registration.rules:
        _BY_RULE[rule] = registration
    table.append(registration)
    table.sort(key=lambda r: min(r.rules))
    return registration.handler


def on_state(family: str, *rules: str) -> Callable[[StateHandler], StateHandler]:
    """Registers a handler of ``rules`` judged on one state."""
    return lambda handler: _register(_STATE, Registration(family, "state", rules, handler))


def on_change(family: str, *rules: str) -> Callable[[ChangeHandler], ChangeHandler]:
    """Registers a handler of ``rules`` judged on what the pull request changes."""
    return lambda handler: _register(_CHANGE, Registration(family, "change", rules, handler))


def on_approval(family: str, *rules: str) -> Callable[[ApprovalHandler], ApprovalHandler]:
    """Registers the handler of approval ``rules``: the groups a pull request needs."""
    return lambda handler: _register(_APPROVAL, Registration(family, "approval", rules, handler))


def registered() -> Mapping[str, Registration[Any]]:
    """Every registered rule, by id (the families registered so far: importing :mod:`bot.check` loads all)."""
    return dict(sorted(_BY_RULE.items()))


def state_findings(state: State, rules: Collection[str] | None = None, family: str | None = None) -> list[Finding]:
    """The loader's findings of ``state``, then those of its state handlers (of ``family``; only the handlers that
    can find one of ``rules``, when given)."""
    found = list(state.snapshot.findings)
    for registration in _STATE:
        if (family is None or registration.family == family) and (
                rules is None or any(rule in rules for rule in registration.rules)):
            found.extend(registration.handler(state))
    return found


def change_findings(ev: Evaluation) -> list[Finding]:
    """The findings of every change handler."""
    return [finding for registration in _CHANGE for finding in registration.handler(ev)]


def approval_groups(ev: Evaluation) -> list[Approval]:
    """The groups of every approval rule the base configuration has not turned off, in rule order."""
    return [group for registration in _APPROVAL if all(ev.config.enabled(rule) for rule in registration.rules)
            for group in registration.handler(ev)]


def configured(findings: Iterable[Finding], config: Config) -> Iterator[Finding]:
    """The findings under ``config.rules`` (:meth:`bot.config.Config.severity`): ``off`` drops a rule's findings;
    an explicit severity replaces theirs, but an escalated finding (MG201 from the sunset day on) keeps its
    escalation unless ``{before, after}`` sets it. The one place severities are configured."""
    for finding in findings:
        level = config.severity(finding.rule, finding.severity, finding.escalated)
        if level != "off":
            yield finding if level == finding.severity else replace(finding, severity=level)
