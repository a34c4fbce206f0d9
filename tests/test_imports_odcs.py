"""``bot.imports.odcs``: ODCS v3 documents into Contracts; validation by the standard's package; bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.export import odcs as export
from bot.imports import odcs
from bot.imports.model import ImportContext, Imported, SourceFile, SourceInvalid
from bot.manifests.models import Contract
from tests.helpers import dedent, run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "odcs"

ORDERS = dedent("""
    apiVersion: v3.0.2
    kind: DataContract
    id: 53581432-6c55-4ba2-a65f-72344a91553b
    name: Orders
    version: 2.1.0
    status: active
    domain: sales
    dataProduct: shop
    description:
      purpose: Orders placed in the web shop.
    team:
      - username: "@acme/sales-data"
        role: owner
      - username: jane@example.com
    schema:
      - name: orders_latest
        logicalType: object
        properties:
          - name: order_id
            logicalType: string
            physicalType: varchar(36)
            required: true
            primaryKey: true
            logicalTypeOptions: {format: uuid}
          - name: amount
            logicalType: number
            logicalTypeOptions: {minimum: 0, exclusiveMaximum: 100000}
            examples: [12.5]
          - name: placed_on
            logicalType: date
            required: true
          - name: channel
            logicalType: string
            enum: [{value: web}, {value: app}]
          - name: tags
            logicalType: array
            logicalTypeOptions: {maxItems: 5}
            items: {logicalType: string, required: true}
          - name: customer
            logicalType: object
            required: true
            properties:
              - {name: id, logicalType: integer, required: true, logicalTypeOptions: {format: i64}}
              - {name: email, logicalType: string}
    slaProperties:
      - {property: latency, value: 4, unit: d}
      - {property: retention, value: 3, unit: y}
      - {property: availability, value: 99.95, unit: percent}
      - {property: latencyP99, value: 0.25, unit: s}
    """)
TEAM = 'team:\n  - username: "@acme/sales-data"\n    role: owner\n  - username: jane@example.com\n'
assert TEAM in ORDERS


def source(text: str | bytes, path: str = "contracts/orders.odcs.yaml") -> SourceFile:
    return SourceFile(path, text.encode() if isinstance(text, str) else text)


def imported(*texts: str, context: ImportContext | None = None) -> Imported:
    return odcs.build([source(text, f"odcs/{index}.odcs.yaml") for index, text in enumerate(texts)],
                      context or ImportContext())


def only(result: Imported) -> dict[str, Any]:
    assert len(result.files) == 1
    return result.files[0].document


def messages(result: Imported) -> list[str]:
    return [f"{n.source}#{n.pointer}: {n.message}" if n.pointer else f"{n.source}: {n.message}"
            for n in result.notices]


def test_a_document_is_a_contract_per_schema_object_with_the_major_as_its_version():
    result = imported(ORDERS)
    doc = only(result)
    assert result.tool == "odcs" and result.files[0].path == "contracts/orders-latest.yaml"
    assert result.files[0].origin == "odcs/0.odcs.yaml#/schema/0"
    Contract.model_validate(doc)  # a valid manifest as it is
    assert doc["metadata"] == {
        "name": "orders-latest", "owners": ["@acme/sales-data"], "description": "Orders placed in the web shop.",
        "labels": {"modelgate.dev/imported-from": "odcs", "modelgate.dev/odcs-domain": "sales",
                   "modelgate.dev/odcs-data-product": "shop"}}
    (version,) = doc["spec"]["versions"]
    assert list(version) == ["version", "status", "schema", "slo"]
    assert version["version"] == 2 and version["status"] == "active"
    assert version["slo"] == {"freshness_s": 345600, "availability": 0.9995, "latency_p99_ms": 250}
    assert version["schema"] == {
        "type": "object",
        "properties": {
            "order_id": {"type": "string", "x-sql-type": "varchar(36)", "format": "uuid", "x-odcs-primaryKey": True},
            "amount": {"type": ["number", "null"], "examples": [12.5], "minimum": 0, "exclusiveMaximum": 100000},
            "placed_on": {"type": "string", "format": "date"},
            "channel": {"type": ["string", "null"], "enum": ["web", "app", None]},
            "tags": {"type": ["array", "null"], "maxItems": 5, "items": {"type": "string"}},
            "customer": {
                "type": "object",
                "properties": {"id": {"type": "integer", "x-odcs-logicalTypeOptions": {"format": "i64"}},
                               "email": {"type": ["string", "null"]}},
                "required": ["id"]},
        },
        "required": ["order_id", "placed_on", "customer"]}


def test_what_has_no_place_is_a_notice_never_dropped_in_silence():
    said = messages(imported(ORDERS))
    assert any("jane@example.com: not a GitHub handle" in line and "#/team" in line for line in said)
    assert not any("overlay" in line for line in said)  # @acme/sales-data is the owner: nothing to name
    assert any("#/slaProperties/1: SLA property retention" in line for line in said)
    assert len(said) == 2


@pytest.mark.parametrize(("status", "expected"), [
    ("active", ("active", None)), ("deprecated", ("deprecated", None)), ("retired", ("retired", None)),
    ("draft", ("active", "alpha")), ("proposed", ("active", "alpha"))])
def test_status_maps_to_status_and_stability(status, expected):
    (version,) = only(imported(ORDERS.replace("status: active", f"status: {status}")))["spec"]["versions"]
    assert (version["status"], version.get("stability")) == expected


def test_an_unknown_status_is_active_and_said():
    result = imported(ORDERS.replace("status: active", "status: sunsetting"))
    assert only(result)["spec"]["versions"][0]["status"] == "active"
    assert any("#/status: status 'sunsetting' is none of" in line for line in messages(result))


def test_documents_of_one_contract_are_its_versions_and_one_version_twice_is_refused():
    v1 = ORDERS.replace("version: 2.1.0", "version: 1.4.2").replace("status: active", "status: deprecated")
    doc = only(imported(ORDERS, v1))
    assert [(v["version"], v["status"]) for v in doc["spec"]["versions"]] == [(2, "active"), (1, "deprecated")]
    with pytest.raises(SourceInvalid) as caught:
        imported(ORDERS, ORDERS.replace("version: 2.1.0", "version: 2.2.0"))
    assert str(caught.value).startswith("odcs/1.odcs.yaml#/schema/0: odcs/1.odcs.yaml#/schema/0 is version 2 of "
                                        "the contract orders-latest, as odcs/0.odcs.yaml#/schema/0 is already")


def test_a_version_before_one_is_version_one_and_said():
    result = imported(ORDERS.replace("version: 2.1.0", "version: 0.3.0"))
    assert only(result)["spec"]["versions"][0]["version"] == 1
    assert any("#/version: version 0.3.0 is before 1.0.0" in line for line in messages(result))


def test_owners_come_from_codeowners_of_the_file_when_no_member_is_a_handle():
    text = ORDERS.replace('"@acme/sales-data"', "sales-team")
    asked: list[str] = []

    def owners_for(path: str) -> tuple[str, ...]:
        asked.append(path)
        return ("@acme/platform",)

    result = imported(text, context=ImportContext(owners_for=owners_for, base_dir="data"))
    assert only(result)["metadata"]["owners"] == ["@acme/platform"]
    assert asked == ["data/odcs/0.odcs.yaml"]
    assert messages(result) == ["odcs/0.odcs.yaml#/team: team member(s) sales-team, jane@example.com: not a GitHub "
                                "handle (@login or @org/team), not made owners",
                                "odcs/0.odcs.yaml#/slaProperties/1: SLA property retention: modelgate's SLO has no "
                                "counterpart (it keeps latency, availability and latencyP99): not imported"]
    result = imported(text)
    assert "owners" not in only(result)["metadata"]
    assert messages(result)[0] == ("odcs/0.odcs.yaml#/team: team member(s) sales-team, jane@example.com: not a "
                                   "GitHub handle (@login or @org/team), and no CODEOWNERS rule names the file: no "
                                   "owner; name the owners in the overlay")


def test_a_team_object_of_odcs_3_1_names_owners_by_its_name_and_members():
    text = ORDERS.replace(TEAM, 'team:\n  name: "@acme/sales"\n  members:\n    - {username: "@mei", role: owner}\n')
    assert only(imported(text))["metadata"]["owners"] == ["@acme/sales", "@mei"]


@pytest.mark.parametrize(("entry", "slo"), [
    ("{property: latency, value: 90, unit: min}", {"freshness_s": 5400}),
    ("{property: latency, value: 1.5, unit: h}", {"freshness_s": 5400}),
    ("{property: latency, value: 500, unit: ms}", {"freshness_s": 0.5}),
    ("{property: availability, value: 0.999}", {"availability": 0.999}),
    ("{property: availability, value: 99.9, unit: '%'}", {"availability": 0.999}),
    ("{property: latencyP99, value: 40, unit: ms}", {"latency_p99_ms": 40}),
])
def test_sla_properties_convert_their_units_exactly(entry, slo):
    text = ORDERS.split("slaProperties:")[0] + f"slaProperties:\n  - {entry}\n"
    assert only(imported(text))["spec"]["versions"][0]["slo"] == slo


def test_an_sla_in_a_unit_that_does_not_convert_exactly_is_said():
    text = ORDERS.split("slaProperties:")[0] + "slaProperties:\n  - {property: latency, value: 1, unit: y}\n"
    result = imported(text)
    assert "slo" not in only(result)["spec"]["versions"][0]
    assert any("#/slaProperties/0: SLA property latency = 1 y" in line for line in messages(result))


def test_a_yaml_file_that_is_not_odcs_is_skipped_with_a_notice():
    other = "apiVersion: v1.0.0\nkind: DataProduct\nid: x\n"
    result = imported(ORDERS, other)
    assert len(result.files) == 1
    assert "odcs/1.odcs.yaml: not an ODCS data contract (no kind: DataContract): skipped" in messages(result)


def test_no_odcs_document_at_all_is_an_error():
    with pytest.raises(SourceInvalid, match=r"^odcs/0.odcs.yaml: no ODCS data contract"):
        imported("a: 1\n")


@pytest.mark.parametrize(("text", "expected"), [
    ("apiVersion: v3.0.2\nkind: DataContract\nid: [unclosed\n", "odcs/0.odcs.yaml: not readable YAML: line "),
    (ORDERS.replace("apiVersion: v3.0.2", "apiVersion: v2.2.2"),
     "odcs/0.odcs.yaml#/apiVersion: apiVersion 'v2.2.2' is not ODCS v3"),
    (ORDERS.replace("kind: DataContract", "kind: datacontract"),
     "odcs/0.odcs.yaml#/kind: kind 'datacontract' is not ODCS's: write kind: DataContract"),
    (ORDERS.replace("logicalType: number", "logicalType: decimal"),
     "odcs/0.odcs.yaml#/schema/0/properties/1/logicalType: does not follow the standard: 'decimal' is not one of"),
    (ORDERS.replace(TEAM, "team: 7\n"), "odcs/0.odcs.yaml#/team: does not follow the standard: "),
    (ORDERS.replace("id: 53581432-6c55-4ba2-a65f-72344a91553b\n", ""),
     "odcs/0.odcs.yaml#/: does not follow the standard: 'id' is a required property"),
    (ORDERS.replace("logicalTypeOptions: {format: uuid}", "logicalTypeOptions: {minimum: 3}"),
     "odcs/0.odcs.yaml#/schema/0/properties/0/logicalTypeOptions: does not follow the standard: Additional "
     "properties are not allowed ('minimum' was unexpected)"),
    (ORDERS.replace("      - name: amount\n        logicalType: number\n", "      - name: amount\n"),
     "odcs/0.odcs.yaml#/schema/0/properties/1: does not follow the standard: the property has no logicalType"),
    (ORDERS.replace("version: 2.1.0", "version: latest"), "odcs/0.odcs.yaml#/version: version 'latest' has no "
     "major number"),
    (ORDERS.replace("version: 2.1.0", "version: 2.0"), "odcs/0.odcs.yaml#/version: does not follow the standard: "
     "Input should be a valid string"),
])
def test_bad_input_is_one_error_naming_the_file_and_the_pointer(text, expected):
    with pytest.raises(SourceInvalid) as caught:
        imported(text)
    assert str(caught.value).startswith(expected), str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_modelgate_custom_property_that_makes_no_valid_manifest_is_one_error():
    text = ORDERS + "customProperties:\n  - {property: compatibility, value: sideways, vendor: modelgate}\n"
    with pytest.raises(SourceInvalid) as caught:
        imported(text)
    assert str(caught.value).startswith("odcs/0.odcs.yaml#/schema/0: the contract orders-latest it makes is not a "
                                        "valid manifest: spec.compatibility: Input should be")


def test_maps_and_vectors_are_objects_and_arrays():
    text = ORDERS.replace("""      - name: placed_on
        logicalType: date
        required: true
