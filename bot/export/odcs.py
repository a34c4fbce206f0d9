"""``modelgate export odcs``: every contract version of one state as an ODCS v3 document (the inverse of
``bot.imports.odcs``; the mapping is in docs/exports.md).

- One document per contract version, of every status: ``version`` ``N.0.0``, ``status`` the version's, ``name``
  and the one schema object's ``name`` the contract's, ``id`` a UUID derived from the contract and the version
  (the same on every export), ``description.purpose`` the contract's description, ``team`` its owners (the
  manifest's, else CODEOWNERS'), ``domain``/``dataProduct``/``tenant`` from the labels an ODCS import wrote.
- A property is written with the ODCS fields that say its JSON Schema (``logicalType``, ``required``,
  ``logicalTypeOptions``, ``physicalType`` from ``x-sql-type``, ``x-odcs-FIELD`` annotations back as fields, nested
  ``properties`` and ``items``); whatever they cannot say (``additionalProperties``, ``oneOf``, a ``type`` that is
  optional yet not nullable, …) is the ``jsonSchema`` custom property of vendor ``modelgate``, keyword by keyword,
  and a keyword the ODCS fields imply that the schema lacks is named in ``jsonSchemaOmit``, so that importing the
  document gives the same schema: nothing is dropped. The standard's schema wants a ``logicalType`` on every
  property: one whose JSON Schema fixes no single type gets a stand-in (its first type, else ``object`` or
  ``array`` by its keywords, else ``string``) that ``jsonSchema``/``jsonSchemaOmit`` correct.
- The SLO is ``slaProperties``: ``freshness_s`` as ``latency`` (in the largest unit of s, min, h, d that says it
  exactly), ``availability`` as a percentage, ``latency_p99_ms`` as ``latencyP99`` in ms; the contract's
  ``compatibility`` and the version's ``stability``, ``fallback``, ``deprecation`` and ``quality`` are custom
  properties of vendor ``modelgate``.

Every document is checked against the standard (the package's pydantic model and JSON Schema) before it is
returned: a document that would not validate is a bug, raised as :class:`ExportInvalid`, never written.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, Final

import yaml

from bot.compat.refs import escape
from bot.errors import DomainError
from bot.export.inventory import inventory
from bot.imports import odcs as mapping
from bot.imports.model import SourceInvalid
from bot.manifests.codec import plain
from bot.manifests.models import Contract
from bot.manifests.snapshot import Snapshot

API_VERSION: Final = "v3.2.0"  # the version of the standard the pinned package validates
NAMESPACE: Final = uuid.UUID("6f0e2c2a-4d1e-5b8a-9c3f-6d6f64656c67")  # modelgate's: ids are uuid5(NAMESPACE, ref)
FROM_JSON_TYPE: Final = {"string": "string", "number": "number", "integer": "integer", "boolean": "boolean",
                         "object": "object", "array": "array"}
UNITS: Final = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))
FIELD_OF: Final = {mapping.ANNOTATION_PREFIX + key: key for key in mapping.ANNOTATED}
_NOT_GIVEN: Final = object()


class ExportInvalid(DomainError):
    """An exported document that the standard refuses: a defect of the export, never written."""


def documents(snapshot: Snapshot) -> list[tuple[str, dict[str, Any]]]:
    """(file name, ODCS document) for every contract version of ``snapshot``, by contract, then version."""
    found: list[tuple[str, dict[str, Any]]] = []
    for (name, number), item in inventory(snapshot).versions.items():  # by contract, then version
        if item.schema is None:  # unreadable schema_ref: the inventory's notes say so
            continue
        contract = snapshot.contracts[name].doc  # the rest of what ODCS says: labels, SLO, fallback, quality, …
        assert isinstance(contract, Contract)
        doc = document(contract, number, item.schema, item.owners)
        file = f"{name}.v{number}.odcs.yaml"
        try:
            mapping.validate(file, doc)
        except SourceInvalid as exc:
            raise ExportInvalid(refusal(name, number, doc, exc)) from None
        found.append((file, doc))
    return found


def refusal(name: str, number: int, doc: dict[str, Any], exc: SourceInvalid) -> str:
    """What to tell of an exported document the standard refuses: the contract version, the place in its JSON
    Schema the refused ODCS element comes from, the standard's complaint, and what the user can do."""
    where, field = _schema_pointer(doc, exc.pointer or "")
    at = f"the ODCS {'field ' + repr(field) + ' of the ' if field else ''}element made of its schema at " \
         f"'{where or '/'}'"
    return (f"contract {name} version {number} cannot be exported to ODCS: {at} (#{exc.pointer or ''}): "
            f"{exc.message}. Check the x-odcs-* annotations of the schema there (an ODCS import writes them; a "
            "hand-written one may name what this logicalType does not allow); if it has none, this is a defect "
            "of modelgate's export: please report it with this line")


