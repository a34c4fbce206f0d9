"""The real engines of tests/engines.py: the PostgreSQL server says which SQL it received, the Spark session too."""

from __future__ import annotations

import pytest

from tests.engines import PG_SEALED_PASSWORD, PG_SEALED_USER, SPARK_GROUP, Postgres, Spark


def test_postgres_statements_are_what_the_server_received_since_the_mark(postgres: Postgres) -> None:
    con = postgres.connect()
    con.raw_sql("CREATE TABLE engines_smoke (id INTEGER, label TEXT)").close()
    con.raw_sql("INSERT INTO engines_smoke VALUES (1, 'a'), (2, 'b'), (3, NULL)").close()
    mark = postgres.mark()
    assert con.table("engines_smoke").label.isnull().sum().execute() == 1
    con.raw_sql("SELECT id\nFROM engines_smoke\nWHERE id > 1").close()
    received = postgres.statements(mark)
    assert not any("INSERT INTO engines_smoke" in sql for sql in received)
    assert any('FROM "engines_smoke"' in sql and "IS NULL" in sql for sql in received)
    assert "SELECT id\nFROM engines_smoke\nWHERE id > 1" in received  # a statement over several lines, whole
    assert any("INSERT INTO engines_smoke" in sql for sql in postgres.statements())


@pytest.mark.xdist_group(SPARK_GROUP)
def test_spark_statements_are_the_sql_texts_the_session_was_given(spark: Spark) -> None:
    spark.session.createDataFrame([(1, "a"), (2, None)], "id INT, label STRING").createOrReplaceTempView(
        "engines_smoke")
    con = spark.connect()
    mark = spark.mark()
    assert con.table("engines_smoke").label.isnull().sum().execute() == 1
    received = spark.statements[mark:]
    assert any("`engines_smoke`" in sql and "IS NULL" in sql for sql in received)
    assert spark.session.sparkContext.getConf().get("spark.sql.shuffle.partitions") == "1"


def test_postgres_sealed_role_needs_its_password(postgres: Postgres, monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    options = {"host": "127.0.0.1", "port": postgres.port, "user": PG_SEALED_USER, "dbname": "postgres"}
    monkeypatch.setenv("PGPASSWORD", "wrong")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(**options).close()
    monkeypatch.setenv("PGPASSWORD", PG_SEALED_PASSWORD)
    with psycopg.connect(**options) as good:
        assert good.execute("SELECT current_user").fetchone() == (PG_SEALED_USER,)
    assert postgres.sealed_url.startswith(f"postgres://{PG_SEALED_USER}@127.0.0.1:")
