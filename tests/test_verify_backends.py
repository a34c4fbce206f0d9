"""The same records in DuckDB, PostgreSQL and Spark tables: verify_source gives the reference's answer on each.

The records (a few hundred scores with nulls, NaN and infinities, values out of range, off the enum, the pattern
or the lengths (counted in code points), a keyword checked per row, and a drift against a baseline file) are typed
tables: a Parquet file for the Python reference (``bot.verify.run.verify_records``), and a table created in each
engine, which the queries then run in. Every backend gives the reference's counts, verdict, null rates, PSI (to
1e-9) and examples, also on a column of the wrong type and on a --where/--limit slice; the SQL each engine received
is read back (DuckDB's query log, the PostgreSQL server's log, the SQL given to Spark) to show that the checks ran
there. A missing table, and a wrong PostgreSQL password, are one line each, with no password in it.

The Spark tests share one xdist worker (``SPARK_GROUP``), so one Spark session serves the whole run.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bot.manifests.models import Quality
from bot.verify.engine import Source
from bot.verify.engine.connect import ConnectError, narrow, open_table
from bot.verify.engine.run import verify_source
from bot.verify.report import VerifyResult
from bot.verify.run import Expected, verify_records, write_baseline
from tests.engines import PG_SEALED_PASSWORD, PG_SEALED_USER, PG_USER, SPARK_GROUP, Postgres, Spark

CONTRACT = "scores@1"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "score": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        "label": {"enum": ["red", "green", "blue", None]},
        "name": {"type": "string", "pattern": "^[a-z]+$", "minLength": 2, "maxLength": 8},
        "city": {"type": ["string", "null"], "maxLength": 4},
        "age": {"type": ["integer", "null"], "minimum": 0, "exclusiveMaximum": 120},
        "amount": {"type": "number"},
        "category": {"type": "string"},
        "ratio": {"type": ["number", "null"]},
        "flag": {"type": "boolean"},
        "note": {"type": ["string", "null"], "not": {"const": "forbidden"}},  # `not`: checked per row
    },
    "required": ["id", "score", "label"],
    "additionalProperties": False,
}
QUALITY = Quality.model_validate({
    "min_records": 100,
    "null_rate_max": {"score": 0.02, "ratio": 0.2, "city": 0.5},
    "drift": {"psi_max": {"amount": 0.25, "category": 0.25}},
})
EXPECTED = Expected(SCHEMA, QUALITY, CONTRACT)
COLUMNS = pa.schema([("id", pa.int64()), ("score", pa.float64()), ("label", pa.string()), ("name", pa.string()),
                     ("city", pa.string()), ("age", pa.int64()), ("amount", pa.float64()),
                     ("category", pa.string()), ("ratio", pa.float64()), ("flag", pa.bool_()),
                     ("note", pa.string())])
NAMES = ["ada", "grace", "alan", "edsger", "barbara", "ken", "dennis", "linus"]
CITIES = ["Oslo", "Köln", "東京", "Rome", "Lima", None]  # Köln: 4 code points, 5 bytes in UTF-8
CATEGORIES = ["a", "b", "c", "d"]


def row(rng: random.Random, number: int, *, shift: float, dirty: bool) -> dict[str, Any]:
    """One record; ``shift`` moves amount and category away from the baseline; ``dirty`` plants violations."""
    record: dict[str, Any] = {
        "id": number, "score": round(rng.random(), 4), "label": rng.choice(["red", "green", "blue"]),
        "name": rng.choice(NAMES), "city": rng.choice(CITIES), "age": rng.randint(18, 90),
        "amount": round(rng.gauss(50 + 15 * shift, 10), 3),
        "category": rng.choices(CATEGORIES, [0.4 - 0.3 * shift, 0.3, 0.2, 0.1 + 0.3 * shift])[0],
        "ratio": None if rng.random() < 0.1 else rng.random(), "flag": rng.random() < 0.5, "note": None,
    }
    if not dirty:
        return record
    planted = {
        0: {"score": None}, 1: {"score": 1.5}, 2: {"score": -0.25}, 3: {"label": "purple"}, 4: {"label": None},
        5: {"label": "Red"}, 6: {"name": "Bob"}, 7: {"name": "x"}, 8: {"name": "abcdefghij"}, 9: {"name": "ñandú"},
        10: {"name": None}, 11: {"name": ""}, 12: {"city": "Zürich"}, 13: {"city": "Cafe\u0301"},  # 5 code points
        14: {"age": -1}, 15: {"age": 120}, 16: {"age": None}, 17: {"ratio": math.nan}, 18: {"ratio": math.inf},
        19: {"amount": math.nan}, 20: {"flag": None}, 21: {"note": "forbidden"}, 22: {"note": "fine"},
        23: {"category": "e"}, 24: {"score": None, "label": "purple", "age": 200},
    }
    record.update(planted.get(number % 29, {}) if number % 3 == 0 else {})
    return record


def records(count: int, *, seed: int, shift: float, dirty: bool) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [row(rng, number, shift=shift, dirty=dirty) for number in range(1, count + 1)]


@dataclass(frozen=True)
class Dataset:
    """One table's records, the Parquet file of them, and the baseline file to judge them against."""

    name: str
    rows: list[dict[str, Any]]
    columns: Any  # the Arrow schema of the table
    parquet: Path
    baseline: Path

    @property
    def arrow(self) -> Any:
        return pa.Table.from_pylist(self.rows, schema=self.columns)

    @property
    def spark_columns(self) -> str:
        return ", ".join(f"{f.name} {SPARK_TYPES[f.type]}" for f in self.columns)


