"""Baseline files: the same PSI and verdict as the raw baseline, a round trip, bad files, and the CLI end to end."""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from pathlib import Path

import pytest

from bot.manifests.models import Quality
from bot.verify import Expected, RecordsError, verify_records
from bot.verify.baseline import KIND, TOP_K, Baseline, BaselineError, accumulators, json_schema, parse
from bot.verify.engine.run import verify_files
from bot.verify.readers import Limits
from bot.verify.run import load_baseline, write_baseline
from bot.verify.stats import categorical_psi, category
from tests.helpers import REPO_ROOT, dedent, json_out, run_cli, write_tree

SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "number"},
        "route": {"enum": ["approve", "review", "decline"]},
        "flag": {"enum": [True, False, 0, 1]},  # True and 1 are different categories
        "merchant": {"type": "string"},
    },
}
QUALITY = Quality.model_validate({"drift": {"psi_max": {"score": 0.1, "route": 0.1, "flag": 0.5, "merchant": 9}}})
EXPECTED = Expected(SCHEMA, QUALITY, "fraud-score@2")


def sample(path: Path, seed: int, shift: float, n: int = 3000, merchants: int = 20) -> Path:
    rng = random.Random(seed)
    with path.open("w") as out:
        for i in range(n):
            score = round(rng.betavariate(2 + shift, 5), 2)  # rounded: many ties, equal quantiles merge
            out.write(json.dumps({
                "score": None if i % 37 == 0 else score,
                "route": rng.choices(["approve", "review", "decline"], [6, 3 + shift * 5, 1])[0],
                "flag": rng.choice([True, False, 1, 0]) if i % 5 else None,
                "merchant": f"m{rng.randrange(merchants)}",
            }) + "\n")
    return path


@pytest.fixture
def files(tmp_path):
    base = sample(tmp_path / "base.jsonl", 1, 0.0)
    candidate = sample(tmp_path / "candidate.jsonl", 2, 0.6)
    written = tmp_path / "base.json"
    written.write_text(write_baseline(EXPECTED, base, "2026-12-01"))
    return base, candidate, written


def test_psi_and_verdict_from_a_file_equal_the_raw_data(files):
    base, candidate, written = files
    raw = verify_records(EXPECTED, candidate, base)
    stored = verify_records(EXPECTED, candidate, written)
    assert [d.kind for d in raw.drift] == ["numeric", "categorical", "categorical", "categorical"]
    assert all(d.psi and d.psi > 0.001 for d in raw.drift)  # real drift, not zeros on both sides
    for a, b in zip(raw.drift, stored.drift, strict=True):
        assert (a.field, a.kind, a.max) == (b.field, b.kind, b.max)
        assert a.psi == pytest.approx(b.psi, abs=1e-12, rel=0)
    assert raw.verdict == stored.verdict == "fail"
    same = verify_records(EXPECTED, base, written)  # the baseline against itself: no drift at all
    assert [d.psi for d in same.drift] == [0.0, 0.0, 0.0, 0.0]


def test_the_file_holds_the_documented_shape(files):
    base, _, written = files
    data = json.loads(written.read_text())
    assert data["kind"] == KIND == "modelgate-baseline/v1"
    assert (data["contract"], data["version"], data["day"], data["records"]) == ("fraud-score", 2, "2026-12-01", 3000)
    score = data["fields"]["score"]
    assert score["kind"] == "numeric"
    assert score["n"] == 3000 - len(range(0, 3000, 37)) == sum(score["counts"])
    assert score["null_rate"] == len(range(0, 3000, 37)) / 3000
    assert len(score["counts"]) == len(score["edges"]) + 1 <= 10
    flag = data["fields"]["flag"]
    values = [json.loads(line)["flag"] for line in base.read_text().splitlines()]
    kept = Counter(category(v) for v in values if v is not None)
    assert {category(v): c for v, c in flag["categories"]} == kept
    assert [True, kept[category(True)]] in flag["categories"] and [1, kept[category(1)]] in flag["categories"]
    assert flag["other"] == 0 and flag["null_rate"] == 600 / 3000


def test_round_trip(files):
    _, _, written = files
    baseline = load_baseline(written, "fraud-score@2")
    again = Baseline.model_validate_json(json.dumps(baseline.model_dump(mode="json")))
    assert again == baseline
    assert set(accumulators(baseline)) == {"score", "route", "flag", "merchant"}


