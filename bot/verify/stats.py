"""Null rates and the population stability index (PSI), as pure functions and small accumulators.

PSI = Σ (a − e) · ln(a / e) over bins, where e is the baseline's share of a bin and a the candidate's;
a share of 0 becomes EPSILON, so a bin empty on one side gives a large but finite figure.

- numeric fields: 10 quantile bins of the baseline (numpy's default "linear" quantiles at 0.1 … 0.9, equal
  edges merged, so a baseline with many ties has fewer bins); bins are closed on the right, (e[i-1], e[i]], so
  a value falls in bin i when exactly i edges are < it, and a constant baseline still separates values above
  it from the rest. Quantiles need the baseline's values: a reservoir sample of at
  most RESERVOIR values per field (seeded, so runs repeat) keeps memory bounded; below that size the
  figures are exact.
- categorical fields: the share of each category, over the union of both sides' categories.

Null or missing values are left out of drift (the null rate measures them).
"""

from __future__ import annotations

import json
import math
import random
from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from bot.verify.fields import is_enum, property_types

EPSILON = 1e-4
BINS = 10
RESERVOIR = 100_000


def null_rate(nulls: int, records: int) -> float | None:
    """Share of records where a field is null or missing (None when there are no records)."""
    return nulls / records if records else None


def quantiles(ordered: Sequence[float], probabilities: Iterable[float]) -> list[float]:
    """numpy.quantile(..., method="linear") of already sorted values."""
    last = len(ordered) - 1
    out = []
    for p in probabilities:
        h = last * p
        low = math.floor(h)
        high = min(low + 1, last)
        t = h - low
        a, b = ordered[low], ordered[high]
        out.append(b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t)  # numpy's two-sided lerp
    return out


def quantile_edges(values: Iterable[float], bins: int = BINS) -> list[float]:
    """The distinct inner edges (at most bins - 1) of equal-frequency bins."""
    return sorted(set(quantiles(sorted(values), [i / bins for i in range(1, bins)])))


def shares(counts: Sequence[int]) -> list[float]:
    total = sum(counts)
    return [count / total if total and count else EPSILON for count in counts]


def psi(expected: Sequence[int], actual: Sequence[int]) -> float:
    """PSI between two count vectors over the same bins (expected: the baseline)."""
    return math.fsum((a - e) * math.log(a / e) for e, a in zip(shares(expected), shares(actual), strict=True))


def bin_counts(edges: Sequence[float], values: Iterable[float]) -> list[int]:
    counts = [0] * (len(edges) + 1)
    for value in values:
        counts[bisect_left(edges, value)] += 1
    return counts


def categorical_psi(expected: Counter[Hashable], actual: Counter[Hashable]) -> float:
    categories = sorted(set(expected) | set(actual), key=repr)
    return psi([expected[c] for c in categories], [actual[c] for c in categories])


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def category(value: Any) -> Hashable:
    """A key per distinct JSON value: ``True`` and ``1`` differ; lists and objects by their content (an object's
    keys in any order). A string is its own key; any other value is its type and its JSON text, which
    :func:`category_value` reads back."""
    if type(value) is str:
        return value
    return type(value).__name__, json.dumps(value, sort_keys=True, ensure_ascii=False)


def category_value(key: Hashable) -> Any:
    """The JSON value a category key stands for (category's inverse)."""
    if isinstance(key, str):
        return key
    assert isinstance(key, tuple)
    return json.loads(key[1])


class Reservoir:
    """A uniform sample of at most ``size`` values of a stream (Vitter's algorithm R), seeded."""

    def __init__(self, size: int = RESERVOIR, seed: int = 0) -> None:
        self.size = size
        self.values: list[float] = []
        self.seen = 0
        self._random = random.Random(seed)

    def add(self, value: float) -> None:
        self.seen += 1
        if len(self.values) < self.size:
            self.values.append(value)
        else:
            slot = self._random.randrange(self.seen)
            if slot < self.size:
                self.values[slot] = value


class NumericDrift:
    """Baseline values into a reservoir; then candidate values into the baseline's quantile bins."""

    kind = "numeric"

    def __init__(self, reservoir: int = RESERVOIR) -> None:
        self.baseline = Reservoir(reservoir)
        self.edges: list[float] = []
        self.counts: list[int] = []
        self.expected: list[int] | None = None  # the baseline's bin counts, when they come from a baseline file

    def add_baseline(self, value: Any) -> None:
        if is_number(value):
            self.baseline.add(value)

    def freeze(self) -> None:
        self.edges = quantile_edges(self.baseline.values) if self.baseline.values else []
        self.counts = [0] * (len(self.edges) + 1)

    def add(self, value: Any) -> None:
        kind = type(value)  # is_number, inlined: this runs once per record
        if (kind is float and value - value == 0) or kind is int:
            self.counts[bisect_left(self.edges, value)] += 1

    def baseline_counts(self) -> list[int]:
        return self.expected if self.expected is not None else bin_counts(self.edges, self.baseline.values)

    def psi(self) -> float | None:
        if not self.baseline.values and self.expected is None:
            return None
        return psi(self.baseline_counts(), self.counts)


class CategoricalDrift:
    """Counts per category on each side."""

    kind = "categorical"

    def __init__(self) -> None:
        self.expected: Counter[Hashable] = Counter()
        self.actual: Counter[Hashable] = Counter()
        self.other: Hashable | None = None  # set from a baseline file that folded its rarer categories into one


    def add_baseline(self, value: Any) -> None:
        if value is not None:
            self.expected[category(value)] += 1

    def freeze(self) -> None:
        return None

    def add(self, value: Any) -> None:
        if value is not None:
            self.actual[category(value)] += 1

    def psi(self) -> float | None:
        if not self.expected:
            return None
        actual = self.actual
        if self.other is not None:  # the candidate's categories outside the baseline's top k count as "other"
            actual = Counter({key: count for key, count in actual.items() if key in self.expected})
            actual[self.other] += sum(count for key, count in self.actual.items() if key not in self.expected)
        return categorical_psi(self.expected, actual)


def drift_for(prop: Any, first_value: Any) -> NumericDrift | CategoricalDrift:
    """Numeric or categorical by the field's schema (number/integer; string/boolean/enum), else by its first value."""
    types = property_types(prop)
    if is_enum(prop):
        return CategoricalDrift()
    if types & {"number", "integer"}:
        return NumericDrift()
    if types & {"string", "boolean"}:
        return CategoricalDrift()
    return NumericDrift() if is_number(first_value) else CategoricalDrift()
