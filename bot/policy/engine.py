"""Runs every rule family once and turns their raw findings into the check's findings.

- MG0xx (``bot.lint``), MG201, MG202 and MG204 are judged on head; a finding that exists identically at base
  (same rule, subject and message; its line may have moved) is ``preexisting`` — except an unreadable
  ``.modelgate.yml``: a check that cannot read its rules must not pass on defaults, so that blocks every PR
  until it is fixed.
- MG1xx, MG203 and MG205 come from the changes only.
- Severities follow the base configuration (``off`` drops the rule; an explicit override also replaces a
  family's escalation, such as MG201's error from the sunset day on).
- An admin's ``/rollout override RULE`` on the head SHA waives that rule's findings.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from datetime import date

from bot.config import CONFIG_PATH
from bot.lint import SchemaMemo, lint_snapshot, sort_findings
from bot.manifests.snapshot import Snapshot
from bot.policy import Context, consumers, deprecation, evolution, latency
from bot.result import Finding
from bot.rules import severity_for


def state_findings(snapshot: Snapshot, today: date, memo: SchemaMemo | None = None,
                   rules: Collection[str] | None = None) -> list[Finding]:
    """The findings judged on one state: MG0xx, MG201, MG202, MG204 (``memo``, ``rules``: see ``lint_snapshot``)."""
    findings = lint_snapshot(snapshot, memo, rules)
    if rules is None or "MG201" in rules or "MG202" in rules:
        findings.extend(consumers.on_state(snapshot, today))
    if rules is None or "MG204" in rules:
        findings.extend(latency.on_state(snapshot))
    return findings


def change_findings(ctx: Context) -> list[Finding]:
    """The findings of what the PR changes: MG1xx, MG203, MG205."""
    return [*evolution.findings(ctx), *deprecation.findings(ctx), *consumers.from_changes(ctx)]


def run(ctx: Context) -> list[Finding]:
    """Every finding of the check, configured, marked and sorted by file, line and rule (none waived: ``waive``)."""
    memo: SchemaMemo = {}  # base and head share most files: each schema is judged once
    found = state_findings(ctx.head, ctx.today, memo)
    # Base is asked only for the rules head found: a finding of any other rule could not match one of head's.
    known = {_identity(f) for f in state_findings(ctx.base, ctx.today, memo, {f.rule for f in found})}
    head = [replace(f, preexisting=_identity(f) in known and f.file != CONFIG_PATH) for f in found]
    return sort_findings(list(_configure([*head, *change_findings(ctx)], ctx)))


def waive(findings: Iterable[Finding], waivers: Mapping[str, tuple[str, str]]) -> list[Finding]:
    """The findings, each of a rule an admin overrode marked waived (by whom, and why)."""
    return [f if (w := waivers.get(f.rule)) is None else replace(f, waived_by=w[0], waived_reason=w[1])
            for f in findings]


def _identity(finding: Finding) -> tuple[str, str | None, str]:
    return finding.rule, finding.subject, finding.message


def _configure(findings: Iterable[Finding], ctx: Context) -> Iterable[Finding]:
    seen: set[tuple[str, str | None, str, str | None, int | None]] = set()
    for finding in findings:
        severity = severity_for(finding.rule, ctx.config)
        if severity is None:
            continue
        key = (*_identity(finding), finding.file, finding.line)
        if key in seen:
            continue
        seen.add(key)
        if finding.rule in ctx.config.rules:
            finding = replace(finding, severity=severity)
        yield finding
