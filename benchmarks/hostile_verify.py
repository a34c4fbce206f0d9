"""Benchmark of ``modelgate verify`` on hostile files: CPU time and peak memory until the clear refusal.

    .venv/bin/python benchmarks/hostile_verify.py              # the hostile files
    .venv/bin/python benchmarks/hostile_verify.py --ordinary   # also an ordinary 1,000,000-row Parquet file

Issue 19, item 10: a 525-byte Parquet file (one 1 MiB string, dictionary-encoded, in each of 1,500 rows) took
1.65 GB of memory. Each file here is written to a temporary directory and verified in its own subprocess, so
``ru_maxrss`` is that run's peak resident memory (the interpreter, pyarrow and the validator included) and its
CPU time (user + system) the figure compared. Target: each under 10 s of CPU and 500 MB, ending in one line
naming the file and the limit.
- dictionary bomb: the reported file;
- list bomb: 50 rows, each a list of 20,000 uses of one dictionary-encoded 1 KiB string (4.6 KB on disk);
- plain pages: 1,500 row groups of a 1 MiB string, not dictionary-encoded (zstd), refused by its metadata;
- long line: one JSON line of 64 MiB (read only up to the record limit).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = {"type": "object", "properties": {"id": {"type": "string"}, "codes": {"type": "array"}}}


def write(kind: str, path: Path) -> None:
    """One file of ``kind``, built without holding its decoded size (a dictionary of one value; a row at a time)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def repeated(value: str, n: int) -> pa.Array:
        return pa.DictionaryArray.from_arrays(pa.array([0] * n, pa.int32()), pa.array([value]))

    mib = "x" * (1 << 20)
    if kind == "dictionary bomb":
        pq.write_table(pa.table({"id": repeated(mib, 1500)}), path, compression="zstd")
    elif kind == "list bomb":
        lists = pa.ListArray.from_arrays(pa.array(range(0, 50 * 20_000 + 1, 20_000), pa.int32()),
                                         repeated("y" * 1024, 50 * 20_000))
        pq.write_table(pa.table({"codes": lists}), path, compression="zstd")
    elif kind == "plain pages":
        row = pa.table({"id": [mib]})
        with pq.ParquetWriter(path, row.schema, compression="zstd", use_dictionary=False) as writer:
            for _ in range(1500):
                writer.write_table(row)
    elif kind == "long line":
        with path.open("w") as out:
            out.write('{"id": "' + "x" * (64 << 20) + '"}\n')
    else:  # ordinary: the fraud-score shape
        rng = random.Random(1)
        n = 1_000_000
        pq.write_table(pa.table({
            "id": [f"tx-{i:09d}" for i in range(n)], "score": [rng.random() for _ in range(n)],
            "codes": [["R01", "R17"][: i % 3] for i in range(n)],
            "route": [rng.choice(["approve", "review", "decline"]) for _ in range(n)]}), path)


def child(records: str) -> None:
    """Verify one file; prints {"cpu", "peak_mb", "outcome"} as JSON."""
    sys.path.insert(0, str(ROOT))
    from bot.verify import Expected, RecordsError, verify_records

    try:
        result = verify_records(Expected(SCHEMA), records)
        outcome = f"{result.records:,} records, {result.verdict}"
    except RecordsError as exc:
        outcome = f"refused: {exc}"
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024, "outcome": outcome}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--ordinary", action="store_true", help="also an ordinary 1,000,000-row Parquet file")
    parser.add_argument("--child", metavar="RECORDS", help=argparse.SUPPRESS)
    parser.add_argument("--write", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.write:
        write(args.write[0], Path(args.write[1]))
        return
    kinds = {"dictionary bomb": "parquet", "list bomb": "parquet", "plain pages": "parquet", "long line": "jsonl"}
    if args.ordinary:
        kinds["ordinary"] = "parquet"
    with tempfile.TemporaryDirectory() as tmp:
        for kind, suffix in kinds.items():
            path = Path(tmp) / f"{kind.replace(' ', '-')}.{suffix}"
            # written and verified each in a process of its own: a child inherits its parent's peak memory
            subprocess.run([sys.executable, __file__, "--write", kind, str(path)], check=True)
            done = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True,
                                  check=True)
            run = json.loads(done.stdout)
            outcome = run["outcome"].replace(str(path), path.name)
            print(f"{kind:16s} {path.stat().st_size:>11,} bytes  {run['cpu']:5.2f} s CPU  {run['peak_mb']:5.0f} MB peak"
                  f"  {outcome}")


if __name__ == "__main__":
    main()
