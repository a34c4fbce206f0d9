"""Quantile bins, PSI and the bounded baseline sample, checked against numpy as the independent reference."""

from __future__ import annotations

import math
import random
from collections import Counter

import numpy as np
import pytest

from bot.verify.stats import (
    EPSILON,
    CategoricalDrift,
    NumericDrift,
    Reservoir,
    bin_counts,
    categorical_psi,
    category,
    category_value,
    drift_for,
    null_rate,
    psi,
    quantile_edges,
    quantiles,
)


@pytest.mark.parametrize("n", [1, 2, 3, 10, 11, 997])
def test_quantiles_match_numpy_linear(n):
    rng = random.Random(n)
    values = sorted(rng.gauss(0, 1) for _ in range(n))
    probabilities = [i / 10 for i in range(1, 10)]
    assert quantiles(values, probabilities) == pytest.approx(list(np.quantile(values, probabilities)), abs=1e-12)


def test_edges_merge_ties_and_bins_are_closed_on_the_right():
    assert quantile_edges([5.0] * 20) == [5.0]
    edges = quantile_edges(range(1, 11))
    assert len(edges) == 9
    assert bin_counts([1.0, 2.0], [0.5, 1.0, 1.5, 2.0, 2.5]) == [2, 2, 1]
    assert bin_counts(edges, [edges[0]]) == [1] + [0] * 9


def test_psi_formula_and_epsilon():
    assert psi([50, 50], [50, 50]) == 0
    expected = (0.3 - 0.5) * math.log(0.3 / 0.5) + (0.7 - 0.5) * math.log(0.7 / 0.5)
    assert psi([5, 5], [3, 7]) == pytest.approx(expected, abs=1e-15)
    disjoint = psi([10, 0], [0, 10])
    assert disjoint == pytest.approx(2 * (1 - EPSILON) * math.log(1 / EPSILON))
    assert math.isfinite(psi([0, 0], [0, 0]))


def test_a_bin_empty_on_one_side_counts_as_a_share_of_one_in_ten_thousand():
    """The figures are written out, not derived from EPSILON: a change of the epsilon changes every PSI with an
    empty bin, and so the verdict of every drift bound near it."""
    # (0.5 - 1) ln(0.5 / 1) + (0.5 - 0.0001) ln(0.5 / 0.0001)
    assert psi([10, 0], [5, 5]) == pytest.approx(4.60431846666895, rel=1e-12)
    assert psi([4, 4], [8, 0]) == pytest.approx(4.60431846666895, rel=1e-12)
    # 2 (1 - 0.0001) ln(10000): each category is in one side only
    assert categorical_psi(Counter(a=10), Counter(b=10)) == pytest.approx(18.41883867587797, rel=1e-12)


def test_categorical_psi_over_the_union_of_categories():
    assert categorical_psi(Counter(a=5, b=5), Counter(a=5, b=5)) == 0
    no_overlap = categorical_psi(Counter(a=10), Counter(b=10))
    assert 10 < no_overlap < 100


def test_categories_keep_json_types_apart():
    assert len({category(v) for v in [True, 1, 1.0, "1", [1], None]}) == 6


def test_a_category_key_gives_its_value_back_and_an_object_is_one_whatever_its_key_order():
    for value in [True, 1, 1.5, 1e300, 2**70, "1", "é", [1, "a"], {"b": 1, "a": [None]}, None, math.inf]:
        back = category_value(category(value))
        assert back == value and type(back) is type(value)
    assert category({"a": 1, "b": 2}) == category({"b": 2, "a": 1})


def test_reservoir_is_bounded_uniform_and_repeatable():
    first, second = Reservoir(size=100), Reservoir(size=100)
    for i in range(100_000):
        first.add(i)
        second.add(i)
    assert len(first.values) == 100 and first.seen == 100_000
    assert first.values == second.values
    assert 30_000 < sum(first.values) / 100 < 70_000  # the mean of a uniform sample of 0..99999


def test_numeric_drift_against_numpy_with_ties():
    rng = random.Random(3)
    baseline = [float(rng.randint(0, 5)) for _ in range(500)]  # heavy ties: fewer than 10 distinct edges
    candidate = [float(rng.randint(2, 7)) for _ in range(400)]
    drift = NumericDrift()
    for v in baseline:
        drift.add_baseline(v)
    drift.freeze()
    for v in [*candidate, None, "x", True, float("nan")]:
        drift.add(v)
    edges = np.unique(np.quantile(baseline, [i / 10 for i in range(1, 10)]))
    e = np.bincount(np.searchsorted(edges, baseline), minlength=len(edges) + 1) / len(baseline)
    a = np.bincount(np.searchsorted(edges, candidate), minlength=len(edges) + 1) / len(candidate)
    e, a = np.where(e == 0, EPSILON, e), np.where(a == 0, EPSILON, a)
    assert drift.psi() == pytest.approx(float(np.sum((a - e) * np.log(a / e))), abs=1e-9)


def test_drift_without_baseline_values_is_unmeasured():
    numeric, categorical = NumericDrift(), CategoricalDrift()
    numeric.freeze()
    numeric.add(0.5)
    categorical.add("a")
    assert numeric.psi() is None and categorical.psi() is None


@pytest.mark.parametrize(("prop", "first", "kind"), [
    ({"type": "number"}, "x", "numeric"),
    ({"type": ["integer", "null"]}, None, "numeric"),
    ({"type": "string"}, 1.0, "categorical"),
    ({"type": "boolean"}, True, "categorical"),
    ({"enum": [1, 2, 3]}, 1, "categorical"),
    (None, 0.5, "numeric"),
    ({}, "a", "categorical"),
    (None, True, "categorical"),
])
def test_kind_from_the_schema_then_the_data(prop, first, kind):
    assert drift_for(prop, first).kind == kind


def test_null_rate():
    assert null_rate(1, 4) == 0.25
    assert null_rate(0, 0) is None
