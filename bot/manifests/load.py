"""Read one state of the monorepo into a Snapshot: configuration, manifests, schemas and file list.

Manifests are found by the configured globs; a file whose bytes lack ``modelgate/v1`` is skipped without
parsing. Each manifest is read by the bounded reader (yamlread) and validated by the typed models; every
problem becomes a Finding with file and line, and the remaining manifests are still read.
Lines are located lazily: only a manifest that needs to point at a line is read a second time for them.
"""

from __future__ import annotations

import atexit
import difflib
import json
import multiprocessing
import os
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, get_args

import pathspec
from pydantic import BaseModel, ValidationError

from bot import cache as cache_json
from bot.cache import ParseCache
from bot.config import CONFIG_PATH, Config
from bot.manifests.fastyaml import read_fast
from bot.manifests.models import API_VERSION, KINDS, Contract, Model
from bot.manifests.yamlread import Path, YamlError, decode, read_yaml
from bot.result import Finding
from bot.sources import BlobReader, Entry, GitRevisionSource, Source, blob_id

MARKER = API_VERSION.encode()
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@dataclass
class ManifestFile:
    """One valid manifest, with what is needed to point at any of its lines.

    A manifest whose parse came from the cache has no text in memory: ``fetch`` reads it again, only
    when a message needs one of its lines.
    """

    path: str
    blob: str
    doc: Model | Contract
    _data: dict[str, Any] | None = field(default=None, repr=False)
    max_depth: int = 64
    _text: str | None = field(default=None, repr=False)
    fetch: Callable[[], bytes | None] | None = field(default=None, repr=False, compare=False)
    _lines: dict[Path, int] | None = field(default=None, repr=False)
    _data_json: str | None = field(default=None, repr=False)

    def may_contain(self, token: str) -> bool:
        """False only when the parsed data surely holds no ``token`` (in a key or a value).

        Judged on the data's JSON, never on the YAML text, where escapes (``"\x24ref"``) could hide it.
        """
        return self._data_json is None or token in self._data_json

    @property
    def data(self) -> dict[str, Any]:
        """The manifest as plain YAML data (decoded from the cache's JSON on first use)."""
        if self._data is None:
            self._data = cache_json.loads(self._data_json or "{}")
        return self._data

    @property
    def text(self) -> str:
        if self._text is None:
            data = self.fetch() if self.fetch is not None else None
            self._text = decode(data) if data is not None else ""
        return self._text

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
        if self._lines is None:
            self._lines = read_yaml(self.text, max_depth=self.max_depth, want_lines=True)[1]
        return locate(self._lines, path)


def locate(lines: dict[Path, int], path: Iterable[str | int]) -> int:
    wanted = tuple(path)
    for end in range(len(wanted), -1, -1):
        if wanted[:end] in lines:
            return lines[wanted[:end]]
    return 1


@dataclass
class Snapshot:
    """One state of the repository, parsed. Pure data: no handle on the source it came from."""

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

    @property
    def models(self) -> dict[str, ManifestFile]:
        """Models by name (the first file of a duplicated name wins; MG002 reports the rest)."""
        return self._by_kind("Model")

    @property
    def contracts(self) -> dict[str, ManifestFile]:
        return self._by_kind("Contract")

    def _by_kind(self, kind: str) -> dict[str, ManifestFile]:
        cache = self.__dict__.setdefault("_index", {})
        if kind not in cache:
            found: dict[str, ManifestFile] = {}
            for manifest in self.manifests:
                if manifest.kind == kind:
                    found.setdefault(manifest.name, manifest)
            cache[kind] = found
        return cache[kind]

    def schema(self, contract: str, version: int) -> Any:
        """The schema of a contract version, inline or loaded from its schema_ref (None if unreadable)."""
        return self.schemas.get((contract, version))


