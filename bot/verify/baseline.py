"""Baselines as files: what drift needs of a baseline sample, small enough to commit next to the contract.

A baseline file (``modelgate verify ... --write-baseline FILE``) is JSON: the contract's subject and version, the
day it stands for (or null), and per drift-bounded field that had values:

- numeric: ``{"kind": "numeric", "n", "null_rate", "edges": [...], "counts": [...]}``: the inner edges of the
  quantile bins of the baseline's values (bot.verify.stats.quantile_edges over its reservoir sample) and the
  baseline's count per bin (``len(edges) + 1`` counts); PSI from the file equals PSI from the raw data exactly.
  At most MAX_EDGES edges are read (the writer makes at most BINS - 1).
- categorical: ``{"kind": "categorical", "n", "null_rate", "categories": [[value, count], ...], "other": count}``:
  the TOP_K most frequent values with their counts (a list of pairs, since a value may be a number or a boolean
  and JSON keys are only strings) and the count of all the others. PSI from the file equals PSI from the raw
  data exactly when the field has at most TOP_K categories (``other`` is 0); beyond that, the candidate's values
  outside the top k are counted together as "other".

``n`` is the number of values drift used (numbers for a numeric field, non-null values for a categorical one);
``null_rate`` the share of the baseline's records where the field is null or missing. Pure: text in, models out;
the reading and writing of files is the caller's.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, model_validator

from bot.errors import DomainError
from bot.verify.stats import BINS, CategoricalDrift, NumericDrift, category, category_value

KIND: Final = "modelgate-baseline/v1"
TOP_K = 100  # categories of a categorical field, written and read
MAX_EDGES = 100  # inner edges of a numeric field read (written: at most BINS - 1); each is a column of a query
OTHER = ("modelgate-baseline", "other")  # the key of the folded categories: no JSON value has it (see category)

Count = Annotated[StrictInt, Field(ge=0)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]  # strict: an int, not a string
Rate = Annotated[float, Field(strict=True, ge=0, le=1)]


class BaselineError(DomainError):
    """A baseline file that is not one, or is one of another contract version (exit 2)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NumericField(_Strict):
    kind: Literal["numeric"]
    n: Count
    null_rate: Rate | None
    edges: list[Number] = Field(max_length=MAX_EDGES)
    counts: list[Count] = Field(max_length=MAX_EDGES + 1)

    @model_validator(mode="after")
    def _shape(self) -> NumericField:
        if len(self.counts) != len(self.edges) + 1:
            raise ValueError(f"{len(self.edges)} edges need {len(self.edges) + 1} counts, not {len(self.counts)}")
        if any(b <= a for a, b in zip(self.edges, self.edges[1:], strict=False)):
            raise ValueError("edges must be strictly increasing")
        if not any(self.counts):
            raise ValueError("counts are all 0")
        return self


class CategoricalField(_Strict):
    kind: Literal["categorical"]
    n: Count
    null_rate: Rate | None
    categories: list[tuple[Any, Count]] = Field(max_length=TOP_K)
    other: Count

    @model_validator(mode="after")
    def _shape(self) -> CategoricalField:
        keys = [category(value) for value, _ in self.categories]
        if any(value is None for value, _ in self.categories):
            raise ValueError("null is not a category (the null rate counts it)")
        if len(set(keys)) != len(keys):
            raise ValueError("a category is listed twice")
        if not self.categories:
            raise ValueError("no categories")
        return self


class Baseline(_Strict):
    """The whole file."""

    kind: Literal["modelgate-baseline/v1"]
    contract: str = Field(min_length=1)
    version: StrictInt = Field(ge=1)
    day: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    records: Count
    fields: dict[str, Annotated[NumericField | CategoricalField, Field(discriminator="kind")]]


