"""Connection URLs: ``--table NAME`` or ``--query SQL`` on the backend a URL names, ``--where`` and ``--limit``.

A URL is the backend's usual form, given to ibis (``duckdb:///path/to/file.ddb``, ``postgres://user@host:5432/db``,
``pyspark://``, ``bigquery://project/dataset``, ...) once it has passed three checks here:

- its scheme is one of :data:`SCHEMES` (ibis echoes the whole URL, password included, when it does not know a
  scheme; nothing of an unknown one is passed on);
- it holds no credential: a password in the user part, or a query parameter named like one (``password``,
  ``token``, ...), is refused, percent-encoded or not (``%70assword=`` is ``password=`` to the driver), so that
  it never lands in shell history, a workflow file or a CI log. Credentials come from the environment or the
  backend's own configuration (``PGPASSWORD`` or ``~/.pgpass`` for Postgres);
- a ``duckdb://`` database file exists (DuckDB would create an empty one), and is opened read-only.

Every message names the URL through :func:`redact`, and every exception met while connecting or asking for the
table or query becomes one :class:`ConnectError` line (exit 2) whose text comes from the first line of the
driver's message with the URL and the environment's secrets taken out: no credential is ever echoed.
"""

from __future__ import annotations

import importlib
import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.errors import DomainError
from bot.verify.engine import Source

WHERE_ALIAS = "mg_source"  # the name --where's filter gives the source: SELECT * FROM mg_source WHERE ...
ROW_ALIAS = "__mg_src"  # the source's row, when --where sees a typed view of it (files: bot.verify.engine.files)
CONNECT_TIMEOUT = 15  # seconds a Postgres server may take to answer before the run ends on exit 2
REASON_CHARS = 240  # a driver's message is cut to this in the one error line


class ConnectError(DomainError):
    """A source named by a URL cannot be opened or read: one line, with the URL redacted (exit 2)."""


@dataclass(frozen=True)
class Backend:
    """How a scheme connects: ibis's backend name, and what to install when its driver is missing."""

    name: str
    install: str  # the pip requirement that brings the driver
    credentials: str  # where its password or keys belong, said when a URL holds one
    dialect: str  # sqlglot's name of its SQL, in which --query and --where are read (bot.verify.engine.sql_text)


POSTGRES = Backend("postgres", "modelgate-ci[postgres]", "PGPASSWORD or ~/.pgpass", "postgres")
SCHEMES: dict[str, Backend] = {
    "duckdb": Backend("duckdb", "modelgate-ci[duckdb]", "the environment", "duckdb"),
    "postgres": POSTGRES,
    "postgresql": POSTGRES,
    "pyspark": Backend("pyspark", "modelgate-ci[spark]", "the Spark session's configuration", "spark"),
    "bigquery": Backend("bigquery", "ibis-framework[bigquery]", "GOOGLE_APPLICATION_CREDENTIALS", "bigquery"),
    "snowflake": Backend("snowflake", "ibis-framework[snowflake]", "the Snowflake connector's configuration",
                         "snowflake"),
    "trino": Backend("trino", "ibis-framework[trino]", "the environment", "trino"),
    "mysql": Backend("mysql", "ibis-framework[mysql]", "the MySQL option file (~/.my.cnf)", "mysql"),
}
ENGINE_INSTALL = SCHEMES["duckdb"].install  # reads --records files, and is what every backend's extra builds on

_SECRET_NAME = re.compile(r"pass|pwd|secret|token|credential|private|api.?key|access.?key", re.IGNORECASE)
_SECRET_ENV = re.compile(r"pass|pwd|secret|token|credential|key", re.IGNORECASE)
_NOT_SECRET_ENV = frozenset({"PWD", "OLDPWD"})  # the shell's directories: a path in a message must stay readable
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_MIN_SECRET = 4  # shorter environment values are not scrubbed from messages (they would blank out common words)
_DECODINGS = 8  # percent-decodings of a name before it is judged: %2570 is %70 once decoded, p twice


