"""The report of ``modelgate schema-diff``: the changes between two JSON Schemas as a table or as JSON, with
``--explain`` a counterexample of a breaking change; and what it says of its inputs (one that cannot be compared,
notes on one no instance satisfies)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.escape import terminal_text
from bot.report.jinja_env import clip
from bot.report.view import WHOLE

if TYPE_CHECKING:
    from bot.compat import CompareResult
    from bot.compat.counterexamples import Counterexample, Search
    from bot.compat.satisfiable import Unsatisfiable


@dataclass(frozen=True)
class Diff:
    """What ``schema-diff`` prints: the comparison, and with ``--explain`` the counterexample search (``explained``;
    ``search`` is None when there was nothing to explain: the change is compatible)."""

    result: CompareResult
    explained: bool = False
    search: Search | None = None
    notes: tuple[Note, ...] = ()  # MG011 of the inputs (said on stderr as text; in JSON under "notes" when any)


INSTANCE_CHARS = 240  # of an instance's compact JSON on a terminal; --format json has it whole


def variables(diff: Diff) -> dict[str, object]:
    """The table laid out (widths from the escaped cells), the verdict, and what ``--explain`` found."""
    result = diff.result
    rows = [(c.type, terminal_text(c.path), "compatible" if c.compatible else "incompatible")
            + ((c.direction,) if result.mode == "full" else ()) for c in result.changes]
    header = ("type", "path", "verdict") + (("direction",) if result.mode == "full" else ())
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    table = ["  ".join(f"{v:<{w}}" for v, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    found = diff.search.found if diff.search is not None else None
    first = next((c for c in result.changes if not c.compatible), None)
    return {"result": result, "table": table if rows else [],
            "incompatible": sum(not c.compatible for c in result.changes),
            "search": diff.search, "found": found, "instance": None if found is None else shown_instance(found),
            "first": first, "view": WHOLE}


def shown_instance(found: Counterexample) -> str:
    """The instance as compact JSON (non-ASCII escaped, so it is exact and inert), clipped for a terminal."""
    return clip(json.dumps(found.instance, separators=(",", ":"), sort_keys=True), INSTANCE_CHARS)


def as_json(diff: Diff) -> dict[str, Any]:
    shown = diff.result.to_json()
    if diff.explained:
        found = diff.search.found if diff.search is not None else None
        shown["explanation"] = None if found is None else found.to_json()
    if diff.notes:
        shown["notes"] = _notes_json(diff.notes)
    return shown


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


def inputs_variables(inputs: Inputs) -> dict[str, object]:
    return {"problem": inputs.problem, "notes": inputs.notes, "view": WHOLE}


def inputs_json(inputs: Inputs) -> dict[str, Any]:
    problem = inputs.problem
    error = None if problem is None else {
        "file": problem.file, "line": problem.line, "pointer": problem.pointer, "message": problem.message}
    return {"error": error, "notes": _notes_json(inputs.notes)}


def _notes_json(notes: tuple[Note, ...]) -> list[dict[str, Any]]:
    return [{"file": n.file, "rule": "MG011", "pointer": n.found.pointer, "message": n.found.message,
             "whole": n.found.whole} for n in notes]
