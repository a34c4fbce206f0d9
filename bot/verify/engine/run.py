"""Verify a source on its engine: the reference's VerifyResult, computed by one aggregate query.

The plan's aggregate gives the row count, the rows the engine judges invalid, the null counts, the drift bins and
the counts of the baseline's categories in one query; the rows the validator must judge (a keyword the engine
cannot check, a number it cannot compare exactly) are fetched in batches (DuckDB's cursor over a JSON Lines or CSV
file, Arrow elsewhere), only the columns they need, and validated by the reference's validator; a categorical drift
field whose values the aggregate's sums do not tell all is counted by one GROUP BY. Examples are the first invalid
rows in source order, rebuilt as the reference reads them (for a file: its line decoded again) and explained by the
validator, so they are the reference's to the letter. A file DuckDB refuses that the reference can read record by
record (a malformed line after the first) is read by the reference instead, with a note.
"""

from __future__ import annotations

import dataclasses
import heapq
import json
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.manifests.models import Quality
from bot.verify.engine import INTERNAL_PREFIX, Source
from bot.verify.engine import compile as c
from bot.verify.engine import plan as p
from bot.verify.engine.files import EngineCannotRead, expand, native_kind, open_files
from bot.verify.fields import properties
from bot.verify.readers import DEFAULT_LIMITS, FORMATS, Limits, Records, RecordsError, _arrow_kind, coercer, decode_line
from bot.verify.report import Example, NullRate, VerifyResult
from bot.verify.run import Expected, _drift, baseline_drifts, verify_records
from bot.verify.stats import CategoricalDrift, NumericDrift, category, null_rate
from bot.verify.validate import RecordValidator

MAX_FIELDS = 500  # a contract of 1,500 fields took 20 s to build as one query, and more than DuckDB's 256 MB to run

BATCH_ROWS = 65_536
MAX_CATEGORIES = 1_000_000  # distinct values of a categorical drift field the engine counts (each held, as the
# reference holds them): beyond, the engine does not compute its PSI


def fields_of(expected: Expected) -> list[str]:
    """The top-level fields a contract version names: its properties, its required keys, and the fields its quality
    expectations measure."""
    root = expected.schema if isinstance(expected.schema, dict) else {}
    required = root.get("required")
    names = [r for r in required if isinstance(r, str)] if isinstance(required, list) else []
    quality = expected.quality or Quality()
    measured = [*quality.null_rate_max, *(quality.drift.psi_max if quality.drift else {})]
    return sorted(set(properties(expected.schema)) | set(names) | set(measured))


def verify_files(expected: Expected, pattern: str | Path, baseline_path: str | Path | None = None,  # noqa: PLR0913 (fallback: keyword only)
                 examples: int = 10, limits: Limits = DEFAULT_LIMITS, *, fallback: bool = True) -> VerifyResult:
    """``verify_records`` for a file or a glob of files (JSON Lines, CSV, Parquet), on DuckDB; a file DuckDB
    cannot read is read by the reference with a note, or without ``fallback`` (``--engine duckdb``) refused."""
    import duckdb

    fields = fields_of(expected)
    paths = expand(pattern)
    if len(paths) != 1:  # no reference reads a glob: the reason alone
        refuse_fields(fields, str(pattern))
    try:
        refuse_fields(fields, str(pattern))
        return verify_source(expected, open_for(expected, pattern, fields, limits), baseline_path, examples, limits)
    except (EngineCannotRead, duckdb.Error) as exc:
        if len(paths) != 1:
            raise RecordsError(f"{pattern}: DuckDB cannot read one of the files ({_first_line(exc)}); verify each "
                               "file alone to find which") from exc
        if not fallback:
            raise RecordsError(f"{pattern}: DuckDB cannot read it ({_first_line(exc)}); --engine auto reads it with "
                               "the Python reference reader, record by record") from exc
        result = verify_records(expected, paths[0], baseline_path, examples, limits)
        note = (f"{paths[0].name}: read by the Python reference reader, record by record: DuckDB cannot read it "
                f"({_first_line(exc)})")
        return dataclasses.replace(result, notes=(note, *result.notes))


def refuse_fields(names: Iterable[str], label: str, own: frozenset[str] = frozenset()) -> None:
    """The fields and columns the engine will not read: a name ``__mg_...`` (other than the source's own, ``own``)
    would be taken for one of the engine's columns; more than :data:`MAX_FIELDS` make one query too large to build
    in bounded time and memory. Either is EngineCannotRead (one file then goes to the reference)."""
    names = set(names)
    clashing = sorted(n for n in names if n.startswith(INTERNAL_PREFIX) and n not in own)
    if clashing:
        raise EngineCannotRead(f"{label}: {', '.join(map(repr, clashing[:5]))} begins with {INTERNAL_PREFIX}, as the "
                               "engine's own columns do; rename it")
    if len(names - own) > MAX_FIELDS:
        raise EngineCannotRead(f"{label}: {len(names - own)} fields and columns, more than the {MAX_FIELDS} the "
                               "engine checks in one query")