def redact(url: str) -> str:
    """``url`` as it may be shown: a password replaced by ``***`` (``user:***@host``), the values of query
    parameters named like credentials by ``***``, the fragment dropped.

    Read leniently, unlike a URL parser: whatever lies between ``://`` (or the start) and the LAST ``@`` is the user
    part, and everything after its first ``:`` the password, so a password holding ``/``, ``?``, ``#`` or ``@``
    unencoded (which a parser would take for the path, the query or the host) is hidden all the same. An ``@`` or
    ``:`` elsewhere (a query value, a path) may hide more than needed; never less."""
    prefix, head, rest = _split_user(url)
    user, password = _user_part(head)
    if password is None and head is not None and ":" in decoded(head):  # u%3Apassword: a password once decoded
        user, password = _user_part(decoded(head))
    shown = prefix + ((f"{user}:***" if password is not None else head) + "@" if head is not None else "")
    main, sep, query = rest.partition("?")
    host, slash, path = main.partition("#")[0].partition("/")
    shown += _redact_port(host) + slash + path
    if sep:
        shown += "?" + "&".join(_redact_param(p) for p in query.partition("#")[0].split("&"))
    return shown


def _redact_port(host: str) -> str:
    """``host:port`` with a port that is not a number (a password written in its place?) shown as ``***``."""
    name, bracket, after = host.rpartition("]") if host.startswith("[") else ("", "", host)
    at, colon, port = after.partition(":")
    return name + bracket + at + (colon + (port if port.isdigit() or not port else "***") if colon else "")


def _split_user(url: str) -> tuple[str, str | None, str]:
    """(the scheme and ``://``, the user part or None when the URL has no ``@``, what follows the user part)."""
    start = url.find("://")
    start = 0 if start < 0 else start + 3
    at = url.rfind("@", start)
    if at < 0:
        return url[:start], None, url[start:]
    return url[:start], url[start:at], url[at + 1:]


def decoded(text: str) -> str:
    """``text`` percent-decoded until nothing more decodes (a name a driver may decode once more is judged as it
    could finally read), at most :data:`_DECODINGS` times."""
    for _ in range(_DECODINGS):
        plain = urllib.parse.unquote(text)
        if plain == text:
            break
        text = plain
    return text


def _user_part(head: str | None) -> tuple[str, str | None]:
    """(user, password or None): everything after the first ``:`` of the user part is the password."""
    if head is None:
        return "", None
    user, colon, password = head.partition(":")
    return (user, password) if colon else (head, None)


def _redact_param(param: str) -> str:
    name, eq, _ = param.partition("=")
    return f"{name}=***" if eq and _SECRET_NAME.search(decoded(name)) else param


def has_password(url: str) -> bool:
    """Does ``url`` carry a credential: a non-empty password in its user part, or a query parameter named like one
    (``password=``, ``token=``, ...)? Read as leniently as :func:`redact`, names and the user part percent-decoded
    first (``%70assword=``, ``u%3As3cret@``)."""
    head = _split_user(url)[1]
    password = _user_part(head if head is None else decoded(head))[1]
    if password:
        return True
    query = url.partition("?")[2].partition("#")[0]
    return any(_SECRET_NAME.search(decoded(p.partition("=")[0])) and "=" in p for p in query.split("&") if p)


def scheme_of(url: str) -> str:
    """The scheme of ``url``, lower case (``postgres`` of ``postgres://...``), or '' when it names none."""
    scheme, sep, _ = url.partition("://")
    return scheme.lower() if sep and _SCHEME.fullmatch(scheme) else ""


def backend_of(url: str) -> Backend:
    """The backend ``url`` names, once it is known and holds no credential; a ConnectError (redacted) if not."""
    shown = redact(url)
    scheme = scheme_of(url)
    backend = SCHEMES.get(scheme)
    if backend is None:
        known = ", ".join(f"{s}://" for s in SCHEMES)
        what = f"an unknown scheme {scheme}://" if scheme else "not a connection URL"
        raise ConnectError(f"--connection {shown}: {what} (known: {known}; a DuckDB file is duckdb:///path/to/file.ddb)")
    port = _port_text(url)
    if port and not port.isdigit():
        raise ConnectError(f"--connection {shown}: the port is not a number")
    if has_password(url):
        raise ConnectError(f"--connection {shown}: a connection URL must not hold a password or a secret (it would "
                           f"be seen in shell history and CI logs): put it in {backend.credentials}")
    return backend


