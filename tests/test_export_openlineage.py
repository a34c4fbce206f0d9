"""``bot.export.openlineage``: JobEvents that validate against the OpenLineage spec's own JSON Schemas.

The schemas are vendored in tests/fixtures/openlineage/ (see its README): the core spec (2-0-0, and the 1-0-2 and
1-0-3 cores the facet schemas refer to) and the facet schemas the export uses. References resolve to those files
only; nothing is fetched, and a reference to anything else fails the test.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from bot.commands._common import load_state
from bot.export import openlineage
from bot.export.inventory import inventory
from bot.schema_fields import FieldResolver
from tests.helpers import REPO_ROOT, contract, model, write_tree

FIXTURES = REPO_ROOT / "tests/fixtures/openlineage"
EXAMPLE = REPO_ROOT / "examples/fraud-platform"
TODAY = dt.date(2026, 11, 28)
NS = "modelgate://acme/fraud-platform"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


CORE = _load(FIXTURES / "OpenLineage-2-0-0.json")
FACETS = {path.stem: _load(path) for path in sorted((FIXTURES / "facets").glob("*.json"))}


def _refuse(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)  # offline: only the vendored files resolve


def _registry() -> Registry[Any]:
    resources: list[tuple[str, Resource[Any]]] = []
    for path in sorted(FIXTURES.glob("OpenLineage-*.json")):
        document = _load(path)
        resources.append((document["$id"], Resource.from_contents(document)))
    for name, document in FACETS.items():
        resource = Resource.from_contents(document)
        resources.append((document["$id"], resource))
        # the core refers to its facets relatively, as they sit beside spec/OpenLineage.json: facets/NAME.json
        resources.append((f"https://openlineage.io/spec/2-0-0/facets/{name}.json", resource))
    return Registry(retrieve=_refuse).with_resources(resources)  # type: ignore[call-arg]


REGISTRY = _registry()
FORMATS = Draft202012Validator.FORMAT_CHECKER  # date-time is checked; "uri" needs a library: see _is_uri
EVENT = Draft202012Validator(CORE, registry=REGISTRY, format_checker=FORMATS)
JOB_EVENT = Draft202012Validator({"$ref": f"{CORE['$id']}#/$defs/JobEvent"}, registry=REGISTRY, format_checker=FORMATS)
FACET_VALIDATORS = {name: Draft202012Validator(document, registry=REGISTRY, format_checker=FORMATS)
                    for name, document in FACETS.items()}
# the facet schema file of each facet key, by where the facet is
FACET_FILES = {("job", "documentation"): "DocumentationJobFacet", ("job", "ownership"): "OwnershipJobFacet",
               ("dataset", "documentation"): "DocumentationDatasetFacet",
               ("dataset", "ownership"): "OwnershipDatasetFacet", ("dataset", "schema"): "SchemaDatasetFacet"}


def _is_uri(text: str) -> bool:
    """An absolute URI (RFC 3986: a scheme, then something), as the spec's ``format: uri`` asks of producers."""
    parts = urlsplit(text)
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", parts.scheme)) and bool(parts.netloc or parts.path) \
        and not re.search(r"\s", text)


def assert_valid(event: dict[str, Any]) -> None:
    """The event is a JobEvent of the core spec (and nothing else it defines), and each facet is valid under its own
    facet schema, which its ``_schemaURL`` names."""
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in EVENT.iter_errors(event)]
    assert errors == [], errors
    assert list(JOB_EVENT.iter_errors(event)) == []
    assert event["schemaURL"] == f"{CORE['$id']}#/$defs/JobEvent"
    assert _is_uri(event["producer"]) and _is_uri(event["schemaURL"])
    places = [("job", event["job"].get("facets", {}))]
    places += [("dataset", dataset.get("facets", {})) for dataset in (*event["inputs"], *event["outputs"])]
    for where, facets in places:
        for key, facet in facets.items():
            file = FACET_FILES[(where, key)]
            document = FACETS[file]
            assert facet["_schemaURL"] == f"{document['$id']}#/$defs/{file}"
            assert _is_uri(facet["_producer"])
            errors = [e.message for e in FACET_VALIDATORS[file].iter_errors({key: facet})]
            assert errors == [], (where, key, errors)


