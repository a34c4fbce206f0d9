"""``modelgate schema-diff OLD NEW``: classify the change between two JSON Schema files.

Exit 0 when compatible, 1 when not, 2 when a file cannot be read or parsed (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from bot.compat import MODES, POLICIES, CompareResult, compare
from bot.errors import UsageError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schema-diff", help="compare two JSON Schema files",
        description="Classify the change from OLD to NEW in Confluent Schema Registry's vocabulary.")
    parser.add_argument("old", metavar="OLD", help="the old schema (JSON or YAML file)")
    parser.add_argument("new", metavar="NEW", help="the new schema (JSON or YAML file)")
    parser.add_argument("--mode", choices=MODES, default="backward",
                        help="backward: readers on NEW read OLD's records (default); forward: the reverse; full: both")
    parser.add_argument("--policy", choices=POLICIES, default="strict", help="Confluent's policy (default strict)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    parser.set_defaults(func=run)


def _read(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from exc
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        if path.endswith(".json"):
            raise UsageError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from exc
        try:
            schema = yaml.safe_load(text)
        except yaml.YAMLError as yexc:
            mark = getattr(yexc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            raise UsageError(f"{path}{line}: neither JSON nor YAML: {getattr(yexc, 'problem', None) or yexc}") from yexc
    if not isinstance(schema, dict | bool):
        raise UsageError(f"{path}: a schema is an object or a boolean, not {type(schema).__name__}")
    return schema


def render_text(result: CompareResult) -> str:
    rows = [(c.type, c.path, "compatible" if c.compatible else "incompatible")
            + ((c.direction,) if result.mode == "full" else ()) for c in result.changes]
    header = ("type", "path", "verdict") + (("direction",) if result.mode == "full" else ())
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(f"{v:<{w}}" for v, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    if not rows:
        lines = ["no differences"]
    verdict = "compatible" if result.compatible else "INCOMPATIBLE"
    lines.append(f"{verdict} ({result.mode}, {result.policy}): {len(result.changes)} change(s), "
                 f"{sum(not c.compatible for c in result.changes)} incompatible")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    try:
        old, new = _read(args.old), _read(args.new)
    except UsageError as exc:
        print(f"modelgate: error: {exc}", file=sys.stderr)
        return 2
    result = compare(old, new, mode=args.mode, policy=args.policy)
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(render_text(result), end="")
    return 0 if result.compatible else 1
