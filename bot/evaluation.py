"""What the core derives once from the two states of a pull request, and which models are the PR's own.

``Evaluation`` is built once by :func:`bot.check.assess` (graphs, changes, impact) and read by the plan and
the approvals instead of long argument lists. :func:`pr_models` is the one definition of the PR's models: the
rollout plan ships them and ``/rollout`` acts on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.config import Config
from bot.graph import Graph, model_node
from bot.manifests.snapshot import Snapshot
from bot.result import Change, Impacted


@dataclass(frozen=True)
class Evaluation:
    """Both states, their graphs, the changes from base to head and their direct and transitive impact, and the
    trust root: the state whose configuration, CODEOWNERS and manifest owners are trusted (docs/github.md: the target
    branch's tip; ``base`` itself when the two states are directories or the base is that tip)."""

    base: Snapshot
    head: Snapshot
    today: date
    base_graph: Graph
    head_graph: Graph
    changes: list[Change]
    direct: list[Impacted]
    transitive: list[Impacted]
    trust: Snapshot

    @property
    def config(self) -> Config:
        """The trusted configuration: the trust root's (base and head are read with it)."""
        return self.trust.config


def pr_models(changes: Iterable[Change], base_graph: Graph, head_graph: Graph) -> tuple[str, ...]:
    """The models of a PR, sorted: those whose manifest changed, plus the providers of changed contract versions.

    A change to a whole contract (``contract:NAME``: its owners, its description) counts for each of its
    versions. Providers are those at head and at base (a removed version has its providers only at base).
    Models that no longer exist at head cannot be rolled out and are left out.
    """
    models: set[str] = set()
    for change in changes:
        kind, _, rest = change.subject.partition(":")
        if kind == "model":
            models.add(rest)
        elif kind == "contract":
            name, at, _ = rest.partition("@")
            for graph in (head_graph, base_graph):
                for node in [change.subject] if at else graph.versions_of(name):
                    models.update(p.removeprefix("model:") for p in graph.providers_of(node))
    return tuple(sorted(m for m in models if model_node(m) in head_graph))
