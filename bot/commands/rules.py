"""``modelgate rules``: the rule catalogue, as a table or as JSON."""

from __future__ import annotations

import argparse
import dataclasses
import json
import textwrap
from typing import Any

from bot.commands._common import add_format
from bot.rules import Rule, catalog

SUMMARY_WIDTH = 72


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("rules", help="list the rule catalogue",
                                   description="List every rule: id, name, default severity and summary.")
    add_format(parser, choices=("text", "json"))
    parser.set_defaults(func=run)


def render_text(rules: list[Rule]) -> str:
    """A fixed-width table; long summaries wrap under their own column."""
    id_w = max(len("id"), *(len(r.id) for r in rules))
    name_w = max(len("name"), *(len(r.name) for r in rules))
    sev_w = max(len("severity"), *(len(r.severity) for r in rules))
    indent = " " * (id_w + name_w + sev_w + 6)
    lines = [f"{'id':<{id_w}}  {'name':<{name_w}}  {'severity':<{sev_w}}  summary"]
    for rule in rules:
        summary = textwrap.wrap(rule.summary, SUMMARY_WIDTH) or [""]
        lines.append(f"{rule.id:<{id_w}}  {rule.name:<{name_w}}  {rule.severity:<{sev_w}}  {summary[0]}")
        lines.extend(indent + more for more in summary[1:])
    return "\n".join(lines) + "\n"


def render_json(rules: list[Rule]) -> str:
    return json.dumps([dataclasses.asdict(rule) for rule in rules], indent=2, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    rules = list(catalog().values())
    print(render_json(rules) if args.format == "json" else render_text(rules), end="")
    return 0
