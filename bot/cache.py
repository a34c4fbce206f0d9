"""A content-addressed cache of parsed manifests, keyed by git blob id.

The same blob always parses the same way, so a parse can be kept across runs (a directory that
``actions/cache`` keeps between workflow runs). Entries are JSON, never pickle: a poisoned cache can at
worst hold wrong data, never run code, and every entry is validated again by the typed models on use.
A manifest's data is kept as JSON text inside its entry (``bot.manifests.codec``): a warm run decodes it once per
blob, for the typed models and for the manifests of both states.
Beside it, the line of each of its nodes (``bot.manifests.snapshot``), recorded when the blob was parsed, so a
message can point at a line without the manifest being read again.

Entries live in 256 bucket files named by the first two hex digits of the blob id: a run of 15,000
manifests reads or writes 256 files rather than 15,000, which is most of what makes a warm run fast.

- Concurrent runs: a bucket is written to a temporary file and renamed into place, so a reader sees a
  whole bucket or none; two runs writing one bucket at once lose at worst the other's new entries.
- Self-healing: a bucket that cannot be read or has the wrong shape is deleted and counts as misses.
- Bounded: a bucket over its share of ``max_bytes`` keeps only the entries this run used.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from bot.code_identity import code_digest
from bot.files import write_atomically
from bot.manifests.codec import dumps

FORMAT = 4  # bump when what is stored changes meaning (4: a manifest's entry carries the lines of its nodes)
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
BUCKETS = 256
_BUCKET_NAMES = frozenset(f"{i:02x}" for i in range(BUCKETS))  # blob ids are lowercase hex; anything else: "xx"


def default_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "modelgate" / "parse"


def configured_dir(where: str | None = None) -> str | None:
    """Where the caller keeps the parse cache: ``where`` (``--cache-dir``), else $MODELGATE_CACHE_DIR, else None
    (the default directory); ``none`` means no cache. The edges ask this and hand the answer to the loader."""
    return where or os.environ.get("MODELGATE_CACHE_DIR")


class ParseCache:
    def __init__(self, root: str | Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = Path(root) if root is not None else default_dir()
        self.max_bytes = max_bytes
        self.hits = self.misses = self.writes = 0
        self._buckets: dict[str, dict[str, list[Any]]] = {}
        self._used: dict[str, set[str]] = {}
        self._dirty: set[str] = set()

    @staticmethod
    def key(blob: str, *salt: object) -> str:
        """The entry name of a blob under the settings that change how it parses and the code that parses it (the
        ``code_identity.code_digest``: modelgate's files, Python, the installed packages; 64 bits of it)."""
        return "-".join([blob.lower(), code_digest()[:16], *(str(s) for s in salt)])

    def _path(self, bucket: str) -> Path:
        return self.root / f"{bucket}.json"

    def _bucket(self, key: str) -> tuple[str, dict[str, list[Any]]]:
        name = key[:2] if key[:2] in _BUCKET_NAMES else "xx"
        if name not in self._buckets:
            self._buckets[name] = self._read(self._path(name))
            self._used[name] = set()
        return name, self._buckets[name]

    def _read(self, path: Path) -> dict[str, list[Any]]:
        try:
            with path.open("rb") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            self._drop(path)
            return {}
        entries = data.get("entries") if isinstance(data, dict) and data.get("format") == FORMAT else None
        if not isinstance(entries, dict) or not all(
                isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) for v in entries.values()):
            self._drop(path)
            return {}
        return entries

    def get(self, key: str) -> tuple[str, Any] | None:
        """(kind, payload) of a cached parse, or None."""
        name, entries = self._bucket(key)
        entry = entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._used[name].add(key)
        self.hits += 1
        return entry[0], entry[1]

    def put(self, key: str, kind: str, payload: Any) -> None:
        name, entries = self._bucket(key)
        entries[key] = [kind, payload]
        self._used[name].add(key)
        self._dirty.add(name)

    def flush(self) -> None:
        """Write every bucket that gained entries; a cache that cannot be written is only a slower run."""
        share = self.max_bytes // BUCKETS
        for name in sorted(self._dirty):
            entries = self._buckets[name]
            try:
                text = self._dump(entries)
                if len(text) > share:
                    entries = {k: v for k, v in entries.items() if k in self._used[name]}
                    self._buckets[name] = entries
                    text = self._dump(entries)
                if len(text) > share:
                    continue
                self.root.mkdir(parents=True, exist_ok=True)
                write_atomically(self._path(name), text, mode=0o600, durable=False, prefix=".tmp-")
                self.writes += 1
            except (OSError, TypeError, ValueError):
                continue
        self._dirty.clear()

    @staticmethod
    def _dump(entries: dict[str, list[Any]]) -> str:
        return dumps({"format": FORMAT, "entries": entries})

    @staticmethod
    def _drop(path: Path) -> None:
        try:
            path.unlink()
        except OSError:
            return
