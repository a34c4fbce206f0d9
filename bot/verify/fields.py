"""What an object schema says of its top-level fields: the JSON types each allows, and whether it is an enum."""

from __future__ import annotations

from typing import Any


def properties(schema: Any) -> dict[str, Any]:
    found = schema.get("properties") if isinstance(schema, dict) else None
    return found if isinstance(found, dict) else {}


def schema_types(schema: Any) -> dict[str, frozenset[str]]:
    """The JSON types each top-level property allows (empty: the schema does not say)."""
    return {name: property_types(prop) for name, prop in properties(schema).items()}


def property_types(prop: Any) -> frozenset[str]:
    if not isinstance(prop, dict):
        return frozenset()
    declared = prop.get("type")
    if isinstance(declared, str):
        return frozenset({declared})
    if isinstance(declared, list):
        return frozenset(t for t in declared if isinstance(t, str))
    values = prop["enum"] if isinstance(prop.get("enum"), list) else [prop["const"]] if "const" in prop else []
    return frozenset(json_type(v) for v in values)


def is_enum(prop: Any) -> bool:
    return isinstance(prop, dict) and ("enum" in prop or "const" in prop)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
