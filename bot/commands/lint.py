"""``modelgate lint [PATH|REV]``: validate the manifests of one state (MG001-MG008).

Exit 0 when no error remains (warnings allowed), 1 when one does, 2 when the state cannot be read.
Severities are the catalogue's, under the state's configuration (``rules:`` overrides; ``off`` drops).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from bot.commands._common import add_format, load_state
from bot.escape import workflow_command_data, workflow_command_prop
from bot.lint import lint_snapshot
from bot.registry import configured
from bot.result import Finding


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("lint", help="validate the manifests of one state (MG0xx)",
                                   description="Validate the manifests of one state (MG001-MG008).")
    parser.add_argument("state", nargs="?", metavar="PATH|REV",
                        help="a directory or a git revision of the repository here (default: the working tree)")
    add_format(parser, ("text", "json", "github"))
    parser.add_argument("--config", metavar="FILE", help="use this configuration instead of the state's .modelgate.yml")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    snapshot = load_state(args.state, args.config)
    findings = list(configured(lint_snapshot(snapshot), snapshot.config))
    failed = any(f.blocking for f in findings)
    if args.format == "json":
        print(json.dumps({"verdict": "fail" if failed else "pass", "findings": [asdict(f) for f in findings]},
                         indent=2))
    elif args.format == "github":
        for finding in findings:
            print(github_annotation(finding))
    else:
        for finding in findings:
            print(text_line(finding))
        print(summary(findings, len(snapshot.manifests)))
    return 1 if failed else 0


def text_line(finding: Finding) -> str:
    where = f"{finding.file}:{finding.line}: " if finding.file else ""
    return f"{where}{finding.rule} [{finding.severity}] {finding.message}"


def github_annotation(finding: Finding) -> str:
    """A workflow command (``::error file=F,line=L,title=MG001::message``) for one finding."""
    props = []
    if finding.file:
        props.append(f"file={workflow_command_prop(finding.file)}")
        if finding.line:
            props.append(f"line={finding.line}")
    props.append(f"title={workflow_command_prop(finding.rule)}")
    return f"::{finding.severity} {','.join(props)}::{workflow_command_data(finding.message)}"


def summary(findings: list[Finding], manifests: int) -> str:
    """``5 errors in 4 files (3 manifests parsed)``: a manifest that does not parse is not counted as checked."""
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "notice")}
    shown = ", ".join(_plural(n, s) for s, n in counts.items() if n)
    if not shown:
        return f"no problems in {_plural(manifests, 'manifest')}"
    files = len({f.file for f in findings if f.file})
    return f"{shown} in {_plural(files, 'file')} ({_plural(manifests, 'manifest')} parsed)"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"
