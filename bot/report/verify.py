"""The report of ``modelgate verify``: one :class:`bot.verify.report.VerifyResult` as text, JSON (docs/cli.md's
shape) or workflow commands at the lines of the contract's manifest.

Every string of a verification may come from the data (a record's keys and values reach the examples' paths and
reasons, a Parquet file's column names the notes) or from the contract (field names, its name), so each goes
through :mod:`bot.escape`: ``term`` in the text template, the workflow-command escapers and ``terminal_text``
(for the plain summary line) in the github format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.escape import terminal_text, workflow_command_data, workflow_command_prop
from bot.report.view import WHOLE

if TYPE_CHECKING:
    from bot.verify.report import VerifyResult, Where


@dataclass(frozen=True)
class VerifyReport:
    """A verification and the manifest of its contract: ``file``, and ``line`` mapping a key of the contract
    version (``("schema",)``, ``("quality", "null_rate_max", "score")``) to its line there."""

    result: VerifyResult
    file: str
    line: Callable[[Where], int]


def variables(report: VerifyReport) -> dict[str, object]:
    return {"result": report.result, "view": WHOLE}


def as_json(report: VerifyReport) -> dict[str, Any]:
    return report.result.to_json()


def github(report: VerifyReport) -> str:
    """Workflow commands: one ``::error`` per breach at the line of its key in the contract's manifest."""
    result = report.result
    out = []
    title = f"modelgate verify {result.contract}"

    def annotate(level: str, where: Where, message: str) -> None:
        out.append(f"::{level} file={workflow_command_prop(report.file)},line={report.line(where)},"
                   f"title={workflow_command_prop(title)}::{workflow_command_data(message)}")

    if result.invalid:
        shown = "; ".join(f"{e.where} {e.path}: {e.reason}" for e in result.examples[:3])
        annotate("error", ("schema",), f"{result.invalid} of {result.records} records are invalid under the schema"
                 + (f" (first: {shown})" if shown else ""))
    if not result.min_records_ok:
        annotate("error", ("quality", "min_records"),
                 f"{result.records} records read, fewer than min_records {result.min_records}")
    for n in result.null_rates:
        if n.ok is False:
            annotate("error", ("quality", "null_rate_max", n.field),
                     f"null rate of {n.field} is {n.value:.4g}, above null_rate_max {n.max:g}")
    for d in result.drift:
        if d.ok is False:
            annotate("error", ("quality", "drift", "psi_max", d.field),
                     f"PSI of {d.field} against the baseline is {d.psi:.4g}, above psi_max {d.max:g}")
        elif d.ok is None:
            annotate("warning", ("quality", "drift", "psi_max", d.field), f"drift of {d.field} not measured: "
                     f"{d.why_unmeasured}")
    for note in result.notes:
        annotate("warning", ("schema",), note)
    verdict = "pass" if result.verdict == "pass" else f"fail ({'; '.join(result.breaches)})"
    out.append(terminal_text(f"{title}: {result.records} records, {verdict}"))  # one plain line: not a command
    return "\n".join(out) + "\n"
