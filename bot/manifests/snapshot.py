"""One state of the repository, parsed: the manifests (with the line of every node) and what they refer to.

Pure values: a ``Snapshot`` holds no handle on the source it came from, and a ``ManifestFile`` answers
``line(*path)`` from the lines recorded when its blob was parsed, never by reading or parsing it again.

Lines travel as an *order*: the 1-based line of each node of the document in pre-order (the root; then, for each
entry of a mapping in document order, its key's line followed by the order of its value; for each item of a
list, its own line followed by the order of the item), 0 where YAML gives the node no line of its own (inside a
value an alias repeats, a key a merge ``<<`` brought in). It is a list of small integers, as cheap to keep in the
parse cache as to send from a parse worker, and it is read against the data it describes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from bot.config import Config
from bot.manifests.models import Contract, Model
from bot.manifests.yamlread import Path
from bot.result import Finding


@dataclass(frozen=True)
class ManifestFile:
    """One valid manifest: its typed document, its plain YAML data (and that data's JSON), its lines."""

    path: str
    blob: str
    doc: Model | Contract
    data: dict[str, Any] = field(repr=False)
    data_json: str = field(repr=False)
    order: Sequence[int] = field(repr=False)

    def may_contain(self, token: str) -> bool:
        """False only when the parsed data surely holds no ``token`` (in a key or a value).

        Judged on the data's JSON, never on the YAML text, where escapes (``"\x24ref"``) could hide it.
        """
        return token in self.data_json

    @property
    def kind(self) -> str:
        return self.doc.kind

    @property
    def name(self) -> str:
        return self.doc.metadata.name

    @property
    def subject(self) -> str:
        return f"{self.kind.lower()}:{self.name}"

    def line(self, *path: str | int) -> int:
        """The line of the deepest part of ``path`` that exists in the file (1 for the document)."""
        return self._lines.at(path)

    @cached_property
    def _lines(self) -> Lines:
        return Lines(self.data, self.order)


class Unloaded(NamedTuple):
    """A file that looks like a manifest (``bot.manifests.parse.look_of``) but that the globs do not load."""

    path: str
    what: str  # what makes it look like one: "apiVersion 'modelgate/v1'"
    line: int
    subject: str | None  # ``model:NAME`` when its kind and name are readable
    excluded: bool  # an explicit ``manifests.exclude`` names it: left out on purpose


@dataclass(frozen=True)
class Snapshot:
    """One state of the repository, parsed. Pure data: no handle on the source it came from.

    Made by ``snapshot``, which also indexes the manifests by kind and name.
    """

    label: str
    config: Config
    manifests: list[ManifestFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    paths: frozenset[str] = frozenset()
    blobs: dict[str, str] = field(default_factory=dict)
    codeowners: tuple[str, str] | None = None  # (path, text)
    schemas: dict[tuple[str, int], Any] = field(default_factory=dict)
    schema_files: dict[tuple[str, int], str] = field(default_factory=dict)
    config_blob: str | None = None
    # Models and contracts by name (the first file of a duplicated name wins; MG002 reports the rest).
    models: dict[str, ManifestFile] = field(default_factory=dict, repr=False, compare=False)
    contracts: dict[str, ManifestFile] = field(default_factory=dict, repr=False, compare=False)
    # Subjects (``model:NAME``, ``contract:NAME``) that loaded at base and do not load here, each with the MG001
    # that says so; ``models``/``contracts`` keep their base manifest (``bot.manifests.carry``). Empty at base.
    unknown: dict[str, Finding] = field(default_factory=dict)
    unloaded: tuple[Unloaded, ...] = ()  # manifest-looking files the globs leave out (MG009, lint --show-excluded)

    def schema(self, contract: str, version: int) -> Any:
        """The schema of a contract version, inline or loaded from its schema_ref (None if unreadable)."""
        return self.schemas.get((contract, version))

    def unknown_file(self, subject: str) -> str | None:
        """The file that does not load here of an unknown model or contract (``contract:NAME@V`` asks for its
        contract); None when ``subject`` is known."""
        cause = self.unknown.get(subject.split("@", 1)[0])
        return cause.file if cause is not None else None


def snapshot(label: str, config: Config, manifests: list[ManifestFile], findings: list[Finding],
             paths: frozenset[str], blobs: dict[str, str], codeowners: tuple[str, str] | None,
             schemas: dict[tuple[str, int], Any], schema_files: dict[tuple[str, int], str],
             config_blob: str | None, unloaded: tuple[Unloaded, ...] = ()) -> Snapshot:
    """A Snapshot of these parts, its manifests (in path order) indexed by kind and name."""
    return Snapshot(label, config, manifests, findings, paths, blobs, codeowners, schemas, schema_files, config_blob,
                    models=_by_kind(manifests, "Model"), contracts=_by_kind(manifests, "Contract"),
                    unloaded=unloaded)


def _by_kind(manifests: list[ManifestFile], kind: str) -> dict[str, ManifestFile]:
    found: dict[str, ManifestFile] = {}
    for manifest in manifests:
        if manifest.kind == kind:
            found.setdefault(manifest.name, manifest)
    return found


def locate(lines: Mapping[Path, int], path: Iterable[str | int]) -> int:
    """The line of the deepest part of ``path`` found in ``lines`` (1 when none is)."""
    wanted = tuple(path)
    for end in range(len(wanted), -1, -1):
        if wanted[:end] in lines:
            return lines[wanted[:end]]
    return 1


def in_order(data: Any, lines: Mapping[Path, int]) -> list[int]:
    """The order (module docstring) of ``lines``, as ``read_yaml(..., want_lines=True)`` gives them for ``data``.

    Trailing zeros are left out: a node past the end has no line.
    """
    order = [lines.get((), 0)]
    stack: list[tuple[Any, Path]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        children = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) \
            if isinstance(node, list) else []
        for part, child in reversed(children):
            stack.append((child, (*path, part)))
        if path:
            order.append(lines.get(path, 0))
    while order and not order[-1]:
        order.pop()
    return order


def line_at(data: Any, order: Sequence[int], path: Iterable[str | int]) -> int:
    """What ``locate`` answers for ``path``, read from the order of ``data``'s lines (one question: to ask many of
    one document, keep a :class:`Lines`)."""
    return Lines(data, order).at(path)


class Lines:
    """The lines of one document's nodes, read from its order.

    The position of a node in the order is the sum of the sizes of everything before it, so each container's
    children get their offsets once, from the sizes of all containers computed in one pass (by identity: a value
    that YAML aliases repeat is measured once). A question then costs one look-up per part of its path, and a
    manifest with tens of thousands of findings is answered in linear time, never by summing the same siblings
    again for each finding.
    """

    def __init__(self, data: Any, order: Sequence[int]) -> None:
        self.data = data
        self.order = order
        self._sizes: dict[int, int] | None = None
        self._offsets: dict[int, Any] = {}  # id(container) -> {key: offset} or [offset], relative to its start

    def at(self, path: Iterable[str | int]) -> int:
        """The line of the deepest part of ``path`` that exists in the data (1 for the document)."""
        order = self.order
        found = order[0] if order else 0
        node, position = self.data, 0
        for part in path:
            position += 1  # the first entry of ``node``
            in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
            if not in_dict and not (isinstance(node, list) and type(part) is int and 0 <= part < len(node)):
                break
            position += self._offsets_of(node)[part]
            node = node[part]
            line = order[position] if position < len(order) else 0
            found = line or found
        return found or 1

    def _offsets_of(self, node: dict[str, Any] | list[Any]) -> Any:
        known = self._offsets.get(id(node))
        if known is not None:
            return known
        sizes = self._all_sizes()
        starts: list[int] = []
        running = 0
        for child in node.values() if isinstance(node, dict) else node:
            starts.append(running)
            running += 1 + sizes.get(id(child), 0)
        made = dict(zip(node, starts, strict=True)) if isinstance(node, dict) else starts
        self._offsets[id(node)] = made
        return made

    def _all_sizes(self) -> dict[int, int]:
        """How many entries of the order stand for the nodes below each container (0 for a scalar: absent)."""
        if self._sizes is not None:
            return self._sizes
        sizes: dict[int, int] = {}
        stack: list[tuple[Any, bool]] = [(self.data, False)]
        while stack:
            node, children_done = stack.pop()
            if id(node) in sizes:
                continue
            children = list(node.values()) if isinstance(node, dict) else node
            if children_done:
                sizes[id(node)] = len(children) + sum(sizes.get(id(child), 0) for child in children)
            else:
                stack.append((node, True))
                stack.extend((child, False) for child in children if isinstance(child, dict | list))
        self._sizes = sizes
        return sizes
