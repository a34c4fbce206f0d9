"""The report of ``modelgate lint``: the findings of one state, as lines and a summary, JSON or workflow commands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.escape import terminal_text, workflow_command_data, workflow_command_prop

if TYPE_CHECKING:
    from bot.manifests.snapshot import Unloaded
    from bot.result import Finding, Severity


@dataclass(frozen=True)
class LintReport:
    """The findings of one state under its configuration, and how many manifests parsed."""

    findings: Sequence[Finding]
    manifests: int
    excluded: Sequence[Unloaded] | None = None  # ``--show-excluded``: the manifest-looking files exclude leaves out
    fail_on: Severity = "error"  # ``--fail-on``: the findings that fail the run (JUnit shows them as failures)
    # ``lint FILE...``: the failing findings in other files whose manifest consumes or provides a contract the files
    # define (counted, not listed: ``lint`` without files lists them); None when linting a whole state
    elsewhere: Sequence[Finding] | None = None

    @property
    def failed(self) -> bool:
        return any(f.blocking for f in (*self.findings, *(self.elsewhere or ())))


def as_json(report: LintReport) -> dict[str, Any]:
    shown: dict[str, Any] = {"verdict": "fail" if report.failed else "pass",
                             "findings": [f.to_json() for f in report.findings]}
    if report.elsewhere is not None:
        shown["elsewhere"] = len(report.elsewhere)
    if report.excluded is not None:
        shown["excluded"] = [{"file": e.path, "line": e.line, "subject": e.subject, "looks_like": e.what}
                             for e in report.excluded]
    return shown


def text(report: LintReport) -> str:
    """One line per finding, then the summary (then, when asked, the files exclude leaves out)."""
    shown = "".join(f"{_line(f)}\n" for f in report.findings) + _summary(report.findings, report.manifests) + "\n"
    if report.elsewhere:
        count = len(report.elsewhere)
        shown += (f"and {_plural(count, 'finding')} in other files, in manifests that consume or provide a contract "
                  f"these files define: run `modelgate lint` to see {'it' if count == 1 else 'them'}\n")
    if report.excluded is not None:
        shown += f"{_plural(len(report.excluded), 'manifest-looking file')} left out by manifests.exclude" + (
            ":\n" if report.excluded else "\n")
        shown += "".join(f"  {terminal_text(e.path)}:{e.line}: {terminal_text(e.what)}\n" for e in report.excluded)
    return shown


def github(report: LintReport) -> str:
    """One workflow command per finding."""
    return "".join(f"{_annotation(f)}\n" for f in report.findings)


def _line(finding: Finding) -> str:
    """``file:line: MG001 [error] message`` on one terminal line (a file name or a message may hold anything)."""
    where = f"{terminal_text(finding.file)}:{finding.line}: " if finding.file else ""
    return f"{where}{finding.rule} [{finding.severity}] {terminal_text(finding.message)}"


def _annotation(finding: Finding) -> str:
    """A workflow command (``::error file=F,line=L,title=MG001::message``) for one finding."""
    props = []
    if finding.file:
        props.append(f"file={workflow_command_prop(finding.file)}")
        if finding.line:
            props.append(f"line={finding.line}")
    props.append(f"title={workflow_command_prop(finding.rule)}")
    return f"::{finding.severity} {','.join(props)}::{workflow_command_data(finding.message)}"


def _summary(findings: Sequence[Finding], manifests: int) -> str:
    """``5 errors in 4 files (3 manifests parsed)``: a manifest that does not parse is not counted as checked."""
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "notice")}
    shown = ", ".join(_plural(n, s) for s, n in counts.items() if n)
    if not shown:
        return f"no problems in {_plural(manifests, 'manifest')}"
    files = len({f.file for f in findings if f.file})
    return f"{shown} in {_plural(files, 'file')} ({_plural(manifests, 'manifest')} parsed)"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"
