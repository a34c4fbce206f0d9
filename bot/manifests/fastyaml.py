"""A fast path for reading a manifest: ``read_yaml``'s own reading of libyaml's events, in one lean pass.

``yamlread.read_yaml`` defines what a manifest means: libyaml's events, YAML 1.1 scalars as PyYAML resolves them,
with depth, alias and duplicate-key limits, and the line of every node. It is written for every document,
errors and odd cases included (tags, merge keys ``<<``, more documents, keys that are not strings), and builds a
path for each node it records a line of. ``read_fast_counted`` reads the same events from the same parser (libyaml's
``CParser``, as ``CSafeLoader`` does) and resolves every scalar with the same resolver and the same cache
(``SCALARS.scalar``), so it builds the same data; it only leaves out what the common document does not need:

- anything ``read_yaml`` would refuse or treat specially makes it return None, and the caller then uses
  ``read_yaml`` (which also gives the error message and line): a syntax error, a tag (``!!str``, ``!x``, on a
  scalar or a collection), a merge key, a second document, a key that is not a string (a number, a boolean, a
  mapping or a list) or is repeated, an alias of an unknown anchor, nesting deeper than ``max_depth``, a document
  that expands past a quarter of ``read_yaml``'s node limit (it counts nodes as ``read_yaml`` does, aliases at the
  size of what they repeat), a scalar that cannot be constructed (``2026-04-31``), and any document that is not
  a mapping;
- the lines are written straight as the document's *order* (``bot.manifests.snapshot``: the root's line, then
  each key's or list item's line in document order, 0 for each node inside a value an alias repeats), which is
  what ``in_order`` makes of ``read_yaml``'s lines, without building a path for each node.

Aliases name the very object their anchor made, as in ``read_yaml``. This replaced a pass that read the text with
``yaml-rs`` (YAML 1.2, so only where a list of checks showed both readers agree) and then walked libyaml's events
again for the shape and the lines: about 108 µs a manifest against 62 µs now, on the benchmark's manifests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from yaml._yaml import CParser
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from bot.manifests.yamlread import DEFAULT_MAX_NODES, MERGE_TAG, SCALARS, repeated_values

NODE_LIMIT = DEFAULT_MAX_NODES // 4  # read_yaml counts a collection twice for a moment: stay far below its limit


def read_fast_counted(text: str, max_depth: int,
                      max_nodes: int = NODE_LIMIT) -> tuple[dict[str, Any], list[int], int] | None:
    """``(data, order, values)``: the data and line order exactly as ``read_yaml(text, max_depth=...,
    want_lines=True)`` and ``in_order`` give them, and the document's size in values as ``read_counted`` counts it
    (a run's budget, the text aliases repeat included); or None where that reader must decide (an error, a limit,
    a special case, a document not a mapping, more than ``max_nodes`` values, at most ``NODE_LIMIT``)."""
    try:
        return _read(text, max_depth, min(max_nodes, NODE_LIMIT))
    except Exception:  # whatever libyaml or a constructor refuses, read_yaml reads and explains
        return None


def _read(text: str, max_depth: int, limit: int) -> tuple[dict[str, Any], list[int], int] | None:
    get: Callable[[], Any] = CParser(text).get_event  # libyaml's events, as CSafeLoader reads them
    scalar = SCALARS.scalar
    starts = SCALARS.implicit_starts
    order: list[int] = []
    add = order.append
    anchors: dict[str, tuple[Any, int, int]] = {}  # anchor: its value, its nodes, its entries of the order below it
    # The innermost open collection: [container, pending key (a mapping's; None before its key), anchor, where its
    # entries of the order begin, its nodes as read_yaml counts them (itself, keys, values, aliases at their size)].
    top: list[Any] | None = None
    container: Any = None  # top[0]
    stack: list[list[Any]] = []  # the collections enclosing top
    root: Any = None
    total = documents = nodes = 0
    aliased: list[Any] = []  # what each alias repeats, for the text it adds (``repeated_values``)
    event = get()
    while event is not None:
        kind = type(event)
        if kind is ScalarEvent:
            if event.tag is not None:
                return None
            value = event.value
            if not event.style and (not value or value[0] in starts):  # else a string, as SCALARS.scalar says
                tag, value = scalar(event)
                if tag == MERGE_TAG:
                    return None
            size, below = 1, 0
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1, 0)
        elif kind is AliasEvent:
            known = anchors.get(event.anchor)
            if known is None:
                return None
            value, size, below = known
            aliased.append(value)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.tag is not None or len(stack) + (top is not None) >= max_depth:  # as many open as read_yaml allows
                return None
            total += 1
            if top is not None:
                if type(container) is list:
                    add(event.start_mark.line + 1)
                elif top[1] is None:
                    return None  # a mapping or a list as a key
                stack.append(top)
            else:
                add(event.start_mark.line + 1)
            container = {} if kind is MappingStartEvent else []
            top = [container, None, event.anchor, len(order), 1]
            event = get()
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            assert top is not None
            value, _, anchor, start, size = top
            if anchor is not None:
                anchors[anchor] = (value, size, len(order) - start)
            if not stack:
                top, container, root, nodes = None, None, value, size
            else:
                top = stack.pop()
                container = top[0]
                top[4] += size
                if type(container) is list:
                    container.append(value)
                else:
                    container[top[1]] = value
                    top[1] = None
            event = get()
            continue
        else:  # stream and document start and end
            if kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    return None
            event = get()
            continue
        # A scalar or an alias, placed where it stands; its line recorded unless it is a mapping's value.
        total += size
        if total > limit:
            return None
        if top is None:
            root = value
            add(event.start_mark.line + 1)
        elif type(container) is list:
            add(event.start_mark.line + 1)
            container.append(value)
            top[4] += size
        elif top[1] is None:
            if type(value) is not str or value in container:
                return None  # a key that is not a string, or a repeated one
            add(event.start_mark.line + 1)
            top[1] = value
            top[4] += size
        else:
            container[top[1]] = value
            top[1] = None
            top[4] += size
        if below:
            order.extend([0] * below)
        event = get()
    if type(root) is not dict:
        return None
    while order and not order[-1]:  # as ``snapshot.in_order`` writes it: a node past the end has no line
        order.pop()
    return root, order, nodes + repeated_values(aliased) if aliased else nodes
