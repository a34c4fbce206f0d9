"""What a report shows of one Result, under size limits: pure selection and counting, no formatting.

Every renderer reads a :class:`View`. ``Limits`` say how many items of each section to show and how long a
piece of user text may be; :data:`LADDER` is the order in which the PR comment gives things up to stay
under GitHub's size limit: the graph and the transitive impact first, then the changes, then the findings
that do not block, then the long tails, then long texts; the verdict, the errors and the approvals last.
The teams the comment asks for a review (its one live mention line) fold with the long tails: at most 50, then
20, then 5, the rest counted.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from bot.owners import OWNER_RE
from bot.result import Approval, AuditEntry, Change, ChecklistItem, Finding, Impacted, PlanStep, Result, Sunset

T = TypeVar("T")

# Mermaid refuses graphs beyond 500 edges (its default maxEdges); a readable one is far smaller.
GRAPH_MAX_EDGES = 200
FINDING_GROUPS = ("error", "waived", "warning", "notice", "preexisting")


@dataclass(frozen=True)
class Limits:
    """How much of each section to show; None is everything. ``text`` caps each piece of user text."""

    errors: int | None = None
    findings: int | None = None  # per group of the findings that do not block (waived, warning, notice)
    preexisting: int | None = None
    changes: int | None = None
    direct: int | None = None
    transitive: int | None = None
    graph: bool = True
    approvals: int | None = None
    checklist: int | None = None
    plan: int | None = None
    stages: int | None = None
    sunsets: int | None = None
    audit: int | None = None
    notes: int | None = None
    names: int | None = None  # per list of names (owners, fields, chain, consumers, ...)
    text: int | None = None
    mentions: int | None = None  # teams asked for a review on the comment's last line

    @property
    def shortened(self) -> bool:
        return self != FULL


FULL = Limits()


@dataclass(frozen=True)
class Whole:
    """What the template filters read to clip user text (``view.limits.text``) in a report that shows it whole
    (``verify``, ``schema-diff``)."""

    limits: Limits = FULL


WHOLE = Whole()


def _ladder() -> tuple[Limits, ...]:
    rungs = [FULL]

    def then(**kwargs: Any) -> None:  # fields of Limits (mypy cannot check **kwargs against them)
        rungs.append(replace(rungs[-1], **kwargs))

    then(graph=False, transitive=0)
    then(changes=50)
    then(findings=50, preexisting=0)
    then(direct=50, checklist=50, plan=20, stages=50, sunsets=20, audit=20, notes=20, mentions=50)
    then(text=300, names=20, mentions=20)
    then(changes=20, findings=20, direct=20, checklist=20, audit=10, sunsets=10, notes=10, errors=200, approvals=200)
    then(errors=50, approvals=50)
    then(text=120, changes=0, findings=0, direct=0, checklist=0, plan=0, stages=0, sunsets=0, audit=0, notes=0,
         errors=20, approvals=20)
    then(text=60, names=5, errors=10, approvals=10, mentions=5)
    return tuple(rungs)


LADDER = _ladder()


@dataclass(frozen=True)
class Part(Generic[T]):
    """The first items of a section, and how many there are in all."""

    items: tuple[T, ...]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)

    def __bool__(self) -> bool:
        return self.total > 0


def take(items: Sequence[T], limit: int | None) -> Part[T]:
    shown = items if limit is None else items[:limit]
    return Part(tuple(shown), len(items))


@dataclass(frozen=True)
class Node:
    id: str  # a mermaid identifier we make (n0, n1, ...), never user text
    name: str  # the graph node, e.g. "contract:fraud-score@2" or "model:risk-router"
    role: str  # "changed" (where a chain starts), "direct", "transitive" or "between"

    @property
    def label(self) -> str:
        """The name without its ``model:`` prefix; contract versions keep ``contract:`` to tell them apart."""
        return self.name.removeprefix("model:")


@dataclass(frozen=True)
class Graph:
    """The impacted part of the dependency graph, from the impact chains (consecutive nodes are edges)."""

    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str], ...]  # node ids
    total_edges: int

    @property
    def more(self) -> int:
        return self.total_edges - len(self.edges)


def impact_graph(direct: Sequence[Impacted], transitive: Sequence[Impacted], max_edges: int) -> Graph:
    """Nodes and edges in order of first appearance, so the same Result always draws the same graph."""
    roles = {f"model:{i.model}": "transitive" for i in transitive} | {f"model:{i.model}": "direct" for i in direct}
    ids: dict[str, str] = {}
    edges: dict[tuple[str, str], None] = {}
    for impacted in (*direct, *transitive):
        for a, b in itertools.pairwise(impacted.chain):
            edges.setdefault((a, b))
    starts = {i.chain[0] for i in (*direct, *transitive) if i.chain}
    shown = list(edges)[:max_edges]
    for a, b in shown:
        for name in (a, b):
            ids.setdefault(name, f"n{len(ids)}")
    nodes = tuple(
        Node(node_id, name, roles.get(name) or ("changed" if name in starts else "between"))
        for name, node_id in ids.items()
    )
    return Graph(nodes, tuple((ids[a], ids[b]) for a, b in shown), len(edges))


def finding_group(finding: Finding) -> str:
    """Which group of FINDING_GROUPS a finding is reported in."""
    if finding.preexisting:
        return "preexisting"
    if finding.waived_by is not None:
        return "waived"
    return finding.severity


@dataclass(frozen=True)
class Counts:
    """The figures of the one-line summary (impacted models counted once, however many versions reach them)."""

    errors: int
    warnings: int
    notices: int
    waived: int
    preexisting: int
    changes: int
    breaking: int
    direct: int
    transitive: int
    approvals: int
    approved: int


@dataclass(frozen=True)
class View:
    result: Result
    limits: Limits
    findings: dict[str, Part[Finding]]  # by FINDING_GROUPS, in that order
    changes: Part[Change]
    direct: Part[Impacted]
    transitive: Part[Impacted]
    asked: frozenset[str]  # the transitively impacted models whose owners must approve (approvals.transitive: require)
    graph: Graph | None
    approvals: Part[Approval]
    checklist: Part[ChecklistItem]
    plan: Part[PlanStep]
    stages: Part[tuple[str, str]]
    sunsets: Part[Sunset]
    audit: Part[AuditEntry]  # newest first
    notes: Part[str]
    counts: Counts
    waiting: tuple[Approval, ...]  # the unsatisfied approval groups
    mentions: Part[str]  # the teams (org/team) to ask for a review by a live mention


def is_team(name: str) -> bool:
    """Whether ``name`` is a well-formed ``org/team`` (at most 39 + 1 + 100 characters): only such a name is
    ever written as a live mention, so no other text rides along."""
    return "/" in name and OWNER_RE.fullmatch(f"@{name}") is not None


def build_view(result: Result, limits: Limits = FULL, ask: Sequence[str] = ()) -> View:
    """What to show of ``result`` under ``limits``; ``ask`` are the teams whose review request GitHub refused,
    asked by a mention instead (the PR comment's last line)."""
    groups: dict[str, list[Finding]] = {group: [] for group in FINDING_GROUPS}
    for finding in result.findings:
        groups[finding_group(finding)].append(finding)
    group_limits = {"error": limits.errors, "preexisting": limits.preexisting}
    findings = {group: take(items, group_limits.get(group, limits.findings)) for group, items in groups.items()}
    # Unsatisfied groups first: when approvals must be cut, what is still missing stays in sight.
    approvals = sorted(result.approvals, key=lambda a: a.satisfied)
    impacted = result.direct or result.transitive
    downstream = {a.subject for a in result.approvals if a.rule == "MG302"}  # a transitive one: under require
    return View(
        result=result,
        limits=limits,
        findings=findings,
        changes=take(result.changes, limits.changes),
        direct=take(result.direct, limits.direct),
        transitive=take(result.transitive, limits.transitive),
        asked=frozenset(i.model for i in result.transitive if f"model:{i.model}" in downstream),
        graph=impact_graph(result.direct, result.transitive, GRAPH_MAX_EDGES) if limits.graph and impacted else None,
        approvals=take(approvals, limits.approvals),
        checklist=take(result.checklist, limits.checklist),
        plan=take(result.plan, limits.plan),
        stages=take(sorted(result.stages.items()), limits.stages),
        sunsets=take(result.sunsets, limits.sunsets),
        audit=take(result.audit[::-1], limits.audit),
        notes=take(result.notes, limits.notes),
        counts=Counts(
            errors=len(groups["error"]), warnings=len(groups["warning"]), notices=len(groups["notice"]),
            waived=len(groups["waived"]), preexisting=len(groups["preexisting"]),
            changes=len(result.changes), breaking=sum(c.breaking for c in result.changes),
            direct=len({i.model for i in result.direct}), transitive=len({i.model for i in result.transitive}),
            approvals=len(result.approvals), approved=sum(a.satisfied for a in result.approvals),
        ),
        waiting=tuple(a for a in result.approvals if not a.satisfied),
        mentions=take(tuple(dict.fromkeys(t for t in ask if is_team(t))), limits.mentions),
    )