def test_more_than_k_categories_fold_into_other(tmp_path):
    base = sample(tmp_path / "base.jsonl", 1, 0.0, n=2000, merchants=TOP_K + 30)
    written = tmp_path / "base.json"
    written.write_text(write_baseline(EXPECTED, base))
    merchant = json.loads(written.read_text())["fields"]["merchant"]
    assert len(merchant["categories"]) == TOP_K
    assert merchant["other"] == 2000 - sum(c for _, c in merchant["categories"]) > 0
    candidate = sample(tmp_path / "c.jsonl", 3, 0.0, n=500, merchants=TOP_K + 60)  # merchants the baseline lacks
    drift = {d.field: d for d in verify_records(EXPECTED, candidate, written).drift}["merchant"]
    top = {v for v, _ in merchant["categories"]}
    seen = Counter(json.loads(line)["merchant"] for line in candidate.read_text().splitlines())
    actual = Counter({v: c for v, c in seen.items() if v in top})
    actual["(other)"] = sum(c for v, c in seen.items() if v not in top)
    expected = Counter(dict(merchant["categories"])) + Counter({"(other)": merchant["other"]})
    assert drift.psi == pytest.approx(categorical_psi(expected, actual), abs=1e-12, rel=0)


def good() -> dict:
    return {"kind": KIND, "contract": "fraud-score", "version": 2, "day": None, "records": 4,
            "fields": {"score": {"kind": "numeric", "n": 4, "null_rate": 0, "edges": [0.5], "counts": [2, 2]}}}


@pytest.mark.parametrize(("change", "message"), [
    ({"kind": "modelgate-baseline/v2"}, "kind 'modelgate-baseline/v2' is not 'modelgate-baseline/v1'"),
    ({"version": 1}, "a baseline of fraud-score@1, not of fraud-score@2"),
    ({"contract": "churn"}, "a baseline of churn@2, not of fraud-score@2"),
    ({"records": -1}, "malformed baseline file: records:"),
    ({"fields": {"score": {"kind": "numeric", "n": 4, "null_rate": "0", "edges": [0.5], "counts": [2, 2]}}},
     "fields.score.numeric.null_rate"),
    ({"fields": {"score": {"kind": "numeric", "n": 4, "null_rate": 0, "edges": ["0.5"], "counts": [2, 2]}}},
     "fields.score.numeric.edges.0"),
    ({"extra": 1}, "malformed baseline file: extra: Extra inputs are not permitted"),
    ({"fields": {"score": {"kind": "numeric", "n": 4, "null_rate": 0, "edges": [0.5], "counts": [4]}}},
     "1 edges need 2 counts, not 1"),
    ({"fields": {"score": {"kind": "numeric", "n": 4, "null_rate": 0, "edges": [0.5, 0.5], "counts": [1, 1, 1]}}},
     "edges must be strictly increasing"),
    ({"fields": {"r": {"kind": "categorical", "n": 1, "null_rate": 2, "categories": [["a", 1]], "other": 0}}},
     "fields.r.categorical.null_rate"),
    ({"fields": {"r": {"kind": "categorical", "n": 2, "null_rate": 0, "categories": [["a", 1], ["a", 1]],
                       "other": 0}}}, "a category is listed twice"),
    ({"fields": {"r": {"kind": "histogram"}}}, "fields.r:"),
    ({"fields": {"score": {"kind": "numeric", "n": 4, "null_rate": 0, "edges": [i / 1e5 for i in range(50_000)],
                           "counts": [1] * 50_001}}},
     "field score: 50,000 edges, over the limit of 100 (modelgate writes at most 9)"),
    ({"fields": {"score": {"kind": "numeric", "n": 4, "null_rate": 0, "edges": [0.5], "counts": [1] * 500}}},
     "field score: 500 counts, over the limit of 101 (one more than the edges)"),
    ({"fields": {"r": {"kind": "categorical", "n": 1, "null_rate": 0, "categories": [[str(i), 1] for i in range(101)],
                       "other": 0}}}, "field r: 101 categories, over the limit of 100"),
])
def test_bad_files_are_one_clear_error(change, message):
    with pytest.raises(BaselineError, match=r"^b\.json: ") as caught:
        parse(json.dumps(good() | change), "b.json", "fraud-score", 2)
    assert message in str(caught.value)


@pytest.mark.parametrize("text", ["", "[1]", "{", '{"kind": "x"}', '{"score": NaN}', "[" * 5000 + "]" * 5000])
def test_not_a_baseline_file(text):
    with pytest.raises(BaselineError, match=r"^b\.json: (not a baseline file|kind)"):
        parse(text, "b.json", "fraud-score", 2)


def test_a_baseline_of_many_edges_is_refused_before_the_engine_builds_its_query(tmp_path):
    baseline = good()
    baseline["fields"]["score"] |= {"edges": [i / 1e5 for i in range(50_000)], "counts": [1] * 50_001}
    path = tmp_path / "b.json"
    path.write_text(json.dumps(baseline))
    with pytest.raises(BaselineError, match=r"b\.json: field score: 50,000 edges, over the limit of 100"):
        verify_files(EXPECTED, sample(tmp_path / "c.jsonl", 1, 0.0, n=10), path)


