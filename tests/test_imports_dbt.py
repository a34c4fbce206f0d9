"""``bot.imports.dbt``: a dbt manifest.json (built here as a dict, in the shapes dbt-core 1.5-1.11 write) into
Models and Contracts; dbt's facts the mapping relies on are named in the tests' names."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.imports.dbt import build
from bot.imports.model import Generated, ImportContext, Imported, SourceFile, SourceInvalid, manifest_name, settled
from bot.imports.overlay import apply, read_overlay
from bot.manifests.models import Contract, Model
from bot.policy.contract_diff import diff_contract_version
from tests.helpers import json_out, run_cli

PROJECT = "shop"


def column(name: str, data_type: str | None = "integer", *constraints: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": extra.pop("description", ""), "meta": {}, "data_type": data_type,
            "constraints": list(constraints), "quote": None, "tags": [], **extra}


def model_node(name: str, *columns: dict[str, Any], package: str = PROJECT, version: Any = None,
               latest: Any = None, enforced: bool = False, access: str = "protected", depends_on: tuple[str, ...] = (),
               materialized: str = "table", **extra: Any) -> dict[str, Any]:
    uid = f"model.{package}.{name}" + (f".v{version}" if version is not None else "")
    return {
        "unique_id": uid, "name": name, "resource_type": "model", "package_name": package,
        "original_file_path": f"models/{name}.sql", "path": f"{name}.sql", "description": extra.pop("description", ""),
        "config": {"enabled": True, "materialized": materialized, "contract": {"enforced": enforced,
                                                                               "alias_types": True},
                   "meta": extra.get("meta", {}), "group": extra.get("group")},
        "columns": {c["name"]: c for c in columns}, "meta": extra.pop("meta", {}), "group": extra.pop("group", None),
        "access": access, "version": version, "latest_version": latest, "constraints": extra.pop("constraints", []),
        "deprecation_date": extra.pop("deprecation_date", None),
        "depends_on": {"macros": [], "nodes": list(depends_on)},
        "refs": extra.pop("refs", []), **extra,
    }


def not_null_test(model_uid: str, column_name: str) -> dict[str, Any]:
    return {"unique_id": f"test.{PROJECT}.not_null_{column_name}.abc", "resource_type": "test", "name": "nn",
            "package_name": PROJECT, "test_metadata": {"name": "not_null", "kwargs": {"column_name": column_name}},
            "attached_node": model_uid, "column_name": column_name,
            "depends_on": {"macros": [], "nodes": [model_uid]}}


def manifest(*nodes: dict[str, Any], exposures: tuple[dict[str, Any], ...] = (),
             groups: tuple[dict[str, Any], ...] = (), schema: int = 12, adapter: str = "duckdb") -> dict[str, Any]:
    nodes, exposures, groups = copy.deepcopy((nodes, exposures, groups))  # a test may change what it gets
    return {
        "metadata": {"dbt_schema_version": f"https://schemas.getdbt.com/dbt/manifest/v{schema}.json",
                     "dbt_version": "1.11.0", "project_name": PROJECT, "adapter_type": adapter},
        "nodes": {n["unique_id"]: n for n in nodes},
        "exposures": {e["unique_id"]: e for e in exposures},
        "groups": {f"group.{PROJECT}.{g['name']}": g for g in groups},
        "sources": {}, "macros": {}, "docs": {}, "metrics": {}, "selectors": {}, "disabled": {},
    }


def exposure(name: str, kind: str, *depends_on: str, owner: dict[str, Any] | None = None,
             meta: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"unique_id": f"exposure.{PROJECT}.{name}", "name": name, "resource_type": "exposure", "type": kind,
            "package_name": PROJECT, "original_file_path": "models/exposures.yml",
            "owner": owner or {"name": "Ann", "email": "ann@example.com"}, "meta": meta or {}, "description": "",
            "depends_on": {"macros": [], "nodes": list(depends_on)}}


def run(document: Any, context: ImportContext | None = None) -> Imported:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return build([SourceFile("target/manifest.json", data)], context or ImportContext())


def files(imported: Imported) -> dict[str, dict[str, Any]]:
    return {g.path: g.document for g in imported.files}


def invalid(document: Any) -> SourceInvalid:
    with pytest.raises(SourceInvalid) as caught:
        run(document)
    return caught.value


ORDERS = model_node("orders", column("id", "integer", {"type": "not_null"}), column("note", "varchar(10)"),
                    enforced=True, access="public")
REPORT = model_node("daily_report", column("day", "date"), depends_on=("model.shop.orders", "source.shop.raw.x"))


# ---- what becomes a Model and a Contract ----

def test_every_root_model_is_a_model_and_a_depended_on_model_provides_a_contract():
    stg = model_node("stg_orders", column("id"))
    report = model_node("daily_report", column("day", "date"), depends_on=("model.shop.stg_orders",))
    out = files(run(manifest(stg, report)))
    assert sorted(out) == ["contracts/stg-orders.yaml", "models/daily-report.yaml", "models/stg-orders.yaml"]
    assert out["models/stg-orders.yaml"]["spec"] == {"version": "1.0.0",
                                                     "provides": [{"contract": "stg-orders", "version": 1}]}
    assert out["models/daily-report.yaml"]["spec"] == {"version": "1.0.0",
                                                       "consumes": [{"contract": "stg-orders", "version": 1}]}


def test_every_generated_document_is_a_valid_manifest_labelled_as_imported_from_dbt():
    imported = run(manifest(ORDERS, REPORT))
    for generated in imported.files:
        typed = {"Model": Model, "Contract": Contract}[generated.document["kind"]].model_validate(generated.document)
        assert typed.metadata.labels == {"modelgate.dev/imported-from": "dbt"}
        assert list(generated.document) == ["apiVersion", "kind", "metadata", "spec"]


def test_dbt_an_enforced_contract_or_public_access_provides_a_contract_without_a_consumer():
    public = model_node("public_one", column("a"), access="public")
    enforced = model_node("enforced_one", column("a"), enforced=True)
    plain = model_node("plain", column("a"))
    out = files(run(manifest(public, enforced, plain)))
    assert sorted(p for p in out if p.startswith("contracts/")) == ["contracts/enforced-one.yaml",
                                                                    "contracts/public-one.yaml"]


def test_package_models_are_models_only_with_include_packages_but_provide_the_contracts_refs_need():
    package = model_node("util", column("a"), package="utils")
    mine = model_node("mine", column("a"), depends_on=("model.utils.util",))
    plain = sorted(files(run(manifest(package, mine))))
    assert plain == ["contracts/util.yaml", "models/mine.yaml"]
    everything = sorted(files(run(manifest(package, mine), ImportContext(include_packages=True))))
    assert everything == ["contracts/util.yaml", "models/mine.yaml", "models/util.yaml"]


def test_names_are_mapped_to_manifest_names():
    assert manifest_name("stg_Orders.v2 x") == "stg-orders-v2-x"
    assert manifest_name("__a$b") == "ab"
    assert len(manifest_name("x" * 100)) == 63


def test_two_dbt_objects_mapping_to_one_name_are_refused_naming_both():
    first = model_node("stg_orders", column("a"), access="public")
    second = model_node("stg.orders", column("a"), access="public")
    second["unique_id"] = "model.shop.stg.orders"
    error = invalid(manifest(first, second))
    assert "model.shop.stg_orders" in error.message and "model.shop.stg.orders" in error.message


# ---- columns into a JSON Schema ----

def test_columns_are_required_properties_typed_from_data_type_with_the_sql_type_kept():
    schema = files(run(manifest(ORDERS)))["contracts/orders.yaml"]["spec"]["versions"][0]["schema"]
    assert schema["type"] == "object"
    assert schema["required"] == ["id", "note"]
    assert "additionalProperties" not in schema  # an added column is compatible under forward
    assert schema["properties"]["id"] == {"type": "integer", "x-sql-type": "integer",
                                          "x-sql-constraints": [{"type": "not_null", "enforced": True}]}
    assert schema["properties"]["note"] == {"type": ["string", "null"], "x-sql-type": "varchar(10)"}


def test_dbt_a_not_null_test_attached_to_a_column_removes_null():
    node = model_node("orders", column("id"), column("other"), access="public")
    test = not_null_test("model.shop.orders", "id")
    schema = files(run(manifest(node, test)))["contracts/orders.yaml"]["spec"]["versions"][0]["schema"]
    assert schema["properties"]["id"]["type"] == "integer"
    assert schema["properties"]["other"]["type"] == ["integer", "null"]


def test_an_unknown_sql_type_leaves_the_json_type_open_keeps_the_sql_type_and_notices():
    node = model_node("geo", column("shape", "geography"), column("id", "geography", {"type": "not_null"}),
                      access="public")
    imported = run(manifest(node))
    properties = files(imported)["contracts/geo.yaml"]["spec"]["versions"][0]["schema"]["properties"]
    assert properties["shape"] == {"x-sql-type": "geography"}
    assert properties["id"]["not"] == {"type": "null"}
    assert [n.pointer for n in imported.notices if "geography" in n.message] == [
        "/nodes/model.shop.geo/columns/shape/data_type", "/nodes/model.shop.geo/columns/id/data_type"]


def test_a_column_without_data_type_is_open_and_noticed_once_per_model():
    node = model_node("loose", column("a", None), column("b", None), access="public")
    imported = run(manifest(node))
    assert files(imported)["contracts/loose.yaml"]["spec"]["versions"][0]["schema"]["properties"]["a"] == {}
    assert [n.message for n in imported.notices if "without a data_type" in n.message] == [
        "columns of model.shop.loose without a data_type (a, b): their JSON type is left open"]


def test_dbt_a_contract_not_enforced_is_marked_and_its_constraints_are_not_enforced():
    node = model_node("soft", column("id", "integer", {"type": "not_null"}), access="public")
    schema = files(run(manifest(node)))["contracts/soft.yaml"]["spec"]["versions"][0]["schema"]
    assert schema["x-dbt-contract-enforced"] is False
    assert schema["properties"]["id"]["x-sql-constraints"] == [{"type": "not_null", "enforced": False}]


@pytest.mark.parametrize(("adapter", "materialized", "enforced"), [
    ("duckdb", "table", {"not_null", "unique", "check", "primary_key", "foreign_key"}),
    ("redshift", "table", {"not_null"}),
    ("postgres", "table", {"not_null", "unique", "check", "primary_key", "foreign_key"}),
    ("snowflake", "table", {"not_null"}), ("bigquery", "table", {"not_null"}), ("trino", "table", {"not_null"}),
    ("databricks", "table", {"not_null", "check"}), ("spark", "table", set()),
    ("somethingelse", "incremental", {"not_null", "foreign_key"}),  # dbt-adapters' base table
    ("duckdb", "view", set()),  # dbt: a view applies no constraints
])
def test_dbt_a_constraint_is_enforced_by_adapter_and_materialization(adapter, materialized, enforced):
    kinds = ("not_null", "unique", "check", "primary_key", "foreign_key")
    node = model_node("t", column("id", "integer", *({"type": k} for k in kinds)), enforced=True,
                      materialized=materialized)
    schema = files(run(manifest(node, adapter=adapter)))["contracts/t.yaml"]["spec"]["versions"][0]["schema"]
    marked = {c["type"] for c in schema["properties"]["id"]["x-sql-constraints"] if c["enforced"]}
    assert marked == enforced


def test_an_adapter_not_in_the_table_is_read_with_the_base_table_and_noticed_once():
    nodes = [model_node(name, column("id", "integer", {"type": "unique"}), enforced=True) for name in ("a", "b")]
    imported = run(manifest(*nodes, adapter="somethingelse"))
    assert [n.pointer for n in imported.notices if "somethingelse" in n.message] == ["/metadata/adapter_type"]


def test_model_level_constraints_are_kept_at_the_root():
    node = model_node("t", column("id"), enforced=True,
                      constraints=[{"type": "primary_key", "columns": ["id"], "name": None, "expression": None}])
    schema = files(run(manifest(node)))["contracts/t.yaml"]["spec"]["versions"][0]["schema"]
    assert schema["x-sql-constraints"] == [{"type": "primary_key", "columns": ["id"], "enforced": True}]


# ---- versions, deprecation ----

def versioned() -> list[dict[str, Any]]:
    v1 = model_node("customers", column("id"), column("name", "text"), version=1, latest=2, enforced=True,
                    deprecation_date="2026-06-01T00:00:00+00:00")
    v2 = model_node("customers", column("id"), column("full_name", "text"), version=2, latest=2, enforced=True)
    pinned = model_node("legacy", column("id"), depends_on=("model.shop.customers.v1",),
                        refs=[{"name": "customers", "package": None, "version": 1}])
    latest = model_node("fresh", column("id"), depends_on=("model.shop.customers.v2",),
                        refs=[{"name": "customers", "package": None, "version": None}])
    return [v1, v2, pinned, latest]


def test_dbt_each_model_version_is_a_contract_version_and_latest_version_is_the_model_version():
    out = files(run(manifest(*versioned())))
    contract = out["contracts/customers.yaml"]
    assert [v["version"] for v in contract["spec"]["versions"]] == [1, 2]
    assert out["models/customers.yaml"]["spec"] == {
        "version": "2.0.0",
        "provides": [{"contract": "customers", "version": 1}, {"contract": "customers", "version": 2}]}


def test_what_the_overlay_supplies_is_no_longer_noticed():
    """The deprecation's announcement and guide, and an owner, are noticed until the overlay gives them; once it
    does, the import says nothing of them (a notice that repeats what is done is noise)."""
    imported = run(manifest(*versioned()))
    documents = [f.document for f in imported.files]
    deprecation = [n for n in imported.notices if "is deprecated" in n.message]
    ownerless = [n for n in imported.notices if "model 'legacy' has no owner" in n.message]
    assert len(deprecation) == 1 and len(ownerless) == 1
    assert not settled(deprecation[0], documents) and not settled(ownerless[0], documents)
    overlay = read_overlay("modelgate-overlay.yaml", (
        b"models:\n  legacy: {metadata: {owners: ['@acme/legacy']}}\n"
        b"contracts:\n  customers:\n    spec:\n      versions:\n"
        b"        1: {deprecation: {announced: 2026-01-05}}\n"))
    half = [f.document for f in apply(overlay, list(imported.files))]
    assert settled(ownerless[0], half) and not settled(deprecation[0], half)  # migration still missing
    overlay = read_overlay("modelgate-overlay.yaml", (
        b"contracts:\n  customers:\n    spec:\n      versions:\n"
        b"        1: {deprecation: {announced: 2026-01-05, migration: docs/customers-v2.md}}\n"))
    assert settled(deprecation[0], [f.document for f in apply(overlay, list(imported.files))])


def test_dbt_deprecation_date_makes_the_version_deprecated_with_its_sunset_and_latest_as_replacement():
    imported = run(manifest(*versioned()))
    first = files(imported)["contracts/customers.yaml"]["spec"]["versions"][0]
    assert first["status"] == "deprecated"
    assert first["deprecation"] == {"sunset": dt.date(2026, 6, 1), "replacement": 2}
    [notice] = [n for n in imported.notices if "deprecated" in n.message]
    assert "contracts.customers.spec.versions.1.deprecation: {announced: YYYY-MM-DD, migration:" in notice.message
    assert notice.pointer == "/nodes/model.shop.customers.v1/deprecation_date"


def test_dbt_a_ref_pinned_to_a_version_consumes_it_and_an_unpinned_ref_consumes_the_latest():
    out = files(run(manifest(*versioned())))
    assert out["models/legacy.yaml"]["spec"]["consumes"] == [{"contract": "customers", "version": 1}]
    assert out["models/fresh.yaml"]["spec"]["consumes"] == [{"contract": "customers", "version": 2}]


def test_dbt_versions_written_as_strings_are_read_as_numbers():
    nodes = versioned()
    for node in nodes[:2]:
        node["version"], node["latest_version"] = str(node["version"]), "2"
    contract = files(run(manifest(*nodes)))["contracts/customers.yaml"]
    assert [v["version"] for v in contract["spec"]["versions"]] == [1, 2]


@pytest.mark.parametrize("version", ["beta", "1.5", 1.5, 0, "0"])
def test_dbt_a_version_that_is_no_whole_number_is_left_out_with_a_notice_at_its_pointer(version):
    """dbt allows any string or number as a model version; a contract version is a whole number of 1 or more: that
    version alone is left out, named in a notice, and the rest is imported."""
    nodes = versioned()
    nodes[0]["version"] = version
    imported = run(manifest(*nodes))
    [notice] = [n for n in imported.notices if n.pointer == "/nodes/model.shop.customers.v1/version"]
    assert "model.shop.customers.v1 is not imported" in notice.message
    assert [v["version"] for v in files(imported)["contracts/customers.yaml"]["spec"]["versions"]] == [2]


def test_dbt_a_latest_version_that_is_no_whole_number_is_read_as_unset_with_a_notice():
    nodes = versioned()
    for node in nodes:
        node["latest_version"] = "1.5"
    imported = run(manifest(*nodes))
    assert any(n.pointer == "/nodes/model.shop.customers.v1/latest_version" for n in imported.notices)
    assert [v["version"] for v in files(imported)["contracts/customers.yaml"]["spec"]["versions"]] == [1, 2]


# ---- exposures, owners ----

def test_dbt_an_ml_exposure_is_a_model_consuming_what_it_depends_on_and_other_exposures_are_noticed():
    ml = exposure("churn_model", "ml", "model.shop.orders", meta={"owner": "@acme/ml"})
    dashboard = exposure("revenue", "dashboard", "model.shop.orders")
    imported = run(manifest(ORDERS, exposures=(ml, dashboard)))
    out = files(imported)
    assert out["models/churn-model.yaml"]["spec"] == {"version": "1.0.0",
                                                      "consumes": [{"contract": "orders", "version": 1}]}
    assert out["models/churn-model.yaml"]["metadata"]["owners"] == ["@acme/ml"]
    assert "models/revenue.yaml" not in out
    assert [n.pointer for n in imported.notices if "revenue" in n.message] == [
        "/exposures/exposure.shop.revenue/type"]


def test_owners_come_from_meta_then_the_group_owner_then_codeowners():
    from_meta = model_node("a", column("x"), meta={"owner": "@acme/a"})
    from_group = model_node("b", column("x"), group="finance")
    from_codeowners = model_node("c", column("x"))
    finance = {"name": "finance", "resource_type": "group", "package_name": PROJECT,
               "owner": {"name": "Finance", "email": "fin@example.com", "github": "@acme/finance"}}
    asked: list[str] = []

    def owners_for(path: str) -> tuple[str, ...]:
        asked.append(path)
        return ("@acme/fallback",)

    out = files(run(manifest(from_meta, from_group, from_codeowners, groups=(finance,)),
                    ImportContext(owners_for=owners_for, base_dir="analytics")))
    assert out["models/a.yaml"]["metadata"]["owners"] == ["@acme/a"]
    assert out["models/b.yaml"]["metadata"]["owners"] == ["@acme/finance"]
    assert out["models/c.yaml"]["metadata"]["owners"] == ["@acme/fallback"]
    assert asked == ["analytics/models/c.sql"]


def test_a_package_model_is_never_owned_through_the_root_projects_codeowners():
    """A package's ``original_file_path`` is relative to the package: ``models/dim_date.sql`` of package ``utils``
    is not the root project's ``models/dim_date.sql``, so CODEOWNERS is not asked (it would name the wrong team);
    the owner comes from the package model's meta or group, else a notice."""
    package = model_node("dim_date", column("d"), package="utils")
    mine = model_node("mine", column("a"), depends_on=("model.utils.dim_date",))
    asked: list[str] = []

    def owners_for(path: str) -> tuple[str, ...]:
        asked.append(path)
        return ("@acme/root-team",)

    imported = run(manifest(package, mine), ImportContext(owners_for=owners_for, base_dir="analytics",
                                                          include_packages=True))
    out = files(imported)
    assert "owners" not in out["models/dim-date.yaml"]["metadata"]
    assert "owners" not in out["contracts/dim-date.yaml"]["metadata"]
    assert out["models/mine.yaml"]["metadata"]["owners"] == ["@acme/root-team"]
    assert asked == ["analytics/models/mine.sql"]
    assert any("model 'dim-date' has no owner" in n.message and "its file (not in this project)" in n.message
               for n in imported.notices)