def summarize(subject: tuple[str, int], day: str | None, records: int, nulls: dict[str, int],
              drifts: dict[str, NumericDrift | CategoricalDrift]) -> Baseline:
    """The file, for the contract version ``subject``, of what ``read_baseline`` learnt of ``records`` baseline
    records (``nulls``: per field, the records where it is null or missing)."""
    contract, version = subject
    fields: dict[str, NumericField | CategoricalField] = {}
    for name, drift in sorted(drifts.items()):
        rate = nulls.get(name, 0) / records if records else None
        if isinstance(drift, NumericDrift):
            if not drift.baseline.values:
                continue
            fields[name] = NumericField(kind="numeric", n=drift.baseline.seen, null_rate=rate, edges=drift.edges,
                                        counts=drift.baseline_counts())
        elif drift.expected:
            ranked = sorted(drift.expected.items(), key=lambda item: (-item[1], repr(item[0])))
            fields[name] = CategoricalField(
                kind="categorical", n=sum(drift.expected.values()), null_rate=rate,
                categories=[(category_value(key), count) for key, count in ranked[:TOP_K]],
                other=sum(count for _, count in ranked[TOP_K:]))
    return Baseline(kind=KIND, contract=contract, version=version, day=day, records=records, fields=fields)


def dumps(baseline: Baseline) -> str:
    return json.dumps(baseline.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def parse(text: str, source: str, contract: str, version: int) -> Baseline:
    """The baseline file ``source`` holds, for ``contract`` version ``version``; anything else is a BaselineError."""
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise BaselineError(f"{source}: not a baseline file: not JSON ({exc})") from exc
    except RecursionError as exc:
        raise BaselineError(f"{source}: not a baseline file: nested too deeply") from exc
    if not isinstance(data, dict):
        raise BaselineError(f"{source}: not a baseline file: not a JSON object")
    _check_sizes(data.get("fields"), source)
    if data.get("kind") != KIND:
        raise BaselineError(f"{source}: kind {data.get('kind')!r} is not {KIND!r}: "
                            "not a baseline file this modelgate reads")
    try:
        baseline = Baseline.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise BaselineError(f"{source}: malformed baseline file: {where}: {first['msg']}"
                            + (f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else "")
                            ) from exc
    if (baseline.contract, baseline.version) != (contract, version):
        raise BaselineError(f"{source}: a baseline of {baseline.contract}@{baseline.version}, "
                            f"not of {contract}@{version}: write one with --write-baseline")
    return baseline


_BOUNDS = (("edges", MAX_EDGES, f"modelgate writes at most {BINS - 1}"), ("counts", MAX_EDGES + 1, "one more "
           "than the edges"), ("categories", TOP_K, "modelgate writes the most frequent ones"))


def _check_sizes(fields: Any, source: str) -> None:
    """A field's lists within their bounds (50,000 edges made the engine's query 50,000 columns wide), said with
    the field's name before anything else is checked."""
    for name, field in fields.items() if isinstance(fields, dict) else ():
        for key, bound, why in _BOUNDS:
            items = field.get(key) if isinstance(field, dict) else None
            if isinstance(items, list) and len(items) > bound:
                raise BaselineError(f"{source}: field {name}: {len(items):,} {key}, over the limit of {bound} ({why})")


def accumulators(baseline: Baseline) -> dict[str, NumericDrift | CategoricalDrift]:
    """Drift accumulators primed from the file, ready for the candidate's values."""
    drifts: dict[str, NumericDrift | CategoricalDrift] = {}
    for name, field in baseline.fields.items():
        if isinstance(field, NumericField):
            numeric = NumericDrift(reservoir=0)
            numeric.edges = list(field.edges)
            numeric.expected = list(field.counts)
            numeric.counts = [0] * len(field.counts)
            drifts[name] = numeric
        else:
            categorical = CategoricalDrift()
            categorical.expected = Counter({category(value): count for value, count in field.categories})
            if field.other:
                categorical.other = OTHER
                categorical.expected[OTHER] = field.other
            drifts[name] = categorical
    return drifts


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a baseline file."""
    return Baseline.model_json_schema()
