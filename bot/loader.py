"""Read one state of the monorepo from a Source into a Snapshot: configuration, manifests, schemas and file list.

The shell around the pure parse (``bot.manifests.parse``): it lists and reads the source, shares each blob's parse
between the states of a run and with the on-disk parse cache (``Parses``), and parses many blobs in a process
pool. Manifests are found by the configured globs; a file whose bytes cannot hold a manifest-looking document
(``parse.may_be_manifest``) is skipped without parsing, and one that parses to another tool's document too. A
``.yaml``/``.yml`` file (any case) the globs do not reach is read the same way, after the manifests and within the
same budgets, to tell whether it looks like a manifest (``Snapshot.unloaded``, MG009); a file an explicit
``manifests.exclude`` names is only read when asked (``lint --show-excluded``). Every problem becomes a Finding
with file and line, and the remaining manifests are still read. Each manifest's lines are recorded when its blob
is parsed (and kept in the cache), so nothing is read after loading.
"""

from __future__ import annotations

import multiprocessing
import os
import posixpath
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bot.cache import ParseCache
from bot.config import CONFIG_PATH, Config, Limits
from bot.manifests.carry import carry_unknown
from bot.manifests.codec import blob_id, loads
from bot.manifests.models import KINDS, Contract, Model
from bot.manifests.parse import (
    BYTES_SPENT,
    NOT_READ,
    OVER_BUDGET,
    RUN_MAX_BYTES,
    RUN_MAX_VALUES,
    SKIP,
    YAML_SUFFIXES,
    Look,
    Outcome,
    declared_look,
    error_outcome,
    invalid,
    look_of,
    matcher,
    may_be_manifest,
    mg001,
    parse_config,
    read_budgeted,
    read_json,
    repo_path,
)
from bot.manifests.snapshot import ManifestFile, Snapshot, Unloaded, snapshot
from bot.manifests.yamlread import DEFAULT_MAX_NODES, TooManyValues, YamlError, decode, read_counted
from bot.result import Finding
from bot.sources import Entry, Source
from bot.unloaded import unloaded_findings

CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
PARALLEL_MIN = 2000  # below this many parses a process pool costs more than it saves

Item = tuple[str, str, bytes]  # (path, blob, bytes) of a file to parse

PEEK_FACTOR = 64  # an oversized file up to this many times the limit is read (once) to see if it is a manifest


@dataclass
class Budget:
    """What the distinct blobs read so far cost, in values and in bytes, against a run's budget
    (``parse.RUN_MAX_VALUES``, ``RUN_MAX_BYTES``)."""

    values: int = 0
    bytes: int = 0

    def take_values(self, values: int) -> bool:
        """Whether ``values`` more still fit (counted when they do)."""
        if self.values + values > RUN_MAX_VALUES:
            return False
        self.values += values
        return True

    def take_bytes(self, size: int) -> bool:
        """Whether a file of ``size`` bytes still fits (counted when it does)."""
        if self.bytes + size > RUN_MAX_BYTES:
            return False
        self.bytes += size
        return True


