"""``modelgate lint [PATH|REV]``: validate the manifests of one state (the MG0xx rules).

Exit 0 when no error remains (warnings allowed), 1 when one does, 2 when the state cannot be read; with
``--fail-on warning`` (or ``notice``) a finding of that severity or above exits 1 too (the verdict is unchanged).
Severities are the catalogue's, under the state's configuration (``rules:`` overrides; ``off`` drops).
``--show-excluded`` also lists the manifest-looking files that ``manifests.exclude`` leaves out on purpose.

``modelgate lint FILE...`` (every word an existing file, as pre-commit passes the files of a commit): the working
tree holding them is read whole (so that references resolve), and only the findings in those files are reported
and judged; then one line counts the findings in OTHER files whose manifest consumes or provides a contract those
files define (a consumer broken by a contract edit), and they fail the run too: the change breaks them. A finding
in a file of a deleted contract's consumer (pre-commit passes no deleted file) is ``check``'s, or ``lint``'s
without files.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.commands._common import add_fail_on, add_format, exit_code, load_state, show
from bot.errors import UsageError
from bot.lint import lint_snapshot
from bot.manifests.models import Model
from bot.registry import configured
from bot.report.formats import LINT
from bot.report.lint import LintReport
from bot.sources import SourceError, git

if TYPE_CHECKING:
    from bot.manifests.snapshot import Snapshot
    from bot.result import Finding


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("lint", help="validate the manifests of one state (MG0xx)",
                                   description="Validate the manifests of one state (the MG0xx rules).")
    parser.add_argument("state", nargs="*", metavar="PATH|REV|FILE",
                        help="a directory or a git revision of the repository here (default: the working tree); or "
                             "files of the working tree, whose findings alone are reported (pre-commit)")
    add_format(parser, LINT)
    add_fail_on(parser)
    parser.add_argument("--config", metavar="FILE", help="use this configuration instead of the state's .modelgate.yml")
    parser.add_argument("--show-excluded", action="store_true",
                        help="also list the files that look like manifests but that manifests.exclude leaves out")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    words: list[str] = args.state
    files = in_working_tree(words) if words and all(Path(word).is_file() for word in words) else None
    if files is None and len(words) > 1:
        raise UsageError(f"give one PATH|REV, or files of the working tree ({', '.join(words[:3])}: not all files)")
    snapshot = load_state(words[0] if words and files is None else None, args.config, show_excluded=args.show_excluded)
    excluded = tuple(file for file in snapshot.unloaded
                     if file.excluded and (files is None or file.path in files)) if args.show_excluded else None
    every = list(configured(lint_snapshot(snapshot), snapshot.config))
    findings = [f for f in every if files is None or f.file in files]
    elsewhere = None if files is None else [
        f for f in caused_elsewhere(snapshot, every, files) if f.fails(args.fail_on)]
    parsed = sum(1 for m in snapshot.manifests if files is None or m.path in files)
    report = LintReport(findings, parsed, excluded, fail_on=args.fail_on, elsewhere=elsewhere)
    show(LINT, args.format, report)
    return exit_code([*report.findings, *(elsewhere or ())], args.fail_on, failed=False)


def caused_elsewhere(snapshot: Snapshot, findings: Sequence[Finding], files: frozenset[str]) -> list[Finding]:
    """The ``findings`` in files other than ``files`` whose manifest consumes or provides a contract that one of
    ``files`` defines: what a change to those contracts breaks elsewhere (a consumer's MG010 after a field's
    removal). Pure."""
    defined = {m.name for m in snapshot.manifests if m.path in files and m.kind == "Contract"}
    related = {m.path for m in snapshot.manifests if m.path not in files and isinstance(m.doc, Model)
               and not defined.isdisjoint([*(c.contract for c in m.doc.spec.consumes),
                                           *(p.contract for p in m.doc.spec.provides)])}
    return [f for f in findings if f.file in related]


def in_working_tree(files: Sequence[str]) -> frozenset[str]:
    """``files`` (from here) as paths of the working tree here (from its root, ``/``-separated); a file outside it is
    a UsageError. Outside a git repository, the tree is this directory, as ``lint`` reads it."""
    try:
        root = Path(git(".", "rev-parse", "--show-toplevel").strip())
    except SourceError:
        root = Path.cwd()
    paths = set()
    for file in files:
        full = Path(file).parent.resolve() / Path(file).name  # the file's own name: a link is listed as itself
        try:
            paths.add(full.relative_to(root.resolve()).as_posix())
        except ValueError:
            raise UsageError(f"{file}: not in the working tree {root}") from None
    return frozenset(paths)
