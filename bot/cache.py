"""A content-addressed cache of parsed manifests, keyed by git blob id.

The same blob always parses the same way, so a parse can be kept across runs (a directory that
``actions/cache`` keeps between workflow runs). Entries are JSON, never pickle: a poisoned cache can at
worst hold wrong data, never run code, and every entry is validated again by the typed models on use.

- Concurrent runs: an entry is written to a temporary file and renamed into place, so a reader sees a
  whole entry or none.
- Self-healing: an entry that cannot be read or has the wrong shape is deleted and counted as a miss.
- Bounded: after a run that wrote entries, the oldest entries are removed until the cache is under 80%
  of ``max_bytes``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

FORMAT = 1  # bump when what is stored changes meaning
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
_DATE = "__date__"


def default_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "modelgate" / "parse"


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _DATE in obj and isinstance(obj[_DATE], str):
        return dt.date.fromisoformat(obj[_DATE])
    return obj


class ParseCache:
    def __init__(self, root: str | Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = Path(root) if root is not None else default_dir()
        self.max_bytes = max_bytes
        self.hits = self.misses = self.writes = 0

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    @staticmethod
    def key(blob: str, *salt: object) -> str:
        """The entry name of a blob under the settings that change how it parses."""
        return "-".join([blob, f"f{FORMAT}", *(str(s) for s in salt)])

    def get(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        try:
            with path.open("rb") as handle:
                entry = json.load(handle, object_hook=_decode)
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError):
            self._drop(path)
            self.misses += 1
            return None
        if not isinstance(entry, dict) or entry.get("format") != FORMAT or not isinstance(entry.get("kind"), str):
            self._drop(path)
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def put(self, key: str, kind: str, payload: Any) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps({"format": FORMAT, "kind": kind, "payload": payload}, default=_encode,
                              separators=(",", ":"))
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            Path(tmp).replace(path)
            self.writes += 1
        except (OSError, TypeError, ValueError):
            return  # a cache that cannot be written is only a slower run

    @staticmethod
    def _drop(path: Path) -> None:
        try:
            path.unlink()
        except OSError:
            return

    def prune(self) -> int:
        """Remove the oldest entries when over budget; return how many were removed."""
        if not self.writes or not self.root.is_dir():
            return 0
        entries: list[tuple[float, int, Path]] = []
        total = 0
        for path in self.root.glob("*/*.json"):
            try:
                stat = path.stat()
            except OSError:
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
            total += stat.st_size
        if total <= self.max_bytes:
            return 0
        removed = 0
        for _, size, path in sorted(entries):
            if total <= self.max_bytes * 0.8:
                break
            self._drop(path)
            total -= size
            removed += 1
        return removed
