"""bot.verify.engine.sql_text: --query is one read-only query and --where one read-only condition, in the backend's
dialect, sent as checked."""

from __future__ import annotations

import pytest

from bot.verify.engine.sql_text import SqlTextError, column_names, read_condition, read_query


@pytest.mark.parametrize(("dialect", "query", "sent"), [
    ("postgres", "SELECT id, score FROM scores WHERE day = current_date",
     "SELECT id, score FROM scores WHERE day = CURRENT_DATE"),
    ("postgres", "SELECT 1 AS a;", "SELECT 1 AS a"),
    ("postgres", "WITH recent AS (SELECT * FROM s) SELECT * FROM recent", None),
    ("duckdb", "SELECT * FROM a UNION ALL SELECT * FROM b", None),
    ("postgres", "SELECT $$a; DROP TABLE t$$ AS text", "SELECT 'a; DROP TABLE t' AS text"),  # a string, as checked
])
def test_a_query_reads(dialect, query, sent):
    assert read_query(query, dialect) == (sent or query)


@pytest.mark.parametrize(("query", "said"), [
    ("SELECT 1; DROP TABLE t", "--query: 2 SQL statements: give one query (SELECT ...), no ';' between statements"),
    ("SELECT 1; SELECT 2", "--query: 2 SQL statements"),
    ("", "--query: 0 SQL statements"),
    ("DROP TABLE t", "--query: DROP is not a query: give one SELECT"),
    ("INSERT INTO t VALUES (1)", "--query: INSERT is not a query"),
    ("SET search_path = evil", "--query: SET is not a query"),
    ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "--query: DELETE writes or changes the session"),
    ("WITH u AS (UPDATE t SET a = 1 RETURNING *) SELECT * FROM u", "--query: UPDATE writes"),
    ("SELECT * INTO t2 FROM t", "--query: INTO writes"),
    ("SELEC 1", "--query: not one SQL query: at line 1, column 7 ('1'): "),
])
def test_a_query_that_is_not_one_read_is_refused(query, said):
    refused_with(read_query, query, "postgres", said)


def refused_with(read, text, dialect, said):
    """``read(text, dialect)`` is one SqlTextError line starting with ``said``, with no raw control character."""
    with pytest.raises(SqlTextError) as refused:
        read(text, dialect)
    assert str(refused.value).startswith(said), str(refused.value)
    assert "\x1b" not in str(refused.value)


@pytest.mark.parametrize(("where", "sent"), [
    ("score > 0.5", None),
    ("band = 'low' AND day >= current_date - 1", "band = 'low' AND day >= CURRENT_DATE - 1"),
    ("id IN (SELECT id FROM allowed)", None),
    ("flags >> 2 = 1", "(flags >> 2) = 1"),
])
def test_a_condition_reads(where, sent):
    assert read_condition(where, "duckdb") == (sent or where)


@pytest.mark.parametrize(("where", "said"), [
    ("true; DROP TABLE t", "--where: not one SQL condition: at line 1, column 10 ('DROP'): Invalid expression"),
    ("1 = 1) UNION (SELECT 1", "--where: not one SQL condition: "),
    ("score >", "--where: not one SQL condition: at line 1, column 7 ('>'): Required keyword: 'expression' missing "
               "for GT"),
    ("id IN (SELECT 1 INTO t)", "--where: INTO writes or changes the session; verify only reads"),
    ("n > > 4", "--where: not one SQL condition: > > would be read as >>"),
    ("n < < 4", "--where: not one SQL condition: < < would be read as <<"),
    ("x = \x1b[31m", "--where: not one SQL condition: "),
])
def test_a_condition_that_is_not_one_read_is_refused(where, said):
    refused_with(read_condition, where, "duckdb", said)


def test_the_columns_a_condition_names():
    assert column_names("score > 0.5 AND s.x = 1 AND \"odd name\" IS NULL OR day IN (SELECT day FROM t)",
                        "duckdb") == ["day", "odd name", "score"]