def parse_config(text_or_bytes: bytes | None, path: str = CONFIG_PATH) -> tuple[Config, list[Finding]]:
    """The configuration, or the defaults plus MG001 findings (the caller decides whether to go on)."""
    if text_or_bytes is None:
        return Config(), []
    try:
        text = decode(text_or_bytes)
        data, _ = read_yaml(text)
    except YamlError as exc:
        return Config(), [_mg001(path, exc.line, exc.message)]
    if data is None:
        return Config(), []
    if not isinstance(data, dict):
        return Config(), [_mg001(path, 1, "the configuration must be a mapping")]
    try:
        return Config.model_validate(data), []
    except ValidationError as exc:
        lines = read_yaml(text, want_lines=True)[1]
        return Config(), [_mg001(path, locate(lines, _where(err)), _explain(err, Config)) for err in exc.errors()]


def _mg001(path: str, line: int | None, message: str, subject: str | None = None) -> Finding:
    return Finding("MG001", "error", message, path, line, subject)


def _where(err: Any) -> tuple[str | int, ...]:
    """The path an error points at: its location, made deeper where a validator says ``at`` (in its ctx)."""
    return (*err["loc"], *(err.get("ctx") or {}).get("at", ()))


def _explain(err: Any, root: type[BaseModel]) -> str:
    loc = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
    where = ".".join(str(p) for p in loc) or "document"
    kind = err["type"]
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), _fields_at(root, loc[:-1]), n=1, cutoff=0.75)
        return f"unknown field {where!r}" + (f"; did you mean {close[0]!r}?" if close else "")
    if kind == "missing":
        return f"missing field {where!r}"
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}"


