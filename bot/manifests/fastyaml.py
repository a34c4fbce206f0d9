"""A fast path for reading a manifest: a Rust YAML parser, used only where it provably agrees with ``read_yaml``.

``yamlread.read_yaml`` defines what a manifest means: libyaml's events, YAML 1.1 scalars as PyYAML resolves
them, with depth, alias and duplicate-key limits. It costs about 250 µs per contract. ``yaml-rs`` (yaml-rust2)
reads the same text in about 50 µs but speaks YAML 1.2, where ``on`` and ``yes`` are strings, ``010`` is ten,
``1e3`` is a number and ``_1`` is one; and a deep enough document overflows its stack. So ``read_fast`` returns
its data only when every way the two could differ is ruled out, and nothing otherwise (the caller then uses
``read_yaml``, which also gives the error message and line of a bad document):

- the text holds nothing outside the plain subset both parsers read alike: no tab, carriage return, backslash
  escape, block scalar, explicit key (``?``), anchor or alias other than ``&name``/``*name`` and a space, tag,
  directive, second document, YAML 1.1 line break (NEL, U+2028, U+2029), BOM or character libyaml refuses; and
  no line so long that the nesting it could hold is deep enough to hurt;
- every token that yaml-rs could read as a number is written the one way both read alike (``12``, ``-3``,
  ``0.25``), or is one yaml-rs reads as a string (``2.8.0``); never ``+1``, ``010``, ``1_000``, ``1e3``, ``0o7``;
- every string of the result, key or value, is one YAML 1.1 would also read as a string when written plain
  (``"yes"`` could have been a plain ``yes``, which 1.1 reads as true: such a document takes the slow path);
- every key is a string, no collection is nested deeper than ``max_depth``;
- libyaml itself parses the text and, in a document without aliases, sees exactly as many events as the result
  has nodes: the parsers agree on its shape, not just on its scalars. That same pass over libyaml's events records
  the line of every node, which ``read_yaml`` would have recorded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

import yaml_rs
from yaml import YAMLError
from yaml._yaml import CParser
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import ScalarNode

from bot.manifests.yamlread import DEFAULT_MAX_NODES, MERGE_TAG, SCALARS, STR_TAG

# Characters that yaml-rs and libyaml may read differently (tab, CR, escapes, NEL, U+2028/9, BOM, controls) or that
# read_yaml treats specially (tags); an ASCII text is checked with the short class, any other with the long one.
_UNSAFE_ASCII = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\\!]")
_UNSAFE = re.compile(
    r"[^\n\x20-\x20\x22-\x5b\x5d-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_MARKERS = ("\n%", "\n---", "\n...")  # a directive, or a document marker after the first line
# "?" where a token starts: an explicit key, which libyaml also sees in "{a: 1,?b: 2}" where YAML 1.2 reads "?b".
_EXPLICIT_KEY = re.compile(r"(?:^|[\s\[{,])\?")
# An anchor or alias other than "&name " / "*name ": "{&b: 1}" names the anchor "b:" in libyaml, "b" in yaml-rs.
_ODD_ANCHOR = re.compile(r"(?:^|[\s\[{,])[&*](?![A-Za-z0-9_-]+(?:\s|$))", re.MULTILINE)
_ALIAS = re.compile(r"(?:^|[\s\[{,])\*[A-Za-z0-9_-]", re.MULTILINE)
# A block scalar's header (``|``, ``>-``, ``|2``): their chomping and folding at the edges differ (``a: |`` at the end
# of a file is "" to libyaml and "\n" to yaml-rs), so a document holding one takes the slow path.
_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*[ ]*(?:#.*)?$", re.MULTILINE)
# A token where a plain scalar may start (after a separator), beginning as a YAML 1.2 number may: up to a separator.
_NUMERIC = re.compile(r"[\s\[{,:]([-+]?[._0-9][^\s,\[\]{}#]*)")
_CANONICAL = re.compile(r"-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?")
_ALIASES = yaml_rs.AliasLimits(max_total_replayed_events=DEFAULT_MAX_NODES // 4)
MAX_LINE = 512  # block nesting is at most two levels per column, and yaml-rs survives 2,000 levels (it recurses)


def read_fast(text: str, max_depth: int) -> tuple[dict[str, Any], list[int]] | None:
    """``(data, order)`` when ``data`` is surely what ``read_yaml(text, max_depth=...)`` returns, else None.

    ``order`` is the line of each node (``bot.manifests.snapshot``), from libyaml's marks: what ``read_yaml``
    records with ``want_lines``. Only mappings are taken (a manifest is one); anything else is left to the slow path.
    """
    if (_UNSAFE_ASCII if text.isascii() else _UNSAFE).search(text) or text.startswith("%") \
            or any(marker in text for marker in _MARKERS) or max(map(len, text.split("\n"))) > MAX_LINE \
            or text.count("[") + text.count("{") > max_depth or _BLOCK_SCALAR.search(text) \
            or ("?" in text and _EXPLICIT_KEY.search(text)) or _ODD_ANCHOR.search(text):
        return None
    if not all(map(_number_safe, _NUMERIC.findall("\n" + text))):
        return None
    try:
        data = yaml_rs.loads(text, parse_datetime=False, alias_limits=_ALIASES)
    except Exception:  # whatever yaml-rs refuses, the slow path reads and explains
        return None
    if type(data) is not dict:
        return None
    events = _events(data, max_depth)
    if events is None:
        return None
    try:
        seen, order = _lines(text)
    except YAMLError:
        return None
    # An alias is one event but as many nodes as what it names: only an alias-free document can be counted.
    counted = seen == events + 4  # + stream and document start and end
    return (data, order) if counted or ("*" in text and _ALIAS.search(text)) else None


_ROOT, _ITEM, _KEY, _VALUE = -1, 0, 1, 2  # what the innermost open collection expects next (_ROOT: none is open)


def _lines(text: str) -> tuple[int, list[int]]:
    """How many events libyaml sees in ``text``, and the order of the lines of its nodes.

    The line of a mapping's entry is its key's, of a list's item the item's own; the nodes inside a value an alias
    repeats have none (0), as in ``read_yaml``. Lean: one pass over the events, no paths built.
    """
    get: Callable[[], Any] = CParser(text).get_event  # libyaml's events, with their marks
    order: list[int] = []
    add = order.append
    expects, outer = _ROOT, []  # what the innermost collection expects, and what each enclosing one will
    opened: list[tuple[str | None, int]] = []  # of each open collection: its anchor and where its entries begin
    sizes: dict[str, int] = {}  # entries below each anchored node, for the aliases that repeat it
    seen = 0
    event = get()
    while event is not None:
        seen += 1
        kind = type(event)
        if kind is ScalarEvent or kind is AliasEvent:
            if expects == _VALUE:
                expects = _KEY
            else:
                add(event.start_mark.line + 1)
                if expects == _KEY:
                    expects = _VALUE
                    event = get()
                    continue
            if kind is AliasEvent:
                order.extend([0] * sizes.get(event.anchor, 0))
            elif event.anchor is not None:
                sizes[event.anchor] = 0
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if expects == _VALUE:
                outer.append(_KEY)
            else:
                add(event.start_mark.line + 1)
                outer.append(_VALUE if expects == _KEY else expects)
            expects = _KEY if kind is MappingStartEvent else _ITEM
            opened.append((event.anchor, len(order)))
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            expects = outer.pop()
            anchor, start = opened.pop()
            if anchor is not None:
                sizes[anchor] = len(order) - start
        event = get()
    while order and not order[-1]:  # as ``snapshot.in_order`` writes it: a node past the end has no line
        order.pop()
    return seen, order


def _events(root: dict[str, Any], max_depth: int) -> int | None:
    """How many libyaml events the data stands for, or None if some part of it needs the slow path."""
    events = 0
    stack: list[tuple[Any, int]] = [(root, 1)]
    plain = _plain_string
    while stack:
        node, depth = stack.pop()
        kind = type(node)
        if kind is dict:
            if depth > max_depth:
                return None
            events += 2 + len(node)
            if events > DEFAULT_MAX_NODES // 2:  # read_yaml counts the same nodes; it decides near its limit
                return None
            for key, value in node.items():
                if type(key) is not str or not plain(key):
                    return None
                stack.append((value, depth + 1))
        elif kind is list:
            if depth > max_depth:
                return None
            events += 2
            stack.extend((item, depth + 1) for item in node)
        elif kind is str:
            if not plain(node):
                return None
            events += 1
        elif kind in (int, float, bool) or node is None:
            events += 1
        else:
            return None
    return events


_TOKENS: dict[str, bool] = {}


def _number_safe(token: str) -> bool:
    """True if yaml-rs reads this plain token as YAML 1.1 does, or as a string (which ``_events`` then judges).

    ``2.8.0`` and ``1:30`` are strings to yaml-rs; ``010``, ``_1``, ``1e3`` and ``.nAn`` are numbers that YAML 1.1
    reads otherwise (8, and three strings); ``12``, ``-3`` and ``0.25`` read alike.
    """
    known = _TOKENS.get(token)
    if known is None:
        if _CANONICAL.fullmatch(token):
            known = True
        else:
            try:
                known = type(cast(dict[str, Any], yaml_rs.loads(f"k: {token}", parse_datetime=False)).get("k")) is str
            except Exception:  # a token yaml-rs cannot read alone is not judged safe
                known = False
        if len(token) <= 64 and len(_TOKENS) < 65_536:
            _TOKENS[token] = known
    return known


_STRINGS: dict[str, bool] = {}


def _plain_string(value: str) -> bool:
    """True if YAML 1.1 reads ``value`` as this very string even when it is written without quotes."""
    known = _STRINGS.get(value)
    if known is None:
        if not value or value[0] not in SCALARS.implicit_starts:  # an empty plain scalar is null to both: "" was quoted
            known = True
        else:
            tag = SCALARS.resolve(ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
            known = tag == STR_TAG or (tag not in SCALARS.yaml_constructors and tag != MERGE_TAG)
        if len(value) <= 64 and len(_STRINGS) < 65_536:
            _STRINGS[value] = known
    return known

