"""What a file's bytes are: a manifest document (with the line of each of its nodes), the configuration, or MG001.

Pure functions of bytes: each manifest is read by the fast path where it provably agrees (fastyaml), else by the
bounded reader (yamlread), and judged by the typed models; every problem becomes a Finding with file and line.
"""

from __future__ import annotations

import difflib
import json
import posixpath
import re
from collections.abc import Callable, Sequence
from typing import Any, Final, get_args

import pathspec
from pathspec.pattern import RegexPattern
from pydantic import BaseModel, ValidationError

from bot.config import CONFIG_PATH, Config
from bot.manifests.codec import dumps
from bot.manifests.fastyaml import read_fast_counted
from bot.manifests.models import API_VERSION, KINDS
from bot.manifests.snapshot import Lines, ManifestFile, in_order, line_at, locate
from bot.manifests.yamlread import DEFAULT_MAX_NODES, TooManyValues, YamlError, decode, read_counted, read_yaml
from bot.result import Finding

MARKER = API_VERSION.encode()
API_FAMILY = "modelgate"  # an apiVersion starting with this (in any case) declares a modelgate manifest
YAML_SUFFIXES = (".yaml", ".yml")  # a file with one of these (in any case) is looked at even outside the globs
# A run's budget (issue 19, item 9): the manifests and schema files of one run, each distinct blob counted once,
# expand to at most this many values in all (as the readers count them, aliases at the size of what they repeat)
# and hold at most this many bytes. Past it, the rest are not read and each is MG001 (MG008 for a schema file).
RUN_MAX_VALUES = 4_000_000
RUN_MAX_BYTES = 128 * 1024 * 1024
OVER_BUDGET = (f"the manifests and schema files of this run expand to more than {RUN_MAX_VALUES} values in all "
               "(alias expansion?)")
NOT_READ = f"not read: {OVER_BUDGET}"
BYTES_SPENT = f"not read: the manifests and schema files of this run hold more than {RUN_MAX_BYTES} bytes in all"

# ("skip", None): not a manifest-looking file | ("manifest", [kind, data as JSON, order of its lines, values])
# | ("error", [[[message, line, subject], ...], look]): MG001 problems of a manifest-looking file, ``look`` what
# made it look like one ([what, line, subject], ``Look``), None when it was not read to know.
Outcome = tuple[str, Any]
# What makes a file look like a modelgate manifest: (what it declares, its line, ``model:NAME`` when readable).
Look = tuple[str, int, str | None]
SKIP: Outcome = ("skip", None)


def mg001(path: str, line: int | None, message: str, subject: str | None = None) -> Finding:
    return Finding("MG001", "error", message, path, line, subject)


def parse_config(text_or_bytes: bytes | None, path: str = CONFIG_PATH) -> tuple[Config, list[Finding]]:
    """The configuration, or the defaults plus MG001 findings (the caller decides whether to go on)."""
    if text_or_bytes is None:
        return Config(), []
    try:
        text = decode(text_or_bytes)
        data, _ = read_yaml(text)
    except YamlError as exc:
        return Config(), [mg001(path, exc.line, exc.message)]
    if data is None:
        return Config(), []
    if not isinstance(data, dict):
        return Config(), [mg001(path, 1, "the configuration must be a mapping")]
    try:
        return Config.model_validate(data), []
    except ValidationError as exc:
        lines = read_yaml(text, want_lines=True)[1]
        return Config(), [mg001(path, locate(lines, _where(err)), _explain(err, Config)) for err in exc.errors()]


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


def invalid(path: str, data: dict[str, Any], order: Sequence[int], exc: ValidationError) -> list[Finding]:
    """The MG001 findings of a manifest document the typed models reject, each at its line."""
    kind = data["kind"]
    name = data.get("metadata", {}).get("name") if isinstance(data.get("metadata"), dict) else None
    subject = f"{kind.lower()}:{name}" if isinstance(name, str) else None
    lines = Lines(data, order)
    return [mg001(path, lines.at(_where(err)), _explain(err, KINDS[kind]), subject) for err in exc.errors()]


def read_budgeted(path: str, data: bytes, max_depth: int = 64,
                  budget: int = RUN_MAX_VALUES) -> tuple[Outcome, int, bool]:
    """What one file's bytes are, read within what is left of a run's budget of values: (outcome, the values the
    document cost, whether it went past the budget). The outcome is not a manifest-looking file (``SKIP``), a
    manifest document's data and lines, or its MG001 problems and what made it look like a manifest; a manifest's
    payload ends with its values, so a cached one is counted too. The typed models judge the data later, once per
    blob, in the process that uses it (``Parses.doc``): a worker validating too would only do that work twice."""
    if not may_be_manifest(data):
        return SKIP, 0, False
    doc, order, findings, nodes, look = judge(path, data, max_depth, budget)
    if doc is None:
        if not findings:
            return SKIP, nodes, False
        over = any(f.message == OVER_BUDGET for f in findings)
        return error_outcome(findings, look), nodes, over
    return ("manifest", [doc["kind"], dumps(doc), order, nodes]), nodes, False


