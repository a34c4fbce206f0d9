"""Records from a file, streamed in batches: JSON Lines, CSV or Parquet, chosen by the file's extension.

Only one batch is held at a time, so memory does not grow with the file. Each row of a batch is a plain
tuple ``(number, record, problem)``: ``number`` is the 1-based line (JSON Lines; CSV, where the header is
line 1) or row (Parquet); ``problem`` says why the record could not be read (``record`` is then None).
A row that cannot be read is the data's fault and is reported with the others; a file that cannot be read
at all is a RecordsError (exit 2).

CSV cells are strings: each is coerced to the type its column has in the schema (integer, number,
boolean, array or object as JSON), an empty cell is null, and a cell that does not parse stays a string,
which the schema then rejects. Parquet columns keep their types; a type that contradicts the schema is
noted once and the records carrying such values are invalid.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from bot.errors import DomainError
from bot.verify.fields import schema_types

BATCH_SIZE = 4096
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl", ".csv": "csv", ".parquet": "parquet",
           ".pq": "parquet"}
INTEGER_RE = re.compile(r"-?(?:0|[1-9]\d*)")
NUMBER_RE = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")

Row = tuple[int, Any, str | None]


class RecordsError(DomainError):
    """A file of records that cannot be read at all: missing, unknown format, not the format it claims."""


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


class Records:
    """One file of records. ``notes`` fills in as it is read (e.g. schema fields the file has no column for)."""

    def __init__(self, path: str | Path, schema: Any, batch_size: int = BATCH_SIZE) -> None:
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in FORMATS:
            known = ", ".join(sorted(FORMATS))
            raise RecordsError(f"{path}: unknown format {suffix or '(no extension)'!r}; use one of {known}")
        if not self.path.is_file():
            raise RecordsError(f"{path}: no such file")
        try:
            self.path.open("rb").close()
        except OSError as exc:
            raise RecordsError(f"{path}: cannot be read ({exc.strerror})") from exc
        self.format = FORMATS[suffix]
        self.types = schema_types(schema)
        self.batch_size = batch_size
        self.notes: list[str] = []

    def batches(self) -> Iterator[list[Row]]:
        readers: dict[str, Callable[[], Iterator[list[Row]]]] = {
            "jsonl": self._json_lines, "csv": self._csv, "parquet": self._parquet}
        return readers[self.format]()

    def _note_missing(self, columns: list[str], kind: str) -> None:
        missing = [name for name in self.types if name not in columns]
        if missing:
            self.notes.append(f"{self.path.name}: the {kind} has no column for {', '.join(missing)}; "
                              "every record misses these fields")

    def _json_lines(self) -> Iterator[list[Row]]:
        decode = _DECODER.decode
        rows: list[Row] = []
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                try:
                    rows.append((number, decode(line.decode("utf-8")), None))
                except UnicodeDecodeError:
                    rows.append((number, None, "not UTF-8 text"))
                except json.JSONDecodeError as exc:
                    if line.strip():
                        rows.append((number, None, f"not valid JSON: {exc.msg} at column {exc.pos + 1}"))
                except ValueError as exc:
                    rows.append((number, None, f"not valid JSON: {exc}"))
                if len(rows) >= self.batch_size:
                    yield rows
                    rows = []
        if rows:
            yield rows

    def _text_lines(self, handle: IO[bytes]) -> Iterator[str]:
        """The lines of a binary file as text (a byte order mark dropped); bytes that are not UTF-8 stop the read."""
        for number, raw in enumerate(handle, 1):
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise RecordsError(f"{self.path}: line {number}: not UTF-8 text") from exc

    def _csv(self) -> Iterator[list[Row]]:
        line = 1
        try:
            with self.path.open("rb") as handle:
                reader = csv.reader(self._text_lines(handle))
                header = next(reader, None)
                if header is None:
                    return
                self._note_missing(header, "CSV header")
                coerce = [coercer(self.types.get(name, frozenset())) for name in header]
                rows: list[Row] = []
                line = reader.line_num + 1
                for cells in reader:
                    number, line = line, reader.line_num + 1
                    if not cells:
                        continue
                    if len(cells) != len(header):
                        rows.append((number, None, f"the row has {len(cells)} cells, the header {len(header)}"))
                    else:
                        rows.append((number, {name: c(cell) for name, c, cell in zip(header, coerce, cells,
                                                                                      strict=True)}, None))
                    if len(rows) >= self.batch_size:
                        yield rows
                        rows = []
                if rows:
                    yield rows
        except csv.Error as exc:
            raise RecordsError(f"{self.path}: line {line}: {exc}") from exc

    def _parquet(self) -> Iterator[list[Row]]:
        try:
            import pyarrow as pa
            import pyarrow.compute as pc
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise RecordsError(f"{self.path}: reading Parquet needs pyarrow: pip install 'modelgate[parquet]'") from exc
        try:
            handle = pq.ParquetFile(self.path)
        except (pa.ArrowException, OSError) as exc:
            raise RecordsError(f"{self.path}: not a readable Parquet file ({exc})") from exc
        columns = handle.schema_arrow
        self._note_missing(columns.names, "Parquet file")
        casts: dict[str, Any] = {}
        for column in columns:
            kind, cast = _arrow_kind(pa, column.type)
            if cast is not None:
                casts[column.name] = cast
            allowed = self.types.get(column.name, frozenset())
            numbers = {"integer", "number"} if allowed & {"integer", "number"} else set()
            if allowed and kind not in allowed | numbers:
                self.notes.append(f"{self.path.name}: column {column.name} holds {column.type} values; the schema "
                                  f"says {' or '.join(sorted(allowed))}: records with a value there are invalid")
        number = 0
        with handle:
            for batch in handle.iter_batches(batch_size=self.batch_size):
                for name, cast in casts.items():
                    index = batch.schema.get_field_index(name)
                    batch = batch.set_column(index, name, pc.cast(batch.column(index), cast))
                rows: list[Row] = []
                for record in batch.to_pylist():
                    number += 1
                    rows.append((number, record, None))
                yield rows


def _arrow_kind(pa: Any, arrow_type: Any) -> tuple[str, Any]:
    """The JSON type an Arrow column reads as, and the Arrow type to cast it to first (None: as it is)."""
    types = pa.types
    if types.is_boolean(arrow_type):
        return "boolean", None
    if types.is_integer(arrow_type):
        return "integer", None
    if types.is_floating(arrow_type):
        return "number", None
    if types.is_decimal(arrow_type):
        return "number", pa.float64()
    if types.is_string(arrow_type) or types.is_large_string(arrow_type):
        return "string", None
    if types.is_temporal(arrow_type):
        return "string", pa.string()
    if types.is_list(arrow_type) or types.is_large_list(arrow_type) or types.is_fixed_size_list(arrow_type):
        return "array", None
    if types.is_struct(arrow_type) or types.is_map(arrow_type):
        return "object", None
    if types.is_null(arrow_type):
        return "null", None
    return str(arrow_type), None


def coercer(types: frozenset[str]) -> Callable[[str], Any]:
    """How one CSV column's cells become values: by the types its schema property allows, in a fixed order."""

    def coerce(cell: str) -> Any:
        if cell == "":
            return None
        if "integer" in types and INTEGER_RE.fullmatch(cell):
            return int(cell)
        if "number" in types and NUMBER_RE.fullmatch(cell):
            return int(cell) if INTEGER_RE.fullmatch(cell) else float(cell)
        if "boolean" in types and cell.lower() in ("true", "false"):
            return cell.lower() == "true"
        if types & {"array", "object"} and cell[:1] in "[{":
            try:
                return json.loads(cell)
            except ValueError:
                return cell
        return cell

    return coerce
