"""``modelgate export odcs`` (``bot.export.odcs``): every contract version as an ODCS v3 document that the standard
accepts, and the round trip: export then ``import odcs`` gives the same contracts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from open_data_contract_standard.model import OpenDataContractStandard

from bot.commands._common import load_state
from bot.export import odcs as export
from bot.imports import odcs
from bot.imports.model import ImportContext, SourceFile
from bot.manifests.codec import plain
from bot.manifests.models import Contract
from bot.manifests.snapshot import Snapshot
from tests.helpers import REPO_ROOT, contract, dump, run_cli, write_tree

EXAMPLES = [REPO_ROOT / "examples/fraud-platform/head", REPO_ROOT / "examples/fraud-platform/base"]

TRICKY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": "Tricky",
    "description": "Every shape ODCS has no field for.",
    "additionalProperties": False,
    "required": ["id", "maybe", "when"],
    "$defs": {"money": {"type": "number", "minimum": 0}},
    "properties": {
        "id": {"type": "string", "format": "uuid", "x-sql-type": "varchar(36)"},
        "maybe": {"type": ["string", "null"], "maxLength": 3},  # required and nullable
        "optional": {"type": "integer"},  # not required and not nullable
        "when": {"type": "string", "format": "date-time"},
        "day": {"type": ["string", "null"], "format": "date", "examples": ["2024-01-01"]},
        "price": {"$ref": "#/$defs/money"},
        "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        "many": {"type": ["string", "integer", "null"]},
        "anything": True,
        "band": {"type": ["string", "null"], "enum": ["low", "high", None]},
        "strict_band": {"type": "string", "enum": ["a", "b"]},
        "lines": {"type": "array", "minItems": 1, "uniqueItems": True,
                  "items": {"type": "object", "required": ["sku"],
                            "properties": {"sku": {"type": "string", "pattern": "^[A-Z]{3}$"},
                                           "qty": {"type": ["integer", "null"], "multipleOf": 1}}}},
        "matrix": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
        "tuple": {"type": "array", "prefixItems": [{"type": "string"}], "items": False},
        "geo": {"type": "object", "properties": {"lat": {"type": "number", "minimum": -90, "maximum": 90}},
                "required": ["lat"], "minProperties": 1},
        "old": {"type": "string", "deprecated": True, "description": "use id"},
        "tags": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def tricky_platform(root: Path) -> Path:
    return write_tree(root, {
        "contracts/tricky.yaml": contract("tricky", [
            {"version": 3, "status": "active", "stability": "beta", "schema": TRICKY_SCHEMA,
             "slo": {"latency_p99_ms": 12.5, "availability": 0.99995, "freshness_s": 7200},
             "fallback": {"strategy": "skip", "when": ["timeout"]},
             "quality": {"min_records": 10, "null_rate_max": {"maybe": 0.5}, "drift": {"psi_max": {"id": 0.1}}}},
            {"version": 2, "status": "deprecated", "schema": {"type": "array", "items": {"type": "string"}},
             "slo": {"freshness_s": 90},
             "deprecation": {"announced": "2026-01-01", "sunset": "2026-06-30", "replacement": 3,
                             "migration": "docs/tricky-v3.md"}},
            {"version": 1, "status": "retired", "schema": True},
        ], owners=["@acme/data", "@mei"], compatibility="full"),
        "contracts/plain.yaml": dump({"apiVersion": "modelgate/v1", "kind": "Contract",
                                      "metadata": {"name": "plain", "owners": ["@acme/data"],
                                                   "labels": {"modelgate.dev/odcs-domain": "sales"}},
                                      "spec": {"versions": [{"version": 1, "schema": {"type": "object"}}]}}),
    })


def facts(snapshot: Snapshot) -> dict[str, Any]:
    """What the round trip keeps of every contract: everything but labels, with schemas by value (inline or not)."""
    found: dict[str, Any] = {}
    for name, manifest in sorted(snapshot.contracts.items()):
        doc = manifest.doc
        assert isinstance(doc, Contract)
        versions = {}
        for item in doc.spec.versions:
            kept = item.model_dump(exclude={"schema_", "schema_ref"})
            versions[item.version] = {**kept, "schema": plain(snapshot.schema(name, item.version))}
        found[name] = {"owners": doc.metadata.owners, "description": doc.metadata.description,
                       "compatibility": doc.spec.compatibility, "compat": doc.spec.compat, "versions": versions}
    return found


def import_dir(out: Path, target: Path) -> Snapshot:
    """``import odcs`` of every file under ``out``, written under ``target`` and loaded as a state."""
    sources = [SourceFile(path.name, path.read_bytes()) for path in sorted(out.iterdir())]
    result = odcs.build(sources, ImportContext())
    for generated in result.files:
        written = target / generated.path
        written.parent.mkdir(parents=True, exist_ok=True)
        written.write_text(yaml.safe_dump(generated.document, sort_keys=False), "utf-8")
    return load_state(str(target))


@pytest.mark.parametrize("platform", EXAMPLES, ids=["head", "base"])
def test_export_then_import_gives_the_example_platforms_contracts(platform: Path, tmp_path: Path) -> None:
    out = tmp_path / "odcs"
    done = run_cli("export", "odcs", "--at", str(platform), "--out", str(out))
    assert done.returncode == 0, done.stderr
    original = load_state(str(platform))
    expected = sorted(f"{name}.v{v.version}.odcs.yaml" for name, m in original.contracts.items()
                      for v in m.doc.spec.versions)  # type: ignore[union-attr]
    assert sorted(path.name for path in out.iterdir()) == expected
    for path in out.iterdir():
        data = yaml.safe_load(path.read_text("utf-8"))
        OpenDataContractStandard.model_validate(data)
        odcs.validate(path.name, data)  # the standard's JSON Schema too
        assert data["apiVersion"] == "v3.2.0" and data["kind"] == "DataContract"
    assert facts(import_dir(out, tmp_path / "imported")) == facts(original)


def test_export_then_import_keeps_what_odcs_has_no_field_for(tmp_path: Path) -> None:
    platform = tricky_platform(tmp_path / "platform")
    out = tmp_path / "odcs"
    done = run_cli("export", "odcs", "--at", str(platform), "--out", str(out))
    assert done.returncode == 0, done.stderr
    original = load_state(str(platform))
    imported = import_dir(out, tmp_path / "imported")
    assert facts(imported) == facts(original)
    assert imported.contracts["plain"].doc.metadata.labels == {  # type: ignore[union-attr]
        "modelgate.dev/imported-from": "odcs", "modelgate.dev/odcs-domain": "sales"}
    lint = run_cli("lint", str(tmp_path / "imported"))
    assert lint.returncode == 0, lint.stdout


def test_the_mapping_is_what_the_docs_say(tmp_path: Path) -> None:
    platform = tricky_platform(tmp_path / "platform")
    docs = dict(export.documents(load_state(str(platform))))
    doc = docs["tricky.v3.odcs.yaml"]
    assert (doc["name"], doc["version"], doc["status"]) == ("tricky", "3.0.0", "active")
    assert doc["team"] == {"members": [{"username": "@acme/data", "role": "owner"},
                                       {"username": "@mei", "role": "owner"}]}
    assert doc["slaProperties"] == [
        {"property": "latency", "value": 2, "unit": "h"},
        {"property": "availability", "value": 99.995, "unit": "percent"},
        {"property": "latencyP99", "value": 12.5, "unit": "ms",
         "description": "p99 serving latency (modelgate's latency_p99_ms)"}]
    custom = {entry["property"]: entry["value"] for entry in doc["customProperties"]}
    assert custom["compatibility"] == "full" and custom["stability"] == "beta"
    (obj,) = doc["schema"]
    props = {prop["name"]: prop for prop in obj["properties"]}
    assert props["id"] == {"name": "id", "logicalType": "string", "required": True, "physicalType": "varchar(36)",
                           "logicalTypeOptions": {"format": "uuid"}}
    assert props["when"]["logicalType"] == "timestamp" and "logicalTypeOptions" not in props["when"]
    assert props["day"]["logicalType"] == "date" and props["day"]["required"] is False
    assert props["optional"]["customProperties"] == [
        {"property": "jsonSchema", "value": {"type": "integer"}, "vendor": "modelgate"}]
    assert props["lines"]["items"]["properties"][0]["logicalTypeOptions"] == {"pattern": "^[A-Z]{3}$"}
    assert docs["tricky.v2.odcs.yaml"]["slaProperties"] == [{"property": "latency", "value": 90, "unit": "s"}]
    assert docs["plain.v1.odcs.yaml"]["domain"] == "sales"
    assert docs["tricky.v1.odcs.yaml"]["status"] == "retired"
    assert export.documents(load_state(str(platform))) == list(docs.items())  # the same every time


def test_stdout_is_one_multi_document_stream_of_the_files(tmp_path: Path) -> None:
    platform = tricky_platform(tmp_path / "platform")
    printed = run_cli("export", "odcs", "--at", str(platform))
    assert printed.returncode == 0 and printed.stderr == ""
    out = tmp_path / "odcs"
    assert run_cli("export", "odcs", "--at", str(platform), "--out", str(out)).returncode == 0
    files = sorted(out.iterdir())
    assert [path.name for path in files] == ["plain.v1.odcs.yaml", "tricky.v1.odcs.yaml", "tricky.v2.odcs.yaml",
                                             "tricky.v3.odcs.yaml"]
    assert list(yaml.safe_load_all(printed.stdout)) == [yaml.safe_load(path.read_text()) for path in files]


def test_odcs_takes_no_openlineage_flags(tmp_path: Path) -> None:
    platform = tricky_platform(tmp_path / "platform")
    done = run_cli("export", "odcs", "--at", str(platform), "--today", "2026-11-28")
    assert done.returncode == 2 and "--today applies to openlineage only" in done.stderr


def test_a_version_whose_schema_cannot_be_read_is_warned_about_not_exported(tmp_path: Path) -> None:
    platform = write_tree(tmp_path / "platform", {"contracts/a.yaml": contract("a", [
        {"version": 1, "schema_ref": "schemas/missing.json"}, 2])})
    done = run_cli("export", "odcs", "--at", str(platform))
    assert done.returncode == 0
    assert "a@1 has no ODCS document: its schema could not be read" in done.stderr
    assert [doc["version"] for doc in yaml.safe_load_all(done.stdout)] == ["2.0.0"]


def test_the_document_docs_exports_md_shows_is_the_start_of_the_real_one() -> None:
    text = (REPO_ROOT / "docs/exports.md").read_text(encoding="utf-8")
    (block,) = re.findall(r'^```yaml title="fraud-score.v2.odcs.yaml"\n(.*?)^```', text, re.M | re.S)
    shown = yaml.safe_load(block)
    real = dict(export.documents(load_state(str(EXAMPLES[0]))))["fraud-score.v2.odcs.yaml"]
    assert list(shown) == list(real)[:len(shown)]
    for key, value in shown.items():
        if key == "schema":
            (obj,) = value
            (whole,) = real["schema"]
            assert obj == {**{k: whole[k] for k in obj}, "properties": whole["properties"][:len(obj["properties"])]}
        else:
            assert value == real[key], key


VECTOR_ODCS = """\
apiVersion: v3.1.0
kind: DataContract
id: emb
version: 1.0.0
status: active
team: [{username: "@acme/crm"}]
schema:
  - name: emb
    logicalType: object
    properties:
      - {name: embedding, logicalType: vector, required: true, logicalTypeOptions: {dimensions: 4}}