def export(root: Path, namespace: str = NS) -> tuple[list[dict[str, Any]], list[str]]:
    inv = inventory(load_state(str(root)))
    found, notes = openlineage.events(inv, namespace, TODAY)
    return found, [*inv.notes, *notes]


@pytest.mark.parametrize("state", ["base", "head"])
def test_every_event_of_the_example_is_a_valid_job_event(state: str) -> None:
    found, notes = export(EXAMPLE / state)
    assert notes == []
    names = sorted(p.stem for p in (EXAMPLE / state / "models").rglob("*.yaml"))
    assert [e["job"]["name"] for e in found] == [f"model:{n}" for n in names]
    for event in found:
        assert_valid(event)


def test_a_model_is_a_job_reading_what_it_consumes_and_writing_what_it_provides() -> None:
    found, _ = export(EXAMPLE / "head")
    scorer = next(e for e in found if e["job"]["name"] == "model:fraud-scorer")
    assert scorer["eventTime"] == "2026-11-28T00:00:00Z"
    assert scorer["producer"].startswith("urn:modelgate:")
    assert scorer["job"]["namespace"] == NS
    assert [d["name"] for d in scorer["outputs"]] == ["contract:fraud-score@1", "contract:fraud-score@2"]
    assert all(d["namespace"] == NS for d in (*scorer["inputs"], *scorer["outputs"]))
    assert [o["name"] for o in scorer["job"]["facets"]["ownership"]["owners"]] == ["team:acme/risk-ml",
                                                                                  "user:priya-raman"]
    assert scorer["job"]["facets"]["documentation"]["description"].startswith("Transformer over the card")
    score = scorer["outputs"][1]["facets"]
    assert score["schema"]["fields"] == [
        {"name": "transaction_id", "type": "string"}, {"name": "score", "type": "number"},
        {"name": "model_version", "type": "string"}, {"name": "reason_codes", "type": "array<string>"},
        {"name": "band", "type": "string"}]
    assert score["ownership"]["owners"] == [{"name": "team:acme/risk-ml"}]
    # the same dataset, seen by a consumer, carries the same facets
    router = next(e for e in found if e["job"]["name"] == "model:risk-router")
    assert next(d for d in router["inputs"] if d["name"] == "contract:fraud-score@2") == scorer["outputs"][1]


