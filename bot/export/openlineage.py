"""OpenLineage: one static ``JobEvent`` (core spec 2-0-0) per model, its contract versions as datasets.

- The job is ``model:NAME`` and each dataset ``contract:NAME@V`` (modelgate's own node ids), all in one namespace
  (``modelgate://REPOSITORY`` unless the caller names another). Inputs are the versions the model consumes,
  outputs the versions it provides, sorted.
- Job facets: ``documentation`` (the model's description) and ``ownership`` (its owners). Dataset facets:
  ``schema`` (the version's JSON Schema as a list of fields), ``documentation`` (the contract's description) and
  ``ownership`` (the contract's owners). A facet with nothing to say is left out.
- Owners become ``team:ORG/TEAM`` and ``user:LOGIN``, the URN form the ownership facets recommend.
- The schema facet (1-0-0) is a flat list of fields, so nested ones are named by their dotted path: exactly the
  names a consumer's ``fields`` may name (MG010), as ``bot.schema_fields`` lists them (``$ref``, ``allOf``,
  ``anyOf``/``oneOf`` branches, ``items``, … are followed the same way; a recursive schema stops where it comes
  back; ``patternProperties`` declare names no list can hold). A type is the JSON Schema type (``string``,
  ``integer``, …; ``array<string>`` for an array of one item type, ``array`` when the items are of no fixed type or
  come back to the array; ``string|null`` for a list of types; the types of the branches declaring one name, joined
  alike); a field whose type the schema does not fix has none. At most ``MAX_FIELDS`` fields and ``MAX_DEPTH``
  levels: what is left out past them is said in a note, never dropped in silence.

Everything is deterministic: the event time is the day given (midnight UTC), keys are sorted in the JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Final

from bot import __version__
from bot.export.inventory import Inventory, ModelEntry, Ref, Version
from bot.graph import contract_node, model_node
from bot.owners import parse as parse_owner
from bot.schema_fields import FieldResolver, OutOfBudget
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
MAX_DEPTH: Final = 32  # nesting levels of one schema facet (the top one included); below them, a note


def namespace_for(repository: str) -> str:
    """The default namespace of a repository's jobs and datasets: ``modelgate://REPOSITORY``."""
    return f"modelgate://{repository}"


def owner_urn(owner: str) -> str:
    """``@org/team`` as ``team:org/team``, ``@login`` as ``user:login``."""
    handle = parse_owner(owner)
    return f"team:{handle.org}/{handle.name}" if handle.is_team else f"user:{handle.name}"


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
        "job": {"namespace": namespace, "name": model_node(model.name), "facets": facets},
        "inputs": [datasets[ref] for ref in model.consumes],
        "outputs": [datasets[ref] for ref in model.provides],
    }


def _dataset(ref: Ref, version: Version | None, namespace: str, notes: list[str]) -> dict[str, Any]:
    facets: dict[str, Any] = {}
    if version is not None:
        if version.schema is not None:
            facets["schema"] = _facet("dataset", "schema",
                                      fields=schema_fields(version.schema, notes, contract_node(*ref)))
        if version.description:
            facets["documentation"] = _facet("dataset", "documentation", description=version.description)
        if version.owners:
            facets["ownership"] = _facet("dataset", "ownership",
                                         owners=[{"name": owner_urn(o)} for o in version.owners])
    return {"namespace": namespace, "name": contract_node(*ref), "facets": facets}


def _facet(where: str, key: str, **content: Any) -> dict[str, Any]:
    return {"_producer": PRODUCER, "_schemaURL": FACET_SCHEMAS[(where, key)], **content}


def schema_fields(schema: Any, notes: list[str] | None = None, dataset: str = "the schema") -> list[dict[str, str]]:
    """The fields of a record schema, nested ones by dotted path (module docstring), in the schema's order; what it
    leaves out is said in ``notes``."""
    resolver = FieldResolver(schema)
    listing = resolver.fields(MAX_FIELDS, MAX_DEPTH)
    fields: list[dict[str, str]] = []
    out_of_budget = listing.too_complex
    for found in listing.fields:
        field = {"name": found.path}
        if not out_of_budget:  # past the budget, the names that were listed, without their types
            try:
                kind, text = _field_type(resolver, found.schemas), _description(resolver, found.schemas)
            except OutOfBudget:
                kind, text, out_of_budget = None, None, True
            if kind:
                field["type"] = kind
            if text:
                field["description"] = text
        fields.append(field)
    if notes is not None:
        if listing.cut_at_fields:
            notes.append(f"the schema facet of {dataset} stops at {MAX_FIELDS} fields; the rest are left out")
        if listing.deeper is not None:
            notes.append(f"the schema facet of {dataset} stops at {MAX_DEPTH} levels: the fields inside "
                         f"{listing.deeper} (and any as deep) are left out")
        if out_of_budget:
            notes.append(f"the schema of {dataset} is too complex to read in full; its schema facet may lack "
                         "fields and types")
    return fields


def _field_type(resolver: FieldResolver, schemas: tuple[Any, ...]) -> str | None:
    """The type of a field whose name leads to ``schemas`` (one per branch declaring it): theirs when each fixes
    one (``integer|string`` when they differ), else None."""
    kinds = [_type(resolver, sub) for sub in schemas]
    if not kinds or not all(kinds):
        return None
    return "|".join(sorted({kind for kind in kinds if kind}))


def _description(resolver: FieldResolver, schemas: tuple[Any, ...]) -> str | None:
    for sub in schemas:
        for node in resolver.resolved(sub):
            text = node.get("description", node.get("title")) if isinstance(node, dict) else None
            if isinstance(text, str) and text:
                return text
    return None


def _own_type(node: Any) -> str | None:
    """The type ``node`` itself fixes (its own ``type``, ``enum`` or ``const``); ``array`` stands for any array."""
    if not isinstance(node, dict):
        return None
    declared = node.get("type")
    if isinstance(declared, str):
        return declared
    if isinstance(declared, list) and declared and all(isinstance(t, str) for t in declared):
        return "|".join(declared)
    values = node.get("enum") if isinstance(node.get("enum"), list) else [node["const"]] if "const" in node else None
    return "|".join(sorted({json_type(v) for v in values})) if values else None


def _type(resolver: FieldResolver, node: Any) -> str | None:
    """The JSON Schema type of a field, as one string (module docstring); None when the schema does not fix one.

    Arrays of arrays are followed in a loop, not by recursion (``array<array<string>>``); an array whose items come
    back to a schema on the way (a recursive schema), do not fix a type, or lie more than ``MAX_DEPTH`` arrays
    down, is ``array``."""
    arrays = 0
    seen: set[int] = set()
    while True:
        chain = resolver.resolved(node)
        kind = next(filter(None, map(_own_type, chain)), None)
        if kind is None or any(id(item) in seen for item in chain):
            return _arrays(arrays - 1, "array") if arrays else kind
        if kind != "array" or arrays == MAX_DEPTH:
            return _arrays(arrays, kind)
        seen.update(id(item) for item in chain)
        node = next((item["items"] for item in chain if isinstance(item, dict) and "items" in item), None)
        arrays += 1


def _arrays(depth: int, kind: str) -> str:
    return "array<" * depth + kind + ">" * depth


def to_json(event: dict[str, Any]) -> str:
    """One event as one line of JSON: sorted keys, no trailing line break, and ASCII only, so that no character of
    the text (U+2028, U+0085, …) can end the line for a reader that splits on every kind of line break."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"))