def reason(exc: BaseException, url: str) -> str:
    """One line of ``exc``'s message as it may be shown: its first non-blank line (a driver's hint or a query's
    context follow on the next lines), with ``url`` redacted wherever it appears, every value of an environment
    variable named like a secret blanked out, and cut to :data:`REASON_CHARS`."""
    text = str(exc)
    if url:
        for form in dict.fromkeys((url, decoded(url))):  # a driver may echo the URL as it decoded it
            text = text.replace(form, redact(url))
    for name, value in os.environ.items():
        if len(value) >= _MIN_SECRET and _SECRET_ENV.search(name) and name not in _NOT_SECRET_ENV:
            text = text.replace(value, "***")
    line = next((s.strip() for s in text.splitlines() if s.strip()), "") or type(exc).__name__
    line = " ".join(line.split())
    return line if len(line) <= REASON_CHARS else line[: REASON_CHARS - 1] + "…"


BACKEND_MODULES = frozenset({"ibis", "duckdb", "_duckdb", "psycopg", "psycopg2", "pyspark", "py4j", "sqlglot",
                             "pyarrow", "google", "snowflake", "trino", "MySQLdb", "pymysql", "databricks",
                             "clickhouse_connect"})


def backend_error(exc: BaseException) -> bool:
    """Was ``exc`` raised by an engine, a driver or the expression layer (a query the backend refused, a lost
    connection), rather than by modelgate itself? Those are the user's to fix: one line, exit 2."""
    return type(exc).__module__.partition(".")[0] in BACKEND_MODULES


def connect(url: str) -> Any:
    """An ibis backend connected to ``url`` (checked by :func:`backend_of`); a ConnectError otherwise."""
    backend = backend_of(url)
    shown = redact(url)
    kwargs: dict[str, Any] = {}
    if backend.name == "duckdb":
        path = _duckdb_path(url)
        if path is not None:
            if not path.is_file():
                raise ConnectError(f"--connection {shown}: {path}: no such DuckDB database file")
            if "read_only" not in url:
                kwargs["read_only"] = True
    elif backend is POSTGRES:
        if "connect_timeout" not in url:
            kwargs["connect_timeout"] = CONNECT_TIMEOUT
        if _port_text(url) == "" and os.environ.get("PGPORT", "").isdigit():  # ibis passes 5432 itself otherwise
            kwargs["port"] = int(os.environ["PGPORT"])
    try:
        ibis = importlib.import_module("ibis")  # an optional dependency (the duckdb extra), typed loosely
        con = ibis.connect(url, **kwargs)
        if backend.name == "duckdb":
            con.raw_sql("SET threads=2")  # as for files: bounded memory (docs/performance.md)
    except ImportError as exc:
        raise ConnectError(f"--connection {shown}: the {backend.name} backend is not installed "
                           f"(pip install '{backend.install}')") from exc
    except Exception as exc:
        raise ConnectError(f"--connection {shown}: cannot connect: {reason(exc, url)}") from exc
    return con


def _duckdb_path(url: str) -> Path | None:
    """The database file a ``duckdb://`` URL names (None: in memory), as ibis reads it."""
    rest = url.partition("://")[2].partition("?")[0]
    if rest in ("", ":memory:") or rest.startswith(("md:", "motherduck:")):
        return None
    return Path(rest)


def _port_text(url: str) -> str | None:
    """The port of ``url`` as written ('' when there is none; None when the host part cannot be read)."""
    host = _split_user(url)[2].partition("/")[0].partition("?")[0]
    if host.startswith("["):
        _, bracket, after = host.partition("]")
        return after.removeprefix(":") if bracket else None
    return host.partition(":")[2]


