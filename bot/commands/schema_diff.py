"""``modelgate schema-diff OLD NEW``: classify the change between two JSON Schema files.

Exit 0 when compatible, 1 when not, 2 when a file cannot be read or parsed, or is not a valid JSON Schema under its
metaschema (one line on stderr; with ``--format json``, also ``{"error": ...}`` on stdout). A schema that is
valid but that no instance satisfies (MG011) is compared all the same, with a note on stderr (and, with
``--format json``, under ``notes`` in the output).

``--explain``: when the change is incompatible, look for an instance that shows it (``bot.compat.counterexamples``:
valid under the writer's schema, rejected by the reader's), in the directions the incompatible changes were
found in. What it finds or does not find never changes the verdict or the exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.commands._common import add_format, show
from bot.compat import MODES, POLICIES, CompareResult, compare
from bot.compat.counterexamples import MAX_CANDIDATES, explain
from bot.compat.metaschema import metaschema_error
from bot.compat.refs import fragment
from bot.compat.satisfiable import unsatisfiable
from bot.config import Limits
from bot.manifests.parse import read_json
from bot.manifests.snapshot import locate
from bot.manifests.yamlread import YamlError, read_yaml
from bot.report.formats import SCHEMA_DIFF, SCHEMA_DIFF_INPUTS
from bot.report.schema_diff import Diff, Inputs, Note, Problem


class _Unusable(Exception):
    """An input that cannot be compared: unreadable, not JSON or YAML, or not a JSON Schema."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schema-diff", help="compare two JSON Schema files",
        description="Classify the change from OLD to NEW in Confluent Schema Registry's vocabulary.")
    parser.add_argument("old", metavar="OLD", help="the old schema (JSON or YAML file)")
    parser.add_argument("new", metavar="NEW", help="the new schema (JSON or YAML file)")
    parser.add_argument("--mode", choices=MODES, default="backward",
                        help="backward: readers on NEW read OLD's records (default); forward: the reverse; full: both")
    parser.add_argument("--policy", choices=POLICIES, default="strict", help="Confluent's policy (default strict)")
    parser.add_argument("--explain", action="store_true",
                        help="when the change is incompatible, show an instance valid under the writer's schema that "
                             f"the reader's rejects, if one is found among {MAX_CANDIDATES:,} candidates")
    add_format(parser, SCHEMA_DIFF)
    parser.set_defaults(func=run)


def _read(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _Unusable(Problem(path, f"cannot read: {getattr(exc, 'strerror', None) or exc}")) from exc
    # the manifests' limits (depth 64, bounded alias expansion): a 10,000-deep file or a YAML "billion laughs"
    # is one clear error, not a RecursionError or a comparison that never ends
    depth = Limits().max_depth
    try:
        schema = read_json(text, depth)
    except json.JSONDecodeError as exc:
        if path.endswith(".json"):
            raise _Unusable(Problem(path, f"invalid JSON: {exc.msg}", line=exc.lineno)) from exc
        try:
            schema = read_yaml(text, max_depth=depth)[0]
        except YamlError as yexc:
            raise _Unusable(Problem(path, f"neither JSON nor YAML: {yexc.message}", line=yexc.line)) from yexc
    except ValueError as exc:
        raise _Unusable(Problem(path, str(exc))) from exc
    if not isinstance(schema, dict | bool):
        raise _Unusable(Problem(path, f"a schema is an object or a boolean, not {type(schema).__name__}"))
    error = metaschema_error(schema)  # MG008's check: the metaschema $schema names, 2020-12 by default
    if error is not None:
        pointer = fragment(error.path)
        raise _Unusable(Problem(path, f"not a valid JSON Schema: {error.message}", line=_line(text, error.path),
                                pointer=pointer))
    return schema


def _line(text: str, path: Sequence[str | int]) -> int | None:
    """The line of ``path`` in a schema's text (JSON is read as the YAML it also is), or None where YAML reads it
    otherwise (a JSON escape YAML does not know)."""
    try:
        return locate(read_yaml(text, max_depth=Limits().max_depth, want_lines=True)[1], path)
    except YamlError:
        return None


def run(args: argparse.Namespace) -> int:
    try:
        old, new = _read(args.old), _read(args.new)
    except _Unusable as exc:
        unusable = Inputs(problem=exc.problem)
        print(SCHEMA_DIFF_INPUTS.render("text", unusable), end="", file=sys.stderr)
        if args.format == "json":
            show(SCHEMA_DIFF_INPUTS, "json", unusable)
        return 2
    notes = tuple(Note(path, found) for path, schema in ((args.old, old), (args.new, new))
                  for found in unsatisfiable(schema))
    if notes:  # MG011 of modelgate lint: said, but the comparison (and its exit code) stands
        print(SCHEMA_DIFF_INPUTS.render("text", Inputs(notes=notes)), end="", file=sys.stderr)
    result = compare(old, new, mode=args.mode, policy=args.policy)
    search = None
    if args.explain and not result.compatible:
        # formats asserted: the default of compat.format (a data contract is about what consumers can parse)
        search = explain(old, new, _searched(result), formats=True)
    show(SCHEMA_DIFF, args.format, Diff(result, explained=args.explain, search=search, notes=notes))
    return 0 if result.compatible else 1


def _searched(result: CompareResult) -> str:
    """The mode to search in: the directions of the incompatible changes (all of the mode's when it was refused)."""
    directions = {change.direction for change in result.changes if not change.compatible}
    if result.refused is not None or len(directions) != 1:
        return result.mode
    return directions.pop()