def test_dbt_an_owner_with_only_name_and_email_is_no_handle_and_is_noticed():
    finance = {"name": "finance", "resource_type": "group", "package_name": PROJECT,
               "owner": {"name": "Finance team", "email": "fin@example.com"}}
    node = model_node("b", column("x"), group="finance")
    imported = run(manifest(node, groups=(finance,)))
    assert "owners" not in files(imported)["models/b.yaml"]["metadata"]
    assert any(n.message.startswith("model 'b' has no owner") for n in imported.notices)


# ---- the two tools agree on what breaks a contracted model ----

def schema_change(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, bool]]:
    """The contract diff of the first version of ``orders`` between two imports, as ``check`` makes it."""
    def version(doc: dict[str, Any]) -> dict[str, Any]:
        contract = files(run(doc))["contracts/orders.yaml"]
        return dict(contract["spec"]["versions"][0])
    changes = diff_contract_version("contract:orders@1", version(before), version(after), "forward")
    return [(c.type, c.breaking) for c in changes]


def changed(mutate: Any) -> dict[str, Any]:
    node = copy.deepcopy(ORDERS)
    mutate(node)
    return manifest(node)


def test_dbt_a_removed_column_is_breaking():
    after = changed(lambda n: n["columns"].pop("note"))
    assert any(breaking for _, breaking in schema_change(manifest(ORDERS), after))