def open_table(url: str, *, table: str | None = None, query: str | None = None, key: str | None = None) -> Source:
    """The records of ``table`` (``name``, ``schema.name`` or ``catalog.schema.name``) or of the SQL ``query``
    (exactly one of them) on the backend ``url`` names. Any failure is a ConnectError naming the redacted URL."""
    if (table is None) == (query is None):
        raise ValueError("open_table takes exactly one of table and query")
    if query is not None:  # read before anything connects: a query that is not one read never reaches the server
        from bot.verify.engine.sql_text import read_query

        query = read_query(query, backend_of(url).dialect)
    con = connect(url)
    shown = redact(url)
    try:
        if table is not None:
            name, database = _table_name(table)
            expr = con.table(name, database=database)
            label = f"{shown} table {table}"
        else:
            expr = con.sql(query)
            label = f"{shown} --query"
    except Exception as exc:
        raise ConnectError(_failure(exc, url, table)) from exc
    source = Source(backend=con, table=expr, label=label, numbering="ordinal", tabular=True)
    return with_key(source, key)


def _table_name(text: str) -> tuple[str, str | tuple[str, str] | None]:
    parts = text.split(".")
    if len(parts) == 1:
        return text, None
    if len(parts) == 2:
        return parts[1], parts[0]
    return parts[-1], (".".join(parts[:-2]), parts[-2])


def _failure(exc: Exception, url: str, table: str | None) -> str:
    shown = redact(url)
    if table is None:
        return f"--query on {shown} failed: {reason(exc, url)}"
    if type(exc).__name__ == "TableNotFound":  # ibis.common.exceptions.TableNotFound (its message is the name)
        return f"--connection {shown}: no table {table}"
    return f"--connection {shown}: table {table} cannot be read: {reason(exc, url)}"


def with_key(source: Source, key: str | None) -> Source:
    """``source`` whose examples carry the value of the column ``key``; a ConnectError if it has no such column."""
    if key is None:
        return source
    columns = list(source.table.columns)
    if key not in columns:
        shown = ", ".join(columns[:20]) + (", ..." if len(columns) > 20 else "")
        raise ConnectError(f"--key {key}: {source.label} has no such column (its columns: {shown})")
    return replace(source, key=key)


def narrow(source: Source, where: str | None = None, limit: int | None = None, *, url: str = "",
           typed: Mapping[str, str] | None = None) -> Source:
    """``source`` keeping the rows where the SQL condition ``where`` holds (in the backend's dialect; the source is
    ``mg_source`` to it), then the first ``limit`` of them. A condition that is not one read-only condition
    (bot.verify.engine.sql_text) is a SqlTextError, one the backend refuses a ConnectError. With ``typed``
    (column: its SQL value over the row ``__mg_src``), the condition sees those values under the columns' names,
    and the rows it keeps are the source's own.

    A file source keeps each record's place in a column (``Source.ordinal``), so examples keep their line or row
    numbers; one without such a column numbers the records ``where`` kept by their position among them (a bare
    ``limit`` keeps the first records, and so their numbers)."""
    table = source.table
    numbering = source.numbering
    notes = source.notes
    if where is not None:
        from bot.verify.engine.files import quote
        from bot.verify.engine.sql_text import read_condition

        condition = read_condition(where, getattr(source.backend, "dialect", None))
        try:
            if typed:
                values = ", ".join(f"{sql} AS {quote(name)}" for name, sql in typed.items())
                table = table.alias(ROW_ALIAS).sql(f"SELECT * FROM {ROW_ALIAS} WHERE (SELECT {condition} FROM "
                                                   f"(SELECT {values}) AS {WHERE_ALIAS})")
            else:
                table = table.alias(WHERE_ALIAS).sql(f"SELECT * FROM {WHERE_ALIAS} WHERE {condition}")
        except Exception as exc:
            raise ConnectError(f"--where on {source.label} failed: {reason(exc, url)}") from exc
        if numbering != "ordinal" and source.ordinal is None:  # no column keeps each record's place in its file
            numbering = "ordinal"
            notes = (*notes, "record numbers count the records --where kept, in the files' order")
    if limit is not None:
        table = table.limit(limit)
    narrowed = " and ".join(flag for flag, given in (("--where", where), ("--limit", limit)) if given is not None)
    return replace(source, table=table, numbering=numbering, notes=notes, narrowed=narrowed)
