"""``bot.compat.sqltypes``: ``x-sql-type`` and ``x-sql-constraints`` judged as dbt judges a contracted model's change
(a base type changed, an enforced constraint removed: breaking; a size, precision or scale changed, a column or a
constraint added: not), reported by ``compare``, ``schema-diff`` and ``check``."""

from __future__ import annotations

from typing import Any

import pytest

from bot.compat import compare
from bot.compat.sqltypes import base_type
from bot.policy.contract_diff import diff_contract_version
from tests.helpers import json_out, run_cli


def table(**columns: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": columns, "required": list(columns)}


def column(sql: str, json_type: str = "integer", *constraints: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": json_type, "x-sql-type": sql}
    if constraints:
        schema["x-sql-constraints"] = list(constraints)
    return schema


NOT_NULL = {"type": "not_null", "enforced": True}
UNIQUE_INFORMATIONAL = {"type": "unique", "enforced": False}


def found(old: Any, new: Any, mode: str = "backward") -> list[tuple[str, str, bool]]:
    return [(c.type, c.path, c.compatible) for c in compare(old, new, mode).changes]  # type: ignore[arg-type]


@pytest.mark.parametrize(("data_type", "base"), [
    ("varchar(10)", "varchar"), ("VARCHAR(20)", "varchar"), ("numeric(10, 2)", "numeric"), ("numeric", "numeric"),
    ("timestamp(3) with time zone", "timestamp with time zone"), ("Character  Varying(5)", "character varying"),
    ("array<varchar(10)>", "array<varchar>"), ("int4", "int4"), ("varchar(MAX)", "varchar"),
    ("Array(Decimal(10, 2))", "array(decimal)"), ("Nullable(Int32)", "nullable(int32)"),
    ("map(varchar, integer)", "map(varchar, integer)"), ("row(a integer)", "row(a integer)"),
])
def test_the_base_type_drops_size_precision_and_scale_and_nothing_else(data_type, base):
    assert base_type(data_type) == base


@pytest.mark.parametrize(("old", "new"), [
    ("Nullable(Int32)", "Nullable(String)"), ("Array(Int32)", "Array(String)"), ("array(integer)", "array(varchar)"),
    ("LowCardinality(String)", "LowCardinality(Int64)"), ("row(a integer)", "row(a varchar)"),
    ("map(varchar, integer)", "map(varchar, varchar)"),
])
def test_a_type_inside_a_types_parentheses_is_part_of_the_base_type(old, new):
    """Parentheses that hold a type (ClickHouse's Nullable(T), Trino's array(T), row(...), map(K, V)) are not a
    size: dropping them made Nullable(Int32) -> Nullable(String) no difference at all."""
    assert found(table(c=column(old, "string")), table(c=column(new, "string")), "forward") == [
        ("SQL_TYPE_CHANGED", "#/properties/c/x-sql-type", False)]


@pytest.mark.parametrize(("old", "new"), [("integer", "bigint"), ("int", "text"), ("boolean", "integer"),
                                          ("date", "string"), ("int4", "integer")])
def test_dbt_a_changed_base_data_type_is_breaking_both_ways(old, new):
    before, after = table(id=column(old)), table(id=column(new))
    assert found(before, after) == [("SQL_TYPE_CHANGED", "#/properties/id/x-sql-type", False)]
    assert found(before, after, "forward") == [("SQL_TYPE_CHANGED", "#/properties/id/x-sql-type", False)]


@pytest.mark.parametrize(("old", "new"), [("varchar(10)", "varchar(20)"), ("numeric(10,2)", "NUMERIC(12, 4)"),
                                          ("varchar(20)", "varchar(10)"), ("varchar", "varchar(3)")])
def test_dbt_a_changed_size_precision_or_scale_is_not_a_difference(old, new):
    assert found(table(id=column(old, "string")), table(id=column(new, "string")), "full") == []


def test_a_sql_type_on_one_side_only_is_left_to_the_json_type():
    assert found(table(id={"type": "integer"}), table(id=column("integer"))) == []


def test_dbt_an_enforced_constraint_removed_is_breaking_under_forward_and_compatible_under_backward():
    before, after = table(id=column("integer", "integer", NOT_NULL)), table(id=column("integer"))
    path = "#/properties/id/x-sql-constraints/not_null"
    assert found(before, after) == [("ENFORCED_CONSTRAINT_REMOVED", path, True)]
    assert found(before, after, "forward") == [("ENFORCED_CONSTRAINT_ADDED", path, False)]


def test_dbt_an_enforced_constraint_added_is_compatible_under_forward():
    before, after = table(id=column("integer")), table(id=column("integer", "integer", NOT_NULL))
    assert found(before, after, "forward") == [("ENFORCED_CONSTRAINT_REMOVED",
                                                "#/properties/id/x-sql-constraints/not_null", True)]


def test_dbt_a_constraint_the_database_does_not_enforce_is_an_annotation():
    before, after = table(id=column("integer", "integer", UNIQUE_INFORMATIONAL)), table(id=column("integer"))
    assert found(before, after, "full") == []


def test_dbt_an_enforced_constraint_that_stops_being_enforced_is_a_removal():
    """dbt: a materialization that no longer applies constraints (table -> view) is breaking."""
    before = table(id=column("integer", "integer", NOT_NULL))
    after = table(id=column("integer", "integer", {"type": "not_null", "enforced": False}))
    assert [t for t, _, _ in found(before, after, "forward")] == ["ENFORCED_CONSTRAINT_ADDED"]


def test_a_changed_check_expression_is_a_changed_constraint_named_by_its_name():
    def check(expression: str) -> dict[str, Any]:
        return {"type": "check", "name": "positive", "expression": expression, "enforced": True}
    before, after = table(n=column("integer", "integer", check("n > 0"))), table(n=column("integer", "integer",
                                                                                        check("n >= 0")))
    assert found(before, after, "full") == [("ENFORCED_CONSTRAINT_CHANGED", "#/properties/n/x-sql-constraints/positive",
                                             False)] * 2


def test_dbt_a_model_level_constraint_removed_is_reported_at_the_root():
    pk = {"type": "primary_key", "columns": ["id"], "enforced": True}
    before, after = {**table(id=column("integer")), "x-sql-constraints": [pk]}, table(id=column("integer"))
    assert found(before, after) == [("ENFORCED_CONSTRAINT_REMOVED", "#/x-sql-constraints/primary_key", True)]


def test_a_constraint_removed_with_null_allowed_is_found_once():
    """The column's schema is split into kinds (integer, null); the SQL keywords are read on the whole only."""
    before = table(id=column("integer", "integer", NOT_NULL))
    after = table(id={"type": ["integer", "null"], "x-sql-type": "integer"})
    kinds = [t for t, _, _ in found(before, after)]
    assert kinds.count("ENFORCED_CONSTRAINT_REMOVED") == 1


def test_malformed_sql_keywords_are_no_difference_and_no_error():
    before = {"properties": {"a": {"x-sql-type": 3, "x-sql-constraints": "not_null"}}}
    after = {"properties": {"a": {"x-sql-type": ["x"], "x-sql-constraints": [1, None, {"enforced": "yes"}]}}}
    assert found(before, after, "full") == []


def test_check_reports_a_base_type_change_as_breaking_with_both_types():
    old = {"version": 1, "schema": table(id=column("integer"))}
    new = {"version": 1, "schema": table(id=column("text", "string"))}
    changes = {c.type: c for c in diff_contract_version("contract:orders@1", old, new)}
    sql = changes["SQL_TYPE_CHANGED"]
    assert sql.breaking
    assert sql.detail == "column id: SQL type integer → text, another base type (breaks forward compatibility)"


def test_check_reports_an_enforced_constraint_removed_as_breaking_under_forward_only():
    old = {"version": 1, "schema": table(id=column("integer", "integer", NOT_NULL))}
    new = {"version": 1, "schema": table(id={"type": ["integer", "null"], "x-sql-type": "integer"})}
    forward = {c.type: c for c in diff_contract_version("contract:orders@1", old, new, "forward")}
    assert forward["ENFORCED_CONSTRAINT_REMOVED"].breaking
    assert forward["ENFORCED_CONSTRAINT_REMOVED"].detail == (
        "column id: enforced not_null constraint removed (breaks forward compatibility)")
    backward = {c.type: c for c in diff_contract_version("contract:orders@1", old, new, "backward")}
    assert not backward["ENFORCED_CONSTRAINT_REMOVED"].breaking


def test_schema_diff_lists_a_base_type_change(tmp_path):
    (tmp_path / "old.json").write_text('{"properties": {"id": {"type": "integer", "x-sql-type": "int"}}}')
    (tmp_path / "new.json").write_text('{"properties": {"id": {"type": "integer", "x-sql-type": "bigint"}}}')
    done = run_cli("schema-diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--format", "json")
    assert done.returncode == 1, done.stderr
    assert [c["type"] for c in json_out(done)["changes"]] == ["SQL_TYPE_CHANGED"]


def test_dbt_contract_enforcement_removed_is_breaking_under_forward_and_added_is_not():
    enforced, loose = table(id=column("integer")), {**table(id=column("integer")), "x-dbt-contract-enforced": False}
    assert found(enforced, loose, "forward") == [("CONTRACT_ENFORCEMENT_ADDED", "#/x-dbt-contract-enforced", False)]
    assert found(loose, enforced, "forward") == [("CONTRACT_ENFORCEMENT_REMOVED", "#/x-dbt-contract-enforced", True)]
    [change] = diff_contract_version("contract:orders@1", {"schema": enforced}, {"schema": loose}, "forward")
    assert change.breaking
    assert change.detail == ("the table: contract enforcement removed (x-dbt-contract-enforced: false) "
                             "(breaks forward compatibility)")


def test_sql_keywords_beside_a_ref_are_compared_where_written():
    def schema(sql: str) -> dict[str, Any]:
        return {"$defs": {"c": {"type": "integer"}}, "properties": {"a": {"$ref": "#/$defs/c", "x-sql-type": sql}}}
    expected = [("SQL_TYPE_CHANGED", "#/properties/a/x-sql-type", False)] * 2
    assert found(schema("int"), schema("text"), "full") == expected
    legacy = {**schema("int"), "$schema": "http://json-schema.org/draft-07/schema#"}  # $ref siblings: annotations
    assert [t for t, _, _ in found(legacy, {**schema("text"), "$schema": legacy["$schema"]})] == ["SQL_TYPE_CHANGED"]


def test_sql_keywords_of_a_referenced_schema_hold_unless_written_beside_the_ref():
    def schema(target: str, beside: dict[str, Any]) -> dict[str, Any]:
        return {"$defs": {"c": {"type": "integer", "x-sql-type": target}},
                "properties": {"a": {"$ref": "#/$defs/c", **beside}}}
    assert [t for t, _, _ in found(schema("int", {}), schema("text", {}))] == ["SQL_TYPE_CHANGED"]
    assert found(schema("int", {"x-sql-type": "int"}), schema("text", {"x-sql-type": "int"})) == []  # nearest wins
    plain = {"properties": {"a": {"type": "integer", "x-sql-type": "bigint"}}}
    assert [t for t, _, _ in found(schema("int", {}), plain)] == ["SQL_TYPE_CHANGED"]


def test_a_sql_change_inside_paired_branches_is_reported_in_the_branch():
    def schema(sql: str) -> dict[str, Any]:
        return table(id={"anyOf": [{"type": "integer", "x-sql-type": sql}, {"type": "null"}]})
    assert found(schema("int"), schema("text")) == [("SQL_TYPE_CHANGED", "#/properties/id/anyOf/0/x-sql-type", False)]
    one = table(id={"oneOf": [{"type": "integer", "x-sql-type": "int"}, {"type": "string", "x-sql-type": "text"}]})
    other = table(id={"oneOf": [{"type": "integer", "x-sql-type": "bigint"},
                                {"type": "string", "x-sql-type": "text"}]})
    assert found(one, other) == [("SQL_TYPE_CHANGED", "#/properties/id/oneOf/0/x-sql-type", False)]
    widened = table(id={"anyOf": [{"type": "integer", "x-sql-type": "text"}, {"type": "null"}]})
    assert sorted(t for t, _, _ in found(table(id=column("int")), widened)) == ["SQL_TYPE_CHANGED",
                                                                              "SUM_TYPE_EXTENDED"]


def test_a_true_column_schema_is_the_empty_schema_for_the_sql_keywords():
    before = table(id=column("int", "integer", NOT_NULL))
    for empty in (True, {}):
        after = {**table(), "properties": {"id": empty}, "required": ["id"]}
        sql = [c for c in found(before, after, "forward") if "x-sql" in c[1]]
        assert sql == [("ENFORCED_CONSTRAINT_ADDED", "#/properties/id/x-sql-constraints/not_null", False)]


@pytest.mark.parametrize(("keyword", "old", "new"), [("x-mlflow-dtype", "float64", "float32"),
                                                     ("x-mlflow-type", "double", "float"),
                                                     ("x-mlflow-type", "integer", "long")])
def test_mlflow_a_changed_declared_type_is_breaking_both_ways(keyword, old, new):
    """MLflow's signature enforcement rejects a tensor or a column of another type than the one declared."""
    def schema(declared: str) -> dict[str, Any]:
        return table(x={"type": "number", keyword: declared})
    path = f"#/properties/x/{keyword}"
    assert found(schema(old), schema(new), "full") == [("DECLARED_TYPE_CHANGED", path, False)] * 2
    [change] = diff_contract_version("contract:iris@1", {"schema": schema(old)}, {"schema": schema(new)}, "forward")
    assert change.breaking
    assert change.detail == f"column x: declared type ({keyword}) {old} → {new} (breaks forward compatibility)"


def test_dbt_no_sql_difference_when_the_contract_is_enforced_neither_before_nor_after():
    loose = {"x-dbt-contract-enforced": False}
    before = {**table(id=column("integer", "integer", NOT_NULL)), **loose}
    after = {**table(id=column("text", "string")), **loose}
    assert [t for t, _, _ in found(before, after, "full")] == ["TYPE_CHANGED", "TYPE_CHANGED"]  # the JSON type only
    enforced_after = table(id=column("text", "string"))
    assert "SQL_TYPE_CHANGED" in [t for t, _, _ in found(before, enforced_after, "forward")]
