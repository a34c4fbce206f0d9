"""Time ``bot.compat.compare`` on a 2,000-property schema against a modified copy.

Run: ``.venv/bin/python benchmarks/compat_bench.py``. The baseline, measured in the same run, is a
``json.dumps`` + ``json.loads`` round trip of both schemas (the least any comparison must do: read
everything once). Target: < 100 ms per diff.
"""

from __future__ import annotations

import copy
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.compat import compare

PROPERTIES = 2_000
REPEAT = 10


def build(n: int = PROPERTIES) -> dict:
    """An object of ``n`` properties of mixed shapes: scalars, enums, nullable, nested records, arrays, refs."""
    shapes = [
        {"type": "number", "minimum": 0, "maximum": 1},
        {"type": "string", "enum": ["a", "b", "c"]},
        {"type": ["integer", "null"]},
        {"type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "string", "maxLength": 8}},
         "required": ["x"], "additionalProperties": False},
        {"type": "array", "items": {"type": "number"}, "minItems": 16, "maxItems": 16},
        {"$ref": "#/$defs/money"},
    ]
    props = {f"f{i}": copy.deepcopy(shapes[i % len(shapes)]) for i in range(n)}
    return {"type": "object", "properties": props, "required": [f"f{i}" for i in range(0, n, 7)],
            "$defs": {"money": {"type": "object", "properties": {"amount": {"type": "number"},
                                                                 "currency": {"type": "string"}}}}}


def modify(schema: dict) -> dict:
    """Change one property in fifty, add and remove a few, touch the shared definition."""
    new = copy.deepcopy(schema)
    props = new["properties"]
    for i, name in enumerate(list(props)):
        if i % 50 == 0:
            props[name] = {"type": "string"}
    for i in range(10):
        props.pop(f"f{i * 97 + 1}", None)
        props[f"new{i}"] = {"type": "number"}
    new["$defs"]["money"]["properties"]["amount"] = {"type": "integer"}
    return new


def best_of(fn, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    old = build()
    new = modify(old)
    result = compare(old, new)
    diff = best_of(lambda: compare(old, new))
    baseline = best_of(lambda: (json.loads(json.dumps(old)), json.loads(json.dumps(new))))
    print(f"schema: {PROPERTIES} properties; {len(result.changes)} changes; compatible={result.compatible}")
    print(f"compare:            {diff * 1000:8.2f} ms per diff (best of {REPEAT}; target < 100 ms)")
    print(f"baseline json trip: {baseline * 1000:8.2f} ms (dumps+loads of both schemas)")
    print(f"ratio:              {diff / baseline:8.1f}x the baseline")


if __name__ == "__main__":
    main()
