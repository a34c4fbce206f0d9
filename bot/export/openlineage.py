"""OpenLineage: one static ``JobEvent`` (core spec 2-0-0) per model, its contract versions as datasets.

- The job is ``model:NAME`` and each dataset ``contract:NAME@V`` (modelgate's own node ids), all in one namespace
  (``modelgate://REPOSITORY`` unless the caller names another). Inputs are the versions the model consumes,
  outputs the versions it provides, sorted.
- Job facets: ``documentation`` (the model's description) and ``ownership`` (its owners). Dataset facets:
  ``schema`` (the version's JSON Schema as a list of fields), ``documentation`` (the contract's description) and
  ``ownership`` (the contract's owners). A facet with nothing to say is left out.
- Owners become ``team:ORG/TEAM`` and ``user:LOGIN``, the URN form the ownership facets recommend.
- The schema facet (1-0-0) is a flat list of fields, so nested ones are named by their dotted path, as a
  consumer's ``fields`` names them: a property of an object ``geo`` is ``geo.lat``, a property of the objects of
  an array ``orders`` is ``orders.amount``. A type is the JSON Schema type (``string``, ``integer``, …;
  ``array<string>`` for an array of one item type; ``string|null`` for a list of types); a field whose type the
  schema does not fix has none. Local ``$ref``s are followed; ``allOf`` branches are merged; ``anyOf``/``oneOf``
  branches are not expanded (the field is there, its inner fields are not).

Everything is deterministic: the event time is the day given (midnight UTC), keys are sorted in the JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Final

from bot import __version__
from bot.compat.refs import resolve_local
from bot.export.inventory import Inventory, ModelEntry, Ref, Version
from bot.verify.fields import json_type

SPEC: Final = "https://openlineage.io/spec/2-0-0/OpenLineage.json"
EVENT_SCHEMA: Final = f"{SPEC}#/$defs/JobEvent"
FACETS: Final = "https://openlineage.io/spec/facets"
FACET_SCHEMAS: Final = {  # facet key (job or dataset) -> the _schemaURL of its definition
    ("job", "documentation"): f"{FACETS}/1-0-0/DocumentationJobFacet.json#/$defs/DocumentationJobFacet",
    ("job", "ownership"): f"{FACETS}/1-0-0/OwnershipJobFacet.json#/$defs/OwnershipJobFacet",
    ("dataset", "documentation"): f"{FACETS}/1-0-0/DocumentationDatasetFacet.json#/$defs/DocumentationDatasetFacet",
    ("dataset", "ownership"): f"{FACETS}/1-0-0/OwnershipDatasetFacet.json#/$defs/OwnershipDatasetFacet",
    ("dataset", "schema"): f"{FACETS}/1-0-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
}
PRODUCER: Final = f"urn:modelgate:{__version__}"
MAX_FIELDS: Final = 10_000  # fields of one schema facet; past it the facet ends (and a note says so)
MAX_DEPTH: Final = 32  # nesting levels of one schema facet


def namespace_for(repository: str) -> str:
    """The default namespace of a repository's jobs and datasets: ``modelgate://REPOSITORY``."""
    return f"modelgate://{repository}"


def job_name(model: str) -> str:
    return f"model:{model}"


def dataset_name(ref: Ref) -> str:
    return f"contract:{ref[0]}@{ref[1]}"


def owner_urn(owner: str) -> str:
    """``@org/team`` as ``team:org/team``, ``@login`` as ``user:login``."""
    bare = owner.removeprefix("@")
    return f"team:{bare}" if "/" in bare else f"user:{bare}"


def events(inv: Inventory, namespace: str, today: dt.date) -> tuple[list[dict[str, Any]], list[str]]:
    """One JobEvent per model (sorted by name), and the notes of what they could not say in full."""
    when = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    notes: list[str] = []
    datasets = {ref: _dataset(ref, inv.versions.get(ref), namespace, notes) for ref in _refs(inv)}
    return [_event(model, namespace, when, datasets) for model in inv.models], notes


def _refs(inv: Inventory) -> list[Ref]:
    return sorted({ref for model in inv.models for ref in (*model.consumes, *model.provides)})


def _event(model: ModelEntry, namespace: str, when: str, datasets: dict[Ref, dict[str, Any]]) -> dict[str, Any]:
    facets: dict[str, Any] = {}
    if model.description:
        facets["documentation"] = _facet("job", "documentation", description=model.description)
    if model.owners:
        facets["ownership"] = _facet("job", "ownership", owners=[{"name": owner_urn(o)} for o in model.owners])
    return {
        "eventTime": when,
        "producer": PRODUCER,
        "schemaURL": EVENT_SCHEMA,
        "job": {"namespace": namespace, "name": job_name(model.name), "facets": facets},
        "inputs": [datasets[ref] for ref in model.consumes],
        "outputs": [datasets[ref] for ref in model.provides],
    }


