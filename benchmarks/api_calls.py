"""Count the GitHub API calls of one pull_request run of ``modelgate action`` at each monorepo size.

    .venv/bin/python benchmarks/api_calls.py [--sizes 1000 10000] [--work DIR] [--event pull_request|schedule|both]

The API budget (docs/github.md, "Faults, retries and the API budget"): at most 30 calls for a PR with up to 100
comments and 20 reviews, whatever the monorepo's size. For each size N: generate a synthetic monorepo
(benchmarks/generate.py; reused from ``--work``), stand up the GitHub double (tests/github_double.py, every request
and response checked against GitHub's REST description) with PR #7 from branch ``base`` to ``head``, 100 comments, 20
COMMENTED reviews and one approval by a member of every owning team (teams readable, as with a GitHub App token), and
run one ``pull_request`` (synchronize) event through ``modelgate action`` in this process, as tests/test_action.py
does, with a cold parse cache. Prints one line per N (calls, calls by kind, verdict, wall time of the run), then
whether the counts are identical across sizes.

``--event schedule`` (or ``both``, the default) measures the scheduled run of the deprecation calendar
(docs/calendar.md) on the same monorepos: the default branch is ``calendar-main``, ``head`` (it deprecates one
contract version, sunset 2027-06-30) plus a model that still consumes that version (at every size, so the sunset is
announced), with 50 open pull requests branched from it, each one commit; ``SCHEDULED_CONSUMERS`` of them add a
new consumer of the deprecated version, the others touch the README. Each head carries the ``modelgate`` status its
own run set before the sunset (pending). The run is on 2027-07-01, the day after the sunset: the tracking issue is
created, the sunset is announced, the pull requests that add a consumer are re-judged (pending -> failure); then a
second run on the same day, which must write nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import yaml  # noqa: E402
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
OPEN_PULLS = 50
SCHEDULED_CONSUMERS = 5  # of the open pull requests, those that add a consumer of the deprecated version
AFTER_SUNSET = "2027-07-01"  # benchmarks/generate.py deprecates c00001@1 with the sunset 2027-06-30


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


def branch_off(repo: Path, tip: str, name: str, path: str, text: str) -> str:
    """A commit on ``tip`` that writes ``text`` at ``path``, made with git's plumbing (a scratch index, no
    checkout of the monorepo), as branch ``name``; its sha."""
    env = {**os.environ, "GIT_INDEX_FILE": str(repo / ".git" / f"index-{name.replace('/', '-')}")}
    run = functools.partial(subprocess.run, capture_output=True, text=True, check=True, env=env, cwd=repo)
    blob = run(["git", "hash-object", "-w", "--stdin"], input=text).stdout.strip()
    run(["git", "read-tree", tip])
    run(["git", "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}"])
    tree = run(["git", "write-tree"]).stdout.strip()
    sha = run(["git", "commit-tree", tree, "-p", tip, "-m", f"{name}"]).stdout.strip()
    run(["git", "update-ref", f"refs/heads/{name}", sha])
    Path(env["GIT_INDEX_FILE"]).unlink()
    return sha


def open_pulls(repo: Path, github: GitHubDouble, tip: str) -> list[str]:
    """``OPEN_PULLS`` pull requests into ``calendar-main`` (see the module's docstring), each with a pending
    status."""
    heads = []
    for i in range(OPEN_PULLS):
        number = 100 + i
        if i < SCHEDULED_CONSUMERS:
            sha = branch_off(repo, tip, f"pr/{number}", f"models/newcomer{i}.yaml",
                             consumer(f"newcomer{i}", TEAMS[i % len(TEAMS)]))
        else:
            sha = branch_off(repo, tip, f"pr/{number}", "README.md", f"synthetic monorepo, edit {i}\n")
        github.add_pull(number, head_sha=sha, base_sha=tip, head_ref=f"pr/{number}", base_ref="calendar-main")
        github.add_status(sha, "pending", description="0 of 1 approvals · waiting on an owner")
        heads.append(sha)
    return heads


def consumer(name: str, team: str) -> str:
    """A model manifest consuming the deprecated version ``c00001@1``."""
    return yaml.safe_dump({"apiVersion": "modelgate/v1", "kind": "Model", "metadata": {"name": name, "owners": [team]},
                           "spec": {"version": "1.0.0", "consumes": [{"contract": "c00001", "version": 1}]}})


def measure_scheduled(repo: Path, tmp: Path) -> tuple[Run, Run]:
    """The first scheduled run after the sunset, then a second one the same day, against one GitHub double."""
    head = git(repo, "rev-parse", "head").strip()
    tip = branch_off(repo, head, "calendar-main", "models/holdout.yaml", consumer("holdout", TEAMS[0]))
    runs = []
    with GitHubDouble(REPO) as github:
        github.default_branch = "calendar-main"
        github.branches["calendar-main"] = tip
        open_pulls(repo, github, tip)
        for key in INPUTS:
            os.environ.pop(key, None)
        os.environ.update({**action_env(github.url, repo, tmp), "MODELGATE_TODAY": AFTER_SUNSET,
                           "MODELGATE_CACHE_DIR": str(tmp / "cache")})
        for _ in range(2):
            first = len(github.log)
            (tmp / "output.txt").unlink(missing_ok=True)
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                code, client = run_action(os.environ.__setitem__, "schedule", {}, tmp / "event.json",
                                          sleep=github.sleeps.append, today=AFTER_SUNSET)
            wall = time.perf_counter() - start
            log = github.log[first:]
            outputs = read_outputs(tmp / "output.txt")
            runs.append(Run(calls=client.calls if client else 0, served=len(log),
                            kinds=Counter((call.method, path_template(call.path)) for call in log),
                            verdict=f"rejudged {outputs.get('rejudged', '-')}", exit_code=code, wall=wall,
                            problems=list(github.problems)))
    return runs[0], runs[1]


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
    parser.add_argument("--event", choices=["pull_request", "schedule", "both"], default="both")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="modelgate-bench-"))
    runs: dict[str, dict[int, Run]] = {}
    for n in args.sizes:
        repo = work / f"mono-{n}"  # the name benchmarks/run.py uses: one --work serves both
        if not repo.exists():
            generate(n, repo)
        if args.event in ("pull_request", "both"):
            with tempfile.TemporaryDirectory(prefix=f"modelgate-api-{n}-") as tmp:
                runs.setdefault("pull_request", {})[n] = measure(repo, Path(tmp))
            print(describe(n, runs["pull_request"][n]), flush=True)
        if args.event in ("schedule", "both"):
            with tempfile.TemporaryDirectory(prefix=f"modelgate-api-schedule-{n}-") as tmp:
                first, second = measure_scheduled(repo, Path(tmp))
            runs.setdefault("schedule, first run after the sunset", {})[n] = first
            runs.setdefault("schedule, second run the same day", {})[n] = second
            print(f"schedule, {OPEN_PULLS} open pull requests, first run after the sunset: {describe(n, first)}")
            print(f"schedule, second run the same day: {describe(n, second)}", flush=True)
    for what, by_n in runs.items():
        same = len({(run.calls, tuple(sorted(run.kinds.items()))) for run in by_n.values()}) == 1
        sizes = ", ".join(str(n) for n in by_n)
        print(f"{what}: identical across N = {sizes}: {'yes' if same else 'NO'} "
              f"({', '.join(str(run.calls) for run in by_n.values())} calls)")


if __name__ == "__main__":
    main()