def _fields_at(root: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The keys (as written in YAML) of the mapping at ``loc`` under ``root``; [] where loc leaves the models."""
    current: Any = root
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            found = [f for name, f in current.model_fields.items() if part in (name, f.alias)]
            if not found:
                return []
            current = found[0].annotation
        elif get_args(current):  # a list or dict: the part is an index or a key
            current = get_args(current)[-1]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """``X | None`` as ``X``."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    return args[0] if len(args) == 1 and len(get_args(annotation)) == 2 else annotation


Outcome = tuple[str, Any]  # ("skip", None) | ("manifest", [kind, data as JSON]) | ("error", [[message, line, subject]])
PARALLEL_MIN = 2000  # below this many parses a process pool costs more than it saves


class Parses:
    """What each blob parsed to, shared by the states of one run and kept across runs by the disk cache.

    Base and head share almost every blob, so a check parses each once; with a warm ``ParseCache`` the
    blobs are not even read. Large cold runs parse in a process pool (one worker per core).
    """

    def __init__(self, cache: ParseCache | None = None, workers: int | None = None) -> None:
        self.cache = cache
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.memo: dict[tuple[str, int], Outcome] = {}
        self.docs: dict[tuple[str, int], Model | Contract] = {}

    @classmethod
    def with_cache(cls, where: str | None = None) -> Parses:
        """Backed by the cache at ``where``, else $MODELGATE_CACHE_DIR, else the default; ``none``: no cache."""
        where = where or os.environ.get("MODELGATE_CACHE_DIR")
        return cls() if where == "none" else cls(ParseCache(where))

    def known(self, blob: str, max_depth: int) -> Outcome | None:
        key = (blob, max_depth)
        if key in self.memo:
            return self.memo[key]
        if self.cache is not None:
            entry = self.cache.get(ParseCache.key(blob, max_depth))
            if entry is not None:
                self.memo[key] = entry
                return entry
        return None

    def doc(self, blob: str, max_depth: int, kind: str, text: str) -> Model | Contract:
        """The typed manifest of a blob, validated once per run (the models are immutable).

        A ValidationError is the caller's to explain (with lines, from the file's text).
        """
        key = (blob, max_depth)
        if key not in self.docs:
            self.docs[key] = KINDS[kind].model_validate(cache_json.loads(text))
        return self.docs[key]

    def flush(self) -> None:
        if self.cache is not None:
            self.cache.flush()

    def parse(self, items: list[tuple[str, str, bytes]], max_depth: int) -> list[Outcome]:
        """Parse (path, blob, bytes) items, in a process pool when there are many."""
        if len(items) >= PARALLEL_MIN and self.workers > 1:
            chunk = max(64, len(items) // (self.workers * 8))
            _FORKED[:] = [items]  # the forked workers inherit the bytes: only slice bounds travel through the pipe
            try:
                with ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork")) as pool:
                    outcomes = list(pool.map(_forked_outcomes, [(i, i + chunk, max_depth)
                                                                for i in range(0, len(items), chunk)]))
            finally:
                _FORKED.clear()
            found = [outcome for part in outcomes for outcome in part]
        else:
            found = _outcomes(items, max_depth)
        for (_, blob, _), outcome in zip(items, found, strict=True):
            self.memo[(blob, max_depth)] = outcome
            if self.cache is not None:
                self.cache.put(ParseCache.key(blob, max_depth), *outcome)
        return found


_FORKED: list[list[tuple[str, str, bytes]]] = []  # the items of the parse under way, for its forked workers


def _forked_outcomes(job: tuple[int, int, int]) -> list[Outcome]:
    start, end, max_depth = job
    return _outcomes(_FORKED[0][start:end], max_depth)


def _outcomes(items: list[tuple[str, str, bytes]], max_depth: int) -> list[Outcome]:
    return [read_outcome(path, data, max_depth) for path, _, data in items]


def read_outcome(path: str, data: bytes, max_depth: int = 64) -> Outcome:
    """What one file's bytes are: not a manifest, a manifest document's data, or its MG001 problems.

    The typed models judge the data later, once per blob, in the process that uses it (``Parses.doc``): a
    worker validating too would only do that work twice.
    """
    if MARKER not in data:
        return ("skip", None)
    doc, findings = read_document(path, data, max_depth)
    if doc is None:
        return ("error", [[f.message, f.line, f.subject] for f in findings])
    return ("manifest", [doc["kind"], cache_json.dumps(doc)])


class Loader:
    """Turns a Source into a Snapshot. ``config`` given means: trusted configuration from elsewhere."""

    def __init__(self, source: Source, config: Config | None = None, parses: Parses | None = None) -> None:
        self.source = source
        self.given_config = config
        self.parses = parses if parses is not None else Parses(workers=1)

    def load(self) -> Snapshot:
        entries = list(self.source.entries())
        by_path = {e.path: e for e in entries}
        config_entry = by_path.get(CONFIG_PATH)
        config_bytes = self.source.read(CONFIG_PATH) if config_entry else None
        config, findings = parse_config(config_bytes)
        if self.given_config is not None:
            config = self.given_config
        snap = Snapshot(self.source.label, config, findings=findings, paths=frozenset(by_path))
        # a directory lists no blob ids: the content's git id stands in, so a config change is seen anywhere
        snap.config_blob = (config_entry.blob or blob_of(snap, CONFIG_PATH, config_bytes or b"")) \
            if config_entry else None
        for path in CODEOWNERS_PATHS:
            if path in by_path and not by_path[path].outside:
                data = self.source.read(path)
                if data is not None:
                    snap.codeowners = (path, data.decode("utf-8", "replace"))
                    break
        included = matcher(config.manifests.include)
        excluded = matcher(config.manifests.exclude)
        candidates = [entry for entry in entries if entry.path != CONFIG_PATH and included(entry.path)
                      and not excluded(entry.path) and self._admissible(entry, snap)]
        self._load_manifests(candidates, snap)
        self.parses.flush()
        snap.manifests.sort(key=lambda m: m.path)
        self._load_schemas(snap)
        return snap

    def _admissible(self, entry: Entry, snap: Snapshot) -> bool:
        """False (with a finding where one is due) for links leaving the repository and oversized files."""
        limits = snap.config.limits
        if entry.outside:
            data = None
            if entry.blob and isinstance(self.source, GitRevisionSource):  # a git symlink: the blob holds the target
                data = self.source.read_blob(entry.blob)
            target = data.decode("utf-8", "replace") if data else "outside"
            if data is None or _escapes(entry.path, target):
                snap.findings.append(_mg001(entry.path, 1, "symbolic link pointing outside the repository; not read"))
            return False
        if entry.size > limits.max_manifest_bytes:
            head = self.source.read(entry.path) if entry.size < 64 * limits.max_manifest_bytes else None
            if head is None or MARKER in head:
                snap.findings.append(_mg001(
                    entry.path, 1,
                    f"file is {entry.size} bytes, over the limit of {limits.max_manifest_bytes} "
                    "(limits.max_manifest_bytes)"))
            return False
        return True

    def _contents(self, entries: list[Entry]) -> Iterator[tuple[Entry, bytes]]:
        """The bytes of many entries: one pipelined read from git, file reads from a directory."""
        if isinstance(self.source, GitRevisionSource):
            by_blob: dict[str, list[Entry]] = {}
            for entry in entries:
                by_blob.setdefault(entry.blob, []).append(entry)
            for sha, data in self.source.read_blobs(list(by_blob)):
                for entry in by_blob[sha]:
                    yield entry, data
            return
        for entry in entries:
            data = self.source.read(entry.path)
            if data is not None:
                yield entry, data

    def _load_manifests(self, candidates: list[Entry], snap: Snapshot) -> None:
        max_depth = snap.config.limits.max_depth
        limit = snap.config.limits.max_manifest_bytes
        outcomes: dict[str, tuple[str, Outcome, bytes | None]] = {}
        unread = []
        for entry in candidates:
            known = self.parses.known(entry.blob, max_depth) if entry.blob else None
            if known is None:
                unread.append(entry)
            else:
                outcomes[entry.path] = (entry.blob, known, None)
        todo: list[tuple[str, str, bytes]] = []
        for entry, data in self._contents(unread):
            blob = entry.blob or blob_id(data)
            if len(data) > limit:  # the file grew after it was listed
                snap.findings.append(_mg001(entry.path, 1, f"file is over {limit} bytes (limits.max_manifest_bytes)"))
                continue
            known = self.parses.known(blob, max_depth)
            if known is not None:
                outcomes[entry.path] = (blob, known, data)
            else:
                todo.append((entry.path, blob, data))
        for (path, blob, data), outcome in zip(todo, self.parses.parse(todo, max_depth), strict=True):
            outcomes[path] = (blob, outcome, data)
        for path in sorted(outcomes):
            blob, (kind, payload), data = outcomes[path]
            if kind == "skip":
                continue
            snap.blobs[path] = blob
            if kind == "error":
                snap.findings.extend(_mg001(path, line, message, subject) for message, line, subject in payload)
                continue
            kind_name, text = payload
            fetch = self._fetcher(path, blob)
            try:
                doc = self.parses.doc(blob, max_depth, kind_name, text)
            except ValidationError:
                raw = data if data is not None else fetch()
                snap.findings.extend(parse_manifest(path, blob, raw, max_depth)[1] if raw is not None else [
                    _mg001(path, 1, "the file changed while it was read; run the check again")])
                continue
            snap.manifests.append(ManifestFile(
                path, blob, doc, None, max_depth, _text=decode(data) if data is not None else None, fetch=fetch,
                _data_json=text))

    def _fetcher(self, path: str, blob: str) -> Callable[[], bytes | None]:
        source = self.source
        if isinstance(source, GitRevisionSource):
            reader = _late_reader(source.repo)
            return lambda: reader.read(blob)
        return lambda: source.read(path)

    def _load_schemas(self, snap: Snapshot) -> None:
        for manifest in snap.manifests:
            if not isinstance(manifest.doc, Contract):
                continue
            for index, version in enumerate(manifest.doc.spec.versions):
                key = (manifest.name, version.version)
                if version.schema_ref is None:
                    snap.schemas[key] = version.schema_
                    continue
                where = ("spec", "versions", index, "schema_ref")
                target = repo_path(manifest.path, version.schema_ref)
                if target is None:
                    snap.findings.append(Finding(
                        "MG008", "error",
                        f"schema_ref {version.schema_ref!r} is not a path inside the repository (never fetched)",
                        manifest.path, manifest.line(*where), f"contract:{manifest.name}@{version.version}"))
                    continue
                snap.schema_files[key] = target
                data = self.source.read(target) if target in snap.paths else None
                if data is None:
                    snap.findings.append(Finding(
                        "MG008", "error", f"schema_ref {version.schema_ref!r}: no file {target!r} in the repository",
                        manifest.path, manifest.line(*where), f"contract:{manifest.name}@{version.version}"))
                    continue
                snap.blobs[target] = blob_of(snap, target, data)
                limits = snap.config.limits
                try:
                    if len(data) > limits.max_manifest_bytes:
                        raise YamlError(f"{len(data)} bytes, over the limit of {limits.max_manifest_bytes} "
                                        "(limits.max_manifest_bytes)")
                    text = decode(data)
                    schema = read_json(text, limits.max_depth) if target.endswith(".json") else read_yaml(
                        text, max_depth=limits.max_depth)[0]
                except (YamlError, ValueError) as exc:
                    snap.findings.append(Finding(
                        "MG008", "error", f"schema_ref {target}: not readable JSON or YAML ({exc})",
                        manifest.path, manifest.line(*where), f"contract:{manifest.name}@{version.version}"))
                    continue
                snap.schemas[key] = schema


def matcher(patterns: list[str]) -> Callable[[str], bool]:
    """Whether a repository path matches gitignore-style ``patterns`` (pathspec's reading of them).

    When no pattern is negated (``!x``), any match decides, so pathspec's own regular expressions are joined into
    one: a path is matched in one search instead of one per pattern through pathspec's Python loop (30,000 paths
    a check at 10,000 models). Otherwise pathspec's order-sensitive matching is used as it is.
    """
    spec = pathspec.PathSpec.from_lines("gitignore", patterns)
    regexes = [p.regex for p in spec.patterns if p.include is not None]
    if not regexes:
        return lambda path: False
    if all(p.include for p in spec.patterns if p.include is not None) and len({r.flags for r in regexes}) == 1:
        try:
            joined = re.compile("|".join(f"(?:{r.pattern})" for r in regexes), regexes[0].flags)
        except re.error:  # e.g. two patterns naming the same group
            return spec.match_file
        return lambda path: joined.search(path) is not None
    return spec.match_file


def read_json(text: str, max_depth: int) -> Any:
    """A JSON document no deeper than ``max_depth`` (like the YAML reader), or a ValueError."""
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise ValueError(f"nesting deeper than {max_depth} levels") from exc
    level = [(value, 1)]
    while level:
        item, depth = level.pop()
        if isinstance(item, dict | list):
            if depth > max_depth:
                raise ValueError(f"nesting deeper than {max_depth} levels")
            level.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return value


def blob_of(snap: Snapshot, path: str, data: bytes) -> str:
    from bot.sources import blob_id

    return snap.blobs.get(path) or blob_id(data)


def _escapes(path: str, target: str) -> bool:
    return repo_path(path, target) is None


def repo_path(manifest_path: str, ref: str) -> str | None:
    """A repository-relative path for a reference written in a manifest, or None if it leaves the repo.

    A reference starting with ``/`` is from the repository root; anything else is relative to the root
    too (SPEC: "a path in the repository"), and a URL is never a path.
    """
    del manifest_path  # references are repository paths, not relative to the manifest
    if "://" in ref or ref.startswith(("//", "\\")) or "\0" in ref:
        return None
    normal = posixpath.normpath(ref.lstrip("/"))
    if normal in ("", ".") or normal == ".." or normal.startswith("../"):
        return None
    return normal


_NAME = re.compile(r"""\bname:\s*['"]?([a-z0-9][a-z0-9-]{0,62})['"]?\s*(?:[,}#]|$)""")


def _guess_subject(text: str) -> str | None:
    """Which manifest a file that YAML cannot read meant to be (``contract:NAME``), from its plain lines.

    Only a label for its MG001, so that models naming it are not also told it does not exist (MG003). A plain
    scan of the first lines, no backtracking pattern: the text may be hostile.
    """
    kind = name = None
    in_metadata = False
    for line in text.splitlines()[:500]:
        if line.startswith("kind:"):
            kind = line[5:].split("#", 1)[0].strip().strip("'\"")
        if line.startswith("metadata:"):
            found = _NAME.search(line[9:200]) if "{" in line[9:] else None
            name = found.group(1) if found else name
            in_metadata = not line[9:].strip()
        elif in_metadata and line[:1] in (" ", "\t"):
            found = _NAME.match(line.strip()[:200])
            name = found.group(1) if found else name
        elif line.strip() and not line.lstrip().startswith("#"):
            in_metadata = False
    return f"{kind.lower()}:{name}" if kind in ("Model", "Contract") and name else None


def read_document(path: str, data: bytes, max_depth: int = 64) -> tuple[dict[str, Any] | None, list[Finding]]:
    """The YAML mapping of a manifest file with a known ``apiVersion`` and ``kind``, or its MG001 findings."""
    try:
        text = decode(data)
    except YamlError as exc:
        return None, [_mg001(path, exc.line, exc.message)]
    fast, doc = read_fast(text, max_depth)
    if not fast:
        try:
            doc, _ = read_yaml(text, max_depth=max_depth)
        except YamlError as exc:
            return None, [_mg001(path, exc.line, exc.message, _guess_subject(text))]
    if not isinstance(doc, dict):
        shown = "a list" if isinstance(doc, list) else "empty" if doc is None else "a scalar"
        return None, [_mg001(path, 1, f"a manifest must be one YAML mapping, this is {shown}")]
    kind = doc.get("kind")
    if doc.get("apiVersion") != API_VERSION:
        return None, [_mg001(path, 1, f"apiVersion must be {API_VERSION!r}")]
    if not isinstance(kind, str) or kind not in KINDS:
        lines = read_yaml(text, max_depth=max_depth, want_lines=True)[1]
        return None, [_mg001(path, locate(lines, ("kind",)), f"kind must be one of {', '.join(KINDS)}, not {kind!r}")]
    return doc, []


def parse_manifest(path: str, blob: str, data: bytes, max_depth: int = 64) -> tuple[ManifestFile | None, list[Finding]]:
    """Read and validate one manifest file; the findings are MG001 with file and line."""
    doc, findings = read_document(path, data, max_depth)
    if doc is None:
        return None, findings
    kind = doc["kind"]
    model = KINDS[kind]
    text = decode(data)
    try:
        parsed = model.model_validate(doc)
    except ValidationError as exc:
        lines = read_yaml(text, max_depth=max_depth, want_lines=True)[1]
        name = doc.get("metadata", {}).get("name") if isinstance(doc.get("metadata"), dict) else None
        subject = f"{kind.lower()}:{name}" if isinstance(name, str) else None
        return None, [_mg001(path, locate(lines, _where(err)), _explain(err, model), subject)
                      for err in exc.errors()]
    return ManifestFile(path, blob, parsed, doc, max_depth, _text=text), []


def load_states(base_source: Source, head_source: Source, trusted: Config | None = None,
                parses: Parses | None = None) -> tuple[Snapshot, Snapshot]:
    """(base, head) of one evaluation, the head read with the base's configuration (or ``trusted``).

    One ``Parses`` serves both, so a blob the two states share is parsed (and validated) once.
    """
    parses = parses if parses is not None else Parses()
    base = Loader(base_source, trusted, parses).load()
    head = Loader(head_source, trusted or base.config, parses).load()
    return base, head


_LATE_READERS: dict[str, BlobReader] = {}


def _late_reader(repo: os.PathLike[str] | str) -> BlobReader:
    """One shared reader per repository for lines looked up after loading (closed when the process ends)."""
    key = str(repo)
    if key not in _LATE_READERS:
        if not _LATE_READERS:
            atexit.register(_close_late_readers)
        _LATE_READERS[key] = BlobReader(repo)
    return _LATE_READERS[key]


def _close_late_readers() -> None:
    for reader in _LATE_READERS.values():
        reader.close()
    _LATE_READERS.clear()
