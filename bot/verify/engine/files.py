"""Local files of records (JSON Lines, CSV, Parquet; one file or a glob of them) opened in DuckDB through ibis.

The contract gives the columns: JSON Lines is read with every field typed ``JSON`` (DuckDB's typed columns would
coerce ``"12"`` to 12 and ``true`` to 1), never sniffed, never with ``ignore_errors`` (which turns a malformed
line into a row of nulls); CSV all ``VARCHAR`` under the file's own header (read here), strictly; Parquet with its
own types. When a JSON Lines source must tell a null from a missing key (``whole_records``), each line is read as
one JSON object and its keys are listed. One connection per source: ``SET threads=2`` and a memory limit, so the
engine's memory does not grow with the file.

A file that is missing, of another format, over ``--max-bytes``, or a JSON Lines file whose first non-blank line
is not a JSON value, is a RecordsError (exit 2) here, before the engine reads anything. A JSON Lines file with a
line nested deeper than ``readers.MAX_DEPTH`` is left to the reference reader (EngineCannotRead), which counts that
line an invalid record.
"""

from __future__ import annotations

import csv
import glob
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.verify.engine import Source
from bot.verify.fields import schema_types
from bot.verify.readers import (
    DEFAULT_LIMITS,
    FORMATS,
    MAX_DEPTH,
    Limits,
    Records,
    RecordsError,
    first_deep_line,
    first_record_problem,
    missing_columns_note,
    parquet_type_notes,
    size_text,
)

THREADS = 2
MEMORY_LIMIT = "256MB"
ORDINAL = "__mg_ordinal"
FILENAME = "__mg_filename"
ROW = "__mg_row"
KEYS = "__mg_keys"
RECORD = "__mg_record"
NOT_OBJECT = "__mg_not_object"
TWICE = "__mg_twice"


class EngineCannotRead(RecordsError):
    """DuckDB refused a file the reference reader can read record by record (a malformed line after the first,
    a CSV row of another width): the reference reads it instead."""


def expand(pattern: str | Path) -> list[Path]:
    """The files a path or a glob names, sorted; none is a RecordsError."""
    text = str(pattern)
    if glob.has_magic(text):
        found = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())  # noqa: PTH207 (any glob)
        if not found:
            raise RecordsError(f"{text}: no file matches")
        return found
    return [Path(text)]


FORMAT_NAMES = {"jsonl": "JSON Lines", "csv": "CSV", "parquet": "Parquet"}
SHOWN_FILES = 5  # files of another format named in the error


def file_format(paths: Sequence[Path]) -> str:
    """The one format of ``paths``; files of several are a RecordsError naming those not of the most common one."""
    groups: dict[str, list[Path]] = {}
    for path in paths:
        groups.setdefault(FORMATS.get(path.suffix.lower(), ""), []).append(path)
    if len(groups) > 1:
        common = max(groups, key=lambda kind: len(groups[kind]))  # a tie: the format of the first file
        odd = [path for path in paths if FORMATS.get(path.suffix.lower(), "") != common]
        named = [f"{path} is {FORMAT_NAMES.get(FORMATS.get(path.suffix.lower(), ''), 'of no known format')}"
                 for path in odd[:SHOWN_FILES]]
        more = f", {len(odd) - SHOWN_FILES} more not {FORMAT_NAMES[common]}" if len(odd) > SHOWN_FILES else ""
        others = len(groups[common])
        raise RecordsError(f"{', '.join(named)}{more} and the other {others} file{'s are' if others > 1 else ' is'} "
                           f"{FORMAT_NAMES[common]}: the files are of different formats; verify one format at a time")
    return next(iter(groups))


def connect() -> Any:
    import ibis

    backend = ibis.duckdb.connect()
    backend.raw_sql(f"SET threads={THREADS}")
    backend.raw_sql(f"SET memory_limit='{MEMORY_LIMIT}'")
    backend.raw_sql("SET enable_progress_bar=false")  # DuckDB's bar would write over the report on a long read
    return backend


