"""Render one :class:`bot.result.Result` as a terminal report, markdown (PR comment, job summary), workflow
commands or JSON.

``render(result, fmt)`` is what ``--format`` prints. ``render_comment`` is the PR comment: the marker first,
never longer than GitHub accepts. ``render_summary`` is the report for ``$GITHUB_STEP_SUMMARY``: everything,
unless it would pass the summary's own limit (GitHub aborts the upload of a summary over 1024 KiB). Both give
sections up in :data:`bot.report.view.LADDER` order until the report fits.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.report.context import MARKER, ReportContext
from bot.report.jinja_env import environment
from bot.report.view import FULL, LADDER, Limits, build_view
from bot.result import Result

__all__ = ["COMMENT_LIMIT", "FORMATS", "MARKER", "SUMMARY_LIMIT", "ReportContext", "render", "render_comment",
           "render_summary"]

COMMENT_LIMIT = 60_000  # characters; GitHub refuses comments over 65,536
SUMMARY_LIMIT = 1_000_000  # UTF-8 bytes; GitHub refuses step summaries over 1024 KiB
FORMATS = ("text", "markdown", "github", "json")
_TEMPLATES = {"text": "report.txt.j2", "markdown": "report.md.j2", "github": "report.github.j2"}


def _variables(result: Result, limits: Limits, context: ReportContext | None, **extra: object) -> dict[str, object]:
    return {"view": build_view(result, limits), "ctx": context or ReportContext(), "color": False, "marker": False,
            "place": "summary", **extra}


def render(result: Result, fmt: str, *, color: bool = False, context: ReportContext | None = None) -> str:
    """The whole report in ``fmt`` (one of :data:`FORMATS`); ``color`` adds ANSI colours to ``text`` only."""
    if fmt == "json":
        return json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
    if fmt not in _TEMPLATES:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    template = environment().get_template(_TEMPLATES[fmt])
    return template.render(_variables(result, FULL, context, color=color and fmt == "text"))


def _fit(result: Result, context: ReportContext | None, limit: int, measure: Callable[[str], int],
         **extra: object) -> str:
    """The markdown report at the first rung of the ladder whose output measures at most ``limit``.

    Rendering streams and stops as soon as a rung overflows, so a huge Result costs about ``limit`` per rung,
    not its full size.
    """
    template = environment().get_template(_TEMPLATES["markdown"])
    for limits in LADDER:
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(_variables(result, limits, context, **extra)):
            size += measure(chunk)
            if size > limit:
                break
            chunks.append(chunk)
        else:
            return "".join(chunks)
    raise ValueError(f"the report cannot fit in {limit}: even its shortest form is longer")


def render_comment(result: Result, context: ReportContext | None = None, limit: int = COMMENT_LIMIT) -> str:
    """The PR comment: the marker as its first line, at most ``limit`` characters.

    Tries each rung of the ladder, from the full report to the bare minimum (verdict, counts, the first
    errors and approval groups), and returns the first that fits. A limit so small that even the minimum
    does not fit is the caller's mistake (ValueError).
    """
    return _fit(result, context, limit, len, marker=True, place="comment")


def render_summary(result: Result, context: ReportContext | None = None, limit: int = SUMMARY_LIMIT) -> str:
    """The job summary: the full markdown report, shortened only past ``limit`` UTF-8 bytes."""
    return _fit(result, context, limit, lambda chunk: len(chunk.encode("utf-8")))
