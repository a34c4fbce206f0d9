"""Load a JSON Schema document into a tree of typed nodes the differ walks.

The shape mirrors how Confluent reasons about a schema: one node per kind (string, number, object,
array, enum, not, combined, reference...). An object mixing kinds (``{"type": "string", "enum": [...]}``)
becomes a *synthetic* ``allOf`` of one node per kind; a list ``type`` becomes a synthetic ``anyOf``.
Draft-07 and 2020-12 spellings load to the same nodes (``prefixItems`` and array-form ``items`` are
both a tuple, ``dependentRequired``/``dependentSchemas`` and ``dependencies`` are both dependencies).
References load lazily and are resolved once per target (memoised), so recursive schemas are finite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final

from bot.compat.context import Refused
from bot.compat.refs import resolve_local

MAX_REF_CHAIN: Final = 64  # $ref followed in a row to reach a schema


class Kind(Enum):
    EMPTY = "empty"
    FALSE = "false"
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    NULL = "null"
    OBJECT = "object"
    ARRAY = "array"
    ENUM = "enum"
    NOT = "not"
    COMBINED = "combined"
    REF = "ref"
    OPAQUE = "opaque"  # a non-local or unresolvable $ref: compared by its text only


META_KEYWORDS = ("$id", "id", "title", "description", "default")
_STRING_KW = ("maxLength", "minLength", "pattern")
# The formats a validator checks (jsonschema-rs with ``validate_formats=True``), so a change to one changes what a
# reader accepts; under ``compat.format: assert`` (the default) they load as a string keyword. Any other format
# name, and every format under ``annotate``, is an annotation: not loaded, never a difference.
ASSERTED_FORMATS: Final = frozenset({
    "date", "date-time", "time", "duration", "email", "idn-email", "hostname", "idn-hostname", "ipv4", "ipv6",
    "uri", "uri-reference", "iri", "iri-reference", "uuid", "regex", "json-pointer", "relative-json-pointer",
    "uri-template"})
# What an older draft's validator does not check (jsonschema-rs follows ``$schema``): there, those formats are
# annotations, so ``{$schema: draft-04, format: uuid}`` accepts "abc" where 2020-12 rejects it.
_UNCHECKED_IN: Final = {
    "draft-04": frozenset({"duration", "idn-hostname", "iri", "iri-reference", "json-pointer",
                           "relative-json-pointer", "uri-reference", "uri-template", "uuid"}),
    "draft-06": frozenset({"duration", "idn-hostname", "iri", "iri-reference", "relative-json-pointer", "uuid"}),
    "draft-07": frozenset({"duration", "uuid"}),
}
_NUMBER_KW = ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf")
_OBJECT_KW = ("properties", "required", "additionalProperties", "unevaluatedProperties", "patternProperties",
              "dependencies", "dependentRequired", "dependentSchemas", "maxProperties", "minProperties",
              "propertyNames", "x-reserved", "confluent:reserved")
_ARRAY_KW = ("items", "prefixItems", "additionalItems", "unevaluatedItems", "contains", "maxItems", "minItems",
             "uniqueItems", "maxContains", "minContains")
_KEYWORDS_OF = {"string": _STRING_KW, "number": _NUMBER_KW, "integer": _NUMBER_KW, "object": _OBJECT_KW,
                "array": _ARRAY_KW, "boolean": (), "null": ()}
_SNIFF_ORDER = ("object", "array", "string", "number")
_REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef")  # equal text below one may designate different schemas


@dataclass(frozen=True)
class Dialect:
    """The few places where Confluent's draft-07 and 2020-12 readings of a schema differ."""

    report_id: bool  # a changed $id is reported (ID_CHANGED)
    drop_empty_properties: bool  # "properties": {} constrains nothing and is ignored
    ref_siblings: bool  # keywords next to $ref apply (2019-09+); draft-04..07 ignore them
    bool_items_are_additional: bool  # items: true/false (without prefixItems) governs additional items


