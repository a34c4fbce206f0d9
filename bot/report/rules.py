"""The report of ``modelgate rules``: the catalogue as a table or as JSON (the generated ``docs/rules.md`` is the
template ``rules.md.j2``); one rule (``modelgate rules MG101``) is the templates ``rule.txt.j2``, ``rule.md.j2`` or
:func:`one_json`."""

from __future__ import annotations

import dataclasses
import textwrap
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.rules import Rule

SUMMARY_WIDTH = 72


def text(rules: list[Rule]) -> str:
    """A fixed-width table; long summaries wrap under their own column."""
    id_w = max(len("id"), *(len(r.id) for r in rules))
    name_w = max(len("name"), *(len(r.name) for r in rules))
    sev_w = max(len("severity"), *(len(r.severity) for r in rules))
    indent = " " * (id_w + name_w + sev_w + 6)
    lines = [f"{'id':<{id_w}}  {'name':<{name_w}}  {'severity':<{sev_w}}  summary"]
    for rule in rules:
        summary = textwrap.wrap(rule.summary, SUMMARY_WIDTH) or [""]
        lines.append(f"{rule.id:<{id_w}}  {rule.name:<{name_w}}  {rule.severity:<{sev_w}}  {summary[0]}")
        lines.extend(indent + more for more in summary[1:])
    return "\n".join(lines) + "\n"


def as_json(rules: list[Rule]) -> list[dict[str, Any]]:
    return [one_json(rule) for rule in rules]


def one_json(rule: Rule) -> dict[str, Any]:
    """The rule's fields; ``imported`` only for a rule that has advice for imported manifests, ``escalation`` only
    for a rule whose severity escalates (MG201)."""
    return {key: value for key, value in dataclasses.asdict(rule).items()
            if key not in ("imported", "escalation") or value}
