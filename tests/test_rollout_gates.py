"""Judging rollout metrics against a model's gates (bot.rollout.gates)."""

from __future__ import annotations

import pytest

from bot.manifests.models import Bound
from bot.rollout.gates import Metrics, MetricsError, breaches, judge, read_metrics

GATES = {"precision": Bound(min=0.91), "latency_p99_ms": Bound(max=60), "auc": Bound(max_delta=0.02)}


def test_read_metrics_shapes():
    assert read_metrics({"candidate": {"a": 1}, "baseline": {"a": 2}}) == Metrics({"a": 1}, {"a": 2})
    assert read_metrics({"a": 1}) == Metrics({"a": 1})
    for bad, needle in [([], "JSON object"), ({"baseline": {}}, "no candidate"), ({"candidate": 3}, "candidate"),
                        ({"candidate": {}, "baseline": [1]}, "baseline")]:
        with pytest.raises(MetricsError, match=needle):
            read_metrics(bad)


def test_all_pass():
    checks = judge(GATES, Metrics({"precision": 0.93, "latency_p99_ms": 60, "auc": 0.90}, {"auc": 0.91}))
    assert [c.bound for c in checks] == ["min", "max", "max_delta"]
    assert all(c.ok for c in checks)
    assert checks[2].reason == "auc = 0.9 vs baseline 0.91: |Δ| 0.01 ≤ max_delta 0.02"


def test_breaches():
    checks = judge(GATES, Metrics({"precision": 0.5, "latency_p99_ms": 61, "auc": 0.80}, {"auc": 0.91}))
    assert [c.reason for c in breaches(checks)] == [
        "precision = 0.5 < min 0.91", "latency_p99_ms = 61 > max 60",
        "auc = 0.8 vs baseline 0.91: |Δ| 0.11 > max_delta 0.02"]


def test_delta_is_absolute():
    assert not judge({"auc": Bound(max_delta=0.02)}, Metrics({"auc": 0.99}, {"auc": 0.91}))[0].ok


def test_missing_metric_is_a_breach():
    checks = judge({"precision": Bound(min=0.9, max=1)}, Metrics({}))
    assert [(c.ok, c.reason) for c in checks] == [(False, "precision is gated but missing from the metrics file")] * 2


def test_missing_baseline():
    assert judge({"auc": Bound(max_delta=0.1)}, Metrics({"auc": 1}))[0].reason == (
        "auc: max_delta 0.1 needs a baseline, and the metrics file has none")
    assert judge({"auc": Bound(max_delta=0.1)}, Metrics({"auc": 1}, {}))[0].reason == (
        "auc is gated but missing from the baseline")


@pytest.mark.parametrize("value", ["0.95", True, None, float("nan"), [1]])
def test_not_a_number(value):
    check = judge({"precision": Bound(min=0.9)}, Metrics({"precision": value}))[0]
    assert not check.ok
    assert "not a finite number" in check.reason
