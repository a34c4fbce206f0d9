"""What an import changes in its ``--out DIR``: each file compared with what is there, and the diff ``--check`` prints.

A file the import produces is ``new`` (nothing there), ``unchanged`` (the same text), ``changed`` (an earlier
import's file, as it wrote it), ``edited`` (an earlier import's file whose body no longer matches the digest of its
header: a hand edit) or ``foreign`` (a file without the header of this tool: written by hand, or by another import).
A file of DIR that carries this tool's header and that the import no longer produces is ``stale`` (or ``edited``,
if edited by hand). Every other file of DIR (the overlay, a README, hand-written manifests) is none of the
import's business and is left alone.

A write never overwrites or removes an ``edited`` or ``foreign`` file unless forced: those are :attr:`Plan.blocked`.

Pure: the shell lists and reads DIR and hands over the texts; line ends are compared as ``\\n``.
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from bot.imports.render import read_header

State = Literal["new", "changed", "unchanged", "stale", "edited", "foreign"]
SUFFIXES = (".yaml", ".yml")  # what an import writes, and so what in DIR may be one of its files
LAYOUT = ("models", "contracts")  # the folders of DIR an import writes its files into, and the only ones it reads


@dataclass(frozen=True)
class Entry:
    """One file of the import: its path relative to DIR, its state, the text there (``old``, None when there is
    none) and the text the import writes (``new``, None when it writes none: stale). ``why``: for ``foreign``,
    what wrote it."""

    path: str
    state: State
    old: str | None
    new: str | None
    why: str = ""


@dataclass(frozen=True)
class Plan:
    """Every file the import writes, keeps or removes, sorted by path."""

    entries: tuple[Entry, ...]

    def count(self, state: State) -> int:
        return sum(1 for e in self.entries if e.state == state)

    @property
    def in_step(self) -> bool:
        """Whether DIR already holds exactly what the import would write."""
        return all(e.state == "unchanged" for e in self.entries)

    @property
    def blocked(self) -> tuple[Entry, ...]:
        """The files a write would overwrite or remove but may not without ``--force``."""
        return tuple(e for e in self.entries if e.state in ("edited", "foreign"))

    @property
    def writes(self) -> tuple[Entry, ...]:
        """The files a (forced, if any is blocked) write writes."""
        return tuple(e for e in self.entries if e.state != "unchanged" and e.new is not None)

    @property
    def removals(self) -> tuple[Entry, ...]:
        """The files a (forced, if any is blocked) write removes: stale ones, and hand-edited ones no longer made."""
        return tuple(e for e in self.entries if e.new is None)


def unsafe(path: str) -> str | None:
    """Why ``path`` (a generated file's, relative to DIR) could land outside DIR or is not a manifest's name, or None
    when it is a plain '/'-separated relative path of a ``.yaml`` file."""
    if not path or "\\" in path or path.startswith("/") or ":" in path.split("/", 1)[0]:
        return "not a relative '/'-separated path"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "has an empty, '.' or '..' part"
    if any(not c.isprintable() for c in path):
        return "has a control character"
    if not path.endswith(SUFFIXES):
        return "is not a .yaml file"
    return None


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n")


def in_layout(path: str) -> bool:
    """Whether ``path`` (relative to DIR, '/'-separated) is where an import writes: ``models/NAME.yaml`` or
    ``contracts/NAME.yaml`` (``.yml`` too), directly in the folder."""
    folder, _, name = path.partition("/")
    return folder in LAYOUT and "/" not in name and name.endswith(SUFFIXES)


def plan(identity: str, wanted: Mapping[str, str], present: Mapping[str, str]) -> Plan:
    """Compare the files the import named ``identity`` (:attr:`bot.imports.render.Provenance.identity`) produces
    (``wanted``: path -> text) with those in DIR (``present``: path -> text, the files of the import's layout:
    :func:`in_layout`; any other path there is ignored)."""
    entries: list[Entry] = []
    for path in sorted(set(wanted) | {p for p in present if in_layout(p)}):
        new, old = wanted.get(path), present.get(path)
        header = read_header(old) if old is not None else None
        if new is None:
            if header is not None and header.identity == identity:
                entries.append(Entry(path, "edited" if header.edited else "stale", old, None))
            continue
        if old is None:
            entries.append(Entry(path, "new", None, new))
        elif _normal(old) == new:
            entries.append(Entry(path, "unchanged", old, new))
        elif header is None:
            entries.append(Entry(path, "foreign", old, new, "it has no `modelgate import` header"))
        elif header.identity != identity:
            made = f"`{header.command}`" if header.command else f"another import ({header.identity})"
            entries.append(Entry(path, "foreign", old, new, f"it was written by {made}"))
        else:
            entries.append(Entry(path, "edited" if header.edited else "changed", old, new))
    return Plan(tuple(entries))


def _lines(text: str | None) -> list[str]:
    if not text:
        return []
    lines = _normal(text).splitlines(keepends=True)
    if not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def diff(entries: Iterable[Entry], out: str) -> str:
    """The unified diff from what DIR (named ``out``) holds to what the import writes, file by file."""
    chunks: list[str] = []
    for entry in entries:
        if entry.state == "unchanged":
            continue
        where = posixpath.join(out, entry.path)
        chunks.extend(difflib.unified_diff(
            _lines(entry.old), _lines(entry.new),
            fromfile=f"a/{where}" if entry.old is not None else "/dev/null",
            tofile=f"b/{where}" if entry.new is not None else "/dev/null"))
    return "".join(chunks)
