"""The reference's tests of verify_records (tests/test_verify_run.py), run again with the engine in its place: the
same files must give the same results (the engine falls back to the reference only where it says so)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.verify.engine.run import verify_files
from tests import test_verify_run
from tests.test_verify_run import *  # noqa: F403  (the reference's tests, collected again here)


def _engine(expected: Any, records: Any, baseline: Any = None, examples: int = 10, **kwargs: Any) -> Any:
    return verify_files(expected, records, baseline, examples, **kwargs)


@pytest.fixture(autouse=True)
def _on_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(test_verify_run, "verify_records", _engine)


@pytest.mark.parametrize("name", ["__mg_ordinal", "__mg_keys", "__mg_record", "__mg_x"])
def test_a_field_named_like_the_engines_own_columns_is_read_by_the_reference(tmp_path: Any, name: str) -> None:
    """A field ``__mg_...`` would be taken for one of the engine's columns (a false pass, or a crash): one file is
    read by the reference instead, with a note; a glob, which the reference does not read, is refused."""
    from bot.manifests.models import Quality
    from bot.verify import Expected, RecordsError, verify_records

    expected = Expected({"type": "object", "properties": {name: {"type": "number", "maximum": 1}}}, Quality())
    for file in ("a.jsonl", "b.jsonl"):
        (tmp_path / file).write_text(f'{{"{name}": 5}}\n{{"{name}": 1}}\n')
    engine = verify_files(expected, tmp_path / "a.jsonl")
    reference = verify_records(expected, tmp_path / "a.jsonl")
    assert (engine.records, engine.invalid, engine.examples) == (reference.records, reference.invalid,
                                                                 reference.examples) == (2, 1, engine.examples)
    assert f"'{name}' begins with __mg_, as the engine's own columns do" in engine.notes[0]
    with pytest.raises(RecordsError, match=f"'{name}' begins with __mg_"):
        verify_files(expected, str(tmp_path / "*.jsonl"))


def test_a_table_column_named_like_the_engines_own_is_refused(tmp_path: Any) -> None:
    import duckdb

    from bot.manifests.models import Quality
    from bot.verify import Expected, RecordsError
    from bot.verify.engine.connect import open_table
    from bot.verify.engine.run import verify_source

    database = tmp_path / "w.ddb"
    con = duckdb.connect(str(database))
    con.execute("CREATE TABLE t AS SELECT 5.0::DOUBLE AS __mg_x, 1 AS id")
    con.close()
    expected = Expected({"type": "object", "properties": {"id": {"type": "integer"}}}, Quality())
    with pytest.raises(RecordsError, match="'__mg_x' begins with __mg_"):
        verify_source(expected, open_table(f"duckdb://{database}", table="t"))


def test_an_enum_of_thousands_of_values_is_one_in(tmp_path: Any) -> None:
    """An enum of 3,000 values was a chain of 3,000 ORs (Python's recursion ran out building it): one IN now, and
    the engine's answer is the reference's."""
    from bot.manifests.models import Quality
    from bot.verify import Expected, verify_records

    values: list[Any] = [f"c{i}" for i in range(3000)] + list(range(1000)) + [True]
    expected = Expected({"type": "object", "properties": {"c": {"enum": values}}}, Quality())
    path = tmp_path / "r.jsonl"
    path.write_text('{"c": "c1"}\n{"c": "zz"}\n{"c": 999}\n{"c": 999.5}\n{"c": true}\n{"c": false}\n{"c": null}\n')
    engine, reference = verify_files(expected, path), verify_records(expected, path)
    assert (engine.invalid, engine.examples, engine.notes) == (reference.invalid, reference.examples, ())
    assert engine.invalid == 4


def test_a_contract_of_more_fields_than_one_query_holds_is_read_by_the_reference(tmp_path: Any) -> None:
    from bot.manifests.models import Quality
    from bot.verify import Expected, verify_records
    from bot.verify.engine.run import MAX_FIELDS

    fields = {f"p{i}": {"type": "integer", "maximum": 10} for i in range(MAX_FIELDS + 1)}
    expected = Expected({"type": "object", "properties": fields}, Quality())
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({name: i % 12 for i, name in enumerate(fields)}) + "\n")
    engine = verify_files(expected, path)
    assert engine.invalid == verify_records(expected, path).invalid == 1
    assert f"{MAX_FIELDS + 1} fields and columns, more than the {MAX_FIELDS} the engine checks" in engine.notes[0]


def test_a_long_tail_of_categories_is_counted_whole(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hiding a share of the data as distinct singletons: the engine kept the commonest 10,000 categories and
    dropped the rest (PSI 0.06 where the reference said 2.25). Every category counts now; past the bound the
    engine hands the file to the reference rather than compute a PSI of the commonest only."""
    from bot.manifests.models import Quality
    from bot.verify import Expected, verify_records
    from bot.verify.engine import run

    expected = Expected({"type": "object", "properties": {"c": {"type": "string"}}},
                        Quality.model_validate({"drift": {"psi_max": {"c": 0.1}}}))
    baseline = tmp_path / "b.jsonl"
    baseline.write_text('{"c": "a"}\n' * 99 + '{"c": "b"}\n')
    path = tmp_path / "r.jsonl"
    path.write_text('{"c": "a"}\n' * 3000 + "".join(f'{{"c": "v{i}"}}\n' for i in range(3000)))
    reference = verify_records(expected, path, baseline)
    engine = verify_files(expected, path, baseline)
    assert engine.drift[0].psi == pytest.approx(reference.drift[0].psi, abs=1e-9)
    assert engine.verdict == reference.verdict == "fail" and engine.notes == ()
    monkeypatch.setattr(run, "MAX_CATEGORIES", 1000)
    bounded = verify_files(expected, path, baseline)
    assert bounded.drift[0].psi == pytest.approx(reference.drift[0].psi, abs=1e-9)
    assert "c: over 1,000 distinct values, more than the engine counts" in bounded.notes[0]


def test_drift_bins_beyond_2_53_are_placed_by_the_reference(tmp_path: Any) -> None:
    """9007199254740993 is above the edge 2^53, but its double is the edge: the engine binned it below (PSI 0.05
    where the reference said 13.7). A baseline whose edges reach 2^53 sends the file to the reference."""
    from bot.manifests.models import Quality
    from bot.verify import Expected, verify_records

    expected = Expected({"type": "object", "properties": {"t": {"type": "integer"}}},
                        Quality.model_validate({"drift": {"psi_max": {"t": 0.1}}}), "c@1")
    baseline = tmp_path / "b.json"
    baseline.write_text(json.dumps({"kind": "modelgate-baseline/v1", "contract": "c", "version": 1, "day": None,
                                    "records": 100, "fields": {"t": {"kind": "numeric", "n": 100, "null_rate": 0,
                                                                     "edges": [2**53], "counts": [99, 1]}}}))
    path = tmp_path / "r.jsonl"
    path.write_text(f'{{"t": {2**53 + 1}}}\n' * 100)
    reference = verify_records(expected, path, baseline)
    engine = verify_files(expected, path, baseline)
    assert engine.drift[0].psi == pytest.approx(reference.drift[0].psi) and engine.verdict == "fail"
    assert "as a double, an edge of its drift bins beyond 2^53" in engine.notes[0]
