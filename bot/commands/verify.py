"""``modelgate verify CONTRACT@V --records FILE|GLOB | --table NAME | --query SQL``: contract tests on data
(docs/cli.md, docs/verify.md).

The shell: find the contract version in the state ``--at`` names, verify the records the command line names
(bot.commands._records: files, a table or a query, and the engine that reads them), print the report. Exit 0 pass,
1 any breach, 2 usage (unknown contract, unreadable file, a source that cannot be opened).
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.commands._common import add_format, add_max_bytes, find_version, load_state, parse_ref, say, show
from bot.commands._records import add_sources, is_glob, verify_asked
from bot.errors import UsageError
from bot.escape import terminal_text
from bot.report.formats import VERIFY
from bot.report.verify import VerifyReport

if TYPE_CHECKING:
    from bot.verify.report import Where


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "verify", help="contract tests on data: check records against a contract version",
        description="Check records (files of JSON Lines, CSV or Parquet, a table or a query on a database) against "
                    "one contract version: the schema, and the version's quality expectations (min_records, "
                    "null_rate_max, drift.psi_max).")
    parser.add_argument("contract", metavar="CONTRACT@V", help="the contract version, e.g. fraud-score@2")
    add_sources(parser)
    parser.add_argument("--baseline", metavar="FILE",
                        help="a baseline for drift: a sample (same formats) or a baseline file (.json)")
    parser.add_argument("--write-baseline", metavar="FILE",
                        help="also write the records' drift figures as a baseline file (.json) for later runs")
    parser.add_argument("--baseline-day", type=_day, metavar="YYYY-MM-DD",
                        help="the day the written baseline stands for (default: none)")
    parser.add_argument("--at", metavar="PATH|REV",
                        help="the state holding the contract: a directory or a git revision "
                             "(default: the working tree)")
    add_format(parser, VERIFY)
    parser.add_argument("--examples", type=_count, default=10, metavar="N",
                        help="how many problems of invalid records to show (default 10)")
    add_max_bytes(parser)
    parser.set_defaults(func=run)


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 0")
    return int(text)


def _day(text: str) -> str:
    try:
        if len(text) != len("YYYY-MM-DD"):  # fromisoformat also takes 20261206
            raise ValueError(text)
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day (YYYY-MM-DD)") from None


def run(args: argparse.Namespace) -> int:
    from bot.verify import Expected  # imported here: the other commands need not load the validator
    from bot.verify.readers import Limits
    from bot.verify.run import write_baseline

    name, number = parse_ref(args.contract)
    snap = load_state(args.at)
    manifest, index, version = find_version(snap, name, number)
    schema = snap.schema(name, number)
    if schema is None:
        problem = next((f for f in snap.findings if f.subject == f"contract:{name}@{number}"), None)
        raise UsageError(f"the schema of {name}@{number} cannot be read"
                         + (f": {problem.file}:{problem.line}: {problem.message}" if problem else ""))
    if args.baseline_day and not args.write_baseline:
        raise UsageError("--baseline-day needs --write-baseline")
    if args.write_baseline and Path(args.write_baseline).suffix.lower() != ".json":
        raise UsageError(f"--write-baseline {args.write_baseline}: a baseline file's name ends in .json")
    if args.write_baseline and (args.records is None or is_glob(args.records)
                               or args.where is not None or args.limit is not None):
        raise UsageError("--write-baseline reads one file of records (--records FILE), whole")
    expected = Expected(schema, version.quality, f"{name}@{number}")
    limits = Limits(max_bytes=args.max_bytes)
    result = verify_asked(expected, args, args.baseline, args.examples, limits)
    if args.write_baseline:
        text = write_baseline(expected, Path(args.records), args.baseline_day, limits)
        try:
            Path(args.write_baseline).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--write-baseline {args.write_baseline}: cannot be written ({exc.strerror})") from exc

    def line(where: Where) -> int:
        key = ("schema_ref",) if where == ("schema",) and version.schema_ref else where
        return manifest.line("spec", "versions", index, *key)

    show(VERIFY, args.format, VerifyReport(result, manifest.path, line))
    if args.format == "json":  # the other formats show the notes
        for note in result.notes:
            say(f"modelgate: note: {terminal_text(note)}")
    return 0 if result.verdict == "pass" else 1