SPARK_TYPES = {pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.string(): "STRING", pa.bool_(): "BOOLEAN"}
DATASETS = {"dirty": {"count": 400, "seed": 16, "shift": 1.0, "dirty": True},
            "clean": {"count": 300, "seed": 61, "shift": 0.0, "dirty": False},
            # age held as text: a column whose type cannot hold the schema's integer (every age is invalid)
            "retyped": {"count": 120, "seed": 5, "shift": 0.0, "dirty": False}}
RETYPED = {"retyped": "age"}


@pytest.fixture(scope="session")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Dataset]:
    folder = tmp_path_factory.mktemp("backends")
    base = folder / "baseline.parquet"
    pq.write_table(pa.Table.from_pylist(records(1000, seed=7, shift=0.0, dirty=False), schema=COLUMNS), base)
    baseline = folder / "baseline.json"
    baseline.write_text(write_baseline(EXPECTED, base, day="2026-12-01"), encoding="utf-8")
    found = {}
    for name, options in DATASETS.items():
        rows, columns = records(**options), COLUMNS
        if name in RETYPED:
            text = RETYPED[name]
            columns = columns.set(columns.get_field_index(text), pa.field(text, pa.string()))
            rows = [{**r, text: None if r[text] is None else str(r[text])} for r in rows]
        data = Dataset(name, rows, columns, folder / f"{name}.parquet", baseline)
        pq.write_table(data.arrow, data.parquet)
        found[name] = data
    return found


def test_the_reference_finds_what_was_planted(datasets: dict[str, Dataset]) -> None:
    """The data exercises every check: the dirty table fails on each kind of problem, the clean one passes."""
    dirty = verify_records(EXPECTED, datasets["dirty"].parquet, datasets["dirty"].baseline, examples=1000)
    assert dirty.verdict == "fail" and dirty.records == 400
    paths = {example.path for example in dirty.examples}
    assert paths >= {f"#/{name}" for name in SCHEMA["properties"] if name not in ("id", "category")}
    assert {n.field: n.ok for n in dirty.null_rates} == {"score": False, "ratio": True, "city": True}
    assert {d.field: d.ok for d in dirty.drift} == {"amount": False, "category": False}
    clean = verify_records(EXPECTED, datasets["clean"].parquet, datasets["clean"].baseline)
    assert clean.verdict == "pass", clean.breaches
    assert clean.invalid == 0 and all(d.psi is not None for d in clean.drift)
    retyped = verify_records(EXPECTED, datasets["retyped"].parquet, datasets["retyped"].baseline, examples=1)
    assert retyped.invalid == retyped.records == 120
    assert [(e.path, e.reason) for e in retyped.examples] == [("#/age", '"85" is not of types "null", "integer"')]


