"""``modelgate schema-diff OLD NEW``: classify the change between two JSON Schema files.

Exit 0 when compatible, 1 when not, 2 when a file cannot be read or parsed (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.commands._common import add_format, show
from bot.compat import MODES, POLICIES, compare
from bot.config import Limits
from bot.errors import UsageError
from bot.manifests.parse import read_json
from bot.manifests.yamlread import YamlError, read_yaml
from bot.report.formats import SCHEMA_DIFF


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schema-diff", help="compare two JSON Schema files",
        description="Classify the change from OLD to NEW in Confluent Schema Registry's vocabulary.")
    parser.add_argument("old", metavar="OLD", help="the old schema (JSON or YAML file)")
    parser.add_argument("new", metavar="NEW", help="the new schema (JSON or YAML file)")
    parser.add_argument("--mode", choices=MODES, default="backward",
                        help="backward: readers on NEW read OLD's records (default); forward: the reverse; full: both")
    parser.add_argument("--policy", choices=POLICIES, default="strict", help="Confluent's policy (default strict)")
    add_format(parser, SCHEMA_DIFF)
    parser.set_defaults(func=run)


def _read(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from exc
    # the manifests' limits (depth 64, bounded alias expansion): a 10,000-deep file or a YAML "billion laughs"
    # is one clear error, not a RecursionError or a comparison that never ends
    depth = Limits().max_depth
    try:
        schema = read_json(text, depth)
    except json.JSONDecodeError as exc:
        if path.endswith(".json"):
            raise UsageError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from exc
        try:
            schema = read_yaml(text, max_depth=depth)[0]
        except YamlError as yexc:
            line = f":{yexc.line}" if yexc.line is not None else ""
            raise UsageError(f"{path}{line}: neither JSON nor YAML: {yexc.message}") from yexc
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}") from exc
    if not isinstance(schema, dict | bool):
        raise UsageError(f"{path}: a schema is an object or a boolean, not {type(schema).__name__}")
    return schema


def run(args: argparse.Namespace) -> int:
    try:
        old, new = _read(args.old), _read(args.new)
    except UsageError as exc:
        print(f"modelgate: error: {exc}", file=sys.stderr)
        return 2
    result = compare(old, new, mode=args.mode, policy=args.policy)
    show(SCHEMA_DIFF, args.format, result)
    return 0 if result.compatible else 1
