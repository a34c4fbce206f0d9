"""What code is running: the digest that keys both caches (the parse cache and the result cache).

An entry written by other code must be a miss, never what this code would have made of the same input. The code is
``bot.__version__``, a digest of the package's own files (every ``*.py``, ``*.yaml``, ``*.j2``, ``*.json``, and the
rule catalogue where ``bot.rules`` finds it), the Python version and the names and versions of the installed
distributions (pydantic's messages and jsonschema's checks shape findings too). An editable install whose code
changed never replays what older code decided.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import bot
from bot.rules import catalog_directory

CODE_SUFFIXES = (".py", ".yaml", ".j2", ".json")


def code_roots() -> list[Path]:
    """The package's directory, and the rule catalogue's when it is not inside it (a checkout's ``rules/``)."""
    package = Path(bot.__file__).resolve().parent
    catalogue = catalog_directory()
    return [package] if catalogue.is_relative_to(package) or not catalogue.is_dir() else [package, catalogue]


def files_digest(roots: Iterable[Path], suffixes: tuple[str, ...] = CODE_SUFFIXES) -> str:
    """A digest of the relative names and bytes of every file below ``roots`` ending in one of ``suffixes``."""
    digest = hashlib.sha256()
    for number, root in enumerate(roots):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(n for n in filenames if n.endswith(suffixes)):
                path = Path(dirpath) / name
                try:
                    data = path.read_bytes()
                except OSError:
                    data = b"\0unreadable"  # still a digest, and one no readable state of the code has
                digest.update(f"{number}/{path.relative_to(root).as_posix()}\0{len(data)}\0".encode())
                digest.update(data)
    return digest.hexdigest()


def installed_distributions() -> list[str]:
    """``name-version.dist-info`` (or ``.egg-info``) of every distribution on ``sys.path``: one listing each."""
    found: set[str] = set()
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as listing:
                found.update(e.name for e in listing if e.name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return sorted(found)


@functools.cache
def code_digest() -> str:
    """The digest of the code that evaluates a check (computed once per process, a few milliseconds)."""
    parts = [bot.__version__, sys.version, *installed_distributions(), files_digest(code_roots())]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
