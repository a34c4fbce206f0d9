"""``modelgate import odcs``: Open Data Contract Standard (ODCS) v3 documents into modelgate Contracts.

Pure: the shell reads the files and writes what :func:`build` returns. The mapping is documented in
docs/importing-odcs.md; in short:

- every file is read with modelgate's bounded YAML reader, then validated by the ``open-data-contract-standard``
  package: its pydantic model first, then the JSON Schema of the standard it ships. The first error is one
  :class:`SourceInvalid` naming the file and the JSON pointer. A YAML file whose ``kind`` is not ``DataContract``
  is not an ODCS contract: a notice, and it is skipped;
- every schema object of a document is one Contract (its ``name`` made a manifest name), with one version: the
  major of the document's ``version``; documents naming one contract with different majors are its versions;
- a property becomes a JSON Schema property: ``logicalType`` its ``type``, ``required`` both a required property
  and a type without ``null`` (a property that is not required may be absent or null), ``logicalTypeOptions`` the
  JSON Schema keywords of the same name, ``physicalType`` the ``x-sql-type`` annotation, what JSON Schema has no
  keyword for an ``x-odcs-FIELD`` annotation; the ``jsonSchemaOmit`` and ``jsonSchema`` custom properties of vendor
  ``modelgate`` (what ``modelgate export odcs`` writes for keywords ODCS cannot say) take keywords away from the
  result and lay theirs over it;
- ``status``, ``slaProperties`` (``latency``, ``availability``, ``latencyP99``), ``team`` and modelgate's own
  custom properties become the version's status, SLO and the contract's owners; what has no place is a notice.

No provider Model is written: ODCS does not name the producing model, and a contract version nobody provides is
a warning of ``modelgate lint`` (MG005), not an error; the producer's manifest says ``provides``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Final

from pydantic import ValidationError

from bot.compat.refs import fragment
from bot.imports.model import (
    IMPORTED_FROM,
    Generated,
    ImportContext,
    Imported,
    Notice,
    SourceFile,
    SourceInvalid,
    manifest_name,
)
from bot.manifests.codec import dumps, loads, plain
from bot.manifests.models import Contract
from bot.manifests.yamlread import YamlError, decode, read_yaml
from bot.owners import OWNER_RE

TOOL: Final = "odcs"
KIND: Final = "DataContract"
DOMAIN_LABEL: Final = "modelgate.dev/odcs-domain"
PRODUCT_LABEL: Final = "modelgate.dev/odcs-data-product"
TENANT_LABEL: Final = "modelgate.dev/odcs-tenant"
LABELS: Final = {"domain": DOMAIN_LABEL, "dataProduct": PRODUCT_LABEL, "tenant": TENANT_LABEL}
VENDOR: Final = "modelgate"  # the vendor of the custom properties modelgate writes and reads back
JSON_SCHEMA: Final = "jsonSchema"  # the custom property of the JSON Schema keywords ODCS cannot say
JSON_SCHEMA_OMIT: Final = "jsonSchemaOmit"  # the custom property of the derived keywords the schema has not
API_VERSION_RE: Final = re.compile(r"v3\.\d+\.\d+\Z")
MAX_DEPTH: Final = 64

# logicalType -> JSON Schema type, and the format the date-like types add
JSON_TYPE: Final = {"string": "string", "date": "string", "timestamp": "string", "time": "string",
                    "number": "number", "integer": "integer", "object": "object", "array": "array",
                    "boolean": "boolean", "map": "object", "vector": "array"}
DATE_FORMAT: Final = {"date": "date", "timestamp": "date-time", "time": "time"}
FROM_FORMAT: Final = {fmt: logical for logical, fmt in DATE_FORMAT.items()}
_NUMERIC: Final = ("multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum")
# logicalTypeOptions that are the JSON Schema keyword of the same name and meaning, per logicalType
SAME_KEYWORDS: Final[dict[str, tuple[str, ...]]] = {
    "string": ("minLength", "maxLength", "pattern", "format"), "integer": _NUMERIC, "number": _NUMERIC,
    "object": ("maxProperties", "minProperties"), "array": ("maxItems", "minItems", "uniqueItems")}
OPTIONS_ANNOTATION: Final = "x-odcs-logicalTypeOptions"  # the options JSON Schema has no keyword for
LOGICAL_ANNOTATION: Final = "x-odcs-logicalType"  # a logicalType its JSON type does not say (map, vector)
SQL_TYPE: Final = "x-sql-type"
# fields of a property (and of a schema object) kept as ``x-odcs-FIELD`` annotations
ANNOTATED: Final = ("id", "primaryKey", "primaryKeyPosition", "unique", "partitioned", "partitionKeyPosition",
                    "classification", "businessName", "physicalName", "tags", "criticalDataElement", "quality",
                    "relationships", "transformLogic", "transformSourceObjects", "transformDescription",
                    "encryptedName", "authoritativeDefinitions", "synonyms", "semanticType",
                    "dataGranularityDescription", "context")
ANNOTATION_PREFIX: Final = "x-odcs-"
# the status of a version for ODCS's; proposed and draft are active versions still of ``alpha`` stability
STATUS: Final = {"active": ("active", None), "deprecated": ("deprecated", None), "retired": ("retired", None),
                 "proposed": ("active", "alpha"), "draft": ("active", "alpha")}
SECONDS: Final = {"ms": Decimal("0.001"), "millisecond": Decimal("0.001"), "milliseconds": Decimal("0.001"),
                  "s": Decimal(1), "sec": Decimal(1), "second": Decimal(1), "seconds": Decimal(1),
                  "m": Decimal(60), "min": Decimal(60), "minute": Decimal(60), "minutes": Decimal(60),
                  "h": Decimal(3600), "hr": Decimal(3600), "hour": Decimal(3600), "hours": Decimal(3600),
                  "d": Decimal(86400), "day": Decimal(86400), "days": Decimal(86400)}
FRESHNESS: Final = "latency"  # ODCS's latency: how old the data may be when it is available
AVAILABILITY: Final = "availability"
SERVING_LATENCY: Final = "latencyP99"  # modelgate's own: the p99 serving latency
PERCENT: Final = ("percent", "%")
# modelgate's custom properties on a document (vendor modelgate): contract- and version-level fields ODCS lacks
CONTRACT_FIELDS: Final = ("compatibility",)
VERSION_FIELDS: Final = ("stability", "fallback", "deprecation", "quality")
# top-level ODCS fields the import reads (the others are named in one notice)
READ_FIELDS: Final = frozenset({"apiVersion", "kind", "id", "name", "version", "status", "domain", "dataProduct",
                                "tenant", "description", "schema", "team", "slaProperties", "customProperties"})


def build(sources: Sequence[SourceFile], context: ImportContext) -> Imported:
    """The Contracts of the ODCS documents among ``sources`` (module docstring)."""
    notices: list[Notice] = []
    found: dict[str, dict[int, tuple[str, dict[str, Any], dict[str, Any]]]] = {}  # name -> major -> entry
    origins: dict[tuple[str, int], str] = {}
    read = 0
    for source in sources:
        doc = _read(source, notices)
        if doc is None:
            continue
        read += 1
        for origin, name, major, contract_part, version in _contracts(source, doc, context, notices):
            other = origins.get((name, major))
            if other is not None:
                raise SourceInvalid(source.path, f"{origin} is version {major} of the contract {name}, as {other} "
                                    "is already: give each contract version one document",
                                    origin.partition("#")[2] or None)
            origins[(name, major)] = origin
            found.setdefault(name, {})[major] = (origin, contract_part, version)
    if not read:
        first = sources[0].path if sources else "(no files)"
        raise SourceInvalid(first, f"no ODCS data contract (kind: {KIND}) among the files read")
    files = [_generated(name, found[name]) for name in sorted(found)]
    return Imported(TOOL, tuple(files), tuple(notices))


def _generated(name: str, versions: dict[int, tuple[str, dict[str, Any], dict[str, Any]]]) -> Generated:
    """One Contract document: its contract-level fields from its latest version's document."""
    latest = max(versions)
    origin, contract_part, _ = versions[latest]
    metadata: dict[str, Any] = {"name": name}
    for key in ("owners", "description"):
        if contract_part.get(key):
            metadata[key] = contract_part[key]
    metadata["labels"] = contract_part["labels"]
    spec: dict[str, Any] = {}
    if "compatibility" in contract_part:
        spec["compatibility"] = contract_part["compatibility"]
    spec["versions"] = [versions[major][2] for major in sorted(versions, reverse=True)]
    document = {"apiVersion": "modelgate/v1", "kind": "Contract", "metadata": metadata, "spec": spec}
    try:
        Contract.model_validate(document)
    except ValidationError as exc:  # a modelgate custom property or an SLA value modelgate's model refuses
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        path, _, pointer = origin.partition("#")
        raise SourceInvalid(path, f"the contract {name} it makes is not a valid manifest: {where}: {first['msg']}",
                            pointer or None) from None
    # a fresh copy: no value shared between two places (a YAML anchor of the source), so none renders as an alias
    return Generated(f"contracts/{name}.yaml", loads(dumps(document)), origin)


