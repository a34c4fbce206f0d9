"""What the core derives once from the two states of a pull request.

``Evaluation`` is built once by :func:`bot.check.assess` (graphs, changes, impact) and read by the plan and
the approvals instead of long argument lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.config import Config
from bot.graph import Graph
from bot.manifests.load import Snapshot
from bot.result import Change, Impacted


@dataclass(frozen=True)
class Evaluation:
    """Both states, their graphs, the changes from base to head and their direct and transitive impact."""

    base: Snapshot
    head: Snapshot
    today: date
    base_graph: Graph
    head_graph: Graph
    changes: list[Change]
    direct: list[Impacted]
    transitive: list[Impacted]

    @property
    def config(self) -> Config:
        """The trusted configuration: the base's."""
        return self.base.config