def _schema_pointer(doc: dict[str, Any], pointer: str) -> tuple[str, str | None]:
    """The JSON pointer into a contract version's schema of the ODCS element at ``pointer`` of ``doc``, and the
    field of that element the pointer goes on to name (None: the element itself, or outside the schema)."""
    parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
    if parts[:2] != ["schema", "0"]:
        return "", parts[0] if parts else None
    node: Any = doc["schema"][0]
    where = ""
    rest = parts[2:]
    while rest:
        if rest[0] == "properties" and len(rest) > 1 and rest[1].isdigit():
            node = node["properties"][int(rest[1])]
            where += "/properties/" + escape(str(node["name"]))
            rest = rest[2:]
        elif rest[0] == "items" and len(rest) > 1 and isinstance(node.get("items"), dict):
            node, where, rest = node["items"], where + "/items", rest[1:]
        elif rest[:2] == ["map", "value"] and len(rest) > 2:
            node, where, rest = node["map"]["value"], where + "/additionalProperties", rest[2:]
        else:
            return where, rest[0]
    return where, None


def to_yaml(docs: list[dict[str, Any]]) -> str:
    """The documents as one multi-document YAML stream (one document: a plain YAML file)."""
    return yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120)


def document(contract: Contract, number: int, schema: Any, owners: tuple[str, ...]) -> dict[str, Any]:
    """The ODCS document of version ``number`` of ``contract``, whose JSON Schema is ``schema``."""
    name = contract.metadata.name
    version = contract.version(number)
    assert version is not None
    doc: dict[str, Any] = {"apiVersion": API_VERSION, "kind": mapping.KIND,
                           "id": str(uuid.uuid5(NAMESPACE, f"{name}@{number}")), "name": name,
                           "version": f"{number}.0.0", "status": version.status}
    labels = contract.metadata.labels or {}
    for key, label in mapping.LABELS.items():
        if labels.get(label):
            doc[key] = labels[label]
    if contract.metadata.description:
        doc["description"] = {"purpose": contract.metadata.description}
    doc["schema"] = [schema_object(name, schema)]
    if owners:
        doc["team"] = {"members": [{"username": owner, "role": "owner"} for owner in owners]}
    sla = _sla(version.slo.model_dump(exclude_none=True) if version.slo else {})
    if sla:
        doc["slaProperties"] = sla
    custom: dict[str, Any] = {}
    if contract.spec.compatibility != "forward":
        custom["compatibility"] = contract.spec.compatibility
    if version.stability != "stable":
        custom["stability"] = version.stability
    for key in ("fallback", "deprecation", "quality"):
        value = getattr(version, key)
        if value is not None:
            custom[key] = plain(value.model_dump(exclude_none=True, exclude_defaults=key != "fallback"))
    if custom:
        doc["customProperties"] = [_custom(key, value) for key, value in custom.items()]
    return doc


def _custom(key: str, value: Any) -> dict[str, Any]:
    return {"property": key, "value": value, "vendor": mapping.VENDOR}


def _sla(slo: dict[str, Any]) -> list[dict[str, Any]]:
    sla: list[dict[str, Any]] = []
    if "freshness_s" in slo:
        seconds = Decimal(str(slo["freshness_s"]))
        unit, size = next(((unit, size) for unit, size in UNITS if seconds % size == 0), ("s", 1))
        sla.append({"property": mapping.FRESHNESS, "value": mapping._number(seconds / size), "unit": unit})
    if "availability" in slo:
        percent = Decimal(str(slo["availability"])) * 100
        sla.append({"property": mapping.AVAILABILITY, "value": mapping._number(percent), "unit": "percent"})
    if "latency_p99_ms" in slo:
        sla.append({"property": mapping.SERVING_LATENCY, "value": slo["latency_p99_ms"], "unit": "ms",
                    "description": "p99 serving latency (modelgate's latency_p99_ms)"})
    return sla


def schema_object(name: str, schema: Any) -> dict[str, Any]:
    """The schema object of a contract version's JSON Schema: its properties as ODCS properties; what ODCS cannot
    say in the ``jsonSchema`` custom property."""
    element: dict[str, Any] = {"name": name}
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            element["logicalType"] = "object"
        if isinstance(schema.get("description"), str):
            element["description"] = schema["description"]
        physical = schema.get(mapping.ANNOTATION_PREFIX + "physicalType")
        if isinstance(physical, str):
            element["physicalType"] = physical
        _fields_back(schema, element)
        _properties(schema, element)
    return _finish(element, schema, lambda: mapping.object_schema(element))


