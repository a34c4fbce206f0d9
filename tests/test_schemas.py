"""The JSON Schemas of bot/schemas.py: the committed files are the generated ones, the manifest schema accepts every
manifest the loader accepts in the examples and the rule fixtures, and it rejects, as the loader does, the usual
mistakes an editor should flag (a wrong kind, an unknown field, a bad name, a date that is not one…)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
import yaml

from bot.loader import Loader
from bot.manifests.parse import parse_config, parse_manifest
from bot.schemas import FILES, KINDS, REGENERATE, render, schema
from bot.sources import DirectorySource
from tests.helpers import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples"
RULE_FIXTURES = REPO_ROOT / "tests" / "rules"


def validator(kind: str) -> Any:
    """The schema as an editor applies it: ECMA-262 patterns (``$`` ends the string only) and ``format`` asserted, as
    jsonschema-rs (modelgate's own validator) does."""
    return jsonschema_rs.validator_for(schema(kind), validate_formats=True)


def as_editor_reads(data: Any) -> Any:
    """YAML data as an editor (YAML 1.2) hands it to the schema: a date is its ``YYYY-MM-DD`` string."""
    if isinstance(data, dict):
        return {key: as_editor_reads(value) for key, value in data.items()}
    if isinstance(data, list):
        return [as_editor_reads(value) for value in data]
    return data.isoformat() if isinstance(data, dt.date) else data


def errors(kind: str, data: Any) -> list[str]:
    return [error.message for error in validator(kind).iter_errors(as_editor_reads(data))]


@pytest.mark.parametrize("kind", KINDS)
def test_the_committed_schema_is_the_generated_one(kind):
    path = FILES[kind]
    committed = (REPO_ROOT / path).read_text(encoding="utf-8") if (REPO_ROOT / path).is_file() else None
    assert committed == render(kind), f"{path} is stale: regenerate it with `{REGENERATE.format(kind=kind, path=path)}`"


@pytest.mark.parametrize("kind", KINDS)
def test_each_schema_is_valid_under_the_2020_12_metaschema_and_says_what_it_is(kind):
    document = schema(kind)
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"].endswith("/" + Path(FILES[kind]).name)
    assert document["title"] and document["description"]
    assert json.loads(render(kind)) == document


def test_each_kind_has_its_title_and_description_and_is_closed():
    defs = schema("manifest")["$defs"]
    for kind in ("Model", "Contract"):
        assert defs[kind]["title"] == kind and defs[kind]["description"]
        assert defs[kind]["properties"]["kind"] == {"const": kind, "type": "string"}
        assert defs[kind]["properties"]["apiVersion"]["const"] == "modelgate/v1"
    closed = [name for name, sub in defs.items() if sub.get("type") == "object" and "properties" in sub]
    assert closed and all(defs[name]["additionalProperties"] is False for name in closed)


def trees() -> list[Path]:
    """The example platform's trees and every state of the rule fixtures."""
    found = [EXAMPLES / "fraud-platform" / "base", EXAMPLES / "fraud-platform" / "head"]
    found += sorted(p for rule in RULE_FIXTURES.iterdir() for p in (rule / "base", rule / "head") if p.is_dir())
    return found


@pytest.mark.parametrize("tree", trees(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_every_manifest_the_loader_accepts_the_schema_accepts(tree):
    snapshot = Loader(DirectorySource(tree)).load()
    for manifest in snapshot.manifests:
        assert errors("manifest", manifest.data) == [], manifest.path
    config = tree / ".modelgate.yml"
    if config.is_file() and not parse_config(config.read_bytes())[1]:
        assert errors("config", yaml.safe_load(config.read_text(encoding="utf-8")) or {}) == []


def test_the_fixtures_hold_manifests_of_both_kinds():
    kinds = {m.kind for tree in trees() for m in Loader(DirectorySource(tree)).load().manifests}
    assert kinds == {"Model", "Contract"}


MODEL = {"apiVersion": "modelgate/v1", "kind": "Model", "metadata": {"name": "fraud-scorer", "owners": ["@a"]},
         "spec": {"version": "1.2.3", "consumes": [{"contract": "features", "version": 1, "fields": ["x"]}],
                  "rollout": {"stages": ["canary"], "gates": {"canary": {"auc": {"min": 0.9}}}}}}
CONTRACT = {"apiVersion": "modelgate/v1", "kind": "Contract", "metadata": {"name": "features"},
            "spec": {"versions": [
                {"version": 2, "schema": {"type": "object"}, "fallback": {"strategy": "default_value", "value": {}}},
                {"version": 1, "status": "deprecated", "schema_ref": "schemas/f.json",
                 "deprecation": {"announced": dt.date(2026, 9, 1), "sunset": "2026-12-15", "replacement": 2,
                                 "migration": "docs/m.md"}}]}}


def changed(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``document`` with the value at the dotted ``path`` (list indexes as numbers) replaced;
    ``...`` removes it."""
    copy = json.loads(json.dumps(document, default=str))
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    node = copy
    for key in parents:
        node = node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return copy


def loader_accepts(document: dict[str, Any]) -> bool:
    text = yaml.safe_dump(json.loads(json.dumps(document, default=str)), sort_keys=False)
    manifest, findings = parse_manifest("m.yaml", "0" * 40, text.encode())
    return manifest is not None and not findings


@pytest.mark.parametrize("document", [MODEL, CONTRACT], ids=["model", "contract"])
def test_the_valid_documents_pass_both(document):
    assert loader_accepts(document)
    assert errors("manifest", document) == []


INVALID = {
    "wrong kind": (MODEL, "kind", "model"),
    "wrong apiVersion": (MODEL, "apiVersion", "modelgate/V1"),
    "unknown field": (MODEL, "spec.owner", "@a"),
    "unknown field in a version": (CONTRACT, "spec.versions.0.shema", {}),
    "bad name": (MODEL, "metadata.name", "Fraud_Scorer"),
    "name with a trailing newline": (MODEL, "metadata.name", "fraud\n"),
    "bad consumed name": (MODEL, "spec.consumes.0.contract", "features v1"),
    "bad stage name": (MODEL, "spec.rollout.stages", ["Canary"]),
    "not a semantic version": (MODEL, "spec.version", "1.2"),
    "version as a number": (MODEL, "spec.version", 1.2),
    "version 0": (MODEL, "spec.consumes.0.version", 0),
    "version as a string": (MODEL, "spec.consumes.0.version", "1"),
    "a boolean for a number": (MODEL, "spec.rollout.gates.canary.auc.min", True),
    "an empty bound": (MODEL, "spec.rollout.gates.canary.auc", {}),
    "no metadata": (MODEL, "metadata", ...),
    "unknown tier": (MODEL, "metadata.tier", "gold"),
    "no versions": (CONTRACT, "spec.versions", []),
    "schema and schema_ref": (CONTRACT, "spec.versions.1.schema", {}),
    "neither schema nor schema_ref": (CONTRACT, "spec.versions.0.schema", ...),
    "not a date": (CONTRACT, "spec.versions.1.deprecation.sunset", "15/12/2026"),
    "not a calendar day": (CONTRACT, "spec.versions.1.deprecation.announced", "2026-02-30"),
    "default_value without a value": (CONTRACT, "spec.versions.0.fallback.value", ...),
    "availability over 1": (CONTRACT, "spec.versions.0.slo", {"availability": 1.5}),
    "negative psi bound": (CONTRACT, "spec.versions.0.quality", {"drift": {"psi_max": {"x": -1}}}),
    "unknown status": (CONTRACT, "spec.versions.0.status", "sunset"),
}


@pytest.mark.parametrize("case", INVALID)
def test_the_schema_rejects_what_the_loader_rejects(case):
    document, path, value = INVALID[case]
    bad = changed(document, path, value)
    assert not loader_accepts(bad)
    assert errors("manifest", bad) != []


def test_owners_are_left_to_mg007_by_both():
    odd = changed(MODEL, "metadata.owners", ["not-a-handle"])
    assert loader_accepts(odd)
    assert errors("manifest", odd) == []


def config_accepts(data: dict[str, Any]) -> bool:
    return not parse_config(yaml.safe_dump(data).encode())[1]


@pytest.mark.parametrize(("data", "valid"), [
    ({}, True),
    ({"rules": {"MG201": "error", "MG204": False, "MG301": "off"}, "admins": ["@acme/platform"]}, True),
    ({"rules": {"MG999": "error"}}, False),
    ({"rules": {"MG301": "error"}}, False),
    ({"rules": {"MG201": "fatal"}}, False),
    ({"rules": {"MG201": {"before": "notice", "after": False}}}, True),
    ({"rules": {"MG201": {"before": "notice"}}}, True),  # the side left out keeps the catalogue's
    ({"rules": {"MG201": {}}}, False),
    ({"rules": {"MG201": {"before": "notice", "after": "error", "later": "off"}}}, False),
    ({"rules": {"MG201": {"before": "loud", "after": "error"}}}, False),
    ({"rules": {"MG204": {"before": "notice", "after": "error"}}}, False),
    ({"rules": {"MG301": {"before": "off", "after": "off"}}}, False),
    ({"compatibility_policy": "loose"}, False),
    ({"limits": {"max_depth": 1}}, False),
    ({"approvals": {"invalidate_on_push": "yes"}}, False),
    ({"unknown": 1}, False),
])
def test_the_config_schema_agrees_with_the_loader(data, valid):
    assert config_accepts(data) is valid
    assert (errors("config", data) == []) is valid


def test_the_config_schema_names_every_rule_of_the_catalogue():
    from bot.rules import catalog

    rules = schema("config")["properties"]["rules"]
    assert rules["propertyNames"]["enum"] == list(catalog())
    assert set(rules["properties"]) == {rule.id for rule in catalog().values()
                                        if rule.severity == "approval" or rule.escalation is not None}
    assert [key for key, entry in rules["properties"].items() if "anyOf" in entry] == ["MG201"]


SUBSCHEMA_MAPS = ("properties", "$defs", "patternProperties")  # name → subschema
SUBSCHEMAS = ("items", "not", "additionalProperties", "propertyNames", "if", "then", "else")
SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf")
# What the editors' draft-07 validators read the same as 2020-12 does (no prefixItems, dependentSchemas, unevaluated*)
SHARED_KEYWORDS = {"$schema", "$id", "$ref", "$defs", "title", "description", "default", "type", "enum", "const",
                   "properties", "required", "additionalProperties", "propertyNames", "items", "minItems", "maxItems",
                   "minimum", "maximum", "minLength", "maxLength", "pattern", "format", "anyOf", "oneOf", "allOf",
                   "not", "if", "then", "else"}


def keywords(node: Any) -> set[str]:
    if not isinstance(node, dict):
        return set()
    found = set(node)
    for key, value in node.items():
        if key in SUBSCHEMA_MAPS:
            found |= {word for sub in value.values() for word in keywords(sub)}
        elif key in SUBSCHEMAS:
            found |= keywords(value)
        elif key in SUBSCHEMA_LISTS:
            found |= {word for sub in value for word in keywords(sub)}
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_the_schemas_use_only_keywords_draft_07_editors_read_alike(kind):
    document = schema(kind)
    assert keywords(document) <= SHARED_KEYWORDS, sorted(keywords(document) - SHARED_KEYWORDS)
    jsonschema.Draft7Validator.check_schema({**document, "$schema": "http://json-schema.org/draft-07/schema#"})


MODELINE = "# yaml-language-server: $schema="


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


@pytest.mark.parametrize("path", example_files(), ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_every_example_names_its_schema_on_its_first_line(path):
    """The modeline of an example points, from the file's folder, at the committed schema of its kind."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(MODELINE)
    kind = "config" if path.name == ".modelgate.yml" else "manifest"
    assert (path.parent / first.removeprefix(MODELINE)).resolve() == REPO_ROOT / FILES[kind]


def test_a_mistake_in_a_model_is_reported_against_the_model_alone():
    """The kind chooses the schema (if/then): a misspelt key of a Model is one error about that key, never the
    Contract's own requirements beside it, as a oneOf of the two kinds reported (noise an editor showed first)."""
    typo = {"apiVersion": "modelgate/v1", "kind": "Model", "metadata": {"name": "m"},
            "spec": {"version": "1.0.0", "consume": []}}
    editor = jsonschema.Draft202012Validator(schema("manifest"))
    said = [message for error in editor.iter_errors(typo) for message in (error.message,
                                                                         *(sub.message for sub in error.context))]
    assert said and all("consume" in message for message in said), said
    assert [error.message for error in editor.iter_errors({**typo, "kind": "Modle"})] == [
        "'Modle' is not one of ['Contract', 'Model']"]
