"""Count the GitHub API calls of one pull_request run of ``modelgate action`` at each monorepo size.

    .venv/bin/python benchmarks/api_calls.py [--sizes 1000 10000] [--work DIR]

The API budget (docs/github.md, "Faults, retries and the API budget"): at most 30 calls for a PR with up to 100
comments and 20 reviews, whatever the monorepo's size. For each size N: generate a synthetic monorepo
(benchmarks/generate.py; reused from ``--work``), stand up the GitHub double (tests/github_double.py, every request
and response checked against GitHub's REST description) with PR #7 from branch ``base`` to ``head``, 100 comments, 20
COMMENTED reviews and one approval by a member of every owning team (teams readable, as with a GitHub App token), and
run one ``pull_request`` (synchronize) event through ``modelgate action`` in this process, as tests/test_action.py
does, with a cold parse cache. Prints one line per N (calls, calls by kind, verdict, wall time of the run), then
whether the counts are identical across sizes.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import TEAMS, generate  # noqa: E402

from tests.action_world import (  # noqa: E402
    INPUTS,
    REPO,
    TODAY,
    action_env,
    busy_pull,
    pull_request_payload,
    read_outputs,
    run_action,
)
from tests.github_double import GitHubDouble, path_template  # noqa: E402
from tests.helpers import git  # noqa: E402

APPROVER = "priya-raman"


@dataclass(frozen=True)
class Run:
    calls: int  # counted by the client (retries included)
    served: int  # requests the double saw
    kinds: Counter[tuple[str, str]]  # (method, path template) -> calls
    verdict: str
    exit_code: int
    wall: float
    problems: list[str]  # requests or responses outside GitHub's REST description


def measure(repo: Path, tmp: Path) -> Run:
    """One pull_request run on ``repo`` (branches ``base`` and ``head``) against a fresh GitHub double."""
    base, head = (git(repo, "rev-parse", branch).strip() for branch in ("base", "head"))
    with GitHubDouble(REPO) as github:
        github.add_pull(7, head_sha=head, base_sha=base, author="dev")
        busy_pull(github, 7, head, comments=100, reviews=20)
        github.add_review(7, APPROVER, "APPROVED", commit_id=head)
        for team in TEAMS:
            github.teams[team.removeprefix("@")] = [APPROVER]
        for key in INPUTS:
            os.environ.pop(key, None)
        os.environ.update({**action_env(github.url, repo, tmp), "MODELGATE_TODAY": TODAY,
                           "MODELGATE_CACHE_DIR": str(tmp / "cache")})
        payload = pull_request_payload(7, head=head, base=base)
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # annotations: not this benchmark's output
            code, client = run_action(os.environ.__setitem__, "pull_request", payload, tmp / "event.json",
                                      sleep=github.sleeps.append)
        wall = time.perf_counter() - start
    return Run(calls=client.calls if client else 0, served=len(github.log),
               kinds=Counter((call.method, path_template(call.path)) for call in github.log),
               verdict=read_outputs(tmp / "output.txt").get("verdict", "-"), exit_code=code, wall=wall,
               problems=list(github.problems))


def describe(n: int, run: Run) -> str:
    kinds = ", ".join(f"{count}× {method} {path.removeprefix('/repos/{owner}/{repo}')}"
                      for (method, path), count in sorted(run.kinds.items(), key=lambda item: item[0][::-1]))
    line = (f"N={n:>6}: {run.calls} API calls ({run.served} served) [{kinds}]; verdict {run.verdict} "
            f"(exit {run.exit_code}); wall {run.wall:.2f} s")
    return line + "".join(f"\n  outside the REST description: {problem}" for problem in run.problems)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--work", type=Path, default=None, help="where the monorepos are made (or reused)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="modelgate-bench-"))
    runs: dict[int, Run] = {}
    for n in args.sizes:
        repo = work / f"mono-{n}"  # the name benchmarks/run.py uses: one --work serves both
        if not repo.exists():
            generate(n, repo)
        with tempfile.TemporaryDirectory(prefix=f"modelgate-api-{n}-") as tmp:
            runs[n] = measure(repo, Path(tmp))
        print(describe(n, runs[n]), flush=True)
    same = len({(run.calls, tuple(sorted(run.kinds.items()))) for run in runs.values()}) == 1
    sizes = ", ".join(str(n) for n in runs)
    print(f"identical across N = {sizes}: {'yes' if same else 'NO'} "
          f"({', '.join(str(run.calls) for run in runs.values())} calls)")


if __name__ == "__main__":
    main()
