"""``modelgate verify CONTRACT@V --records FILE``: contract tests on data (SPEC section 8).

The shell: find the contract version in the state ``--at`` names, run bot.verify on the files, print the
report. Exit 0 pass, 1 any breach, 2 usage (unknown contract, unreadable file).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import cast

from bot.commands._common import add_format, load_state
from bot.errors import UsageError
from bot.manifests.models import Contract, ContractVersion
from bot.manifests.snapshot import ManifestFile, Snapshot


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify", help="contract tests on data: check records against a contract version",
        description="Check a file of records (JSON Lines, CSV or Parquet) against one contract version: the schema, "
                    "and the version's quality expectations (min_records, null_rate_max, drift.psi_max).")
    parser.add_argument("contract", metavar="CONTRACT@V", help="the contract version, e.g. fraud-score@2")
    parser.add_argument("--records", required=True, metavar="FILE", help="the records (.jsonl, .csv, .parquet)")
    parser.add_argument("--baseline", metavar="FILE", help="a baseline sample for drift (same formats)")
    parser.add_argument("--at", metavar="PATH|REV",
                        help="the state holding the contract: a directory or a git revision "
                             "(default: the working tree)")
    add_format(parser, choices=("text", "json", "github"))
    parser.add_argument("--examples", type=_count, default=10, metavar="N",
                        help="how many problems of invalid records to show (default 10)")
    parser.set_defaults(func=run)


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 0")
    return int(text)


def parse_ref(text: str) -> tuple[str, int]:
    name, _, version = text.removeprefix("contract:").partition("@")
    if not name or not version.isdigit():
        raise UsageError(f"{text!r}: name the contract version as CONTRACT@V, e.g. {name or 'fraud-score'}@2")
    return name, int(version)


def find_version(snap: Snapshot, name: str, number: int) -> tuple[ManifestFile, int, ContractVersion]:
    manifest = snap.contracts.get(name)
    if manifest is None:
        unread = [f for f in snap.findings if f.rule == "MG001"]
        hint = (f"; {len(unread)} manifest problem(s), first {unread[0].file}:{unread[0].line}: {unread[0].message}"
                " (run modelgate lint)") if unread else ""
        known = ", ".join(sorted(snap.contracts)) or "none"
        raise UsageError(f"no contract {name!r} in {snap.label} (contracts: {known}){hint}")
    contract = cast(Contract, manifest.doc)
    for index, version in enumerate(contract.spec.versions):
        if version.version == number:
            return manifest, index, version
    versions = ", ".join(str(v.version) for v in contract.spec.versions)
    raise UsageError(f"contract {name!r} has no version {number} (versions: {versions}) in {manifest.path}")


def run(args: argparse.Namespace) -> int:
    from bot.verify import verify_records  # imported here: the other commands need not load the validator
    from bot.verify.report import Where, render_github, render_text

    name, number = parse_ref(args.contract)
    snap = load_state(args.at)
    manifest, index, version = find_version(snap, name, number)
    schema = snap.schema(name, number)
    if schema is None:
        problem = next((f for f in snap.findings if f.subject == f"contract:{name}@{number}"), None)
        raise UsageError(f"the schema of {name}@{number} cannot be read"
                         + (f": {problem.file}:{problem.line}: {problem.message}" if problem else ""))
    result = verify_records(schema, version.quality, Path(args.records),
                            Path(args.baseline) if args.baseline else None, args.examples, contract=f"{name}@{number}")
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=2))
        for note in result.notes:
            print(f"modelgate: note: {note}", file=sys.stderr)
    elif args.format == "github":
        def line(where: Where) -> int:
            key = ("schema_ref",) if where == ("schema",) and version.schema_ref else where
            return manifest.line("spec", "versions", index, *key)

        print(render_github(result, manifest.path, line), end="")
    else:
        print(render_text(result), end="")
    return 0 if result.verdict == "pass" else 1
