"""The deprecation calendar as iCalendar (RFC 5545): ``modelgate calendar --format ics``, to subscribe to.

Written by hand rather than with a library, so that the Action's install stays small: the subset needed is
small and exact. A VCALENDAR (``VERSION:2.0``, ``PRODID``, ``CALSCALE:GREGORIAN``, ``METHOD:PUBLISH`` and the
de-facto ``X-WR-CALNAME``) holding one all-day VEVENT per deprecated version that has a sunset: ``DTSTART`` the
sunset (``VALUE=DATE``; no ``DTEND``: an all-day start alone is that one day, RFC 5545 3.6.1, and 9999-12-31 has
no day after), a ``SUMMARY`` naming the version and how many models still consume it, a ``DESCRIPTION`` with
the replacement, the migration guide and every remaining consumer with its owners, and one ``VALARM`` per
``calendar.notify_days`` (``TRIGGER:-P{n}D``). What the RFC asks of the writer:

- TEXT values escape ``\\``, ``;``, ``,`` and line breaks (``\\n``) (3.3.11); other control characters, which TEXT
  cannot hold, and the bidi overrides become U+FFFD;
- content lines longer than 75 octets are folded (CRLF and one space), never inside a UTF-8 sequence (3.1);
- every line ends with CRLF.

The words are the template ``calendar-ics.txt.j2``'s; this module escapes and folds them.

The file is reproducible: ``UID`` is derived from the version's contract and number (never from the day, nor the
file: moving the manifest moves no event), so a calendar subscribed to it moves the event when the sunset moves
instead of adding a second one; ``DTSTAMP`` is the calendar's day at 00:00:00 UTC; nothing in an event depends on
the day but that stamp.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from bot.report.jinja_env import environment

if TYPE_CHECKING:
    from bot.calendar import Calendar, Deprecated
    from bot.report.calendar import CalendarReport

PRODID = "-//modelgate//calendar//EN"
NAME = "modelgate: contract sunsets"
LINE_OCTETS = 75  # RFC 5545 3.1: content lines are folded at 75 octets, CRLF excluded
_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x85]")
# What a TEXT value cannot hold (CONTROL: C0 but tab, DEL), the C1 controls and the bidi overrides.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def of_report(report: CalendarReport) -> str:
    return render(report.calendar, report.notify_days)


def render(calendar: Calendar, notify_days: Iterable[int] = ()) -> str:
    """The iCalendar text of ``calendar``: CRLF line ends, folded lines; an alarm ``n`` days before each sunset for
    each ``n`` of ``notify_days``. A calendar without a dated sunset is a VCALENDAR without a VEVENT (RFC 5545 asks
    for one component at least; calendar applications read an empty one as an empty calendar, which is what a
    subscription to it should show once every sunset is gone: the choice is documented in docs/calendar.md)."""
    alarms = sorted(set(notify_days), reverse=True)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{text(NAME)}"]
    for version in calendar.versions:
        if version.sunset is not None:
            lines.extend(_event(calendar, version, alarms))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def uid(version: Deprecated) -> str:
    """The event's UID: the same for a version whatever its sunset, its file and the day (RFC 5545 3.8.4.7):
    moving the contract's manifest to another file moves no event."""
    key = "\n".join((version.contract, str(version.version)))
    return f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@modelgate"


def _event(calendar: Calendar, version: Deprecated, alarms: list[int]) -> Iterator[str]:
    assert version.sunset is not None
    yield "BEGIN:VEVENT"
    yield f"UID:{uid(version)}"
    yield f"DTSTAMP:{calendar.today.strftime('%Y%m%d')}T000000Z"
    yield f"DTSTART;VALUE=DATE:{version.sunset.strftime('%Y%m%d')}"
    # no DTEND: an all-day DTSTART alone is that one day (RFC 5545 3.6.1), and 9999-12-31 has no day after
    yield f"SUMMARY:{text(summary(version, calendar))}"
    yield f"DESCRIPTION:{text(description(version, calendar))}"
    yield "TRANSP:TRANSPARENT"
    for days in alarms:
        yield "BEGIN:VALARM"
        yield "ACTION:DISPLAY"
        yield f"TRIGGER:-P{days}D"
        yield f"DESCRIPTION:{text(str(_words().alarm(version, days)))}"
        yield "END:VALARM"
    yield "END:VEVENT"


def _words() -> Any:
    """The template of the events' words (``calendar-ics.txt.j2``): one macro per property."""
    return environment().get_template("calendar-ics.txt.j2").module


def summary(version: Deprecated, calendar: Calendar) -> str:
    return str(_words().event_summary(version, calendar))


def description(version: Deprecated, calendar: Calendar) -> str:
    """The event's description (plain text, one fact a line): the replacement, the migration guide, where the
    deprecation is written, and every remaining consumer with its owners."""
    return str(_words().description(version, calendar)).rstrip("\n")


def text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped; other control
    characters and bidi overrides U+FFFD."""
    one = _BREAKS.sub("\n", value)
    escaped = one.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROL.sub(lambda m: "\\n" if m.group(0) == "\n" else "\ufffd", escaped)


def fold(line: str) -> str:
    """``line`` folded to content lines of at most 75 octets (RFC 5545 3.1): CRLF and a space before each
    continuation, which counts in its line's 75; a UTF-8 sequence is never split."""
    if len(line.encode("utf-8")) <= LINE_OCTETS:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > LINE_OCTETS:
            parts.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += octets
    parts.append("".join(current))
    return "\r\n".join(parts)
