"""Whole checks kept between runs: the Result of a pair of git trees, replayed when that pair is checked again.

CI checks the same pair of states again and again (a re-run, a review event, a comment command, a rebase that
gives the same trees). A Result depends only on what its key holds, so a stored one can stand for a new run:

- both states by their git **tree** id (content, paths and modes of every file; the commit around it does not
  matter) and their labels (the report shows them);
- the day (deprecation windows and sunsets count from it) and the bytes of ``--config F``, if one is given;
- the code (``code_identity.code_digest``: the version, the package's files, Python, the installed distributions):
  an editable install whose code changed never replays what older code decided.
- ``FORMAT``, the shape of an entry.

Only two git revisions have a key. A working tree or a directory has no content id short of reading and hashing
every file, which is most of the work the cache would save, so such a check is always evaluated.

Entries are JSON files under ``<cache dir>/results/`` named by the digest of their key, which they also hold (a
reader checks it). JSON, never pickle: a cache restored by ``actions/cache`` can at worst hold a wrong Result,
never run code. Like the parse cache, whoever can write the directory can forge what it replays (SECURITY.md).

- Concurrent runs: an entry is written to a temporary file and renamed into place; a reader sees all or nothing.
- Self-healing: an entry that cannot be read, is not JSON or has the wrong shape is deleted and is a miss.
- Bounded: at most ``max_entries``; a write removes the least recently used (by mtime; a hit touches its entry).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from pydantic import TypeAdapter, ValidationError

from bot.code_identity import code_digest
from bot.files import write_atomically
from bot.result import Result

FORMAT = 1  # bump when what an entry holds changes meaning
MAX_ENTRIES = 64
STALE_TEMP_SECONDS = 3600  # a temporary file this old belongs to a run that died before renaming it
Key = dict[str, str | None]


@dataclass(frozen=True)
class _Entry:
    key: Key  # read back and compared: a file renamed to another key's name is no hit
    result: Result


@functools.cache
def _adapter() -> TypeAdapter[_Entry]:
    return TypeAdapter(_Entry)


class Revision(Protocol):
    """A side of a check as the key names it: its git tree, and the label it is reported under."""

    @property
    def tree(self) -> str: ...

    @property
    def label(self) -> str: ...


def key(*, base: Revision, head: Revision, trust: Revision | None = None, today: date, config: str | None) -> Key:
    """Everything the Result of a check depends on; ``trust`` is the trust root when it is not the base (its
    policy judges the change), ``config`` is ``file_digest`` of ``--config F`` (or None)."""
    return {
        "format": str(FORMAT), "code": code_digest(), "base": base.tree, "head": head.tree,
        "trust": trust.tree if trust is not None else None,
        "base_label": base.label, "head_label": head.label, "today": today.isoformat(), "config": config,
    }


def file_digest(path: str | Path) -> str | None:
    """The SHA-256 of a file's bytes; None when it cannot be read (the caller then reports it its own way)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


class ResultCache:
    """The Results of past checks, one JSON file per key in ``root``."""

    def __init__(self, root: str | Path, max_entries: int = MAX_ENTRIES) -> None:
        self.root = Path(root)
        self.max_entries = max_entries

    def path(self, key: Key) -> Path:
        name = hashlib.sha256(json.dumps(key, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        return self.root / f"{name}.json"

    def get(self, key: Key) -> Result | None:
        """The stored Result of ``key``, or None; an entry that does not read back whole is deleted."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            _remove(path)
            return None
        try:
            entry = _adapter().validate_json(data)
        except ValidationError:
            _remove(path)
            return None
        if entry.key != key:
            _remove(path)
            return None
        with contextlib.suppress(OSError):  # a read-only cache still replays; it only forgets what was used last
            os.utime(path)
        return entry.result

    def put(self, key: Key, result: Result) -> None:
        """Store ``result`` under ``key``, then keep the ``max_entries`` most recently used entries.

        A cache that cannot be written is only a slower next run, never an error.
        """
        try:
            data = _adapter().dump_json(_Entry(key, result))
            self.root.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path(key), data, mode=0o600, durable=False, prefix=".tmp-")
        except OSError:
            return
        self.prune()

    def prune(self) -> None:
        """Remove all but the ``max_entries`` newest entries, and temporary files of runs that died."""
        entries: list[tuple[float, str, Path]] = []
        try:
            with os.scandir(self.root) as listing:
                for item in listing:
                    try:
                        mtime = item.stat().st_mtime
                    except OSError:
                        continue  # removed by a concurrent run meanwhile
                    if item.name.startswith(".tmp-"):
                        if mtime < time.time() - STALE_TEMP_SECONDS:
                            _remove(Path(item.path))
                    elif item.name.endswith(".json"):
                        entries.append((mtime, item.name, Path(item.path)))
        except OSError:
            return
        for _, _, path in sorted(entries, reverse=True)[self.max_entries:]:
            _remove(path)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
