"""MG101, MG109, MG110, MG111: an incompatible change inside one contract version (from the changes)."""

from __future__ import annotations

from collections.abc import Iterator

from bot.policy import Context
from bot.policy.contract_diff import RULE_OF_KIND
from bot.result import Change, Finding
from bot.rules import catalog


def findings(ctx: Context) -> Iterator[Finding]:
    for change in ctx.changes:
        rule = RULE_OF_KIND.get(change.kind)
        if rule is None or not change.breaking:
            continue
        yield Finding(rule, catalog()[rule].severity, _message(change), change.file, change.line,  # type: ignore[arg-type]
                      change.subject)


def _message(change: Change) -> str:
    what = change.detail or f"{change.type} at {change.path}"
    return f"{change.subject}: {what}, inside one version; publish the change as a new version instead"
