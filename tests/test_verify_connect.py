"""bot.verify.engine.connect: connection URLs (allow-list, no credential in a URL, none ever echoed), tables and
queries on a real DuckDB database file, --where and --limit, and one line for every failure."""

from __future__ import annotations

import importlib.metadata
import socket
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.errors import DomainError
from bot.verify.engine.connect import (
    REASON_CHARS,
    SCHEMES,
    ConnectError,
    backend_error,
    backend_of,
    connect,
    has_password,
    narrow,
    open_table,
    reason,
    redact,
    with_key,
)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB database file with a table ``scores`` (5 rows) and ``analytics.events`` (3 rows)."""
    path = tmp_path_factory.mktemp("ddb") / "warehouse.ddb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE scores (id INTEGER, score DOUBLE, label VARCHAR)")
    con.execute("INSERT INTO scores VALUES (1, 0.1, 'a'), (2, 0.5, 'b'), (3, 0.9, 'a'), (4, NULL, 'c'), (5, 1.7, 'a')")
    con.execute("CREATE SCHEMA analytics")
    con.execute("CREATE TABLE analytics.events AS SELECT * FROM range(3) t(n)")
    con.close()
    return path


def closed_port() -> int:
    """A port nothing listens on (just released by the system)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- redaction ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "shown"), [
    ("postgres://sec:S3cr3t@127.0.0.1:5432/db", "postgres://sec:***@127.0.0.1:5432/db"),
    ("postgres://sec@127.0.0.1:5432/db", "postgres://sec@127.0.0.1:5432/db"),
    ("postgres://u:pa/ss@h/db", "postgres://u:***@h/db"),  # a parser would take "/ss@h/db" for the path
    ("postgres://u:pa?ss@h/db", "postgres://u:***@h/db"),  # ... or "?ss@h/db" for the query
    ("postgres://u:p@ss#w@h/db", "postgres://u:***@h/db"),  # the LAST @ ends the user part
    ("postgres://u@h/db?sslmode=disable&password=x&Api_Key=y", "postgres://u@h/db?sslmode=disable&password=***&Api_Key=***"),
    ("postgres://u@h/db#secret", "postgres://u@h/db"),
    ("sec:S3cr3t@host", "sec:***@host"),  # no scheme at all
    ("postgres:/sec:S3cr3t@host", "postgres:***@host"),  # a garbled scheme
    ("duckdb:///data/a.ddb", "duckdb:///data/a.ddb"),
    ("duckdb://", "duckdb://"),
    ("postgres://u@h:S3cr3t/db", "postgres://u@h:***/db"),  # a port that is not a number
    ("postgres://u@[::1]:x/db", "postgres://u@[::1]:***/db"),
    ("postgres://u@[::1]:5432/db", "postgres://u@[::1]:5432/db"),
    ("postgres://u@host:5433/db?%70assword=hunter2", "postgres://u@host:5433/db?%70assword=***"),  # percent-encoded
    ("postgres://u@h/db?%2570assword=hunter2&%74oken=x", "postgres://u@h/db?%2570assword=***&%74oken=***"),
    ("postgres://u%3Ahunter2@h/db", "postgres://u:***@h/db"),  # the user part's ':' encoded
    ("postgres://me%40corp.com@h/db", "postgres://me%40corp.com@h/db"),  # an encoded '@' is no password
])
def test_redact(url, shown):
    assert redact(url) == shown


@pytest.mark.parametrize(("url", "holds"), [
    ("postgres://sec:S3cr3t@h/db", True),
    ("postgres://sec:@h/db", False),  # an empty password is no password
    ("postgres://sec@h/db?password=x", True),
    ("snowflake://u@acct/db?token=x", True),
    ("postgres://sec@h/db?sslmode=disable", False),
    ("duckdb:///data/a.ddb?read_only=true", False),
    ("postgres://u@host:5433/db?%70assword=hunter2", True),  # percent-encoded names are decoded first
    ("postgres://u@host/db?pass%77ord=hunter2", True),
    ("postgres://u@host/db?%2570assword=hunter2", True),  # ... however many times they were encoded
    ("postgres://u%3Ahunter2@host/db", True),  # as is the user part
    ("postgres://me%40corp.com@host/db?ssl%6Dode=require", False),
])
def test_has_password(url, holds):
    assert has_password(url) is holds


PASSWORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=24)
HOSTS = st.sampled_from(["127.0.0.1", "db.example.com", "[::1]", "h"])
RESTS = st.sampled_from(["", "/db", ":5432/db", ":abc/db", "/db/schema?sslmode=disable", "/db?password=x#f", "?"])
SCHEME_WORDS = st.sampled_from([*SCHEMES, "postgress", "http", "file", "DuckDB", ""])


def messages(url: str) -> list[str]:
    """What modelgate may say of ``url`` without connecting: its redacted form and the refusal of backend_of."""
    said = [redact(url)]
    try:
        backend_of(url)
    except ConnectError as exc:
        said.append(str(exc))
    return said


@settings(max_examples=400, deadline=None)
@given(scheme=SCHEME_WORDS, sep=st.sampled_from(["://", ":/", ":", ""]), user=st.from_regex(r"[a-z_]{0,8}",
       fullmatch=True), password=PASSWORDS, host=HOSTS, rest=RESTS, encode=st.booleans())
def test_no_password_in_any_message(scheme, sep, user, password, host, rest, encode):
    secret = quote(password, safe="") if encode else password
    url = f"{scheme}{sep}{user}:{secret}@{host}{rest}"
    control = f"{scheme}{sep}{user}:\x00@{host}{rest}"  # the same URL with a password that cannot be mistaken
    for text in (secret, password):
        assume(all(text not in said for said in messages(control)))  # text said anyway (e.g. "/db") proves nothing
    for said in messages(url):
        assert secret not in said
        assert password not in said
    assert has_password(url)
    with pytest.raises(ConnectError):
        backend_of(url)


@settings(max_examples=200, deadline=None)
@given(password=PASSWORDS.filter(lambda p: len(p) >= 4 and "\x00" not in p), noise=st.text(max_size=40))
def test_reason_never_repeats_an_environment_secret(monkeypatch_session, password, noise):
    monkeypatch_session.setenv("PGPASSWORD", password)
    said = reason(RuntimeError(f"{noise}{password}{noise}\nsecond line {password}"), "")
    assert password not in said
    assert "\n" not in said


@pytest.fixture(scope="module")
def monkeypatch_session():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_reason_redacts_the_url_as_a_driver_decoded_it():
    url = "postgres://u@h/db?%70assword=hunter2"
    said = reason(RuntimeError("cannot connect to postgres://u@h/db?password=hunter2"), url)
    assert "hunter2" not in said
    assert "%70assword=***" in said


def test_reason_keeps_the_working_directory_readable(monkeypatch):
    """PWD and OLDPWD match the secret-name pattern ('pwd') but hold the shell's directories: a path stays whole."""
    monkeypatch.setenv("PWD", "/tmp/run/repo")
    monkeypatch.setenv("OLDPWD", "/tmp/run")
    monkeypatch.setenv("DB_PWD", "hunter22")
    said = reason(RuntimeError('Malformed JSON in file "/tmp/run/repo/bad.jsonl" (hunter22)'), "")
    assert said == 'Malformed JSON in file "/tmp/run/repo/bad.jsonl" (***)'


def test_reason_is_one_line_without_the_url_cut_to_a_bound():
    url = "postgres://u@db.example.com:5432/prod"
    text = f"could not reach {url}\n\tIs the server running?\nLINE 1: SELECT ..."
    assert reason(ValueError(text), url) == "could not reach postgres://u@db.example.com:5432/prod"
    assert reason(ValueError("\n\n  "), "") == "ValueError"
    long = reason(ValueError("x" * 1000), "")
    assert len(long) == REASON_CHARS and long.endswith("…")


def test_backend_errors_are_told_from_modelgate_errors():
    assert backend_error(duckdb.ParserException("x"))
    assert not backend_error(KeyError("x"))
    assert not backend_error(ConnectError("x"))


