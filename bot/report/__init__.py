"""The report layer: every rendering of what modelgate prints, comments or annotates.

:mod:`bot.report.formats` is the registry (each kind of document, its formats and their renderers); the
templates are in ``bot/report/templates/``, read through :mod:`bot.report.jinja_env`; every user string is
escaped by :mod:`bot.escape`. Here: the report of a check, as ``--format`` prints it (``render``), as the PR
comment (``render_comment``) and as the job summary (``render_summary``).
"""

from __future__ import annotations

from bot.report.context import MARKER, ReportContext
from bot.report.formats import REPORT
from bot.report.result import COMMENT_LIMIT, SUMMARY_LIMIT, Report, render_comment, render_summary
from bot.result import Result

__all__ = ["COMMENT_LIMIT", "MARKER", "SUMMARY_LIMIT", "ReportContext", "render", "render_comment", "render_summary"]


def render(result: Result, fmt: str, *, color: bool = False, context: ReportContext | None = None) -> str:
    """The whole report in ``fmt`` (one of ``REPORT.names``); ``color`` adds ANSI colours to ``text`` only."""
    return REPORT.render(fmt, Report(result, context, color))