def test_nested_fields_are_named_by_their_dotted_path() -> None:
    schema = {
        "type": "object",
        "$defs": {"money": {"type": "object", "properties": {"amount": {"type": "number"},
                                                             "currency": {"enum": ["EUR", "USD"]}}},
                  "node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}}}},
        "allOf": [{"properties": {"merged": {"type": ["string", "null"], "description": "from allOf"}}}],
        "properties": {
            "geo": {"type": "object", "title": "Where", "properties": {"lat": {"type": "number"}}},
            "orders": {"type": "array",
                       "items": {"type": "object", "properties": {"total": {"$ref": "#/$defs/money"}}}},
            "tags": {"type": "array", "items": {"type": "string"}},
            "tree": {"$ref": "#/$defs/node"},
            "flag": {"const": True},
            "anything": {},
        },
    }
    assert openlineage.schema_fields(schema) == [
        {"name": "geo", "type": "object", "description": "Where"},
        {"name": "geo.lat", "type": "number"},
        {"name": "orders", "type": "array<object>"},
        {"name": "orders.total", "type": "object"},
        {"name": "orders.total.amount", "type": "number"},
        {"name": "orders.total.currency", "type": "string"},
        {"name": "tags", "type": "array<string>"},
        {"name": "tree", "type": "object"},
        {"name": "tree.child", "type": "object"},  # the cycle ends where it comes back
        {"name": "flag", "type": "boolean"},
        {"name": "anything"},
        {"name": "merged", "type": "string|null", "description": "from allOf"},
    ]
    assert openlineage.schema_fields(True) == []


def test_hostile_text_and_names_stay_valid(tmp_path: Path) -> None:
    long_name = "c" * 63
    text = 'ünïcødé "quoted" \\ back\nslash \u2028 <b>é</b> 🚀'
    root = write_tree(tmp_path / "repo", {
        "contracts/long.yaml": contract(long_name, [
            {"version": 1, "status": "active",
             "schema": {"type": "object", "properties": {"naïve field": {"type": "string", "description": text}}}}],
            owners=["@Acme-Org/Team.With_Dots"]),
        "contracts/lonely.yaml": contract("lonely"),  # neither provided nor consumed: no job names it
        "models/m.yaml": model("m" * 63, provides=[(long_name, 1)], owners=[], description=text),
    })
    found, notes = export(root, namespace="ns with spaces/ünï")
    assert notes == []
    (event,) = found
    assert_valid(event)
    assert "lonely" not in openlineage.to_json(event)  # a version no model names is in no event (docs/exports.md)
    assert "ownership" not in event["job"]["facets"]  # a model without owners (and no CODEOWNERS)
    assert event["job"]["facets"]["documentation"]["description"] == text
    (output,) = event["outputs"]
    assert output["facets"]["schema"]["fields"] == [{"name": "naïve field", "type": "string", "description": text}]
    assert output["facets"]["ownership"]["owners"] == [{"name": "team:Acme-Org/Team.With_Dots"}]
    line = openlineage.to_json(event)
    assert line.isascii() and len(line.splitlines()) == 1  # a line separator in the text cannot split the line
    assert json.loads(line) == event


def test_unreadable_schemas_and_undefined_versions_are_noted_not_dropped(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {
        "contracts/a.yaml": contract("a", [{"version": 1, "schema_ref": "schemas/missing.json"}]),
        "models/m.yaml": model("m", consumes=[("ghost", 3)], provides=[("a", 1)]),
    })
    found, notes = export(root)
    (event,) = found
    assert_valid(event)
    assert [d["name"] for d in event["inputs"]] == ["contract:ghost@3"]
    assert event["inputs"][0]["facets"] == {}
    assert "schema" not in event["outputs"][0]["facets"]
    assert any("a@1" in n and "could not be read" in n for n in notes)
    assert any("ghost@3" in n and "no contract defines" in n for n in notes)


def test_the_export_is_deterministic_and_dated_by_the_day_given(tmp_path: Path) -> None:
    inv = inventory(load_state(str(EXAMPLE / "head")))
    first, _ = openlineage.events(inv, NS, TODAY)
    again, _ = openlineage.events(inventory(load_state(str(EXAMPLE / "head"))), NS, TODAY)
    assert [openlineage.to_json(e) for e in first] == [openlineage.to_json(e) for e in again]
    later, _ = openlineage.events(inv, NS, dt.date(2027, 1, 2))
    assert {e["eventTime"] for e in later} == {"2027-01-02T00:00:00Z"}


def test_the_validators_refuse_what_the_spec_refuses() -> None:
    """The checks above can fail: broken events and facets are refused."""
    found, _ = export(EXAMPLE / "head")
    event = json.loads(json.dumps(found[0]))
    del event["eventTime"]
    assert list(EVENT.iter_errors(event))
    assert list(EVENT.iter_errors({**found[0], "eventTime": "2026-11-28"}))  # a day is not a date-time
    assert not _is_uri("modelgate 0.1.0") and not _is_uri("no-scheme/0.1.0")
    # with a run it is a RunEvent as well as a JobEvent: the spec's oneOf refuses the ambiguity
    with_run = {**found[0], "run": {"runId": "00000000-0000-0000-0000-000000000000"}, "eventType": "START"}
    assert list(EVENT.iter_errors(with_run))
    assert list(JOB_EVENT.iter_errors({"job": {"name": "x"}, "eventTime": "t", "producer": "p", "schemaURL": "s"}))
    facet = found[0]["job"]["facets"]["ownership"]
    broken = {**facet, "owners": [{"type": "MAINTAINER"}]}
    assert list(FACET_VALIDATORS["OwnershipJobFacet"].iter_errors({"ownership": broken}))
    no_producer = {k: v for k, v in facet.items() if k != "_producer"}
    assert list(FACET_VALIDATORS["OwnershipJobFacet"].iter_errors({"ownership": no_producer}))
    schema_facet = found[0]["inputs"][0]["facets"]["schema"]
    assert list(FACET_VALIDATORS["SchemaDatasetFacet"].iter_errors({"schema": {**schema_facet, "fields": [{}]}}))


def test_the_vendored_schemas_are_what_the_readme_names() -> None:
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    for path in sorted(FIXTURES.rglob("*.json")):
        assert f"`{path.relative_to(FIXTURES).as_posix()}`" in readme
        assert f"`{_load(path)['$id']}`" in readme
    assert "Apache License" in (FIXTURES / "LICENSE").read_text(encoding="utf-8")


def test_the_event_docs_exports_md_shows_is_the_real_one() -> None:
    text = (REPO_ROOT / "docs/exports.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"^```json\n(.*?)^```", text, re.M | re.S)
    shown = json.loads(block)
    found, _ = export(EXAMPLE / "head", namespace="modelgate://acme/fraud-platform")
    real = next(e for e in found if e["job"]["name"] == shown["job"]["name"])
    assert_valid(shown)

    def versionless(event: dict[str, Any]) -> str:  # the docs need not change with each release
        return re.sub(r"urn:modelgate:[^\"]+", "urn:modelgate:VERSION", openlineage.to_json(event))

    assert versionless(shown) == versionless(real)


def _fields(schema: Any) -> tuple[list[dict[str, str]], list[str]]:
    notes: list[str] = []
    return openlineage.schema_fields(schema, notes, "contract:c@1"), notes


@pytest.mark.parametrize(("schema", "expected"), [
    pytest.param(  # an array whose items are the array again: its type is "array", never a RecursionError
        {"type": "object", "$defs": {"a": {"type": "array", "items": {"$ref": "#/$defs/a"}}},
         "properties": {"a": {"$ref": "#/$defs/a"}, "b": {"type": "array", "items": {"$ref": "#/$defs/a"}}}},
        [{"name": "a", "type": "array"}, {"name": "b", "type": "array<array>"}], id="items-cycle"),
    pytest.param(  # a property that is the whole schema again
        {"type": "object", "properties": {"id": {"type": "string"}, "parent": {"$ref": "#"}}},
        [{"name": "id", "type": "string"}, {"name": "parent", "type": "object"}], id="properties-to-root"),
    pytest.param(  # allOf branches that include each other, and a $ref chain that comes back to itself
        {"$defs": {"x": {"allOf": [{"$ref": "#/$defs/y"}], "properties": {"p": {"$ref": "#/$defs/r"}}},
                   "y": {"allOf": [{"$ref": "#/$defs/x"}], "properties": {"q": {"type": "integer"}}},
                   "r": {"$ref": "#/$defs/s"}, "s": {"$ref": "#/$defs/r"}},
         "$ref": "#/$defs/x"},
        [{"name": "p"}, {"name": "q", "type": "integer"}], id="allOf-cycle"),
    pytest.param(  # items that are an array of arrays of itself, through anyOf
        {"properties": {"m": {"type": "array",
                              "items": {"type": "array", "items": {"anyOf": [{"$ref": "#/properties/m"}]}}}}},
        [{"name": "m", "type": "array<array>"}], id="nested-arrays"),
])
def test_recursive_schemas_end_where_they_come_back(schema: Any, expected: list[dict[str, str]]) -> None:
    fields, notes = _fields(schema)
    assert fields == expected
    assert notes == []


def test_the_facet_lists_exactly_the_names_a_consumer_may_name() -> None:
    """The walker is ``bot.schema_fields``': every name listed is declared for MG010, and the ones MG010 declares
    through anyOf, oneOf, dependentSchemas, then/else and prefixItems are listed."""
    schema = {
        "type": "object",
        "properties": {
            "pay": {"oneOf": [{"properties": {"card": {"type": "string"}}},
                              {"properties": {"iban": {"type": "string"}, "card": {"type": "integer"}}}]},
            "geo": {"anyOf": [{"$ref": "#/$defs/point"}, {"type": "null"}]},
            "pairs": {"type": "array", "prefixItems": [{"properties": {"k": {"type": "string"}}}]},
            "labels": {"type": "object", "patternProperties": {"^l_": {"type": "string"}}},
        },
        "dependentSchemas": {"pay": {"properties": {"receipt": {"type": "boolean"}}}},
        "if": {"required": ["geo"]}, "then": {"properties": {"region": {"enum": ["eu", 1]}}},
        "$defs": {"point": {"type": "object", "properties": {"lat": {"type": "number"}}}},
    }
    fields, notes = _fields(schema)
    names = [f["name"] for f in fields]
    resolver = FieldResolver(schema)
    assert all(resolver.lookup(name).declared for name in names)
    assert names == ["pay", "pay.card", "pay.iban", "geo", "geo.lat", "pairs", "pairs.k", "labels", "receipt",
                     "region"]  # the schema's order
    types = {f["name"]: f.get("type") for f in fields}
    assert types["pay.card"] == "integer|string"  # the two branches that declare it disagree
    assert types["region"] == "integer|string"
    assert types["geo"] is None  # anyOf: the schema fixes no one type
    assert notes == []
    assert resolver.lookup("labels.l_x").declared  # a pattern declares names no list can hold


def _flat(count: int) -> dict[str, Any]:
    return {"type": "object", "properties": {f"f{n}": {"type": "string"} for n in range(count)}}


def test_a_facet_of_exactly_max_fields_is_whole_and_one_more_is_noted() -> None:
    fields, notes = _fields(_flat(openlineage.MAX_FIELDS))
    assert len(fields) == openlineage.MAX_FIELDS
    assert notes == []  # nothing was cut: nothing to say
    fields, notes = _fields(_flat(openlineage.MAX_FIELDS + 1))
    assert len(fields) == openlineage.MAX_FIELDS
    assert notes == [f"the schema facet of contract:c@1 stops at {openlineage.MAX_FIELDS} fields; the rest are "
                     "left out"]


def test_fields_below_max_depth_are_noted_not_dropped_in_silence() -> None:
    deep: dict[str, Any] = {"type": "string"}
    for n in reversed(range(5_000)):  # far deeper than Python's recursion limit
        deep = {"type": "object", "properties": {f"l{n}": deep}}
    fields, notes = _fields(deep)
    assert len(fields) == openlineage.MAX_DEPTH
    assert fields[-1]["name"] == ".".join(f"l{n}" for n in range(openlineage.MAX_DEPTH))
    inside = fields[-1]["name"]
    assert notes == [f"the schema facet of contract:c@1 stops at {openlineage.MAX_DEPTH} levels: the fields inside "
                     f"{inside} (and any as deep) are left out"]
    exactly, notes = _fields(_nested(openlineage.MAX_DEPTH))
    assert len(exactly) == openlineage.MAX_DEPTH and notes == []


def _nested(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"x": schema}}
    return schema


def test_hostile_shapes_stay_bounded() -> None:
    """Every level fans out to the next twice: 2**40 dotted paths. The facet stops at MAX_FIELDS and says so; an
    array nested 5,000 deep is a type, not a RecursionError."""
    defs = {f"d{n}": {"type": "object", "properties": {"a": {"$ref": f"#/$defs/d{n + 1}"},
                                                        "b": {"$ref": f"#/$defs/d{n + 1}"}}} for n in range(40)}
    defs["d40"] = {"type": "string"}
    fields, notes = _fields({"$defs": defs, "$ref": "#/$defs/d0"})
    assert len(fields) == openlineage.MAX_FIELDS
    assert any("stops at 10000 fields" in note for note in notes)
    array: dict[str, Any] = {"type": "string"}
    for _ in range(5_000):
        array = {"type": "array", "items": array}
    fields, _ = _fields({"properties": {"grid": array}})
    depth = openlineage.MAX_DEPTH
    assert fields == [{"name": "grid", "type": "array<" * depth + "array" + ">" * depth}]


def test_a_schema_past_the_resolvers_budget_is_noted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.schema_fields.BUDGET", 50)
    fields, notes = _fields(_flat(100))
    assert len(fields) < 100
    assert notes == ["the schema of contract:c@1 is too complex to read in full; its schema facet may lack fields "
                     "and types"]


def test_a_budget_spent_on_types_and_descriptions_is_noted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``$ref`` chain longer than the budget: what was listed stays (without a type it could not read), the
    rest is not, and the note says so."""
    chain = {f"d{n}": {"$ref": f"#/$defs/d{n + 1}"} for n in range(200)}
    chain["d200"] = {"type": "string", "description": "at the end"}
    schema = {"$defs": chain, "properties": {"a": {"$ref": "#/$defs/d0"}, "b": {"type": "string"}}}
    assert _fields(schema) == ([{"name": "a", "type": "string", "description": "at the end"},
                                {"name": "b", "type": "string"}], [])
    monkeypatch.setattr("bot.schema_fields.BUDGET", 100)
    fields, notes = _fields(schema)
    assert fields == [{"name": "a"}]
    assert notes == ["the schema of contract:c@1 is too complex to read in full; its schema facet may lack fields "
                     "and types"]
