"""Files and globs of records opened in DuckDB (bot.verify.engine.files) and verified (verify_files): record numbers
of examples are each file's own, and every file that cannot be read is one clear RecordsError."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bot.verify import Expected, RecordsError, verify_records
from bot.verify.engine.run import verify_files
from bot.verify.readers import Limits

SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}, "score": {"type": "number", "maximum": 1}},
          "required": ["id"]}
EXPECTED = Expected(SCHEMA, None, "c@1")


def jsonl(path, records, blank_after=()):
    lines = []
    for i, record in enumerate(records, 1):
        lines.append(json.dumps(record) + "\n")
        if i in blank_after:
            lines.append("\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_a_glob_is_verified_as_one_source_with_each_files_line_numbers(tmp_path):
    jsonl(tmp_path / "a.jsonl", [{"id": 1, "score": 0.5}, {"id": 2, "score": 2}], blank_after=(1,))
    jsonl(tmp_path / "b.jsonl", [{"id": 3}, {"id": 4}, {"score": 0.1}])
    result = verify_files(EXPECTED, tmp_path / "*.jsonl")
    assert (result.records, result.invalid) == (5, 2)
    assert [(e.record, e.path, e.file) for e in result.examples] == [(3, "#/score", str(tmp_path / "a.jsonl")),
                                                                     (3, "#", str(tmp_path / "b.jsonl"))]
    alone = [verify_records(EXPECTED, tmp_path / name) for name in ("a.jsonl", "b.jsonl")]
    assert [(e.record, e.path, e.reason) for r in alone for e in r.examples] == [
        (e.record, e.path, e.reason) for e in result.examples]
    assert verify_files(EXPECTED, tmp_path / "a.jsonl").examples == alone[0].examples  # one file: no file named


def test_line_numbers_past_a_file_without_records(tmp_path):
    """Each file's first row is found by the one aggregate (a file without records has none)."""
    jsonl(tmp_path / "a.jsonl", [{"id": 1}, {"id": "x"}])
    (tmp_path / "b.jsonl").write_text("\n\n", encoding="utf-8")
    jsonl(tmp_path / "c.jsonl", [{"id": 2}, {"id": 3}, {"id": 4, "score": 5}], blank_after=(1,))
    (tmp_path / "link").symlink_to(tmp_path, target_is_directory=True)
    result = verify_files(EXPECTED, tmp_path / "link" / "*.jsonl")
    assert (result.records, result.invalid) == (5, 2)
    assert [(e.record, e.path) for e in result.examples] == [(2, "#/id"), (4, "#/score")]


def test_a_recursive_glob(tmp_path):
    (tmp_path / "day=1").mkdir()
    jsonl(tmp_path / "day=1" / "part.jsonl", [{"id": 1}])
    jsonl(tmp_path / "top.jsonl", [{"id": "x"}])
    result = verify_files(EXPECTED, f"{tmp_path}/**/*.jsonl")
    assert (result.records, result.invalid) == (2, 1)


def test_a_glob_of_parquet_files_numbers_rows_per_file(tmp_path):
    pq.write_table(pa.table({"id": [1, 2], "score": [0.1, 0.2]}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"id": [3, 4], "score": [0.3, 7.0]}), tmp_path / "b.parquet")
    result = verify_files(EXPECTED, tmp_path / "*.parquet")
    assert (result.records, result.invalid) == (4, 1)
    assert [(e.record, e.path, e.file) for e in result.examples] == [(2, "#/score", str(tmp_path / "b.parquet"))]


def test_a_glob_of_csv_files(tmp_path):
    (tmp_path / "a.csv").write_text("id,score\n1,0.5\n2,x\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("id,score\n\n3,9\n", encoding="utf-8")
    result = verify_files(EXPECTED, tmp_path / "*.csv")
    assert (result.records, result.invalid) == (3, 2)
    assert [(e.record, e.path) for e in result.examples] == [(3, "#/score"), (3, "#/score")]


@pytest.mark.parametrize(("files", "pattern", "message"), [
    ({}, "*.jsonl", r"\*\.jsonl: no file matches"),
    ({}, "missing.jsonl", r"missing\.jsonl: no such file"),
    ({"a.jsonl": '{"id": 1}\n', "b.csv": "id\n1\n"}, "*.*", "different formats"),
    ({"a.jsonl": '{"id": 1}\n', "b.jsonl": "\n id,score\n"}, "*.jsonl", r"b\.jsonl: line 2: not JSON Lines"),
    ({"a.csv": "id\n1\n", "b.csv": "id,score\n1,2\n"}, "*.csv", "different headers"),
    ({"a.jsonl": '{"id": 1}\n{"id": \n', "b.jsonl": '{"id": 1}\n'}, "*.jsonl", "DuckDB cannot read one of the files"),
    ({"r.txt": "{}\n"}, "r.txt", "unknown format '.txt'"),
])
def test_files_that_cannot_be_verified_are_records_errors(tmp_path, files, pattern, message):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(RecordsError, match=message):
        verify_files(EXPECTED, tmp_path / pattern)


def test_parquet_files_of_different_columns(tmp_path):
    pq.write_table(pa.table({"id": [1]}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"id": [1], "score": [0.5]}), tmp_path / "b.parquet")
    with pytest.raises(RecordsError, match=r"b\.parquet: its columns are not those of a\.parquet \(score \(double\) "
                                           r"only here\); verify files of different columns one at a time$"):
        verify_files(EXPECTED, tmp_path / "*.parquet")