# --- the allow-list -------------------------------------------------------------------------------------------------

def test_every_allowed_scheme_is_a_backend_ibis_knows():
    known = {e.name for e in importlib.metadata.entry_points(group="ibis.backends")}
    assert {backend.name for backend in SCHEMES.values()} <= known
    assert SCHEMES["postgresql"] is SCHEMES["postgres"]


@pytest.mark.parametrize(("url", "said"), [
    ("postgress://sec:S3cr3t@127.0.0.1:54329/mg", "--connection postgress://sec:***@127.0.0.1:54329/mg: an unknown "
                                                   "scheme postgress://"),
    ("sqlite:///x.db", "an unknown scheme sqlite://"),
    ("/data/warehouse.ddb", "--connection /data/warehouse.ddb: not a connection URL"),
    ("postgres://sec:S3cr3t@h/db", "--connection postgres://sec:***@h/db: a connection URL must not hold a password "
                                   "or a secret (it would be seen in shell history and CI logs): put it in PGPASSWORD "
                                   "or ~/.pgpass"),
    ("postgres://u@host:5433/db?%70assword=S3cr3t", "--connection postgres://u@host:5433/db?%70assword=***: a "
                                                    "connection URL must not hold a password"),
    ("postgres://u%3AS3cr3t@host/db", "--connection postgres://u:***@host/db: a connection URL must not hold a "
                                      "password"),
])
def test_refused_urls(url, said):
    with pytest.raises(ConnectError) as refused:
        backend_of(url)
    assert said in str(refused.value)
    assert "S3cr3t" not in str(refused.value)
    assert isinstance(refused.value, DomainError)  # exit 2 through the command line


def test_an_unknown_scheme_never_reaches_ibis(monkeypatch):
    import ibis

    def echo(url, **kwargs):  # what ibis.connect does with a scheme it does not know: it echoes the URL
        raise ValueError(f"Don't know how to connect to {url!r}")

    monkeypatch.setattr(ibis, "connect", echo)
    with pytest.raises(ConnectError) as refused:
        connect("postgress://sec@127.0.0.1/mg")
    assert "Don't know" not in str(refused.value)


# --- Postgres without a server --------------------------------------------------------------------------------------

def test_a_closed_port_is_one_line_and_no_secret(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "S3cr3t-from-env")
    port = closed_port()
    with pytest.raises(ConnectError) as failed:
        connect(f"postgres://mg@127.0.0.1:{port}/db")
    said = str(failed.value)
    assert said.startswith(f"--connection postgres://mg@127.0.0.1:{port}/db: cannot connect: ")
    assert "refused" in said.lower()
    assert "\n" not in said
    assert "S3cr3t" not in said


def test_pgport_is_honoured_when_the_url_has_no_port(monkeypatch):
    port = closed_port()
    monkeypatch.setenv("PGPORT", str(port))
    with pytest.raises(ConnectError) as failed:
        connect("postgres://mg@127.0.0.1/db")
    assert f"port {port} failed" in str(failed.value)  # not 5432, which ibis would pass itself


def test_a_port_that_is_not_a_number_is_not_shown():
    with pytest.raises(ConnectError) as failed:
        connect("postgres://mg@127.0.0.1:S3cr3t/db")  # a password written where the port goes
    assert str(failed.value) == "--connection postgres://mg@127.0.0.1:***/db: the port is not a number"


# --- DuckDB database files ------------------------------------------------------------------------------------------

def test_a_table_of_a_duckdb_file(database):
    source = open_table(f"duckdb://{database}", table="scores")
    assert source.table.count().execute() == 5
    assert list(source.table.columns) == ["id", "score", "label"]
    assert (source.numbering, source.tabular, source.key) == ("ordinal", True, None)
    assert source.label == f"duckdb://{database} table scores"


def test_a_table_in_a_schema_and_a_relative_path(database, monkeypatch):
    monkeypatch.chdir(database.parent)
    source = open_table(f"duckdb://{database.name}", table="analytics.events")
    assert source.table.count().execute() == 3


