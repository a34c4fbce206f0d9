"""Render one :class:`bot.result.Result` as a terminal report, markdown (PR comment, job summary), workflow
commands or JSON.

``render(result, fmt)`` is what ``--format`` prints. ``render_comment`` is the PR comment: the marker first,
and never longer than ``limit`` characters, giving sections up in :data:`bot.report.view.LADDER` order.
``render_summary`` is the full markdown report for ``$GITHUB_STEP_SUMMARY``.
"""

from __future__ import annotations

import json

from bot.report.context import MARKER, ReportContext
from bot.report.jinja_env import environment
from bot.report.view import FULL, LADDER, Limits, build_view
from bot.result import Result

__all__ = ["COMMENT_LIMIT", "FORMATS", "MARKER", "ReportContext", "render", "render_comment", "render_summary"]

COMMENT_LIMIT = 60_000  # GitHub refuses comments over 65,536 characters; keep a margin
FORMATS = ("text", "markdown", "github", "json")
_TEMPLATES = {"text": "report.txt.j2", "markdown": "report.md.j2", "github": "report.github.j2"}


def _render(
    result: Result, fmt: str, *, limits: Limits = FULL, color: bool = False,
    context: ReportContext | None = None, marker: bool = False,
) -> str:
    template = environment().get_template(_TEMPLATES[fmt])
    return template.render(view=build_view(result, limits), ctx=context or ReportContext(), color=color,
                           marker=marker)


def render(result: Result, fmt: str, *, color: bool = False, context: ReportContext | None = None) -> str:
    """The whole report in ``fmt`` (one of :data:`FORMATS`); ``color`` adds ANSI colours to ``text`` only."""
    if fmt == "json":
        return json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
    if fmt not in _TEMPLATES:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return _render(result, fmt, color=color and fmt == "text", context=context)


def render_summary(result: Result, context: ReportContext | None = None) -> str:
    """The full markdown report, without size limit, for the job summary."""
    return _render(result, "markdown", context=context)


def render_comment(result: Result, context: ReportContext | None = None, limit: int = COMMENT_LIMIT) -> str:
    """The PR comment: the marker as its first line, at most ``limit`` characters.

    Tries each rung of the ladder in turn, from the full report to the bare minimum (verdict, counts, the
    first errors and approval groups), and returns the first that fits. A limit so small that even the
    minimum does not fit is a caller's mistake.
    """
    for limits in LADDER:
        text = _render(result, "markdown", limits=limits, context=context, marker=True)
        if len(text) <= limit:
            return text
    raise ValueError(f"a report comment cannot fit in {limit} characters ({len(text)} at the least)")
