"""Generate the data of benchmarks/verify_bench.py: records of a realistic contract, its manifest and baselines.

    python benchmarks/verify_data.py N DIR [--baseline-n B] [--copies K] [--seed S]

DIR receives:
- ``contracts/bench-score.yaml``: the contract ``bench-score``, version 1 and version 2 (the same eleven fields: ids,
  scores with nulls, an enum label, strings, a boolean, an optional nullable note; a schema, two ``null_rate_max``
  bounds, two ``drift.psi_max`` bounds (numeric ``score``, categorical ``label``) and ``min_records``). Version 2
  also requires ``score``, which is nullable: a field that is required and nullable tells a missing key from a
  ``null``, so an engine must read JSON Lines as whole records to check it. The data always has the key, so both
  versions give the same answer;
- ``records.jsonl`` and ``records.parquet``: N records (about 190 bytes each as JSON), the same values in both
  (one in 997 has a score out of range, one in 1,009 an unknown label: real data has a few invalid records; one
  amount in 20 is a whole number, written as a JSON integer);
- ``g10/part-NN.jsonl`` and ``g10/part-NN.parquet``: K hard links to those files (K times the records, a glob
  that costs no disk);
- ``baseline.jsonl`` (B records of a slightly shifted distribution) and ``baseline-1.json``/``baseline-2.json``,
  the baseline files of each version written from it by the reference (``bot.verify.run.write_baseline``);
- ``one.parquet``: one record, to measure the fixed cost of a run (start-up, imports, connecting, planning).

Deterministic for a seed. A DIR already holding the files of the same N, B, K and seed is left as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = "bench-score"
LABELS = ["approve", "review", "decline", "escalate"]
LABEL_WEIGHTS = [0.7, 0.18, 0.08, 0.04]
MERCHANTS = ["north-books", "acme-travel", "blue-grocer", "city-fuel", "orbit-games", "pine-pharmacy"]
NOTES = ["manual review asked", "chargeback last month", "new device", "velocity rule"]
PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer", "minimum": 1},
    "request_id": {"type": "string", "minLength": 8, "maxLength": 40},
    "score": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
    "amount": {"type": "number", "minimum": 0},
    "age": {"type": ["integer", "null"], "minimum": 0, "maximum": 130},
    "label": {"enum": LABELS},
    "merchant": {"type": "string", "maxLength": 64},
    "flagged": {"type": "boolean"},
    "ratio": {"type": ["number", "null"]},
    "count": {"type": "integer", "minimum": 0},
    "note": {"type": ["string", "null"]},
}
REQUIRED = ["id", "request_id", "amount", "label", "merchant", "flagged", "count"]  # optional fields are nullable
QUALITY: dict[str, Any] = {"min_records": 1000, "null_rate_max": {"score": 0.05, "age": 0.1},
                           "drift": {"psi_max": {"score": 0.2, "label": 0.1}}}
ARROW_TYPES = {"id": "int64", "request_id": "string", "score": "float64", "amount": "float64", "age": "int64",
               "label": "string", "merchant": "string", "flagged": "bool", "ratio": "float64", "count": "int64",
               "note": "string"}


def schema(version: int) -> dict[str, Any]:
    """Version 1's schema, or version 2's: the same with the nullable ``score`` required (needs whole records)."""
    required = REQUIRED + (["score"] if version == 2 else [])
    return {"type": "object", "properties": PROPERTIES, "required": required}


def manifest() -> str:
    doc = {"apiVersion": "modelgate/v1", "kind": "Contract",
           "metadata": {"name": CONTRACT, "owners": ["@acme/risk-ml"]},
           "spec": {"versions": [{"version": v, "schema": schema(v), "quality": QUALITY} for v in (2, 1)]}}
    return json.dumps(doc, indent=2) + "\n"  # JSON is YAML


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def records(n: int, seed: int, shift: float = 0.0) -> dict[str, list[Any]]:
    """N records as columns (``None`` is null; a note of ``MISSING`` is a key the record leaves out)."""
    rng = random.Random(seed)
    columns: dict[str, list[Any]] = {name: [] for name in PROPERTIES}
    labels = rng.choices(LABELS, LABEL_WEIGHTS, k=n)
    for i in range(n):
        score = None if rng.random() < 0.02 else round(rng.betavariate(2 + shift, 5), 6)
        if i % 997 == 996:
            score = 1.5
        columns["id"].append(i + 1)
        columns["request_id"].append(f"req-{seed}-{i:010d}")
        columns["score"].append(score)
        amount = round(rng.lognormvariate(3, 1), 2)
        columns["amount"].append(round(amount) if i % 20 == 7 else amount)  # whole amounts written as integers
        columns["age"].append(None if rng.random() < 0.05 else rng.randint(18, 90))
        columns["label"].append("purple" if i % 1009 == 1008 else labels[i])
        columns["merchant"].append(rng.choice(MERCHANTS))
        columns["flagged"].append(rng.random() < 0.03)
        columns["ratio"].append(None if rng.random() < 0.1 else round(rng.random() * 3, 4))
        columns["count"].append(rng.randint(0, 500))
        draw = rng.random()
        columns["note"].append(MISSING if draw < 0.4 else None if draw < 0.7 else rng.choice(NOTES))
    return columns


def write_jsonl(columns: dict[str, list[Any]], path: Path) -> None:
    names = list(columns)
    dumps = json.JSONEncoder(separators=(", ", ": ")).encode
    with path.open("w", encoding="utf-8") as out:
        for row in zip(*columns.values(), strict=True):
            out.write(dumps({k: v for k, v in zip(names, row, strict=True) if v is not MISSING}) + "\n")


def write_parquet(columns: dict[str, list[Any]], path: Path) -> None:
    """The same values; a missing note is a null (a column holds every row), as a table export would write it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = {name: pa.array([None if v is MISSING else v for v in values], type=ARROW_TYPES[name])
              for name, values in columns.items()}
    pq.write_table(pa.table(arrays), path, row_group_size=100_000, compression="snappy")