def _own_columns(source: Source) -> frozenset[str]:
    return frozenset(c for c in (source.keys, source.record, source.not_object, source.refuse, source.ordinal,
                                 source.filename, source.row) if c is not None)


def _first_line(exc: BaseException) -> str:
    from bot.verify.engine.connect import reason  # the environment's secrets taken out

    return reason(exc, "").removeprefix("Invalid Input Error: ")


def kinds_of(source: Source) -> dict[str, str]:
    if source.kinds:
        return dict(source.kinds)
    schema = source.table.schema()
    return {name: native_kind(dtype) for name, dtype in schema.items() if not name.startswith(INTERNAL_PREFIX)}


def is_duckdb(source: Source) -> bool:
    return getattr(source.backend, "name", "") == "duckdb"


def open_for(expected: Expected, pattern: str | Path, fields: list[str], limits: Limits) -> Source:
    """The files of ``pattern`` opened with the columns ``fields``; JSON Lines read as whole records when the plan
    needs each record's keys. That is decided before the files are opened (a JSON column of each field, as
    ``open_files`` gives them), so their checks and scans run once."""
    paths = expand(pattern)
    jsonl = FORMATS.get(paths[0].suffix.lower()) == "jsonl"
    whole = jsonl and _plan(expected, dict.fromkeys(fields, "json"), tabular=False, regex=True).needs_keys
    return open_files(pattern, fields, expected.schema, whole_records=whole, limits=limits)


def plan_for(expected: Expected, source: Source, numeric: dict[str, list[float]],
             categorical: dict[str, list[Hashable]]) -> p.Plan:
    """The plan of ``expected`` over ``source``; ``categorical``: each categorical drift field's baseline
    categories."""
    return _plan(expected, kinds_of(source), tabular=source.tabular, regex=is_duckdb(source),
                 drift=(numeric, categorical))


Drift = tuple[dict[str, list[float]], dict[str, list[Hashable]]]  # numeric fields' edges, categorical ones' values


def _plan(expected: Expected, kinds: dict[str, str], *, tabular: bool, regex: bool,
          drift: Drift | None = None) -> p.Plan:
    quality = expected.quality or Quality()
    numeric, categorical = drift or ({}, {})
    measures = p.Measures(list(quality.null_rate_max), numeric, list(categorical), categorical)
    return p.build(expected.schema, measures, kinds, tabular=tabular, regex=regex)


@dataclass(frozen=True)
class _Job:
    """One verification under way: the source, its plan, its columns' kinds, the validator."""

    expected: Expected
    source: Source
    plan: p.Plan
    kinds: dict[str, str]
    validator: RecordValidator

    @property
    def shape(self) -> c.Shape:
        source = self.source
        ordinal = source.table[source.ordinal] if source.ordinal else _row_number()
        in_order = is_duckdb(source) and source.ordinal is not None  # DuckDB keeps a file's order
        several = len(source.files) > 1 and source.filename is not None and source.ordinal is not None
        return c.Shape(keys=source.keys, not_object=source.not_object, ordinal=ordinal, in_order=in_order,
                       refuse=source.refuse, files=read_names(source) if several else (),
                       filename=source.filename if several else None)


