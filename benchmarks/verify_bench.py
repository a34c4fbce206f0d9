"""Benchmark of ``modelgate verify``, on engines and on the Python reference: CPU time against a bare parse of the
same file, and peak memory.

    .venv/bin/python benchmarks/verify_bench.py                  # 1,000,000 records, and 10,000,000 as a glob
    .venv/bin/python benchmarks/verify_bench.py --quick          # a small smoke run (20,000 records, one run each)
    .venv/bin/python benchmarks/verify_bench.py --work DIR       # keep the generated data in DIR for the next run
    .venv/bin/python benchmarks/verify_bench.py --cases loop-1m engine-jsonl-1m   # only these cases
    .venv/bin/python benchmarks/verify_bench.py --validators     # also: jsonschema vs jsonschema-rs vs fastjsonschema

The data is benchmarks/verify_data.py's: N records of the contract ``bench-score`` (eleven fields; a schema, two
null-rate bounds, two drift bounds: numeric ``score`` and categorical ``label``) as JSON Lines and as Parquet,
ten hard links to each as the 10N glob, and a baseline file per contract version.

Every case is a process of its own: the real command line (``modelgate verify ... --format json`` through the
venv's entry point) or, for the baseline of the ratio, ``python -c`` running a bare ``json.loads`` loop over the
same file(s). Its CPU time is the child's user + system time from ``wait4`` (every thread of DuckDB, the Python
start-up and the imports included), its peak memory the child's ``ru_maxrss``. The cases run in turns (each round
runs every case once), ``--repeat`` rounds; the table shows the median CPU and wall times and the highest peak.
The ratio divides a case's CPU time by the loop's over the same number of records, measured in the same run.

The answers are checked, not timed: the reference and the engine on the same JSON Lines give the same report
(verdict, counts, null rates, PSI to 1e-9, examples); Parquet gives the JSON Lines' verdict, counts, null rates and
PSI; the 10N globs give ten times the counts with the same rates and PSI; version 2 of the contract (whole records
read, its data the same) gives version 1's answer. The script exits 1 if an answer differs.
Targets: the engine on 1N JSON Lines <= 0.5x the loop; peak memory <= 300 MB at 1N and 10N.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from verify_data import CONTRACT, generate, schema  # noqa: E402

LOOP = """\
import json, sys
loads = json.loads
for path in sys.argv[1:]:
    with open(path, "rb") as handle:
        for line in handle:
            loads(line)
"""
TARGET_RATIO = 0.5
TARGET_PEAK_MB = 300


@dataclass
class Case:
    key: str
    label: str
    command: list[str]
    records: int  # the records it reads: its ratio is against the loop over as many
    answer: bool = True  # a verify run, whose JSON report is checked
    runs: list[dict[str, Any]] = field(default_factory=list)

    def median(self, name: str) -> float:
        return statistics.median(run[name] for run in self.runs)

    def report(self) -> dict[str, Any]:
        return json.loads(self.runs[-1]["stdout"])


LAUNCH = """\
import json, os, subprocess, sys, time
start = time.perf_counter()
with open(sys.argv[2], "wb") as out, open(sys.argv[3], "wb") as err:
    proc = subprocess.Popen(sys.argv[4:], stdout=out, stderr=err)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as report:
    json.dump({"code": proc.returncode, "wall": time.perf_counter() - start, "peak_mb": usage.ru_maxrss / 1024,
               "cpu": usage.ru_utime + usage.ru_stime}, report)
"""


def measure(command: list[str]) -> dict[str, Any]:
    """One run: CPU seconds (user + system, from ``wait4``: every thread of the child), wall seconds, peak MB, and
    its output. The child is started by a small launcher process, not by this one: Linux carries the resident size
    a process had before ``exec`` into its peak, so a child of this process (which holds the generated data's
    modules) would report at least this process's size."""
    with tempfile.TemporaryDirectory(prefix="run-") as tmp:
        figures, out, err = Path(tmp) / "figures.json", Path(tmp) / "out", Path(tmp) / "err"
        subprocess.run([sys.executable, "-S", "-c", LAUNCH, str(figures), str(out), str(err), *command], check=True)
        run = json.loads(figures.read_text(encoding="utf-8"))
        stdout, stderr = out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8", errors="replace")
    if run["code"] not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({run['code']}):\n{stderr[-2000:]}")
    return {**run, "stdout": stdout, "stderr": stderr}


def engines_supported(modelgate: Path) -> bool:
    done = subprocess.run([str(modelgate), "verify", "--help"], capture_output=True, text=True, check=True)
    return "--engine" in done.stdout