# --- the tables, in each engine ------------------------------------------------------------------------------------

Received = Callable[[], list[str]]  # the SQL the engine received since the watch began


@dataclass(frozen=True)
class Engine:
    """A backend holding the datasets as tables (named as the datasets): ``url`` connects to it, ``watch(source)``
    starts recording the SQL it receives for a source opened on it."""

    name: str
    url: str
    watch: Callable[[Source], Received]
    rows: Callable[[str], list[dict[str, Any]]]  # a table's rows as the engine holds them, read natively


def _duckdb_watch(source: Source) -> Received:
    """DuckDB's own query log (``enable_logging``): every statement the database ran, as it ran it."""
    con = source.backend.con
    con.execute("CALL enable_logging('QueryLog')")
    con.execute("CALL truncate_duckdb_logs()")
    return lambda: [m for (m,) in con.execute("SELECT message FROM duckdb_logs WHERE type = 'QueryLog'").fetchall()]


@pytest.fixture(scope="session")
def duckdb_engine(datasets: dict[str, Dataset], tmp_path_factory: pytest.TempPathFactory) -> Engine:
    import duckdb

    path = tmp_path_factory.mktemp("duckdb") / "tables.ddb"
    with duckdb.connect(str(path)) as con:
        for name, dataset in datasets.items():
            arrow = dataset.arrow  # noqa: F841 (read by name by DuckDB's replacement scan)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM arrow")
    def rows(name: str) -> list[dict[str, Any]]:
        with duckdb.connect(str(path), read_only=True) as con:
            found: list[dict[str, Any]] = con.table(name).fetch_arrow_table().to_pylist()
        return found

    return Engine("duckdb", f"duckdb://{path}", _duckdb_watch, rows)


@pytest.fixture(scope="session")
def postgres_engine(datasets: dict[str, Dataset], postgres: Postgres) -> Engine:
    con = postgres.connect()
    for name, dataset in datasets.items():
        con.create_table(name, dataset.arrow, overwrite=True)
    con.disconnect()

    def watch(source: Source) -> Received:
        mark = postgres.mark()
        return lambda: postgres.statements(mark)

    def rows(name: str) -> list[dict[str, Any]]:
        import psycopg
        from psycopg.rows import dict_row

        with psycopg.connect(host="127.0.0.1", port=postgres.port, user="mg", dbname="postgres",
                             row_factory=dict_row) as con:
            return list(con.execute(f"SELECT * FROM {name}").fetchall())

    return Engine("postgres", postgres.url, watch, rows)


@pytest.fixture(scope="session")
def spark_engine(datasets: dict[str, Dataset], spark: Spark) -> Engine:
    for name, dataset in datasets.items():
        rows = [tuple(record[column] for column in COLUMNS.names) for record in dataset.rows]
        spark.session.createDataFrame(rows, dataset.spark_columns).createOrReplaceTempView(name)

    def watch(source: Source) -> Received:
        mark = spark.mark()
        return lambda: spark.statements[mark:]

    def rows(name: str) -> list[dict[str, Any]]:
        # not through ibis: its pyspark backend fetches through pandas, which turns NaN into null
        found: list[dict[str, Any]] = spark.session.table(name).toArrow().to_pylist()
        return found

    return Engine("spark", "pyspark://", watch, rows)


ON_SPARK = pytest.mark.xdist_group(SPARK_GROUP)
BACKENDS = [pytest.param("duckdb"), pytest.param("postgres"), pytest.param("spark", marks=ON_SPARK)]


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each backend in turn (its server or session started the first time a test asks for it)."""
    found: Engine = request.getfixturevalue(f"{request.param}_engine")
    return found


def _as_records(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in ``id`` order, NaN as the string "NaN" (NaN equals nothing, not even itself)."""
    return sorted(({k: "NaN" if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()} for r in rows),
                  key=lambda r: r["id"])


