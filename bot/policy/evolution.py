"""MG101, MG109, MG110, MG111: an incompatible change inside one contract version (from the changes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from bot import registry
from bot.evaluation import Evaluation
from bot.policy import at_change
from bot.policy.contract_diff import NOT_COMPARED
from bot.result import Change, Finding

MG101, MG109, MG110, MG111 = "MG101", "MG109", "MG110", "MG111"
# The rule of a breaking change of each kind that ``bot.policy.contract_diff`` reports.
RULE_OF_KIND: Final = {"schema": MG101, "slo": MG109, "fallback": MG110, "stability": MG111}


@registry.on_change("evolution", MG101, MG109, MG110, MG111)
def findings(ev: Evaluation) -> Iterator[Finding]:
    for change in ev.changes:
        rule = RULE_OF_KIND.get(change.kind)
        if rule is None or not change.breaking:
            continue
        yield at_change(rule, _message(change), change)


def _message(change: Change) -> str:
    if change.type == NOT_COMPARED:
        return (f"{change.subject}: {change.detail}; publish the change as a new version, or simplify the schema "
                "(an admin can waive MG101 for this pull request)")
    what = change.detail or f"{change.type} at {change.path}"
    return f"{change.subject}: {what}, inside one version; publish the change as a new version instead"