def query(backend: Any, sql: str) -> Any:
    """The ibis table of a DuckDB query. Its schema is ibis's own reading of DuckDB's ``DESCRIBE``, fetched through
    the cursor: ibis fetches it as an Arrow table, which imports pyarrow (a tenth of a second) for nothing when the
    records are JSON Lines or CSV."""
    described = backend.raw_sql(f"DESCRIBE {sql}")
    names = [d[0] for d in described.description]
    mapper = backend.compiler.type_mapper
    schema = {}
    for row in described.fetchall():
        column = dict(zip(names, row, strict=True))
        schema[column["column_name"]] = mapper.from_string(column["column_type"], nullable=column["null"] == "YES")
    return backend.sql(sql, schema=schema)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def open_files(pattern: str | Path, fields: Sequence[str], schema: Any, *, whole_records: bool = False,
               limits: Limits = DEFAULT_LIMITS) -> Source:
    """The records of ``pattern`` as a Source over a new DuckDB connection; ``fields``: the columns a JSON Lines
    source gets (the fields the contract names)."""
    paths = expand(pattern)
    for path in paths:
        Records(path, schema, limits=limits)  # exists, a known format, within --max-bytes (JSON Lines and CSV)
    kind = file_format(paths)
    files = "[" + ", ".join(literal(str(p.resolve())) for p in paths) + "]"
    label = str(pattern)
    backend = connect()
    notes: list[str] = []
    if kind == "jsonl":
        for path in paths:
            problem = first_record_problem(path, limits)
            if problem is not None:
                raise RecordsError(problem)
            deep = first_deep_line(path, limits)
            if deep is not None:  # DuckDB would judge it; the reference cannot decode it: its invalid record
                raise EngineCannotRead(f"{path.name}: line {deep} nests deeper than {MAX_DEPTH} levels")
        spec = dict.fromkeys(fields, "JSON")
        if whole_records:
            struct = literal(json.dumps(spec))
            picks = "".join(f", __s.{quote(name)} AS {quote(name)}" for name in fields)
            sql = (f"SELECT ordinality AS {ORDINAL}, filename AS {FILENAME}, {KEYS}, "
                   f"CAST(json AS VARCHAR) AS {RECORD}, json_type(json) <> 'OBJECT' AS {NOT_OBJECT}, "
                   f"len({KEYS}) <> list_unique({KEYS}) AS {TWICE}{picks} "
                   f"FROM (SELECT from_json(json, {struct}) AS __s, json_keys(json) AS {KEYS}, * "
                   f"FROM read_json_objects({files}, format='newline_delimited', filename=true) WITH ORDINALITY)")
        else:
            columns = "{" + ", ".join(f"{literal(name)}: 'JSON'" for name in fields) + "}" if fields else None
            cols = f", columns={columns}" if columns else ""
            sql = (f"SELECT ordinality AS {ORDINAL}, filename AS {FILENAME}"
                   + "".join(f", {quote(name)}" for name in fields)
                   + f" FROM read_json({files}, format='newline_delimited', records='true'{cols}, filename=true) "
                     "WITH ORDINALITY") if fields else (
                f"SELECT ordinality AS {ORDINAL}, filename AS {FILENAME}, CAST(json AS VARCHAR) AS {RECORD}, "
                f"json_type(json) <> 'OBJECT' AS {NOT_OBJECT} FROM read_json_objects({files}, "
                "format='newline_delimited', filename=true) WITH ORDINALITY")
        table = query(backend, sql)
        kinds = tuple((name, "json") for name in fields)
        whole_records = whole_records or not fields  # no field: the lines are read whole (is each an object?)
        return Source(backend, table, label, "line", tabular=False, files=tuple(map(str, paths)), kinds=kinds,
                      keys=KEYS if whole_records else None, record=RECORD if whole_records else None,
                      ordinal=ORDINAL, filename=FILENAME, not_object=NOT_OBJECT if whole_records else None,
                      refuse=TWICE if whole_records and fields else None,
                      format="jsonl")
    if kind == "csv":
        headers = {tuple(csv_header(p)) for p in paths}
        if len(headers) != 1:
            raise RecordsError(f"{pattern}: the CSV files have different headers; verify files of different "
                               "columns one at a time")
        header = list(headers.pop())
        if not header:
            raise EngineCannotRead(f"{paths[0]}: no header")
        for path in paths:
            notes += missing_columns_note(path, schema_types(schema), header, "CSV header")
        types = "{" + ", ".join(f"{literal(name)}: 'VARCHAR'" for name in header) + "}"
        read = (f"read_csv({files}, header=true, columns={types}, auto_detect=false, delim=',', quote='\"', "
                "escape='\"', strict_mode=true, filename=true")
        if len(header) == 1:
            sql = _one_column_csv(read, header[0])
        else:  # DuckDB skips a blank line of a CSV of several columns, as the reference does
            sql = (f"SELECT ordinality AS {ORDINAL}, filename AS {FILENAME}, "
                   + ", ".join(quote(name) for name in header) + f" FROM {read}) WITH ORDINALITY")
        table = query(backend, sql)
        return Source(backend, table, label, "line", tabular=True, files=tuple(map(str, paths)),
                      kinds=tuple((name, "text") for name in header), ordinal=ORDINAL, filename=FILENAME,
                      format="csv", notes=tuple(notes))
    names: list[str] = []
    first: dict[str, str] = {}
    for path in paths:
        columns = check_parquet(path, limits)
        typed = column_types(columns)
        if names and list(typed.items()) != list(first.items()):  # union_by_name would widen a column, silently
            differ = column_difference(typed, first)
            raise RecordsError(f"{path}: its columns are not those of {paths[0].name} ({differ}); verify files of "
                               "different columns one at a time")
        names, first = list(columns.names), typed
        notes += missing_columns_note(path, schema_types(schema), columns.names, "Parquet file")
        notes += parquet_type_notes(path, schema_types(schema), columns)
    if {"filename", "file_row_number", "ordinality"} & set(names):
        raise EngineCannotRead(f"{paths[0]}: a column is named filename, file_row_number or ordinality")
    sql = (f"SELECT {''.join(quote(name) + ', ' for name in names)}ordinality AS {ORDINAL}, filename AS {FILENAME}, "
           f"file_row_number + 1 AS {ROW} FROM read_parquet({files}, filename=true, file_row_number=true, "
           "union_by_name=true) WITH ORDINALITY")
    table = query(backend, sql)
    return Source(backend, table, label, "row", tabular=True, files=tuple(map(str, paths)),
                  kinds=tuple((name, native_kind(table[name].type())) for name in names), ordinal=ORDINAL,
                  filename=FILENAME, row=ROW, format="parquet", notes=tuple(notes))


