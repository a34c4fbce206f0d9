"""The report of a check: one :class:`bot.result.Result` laid out by the templates.

``variables`` is what every report template reads (the pure :mod:`bot.report.view` of the Result, the
presentation context, colour). ``render_comment`` is the PR comment: the marker first, never longer than
GitHub accepts. ``render_summary`` is the report for ``$GITHUB_STEP_SUMMARY``: everything, unless it would pass
the summary's own limit (GitHub aborts the upload of a summary over 1024 KiB). Both give sections up in
:data:`bot.report.view.LADDER` order until the report fits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.report.context import ReportContext
from bot.report.jinja_env import environment
from bot.report.view import FULL, LADDER, Limits, build_view
from bot.result import Result, Severity

COMMENT_LIMIT = 60_000  # characters; GitHub refuses comments over 65,536
SUMMARY_LIMIT = 1_000_000  # UTF-8 bytes; GitHub refuses step summaries over 1024 KiB
MARKDOWN = "report.md.j2"


@dataclass(frozen=True)
class Report:
    """A Result and how it is shown: where (``context``) and, on a terminal, whether in colour."""

    result: Result
    context: ReportContext | None = None
    color: bool = False
    fail_on: Severity = "error"  # ``--fail-on``: the findings that fail the run (JUnit shows them as failures)


def _variables(result: Result, limits: Limits, context: ReportContext | None, ask: Sequence[str] = (),
               **extra: object) -> dict[str, object]:
    return {"view": build_view(result, limits, ask), "ctx": context or ReportContext(), "color": False, "marker": False,
            "place": "summary", **extra}


def variables(report: Report) -> dict[str, object]:
    """The whole report's template variables (only the text template paints, and only when ``color``)."""
    return _variables(report.result, FULL, report.context, color=report.color)


def as_json(report: Report) -> dict[str, object]:
    return report.result.to_json()


def _fit(result: Result, context: ReportContext | None, limit: int, measure: Callable[[str], int],
         ask: Sequence[str] = (), **extra: object) -> str:
    """The markdown report at the first rung of the ladder whose output measures at most ``limit``.

    Rendering streams and stops as soon as a rung overflows, so a huge Result costs about ``limit`` per rung,
    not its full size.
    """
    template = environment().get_template(MARKDOWN)
    for limits in LADDER:
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(_variables(result, limits, context, ask, **extra)):
            size += measure(chunk)
            if size > limit:
                break
            chunks.append(chunk)
        else:
            return "".join(chunks)
    raise ValueError(f"the report cannot fit in {limit}: even its shortest form is longer")


def render_comment(result: Result, context: ReportContext | None = None, limit: int = COMMENT_LIMIT,
                   ask: Sequence[str] = ()) -> str:
    """The PR comment: the marker as its first line, at most ``limit`` characters; its last line mentions the
    teams of ``ask`` (well-formed ``org/team`` names only), whose review could not be requested.

    Tries each rung of the ladder, from the full report to the bare minimum (verdict, counts, the first
    errors and approval groups), and returns the first that fits. A limit so small that even the minimum
    does not fit is the caller's mistake (ValueError).
    """
    return _fit(result, context, limit, len, marker=True, place="comment", ask=ask)


def render_summary(result: Result, context: ReportContext | None = None, limit: int = SUMMARY_LIMIT) -> str:
    """The job summary: the full markdown report, shortened only past ``limit`` UTF-8 bytes."""
    return _fit(result, context, limit, lambda chunk: len(chunk.encode("utf-8")))