def cases(data: Path, n: int, copies: int, modelgate: Path, wanted: set[str] | None) -> list[Case]:
    one, glob = data / "records", data / "g10"
    parts = sorted(glob.glob("part-*.jsonl"))

    def verify(version: int, records: str, engine: str) -> list[str]:
        return [str(modelgate), "verify", f"{CONTRACT}@{version}", "--at", str(data), "--records", records,
                "--baseline", str(data / f"baseline-{version}.json"), "--format", "json", "--engine", engine]

    big = f"{n * copies // 1_000_000}M" if n * copies >= 1_000_000 else f"{n * copies:,}"
    small = f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n:,}"
    everything = [
        Case("loop-1m", f"bare json.loads loop, {small} JSONL", [sys.executable, "-c", LOOP, f"{one}.jsonl"], n,
             answer=False),
        Case("reference-jsonl-1m", f"reference (--engine python), {small} JSONL", verify(1, f"{one}.jsonl", "python"),
             n),
        Case("engine-jsonl-1m", f"engine (duckdb), {small} JSONL", verify(1, f"{one}.jsonl", "duckdb"), n),
        Case("engine-parquet-1m", f"engine (duckdb), {small} Parquet", verify(1, f"{one}.parquet", "duckdb"), n),
        Case("engine-whole-1m", f"engine (duckdb), {small} JSONL, whole records (v2)",
             verify(2, f"{one}.jsonl", "duckdb"), n),
        Case("reference-whole-1m", f"reference (--engine python), {small} JSONL, v2",
             verify(2, f"{one}.jsonl", "python"), n),
        Case("engine-start", "engine (duckdb), 1-record Parquet: start-up", verify(1, str(data / "one.parquet"),
                                                                                    "duckdb"), 1),
        Case("loop-10m", f"bare json.loads loop, {big} JSONL ({copies} files)",
             [sys.executable, "-c", LOOP, *map(str, parts)], n * copies, answer=False),
        Case("engine-jsonl-10m", f"engine (duckdb), {big} JSONL glob", verify(1, f"{glob}/*.jsonl", "duckdb"),
             n * copies),
        Case("engine-parquet-10m", f"engine (duckdb), {big} Parquet glob", verify(1, f"{glob}/*.parquet", "duckdb"),
             n * copies),
    ]
    return [case for case in everything if wanted is None or case.key in wanted]


def same(a: float | None, b: float | None, tolerance: float) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=0, abs_tol=tolerance)


def differences(name: str, report: dict[str, Any], expected: dict[str, Any], scale: int = 1,
                examples: bool = True) -> list[str]:
    """What ``report`` (of ``scale`` times the records) says differently from ``expected``."""
    found = []
    for key in ("verdict", "records", "invalid"):
        want = expected[key] * scale if key != "verdict" else expected[key]
        if report[key] != want:
            found.append(f"{name}: {key} {report[key]!r}, expected {want!r}")
    for field_name, rate in expected["null_rates"].items():
        got = report["null_rates"].get(field_name, {}).get("value")
        if not same(got, rate["value"], 1e-12):
            found.append(f"{name}: null rate of {field_name} {got!r}, expected {rate['value']!r}")
    for field_name, drift in expected["drift"].items():
        got = report["drift"].get(field_name, {}).get("psi")
        if not same(got, drift["psi"], 1e-9):
            found.append(f"{name}: PSI of {field_name} {got!r}, expected {drift['psi']!r}")
    if examples and report["examples"] != expected["examples"]:
        found.append(f"{name}: examples {report['examples']!r}, expected {expected['examples']!r}")
    return found


def check_answers(by_key: dict[str, Case], copies: int) -> tuple[int, list[str]]:
    """Every verify case against the reference on 1N JSON Lines (or the engine's, if the reference was not run):
    how many were compared, and the differences."""
    anchor = by_key.get("reference-jsonl-1m") or by_key.get("engine-jsonl-1m")
    if anchor is None:
        return 0, []
    expected = anchor.report()
    found: list[str] = []
    compared = 0
    for case in by_key.values():
        if not case.answer or case is anchor or case.key == "engine-start":
            continue
        compared += 1
        report = case.report()
        scale = copies if case.key.endswith("-10m") else 1
        # Parquet numbers rows as JSON Lines numbers lines (no blank lines here), but a missing note is a null there
        # and the glob's examples name the first file's records: those compare counts and rates only.
        examples = "parquet" not in case.key and scale == 1
        found += differences(case.label, report, expected, scale, examples)
    return compared, found


def notes(case: Case) -> list[str]:
    return sorted({line for run in case.runs for line in run["stderr"].splitlines() if line.strip()})


def validators(records: Path, n: int = 100_000) -> None:
    """Per-record cost of each candidate validator on the first ``n`` records (is_valid only)."""
    import jsonschema

    contract = schema(1)
    with records.open("rb") as handle:
        sample = [json.loads(line) for _, line in zip(range(n), handle, strict=False)]
    candidates = {"jsonschema": jsonschema.Draft202012Validator(contract).is_valid}
    try:
        import jsonschema_rs

        candidates["jsonschema-rs"] = jsonschema_rs.validator_for(contract, validate_formats=False).is_valid
    except ImportError:
        print("jsonschema-rs not installed")
    try:
        import fastjsonschema

        compiled = fastjsonschema.compile({**contract, "$schema": "http://json-schema.org/draft-07/schema#"})

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


