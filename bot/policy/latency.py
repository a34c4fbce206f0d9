"""MG204: latency budgets along the graph, judged on one state.

A provided ``latency_p99_ms`` is end to end, so a model's budget is exceeded when the latencies of the
versions it consumes (a missing SLO counts 0) add up to more than the latency of a version it provides.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.graph import Graph, contract_node, model_node
from bot.manifests.models import Model
from bot.manifests.snapshot import Snapshot
from bot.policy import finding
from bot.result import Finding


def on_state(snapshot: Snapshot) -> Iterator[Finding]:
    latency = {key: version.slo.latency_p99_ms
               for key, version in Graph.from_snapshot(snapshot).versions.items() if version.slo}
    for name, manifest in sorted(snapshot.models.items()):
        assert isinstance(manifest.doc, Model)
        budgets = [(index, item, budget) for index, item in enumerate(manifest.doc.spec.provides)
                   if (budget := latency.get((item.contract, item.version))) is not None]
        if not budgets:
            continue  # it provides no latency to keep
        spent = [(i, latency.get((i.contract, i.version)) or 0) for i in manifest.doc.spec.consumes]
        total = sum(ms for _, ms in spent)
        if not total:
            continue
        for index, item, budget in budgets:
            if total <= budget:
                continue
            parts = " + ".join(f"{contract_node(i.contract, i.version)} ({_ms(ms)} ms)" for i, ms in spent if ms)
            yield finding("MG204", f"{model_node(name)} consumes {parts} = {_ms(total)} ms p99 in all, more than the "
                                   f"{_ms(budget)} ms p99 of {contract_node(item.contract, item.version)} it provides",
                          manifest, "spec", "provides", index, "contract", subject=model_node(name))


def _ms(value: float) -> str:
    return f"{value:g}"
