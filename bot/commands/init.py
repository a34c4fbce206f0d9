"""``modelgate init [--dir PATH] [--dry-run] [--code-scanning]``: set a repository up for modelgate.

Writes ``.modelgate.yml`` (every key at its default, commented) and the workflows of docs/github.md under
``.github/workflows/``, never replacing a file that exists (``kept: PATH (exists)``), and offers the imports of
what it finds: dbt projects, MLflow ``MLmodel`` files, ODCS contracts (``bot.scaffold`` decides what, from what the
search found). It runs no import and no dbt: it prints the commands, and the CI steps that keep the imports in step.

The root is the git repository's top level (``git rev-parse --show-toplevel`` here), or ``--dir PATH``: a directory
that is not inside another repository (a repository's files must be at its root, where GitHub and modelgate look).
The search is bounded (depth, directories) and leaves out hidden directories, virtual environments, dependencies
and build output; when it stops at its bound, it says so.

Exit 0 when done (whether it wrote files or kept them all, and with ``--dry-run``); 2 when the root cannot be found
or a file cannot be written (one line; what was written before is listed).
"""

from __future__ import annotations

import argparse
import collections
import os
import shlex
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import bot
from bot import files, scaffold
from bot.commands._common import add_output, put
from bot.config import CONFIG_PATH
from bot.errors import UsageError
from bot.escape import terminal_text
from bot.report.jinja_env import render_template

MAX_DEPTH = 8  # directories below the root searched for projects
MAX_DIRECTORIES = 10_000
MAX_YAML_BYTES = 1_000_000  # a larger YAML file is not read to tell whether it is an ODCS contract


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "init", help="set a repository up: .modelgate.yml, the workflows, and the imports of what it finds",
        description="Write .modelgate.yml and the GitHub workflows of modelgate into the repository, never "
                    "replacing a file that exists, and print the commands that import its dbt projects, MLflow "
                    "models and ODCS contracts into manifests.")
    parser.add_argument("--dir", metavar="PATH",
                        help="the repository's root (default: the top level of the git repository here)")
    parser.add_argument("--dry-run", action="store_true", help="say what would be written, and write nothing")
    parser.add_argument("--code-scanning", action="store_true",
                        help="also write the workflow that uploads the default branch's lint to code scanning")
    add_output(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    root = _root(args.dir)
    planned = scaffold.files(_starter(), _workflows(), code_scanning=args.code_scanning)
    found = search(root)
    outcome = Outcome(dry_run=args.dry_run)
    failure: str | None = None
    for file in planned:
        try:
            outcome.add(file.path, _place(root, file, dry_run=args.dry_run))
        except OSError as exc:
            failure = f"cannot write {terminal_text(str(root / file.path))}: {exc.strerror or exc}"
            break
    put(_render(outcome, found, failure))
    if failure is not None:
        rest = "nothing was written" if not outcome.written else "the files after it were not written"
        raise UsageError(f"{failure}; {rest}")
    return 0


@dataclass
class Outcome:
    """What happened to each file: ``written`` (or would be, with ``dry_run``) and ``kept`` (it exists)."""

    dry_run: bool
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def add(self, path: str, written: bool) -> None:
        (self.written if written else self.kept).append(path)


def _root(given: str | None) -> Path:
    """The repository's root: ``--dir`` (a directory, not below another repository's top level), else git's top
    level of the current directory."""
    if given is not None:
        path = Path(given)
        if not path.is_dir():
            raise UsageError(f"--dir {given}: not a directory")
        top = _toplevel(path)
        if top is not None and top.resolve() != path.resolve():
            raise UsageError(f"--dir {given} is inside the git repository {top}: its .modelgate.yml and "
                             f".github/workflows/ belong at its root (modelgate init --dir {shlex.quote(str(top))})")
        return path
    top = _toplevel(Path.cwd())
    if top is None:
        raise UsageError("not inside a git repository: run modelgate init in your repository, or name its root "
                         "with --dir PATH")
    return top


def _toplevel(where: Path) -> Path | None:
    """The top level of the git work tree ``where`` is in, or None (not in one, or no git)."""
    try:
        done = subprocess.run(["git", "-C", str(where), "rev-parse", "--show-toplevel"], capture_output=True,
                              text=True, check=False)
    except OSError:
        return None
    top = done.stdout.strip()
    return Path(top) if done.returncode == 0 and top else None


def _package_data(name: str, checkout: str) -> Path:
    """A folder of packaged data: ``bot/NAME`` in a wheel (pyproject's force-include), else the checkout's."""
    package = Path(bot.__file__).resolve().parent
    packaged = package / name
    return packaged if packaged.is_dir() else package.parent / checkout


def workflow_directory() -> Path:
    """The workflows init writes: the wheel's ``bot/_workflows``, else the checkout's ``docs/workflows``."""
    return _package_data("_workflows", "docs/workflows")


def _workflows() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(workflow_directory().glob("*.yml"))}


