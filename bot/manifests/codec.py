"""How a manifest's content is named and carried: git's id of its bytes, and the JSON of its YAML data.

Both are pure: the blob id is the same content key for every kind of source (a git tree lists it, a
directory's bytes are hashed to it), and the JSON is how parsed data travels from a parse to the manifest
that uses it and into the parse cache (dates and timestamps tagged, so they come back as dates and datetimes:
``2026-12-20T10:00:00Z`` stays a timestamp). ``plain`` is the same data for other tools: a date is its ISO text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

_DATE = "__date__"
_DATETIME = "__datetime__"  # a YAML timestamp with a time of day: it comes back as a datetime, never cut to a date


def blob_id(data: bytes) -> str:
    """Git's object id of a blob with these bytes: the same content key for every kind of source."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):  # a date too (a subclass): tested first
        return {_DATETIME: value.isoformat()}
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _DATE in obj and isinstance(obj[_DATE], str):
        return dt.date.fromisoformat(obj[_DATE])
    if len(obj) == 1 and _DATETIME in obj and isinstance(obj[_DATETIME], str):
        return dt.datetime.fromisoformat(obj[_DATETIME])
    return obj


def dumps(value: Any) -> str:
    """JSON of YAML data, dates and timestamps included (tagged, so ``loads`` gives them back as they were)."""
    return json.dumps(value, default=_encode, separators=(",", ":"), ensure_ascii=False)


def loads(text: str) -> Any:
    """The inverse of ``dumps``; the date hook runs only for text that holds a date."""
    return json.loads(text, object_hook=_decode) if has_dates(text) else json.loads(text)


def plain(value: Any) -> Any:
    """YAML data as plain JSON data, for a document another tool reads: a date is its ISO text (``2024-01-01``, what
    the YAML says in JSON's terms), never the tag ``dumps`` gives it for modelgate's own use. Keys are strings
    already (the parser refuses others). A copy only where a date is."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        found = {key: plain(item) for key, item in value.items()}
        return value if all(found[key] is item for key, item in value.items()) else found
    if isinstance(value, list):
        found_items = [plain(item) for item in value]
        return value if all(a is b for a, b in zip(found_items, value, strict=True)) else found_items
    return value


def has_dates(text: str) -> bool:
    return f'"{_DATE}"' in text or f'"{_DATETIME}"' in text
