"""Shared test helpers: write a monorepo from a dict, build real git repositories, tiny manifest makers.

    root = write_tree(tmp_path / "repo", {"models/a.yaml": model("a", provides=[("feat", 1)])})
    repo = make_repo(tmp_path / "git", {"contracts/feat.yaml": contract("feat")})
    text = contract_text("feat", "- version: 1\n  schema: {type: object}\n")  # YAML text, lines as written
    sha = commit(repo, {"models/a.yaml": model("a")}, "add a")          # None as content deletes a file
    done = run_cli("lint", str(root))                                   # the real CLI in a subprocess

Contents may be ``str`` (written as UTF-8), ``bytes`` (written as is) or, for ``commit``, None (delete).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement

import bot

REPO_ROOT = Path(__file__).resolve().parent.parent
# The folder the ``bot`` under test is imported from: the checkout, or the site-packages of an installed wheel when
# the release workflow tests the built wheel (tests/installed.py). CLI subprocesses get it as their PYTHONPATH.
BOT_HOME = Path(bot.__file__).resolve().parent.parent
Content = str | bytes | None
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "HOME": "/nonexistent",
}


def write_tree(root: Path, files: Mapping[str, Content]) -> Path:
    """Write ``{relative path: content}`` below ``root`` (created); None deletes the file. Returns root."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        target = root / rel
        if content is None:
            target.unlink(missing_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed identity and no user or system configuration; return stdout."""
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False,
                          env={**os.environ, **GIT_ENV})
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def make_repo(path: Path, files: Mapping[str, Content] | None = None, *, branch: str = "main",
              message: str = "initial") -> Path:
    """A new git repository at ``path`` on ``branch``, with ``files`` committed (if any). Returns path."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", branch)
    if files:
        commit(path, files, message)
    return path


def commit(repo: Path, files: Mapping[str, Content], message: str = "change") -> str:
    """Write (or, with None, delete) ``files`` in ``repo``, commit them all, and return the new commit's sha."""
    write_tree(repo, files)
    git(repo, "add", "-A", "--", *files)
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def run_cli(*args: str, cwd: Path | None = None,
            env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot ARGS`` (the real command line) and return the finished process (text output)."""
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, check=False,
                          cwd=cwd or REPO_ROOT,
                          env={**os.environ, "PYTHONPATH": str(BOT_HOME), **GIT_ENV, **(env or {})})


def dump(data: Any) -> str:
    """YAML text of a value (keys in the order given)."""
    return yaml.safe_dump(data, sort_keys=False)


def dedent(text: str) -> str:
    """Dedented text without the leading newline, for YAML written inline in a test."""
    return textwrap.dedent(text).lstrip("\n")


def model(name: str, *, consumes: Iterable[tuple[str, int]] = (), provides: Iterable[tuple[str, int]] = (),
          owners: list[str] | None = None, version: str = "1.0.0", **metadata: Any) -> str:
    """A valid Model manifest; ``owners`` None means ``["@acme/team"]``, [] means no owners key."""
    meta: dict[str, Any] = {"name": name, **metadata}
    owners = ["@acme/team"] if owners is None else owners
    if owners:
        meta["owners"] = owners
    spec: dict[str, Any] = {"version": version}
    if consumes:
        spec["consumes"] = [{"contract": c, "version": v} for c, v in consumes]
    if provides:
        spec["provides"] = [{"contract": c, "version": v} for c, v in provides]
    return dump({"apiVersion": "modelgate/v1", "kind": "Model", "metadata": meta, "spec": spec})


def contract(name: str, versions: Iterable[int | Mapping[str, Any]] = (1,), *, owners: list[str] | None = None,
             **spec: Any) -> str:
    """A valid Contract manifest; each version is a number (an active object schema) or a full mapping."""
    meta: dict[str, Any] = {"name": name}
    owners = ["@acme/team"] if owners is None else owners
    if owners:
        meta["owners"] = owners
    items = [
        {"version": v, "status": "active", "schema": {"type": "object", "properties": {"x": {"type": "number"}}}}
        if isinstance(v, int) else dict(v)
        for v in versions
    ]
    return dump({"apiVersion": "modelgate/v1", "kind": "Contract", "metadata": meta,
                 "spec": {**spec, "versions": items}})


def contract_text(name: str, versions: str, *, owner: str = "@acme/team") -> str:
    """A Contract manifest as YAML text, for tests that point at its lines: a fixed five-line head (``metadata``
    in flow style, then ``spec:`` and ``versions:``) and ``versions`` (dedented) indented below it, so the
    first version is on line 6."""
    head = f'apiVersion: modelgate/v1\nkind: Contract\nmetadata: {{name: {name}, owners: ["{owner}"]}}\n'
    return head + "spec:\n  versions:\n" + textwrap.indent(dedent(versions), "    ")


def chain_repo(length: int, *, prefix: str = "m") -> dict[str, str]:
    """A linear monorepo m0 -> c0 -> m1 -> c1 -> ... with ``length`` models: handy for impact and graph tests."""
    files: dict[str, str] = {}
    for i in range(length):
        files[f"contracts/c{i}.yaml"] = contract(f"c{i}")
        consumes = [(f"c{i - 1}", 1)] if i else []
        files[f"models/{prefix}{i}.yaml"] = model(f"{prefix}{i}", consumes=consumes, provides=[(f"c{i}", 1)])
    return files


def json_out(done: subprocess.CompletedProcess[str]) -> Any:
    """The JSON a CLI run printed on stdout (fails the test with stderr when it is not JSON)."""
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"not JSON: {done.stdout!r}\nstderr: {done.stderr}") from exc


def locked(lock: Path) -> list[Requirement]:
    """The requirements of a hash-pinned requirements file (``name==version [; marker] --hash=sha256:...``), each
    checked to be pinned to one version with at least one SHA-256."""
    found = []
    for line in lock.read_text().replace("\\\n", " ").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            requirement, *hashes = line.split(" --hash=")
            assert hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}\s*", h) for h in hashes), line
            parsed = Requirement(requirement.strip())
            assert len(parsed.specifier) == 1 and next(iter(parsed.specifier)).operator == "==", line
            found.append(parsed)
    return found