def _starter() -> bytes:
    return (Path(bot.__file__).resolve().parent / "starter" / "modelgate.yml").read_bytes()


def _place(root: Path, file: scaffold.File, *, dry_run: bool) -> bool:
    """Write ``file`` below ``root`` unless its name is taken; whether it was (or, dry, would be) written."""
    target = root / file.path
    if os.path.lexists(target):
        return False
    if dry_run:
        return True
    target.parent.mkdir(parents=True, exist_ok=True)
    return files.create_new(target, file.data)


def search(root: Path) -> scaffold.Found:
    """dbt projects, MLmodel files and ODCS contracts below ``root``, breadth first, within the bounds."""
    dbt: list[str] = []
    mlmodels: list[str] = []
    odcs: list[str] = []
    unreadable: list[str] = []
    truncated = False
    for rel, entries in _directories(root, unreadable):
        if entries is None:
            truncated = True
            break
        for entry in entries:
            path = f"{rel}/{entry.name}" if rel else entry.name
            if entry.name == scaffold.DBT_PROJECT:
                dbt.append(rel or ".")
            elif entry.name == scaffold.MLMODEL:
                mlmodels.append(path)
            elif entry.name.endswith(scaffold.YAML_SUFFIXES):
                declared = _odcs(Path(entry.path))
                if declared is None:
                    unreadable.append(path)
                elif declared:
                    odcs.append(path)
    return scaffold.Found(tuple(dbt), tuple(mlmodels), tuple(odcs), truncated, tuple(unreadable))


def _directories(root: Path, unreadable: list[str]) -> Iterator[tuple[str, list[os.DirEntry[str]] | None]]:
    """Each searched directory (repository-relative, '' for the root) with its files, breadth first; a last
    ``(rel, None)`` when the bounds stop the search (a directory left unsearched)."""
    queue: collections.deque[tuple[str, int]] = collections.deque([("", 0)])
    seen = 0
    while queue:
        rel, depth = queue.popleft()
        seen += 1
        if seen > MAX_DIRECTORIES or depth > MAX_DEPTH:
            yield rel, None
            return
        try:
            with os.scandir(root / rel if rel else root) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            unreadable.append(rel or ".")
            continue
        if any(e.name == "pyvenv.cfg" for e in entries):  # a virtual environment, whatever its name
            continue
        found: list[os.DirEntry[str]] = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not scaffold.skipped(entry.name):
                        queue.append((f"{rel}/{entry.name}" if rel else entry.name, depth + 1))
                elif entry.is_file(follow_symlinks=False):
                    found.append(entry)
            except OSError:
                unreadable.append(f"{rel}/{entry.name}" if rel else entry.name)
        yield rel, found


def _odcs(path: Path) -> bool | None:
    """Whether the YAML file at ``path`` is an ODCS contract (a larger one than any contract: no); None when it
    cannot be read."""
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            return False
        with path.open("rb") as file:
            return scaffold.is_odcs(file.read(scaffold.ODCS_HEAD_BYTES))
    except OSError:
        return None


def _render(outcome: Outcome, found: scaffold.Found, failure: str | None) -> str:
    offers = scaffold.offers(found)
    return render_template(
        "init.txt.j2", outcome=outcome, found=found, offers=offers, failure=failure,
        workflows=[p for p in outcome.written if p.startswith(scaffold.WORKFLOW_DIR + "/")],
        calendar=f"{scaffold.WORKFLOW_DIR}/{scaffold.CALENDAR}" in outcome.written,
        config=CONFIG_PATH in outcome.written,
        added=" ".join(shlex.quote(p) for p in outcome.written),
        step=scaffold.yaml_scalar, shown=terminal_text, max_depth=MAX_DEPTH, max_directories=MAX_DIRECTORIES)
