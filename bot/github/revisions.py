"""The two states of a pull request, read as data from git objects in ``GITHUB_WORKSPACE``.

Nothing from the PR is checked out, imported or run: the head is a commit whose blobs are read through
``git cat-file`` (bot.sources.GitRevisionSource). When the checkout lacks a commit (a fork's head, a shallow
clone's base) it is fetched by name: ``git fetch --no-tags --depth=N origin <sha> refs/pull/N/head``.
The base is the merge base of the PR's base and head commits; the configuration is the base's (trusted).
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from bot.config import CONFIG_PATH
from bot.manifests.load import Parses, Snapshot, parse_config
from bot.manifests.load import load_states as load_pair
from bot.sources import GitRevisionSource, SourceError, git, merge_base

FETCH_DEPTH = 200  # enough history for the merge base of most PRs; beyond it, the PR's base commit is used


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
    git(workspace, "-c", "protocol.version=2", "fetch", "--no-tags", "--quiet", f"--depth={FETCH_DEPTH}",
        remote, *wanted)
    missing = [sha for sha in shas if not has_commit(workspace, sha)]
    if missing:
        raise SourceError(f"commit {missing[0]} is not in {remote} (fetched {' '.join(wanted)})")


def load_states(workspace: str | Path, base_sha: str, head_sha: str,
                config_path: str = CONFIG_PATH) -> tuple[Snapshot, Snapshot]:
    """(base at the merge base, head), the head read with the base's configuration."""
    fork = merge_base(workspace, base_sha, head_sha)
    base_source = GitRevisionSource(workspace, fork, label=fork)
    head_source = GitRevisionSource(workspace, head_sha, label=head_sha)
    try:
        trusted = None
        if config_path != CONFIG_PATH:
            trusted, problems = parse_config(base_source.read(config_path), config_path)
            if problems:
                first = problems[0]
                raise SourceError(f"{first.file}:{first.line}: {first.message} (the configuration at the base)")
        base, head = load_pair(base_source, head_source, trusted, Parses.with_cache())
    finally:
        base_source.close()
        head_source.close()
    return base, head
