"""The engine gives the reference's answer: random schemas and records, as JSON Lines, CSV and Parquet, verified by
DuckDB (bot.verify.engine.run.verify_files) and by the Python reference (bot.verify.run.verify_records)."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.manifests.models import Quality
from bot.verify import Expected, RecordsError, verify_records
from bot.verify import baseline as baseline_module
from bot.verify.engine import compile as engine_compile
from bot.verify.engine.compile import categories
from bot.verify.engine.run import verify_files
from bot.verify.run import write_baseline
from tests.test_verify_run import PLANTED, QUALITY, SCHEMA, baseline_records, planted_records, write_jsonl

NAMES = ["a", "b", "c", "é"]
SCALARS: list[Any] = [0, 1, -5, 3, 7, 2**53 + 1, 2**63, 12345678901234567890123, 3.0, 1.5, -0.5, 1e300, 2.5,
                      "", "x", "abc", "12", "true", "é", "e\u0301", "😀x", "Ab_9", "zz-top", "<b>", "a.b", True, False]
COMPOSITES: list[Any] = [[1, "a"], [], {"k": 1}, {}]
PATTERNS = ["^[a-z]+$", "\\d", "^A", "b|z", "^a\\.b$", "^.$", "\\s", "[é]", "^\\<b\\>$"]  # the last four: row-checked
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow])

types_ = st.sampled_from(["string", "integer", "number", "boolean", "array", "object", "null"])
scalar = st.sampled_from(SCALARS)
value = st.one_of(scalar, st.sampled_from(COMPOSITES), st.none())


@st.composite
def field_schemas(draw: Any) -> dict[str, Any]:
    sub: dict[str, Any] = {}
    kind = draw(st.sampled_from(["type", "types", "enum", "const", "none"]))
    if kind == "type":
        sub["type"] = draw(types_)
    elif kind == "types":
        sub["type"] = draw(st.lists(types_, min_size=1, max_size=3, unique=True))
    elif kind == "enum":
        sub["enum"] = draw(st.lists(st.one_of(scalar, st.none()), min_size=1, max_size=4, unique_by=repr))
    elif kind == "const":
        sub["const"] = draw(scalar)
    for keyword, strategy in (("minimum", st.sampled_from([0, 1, -1, 2.5])),
                              ("maximum", st.sampled_from([1, 3, 100, 2**53 - 1])),
                              ("exclusiveMinimum", st.sampled_from([0, 1.5])),
                              ("exclusiveMaximum", st.sampled_from([3, 7.5])),
                              ("multipleOf", st.sampled_from([1, 2, 3, 0.5])),
                              ("minLength", st.integers(0, 3)), ("maxLength", st.integers(0, 3)),
                              ("pattern", st.sampled_from(PATTERNS)),
                              ("not", st.just({"const": 3})), ("oneOf", st.just([{"type": "string"},
                                                                                  {"type": "integer"}])),
                              ("items", st.just({"type": "integer"}))):
        if draw(st.integers(0, 9)) == 0:
            sub[keyword] = draw(strategy)
    return sub


@st.composite
def cases(draw: Any) -> tuple[dict[str, Any], list[dict[str, Any]], Quality]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
    schema: dict[str, Any] = {"type": "object", "properties": {n: draw(field_schemas()) for n in names}}
    required = draw(st.lists(st.sampled_from(names), unique=True))
    if required:
        schema["required"] = required
    if draw(st.booleans()):
        schema["additionalProperties"] = False
    if draw(st.integers(0, 6)) == 0:
        schema["anyOf"] = [{"required": [names[0]]}, {"minProperties": 2}]
    keys = [*names, "zz"]
    records = draw(st.lists(st.dictionaries(st.sampled_from(keys), value, max_size=4), max_size=25))
    bounded = draw(st.lists(st.sampled_from(names), unique=True))
    quality = Quality.model_validate({"null_rate_max": dict.fromkeys(bounded, 0.5)})
    return schema, records, quality


def same(reference: Any, engine: Any) -> None:
    ref, eng = reference.to_json(), engine.to_json()
    for name, drift in ref["drift"].items():
        other = eng["drift"][name]
        if drift["psi"] is None:
            assert other["psi"] is None
        else:
            assert other["psi"] == pytest.approx(drift["psi"], abs=1e-9)
        drift["psi"] = other["psi"]
    assert eng == ref


def parity(path: Path, schema: Any, quality: Quality, baseline: Path | None = None, examples: int = 5) -> Any:
    expected = Expected(schema, quality, "c@1")
    reference = verify_records(expected, path, baseline, examples=examples)
    engine = verify_files(expected, path, baseline, examples=examples)
    same(reference, engine)
    handed = [note for note in engine.notes if "Python reference reader" in note]
    # the one hand-over a parity case may meet: an integer beyond 2^53 whose double is a drift edge
    assert all("an edge of its drift bins beyond 2^53" in note for note in handed), engine.notes
    assert engine.notes[len(handed):] == reference.notes
    return engine


def test_an_escape_the_engines_read_differently_is_checked_per_row(tmp_path: Path) -> None:
    """RE2 reads "\\<" as "<", the validator as a word boundary: such a pattern is never an engine predicate."""
    path = tmp_path / "r.jsonl"
    path.write_text('{"tag": "<b>"}\n{"tag": "b"}\n{"tag": "a.b"}\n')
    for pattern in ("^\\<b\\>$", "^a\\.b$", "\\>"):
        schema = {"type": "object", "properties": {"tag": {"type": "string", "pattern": pattern}}}
        parity(path, schema, Quality())


@given(cases())
@SETTINGS
def test_json_lines_parity(tmp_path_factory: Any, case: Any) -> None:
    schema, records, quality = case
    path = tmp_path_factory.mktemp("j") / "r.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    parity(path, schema, quality)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


@given(cases(), st.data())
@SETTINGS
def test_csv_parity(tmp_path_factory: Any, case: Any, data: Any) -> None:
    schema, records, quality = case
    header = data.draw(st.lists(st.sampled_from([*NAMES, "zz"]), min_size=1, max_size=5, unique=True))
    path = tmp_path_factory.mktemp("c") / "r.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for record in records:
            writer.writerow([cell(record.get(name)) for name in header])
    parity(path, schema, quality)


COLUMN_TYPES = {
    "int64": (pa.int64(), st.one_of(st.none(), st.sampled_from([0, 1, -5, 3, 7, 2**53 + 1, 2**62]))),
    "float64": (pa.float64(), st.one_of(st.none(), st.sampled_from([0.0, 3.0, 1.5, -0.5, 2.5, 1e300, math.nan,
                                                                     math.inf, -math.inf]))),
    "string": (pa.string(), st.one_of(st.none(), st.sampled_from(["", "x", "abc", "12", "é", "e\u0301", "😀x",
                                                                   "Ab_9"]))),
    "bool": (pa.bool_(), st.one_of(st.none(), st.booleans())),
    "list": (pa.list_(pa.int64()), st.one_of(st.none(), st.sampled_from([[1], [], [1, 2]]))),
}


@given(cases(), st.data())
@SETTINGS
def test_parquet_parity(tmp_path_factory: Any, case: Any, data: Any) -> None:
    schema, records, quality = case
    header = data.draw(st.lists(st.sampled_from([*NAMES, "zz"]), min_size=1, max_size=5, unique=True))
    kinds = {name: data.draw(st.sampled_from(sorted(COLUMN_TYPES))) for name in header}
    n = len(records)
    columns = {name: pa.array([data.draw(COLUMN_TYPES[kinds[name]][1]) for _ in range(n)],
                              type=COLUMN_TYPES[kinds[name]][0]) for name in header}
    path = tmp_path_factory.mktemp("p") / "r.parquet"
    pq.write_table(pa.table(columns), path)
    parity(path, schema, quality)


@given(st.data())
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_drift_parity(tmp_path_factory: Any, data: Any) -> None:
    pool = st.one_of(st.none(), st.integers(-3, 12), st.sampled_from([0.5, 2.5, 1e300, 2**63, True, "x", "y",
                                                                     "z", 3.0]))
    schema = {"type": "object", "properties": {"n": {"type": ["number", "null"]}, "s": {"type": "string"},
                                               "m": {}}}
    quality = Quality.model_validate({"drift": {"psi_max": {"n": 0.2, "s": 0.2, "m": 0.2}}})
    directory = tmp_path_factory.mktemp("d")
    base = write_jsonl(directory / "b.jsonl", data.draw(st.lists(st.fixed_dictionaries(
        {}, optional={"n": pool, "s": pool, "m": pool}), min_size=1, max_size=40)))
    records = data.draw(st.lists(st.fixed_dictionaries({}, optional={"n": pool, "s": pool, "m": pool}),
                                 max_size=40))
    path = write_jsonl(directory / "r.jsonl", records)
    parity(path, schema, quality, base)


CATEGORIES: list[Any] = ["approve", "é", 'a"b', True, False, 1, 1.5, 2**63, [1], {"k": 1}]


def baseline_file(path: Path, schema: Any, quality: Quality, records: list[Any]) -> Path:
    sample = write_jsonl(path.with_suffix(".jsonl"), records)
    path.write_text(write_baseline(Expected(schema, quality, "c@1"), sample), encoding="utf-8")
    return path


def no_group_by(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> Any:
        raise AssertionError("the categories were counted by a GROUP BY")

    monkeypatch.setattr(engine_compile, "categories", refuse)


@pytest.mark.parametrize("baseline_kind", ["file", "sample"])
def test_categorical_drift_is_counted_in_the_aggregate(tmp_path, monkeypatch, baseline_kind):
    """Every candidate value of a baseline category (strings with escapes, booleans, numbers, nulls, missing keys):
    the aggregate's sums are the counts, with no GROUP BY."""
    schema = {"type": "object", "properties": {"c": {"enum": CATEGORIES}}}
    quality = Quality.model_validate({"drift": {"psi_max": {"c": 0.2}}})
    base = [{"c": v} for v in CATEGORIES[:8] for _ in range(3)]
    baseline = baseline_file(tmp_path / "b.json", schema, quality, base) if baseline_kind == "file" else \
        write_jsonl(tmp_path / "b.jsonl", base)
    lines = ['{"c": "approve"}', '{"c": "\\u00e9"}', '{"c": "é"}', '{"c": "a\\"b"}', '{"c": true}', '{"c": 1}',
             '{"c": 1.5}', '{"c": null}', "{}", '{"c": 9223372036854775808}', '{"c":  false }']
    records = tmp_path / "r.jsonl"
    records.write_text("".join(line + "\n" for line in lines * 2), encoding="utf-8")
    no_group_by(monkeypatch)
    assert parity(records, schema, quality, baseline).drift[0].psi is not None