def test_each_engine_holds_the_records_as_they_are(engine: Engine, datasets: dict[str, Dataset]) -> None:
    """The loading is faithful: nulls stay nulls, NaN stays NaN, infinities and code points are kept."""
    for name, dataset in datasets.items():
        if engine.name != "spark" or name == "dirty":  # Spark: the table with the NaN and the rest (a job is slow)
            assert _as_records(engine.rows(name)) == _as_records(dataset.rows)
        assert list(open_table(engine.url, table=name).table.columns) == COLUMNS.names


# --- the same answer on every engine -------------------------------------------------------------------------------

def _summary(result: VerifyResult) -> dict[str, Any]:
    """What must be the reference's to the letter (PSI compared apart, to 1e-9)."""
    return {"verdict": result.verdict, "records": result.records, "invalid": result.invalid,
            "breaches": result.breaches, "min_records_ok": result.min_records_ok,
            "null_rates": [(n.field, n.value, n.max, n.ok) for n in result.null_rates],
            "drift": [(d.field, d.kind, d.ok, d.why_unmeasured) for d in result.drift],
            "examples": [(e.record, e.path, e.reason) for e in result.examples]}


@dataclass(frozen=True)
class Run:
    """verify_source on one engine's table (with the baseline file, 50 examples keyed by id), and the SQL the
    engine received meanwhile."""

    result: VerifyResult
    received: list[str]


@pytest.fixture(scope="session")
def runs(datasets: dict[str, Dataset]) -> Callable[[Engine, str], Run]:
    """Each (engine, table) is verified once in the session: a Spark query takes seconds."""
    done: dict[tuple[str, str], Run] = {}

    def run(engine: Engine, table: str) -> Run:
        if (engine.name, table) not in done:
            source = open_table(engine.url, table=table, key="id")
            received = engine.watch(source)
            result = verify_source(EXPECTED, source, datasets[table].baseline, examples=50)
            done[engine.name, table] = Run(result, received())
        return done[engine.name, table]

    return run


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_every_engine_gives_the_reference_answer(engine: Engine, datasets: dict[str, Dataset], dataset: str,
                                                 runs: Callable[[Engine, str], Run]) -> None:
    data = datasets[dataset]
    reference = verify_records(EXPECTED, data.parquet, data.baseline, examples=50)
    result = runs(engine, dataset).result
    assert _summary(result) == _summary(reference)
    for mine, theirs in zip(result.drift, reference.drift, strict=True):
        assert mine.psi == pytest.approx(theirs.psi, abs=1e-9, rel=0)
    assert [e.key for e in result.examples] == [e.record for e in result.examples]  # id is the row's number


@pytest.mark.parametrize("backend", ["duckdb", "postgres"])  # the baseline is read in Python: once on Spark is enough
@pytest.mark.parametrize("dataset", ["dirty", "clean"])
def test_a_raw_baseline_gives_the_reference_answer_too(backend: str, datasets: dict[str, Dataset], dataset: str,
                                                       request: pytest.FixtureRequest) -> None:
    """The baseline as raw data (Parquet), read by the reference reader: the same bins, so the same PSI."""
    engine: Engine = request.getfixturevalue(f"{backend}_engine")
    data = datasets[dataset]
    raw = data.baseline.with_suffix(".parquet")
    reference = verify_records(EXPECTED, data.parquet, raw, examples=3)
    result = verify_source(EXPECTED, open_table(engine.url, table=dataset), raw, examples=3)
    assert _summary(result) == _summary(reference)
    for mine, theirs in zip(result.drift, reference.drift, strict=True):
        assert mine.psi == pytest.approx(theirs.psi, abs=1e-9, rel=0)