LEGACY = Dialect(report_id=True, drop_empty_properties=False, ref_siblings=False, bool_items_are_additional=False)
MODERN = Dialect(report_id=False, drop_empty_properties=True, ref_siblings=True, bool_items_are_additional=True)
DEFAULT = Dialect(report_id=True, drop_empty_properties=False, ref_siblings=True, bool_items_are_additional=False)


def asserted_formats(schema: Any) -> frozenset[str]:
    """The formats a validator checks under the draft ``schema``'s ``$schema`` names (2020-12's when it names
    none, as a validator reads it)."""
    uri = schema.get("$schema") if isinstance(schema, dict) else None
    if isinstance(uri, str):
        for draft, unchecked in _UNCHECKED_IN.items():
            if draft in uri:
                return ASSERTED_FORMATS - unchecked
    return ASSERTED_FORMATS


def integer_admits_float(schema: Any) -> bool:
    """Whether ``integer`` accepts a number with a zero fraction (``1.0``) under the draft ``schema``'s ``$schema``
    names: draft-06 and later do (an integer is a mathematical integer), draft-04 does not (jsonschema-rs follows
    ``$schema``)."""
    uri = schema.get("$schema") if isinstance(schema, dict) else None
    return not (isinstance(uri, str) and ("draft-04" in uri or "draft-03" in uri))


def dialect_of(schema: Any) -> Dialect:
    """Pick the dialect from ``$schema``; without one, Confluent's default (draft-07) reading."""
    uri = schema.get("$schema") if isinstance(schema, dict) else None
    if not isinstance(uri, str):
        return DEFAULT
    if "2019-09" in uri or "2020-12" in uri:
        return MODERN
    return LEGACY if "draft-0" in uri else DEFAULT


@dataclass(eq=False)
class Node:
    """One schema (or one kind-slice of a schema) in loaded form."""

    kind: Kind
    raw: Any
    loader: Loader
    kw: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    requires_type: bool = True  # False when the kind was sniffed from keywords, without "type"
    criterion: str = ""  # COMBINED: allOf | anyOf | oneOf
    subs: list[Node] = field(default_factory=list)  # COMBINED subschemas; NOT: [inner]
    synthetic: bool = False  # COMBINED built from sibling keywords, not written by the author
    ref: str = ""  # REF / OPAQUE
    authored: bool = False  # the node stands for a whole schema object the author wrote (not one kind-slice of it)