@pytest.mark.parametrize("text", ['"other"', "1.0", '"1"', "[1]", '{"k": 1}', "-0", "1e0", '"true"', "2.50"])
def test_values_outside_the_baseline_categories_are_counted_by_value(tmp_path, text):
    schema = {"type": "object", "properties": {"c": {"enum": CATEGORIES}}}
    quality = Quality.model_validate({"drift": {"psi_max": {"c": 0.2}}})
    baseline = baseline_file(tmp_path / "b.json", schema, quality, [{"c": v} for v in CATEGORIES for _ in range(2)])
    records = tmp_path / "r.jsonl"
    lines = ['{"c": "approve"}', '{"c": 1}', '{"c": ' + text + "}", '{"c": [1]}']
    records.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    parity(records, schema, quality, baseline)


@pytest.mark.parametrize("strings_only", [True, False])
def test_a_folded_baseline_counts_the_values_outside_it_as_one(tmp_path, monkeypatch, strings_only):
    """A baseline file that kept its top categories and folded the rest into one: the candidate's values outside
    them are counted together, in the aggregate when its categories are strings (no GROUP BY)."""
    monkeypatch.setattr(baseline_module, "TOP_K", 3)
    values = ["a", "b", "c", "d", "e"] if strings_only else ["a", "b", 7, "d", "e"]
    schema = {"type": "object", "properties": {"c": {"enum": [*values, "zz", 7.0, None]}}}
    quality = Quality.model_validate({"drift": {"psi_max": {"c": 0.2}}})
    base = [{"c": v} for i, v in enumerate(values) for _ in range(10 - i)]
    baseline = baseline_file(tmp_path / "b.json", schema, quality, base)
    assert json.loads(baseline.read_text())["fields"]["c"]["other"] == 13
    records = write_jsonl(tmp_path / "r.jsonl", [{"c": v} for v in ["a", "a", "b", "e", "zz", 7, 7.0, None, "c"]])
    if strings_only:
        no_group_by(monkeypatch)
    parity(records, schema, quality, baseline)


