"""benchmarks/verify_bench.py works, and its answers agree: a tiny run of every case (never timed here).

The benchmark runs the real command line per case (the reference, the engine on JSON Lines, Parquet, the glob of
hard-linked copies, whole records) and exits 1 when a report differs from the reference's on the same records;
its own checker is tested here on a planted difference, so a run that agrees is evidence, not a checker that
cannot fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import BOT_HOME, REPO_ROOT

BENCH = REPO_ROOT / "benchmarks" / "verify_bench.py"
KEYS = ["loop-1m", "reference-jsonl-1m", "engine-jsonl-1m", "engine-parquet-1m", "engine-whole-1m",
        "reference-whole-1m", "engine-start", "loop-10m", "engine-jsonl-10m", "engine-parquet-10m"]


@pytest.fixture(scope="module")
def bench() -> Any:
    sys.path.insert(0, str(BENCH.parent))
    try:
        import verify_bench
    finally:
        sys.path.remove(str(BENCH.parent))
    return verify_bench


def test_a_tiny_run_of_every_case_agrees_with_the_reference(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    done = subprocess.run([sys.executable, str(BENCH), "--quick", "-n", "1500", "--baseline-n", "500",
                           "--copies", "3", "--work", str(tmp_path / "data"), "--json", str(tmp_path / "runs.json")],
                          capture_output=True, text=True, check=False, cwd=REPO_ROOT,
                          env={**os.environ, "PYTHONPATH": str(BOT_HOME)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "answers: every verify case agrees with the reference on the same records" in done.stdout
    runs = json.loads((tmp_path / "runs.json").read_text())
    assert [case["key"] for case in runs] == KEYS
    assert all(len(case["runs"]) == 1 and case["runs"][0]["peak_mb"] > 0 for case in runs)
    data = tmp_path / "data"
    assert sorted(p.name for p in (data / "g10").iterdir()) == [
        f"part-{k:02d}.{ext}" for k in range(3) for ext in ("jsonl", "parquet")]
    assert (data / "g10" / "part-02.jsonl").stat().st_ino == (data / "records.jsonl").stat().st_ino  # hard links


def report(**changes: Any) -> dict[str, Any]:
    base = {"verdict": "fail", "records": 10, "invalid": 2, "examples": [{"record": 3, "path": "#/score"}],
            "null_rates": {"score": {"value": 0.1}}, "drift": {"score": {"psi": 0.05}, "label": {"psi": None}}}
    return {**base, **changes}


def test_the_checker_finds_a_planted_difference(bench: Any) -> None:
    expected = report()
    assert bench.differences("same", report(), expected) == []
    assert bench.differences("ten times", report(records=100, invalid=20, examples=[]), expected, 10,
                             examples=False) == []
    assert bench.differences("psi", report(drift={"score": {"psi": 0.0500001}, "label": {"psi": None}}),
                             expected) == ["psi: PSI of score 0.0500001, expected 0.05"]
    assert bench.differences("none", report(drift={"score": {"psi": 0.05}, "label": {"psi": 0.0}}), expected) == [
        "none: PSI of label 0.0, expected None"]
    assert bench.differences("counts", report(invalid=3, null_rates={"score": {"value": 0.2}}), expected) == [
        "counts: invalid 3, expected 2", "counts: null rate of score 0.2, expected 0.1"]
    assert bench.differences("examples", report(examples=[]), expected) == [
        "examples: examples [], expected [{'record': 3, 'path': '#/score'}]"]