def error_outcome(findings: Sequence[Finding], look: Look | None) -> Outcome:
    """The outcome of a manifest-looking file that is not a manifest: its MG001 problems, and its ``Look``."""
    return "error", [[[f.message, f.line, f.subject] for f in findings], list(look) if look else None]


def may_be_manifest(data: bytes) -> bool:
    """The prefilter of every YAML file: False only when its bytes cannot hold a manifest-looking document.

    Such a document says ``modelgate`` (its apiVersion, in any case), or ``kind``, ``spec`` and ``Model`` or
    ``Contract`` (an apiVersion-less one: its kind is one of the two as written); a double-quoted scalar's escapes
    could spell any of them (``"\\x6dodelgate/v1"``, ``"model\\`` and ``gate/v1"`` on the next line), so the words
    are looked for in the bytes with those escapes spelled out too (``_unescaped``), not in any file with a
    backslash (a data file of regular expressions would cost a parse). A few passes over the bytes, no parse: a
    CI workflow, a Helm values file or a Kubernetes Deployment is dropped here. A file in UTF-16 or UTF-32
    (NUL bytes) is looked at without its NULs, so that a re-encoded manifest is read (and is MG001: not UTF-8).
    """
    data = _visible(data)
    return _says_manifest(data) or (b"\\" in data and _says_manifest(_unescaped(data)))


def _says_manifest(data: bytes) -> bool:
    return (b"modelgate" in data.lower()
            or (b"kind" in data and b"spec" in data and (b"Model" in data or b"Contract" in data)))


_ESCAPE = re.compile(rb"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|\r?\n[ \t]*)")


def _unescaped(data: bytes) -> bytes:
    """``data`` with the escapes of a YAML double-quoted scalar that can spell a letter (``\\xXX``, ``\\uXXXX``,
    ``\\UXXXXXXXX``) spelled out, and its escaped line breaks joined (``"model\\`` then ``  gate"``); spelled out
    wherever they are, so never fewer words than YAML would read."""
    def spell(found: re.Match[bytes]) -> bytes:
        code = found.group(1) or found.group(2) or found.group(3)
        if code is None:
            return b""
        number = int(code, 16)
        return chr(number).encode("utf-8", "replace") if number <= 0x10FFFF else b""
    return _ESCAPE.sub(spell, data)


def _visible(data: bytes) -> bytes:
    """The bytes of a text without its NUL bytes: the ASCII of a UTF-16 or UTF-32 file, as UTF-8 would spell it."""
    return data.replace(b"\0", b"") if b"\0" in data else data


_DECLARED = re.compile(rb"""apiVersion['"]?[ \t]*:[ \t]*['"]?(modelgate[^\s'",}#]{0,60})""", re.IGNORECASE)
_KIND_LINE = re.compile(rb"""^kind:[ \t]*['"]?(Model|Contract)['"]?[ \t]*(?:#.*)?\r?$""", re.MULTILINE)
_SPEC_LINE = re.compile(rb"^spec:", re.MULTILINE)
_API_LINE = re.compile(rb"^apiVersion:", re.MULTILINE)


def declared_look(data: bytes) -> Look | None:
    """What the plain text of a file that YAML cannot read (or that is not read) says it is: a manifest when an
    ``apiVersion: modelgate…`` is written in it, or a top-level ``kind: Model|Contract`` and ``spec:`` with no
    ``apiVersion:``; None otherwise. A scan of bytes with patterns that cannot backtrack far: the text may be
    hostile and need not be UTF-8 (in UTF-16 or UTF-32, its NUL bytes are left out: ``_visible``)."""
    data = _visible(data)
    found = _DECLARED.search(data) or re.search(re.escape(MARKER), data)
    kind = None if found else _KIND_LINE.search(data)
    if found is not None:
        value = found.group(1) if found.re is _DECLARED else MARKER
        what = f"apiVersion {value.decode('utf-8', 'replace')!r}"
    elif kind is not None and _SPEC_LINE.search(data) and not _API_LINE.search(data):
        what = f"kind {kind.group(1).decode()!r} with a spec and no apiVersion"
    else:
        return None
    start = (found or kind).start()  # type: ignore[union-attr]
    return what, data.count(b"\n", 0, start) + 1, _guess_subject(data.decode("utf-8", "replace"))