def _dataset(ref: Ref, version: Version | None, namespace: str, notes: list[str]) -> dict[str, Any]:
    facets: dict[str, Any] = {}
    if version is not None:
        if version.schema is not None:
            fields = schema_fields(version.schema)
            if len(fields) >= MAX_FIELDS:
                notes.append(f"the schema facet of {dataset_name(ref)} stops at {MAX_FIELDS} fields")
            facets["schema"] = _facet("dataset", "schema", fields=fields)
        if version.description:
            facets["documentation"] = _facet("dataset", "documentation", description=version.description)
        if version.owners:
            facets["ownership"] = _facet("dataset", "ownership",
                                         owners=[{"name": owner_urn(o)} for o in version.owners])
    return {"namespace": namespace, "name": dataset_name(ref), "facets": facets}


def _facet(where: str, key: str, **content: Any) -> dict[str, Any]:
    return {"_producer": PRODUCER, "_schemaURL": FACET_SCHEMAS[(where, key)], **content}


def schema_fields(schema: Any) -> list[dict[str, str]]:
    """The fields of a record schema, nested ones by dotted path (module docstring), in the schema's order."""
    fields: list[dict[str, str]] = []

    def visit(node: Any, prefix: str, depth: int, inside: frozenset[int]) -> None:
        for name, sub in _properties(schema, node).items():
            if len(fields) >= MAX_FIELDS:
                return
            sub = _deref(schema, sub)
            field = {"name": prefix + name}
            kind = _type(schema, sub)
            if kind:
                field["type"] = kind
            text = sub.get("description", sub.get("title")) if isinstance(sub, dict) else None
            if isinstance(text, str) and text:
                field["description"] = text
            fields.append(field)
            inner = _deref(schema, sub.get("items")) if isinstance(sub, dict) and _is(sub, "array") else sub
            if isinstance(inner, dict) and id(inner) not in inside and depth < MAX_DEPTH:
                visit(inner, f"{prefix}{name}.", depth + 1, inside | {id(inner)})

    visit(_deref(schema, schema), "", 0, frozenset({id(schema)}))
    return fields


def _deref(root: Any, node: Any) -> Any:
    """``node``, or what its local ``$ref`` points to (a chain of them, until a cycle or a dead end)."""
    seen: set[int] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and id(node) not in seen:
        seen.add(id(node))
        found, target = resolve_local(root, node["$ref"])
        if not found:
            break
        node = target
    return node


def _properties(root: Any, node: Any) -> dict[str, Any]:
    """The declared properties of an object schema, its ``allOf`` branches' included (first declaration wins)."""
    found: dict[str, Any] = {}
    stack, seen = [node], set()
    while stack:
        item = _deref(root, stack.pop(0))
        if not isinstance(item, dict) or id(item) in seen:
            continue
        seen.add(id(item))
        properties = item.get("properties")
        if isinstance(properties, dict):
            for name, sub in properties.items():
                if isinstance(name, str):
                    found.setdefault(name, sub)
        branches = item.get("allOf")
        if isinstance(branches, list):
            stack.extend(branches)
    return found


def _is(node: dict[str, Any], kind: str) -> bool:
    declared = node.get("type")
    return declared == kind or (isinstance(declared, list) and kind in declared)


def _type(root: Any, node: Any) -> str | None:
    """The JSON Schema type of a field, as one string (module docstring); None when the schema does not fix one."""
    if not isinstance(node, dict):
        return None
    declared = node.get("type")
    if isinstance(declared, str):
        if declared == "array":
            items = _type(root, _deref(root, node.get("items")))
            return f"array<{items}>" if items else "array"
        return declared
    if isinstance(declared, list) and declared and all(isinstance(t, str) for t in declared):
        return "|".join(declared)
    values = node.get("enum") if isinstance(node.get("enum"), list) else [node["const"]] if "const" in node else None
    if values:
        kinds = sorted({json_type(v) for v in values})
        return "|".join(kinds)
    return None


def to_json(event: dict[str, Any]) -> str:
    """One event as one line of JSON: sorted keys, no trailing line break, and ASCII only, so that no character of
    the text (U+2028, U+0085, …) can end the line for a reader that splits on every kind of line break."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"))