# --- reading and validating -------------------------------------------------------------------------------------

def _read(source: SourceFile, notices: list[Notice]) -> dict[str, Any] | None:
    """The ODCS document of ``source``, validated; None (and a notice) when the file is not an ODCS contract."""
    try:
        data, _ = read_yaml(decode(source.data), max_depth=MAX_DEPTH)
    except YamlError as exc:
        where = f"line {exc.line}: " if exc.line else ""
        raise SourceInvalid(source.path, f"not readable YAML: {where}{exc.message}") from None
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind != KIND:
        if isinstance(kind, str) and kind.lower().replace("_", "").replace(" ", "") == KIND.lower():
            raise SourceInvalid(source.path, f"kind {kind!r} is not ODCS's: write kind: {KIND}", "/kind")
        notices.append(Notice(f"not an ODCS data contract (no kind: {KIND}): skipped", source.path))
        return None
    assert isinstance(data, dict)
    document: dict[str, Any] = plain(data)  # a YAML date is its ISO text, as the standard's JSON Schema reads it
    api = document.get("apiVersion")
    if not (isinstance(api, str) and API_VERSION_RE.match(api)):
        raise SourceInvalid(source.path, f"apiVersion {api!r} is not ODCS v3 (v3.0.0 and later): modelgate reads "
                            "ODCS v3 documents only", "/apiVersion")
    validate(source.path, document)
    return document


