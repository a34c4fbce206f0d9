"""The compiled validator of one contract version's schema, and its errors as (JSON pointer, reason).

jsonschema-rs compiles the schema once; checking a record costs about 0.3 µs, against 25 µs for
``jsonschema`` and 1.2 µs for ``fastjsonschema`` (which lacks draft 2020-12); figures in
docs/performance.md. Formats are annotations, not assertions, as in ``jsonschema``; references are never
fetched; patterns run on a linear-time engine (``bot.compat.patterns``: a pattern with a backreference or a
look-around does not compile, ``modelgate lint`` says which). The verdict agrees with ``jsonschema`` record by
record (tests/test_verify_validate.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.compat.patterns import compile_schema
from bot.compat.refs import fragment
from bot.errors import DomainError


class SchemaCompileError(DomainError):
    """A contract version's schema that jsonschema-rs cannot compile (``modelgate lint`` says why)."""


@dataclass(frozen=True)
class Problem:
    """Why one record is invalid: where (a JSON pointer such as ``#/score``) and what."""

    path: str
    reason: str


class RecordValidator:
    def __init__(self, schema: Any) -> None:
        try:
            self._validator = compile_schema(schema)
        except (ValueError, TypeError) as exc:
            reason = str(exc).split("\n", 1)[0]
            message = f"the contract's schema cannot be compiled: {reason} (run modelgate lint)"
            raise SchemaCompileError(message) from exc

    def is_valid(self, record: Any) -> bool:
        try:
            return self._validator.is_valid(record)
        except ValueError:  # a value JSON has no type for (bytes, dates)
            return False

    def problems(self, record: Any) -> list[Problem]:
        try:
            errors = list(self._validator.iter_errors(record))
        except ValueError as exc:
            return [Problem("#", f"not a JSON value: {exc}")]
        return [Problem(fragment(error.instance_path), error.message) for error in errors]