def test_where_and_limit_slice_the_table_in_the_engine(engine: Engine, datasets: dict[str, Dataset],
                                                       tmp_path: Path) -> None:
    """--where and --limit on each engine: the reference's answer on the same rows, numbered among those kept."""
    data = datasets["dirty"]
    kept = [r for r in data.rows if r["age"] is not None and r["age"] >= 50][:60]
    sliced = tmp_path / "sliced.parquet"
    pq.write_table(pa.Table.from_pylist(kept, schema=data.columns), sliced)
    reference = verify_records(EXPECTED, sliced, data.baseline, examples=20)
    source = narrow(open_table(engine.url, table="dirty", key="id"), "age >= 50", 60, url=engine.url)
    result = verify_source(EXPECTED, source, data.baseline, examples=20)
    assert _summary(result) == _summary(reference)
    assert result.records == 60 and result.invalid > 0
    assert [e.key for e in result.examples] == [kept[e.record - 1]["id"] for e in result.examples]


_READS = r"FROM\s+[`\"]?{}[`\"]?(\s|\)|$)"


def test_the_checks_run_in_the_engine(engine: Engine, datasets: dict[str, Dataset],
                                      runs: Callable[[Engine, str], Run]) -> None:
    """What the engine received: ONE aggregate over the table holding every translated check and every drift bin,
    one GROUP BY for the categorical drift, and otherwise only queries of chosen rows (a WHERE): no full fetch."""
    run = runs(engine, "dirty")
    assert run.result.invalid == verify_records(EXPECTED, datasets["dirty"].parquet).invalid
    reading = [sql for sql in run.received if re.search(_READS.format("dirty"), sql, re.IGNORECASE)]
    counting = [sql for sql in reading if re.search(r"COUNT\(\*\)|count_star\(\)", sql, re.IGNORECASE)
                and "GROUP BY" not in sql.upper()]
    assert len(counting) == 1, counting
    aggregate = counting[0]
    for check in ("'red'", "'green'", "'blue'", "120.0", "LENGTH(", "> 8", "< 2", "> 4", "< 0.0", "> 1.0"):
        assert check in aggregate, check
    edges = json.loads(datasets["dirty"].baseline.read_text())["fields"]["amount"]["edges"]
    assert all(f"<= {edge!r}" in aggregate for edge in edges)
    grouping = [sql for sql in reading if "GROUP BY" in sql.upper()]
    assert len(grouping) == 1 and "category" in grouping[0]
    assert all("WHERE" in sql.upper() for sql in reading if sql not in counting), reading


@pytest.mark.parametrize("table", ["no_such_table", "missing.no_such_table"])
def test_a_missing_table_is_one_line_naming_it(engine: Engine, table: str) -> None:
    with pytest.raises(ConnectError) as caught:
        open_table(engine.url, table=table)
    message = str(caught.value)
    if engine.name == "spark" and "." in table:  # Spark says the schema is missing, in its own words
        assert message.startswith(f"--connection {engine.url}: table {table} cannot be read: [SCHEMA_NOT_FOUND]")
        assert "\n" not in message
    else:
        assert message == f"--connection {engine.url}: no table {table}"  # one line, the URL as given


def test_a_wrong_postgres_password_is_one_line_without_it(postgres: Postgres, postgres_engine: Engine,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSWORD", "Wr0ng-but-secret")
    with pytest.raises(ConnectError) as caught:
        open_table(postgres.sealed_url, table="dirty")
    message = str(caught.value)
    assert message.startswith(f"--connection {postgres.sealed_url}: cannot connect: ")
    assert "password authentication failed" in message and "\n" not in message
    assert "Wr0ng-but-secret" not in message and PG_SEALED_PASSWORD not in message
    monkeypatch.setenv("PGPASSWORD", PG_SEALED_PASSWORD)  # the right one, from the environment: the table is read
    with psycopg_admin(postgres) as admin:
        admin.execute(f"GRANT SELECT ON dirty TO {PG_SEALED_USER}")
    result = verify_source(EXPECTED, open_table(postgres.sealed_url, table="dirty"), examples=0)
    assert result.records == 400


def psycopg_admin(postgres: Postgres) -> Any:
    import psycopg

    return psycopg.connect(host="127.0.0.1", port=postgres.port, user=PG_USER, dbname="postgres", autocommit=True)
