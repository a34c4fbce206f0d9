"""What looking at the YAML files outside ``manifests.include`` costs (issue 13, MG009), as ratios in one run.

    python benchmarks/outside_bench.py [--sizes 1000] [--noise 3000] [--repeat 3] [--baseline DIR] [--work DIR]

For each size N: a synthetic monorepo (benchmarks/generate.py) whose ``.modelgate.yml`` includes only
``models/**`` and ``contracts/**`` (``plain``), and the same monorepo with ``--noise`` more YAML files outside those
globs at base and head (``noisy``): Kubernetes objects (``kind`` and ``spec``: past the prefilter, parsed), Helm
values and CI workflows (dropped by the prefilter), and 1% of them modelgate manifests left out (MG009).
``modelgate check`` runs cold and with a warm parse cache on both; the figure is the noisy check as a ratio to the
plain one. With ``--baseline DIR`` (another checkout of modelgate, e.g. the main branch), the same checks run with
its code too, interleaved, so both codes see the same machine load: the ratio of this code to the baseline's.
Wall time is the best of ``--repeat`` runs; peak memory the child's maximum resident set.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from run import checks  # noqa: E402

INCLUDE = "manifests: {include: ['models/**', 'contracts/**']}\n"
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i}
  labels: {{app: svc-{i}, tier: backend}}
spec:
  replicas: 3
  selector: {{matchLabels: {{app: svc-{i}}}}}
  template:
    metadata: {{labels: {{app: svc-{i}}}}}
    spec:
      containers:
        - name: app
          image: registry.example.com/svc-{i}:1.{i}.0
          ports: [{{containerPort: 8080}}]
          env:
            - {{name: LOG_LEVEL, value: info}}
            - {{name: REGION, value: eu-west-1}}
          resources: {{limits: {{cpu: 500m, memory: 256Mi}}}}
"""
VALUES = "image:\n  repository: registry.example.com/svc-{i}\n  tag: 1.{i}.0\nreplicas: 3\nresources: {{}}\n"
WORKFLOW = "name: ci-{i}\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"
LEFT_OUT = """\
apiVersion: modelgate/v1
kind: Model
metadata: {{name: stray-{i}, owners: ["@acme/team"]}}
spec: {{version: 1.0.0}}
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def build(n: int, root: Path, noise: int) -> None:
    """The monorepo of ``generate`` with the include of ``INCLUDE`` and ``noise`` YAML files outside it."""
    generate(n, root)
    files = {".modelgate.yml": INCLUDE}
    for i in range(noise):
        kind = i % 100
        if kind == 0:
            files[f"ml/stray/s{i:05d}.yaml"] = LEFT_OUT.format(i=i)
        elif kind < 50:
            files[f"deploy/k8s/d{i:05d}.yaml"] = DEPLOYMENT.format(i=i)
        elif kind < 80:
            files[f"charts/c{i:05d}/values.yaml"] = VALUES.format(i=i)
        else:
            files[f".github/workflows/w{i:05d}.yml"] = WORKFLOW.format(i=i)
    git(root, "checkout", "-q", "base")
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"{noise} YAML files outside the globs")
    git(root, "checkout", "-q", "head")
    git(root, "merge", "-q", "--no-edit", "base")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--noise", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", type=Path, default=None, help="another checkout of modelgate to compare with")
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="modelgate-outside-"))
    codes = {"this": HERE.parent, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    print(f"{'N':>6} {'code':<9} {'repo':<6} {'what':<10} {'wall s':>8} {'peak MB':>8} {'noisy/plain':>12}")
    for n in args.sizes:
        repos = {"plain": work / f"plain-{n}", "noisy": work / f"noisy-{n}"}
        for name, repo in repos.items():
            if not repo.exists():
                build(n, repo, args.noise if name == "noisy" else 0)
        figures: dict[tuple[str, str], tuple[tuple[float, float, str], ...]] = {}
        for _ in range(args.repeat):  # interleaved: both codes under the same load
            for code, root in codes.items():
                env = {**os.environ, "MODELGATE_TODAY": "2026-11-28", "PYTHONPATH": str(root),
                       "PYTHONDONTWRITEBYTECODE": "1"}
                for name, repo in repos.items():
                    found = checks(repo, work / f"cache-{code}-{name}-{n}", 1, env)
                    kept = figures.get((code, name))
                    figures[(code, name)] = found if kept is None else tuple(
                        min(a, b, key=lambda r: r[0]) for a, b in zip(kept, found, strict=True))
        for code in codes:
            for index, what in enumerate(("cold", "warm parse")):
                for name in repos:
                    wall, peak, _ = figures[(code, name)][index]
                    ratio = wall / figures[(code, "plain")][index][0]
                    print(f"{n:>6} {code:<9} {name:<6} {what:<10} {wall:>8.2f} {peak:>8.0f} {ratio:>12.2f}")
        if "baseline" in codes:
            for index, what in enumerate(("cold", "warm parse")):
                for name in repos:
                    ratio = figures[("this", name)][index][0] / figures[("baseline", name)][index][0]
                    print(f"{n:>6} this/baseline, {name} {what}: {ratio:.2f}")
        report = json.loads(figures[("this", "noisy")][0][2])
        print(f"{n:>6} noisy, this code: {sum(f['rule'] == 'MG009' for f in report['findings'])} MG009, verdict "
              f"{report['verdict']}")


if __name__ == "__main__":
    main()
