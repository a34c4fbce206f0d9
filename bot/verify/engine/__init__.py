"""``modelgate verify`` on engines: the contract's checks as one aggregate query, pushed down to where the data is.

The reference (``bot.verify.run``) reads records in Python. The engine path expresses the same verification as
aggregates over a table (row count; per field null, type and keyword violations; drift bucket counts against the
baseline's edges) with ibis, runs them as one query on DuckDB (files: JSON Lines, CSV, Parquet, globs of them) or
on the backend a connection URL names (Postgres, Spark, warehouses), and moves only counts back. The verdict is
the reference's, to the last record: a keyword that does not translate to an exact predicate is checked per row
over every row, fetched from the engine in Arrow batches, and the report says which keywords were checked so.

Modules:
- ``plan``: pure. A contract version's schema and quality, and a baseline, become a :class:`plan.Plan`: the
  predicates (a small expression tree, no ibis), the drift bins, and what must be checked per row.
- ``compile``: a Plan over an ibis table becomes one aggregate expression (and the per-row and example queries).
- ``files``: local files and globs opened in DuckDB with the contract's columns (no sniffing, never
  ``ignore_errors``).
- ``connect``: connection URLs (an allow-list of schemes, credentials from the environment only, every URL
  redacted in every message), ``--table``, ``--query``, ``--where``, ``--limit``.
- ``run``: executes a Plan on a :class:`Source` and returns the reference's ``VerifyResult``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Numbering = Literal["line", "row", "ordinal"]


INTERNAL_PREFIX = "__mg_"  # the engine's own columns (ordinals, flags, views): no field of a source may begin so


@dataclass(frozen=True)
class Source:
    """Records the engine reads: an ibis table expression on a connected backend.

    ``label`` names the source in messages and notes, with no credentials (a file name, or a redacted URL and the
    table). ``numbering`` says what an example's record number is: ``line`` (the 1-based line of a JSON Lines or
    CSV file, as the reference gives it), ``row`` (the 1-based row of a Parquet file) or ``ordinal`` (the 1-based
    position in the source's order, for a table or a query; ``key`` then names the column whose value identifies
    the row in examples, when one is given). ``tabular`` is true when every row holds every column (a table,
    CSV, Parquet): a missing field is then a missing column, never a missing key. ``notes`` are said in the
    report (e.g. the schema's fields the source has no column for).
    """

    backend: Any  # ibis.BaseBackend (ibis is an optional dependency: not imported here)
    table: Any  # ibis.Table
    label: str
    numbering: Numbering
    tabular: bool
    key: str | None = None
    notes: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # the files a file source read, in order (line numbers of examples are theirs)
    # How the engine reads the columns (all optional; a table from a connection needs none of them):
    kinds: tuple[tuple[str, str], ...] = ()  # column -> source kind (plan.py); empty: from the table's types
    keys: str | None = None  # a column listing each record's keys (JSON Lines read as whole objects)
    record: str | None = None  # a column holding each whole record as JSON text
    not_object: str | None = None  # a boolean column: the line is a JSON value but not an object
    refuse: str | None = None  # a boolean column: a row the engine cannot read as the reference does (a key twice)
    ordinal: str | None = None  # a column of each row's 1-based position in the source (else row_number())
    filename: str | None = None  # a column naming each row's file (file sources)
    row: str | None = None  # a column of each row's 1-based row in its file (Parquet)
    format: str | None = None  # "jsonl", "csv" or "parquet" for file sources
    narrowed: str = ""  # the flags that narrowed the source ("--where", "--limit"), said when they keep no record