def look_of(doc: dict[str, Any], order: Sequence[int]) -> Look | None:
    """What makes a read document look like a modelgate manifest (None: it does not; another tool's file).

    An ``apiVersion`` starting with ``modelgate`` in any case, any version; or no apiVersion (or one that is no
    string but says ``modelgate``: ``[modelgate/v1]``), ``kind: Model`` or ``Contract`` and a ``spec`` (another
    tool's ``kind: Model``, Seldon's say, carries its own apiVersion).
    """
    api = doc.get("apiVersion")
    if isinstance(api, str) and api.strip().lower().startswith(API_FAMILY):
        return f"apiVersion {api!r}", line_at(doc, order, ("apiVersion",)), _subject(doc)
    # none, or one that is no string but holds the word (``[modelgate/v1]``; an apiVersion ``1`` is not ours)
    if (api is None or (not isinstance(api, str) and API_FAMILY in str(api).lower())) and doc.get(
            "kind") in KINDS and "spec" in doc:
        what = "no apiVersion" if api is None else f"an apiVersion that is no string ({api!r})"
        line = line_at(doc, order, ("kind",) if api is None else ("apiVersion",))
        return f"kind {doc['kind']!r} with a spec and {what}", line, _subject(doc)
    return None


def _meant_kind(kind: Any) -> str | None:
    """The kind a document meant: one of ``KINDS`` as written, or the one it is close to (``model``, ``Contracts``)."""
    if not isinstance(kind, str):
        return None
    if kind in KINDS:
        return kind
    close = difflib.get_close_matches(kind.lower(), [k.lower() for k in KINDS], n=1, cutoff=0.75)
    return next((k for k in KINDS if close and k.lower() == close[0]), None)


def _subject(doc: dict[str, Any]) -> str | None:
    """``model:NAME`` or ``contract:NAME`` of a document whose kind (or the kind it meant) and name are readable."""
    kind = _meant_kind(doc.get("kind"))
    metadata = doc.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return f"{kind.lower()}:{name}" if kind and isinstance(name, str) and name else None


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


def read_document(path: str, data: bytes, max_depth: int = 64, budget: int = RUN_MAX_VALUES,
                  ) -> tuple[dict[str, Any] | None, list[int], list[Finding], int]:
    """``judge`` without the ``Look``: (document, lines, [], values), (None, [], MG001 findings, values), or
    (None, [], [], values) for a file that does not look like a manifest."""
    doc, order, findings, nodes, _ = judge(path, data, max_depth, budget)
    return doc, order, findings, nodes


def judge(path: str, data: bytes, max_depth: int = 64, budget: int = RUN_MAX_VALUES,
          ) -> tuple[dict[str, Any] | None, list[int], list[Finding], int, Look | None]:
    """The YAML mapping of a manifest file with a known ``apiVersion`` and ``kind``, the order of its lines
    (``bot.manifests.snapshot``), the values it cost and what made it look like a manifest, read within ``budget``
    values (what is left of a run's: past it, MG001 ``OVER_BUDGET``); or its MG001 findings; or no findings and no
    document: the file does not look like a manifest (``look_of``; for text YAML cannot read, ``declared_look``).
    A wrong apiVersion or kind in a manifest-looking document is MG001 with a did-you-mean, never a skip."""
    try:
        text = decode(data)
    except YamlError as exc:
        return _unread(data, mg001(path, exc.line, exc.message), 0)
    limit = min(DEFAULT_MAX_NODES, budget)
    fast = read_fast_counted(text, max_depth, limit)
    if fast is not None:
        doc, order, nodes = fast
    else:
        try:
            doc, lines, nodes = read_counted(text, max_depth=max_depth, max_nodes=limit, want_lines=True)
        except TooManyValues as exc:
            message = OVER_BUDGET if exc.limit < DEFAULT_MAX_NODES else exc.message
            return _unread(data, mg001(path, exc.line, message, _guess_subject(text)), exc.nodes)
        except YamlError as exc:
            return _unread(data, mg001(path, exc.line, exc.message, _guess_subject(text)), exc.nodes)
        order = in_order(doc, lines)
    if nodes > limit:  # the text its aliases repeat (the readers check the values alone as they read)
        message = OVER_BUDGET if limit < DEFAULT_MAX_NODES else (
            f"the document expands to more than {limit} values (alias expansion?)")
        return _unread(data, mg001(path, 1, message, _guess_subject(text)), limit)  # what was read: not decoded
    if not isinstance(doc, dict):
        shown = "a list" if isinstance(doc, list) else "empty" if doc is None else "a scalar"
        return _unread(data, mg001(path, 1, f"a manifest must be one YAML mapping, this is {shown}"), nodes)
    look = look_of(doc, order)
    if look is None:
        return None, [], [], nodes, None
    problems = _identity_problems(path, doc, order, look)
    if problems:
        return None, [], problems, nodes, look
    return doc, order, [], nodes, look


