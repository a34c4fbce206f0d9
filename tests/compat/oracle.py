"""A counterexample search for schema compatibility (issue 14's oracle), used by the tests and the benchmark.

Compatibility has a definition that can be sampled: BACKWARD (a reader on ``new`` reads data written with
``old``) holds iff every instance valid under ``old`` is valid under ``new``; FORWARD swaps the two. So:

- :func:`pairs` mutates hand-written seed schemas (:data:`SEEDS`) with the mutations of :data:`MUTATIONS`
  (one or two per pair), deterministically from a seed number; each pair records the names of its mutations
  (its classes).
- :func:`instances` proposes instances of the writer schema, boundary values first: every number either
  schema names, ±1 and ±0.5; strings of every length either schema names, ±1; each enum member and const; a
  sample of every format and pattern either names; required-only and all-properties objects, each property
  varied one at a time, an unknown or pattern-matched name added; empty, one-item and long arrays. It
  over-proposes on purpose: :func:`counterexamples` keeps the writer-valid ones (jsonschema-rs, with modelgate's
  linear-time pattern options and format validation on) and reports the first one the reader rejects.

hypothesis-jsonschema is not used: 0.23.1 fails under the hypothesis this project installs (6.170:
``AttributeError: 'many' object has no attribute 'more'``; it works under 6.130), and drawing through it costs
milliseconds per instance where this suite checks thousands of pairs in seconds. Bounded, deterministic
boundary values find what a random draw would find only by luck (``x == 10`` under ``exclusiveMinimum: 10``).
"""

from __future__ import annotations

import copy
import functools
import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs

from bot.compat import compare
from bot.compat.patterns import options, search

Schema = dict[str, Any]
DRAFT4 = "http://json-schema.org/draft-04/schema#"
DRAFT2020 = "https://json-schema.org/draft/2020-12/schema"

# --------------------------------------------------------------------------------------------------- seeds

SEEDS: dict[str, Schema] = {
    "order": {
        "$schema": DRAFT2020,
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "qty": {"type": "integer", "minimum": 1, "maximum": 100},
            "price": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.5},
            "status": {"enum": ["new", "paid", "shipped"]},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 8}, "maxItems": 3},
            "customer": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 20},
                    "email": {"type": "string", "format": "email"},
                    "address": {"type": "object",
                                "properties": {"city": {"type": "string"},
                                               "zip": {"type": "string", "pattern": "^[0-9]{5}$"}},
                                "required": ["city"]},
                },
                "required": ["name"],
            },
        },
        "required": ["id", "qty", "status"],
    },
    "event": {
        "$schema": DRAFT2020,
        "$defs": {"point": {"type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                            "required": ["x", "y"], "additionalProperties": False}},
        "type": "object",
        "properties": {
            "at": {"oneOf": [{"type": "string", "format": "date-time"}, {"type": "integer", "minimum": 0}]},
            "where": {"$ref": "#/$defs/point"},
            "path": {"type": "array", "items": {"$ref": "#/$defs/point"}, "minItems": 1},
            "kind": {"const": "click"},
        },
        "required": ["at", "kind"],
    },
    "features": {
        "$schema": DRAFT2020,
        "type": "object",
        "properties": {
            "vector": {"type": "array", "items": {"type": "number", "minimum": -1, "maximum": 1},
                       "minItems": 3, "maxItems": 3},
            "label": {"type": ["string", "null"], "enum": ["cat", "dog", None]},
            "score": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
            "day": {"type": "string", "format": "date"},
        },
        "required": ["vector"],
        "additionalProperties": False,
    },
    "legacy": {
        "$schema": DRAFT4,
        "definitions": {"money": {"type": "number", "minimum": 0, "exclusiveMinimum": True}},
        "type": "object",
        "properties": {
            "amount": {"$ref": "#/definitions/money"},
            "rate": {"type": "number", "maximum": 10, "exclusiveMaximum": True},
            "code": {"type": "string", "enum": ["a", "b"]},
            "count": {"type": "integer", "minimum": 0},
        },
        "required": ["amount"],
    },
    "payment": {
        "$schema": DRAFT2020,
        "type": "object",
        "properties": {
            "method": {"enum": ["card", "cash"]},
            "card": {"type": "string", "pattern": "^[0-9]{4}$"},
            "note": {"type": "string"},
            "tip": {"type": "number", "minimum": 0},
        },
        "required": ["method"],
        "if": {"properties": {"method": {"const": "card"}}, "required": ["method"]},
        "then": {"required": ["card"]},
        "else": {"properties": {"card": False}},
        "dependentRequired": {"tip": ["note"]},
    },
    "labels": {
        "$schema": DRAFT2020,
        "type": "object",
        "properties": {"name": {"type": "string"}},
        "patternProperties": {"^x_": {"type": "string", "maxLength": 4}},
        "additionalProperties": False,
        "minProperties": 1,
        "maxProperties": 3,
    },
    "mixed": {
        "$schema": DRAFT2020,
        "type": "object",
        "allOf": [{"properties": {"a": {"type": "integer"}}, "required": ["a"]},
                  {"properties": {"b": {"type": "string", "minLength": 2}}}],
        "properties": {"c": {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "number", "maximum": 5}]}},
    },
    "reading": {"$schema": DRAFT2020, "type": "number", "minimum": 0, "maximum": 1},
    "version": {
        "$schema": DRAFT2020,
        "type": "object",
        "properties": {"v": {"const": 2}, "ts": {"type": "string", "format": "time"},
                       "ip": {"type": "string", "format": "ipv4"}, "ok": {"type": "boolean"}},
        "required": ["v"],
    },
    "grid": {
        "$schema": DRAFT2020,
        "type": "array",
        "items": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 9}, "maxItems": 2},
        "minItems": 1,
        "uniqueItems": True,
    },
}

