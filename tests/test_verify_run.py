"""verify_records on a planted sample of fraud scores: it finds exactly what was planted, and PSI matches numpy."""

from __future__ import annotations

import json
import random
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from bot.manifests.models import Quality
from bot.verify import Expected, RecordsError, verify_records
from bot.verify.stats import EPSILON

SCHEMA = {
    "type": "object",
    "properties": {
        "transaction_id": {"type": "string"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "reason_codes": {"type": "array", "items": {"type": "string"}},
        "model_version": {"type": ["string", "null"]},
        "route": {"enum": ["approve", "review", "decline"]},
    },
    "required": ["transaction_id", "score"],
    "additionalProperties": False,
}
QUALITY = Quality.model_validate({
    "min_records": 1000,
    "null_rate_max": {"reason_codes": 0.05, "model_version": 0.01},
    "drift": {"psi_max": {"score": 0.2, "route": 0.1}},
})
# line -> (path, what is wrong); every other record is valid
PLANTED = {
    17: ("#/score", {"score": 1.7}),
    205: ("#/score", {"score": -0.2}),
    333: ("#/score", {"score": "0.5"}),
    777: ("#/reason_codes", {"reason_codes": "R1"}),
    901: ("#", {"transaction_id": None}),  # None here: the key is dropped (a missing required field)
    1200: ("#", {"extra": 1}),
    1500: ("#/reason_codes/1", {"reason_codes": ["R1", 7]}),
}
MISSING_REASONS = range(40, 2000, 50)  # 40 records without reason_codes: a null rate of 0.02
NULL_VERSIONS = range(10, 2000, 100)  # 20 records with model_version null: 0.01, exactly at the bound


def record(rng: random.Random, i: int, shift: float) -> dict:
    return {"transaction_id": f"tx-{i:06d}", "score": rng.betavariate(2 + shift, 5),
           "reason_codes": ["R1", "R7"][: rng.randint(0, 2)], "model_version": "3.2.0",
           "route": rng.choices(["approve", "review", "decline"], [0.8 - shift / 10, 0.15, 0.05 + shift / 10])[0]}


def planted_records(n: int = 2000, seed: int = 7, shift: float = 1.5) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for line in range(1, n + 1):
        rec = record(rng, line, shift)
        if line in MISSING_REASONS:
            del rec["reason_codes"]
        if line in NULL_VERSIONS:
            rec["model_version"] = None
        for key, value in PLANTED.get(line, (None, {}))[1].items():
            if value is None:
                del rec[key]
            else:
                rec[key] = value
        out.append(rec)
    return out


def baseline_records(n: int = 3000) -> list[dict]:
    rng = random.Random(11)
    return [record(rng, i, 0.0) for i in range(n)]


def write_jsonl(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def sample(tmp_path: Path) -> tuple[Path, Path, list[dict], list[dict]]:
    candidate, baseline = planted_records(), baseline_records()
    return (write_jsonl(tmp_path / "records.jsonl", candidate), write_jsonl(tmp_path / "baseline.jsonl", baseline),
            candidate, baseline)


def numpy_psi(baseline: list, candidate: list) -> float:
    edges = np.unique(np.quantile(np.array(baseline, dtype=float), [i / 10 for i in range(1, 10)]))
    bins = len(edges) + 1
    expected = np.bincount(np.searchsorted(edges, baseline, side="left"), minlength=bins) / len(baseline)
    actual = np.bincount(np.searchsorted(edges, candidate, side="left"), minlength=bins) / len(candidate)
    return _psi(expected, actual)


def numpy_categorical_psi(baseline: list, candidate: list) -> float:
    categories = sorted(set(baseline) | set(candidate))
    expected = np.array([baseline.count(c) for c in categories]) / len(baseline)
    actual = np.array([candidate.count(c) for c in categories]) / len(candidate)
    return _psi(expected, actual)


def _psi(expected: np.ndarray, actual: np.ndarray) -> float:
    expected = np.where(expected == 0, EPSILON, expected)
    actual = np.where(actual == 0, EPSILON, actual)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def numbers(records: list[dict], key: str) -> list[float]:
    return [r[key] for r in records if isinstance(r.get(key), int | float) and not isinstance(r.get(key), bool)]


def test_finds_exactly_the_planted_invalid_records(sample):
    records, baseline, *_ = sample
    result = verify_records(Expected(SCHEMA, QUALITY, "fraud-score@2"), records, baseline, examples=100)
    assert result.records == 2000
    assert result.invalid == len(PLANTED)
    assert {(e.record, e.path) for e in result.examples} == {(line, path) for line, (path, _) in PLANTED.items()}
    reasons = {e.record: e.reason for e in result.examples}
    assert reasons[17] == "1.7 is greater than the maximum of 1"
    assert "required" in reasons[901] and "transaction_id" in reasons[901]
    assert "extra" in reasons[1200]


def test_the_verdict_agrees_with_jsonschema_record_by_record(sample):
    *_, candidate, _ = sample
    reference = jsonschema.Draft202012Validator(SCHEMA)
    invalid = {line for line, rec in enumerate(candidate, 1) if not reference.is_valid(rec)}
    assert invalid == set(PLANTED)


def test_null_rates_count_null_and_missing(sample):
    records, baseline, *_ = sample
    result = verify_records(Expected(SCHEMA, QUALITY), records, baseline)
    rates = {n.field: n for n in result.null_rates}
    assert rates["reason_codes"].value == pytest.approx(len(MISSING_REASONS) / 2000)
    assert rates["reason_codes"].ok is True
    assert rates["model_version"].value == pytest.approx(0.01)
    assert rates["model_version"].ok is True  # the bound is inclusive


def test_psi_matches_numpy(sample):
    records, baseline, candidate, base = sample
    result = verify_records(Expected(SCHEMA, QUALITY), records, baseline)
    drift = {d.field: d for d in result.drift}
    assert drift["score"].kind == "numeric"
    assert drift["score"].psi == pytest.approx(numpy_psi(numbers(base, "score"), numbers(candidate, "score")),
                                               abs=1e-9)
    assert drift["route"].kind == "categorical"
    assert drift["route"].psi == pytest.approx(
        numpy_categorical_psi([r["route"] for r in base], [r["route"] for r in candidate]), abs=1e-9)


def test_the_shifted_distribution_breaches_and_the_same_one_passes(tmp_path, sample):
    records, baseline, *_ = sample
    shifted = verify_records(Expected(SCHEMA, QUALITY), records, baseline)
    assert {d.field: d.ok for d in shifted.drift} == {"score": False, "route": False}
    assert shifted.verdict == "fail"
    same = write_jsonl(tmp_path / "same.jsonl", baseline_records(2000))
    steady = verify_records(Expected(SCHEMA, QUALITY), same, baseline)
    assert all(d.psi < 0.05 for d in steady.drift)
    assert steady.verdict == "pass" and steady.breaches == []


def test_examples_are_capped(sample):
    records, *_ = sample
    assert len(verify_records(Expected(SCHEMA, QUALITY), records, examples=3).examples) == 3
    assert verify_records(Expected(SCHEMA, QUALITY), records, examples=0).examples == ()


def test_without_a_baseline_drift_is_not_checked_and_does_not_fail(tmp_path):
    records = write_jsonl(tmp_path / "r.jsonl", baseline_records(1000))
    result = verify_records(Expected(SCHEMA, QUALITY), records, None)
    assert [(d.field, d.ok, d.why_unmeasured) for d in result.drift] == [
        ("score", None, "no --baseline given"), ("route", None, "no --baseline given")]
    assert result.verdict == "pass"


def test_min_records(tmp_path):
    records = write_jsonl(tmp_path / "r.jsonl", baseline_records(999))
    result = verify_records(Expected(SCHEMA, QUALITY), records)
    assert result.min_records_ok is False and result.verdict == "fail"
    assert "999 records, fewer than min_records 1000" in result.breaches


def test_empty_file(tmp_path):
    empty = write_jsonl(tmp_path / "empty.jsonl", [])
    breach = verify_records(Expected(SCHEMA, QUALITY), empty)
    assert (breach.records, breach.invalid, breach.verdict) == (0, 0, "fail")
    assert [n.value for n in breach.null_rates] == [None, None]
    plain = verify_records(Expected(SCHEMA), empty)
    assert plain.verdict == "pass"
    assert plain.notes == ("empty.jsonl holds no records: nothing was verified",)


def test_malformed_lines_are_invalid_records_not_crashes(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"transaction_id": "a", "score": 0.1}\n{"transaction_id": \n\n[1, 2]\nNaN\n\xff\xfe\n')
    quality = Quality.model_validate({"null_rate_max": {"score": 1}})
    result = verify_records(Expected(SCHEMA, quality), path, examples=10)
    assert (result.records, result.invalid) == (5, 4)
    assert [(e.record, e.path) for e in result.examples] == [(2, "#"), (4, "#"), (5, "#"), (6, "#")]
    assert result.examples[0].reason.startswith("not valid JSON")
    assert result.examples[2].reason == "not valid JSON: NaN is not a JSON value"
    assert result.examples[3].reason == "not UTF-8 text"
    assert result.null_rates[0].value == pytest.approx(4 / 5)  # an unreadable record lacks every field


def test_baseline_without_overlap_gives_a_large_finite_psi(tmp_path):
    quality = Quality.model_validate({"drift": {"psi_max": {"route": 0.1, "score": 0.1}}})
    base = write_jsonl(tmp_path / "b.jsonl", [{"transaction_id": "x", "score": 0.1, "route": "approve"}] * 50)
    cand = write_jsonl(tmp_path / "c.jsonl", [{"transaction_id": "x", "score": 0.9, "route": "decline"}] * 50)
    drift = {d.field: d for d in verify_records(Expected(SCHEMA, quality), cand, base).drift}
    assert 5 < drift["route"].psi < 100 and drift["route"].ok is False
    assert 5 < drift["score"].psi < 100 and drift["score"].ok is False


def test_a_baseline_without_values_for_a_field(tmp_path):
    quality = Quality.model_validate({"drift": {"psi_max": {"score": 0.1}}})
    base = write_jsonl(tmp_path / "b.jsonl", [{"transaction_id": "x"}] * 5)
    cand = write_jsonl(tmp_path / "c.jsonl", [{"transaction_id": "x", "score": 0.5}])
    [drift] = verify_records(Expected(SCHEMA, quality), cand, base).drift
    assert (drift.psi, drift.ok, drift.why_unmeasured) == (None, None, "the baseline has no values for this field")


def test_drift_kind_falls_back_to_the_data(tmp_path):
    schema = {"type": "object"}
    quality = Quality.model_validate({"drift": {"psi_max": {"n": 1, "s": 1}}})
    base = write_jsonl(tmp_path / "b.jsonl", [{"n": i / 10, "s": "a"} for i in range(10)])
    kinds = {d.field: d.kind for d in verify_records(Expected(schema, quality), base, base).drift}
    assert kinds == {"n": "numeric", "s": "categorical"}


def test_a_baseline_without_drift_bounds_is_noted(tmp_path):
    path = write_jsonl(tmp_path / "r.jsonl", baseline_records(3))
    result = verify_records(Expected(SCHEMA), path, path)
    assert result.notes == ("the baseline was not read: this contract version declares no drift bounds",)


def test_unreadable_files_are_records_errors(tmp_path):
    with pytest.raises(RecordsError, match="no such file"):
        verify_records(Expected(SCHEMA), tmp_path / "missing.jsonl")
    (tmp_path / "r.txt").write_text("{}\n")
    with pytest.raises(RecordsError, match=r"unknown format '\.txt'"):
        verify_records(Expected(SCHEMA), tmp_path / "r.txt")


def test_parquet_columns_of_the_wrong_type_make_invalid_records(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "r.parquet"
    pq.write_table(pa.table({"transaction_id": ["a", "b"], "score": ["0.5", None]}), path)
    result = verify_records(Expected(SCHEMA), path)
    assert result.invalid == 2
    assert [(e.record, e.path, e.reason) for e in result.examples] == [
        (1, "#/score", '"0.5" is not of type "number"'), (2, "#/score", 'null is not of type "number"')]
    assert result.notes[-1] == ("r.parquet: column score holds string values; the schema says number: records with a "
                                "value there are invalid")


def test_csv_with_crlf_line_ends(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"transaction_id,score\r\na,0.5\r\nb,1.5\r\n")
    result = verify_records(Expected(SCHEMA), path)
    assert (result.records, result.invalid) == (2, 1)
    assert result.examples[0].record == 3
