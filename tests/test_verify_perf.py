"""Parity of the engine's fast paths (bot/verify/engine: a JSON value's type from its first byte, numbers cast only
when they are numbers, the drift bins as one index a row, categorical drift counted in the one aggregate, rows
fetched through DuckDB's cursor) with the Python reference, on the JSON texts those paths read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.manifests.models import Quality
from tests.test_verify_engine import parity

# JSON texts of every type, in the forms a writer may give them: exponents, a negative zero, numbers beyond a
# double or an int64, a whole number written with a fraction, escapes, non-ASCII text, whitespace inside
TEXTS = ["0", "-0", "-0.0", "1", "1.0", "1E2", "1e2", "1.5e-3", "-7", "1e400", "-1e400", "1e-400",
         "9007199254740993", "18446744073709551615", "18446744073709551616", "123456789012345678901234567890",
         "-9223372036854775809", '""', '"x"', '"approve"', '"appr\\u006fve"', '"\\u00e9t\\u00e9"', '"a\\"b"',
         '"tab\\there"', '"\\/"', '"é"', '"😀"', "true", "false", "null", "[]", "[1, 2]", "{}", '{"k": [1]}',
         '  "spaced"  ', "\t3\t"]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


SCHEMAS: list[dict[str, Any]] = [
    {"type": "integer", "minimum": 0},
    {"type": ["integer", "null"], "maximum": 100},
    {"type": "number", "minimum": -1, "maximum": 1e300},
    {"type": ["number", "null"]},
    {"type": "string", "minLength": 2, "maxLength": 5},
    {"enum": ["approve", "été", 1, True, None]},
    {"enum": ["approve", "été", True, None]},  # no number: exact for NaN, infinities and big numbers (no guard)
    {"const": "x"},
    {"type": ["number", "string"]},  # a number must be finite: the guard sends infinities to the validator
    {"const": 100},
    {"type": "boolean"},
    {"type": ["array", "object"]},
    {"type": "string", "pattern": "^[a-z]+$"},
    {"type": "integer", "multipleOf": 3},
]


@pytest.mark.parametrize("field", SCHEMAS, ids=[str(i) for i in range(len(SCHEMAS))])
def test_json_texts_of_every_form(tmp_path: Path, field: dict[str, Any]) -> None:
    records = _write(tmp_path / "r.jsonl", [f'{{"a": {text}, "b": {text}}}' for text in TEXTS] + ['{"b": 1}'])
    schema = {"type": "object", "properties": {"a": field, "b": {}}, "required": ["b"]}
    quality = Quality.model_validate({"null_rate_max": {"a": 0.5}})
    parity(records, schema, quality, examples=50)


def test_drift_of_json_texts(tmp_path: Path) -> None:
    """Numeric bins and categories over every form (the baseline's categories and others, numbers in bins)."""
    base = _write(tmp_path / "b.jsonl", [f'{{"n": {t}, "c": {t}}}' for t in ("0.5", "1", "2", '"x"', '"é"', "true")
                                         for _ in range(3)])
    records = _write(tmp_path / "r.jsonl", [f'{{"n": {t}, "c": {t}}}' for t in TEXTS])
    schema = {"type": "object", "properties": {"n": {}, "c": {}}}
    quality = Quality.model_validate({"drift": {"psi_max": {"n": 0.2, "c": 0.2}}})
    parity(records, schema, quality, base)
