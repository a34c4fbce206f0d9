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

Every reader is bounded (:class:`Limits`), so a small hostile file cannot take the memory or the time a large
one would: a file may hold at most ``max_bytes`` of decoded records, a record (a JSON line, a line of CSV, a
Parquet row decoded) at most ``max_record_bytes``, a CSV field at most ``CSV_FIELD_LIMIT``. Going over is a
RecordsError naming the file and the limit. Parquet needs more care, since a few hundred bytes can expand to
gigabytes (compression, dictionary and run-length encoding): byte-array columns are read dictionary-encoded
(``read_dictionary``), so a dictionary entry is held once however often it is used; Arrow decodes
``PARQUET_BATCH_ROWS`` rows at a time; the decoded size of every row is computed from the Arrow batch (each
use of a dictionary entry counted) before any Python value is made, and rows become Python values
``PARQUET_SLICE_BYTES`` at a time; and Arrow's memory after decoding a batch must stay under ``ARROW_MEMORY``.
The row groups' declared sizes are checked first, but only as a quick refusal: a hostile file's metadata can
lie, so what is actually decoded is what counts.
"""

from __future__ import annotations

import csv
import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bot.errors import DomainError
from bot.verify.fields import schema_types

BATCH_SIZE = 4096
KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
MAX_BYTES = 1 * GIB  # decoded records in one file (``verify --max-bytes``)
MAX_RECORD_BYTES = 16 * MIB  # one record: a line of JSON Lines or CSV, a Parquet row decoded
CSV_FIELD_LIMIT = 128 * KIB  # one CSV field (the csv module's own default, made explicit)
PARQUET_BATCH_ROWS = 1024  # rows Arrow decodes at a time
PARQUET_SLICE_BYTES = 32 * MIB  # decoded bytes of the rows turned into Python values at a time
ARROW_MEMORY = 256 * MIB  # Arrow's memory pool after decoding one batch
VALUE_BYTES = 8  # the least a decoded value counts for (a null, a boolean, a number)
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl", ".csv": "csv", ".parquet": "parquet",
           ".pq": "parquet"}
MAX_DEPTH = 256  # arrays and objects one JSON value may nest: Python's decoder recurses per level
# ASCII digits only, as DuckDB reads numbers: Python's \d and int() take "1٠٠" (Arabic-Indic zeros) for 100
INTEGER_RE = re.compile(r"-?(?:0|[1-9][0-9]*)")
NUMBER_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")

Row = tuple[int, Any, str | None]


class RecordsError(DomainError):
    """A file of records that cannot be read at all: missing, unknown format, not the format it claims, over a
    limit."""


@dataclass(frozen=True)
class Limits:
    """How much one file of records may hold: decoded bytes in all (``max_bytes``) and per record."""

    max_bytes: int = MAX_BYTES
    max_record_bytes: int = MAX_RECORD_BYTES


def size_text(n: int) -> str:
    """``1 GiB``, ``16 MiB``, ``128 KiB`` for whole multiples, else ``1,234 bytes``."""
    for unit, name in ((GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")):
        if n >= unit and n % unit == 0:
            return f"{n // unit} {name}"
    return f"{n:,} bytes"


DEFAULT_LIMITS = Limits()

_NOT_REGULAR = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def check_regular(path: Path) -> None:
    """``path`` names a regular file itself, or a RecordsError says what it is: missing, a symbolic link (never
    followed: a link committed or left under a records name could point at ``~/.pgpass`` or ``/proc/self/environ``,
    whose lines the report would quote as examples), a directory, a FIFO or a device. Only the last component is
    looked at, as it is given."""
    try:
        mode = path.lstat().st_mode
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise RecordsError(f"{path}: no such file") from exc
    except OSError as exc:
        raise RecordsError(f"{path}: cannot be read ({exc.strerror})") from exc
    if stat.S_ISLNK(mode):
        raise RecordsError(f"{path}: a symbolic link; give the file itself")
    if not stat.S_ISREG(mode):
        what = next((name for test, name in _NOT_REGULAR if test(mode)), "of an unknown kind")
        raise RecordsError(f"{path}: not a regular file ({what})")


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


_BLANK: Any = object()  # what decode_line gives for a blank line


_NESTING = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]')  # a JSON string (skipped), an opening, a closing


def too_deep(text: bytes | str) -> bool:
    """Does the JSON text ``text`` nest arrays and objects deeper than :data:`MAX_DEPTH`? Its brackets are counted
    first (two scans in C); only a text with more openings than that is walked."""
    if len(text) <= MAX_DEPTH:  # too short to hold that many openings
        return False
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return False
    depth = 0
    for token in _NESTING.finditer(raw):
        mark = token.group()
        if mark in (b"[", b"{"):
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif mark in (b"]", b"}"):
            depth -= 1
    return False


NESTED_TOO_DEEPLY = f"not valid JSON: nested deeper than {MAX_DEPTH} levels"


def decode_line(line: bytes) -> tuple[Any, str | None]:
    """A line of JSON Lines as (value, None), (_BLANK, None) for a blank line, or (None, why it is no JSON value):
    a value nested deeper than :data:`MAX_DEPTH` is none."""
    if too_deep(line):
        return None, NESTED_TOO_DEEPLY
    try:
        return _DECODER.decode(line.decode("utf-8")), None
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except json.JSONDecodeError as exc:
        if not line.strip():
            return _BLANK, None
        return None, f"not valid JSON: {exc.msg} at column {exc.pos + 1}"
    except ValueError as exc:
        return None, f"not valid JSON: {exc}"
    except RecursionError:  # the decoder recurses per level (MAX_DEPTH keeps well within Python's limit)
        return None, NESTED_TOO_DEEPLY


def not_json_lines(path: Path, number: int, problem: str) -> str:
    return f"{path}: line {number}: not JSON Lines: its first record is {problem}"


def read_lines(path: Path, handle: IO[bytes], limits: Limits) -> Iterator[bytes]:
    """The lines of a binary file, each read only up to the record limit, the file only up to its limit."""
    limit, total, number = limits.max_record_bytes, 0, 0
    while line := handle.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            raise RecordsError(f"{path}: line {number}: longer than the limit of {size_text(limit)} per record")
        total += len(line)
        if total > limits.max_bytes:
            raise RecordsError(f"{path}: line {number}: over the limit of {size_text(limits.max_bytes)} per file")
        yield line


def first_record_problem(path: Path, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why a JSON Lines file is not one (its first non-blank line is not a JSON value), or None."""
    with path.open("rb") as handle:
        for number, line in enumerate(read_lines(path, handle, limits), 1):
            _, problem = decode_line(line)
            if problem is not None:
                return not_json_lines(path, number, problem)
            if line.strip():
                return None
    return None


