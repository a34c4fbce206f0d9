"""The report of ``modelgate schema-diff``: the changes between two JSON Schemas as a table or as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.escape import terminal_text

if TYPE_CHECKING:
    from bot.compat import CompareResult


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