def _unread(data: bytes, problem: Finding, nodes: int,
            ) -> tuple[None, list[int], list[Finding], int, Look | None]:
    """A document that was not read whole: its ``problem`` when its plain text says it is a manifest
    (``declared_look``) or when the run's budget refused it (not known, so never skipped: it may be one); else
    nothing, as for any other tool's file."""
    look = declared_look(data)
    return None, [], [problem] if look or problem.message == OVER_BUDGET else [], nodes, look


def _identity_problems(path: str, doc: dict[str, Any], order: list[int], look: Look) -> list[Finding]:
    """MG001 for the ``apiVersion`` and ``kind`` of a manifest-looking document, each with a did-you-mean."""
    problems = []
    api, kind, subject = doc.get("apiVersion"), doc.get("kind"), look[2]
    if api is None:
        problems.append(mg001(path, line_at(doc, order, ("kind",)),
                              f"missing apiVersion; did you mean apiVersion: {API_VERSION}?", subject))
    elif api != API_VERSION:
        problems.append(mg001(path, look[1], f"apiVersion must be {API_VERSION!r}, not {api!r}; "
                                             f"did you mean apiVersion: {API_VERSION}?", subject))
    if not isinstance(kind, str) or kind not in KINDS:
        meant = _meant_kind(kind)
        hint = f"; did you mean {meant!r}?" if meant else ""
        problems.append(mg001(path, line_at(doc, order, ("kind",)),
                              f"kind must be one of {', '.join(KINDS)}, not {kind!r}{hint}", subject))
    return problems


def parse_manifest(path: str, blob: str, data: bytes, max_depth: int = 64) -> tuple[ManifestFile | None, list[Finding]]:
    """Read and validate one manifest file; the findings are MG001 with file and line."""
    doc, order, findings, _ = read_document(path, data, max_depth)
    if doc is None:  # meant as a manifest: one that does not even look like one is MG001 too
        return None, findings or [mg001(path, 1, f"not a modelgate manifest: apiVersion must be {API_VERSION!r}")]
    try:
        parsed = KINDS[doc["kind"]].model_validate(doc)
    except ValidationError as exc:
        return None, invalid(path, doc, order, exc)
    return ManifestFile(path, blob, parsed, doc, dumps(doc), order), []


# pathspec's name for gitignore patterns: "gitignore" from 1.0 on, "gitwildmatch" before (0.12 reads "gitignore" as
# a deprecated alias of the same patterns and warns on every use; dbt-core 1.11, a test dependency, pins 0.12).
_GITIGNORE: Final = "gitignore" if int(pathspec.__version__.split(".")[0]) >= 1 else "gitwildmatch"


def matcher(patterns: list[str]) -> Callable[[str], bool]:
    """Whether a repository path matches gitignore-style ``patterns`` (pathspec's reading of them).

    When no pattern is negated (``!x``), any match decides, so pathspec's own regular expressions are joined into
    one: a path is matched in one search instead of one per pattern through pathspec's Python loop (30,000 paths
    a check at 10,000 models). Otherwise pathspec's order-sensitive matching is used as it is.
    """
    spec = pathspec.PathSpec.from_lines(_GITIGNORE, patterns)
    if not all(isinstance(p, RegexPattern) for p in spec.patterns):  # all are; pathspec 0.12 types them as Pattern
        return spec.match_file
    regexes = [p.regex for p in spec.patterns
               if isinstance(p, RegexPattern) and p.include is not None and p.regex is not None]
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


def repo_path(manifest_path: str, ref: str) -> str | None:
    """A repository-relative path for a reference written in a manifest, or None if it leaves the repo.

    A reference starting with ``/`` is from the repository root; anything else is relative to the root
    too (docs/manifests.md: repository paths), and a URL is never a path.
    """
    del manifest_path  # references are repository paths, not relative to the manifest
    if "://" in ref or ref.startswith(("//", "\\")) or "\0" in ref:
        return None
    normal = posixpath.normpath(ref.lstrip("/"))
    if normal in ("", ".") or normal == ".." or normal.startswith("../"):
        return None
    return normal