def test_parquet_files_whose_column_types_differ_are_refused_not_widened(tmp_path):
    pq.write_table(pa.table({"id": ["1", "x"], "score": [0.5, 0.2]}), tmp_path / "a.parquet")  # ids as text
    pq.write_table(pa.table({"id": [2, 3], "score": [0.1, 0.3]}), tmp_path / "b.parquet")
    with pytest.raises(RecordsError, match=r"b\.parquet: its columns are not those of a\.parquet \(id: int64 here, "
                                           r"string there\); verify files of different columns one at a time$"):
        verify_files(EXPECTED, tmp_path / "*.parquet")


def test_parquet_files_of_the_same_types_however_encoded_are_one_source(tmp_path):
    pq.write_table(pa.table({"id": [1, 2], "band": pa.array(["a", "b"]).dictionary_encode()}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"id": [3], "band": pa.array(["c"], pa.large_string())}), tmp_path / "b.parquet")
    result = verify_files(EXPECTED, tmp_path / "*.parquet")
    assert (result.records, result.invalid) == (3, 0)


def test_each_file_is_bounded(tmp_path):
    jsonl(tmp_path / "a.jsonl", [{"id": 1}])
    jsonl(tmp_path / "b.jsonl", [{"id": i} for i in range(50)])
    with pytest.raises(RecordsError, match=r"b\.jsonl: \d+ bytes, over the limit of 100 bytes per file"):
        verify_files(EXPECTED, tmp_path / "*.jsonl", limits=Limits(max_bytes=100))
    pq.write_table(pa.table({"id": list(range(1000))}), tmp_path / "big.parquet")
    with pytest.raises(RecordsError, match=r"big\.parquet: its row groups declare [\d,]+ bytes, over the limit"):
        verify_files(EXPECTED, tmp_path / "big.parquet", limits=Limits(max_bytes=100))