def validate(path: str, data: dict[str, Any]) -> None:
    """Raise SourceInvalid at the first place ``data`` breaks the standard: the package's pydantic model first,
    then the JSON Schema of the standard that the package ships (which says more: required fields, the values of
    ``logicalType``, the ``logicalTypeOptions`` of each type)."""
    from jsonschema.exceptions import best_match
    from open_data_contract_standard.model import OpenDataContractStandard

    try:
        OpenDataContractStandard.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise SourceInvalid(path, f"does not follow the standard: {first['msg']}",
                            _pointer(data, first["loc"])) from None
    errors = list(_standard().iter_errors(data))
    error = best_match(errors)
    if error is not None and error.validator == "unevaluatedProperties":
        # a field refused below this element leaves it unevaluated: that refusal is the one that says why
        at = list(error.absolute_path)
        below = [other for other in errors if list(other.absolute_path)[:len(at)] == at
                 and len(other.absolute_path) > len(at)]
        error = best_match(below) if below else error
    if error is not None:
        message = error.message if len(error.message) <= 300 else error.message[:300] + "…"
        if error.validator == "required" and "'map'" in message and isinstance(error.instance, dict) and \
                "logicalType" not in error.instance:
            message = ("the property has no logicalType (the standard's JSON Schema then reads it as every type "
                       "at once, and asks for 'map'): give its logicalType")
        raise SourceInvalid(path, f"does not follow the standard: {message}",
                            _pointer(data, tuple(error.absolute_path)))


@cache
def _standard() -> Any:
    """The validator of the ODCS JSON Schema the package ships (draft 2019-09)."""
    import json
    from importlib.resources import files

    from jsonschema import Draft201909Validator

    schema = json.loads(files("open_data_contract_standard").joinpath("schema.json").read_text("utf-8"))
    return Draft201909Validator(schema)


def _pointer(data: Any, loc: Sequence[Any]) -> str:
    """The JSON pointer of a validation error's location in ``data``: the location's parts that are keys and
    indexes of the data (a pydantic location also names union members, which are not)."""
    parts: list[str | int] = []
    here = data
    for part in loc:
        if isinstance(here, dict) and part in here:
            here = here[part]
        elif isinstance(here, dict) and part == "schema_" and "schema" in here:
            part, here = "schema", here["schema"]
        elif isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here):
            here = here[part]
        else:
            continue
        parts.append(part)
    return fragment(parts).removeprefix("#") or "/"


# --- one document ------------------------------------------------------------------------------------------------

def _major(path: str, version: Any, notices: list[Notice]) -> int:
    found = re.match(r"v?(\d+)(?:\.|\Z)", version) if isinstance(version, str) else None
    if found is None:
        raise SourceInvalid(path, f"version {version!r} has no major number (MAJOR.MINOR.PATCH): the major is the "
                            "contract version", "/version")
    major = int(found.group(1))
    if major == 0:
        notices.append(Notice(f"version {version} is before 1.0.0: imported as contract version 1", path,
                              "/version"))
        return 1
    return major


