"""``modelgate rules``: the rule catalogue, as a table or as JSON."""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands._common import add_format, show
from bot.report.formats import RULES
from bot.rules import catalog


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("rules", help="list the rule catalogue",
                                   description="List every rule: id, name, default severity and summary.")
    add_format(parser, RULES)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    show(RULES, args.format, list(catalog().values()))
    return 0