def test_dbt_a_changed_base_data_type_is_breaking():
    after = changed(lambda n: n["columns"]["id"].update(data_type="bigint"))
    assert ("SQL_TYPE_CHANGED", True) in schema_change(manifest(ORDERS), after)


def test_dbt_a_removed_enforced_constraint_is_breaking():
    after = changed(lambda n: n["columns"]["id"].update(constraints=[]))
    assert ("ENFORCED_CONSTRAINT_REMOVED", True) in schema_change(manifest(ORDERS), after)


def test_dbt_a_changed_size_is_not_a_breaking_change():
    after = changed(lambda n: n["columns"]["note"].update(data_type="varchar(20)"))
    assert schema_change(manifest(ORDERS), after) == []


def test_dbt_an_added_column_is_not_breaking():
    after = changed(lambda n: n["columns"].update(extra=column("extra", "text")))
    assert not any(breaking for _, breaking in schema_change(manifest(ORDERS), after))


# ---- bad input: one error, with its pointer ----

@pytest.mark.parametrize("version", [8, 13, None])
def test_an_unsupported_manifest_schema_version_is_refused_naming_the_supported_range(version):
    document = manifest(ORDERS)
    if version is None:
        del document["metadata"]["dbt_schema_version"]
    else:
        document["metadata"]["dbt_schema_version"] = f"https://schemas.getdbt.com/dbt/manifest/v{version}.json"
    error = invalid(document)
    assert error.pointer == "/metadata/dbt_schema_version"
    assert "v9 to v12" in error.message