def _contracts(source: SourceFile, doc: dict[str, Any], context: ImportContext, notices: list[Notice],
               ) -> list[tuple[str, str, int, dict[str, Any], dict[str, Any]]]:
    """(origin, contract name, version number, contract-level fields, the version) per schema object."""
    path = source.path
    major = _major(path, doc.get("version"), notices)
    custom = _custom(doc.get("customProperties"))
    contract_part: dict[str, Any] = {"owners": _owners(source, doc, context, notices),
                                     "labels": _labels(doc)}
    description = doc.get("description") or {}
    if description.get("purpose"):
        contract_part["description"] = description["purpose"]
    left = sorted(key for key in ("usage", "limitations") if description.get(key))
    if left:
        notices.append(Notice(f"description.{' and description.'.join(left)} not imported: a contract has one "
                              "description (description.purpose)", path, "/description"))
    for key in CONTRACT_FIELDS:
        if key in custom:
            contract_part[key] = custom[key]
    others = [entry.get("property") for entry in doc.get("customProperties") or ()
              if entry.get("vendor") != VENDOR]
    if others:
        notices.append(Notice(f"custom properties {', '.join(map(str, others))}: not imported (only modelgate's "
                              "are read at the document's level)", path, "/customProperties"))
    version = _version(path, doc, major, custom, notices)
    unread = sorted(key for key in doc if key not in READ_FIELDS)
    if unread:
        notices.append(Notice(f"{', '.join(unread)}: not imported (a contract has no place for them)", path))
    objects = doc.get("schema") or []
    if not objects:
        raise SourceInvalid(path, "the contract has no schema objects: nothing to import", "/schema")
    made: list[tuple[str, str, int, dict[str, Any], dict[str, Any]]] = []
    names: dict[str, str] = {}
    for index, obj in enumerate(objects):
        at = f"/schema/{index}"
        name = manifest_name(obj["name"])
        if not name:
            raise SourceInvalid(path, f"schema object name {obj['name']!r} leaves no manifest name "
                                "(lower-case letters, digits and '-')", f"{at}/name")
        if name in names:
            raise SourceInvalid(path, f"the schema objects {names[name]!r} and {obj['name']!r} are both the "
                                f"contract {name}", f"{at}/name")
        names[name] = obj["name"]
        try:
            schema = object_schema(obj)
        except ValueError as exc:  # the standard's schema refuses these first; kept for what it let through
            raise SourceInvalid(path, str(exc), at) from None
        made.append((f"{path}#{at}", name, major, contract_part, _with_schema(version, schema)))
    return made


AFTER_SCHEMA: Final = ("slo", "fallback", "deprecation", "quality")  # the version's fields after ``schema``


def _with_schema(version: dict[str, Any], schema: Any) -> dict[str, Any]:
    """The version with its schema, its fields in manifest order."""
    head = {key: value for key, value in version.items() if key not in AFTER_SCHEMA}
    return {**head, "schema": schema, **{key: version[key] for key in AFTER_SCHEMA if key in version}}


def _version(path: str, doc: dict[str, Any], major: int, custom: dict[str, Any],
             notices: list[Notice]) -> dict[str, Any]:
    status_text = doc.get("status")
    status, stability = STATUS.get(str(status_text).lower(), ("active", None)) if status_text else ("active", None)
    if status_text and str(status_text).lower() not in STATUS:
        notices.append(Notice(f"status {status_text!r} is none of {', '.join(STATUS)}: imported as active", path,
                              "/status"))
    version: dict[str, Any] = {"version": major, "status": status}
    stability = custom.get("stability", stability)
    if stability is not None:
        version["stability"] = stability
    slo = _slo(path, doc.get("slaProperties") or [], notices)
    if slo:
        version["slo"] = slo
    for key in ("fallback", "quality"):
        if key in custom:
            version[key] = custom[key]
    if "deprecation" in custom:
        deprecation = dict(custom["deprecation"]) if isinstance(custom["deprecation"], dict) else {}
        for key in ("announced", "sunset"):
            if isinstance(deprecation.get(key), str):
                try:
                    deprecation[key] = dt.date.fromisoformat(deprecation[key])
                except ValueError:
                    raise SourceInvalid(path, f"deprecation.{key} {deprecation[key]!r} is not a date (YYYY-MM-DD)",
                                        "/customProperties") from None
        version["deprecation"] = deprecation
    return version


