"""Downstream impact of a PR's changes (docs/cli.md): direct consumers, field-level, and everything below.

Direct: the consumers of a contract version that changed incompatibly (a change with ``breaking``), was
removed, retired or newly deprecated, or whose provider's major model version changed. A consumer listing
``fields`` is impacted by a schema change only when a changed path touches one of them: a field (a dotted path,
``user.age``) is touched by a change to it, to a field above it (``user``) or to one below it
(``user.age.days``), never by a change to a sibling (``user.name``). Only the fields the version's schema
declares (at base or at head, ``bot.schema_fields``) count: a consumer that names none of those (MG010 reports
them) is read as reading every field. Transitive: every
model reachable below a directly impacted one through what it provides (head graph; for a removed version,
whose consumers only the base knows, the base graph).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.approvals import trusted_owners
from bot.compat.refs import pointer_segments
from bot.graph import Graph, contract_node
from bot.manifests.models import Model
from bot.manifests.snapshot import Snapshot
from bot.result import Change, Impacted
from bot.schema_fields import FieldResolver

NAMING_KEYWORDS = ("required", "dependencies", "dependentRequired", "dependentSchemas")  # KEYWORD/NAME ends a path


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
    """The field (a dotted path) a schema change path touches, or None when it touches every field.

    ``properties/NAME`` steps into a field (``#/properties/user/properties/age/type`` touches ``user.age``);
    ``items``, ``items/N`` and ``prefixItems/N`` step into an array's items and add no step (a field of an
    array's items is named through the array: ``orders.amount``); ``required/NAME``, ``dependencies/NAME``,
    ``dependentRequired/NAME`` and ``dependentSchemas/NAME`` name a field and end the path; any other keyword
    ends it: the change touches the field reached so far, and every field when that is the top.
    """
    parts = pointer_segments(path or "#")
    steps: list[str] = []
    i = 0
    while i < len(parts):
        key, name = parts[i], parts[i + 1] if i + 1 < len(parts) else None
        if key == "properties" and name is not None:
            steps.append(name)
            i += 2
        elif key in NAMING_KEYWORDS and name is not None:
            steps.append(name)
            break
        elif key in ("items", "prefixItems"):
            i += 2 if name is not None and name.isdigit() else 1
        else:
            break
    return ".".join(steps) or None


def related(read: str, touched: str) -> bool:
    """Whether a change to field ``touched`` reaches field ``read``: the same field, or one above the other."""
    return read == touched or read.startswith(touched + ".") or touched.startswith(read + ".")


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


def _consumed_fields(base: Snapshot, head: Snapshot, model: str, node: str,
                     resolvers: dict[int, FieldResolver]) -> list[str] | None:
    """The fields ``model`` says it reads from ``node`` (head, else base) that the version's schema declares (at
    base or at head); None when it names none of those, so reads every field."""
    for snapshot in (head, base):
        manifest = snapshot.models.get(model)
        if manifest is None:
            continue
        assert isinstance(manifest.doc, Model)
        for item in manifest.doc.spec.consumes:
            if contract_node(item.contract, item.version) == node:
                schemas = [s.schema(item.contract, item.version) for s in (base, head)]
                known = [name for name in item.fields or ()
                         if any(_declared(schema, name, resolvers) for schema in schemas)]
                return known or None
    return None


def _declared(schema: object, name: str, resolvers: dict[int, FieldResolver]) -> bool:
    if schema is None:
        return False
    resolver = resolvers.get(id(schema))
    if resolver is None:
        resolver = resolvers[id(schema)] = FieldResolver(schema)
    return resolver.lookup(name).declared


def direct_impact(changes: Iterable[Change], base: Snapshot, head: Snapshot,
                  base_graph: Graph, head_graph: Graph) -> list[Impacted]:
    """One entry per (consumer, contract version) pair impacted, sorted by model then version."""
    out: list[Impacted] = []
    resolvers: dict[int, FieldResolver] = {}  # by schema (the snapshots keep each alive), for this call
    for node, trigger in triggers(changes, head).items():
        consumers = set(head_graph.consumers_of(node))
        if trigger.removed:
            consumers |= set(base_graph.consumers_of(node))
        for consumer in sorted(consumers):
            name = consumer.removeprefix("model:")
            reads = _consumed_fields(base, head, name, node, resolvers)
            if trigger.fields is None:
                fields = tuple(reads or ())
            elif reads:
                touched = trigger.fields
                fields = tuple(sorted(f for f in reads if any(related(f, t) for t in touched)))
                if not fields:
                    continue
            else:
                fields = tuple(sorted(trigger.fields))
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