def verify_source(expected: Expected, source: Source, baseline_path: str | Path | None = None, examples: int = 10,
                  limits: Limits = DEFAULT_LIMITS) -> VerifyResult:
    """Judge ``source`` against ``expected``: the reference's result on the same records."""
    refuse_fields([*fields_of(expected), *source.table.columns, *([source.key] if source.key else [])],
                          source.label, own=_own_columns(source))
    quality = expected.quality or Quality()
    validator = RecordValidator(expected.schema)
    bounds = quality.drift.psi_max if quality.drift else {}
    notes: list[str] = list(source.notes)
    drifts = baseline_drifts(expected, baseline_path, limits, notes)
    numeric = {name: list(d.edges) for name, d in drifts.items() if isinstance(d, NumericDrift)}
    categorical = {name: list(d.expected) for name, d in drifts.items() if isinstance(d, CategoricalDrift)}
    job = _Job(expected, source, plan_for(expected, source, numeric, categorical), kinds_of(source), validator)

    agg, names = c.aggregate(source.table, job.plan, job.shape)
    values = dict(zip(names, _one_row(source, agg), strict=True))
    inexact = sorted(name.partition(":")[2] for name, n in values.items() if name.startswith("edge:") and n)
    if inexact:  # an integer beyond 2^53 whose double is an edge: above or below it, the double cannot say
        raise EngineCannotRead(f"{source.label}: a value of {', '.join(inexact)} is, as a double, an edge of its "
                               "drift bins beyond 2^53, where only the exact integer tells its bin")
    if values.get("refused"):
        raise EngineCannotRead(f"{source.label}: a record has a key twice (the engine would read its first value, "
                               "JSON readers the last)")
    read, invalid, rechecked = (int(values[name] or 0) for name in ("rows", "invalid", "recheck"))
    first_bad: list[dict[str, Any]] = []
    if rechecked:
        bad, first_bad = _recheck(job, examples)
        invalid += bad
    found: list[Example] = []
    if invalid and examples:
        query = c.invalid_rows(source.table, job.plan, job.shape, _example_columns(job), examples)
        chosen = sorted([*first_bad, *_rows(source, query)], key=lambda row: int(row[c.ORDINAL]))[:examples]
        starts = {name: int(values[f"start:{i}"]) for i, name in enumerate(job.shape.files)
                  if values[f"start:{i}"] is not None}
        found = _examples(job, chosen, examples, starts)
    for name, accumulator in drifts.items():
        if isinstance(accumulator, NumericDrift):
            accumulator.counts = [int(values.get(f"bin:{name}:{i}") or 0) for i in range(len(accumulator.edges) + 1)]
        else:
            counted = _counted_categories(job, name, values, accumulator)
            accumulator.actual = counted if counted is not None else _categories(job, name)
    if read == 0:
        name = Path(source.label).name if len(source.files) == 1 else source.label
        notes.append(f"no record of {name} is kept by {source.narrowed}: nothing was verified" if source.narrowed
                     else f"{name} holds no records: nothing was verified")
    return VerifyResult(
        contract=expected.contract,
        records=read,
        invalid=invalid,
        examples=tuple(found),
        null_rates=tuple(NullRate(name, null_rate(int(values[f"null:{name}"] or 0), read), bound)
                         for name, bound in quality.null_rate_max.items()),
        drift=tuple(_drift(name, bound, drifts.get(name), baseline_path) for name, bound in bounds.items()),
        min_records=quality.min_records,
        notes=tuple(notes),
        checked_per_row=tuple(f"{where}: {', '.join(words)}" for where, words in job.plan.row_checked),
    )


def read_names(source: Source) -> tuple[str, ...]:
    """A file source's files as its filename column names them (``open_files`` reads each by its resolved path)."""
    return tuple(str(Path(name).resolve()) for name in source.files)


def _row_number() -> Any:
    import ibis

    return ibis.row_number() + 1


def _one_row(source: Source, expr: Any) -> tuple[Any, ...]:
    """The one row of an aggregate: on DuckDB through the raw cursor (no Arrow table, less memory)."""
    if is_duckdb(source):  # compiled as one line: a pretty-printed query indents the line breaks of a quoted name
        return tuple(source.backend.raw_sql(source.backend.compile(expr)).fetchone())
    return tuple(_arrow(expr).to_pylist()[0].values())


def _by_cursor(source: Source) -> bool:
    """Rows are fetched through DuckDB's cursor, not Arrow: a JSON Lines or CSV file's columns are text (JSON text
    too), whole numbers, booleans and lists of text, which the cursor gives as Arrow's ``to_pylist`` does, without
    importing pyarrow and pandas (a tenth of a second or two, and tens of MB)."""
    return is_duckdb(source) and source.format in ("jsonl", "csv")


def _cursor(source: Source, expr: Any) -> tuple[Any, list[str]]:
    cursor = source.backend.raw_sql(source.backend.compile(expr))  # one line, as _one_row's
    return cursor, [d[0] for d in cursor.description]


def _arrow(expr: Any) -> Any:
    """The rows of ``expr`` as an Arrow table. Spark's come from Spark's own ``toArrow``: ibis's pyspark backend
    fetches through pandas, which turns a NaN into a null (a record the reference finds invalid would pass)."""
    backend = expr.get_backend()
    if backend.name == "pyspark":
        return backend._session.sql(backend.compile(expr)).toArrow()
    return expr.to_pyarrow()