def _custom(entries: Any) -> dict[str, Any]:
    """modelgate's custom properties (vendor ``modelgate``) by name."""
    return {entry["property"]: entry.get("value") for entry in entries or ()
            if isinstance(entry, dict) and entry.get("vendor") == VENDOR and isinstance(entry.get("property"), str)}


def _labels(doc: dict[str, Any]) -> dict[str, str]:
    labels = {IMPORTED_FROM: TOOL}
    for key, label in LABELS.items():
        if isinstance(doc.get(key), str) and doc[key]:
            labels[label] = doc[key]
    return labels


def _owners(source: SourceFile, doc: dict[str, Any], context: ImportContext, notices: list[Notice]) -> list[str]:
    """The GitHub handles of the team: a member's ``username`` (or the team's ``name``) written as ``@login`` or
    ``@org/team``; else CODEOWNERS of the ODCS file; else none, and a notice. Other members are a notice."""
    team = doc.get("team")
    named = team.get("name") if isinstance(team, dict) else None  # a team of 3.1 and later has a name
    members = team if isinstance(team, list) else (team or {}).get("members") or []
    candidates = [named]
    candidates += [member.get("username") for member in members]
    owners: list[str] = []
    others: list[str] = []
    for candidate in candidates:
        if not isinstance(candidate, str):
            continue
        if OWNER_RE.fullmatch(candidate):
            if candidate not in owners:
                owners.append(candidate)
        elif candidate.strip():
            others.append(candidate)
    if named in others:
        others.remove(named)  # a team's name that is not a handle is just its name
    if not owners:
        where = f"{context.base_dir}/{source.path}" if context.base_dir else source.path
        owners = list(context.owners_for(where))
    named_others = f"team member(s) {', '.join(others)}: not a GitHub handle (@login or @org/team)"
    if owners and others:
        notices.append(Notice(f"{named_others}, not made owners", source.path, "/team"))
    elif others:
        notices.append(Notice(f"{named_others}, and no CODEOWNERS rule names the file: no owner; name the owners "
                              "in the overlay", source.path, "/team"))
    elif not owners:
        notices.append(Notice("no owner: no team member is a GitHub handle and no CODEOWNERS rule names the file; "
                              "name the owners in the overlay", source.path, "/team"))
    return owners


def _slo(path: str, entries: list[dict[str, Any]], notices: list[Notice]) -> dict[str, Any]:
    """The SLO the SLA properties say exactly: ``latency`` (freshness), ``availability``, ``latencyP99``."""
    slo: dict[str, Any] = {}
    for index, entry in enumerate(entries):
        at = f"/slaProperties/{index}"
        name, value, unit = entry.get("property"), entry.get("value"), str(entry.get("unit") or "").lower()
        number = _decimal(value)
        if name == FRESHNESS and number is not None and unit in SECONDS:
            slo["freshness_s"] = _number(number * SECONDS[unit])
        elif name == SERVING_LATENCY and number is not None and unit in SECONDS:
            slo["latency_p99_ms"] = _number(number * SECONDS[unit] * 1000)
        elif name == AVAILABILITY and number is not None and (unit in PERCENT or (not unit and number <= 1)):
            slo["availability"] = _number(number / 100 if unit else number)
        elif name in (FRESHNESS, SERVING_LATENCY, AVAILABILITY):
            notices.append(Notice(f"SLA property {name} = {value!r} {unit or '(no unit)'}: not a number in a unit "
                                  "modelgate converts exactly (ms, s, min, h, d; percent): not imported", path, at))
        else:
            notices.append(Notice(f"SLA property {name}: modelgate's SLO has no counterpart (it keeps latency, "
                                  "availability and latencyP99): not imported", path, at))
    return slo


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# --- schemas ------------------------------------------------------------------------------------------------------

def object_schema(obj: dict[str, Any]) -> Any:
    """The JSON Schema of a schema object: an ``object`` (when its logicalType says so) of its properties."""
    schema: dict[str, Any] = {}
    if obj.get("logicalType") == "object":
        schema["type"] = "object"
    if obj.get("description"):
        schema["description"] = obj["description"]
    if obj.get("physicalType"):
        schema[ANNOTATION_PREFIX + "physicalType"] = obj["physicalType"]
    _annotate(obj, schema)
    _properties(obj, schema)
    return _overlaid(obj, schema)