def test_a_truncated_manifest_is_refused_with_line_and_column():
    text = json.dumps(manifest(ORDERS), indent=1)
    error = invalid(text[: len(text) // 2].encode())
    assert error.pointer is None
    assert "line " in error.message and "column " in error.message and "truncated" in error.message


@pytest.mark.parametrize(("data", "fragment"), [(b"", "empty"), (b"\xff\xfe", "UTF-8"), (b"[1]", "an object")])
def test_unreadable_bytes_are_one_clear_error(data, fragment):
    assert fragment in invalid(data).message


@pytest.mark.parametrize(("mutate", "where"), [
    (lambda d: d["nodes"].update({"model.shop.bad": 3}), "/nodes/model.shop.bad"),
    (lambda d: d["nodes"]["model.shop.orders"].update(columns=[1]), "/nodes/model.shop.orders/columns"),
    (lambda d: d["nodes"]["model.shop.orders"]["columns"].update(id="x"), "/nodes/model.shop.orders/columns/id"),
    (lambda d: d["nodes"]["model.shop.orders"]["columns"]["id"].update(data_type=3),
     "/nodes/model.shop.orders/columns/id/data_type"),
    (lambda d: d["nodes"]["model.shop.orders"]["columns"]["id"].update(constraints=[None]),
     "/nodes/model.shop.orders/columns/id/constraints/0"),
    (lambda d: d["nodes"]["model.shop.orders"].update(depends_on={"nodes": "x"}),
     "/nodes/model.shop.orders/depends_on/nodes"),
    (lambda d: d["nodes"]["model.shop.orders"]["config"]["contract"].update(enforced="yes"),
     "/nodes/model.shop.orders/config/contract/enforced"),
    (lambda d: d["nodes"]["model.shop.orders"].update(deprecation_date="soon"),
     "/nodes/model.shop.orders/deprecation_date"),
    (lambda d: d.update(exposures={"exposure.shop.x": []}), "/exposures/exposure.shop.x"),
    (lambda d: d["metadata"].pop("project_name"), "/metadata/project_name"),
    (lambda d: d.update(nodes={"model.a/b~c": "x"}), "/nodes/model.a~1b~0c"),
])
def test_a_wrong_shape_is_refused_with_its_json_pointer_never_a_traceback(mutate, where):
    document = manifest(ORDERS)
    mutate(document)
    assert invalid(document).pointer == where


def test_more_than_one_manifest_is_refused():
    with pytest.raises(SourceInvalid, match=r"one manifest\.json"):
        build([SourceFile("a.json", b"{}"), SourceFile("b.json", b"{}")], ImportContext())


def test_the_import_is_stable_and_leaves_out_nothing_in_silence():
    document = manifest(ORDERS, REPORT)
    first, second = run(document), run(document)
    assert first == second
    assert [g.path for g in first.files] == sorted(g.path for g in first.files)
    assert any(n.message.startswith("1 dependency on sources, seeds, snapshots") for n in first.notices)
    assert all(isinstance(g, Generated) for g in first.files)


def write(imported: Imported, root: Path) -> Path:
    for generated in imported.files:
        target = root / generated.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(generated.document, sort_keys=False), encoding="utf-8")
    return root


def test_dbt_a_contracted_version_deleted_before_its_deprecation_date_is_breaking_in_check(tmp_path):
    owners = ImportContext(owners_for=lambda _path: ("@acme/data",))
    nodes = versioned()
    base = write(run(manifest(*nodes), owners), tmp_path / "base")
    head = write(run(manifest(*nodes[1:2], nodes[3]), owners), tmp_path / "head")
    done = run_cli("check", "--base", str(base), "--head", str(head), "--today", "2026-01-15", "--format", "json")
    rules = {f["rule"] for f in json_out(done)["findings"]}
    assert "MG102" in rules, done.stdout  # removed before its sunset
    assert done.returncode == 1


def test_dbt_contract_enforcement_removed_is_breaking():
    after = changed(lambda n: n["config"]["contract"].update(enforced=False))
    assert ("CONTRACT_ENFORCEMENT_REMOVED", True) in schema_change(manifest(ORDERS), after)