def _arrow_batches(expr: Any) -> Iterator[Any]:
    """The rows of ``expr`` in Arrow batches (Spark's: its ``toArrow`` cut, as ibis's own batches are)."""
    if expr.get_backend().name == "pyspark":
        return iter(_arrow(expr).to_batches(max_chunksize=BATCH_ROWS))
    return iter(expr.to_pyarrow_batches(chunk_size=BATCH_ROWS))


def _rows(source: Source, expr: Any) -> list[dict[str, Any]]:
    if _by_cursor(source):
        cursor, names = _cursor(source, expr)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return _pylist(_arrow(expr))


def _row_batches(source: Source, expr: Any) -> Iterator[list[dict[str, Any]]]:
    """The rows of ``expr`` in batches of at most BATCH_ROWS (no other query may run on the source's connection
    while they are read)."""
    if _by_cursor(source):
        cursor, names = _cursor(source, expr)
        while rows := cursor.fetchmany(BATCH_ROWS):
            yield [dict(zip(names, row, strict=True)) for row in rows]
        return
    for batch in _arrow_batches(expr):
        yield _pylist(batch)


def _pylist(batch: Any) -> list[dict[str, Any]]:
    """Rows of an Arrow batch or table as the reference's Parquet reader gives them (decimals as floats, times as
    text)."""
    import pyarrow as pa

    casts = {}
    for f in batch.schema:
        _kind, cast = _arrow_kind(pa, f.type)
        if cast is not None:
            casts[f.name] = cast
    if casts:
        batch = batch.cast(pa.schema([f.with_type(casts.get(f.name, f.type)) for f in batch.schema]))
    return list(batch.to_pylist())


def _recheck_columns(job: _Job) -> list[str]:
    source = job.source
    if source.record is not None:
        return [source.record]
    wanted = [name for name in job.kinds if name in source.table.columns] if source.tabular else [
        f.name for f in job.plan.fields if f.name in source.table.columns]
    if source.keys is not None:
        wanted.append(source.keys)
    return wanted


def record_of(row: dict[str, Any], job: _Job) -> Any:
    """The record the reference would see, from a fetched row."""
    source = job.source
    if source.record is not None:
        return json.loads(row[source.record])
    keys = set(row[source.keys]) if source.keys is not None and row.get(source.keys) is not None else None
    types = {f.name: f.types for f in job.plan.fields}
    record: dict[str, Any] = {}
    for name, kind in job.kinds.items():
        if name not in row:
            continue
        value = row[name]
        if kind == "json":
            if value is None:
                if keys is not None and name in keys:
                    record[name] = None
                continue
            record[name] = json.loads(value)
        elif kind == "text":
            record[name] = coercer(types.get(name, frozenset()))(value if value is not None else "")
        else:
            record[name] = value
    return record


def _recheck(job: _Job, examples: int) -> tuple[int, list[dict[str, Any]]]:
    """Validate the rows the engine cannot judge, fetched in batches: how many are invalid, and the first
    ``examples`` of them (with what an example needs)."""
    wanted = _recheck_columns(job)
    if examples:
        wanted += [name for name in _example_columns(job) if name not in wanted]
    query = c.recheck_rows(job.source.table, job.plan, job.shape, wanted)
    bad = 0
    first: list[tuple[int, int, dict[str, Any]]] = []  # a max-heap (negated ordinals) of the first invalid rows
    is_valid = job.validator.is_valid
    for batch in _row_batches(job.source, query):
        for row in batch:
            if row[c.OTHER_KEYS] or not is_valid(record_of(row, job)):
                bad += 1
                if examples:
                    heapq.heappush(first, (-int(row[c.ORDINAL]), bad, row))
                    if len(first) > examples:
                        heapq.heappop(first)
    return bad, [row for _, _, row in sorted(first, key=lambda item: -item[0])]


def _example_columns(job: _Job) -> list[str]:
    """The columns an example is made of: the record's (as the reference sees it) and where it is."""
    source = job.source
    inner = (source.filename, source.row, source.keys, source.record)
    wanted = [n for n in source.table.columns if not n.startswith(INTERNAL_PREFIX) or n in inner]
    if source.key is not None and source.key not in wanted:
        wanted.append(source.key)
    return wanted