def property_schema(prop: dict[str, Any], *, item: bool = False) -> tuple[Any, bool]:
    """The JSON Schema of an ODCS property (or of an array's ``items``) and whether it is required."""
    schema: dict[str, Any] = {}
    logical = prop.get("logicalType")
    required = prop.get("required") is True
    if logical is not None:
        if logical not in JSON_TYPE:  # the standard's schema says so first; kept for a document it did not check
            raise ValueError(f"unknown logicalType {logical!r}")
        base = JSON_TYPE[logical]
        schema["type"] = base if required else [base, "null"]
        if logical in DATE_FORMAT:
            schema["format"] = DATE_FORMAT[logical]
        if logical != said_by(base, DATE_FORMAT.get(logical)):
            schema[LOGICAL_ANNOTATION] = logical
    for key in ("description", "examples"):
        if key in prop:
            schema[key] = prop[key]
    if prop.get("deprecated") is not None:
        schema["deprecated"] = prop["deprecated"]
    if prop.get("physicalType"):
        schema[SQL_TYPE] = prop["physicalType"]
    options = dict(prop.get("logicalTypeOptions") or {})
    same = SAME_KEYWORDS.get(str(logical), ())
    for key in [key for key in options if key in same]:
        schema[key] = options.pop(key)
    if logical == "vector" and isinstance(options.get("dimensions"), int):
        schema["items"] = {"type": "number"}
        schema["minItems"] = schema["maxItems"] = options["dimensions"]
    if options:
        schema[OPTIONS_ANNOTATION] = options
    if "enum" in prop:
        values = [entry.get("value") for entry in prop["enum"]]
        schema["enum"] = values if required or None in values or logical is None else [*values, None]
        if any(set(entry) - {"value"} for entry in prop["enum"]):
            schema[ANNOTATION_PREFIX + "enum"] = prop["enum"]
    if logical == "map" and isinstance(prop.get("map"), dict):
        schema["additionalProperties"] = property_schema(prop["map"]["value"], item=True)[0]
        schema[ANNOTATION_PREFIX + "mapKey"] = prop["map"]["key"]
    _annotate(prop, schema)
    _properties(prop, schema)
    if isinstance(prop.get("items"), dict):
        schema["items"] = property_schema(prop["items"], item=True)[0]
    if item:
        required = False
    return _overlaid(prop, schema), required


def said_by(kind: str, fmt: Any) -> str:
    """The logicalType a JSON type (and ``format``) says without an annotation: the first one mapping to it."""
    return FROM_FORMAT.get(fmt, kind) if kind == "string" and isinstance(fmt, str) else kind


def _properties(element: dict[str, Any], schema: dict[str, Any]) -> None:
    if not isinstance(element.get("properties"), list):
        return
    properties: dict[str, Any] = {}
    required: list[str] = []
    for prop in element["properties"]:
        properties[prop["name"]], needed = property_schema(prop)
        if needed:
            required.append(prop["name"])
    option = (element.get("logicalTypeOptions") or {}).get("required")
    if isinstance(option, list):
        required += [name for name in option if name not in required]
        schema.get(OPTIONS_ANNOTATION, {}).pop("required", None)
        if schema.get(OPTIONS_ANNOTATION) == {}:
            del schema[OPTIONS_ANNOTATION]
    schema["properties"] = properties
    if required:
        schema["required"] = required


def _annotate(element: dict[str, Any], schema: dict[str, Any]) -> None:
    for key in ANNOTATED:
        if element.get(key) is not None:
            schema[ANNOTATION_PREFIX + key] = element[key]
    others = [entry for entry in element.get("customProperties") or ()
              if not (entry.get("vendor") == VENDOR and entry.get("property") in (JSON_SCHEMA, JSON_SCHEMA_OMIT))]
    if others:
        schema[ANNOTATION_PREFIX + "customProperties"] = others


def _overlaid(element: dict[str, Any], schema: dict[str, Any]) -> Any:
    """``schema`` without the keywords modelgate's ``jsonSchemaOmit`` custom property names and with its
    ``jsonSchema`` laid over it: its keywords replace those derived (a schema that is not a mapping replaces the
    whole)."""
    custom = _custom(element.get("customProperties"))
    omit = custom.get(JSON_SCHEMA_OMIT)
    if isinstance(omit, list):
        schema = {key: value for key, value in schema.items() if key not in omit}
    over = custom.get(JSON_SCHEMA, {})
    if not isinstance(over, dict):
        return over
    return {**schema, **over}