def test_a_non_object_line_is_an_invalid_record(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": 1}\n[1, 2]\n"x"\n{"id": 2}\n', encoding="utf-8")
    reference, engine = verify_records(EXPECTED, path), verify_files(EXPECTED, path)
    assert (engine.records, engine.invalid, engine.examples) == (reference.records, reference.invalid,
                                                                 reference.examples) == (4, 2, engine.examples)


def test_a_schema_without_fields_still_checks_each_line_is_an_object(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": 1}\n5\n{}\n', encoding="utf-8")
    for schema, invalid in (({"type": "object"}, 1), ({"minProperties": 1}, 1), ({}, 0)):
        expected = Expected(schema, None, "c@1")
        engine, reference = verify_files(expected, path), verify_records(expected, path)
        assert (engine.records, engine.invalid, engine.examples) == (reference.records, reference.invalid,
                                                                     reference.examples)
        assert engine.invalid == invalid


def test_a_key_twice_in_a_record_is_read_by_the_reference(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": 1, "score": 0.5}\r\n{"id": 2, "score": 5, "score": 0.5}\r\n', encoding="utf-8")
    for schema in (SCHEMA, {**SCHEMA, "additionalProperties": False}):  # read as columns; read whole
        expected = Expected(schema, None, "c@1")
        engine, reference = verify_files(expected, path), verify_records(expected, path)
        assert (engine.records, engine.invalid) == (reference.records, reference.invalid) == (2, 0)
        assert "read by the Python reference reader" in engine.notes[0]


def test_a_symbolic_link_among_the_files_is_refused_not_followed(tmp_path):
    secret = tmp_path / "secret.jsonl"
    jsonl(secret, [{"id": 1, "score": 7}])
    (tmp_path / "out").mkdir()
    jsonl(tmp_path / "out" / "a.jsonl", [{"id": 1, "score": 0.5}])
    (tmp_path / "out" / "b.jsonl").symlink_to(secret)
    for pattern in (tmp_path / "out" / "b.jsonl", f"{tmp_path}/out/*.jsonl"):
        with pytest.raises(RecordsError, match=r"b\.jsonl: a symbolic link; give the file itself$"):
            verify_files(EXPECTED, pattern)


def test_the_note_of_a_file_duckdb_cannot_read_holds_no_environment_secret(tmp_path, monkeypatch):
    folder = tmp_path / "hunter2-s3cret"  # DuckDB's message names the file, and so this
    folder.mkdir()
    monkeypatch.setenv("MG_API_TOKEN", folder.name)
    path = jsonl(folder / "a.jsonl", [{"id": 1, "score": 0.5}] * 5)
    path.write_text(path.read_text() + "{bad\n" + json.dumps({"id": 2, "score": 0.2}) + "\n")
    result = verify_files(EXPECTED, path)
    assert (result.records, result.invalid) == (7, 1)
    assert result.notes[0].startswith("a.jsonl: read by the Python reference reader, record by record: DuckDB "
                                      "cannot read it (Malformed JSON")
    assert "hunter2" not in result.notes[0]


def test_a_line_nested_too_deeply_is_an_invalid_record_on_both_engines(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": 1, "score": 0.5}) + '\n{"id": 2, "score":' + "[" * 5000 + "]" * 5000 + "}\n"
                    + json.dumps({"id": 3, "score": 0.2}) + "\n")
    engine, reference = verify_files(EXPECTED, path), verify_records(EXPECTED, path)
    assert (engine.records, engine.invalid, engine.examples) == (reference.records, reference.invalid,
                                                                 reference.examples)
    assert (engine.records, engine.invalid) == (3, 1)
    assert engine.examples[0].record == 2
    assert engine.examples[0].reason == "not valid JSON: nested deeper than 256 levels"
    assert "line 2 nests deeper than 256 levels" in engine.notes[0]


def test_a_csv_cell_of_digits_that_are_not_ascii_is_a_string_on_both_engines(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,score\n1\u0660\u0660,0.5\n2,0.\u0665\n3,0.25\n", encoding="utf-8")
    engine, reference = verify_files(EXPECTED, path), verify_records(EXPECTED, path)
    assert (engine.records, engine.invalid, engine.examples) == (reference.records, reference.invalid,
                                                                 reference.examples)
    assert (reference.invalid, [e.record for e in reference.examples]) == (2, [2, 3])


def test_a_glob_of_mixed_formats_names_the_odd_files_and_the_formats(tmp_path):
    for i in range(3):
        pq.write_table(pa.table({"id": [i]}), tmp_path / f"part-{i}.parquet")
    (tmp_path / "x.csv").write_text("id\n1\n", encoding="utf-8")
    with pytest.raises(RecordsError, match=rf"^{tmp_path}/x\.csv is CSV and the other 3 files are Parquet: the files "
                                           r"are of different formats; verify one format at a time$"):
        verify_files(EXPECTED, tmp_path / "*")
    jsonl(tmp_path / "y.jsonl", [{"id": 1}])
    with pytest.raises(RecordsError, match=r"x\.csv is CSV, .*y\.jsonl is JSON Lines and the other 3 files are "
                                           r"Parquet"):
        verify_files(EXPECTED, tmp_path / "*")


ONE_COLUMN = {"type": "object", "properties": {"score": {"type": "number"}}, "required": ["score"]}


@pytest.mark.parametrize(("text", "read", "bad"), [
    ("score\n0.5\n\n", 1, []),  # a trailing blank line: no record (DuckDB read a row of NULL)
    ("score\n0.5\n\n\n0.2\n", 2, []),
    ('score\n0.5\n""\n\n0.2\n"x"\n', 4, [3, 6]),  # a quoted empty cell is a record of a null; "x" a string
    ("score\r\n0.5\r\n\r\n\"\"\r\n", 2, [4]),
    ('score\n"a\n\nb"\n\n0.1\n', 2, [2]),  # a blank line inside a quoted cell is the cell's
    ("id,score\n1,0.5\n\n2,0.2\n,\n", 3, [5]),  # several columns: DuckDB skips the blank line too
    ('id,score\n1,0.5\n"",""\n', 2, [3]),
])
def test_csv_blank_lines_are_no_records_on_both_engines(tmp_path, text, read, bad):
    path = tmp_path / "a.csv"
    path.write_bytes(text.encode())
    expected = Expected(ONE_COLUMN, None, "c@1")
    engine, reference = verify_files(expected, path), verify_records(expected, path)
    assert (engine.records, engine.invalid, engine.examples) == (reference.records, reference.invalid,
                                                                 reference.examples)
    assert (reference.records, sorted({e.record for e in reference.examples})) == (read, bad)


def test_a_glob_of_one_column_csv_files_with_blank_lines_keeps_each_files_line_numbers(tmp_path):
    (tmp_path / "a.csv").write_text("score\n\n0.5\n\n")
    (tmp_path / "b.csv").write_text('score\n0.1\n\n""\n')
    result = verify_files(Expected(ONE_COLUMN, None, "c@1"), tmp_path / "*.csv")
    assert (result.records, result.invalid) == (3, 1)
    assert [(e.record, e.path) for e in result.examples] == [(4, "#/score")]
