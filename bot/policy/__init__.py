"""The rules engine: one module per rule family, run once by :mod:`bot.policy.engine`.

A family is a pure function of a :class:`Context` (both states, the changes, today) that yields findings
with the catalogue's default severity; the engine applies the configuration, marks what exists identically
at base as preexisting, and applies an admin's waivers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.config import Config
from bot.graph import Graph
from bot.manifests.snapshot import ManifestFile, Snapshot
from bot.result import Change, Finding
from bot.rules import catalog


@dataclass(frozen=True)
class Context:
    base: Snapshot
    head: Snapshot
    changes: list[Change]
    today: date
    base_graph: Graph
    head_graph: Graph

    @property
    def config(self) -> Config:
        """The trusted configuration: the base's."""
        return self.base.config


def finding(rule: str, message: str, manifest: ManifestFile | None, *path: str | int, subject: str | None = None,
            severity: str | None = None) -> Finding:
    """A finding of ``rule`` at the line of ``path`` in ``manifest``, with the catalogue's default severity."""
    level = severity or catalog()[rule].severity
    where = manifest.path if manifest else None
    line = (manifest.line(*path) if path else 1) if manifest else None
    return Finding(rule, level, message, where, line, subject)  # type: ignore[arg-type]
