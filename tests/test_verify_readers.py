"""Readers of JSON Lines, CSV and Parquet: batches, line numbers, coercion, and every bad input."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bot.verify import readers
from bot.verify.readers import DEFAULT_LIMITS, MAX_DEPTH, Limits, Records, RecordsError, coercer

SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "score": {"type": "number"},
        "count": {"type": "integer"},
        "flag": {"type": ["boolean", "null"]},
        "codes": {"type": "array"},
    },
    "required": ["id"],
}


def rows(path, schema=SCHEMA, batch_size=4096, limits=DEFAULT_LIMITS):
    records = Records(path, schema, batch_size=batch_size, limits=limits)
    return [row for batch in records.batches() for row in batch], records.notes


def test_json_lines_in_bounded_batches(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text("".join(f'{{"id": "{i}"}}\n' for i in range(10)))
    batches = list(Records(path, SCHEMA, batch_size=4).batches())
    assert [len(b) for b in batches] == [4, 4, 2]
    assert [row[0] for b in batches for row in b] == list(range(1, 11))


def test_json_lines_problems_keep_their_line_numbers(tmp_path):
    path = tmp_path / "r.ndjson"
    path.write_bytes(b'{"id": "a"}\n\n   \n{"id": \n{"id": "b", "score": Infinity}\n\xc3\x28\n{"id": "c"}')
    found, notes = rows(path)
    assert [(n, problem is None) for n, _, problem in found] == [(1, True), (4, False), (5, False), (6, False),
                                                                 (7, True)]
    assert found[1][2] == "not valid JSON: Expecting value at column 9"
    assert found[2][2] == "not valid JSON: Infinity is not a JSON value"
    assert notes == []


def nested(depth: int) -> str:
    return '{"id": "x", "codes": ' + "[" * depth + "]" * depth + "}"


def test_a_json_line_nested_too_deeply_is_an_invalid_record_not_a_recursion_error(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(['{"id": "a"}', nested(5000), nested(MAX_DEPTH - 1), nested(MAX_DEPTH),
                               '{"id": "b", "codes": ["' + "[" * 5000 + '"]}']) + "\n")
    found, _ = rows(path)
    assert [(n, problem) for n, _, problem in found] == [
        (1, None), (2, f"not valid JSON: nested deeper than {MAX_DEPTH} levels"), (3, None), (4, f"not valid JSON: "
        f"nested deeper than {MAX_DEPTH} levels"), (5, None)]  # the id's object is a level: codes at 256 is past it
    first = tmp_path / "first.jsonl"
    first.write_text(nested(5000) + "\n")
    with pytest.raises(RecordsError, match=r"line 1: not JSON Lines: its first record is not valid JSON: nested "
                                           r"deeper than 256 levels$"):
        rows(first)


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
def test_the_first_deep_line_is_found_in_blocks_of_any_size(tmp_path, monkeypatch, block):
    monkeypatch.setattr(readers, "SCAN_BLOCK", block)
    deep = "[" * 300 + "]" * 300
    path = tmp_path / "r.jsonl"
    for text, line in [("{}\n" * 5 + deep + "\n{}\n", 6), ("{}\n" * 5 + deep, 6), ("{}\n" * 5, None), (deep, 1),
                       (nested(MAX_DEPTH - 1) + "\n" + '"' + "[" * 400 + '"\n', None)]:
        path.write_text(text)
        assert readers.first_deep_line(path) == line
    path.write_text("{}\n" + "x" * 700 + "\n" + deep + "\n")  # a line over the record limit is not held
    assert readers.first_deep_line(path, Limits(max_record_bytes=650)) == 3


def test_a_csv_cell_nested_too_deeply_stays_a_string(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('id,codes\na,"' + "[" * 5000 + "]" * 5000 + '"\nb,[[1]]\n')
    found, _ = rows(path)
    assert [record["codes"] for _, record, _ in found] == ["[" * 5000 + "]" * 5000, [[1]]]


def test_csv_coerces_by_the_schema_types(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('\ufeffid,score,count,flag,codes,other\n'
                    '007,0.5,3,true,"[""A"", ""B""]",12\n'
                    'x,1,-2,False,[],\n'
                    'y,abc,1.5,maybe,[oops,\n', encoding="utf-8")
    found, notes = rows(path)
    assert [r for _, r, _ in found] == [
        {"id": "007", "score": 0.5, "count": 3, "flag": True, "codes": ["A", "B"], "other": "12"},
        {"id": "x", "score": 1, "count": -2, "flag": False, "codes": [], "other": None},
        {"id": "y", "score": "abc", "count": "1.5", "flag": "maybe", "codes": "[oops", "other": None},
    ]
    assert [n for n, _, _ in found] == [2, 3, 4]
    assert notes == []


def test_csv_header_lacking_schema_fields_is_noted(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("score\n0.1\n")
    found, notes = rows(path)
    assert found == [(2, {"score": 0.1}, None)]
    assert notes == ["r.csv: the CSV header has no column for id, count, flag, codes; every record misses these fields"]


def test_csv_ragged_rows_and_multiline_cells(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('id,score\n"multi\nline",0.1\n\na,0.2,extra\nb,0.3\n')
    found, _ = rows(path)
    assert [(n, r, p) for n, r, p in found] == [
        (2, {"id": "multi\nline", "score": 0.1}, None),
        (5, None, "the row has 3 cells, the header 2"),
        (6, {"id": "b", "score": 0.3}, None),
    ]


def test_csv_not_utf8_is_a_records_error(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"id\n" + b"a\n" * 3 + b"\xff\xfe\n")
    with pytest.raises(RecordsError, match=r"r\.csv: line 5: not UTF-8 text"):
        rows(path)


@pytest.mark.parametrize("name", ["e.jsonl", "e.csv"])
def test_empty_files_hold_no_records(tmp_path, name):
    (tmp_path / name).write_text("")
    assert rows(tmp_path / name) == ([], [])


def test_parquet_rows_and_casts(tmp_path):
    path = tmp_path / "r.parquet"
    table = pa.table({"id": ["a", "b", None], "score": [0.1, None, 0.3], "count": [1, 2, 3],
                      "codes": [["A"], [], None], "at": pa.array([0, 1, 2], pa.timestamp("s"))})
    pq.write_table(table, path, row_group_size=2)
    found, notes = rows(path, batch_size=2)
    assert [n for n, _, _ in found] == [1, 2, 3]
    assert found[0][1] == {"id": "a", "score": 0.1, "count": 1, "codes": ["A"], "at": "1970-01-01 00:00:00.000"}
    assert notes == ["r.parquet: the Parquet file has no column for flag; every record misses these fields"]


def test_parquet_columns_contradicting_the_schema_are_noted(tmp_path):
    path = tmp_path / "r.parquet"
    pq.write_table(pa.table({"id": [1, 2], "score": [1, 2], "count": [1.0, 2.0], "flag": [True, None],
                             "codes": ["x", "y"]}), path)
    _, notes = rows(path)
    assert notes == [
        "r.parquet: column id holds int64 values; the schema says string: records with a value there are invalid",
        "r.parquet: column codes holds string values; the schema says array: records with a value there are invalid",
    ]


def test_parquet_empty_and_not_parquet(tmp_path):
    path = tmp_path / "e.parquet"
    pq.write_table(pa.table({"id": pa.array([], pa.string())}), path)
    assert rows(path, {"type": "object"}) == ([], [])
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    with pytest.raises(RecordsError, match=r"bad\.parquet: not a readable Parquet file"):
        rows(bad)


def test_parquet_without_pyarrow_is_a_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "r.parquet"
    pq.write_table(pa.table({"id": ["a"]}), path)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(RecordsError, match=r"reading Parquet needs pyarrow: pip install 'modelgate-ci\[parquet\]'"):
        rows(path)


def test_unusable_paths(tmp_path):
    with pytest.raises(RecordsError, match="no such file"):
        Records(tmp_path / "missing.csv", SCHEMA)
    with pytest.raises(RecordsError, match=r"unknown format '\(no extension\)'"):
        Records(tmp_path / "records", SCHEMA)
    (tmp_path / "dir.jsonl").mkdir()
    with pytest.raises(RecordsError, match=r"dir\.jsonl: not a regular file \(a directory\)$"):
        Records(tmp_path / "dir.jsonl", SCHEMA)
    os.mkfifo(tmp_path / "fifo.csv")  # never opened: a read of a FIFO waits for a writer
    with pytest.raises(RecordsError, match=r"fifo\.csv: not a regular file \(a FIFO\)$"):
        Records(tmp_path / "fifo.csv", SCHEMA)
    (tmp_path / "outputs").mkdir()  # what is there is said before what its name's extension is not
    with pytest.raises(RecordsError, match=r"outputs: not a regular file \(a directory\)$"):
        Records(tmp_path / "outputs", SCHEMA)


@pytest.mark.parametrize("target", ["secret.txt", "/proc/self/environ", "missing"])
def test_a_records_file_that_is_a_symbolic_link_is_refused_not_followed(tmp_path, target):
    (tmp_path / "secret.txt").write_text("score\nPGPASSWORD=hunter2\n")
    link = tmp_path / "scores.csv"
    link.symlink_to(target if target.startswith("/") else tmp_path / target)
    with pytest.raises(RecordsError, match=r"scores\.csv: a symbolic link; give the file itself$"):
        Records(link, SCHEMA)


@pytest.mark.parametrize(("types", "cell", "value"), [
    (frozenset({"integer"}), "12", 12),
    (frozenset({"integer"}), "012", "012"),
    (frozenset({"number"}), "1e3", 1000.0),
    (frozenset({"number"}), "nan", "nan"),
    (frozenset({"integer"}), "1\u0660\u0660", "1\u0660\u0660"),  # Arabic-Indic zeros: DuckDB reads no number there
    (frozenset({"number"}), "1.5e\u0663", "1.5e\u0663"),
    (frozenset({"number"}), "\uff11\uff12", "\uff11\uff12"),  # fullwidth digits
    (frozenset({"boolean"}), "TRUE", True),
    (frozenset({"string"}), "", None),
    (frozenset({"object"}), '{"a": 1}', {"a": 1}),
    (frozenset(), "12", "12"),
])
def test_coercer(types, cell, value):
    assert coercer(types)(cell) == value


# Bounds: a small hostile file cannot take the memory or time a large one would (issue 19, item 10).

def repeated(value, n):
    """``value`` n times as a dictionary-encoded Arrow array, built without expanding it."""
    return pa.DictionaryArray.from_arrays(pa.array([0] * n, pa.int32()), pa.array([value]))


def hostile_parquet(path, rows=1500, cell=1 << 20):
    """The reported attack: one 1 MiB string, dictionary-encoded, in every one of 1,500 rows (about 500 bytes)."""
    pq.write_table(pa.table({"id": repeated("x" * cell, rows)}), path, compression="zstd")
    return path


def test_a_dictionary_bomb_in_parquet_is_refused_with_bounded_memory(tmp_path):
    path = hostile_parquet(tmp_path / "bomb.parquet")
    assert path.stat().st_size < 1000
    records = Records(path, SCHEMA)
    arrow_peak = read = 0
    with pytest.raises(RecordsError) as refused:
        for batch in records.batches():
            arrow_peak = max(arrow_peak, pa.total_allocated_bytes())
            read += len(batch)
    assert str(refused.value) == f"{path}: row 1024: over 1 GiB decoded, the limit per file"
    assert arrow_peak < 8 << 20  # the column stays dictionary-encoded in Arrow: 1 MiB once, not 1.5 GB
    assert read <= 1023  # and the rows reach Python a few at a time (32 MiB of them)


def test_the_per_file_limit_is_a_parameter(tmp_path):
    path = hostile_parquet(tmp_path / "bomb.parquet")
    with pytest.raises(RecordsError, match=r"bomb\.parquet: row 8: over 8 MiB decoded, the limit per file"):
        rows(path, limits=Limits(max_bytes=8 << 20))


def test_a_parquet_row_over_the_record_limit_is_refused(tmp_path):
    path = tmp_path / "lists.parquet"  # each row a list of 20,000 uses of one 1 KiB string: 20 MB a row
    lists = pa.ListArray.from_arrays(pa.array(range(0, 50 * 20_000 + 1, 20_000), pa.int32()),
                                     repeated("y" * 1024, 50 * 20_000))
    pq.write_table(pa.table({"codes": lists}), path, compression="zstd")
    with pytest.raises(RecordsError, match=r"lists\.parquet: row 1: 20,640,008 bytes decoded, over the limit of "
                                           r"16 MiB per record"):
        rows(path)


def test_parquet_row_groups_declaring_too_much_are_refused_before_reading(tmp_path):
    path = tmp_path / "big.parquet"
    pq.write_table(pa.table({"id": ["x" * (1 << 20)] * 4}), path, compression="zstd", use_dictionary=False)  # 4 MiB
    with pytest.raises(RecordsError, match=r"big\.parquet: its row groups declare 4,194,\d+ bytes, over the limit of "
                                           r"2 MiB per file"):
        Records(path, SCHEMA, limits=Limits(max_bytes=2 << 20)).batches().__next__()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open descriptors in /proc/self/fd")
def test_a_refused_parquet_file_leaves_no_descriptor_open(tmp_path):
    path = tmp_path / "big.parquet"  # refused by its footer, after the file was opened to read it
    pq.write_table(pa.table({"id": ["x" * 4096] * 4}), path, use_dictionary=False)
    before = len(list(Path("/proc/self/fd").iterdir()))
    kept = []  # the errors are kept, as a caller that reports them later does: their tracebacks hold the frames
    for _ in range(20):
        with pytest.raises(RecordsError, match="row groups declare") as refused:
            Records(path, SCHEMA, limits=Limits(max_bytes=1024)).batches().__next__()
        kept.append(refused.value)
    assert len(list(Path("/proc/self/fd").iterdir())) == before


def test_nested_and_dictionary_parquet_columns_read_as_plain_values(tmp_path):
    path = tmp_path / "nested.parquet"
    table = pa.table({"id": pa.array(["a", "b", None]).dictionary_encode(),
                      "codes": [["A", "B"], None, []],
                      "attrs": pa.array([[("k", 1)], [], None], pa.map_(pa.string(), pa.int64())),
                      "meta": [{"src": "s1", "n": 1}, None, {"src": None, "n": 2}],
                      "pair": pa.array([[1, 2], None, [3, 4]], pa.list_(pa.int64(), 2)),
                      "amount": pa.array(["1.50", "2", None]).cast(pa.decimal128(5, 2))})
    pq.write_table(table, path)
    found, notes = rows(path, batch_size=2)
    assert [r for _, r, _ in found] == [
        {"id": "a", "codes": ["A", "B"], "attrs": [("k", 1)], "meta": {"src": "s1", "n": 1}, "pair": [1, 2],
         "amount": 1.5},
        {"id": "b", "codes": None, "attrs": [], "meta": None, "pair": None, "amount": 2.0},
        {"id": None, "codes": [], "attrs": None, "meta": {"src": None, "n": 2}, "pair": [3, 4], "amount": None}]
    assert notes == ["nested.parquet: the Parquet file has no column for score, count, flag; every record misses "
                     "these fields"]


def test_a_json_line_over_the_record_limit_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"id": "a"}\n{"id": "' + b"x" * 2000 + b'"}\n')
    limits = Limits(max_record_bytes=1000)
    with pytest.raises(RecordsError, match=r"r\.jsonl: line 2: longer than the limit of 1,000 bytes per record"):
        rows(path, limits=limits)
    path.write_bytes(b'{"id": "' + b"x" * 988 + b'"}\n')  # 998 bytes and the line break: within
    assert len(rows(path, limits=limits)[0]) == 1


def test_json_lines_and_csv_over_the_file_limit_are_refused_at_once(tmp_path):
    for name in ("r.jsonl", "r.csv"):
        path = tmp_path / name
        path.write_text("id\n" + "a\n" * 100)
        with pytest.raises(RecordsError, match=rf"{name}: 203 bytes, over the limit of 100 bytes per file"):
            Records(path, SCHEMA, limits=Limits(max_bytes=100))


def test_a_csv_field_or_line_over_its_limit_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('id,score\n"' + "x" * (128 * 1024 + 1) + '",1\n')
    with pytest.raises(RecordsError, match=r"r\.csv: line 2: field larger than field limit \(131072\)"):
        rows(path)
    path.write_text("id,score\n" + "x" * 5000 + ",1\n")
    with pytest.raises(RecordsError, match=r"r\.csv: line 2: longer than the limit of 4 KiB per record"):
        rows(path, limits=Limits(max_record_bytes=4096))
