"""The one Result of a check, and the records it is made of.

Everything here is plain data: the pure core builds these, and every renderer (text, markdown,
json, github annotations, the GitHub adapter) only reads them. ``to_json`` gives the stable shape of docs/cli.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

Severity = Literal["error", "warning", "notice"]
SEVERITIES: tuple[Severity, ...] = ("notice", "warning", "error")  # lowest first
Verdict = Literal["fail", "pending", "pass"]
ChangeKind = Literal[
    "schema", "slo", "fallback", "stability", "status", "deprecation", "version", "added", "removed",
    "owners", "consumes", "provides", "metadata",
]  # docs/cli.md's list, fixed: anything else (rollout, quality, description) is "metadata" with its own type


@dataclass(frozen=True)
class Finding:
    """One rule violation, pointing at a file and line."""

    rule: str
    severity: Severity
    message: str
    file: str | None
    line: int | None
    subject: str | None = None
    waived_by: str | None = None
    preexisting: bool = False
    waived_reason: str | None = None  # the reason the admin gave with /rollout override
    # the rule's escalation applies (MG201 from the sunset day on): ``rules:`` sets its severity ``after``.
    # The engine's to know, no output's: ``to_json`` leaves it out, and the severity says it to readers.
    escalated: bool = False

    @property
    def blocking(self) -> bool:
        return self.fails("error")

    def fails(self, fail_on: Severity) -> bool:
        """Whether it fails a run that fails on ``fail_on`` and above (``--fail-on``): neither waived nor
        preexisting, and of that severity or higher. ``fails("error")`` is ``blocking``."""
        return (self.waived_by is None and not self.preexisting
                and SEVERITIES.index(self.severity) >= SEVERITIES.index(fail_on))

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form of docs/cli.md: every field but ``escalated`` (the engine's, not the reader's)."""
        return {key: value for key, value in asdict(self).items() if key != "escalated"}


MANIFEST_UNREADABLE = "MANIFEST_UNREADABLE"  # a manifest that loaded at base and does not load at head (issue 13)


@dataclass(frozen=True)
class Change:
    """One difference between base and head, as a reader of the PR thinks of it."""

    subject: str
    kind: ChangeKind
    type: str
    path: str | None = None
    breaking: bool = False
    detail: str = ""
    file: str | None = None
    line: int | None = None

    @property
    def unknown(self) -> bool:
        """Whether nothing can be said of it: its manifest does not load at head (neither compatible nor breaking)."""
        return self.type == MANIFEST_UNREADABLE


@dataclass(frozen=True)
class Impacted:
    model: str
    owners: tuple[str, ...]
    depth: int
    chain: tuple[str, ...]
    via: str | None = None
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Approval:
    rule: Literal["MG301", "MG302"]
    subject: str
    owners: tuple[str, ...]
    reason: str
    satisfied: bool = False
    by: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    text: str
    owners: tuple[str, ...]
    due: date | None
    done: bool
    cannot_tell: str | None = None  # the file that does not load at head, of the consumer or contract (never done)


@dataclass(frozen=True)
class PlanStep:
    step: int
    stage: str
    models: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Sunset:
    """An upcoming sunset of a contract version (head state), with who still consumes it."""

    subject: str
    sunset: date
    days_left: int
    consumers: tuple[str, ...] = ()
    # (consumer, file) for each consumer whose manifest does not load at head: kept with its base pins
    unknown: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AuditEntry:
    """One /rollout command as the bot judged it (accepted or refused, and why)."""

    actor: str
    at: str
    command: str
    outcome: Literal["accepted", "refused", "ignored"]
    detail: str = ""


@dataclass(frozen=True)
class Result:
    """The outcome of a check. Frozen: the GitHub adapter adds stages, notes and the audit log with
    ``dataclasses.replace``, giving a new Result."""

    verdict: Verdict
    base: str
    head: str
    today: date
    findings: list[Finding] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    direct: list[Impacted] = field(default_factory=list)
    transitive: list[Impacted] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    checklist: list[ChecklistItem] = field(default_factory=list)
    plan: list[PlanStep] = field(default_factory=list)
    sunsets: list[Sunset] = field(default_factory=list)
    stages: dict[str, str] = field(default_factory=dict)  # model -> current rollout stage (from deployments)
    audit: list[AuditEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # run notes for readers, e.g. a review request GitHub refused

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def impacted_models(self) -> list[str]:
        return sorted({i.model for i in self.direct} | {i.model for i in self.transitive})

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form of docs/cli.md (keys may be added, never renamed)."""
        return {
            "verdict": self.verdict,
            "base": self.base,
            "head": self.head,
            "today": self.today.isoformat(),
            "findings": [f.to_json() for f in self.findings],
            "changes": [asdict(c) for c in self.changes],
            "impact": {
                "direct": [_impacted_json(i, direct=True) for i in self.direct],
                "transitive": [_impacted_json(i, direct=False) for i in self.transitive],
            },
            "approvals": [
                {"rule": a.rule, "subject": a.subject, "owners": list(a.owners), "reason": a.reason,
                 "satisfied": a.satisfied, "by": list(a.by)}
                for a in self.approvals
            ],
            "checklist": [
                {"id": c.id, "text": c.text, "owners": list(c.owners),
                 "due": c.due.isoformat() if c.due else None, "done": c.done,
                 **({"cannot_tell": c.cannot_tell} if c.cannot_tell else {})}
                for c in self.checklist
            ],
            "plan": [{"step": p.step, "stage": p.stage, "models": list(p.models), "why": p.why} for p in self.plan],
        }


def _impacted_json(i: Impacted, *, direct: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"model": i.model}
    if direct:
        out["via"] = i.via
        out["fields"] = list(i.fields)
    out.update({"owners": list(i.owners), "depth": i.depth, "chain": list(i.chain)})
    return out
