"""What ``verify`` and ``gate --records`` read, and which engine reads it (docs/cli.md, docs/verify.md).

``--records FILE|GLOB`` is read by DuckDB through ibis when the ``duckdb`` extra is installed (``--engine auto``,
the default, or ``duckdb``), else by the Python reference reader (``auto`` says so in one note; ``python`` asks for
it). ``--table NAME`` and ``--query SQL`` are read on the backend ``--connection URL`` names
(bot.verify.engine.connect). ``--where`` and ``--limit`` narrow any engine source; ``--key`` names the column whose
value identifies an example. What the reference reader cannot do (a glob, a table, a query, a slice, a key) is exit
2 under ``--engine python`` rather than a silent change of engine.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import DomainError, UsageError

if TYPE_CHECKING:
    from bot.verify import Expected, VerifyResult
    from bot.verify.engine import Source
    from bot.verify.readers import Limits

ENGINES = ("auto", "duckdb", "python")
GLOB_CHARS = frozenset("*?[")
ENGINE_MISSING = "the duckdb engine is not installed: pip install '{install}'"
Run = tuple[str | None, int, "Limits"]  # --baseline, --examples, the limits


def add_engine(parser: argparse.ArgumentParser) -> None:
    """``--engine auto|duckdb|python``: which engine reads ``--records``."""
    parser.add_argument("--engine", choices=ENGINES, default="auto",
                        help="what reads --records: auto (DuckDB when the duckdb extra is installed, else the Python "
                             "reader), duckdb, or python (the reference reader, one file) (default auto)")


def add_sources(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """``--records``, ``--table``, ``--query`` (one of them: exactly one when ``required``, else at most one),
    ``--connection``, ``--where``, ``--limit``, ``--key`` and ``--engine``."""
    source = parser.add_mutually_exclusive_group(required=required)
    source.add_argument("--records", metavar="FILE|GLOB",
                        help="the records: a file or a glob of files (JSON Lines .jsonl/.ndjson, CSV .csv, "
                             "Parquet .parquet)")
    source.add_argument("--table", metavar="NAME", help="the records: a table (or view) on --connection")
    source.add_argument("--query", metavar="SQL", help="the records: what a SQL query returns on --connection")
    parser.add_argument("--connection", metavar="URL",
                        help="the backend holding --table or --query, e.g. postgres://user@host:5432/db or "
                             "duckdb:///path/to/file.ddb (no password: credentials come from the environment)")
    parser.add_argument("--where", metavar="SQL", help="verify only the records where this SQL condition holds")
    parser.add_argument("--limit", type=positive, metavar="N", help="verify at most the first N records")
    parser.add_argument("--key", metavar="COLUMN", help="the column whose value identifies a record in examples")
    add_engine(parser)


def positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return int(text)


def is_glob(records: str) -> bool:
    """Does ``--records`` name several files (``*``, ``?`` or ``[``), rather than one file that exists?"""
    return not GLOB_CHARS.isdisjoint(records) and not Path(records).exists()


def engine_installed() -> bool:
    """Can the duckdb engine run here (ibis and duckdb import)?"""
    try:
        for module in ("duckdb", "ibis"):
            importlib.import_module(module)
    except ImportError:
        return False
    return True


def source_asked(args: argparse.Namespace) -> bool:
    """Does the command line name records to verify (``gate``'s are optional), and only with a source?"""
    if any(getattr(args, name) is not None for name in ("records", "table", "query")):
        return True
    given = [f"--{name}" for name in ("connection", "where", "limit", "key") if getattr(args, name) is not None]
    if given:
        raise UsageError(f"{' and '.join(given)} {'needs' if len(given) == 1 else 'need'} records to verify: "
                         "--records, --table or --query")
    return False


def verify_asked(expected: Expected, args: argparse.Namespace, baseline: str | None, examples: int,
                 limits: Limits) -> VerifyResult:
    """Verify what the command line names against ``expected``: a usage error for a combination that cannot run."""
    records = args.records
    if records is None:
        return _verify_table(expected, args, (baseline, examples, limits))
    if args.connection is not None:
        raise UsageError("--connection names the backend of --table or --query: --records reads files")
    return _verify_files(expected, args, records, (baseline, examples, limits))


def _verify_files(expected: Expected, args: argparse.Namespace, records: str, run: Run) -> VerifyResult:
    from bot.verify.engine.connect import ENGINE_INSTALL

    narrowing = [f for f in ("where", "limit", "key") if getattr(args, f) is not None]
    fallback = args.engine == "auto" and not engine_installed()
    if fallback or args.engine == "python":
        needs = (["a glob"] if is_glob(records) else []) + [f"--{f}" for f in narrowing]
        if needs:
            why = ("the duckdb engine is not installed" if fallback
                   else "--engine python is the reference reader of one file")
            verb = "needs" if len(needs) == 1 else "need"
            raise UsageError(f"{' and '.join(needs)} {verb} the duckdb engine, and {why} "
                             f"(pip install '{ENGINE_INSTALL}')")
        return _reference(expected, records, run, fallback=fallback)
    if not engine_installed():
        raise UsageError(f"--engine duckdb: {ENGINE_MISSING.format(install=ENGINE_INSTALL)}")
    from bot.verify.engine.connect import with_key
    from bot.verify.engine.run import verify_files

    baseline, examples, limits = run
    with _backend_errors(records, ""):
        if not narrowing:
            return verify_files(expected, records, Path(baseline) if baseline else None, examples, limits,
                                fallback=args.engine == "auto")  # --engine duckdb insists on DuckDB
        source = with_key(_file_source(expected, records, limits, _named_columns(args)), args.key)
    return _on_engine(expected, source, args, run, "")


def _verify_table(expected: Expected, args: argparse.Namespace, run: Run) -> VerifyResult:
    table, query, connection = args.table, args.query, args.connection
    if connection is None:
        raise UsageError(f"--{'table' if table is not None else 'query'} needs --connection URL "
                         "(e.g. postgres://user@host:5432/db or duckdb:///path/to/file.ddb)")
    from bot.verify.engine.connect import open_table, scheme_of

    if args.engine == "python":
        raise UsageError("--engine python reads --records files only: --table and --query run on the backend "
                         "--connection names")
    if args.engine == "duckdb" and scheme_of(connection) != "duckdb":
        raise UsageError("--engine duckdb reads --records: with --connection the URL names the backend")
    source = open_table(connection, table=table, query=query, key=args.key)
    return _on_engine(expected, source, args, run, connection)


@contextlib.contextmanager
def _backend_errors(label: str, url: str) -> Iterator[None]:
    """An error of the engine or the backend (a query it refuses, a lost connection) as one line naming ``label``,
    with ``url``'s secrets and the environment's taken out; modelgate's own errors pass."""
    from bot.verify.engine.connect import ConnectError, backend_error, reason

    try:
        yield
    except DomainError:
        raise
    except Exception as exc:
        if not backend_error(exc):
            raise
        raise ConnectError(f"{label}: the query failed: {reason(exc, url)}") from exc


def _reference(expected: Expected, records: str, run: Run, *, fallback: bool) -> VerifyResult:
    from bot.verify import verify_records
    from bot.verify.engine.connect import ENGINE_INSTALL

    baseline, examples, limits = run
    result = verify_records(expected, Path(records), Path(baseline) if baseline else None, examples, limits)
    if not fallback:
        return result
    note = (f"read by the Python reference reader: the duckdb engine is not installed (pip install "
            f"'{ENGINE_INSTALL}' reads files faster, and globs, --where and --limit)")
    return dataclasses.replace(result, notes=(note, *result.notes))


def _named_columns(args: argparse.Namespace) -> list[str]:
    """The columns ``--key`` and ``--where`` name: read from JSON Lines too when the contract does not name them."""
    from bot.verify.engine.sql_text import column_names

    named = [args.key] if args.key is not None else []
    if args.where is not None:
        named += column_names(args.where, "duckdb")
    return named


def _file_source(expected: Expected, records: str, limits: Limits, named: list[str]) -> Source:
    """The files as verify_files opens them (read whole when the plan needs each record's keys), for --where,
    --limit or --key to narrow before verify_source; ``named``: the columns they name, read too."""
    from bot.verify.engine import INTERNAL_PREFIX
    from bot.verify.engine.run import fields_of, open_for

    fields = sorted({*fields_of(expected), *(n for n in named if not n.startswith(INTERNAL_PREFIX))})
    return open_for(expected, records, fields, limits)


def _on_engine(expected: Expected, source: Source, args: argparse.Namespace, run: Run, url: str) -> VerifyResult:
    from bot.verify.engine.connect import ROW_ALIAS, narrow
    from bot.verify.engine.files import where_view
    from bot.verify.engine.run import verify_source

    baseline, examples, limits = run
    typed = where_view(source, expected.schema, ROW_ALIAS) if args.where is not None else None
    source = narrow(source, args.where, args.limit, url=url, typed=typed)
    with _backend_errors(source.label, url):
        return verify_source(expected, source, Path(baseline) if baseline else None, examples, limits)