PATTERN_SAMPLES: dict[str, list[str]] = {
    "^[0-9]{5}$": ["12345", "1234"],
    "^[0-9]{4}$": ["1234", "12345"],
    "^x_": ["x_1", "x_long"],
    "^y_": ["y_1"],
    "^[a-z]+$": ["abc", "Abc"],
}
FORMAT_SAMPLES: dict[str, list[str]] = {
    "uuid": ["123e4567-e89b-12d3-a456-426614174000"],
    "email": ["a@example.com"],
    "date": ["2024-01-02"],
    "date-time": ["2024-01-02T03:04:05Z"],
    "time": ["03:04:05Z"],
    "ipv4": ["10.0.0.1"],
    "ipv6": ["::1"],
    "uri": ["https://example.com/a"],
    "hostname": ["example.com"],
}
FORMATS = sorted(FORMAT_SAMPLES)
TYPES = ["string", "number", "integer", "boolean", "null", "object", "array"]
BOUNDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems",
          "maxItems", "minProperties", "maxProperties", "multipleOf"]
_WIDENS_UP = {"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"}
_COUNTS = {"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"}
_POST_04 = ("if", "then", "else", "prefixItems", "dependentSchemas", "unevaluatedProperties", "propertyNames")

# ------------------------------------------------------------------------------------------- schema walking

_CHILD_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_CHILD_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_CHILD_ONE = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames")


def nodes(schema: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Schema]]:
    """Every subschema that is an object, with its path (keys and indexes) from ``schema``."""
    if not isinstance(schema, dict):
        return
    yield path, schema
    for key in _CHILD_MAPS:
        for name, sub in (schema.get(key) or {}).items() if isinstance(schema.get(key), dict) else ():
            yield from nodes(sub, (*path, key, name))
    for key in _CHILD_LISTS:
        for i, sub in enumerate(schema.get(key) or []) if isinstance(schema.get(key), list) else ():
            yield from nodes(sub, (*path, key, i))
    for key in _CHILD_ONE:
        sub = schema.get(key)
        if isinstance(sub, list):
            for i, item in enumerate(sub):
                yield from nodes(item, (*path, key, i))
        else:
            yield from nodes(sub, (*path, key))


