"""Arguments and edges shared by several subcommands: the clock, output formats, states of the repo."""

from __future__ import annotations

import argparse
import datetime as dt
import os

from bot.errors import UsageError

FORMATS = ("text", "markdown", "json", "github")


def add_today(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--today", metavar="YYYY-MM-DD",
                        help="the day the check runs (default: $MODELGATE_TODAY, else today in UTC)")


def today(args: argparse.Namespace) -> dt.date:
    """The clock is an edge: ``--today``, then ``MODELGATE_TODAY``, then the UTC calendar day."""
    value = getattr(args, "today", None) or os.environ.get("MODELGATE_TODAY")
    if not value:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"--today / MODELGATE_TODAY: {value!r} is not a date (YYYY-MM-DD)") from exc


def add_format(parser: argparse.ArgumentParser, choices: tuple[str, ...] = FORMATS, default: str = "text") -> None:
    parser.add_argument("--format", choices=choices, default=default, help=f"output format (default {default})")