def test_an_unreadable_baseline_file_is_one_error(tmp_path):
    with pytest.raises(RecordsError, match=r"missing\.json: no such file"):
        verify_records(EXPECTED, sample(tmp_path / "c.jsonl", 1, 0.0, n=10), tmp_path / "missing.json")
    big = tmp_path / "big.json"
    big.write_text(json.dumps(good()))
    with pytest.raises(RecordsError, match=r"big\.json: .* bytes, over the limit of 100 bytes per file"):
        load_baseline(big, "fraud-score@2", Limits(max_bytes=100))
    rows = tmp_path / "rows.json"  # JSON Lines under a .json name: not a baseline file, said so
    rows.write_text('{"score": 1}\n{"score": 2}\n')
    with pytest.raises(BaselineError, match=r"rows\.json: not a baseline file: not JSON"):
        verify_records(EXPECTED, sample(tmp_path / "c.jsonl", 1, 0.0, n=10), rows)


def test_a_baseline_file_that_is_a_symbolic_link_or_not_a_regular_file_is_refused(tmp_path):
    real = tmp_path / "real.json"
    real.write_text(json.dumps(good()))
    (tmp_path / "link.json").symlink_to(real)
    with pytest.raises(RecordsError, match=r"link\.json: a symbolic link; give the file itself$"):
        load_baseline(tmp_path / "link.json", "fraud-score@2")
    os.mkfifo(tmp_path / "fifo.json")  # read, it would wait for a writer for ever
    with pytest.raises(RecordsError, match=r"fifo\.json: not a regular file \(a FIFO\)$"):
        load_baseline(tmp_path / "fifo.json", "fraud-score@2")
    (tmp_path / "rows.jsonl").symlink_to(sample(tmp_path / "c.jsonl", 1, 0.0, n=10))  # a baseline of records
    with pytest.raises(RecordsError, match=r"rows\.jsonl: a symbolic link; give the file itself$"):
        verify_records(EXPECTED, tmp_path / "c.jsonl", tmp_path / "rows.jsonl")


def test_the_json_schema_names_the_kind_and_docs_hold_it():
    schema = json_schema()
    assert json.loads((REPO_ROOT / "docs" / "baseline.schema.json").read_text(encoding="utf-8")) == schema
    assert schema["properties"]["kind"]["const"] == KIND
    assert set(schema["required"]) >= {"kind", "contract", "version", "records", "fields"}


MANIFEST = dedent("""
    apiVersion: modelgate/v1
    kind: Contract
    metadata:
      name: fraud-score
      owners: ["@acme/risk-ml"]
    spec:
      versions:
        - version: 2
          schema:
            type: object
            properties:
              score: {type: [number, "null"]}
              route: {enum: [approve, review, decline]}
          quality:
            drift:
              psi_max:
                score: 0.1
                route: 0.1
        - version: 1
          status: deprecated
          schema: {type: object}
""")


def test_the_cli_end_to_end(tmp_path):
    repo = write_tree(tmp_path / "repo", {"contracts/fraud-score.yaml": MANIFEST})
    base = sample(tmp_path / "base.jsonl", 1, 0.0)
    candidate = sample(tmp_path / "candidate.jsonl", 2, 0.6)
    written = tmp_path / "fraud-score@2.baseline.json"
    done = run_cli("verify", "fraud-score@2", "--at", str(repo), "--records", str(base),
                   "--write-baseline", str(written), "--baseline-day", "2026-12-01")
    assert done.returncode == 0, done.stderr
    assert json.loads(written.read_text())["day"] == "2026-12-01"
    raw = run_cli("verify", "fraud-score@2", "--at", str(repo), "--records", str(candidate),
                  "--baseline", str(base), "--format", "json")
    stored = run_cli("verify", "fraud-score@2", "--at", str(repo), "--records", str(candidate),
                     "--baseline", str(written), "--format", "json")
    assert raw.returncode == stored.returncode == 1
    assert json_out(raw) == json_out(stored)
    other = run_cli("verify", "fraud-score@1", "--at", str(repo), "--records", str(candidate),
                    "--baseline", str(written))
    assert other.returncode == 2
    assert other.stderr == (f"modelgate: error: {written}: a baseline of fraud-score@2, not of fraud-score@1: "
                            "write one with --write-baseline\n")
    bad_day = run_cli("verify", "fraud-score@2", "--at", str(repo), "--records", str(base),
                      "--write-baseline", str(written), "--baseline-day", "20261201")
    assert bad_day.returncode == 2 and "is not a day" in bad_day.stderr
