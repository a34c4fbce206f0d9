"""Benchmark of the hostile inputs of issue 19 (items 7 and 8) through the real CLI: CPU seconds and peak memory.

    .venv/bin/python benchmarks/hostile_bench.py

Each input runs ``python -m bot ...`` in its own process (cache off); its CPU time (user + system) and peak
resident memory come from ``wait4``, so they are that run's alone, whatever the neighbours do. The budget of
every input: under 10 s of CPU and 500 MB. The inputs are the corpus files of ``tests/hostile/`` (where
``tests/test_hostile.py`` asserts the finding each one must give) and a few generated at the bounds:

- the fan-out contract (``$defs`` 30 levels deep, each referring to the next twice) changed at its leaf, in
  ``check``; the recursive schema against the fan-out, and two fan-outs, in ``schema-diff``;
- ``pattern: "^(a|a)*$"`` against a fallback value of 30 characters (92 s before), in ``lint``;
- the hostile ``patternProperties`` key the coverage check matches a 31-character name against, in ``check``
  and ``schema-diff``;
- at the bounds: the largest change lists under the budget (a fan-out 11 levels deep: 2,048 paths changed,
  1,000 changes reported by ``check``; 9,000 changed properties without ``$ref`` in a 1 MB contract, 18,000
  differences recorded in its two directions), 160,000 pairs of ``anyOf`` alternatives, as many of alternatives whose
  200 properties are equal, a chain of 500 ``$ref``,
  and a contract with 100 distinct patterns each near the compiled-size limit (``lint``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "hostile"
CPU_BUDGET, MEMORY_BUDGET = 10.0, 500.0


def run(argv: list[str], cwd: Path) -> tuple[int, float, float, str]:
    """Exit code, CPU seconds, peak MB and the first 160 characters of the output of ``modelgate argv``."""
    env = {**os.environ, "MODELGATE_CACHE_DIR": "none", "MODELGATE_TODAY": "2026-11-28", "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen([sys.executable, "-m", "bot", *argv], cwd=cwd, env=env, stdout=out,
                                 stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return child.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


def repository(root: Path, manifest: str) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "models" / "hostile.yaml").write_text(manifest)
    return root


def contract(name: str, schema: Any, extra: str = "") -> str:
    return ("apiVersion: modelgate/v1\nkind: Contract\nmetadata:\n  name: " + name + "\n  owners: ['@a']\nspec:\n"
            "  versions:\n    - version: 1\n      status: retired\n      schema: " + json.dumps(schema) + "\n" + extra)


def fan_out(depth: int, leaf: str) -> dict[str, Any]:
    defs: dict[str, Any] = {f"L{k}": {"type": "object", "properties": {"a": {"$ref": f"#/$defs/L{k + 1}"},
                                                                       "b": {"$ref": f"#/$defs/L{k + 1}"}}}
                            for k in range(depth)}
    defs[f"L{depth}"] = {"type": leaf}
    return {"type": "object", "properties": {"p": {"$ref": "#/$defs/L0"}}, "$defs": defs}


def wide(bound: int) -> dict[str, Any]:
    """9,000 properties whose maxLength changes, in a contract of about 1 MB."""
    return {"type": "object", "properties": {f"p{i}": {"type": "string", "maxLength": bound, "description": "d" * 44}
                                             for i in range(9_000)}}


def alike(side: str) -> dict[str, Any]:
    """250 alternatives of 200 equal properties and one that differs: each pair is checked property by property."""
    same = {f"f{k}": {"type": "string"} for k in range(200)}
    return {"anyOf": [{"type": "object", "properties": {**same, "x": {"const": f"{side}{i}"}}} for i in range(250)]}


def cases(tmp: Path) -> list[tuple[str, list[str], str]]:
    """(name, argv, a text the output must hold)."""
    def corpus(name: str) -> str:
        return (HOSTILE / name).read_text(encoding="utf-8")

    def pair(name: str, base: str, head: str) -> list[str]:
        return ["check", "--base", str(repository(tmp / name / "base", base)),
                "--head", str(repository(tmp / name / "head", head)), "--format", "json"]

    def schema(name: str, value: Any) -> str:
        path = tmp / name
        path.write_text(json.dumps(value))
        return str(path)

    chain = {f"L{k}": {"type": "object", "properties": {"a": {"$ref": f"#/$defs/L{k + 1}"}}} for k in range(500)}
    big_patterns = {"type": "object", "properties": {
        f"p{i}": {"type": "string", "pattern": "\\p{L}{20}" + "x" * i} for i in range(100)}}
    big_value = "{" + ", ".join(f"p{i}: {'é' * 20 + 'x' * i}" for i in range(100)) + "}"
    union = {side: schema(f"union-{side}.json", {"anyOf": [{"type": "string", "x-note": f"{side} {i}"}
                                                           for i in range(400)]}) for side in ("old", "new")}
    return [
        ("fan-out contract (check)", pair("fan-out", corpus("manifests/fan-out-base.yaml"),
                                          corpus("manifests/fan-out-head.yaml")), "too complex to compare"),
        ("recursive vs fan-out (schema-diff)", ["schema-diff", str(HOSTILE / "schemas/recursive.json"),
                                                str(HOSTILE / "schemas/fan-out.json")], "too complex to compare"),
        ("fan-out vs fan-out, full (schema-diff)", ["schema-diff", str(HOSTILE / "schemas/fan-out.json"),
                                                    str(HOSTILE / "schemas/fan-out-changed.json"), "--mode", "full"],
         "too complex to compare"),
        ("^(a|a)*$ fallback (lint)", ["lint", str(repository(tmp / "fallback", corpus(
            "manifests/pattern-backtracking-fallback.yaml")))], 'does not match "^(a|a)*$"'),
        ("hostile patternProperties key (check)", pair("keys", corpus("manifests/pattern-properties-base.yaml"),
                                                      corpus("manifests/pattern-properties-head.yaml")),
         "optional property added to unopen content model"),
        ("hostile patternProperties key (schema-diff)", [
            "schema-diff", str(HOSTILE / "schemas/pattern-properties-base.json"),
            str(HOSTILE / "schemas/pattern-properties.json")], "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"),
        ("bound: 2,048 paths changed (check)", pair("under-cap", contract("fan", fan_out(11, "string")),
                                                       contract("fan", fan_out(11, "integer"))), "TYPE_CHANGED"),
        ("bound: 9,000 changes in 1 MB, no $ref (check)",
         pair("wide", contract("wide", wide(4)), contract("wide", wide(5))), "MAX_LENGTH_INCREASED"),
        ("bound: 160,000 anyOf pairs (schema-diff)", ["schema-diff", union["old"], union["new"]],
         "pairs of subschemas"),
        ("bound: 250 x 250 alternatives of 200 equal properties (schema-diff)",
         ["schema-diff", schema("equal-old.json", alike("old")), schema("equal-new.json", alike("new"))],
         "pairs of subschemas"),
        ("bound: a chain of 500 $ref (schema-diff)", [
            "schema-diff", schema("chain-old.json", {"$ref": "#/$defs/L0", "$defs": {**chain, "L500": {}}}),
            schema("chain-new.json", {"$ref": "#/$defs/L0", "$defs": {**chain, "L500": {"type": "string"}}})],
         "levels deep"),
        ("bound: 100 patterns of ~1 MiB each (lint)", ["lint", str(repository(tmp / "patterns", contract(
            "many", big_patterns, f"      fallback: {{strategy: default_value, value: {big_value}}}\n")))],
         "no problems in 1 manifest"),
    ]


def report(cases: Iterable[tuple[str, list[str], Path, str]]) -> int:
    """Run each (name, argv, cwd, expected output) case, print the table and the verdict; 1 if any is over the budget
    or lacks its expected finding."""
    over = 0
    rows = []
    for name, argv, cwd, expected in cases:
        code, cpu, peak, output = run(argv, cwd)
        held = expected in output
        over += cpu >= CPU_BUDGET or peak >= MEMORY_BUDGET or not held
        shown = name.replace("|", "\\|")  # a cell of a markdown table
        rows.append(f"| {shown} | {code} | {cpu:.2f} s | {peak:.0f} MB | {'yes' if held else 'NO'} |")
    print("| input | exit | CPU | peak memory | expected finding |\n|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nbudget: under {CPU_BUDGET:.0f} s of CPU and {MEMORY_BUDGET:.0f} MB each; "
          f"{'all within' if not over else f'{over} over or without the expected finding'}")
    return 1 if over else 0


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        return report((name, argv, ROOT, expected) for name, argv, expected in cases(Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
