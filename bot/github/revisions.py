"""The two states of a pull request, read as data from git objects in ``GITHUB_WORKSPACE``.

Nothing from the PR is checked out, imported or run: the head is a commit whose blobs are read through
``git cat-file`` (bot.sources.GitRevisionSource). When the checkout lacks a commit (a fork's head, a shallow
clone's base) it is fetched by name: ``git fetch --no-tags --depth=N origin <sha> refs/pull/N/head``, with the
run's token given to that one command (:func:`fetch_auth`): the workflows check out without persisting credentials.
The base is the merge base of the PR's base and head commits; a shallow clone is deepened until it has one
(actions/checkout clones with depth 1).

Two different commits answer two different questions (docs/github.md, "What is trusted"): the merge base decides *what
changed*; the **trust root**, the tip of the target branch when the run starts, decides *who is trusted and which
policy applies*: the configuration, CODEOWNERS and the owners of manifests are read there (``load_trusted_states``),
never at the merge base (a PR branched from an old commit would be judged by that commit's policy) and never at
the head.
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.cache import configured_dir
from bot.config import CONFIG_PATH
from bot.loader import Parses, load_trusted
from bot.manifests.parse import parse_config
from bot.manifests.snapshot import Snapshot
from bot.sources import GitRevisionSource, SourceError, git, merge_base

FETCH_DEPTH = 200  # enough history for the merge base of most PRs; beyond it, find_merge_base deepens further


def has_commit(workspace: str | Path, sha: str) -> bool:
    done = subprocess.run(["git", "-C", str(workspace), "cat-file", "-e", f"{sha}^{{commit}}"],
                          capture_output=True, check=False)
    return done.returncode == 0


def is_shallow(workspace: str | Path) -> bool:
    return git(workspace, "rev-parse", "--is-shallow-repository").strip() == "true"


def ensure_commits(workspace: str | Path, shas: Sequence[str], refs: Sequence[str] = (),
                   remote: str = "origin") -> None:
    """Fetch ``shas`` (and ``refs``, e.g. ``refs/pull/7/head``) when any is missing or the clone is shallow."""
    if all(has_commit(workspace, sha) for sha in shas) and not is_shallow(workspace):
        return
    wanted = [*shas, *(f"+{ref}:refs/remotes/{remote}/{ref.removeprefix('refs/')}" for ref in refs)]
    try:
        _fetch(workspace, f"--depth={FETCH_DEPTH}", remote, *wanted)
    except SourceError as exc:
        raise SourceError(f"cannot fetch {' '.join(wanted)} from {remote}: {exc}") from exc
    missing = [sha for sha in shas if not has_commit(workspace, sha)]
    if missing:
        raise SourceError(f"commit {missing[0]} is not in {remote} (fetched {' '.join(wanted)})")


def fetch_auth(token: str | None) -> dict[str, str]:
    """The environment that hands the run's token to one git command, as actions/checkout's own header does:
    git reads ``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n`` as ``-c`` options, so the token is
    neither written to ``.git/config`` (the workflows check out with ``persist-credentials: false``) nor put on a
    command line. Without a token, nothing: a public repository is fetched anonymously."""
    if not token:
        return {}
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode("ascii")
    return {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.extraheader",
            "GIT_CONFIG_VALUE_0": f"AUTHORIZATION: basic {basic}"}


def _fetch(workspace: str | Path, *args: str) -> None:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", **fetch_auth(os.environ.get("GITHUB_TOKEN"))}
    git(workspace, "-c", "protocol.version=2", "fetch", "--no-tags", "--quiet", *args, env=env)


def _has_merge_base(workspace: str | Path, base_sha: str, head_sha: str) -> bool:
    done = subprocess.run(["git", "-C", str(workspace), "merge-base", base_sha, head_sha],
                          capture_output=True, check=False)
    return done.returncode == 0


def _shallow_boundary(workspace: str | Path) -> str:
    path = Path(workspace) / git(workspace, "rev-parse", "--git-path", "shallow").strip()
    return path.read_text() if path.is_file() else ""


def find_merge_base(workspace: str | Path, base_sha: str, head_sha: str, remote: str = "origin") -> str:
    """The merge base of the two commits, deepening a shallow clone (by 200, 400, 800... commits, then all of
    its history when a deepening brings nothing) until it is found; without one (unrelated histories),
    ``base_sha``."""
    deepen = FETCH_DEPTH
    while not _has_merge_base(workspace, base_sha, head_sha) and is_shallow(workspace):
        boundary = _shallow_boundary(workspace)
        _fetch(workspace, f"--deepen={deepen}", remote, base_sha, head_sha)
        if _shallow_boundary(workspace) == boundary:
            _fetch(workspace, "--unshallow", remote, base_sha, head_sha)
        deepen *= 2
    return merge_base(workspace, base_sha, head_sha)


@dataclass(frozen=True)
class TrustedStates:
    """The three states of a PR: ``trust`` (the target branch's tip: policy, CODEOWNERS, owners), ``base`` (the merge
    base of that tip and the head: what changed) and ``head``; base and head are read with the trust root's
    configuration. ``base is trust`` when the PR is up to date with its branch."""

    trust: Snapshot
    base: Snapshot
    head: Snapshot


def load_trusted_states(workspace: str | Path, trust_sha: str, head_sha: str,
                        config_path: str = CONFIG_PATH) -> TrustedStates:
    """The trust root at ``trust_sha`` (the base branch's tip), the merge base of it and ``head_sha``, and the head.

    The configuration at ``config_path`` of the trust root is the configuration of all three (an invalid one given
    by the ``config`` input is a SourceError). One parse memo serves the three, so shared blobs are parsed once."""
    fork = find_merge_base(workspace, trust_sha, head_sha)
    parses = Parses.with_cache(configured_dir())
    sources = [GitRevisionSource(workspace, sha, label=sha) for sha in dict.fromkeys((trust_sha, fork, head_sha))]
    by_sha = {source.label: source for source in sources}
    try:
        given = None
        if config_path != CONFIG_PATH:
            given, problems = parse_config(by_sha[trust_sha].read(config_path), config_path)
            if problems:
                first = problems[0]
                raise SourceError(f"{first.file}:{first.line}: {first.message} (the configuration at the trust root)")
        trust, base, head = load_trusted(by_sha[trust_sha], None if fork == trust_sha else by_sha[fork],
                                         by_sha[head_sha], given, parses)
    finally:
        for source in sources:
            source.close()
    return TrustedStates(trust, base, head)
