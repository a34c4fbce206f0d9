"""MG101, MG109, MG110, MG111: an incompatible change inside one contract version (from the changes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from bot import registry
from bot.evaluation import Evaluation
from bot.imports.model import IMPORTED_FROM
from bot.policy import at_change
from bot.policy.contract_diff import NOT_COMPARED
from bot.result import Change, Finding
from bot.rules import catalog

MG101, MG109, MG110, MG111 = "MG101", "MG109", "MG110", "MG111"
# The rule of a breaking change of each kind that ``bot.policy.contract_diff`` reports.
RULE_OF_KIND: Final = {"schema": MG101, "slo": MG109, "fallback": MG110, "stability": MG111}


@registry.on_change("evolution", MG101, MG109, MG110, MG111)
def findings(ev: Evaluation) -> Iterator[Finding]:
    for change in ev.changes:
        rule = RULE_OF_KIND.get(change.kind)
        if rule is None or not change.breaking:
            continue
        yield at_change(rule, _message(change, _imported(ev, change, rule)), change)


def _imported(ev: Evaluation, change: Change, rule: str) -> str | None:
    """For a contract imported by ``modelgate import`` (its label names the tool), what the rule's data says to do in
    that tool's source, where a new version comes from: the generated file is not edited by hand."""
    name = change.subject.removeprefix("contract:").split("@")[0]
    manifest = ev.head.contracts.get(name)
    tool = (manifest.doc.metadata.labels or {}).get(IMPORTED_FROM) if manifest is not None else None
    if manifest is None or tool is None:
        return None
    advice = catalog()[rule].imported.get(tool)
    return f"{manifest.path} is imported from {tool}: {advice}" if advice else None


def _message(change: Change, imported: str | None = None) -> str:
    if change.type == NOT_COMPARED:
        return (f"{change.subject}: {change.detail}; "
                f"{imported or 'publish the change as a new version'}, or simplify the schema "
                "(an admin can waive MG101 for this pull request)")
    what = change.detail or f"{change.type} at {change.path}"
    return f"{change.subject}: {what}, inside one version; {imported or 'publish the change as a new version instead'}"
