"""The names a consumer's ``fields`` may use: dotted field paths resolved in a contract version's JSON Schema.

A path is a list of steps separated by dots (``user.age``); a whole path declared as is at the top level (a
property whose name holds a dot) is taken as is first. Each step is looked up in one *level* of the schema: the
object schemas reached from where the previous step ended, through

- a local ``$ref`` (and ``$dynamicRef``), ``allOf``, every branch of ``anyOf`` and ``oneOf`` (a name declared in
  any branch is declared), ``dependentSchemas`` (and draft-07's schema form of ``dependencies``), ``then`` and
  ``else``;
- ``items`` and ``prefixItems`` (draft-07's list form of ``items`` too): a step into an array of objects names a
  property of its items (``orders.amount``, where ``orders`` is an array of objects with ``amount``).

A step is *declared* by a ``properties`` key, or by a ``patternProperties`` pattern it matches. An open
``additionalProperties`` (``true``, a schema, or absent) accepts any name but declares none, so it makes no name
exist. When a level holds a reference that cannot be resolved here (a ``$ref`` below a nested ``$id``, a pattern
the linear-time engine refuses), an undeclared step cannot be judged: the answer is ``None``, not a guess.

The walk is bounded: each level is computed once (shared by every path through it), each subschema is visited
once per level (``$ref`` cycles end there), and a resolver visits at most ``BUDGET`` subschemas in all; past it,
the paths not yet judged are answered as *too complex*, never as declared.

``FieldResolver.fields`` lists the names the other way round: every dotted path made of ``properties`` names that
``lookup`` declares, in the schema's order, each with the subschemas it leads to (what an export describes). A
``patternProperties`` pattern declares names that cannot be listed; a path that comes back to a level it passed
through (a recursive schema) stops there; the listing is bounded by the fields and levels asked for and by the
same budget, and says where it stopped.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal
from urllib.parse import unquote

from bot.compat import patterns
from bot.compat.refs import resolve_local, walk_schemas

BUDGET: Final = 1_000_000  # subschemas (and pattern tests) one resolver may visit, over all the paths it judges
SUGGEST_AMONG: Final = 10_000  # at most this many names of a level are compared for a did-you-mean
SUGGEST_LENGTH: Final = 200  # and only names (and steps) of at most this many characters
# names one resolver compares for did-you-means in all: 2,000 misspelt fields against 10,000 properties took minutes
SUGGEST_BUDGET: Final = 100_000

Status = Literal["declared", "undeclared", "unknown", "too-complex"]
_ONE_BRANCH = ("then", "else", "items")
_BRANCHES = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_READ = ("properties", "patternProperties", "$dynamicRef", "dependentSchemas", "dependencies", *_ONE_BRANCH,
         *_BRANCHES)  # the keywords a level is gathered from, besides $ref


@dataclass(frozen=True)
class Lookup:
    """What the schema says of one field path.

    ``status``: ``declared``; ``undeclared`` (``missing`` is the first prefix of the path not declared, and
    ``suggestion`` a close declared path, if any); ``unknown`` (the schema cannot be judged here: see the module
    docstring); ``too-complex`` (the resolver's budget ran out).
    """

    status: Status
    missing: str = ""
    suggestion: str | None = None

    @property
    def declared(self) -> bool:
        return self.status == "declared"


@dataclass
class _Level:
    """The names declared at one level: property name -> the subschemas it leads to; the patterns; whether some
    reference of the level could not be followed."""

    names: dict[str, list[Any]] = field(default_factory=dict)
    patterns: list[tuple[str, Any]] = field(default_factory=list)
    opaque: bool = False


@dataclass(frozen=True)
class Field:
    """One listed field: its dotted path, its depth (0 at the top) and the subschemas its name leads to."""

    path: str
    depth: int
    schemas: tuple[Any, ...]


@dataclass(frozen=True)
class Listing:
    """What ``FieldResolver.fields`` found, and where it stopped short: ``cut_at_fields`` when more fields than
    asked for exist, ``deeper`` the first path whose fields lie below the levels asked for, ``too_complex`` when
    the budget ran out."""

    fields: tuple[Field, ...]
    cut_at_fields: bool = False
    deeper: str | None = None
    too_complex: bool = False


class OutOfBudget(Exception):
    """The resolver's ``BUDGET`` ran out."""


class FieldResolver:
    """Resolves field paths in one schema; keeps what it learned (levels, references, answers) for the next path.

    Pure and safe on any input: a schema that is not valid JSON Schema is read as far as it makes sense, never
    raises.
    """

    def __init__(self, schema: Any) -> None:
        self._root = schema
        self._levels: dict[frozenset[int], _Level] = {}
        self._refs: dict[str, tuple[bool, Any]] = {}
        self._anchors: dict[str, Any] | None = None
        self._answers: dict[str, Lookup] = {}
        self._spent = 0
        self._compared = 0  # names compared for did-you-means (``SUGGEST_BUDGET``)

    def lookup(self, path: str) -> Lookup:
        """What the schema says of ``path`` (dotted)."""
        if path not in self._answers:
            try:
                self._answers[path] = self._lookup(path)
            except OutOfBudget:
                self._answers[path] = Lookup("too-complex")
        return self._answers[path]

    def _lookup(self, path: str) -> Lookup:
        level = self._level((self._root,))
        if path in level.names:
            return Lookup("declared")
        steps = path.split(".")
        done: list[str] = []
        for position, step in enumerate(steps):
            found = level.names.get(step)
            if found is None:
                found = self._matching(level, step)
            if not found:
                missing = ".".join((*done, step))
                if level.opaque or found is None:
                    return Lookup("unknown", missing)
                return Lookup("undeclared", missing, self._suggest(level, done, step))
            done.append(step)
            if position + 1 < len(steps):
                level = self._level(found)
        return Lookup("declared")

    def fields(self, max_fields: int, max_depth: int) -> Listing:
        """The declared dotted paths (module docstring), depth first in the schema's order: at most ``max_fields``
        of them, from at most ``max_depth`` levels (the top one included)."""
        found: list[Field] = []
        deeper: str | None = None
        # one frame a level being listed: its names still to list, their prefix and depth, the levels on the way
        frames: list[tuple[Iterator[tuple[str, list[Any]]], str, int, frozenset[frozenset[int]]]] = []

        def enter(start: tuple[Any, ...] | list[Any], prefix: str, depth: int,
                  inside: frozenset[frozenset[int]]) -> None:
            nonlocal deeper
            key, level = self._keyed_level(start)
            if not level.names or key in inside:
                return
            if depth >= max_depth:
                deeper = deeper or prefix[:-1]
                return
            frames.append((iter(level.names.items()), prefix, depth, inside | {key}))

        try:
            enter((self._root,), "", 0, frozenset())
            while frames:
                names, prefix, depth, inside = frames[-1]
                item = next(names, None)
                if item is None:
                    frames.pop()
                    continue
                if len(found) == max_fields:
                    return Listing(tuple(found), cut_at_fields=True, deeper=deeper)
                name, subs = item
                found.append(Field(prefix + name, depth, tuple(subs)))
                enter(subs, f"{prefix}{name}.", depth + 1, inside)
        except OutOfBudget:
            return Listing(tuple(found), deeper=deeper, too_complex=True)
        return Listing(tuple(found), deeper=deeper)

    def resolved(self, node: Any) -> list[Any]:
        """``node`` and what its local ``$ref`` points to, then what that one's points to, …: the chain of
        schemas one subschema stands for (it ends at a cycle, a dead end or a schema without ``$ref``). Each step
        is spent from the budget: past it, ``OutOfBudget``."""
        return self._follow(node, lambda _: False)

    def _follow(self, node: Any, stop: Callable[[dict[str, Any]], bool]) -> list[Any]:
        chain, seen = [node], {id(node)}
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and not stop(node):
            self._spend()
            found, node = self._resolve(node["$ref"])
            if not found or id(node) in seen:
                break
            seen.add(id(node))
            chain.append(node)
        return chain

    def _matching(self, level: _Level, step: str) -> list[Any] | None:
        """The subschemas of the patterns ``step`` matches; None when a pattern cannot be evaluated."""
        found: list[Any] = []
        refused = False
        for pattern, sub in level.patterns:
            self._spend()
            matched = patterns.search(pattern, step)
            if matched is None:
                refused = True
            elif matched:
                found.append(sub)
        return None if refused and not found else found

    def _suggest(self, level: _Level, done: list[str], step: str) -> str | None:
        """A close declared name, while the resolver's ``SUGGEST_BUDGET`` lasts (past it: no did-you-mean)."""
        if len(step) > SUGGEST_LENGTH or self._compared >= SUGGEST_BUDGET:
            return None
        names = [name for name in level.names if 0 < len(name) <= SUGGEST_LENGTH][:SUGGEST_AMONG]
        self._compared += len(names)
        if self._compared > SUGGEST_BUDGET:
            return None
        close = difflib.get_close_matches(step, names, n=1)
        return ".".join((*done, close[0])) if close else None

    def _spend(self, amount: int = 1) -> None:
        self._spent += amount
        if self._spent > BUDGET:
            raise OutOfBudget

    def _level(self, start: tuple[Any, ...] | list[Any]) -> _Level:
        return self._keyed_level(start)[1]

    def _keyed_level(self, start: tuple[Any, ...] | list[Any]) -> tuple[frozenset[int], _Level]:
        start = [self._through_refs(node) for node in start]
        key = frozenset(id(node) for node in start)
        level = self._levels.get(key)
        if level is None:
            level = self._levels[key] = self._gather(start)
        return key, level

    def _through_refs(self, node: Any) -> Any:
        """The schema a bare reference (``{$ref: ...}`` and nothing else this module reads) stands for, so that
        the many properties referring to one definition share its level."""
        return self._follow(node, lambda item: any(key in item for key in _READ))[-1]

    def _gather(self, start: tuple[Any, ...] | list[Any]) -> _Level:
        """The level of the subschemas ``start``: one visit of each subschema reachable through the keywords of
        the module docstring."""
        level = _Level()
        seen: set[int] = set()
        stack: list[dict[str, Any]] = []
        children: list[Any] = []  # of the node being visited, in the schema's order

        def push(*subs: Any) -> None:
            children.extend(subs)

        def descend() -> None:  # the first child is visited next: names are gathered in the schema's order
            stack.extend(sub for sub in reversed(children) if isinstance(sub, dict) and id(sub) not in seen)
            children.clear()

        push(*start)
        descend()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            self._spend()
            properties = node.get("properties")
            if isinstance(properties, dict):
                self._spend(len(properties))
                for name, sub in properties.items():
                    if isinstance(name, str):
                        level.names.setdefault(name, []).append(sub)
            pattern_properties = node.get("patternProperties")
            if isinstance(pattern_properties, dict):
                level.patterns += [(p, sub) for p, sub in pattern_properties.items() if isinstance(p, str)]
            for key, value in node.items():  # in the schema's order
                if key in ("$ref", "$dynamicRef") and isinstance(value, str):
                    found, target = self._resolve(value)
                    if found:
                        push(target)
                    else:
                        level.opaque = True
                if key in _ONE_BRANCH:
                    push(value)
                if key in _BRANCHES and isinstance(value, list):
                    push(*value)
                if key in ("dependentSchemas", "dependencies") and isinstance(value, dict):
                    push(*value.values())
            descend()
        return level

    def _resolve(self, ref: str) -> tuple[bool, Any]:
        """``resolve_local``, once per reference; an ``#anchor`` is looked up in an index built once."""
        if ref not in self._refs:
            fragment = unquote(ref[1:])
            if ref.startswith("#") and fragment and not fragment.startswith("/"):
                self._refs[ref] = self._anchor(fragment)
            else:
                self._refs[ref] = resolve_local(self._root, ref)
        return self._refs[ref]

    def _anchor(self, name: str) -> tuple[bool, Any]:
        if self._anchors is None:
            self._anchors = {}
            for _, sub in walk_schemas(self._root):
                self._spend()
                for anchor in (sub.get("$anchor"), sub.get("$dynamicAnchor")):
                    if isinstance(anchor, str):
                        self._anchors.setdefault(anchor, sub)
                ident = sub.get("$id")
                if isinstance(ident, str) and ident.startswith("#"):
                    self._anchors.setdefault(ident[1:], sub)
        found = self._anchors.get(name)
        return found is not None, found