def _examples(job: _Job, rows: list[dict[str, Any]], examples: int, starts: dict[str, int]) -> list[Example]:
    """The examples of the invalid ``rows`` (in source order), as the reference gives them; ``starts``: the first
    ordinal of each file of a source of several."""
    source = job.source
    found: list[Example] = []
    # a glob's examples name their file (as the glob matched it): record numbers are each file's own
    shown = dict(zip(read_names(source), source.files, strict=True)) if len(source.files) > 1 else {}
    for row, (number, record) in zip(rows, _locate(job, rows, starts), strict=True):
        if record is _UNSET:
            record = record_of(row, job)
        key = None if source.key is None else row.get(source.key)
        if key is not None and job.kinds.get(source.key or "") == "json":  # a JSON Lines value: its JSON text
            key = json.loads(key)
        file = shown.get(str(row[source.filename])) if shown and source.filename else None
        found += [Example(number, problem.path, problem.reason, key, source.key is not None, file)
                  for problem in job.validator.problems(record)][: examples - len(found)]
        if len(found) >= examples:
            break
    return found


_UNSET: Any = object()


def _locate(job: _Job, rows: list[dict[str, Any]], starts: dict[str, int]) -> list[tuple[int, Any]]:
    """Each fetched row's record number as the reference gives it, and its record when read from the file."""
    source = job.source
    if source.numbering == "row" and source.row is not None:
        return [(int(r[source.row]), _UNSET) for r in rows]
    if source.numbering != "line" or source.filename is None or source.format not in ("jsonl", "csv"):
        return [(int(r[c.ORDINAL]), _UNSET) for r in rows]
    wanted: dict[str, dict[int, int]] = {}
    for i, r in enumerate(rows):
        name = str(r[source.filename])
        wanted.setdefault(name, {})[int(r[c.ORDINAL]) - starts.get(name, 1) + 1] = i
    out: list[tuple[int, Any]] = [(int(r[c.ORDINAL]), _UNSET) for r in rows]
    for name, positions in wanted.items():
        for position, number, record in _records_at(job, Path(name), set(positions)):
            out[positions[position]] = (number, record)
    return out


def _records_at(job: _Job, path: Path, positions: set[int]) -> Iterator[tuple[int, int, Any]]:
    """(position among the file's records, line number, record) of the records at ``positions`` (1-based): JSON
    Lines by a scan of its lines, decoding only those; CSV by the reference's reader."""
    last = max(positions)
    position = 0
    if job.source.format == "jsonl":
        with path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                position += 1
                if position in positions:
                    yield position, number, decode_line(line)[0]
                if position >= last:
                    return
        return
    for batch in Records(path, job.expected.schema).batches():
        for number, record, _problem in batch:
            position += 1
            if position in positions:
                yield position, number, _UNSET if record is None else record
            if position >= last:
                return


def _counted_categories(job: _Job, name: str, values: dict[str, Any],
                        accumulator: CategoricalDrift) -> Counter[Hashable] | None:
    """The candidate's count per category of a drift field from the aggregate's sums, when they tell them all: no
    value outside the categories counted, or (a baseline file that folded its rarer categories into one, and every
    value of a baseline category counted) the values outside them all fall in the folded one. None: a GROUP BY must
    tell them."""
    counts = next((k for k in job.plan.category_counts if k.field == name), None)
    if counts is None or f"cat:{name}:rest" not in values:
        return None
    found: Counter[Hashable] = Counter()
    for i, (key, _test) in enumerate(counts.counted):
        n = int(values[f"cat:{name}:{i}"] or 0)
        if n:
            found[key] += n
    rest = int(values[f"cat:{name}:rest"] or 0)
    if rest and counts.complete and accumulator.other is not None:
        found[accumulator.other] += rest  # what CategoricalDrift.psi folds the values outside the baseline's into
    elif rest:
        return None
    return found


def _categories(job: _Job, name: str) -> Counter[Hashable]:
    """The candidate's count per category of a drift field: one GROUP BY, its rows streamed in batches. Every
    category counts, as for the reference (the rarest told apart: a long tail of singletons is drift); more than
    :data:`MAX_CATEGORIES` distinct values are EngineCannotRead, never a PSI of the commonest only."""
    counts: Counter[Hashable] = Counter()
    kind = job.kinds.get(name, "absent")
    if kind == "absent":
        return counts
    types = next((f.types for f in job.plan.fields if f.name == name), frozenset())
    coerce = coercer(types)
    distinct = 0
    for batch in _row_batches(job.source, c.categories(job.source.table, name, kind)):
        distinct += len(batch)
        if distinct > MAX_CATEGORIES:
            raise EngineCannotRead(f"{job.source.label}: {name}: over {MAX_CATEGORIES:,} distinct values, more than "
                                   "the engine counts for a categorical drift bound")
        for row in batch:
            value = row["value"]
            if kind == "json":
                value = json.loads(value)
            elif kind == "text":
                value = coerce(value)
            if value is not None:
                counts[category(value)] += int(row["n"])
    return counts