def _one_column_csv(read: str, name: str) -> str:
    """The rows of a one-column CSV (``read``: its read_csv call, unclosed) as the reference reads them. To DuckDB a
    blank line there is a row of one NULL cell, as a quoted empty cell ``""`` is; the reference skips the first and
    reads the second as a record of a null. So quoted cells stay text (``allow_quoted_nulls=false``: ``""`` is
    ``''``), the NULL rows (the blank lines) are dropped, ``''`` is NULL again, and the rows left are numbered in
    order."""
    column = quote(name)
    return (f"SELECT row_number() OVER (ORDER BY __mg_line) AS {ORDINAL}, {FILENAME}, NULLIF({column}, '') AS "
            f"{column} FROM (SELECT ordinality AS __mg_line, filename AS {FILENAME}, {column} FROM {read}, "
            f"allow_quoted_nulls=false) WITH ORDINALITY) WHERE {column} IS NOT NULL ORDER BY {ORDINAL}")


# (a column's kind, the type the contract gives its field) -> the SQL value --where sees of the column {x}
_WHERE_VALUES = {
    ("json", "number"): "CAST(CASE WHEN json_type({x}) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN {x} END AS DOUBLE)",
    ("json", "boolean"): "CASE WHEN json_type({x}) = 'BOOLEAN' THEN CAST({x} AS VARCHAR) = 'true' END",
    ("json", "text"): "json_extract_string({x}, '$')",
    ("text", "number"): "TRY_CAST({x} AS DOUBLE)",
    ("text", "boolean"): "CASE lower({x}) WHEN 'true' THEN true WHEN 'false' THEN false END",
    ("text", "text"): "{x}",
}


