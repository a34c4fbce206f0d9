"""The report of ``modelgate schema-diff``: the changes between two JSON Schemas as a table or as JSON; and what
it says of its inputs (one that cannot be compared, notes on one no instance satisfies)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.escape import terminal_text
from bot.report.view import FULL, Limits

if TYPE_CHECKING:
    from bot.compat import CompareResult
    from bot.compat.satisfiable import Unsatisfiable


def text(result: CompareResult) -> str:
    if result.refused is not None:  # the reason quotes the schema (a pattern): shown inert
        return f"INCOMPATIBLE ({result.mode}, {result.policy}): {terminal_text(result.refused)}\n"
    rows = [(c.type, terminal_text(c.path), "compatible" if c.compatible else "incompatible")
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


def as_json(result: CompareResult) -> dict[str, Any]:
    return result.to_json()


@dataclass(frozen=True)
class Problem:
    """Why an input of ``schema-diff`` cannot be compared (exit 2): its file, and a line or a JSON pointer in it."""

    file: str
    message: str
    line: int | None = None
    pointer: str | None = None  # where a schema breaks its metaschema


@dataclass(frozen=True)
class Note:
    """A contradiction of an input that is a valid schema (MG011): said, but the comparison stands."""

    file: str
    found: Unsatisfiable


@dataclass(frozen=True)
class Inputs:
    """What ``schema-diff`` says of its inputs, on stderr (and an unusable one as JSON on stdout too)."""

    problem: Problem | None = None
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class _Whole:
    """What the template filters read to clip user text (``view.limits.text``): shown whole."""

    limits: Limits = FULL


def inputs_variables(inputs: Inputs) -> dict[str, object]:
    return {"problem": inputs.problem, "notes": inputs.notes, "view": _Whole()}


def inputs_json(inputs: Inputs) -> dict[str, Any]:
    problem = inputs.problem
    error = None if problem is None else {
        "file": problem.file, "line": problem.line, "pointer": problem.pointer, "message": problem.message}
    return {"error": error, "notes": [{"file": n.file, "rule": "MG011", "pointer": n.found.pointer,
                                       "message": n.found.message, "whole": n.found.whole} for n in inputs.notes]}
