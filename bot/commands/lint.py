"""``modelgate lint [PATH|REV]``: validate the manifests of one state (the MG0xx rules).

Exit 0 when no error remains (warnings allowed), 1 when one does, 2 when the state cannot be read; with
``--fail-on warning`` (or ``notice``) a finding of that severity or above exits 1 too (the verdict is unchanged).
Severities are the catalogue's, under the state's configuration (``rules:`` overrides; ``off`` drops).
``--show-excluded`` also lists the manifest-looking files that ``manifests.exclude`` leaves out on purpose.
"""

from __future__ import annotations

import argparse

from bot.commands._common import add_fail_on, add_format, exit_code, load_state, show
from bot.lint import lint_snapshot
from bot.registry import configured
from bot.report.formats import LINT
from bot.report.lint import LintReport


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("lint", help="validate the manifests of one state (MG0xx)",
                                   description="Validate the manifests of one state (the MG0xx rules).")
    parser.add_argument("state", nargs="?", metavar="PATH|REV",
                        help="a directory or a git revision of the repository here (default: the working tree)")
    add_format(parser, LINT)
    add_fail_on(parser)
    parser.add_argument("--config", metavar="FILE", help="use this configuration instead of the state's .modelgate.yml")
    parser.add_argument("--show-excluded", action="store_true",
                        help="also list the files that look like manifests but that manifests.exclude leaves out")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    snapshot = load_state(args.state, args.config, show_excluded=args.show_excluded)
    excluded = tuple(file for file in snapshot.unloaded if file.excluded) if args.show_excluded else None
    report = LintReport(list(configured(lint_snapshot(snapshot), snapshot.config)), len(snapshot.manifests),
                        excluded, fail_on=args.fail_on)
    show(LINT, args.format, report)
    return exit_code(report.findings, args.fail_on, failed=False)  # at "error", exactly report.failed
