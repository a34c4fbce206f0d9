"""Print the figures of modelgate at monorepo scale, each as a ratio to a floor measured in the same run.

    python benchmarks/run.py [--sizes 1000 10000] [--repeat 3] [--work DIR]

For each size N: generate a synthetic monorepo (benchmarks/generate.py), then measure, as separate
processes, (a) the floor (benchmarks/floor.py: read + CSafeLoader-parse every manifest at head),
(b) ``modelgate check --base base --head head --format json`` with cold caches, (c) the same with a warm parse
cache but no stored Result (a new pair of states: everything evaluated again), (d) the same pair checked again,
its Result replayed from the result cache, and (e) one ``modelgate impact`` query timed inside the process.
Then (f) the checks (b) and (c) of a monorepo generated alike but with findings everywhere (``generate.py
--over-budget``: every providing model over its latency budget, one preexisting MG204 each, as on the first day of
adoption), each as a ratio to the same check of the monorepo without them, measured in this run: a finding must
cost its message, not another read or parse of its manifest.
Wall time is the best of ``--repeat`` runs (this machine is shared and noisy); peak memory is the child's
maximum resident set.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def run_child(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak resident MB (from wait4's resource usage) and stdout of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({code}): {err.decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024, out.decode()


def best(runs: int, cmd: list[str], cwd: Path, env: dict[str, str], before: object = None) -> tuple[float, float, str]:
    results = []
    for _ in range(runs):
        if callable(before):
            before()
        results.append(run_child(cmd, cwd, env))
    wall = min(r[0] for r in results)
    return wall, max(r[1] for r in results), results[-1][2]


def checks(repo: Path, cache: Path, repeat: int, env: dict[str, str]) -> tuple[tuple[float, float, str], ...]:
    """(cold, warm parse cache) ``check`` of ``repo``: best wall time, peak MB and the JSON report of each."""
    check = [sys.executable, "-m", "bot", "check", "--base", "base", "--head", "head", "--format", "json",
             "--cache-dir", str(cache)]
    cold = best(repeat, check, repo, env, before=lambda: shutil.rmtree(cache, ignore_errors=True))
    warm = best(repeat, check, repo, env, before=lambda: shutil.rmtree(cache / "results", ignore_errors=True))
    return cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="modelgate-bench-"))
    python = sys.executable
    print(f"{'N':>6} {'what':<24} {'wall s':>8} {'peak MB':>8} {'ratio':>7}")
    for n in args.sizes:
        repo = work / f"mono-{n}"
        if not repo.exists():
            generate(n, repo)
        cache = work / f"cache-{n}"
        env = {**os.environ, "MODELGATE_TODAY": "2026-11-28"}
        floor = best(args.repeat, [python, str(HERE / "floor.py"), str(repo), "head"], repo, env)
        check = [python, "-m", "bot", "check", "--base", "base", "--head", "head", "--format", "json",
                 "--cache-dir", str(cache)]
        env_check = {**env, "PYTHONPATH": str(HERE.parent)}
        cold, warm = checks(repo, cache, args.repeat, env_check)
        replay = best(args.repeat, check, repo, env_check)
        report = json.loads(cold[2])
        if json.loads(warm[2]) != report or json.loads(replay[2]) != report:
            raise SystemExit("the three checks disagree")
        impact = best(args.repeat, [python, str(HERE / "impact_query.py"), str(repo)], repo, env_check)
        print(f"{n:>6} {'floor (read+CSafeLoader)':<24} {floor[0]:>8.2f} {floor[1]:>8.0f} {1:>7.2f}")
        print(f"{n:>6} {'check, cold cache':<24} {cold[0]:>8.2f} {cold[1]:>8.0f} {cold[0] / floor[0]:>7.2f}")
        print(f"{n:>6} {'check, warm parse cache':<24} {warm[0]:>8.2f} {warm[1]:>8.0f} {warm[0] / floor[0]:>7.2f}")
        print(f"{n:>6} {'check, replayed':<24} {replay[0]:>8.2f} {replay[1]:>8.0f} {replay[0] / floor[0]:>7.2f}")
        print(f"{n:>6} {'one impact query (ms)':<24} {float(impact[2]):>8.1f}")
        print(f"{n:>6} verdict {report['verdict']}, {len(report['findings'])} findings, "
              f"{len(report['changes'])} changes, {len(report['impact']['direct'])} direct, "
              f"{len(report['impact']['transitive'])} transitive")
        over = work / f"mono-{n}-over-budget"
        if not over.exists():
            generate(n, over, over_budget=True)
        findings = checks(over, work / f"cache-{n}-over-budget", args.repeat, env_check)
        marked = [f for f in json.loads(findings[0][2])["findings"] if f["rule"] == "MG204" and f["preexisting"]]
        for what, with_findings, without in zip(("cold cache", "warm parse cache"), findings, (cold, warm),
                                                strict=True):
            print(f"{n:>6} {'with findings, ' + what[:4]:<24} {with_findings[0]:>8.2f} {with_findings[1]:>8.0f} "
                  f"{with_findings[0] / without[0]:>7.2f}  (vs the check without findings)")
        print(f"{n:>6} findings everywhere: {len(marked)} preexisting MG204 ({n} models)")


if __name__ == "__main__":
    main()
