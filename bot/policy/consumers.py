"""MG201, MG202 (judged on one state) and MG203, MG205 (from what the PR changes): who consumes what."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from bot import registry
from bot.calendar import past_due
from bot.evaluation import Evaluation
from bot.graph import Graph, contract_node, model_node
from bot.manifests.models import ContractVersion, Model
from bot.policy import finding
from bot.registry import State
from bot.result import Finding

MG201, MG202, MG203, MG205 = "MG201", "MG202", "MG203", "MG205"


def _consumers(graph: Graph, *statuses: str) -> list[str]:
    """The models (by name, sorted) consuming a version of one of these statuses: no other can pin one."""
    return sorted({c.removeprefix("model:") for node in graph.with_status(*statuses) for c in graph.consumers_of(node)})


@registry.on_state("consumers", MG201, MG202)
def on_state(state: State) -> Iterator[Finding]:
    """MG201 (a deprecated version consumed; escalated from its sunset day on, as the catalogue's ``escalation``
    says: an error unless ``rules:`` sets another severity ``after``) and MG202 (a retired one)."""
    snapshot, graph = state.snapshot, state.graph
    for name in _consumers(graph, "deprecated", "retired"):
        manifest = snapshot.models[name]
        assert isinstance(manifest.doc, Model)
        for index, item in enumerate(manifest.doc.spec.consumes):
            version = graph.versions.get((item.contract, item.version))
            if version is None:
                continue
            node = contract_node(item.contract, item.version)
            where = ("spec", "consumes", index, "contract")
            if version.status == "retired":
                yield finding(MG202, f"{model_node(name)} consumes {node}, which is retired",
                              manifest, *where, subject=model_node(name))
            elif version.status == "deprecated":
                message, late = _deprecated_message(name, node, version, item.contract, state.day)
                yield finding(MG201, message, manifest, *where, subject=model_node(name), escalated=late)


def _deprecated_message(model: str, node: str, version: ContractVersion, contract: str,
                        today: date) -> tuple[str, bool]:
    deprecation = version.deprecation
    sunset = deprecation.sunset if deprecation else None
    parts = [f"{model_node(model)} consumes {node}, deprecated"]
    late = False
    if sunset is None:
        parts.append("no sunset announced")
    else:
        days = (sunset - today).days
        late = past_due(days)
        when = "today" if days == 0 else f"{_days(-days)} ago" if days < 0 else f"{_days(days)} left"
        parts.append(f"sunset {sunset} ({when})")
    if deprecation and deprecation.replacement is not None:
        parts.append(f"replacement {contract}@{deprecation.replacement}")
    if deprecation and deprecation.migration:
        parts.append(f"see {deprecation.migration}")
    return "; ".join(parts), late


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


@registry.on_change("consumers", MG203)
def new_dependencies(ev: Evaluation) -> Iterator[Finding]:
    """MG203: a consumes item that base does not have, on a version that is deprecated in head."""
    for name in _consumers(ev.head_graph, "deprecated"):
        manifest = ev.head.models[name]
        assert isinstance(manifest.doc, Model)
        before = ev.base.models.get(name)
        old = {(i.contract, i.version) for i in before.doc.spec.consumes} \
            if before is not None and isinstance(before.doc, Model) else set()
        for index, item in enumerate(manifest.doc.spec.consumes):
            version = ev.head_graph.versions.get((item.contract, item.version))
            if (item.contract, item.version) in old or version is None or version.status != "deprecated":
                continue
            replacement = version.deprecation.replacement if version.deprecation else None
            advice = f"; use {item.contract}@{replacement} instead" if replacement is not None else ""
            yield finding(MG203, f"{model_node(name)} starts consuming "
                                 f"{contract_node(item.contract, item.version)}, which is deprecated{advice}",
                          manifest, "spec", "consumes", index, "contract", subject=model_node(name))


@registry.on_change("consumers", MG205)
def major_bumps(ev: Evaluation) -> Iterator[Finding]:
    """MG205: a model's major version changed while something consumes what it provides."""
    for change in ev.changes:
        if change.type != "MAJOR_VERSION_CHANGED":
            continue
        manifest = ev.head.models.get(change.subject.removeprefix("model:"))
        if manifest is None:
            continue
        assert isinstance(manifest.doc, Model)
        consumers = sorted({c for p in manifest.doc.spec.provides
                            for c in ev.head_graph.consumers_of(contract_node(p.contract, p.version))})
        if consumers:
            yield finding(MG205, f"{change.subject}: major version {change.detail}; its consumers "
                                 f"{', '.join(consumers)} are impacted and should shadow it",
                          manifest, "spec", "version", subject=change.subject)