class Loader:
    """Loads one document; resolves its local references once each."""

    def __init__(self, root: Any, *, format_assertion: bool = True) -> None:
        self.root = root
        self.dialect = dialect_of(root)
        # the formats that constrain strings: those the draft's validator checks, none under ``annotate``
        self.formats = asserted_formats(root) if format_assertion else frozenset()
        self.integral_floats = integer_admits_float(root)  # whether ``integer`` accepts 1.0
        self._targets: dict[int, Node] = {}
        self._opaque: dict[str, Node] = {}
        self._has_ref: dict[int, tuple[Any, bool]] = {}

    def root_node(self) -> Node:
        return self.resolve("#")

    def resolve(self, ref: str) -> Node:
        """The node a local ``ref`` designates, or an OPAQUE node when it is non-local or dangling."""
        found, target = resolve_local(self.root, ref)
        if not found:
            if ref not in self._opaque:
                self._opaque[ref] = Node(Kind.OPAQUE, {"$ref": ref}, self, ref=ref)
            return self._opaque[ref]
        key = id(target)
        if key not in self._targets:
            self._targets[key] = self.load(target)
        return self._targets[key]

    def contains_ref(self, raw: Any) -> bool:
        """Whether a ``$ref`` (or a dynamic one) occurs anywhere below ``raw`` (then equal text may mean different
        schemas)."""
        key = id(raw)
        if key not in self._has_ref:  # the entry holds ``raw`` too, so its id cannot be reused meanwhile
            if isinstance(raw, dict):
                found = any(k in raw for k in _REFERENCES) or any(self.contains_ref(v) for v in raw.values())
            elif isinstance(raw, list):
                found = any(self.contains_ref(v) for v in raw)
            else:
                found = False
            self._has_ref[key] = (raw, found)
        return self._has_ref[key][1]

    def load(self, raw: Any) -> Node:
        if raw is False:
            return Node(Kind.FALSE, raw, self)
        if not isinstance(raw, dict):
            return Node(Kind.EMPTY, raw, self, authored=raw is True)  # ``true``: the empty schema the author wrote
        meta = {k: raw[k] for k in META_KEYWORDS if k in raw}
        parts: list[Node] = []
        ref = raw.get("$ref")
        if isinstance(ref, str):
            parts.append(Node(Kind.REF, {"$ref": ref}, self, ref=ref))
            if not self.dialect.ref_siblings:
                return self._finish(raw, parts, meta)
        if isinstance(raw.get("enum"), list):
            parts.append(Node(Kind.ENUM, {"enum": raw["enum"]}, self, kw={"values": raw["enum"], "keyword": "enum"}))
        for criterion in ("allOf", "anyOf", "oneOf"):
            if isinstance(raw.get(criterion), list):
                subs = [self.load(s) for s in raw[criterion]]
                parts.append(Node(Kind.COMBINED, {criterion: raw[criterion]}, self, criterion=criterion, subs=subs))
        if "not" in raw:
            parts.append(Node(Kind.NOT, {"not": raw["not"]}, self, subs=[self.load(raw["not"])]))
        if "const" in raw:
            parts.append(Node(Kind.ENUM, {"const": raw["const"]}, self,
                              kw={"values": [raw["const"]], "keyword": "const"}))
        parts.extend(self._typed_parts(raw))
        return self._finish(raw, parts, meta)

    def _finish(self, raw: dict[str, Any], parts: list[Node], meta: dict[str, Any]) -> Node:
        if not parts:
            node = Node(Kind.EMPTY, raw, self)
        elif len(parts) == 1:
            node = parts[0]
            node.raw = raw
        else:
            node = Node(Kind.COMBINED, raw, self, criterion="allOf", subs=parts, synthetic=True)
        node.meta = meta
        node.authored = True
        return node

    def _typed_parts(self, raw: dict[str, Any]) -> list[Node]:
        declared = raw.get("type")
        if isinstance(declared, str):
            return [self._typed(declared, raw, requires=True)]
        if isinstance(declared, list) and declared:
            alternatives = [self._typed(t, raw, requires=True) for t in declared if isinstance(t, str)]
            if len(alternatives) == 1:
                return alternatives
            # its text holds every alternative's keywords: two list types that differ only there are not equal
            typed = {k: v for alt in alternatives for k, v in alt.raw.items() if k != "type"}
            return [Node(Kind.COMBINED, {"type": declared, **typed}, self, criterion="anyOf", subs=alternatives,
                         synthetic=True)]
        sniffed = []
        for name in _SNIFF_ORDER:
            node = self._typed(name, raw, requires=False)
            if node.kw:
                sniffed.append(node)
        return sniffed

    def _typed(self, name: str, raw: dict[str, Any], *, requires: bool) -> Node:
        keywords = _KEYWORDS_OF.get(name, ())
        part_raw = {k: raw[k] for k in keywords if k in raw}
        if requires:
            part_raw["type"] = name
        kind = Kind.NUMBER if name == "integer" else Kind(name) if name in _KEYWORDS_OF else Kind.EMPTY
        node = Node(kind, part_raw, self, requires_type=requires)
        if kind is Kind.STRING:
            node.kw = {k: raw[k] for k in _STRING_KW if k in raw}
            if isinstance(raw.get("format"), str) and raw["format"] in self.formats:
                node.kw["format"] = part_raw["format"] = raw["format"]
        elif kind is Kind.NUMBER:
            node.kw = self._number_keywords(raw)
            if name == "integer":
                node.kw["integer"] = True
                node.kw["integral_floats"] = self.integral_floats  # draft-04's integer rejects 1.0
        elif kind is Kind.OBJECT:
            node.kw = self._object_keywords(raw)
        elif kind is Kind.ARRAY:
            node.kw = self._array_keywords(raw)
        return node

    @staticmethod
    def _number_keywords(raw: dict[str, Any]) -> dict[str, Any]:
        kw = {k: raw[k] for k in _NUMBER_KW if k in raw and not isinstance(raw[k], bool)}
        for exclusive, bound in (("exclusiveMaximum", "maximum"), ("exclusiveMinimum", "minimum")):
            if raw.get(exclusive) is True and bound in kw:  # draft-04: a flag on the bound
                kw[exclusive] = kw.pop(bound)
        return kw

    def _object_keywords(self, raw: dict[str, Any]) -> dict[str, Any]:
        kw: dict[str, Any] = {}
        properties = raw.get("properties")
        if isinstance(properties, dict) and (properties or not self.dialect.drop_empty_properties):
            kw["properties"] = {name: self.load(s) for name, s in properties.items()}
        if isinstance(raw.get("required"), list):
            kw["required"] = [r for r in raw["required"] if isinstance(r, str)]
        for key in ("additionalProperties", "unevaluatedProperties", "propertyNames"):
            if key in raw:
                kw[key] = self.load(raw[key])
        if isinstance(raw.get("patternProperties"), dict):
            kw["patternProperties"] = {p: self.load(s) for p, s in raw["patternProperties"].items()}
        arrays: dict[str, list[str]] = {}
        schemas: dict[str, Node] = {}
        for key in ("dependencies", "dependentRequired", "dependentSchemas"):
            for name, value in (raw.get(key) or {}).items():
                if isinstance(value, list):
                    arrays[name] = value
                else:
                    schemas[name] = self.load(value)
        if "dependencies" in raw or "dependentRequired" in raw:
            kw["dependencyArrays"] = arrays
        if "dependencies" in raw or "dependentSchemas" in raw:
            kw["dependencySchemas"] = schemas
        for key in ("maxProperties", "minProperties"):
            if key in raw:
                kw[key] = raw[key]
        reserved = raw.get("x-reserved", raw.get("confluent:reserved"))
        if isinstance(reserved, str):
            reserved = [r.strip() for r in reserved.split(",") if r.strip()]
        if isinstance(reserved, list):
            kw["reserved"] = reserved
        return kw

    def _array_keywords(self, raw: dict[str, Any]) -> dict[str, Any]:
        kw: dict[str, Any] = {}
        items, prefix = raw.get("items"), raw.get("prefixItems")
        additional = raw.get("additionalItems")
        if isinstance(items, list):
            kw["tuple"] = [self.load(s) for s in items]
        elif isinstance(prefix, list):
            kw["tuple"] = [self.load(s) for s in prefix]
            additional = items
        elif isinstance(items, bool) and self.dialect.bool_items_are_additional:
            additional = items
        elif items is not None:
            kw["items"] = self.load(items)
        if additional is not None:
            kw["additionalItems"] = self.load(additional)
        for key in ("unevaluatedItems", "contains"):
            if key in raw:
                kw[key] = self.load(raw[key])
        for key in ("maxItems", "minItems", "uniqueItems", "maxContains", "minContains"):
            if key in raw:
                kw[key] = raw[key]
        if "contains" in kw:
            kw.setdefault("minContains", 1)  # the default: writing it out changes nothing
        return kw


def deref(node: Node) -> tuple[Node, bool]:
    """Follow references to the schema they designate: ``(node, whether a reference was followed)``."""
    followed, seen = False, set()
    for _ in range(MAX_REF_CHAIN):
        if node.kind is not Kind.REF:
            return node, followed
        if id(node) in seen:  # a cycle of $ref that never reaches a schema: it asserts nothing
            return Node(Kind.EMPTY, {}, node.loader), True
        seen.add(id(node))
        node, followed = node.loader.resolve(node.ref), True
    if node.kind is not Kind.REF:
        return node, followed
    # a longer chain is not taken for "anything" (that would pass any change to what it ends in): refused
    raise Refused(f"too complex to compare: a chain of more than {MAX_REF_CHAIN} $ref")
