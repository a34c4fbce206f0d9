"""Downstream impact of a PR's changes (SPEC section 2): direct consumers, field-level, and everything below.

Direct: the consumers of a contract version that changed incompatibly (a change with ``breaking``), was
removed, retired or newly deprecated, or whose provider's major model version changed. A consumer listing
``fields`` is impacted by a schema change only when a changed path touches one of them. Transitive: every
model reachable below a directly impacted one through what it provides (head graph; for a removed version,
whose consumers only the base knows, the base graph).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.approvals import trusted_owners
from bot.graph import Graph, contract_node
from bot.manifests.models import Model
from bot.manifests.snapshot import Snapshot
from bot.result import Change, Impacted

FIELD_KEYWORDS = ("properties", "required", "dependencies")


@dataclass
class _Trigger:
    """Why a contract version impacts its consumers; ``fields`` None means every field."""

    reasons: list[str] = field(default_factory=list)
    fields: set[str] | None = field(default_factory=set)
    removed: bool = False

    def touch(self, fields: set[str] | None) -> None:
        if self.fields is not None:
            self.fields = None if fields is None else self.fields | fields


def touched_field(path: str | None) -> str | None:
    """The top-level field a schema change path touches, or None when it touches every field."""
    parts = (path or "#").removeprefix("#").split("/")
    if len(parts) >= 3 and parts[0] == "" and parts[1] in FIELD_KEYWORDS:
        return parts[2].replace("~1", "/").replace("~0", "~")
    return None


def triggers(changes: Iterable[Change], head: Snapshot) -> dict[str, _Trigger]:
    """Contract-version node → why its consumers are directly impacted."""
    found: dict[str, _Trigger] = {}
    for change in changes:
        if change.subject.startswith("model:"):
            if change.type == "MAJOR_VERSION_CHANGED":
                manifest = head.models.get(change.subject.removeprefix("model:"))
                if manifest is not None:
                    assert isinstance(manifest.doc, Model)
                    for item in manifest.doc.spec.provides:
                        _add(found, contract_node(item.contract, item.version), change, None)
            continue
        if "@" not in change.subject:
            continue
        if change.type == "VERSION_REMOVED":
            _add(found, change.subject, change, None).removed = True
        elif change.type in ("VERSION_RETIRED", "VERSION_DEPRECATED"):
            _add(found, change.subject, change, None)
        elif change.breaking and change.kind in ("schema", "slo", "fallback", "stability"):
            name = touched_field(change.path) if change.kind == "schema" else None
            _add(found, change.subject, change, None if name is None else {name})
    return found


def _add(found: dict[str, _Trigger], node: str, change: Change, fields: set[str] | None) -> _Trigger:
    trigger = found.setdefault(node, _Trigger())
    trigger.reasons.append(change.type)
    trigger.touch(fields)
    return trigger


def _consumed_fields(base: Snapshot, head: Snapshot, model: str, node: str) -> list[str] | None:
    """The fields ``model`` says it reads from ``node`` (head, else base); None when it does not say."""
    for snapshot in (head, base):
        manifest = snapshot.models.get(model)
        if manifest is None:
            continue
        assert isinstance(manifest.doc, Model)
        for item in manifest.doc.spec.consumes:
            if contract_node(item.contract, item.version) == node:
                return item.fields
    return None


def direct_impact(changes: Iterable[Change], base: Snapshot, head: Snapshot,
                  base_graph: Graph, head_graph: Graph) -> list[Impacted]:
    """One entry per (consumer, contract version) pair impacted, sorted by model then version."""
    out: list[Impacted] = []
    for node, trigger in triggers(changes, head).items():
        consumers = set(head_graph.consumers_of(node))
        if trigger.removed:
            consumers |= set(base_graph.consumers_of(node))
        for consumer in sorted(consumers):
            name = consumer.removeprefix("model:")
            reads = _consumed_fields(base, head, name, node)
            if trigger.fields is None:
                fields = tuple(reads or ())
            else:
                fields = tuple(sorted(trigger.fields & set(reads))) if reads else tuple(sorted(trigger.fields))
                if reads and not fields:
                    continue
            out.append(Impacted(name, trusted_owners(base, head, "model", name), 1, (node, consumer), node, fields))
    return sorted(out, key=lambda i: (i.model, i.via or ""))


def transitive_impact(direct: list[Impacted], base: Snapshot, head: Snapshot,
                      base_graph: Graph, head_graph: Graph) -> list[Impacted]:
    """Every model below a directly impacted one (not itself direct), nearest first, with its shortest chain."""
    first: dict[str, Impacted] = {}
    for item in direct:
        first.setdefault(f"model:{item.model}", item)
    best: dict[str, Impacted] = {}
    for graph in (head_graph, base_graph):
        starts = [node for node in first if node in graph and (graph is head_graph or node not in head_graph)]
        for reach in graph.downstream(starts):
            if f"model:{reach.model}" in first:
                continue
            start = first[reach.chain[0]]
            chain = (*start.chain[:-1], *reach.chain)
            found = Impacted(reach.model, trusted_owners(base, head, "model", reach.model), reach.depth + 1, chain)
            known = best.get(reach.model)
            if known is None or (found.depth, found.chain) < (known.depth, known.chain):
                best[reach.model] = found
    return sorted(best.values(), key=lambda i: (i.depth, i.model))
