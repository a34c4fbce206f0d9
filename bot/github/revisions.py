"""The two states of a pull request, read as data from git objects in ``GITHUB_WORKSPACE``.

Nothing from the PR is checked out, imported or run: the head is a commit whose blobs are read through
``git cat-file`` (bot.sources.GitRevisionSource). When the checkout lacks a commit (a fork's head, a shallow
clone's base) it is fetched by name: ``git fetch --no-tags --depth=N origin <sha> refs/pull/N/head``, with the
run's token given to that one command as a header for the run's server only (:func:`fetch_auth`): the workflows
check out without persisting credentials.
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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

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
                   remote: str = "origin", auth: FetchAuth | None = None) -> None:
    """Fetch ``shas`` (and ``refs``, e.g. ``refs/pull/7/head``) when any is missing or the clone is shallow."""
    if all(has_commit(workspace, sha) for sha in shas) and not is_shallow(workspace):
        return
    wanted = [*shas, *(f"+{ref}:refs/remotes/{remote}/{ref.removeprefix('refs/')}" for ref in refs)]
    try:
        _fetch(workspace, auth, f"--depth={FETCH_DEPTH}", remote, *wanted)
    except SourceError as exc:
        raise SourceError(f"cannot fetch {' '.join(wanted)} from {remote}: {exc}") from exc
    missing = [sha for sha in shas if not has_commit(workspace, sha)]
    if missing:
        raise SourceError(f"commit {missing[0]} is not in {remote} (fetched {' '.join(wanted)})")


DEFAULT_SERVER_URL = "https://github.com"


@dataclass(frozen=True)
class FetchAuth:
    """The run's token and the one server it may be sent to (``GITHUB_SERVER_URL``). The token is left out of
    ``repr``, so a settings object that holds one can be printed."""

    token: str | None = field(default=None, repr=False)
    server_url: str = DEFAULT_SERVER_URL


def header_scope(server_url: str) -> str | None:
    """The ``http.<url>.*`` key prefix that git applies only to ``server_url``: git matches such a key on the
    scheme, the host and the port exactly (a default port may be left out) and on the path as a prefix ending at a
    ``/`` (so ``https://github.com/`` covers every repository there and no other host). None when the URL is not an
    http(s) URL with a host: the token is then sent nowhere."""
    parts = urlsplit(server_url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = host if port is None else f"{host}:{port}"
    return f"http.{parts.scheme.lower()}://{netloc}{parts.path.rstrip('/')}/.extraheader"


def fetch_auth(auth: FetchAuth | None, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables to add to ``environ`` that hand the run's token to one git command, as actions/checkout's own
    header does: git reads ``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n`` as ``-c`` options, so
    the token is neither written to ``.git/config`` (the workflows check out with ``persist-credentials: false``)
    nor put on a command line. The header is scoped to the server URL (:func:`header_scope`): whatever ``origin``
    names, or a ``url.<base>.insteadOf`` rewrites it to, only that server gets it. Entries already in ``environ``
    are kept; the header is appended after them. Without a token, nothing: a public repository is fetched
    anonymously."""
    if auth is None or not auth.token:
        return {}
    key = header_scope(auth.server_url)
    if key is None:
        return {}
    given = environ.get("GIT_CONFIG_COUNT", "").strip() or "0"
    if not given.isdigit():
        raise SourceError(f"GIT_CONFIG_COUNT is {given!r}, not a number of configuration entries")
    index = int(given)
    return {"GIT_CONFIG_COUNT": str(index + 1), f"GIT_CONFIG_KEY_{index}": key,
            f"GIT_CONFIG_VALUE_{index}": f"AUTHORIZATION: basic {_basic(auth.token)}"}


def _basic(token: str) -> str:
    return base64.b64encode(f"x-access-token:{token}".encode()).decode("ascii")


def redact(text: str, auth: FetchAuth | None) -> str:
    """``text`` with the token, raw or in its header form, replaced by ``***``."""
    if auth is None or not auth.token:
        return text
    return text.replace(_basic(auth.token), "***").replace(auth.token, "***")


def _fetch(workspace: str | Path, auth: FetchAuth | None, *args: str) -> None:
    """One ``git fetch``: never of submodules (a submodule's remote is not the server the token is for, and the PR
    may change which submodule commits there are), never prompting, the token as :func:`fetch_auth` gives it."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    env.update(fetch_auth(auth, env))
    try:
        git(workspace, "-c", "protocol.version=2", "fetch", "--no-tags", "--no-recurse-submodules", "--quiet",
            *args, env=env)
    except SourceError as exc:
        raise SourceError(redact(str(exc), auth)) from None


def _has_merge_base(workspace: str | Path, base_sha: str, head_sha: str) -> bool:
    done = subprocess.run(["git", "-C", str(workspace), "merge-base", base_sha, head_sha],
                          capture_output=True, check=False)
    return done.returncode == 0


def _shallow_boundary(workspace: str | Path) -> str:
    path = Path(workspace) / git(workspace, "rev-parse", "--git-path", "shallow").strip()
    return path.read_text() if path.is_file() else ""


def find_merge_base(workspace: str | Path, base_sha: str, head_sha: str, remote: str = "origin",
                    auth: FetchAuth | None = None) -> str:
    """The merge base of the two commits, deepening a shallow clone (by 200, 400, 800... commits, then all of
    its history when a deepening brings nothing) until it is found; without one (unrelated histories),
    ``base_sha``."""
    deepen = FETCH_DEPTH
    while not _has_merge_base(workspace, base_sha, head_sha) and is_shallow(workspace):
        boundary = _shallow_boundary(workspace)
        _fetch(workspace, auth, f"--deepen={deepen}", remote, base_sha, head_sha)
        if _shallow_boundary(workspace) == boundary:
            _fetch(workspace, auth, "--unshallow", remote, base_sha, head_sha)
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
                        config_path: str = CONFIG_PATH, auth: FetchAuth | None = None) -> TrustedStates:
    """The trust root at ``trust_sha`` (the base branch's tip), the merge base of it and ``head_sha``, and the head.

    The configuration at ``config_path`` of the trust root is the configuration of all three (an invalid one given
    by the ``config`` input is a SourceError). One parse memo serves the three, so shared blobs are parsed once."""
    fork = find_merge_base(workspace, trust_sha, head_sha, auth=auth)
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