def table(rows: list[Case], loops: dict[int, float]) -> str:
    head = f"{'case':<52} {'CPU s':>7} {'x loop':>7} {'wall s':>7} {'peak MB':>8}"
    lines = [head, "-" * len(head)]
    for case in rows:
        loop = loops.get(case.records)
        ratio = f"{case.median('cpu') / loop:.2f}" if loop else "-"
        lines.append(f"{case.label:<52} {case.median('cpu'):7.2f} {ratio:>7} {case.median('wall'):7.2f} "
                     f"{max(run['peak_mb'] for run in case.runs):8.0f}")
    return "\n".join(lines)


def verdicts(by_key: dict[str, Case], loops: dict[int, float], n: int, copies: int) -> list[str]:
    found = []
    if "engine-jsonl-1m" in by_key and n in loops:
        ratio = by_key["engine-jsonl-1m"].median("cpu") / loops[n]
        found.append(f"engine on {n:,} JSONL records: {ratio:.2f}x the loop (target <= {TARGET_RATIO}x): "
                     + ("met" if ratio <= TARGET_RATIO else "NOT met"))
    for key in ("engine-jsonl-1m", "engine-parquet-1m", "engine-whole-1m", "engine-jsonl-10m", "engine-parquet-10m"):
        if key in by_key:
            peak = max(run["peak_mb"] for run in by_key[key].runs)
            found.append(f"peak of {by_key[key].label}: {peak:.0f} MB (target <= {TARGET_PEAK_MB} MB): "
                         + ("met" if peak <= TARGET_PEAK_MB else "NOT met"))
    if "engine-start" in by_key and "engine-parquet-1m" in by_key:
        share = by_key["engine-start"].median("cpu") / by_key["engine-parquet-1m"].median("cpu")
        found.append(f"start-up share of the Parquet run: {share:.0%} (the 1-record run's CPU time)")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", type=int, help="records (default 1,000,000; 20,000 with --quick)")
    parser.add_argument("--baseline-n", type=int, help="baseline records (default 100,000; 5,000 with --quick)")
    parser.add_argument("--copies", type=int, default=10, help="hard links making the big glob (default 10)")
    parser.add_argument("--repeat", type=int, help="rounds; the median counts (default 3; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--work", type=Path, help="where the data is generated and kept (default: a temporary one)")
    parser.add_argument("--cases", nargs="+", metavar="KEY", help="only these cases (keys as in --list)")
    parser.add_argument("--list", action="store_true", help="list the cases' keys")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every run's figures to FILE")
    parser.add_argument("--validators", action="store_true", help="also time the candidate validators")
    args = parser.parse_args()
    n = args.n or (20_000 if args.quick else 1_000_000)
    baseline_n = args.baseline_n or (5_000 if args.quick else 100_000)
    repeat = args.repeat or (1 if args.quick else 3)
    modelgate = Path(sys.executable).parent / "modelgate"
    if args.list:
        for case in cases(Path("DIR"), n, args.copies, modelgate, None):
            print(f"{case.key:<20} {case.label}")
        return
    with tempfile.TemporaryDirectory(prefix="verify-bench-") as tmp:
        data = generate(n, args.work or Path(tmp), baseline_n, args.copies)
        chosen = cases(data, n, args.copies, modelgate, set(args.cases) if args.cases else None)
        if not engines_supported(modelgate):  # a checkout before the engines: the reference alone
            print(f"{modelgate} has no --engine option: only the loop and the reference are measured")
            chosen = [case for case in chosen if "engine" not in case.key]
            for case in chosen:
                case.command = [arg for arg in case.command if arg not in ("--engine", "python")]
        for _ in range(repeat):
            for case in chosen:
                case.runs.append(measure(case.command))
        by_key = {case.key: case for case in chosen}
        loops = {case.records: case.median("cpu") for case in chosen if not case.answer}
        size = (data / "records.jsonl").stat().st_size / 1e6
        parquet = (data / "records.parquet").stat().st_size / 1e6
        print(f"verify: {n:,} records ({size:.0f} MB JSON Lines, {parquet:.0f} MB Parquet), {args.copies} hard "
              f"links of each for the big glob; baseline files of {baseline_n:,} records; median of {repeat} "
              f"run(s), peak the highest; ratio = CPU / the loop's CPU over as many records, in this run")
        print(table(chosen, loops))
        for line in verdicts(by_key, loops, n, args.copies):
            print(line)
        for case in chosen:
            if case.answer and notes(case):
                print(f"notes of {case.key}: " + " | ".join(notes(case)))
        if args.json:
            args.json.write_text(json.dumps([{"key": c.key, "label": c.label, "records": c.records,
                                              "runs": [{k: v for k, v in run.items() if k not in ("stdout",)}
                                                       for run in c.runs]} for c in chosen], indent=1))
        compared, wrong = check_answers(by_key, args.copies)
        if args.validators:
            print("validators (is_valid per record):")
            validators(data / "records.jsonl")
        if wrong:
            print("ANSWERS DIFFER:\n" + "\n".join(wrong))
            raise SystemExit(1)
        if compared:
            print("answers: every verify case agrees with the reference on the same records")
        else:
            print("answers: not compared (the cases chosen hold no second verify run of the 1N JSON Lines' answer)")


if __name__ == "__main__":
    main()
