"""Regular expressions taken from input, evaluated only by a linear-time engine.

Every pattern modelgate evaluates comes from a manifest or a schema file (``pattern``, the keys of
``patternProperties``), so none may reach Python's backtracking ``re``: ``^(a|a)*$`` against 30 characters
takes ``re`` minutes. jsonschema-rs evaluates them with Rust's ``regex`` crate (finite automata: time linear in
the text, whatever the pattern) after reading them as ECMA-262, as JSON Schema asks. Its backtracking fallback
(fancy-regex, for backreferences and look-arounds) is never used: every validator modelgate builds passes
:func:`options` (``RegexOptions``), under which such a pattern does not compile. :func:`problems` says why a
schema's patterns are not evaluated (MG008 in ``modelgate lint``); the comparison refuses to decide on one
(``bot.compat.context.Refused``); ``modelgate verify`` cannot compile the schema.

Linear matching leaves the cost of compiling: a bounded repetition of a large class (``\\p{L}{20}``) compiles to
an automaton of about a megabyte, in milliseconds. So a pattern compiles within :data:`REGEX_SIZE_LIMIT`, and a
schema has at most :data:`MAX_PATTERNS` distinct ones (about 1.5 MB and 5 ms each at worst).

Differences from ECMA-262 (and from jsonschema's ``re``), as jsonschema-rs reads patterns: backreferences and
look-arounds are refused (above); a pattern whose compiled program exceeds :data:`REGEX_SIZE_LIMIT` is refused
(``(?:a{1000}){1000}``); ``\\d``, ``\\w`` and ``\\b`` are ASCII as in ECMA-262, ``.`` matches no line break,
``\\s`` matches Unicode white space, ``\\p{..}`` classes are the crate's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, Final

import jsonschema_rs

from bot.compat.refs import Segments, walk_schemas

REGEX_SIZE_LIMIT: Final = 1 << 20  # bytes of one compiled pattern (the crate's default: 10 MiB)
REGEX_DFA_SIZE_LIMIT: Final = 1 << 20  # bytes of one pattern's lazy DFA cache (the crate's default: 2 MiB)
MAX_PATTERNS: Final = 100  # distinct patterns in one schema (or matched in one comparison); kept compiled
_LOOK_AROUND: Final = ("(?=", "(?!", "(?<=", "(?<!")


def options() -> jsonschema_rs.RegexOptions:
    """The pattern options of every jsonschema-rs validator modelgate builds: the linear engine, bounded."""
    return jsonschema_rs.RegexOptions(size_limit=REGEX_SIZE_LIMIT, dfa_size_limit=REGEX_DFA_SIZE_LIMIT)


def compile_schema(schema: Any, *, formats: bool = False) -> jsonschema_rs.Validator:
    """A validator of ``schema`` (its ``$schema``'s draft, 2020-12 without one) whose patterns run in linear time.

    Formats are annotations, not assertions, unless ``formats``; references are never fetched. Raises
    ``ValueError`` (or ``jsonschema_rs.ReferencingError``) for a schema it cannot compile, a refused pattern included.
    """
    crowd = _too_many(schema_patterns(schema))
    if crowd is not None:
        raise ValueError(crowd)
    return jsonschema_rs.validator_for(schema, validate_formats=formats, offline=True, pattern_options=options())


def schema_patterns(schema: Any) -> list[tuple[Segments, str]]:
    """Every ``pattern`` and ``patternProperties`` key of ``schema``, with the path of its keyword (or key)."""
    found: list[tuple[Segments, str]] = []
    for path, sub in walk_schemas(schema):
        pattern = sub.get("pattern")
        if isinstance(pattern, str):
            found.append(((*path, "pattern"), pattern))
        keyed = sub.get("patternProperties")
        if isinstance(keyed, dict):
            found += [((*path, "patternProperties", key), key) for key in keyed if isinstance(key, str)]
    return found


def problems(schema: Any) -> Iterator[tuple[Segments, str]]:
    """Each pattern of ``schema`` the linear-time engine does not evaluate, with why (or one: too many of them)."""
    found = schema_patterns(schema)
    crowd = _too_many(found)
    if crowd is not None:
        yield (), crowd
        return
    for path, pattern in found:
        why = problem(pattern)
        if why is not None:
            yield path, why


def _too_many(found: list[tuple[Segments, str]]) -> str | None:
    count = len({pattern for _, pattern in found})
    if count <= MAX_PATTERNS:
        return None
    return f"the schema has {count:,} distinct patterns; modelgate evaluates at most {MAX_PATTERNS} in one schema"


@functools.lru_cache(maxsize=MAX_PATTERNS)
def _matcher(pattern: str) -> Callable[[str], bool] | None:
    try:
        validator = compile_schema({"type": "string", "pattern": pattern})
    except (ValueError, jsonschema_rs.ReferencingError):
        return None
    return validator.is_valid


def search(pattern: str, text: str) -> bool | None:
    """Whether ``pattern`` matches somewhere in ``text`` (JSON Schema's ``pattern``); None when it is refused."""
    matcher = _matcher(pattern)
    if matcher is None:
        return None
    try:
        return matcher(text)
    except UnicodeEncodeError:  # a lone surrogate (JSON's "\\ud800"): read as U+FFFD, which no literal matches
        return matcher("".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text))


def problem(pattern: str) -> str | None:
    """Why ``pattern`` is not evaluated (a sentence for a finding), or None when it is."""
    if _matcher(pattern) is not None:
        return None
    construct = _construct(pattern)
    if construct:
        return (f"pattern {_shown(pattern)} uses a construct modelgate does not evaluate ({construct}); "
                "only what a linear-time engine runs is evaluated")
    try:
        jsonschema_rs.validator_for({"pattern": pattern}, pattern_options=jsonschema_rs.RegexOptions())
    except ValueError:
        return f"pattern {_shown(pattern)} is not a regular expression modelgate can read (ECMA-262 syntax)"
    return (f"pattern {_shown(pattern)} is too large to evaluate (over {REGEX_SIZE_LIMIT // 1024} KiB compiled): "
            "repeat a large class without a count ('*', '+') and bound the length with maxLength")


def _construct(pattern: str) -> str:
    """The first construct only a backtracking engine runs: ``a backreference``, ``a look-around``, or ''."""
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            following = pattern[i + 1:i + 3]
            if not in_class and (following[:1] in tuple("123456789") or following == "k<"):
                return "a backreference"
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif pattern.startswith(_LOOK_AROUND, i):
            return "a look-around"
        i += 1
    return ""


def _shown(pattern: str) -> str:
    return repr(pattern if len(pattern) <= 60 else pattern[:57] + "...")
