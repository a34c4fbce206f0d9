"""MG204: latency budgets along the graph, judged on one state.

A provided ``latency_p99_ms`` is end to end, so a model's budget is exceeded when the latencies of the
versions it consumes (a missing SLO counts 0) add up to more than the latency of a version it provides.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.graph import contract_node, model_node
from bot.manifests.load import Snapshot
from bot.manifests.models import Contract, Model
from bot.policy import finding
from bot.result import Finding


def _latency(snapshot: Snapshot, contract: str, number: int) -> float | None:
    manifest = snapshot.contracts.get(contract)
    if manifest is None:
        return None
    assert isinstance(manifest.doc, Contract)
    version = manifest.doc.version(number)
    return version.slo.latency_p99_ms if version and version.slo else None


def on_state(snapshot: Snapshot) -> Iterator[Finding]:
    for name, manifest in sorted(snapshot.models.items()):
        assert isinstance(manifest.doc, Model)
        spent = [(contract_node(i.contract, i.version), _latency(snapshot, i.contract, i.version) or 0)
                 for i in manifest.doc.spec.consumes]
        total = sum(ms for _, ms in spent)
        if not total:
            continue
        for index, item in enumerate(manifest.doc.spec.provides):
            budget = _latency(snapshot, item.contract, item.version)
            if budget is None or total <= budget:
                continue
            parts = " + ".join(f"{node} ({_ms(ms)} ms)" for node, ms in spent if ms)
            yield finding("MG204", f"{model_node(name)} consumes {parts} = {_ms(total)} ms p99 in all, more than the "
                                   f"{_ms(budget)} ms p99 of {contract_node(item.contract, item.version)} it provides",
                          manifest, "spec", "provides", index, "contract", subject=model_node(name))


def _ms(value: float) -> str:
    return f"{value:g}"