def _at(schema: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        schema = schema[step]
    return schema


def _put(schema: Schema, path: tuple[Any, ...], value: Any) -> Schema:
    if not path:
        return value  # type: ignore[no-any-return]
    _at(schema, path[:-1])[path[-1]] = value
    return schema


def _draft4(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("$schema") == DRAFT4


# ------------------------------------------------------------------------------------------------ mutations

Mutation = Callable[[random.Random, Schema, tuple[Any, ...], Schema], Schema | None]
MUTATIONS: dict[str, Mutation] = {}


def mutation(name: str) -> Callable[[Mutation], Mutation]:
    def register(fn: Mutation) -> Mutation:
        MUTATIONS[name] = fn
        return fn
    return register


def _objects(node: Schema) -> bool:
    return isinstance(node.get("properties"), dict) or node.get("type") == "object"


@mutation("property_added")
def _property_added(rng, root, path, node):
    if not _objects(node):
        return None
    name = rng.choice(["extra", "note", "x_2", "zz"])
    node.setdefault("properties", {})[name] = rng.choice(
        [{"type": "string"}, {"type": "integer", "minimum": 0}, {"type": "string", "maxLength": 4}, {}])
    return root


@mutation("property_removed")
def _property_removed(rng, root, path, node):
    props = node.get("properties")
    if not props:
        return None
    del props[rng.choice(sorted(props))]
    return root


@mutation("property_renamed")
def _property_renamed(rng, root, path, node):
    props = node.get("properties")
    if not props:
        return None
    old = rng.choice(sorted(props))
    props[old + "_v2"] = props.pop(old)
    if isinstance(node.get("required"), list):
        node["required"] = [old + "_v2" if r == old else r for r in node["required"]]
    return root


def _bound_of(rng, node):
    present = [k for k in BOUNDS if isinstance(node.get(k), int | float) and not isinstance(node.get(k), bool)]
    return rng.choice(present) if present else None


@mutation("bound_widened")
def _bound_widened(rng, root, path, node):
    key = _bound_of(rng, node)
    if key is None:
        return None
    step = rng.choice([1, 0.5, 5]) if key not in _COUNTS else rng.choice([1, 2])
    if key == "multipleOf":
        node[key] = node[key] / 2
    elif key in _WIDENS_UP:
        node[key] = node[key] + step
    else:
        node[key] = max(0, node[key] - step) if key in _COUNTS else node[key] - step
    return root


@mutation("bound_narrowed")
def _bound_narrowed(rng, root, path, node):
    key = _bound_of(rng, node)
    if key is None:
        return None
    step = rng.choice([1, 0.5, 5]) if key not in _COUNTS else rng.choice([1, 2])
    if key == "multipleOf":
        node[key] = node[key] * 2
    elif key in _WIDENS_UP:
        node[key] = max(0, node[key] - step) if key in _COUNTS else node[key] - step
    else:
        node[key] = node[key] + step
    return root


@mutation("bound_removed")
def _bound_removed(rng, root, path, node):
    key = _bound_of(rng, node)
    if key is None:
        return None
    del node[key]
    return root


@mutation("bound_added")
def _bound_added(rng, root, path, node):
    kind = node.get("type")
    if kind in ("number", "integer"):
        key = rng.choice(["minimum", "maximum", "multipleOf"] if _draft4(root)
                         else ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"])
        node[key] = rng.choice([0, 1, 5, 10]) if key != "multipleOf" else rng.choice([1, 2, 0.5])
    elif kind == "string":
        node[rng.choice(["minLength", "maxLength"])] = rng.choice([1, 2, 5])
    elif kind == "array":
        node[rng.choice(["minItems", "maxItems"])] = rng.choice([1, 2, 3])
    elif _objects(node):
        node[rng.choice(["minProperties", "maxProperties"])] = rng.choice([1, 2])
    else:
        return None
    return root


@mutation("bound_exclusivity_flipped")
def _bound_exclusivity_flipped(rng, root, path, node):
    """``minimum`` <-> ``exclusiveMinimum`` at the same number, in the root's own draft's form."""
    for low, high in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if _draft4(root):
            if low in node:
                if node.get(high) is True:
                    del node[high]
                else:
                    node[high] = True
                return root
        elif low in node and high not in node:
            node[high] = node.pop(low)
            return root
        elif high in node and low not in node:
            node[low] = node.pop(high)
            return root
    return None


@mutation("type_changed")
def _type_changed(rng, root, path, node):
    kind = node.get("type")
    if not isinstance(kind, str) or kind in ("object", "array"):
        return None
    node["type"] = rng.choice([t for t in ("string", "number", "integer", "boolean") if t != kind])
    return root


@mutation("type_widened")
def _type_widened(rng, root, path, node):
    kind = node.get("type")
    if not isinstance(kind, str):
        return None
    node["type"] = [kind, rng.choice([t for t in ("null", "string", "number") if t != kind])]
    return root


@mutation("type_narrowed")
def _type_narrowed(rng, root, path, node):
    kind = node.get("type")
    if isinstance(kind, list) and len(kind) > 1:
        node["type"] = [t for t in kind if t != rng.choice(kind)]
        return root
    if kind == "number":
        node["type"] = "integer"
        return root
    return None


@mutation("enum_extended")
def _enum_extended(rng, root, path, node):
    if not isinstance(node.get("enum"), list):
        return None
    node["enum"] = [*node["enum"], rng.choice(["other", 7, "b"])]
    return root


@mutation("enum_narrowed")
def _enum_narrowed(rng, root, path, node):
    values = node.get("enum")
    if not isinstance(values, list) or len(values) < 2:
        return None
    values.pop(rng.randrange(len(values)))
    return root


@mutation("enum_added")
def _enum_added(rng, root, path, node):
    if node.get("type") not in ("string", "integer") or "enum" in node:
        return None
    node["enum"] = ["a", "abc", "12345"] if node["type"] == "string" else [0, 1, 5]
    return root


@mutation("enum_removed")
def _enum_removed(rng, root, path, node):
    if "enum" not in node:
        return None
    del node["enum"]
    return root


@mutation("const_changed")
def _const_changed(rng, root, path, node):
    if "const" not in node:
        return None
    node["const"] = rng.choice(["view", 3, "card2"]) if rng.random() < 0.5 else [node["const"]]
    return root


@mutation("const_removed")
def _const_removed(rng, root, path, node):
    if "const" not in node:
        return None
    del node["const"]
    return root


@mutation("const_added")
def _const_added(rng, root, path, node):
    if _draft4(root) or node.get("type") not in ("string", "integer", "number") or "const" in node:
        return None
    node["const"] = {"string": "a", "integer": 1, "number": 0.5}[node["type"]]
    return root


@mutation("required_added")
def _required_added(rng, root, path, node):
    props = node.get("properties")
    if not props:
        return None
    missing = sorted(set(props) - set(node.get("required", [])))
    if not missing:
        return None
    node["required"] = [*node.get("required", []), rng.choice(missing)]
    return root


@mutation("required_removed")
def _required_removed(rng, root, path, node):
    required = node.get("required")
    if not required:
        return None
    required.pop(rng.randrange(len(required)))
    if not required:
        del node["required"]
    return root


@mutation("required_undeclared_added")
def _required_undeclared_added(rng, root, path, node):
    if not _objects(node):
        return None
    node["required"] = [*node.get("required", []), rng.choice(["city", "zz"])]
    return root


def _wrap(kind: str) -> Mutation:
    def wrap(rng, root, path, node):
        if not path or path[-2:-1] in (("$defs",), ("definitions",)):
            return None
        twin = rng.choice([{}, copy.deepcopy(node), {"type": "null"}]) if kind != "allOf" else {}
        branches = [node, twin] if kind != "oneOf" or twin != node else [node]
        return _put(root, path, {kind: branches})
    return wrap


for _kind in ("allOf", "anyOf", "oneOf"):
    MUTATIONS[f"wrapped_in_{_kind}"] = _wrap(_kind)


@mutation("unwrapped")
def _unwrapped(rng, root, path, node):
    for kind in ("allOf", "anyOf", "oneOf"):
        branches = node.get(kind)
        if isinstance(branches, list) and branches:
            rest = {k: v for k, v in node.items() if k != kind}
            merged = {**rest, **rng.choice(branches)} if path else {**rest, kind: branches[:1]}
            return _put(root, path, merged)
    return None


@mutation("combination_kind_changed")
def _combination_kind_changed(rng, root, path, node):
    for kind in ("allOf", "anyOf", "oneOf"):
        if isinstance(node.get(kind), list) and len(node[kind]) > 0:
            other = rng.choice([k for k in ("allOf", "anyOf", "oneOf") if k != kind and k not in node])
            node[other] = node.pop(kind)
            return root
    return None


@mutation("ref_introduced")
def _ref_introduced(rng, root, path, node):
    if len(path) < 2 or path[0] in ("$defs", "definitions"):
        return None
    defs = "definitions" if _draft4(root) else "$defs"
    name = f"d{len(root.get(defs, {}))}"
    root.setdefault(defs, {})[name] = node
    return _put(root, path, {"$ref": f"#/{defs}/{name}"})


@mutation("ref_inlined")
def _ref_inlined(rng, root, path, node):
    ref = node.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return None
    target = copy.deepcopy(_at(root, tuple(ref[2:].split("/"))))
    rest = {k: v for k, v in node.items() if k != "$ref"}
    return _put(root, path, {**target, **rest})


@mutation("additional_properties_changed")
def _additional_properties_changed(rng, root, path, node):
    if not _objects(node):
        return None
    choices = [False, True, {"type": "string"}, {"type": "integer"}, None]
    current = node.get("additionalProperties")
    value = rng.choice([c for c in choices if c != current])
    if value is None:
        node.pop("additionalProperties", None)
        if current is None:
            return None
    else:
        node["additionalProperties"] = value
    return root


@mutation("pattern_properties_changed")
def _pattern_properties_changed(rng, root, path, node):
    if not _objects(node):
        return None
    keyed = node.get("patternProperties")
    if keyed and rng.random() < 0.5:
        key = rng.choice(sorted(keyed))
        if rng.random() < 0.5:
            del keyed[key]
            if not keyed:
                del node["patternProperties"]
        else:
            keyed[key] = rng.choice([{"type": "integer"}, {"type": "string"}, {}])
    else:
        node.setdefault("patternProperties", {})[rng.choice(["^x_", "^y_"])] = rng.choice(
            [{"type": "integer"}, {"type": "string", "maxLength": 2}])
    return root


@mutation("format_changed")
def _format_changed(rng, root, path, node):
    if node.get("type") != "string":
        return None
    current = node.get("format")
    if current is not None and rng.random() < 0.3:
        del node["format"]
    else:
        node["format"] = rng.choice([f for f in FORMATS if f != current])
    return root


@mutation("pattern_changed")
def _pattern_changed(rng, root, path, node):
    if node.get("type") != "string":
        return None
    if "pattern" in node and rng.random() < 0.4:
        del node["pattern"]
    else:
        node["pattern"] = rng.choice([p for p in PATTERN_SAMPLES if p != node.get("pattern")])
    return root


@mutation("items_changed")
def _items_changed(rng, root, path, node):
    if node.get("type") != "array":
        return None
    node["items"] = rng.choice([{"type": "string"}, {"type": "number"}, {}, {"type": "integer", "maximum": 3}])
    return root


@mutation("conditional_changed")
def _conditional_changed(rng, root, path, node):
    if _draft4(root) or not _objects(node):
        return None
    if "if" in node:
        part = rng.choice(["if", "then", "else", "all"])
        for key in ("if", "then", "else") if part == "all" else (part,):
            node.pop(key, None)
        return root
    props = sorted(node.get("properties") or {})
    if len(props) < 2:
        return None
    first, second = rng.sample(props, 2)
    node["if"] = {"required": [first]}
    node["then"] = {"required": [second]}
    return root


@mutation("dependent_required_changed")
def _dependent_required_changed(rng, root, path, node):
    if _draft4(root) or not _objects(node):
        return None
    if "dependentRequired" in node and rng.random() < 0.5:
        del node["dependentRequired"]
        return root
    props = sorted(node.get("properties") or {})
    if len(props) < 2:
        return None
    first, second = rng.sample(props, 2)
    node["dependentRequired"] = {first: [second]}
    return root


@mutation("draft_changed")
def _draft_changed(rng, root, path, node):
    """The whole schema in the other draft's form: ``$schema``, definitions, refs, bounds, const."""
    if path or any(key in sub for _, sub in nodes(root) for key in _POST_04):
        return None
    to4 = not _draft4(root)
    text = json.dumps(root)
    text = text.replace('"#/$defs/', '"#/definitions/') if to4 else text.replace('"#/definitions/', '"#/$defs/')
    new = json.loads(text)
    new["$schema"] = DRAFT4 if to4 else DRAFT2020
    if to4 and "$defs" in new:
        new["definitions"] = new.pop("$defs")
    elif not to4 and "definitions" in new:
        new["$defs"] = new.pop("definitions")
    for _, sub in nodes(new):
        for low, high in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            if to4 and isinstance(sub.get(high), int | float) and not isinstance(sub.get(high), bool):
                sub[low], sub[high] = sub[high], True
            elif not to4 and isinstance(sub.get(high), bool) and sub.pop(high) and low in sub:
                sub[high] = sub.pop(low)
        if to4 and "const" in sub:
            sub["enum"] = [sub.pop("const")]
        if to4 and "dependentRequired" in sub:
            sub["dependencies"] = sub.pop("dependentRequired")
    return new


# ---------------------------------------------------------------------------------------------------- pairs


@dataclass(frozen=True)
class Pair:
    """Two schemas and the mutations (classes) that made the second from the first; ``seed`` names the origin."""

    seed: str
    old: Schema
    new: Schema
    classes: tuple[str, ...]


def _mutate(rng: random.Random, schema: Schema) -> tuple[Schema, str] | None:
    name = rng.choice(sorted(MUTATIONS))
    candidates = list(nodes(schema))
    rng.shuffle(candidates)
    root = copy.deepcopy(schema)
    for path, _ in candidates:  # a mutation that does not apply returns None and leaves ``root`` as it was
        mutated = MUTATIONS[name](rng, root, path, _at(root, path))
        if mutated is None:
            continue
        if mutated != schema:
            return mutated, name
        root = copy.deepcopy(schema)
    return None


def pairs(seed: int, count: int) -> Iterator[Pair]:
    """``count`` schema pairs, the same for the same ``seed``: a seed schema (a mutation of one, 30% of the time)
    and one or two mutations of it; only pairs whose schemas jsonschema-rs compiles."""
    rng = random.Random(seed)
    names = sorted(SEEDS)
    made = 0
    while made < count:
        origin = rng.choice(names)
        old: Schema = copy.deepcopy(SEEDS[origin])
        if rng.random() < 0.3:  # start from a variant, so that mutations compose
            first = _mutate(rng, old)
            if first is not None:
                old = first[0]
        classes: list[str] = []
        new = old
        for _ in range(1 if rng.random() < 0.75 else 2):
            step = _mutate(rng, new)
            if step is not None:
                new, name = step
                classes.append(name)
        pair = Pair(origin, old, new, tuple(sorted(set(classes))))
        if not classes or new == old or not schemas_compile(pair):  # mutations may cancel or break a schema
            continue
        made += 1
        yield pair


# ------------------------------------------------------------------------------------------------ instances


def validator(schema: Any) -> jsonschema_rs.Validator:
    """A jsonschema-rs validator as modelgate builds them (linear-time patterns, no fetch), formats asserted."""
    return _compiled(json.dumps(schema, sort_keys=True))


@functools.lru_cache(maxsize=8192)
def _compiled(text: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(json.loads(text), validate_formats=True, offline=True,
                                       pattern_options=options())


@dataclass
class _Pools:
    """The values either schema of a pair names: the boundaries a counterexample sits on."""

    numbers: list[float | int] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    scalars: list[Any] = field(default_factory=list)


def _pools(writer: Any, reader: Any) -> _Pools:
    """The values of both schemas, those only one of them names first (where the two differ)."""
    one, other, both = _pools_of(writer), _pools_of(reader), _pools_of(writer, reader)
    lists = {}
    for name in ("numbers", "lengths", "strings", "names", "scalars"):
        mine = {repr(v) for v in getattr(one, name)}
        theirs = {repr(v) for v in getattr(other, name)}
        values = getattr(both, name)
        lists[name] = [v for v in values if (repr(v) in mine) != (repr(v) in theirs)] + \
                      [v for v in values if (repr(v) in mine) == (repr(v) in theirs)]
    return _Pools(**lists)


def _pools_of(*schemas: Any) -> _Pools:
    numbers: dict[Any, None] = dict.fromkeys([0, 1, -1, 2.5])
    lengths: dict[int, None] = dict.fromkeys([0, 1, 3])
    strings: dict[str, None] = dict.fromkeys(["abc", ""])
    names: dict[str, None] = dict.fromkeys(["zz"])
    scalars: dict[str, Any] = {}
    for schema in schemas:
        for _, sub in nodes(schema):
            for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
                value = sub.get(key)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    for near in (value, value - 1, value + 1, value - 0.5, value + 0.5, value * 3):
                        numbers[near] = None
            for key in _COUNTS:
                value = sub.get(key)
                if isinstance(value, int) and not isinstance(value, bool):
                    for near in (value - 1, value, value + 1):
                        lengths[max(0, near)] = None
            named = [*sub.get("enum", [])] if isinstance(sub.get("enum"), list) else []
            named += [sub["const"]] if "const" in sub else []
            for value in named:
                scalars[json.dumps(value, sort_keys=True)] = value
                if isinstance(value, str):
                    strings[value] = None
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    numbers[value] = None
            if isinstance(sub.get("format"), str):
                strings.update(dict.fromkeys(FORMAT_SAMPLES.get(sub["format"], [])))
            if isinstance(sub.get("pattern"), str):
                strings.update(dict.fromkeys(PATTERN_SAMPLES.get(sub["pattern"], [])))
            for key in sub.get("patternProperties") or {}:
                names.update(dict.fromkeys(PATTERN_SAMPLES.get(key, [])))
            names.update(dict.fromkeys(sub.get("properties") or {}))
            names.update(dict.fromkeys(r for r in sub.get("required") or [] if isinstance(r, str)))
            for deps in ("dependentRequired", "dependencies"):
                if isinstance(sub.get(deps), dict):
                    names.update(dict.fromkeys(sub[deps]))
    for n in lengths:
        strings["a" * n] = None
    for samples in FORMAT_SAMPLES.values():  # a value of every format: a format added where there was none
        strings[samples[0]] = None
    return _Pools(list(numbers), list(lengths), list(strings), list(names), list(scalars.values()))


def _interleave(groups: list[list[Any]]) -> list[Any]:
    """The items of ``groups`` taken in turns: the first of each, then the second of each, ..."""
    out: list[Any] = []
    for index in range(max((len(g) for g in groups), default=0)):
        out += [group[index] for group in groups if index < len(group)]
    return out


_CAP = 24  # candidates kept per subschema below the root (writer-valid first); the root keeps every valid one


class _Generator:
    def __init__(self, root: Any, pools: _Pools) -> None:
        self.root = root
        self.pools = pools
        self.defs = {k: root[k] for k in ("$defs", "definitions", "$schema") if isinstance(root, dict) and k in root}
        self.memo: dict[tuple[int, int], list[Any]] = {}

    def valid_first(self, node: Any, found: list[Any]) -> list[Any]:
        """``found`` without repeats, the ones valid under ``node`` first, at most :data:`_CAP` of them."""
        unique = list({repr(v): v for v in found}.values())
        if isinstance(node, dict):
            try:
                check = validator({**self.defs, **node} if node is not self.root else node)
            except (ValueError, jsonschema_rs.ReferencingError):  # a part that is no schema of its own
                return unique[:_CAP]
            good = [v for v in unique if check.is_valid(v)]
            if node is self.root:  # every variant of the whole instance is worth checking against the reader
                return good
            bad = [v for v in unique if not check.is_valid(v)]
            return good[:_CAP] + bad[:_CAP // 3]
        return unique[:_CAP] if node is not False else []

    def resolve(self, ref: str) -> Any:
        try:
            return _at(self.root, tuple(ref[2:].split("/"))) if ref.startswith("#/") else {}
        except (KeyError, IndexError, TypeError):
            return {}

    def view(self, node: Any, depth: int = 0) -> Schema:
        """``node`` with the object keywords of its allOf branches and $ref target merged in."""
        if not isinstance(node, dict) or depth > 4:
            return {}
        merged: Schema = {"properties": {}, "required": [], "patternProperties": {}}
        parts = [node]
        if isinstance(node.get("$ref"), str):
            parts.append(self.view(self.resolve(node["$ref"]), depth + 1))
        parts += [self.view(b, depth + 1) for b in node.get("allOf") or [] if isinstance(b, dict)]
        for part in parts:
            merged["properties"].update(part.get("properties") or {})
            merged["required"] += [r for r in part.get("required") or [] if r not in merged["required"]]
            merged["patternProperties"].update(part.get("patternProperties") or {})
            if "additionalProperties" in part:
                merged["additionalProperties"] = part["additionalProperties"]
        return merged

    def types(self, node: Schema) -> list[str]:
        kind = node.get("type")
        if isinstance(kind, str):
            return [kind]
        if isinstance(kind, list):
            return [k for k in kind if isinstance(k, str)]
        return TYPES

    def gen(self, node: Any, depth: int = 0) -> list[Any]:
        key = (id(node), depth)
        if key not in self.memo:
            self.memo[key] = self._gen(node, depth)
        return self.memo[key]

    def _gen(self, node: Any, depth: int) -> list[Any]:
        if node is True or node == {}:
            return [*self.pools.scalars, "abc", 1, 2.5, None, True, [], {}]
        if not isinstance(node, dict) or depth > 6:
            return [] if node is False else [None, "abc", 1]
        groups: list[list[Any]] = []  # one list per source, taken in turns: a cap keeps some of each
        if isinstance(node.get("enum"), list):
            groups.append(list(node["enum"]))
        if "const" in node:
            groups.append([node["const"]])
        if isinstance(node.get("$ref"), str):
            groups.append(self.gen(self.resolve(node["$ref"]), depth + 1))
        for key in ("allOf", "anyOf", "oneOf"):
            groups += [self.gen(branch, depth + 1) for branch in node.get(key) or []]
        groups += [self.gen(node[key], depth + 1) for key in ("if", "then", "else") if key in node]
        kinds = self.types(node)
        pools = self.pools
        if "integer" in kinds:
            groups.append([int(n) for n in pools.numbers if float(n).is_integer()])
            groups.append([float(n) for n in pools.numbers if float(n).is_integer()])
        if "number" in kinds:
            groups.append(pools.numbers)
        if "string" in kinds:
            groups.append(pools.strings)
        if "boolean" in kinds:
            groups.append([True, False])
        if "null" in kinds:
            groups.append([None])
        if "object" in kinds:
            groups.append(self.objects(node, depth))
        if "array" in kinds:
            groups.append(self.arrays(node, depth))
        found = _interleave(groups)
        return self.valid_first(node, found)

    def objects(self, node: Schema, depth: int) -> list[Any]:
        view = self.view(node)
        props: Schema = view["properties"]
        children = {name: self.gen(sub, depth + 1) for name, sub in props.items()}
        for key, sub in view["patternProperties"].items():
            for name in PATTERN_SAMPLES.get(key, [])[:1]:
                children.setdefault(name, self.gen(sub, depth + 1))
        first = {name: cands[0] for name, cands in children.items() if cands}
        generic = [*self.pools.scalars[:3], "abc", 1, None]
        if isinstance(view.get("additionalProperties"), dict):  # values the rest of the names may take
            generic = [*self.gen(view["additionalProperties"], depth + 1)[:8], *generic]
        required = {name: first.get(name, "abc") for name in view["required"] if isinstance(name, str)}
        full = {name: first[name] for name in props if name in first}
        both = {**full, **required}
        varied = [[variant for value in cands for variant in ({**both, name: value}, {**required, name: value})]
                  for name, cands in children.items()]
        removed = [{k: v for k, v in both.items() if k != name} for name in props]
        extra = [variant for name in self.pools.names if name not in props
                 for value in (generic[:3] if name == "zz" else generic)
                 for variant in ({**both, name: value}, {**required, name: value})]
        return [full, required, both, {}, *_interleave([*varied, removed, extra])]

    def arrays(self, node: Schema, depth: int) -> list[Any]:
        items = node.get("items", True)
        if isinstance(items, list):  # draft-04 tuple form
            tuples = [self.gen(sub, depth + 1) for sub in items]
            return [[c[0] for c in tuples if c]]
        cands = self.gen(items, depth + 1) if items is not False else []
        longer = [n for n in self.pools.lengths if n > 1]
        return [[], *_interleave([[[value] for value in cands], [[value] * n for value in cands[:6] for n in longer],
                                  [cands[:n] for n in longer]])]


def instances(writer: Any, reader: Any) -> list[Any]:
    """Instances proposed for ``writer`` (valid or not), with the boundaries of both schemas."""
    return _Generator(writer, _pools(writer, reader)).gen(writer)


# --------------------------------------------------------------------------------------------------- oracle


def _ablated(reader: Any, change: Callable[[Schema], None]) -> Any:
    copied = copy.deepcopy(reader)
    for _, sub in nodes(copied):
        change(sub)
    return copied


def _no_conditional(sub: Schema) -> None:
    for key in ("if", "then", "else"):
        sub.pop(key, None)


def _no_dependencies(sub: Schema) -> None:
    for key in ("dependentRequired", "dependencies", "dependentSchemas"):
        sub.pop(key, None)


def _oneof_as_anyof(sub: Schema) -> None:
    if "oneOf" in sub and "anyOf" not in sub:
        sub["anyOf"] = sub.pop("oneOf")


def _declared_required_only(sub: Schema) -> None:
    if isinstance(sub.get("required"), list):
        sub["required"] = [name for name in sub["required"] if name in (sub.get("properties") or {})]
        if not sub["required"]:
            del sub["required"]  # draft-04 asks for at least one name


def _empty_required_dropped(sub: Schema) -> None:
    props = sub.get("properties") or {}
    if isinstance(sub.get("required"), list) and isinstance(props, dict):
        sub["required"] = [name for name in sub["required"] if props.get(name, False) not in ({}, True)]
        if not sub["required"]:
            del sub["required"]


def _patterns_off_declared(sub: Schema) -> None:
    """``patternProperties`` read as if they applied to undeclared names only (they apply to every name)."""
    props, keyed = sub.get("properties") or {}, sub.get("patternProperties")
    if isinstance(keyed, dict) and isinstance(props, dict):
        sub["patternProperties"] = {key: value for key, value in keyed.items()
                                    if not any(search(key, name) for name in props)}


def _integer_as_whole_number(sub: Schema) -> None:
    """Draft-04's ``integer`` rejects ``1.0``, later drafts' accepts it: read it as a number with no fraction."""
    kind = sub.get("type")
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    if "integer" in kinds:
        sub["type"] = "number" if isinstance(kind, str) else [k for k in kinds if k != "integer"] + ["number"]
        if "number" not in kinds:
            sub.setdefault("multipleOf", 1)


# The classes of unsoundness the oracle can name: each is a keyword the reader asserts, and an instance is of
# the class when the reader, that keyword taken away, accepts it (the keyword alone rejects it).
ABLATIONS: dict[str, Callable[[Schema], None] | None] = {
    "format": None,  # the same schema, validated with formats as annotations
    "if_then_else": _no_conditional,
    "dependent_required": _no_dependencies,
    "oneOf_exclusive": _oneof_as_anyof,
    "required_undeclared": _declared_required_only,
    "draft04_integer": _integer_as_whole_number,  # a reading that changes nothing under draft-06 and later
    "required_empty_schema": _empty_required_dropped,  # a required name whose declared schema is {} or true
    "pattern_over_declared": _patterns_off_declared,  # a patternProperties key matching a declared name
}


@functools.lru_cache(maxsize=512)
def _ablated_validators(text: str) -> dict[str, jsonschema_rs.Validator]:
    """The reader of ``text`` with each class's keyword taken away, then with each two of them."""
    reader = json.loads(text)
    readings = [(name, (name,)) for name in ABLATIONS]
    readings += [(f"{a}+{b}", (a, b)) for a in ABLATIONS for b in ABLATIONS if a < b]
    out: dict[str, jsonschema_rs.Validator] = {}
    for name, parts in readings:
        schema = reader
        for part in parts:
            change = ABLATIONS[part]
            schema = schema if change is None else _ablated(schema, change)
        try:
            out[name] = _format_off(schema) if "format" in parts else validator(schema)
        except (ValueError, jsonschema_rs.ReferencingError):  # the reading is no schema: it explains nothing
            continue
    return out


def _format_off(schema: Any) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(schema, validate_formats=False, offline=True, pattern_options=options())


def rejection(reader: Any, instance: Any) -> str:
    """The class of the reader's rejection of ``instance``: the first of :data:`ABLATIONS` whose keyword alone
    rejects it, else two of them joined with ``+`` (``format+required_undeclared``), else the keywords that
    reject it (``required``, ``maximum``, ``anyOf`` ...) joined with ``+``: a class of its own, not known."""
    for name, ablated in _ablated_validators(json.dumps(reader, sort_keys=True)).items():
        if ablated.is_valid(instance):
            return name
    keywords = {str(error.schema_path[-1]) if error.schema_path else "false"
                for error in validator(reader).iter_errors(instance)}
    return "+".join(sorted(keywords))


@dataclass(frozen=True)
class Verdict:
    """One pair in one mode: what the engine said, and the first counterexample found of each class.

    ``counterexamples`` maps a rejection class (:func:`rejection`) to an instance valid under the writer and
    invalid under the reader; it is searched whole only when the engine says compatible (an unsound verdict
    must be explained whole), else it stops at the first.
    """

    pair: Pair
    mode: str
    compatible: bool
    unproven_types: tuple[str, ...]
    counterexamples: dict[str, Any]

    @property
    def found(self) -> bool:
        return bool(self.counterexamples)


def counterexamples(writer: Any, reader: Any, first_only: bool = True) -> dict[str, Any]:
    """Instances valid under ``writer`` and invalid under ``reader``, the first of each rejection class."""
    write, read = validator(writer), validator(reader)
    found: dict[str, Any] = {}
    for instance in instances(writer, reader):
        if write.is_valid(instance) and not read.is_valid(instance):
            found.setdefault(rejection(reader, instance), instance)
            if first_only:
                break
    return found


def judge(pair: Pair, mode: str) -> Verdict:
    """Compare ``pair`` in ``mode`` ("backward" or "forward") with the engine and search a counterexample."""
    result = compare(pair.old, pair.new, mode)  # type: ignore[arg-type]
    writer, reader = (pair.old, pair.new) if mode == "backward" else (pair.new, pair.old)
    found = counterexamples(writer, reader, first_only=not result.compatible)
    types = tuple(sorted({c.type for c in result.changes if not c.compatible}))
    if result.refused is not None:
        types = ("REFUSED",)
    return Verdict(pair, mode, result.compatible, types, found)


def explained(verdict: Verdict, known: frozenset[str] | set[str]) -> bool:
    """Whether every counterexample of an unsound ``verdict`` is of a class in ``known`` (for ``a+b``: both are, as
    the engine catching either keyword's change would say incompatible)."""
    return all(set(name.split("+")) <= set(known) for name in verdict.counterexamples)


@dataclass
class Tally:
    """Soundness and precision over many verdicts."""

    judged: int = 0
    unsound: list[Verdict] = field(default_factory=list)
    incompatible: int = 0
    proven: int = 0
    unproven_types: Counter[str] = field(default_factory=Counter)
    unsound_classes: Counter[str] = field(default_factory=Counter)

    def add(self, verdict: Verdict) -> None:
        self.judged += 1
        if verdict.compatible and verdict.found:
            self.unsound.append(verdict)
            self.unsound_classes.update(list(verdict.counterexamples))
        if not verdict.compatible:
            self.incompatible += 1
            if verdict.found:
                self.proven += 1
            else:
                self.unproven_types.update(verdict.unproven_types)

    def merge(self, other: Tally) -> None:
        self.judged += other.judged
        self.unsound += other.unsound
        self.incompatible += other.incompatible
        self.proven += other.proven
        self.unproven_types.update(other.unproven_types)
        self.unsound_classes.update(other.unsound_classes)

    @property
    def precision(self) -> float:
        return self.proven / self.incompatible if self.incompatible else 1.0


def schemas_compile(pair: Pair) -> bool:
    """Whether jsonschema-rs compiles both schemas of ``pair`` (a mutation may make one invalid)."""
    try:
        validator(pair.old)
        validator(pair.new)
    except (ValueError, jsonschema_rs.ReferencingError):
        return False
    return True


def run(seed: int, count: int, part: int = 0, parts: int = 1) -> Tally:
    """Judge ``count`` pairs of ``seed`` in both modes; with ``parts``, only every ``parts``-th from ``part``."""
    tally = Tally()
    for index, pair in enumerate(pairs(seed, count)):
        if index % parts != part:
            continue
        for mode in ("backward", "forward"):
            tally.add(judge(pair, mode))
    return tally


# ------------------------------------------------------------------------------------------------ shrinking


def _paths(document: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key and list index in ``document``, the deepest first (the ones whose removal changes least)."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _paths(value, (*path, key))
            yield (*path, key)
    elif isinstance(document, list):
        for index in reversed(range(len(document))):
            yield from _paths(document[index], (*path, index))
            yield (*path, index)


def _without(document: Any, path: tuple[Any, ...]) -> Any:
    copied = copy.deepcopy(document)
    try:
        del _at(copied, path[:-1])[path[-1]]
    except (KeyError, IndexError, TypeError):
        return None
    return copied


def shrink(pair: Pair, mode: str, cls: str, tries: int = 2000) -> tuple[Pair, Any]:
    """A smaller pair on which the engine still says compatible and a counterexample of class ``cls`` exists.

    Greedy: remove one key or list item at a time, from both schemas where both have it, else from one, and
    keep the removal when the verdict stays unsound in that class. Returns the pair and its instance.
    """

    def unsound(old: Any, new: Any) -> Any:
        candidate = Pair(pair.seed, old, new, pair.classes)
        if old is None or new is None or old == new or not schemas_compile(candidate):
            return None
        verdict = judge(candidate, mode)
        return verdict.counterexamples.get(cls) if verdict.compatible else None

    old, new = pair.old, pair.new
    instance = unsound(old, new)
    if instance is None:
        raise ValueError(f"the pair is not unsound in class {cls!r} in mode {mode}")
    progress = True
    while progress and tries > 0:
        progress = False
        for path in [*dict.fromkeys([*_paths(old), *_paths(new)])]:
            tries -= 1
            trials = [(_without(old, path), _without(new, path)), (_without(old, path), new),
                      (old, _without(new, path))]
            for smaller_old, smaller_new in trials:
                found = unsound(smaller_old, smaller_new)
                if found is not None:
                    old, new, instance, progress = smaller_old, smaller_new, found, True
                    break
            if progress or tries <= 0:
                break
    return Pair(pair.seed, old, new, pair.classes), instance
