"""The result of verifying records against a contract version (a value; ``bot.report.verify`` renders it).

``to_json`` gives docs/cli.md's shape exactly. A bound that could not be checked (a drift bound
without a baseline, a null rate over no records) has ``ok: null`` and does not change the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Verdict = Literal["pass", "fail"]


@dataclass(frozen=True)
class Example:
    """One reason a record is invalid: its number (a line, a row, a position), where in it and what. ``key`` is
    the value of the column a table source names with ``--key`` (``keyed``: one was named; the value may be null).
    ``file``: the file the record is in, when the source is a glob of several (its numbers are that file's)."""

    record: int
    path: str
    reason: str
    key: Any = None
    keyed: bool = False
    file: str | None = None

    @property
    def where(self) -> str:
        """``record 12``, or ``record 12 of part-1.parquet`` in a glob."""
        return f"record {self.record}" + (f" of {self.file}" if self.file is not None else "")


@dataclass(frozen=True)
class NullRate:
    field: str
    value: float | None
    max: float

    @property
    def ok(self) -> bool | None:
        return None if self.value is None else self.value <= self.max


@dataclass(frozen=True)
class Drift:
    field: str
    psi: float | None
    max: float
    kind: str | None  # "numeric" | "categorical"; None when not measured
    why_unmeasured: str = ""

    @property
    def ok(self) -> bool | None:
        return None if self.psi is None else self.psi <= self.max


@dataclass(frozen=True)
class VerifyResult:
    contract: str
    records: int
    invalid: int
    examples: tuple[Example, ...] = ()
    null_rates: tuple[NullRate, ...] = ()
    drift: tuple[Drift, ...] = ()
    min_records: int | None = None
    notes: tuple[str, ...] = ()
    # The keywords an engine checked record by record with the validator, as "field: keyword, ..." ("#" for the
    # whole record): those it has no exact query for. Empty for the reference, which checks every record so.
    checked_per_row: tuple[str, ...] = ()

    @property
    def min_records_ok(self) -> bool:
        return self.min_records is None or self.records >= self.min_records

    @property
    def breaches(self) -> list[str]:
        """What fails, one short phrase each (empty: pass)."""
        found = [f"{self.invalid} invalid record{'s' if self.invalid != 1 else ''}"] if self.invalid else []
        if not self.min_records_ok:
            found.append(f"{self.records} records, fewer than min_records {self.min_records}")
        found += [f"null rate of {n.field} {n.value:.4g} > {n.max:g}" for n in self.null_rates if n.ok is False]
        found += [f"PSI of {d.field} {d.psi:.4g} > {d.max:g}" for d in self.drift if d.ok is False]
        return found

    @property
    def verdict(self) -> Verdict:
        return "fail" if self.breaches else "pass"

    def to_json(self) -> dict[str, Any]:
        return {
            "contract": self.contract,
            "verdict": self.verdict,
            "records": self.records,
            "invalid": self.invalid,
            "examples": [{"record": e.record, **({"file": e.file} if e.file is not None else {}), "path": e.path,
                          "reason": e.reason, **({"key": e.key} if e.keyed else {})}
                         for e in self.examples],
            "null_rates": {n.field: {"value": n.value, "max": n.max, "ok": n.ok} for n in self.null_rates},
            "drift": {d.field: {"psi": d.psi, "max": d.max, "ok": d.ok} for d in self.drift},
            "min_records": {"value": self.records, "min": self.min_records, "ok": self.min_records_ok},
        }


Where = tuple[str, ...]  # a key of a contract version in its manifest: ("quality", "null_rate_max", "score")