"""


def test_an_imported_vector_exports_as_a_vector_and_imports_again_the_same(tmp_path: Path) -> None:
    write_tree(tmp_path, {"dc/v.odcs.yaml": VECTOR_ODCS})
    assert run_cli("import", "odcs", "dc", "--out", "m", cwd=tmp_path).returncode == 0
    done = run_cli("export", "odcs", "--at", "m", "--out", "again", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [exported] = (tmp_path / "again").iterdir()
    prop = yaml.safe_load(exported.read_text("utf-8"))["schema"][0]["properties"][0]
    assert prop == {"name": "embedding", "logicalType": "vector", "required": True,
                    "logicalTypeOptions": {"dimensions": 4}}
    assert facts(import_dir(tmp_path / "again", tmp_path / "imported")) == facts(load_state(str(tmp_path / "m")))


def test_an_export_the_standard_refuses_names_the_contract_the_schema_place_and_the_field(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"embedding": {
        "type": "array", "items": {"type": "string", "x-odcs-logicalTypeOptions": {"dimensions": 3}}}}}
    platform = write_tree(tmp_path / "platform", {"contracts/emb.yaml": contract("emb", [
        {"version": 1, "schema": schema}], owners=["@acme/crm"])})
    done = run_cli("export", "odcs", "--at", str(platform))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(
        "modelgate: error: contract emb version 1 cannot be exported to ODCS: the ODCS field 'logicalTypeOptions' of "
        "the element made of its schema at '/properties/embedding/items' (#/schema/0/properties/0/items/"
        "logicalTypeOptions): does not follow the standard: Additional properties are not allowed ('dimensions' was "
        "unexpected). Check the x-odcs-* annotations of the schema there"), done.stderr