def where_view(source: Source, schema: Any, alias: str) -> dict[str, str]:
    """Each column of a JSON Lines or CSV source as ``--where`` sees it: a SQL value of the type the contract gives
    the field, over the row ``alias`` (empty for a source whose columns are typed already: Parquet, a table).

    A JSON column holds JSON, which DuckDB compares as JSON (``score > 0.5`` compares texts, silently wrong) and a
    CSV column text: a field the contract says is a number is a ``DOUBLE`` (a value of another type, NULL), a
    boolean a ``BOOLEAN``, anything else text (a JSON string unquoted, another JSON value its JSON text), so that
    ``score > 0.5`` and ``band = 'low'`` select what they say, and a comparison of text with a number is the
    engine's error, never a wrong selection."""
    types = schema_types(schema)
    view: dict[str, str] = {}
    for name, kind in source.kinds:
        allowed = types.get(name, frozenset()) - {"null"}
        typed = "number" if allowed and allowed <= {"number", "integer"} else \
            "boolean" if allowed == {"boolean"} else "text"
        if (kind, typed) in _WHERE_VALUES:
            view[name] = _WHERE_VALUES[kind, typed].format(x=f"{alias}.{quote(name)}")
    return view


def csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), [])


def column_types(columns: Any) -> dict[str, str]:
    """Each column of an Arrow schema and its type as DuckDB reads it alike (a dictionary as its values, a large
    string as a string)."""
    import pyarrow as pa

    typed: dict[str, str] = {}
    for field in columns:
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        typed[field.name] = {"large_string": "string", "large_binary": "binary"}.get(str(kind), str(kind))
    return typed


def column_difference(here: dict[str, str], there: dict[str, str], shown: int = 5) -> str:
    """How the columns ``here`` differ from those ``there``: types, columns only on one side, or the order."""
    parts = [f"{name}: {kind} here, {there[name]} there" for name, kind in here.items()
             if name in there and there[name] != kind]
    parts += [f"{name} ({kind}) only here" for name, kind in here.items() if name not in there]
    parts += [f"{name} ({kind}) only there" for name, kind in there.items() if name not in here]
    if not parts:
        return "the same columns in another order"
    return "; ".join(parts[:shown]) + (f"; and {len(parts) - shown} more" if len(parts) > shown else "")


def check_parquet(path: Path, limits: Limits) -> Any:
    """A Parquet file is readable and its row groups declare at most ``limits.max_bytes``: its Arrow schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with pq.ParquetFile(path) as layout:
            metadata = layout.metadata
            columns = layout.schema_arrow
    except (pa.ArrowException, OSError) as exc:
        raise RecordsError(f"{path}: not a readable Parquet file ({exc})") from exc
    declared = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if declared > limits.max_bytes:
        raise RecordsError(f"{path}: its row groups declare {declared:,} bytes, over the limit of "
                           f"{size_text(limits.max_bytes)} per file")
    return columns


def native_kind(dtype: Any) -> str:
    """The JSON type of a typed column (``native:<type>``), as the reference reads its values."""
    if dtype.is_boolean():
        return "native:boolean"
    if dtype.is_integer():
        return "native:integer"
    if dtype.is_floating() or dtype.is_decimal():
        return "native:number"
    if dtype.is_string():
        return "native:string"
    if dtype.is_array():
        return "native:array"
    if dtype.is_struct() or dtype.is_map():
        return "native:object"
    if dtype.is_null():
        return "native:null"
    return "native:other"
