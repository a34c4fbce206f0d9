"""Judging a stage's metrics against a model's ``spec.rollout.gates[stage]`` (docs/rollout.md). Pure.

A metrics document is ``{"candidate": {...}, "baseline": {...}}`` (baseline optional) or a flat mapping of
the candidate's figures. Each gated metric is checked against ``min``, ``max`` and ``max_delta`` (the
absolute difference from the baseline); a gated metric the file lacks is a breach, never a silent pass.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.manifests.models import Bound

if TYPE_CHECKING:
    from bot.verify.report import VerifyResult


class MetricsError(ValueError):
    """The metrics document does not have the shape described above."""


@dataclass(frozen=True)
class Metrics:
    candidate: Mapping[str, Any]
    baseline: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Check:
    """One bound of one metric: what it demands, the figure, and whether it holds."""

    metric: str
    bound: str  # min | max | max_delta
    limit: float
    value: float | None
    ok: bool
    reason: str


def read_metrics(document: Any) -> Metrics:
    """The candidate's (and the baseline's) figures from a parsed metrics file."""
    if not isinstance(document, dict):
        raise MetricsError("the metrics file must hold a JSON object")
    if "candidate" not in document:
        if "baseline" in document:
            raise MetricsError("the metrics file has a baseline but no candidate")
        return Metrics(document)
    candidate, baseline = document["candidate"], document.get("baseline")
    if not isinstance(candidate, dict):
        raise MetricsError("candidate must be an object of metric names to numbers")
    if baseline is not None and not isinstance(baseline, dict):
        raise MetricsError("baseline must be an object of metric names to numbers")
    return Metrics(candidate, baseline)


def judge(gates: Mapping[str, Bound], metrics: Metrics) -> list[Check]:
    """Every bound of every gated metric, in the order the gates list them."""
    checks: list[Check] = []
    for metric, bound in gates.items():
        value, problem = _number(metrics.candidate, metric, "the metrics file")
        for kind in ("min", "max", "max_delta"):
            limit = getattr(bound, kind)
            if limit is None:
                continue
            if problem:
                checks.append(Check(metric, kind, limit, None, False, problem))
                continue
            assert value is not None
            if kind == "max_delta":
                checks.append(_delta(metric, limit, value, metrics.baseline))
            elif kind == "min":
                ok = value >= limit
                checks.append(Check(metric, kind, limit, value, ok, f"{metric} = {value:g} {'≥' if ok else '<'} "
                                                                    f"min {limit:g}"))
            else:
                ok = value <= limit
                checks.append(Check(metric, kind, limit, value, ok, f"{metric} = {value:g} {'≤' if ok else '>'} "
                                                                    f"max {limit:g}"))
    return checks


def _delta(metric: str, limit: float, value: float, baseline: Mapping[str, Any] | None) -> Check:
    if baseline is None:
        return Check(metric, "max_delta", limit, value, False,
                     f"{metric}: max_delta {limit:g} needs a baseline, and the metrics file has none")
    base, problem = _number(baseline, metric, "the baseline")
    if problem or base is None:
        return Check(metric, "max_delta", limit, value, False, problem or "")
    delta = abs(value - base)
    ok = delta <= limit
    return Check(metric, "max_delta", limit, value, ok,
                 f"{metric} = {value:g} vs baseline {base:g}: |Δ| {delta:.6g} {'≤' if ok else '>'} max_delta {limit:g}")


def _number(figures: Mapping[str, Any], metric: str, where: str) -> tuple[float | None, str | None]:
    if metric not in figures:
        return None, f"{metric} is gated but missing from {where}"
    value = figures[metric]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None, f"{metric} in {where} is {str(value)[:40]!r}, not a finite number"
    return float(value), None


def breaches(checks: list[Check]) -> list[Check]:
    return [c for c in checks if not c.ok]


def data_breaches(verified: VerifyResult) -> list[str]:
    """What fails in a stage's verified data: the verification's breaches, and no records at all (a stage that
    wrote nothing where its gate looks, or a --where that kept nothing, has not shown its data honours the
    contract: for a gate that is a breach, where ``modelgate verify`` only notes it)."""
    return (["no records to verify"] if verified.records == 0 else []) + verified.breaches
