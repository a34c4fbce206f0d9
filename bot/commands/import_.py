"""``modelgate import dbt|mlflow|odcs SOURCE --out DIR [--check]``: manifests from another tool's metadata.

The shell of ``bot.imports``: it reads the source files (``SourceFile``), asks the repository that holds DIR for its
CODEOWNERS (``ImportContext``), runs the tool's importer (``bot.imports.<tool>.build``, imported only when chosen),
merges the overlay, renders each file with its header and compares the result with what DIR holds
(``bot.imports.sync``). ``--check`` writes nothing and prints the diff (exit 1 when DIR differs); otherwise new and
changed files are written atomically and stale ones removed, never a file edited by hand or not written by this
import unless ``--force``. Errors are one line, exit 2; an importer's notices are printed on stderr, one a line.

Where the sources come from, per tool (:data:`TOOLS`): dbt reads one file (``target/manifest.json``, as SOURCE or
``--manifest``), mlflow an ``MLmodel`` file or every file named ``MLmodel`` under a directory, odcs a file or
every ``*.yaml``/``*.yml`` under a directory (the importer notices which are not ODCS). A source file over
:data:`MAX_SOURCE_BYTES` is refused.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib
import os
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.commands._common import add_output, put, say
from bot.errors import UsageError
from bot.escape import terminal_text
from bot.files import write_atomically
from bot.imports.model import ImportContext, SourceFile, settled
from bot.loader import CODEOWNERS_PATHS
from bot.sources import SourceError, git

if TYPE_CHECKING:
    from bot.imports.model import Imported, Notice
    from bot.imports.sync import Plan

MAX_SOURCE_BYTES = 512 * 1024 * 1024  # a source file larger than this is refused, not read
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", ".tox", ".nox", "__pycache__"})


@dataclass(frozen=True)
class Tool:
    """An importer as the command finds it: ``module`` has ``build(sources, context) -> Imported``; ``finds``: the
    file names (glob patterns) it reads in a directory, or empty when it reads one file only; ``output_dir``: the
    folder the tool writes its source file into (dbt's ``target``), whose parent is the project the source's own
    paths are relative to."""

    module: str
    finds: tuple[str, ...] = ()
    output_dir: str | None = None
    what: str = "file"


# The importers, by the word that names them on the command line. A tool is added here and in ``bot.imports``.
TOOLS: dict[str, Tool] = {
    "dbt": Tool("bot.imports.dbt", output_dir="target", what="manifest.json"),
    "mlflow": Tool("bot.imports.mlflow", finds=("MLmodel",), what="MLmodel file"),
    "odcs": Tool("bot.imports.odcs", finds=("*.yaml", "*.yml"), what="ODCS file"),
}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import", help="write manifests from dbt's manifest.json, MLflow's MLmodel files or ODCS contracts",
        description="Turn another tool's metadata into manifests under --out DIR: dbt's target/manifest.json, "
                    "MLflow MLmodel files, Open Data Contract Standard (v3) files. Each file carries a header "
                    "naming its source and the command; what the source does not know goes in the overlay "
                    "(DIR/modelgate-overlay.yaml). --check writes nothing and exits 1 with a diff when DIR is not "
                    "what the import would write. See docs/importing.md.")
    parser.add_argument("tool", choices=sorted(TOOLS), metavar="TOOL", help=f"the source's tool: {', '.join(TOOLS)}")
    parser.add_argument("source", nargs="?", metavar="SOURCE",
                        help="dbt: target/manifest.json; mlflow: an MLmodel file or a directory of them; odcs: a "
                             "file or a directory of them")
    parser.add_argument("--manifest", metavar="FILE", help="dbt: the manifest.json (instead of SOURCE)")
    parser.add_argument("--out", metavar="DIR", required=True,
                        help="where the manifests go: DIR/models/NAME.yaml and DIR/contracts/NAME.yaml")
    parser.add_argument("--check", action="store_true",
                        help="write nothing: exit 1 and print a diff when DIR differs from what the import writes")
    parser.add_argument("--overlay", metavar="FILE",
                        help="what to add to the generated manifests (default DIR/modelgate-overlay.yaml, if any)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite files edited by hand, or not written by this import, at the paths it writes")
    parser.add_argument("--include-packages", action="store_true",
                        help="dbt: import the models of installed packages too, not only the root project's")
    add_output(parser)  # --check's diff
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.imports import output, overlay, render, sync  # imported here: the other commands need not load them

    tool = TOOLS[args.tool]
    source = _source_argument(args)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {args.out}: not a directory")
    root = _repository(out)
    overlay_path = Path(args.overlay) if args.overlay is not None else out / overlay.OVERLAY_FILE
    if args.overlay is not None and not overlay_path.is_file():
        raise UsageError(f"--overlay {args.overlay}: no such file")
    sources = collect(args.tool, tool, Path(source), out)
    context = ImportContext(owners_for=_owners(root), base_dir=_base_dir(tool, Path(source), root),
                            include_packages=args.include_packages)
    builder: Callable[..., Imported] = importlib.import_module(tool.module).build
    imported = builder(sources, context)
    inside = _relative(overlay_path, out)
    files = overlay.apply(overlay.read_overlay(_shown(overlay_path), _read_optional(overlay_path)),
                          output.checked(imported, frozenset({inside} if inside is not None else ())))
    source_in, out_in, overlay_in = _in_repo(Path(source), root), _in_repo(out, root), _in_repo(overlay_path, root)
    provenance = render.Provenance(
        args.tool, render.command(args.tool, source_in, out_in, overlay_in if args.overlay is not None else None,
                                  args.include_packages),
        source_in, overlay_in, out_in)
    wanted = {f.path: render.render(f.document, provenance) for f in files}
    plan = sync.plan(provenance.identity, wanted, dict(_present(out)))
    shown = terminal_text(_shown(out))  # in messages: a name's control characters spelled out
    if args.check:
        return _check(plan, shown, args.tool, provenance.command)
    notices = tuple(n for n in imported.notices if not settled(n, [f.document for f in files]))  # the overlay's say
    return _write(plan, out, shown, notices, args.force)


def _source_argument(args: argparse.Namespace) -> str:
    if args.tool != "dbt":
        for flag, given in (("--manifest", args.manifest), ("--include-packages", args.include_packages)):
            if given:
                raise UsageError(f"{flag} applies to dbt only")
    if args.manifest is not None and args.source is not None:
        raise UsageError(f"give the manifest as SOURCE or --manifest, not both ({args.source}, {args.manifest})")
    source: str | None = args.manifest if args.manifest is not None else args.source
    if source is None:
        raise UsageError(f"import {args.tool}: name the {TOOLS[args.tool].what} to read (SOURCE)")
    return source


def _shown(path: Path) -> str:
    """A path as messages show it: as given, '/'-separated, without './' or a trailing '/'."""
    return Path(os.path.normpath(path)).as_posix()


def collect(name: str, tool: Tool, source: Path, out: Path) -> list[SourceFile]:
    """The source files of one import, read: ``source`` itself, or the files ``tool`` reads under the directory
    ``source`` (sorted, none under ``out``, .git, virtual environments or node_modules)."""
    if source.is_dir():
        if not tool.finds:
            raise UsageError(f"{_shown(source)}: is a directory; {name} reads one {tool.what}")
        found = sorted(_found(source, tool.finds, out))
        if not found:
            patterns = " or ".join(tool.finds)
            raise UsageError(f"{_shown(source)}: no file named {patterns} under it")
        paths = [source / relative for relative in found]
    elif source.exists():
        paths = [source]
    else:
        raise UsageError(f"{_shown(source)}: no such file or directory")
    return [SourceFile(_shown(path), _read(path)) for path in paths]


def _found(top: Path, patterns: tuple[str, ...], out: Path) -> Iterator[str]:
    """The '/'-separated paths under ``top`` of the files whose name matches one of ``patterns``."""
    skipped = out.resolve() if out.exists() else None
    for folder, dirs, names in os.walk(top):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not (here / d / "pyvenv.cfg").exists()
                         and (here / d).resolve() != skipped)
        for file in names:
            if any(fnmatch.fnmatchcase(file, pattern) for pattern in patterns) and (here / file).is_file():
                yield (here / file).relative_to(top).as_posix()


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise UsageError(f"{_shown(path)}: {size} bytes, over the limit of {MAX_SOURCE_BYTES}; not read")
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{_shown(path)}: {exc.strerror or exc}") from exc


def _read_optional(path: Path) -> bytes | None:
    return _read(path) if path.is_file() else None


def _repository(out: Path) -> Path:
    """The top of the git repository that holds ``out`` (asked from its nearest existing folder), else the current
    directory."""
    here = out.absolute()
    while not here.is_dir() and here != here.parent:
        here = here.parent
    try:
        return Path(git(here, "rev-parse", "--show-toplevel").strip()).resolve()
    except (SourceError, OSError):  # not in a repository, or no git at all
        return Path.cwd().resolve()


def _in_repo(path: Path, root: Path) -> str:
    """``path`` relative to the repository's top ('/'-separated; '.' for the top), or absolute when outside it."""
    absolute = Path(os.path.normpath(path.absolute()))
    resolved_root = root.resolve()
    for base in (resolved_root, root):
        try:
            return absolute.relative_to(base).as_posix() or "."
        except ValueError:
            continue
    try:
        return absolute.resolve().relative_to(resolved_root).as_posix() or "."
    except ValueError:
        return absolute.as_posix()


def _relative(path: Path, out: Path) -> str | None:
    try:
        return path.resolve().relative_to(out.resolve()).as_posix()
    except ValueError:
        return None


def _base_dir(tool: Tool, source: Path, root: Path) -> str:
    """The repository-relative folder the source's own paths start from: the project above the tool's output folder
    (dbt's ``target/``), else the folder of the source."""
    folder = source if source.is_dir() else source.absolute().parent
    if tool.output_dir is not None and folder.resolve().name == tool.output_dir:
        folder = folder.resolve().parent
    relative = _in_repo(folder, root)
    return "" if relative == "." else relative


def _owners(root: Path) -> Callable[[str], tuple[str, ...]]:
    """``owners_for`` of the context: the repository's CODEOWNERS, asked about a repository-relative path."""
    from bot.owners import codeowners_in

    text = None
    for candidate in CODEOWNERS_PATHS:
        path = root / candidate
        if path.is_file():
            text = _read(path).decode("utf-8", "replace")
            break

    def owners_for(path: str) -> tuple[str, ...]:
        normal = os.path.normpath(path).replace(os.sep, "/") if path else ""
        if text is None or not normal or normal == ".." or normal.startswith(("../", "/")):
            return ()
        return codeowners_in(text, normal)

    return owners_for


# What a symbolic link in the layout reads as: no header, so it is foreign (never overwritten, never removed), and
# --check's diff shows this line, never the text of the file the link leads to.
LINK_TEXT = "# a symbolic link: modelgate import does not read or replace it\n"


def _present(out: Path) -> Iterator[tuple[str, str]]:
    """The files of the import's layout in ``out`` (``models/*.yaml``, ``contracts/*.yaml``, not in subfolders;
    none when it does not exist): each one's path there and its text."""
    from bot.imports.sync import LAYOUT, in_layout

    if out.is_symlink() or any((out / folder).is_symlink() for folder in LAYOUT):
        raise UsageError(f"{_shown(out)}: a symbolic link in the import's folders; an import writes real folders "
                         "and reads no file through a link")
    for folder in LAYOUT:
        if not (out / folder).is_dir():
            continue
        for path in sorted((out / folder).iterdir()):
            relative = f"{folder}/{path.name}"
            if not in_layout(relative):
                continue
            if path.is_symlink():  # never read through: its text could be any file's (a PR's link to a secret)
                yield relative, LINK_TEXT
            elif path.is_file():
                yield relative, _read(path).decode("utf-8", "replace")


def _tell(part: str, plan: Plan, shown: str, **more: object) -> None:
    """One part of what the import says on stderr (the template ``import.txt.j2``), a line at a time."""
    from bot.report.jinja_env import render_template

    for line in render_template("import.txt.j2", part=part, plan=plan, out=shown, shown=terminal_text,
                                **more).splitlines():
        say(line)


def _check(plan: Plan, shown: str, tool: str, command: str) -> int:
    from bot.imports.sync import diff

    if plan.in_step:
        _tell("in-step", plan, shown, tool=tool)
        return 0
    put("\n".join(map(terminal_text, diff(plan.entries, shown).split("\n"))))  # a hand-written file's text is
    # anyone's: its control characters must not reach the terminal or the CI log
    _tell("differs", plan, shown, tool=tool, command=command)
    return 1


def _write(plan: Plan, out: Path, shown: str, notices: tuple[Notice, ...], force: bool) -> int:
    if plan.blocked and not force:
        _tell("blocked", plan, shown)
        return 2
    try:
        out.mkdir(parents=True, exist_ok=True)
        root = out.resolve()
        targets = {entry.path: (root / entry.path) for entry in (*plan.writes, *plan.removals)}
        for relative, target in targets.items():
            if root not in target.resolve().parents:  # through a symbolic link in DIR
                raise UsageError(f"--out {shown}: refusing to write {relative!r}: it leads outside the directory")
        for entry in plan.writes:
            assert entry.new is not None  # what a plan writes has a text
            targets[entry.path].parent.mkdir(parents=True, exist_ok=True)
            write_atomically(targets[entry.path], entry.new)
        for entry in plan.removals:
            targets[entry.path].unlink()
    except OSError as exc:
        raise UsageError(f"--out {shown}: {exc.strerror or exc}") from exc
    _tell("written", plan, shown, notices=notices, lint_dir=terminal_text(shlex.quote(_shown(out))))
    return 0
