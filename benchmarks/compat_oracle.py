"""The oracle of issue 14 over many pairs: soundness and precision of ``bot.compat.compare``.

Run: ``.venv/bin/python benchmarks/compat_oracle.py [--seed 2026] [--count 50000] [--jobs 2] [--shrink]``.

Pairs come from ``tests/compat/oracle.py`` (mutations of its seed schemas, deterministic from ``--seed``); each
is judged in BACKWARD and FORWARD mode: the engine's verdict, and a search for an instance valid under the
writer and invalid under the reader. Printed:

- soundness: verdicts of compatible that have a counterexample, by class (``oracle.rejection``), all of them
  and those outside ``KNOWN_UNSOUND`` (the test suite's list: the latter must be zero);
- precision: of the verdicts of incompatible, the share with a counterexample found, and the change types
  most often judged incompatible without one;
- time: wall clock and the CPU time of the workers.

``--shrink`` prints, for each class and mode, one unsound pair made small by ``oracle.shrink`` with its instance
(the form test_oracle_regressions.py keeps).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "compat")]

import oracle  # noqa: E402
from test_oracle import KNOWN_UNSOUND  # noqa: E402


def _part(args: tuple[int, int, int, int]) -> tuple[oracle.Tally, float]:
    seed, count, part, parts = args
    started = time.process_time()
    try:
        tally = oracle.run(seed, count, part, parts)
    except Exception as exc:  # jsonschema-rs's errors do not cross a process boundary: say what and where
        raise RuntimeError(f"part {part} of {parts}: {type(exc).__name__}: {exc}") from None
    return tally, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--shrink", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    parts = max(1, args.jobs) * 4
    tally, cpu = oracle.Tally(), 0.0
    with multiprocessing.Pool(max(1, args.jobs)) as pool:
        for part_tally, part_cpu in pool.imap_unordered(_part, [(args.seed, args.count, i, parts)
                                                                for i in range(parts)]):
            tally.merge(part_tally)
            cpu += part_cpu
    wall = time.perf_counter() - started

    unexplained = [v for v in tally.unsound if not oracle.explained(v, KNOWN_UNSOUND)]
    compatible = tally.judged - tally.incompatible
    print(f"pairs: {args.count:,} (seed {args.seed}), verdicts judged: {tally.judged:,} "
          f"({compatible:,} compatible, {tally.incompatible:,} incompatible)")
    print(f"soundness: {len(tally.unsound):,} compatible verdicts with a counterexample "
          f"({len(tally.unsound) / max(1, compatible):.1%} of compatible verdicts); "
          f"outside KNOWN_UNSOUND: {len(unexplained):,}")
    for name, seen in tally.unsound_classes.most_common():
        known = set(name.split("+")) <= set(KNOWN_UNSOUND)
        print(f"  {name:28} {seen:6,}{'' if known else '   (not in KNOWN_UNSOUND)'}")
    by_mutation = Counter(name for v in tally.unsound for name in v.pair.classes)
    print("  unsound verdicts by mutation: " + ", ".join(f"{n} {c:,}" for n, c in by_mutation.most_common(8)))
    print(f"precision: {tally.proven:,} of {tally.incompatible:,} incompatible verdicts have a counterexample "
          f"({tally.precision:.1%})")
    print("  judged incompatible without one (top change types):")
    for name, seen in tally.unproven_types.most_common(12):
        print(f"  {name:46} {seen:6,}")
    print(f"time: {wall:.1f} s wall, {cpu:.1f} s CPU in {max(1, args.jobs)} worker(s); "
          f"{cpu / max(1, tally.judged) * 1000:.2f} ms CPU per verdict")
    if args.shrink:
        firsts: dict[tuple[str, str], oracle.Verdict] = {}
        for verdict in tally.unsound:
            for name in verdict.counterexamples:
                firsts.setdefault((name, verdict.mode), verdict)
        for (name, mode), verdict in sorted(firsts.items()):
            pair, instance = oracle.shrink(verdict.pair, mode, name)
            print(json.dumps({"class": name, "mode": mode, "seed": pair.seed, "mutations": pair.classes,
                              "old": pair.old, "new": pair.new, "instance": instance}))


if __name__ == "__main__":
    main()
