"""A bounded YAML reader that keeps line numbers.

PyYAML's own loaders recurse (a 10,000-deep document can exhaust the C stack), expand aliases without
limit (a "billion laughs" document exhausts memory) and silently keep the last of two duplicate keys.
This reader builds the document from libyaml's event stream with an explicit stack instead, so depth,
alias expansion and duplicate keys are checked as the events arrive, and it can record the line of every
key and item (``want_lines``) for messages that point at the offending line. Scalars are resolved and
constructed by PyYAML's own SafeLoader resolver and constructors, so values mean what YAML 1.1 says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev
from yaml.nodes import ScalarNode

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[str | int, ...]
MERGE_TAG = "tag:yaml.org,2002:merge"
STR_TAG = "tag:yaml.org,2002:str"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
DEFAULT_MAX_NODES = 1_000_000


CHARS_PER_VALUE = 16  # the text an alias repeats counts one value per this many characters


def repeated_values(aliased: list[Any]) -> int:
    """The values the text under aliases adds to a document: one per ``CHARS_PER_VALUE`` characters of the keys
    and strings each alias repeats. To the readers an alias is the size of what it names in values, yet each
    repetition is decoded in full (a 100 KB string named 3,000 times: 642 MB). Each distinct collection is
    walked once."""
    sizes: dict[int, int] = {}

    def chars(value: Any) -> int:
        kind = type(value)
        if kind is str:
            return len(value)
        if kind is not dict and kind is not list:
            return 1
        known = sizes.get(id(value))
        if known is None:
            items = value.values() if kind is dict else value
            known = sizes[id(value)] = sum(map(chars, items)) + (sum(map(len, value)) if kind is dict else 0)
        return known

    return sum(map(chars, aliased)) // CHARS_PER_VALUE


class YamlError(Exception):
    """A document that is not readable YAML or breaks a limit; ``line`` is 1-based or None."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.nodes = 0  # the values read before the reader stopped: what the document cost a run's budget


class TooManyValues(YamlError):
    """A document that expands past ``limit`` values (alias expansion?)."""

    def __init__(self, limit: int, line: int) -> None:
        super().__init__(f"the document expands to more than {limit} values (alias expansion?)", line)
        self.limit = limit


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    path: Path
    line: int
    anchor: str | None
    pending_key: Any = None
    key_line: int = 0
    has_key: bool = False
    size: int = 1
    merged: list[dict[str, Any]] = field(default_factory=list)


class _ScalarMaker(_Loader):
    """Only its resolver and scalar constructors are used; it never reads a stream."""

    def __init__(self) -> None:
        super().__init__("")
        self.implicit_starts = frozenset(key for key in self.yaml_implicit_resolvers if key)
        self.plain: dict[str, tuple[str, Any]] = {}  # plain scalar text -> (tag, value): values are immutable

    def scalar(self, event: ev.ScalarEvent) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            value = event.value
            # quoted and block scalars are strings, and so is a plain one whose first character starts no
            # implicit type (the resolver is keyed by first character): the common cases, kept fast
            if event.style or (value and value[0] not in self.implicit_starts):
                return STR_TAG, value
            if tag == "!" or not event.implicit[0]:  # "! 123" is the string "123": not for the plain cache
                return self._implicit(event)
            known = self.plain.get(value)
            if known is not None:  # how an untagged plain scalar reads depends on its text alone
                return known
            made = self._implicit(event)
            if len(value) <= 32 and len(self.plain) < 65_536:
                self.plain[value] = made
            return made
        return self._tagged(event, tag)

    def _implicit(self, event: ev.ScalarEvent) -> tuple[str, Any]:
        # BaseResolver.resolve is unannotated in types-PyYAML; it returns the tag
        tag: str = self.resolve(ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
        if tag not in self.yaml_constructors and tag != MERGE_TAG:  # "=", which YAML 1.1 reads as a string
            tag = STR_TAG
        return self._tagged(event, tag)

    def _tagged(self, event: ev.ScalarEvent, tag: str) -> tuple[str, Any]:
        if tag == STR_TAG:
            return tag, event.value
        if tag == MERGE_TAG:
            return tag, event.value
        # libyaml's marks (yaml._yaml.Mark) are kept as they are: the stubs allow a node only yaml.error.Mark
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)  # type: ignore[arg-type]
        constructor = self.yaml_constructors.get(tag)
        if constructor is None:
            raise YamlError(f"unsupported YAML tag {tag}", _line(event))
        try:
            return tag, constructor(self, node)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError, IndexError) as exc:  # "!!int nope", "!!int "
            shown = f"{event.value[:80]!r}{'…' if len(event.value) > 80 else ''}"
            if tag == TIMESTAMP_TAG:  # 2026-04-31: YAML reads it as a date, and no such day exists
                raise YamlError(f"{shown} is not a valid date ({exc}); write a real day as YYYY-MM-DD",
                                _line(event)) from exc
            raise YamlError(f"cannot read {shown} as {tag.rsplit(':', 1)[-1]}", _line(event)) from exc


