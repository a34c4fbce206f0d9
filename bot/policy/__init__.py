"""The rules engine: one module per rule family, run once by :mod:`bot.policy.engine`.

A family registers its handlers in :mod:`bot.registry`; a handler of scope ``change`` is a pure function of a
:class:`bot.evaluation.Evaluation` (both states and their graphs, the changes, their impact, today) that
yields findings with the catalogue's severity (:func:`bot.rules.finding`); the engine applies the configuration,
marks what exists identically at base as preexisting, and applies an admin's waivers.
"""

from __future__ import annotations

from bot.manifests.snapshot import ManifestFile
from bot.result import Change, Finding
from bot.rules import finding as rule_finding


def finding(rule: str, message: str, manifest: ManifestFile | None, *path: str | int, subject: str | None = None,
            escalated: bool = False) -> Finding:
    """A finding of ``rule`` at the line of ``path`` in ``manifest``, with the catalogue's severity (its
    escalation's, ``escalated``)."""
    where = manifest.path if manifest else None
    line = (manifest.line(*path) if path else 1) if manifest else None
    return rule_finding(rule, message, where, line, subject, escalated=escalated)


def at_change(rule: str, message: str, change: Change) -> Finding:
    """A finding of ``rule`` where ``change`` is, about its subject, with the catalogue's severity."""
    return rule_finding(rule, message, change.file, change.line, change.subject)