SCAN_BLOCK = 1 * MIB  # bytes first_deep_line reads at a time


def first_deep_line(path: Path, limits: Limits = DEFAULT_LIMITS) -> int | None:
    """The number of the first line of a JSON Lines file nested deeper than :data:`MAX_DEPTH` (which DuckDB reads
    and the reference counts as an invalid record), or None. Read a block at a time, a line held only up to the
    record limit (a longer one is the reference's to refuse), and walked only when long enough to be that deep."""
    number, pending, skipping = 0, b"", False  # lines before the block; the start of the line it ends; too long
    with path.open("rb") as handle:
        while block := handle.read(SCAN_BLOCK):
            *ended, rest = block.split(b"\n")
            if ended:
                ended[0] = b"" if skipping else pending + ended[0]
                for line in ended:
                    number += 1
                    if len(line) > MAX_DEPTH and too_deep(line):
                        return number
                pending, skipping = rest, False
            elif not skipping:
                pending += rest
            if len(pending) > limits.max_record_bytes:
                pending, skipping = b"", True
    return number + 1 if not skipping and too_deep(pending) else None


class Records:
    """One file of records. ``notes`` fills in as it is read (e.g. schema fields the file has no column for)."""

    def __init__(self, path: str | Path, schema: Any, batch_size: int = BATCH_SIZE,
                 limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix in FORMATS or os.path.lexists(self.path):
            check_regular(self.path)  # what is there, before its name's extension (a directory named outputs)
        if suffix not in FORMATS:
            known = ", ".join(sorted(FORMATS))
            raise RecordsError(f"{path}: unknown format {suffix or '(no extension)'!r}; use one of {known}")
        try:
            self.path.open("rb").close()
        except OSError as exc:
            raise RecordsError(f"{path}: cannot be read ({exc.strerror})") from exc
        self.format = FORMATS[suffix]
        self.types = schema_types(schema)
        self.batch_size = batch_size
        self.limits = limits
        self.notes: list[str] = []
        if self.format != "parquet" and self.path.stat().st_size > limits.max_bytes:
            raise RecordsError(f"{path}: {self.path.stat().st_size:,} bytes, over the limit of "
                               f"{size_text(limits.max_bytes)} per file")

    def batches(self) -> Iterator[list[Row]]:
        readers: dict[str, Callable[[], Iterator[list[Row]]]] = {
            "jsonl": self._json_lines, "csv": self._csv, "parquet": self._parquet}
        return readers[self.format]()

    def _note_missing(self, columns: list[str], kind: str) -> None:
        self.notes += missing_columns_note(self.path, self.types, columns, kind)

    def _json_lines(self) -> Iterator[list[Row]]:
        rows: list[Row] = []
        seen = False  # a record was read: a later line that is not JSON is an invalid record, not a wrong format
        with self.path.open("rb") as handle:
            for number, line in enumerate(self._lines(handle), 1):
                record, problem = decode_line(line)
                if problem is None and record is _BLANK:
                    continue
                if problem is not None and not seen:
                    raise RecordsError(not_json_lines(self.path, number, problem))
                seen = True
                rows.append((number, record, problem))
                if len(rows) >= self.batch_size:
                    yield rows
                    rows = []
        if rows:
            yield rows

    def _lines(self, handle: IO[bytes]) -> Iterator[bytes]:
        return read_lines(self.path, handle, self.limits)

    def _text_lines(self, handle: IO[bytes]) -> Iterator[str]:
        """The lines of a binary file as text (a byte order mark dropped); bytes that are not UTF-8 stop the read."""
        for number, raw in enumerate(self._lines(handle), 1):
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise RecordsError(f"{self.path}: line {number}: not UTF-8 text") from exc

    def _csv(self) -> Iterator[list[Row]]:
        line = 1
        csv.field_size_limit(CSV_FIELD_LIMIT)
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
            raise RecordsError(
                f"{self.path}: reading Parquet needs pyarrow: pip install 'modelgate-ci[parquet]'") from exc
        try:
            with pq.ParquetFile(self.path) as layout:  # closed however it ends: a refusal below must not leak it
                columns = layout.schema_arrow
                metadata = layout.metadata
                self._check_declared_size(metadata)
                text_leaves = [leaf.path for leaf in map(layout.schema.column, range(len(layout.schema)))
                               if leaf.physical_type == "BYTE_ARRAY"
                               and leaf.logical_type.type in _DICTIONARY_READABLE]
        except (pa.ArrowException, OSError) as exc:
            raise RecordsError(f"{self.path}: not a readable Parquet file ({exc})") from exc
        self._note_missing(columns.names, "Parquet file")
        self.notes += parquet_type_notes(self.path, self.types, columns)
        casts: dict[str, Any] = {}
        for column in columns:
            _kind, cast = _arrow_kind(pa, column.type)
            if cast is not None:
                casts[column.name] = cast
        target = pa.schema([column.with_type(casts.get(column.name, column.type)) for column in columns])
        number = total = held = 0  # rows read, bytes decoded, bytes of the rows not yet yielded
        rows: list[Row] = []
        try:  # opened again to read text columns dictionary-encoded; the footer already read is passed, not re-parsed
            handle = pq.ParquetFile(self.path, metadata=metadata, read_dictionary=text_leaves)
        except (pa.ArrowException, OSError) as exc:
            raise RecordsError(f"{self.path}: not a readable Parquet file ({exc})") from exc
        with handle:
            batches = handle.iter_batches(batch_size=PARQUET_BATCH_ROWS)
            while True:
                try:
                    batch = next(batches, None)
                except (pa.ArrowException, OSError) as exc:
                    raise RecordsError(f"{self.path}: row {number + 1}: not readable ({exc})") from exc
                if batch is None:
                    break
                if pa.total_allocated_bytes() > ARROW_MEMORY:
                    raise RecordsError(f"{self.path}: rows {number + 1}-{number + batch.num_rows}: decoding them "
                                       f"took over {size_text(ARROW_MEMORY)} of memory, the limit")
                sizes = _row_sizes(pa, pc, batch)
                total = self._check_decoded(sizes, number, total)
                for start, stop in _slices(sizes, PARQUET_SLICE_BYTES):  # decoded (and cast) a slice at a time
                    for record in batch.slice(start, stop - start).cast(target).to_pylist():
                        number += 1
                        rows.append((number, record, None))
                    held += int(sizes[start:stop].sum())
                    if len(rows) >= self.batch_size or held >= PARQUET_SLICE_BYTES:
                        yield rows
                        rows, held = [], 0
        if rows:
            yield rows

    def _check_declared_size(self, metadata: Any) -> None:
        """A quick refusal of a file whose row groups declare more bytes than the limit (they may also lie low)."""
        declared = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
        if declared > self.limits.max_bytes:
            raise RecordsError(f"{self.path}: its row groups declare {declared:,} bytes, over the limit of "
                               f"{size_text(self.limits.max_bytes)} per file")

    def _check_decoded(self, sizes: Any, before: int, total: int) -> int:
        """The running total of decoded bytes once a batch of rows (``sizes``, after row ``before``) is added;
        a row over the record limit, or a total over the file's, is refused."""
        limits = self.limits
        if len(sizes) and int(sizes.max()) > limits.max_record_bytes:
            row = int((sizes > limits.max_record_bytes).argmax())
            raise RecordsError(f"{self.path}: row {before + row + 1}: {int(sizes[row]):,} bytes decoded, over the "
                               f"limit of {size_text(limits.max_record_bytes)} per record")
        running = total + sizes.cumsum()
        if len(sizes) and int(running[-1]) > limits.max_bytes:
            row = int((running > limits.max_bytes).argmax())
            raise RecordsError(f"{self.path}: row {before + row + 1}: over {size_text(limits.max_bytes)} decoded, "
                               "the limit per file")
        return int(running[-1]) if len(sizes) else total


def missing_columns_note(path: Path, types: dict[str, frozenset[str]], columns: list[str], kind: str) -> list[str]:
    """The note on the schema's fields a CSV header or a Parquet file (``kind``) has no column for."""
    missing = [name for name in types if name not in columns]
    if not missing:
        return []
    return [f"{path.name}: the {kind} has no column for {', '.join(missing)}; every record misses these fields"]


def parquet_type_notes(path: Path, types: dict[str, frozenset[str]], columns: Any) -> list[str]:
    """A note per Parquet column (of an Arrow schema) whose type contradicts the schema's."""
    import pyarrow as pa

    notes = []
    for column in columns:
        kind, _cast = _arrow_kind(pa, column.type)
        allowed = types.get(column.name, frozenset())
        numbers = {"integer", "number"} if allowed & {"integer", "number"} else set()
        if allowed and kind not in allowed | numbers:
            notes.append(f"{path.name}: column {column.name} holds {column.type} values; the schema says "
                         f"{' or '.join(sorted(allowed))}: records with a value there are invalid")
    return notes


# Logical types of byte-array columns Arrow can read dictionary-encoded (a decimal stored as bytes cannot).
_DICTIONARY_READABLE = frozenset({"STRING", "NONE", "JSON", "BSON", "ENUM"})


def _row_sizes(pa: Any, pc: Any, batch: Any) -> Any:
    """The decoded size of each row of an Arrow batch (a numpy array): the sum of its values' sizes."""
    import numpy as np

    sizes = np.zeros(batch.num_rows, dtype=np.int64)
    for column in batch.columns:
        sizes += _value_sizes(pa, pc, column)
    return sizes


def _value_sizes(pa: Any, pc: Any, array: Any) -> Any:
    """The decoded size of each value of an Arrow array (a numpy array of int64): a string's or binary's bytes
    and a nested value's parts, each value at least VALUE_BYTES, and a dictionary entry at every use."""
    import numpy as np

    types, kind, n = pa.types, array.type, len(array)
    if types.is_dictionary(kind):
        dictionary = array.dictionary
        if not len(dictionary):
            return np.full(n, VALUE_BYTES, dtype=np.int64)
        used = array.indices.fill_null(0).to_numpy(zero_copy_only=False)
        if _is_bytes(types, dictionary.type):  # the entries used, from the offsets: not the whole dictionary each batch
            wide = types.is_large_string(dictionary.type) or types.is_large_binary(dictionary.type)
            offsets = np.frombuffer(dictionary.buffers()[1], dtype=np.int64 if wide else np.int32)[
                dictionary.offset: dictionary.offset + len(dictionary) + 1]
            sizes = (offsets[used + 1] - offsets[used]).astype(np.int64) + VALUE_BYTES
        else:
            sizes = _value_sizes(pa, pc, dictionary)[used]
        if array.null_count:
            sizes[array.is_null().to_numpy(zero_copy_only=False)] = VALUE_BYTES
        return sizes
    if _is_bytes(types, kind):
        lengths = pc.binary_length(array).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        return lengths + VALUE_BYTES
    if types.is_fixed_size_list(kind):
        array = array.cast(pa.list_(kind.value_field))
        kind = array.type
    if types.is_list(kind) or types.is_large_list(kind) or types.is_map(kind):
        offsets = array.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
        values = array.values.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))
        running = np.concatenate(([0], np.cumsum(_value_sizes(pa, pc, values))))
        offsets -= offsets[0]
        return running[offsets[1:]] - running[offsets[:-1]] + VALUE_BYTES
    if types.is_struct(kind):
        sizes = np.full(n, VALUE_BYTES, dtype=np.int64)
        for field in array.flatten():
            sizes += _value_sizes(pa, pc, field)
        return sizes
    try:
        width = 1 if types.is_boolean(kind) else int(kind.byte_width)
    except (AttributeError, ValueError):  # a type of no fixed width this does not know: its share of the buffers
        width = 0
    if not width and n:
        width = -(-array.nbytes // n)
    return np.full(n, max(width, VALUE_BYTES), dtype=np.int64)


def _is_bytes(types: Any, kind: Any) -> bool:
    return bool(types.is_string(kind) or types.is_large_string(kind) or types.is_binary(kind)
                or types.is_large_binary(kind))


def _slices(sizes: Any, budget: int) -> Iterator[tuple[int, int]]:
    """Consecutive ranges of rows, each of at most ``budget`` decoded bytes (or one row)."""
    import numpy as np

    running = np.cumsum(sizes)
    start, n = 0, len(sizes)
    while start < n:
        base = int(running[start - 1]) if start else 0
        stop = max(int(np.searchsorted(running, base + budget, side="right")), start + 1)
        yield start, stop
        start = stop


def _arrow_kind(pa: Any, arrow_type: Any) -> tuple[str, Any]:
    """The JSON type an Arrow column reads as, and the Arrow type to cast it to first (None: as it is)."""
    types = pa.types
    if types.is_dictionary(arrow_type):
        return _arrow_kind(pa, arrow_type.value_type)
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
        if types & {"array", "object"} and cell[:1] in "[{" and not too_deep(cell):
            try:
                return json.loads(cell)
            except (ValueError, RecursionError):  # not JSON, or nested too deeply: a string the schema rejects
                return cell
        return cell

    return coerce