class Parses:
    """What each blob parsed to, shared by the states of one run and kept across runs by the disk cache.

    Base and head share almost every blob, so a check parses each once; with a warm ``ParseCache`` the
    blobs are not even read. Large cold runs parse in a process pool (one worker per core).
    """

    def __init__(self, cache: ParseCache | None = None, workers: int | None = None) -> None:
        self.cache = cache
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.memo: dict[tuple[str, int], Outcome] = {}
        self.docs: dict[tuple[str, int], tuple[Model | Contract, dict[str, Any]]] = {}
        self.budget = Budget()  # the run's, for the manifests and schema files
        # the files the globs leave out (MG009) have a budget of their own, of the same size: however many of them
        # a state holds (the base's are read before the head's manifests), they never take the manifests' budget
        self.outside = Budget()
        self.schemas: dict[tuple[str, int], tuple[Any, str | None]] = {}  # a schema file's blob: (schema, problem)
        self.oversized: dict[str, bool] = {}  # an oversized file's blob: may it be a manifest (Loader._may_be_manifest)

    @classmethod
    def with_cache(cls, where: str | None = None) -> Parses:
        """Backed by the cache at ``where`` (the edge's choice, ``bot.cache.configured_dir``), else the default
        directory; ``none``: no cache."""
        return cls() if where == "none" else cls(ParseCache(where))

    def known(self, blob: str, max_depth: int, budget: Budget | None = None) -> Outcome | None:
        """A blob's outcome parsed earlier in this run or in the disk cache; a cached one is counted against
        ``budget`` (the run's when None)."""
        key = (blob, max_depth)
        if key in self.memo:
            return self.memo[key]
        if self.cache is not None:
            entry = self.cache.get(ParseCache.key(blob, max_depth))
            if entry is not None:
                if not (budget or self.budget).take_values(_cached_values(entry)):
                    return None  # read again, within what is left of the budget, to be refused with a finding
                self.memo[key] = entry
                return entry
        return None

    def remaining(self) -> int:
        return RUN_MAX_VALUES - self.budget.values

    def doc(self, blob: str, max_depth: int, kind: str, text: str) -> tuple[Model | Contract, dict[str, Any]]:
        """The typed manifest of a blob and its plain data, validated once per run (the models are immutable).

        A ValidationError is the caller's to explain (``parse.invalid``).
        """
        key = (blob, max_depth)
        if key not in self.docs:
            data = loads(text)
            self.docs[key] = (KINDS[kind].model_validate(data), data)
        return self.docs[key]

    def skip(self, blob: str, max_depth: int) -> Outcome:
        """The outcome of a blob the prefilter drops (``parse.may_be_manifest``), kept as a parse's is, without one."""
        self.memo[(blob, max_depth)] = SKIP
        if self.cache is not None:
            self.cache.put(ParseCache.key(blob, max_depth), *SKIP)
        return SKIP

    def flush(self) -> None:
        if self.cache is not None:
            self.cache.flush()

    def parse(self, items: list[Item], max_depth: int, budget: Budget | None = None) -> list[Outcome]:
        """Parse (path, blob, bytes) items, in a process pool when there are many, within ``budget``'s values (the
        run's when None).

        Every worker reads what is left of the budget from one shared counter before each document and adds what
        the document cost after it, so the pool stops as one process would (at most one document per worker
        past it). A refusal for the budget depends on the run, so it is never kept in the disk cache.
        """
        budget = budget or self.budget
        values = budget.values
        if len(items) >= PARALLEL_MIN and self.workers > 1:
            chunk = max(64, len(items) // (self.workers * 8))
            context = multiprocessing.get_context("fork")
            spent = _Spent(0, context.Value("q", values))
            # The forked workers inherit the items and the counter (fork passes the initializer's arguments
            # without pickling them): only slice bounds travel through the pipe.
            with ProcessPoolExecutor(self.workers, mp_context=context,
                                     initializer=_inherit, initargs=(items, spent)) as pool:
                outcomes = list(pool.map(_inherited_outcomes, [(i, i + chunk, max_depth)
                                                               for i in range(0, len(items), chunk)]))
            found = [outcome for part in outcomes for outcome in part]
        else:
            spent = _Spent(values)
            found = _outcomes(items, max_depth, spent)
        budget.values = max(budget.values, spent.value)
        for (_, blob, _), (outcome, over) in zip(items, found, strict=True):
            self.memo[(blob, max_depth)] = outcome
            if self.cache is not None and not over:
                self.cache.put(ParseCache.key(blob, max_depth), *outcome)
        return [outcome for outcome, _ in found]


def _cached_values(outcome: Outcome) -> int:
    """The values a cached manifest cost when it was parsed (the last item of its payload)."""
    kind, payload = outcome
    if kind == "manifest" and isinstance(payload, list) and len(payload) > 3 and isinstance(payload[3], int):
        return payload[3]
    return 0


class _Spent:
    """The run's values spent: in one process a number, in a pool a ``multiprocessing.Value`` its workers share."""

    def __init__(self, value: int, shared: Any = None) -> None:
        self.shared = shared
        self._value = value

    @property
    def value(self) -> int:
        return int(self.shared.value) if self.shared is not None else self._value

    def add(self, values: int) -> None:
        if self.shared is None:
            self._value += values
            return
        with self.shared.get_lock():
            self.shared.value += values


_INHERITED: list[Any] = []  # in a parse worker only: the items of the parse that forked it, and the shared counter


def _inherit(items: list[Item], spent: _Spent) -> None:
    _INHERITED[:] = [items, spent]


def _inherited_outcomes(job: tuple[int, int, int]) -> list[tuple[Outcome, bool]]:
    start, end, max_depth = job
    return _outcomes(_INHERITED[0][start:end], max_depth, _INHERITED[1])


def _outcomes(items: list[Item], max_depth: int, spent: _Spent) -> list[tuple[Outcome, bool]]:
    """(outcome, refused for the run's budget) of each item; ``spent`` counts the run's values across processes."""
    found: list[tuple[Outcome, bool]] = []
    for path, _, data in items:
        left = RUN_MAX_VALUES - spent.value
        if left <= 0 and may_be_manifest(data):
            look = declared_look(data)
            found.append((error_outcome([mg001(path, 1, NOT_READ, look[2] if look else None)], look), True))
            continue
        outcome, values, over = read_budgeted(path, data, max_depth, left)
        if values:
            spent.add(values)
        found.append((outcome, over))
    return found


def _look(kind: str, payload: Any) -> Look | None:
    """What made a file whose parse is ``(kind, payload)`` look like a manifest; None when it does not (or was not
    read to know)."""
    if kind == "manifest":
        return look_of(loads(payload[1]), payload[2])
    if kind == "error" and payload[1] is not None:
        what, line, subject = payload[1]
        return str(what), int(line), subject if isinstance(subject, str) else None
    return None


def link_leaves(path: str, target: bytes) -> bool:
    """Whether a symbolic link at ``path`` whose stored target is ``target`` points outside the repository.

    A target is relative to the link's own directory; an absolute one (``/etc/passwd``) always leaves: a git
    tree cannot know where it will be checked out. As a directory source reports such a link, so does git mode.
    """
    text = target.decode("utf-8", "replace")
    if not text or text.startswith(("/", "\\")) or "\0" in text:
        return True
    normal = posixpath.normpath(posixpath.join(posixpath.dirname(path), text))
    return normal in ("", ".", "..") or normal.startswith("../")


class Loader:
    """Turns a Source into a Snapshot. ``config`` given means: trusted configuration from elsewhere."""

    def __init__(self, source: Source, config: Config | None = None, parses: Parses | None = None,
                 show_excluded: bool = False) -> None:
        self.source = source
        self.given_config = config
        self.parses = parses if parses is not None else Parses(workers=1)
        self.show_excluded = show_excluded  # also read the files ``manifests.exclude`` names, to list them

    def load(self) -> Snapshot:
        entries = list(self.source.entries())
        by_path = {e.path: e for e in entries}
        config_entry = by_path.get(CONFIG_PATH)
        limit = Limits().max_manifest_bytes  # the configuration's own limits are not known before it is read
        size = config_entry.size if config_entry is not None else 0
        config_bytes = self.source.read(CONFIG_PATH) if config_entry and size <= limit else None
        config, findings = parse_config(config_bytes)
        if size > limit:  # never read, as a manifest over the limit is not
            findings = [mg001(CONFIG_PATH, 1, f"file is {size} bytes, over the limit of {limit} "
                                              "(limits.max_manifest_bytes); not read")]
        if self.given_config is not None:
            config = self.given_config
        blobs: dict[str, str] = {}
        # a directory lists no blob ids: the content's git id stands in, so a config change is seen anywhere
        config_blob = (config_entry.blob or blob_id(config_bytes or b"%d bytes unread" % size)
                       if config_entry else None)
        codeowners = None
        for path in CODEOWNERS_PATHS:
            if path in by_path and not by_path[path].outside:
                data = self.source.read(path)
                if data is not None:
                    codeowners = (path, data.decode("utf-8", "replace"))
                    break
        included = matcher(config.manifests.include)
        excluded = matcher(config.manifests.exclude)
        candidates: list[Entry] = []
        outside: list[Entry] = []  # not loaded: looked at to tell whether they look like manifests (MG009)
        for entry in entries:
            if entry.path == CONFIG_PATH:
                continue
            inside = included(entry.path)
            if inside and not excluded(entry.path):
                if self._admissible(entry, config, findings):
                    candidates.append(entry)
            elif (inside or entry.path.lower().endswith(YAML_SUFFIXES)) and not entry.outside and (
                    self.show_excluded or not excluded(entry.path)):
                outside.append(entry)
        manifests, unloaded = self._load_manifests(candidates, [(e, excluded(e.path)) for e in outside], config,
                                                   findings, blobs)
        unloaded.sort()
        findings.extend(unloaded_findings(config, unloaded))
        self.parses.flush()
        manifests.sort(key=lambda m: m.path)
        schemas, schema_files = self._load_schemas(manifests, config, by_path, findings, blobs)
        return snapshot(self.source.label, config, manifests, findings, frozenset(by_path), blobs, codeowners,
                        schemas, schema_files, config_blob, tuple(unloaded))

    def _admissible(self, entry: Entry, config: Config, findings: list[Finding]) -> bool:
        """False (with a finding where one is due) for links leaving the repository and oversized files."""
        limits = config.limits
        if entry.outside:
            target = self.source.link_target(entry)
            if target is None or link_leaves(entry.path, target):
                findings.append(mg001(entry.path, 1, "symbolic link pointing outside the repository; not read"))
            return False
        if entry.size > limits.max_manifest_bytes:
            if self._may_be_manifest(entry, limits.max_manifest_bytes):
                findings.append(mg001(
                    entry.path, 1,
                    f"file is {entry.size} bytes, over the limit of {limits.max_manifest_bytes} "
                    "(limits.max_manifest_bytes); not parsed (a file that is no manifest: manifests.exclude)"))
            return False
        return True

    def _may_be_manifest(self, entry: Entry, limit: int, outside: bool = False) -> bool:
        """Whether an oversized file may be a manifest: its text says it is one (``parse.declared_look``), or it was
        not read to know (over ``PEEK_FACTOR`` times the limit, or past the run's budget of bytes). Each blob is
        read at most once a run."""
        key = entry.blob or f"{self.source.label}:{entry.path}"
        if key not in self.parses.oversized:
            budget = self.parses.outside if outside else self.parses.budget
            data = self.source.read(entry.path) if entry.size <= PEEK_FACTOR * limit and budget.take_bytes(
                entry.size) else None
            self.parses.oversized[key] = data is None or declared_look(data) is not None
        return self.parses.oversized[key]

    def _outside_oversized(self, entry: Entry, limits: Limits, excluded: bool) -> Unloaded | None:
        """An oversized file the globs leave out, when it may be a manifest (``_may_be_manifest``): never parsed."""
        if not self._may_be_manifest(entry, limits.max_manifest_bytes, outside=True):
            return None
        return Unloaded(entry.path, f"{entry.size} bytes, over limits.max_manifest_bytes, so not parsed to tell", 1,
                        None, excluded)

    def _load_manifests(self, candidates: list[Entry], outside: list[tuple[Entry, bool]], config: Config,
                        findings: list[Finding], blobs: dict[str, str]) -> tuple[list[ManifestFile], list[Unloaded]]:
        """The manifests of ``candidates`` (MG001 in ``findings``), and of ``outside`` (the files the globs leave
        out, each with whether ``manifests.exclude`` names it) those that look like manifests. One read of the blobs of
        both and one parse each; the outside files within a budget of their own (``Parses.outside``), so that
        they never take the manifests' (of this state or of a state read after it)."""
        unloaded: list[Unloaded] = []
        left_out = {entry.path: named for entry, named in outside}
        max_depth = config.limits.max_depth
        limit = config.limits.max_manifest_bytes
        inside = {entry.path for entry in candidates}
        outcomes: dict[str, tuple[str, Outcome]] = {}
        unread = []
        for entry in [*candidates, *(entry for entry, _ in outside)]:
            if entry.path not in inside and entry.size > limit:
                oversized = self._outside_oversized(entry, config.limits, left_out[entry.path])
                if oversized is not None:
                    unloaded.append(oversized)
                continue
            budget = self.parses.budget if entry.path in inside else self.parses.outside
            known = self.parses.known(entry.blob, max_depth, budget) if entry.blob else None
            if known is None:
                unread.append(entry)
            else:
                outcomes[entry.path] = (entry.blob, known)
        todo: list[Item] = []
        later: list[Item] = []  # the outside files: parsed after the manifests
        for entry, data in self.source.read_many(unread):
            blob = entry.blob or blob_id(data)
            if len(data) > limit:  # the file grew after it was listed
                if entry.path in inside:
                    findings.append(mg001(entry.path, 1, f"file is over {limit} bytes (limits.max_manifest_bytes)"))
                continue
            budget = self.parses.budget if entry.path in inside else self.parses.outside
            known = self.parses.known(blob, max_depth, budget)
            if known is not None:
                outcomes[entry.path] = (blob, known)
            elif not may_be_manifest(data):  # most YAML of other tools: never sent to a parse (nor to its pool)
                outcomes[entry.path] = (blob, self.parses.skip(blob, max_depth))
            elif not budget.take_bytes(len(data)):
                if entry.path in inside:
                    findings.append(mg001(entry.path, 1, BYTES_SPENT))
                else:  # not parsed: what its plain text says
                    outcomes[entry.path] = (blob, error_outcome([], declared_look(data)))
            else:
                (todo if entry.path in inside else later).append((entry.path, blob, data))
        for items, budget in ((todo, self.parses.budget), (later, self.parses.outside)):
            for (path, blob, _), outcome in zip(items, self.parses.parse(items, max_depth, budget), strict=True):
                outcomes[path] = (blob, outcome)
        manifests = []
        for path in sorted(outcomes):
            blob, (kind, payload) = outcomes[path]
            if kind == "skip":
                continue
            if path not in inside:
                look = _look(kind, payload)
                if look is not None:
                    unloaded.append(Unloaded(path, *look, left_out[path]))
                continue
            blobs[path] = blob
            if kind == "error":
                findings.extend(mg001(path, line, message, subject) for message, line, subject in payload[0])
                continue
            kind_name, text, order = payload[:3]
            try:
                doc, plain = self.parses.doc(blob, max_depth, kind_name, text)
            except ValidationError as exc:
                findings.extend(invalid(path, loads(text), order, exc))
                continue
            manifests.append(ManifestFile(path, blob, doc, plain, text, order))
        return manifests, unloaded

    def _load_schemas(self, manifests: list[ManifestFile], config: Config, by_path: dict[str, Entry],
                      findings: list[Finding], blobs: dict[str, str],
                      ) -> tuple[dict[tuple[str, int], Any], dict[tuple[str, int], str]]:
        schemas: dict[tuple[str, int], Any] = {}
        schema_files: dict[tuple[str, int], str] = {}
        read: dict[str, tuple[Any, str | None]] = {}  # each schema file read once, however many versions name it
        for manifest in manifests:
            if not isinstance(manifest.doc, Contract):
                continue
            for index, version in enumerate(manifest.doc.spec.versions):
                key = (manifest.name, version.version)
                if version.schema_ref is None:
                    schemas[key] = version.schema_
                    continue
                where = ("spec", "versions", index, "schema_ref")
                subject = f"contract:{manifest.name}@{version.version}"
                target = repo_path(manifest.path, version.schema_ref)
                if target is None:
                    findings.append(Finding(
                        "MG008", "error",
                        f"schema_ref {version.schema_ref!r} is not a path inside the repository (never fetched)",
                        manifest.path, manifest.line(*where), subject))
                    continue
                schema_files[key] = target
                entry = by_path.get(target)
                if entry is None or entry.outside:
                    findings.append(Finding(
                        "MG008", "error", f"schema_ref {version.schema_ref!r}: no file {target!r} in the repository",
                        manifest.path, manifest.line(*where), subject))
                    continue
                if target not in read:
                    read[target] = self._schema_file(entry, config, blobs)
                schema, problem = read[target]
                if problem is not None:
                    message = problem or f"schema_ref {version.schema_ref!r}: no file {target!r} in the repository"
                    findings.append(Finding("MG008", "error", message, manifest.path, manifest.line(*where), subject))
                    continue
                schemas[key] = schema
        return schemas, schema_files

    def _schema_file(self, entry: Entry, config: Config, blobs: dict[str, str]) -> tuple[Any, str | None]:
        """(schema, None) or (None, problem) of a schema file ("": no such file): one read, none over the size limit,
        and one parse per blob in a run (``Parses.schemas``)."""
        limits = config.limits
        target = entry.path
        if entry.size > limits.max_manifest_bytes:  # the listing's size: the file is never read
            if entry.blob:
                blobs[target] = entry.blob
            return None, (f"schema_ref {target}: not readable JSON or YAML ({entry.size} bytes, over the limit of "
                          f"{limits.max_manifest_bytes} (limits.max_manifest_bytes))")
        known = self.parses.schemas.get((entry.blob, limits.max_depth)) if entry.blob else None
        if known is not None:
            blobs[target] = entry.blob
            return known
        data = self.source.read(target)
        if data is None:
            return None, ""  # vanished since it was listed: the caller says there is no such file
        blob = blobs[target] = entry.blob or blob_id(data)
        known = self.parses.schemas.get((blob, limits.max_depth))
        if known is None:
            known = self._read_schema(target, data, limits.max_depth, limits.max_manifest_bytes)
            self.parses.schemas[(blob, limits.max_depth)] = known
        return known

    def _read_schema(self, target: str, data: bytes, max_depth: int, max_bytes: int) -> tuple[Any, str | None]:
        """A schema file's bytes read within the limits and what is left of the run's budget."""
        left = self.parses.remaining()
        if left <= 0 or not self.parses.budget.take_bytes(len(data)):
            return None, f"schema_ref {target}: {NOT_READ if left <= 0 else BYTES_SPENT}"
        try:
            if len(data) > max_bytes:
                raise YamlError(f"{len(data)} bytes, over the limit of {max_bytes} (limits.max_manifest_bytes)")
            text = decode(data)
            if target.endswith(".json"):
                return read_json(text, max_depth), None
            limit = min(DEFAULT_MAX_NODES, left)
            schema, _, values = read_counted(text, max_depth=max_depth, max_nodes=limit)
            self.parses.budget.values += min(values, limit)  # a refused one was read, never decoded
            if values > limit:
                raise TooManyValues(limit, 1)
            return schema, None
        except TooManyValues as exc:
            self.parses.budget.values += exc.nodes  # 0 when raised above: counted already
            over = OVER_BUDGET if exc.limit < DEFAULT_MAX_NODES else exc.message
            return None, f"schema_ref {target}: not readable JSON or YAML ({over})"
        except (YamlError, ValueError) as exc:
            self.parses.budget.values += getattr(exc, "nodes", 0)
            line = getattr(exc, "line", None)  # the finding sits on the schema_ref; the line within the file is here
            return None, f"schema_ref {target}{f':{line}' if line else ''}: not readable JSON or YAML ({exc})"


def load_states(base_source: Source, head_source: Source, trusted: Config | None = None,
                parses: Parses | None = None) -> tuple[Snapshot, Snapshot]:
    """(base, head) of one evaluation, the head read with the base's configuration (or ``trusted``).

    One ``Parses`` serves both, so a blob the two states share is parsed (and validated) once.
    """
    _, base, head = load_trusted(base_source, None, head_source, trusted, parses)
    return base, head


def load_trusted(trust_source: Source, base_source: Source | None, head_source: Source, given: Config | None = None,
                 parses: Parses | None = None) -> tuple[Snapshot, Snapshot, Snapshot]:
    """(trust root, base, head): every state read with the trust root's configuration (or ``given``); no
    ``base_source``: the trust root is the base. One ``Parses`` serves all, so shared blobs are parsed once."""
    parses = parses if parses is not None else Parses()
    trust = Loader(trust_source, given, parses).load()
    base = trust if base_source is None else Loader(base_source, trust.config, parses).load()
    head = carry_unknown(base, Loader(head_source, trust.config, parses).load())  # unknown, never removed
    return trust, base, head