def property_of(schema: Any, *, name: str | None, required: bool) -> dict[str, Any]:
    """The ODCS property (``name`` None: an array's ``items``) of a JSON Schema property."""
    element: dict[str, Any] = {} if name is None else {"name": name}
    nullable = False
    if isinstance(schema, dict):
        kind = schema.get("type")
        if isinstance(kind, list) and len(kind) == 2 and "null" in kind:
            kind = next(item for item in kind if item != "null")
            nullable = True
        logical = _logical(schema, kind)
        element["logicalType"] = logical or _stand_in(schema)
        element["required"] = required if name is not None else not nullable
        for key in ("description", "examples", "deprecated"):
            if key in schema:
                element[key] = schema[key]
        if isinstance(schema.get(mapping.SQL_TYPE), str):
            element["physicalType"] = schema[mapping.SQL_TYPE]
        options = {key: schema[key] for key in mapping.SAME_KEYWORDS.get(str(logical), ()) if key in schema}
        extra = schema.get(mapping.OPTIONS_ANNOTATION)
        if isinstance(extra, dict) and logical is not None:
            options.update(extra)
        if options:
            element["logicalTypeOptions"] = options
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            given = schema.get(mapping.ANNOTATION_PREFIX + "enum")
            values = [value for value in schema["enum"] if value is not None or not nullable]
            if values:
                element["enum"] = given if isinstance(given, list) else [{"value": value} for value in values]
        _fields_back(schema, element)
        _properties(schema, element)
        if logical == "array" and isinstance(schema.get("items"), dict):
            element["items"] = property_of(schema["items"], name=None, required=True)
        if logical == "map":
            element["map"] = {"key": schema[mapping.ANNOTATION_PREFIX + "mapKey"],
                              "value": property_of(schema["additionalProperties"], name=None, required=True)}
    else:
        element["logicalType"] = "string"
        element["required"] = required
    return _finish(element, schema, lambda: mapping.property_schema(element, item=name is None)[0])


def _logical(schema: dict[str, Any], kind: Any) -> str | None:
    """The logicalType of a JSON Schema of type ``kind``: the one an import wrote in ``x-odcs-logicalType`` when
    it is of that type (and, for a map, its key and value are there), else the one the type and format say."""
    if not isinstance(kind, str) or kind not in FROM_JSON_TYPE:
        return None
    said = schema.get(mapping.LOGICAL_ANNOTATION)
    if isinstance(said, str) and mapping.JSON_TYPE.get(said) == kind and (said != "map" or (
            isinstance(schema.get(mapping.ANNOTATION_PREFIX + "mapKey"), dict)
            and isinstance(schema.get("additionalProperties"), dict))):
        return said
    return mapping.said_by(kind, schema.get("format"))


def _stand_in(schema: dict[str, Any]) -> str:
    """The logicalType of a property whose JSON Schema fixes no one type (the standard's schema asks for one):
    the first of its types, else what its keywords suggest, else ``string``; ``jsonSchema`` says the rest."""
    kinds = schema.get("type")
    for kind in kinds if isinstance(kinds, list) else ():
        if kind in FROM_JSON_TYPE:
            return FROM_JSON_TYPE[kind]
    if "properties" in schema:
        return "object"
    return "array" if "items" in schema else "string"


def _fields_back(schema: dict[str, Any], element: dict[str, Any]) -> None:
    """The ``x-odcs-FIELD`` annotations an ODCS import wrote, back as the fields they were."""
    for key, field in FIELD_OF.items():
        if key in schema:
            element[field] = schema[key]
    if isinstance(schema.get(mapping.ANNOTATION_PREFIX + "customProperties"), list):
        element["customProperties"] = list(schema[mapping.ANNOTATION_PREFIX + "customProperties"])


def _properties(schema: dict[str, Any], element: dict[str, Any]) -> None:
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        return
    listed = schema.get("required")
    required = listed if isinstance(listed, list) else []
    element["properties"] = [property_of(sub, name=key, required=key in required) for key, sub in properties.items()]


def _finish(element: dict[str, Any], schema: Any, derive: Any) -> dict[str, Any]:
    """``element`` with the custom properties that make its import ``schema`` again: ``jsonSchema``, the keywords
    the derived schema misses or says otherwise (a schema that is not a mapping: the whole), and
    ``jsonSchemaOmit``, the keywords it derives that ``schema`` does not have."""
    derived = derive()
    if derived == schema:
        return element
    customs = element.setdefault("customProperties", [])
    if isinstance(schema, dict) and isinstance(derived, dict):
        over = {key: value for key, value in schema.items() if derived.get(key, _NOT_GIVEN) != value}
        omit = [key for key in derived if key not in schema]
        if over:
            customs.append(_custom(mapping.JSON_SCHEMA, over))
        if omit:
            customs.append(_custom(mapping.JSON_SCHEMA_OMIT, omit))
    else:
        customs.append(_custom(mapping.JSON_SCHEMA, schema))
    return element
