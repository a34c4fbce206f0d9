"""The deprecation calendar (:class:`bot.calendar.Calendar`) as text, markdown and JSON (docs/calendar.md).

``render_calendar`` is the one entry: ``modelgate calendar`` prints it (through the format registry, with the ics
format of :mod:`bot.report.ics` beside it), and the scheduled run's tracking issue is :data:`CALENDAR_MARKER` on
its own line followed by ``render_calendar(calendar, "markdown", links=..., checklist=True, limit=...)`` (the
limit: :data:`ISSUE_BODY_LIMIT` less the marker line; a crowded calendar lists fewer consumers rather than fail).

The markdown never mentions anyone: every string a manifest wrote goes through the ``md`` filter (owners shown as
``<code>`` with the ``@`` broken), because an issue body is edited again and again and an edit that @-mentions
notifies. ``checklist`` lays each remaining direct consumer out as a task (``- [ ]``: it must migrate) and the
models fed through it as plain items (told, not asked). ``links`` makes each ``file:line`` and migration guide a
link to that commit of the repository (offline there is none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from bot.report.context import ReportContext
from bot.report.jinja_env import render_template
from bot.report.view import WHOLE

if TYPE_CHECKING:  # the format registry imports this module for every command: the core is loaded by its caller
    from bot.calendar import Calendar, Consumer, Deprecated

CALENDAR_MARKER = "<!-- modelgate:calendar -->"  # the tracking issue's first line: how the scheduled run finds it
FORMATS = ("text", "markdown", "json")  # what render_calendar renders (the ics format is bot.report.ics)
ISSUE_BODY_LIMIT = 65_000  # characters of markdown in an issue body with its marker line: GitHub refuses 65,536+
# The markdown's rungs from whole to shortest: (models listed per list of consumers, versions listed); None is all.
SHORTENED: tuple[tuple[int | None, int | None], ...] = (
    (None, None), (100, None), (25, None), (5, None), (0, None), (0, 200), (0, 50), (0, 10), (0, 0))


class Links(NamedTuple):
    """Where the markdown's file references point: ``{server_url}/{repository}/blob/{sha}/{file}#L{line}``."""

    server_url: str
    repository: str
    sha: str

    def context(self) -> ReportContext:
        return ReportContext(server_url=self.server_url, repository=self.repository, head_sha=self.sha)


@dataclass(frozen=True)
class CalendarReport:
    """What ``modelgate calendar`` prints: the calendar, the state's ``calendar.notify_days`` (the ics format's
    alarms) and, on a terminal, whether in colour."""

    calendar: Calendar
    notify_days: tuple[int, ...] = ()
    color: bool = False


def render_calendar(calendar: Calendar, fmt: str, *, links: Links | None = None, checklist: bool = False,
                    limit: int | None = None) -> str:
    """``calendar`` as ``fmt`` (text, markdown or json); ``links`` and ``checklist`` shape the markdown (see the
    module). ``limit``: the most characters the markdown may have (an issue body:
    :data:`ISSUE_BODY_LIMIT`); the lists of consumers, then of versions, are cut (each saying how many more) at the
    first rung of :data:`SHORTENED` that fits."""
    if fmt == "json":
        import json

        return json.dumps(calendar_json(calendar), indent=2, ensure_ascii=False) + "\n"
    if fmt == "text":
        return _text(calendar, color=False)
    if fmt == "markdown":
        return _markdown(calendar, links, checklist, limit)
    raise ValueError(f"unknown calendar format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _markdown(calendar: Calendar, links: Links | None, checklist: bool, limit: int | None) -> str:
    for cap, vcap in SHORTENED if limit is not None else SHORTENED[:1]:
        body = render_template("calendar.md.j2", **_variables(calendar, links, checklist=checklist), cap=cap,
                               vcap=vcap)
        if limit is None or len(body) <= limit:
            return body
    raise ValueError(f"the calendar cannot fit in {limit} characters: even its shortest form is longer")


def text(report: CalendarReport) -> str:
    """The text, painted when the report is shown in colour."""
    return _text(report.calendar, color=report.color)


def _text(calendar: Calendar, *, color: bool) -> str:
    return render_template("calendar.txt.j2", **_variables(calendar, None, color=color))


def markdown(report: CalendarReport) -> str:
    return render_calendar(report.calendar, "markdown")


def as_json(report: CalendarReport) -> dict[str, Any]:
    return calendar_json(report.calendar)


def _variables(calendar: Calendar, links: Links | None, *, checklist: bool = False,
               color: bool = False) -> dict[str, object]:
    return {"cal": calendar, "view": WHOLE, "ctx": links.context() if links else ReportContext(),
            "checklist": checklist, "color": color}


def calendar_json(calendar: Calendar) -> dict[str, Any]:
    """The documented JSON (docs/calendar.md, docs/calendar-output.schema.json): keys are added, never renamed."""
    return {"today": calendar.today.isoformat(), "at": calendar.at,
            "versions": [_version_json(version) for version in calendar.versions],
            "unreadable": list(calendar.unreadable)}


def _version_json(version: Deprecated) -> dict[str, Any]:
    return {
        "subject": version.subject, "contract": version.contract, "version": version.version,
        "stability": version.stability, "file": version.file, "line": version.line,
        "announced": version.announced.isoformat() if version.announced else None,
        "sunset": version.sunset.isoformat() if version.sunset else None,
        "days_left": version.days_left, "past_due": version.past_due,
        "replacement": version.replacement_subject, "migration": version.migration,
        "consumers": [_consumer_json(consumer) for consumer in version.consumers],
    }


def _consumer_json(consumer: Consumer) -> dict[str, Any]:
    return {"model": consumer.model, "owners": list(consumer.owners), "depth": consumer.depth,
            "chain": list(consumer.chain), "file": consumer.file, "line": consumer.line, "unknown": consumer.unknown}
