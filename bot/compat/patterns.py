"""Regular expressions taken from input, evaluated only by a linear-time engine.

Every pattern modelgate evaluates comes from a manifest or a schema file (``pattern``, the keys of
``patternProperties``), so none may reach Python's backtracking ``re``: ``^(a|a)*$`` against 30 characters
takes ``re`` minutes. jsonschema-rs evaluates them with Rust's ``regex`` crate (finite automata: time linear in
the text, whatever the pattern) after reading them as ECMA-262, as JSON Schema asks. Its backtracking fallback
(fancy-regex, for backreferences and look-arounds) is never used: every validator modelgate builds passes
:func:`options` (``RegexOptions``), under which such a pattern does not compile. :func:`problem` says why a
pattern is not evaluated (MG008 in ``modelgate lint``); the comparison refuses to decide on one
(``bot.compat.context.Refused``); ``modelgate verify`` cannot compile the schema.

Differences from ECMA-262 (and from jsonschema's ``re``), as jsonschema-rs reads patterns: backreferences and
look-arounds are refused (above); a pattern whose compiled program exceeds :data:`REGEX_SIZE_LIMIT` is refused
(``(?:a{1000}){1000}``); ``\\d``, ``\\w`` and ``\\b`` are ASCII as in ECMA-262, ``.`` matches no line break,
``\\s`` matches Unicode white space, ``\\p{..}`` classes are the crate's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Final

import jsonschema_rs

REGEX_SIZE_LIMIT: Final = 1 << 20  # bytes of one compiled pattern (the crate's default: 10 MiB)
REGEX_DFA_SIZE_LIMIT: Final = 1 << 20  # bytes of one pattern's lazy DFA cache (the crate's default: 2 MiB)
_CACHED: Final = 256  # compiled patterns kept: at most 256 x (size + DFA) limits, 512 MiB in the worst case
_LOOK_AROUND: Final = ("(?=", "(?!", "(?<=", "(?<!")


def options() -> jsonschema_rs.RegexOptions:
    """The pattern options of every jsonschema-rs validator modelgate builds: the linear engine, bounded."""
    return jsonschema_rs.RegexOptions(size_limit=REGEX_SIZE_LIMIT, dfa_size_limit=REGEX_DFA_SIZE_LIMIT)


def compile_schema(schema: Any) -> jsonschema_rs.Validator:
    """A validator of ``schema`` (its ``$schema``'s draft, 2020-12 without one) whose patterns run in linear time.

    Formats are annotations, not assertions; references are never fetched. Raises ``ValueError`` (or
    ``jsonschema_rs.ReferencingError``) for a schema it cannot compile, a refused pattern included.
    """
    return jsonschema_rs.validator_for(schema, validate_formats=False, offline=True, pattern_options=options())


@functools.lru_cache(maxsize=_CACHED)
def _matcher(pattern: str) -> Callable[[str], bool] | None:
    try:
        validator = compile_schema({"type": "string", "pattern": pattern})
    except (ValueError, jsonschema_rs.ReferencingError):
        return None
    return validator.is_valid


def search(pattern: str, text: str) -> bool | None:
    """Whether ``pattern`` matches somewhere in ``text`` (JSON Schema's ``pattern``); None when it is refused."""
    matcher = _matcher(pattern)
    return None if matcher is None else matcher(text)


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
            "bound its repetitions")


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
