"""``modelgate calendar``: every deprecated contract version of one state, its sunset and who still consumes it.

Offline, like ``check``: ``--at PATH|REV`` (default: the working tree), ``--today`` (or ``MODELGATE_TODAY``).
The exit code is 0 whatever the calendar says (``check`` is what fails). ``--format ics`` is an iCalendar file of
the sunsets with an alarm per ``calendar.notify_days`` of the state's ``.modelgate.yml``; a deprecated version
without a sunset has no day to put there, so it is named on stderr, one line each (docs/calendar.md).
"""

from __future__ import annotations

import argparse

from bot.calendar import build
from bot.commands._common import add_format, add_today, color, load_state, say, show, today, warn_unreadable
from bot.escape import terminal_text
from bot.report.calendar import CalendarReport
from bot.report.formats import CALENDAR


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "calendar", help="every deprecated contract version: its sunset and who still consumes it",
        description="Every deprecated contract version with its announcement, sunset, days left, replacement, "
                    "migration guide, and every model that still consumes it (directly, and transitively through "
                    "it) with its owners; past-due versions first. Exit code 0 whatever it says.")
    add_format(parser, CALENDAR)
    parser.add_argument("--at", metavar="PATH|REV",
                        help="a directory or a git revision of the repository here (default: the working tree)")
    add_today(parser, "the day of the calendar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    day = today(args)
    snapshot = load_state(args.at)
    warn_unreadable(snapshot)
    calendar = build(snapshot, day)
    if args.format == "ics":
        for version in calendar.versions:
            if version.sunset is None:
                say(f"modelgate: {terminal_text(version.subject)} is deprecated without a sunset: no event for it "
                    f"({terminal_text(version.file)}:{version.line}; MG104)")
    show(CALENDAR, args.format, CalendarReport(calendar, tuple(snapshot.config.calendar.notify_days), color()))
    return 0
