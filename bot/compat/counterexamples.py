"""Counterexamples: an instance valid under the writer's schema that the reader's schema rejects.

A breaking change is easier to believe with an example than with a rule name. :func:`explain` looks for one the
way a person would: it writes instances of the writer's schema, boundary values first (each numeric bound and
its neighbours, each ``enum`` and ``const`` member, strings at ``minLength`` and ``maxLength``, an example of
each ``format`` and one written from the text of a ``pattern`` (:func:`_pattern_example`), objects with only the
required properties and with all of them, one property varied at a time, a missing or an extra property, arrays
empty and at ``minItems``/``maxItems``, each ``anyOf``/``oneOf`` branch, through local ``$ref``), keeps those the
writer accepts and returns the first one the reader rejects. Both judgements are jsonschema-rs's, with modelgate's
pattern options (:func:`bot.compat.patterns.compile_schema`, the linear-time engine); no schema pattern ever
reaches Python's ``re``.

The search is a heuristic: finding nothing proves nothing (the verdict of :func:`bot.compat.compare` stands).
It is pure, deterministic (no randomness: the same schemas give the same instance) and bounded, since schemas
come from pull requests: at most :data:`MAX_CANDIDATES` instances are validated per direction, each at most
:data:`MAX_INSTANCE_CHARS` characters of JSON, generation stops after :data:`MAX_STEPS` values or
:data:`MAX_DEPTH` levels of nesting (``$ref`` cycles included), and at most :data:`MAX_MEMBERS` members of an
``enum`` are tried. It never raises on a schema: one it cannot compile, or nested deeper than
:func:`bot.compat.compare` accepts, gets no counterexample.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeGuard

import jsonschema_rs

from bot.compat import patterns
from bot.compat.api import MAX_DEPTH as MAX_SCHEMA_DEPTH
from bot.compat.api import _depth
from bot.compat.refs import resolve_local, walk_schemas

MAX_CANDIDATES: Final = 2_000  # instances validated per direction
MAX_INSTANCE_CHARS: Final = 4_096  # compact JSON of one instance; a larger one is not tried
MAX_STEPS: Final = 50_000  # values generated per direction, all subschemas together
MAX_DEPTH: Final = 12  # nesting of generated instances (and of $ref followed)
MAX_MEMBERS: Final = 64  # enum members tried, and values kept per subschema below the root
MAX_LENGTH: Final = 256  # the longest string or array written
MAX_MERGED: Final = 32  # subschemas merged into one (allOf, $ref, branches)

Direction = Literal["backward", "forward"]

# A valid example of each format jsonschema-rs asserts (and of a few it may not); a string of another format is
# still tried: "a" is no date.
FORMAT_EXAMPLES: Final[dict[str, str]] = {
    "date": "2024-01-31", "date-time": "2024-01-31T12:00:00Z", "time": "12:00:00Z", "duration": "P1D",
    "email": "user@example.com", "idn-email": "user@example.com", "hostname": "example.com",
    "idn-hostname": "example.com", "ipv4": "192.0.2.1", "ipv6": "2001:db8::1", "uri": "https://example.com/a",
    "uri-reference": "/a", "iri": "https://example.com/a", "iri-reference": "/a",
    "uuid": "123e4567-e89b-12d3-a456-426614174000", "json-pointer": "/a", "relative-json-pointer": "0/a",
    "regex": "^a$", "uri-template": "https://example.com/{id}",
}
# Values of every JSON type, for a schema that does not say its type (and for an extra property).
_ANY: Final[tuple[Any, ...]] = (None, False, True, 0, 1, -1, 0.5, "", "a", [], {})
_IMPLIED: Final[dict[str, tuple[str, ...]]] = {  # a keyword that only constrains one type says which
    "object": ("properties", "required", "additionalProperties", "patternProperties", "minProperties",
               "maxProperties", "dependentRequired", "dependencies", "propertyNames"),
    "array": ("items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems", "contains"),
    "string": ("minLength", "maxLength", "pattern", "format"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
}
_NUMERIC: Final = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
_SIZE_KEYS: Final = frozenset({"minLength", "maxLength", "minItems", "maxItems"})
_SIZES: Final = (2, 3, 5, 10, 17, 64)  # lengths tried whatever the schemas say
_PROPERTY_SAMPLES: Final = ("extra", "x", "a", "A", "_", "0", "x-1", "id", "name", "value")
_STRING_SAMPLES: Final = ("a", "A", "0", "abc", "ABC", "a1", "x_y", "a-b", "a b", " ", "é")


@dataclass(frozen=True)
class Counterexample:
    """An instance valid under the writer's schema and rejected by the reader's; ``direction`` names who wrote it
    (``backward``: the old schema wrote, the new one reads; ``forward``: the reverse)."""

    direction: Direction
    instance: Any

    def to_json(self) -> dict[str, Any]:
        return {"direction": self.direction, "instance": self.instance}


@dataclass(frozen=True)
class Search:
    """What :func:`explain` found: a counterexample or None, and how many candidate instances it validated."""

    found: Counterexample | None
    tried: int


def explain(old: Any, new: Any, mode: str = "backward", *, formats: bool = True,
            budget: int = MAX_CANDIDATES) -> Search:
    """Look for a counterexample to the change from ``old`` to ``new`` in ``mode`` (backward: ``old`` writes and
    ``new`` reads; forward: the reverse; full: backward first, then forward); ``formats``: ``format`` asserts.
    At most ``budget`` candidates per direction."""
    directions: tuple[Direction, ...] = ("backward",) if mode == "backward" else \
        ("forward",) if mode == "forward" else ("backward", "forward")
    tried = 0
    for direction in directions:
        writer, reader = (old, new) if direction == "backward" else (new, old)
        instance, count = _search(writer, reader, formats, budget)
        tried += count
        if count and instance is not _NONE:
            return Search(Counterexample(direction, instance), tried)
    return Search(None, tried)


_NONE: Final = object()  # no counterexample (None is an instance: JSON's null)


def _search(writer: Any, reader: Any, formats: bool, budget: int) -> tuple[Any, int]:
    if _depth(writer) > MAX_SCHEMA_DEPTH or _depth(reader) > MAX_SCHEMA_DEPTH:  # as compare() refuses them
        return _NONE, 0
    judges = _validator(writer, formats), _validator(reader, formats)
    if judges[0] is None or judges[1] is None:
        return _NONE, 0
    writer_accepts, reader_accepts = judges[0].is_valid, judges[1].is_valid
    seen: set[str] = set()
    tried = 0
    for instance in candidates(writer, limit=4 * budget, hints=reader):  # duplicates and large ones are skipped
        if tried >= budget:
            break
        try:
            text = json.dumps(instance, sort_keys=True, allow_nan=False)
        except (ValueError, TypeError):
            continue
        if len(text) > MAX_INSTANCE_CHARS or text in seen:
            continue
        seen.add(text)
        tried += 1
        try:
            if writer_accepts(instance) and not reader_accepts(instance):
                return instance, tried
        except (ValueError, OverflowError, TypeError):  # a number jsonschema-rs cannot hold
            continue
    return _NONE, tried


def _validator(schema: Any, formats: bool) -> jsonschema_rs.Validator | None:
    if not isinstance(schema, dict | bool) or any(True for _ in patterns.problems(schema)):
        return None
    try:
        return patterns.compile_schema(schema, formats=formats)
    except (ValueError, TypeError, OverflowError, jsonschema_rs.ReferencingError):
        return None


def candidates(schema: Any, limit: int = MAX_CANDIDATES, hints: Any = None) -> Iterator[Any]:
    """Instances worth trying against ``schema`` (as its writer would), boundary values first; most are valid
    under it, some are not (a missing property, a bound minus one): the caller validates. The bounds and sizes
    ``hints`` (the reader's schema) names are tried too, after the writer's own. Deterministic, at most ``limit``
    of them (duplicates included)."""
    generator = _Generator(schema, hints)
    yield from itertools.islice(generator.values(schema, 0, limit), limit)


class _Generator:
    def __init__(self, root: Any, hints: Any = None) -> None:
        self.root = root
        self.numbers, self.sizes, self.names = _hints(hints)
        uri = root.get("$schema") if isinstance(root, dict) else None
        uri = uri if isinstance(uri, str) else ""
        self.ref_alone = "draft-0" in uri  # draft-04..07: keywords beside $ref are ignored
        self.steps = 0
        self.memo: dict[tuple[int, int], list[Any]] = {}

    # --- the schema as one object: $ref, allOf and a chosen branch merged -----------------------------------------

    def merged(self, schema: Any, depth: int) -> dict[str, Any] | None:
        """``schema`` with its ``$ref`` and ``allOf`` folded in (properties and required united, the first value of
        other keywords kept); None when it accepts nothing (``false``)."""
        if schema is True or schema == {}:
            return {}
        if not isinstance(schema, dict):
            return None
        out: dict[str, Any] = {}
        queue: list[Any] = [schema]
        count = 0
        while queue and count < MAX_MERGED:
            part = queue.pop(0)
            count += 1
            if part is False:
                return None
            if not isinstance(part, dict):
                continue
            ref = part.get("$ref")
            if isinstance(ref, str) and depth < MAX_DEPTH:
                found, target = resolve_local(self.root, ref)
                if found:
                    queue.append(target)
                if self.ref_alone:
                    continue
            for key, value in part.items():
                if key in ("$ref", "allOf"):
                    continue
                if key in ("properties", "patternProperties") and isinstance(value, dict):
                    into = out.setdefault(key, {})
                    for name, sub in value.items():
                        into[name] = sub if name not in into else {"allOf": [into[name], sub]}
                elif key == "required" and isinstance(value, list):
                    out[key] = list(dict.fromkeys([*out.get(key, []), *value]))
                elif key not in out:
                    out[key] = value
            together = part.get("allOf")
            if isinstance(together, list):
                queue.extend(together)
        return out

    # --- values ----------------------------------------------------------------------------------------------------

    def values(self, schema: Any, depth: int, limit: int) -> Iterator[Any]:
        """Candidate values of ``schema``, at most ``limit`` (the root: the budget; below it: MAX_MEMBERS)."""
        merged = self.merged(schema, depth)
        if merged is None or depth > MAX_DEPTH:
            return
        for produced, value in enumerate(self._values(merged, depth)):
            self.steps += 1
            if self.steps > MAX_STEPS or produced >= limit:
                return
            yield value

    def sample(self, schema: Any, depth: int) -> list[Any]:
        """The first values of a subschema, kept (each is computed once per depth)."""
        key = (id(schema), depth)
        if key not in self.memo:
            self.memo[key] = [] if depth > MAX_DEPTH else list(self.values(schema, depth, MAX_MEMBERS))
        return self.memo[key]

    def _values(self, schema: dict[str, Any], depth: int) -> Iterator[Any]:
        if "const" in schema:
            yield schema["const"]
        enum = schema.get("enum")
        if isinstance(enum, list):
            yield from enum[:MAX_MEMBERS]
            yield from enum[-MAX_MEMBERS:][::-1]
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf", "if", "then", "else")}
        streams: list[Iterable[Any]] = [self._typed(rest, depth)]
        for key in ("anyOf", "oneOf"):  # each branch, with the keywords beside it
            branches = schema.get(key)
            if isinstance(branches, list):
                streams += [self._branch(rest, branch, depth) for branch in branches[:MAX_MERGED]]
        condition = schema.get("if")
        if condition is not None:
            streams += [self._branch(rest, {"allOf": [condition, schema.get("then", True)]}, depth),
                        self._branch(rest, schema.get("else", True), depth)]
        yield from _round_robin(streams)

    def _branch(self, rest: dict[str, Any], branch: Any, depth: int) -> Iterator[Any]:
        merged = self.merged({"allOf": [rest, branch]}, depth)
        if merged is not None:
            yield from self._typed(merged, depth)

    def _typed(self, schema: dict[str, Any], depth: int) -> Iterator[Any]:
        declared = schema.get("type")
        if isinstance(declared, str):
            kinds = [declared]
        elif isinstance(declared, list):
            kinds = [t for t in declared if isinstance(t, str)]
        else:
            kinds = [kind for kind, keys in _IMPLIED.items() if any(k in schema for k in keys)]
        streams: list[Iterable[Any]] = []
        for kind in dict.fromkeys(kinds):
            if kind in ("integer", "number"):
                streams.append(self._numbers(schema, integer=kind == "integer"))
            elif kind == "string":
                streams.append(self._strings(schema))
            elif kind == "array":
                streams.append(self._arrays(schema, depth))
            elif kind == "object":
                streams.append(self._objects(schema, depth))
            elif kind == "boolean":
                streams.append((False, True))
            elif kind == "null":
                streams.append((None,))
        yield from _round_robin(streams)
        if not isinstance(declared, str | list):  # any type may be written
            yield from _ANY

    # --- numbers ---------------------------------------------------------------------------------------------------

    def _bounds(self, schema: dict[str, Any]) -> list[float | int]:
        found: list[float | int] = []
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            value = schema.get(key)
            if _number(value) and math.isfinite(value):
                found.append(value)
        return found

    def _numbers(self, schema: dict[str, Any], integer: bool) -> Iterator[Any]:
        bounds = self._bounds(schema)
        step = schema.get("multipleOf")
        step = step if _number(step) and math.isfinite(step) and step > 0 else None
        near: list[float | int] = []
        for bound in bounds:
            if integer or step is not None:
                unit = step if step is not None else 1
                base = math.floor(bound / unit) if abs(bound / unit) < 1e15 else None
                if base is None:
                    continue
                for k in (base, base + 1, base - 1, base + 2, base - 2):
                    near.append(_tidy(k * unit))
            else:
                near += [bound, bound + 1, bound - 1, bound + 0.5, bound - 0.5]
        if not bounds:
            near += [0, 1, -1] if step is None else [0, _tidy(step), _tidy(-step)]
        for hint in self.numbers:  # the reader's bounds, and beside them
            near += [hint, hint + 1, hint - 1] if integer or step is None else \
                [_tidy(math.floor(hint / step) * step), _tidy(math.ceil(hint / step) * step)] \
                if abs(hint / step) < 1e15 else []
        near += [2, 10, 100, 1000, 10 ** 6, -2, -10, -1000] if step is None else []
        if not integer:
            for bound in bounds:
                eps = 0.001 * max(1.0, abs(bound))
                near += [bound + eps, bound - eps, math.nextafter(bound, math.inf), math.nextafter(bound, -math.inf)]
            if not bounds:
                near += [0.5, -0.5]
        for hint in self.numbers if not integer else ():
            near += [hint + 0.5, hint - 0.5, math.nextafter(hint, math.inf), math.nextafter(hint, -math.inf)]
        for value in near:
            if isinstance(value, float) and not math.isfinite(value):
                continue
            if integer and isinstance(value, float):
                if not value.is_integer():
                    continue
                value = int(value)
            yield value

    # --- strings ---------------------------------------------------------------------------------------------------

    def _strings(self, schema: dict[str, Any]) -> Iterator[str]:
        low, high = schema.get("minLength"), schema.get("maxLength")
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in FORMAT_EXAMPLES:
            yield FORMAT_EXAMPLES[fmt]
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            written = (_pattern_example(pattern), _pattern_example(pattern, more=True))
            yield from dict.fromkeys(found for found in written if found is not None)
        lengths = [n for n in (low, high) if isinstance(n, int) and not isinstance(n, bool)]
        for n in [*lengths, *(n + 1 for n in lengths), *(n - 1 for n in lengths), 0, 1, *self.sizes, *_SIZES]:
            if 0 <= n <= MAX_LENGTH:
                yield "a" * n
        yield from _STRING_SAMPLES
        yield from (example for name, example in FORMAT_EXAMPLES.items() if name != fmt)

    # --- arrays ----------------------------------------------------------------------------------------------------

    def _arrays(self, schema: dict[str, Any], depth: int) -> Iterator[list[Any]]:
        prefix = schema.get("prefixItems")
        items = schema.get("items")
        additional: Any = True
        if isinstance(prefix, list):
            positions = prefix
            additional = items if items is not None else True
        elif isinstance(items, list):
            positions = items
            additional = schema.get("additionalItems", True)
        else:
            positions = []
            additional = items if items is not None else True
        tuples = [self.sample(sub, depth + 1) for sub in positions[:MAX_MEMBERS]]
        more = self.sample(additional, depth + 1) if additional is not False else []
        contains = schema.get("contains")
        if contains is not None:
            more = [*self.sample(contains, depth + 1)[:8], *more]
        unique = schema.get("uniqueItems") is True
        low, high = schema.get("minItems"), schema.get("maxItems")
        lengths = [n for n in (low, high) if isinstance(n, int) and not isinstance(n, bool)]
        sizes = [0, 1, *lengths, *(n + 1 for n in lengths), *(n - 1 for n in lengths), len(tuples), len(tuples) + 1,
                 *self.sizes, *_SIZES]

        def build(size: int, pick: int = 0, varied: int = -1) -> list[Any] | None:
            out: list[Any] = []
            for i in range(size):
                pool = tuples[i] if i < len(tuples) else more
                if not pool:
                    return None
                index = pick if i == varied or varied < 0 else 0
                if unique or i >= len(tuples):  # different elements where they may need to differ
                    index = (index + (i - len(tuples) if i >= len(tuples) else 0)) % len(pool)
                out.append(pool[index % len(pool)])
            return out

        for size in dict.fromkeys(n for n in sizes if 0 <= n <= MAX_LENGTH):
            built = build(size)
            if built is not None:
                yield built
        for position, pool in enumerate(tuples):  # one position varied at a time
            for pick in range(1, len(pool)):
                built = build(len(tuples), pick, position)
                if built is not None:
                    yield built
        for value in more[1:]:  # each element alone (after the tuple)
            built = build(len(tuples))
            if built is not None:
                yield [*built, value]

    # --- objects ---------------------------------------------------------------------------------------------------

    def _objects(self, schema: dict[str, Any], depth: int) -> Iterator[dict[str, Any]]:
        declared = schema.get("properties")
        declared = {k: v for k, v in declared.items() if isinstance(k, str)} if isinstance(declared, dict) else {}
        required = [r for r in schema.get("required", []) if isinstance(r, str)] \
            if isinstance(schema.get("required"), list) else []
        names = list(dict.fromkeys([*required, *declared]))[:MAX_MEMBERS * 4]
        pools = {name: self.sample(declared.get(name, True), depth + 1) for name in names}
        base = {name: pools[name][0] for name in required if pools[name]}
        everything = {name: pool[0] for name, pool in pools.items() if pool}
        yield dict(base)
        yield dict(everything)
        for name in names:  # each optional property alone beside the required ones
            if name not in base and pools[name]:
                yield {**base, name: pools[name][0]}
        for name in required:  # a required property missing (and the writer's judgement on it)
            yield {k: v for k, v in everything.items() if k != name}
        # one property varied at a time, round robin over the properties: each gets its second value, then its third
        for pick in range(1, MAX_MEMBERS):
            varied = False
            for name in names:
                if pick < len(pools[name]):
                    varied = True
                    yield {**base, name: pools[name][pick]}
            if not varied:
                break
        yield from self._extra(schema, base, depth)

    def _extra(self, schema: dict[str, Any], base: dict[str, Any], depth: int) -> Iterator[dict[str, Any]]:
        """A property the writer does not declare: under its ``additionalProperties`` or a ``patternProperties``."""
        keyed = schema.get("patternProperties")
        for pattern, sub in (keyed.items() if isinstance(keyed, dict) else ()):
            written = _pattern_example(pattern) if isinstance(pattern, str) else None
            for name in ([written] if written is not None else []) + list(_PROPERTY_SAMPLES):
                if name not in base:
                    for value in self.sample(sub, depth + 1)[:4]:
                        yield {**base, name: value}
        additional = schema.get("additionalProperties", True)
        if additional is False:
            return
        declared = schema.get("properties")
        taken = {*base, *(declared if isinstance(declared, dict) else ())}
        name = next(n for n in itertools.chain(_PROPERTY_SAMPLES, (f"extra{i}" for i in itertools.count()))
                    if n not in taken)
        values = self.sample(additional, depth + 1)[:16]
        for value in values:
            yield {**base, name: value}
        for hinted in self.names:  # a name the reader declares and the writer does not
            if hinted not in taken:
                yield from ({**base, hinted: value} for value in values)


def _hints(schema: Any) -> tuple[list[float | int], list[int], list[str]]:
    """The numeric bounds, the sizes (with each size's neighbours) and the property names a schema names (declared
    or required, also inside ``if``/``then``), at most MAX_MEMBERS of each."""
    numbers: dict[float | int, None] = {}
    sizes: dict[int, None] = {}
    names: dict[str, None] = {}
    for _, sub in itertools.islice(walk_schemas(schema), MAX_STEPS // 10):
        declared, required = sub.get("properties"), sub.get("required")
        for listed in (declared if isinstance(declared, dict) else (), required if isinstance(required, list) else ()):
            names.update((name, None) for name in itertools.islice(listed, MAX_MEMBERS - len(names))
                         if isinstance(name, str))
        for key, value in sub.items():
            if key in _NUMERIC and _number(value) and math.isfinite(value) and len(numbers) < MAX_MEMBERS:
                numbers[value] = None
            elif key in _SIZE_KEYS and isinstance(value, int) and not isinstance(value, bool) \
                    and len(sizes) < MAX_MEMBERS:
                sizes.update(dict.fromkeys((value, value + 1, value - 1)))
    return list(numbers), list(sizes), list(names)


def _round_robin(streams: list[Iterable[Any]]) -> Iterator[Any]:
    """The first value of each stream, then the second of each, ..."""
    iterators = [iter(stream) for stream in streams]
    while iterators:
        alive = []
        for iterator in iterators:
            for value in iterator:
                yield value
                alive.append(iterator)
                break
        iterators = alive


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _tidy(value: float | int) -> float | int:
    """``k * multipleOf`` without float noise where it is a whole number."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return round(value, 12) if isinstance(value, float) else value


_CLASS_ESCAPES: Final = {"d": "0", "w": "a", "s": " ", "D": "a", "W": "-", "S": "a"}
_CONTROL_ESCAPES: Final = {"n": "\n", "r": "\r", "t": "\t", "f": "\f", "v": "\v"}
_MAX_PATTERN: Final = 1_000  # characters of a pattern read by _pattern_example
_MAX_GROUPS: Final = 16  # groups nested in it


class _Unread(Exception):
    """A construct :func:`_pattern_example` does not write an example of."""


def _pattern_example(pattern: str, more: bool = False) -> str | None:
    """A string that ``pattern`` probably matches, written from its text (never run by a regex engine: the writer's
    validator judges it): the first alternative of each choice, each repeated as few times as it may (``more``:
    once more than that), a character of each class. None for what it does not read (look-arounds,
    backreferences, Unicode classes, ...)."""
    if len(pattern) > _MAX_PATTERN:
        return None
    reader = _PatternReader(pattern, more)
    try:
        text = reader.alternatives(0)
    except (_Unread, IndexError, ValueError):
        return None
    return text if reader.at == len(pattern) and len(text) <= MAX_LENGTH else None


class _PatternReader:
    def __init__(self, pattern: str, more: bool) -> None:
        self.pattern, self.more, self.at = pattern, more, 0

    def peek(self) -> str:
        return self.pattern[self.at] if self.at < len(self.pattern) else ""

    def alternatives(self, depth: int) -> str:
        if depth > _MAX_GROUPS:
            raise _Unread
        first = self.sequence(depth)
        while self.peek() == "|":  # the first alternative is written, the others read past
            self.at += 1
            self.sequence(depth)
        return first

    def sequence(self, depth: int) -> str:
        out = ""
        while self.peek() not in ("", "|", ")"):
            atom = self.atom(depth)
            low, high = self.quantifier()
            count = low if not self.more else min(low + 1, high) if high is not None else low + 1
            out += atom * count
            if len(out) > MAX_LENGTH:
                raise _Unread
        return out

    def atom(self, depth: int) -> str:
        char = self.pattern[self.at]
        self.at += 1
        if char in "^$":
            return ""
        if char == ".":
            return "a"
        if char == "(":
            if self.pattern.startswith("?:", self.at):
                self.at += 2
            elif self.peek() == "?":  # look-arounds and named groups
                raise _Unread
            inside = self.alternatives(depth + 1)
            if self.peek() != ")":
                raise _Unread
            self.at += 1
            return inside
        if char == "[":
            return self.character_class()
        if char == "\\":
            return self.escape()
        if char in "*+?{)|":
            raise _Unread
        return char

    def escape(self) -> str:
        char = self.pattern[self.at]
        self.at += 1
        if char in _CLASS_ESCAPES:
            return _CLASS_ESCAPES[char]
        if char.isalnum() and char not in _CONTROL_ESCAPES:  # \b, \1, \p{..}, \u...: not read
            raise _Unread
        return _CONTROL_ESCAPES.get(char, char)

    def character_class(self) -> str:
        negated = self.peek() == "^"
        self.at += negated
        members: list[str] = []
        while self.peek() != "]":
            char = self.pattern[self.at]
            self.at += 1
            if char == "\\":
                char = self.escape()
            if self.peek() == "-" and self.pattern[self.at + 1] != "]":
                self.at += 1
                end = self.pattern[self.at]
                self.at += 1
                if end == "\\":
                    end = self.escape()
                if len(char) != 1 or len(end) != 1 or ord(end) < ord(char):
                    raise _Unread
                members.append(char)
                continue
            members.append(char)
        self.at += 1  # the "]"
        if not negated:
            return members[0] if members else ""
        return next(c for c in "aA0_-. x" if c not in members)

    def quantifier(self) -> tuple[int, int | None]:
        char = self.peek()
        bounds: tuple[int, int | None]
        if char in ("*", "+", "?"):
            self.at += 1
            bounds = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
        elif char == "{" and self.pattern.find("}", self.at) > self.at:
            close = self.pattern.index("}", self.at)
            low, comma, high = self.pattern[self.at + 1:close].partition(",")
            if not low.isdigit() or len(low) > 6 or (high and (not high.isdigit() or len(high) > 6)):
                raise _Unread
            self.at = close + 1
            bounds = (int(low), int(high) if high else None if comma else int(low))
        else:
            return 1, 1
        if self.peek() == "?":  # lazy
            self.at += 1
        if bounds[0] > MAX_LENGTH:
            raise _Unread
        return bounds