def test_a_duckdb_file_is_opened_read_only(database):
    source = open_table(f"duckdb://{database}", table="scores")
    with pytest.raises(duckdb.Error, match="read-only"):
        source.backend.raw_sql("CREATE TABLE x (a INTEGER)")


def test_a_query(database):
    source = open_table(f"duckdb://{database}", query="SELECT id, score FROM scores WHERE label = 'a'", key="id")
    assert sorted(source.table.execute()["id"]) == [1, 3, 5]
    assert (source.key, source.label) == ("id", f"duckdb://{database} --query")


def test_where_and_limit(database):
    source = open_table(f"duckdb://{database}", table="scores")
    kept = narrow(source, "score > 0.3 AND label = 'a'")
    assert sorted(kept.table.execute()["id"]) == [3, 5]
    assert kept.numbering == "ordinal" and kept.notes == ()
    assert narrow(source, None, 2).table.count().execute() == 2
    assert narrow(source, "label = 'a'", 2).table.count().execute() == 2
    assert narrow(source).table is source.table


def test_where_on_a_file_numbers_records_among_those_kept(tmp_path):
    import ibis

    con = ibis.duckdb.connect()
    (tmp_path / "r.csv").write_text("a\n1\n2\n3\n")
    from bot.verify.engine import Source

    source = Source(backend=con, table=con.read_csv(tmp_path / "r.csv"), label="r.csv", numbering="line",
                    tabular=True)
    kept = narrow(source, "a >= 2")
    assert kept.numbering == "ordinal"
    assert kept.notes == ("record numbers count the records --where kept, in the files' order",)
    assert narrow(source, None, 2).numbering == "line"  # the first records keep their numbers


@pytest.mark.parametrize(("table", "query", "said"), [
    ("nope", None, ": no table nope"),
    ("analytics.nope", None, ": no table analytics.nope"),
    (None, "SELEC 1", "--query: not one SQL query: at line 1, column 7 ('1'): Invalid expression / Unexpected token"),
    (None, "SELECT * FROM nope",
     "--query on duckdb://{db} failed: Catalog Error: Table with name nope does not exist!"),
])
def test_what_cannot_be_read_is_one_line(database, table, query, said):
    with pytest.raises(DomainError) as failed:  # a ConnectError, or the SqlTextError of a query that is not one
        open_table(f"duckdb://{database}", table=table, query=query)
    assert said.format(db=database) in str(failed.value)
    assert "\n" not in str(failed.value)


def test_a_missing_database_file_is_not_created(tmp_path):
    with pytest.raises(ConnectError) as failed:
        open_table(f"duckdb://{tmp_path}/typo.ddb", table="scores")
    assert str(failed.value) == (f"--connection duckdb://{tmp_path}/typo.ddb: {tmp_path}/typo.ddb: "
                                 "no such DuckDB database file")
    assert not (tmp_path / "typo.ddb").exists()


def test_a_file_that_is_not_a_database(tmp_path):
    (tmp_path / "x.ddb").write_text("not a database\n")
    with pytest.raises(ConnectError) as failed:
        open_table(f"duckdb://{tmp_path}/x.ddb", table="scores")
    assert f"--connection duckdb://{tmp_path}/x.ddb: cannot connect: " in str(failed.value)


def test_a_where_the_backend_refuses(database):
    source = open_table(f"duckdb://{database}", table="scores")
    with pytest.raises(ConnectError) as failed:
        narrow(source, "nope > 1")
    assert str(failed.value).startswith(f"--where on duckdb://{database} table scores failed: Binder Error: ")


def test_key_names_a_column(database):
    source = open_table(f"duckdb://{database}", table="scores")
    assert with_key(source, "label").key == "label"
    assert with_key(source, None) is source
    with pytest.raises(ConnectError) as failed:
        with_key(source, "nope")
    assert str(failed.value) == f"--key nope: duckdb://{database} table scores has no such column (its columns: " \
                                "id, score, label)"


def test_open_table_takes_a_table_or_a_query():
    with pytest.raises(ValueError, match="exactly one"):
        open_table("duckdb://", table="a", query="SELECT 1")
