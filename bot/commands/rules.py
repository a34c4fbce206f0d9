"""``modelgate rules [RULE]``: the rule catalogue, as a table, JSON or markdown; or one rule explained.

RULE is an id (``MG101``, any case) or a name (``breaking-change-in-version``); an unknown one is a one-line
usage error (exit 2) naming the closest rule.
"""

from __future__ import annotations

import argparse
import difflib
from typing import TYPE_CHECKING, Any

from bot.commands._common import add_format, complete_with, show
from bot.errors import UsageError
from bot.report.formats import RULE, RULES
from bot.rules import catalog

if TYPE_CHECKING:
    from bot.rules import Rule


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("rules", help="list the rule catalogue, or explain one rule",
                                   description="List every rule: id, name, default severity and summary; or, "
                                               "given RULE, explain that one: what it does, why, an example and "
                                               "the fix.")
    rule = parser.add_argument("rule", nargs="?", metavar="RULE",
                               help="a rule's id or name, e.g. MG101 or breaking-change-in-version")
    complete_with(rule, lambda: [word for r in catalog().values() for word in (r.id, r.name)])
    add_format(parser, RULES)  # the same three formats as RULE's
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    rules = catalog()
    if args.rule is None:
        show(RULES, args.format, list(rules.values()))
    else:
        show(RULE, args.format, find(args.rule, rules))
    return 0


def find(word: str, rules: dict[str, Rule]) -> Rule:
    """The rule whose id (any case) or name is ``word``; else a UsageError naming the closest id or name."""
    for rule in rules.values():
        if word.upper() == rule.id or word == rule.name:
            return rule
    keys = {_normal(key): key for rule in rules.values() for key in (rule.id, rule.name)}
    starting = [key for normal, key in keys.items() if normal.startswith(_normal(word))] if word else []
    if _normal(word) in keys or len(starting) == 1:  # MG1O1 (an O read as a zero), or the one rule it starts
        raise UsageError(f"no rule {word!r}; did you mean {keys.get(_normal(word), starting[0])}?")
    if starting:  # a prefix (MG1, breaking): the rules it starts, as completion offers them
        shown = ", ".join(starting[:12]) + (", …" if len(starting) > 12 else "")
        raise UsageError(f"no rule {word!r}; rules starting so: {shown}")
    close = difflib.get_close_matches(_normal(word), list(keys), n=1, cutoff=0.6)
    hint = f"; did you mean {keys[close[0]]}?" if close else "; modelgate rules lists them"
    raise UsageError(f"no rule {word!r}{hint}")


def _normal(word: str) -> str:
    """A word as did-you-mean compares it: case folded, and the letter O read as a zero (``MG1O1`` is ``MG101``),
    the same on both sides."""
    return word.casefold().replace("o", "0")