""", """      - name: placed_on
        logicalType: date
        required: true
      - name: attributes
        logicalType: map
        required: true
        map: {key: {logicalType: string, required: true}, value: {logicalType: integer, required: true}}
      - name: embedding
        logicalType: vector
        required: true
        logicalTypeOptions: {dimensions: 3, elementType: float32}
""")
    props = only(imported(text))["spec"]["versions"][0]["schema"]["properties"]
    assert props["attributes"] == {"type": "object", "x-odcs-logicalType": "map",
                                   "additionalProperties": {"type": "integer"},
                                   "x-odcs-mapKey": {"logicalType": "string", "required": True}}
    assert props["embedding"] == {"type": "array", "x-odcs-logicalType": "vector", "items": {"type": "number"},
                                  "minItems": 3, "maxItems": 3,
                                  "x-odcs-logicalTypeOptions": {"dimensions": 3, "elementType": "float32"}}


def test_a_document_failing_the_pydantic_model_names_the_pointer_of_its_first_error():
    text = ORDERS.replace("    dataProduct: shop\n", "").replace("dataProduct: shop", "dataProduct: [a, b]")
    with pytest.raises(SourceInvalid) as caught:
        imported(text)
    assert str(caught.value).startswith("odcs/0.odcs.yaml#/dataProduct: does not follow the standard: Input should "
                                        "be a valid string")


def test_an_alias_bomb_is_bounded():
    lines = ["apiVersion: v3.0.2", "kind: DataContract", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join(f'*a{n - 1}' for _ in range(10))}]" for n in range(1, 9)]
    with pytest.raises(SourceInvalid, match=r"^odcs/0.odcs.yaml: not readable YAML: line \d+: the document "
                                            r"expands to more than"):
        imported("\n".join(lines) + "\n")


def test_the_standards_full_example_imports_and_its_manifests_pass_lint(tmp_path):
    result = odcs.build([source((FIXTURES / "full-example.odcs.yaml").read_bytes(), "full-example.odcs.yaml")],
                        ImportContext())
    assert [f.path for f in result.files] == ["contracts/receivers.yaml", "contracts/tbl.yaml"]
    write(tmp_path, result)
    done = run_cli("lint", str(tmp_path))  # its team names no GitHub handle: the notice says to name owners
    assert done.returncode == 1 and done.stdout.count("MG007") == 2, done.stdout + done.stderr
    (tmp_path / "CODEOWNERS").write_text("* @acme/sellers\n")  # what the team writes (or owners in the overlay)
    done = run_cli("lint", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error" not in done.stdout and done.stdout.count("MG005") == 2  # no provider: a warning
    said = messages(result)
    assert any("ceastwood, mhopper, daustin: not a GitHub handle" in line for line in said)
    assert any("contractCreatedTs, price, roles, servers, slaDefaultElement, support, tags: not imported" in line
               for line in said)


def write(root: Path, result: Imported) -> None:
    for generated in result.files:
        target = root / generated.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(generated.document, sort_keys=False), "utf-8")


def reexported(result: Imported) -> list[SourceFile]:
    """Every imported contract exported again (as ``modelgate export odcs`` does), as import sources."""
    found = []
    for generated in result.files:
        contract = Contract.model_validate(generated.document)
        for item in contract.spec.versions:
            doc = export.document(contract, item.version, item.schema_, tuple(contract.metadata.owners or ()))
            odcs.validate("exported", doc)
            found.append(source(yaml.safe_dump(doc, sort_keys=False), f"{contract.metadata.name}.v{item.version}"))
    return found


@pytest.mark.parametrize("name", ["orders", "full-example"])
def test_import_export_import_is_a_fixed_point(name):
    text = ORDERS if name == "orders" else (FIXTURES / "full-example.odcs.yaml").read_text("utf-8")
    first = odcs.build([source(text)], ImportContext())
    second = odcs.build(reexported(first), ImportContext())
    assert [f.document for f in second.files] == [f.document for f in first.files]


LOGICAL_TYPES = odcs._standard().schema["$defs"]["SchemaBaseProperty"]["properties"]["logicalType"]["enum"]
WHAT_A_TYPE_NEEDS = {  # what the standard asks of a property of the type, or what makes it more than its name
    "map": {"map": {"key": {"logicalType": "string", "required": True},
                    "value": {"logicalType": "integer", "required": True}}},
    "vector": {"logicalTypeOptions": {"dimensions": 4, "elementType": "float16"}},
    "array": {"items": {"logicalType": "date", "required": True}},
    "object": {"properties": [{"name": "inner", "logicalType": "boolean", "required": True}]},
}


@pytest.mark.parametrize("required", [True, False])
@pytest.mark.parametrize("logical", LOGICAL_TYPES)
def test_every_logical_type_of_the_standard_survives_import_export_import(logical, required):
    prop = {"name": "field", "logicalType": logical, "required": required, **WHAT_A_TYPE_NEEDS.get(logical, {})}
    text = yaml.safe_dump({"apiVersion": "v3.1.0", "kind": "DataContract", "id": "emb", "version": "1.0.0",
                           "status": "active", "team": [{"username": "@acme/crm"}],
                           "schema": [{"name": "emb", "logicalType": "object", "properties": [prop]}]})
    first = odcs.build([source(text)], ImportContext())
    again = reexported(first)  # the standard's schema accepts every exported document
    exported = yaml.safe_load(again[0].data)["schema"][0]["properties"][0]
    assert {key: exported[key] for key in prop} == prop  # the logicalType itself, not a stand-in
    second = odcs.build(again, ImportContext())
    assert [f.document for f in second.files] == [f.document for f in first.files]


def test_dates_in_examples_are_their_iso_text():
    text = ORDERS.replace("examples: [12.5]", "examples: [2024-01-01]").replace("logicalType: number",
                                                                                 "logicalType: date")
    text = text.replace("logicalTypeOptions: {minimum: 0, exclusiveMaximum: 100000}", "required: false")
    schema = only(imported(text))["spec"]["versions"][0]["schema"]
    assert schema["properties"]["amount"]["examples"] == ["2024-01-01"]
    assert not isinstance(schema["properties"]["amount"]["examples"][0], dt.date)


def test_a_value_the_source_shares_by_an_anchor_is_not_shared_in_the_contract():
    text = ORDERS.replace("examples: [12.5]", "examples: *seen").replace(
        "logicalTypeOptions: {format: uuid}", "logicalTypeOptions: {format: uuid}\n        examples: &seen [a]")
    rendered = yaml.safe_dump(only(imported(text)), sort_keys=False)
    assert "&" not in rendered and "*" not in rendered