def test_categorical_drift_of_typed_columns(tmp_path, monkeypatch):
    schema = {"type": "object", "properties": {"s": {"type": "string"}, "b": {"type": "boolean"},
                                               "i": {"enum": [1, 2, 2**60]}, "f": {"enum": [0.5, 0.0]}}}
    quality = Quality.model_validate({"drift": {"psi_max": dict.fromkeys("sbif", 0.2)}})
    rows = [{"s": s, "b": b, "i": i, "f": f} for s, b, i, f in
            [("x", True, 1, 0.5), ("é", False, 2, 0.0), (None, None, None, None), ("x", True, 2**60, 0.5)]]
    baseline = baseline_file(tmp_path / "b.json", schema, quality, rows * 3)
    records = tmp_path / "r.parquet"
    candidate = [*rows, {"s": "y", "b": True, "i": 3, "f": -0.0}, {"s": "x", "b": False, "i": 1, "f": float("nan")}]
    pq.write_table(pa.Table.from_pylist(candidate), records)
    parity(records, schema, quality, baseline)
    pq.write_table(pa.Table.from_pylist(rows), records)  # no value outside s's and b's categories, nor i's counted
    calls = []
    monkeypatch.setattr(engine_compile, "categories", lambda table, name, kind: calls.append(name) or
                        categories(table, name, kind))
    parity(records, schema, quality, baseline)
    assert sorted(calls) == ["f", "i"]  # floats are counted by value (-0.0 equals 0.0 in SQL), and 2**60 too


