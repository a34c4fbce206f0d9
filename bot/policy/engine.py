"""Runs every rule family once, from the registry, and turns their raw findings into the check's findings.

- The rules of scope ``state`` (``bot.registry``: MG0xx, MG201, MG202, MG204) are judged on head; a finding
  that exists identically at base (same rule, subject and message; its line may have moved) is
  ``preexisting`` — except an unreadable ``.modelgate.yml``: a check that cannot read its rules must not
  pass on defaults, so that blocks every PR until it is fixed.
- The rules of scope ``change`` (MG1xx, MG203, MG205) come from the changes only.
- Severities follow the base configuration (``bot.registry.configured``: ``off`` drops the rule; one severity
  replaces the catalogue's but not a rule's escalation, such as MG201's error from the sunset day on, which
  ``{before, after}`` sets).
- An admin's ``/rollout override RULE`` on the head SHA waives that rule's findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from bot import registry
from bot.config import CONFIG_PATH
from bot.evaluation import Evaluation
from bot.lint import sort_findings
from bot.policy import consumers, deprecation, evolution, latency  # noqa: F401 (they register their rules)
from bot.registry import SchemaMemo, State
from bot.result import Finding


def run(ev: Evaluation) -> list[Finding]:
    """Every finding of the check, configured, marked and sorted by file, line and rule (none waived: ``waive``)."""
    memo: SchemaMemo = {}  # base and head share most files: each schema is judged once
    found = registry.state_findings(State(ev.head, ev.today, memo))
    # Base is asked only for the rules head found: a finding of any other rule could not match one of head's.
    base = State(ev.base, ev.today, memo)
    known = {_identity(f) for f in registry.state_findings(base, {f.rule for f in found})}
    head = [replace(f, preexisting=_identity(f) in known and f.file != CONFIG_PATH) for f in found]
    return sort_findings(_distinct(registry.configured([*head, *registry.change_findings(ev)], ev.config)))


def waive(findings: Iterable[Finding], waivers: Mapping[str, tuple[str, str]]) -> list[Finding]:
    """The findings, each of a rule an admin overrode marked waived (by whom, and why)."""
    return [f if (w := waivers.get(f.rule)) is None else replace(f, waived_by=w[0], waived_reason=w[1])
            for f in findings]


def _identity(finding: Finding) -> tuple[str, str | None, str]:
    return finding.rule, finding.subject, finding.message


def _distinct(findings: Iterable[Finding]) -> list[Finding]:
    """The findings, each reported once at a place (the first of equal ones)."""
    seen: set[tuple[str, str | None, str, str | None, int | None]] = set()
    out = []
    for finding in findings:
        key = (*_identity(finding), finding.file, finding.line)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out
