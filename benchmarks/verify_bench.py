"""Benchmark of ``modelgate verify``: time against a bare parse of the same file, and peak memory.

    .venv/bin/python benchmarks/verify_bench.py              # 1,000,000 records (~100 MB of JSON Lines)
    .venv/bin/python benchmarks/verify_bench.py -n 100000    # smaller
    .venv/bin/python benchmarks/verify_bench.py --validators # also: jsonschema vs jsonschema-rs vs fastjsonschema

Records of the fraud-score shape are written to a temporary directory, with a baseline of 100,000 records.
Each measurement runs in its own subprocess, so ``ru_maxrss`` is that run's peak resident memory, and its
CPU time (user + system, from ``getrusage``) is the figure compared: on a shared machine wall time mostly
measures the neighbours. Each is repeated (``--repeat``, default 3) and the fastest run kept.
- bare parse: ``json.loads`` of every line, nothing kept;
- verify: ``verify_records`` with the schema, two null-rate bounds and two drift bounds (numeric and
  categorical) against the baseline; the baseline's read is included in the time.
Targets: verify ≤ 3× the bare parse; peak ≤ 200 MB whatever the size.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = {
    "type": "object",
    "properties": {
        "transaction_id": {"type": "string"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "reason_codes": {"type": "array", "items": {"type": "string"}},
        "model_version": {"type": "string"},
        "route": {"enum": ["approve", "review", "decline"]},
    },
    "required": ["transaction_id", "score"],
    "additionalProperties": False,
}
QUALITY = {"min_records": 1000, "null_rate_max": {"reason_codes": 0.05, "model_version": 0.01},
           "drift": {"psi_max": {"score": 0.2, "route": 0.1}}}


def generate(path: Path, n: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            record = {"transaction_id": f"tx-{seed}-{i:09d}", "score": round(rng.betavariate(2, 5), 6),
                      "reason_codes": ["R01", "R17", "R42"][: rng.randint(0, 3)], "model_version": "3.2.0",
                      "route": rng.choices(["approve", "review", "decline"], [0.8, 0.15, 0.05])[0]}
            if i % 997 == 0:
                record["score"] = 1.5  # a few invalid records, as in real data
            out.write(json.dumps(record) + "\n")


def child(task: str, records: str, baseline: str) -> None:
    """One measurement; prints {"seconds", "cpu", "peak_mb", ...} as JSON."""
    start = time.perf_counter()
    extra: dict = {}
    if task == "parse":
        loads = json.loads
        with Path(records).open("rb") as handle:
            for line in handle:
                loads(line)
    else:
        sys.path.insert(0, str(ROOT))
        from bot.manifests.models import Quality
        from bot.verify import Expected, verify_records

        result = verify_records(Expected(SCHEMA, Quality.model_validate(QUALITY)), records, baseline)
        extra = {"records": result.records, "invalid": result.invalid, "verdict": result.verdict}
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024  # Linux: kilobytes
    print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": peak_mb, **extra}))


def measure(task: str, records: Path, baseline: Path, repeat: int) -> dict:
    """The fastest (by CPU time) of ``repeat`` runs, with the highest peak memory seen."""
    runs = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, __file__, "--child", task, str(records), str(baseline)],
                              capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout))
    return {**min(runs, key=lambda run: run["cpu"]), "peak_mb": max(run["peak_mb"] for run in runs)}


def validators(records: Path, n: int = 100_000) -> None:
    """Per-record cost of each candidate validator on the first ``n`` records (is_valid only)."""
    import jsonschema

    with records.open("rb") as handle:
        sample = [json.loads(line) for _, line in zip(range(n), handle, strict=False)]
    candidates = {"jsonschema": jsonschema.Draft202012Validator(SCHEMA).is_valid}
    try:
        import jsonschema_rs

        candidates["jsonschema-rs"] = jsonschema_rs.validator_for(SCHEMA, validate_formats=False).is_valid
    except ImportError:
        print("jsonschema-rs not installed")
    try:
        import fastjsonschema

        compiled = fastjsonschema.compile({**SCHEMA, "$schema": "http://json-schema.org/draft-07/schema#"})

        def fast(record: object) -> bool:
            try:
                compiled(record)
            except fastjsonschema.JsonSchemaException:
                return False
            return True

        candidates["fastjsonschema"] = fast
    except ImportError:
        print("fastjsonschema not installed")
    for name, is_valid in candidates.items():
        start = time.process_time()
        valid = sum(map(is_valid, sample))
        micros = (time.process_time() - start) / len(sample) * 1e6
        print(f"  {name:15s} {micros:7.2f} µs/record  ({len(sample) - valid} invalid of {len(sample)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="records to generate (default 1,000,000)")
    parser.add_argument("--baseline-n", type=int, default=100_000, help="baseline records (default 100,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the fastest counts")
    parser.add_argument("--validators", action="store_true", help="also time the candidate validators")
    parser.add_argument("--child", nargs=3, metavar=("TASK", "RECORDS", "BASELINE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        records, baseline = Path(tmp) / "records.jsonl", Path(tmp) / "baseline.jsonl"
        generate(records, args.n, seed=1)
        generate(baseline, args.baseline_n, seed=2)
        size_mb = records.stat().st_size / 1e6
        parse = measure("parse", records, baseline, args.repeat)
        verify = measure("verify", records, baseline, args.repeat)
        ratio = verify["cpu"] / parse["cpu"]
        print(f"records: {args.n:,} ({size_mb:.0f} MB JSON Lines); baseline {args.baseline_n:,}")
        print(f"bare parse: {parse['cpu']:.2f} s CPU ({parse['seconds']:.2f} s wall), peak {parse['peak_mb']:.0f} MB")
        print(f"verify:     {verify['cpu']:.2f} s CPU ({verify['seconds']:.2f} s wall), "
              f"peak {verify['peak_mb']:.0f} MB ({verify['records']:,} records, {verify['invalid']:,} invalid, "
              f"{verify['verdict']})")
        print(f"ratio verify / bare parse: {ratio:.2f}x (target <= 3x); peak {verify['peak_mb']:.0f} MB "
              "(target <= 200 MB)")
        if args.validators:
            print("validators (is_valid per record):")
            validators(records)


if __name__ == "__main__":
    main()