NO_ARROW = """
import json, sys
from bot.manifests.models import Quality
from bot.verify import Expected
from bot.verify.engine.run import verify_files
schema, quality, records, baseline = json.loads(sys.argv[1])
result = verify_files(Expected(schema, Quality.model_validate(quality), "c@1"), records, baseline)
assert result.invalid and result.examples and result.drift[1].psi is not None, result
print(sorted(m for m in ("pyarrow", "pandas", "numpy") if m in sys.modules))
"""


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_json_lines_and_csv_are_read_without_arrow(tmp_path, kind):
    """Every query's rows (the aggregate, the rows the validator judges, the examples, a GROUP BY of categories)
    come through DuckDB's cursor: pyarrow and pandas are not imported."""
    candidate = [*planted_records(), {"transaction_id": "t", "score": 0.5, "route": "elsewhere"}]
    records = write_jsonl(tmp_path / "r.jsonl", candidate)
    if kind == "csv":
        records = tmp_path / "r.csv"
        with records.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, ["transaction_id", "score", "model_version", "route"],
                                    extrasaction="ignore")
            writer.writeheader()
            writer.writerows(candidate)
    baseline = write_jsonl(tmp_path / "b.jsonl", baseline_records())
    schema = {**SCHEMA, "properties": {**SCHEMA["properties"], "transaction_id": {"type": "string", "format": "x",
                                                                                  "not": {"const": "t"}}}}
    arguments = json.dumps([schema, QUALITY.model_dump(mode="json", by_alias=True), str(records), str(baseline)])
    done = subprocess.run([sys.executable, "-c", NO_ARROW, arguments], capture_output=True, text=True,
                          cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_planted_sample_gives_the_reference_result(tmp_path):
    records = write_jsonl(tmp_path / "records.jsonl", planted_records())
    baseline = write_jsonl(tmp_path / "baseline.jsonl", baseline_records())
    engine = parity(records, SCHEMA, QUALITY, baseline, examples=100)
    assert engine.invalid == len(PLANTED)
    assert engine.checked_per_row == ("reason_codes: items",)


def test_a_malformed_line_after_the_first_is_read_by_the_reference(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"a": 1}\n{"a": \n{"a": "x"}\n', encoding="utf-8")
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    result = verify_files(Expected(schema, None, "c@1"), path)
    assert (result.records, result.invalid) == (3, 2)
    assert "read by the Python reference reader" in result.notes[0]


def test_a_file_that_is_not_json_lines(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text("\n\nid,score\n1,2\n", encoding="utf-8")
    with pytest.raises(RecordsError, match=r"r\.jsonl: line 3: not JSON Lines"):
        verify_files(Expected({"type": "object"}, None, "c@1"), path)


def test_a_table_source_with_a_key_column(tmp_path):
    import ibis

    from bot.verify.engine import Source
    from bot.verify.engine.run import verify_source

    rows = [{"id": f"tx-{i}", "score": [0.5, 1.5, None, 0.25][i % 4], "n": i} for i in range(12)]
    path = tmp_path / "r.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    schema = {"type": "object", "properties": {"id": {"type": "string"}, "score": {"type": "number", "maximum": 1},
                                               "n": {"type": "integer", "multipleOf": 5}}, "required": ["score"]}
    quality = Quality.model_validate({"null_rate_max": {"score": 0.1}})
    backend = ibis.duckdb.connect()
    table = backend.create_table("scores", pa.Table.from_pylist(rows))
    source = Source(backend, table, "scores", "ordinal", tabular=True, key="id")
    engine = verify_source(Expected(schema, quality, "c@1"), source, examples=4)
    reference = verify_records(Expected(schema, quality, "c@1"), path, examples=4)
    assert (engine.records, engine.invalid, engine.null_rates) == (reference.records, reference.invalid,
                                                                   reference.null_rates)
    assert [(e.record, e.path, e.reason) for e in engine.examples] == [
        (e.record, e.path, e.reason) for e in reference.examples]  # a row's ordinal is its row here
    assert [e.key for e in engine.examples] == ["tx-1", "tx-1", "tx-2", "tx-2"]
    assert engine.to_json()["examples"][0] == {"record": 2, "path": "#/score", "key": "tx-1",
                                               "reason": "1.5 is greater than the maximum of 1"}


def test_fields_measured_but_not_in_the_schema(tmp_path):
    baseline = write_jsonl(tmp_path / "b.jsonl", [{"x": i % 7, "c": "ab"[i % 2]} for i in range(50)])
    records = write_jsonl(tmp_path / "r.jsonl", [{"x": i % 3, "c": "a", "n": None} for i in range(40)])
    quality = Quality.model_validate({"null_rate_max": {"n": 0.5}, "drift": {"psi_max": {"x": 0.1, "c": 0.1}}})
    engine = parity(records, {"type": "object"}, quality, baseline)
    assert [d.psi is not None for d in engine.drift] == [True, True]
    assert engine.null_rates[0].value == 1.0


# The engine's fast paths over JSON texts (a value's type from its first byte, numbers cast only when they are
# numbers, the drift bins as one index a row, the guard as one comparison) against the reference.
# JSON texts of every type, in the forms a writer may give them: exponents, a negative zero, numbers beyond a
# double or an int64, a whole number written with a fraction, escapes, non-ASCII text, whitespace inside
TEXTS = ["0", "-0", "-0.0", "1", "1.0", "1E2", "1e2", "1.5e-3", "-7", "1e400", "-1e400", "1e-400",
         "9007199254740993", "18446744073709551615", "18446744073709551616", "123456789012345678901234567890",
         "-9223372036854775809", '""', '"x"', '"approve"', '"appr\\u006fve"', '"\\u00e9t\\u00e9"', '"a\\"b"',
         '"tab\\there"', '"\\/"', '"é"', '"😀"', "true", "false", "null", "[]", "[1, 2]", "{}", '{"k": [1]}',
         '  "spaced"  ', "\t3\t"]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


TEXT_SCHEMAS: list[dict[str, Any]] = [
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


@pytest.mark.parametrize("field", TEXT_SCHEMAS, ids=[str(i) for i in range(len(TEXT_SCHEMAS))])
def test_json_texts_of_every_form(tmp_path: Path, field: dict[str, Any]) -> None:
    records = write_lines(tmp_path / "r.jsonl", [f'{{"a": {text}, "b": {text}}}' for text in TEXTS] + ['{"b": 1}'])
    schema = {"type": "object", "properties": {"a": field, "b": {}}, "required": ["b"]}
    quality = Quality.model_validate({"null_rate_max": {"a": 0.5}})
    parity(records, schema, quality, examples=50)


def test_drift_of_json_texts(tmp_path: Path) -> None:
    """Numeric bins and categories over every form (the baseline's categories and others, numbers in bins)."""
    base = write_lines(tmp_path / "b.jsonl", [f'{{"n": {t}, "c": {t}}}' for t in ("0.5", "1", "2", '"x"', '"é"', "true")
                                         for _ in range(3)])
    records = write_lines(tmp_path / "r.jsonl", [f'{{"n": {t}, "c": {t}}}' for t in TEXTS])
    schema = {"type": "object", "properties": {"n": {}, "c": {}}}
    quality = Quality.model_validate({"drift": {"psi_max": {"n": 0.2, "c": 0.2}}})
    parity(records, schema, quality, base)
