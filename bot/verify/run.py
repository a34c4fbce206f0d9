"""Verify one file of records against a contract version's schema and quality expectations.

Two streamed passes at most: the baseline first (only when drift bounds are declared and a baseline is given),
to learn each drifting field's bins or categories; then the records, once, for validity, null counts and drift.
Memory holds one batch of records, the per-field counts, and the bounded baseline reservoirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.manifests.models import Quality
from bot.verify import baseline as baseline_file
from bot.verify.fields import properties
from bot.verify.readers import DEFAULT_LIMITS, Limits, Records, RecordsError, check_regular, size_text
from bot.verify.report import Drift, Example, NullRate, VerifyResult
from bot.verify.stats import CategoricalDrift, NumericDrift, drift_for, null_rate
from bot.verify.validate import RecordValidator

Accumulator = NumericDrift | CategoricalDrift


@dataclass(frozen=True)
class Expected:
    """What the records must honour: a contract version's schema and quality expectations (``contract`` names the
    version in the report)."""

    schema: Any
    quality: Quality | None = None
    contract: str = ""


def verify_records(expected: Expected, records_path: str | Path, baseline_path: str | Path | None = None,
                   examples: int = 10, limits: Limits = DEFAULT_LIMITS) -> VerifyResult:
    """Read ``records_path`` (JSON Lines, CSV or Parquet) and judge it; a file that cannot be read, or that is over
    one of ``limits`` (each file on its own), is a RecordsError. ``baseline_path`` is raw data in the same formats
    or a baseline file (``.json``, bot.verify.baseline), which must be of this contract version."""
    schema, quality = expected.schema, expected.quality or Quality()
    validator = RecordValidator(schema)
    records = Records(records_path, schema, limits=limits)
    bounds = quality.drift.psi_max if quality.drift else {}
    notes: list[str] = []
    drifts = baseline_drifts(expected, baseline_path, limits, notes)

    null_fields = list(quality.null_rate_max)
    nulls = dict.fromkeys(null_fields, 0)
    is_valid = validator.is_valid
    tracked = list(drifts.items())
    found: list[Example] = []
    read = invalid = 0
    for batch in records.batches():
        read += len(batch)
        for number, record, problem in batch:
            if problem is not None:
                invalid += 1
                if len(found) < examples:
                    found.append(Example(number, "#", problem))
                record = None
            elif not is_valid(record):
                invalid += 1
                if len(found) < examples:
                    found += [Example(number, p.path, p.reason) for p in validator.problems(record)][
                        : examples - len(found)]
            if type(record) is not dict:
                record = {}
            for name in null_fields:
                if record.get(name) is None:
                    nulls[name] += 1
            for name, accumulator in tracked:
                accumulator.add(record.get(name))
    notes = records.notes + notes
    if read == 0:
        notes.append(f"{Path(records_path).name} holds no records: nothing was verified")
    return VerifyResult(
        contract=expected.contract,
        records=read,
        invalid=invalid,
        examples=tuple(found),
        null_rates=tuple(NullRate(name, null_rate(nulls[name], read), bound)
                         for name, bound in quality.null_rate_max.items()),
        drift=tuple(_drift(name, bound, drifts.get(name), baseline_path) for name, bound in bounds.items()),
        min_records=quality.min_records,
        notes=tuple(notes),
    )


def baseline_drifts(expected: Expected, baseline_path: str | Path | None, limits: Limits,
                    notes: list[str]) -> dict[str, Accumulator]:
    """The drift accumulators of the drift-bounded fields, primed from the baseline (a baseline file, or raw data read
    once); what is worth saying about the baseline goes to ``notes``."""
    quality = expected.quality or Quality()
    bounds = quality.drift.psi_max if quality.drift else {}
    if baseline_path is None:
        return {}
    if not bounds:
        if is_baseline_file(baseline_path):
            load_baseline(baseline_path, expected.contract, limits)  # checked all the same: of this version?
        notes.append("the baseline was not read: this contract version declares no drift bounds")
        return {}
    if is_baseline_file(baseline_path):
        return baseline_file.accumulators(load_baseline(baseline_path, expected.contract, limits))
    baseline = Records(baseline_path, expected.schema, limits=limits)
    drifts = read_baseline(baseline, list(bounds), properties(expected.schema))
    notes += baseline.notes
    return drifts


def is_baseline_file(path: str | Path) -> bool:
    """A ``.json`` file is a baseline file; the other extensions are raw data (bot.verify.readers)."""
    return Path(path).suffix.lower() == ".json"


def load_baseline(path: str | Path, contract: str, limits: Limits = DEFAULT_LIMITS) -> baseline_file.Baseline:
    """Read and check the baseline file ``path`` for ``contract`` (``name@version``): a BaselineError or a
    RecordsError if it cannot be read, is malformed, or is of another contract version."""
    path = Path(path)
    check_regular(path)  # a symbolic link, a FIFO (a read that never ends), a directory: refused, not read
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise RecordsError(f"{path}: {size:,} bytes, over the limit of {size_text(limits.max_bytes)} per file")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise RecordsError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise baseline_file.BaselineError(f"{path}: not a baseline file: not UTF-8 text") from exc
    except OSError as exc:
        raise RecordsError(f"{path}: cannot be read ({exc.strerror})") from exc
    name, _, number = contract.rpartition("@")
    return baseline_file.parse(text, str(path), name, int(number))


def write_baseline(expected: Expected, records_path: str | Path, day: str | None = None,
                   limits: Limits = DEFAULT_LIMITS) -> str:
    """The text of a baseline file of ``records_path`` for the drift-bounded fields of ``expected``."""
    quality = expected.quality or Quality()
    fields = list(quality.drift.psi_max) if quality.drift else []
    nulls = dict.fromkeys(fields, 0)
    records = Records(records_path, expected.schema, limits=limits)
    count = [0]
    drifts = read_baseline(records, fields, properties(expected.schema), nulls, count)
    name, _, number = expected.contract.rpartition("@")
    return baseline_file.dumps(baseline_file.summarize((name, int(number)), day, count[0], nulls, drifts))


def read_baseline(baseline: Records, fields: list[str], props: dict[str, Any], nulls: dict[str, int] | None = None,
                  count: list[int] | None = None) -> dict[str, Accumulator]:
    """One pass over the baseline: per field, a bounded sample of numbers or the counts of categories (and, when
    asked, the records where each field is null or missing in ``nulls`` and the records read in ``count[0]``)."""
    drifts: dict[str, Accumulator] = {}
    for batch in baseline.batches():
        if count is not None:
            count[0] += len(batch)
        for _, record, _problem in batch:
            if type(record) is not dict:
                record = {}
            for name in fields:
                value = record.get(name)
                if value is None:
                    if nulls is not None:
                        nulls[name] += 1
                    continue
                if name not in drifts:
                    drifts[name] = drift_for(props.get(name), value)
                drifts[name].add_baseline(value)
    for accumulator in drifts.values():
        accumulator.freeze()
    return drifts


def _drift(name: str, bound: float, accumulator: Accumulator | None, baseline_path: str | Path | None) -> Drift:
    if baseline_path is None:
        return Drift(name, None, bound, None, "no --baseline given")
    value = accumulator.psi() if accumulator is not None else None
    if value is None:
        return Drift(name, None, bound, None, "the baseline has no values for this field")
    return Drift(name, value, bound, accumulator.kind if accumulator else None)