def _line(event: ev.Event) -> int:
    """The 1-based line an event starts on: libyaml gives every event a start mark."""
    assert event.start_mark is not None
    return event.start_mark.line + 1


SCALARS = _ScalarMaker()  # one per process: it caches how plain scalars read


def decode(data: bytes) -> str:
    """UTF-8 text of a file, or a YamlError on the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlError("the file is not UTF-8 text", data.count(b"\n", 0, exc.start) + 1) from exc


def _last_line(text: str) -> int:
    """The last line of a text: a reported line is never past the end of the file (only computed on errors)."""
    return max(1, len(text.splitlines()))


def read_yaml(text: str, *, max_depth: int = 64, max_nodes: int = DEFAULT_MAX_NODES,
              want_lines: bool = False, keys_as_written: bool = False) -> tuple[Any, dict[Path, int]]:
    """Read exactly one YAML document; return it and (if asked) the 1-based line of every path.

    ``keys_as_written``: a mapping key that YAML reads as another scalar than a string (``1:``, ``true:``) is kept
    as the text written (``"1"``) instead of being an error (an import's overlay addresses versions by number)."""
    root, lines, _ = read_counted(text, max_depth=max_depth, max_nodes=max_nodes, want_lines=want_lines,
                                  keys_as_written=keys_as_written)
    return root, lines


def read_counted(text: str, *, max_depth: int = 64, max_nodes: int = DEFAULT_MAX_NODES,
                 want_lines: bool = False, keys_as_written: bool = False) -> tuple[Any, dict[Path, int], int]:
    """``read_yaml`` and the document's size in values: each scalar and collection one, an alias the size of what
    it repeats, plus the text aliases repeat (``repeated_values``): what a run's budget counts, and ``fastyaml``
    counts the same. A YamlError carries the values read."""
    lines: dict[Path, int] = {}
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    documents = 0
    root: Any = None
    total = nodes = 0
    aliased: list[Any] = []

    def place(value: Any, size: int, line: int, anchor: str | None, tag: str | None = None,
              raw: str | None = None) -> None:
        nonlocal root, total, nodes
        total += size
        if total > max_nodes:
            raise TooManyValues(max_nodes, line)
        if anchor is not None:
            anchors[anchor] = (value, size)
        if not stack:
            root, nodes = value, size
            if want_lines:
                lines[()] = line
            return
        top = stack[-1]
        top.size += size
        if isinstance(top.container, list):
            path = (*top.path, len(top.container))
            top.container.append(value)
            if want_lines:
                lines[path] = line
            return
        if not top.has_key:
            if tag == MERGE_TAG:
                top.pending_key, top.key_line, top.has_key = MERGE_TAG, line, True
                return
            if not isinstance(value, str) and keys_as_written and raw is not None:
                value = raw
            if not isinstance(value, str):
                raise YamlError(_key_message(value, raw), line)
            if value in top.container:
                raise YamlError(f"duplicate key {value!r}", line)
            top.pending_key, top.key_line, top.has_key = value, line, True
            return
        key = top.pending_key
        top.has_key = False
        if key is MERGE_TAG:
            for item in value if isinstance(value, list) else [value]:
                if not isinstance(item, dict):
                    raise YamlError("a merge key (<<) needs a mapping or a list of mappings", top.key_line)
                top.merged.append(item)
            return
        top.container[key] = value
        if want_lines:
            lines[(*top.path, key)] = top.key_line

    def child_path() -> Path:
        if not stack:
            return ()
        top = stack[-1]
        if isinstance(top.container, list):
            return (*top.path, len(top.container))
        return (*top.path, top.pending_key)

    try:
        try:
            for event in yaml.parse(text, Loader=_Loader):
                start = event.start_mark
                assert start is not None  # libyaml gives every event a start mark
                line = start.line + 1
                if isinstance(event, ev.ScalarEvent):
                    tag, value = SCALARS.scalar(event)
                    place(value, 1, line, event.anchor, tag, event.value)
                elif isinstance(event, ev.MappingStartEvent | ev.SequenceStartEvent):
                    if len(stack) >= max_depth:
                        raise YamlError(f"nesting deeper than {max_depth} levels", line)
                    if stack and isinstance(stack[-1].container, dict) and not stack[-1].has_key:
                        raise YamlError("a mapping key must be a string, not a mapping or a list", line)
                    container: dict[str, Any] | list[Any] = {} if isinstance(event, ev.MappingStartEvent) else []
                    stack.append(_Frame(container, child_path(), line, event.anchor))
                elif isinstance(event, ev.MappingEndEvent | ev.SequenceEndEvent):
                    frame = stack.pop()
                    if isinstance(frame.container, dict):
                        for extra in reversed(frame.merged):
                            for key, value in extra.items():
                                frame.container.setdefault(key, value)
                    place(frame.container, frame.size, frame.line, frame.anchor)
                    total -= frame.size  # its children were counted as they arrived
                elif isinstance(event, ev.AliasEvent):
                    if event.anchor not in anchors:
                        raise YamlError(f"unknown alias *{event.anchor}", line)
                    value, size = anchors[event.anchor]
                    aliased.append(value)
                    place(value, size, line, None)
                elif isinstance(event, ev.DocumentStartEvent):
                    documents += 1
                    if documents > 1:
                        raise YamlError("the file holds more than one YAML document", line)
        except YamlError as exc:
            if exc.line is not None:
                exc.line = min(exc.line, _last_line(text))
            raise
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = min(mark.line + 1, _last_line(text)) if mark else None
            raise YamlError(f"YAML syntax error: {exc.problem or exc.context}", where) from exc
        except yaml.reader.ReaderError as exc:  # a character YAML forbids (NUL, other C0 controls); position in bytes
            where = min(text.encode("utf-8", "surrogatepass")[:exc.position].count(b"\n") + 1, _last_line(text))
            raise YamlError(f"character #x{exc.character:04x} is not allowed in YAML ({exc.reason})", where) from exc
        except yaml.YAMLError as exc:
            raise YamlError(f"YAML error: {exc}") from exc
        except RecursionError as exc:  # pragma: no cover - the explicit stack should prevent it
            raise YamlError(f"nesting deeper than {max_depth} levels") from exc
    except YamlError as exc:  # what the document cost before the reader stopped
        exc.nodes = total
        raise
    return root, lines, nodes + repeated_values(aliased) if aliased else nodes


def _key_message(value: Any, raw: str | None) -> str:
    shown = "true/false" if isinstance(value, bool) else type(value).__name__
    written = raw if raw is not None else repr(value)
    hint = "; a fallback's triggers go under `when:`" if raw is not None and raw.lower() == "on" else ""
    return f"a mapping key must be a string; {written} is read as {shown} by YAML 1.1 (quote it{hint})"
