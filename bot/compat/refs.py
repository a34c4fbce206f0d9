"""Local ``$ref`` resolution and detection of references that would need a fetch.

Only references inside the same document are ever followed: ``#``, ``#/json/pointer``, ``#anchor``
(``$anchor`` or a draft-07 ``$id: "#anchor"``), and absolute URIs equal to the document's own ``$id``.
Everything else (another file, a URL) is *non-local*: never fetched, reported by :func:`nonlocal_refs`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

# The applicator keywords of JSON Schema 2020-12 and 2019-09 with draft-07's (additionalItems, definitions,
# dependencies), and $defs: their value is one subschema, a list of subschemas, or a map of name -> subschema.
# ``items`` is one subschema, or (before 2020-12) a list of them.
_ONE = ("additionalItems", "additionalProperties", "contains", "if", "then", "else", "not",
        "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema")
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAP = ("properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "dependencies")

Segments = tuple[str | int, ...]  # a path inside a schema: keys, and the index of a list item


def escape(segment: str | int) -> str:
    """Escape one JSON-pointer segment (RFC 6901)."""
    return str(segment).replace("~", "~0").replace("/", "~1")


def fragment(segments: Iterable[str | int]) -> str:
    """The URI fragment of a JSON pointer: ``#`` then each segment escaped (``#`` alone for none)."""
    return "#" + "".join("/" + escape(segment) for segment in segments)


def unescape(segment: str) -> str:
    """Decode one JSON-pointer segment (RFC 6901): ``~1`` is ``/``, then ``~0`` is ``~``."""
    return segment.replace("~1", "/").replace("~0", "~")


def pointer_segments(path: str) -> list[str]:
    """The decoded segments of a JSON pointer, written with or without its leading ``#`` (``#``: none)."""
    return [unescape(s) for s in path.removeprefix("#").split("/")[1:]]


def walk_schemas(schema: Any, segments: Segments = ()) -> Iterator[tuple[Segments, dict[str, Any]]]:
    """Yield ``(path, subschema)`` for every object subschema, skipping data (enum, const...)."""
    if not isinstance(schema, dict):
        return
    yield segments, schema
    for key in _ONE:
        if key in schema:
            yield from walk_schemas(schema[key], (*segments, key))
    items = schema.get("items")
    if isinstance(items, list):
        for i, sub in enumerate(items):
            yield from walk_schemas(sub, (*segments, "items", i))
    elif items is not None:
        yield from walk_schemas(items, (*segments, "items"))
    for key in _LIST:
        value = schema.get(key)
        if isinstance(value, list):
            for i, sub in enumerate(value):
                yield from walk_schemas(sub, (*segments, key, i))
    for key in _MAP:
        value = schema.get(key)
        if isinstance(value, dict):
            for name, sub in value.items():
                yield from walk_schemas(sub, (*segments, key, name))


def _base(schema: Any) -> str:
    if isinstance(schema, dict):
        ident = schema.get("$id", schema.get("id"))
        if isinstance(ident, str):
            return urldefrag(ident)[0]
    return ""


def split_local(ref: str, root: Any) -> str | None:
    """The fragment of ``ref`` when it points into ``root`` itself, else ``None`` (non-local)."""
    if ref.startswith("#"):
        return ref[1:]
    base = _base(root)
    if not base:
        return None
    target, fragment = urldefrag(urljoin(base, ref))
    return fragment if target == base else None


def nonlocal_refs(schema: Any) -> list[str]:
    """JSON pointers (``#/.../$ref``) of every ``$ref`` that leaves the document; none is ever fetched."""
    found = []
    for segments, sub in walk_schemas(schema):
        ref = sub.get("$ref")
        if isinstance(ref, str) and split_local(ref, schema) is None:
            found.append(fragment((*segments, "$ref")))
    return found


def resolve_local(root: Any, ref: str) -> tuple[bool, Any]:
    """Find the subschema a local ``ref`` designates: ``(found, subschema)``."""
    fragment = split_local(ref, root)
    if fragment is None:
        return False, None
    fragment = unquote(fragment)
    if fragment == "" or fragment.startswith("/"):
        node = root
        for raw in fragment.split("/")[1:]:
            segment = unescape(raw)
            if isinstance(node, dict) and segment in node:
                node = node[segment]
            elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
                node = node[int(segment)]
            else:
                return False, None
        return True, node
    for _, sub in walk_schemas(root):
        if sub.get("$anchor") == fragment or sub.get("$id") == "#" + fragment:
            return True, sub
    return False, None
