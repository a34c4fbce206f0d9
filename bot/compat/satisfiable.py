"""Subschemas no instance can satisfy, in the common ways a schema contradicts itself (MG011 in ``modelgate lint``).

A valid schema (MG008 judges validity) may still accept nothing: ``required: [scroe]`` under
``additionalProperties: false`` when ``properties`` declares ``score``; ``minimum: 10, maximum: 1``; an empty
``enum``; ``allOf`` branches of types that share no member. Each subschema gets the set of JSON types some
instance of it can still have (``integer`` within ``number``); a keyword that rules a type out removes it, and a
subschema left with none is unsatisfiable. What that means depends on where it is, so each contradiction is
reported with its effect: the whole schema (a root that no instance satisfies, directly or through ``allOf``,
``$ref``, a required property, a non-empty array's items), or only a part of it (an optional property that can
never be present, an ``anyOf`` branch that never matches, a definition, ...), which is almost always a typo too.

Only what is surely a contradiction is reported: a schema whose keywords leave any type open is satisfiable
here (``{"minimum": 5, "maximum": 1}`` without ``type`` accepts every string). Patterns are matched by the
linear-time engine of :mod:`bot.compat.patterns` (a pattern it refuses is taken to match). The judgement is linear
in the size of the schema: each subschema is judged once, ``$ref`` cycles are taken as satisfiable, at most
:data:`MAX_NAMES` required names of one subschema are matched against its patterns, and at most :data:`MAX_TESTS`
pattern tests are made in all (past them a name counts as matched).
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from bot.compat import patterns
from bot.compat.keywords import json_equal
from bot.compat.refs import _LIST, _MAP, _ONE, Segments, fragment, resolve_local

NUMBERS: Final = frozenset({"integer", "fraction"})  # JSON's number: the integers and the rest
ALL: Final = frozenset({"null", "boolean", "object", "array", "string"}) | NUMBERS
_NAMED: Final = {"null": frozenset({"null"}), "boolean": frozenset({"boolean"}), "object": frozenset({"object"}),
                 "array": frozenset({"array"}), "string": frozenset({"string"}), "integer": frozenset({"integer"}),
                 "number": NUMBERS}
MAX_NAMES: Final = 1_000  # required names of one subschema matched against its patternProperties
# pattern tests of one schema in all: 1,000 names against 1,000 patterns took 70 s; past it a name counts as matched
MAX_TESTS: Final = 100_000
_SHOWN: Final = 5  # names listed in one message
MAX_DEPTH: Final = 200  # subschemas judged at once (nesting and $ref chains); past it a subschema counts satisfiable
Kill = Callable[[frozenset[str], Segments, str], None]  # rules types out, with why
Cause = Callable[..., None]  # rules types out because of unsatisfiable subschemas
Restrict = Callable[[Segments, frozenset[str]], None]  # keeps only some types
_BOUNDS: Final = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
_SIZES: Final = (("minLength", "maxLength", "string"), ("minItems", "maxItems", "array"),
                 ("minProperties", "maxProperties", "object"))
_COMBINED: Final = ("allOf", "anyOf", "oneOf")
_JUDGED: Final = _BOUNDS | {"enum", "const", "required", "contains", *_COMBINED} | {k for s in _SIZES for k in s[:2]}
_APPLIED: Final = frozenset({*_ONE, *_LIST, *_MAP, "items"})  # the keywords whose values are subschemas
_LISTED: Final = frozenset({*_LIST, "items"})  # ... a list of them
_APPLICATORS: Final = ("allOf", "anyOf", "oneOf", "$ref", "$dynamicRef", "if", "dependentSchemas", "dependencies")


@dataclass(frozen=True)
class Unsatisfiable:
    """A subschema that no instance satisfies: where (the keyword at fault), why, and what it does to the schema."""

    path: Segments  # of the keyword (or the item of ``required``) that contradicts the rest
    reason: str
    effect: str
    whole: bool  # the whole schema is unsatisfiable because of it

    @property
    def pointer(self) -> str:
        return fragment(self.path)

    @property
    def message(self) -> str:
        return f"{self.pointer}: {self.reason}; {self.effect}"


@dataclass(slots=True)
class _Node:
    schema: dict[str, Any]
    parent: int | None
    relation: Segments  # the path from the parent: ("properties", name), ("allOf", 0), ("items",), ...
    allowed: frozenset[str] | None = None  # None: not judged yet
    reasons: list[tuple[Segments, str]] = field(default_factory=list)  # its own contradictions
    causes: list[int] = field(default_factory=list)  # unsatisfiable subschemas that make it unsatisfiable


def unsatisfiable(schema: Any) -> list[Unsatisfiable]:
    """Each contradiction of ``schema`` that leaves a subschema unsatisfiable, in the order of the schema."""
    return _Judge(schema).findings()


def _types(value: Any) -> frozenset[str]:
    """The type of one JSON value, as a set of :data:`ALL`."""
    if value is None:
        return frozenset({"null"})
    if isinstance(value, bool):
        return frozenset({"boolean"})
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return frozenset({"integer"})
    if isinstance(value, float):
        return frozenset({"fraction"})
    if isinstance(value, str):
        return frozenset({"string"})
    return frozenset({"array"}) if isinstance(value, list) else frozenset({"object"})


def _number(value: Any) -> float | int | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) and not (
        isinstance(value, float) and math.isnan(value)) else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _shown(types: Iterable[str]) -> str:
    named = set(types)
    if named >= NUMBERS:
        named = (named - NUMBERS) | {"number"}
    elif "fraction" in named:
        named = (named - {"fraction"}) | {"number (not integer)"}
    return " or ".join(sorted(named)) or "nothing"


class _Judge:
    """The subschemas of one schema, judged once each (see the module's docstring)."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.nodes: list[_Node] = []
        self.by_id: dict[int, int] = {}
        if isinstance(root, dict):
            self._add(root, None, ())
        self.active = 0
        self.tests = 0  # patterns tested against required names (``MAX_TESTS``)
        self.refs: dict[str, tuple[bool, Any]] = {}
        # below a nested $id, '#...' is relative to it: references are not followed
        self.follow_refs = not any(isinstance(n.schema.get("$id"), str) and not n.schema["$id"].startswith("#")
                                   for n in self.nodes[1:])
        declared = root.get("$schema") if isinstance(root, dict) else None
        # before 2019-09, $ref replaces the keywords beside it
        self.ref_alone = isinstance(declared, str) and any(f"draft-0{n}/" in declared for n in (4, 6, 7))

    def _add(self, sub: dict[str, Any], parent: int | None, relation: Segments) -> None:
        """``sub`` and its subschemas (those ``refs.walk_schemas`` yields) as nodes, each knowing its parent."""
        index = len(self.nodes)
        self.nodes.append(_Node(sub, parent, relation))
        self.by_id.setdefault(id(sub), index)
        for key in [key for key in sub if key in _APPLIED] if not _APPLIED.isdisjoint(sub) else ():
            value = sub[key]  # in the schema's order: the same subschemas, judged in the same order, every run
            if isinstance(value, dict) and key in _MAP:
                for name, item in value.items():
                    if isinstance(item, dict):
                        self._add(item, index, (key, name))
            elif isinstance(value, dict):
                self._add(value, index, (key,))
            elif isinstance(value, list) and key in _LISTED:
                for i, item in enumerate(value):
                    if isinstance(item, dict):
                        self._add(item, index, (key, i))

    def path(self, index: int) -> Segments:
        """Where subschema ``index`` is in the schema."""
        segments: list[str | int] = []
        node = self.nodes[index]
        while node.parent is not None:
            segments[:0] = node.relation
            node = self.nodes[node.parent]
        return tuple(segments)

    def findings(self) -> list[Unsatisfiable]:
        for index in range(len(self.nodes)):
            self.allowed(index)
        whole = self._reached_from_root()
        found = []
        for index, node in enumerate(self.nodes):
            if node.allowed or not node.reasons or self._negated(node):
                continue
            effect = "no instance satisfies the schema" if index in whole else self._effect(index)
            path, _ = node.reasons[0]
            reason = "; ".join(reason for _, reason in node.reasons)
            found.append(Unsatisfiable((*self.path(index), *path), reason, effect, index in whole))
        return found

    def _negated(self, node: _Node) -> bool:
        """Whether the subschema is under ``not``, where one that never matches is one that always does."""
        while node.parent is not None:
            if node.relation[:1] == ("not",):
                return True
            node = self.nodes[node.parent]
        return False

    def _reached_from_root(self) -> set[int]:
        if not self.nodes or self.nodes[0].allowed:
            return set()
        seen, todo = {0}, [0]
        while todo:
            for cause in self.nodes[todo.pop()].causes:
                if cause not in seen:
                    seen.add(cause)
                    todo.append(cause)
        return seen

    def _effect(self, index: int) -> str:
        """What an unsatisfiable subschema does, from the highest subschema it makes unsatisfiable in turn."""
        node = self.nodes[index]
        while node.parent is not None:
            parent = self.nodes[node.parent]
            if parent.allowed or index not in parent.causes:
                break
            index, node = node.parent, parent
        keyword, *rest = node.relation or ("",)
        if keyword == "properties":
            return (f"property {_name(rest[0])} can never be present (it is optional, so the schema holds, but this is "
                    "almost always a typo)")
        if keyword in ("anyOf", "oneOf"):
            return f"this {keyword} branch never matches"
        if keyword in ("items", "prefixItems", "additionalItems"):
            return "the array can hold no item here"
        if keyword in ("$defs", "definitions"):
            return f"no value satisfies the definition {_name(rest[0])}"
        if keyword in ("additionalProperties", "patternProperties", "unevaluatedProperties"):
            return "no such property can be present"
        return "this subschema never matches"

    # --- the judgement of one subschema ----------------------------------------------------------------------

    def allowed(self, index: int) -> frozenset[str]:
        """The types some instance of subschema ``index`` can have (empty: unsatisfiable)."""
        node = self.nodes[index]
        if node.allowed is not None:
            return node.allowed
        if self.active >= MAX_DEPTH:
            return ALL
        node.allowed = ALL  # while it is judged (a $ref cycle back to it): satisfiable
        self.active += 1
        try:
            node.allowed = self._judge(index, node)
        finally:
            self.active -= 1
        return node.allowed

    def _child(self, node: _Node, *relation: str | int) -> tuple[frozenset[str], int | None]:
        """The types of a child subschema (a boolean one too), and its index when it is an object."""
        value: Any = node.schema
        for segment in relation:
            if isinstance(value, dict) and isinstance(segment, str):
                value = value.get(segment)
            elif isinstance(value, list) and isinstance(segment, int) and segment < len(value):
                value = value[segment]
            else:
                return ALL, None
        if isinstance(value, dict) and id(value) in self.by_id:
            child = self.by_id[id(value)]
            return self.allowed(child), child
        return (frozenset() if value is False else ALL), None

    def _judge(self, index: int, node: _Node) -> frozenset[str]:
        sub = node.schema
        if "$ref" not in sub and _JUDGED.isdisjoint(sub):  # most subschemas: their type says it all
            return _type_of(sub) or ALL
        alone = self.ref_alone and "$ref" in sub  # then only the $ref is judged
        allowed = ALL
        conflicts: list[tuple[Segments, frozenset[str]]] = []  # the type-like restrictions, for the message
        forced = False

        def restrict(path: Segments, types: frozenset[str]) -> None:
            nonlocal allowed
            if types != ALL:
                conflicts.append((path, types))
            allowed &= types

        def kill(types: frozenset[str], path: Segments, reason: str) -> None:
            nonlocal allowed
            if allowed & types:
                node.reasons.append((path, reason))
            allowed -= types

        def caused(types: frozenset[str], *children: int | None) -> None:
            nonlocal allowed, forced
            if allowed & types:
                node.causes.extend(child for child in children if child is not None)
                forced = forced or None in children  # an explicit false: meant, not reported
            allowed -= types

        if not alone:
            self._keywords(node, restrict, kill, caused)
        ref = sub.get("$ref") if self.follow_refs else None  # not $dynamicRef: it depends on the dynamic scope
        if isinstance(ref, str) and ref.startswith("#"):
            if ref not in self.refs:
                self.refs[ref] = resolve_local(self.root, ref)
            found, target = self.refs[ref]
            if found and (target is False or (isinstance(target, dict) and id(target) in self.by_id)):
                child = self.by_id[id(target)] if target is not False else None
                types = frozenset() if child is None else self.allowed(child)
                if not types:
                    caused(ALL, child)
                else:
                    restrict(("$ref",), types)
        if not allowed and not node.reasons and not node.causes and not forced and conflicts:
            shown = "; ".join(f"{'/'.join(map(str, path))} allows {_shown(types)}" for path, types in conflicts)
            node.reasons.append((conflicts[0][0], f"the types share no member ({shown})"))
        return allowed

    def _keywords(self, node: _Node, restrict: Restrict, kill: Kill, caused: Cause) -> None:
        """Every keyword of the subschema but ``$ref``."""
        sub = node.schema
        declared = _type_of(sub)
        if declared is not None:
            restrict(("type",), declared)
        present = _JUDGED.intersection(sub)  # most subschemas have few of these keywords: the rest is skipped
        if not present:
            return
        if "enum" in present or "const" in present:
            self._values(sub, restrict, kill)
        if not _BOUNDS.isdisjoint(present):
            self._numbers(sub, kill)
        for low, high, domain in _SIZES:
            if low in present and high in present:
                least, most = _count(sub[low]), _count(sub[high])
                if least is not None and most is not None and least > most:
                    kill(frozenset({domain}), (low,), f"{low} {least} is greater than {high} {most}")
        if "required" in present:
            self._objects(node, kill, caused)
        if "minItems" in present or "contains" in present:
            self._arrays(node, kill, caused)
        for keyword in _COMBINED:
            branches = sub.get(keyword) if keyword in present else None
            if not isinstance(branches, list) or not branches:
                continue
            results = [self._child(node, keyword, i) for i in range(len(branches))]
            if keyword == "allOf":
                for i, (types, child) in enumerate(results):
                    if not types:
                        caused(ALL, child)
                    else:
                        restrict((keyword, i), types)
            else:
                union = frozenset().union(*(types for types, _ in results))
                if not union:
                    caused(ALL, *(child for _, child in results))
                else:
                    restrict((keyword,), union)

    @staticmethod
    def _values(sub: dict[str, Any], restrict: Restrict, kill: Kill) -> None:
        enum = sub.get("enum")
        if isinstance(enum, list):
            if not enum:
                kill(ALL, ("enum",), "enum is empty")
            else:
                restrict(("enum",), frozenset().union(*(_types(v) for v in enum)))
        if "const" in sub:
            const = sub["const"]
            if isinstance(enum, list) and enum and not any(json_equal(const, v) for v in enum):
                kill(ALL, ("const",), f"const {_value(const)} is not one of the enum's values")
            restrict(("const",), _types(const))

    @staticmethod
    def _numbers(sub: dict[str, Any], kill: Kill) -> None:
        """The bounds of a number: empty when the lower passes the upper (exclusive bounds count)."""
        low: tuple[float | int, bool, str] | None = None  # value, exclusive, keyword
        high: tuple[float | int, bool, str] | None = None
        for keyword, exclusive in (("minimum", sub.get("exclusiveMinimum") is True), ("exclusiveMinimum", True)):
            value = _number(sub.get(keyword))
            if value is not None and (low is None or value > low[0] or (value == low[0] and exclusive)):
                low = (value, exclusive, keyword)
        for keyword, exclusive in (("maximum", sub.get("exclusiveMaximum") is True), ("exclusiveMaximum", True)):
            value = _number(sub.get(keyword))
            if value is not None and (high is None or value < high[0] or (value == high[0] and exclusive)):
                high = (value, exclusive, keyword)
        if low is None or high is None:
            return
        if low[0] > high[0] or (low[0] == high[0] and (low[1] or high[1])):
            relation = "greater than" if low[0] > high[0] else "equal to"
            kill(NUMBERS, (low[2],), f"{low[2]} {low[0]} is {relation} {high[2]} {high[0]}"
                 + ("" if low[0] > high[0] else ", and one of them is exclusive"))
            return
        if math.isinf(low[0]) or math.isinf(high[0]):  # YAML's .inf: no integer bound to compute (nor needed)
            return
        least = math.floor(low[0]) + 1 if low[1] else math.ceil(low[0])
        most = math.ceil(high[0]) - 1 if high[1] else math.floor(high[0])
        if least > most:
            kill(frozenset({"integer"}), (low[2],),
                 f"no integer lies between {low[2]} {low[0]} and {high[2]} {high[0]}")

    def _objects(self, node: _Node, kill: Kill, caused: Cause) -> None:
        sub = node.schema
        required = sub.get("required")
        if not isinstance(required, list) or not required:
            return
        names = list(dict.fromkeys(name for name in required if isinstance(name, str)))
        most = _count(sub.get("maxProperties"))
        if most is not None and len(names) > most:
            kill(frozenset({"object"}), ("maxProperties",),
                 f"{len(names)} properties are required but maxProperties is {most}")
        properties = _mapping(sub.get("properties"))
        keyed = _mapping(sub.get("patternProperties"))
        closed = self._closed(node)
        missing: list[tuple[int, str]] = []
        seen: set[str] = set()
        for position, name in enumerate(required):
            if not isinstance(name, str) or name in seen:
                continue
            seen.add(name)
            if name in properties:
                types, child = self._child(node, "properties", name)
                if properties[name] is False:
                    kill(frozenset({"object"}), ("required", position),
                         f"required property {_name(name)} is forbidden (its schema is false)")
                elif not types:
                    caused(frozenset({"object"}), child)
            elif closed is not None and len(missing) < MAX_NAMES and self._unmatched(name, keyed):
                missing.append((position, name))
        if missing:
            shown = ", ".join(f"{_name(name)}{_did_you_mean(name, properties)}" for _, name in missing[:_SHOWN])
            more = f" and {len(missing) - _SHOWN:,} more" if len(missing) > _SHOWN else ""
            what = f"required property {shown} is" if len(missing) == 1 else f"required properties {shown}{more} are"
            matched = " nor matched by patternProperties" if keyed else ""
            kill(frozenset({"object"}), ("required", missing[0][0]),
                 f"{what} not declared in properties{matched}, and {closed} is false")

    def _unmatched(self, name: str, keyed: dict[str, Any]) -> bool:
        """Whether every pattern of ``keyed`` surely does not match ``name``; a pattern the engine refuses, or one
        tested past the schema's ``MAX_TESTS``, is taken to match (no contradiction claimed)."""
        for key in keyed:
            if not isinstance(key, str):
                continue
            if self.tests >= MAX_TESTS:
                return False
            self.tests += 1
            if patterns.search(key, name) is not False:
                return False
        return True

    def _closed(self, node: _Node) -> str | None:
        """The keyword that forbids undeclared properties, if one does."""
        sub = node.schema
        if "additionalProperties" in sub:
            if sub["additionalProperties"] is False or not self._child(node, "additionalProperties")[0]:
                return "additionalProperties"
            return None
        if sub.get("unevaluatedProperties") is False and not any(key in sub for key in _APPLICATORS):
            return "unevaluatedProperties"
        return None

    def _arrays(self, node: _Node, kill: Kill, caused: Cause) -> None:
        """An array that must hold an item no schema of its position accepts (``minItems``, ``contains``)."""
        sub = node.schema
        least = _count(sub.get("minItems")) or 0
        array = frozenset({"array"})
        keyword = "prefixItems" if isinstance(sub.get("prefixItems"), list) else "items"
        prefix: list[Any] = sub[keyword] if isinstance(sub.get(keyword), list) else []
        rest = "items" if keyword == "prefixItems" or not isinstance(sub.get("items"), list) else "additionalItems"
        slots: list[tuple[Segments, str]] = [((keyword, i), f"item {i}") for i in range(min(len(prefix), least))]
        if rest in sub and least > len(prefix):
            slots.append(((rest,), f"item {len(prefix)}"))
        if "contains" in sub and _count(sub.get("minContains")) != 0:
            slots.append((("contains",), "an item matching contains"))
        for relation, what in slots:
            types, child = self._child(node, *relation)
            if types:
                continue
            if child is None:  # an explicit false where minItems (or contains) asks for an item
                kill(array, ("minItems",) if "minItems" in sub else relation,
                     f"{what} is required, and {'/'.join(map(str, relation))} is false")
            else:
                caused(array, child)
            return

def _type_of(sub: dict[str, Any]) -> frozenset[str] | None:
    """The types ``type`` allows (None without one, or with a name JSON Schema does not know: MG008's)."""
    declared = sub.get("type")
    if isinstance(declared, str):
        return _NAMED.get(declared)
    if isinstance(declared, list) and declared and all(isinstance(t, str) and t in _NAMED for t in declared):
        return frozenset().union(*(_NAMED[t] for t in declared))
    return None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _did_you_mean(name: str, declared: dict[str, Any]) -> str:
    close = difflib.get_close_matches(name, [key for key in declared if isinstance(key, str)], n=1)
    return f" (did you mean {_name(close[0])}?)" if close else ""


def _name(name: object) -> str:
    """A property's name as a message quotes it, cut short (a name may be as long as its file allows)."""
    text = repr(name)
    return text if len(text) <= 60 else text[:58] + "…'"


def _value(value: Any) -> str:
    """A value of the schema as JSON, cut short."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"