def link_copies(source: Path, folder: Path, copies: int) -> None:
    folder.mkdir(exist_ok=True)
    for k in range(copies):
        target = folder / f"part-{k:02d}{source.suffix}"
        target.unlink(missing_ok=True)
        os.link(source, target)


def generate(n: int, out: Path, baseline_n: int = 100_000, copies: int = 10, seed: int = 1) -> Path:
    """Write everything into ``out`` (unless it holds the same generation already); returns ``out``."""
    stamp = {"n": n, "baseline_n": baseline_n, "copies": copies, "seed": seed, "manifest": manifest()}
    done = out / "generated.json"
    if done.is_file() and json.loads(done.read_text(encoding="utf-8")) == stamp:
        return out
    out.mkdir(parents=True, exist_ok=True)
    (out / "contracts").mkdir(exist_ok=True)
    (out / "contracts" / f"{CONTRACT}.yaml").write_text(manifest(), encoding="utf-8")
    data = records(n, seed)
    write_jsonl(data, out / "records.jsonl")
    write_parquet(data, out / "records.parquet")
    write_parquet({name: values[:1] for name, values in data.items()}, out / "one.parquet")
    del data
    link_copies(out / "records.jsonl", out / "g10", copies)
    link_copies(out / "records.parquet", out / "g10", copies)
    write_jsonl(records(baseline_n, seed + 1, shift=0.1), out / "baseline.jsonl")
    sys.path.append(str(ROOT))  # after the import path: an installed modelgate is the one measured
    from bot.manifests.models import Quality
    from bot.verify.run import Expected, write_baseline

    for version in (1, 2):
        expected = Expected(schema(version), Quality.model_validate(QUALITY), f"{CONTRACT}@{version}")
        text = write_baseline(expected, out / "baseline.jsonl")
        (out / f"baseline-{version}.json").write_text(text, encoding="utf-8")
    done.write_text(json.dumps(stamp), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("n", type=int, help="records")
    parser.add_argument("dir", type=Path)
    parser.add_argument("--baseline-n", type=int, default=100_000, help="baseline records (default 100,000)")
    parser.add_argument("--copies", type=int, default=10, help="hard links in g10/ (default 10)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.n, args.dir, args.baseline_n, args.copies, args.seed)


if __name__ == "__main__":
    main()
