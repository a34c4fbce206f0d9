"""``modelgate calendar --format ics`` (bot.report.ics), read back with the ``icalendar`` package: one VEVENT per
deprecated version with a sunset, stable UIDs, alarms, RFC 5545's line folding and TEXT escaping."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import icalendar
import pytest

from bot.calendar import Calendar, Consumer, Deprecated, build
from bot.report import ics
from tests.helpers import REPO_ROOT
from tests.scenarios import load

EXAMPLE = REPO_ROOT / "examples" / "fraud-platform" / "head"


@pytest.fixture(scope="module")
def example() -> Calendar:
    return build(load(EXAMPLE), date(2026, 11, 28))


def parsed(text: str) -> icalendar.Calendar:
    """The calendar as the package reads it, every component free of parse errors."""
    calendar = icalendar.Calendar.from_ical(text)
    for component in calendar.walk():
        assert component.errors == [], component.errors
    return calendar


def version_of(example: Calendar, contract: str) -> Deprecated:
    return next(v for v in example.versions if v.contract == contract)


def test_one_all_day_event_per_sunset(example: Calendar) -> None:
    calendar = parsed(ics.render(example, [30, 7, 1]))
    assert str(calendar["PRODID"]) == "-//modelgate//calendar//EN" and str(calendar["VERSION"]) == "2.0"
    events = calendar.walk("VEVENT")
    assert [e.decoded("DTSTART") for e in events] == [date(2026, 12, 15), date(2027, 1, 31)]
    assert ["DTEND" in e for e in events] == [False, False]  # an all-day DTSTART alone is that day (RFC 5545 3.6.1)
    fraud = events[0]
    assert str(fraud["SUMMARY"]) == "Sunset of contract:fraud-score@1: 2 models still consume it"
    description = str(fraud["DESCRIPTION"])
    assert description.splitlines() == [
        "contract:fraud-score@1 (stable) is deprecated since 2026-09-01; sunset 2026-12-15.",
        "Replacement: contract:fraud-score@2",
        "Migration guide: docs/migrations/fraud-score-v2.md",
        "Deprecated at: contracts/fraud-score.yaml:48",
        "Must migrate (2):",
        "- customer-alerts (@acme/cardholder-comms, @noor-haddad) models/ops/customer-alerts.yaml:15",
        "- fraud-ops-dashboard (@acme/fraud-ops, @sam-whitfield) models/ops/fraud-ops-dashboard.yaml:16",
    ]
    ato = str(events[1]["DESCRIPTION"])
    assert "Downstream, told, not asked (3):\n- customer-alerts (@acme/cardholder-comms, @noor-haddad) " \
           "models/ops/customer-alerts.yaml:12 (depth 2, via model:risk-router > contract:risk-decision@1)" in ato
    assert events[0].decoded("DTSTAMP") == icalendar.vDDDTypes.from_ical("20261128T000000Z")


def test_an_alarm_per_notify_day(example: Calendar) -> None:
    event = parsed(ics.render(example, [7, 30, 1])).walk("VEVENT")[0]
    alarms = event.walk("VALARM")
    assert [a.decoded("TRIGGER") for a in alarms] == [timedelta(days=-30), timedelta(days=-7), timedelta(days=-1)]
    assert [str(a["ACTION"]) for a in alarms] == ["DISPLAY"] * 3
    assert str(alarms[2]["DESCRIPTION"]) == "contract:fraud-score@1: sunset in 1 day"
    assert parsed(ics.render(example)).walk("VALARM") == []


def test_the_uid_is_stable_for_a_version_and_the_file_reproducible(example: Calendar) -> None:
    later = build(load(EXAMPLE), date(2026, 12, 20))
    moved = dataclasses.replace(example, versions=tuple(
        dataclasses.replace(v, sunset=date(2027, 3, 1), days_left=93) for v in example.versions))

    def uids(calendar: Calendar) -> list[str]:
        return [str(e["UID"]) for e in parsed(ics.render(calendar)).walk("VEVENT")]

    elsewhere = dataclasses.replace(example, versions=tuple(
        dataclasses.replace(v, file=f"moved/{v.file}") for v in example.versions))
    assert uids(example) == uids(later) == uids(moved) == uids(elsewhere)  # the file moved: the same events
    assert len(set(uids(example))) == 2
    assert ics.render(example, [30]) == ics.render(example, [30])
    # only DTSTAMP says the day
    changed = [(line, other) for line, other in zip(ics.render(example).split("\r\n"),
                                                    ics.render(later).split("\r\n"), strict=True) if line != other]
    assert changed == [("DTSTAMP:20261128T000000Z", "DTSTAMP:20261220T000000Z")] * 2


def test_the_last_day_there_is_can_be_a_sunset(example: Calendar) -> None:
    last = dataclasses.replace(example, versions=(dataclasses.replace(example.versions[0], sunset=date.max),))
    text = ics.render(last)
    assert "\r\nDTSTART;VALUE=DATE:99991231\r\n" in text and "DTEND" not in text
    assert [e.decoded("DTSTART") for e in parsed(text).walk("VEVENT")] == [date.max]


def test_the_words_say_when_no_readable_model_consumes_a_version(example: Calendar) -> None:
    alone = dataclasses.replace(example.versions[0], consumers=())
    unread = dataclasses.replace(example, versions=(alone,), unreadable=("models/a.yaml", "contracts/c.yaml"),
                                 unreadable_models=("models/a.yaml",))
    event = parsed(ics.render(unread)).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Sunset of contract:fraud-score@1 (no readable model consumes it)"
    assert "No readable model consumes it; 1 manifest could not be read: models/a.yaml" in str(event["DESCRIPTION"])
    read = parsed(ics.render(dataclasses.replace(unread, unreadable=(), unreadable_models=()))).walk("VEVENT")[0]
    assert str(read["SUMMARY"]) == "Sunset of contract:fraud-score@1 (no model consumes it any more)"
    partial = parsed(ics.render(dataclasses.replace(example, unreadable=("models/a.yaml",),
                                                    unreadable_models=("models/a.yaml",)))).walk("VEVENT")[0]
    assert "Warning: 1 manifest could not be read, so a consumer may be missing: models/a.yaml" in str(
        partial["DESCRIPTION"])


def test_a_version_without_a_sunset_has_no_event(example: Calendar) -> None:
    undated = dataclasses.replace(example, versions=(dataclasses.replace(example.versions[0], sunset=None,
                                                                         days_left=None), example.versions[1]))
    assert [str(e["SUMMARY"]) for e in parsed(ics.render(undated)).walk("VEVENT")] == [
        "Sunset of contract:ato-score@1: 1 model still consumes it (3 downstream)"]


def test_an_empty_calendar_is_a_vcalendar_without_events() -> None:
    text = ics.render(Calendar(date(2026, 11, 28), "main", ()))
    assert text == ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//modelgate//calendar//EN\r\nCALSCALE:GREGORIAN\r\n"
                    "METHOD:PUBLISH\r\nX-WR-CALNAME:modelgate: contract sunsets\r\nEND:VCALENDAR\r\n")
    assert parsed(text).walk("VEVENT") == []


HOSTILE = "a,b;c\\d\nEND:VEVENT\r\nBEGIN:VEVENT\rUID:x\x00\x1b[2J\u202e"


def hostile(example: Calendar, text: str) -> Calendar:
    consumer = Consumer(f"m{text}", (f"@o{text}",), 1, ("contract:feat@1", "model:m"), f"models/{text}.yaml", 2)
    feat = dataclasses.replace(version_of(example, "fraud-score"), migration=text, consumers=(consumer,))
    return dataclasses.replace(example, versions=(feat,))


def test_text_values_escape_commas_semicolons_backslashes_and_line_breaks(example: Calendar) -> None:
    text = ics.render(hostile(example, HOSTILE))
    assert text.split("\r\n").count("BEGIN:VEVENT") == 1 and "\nUID:x" not in text
    assert "a\\,b\\;c\\\\d\\nEND:VEVENT\\nBEGIN:VEVENT\\nUID:x\ufffd\ufffd[2J\ufffd" in text.replace("\r\n ", "")
    events = parsed(text).walk("VEVENT")
    assert len(events) == 1
    description = str(events[0]["DESCRIPTION"])
    assert "Migration guide: a,b;c\\d\nEND:VEVENT\nBEGIN:VEVENT\nUID:x\ufffd\ufffd[2J\ufffd\n" in description


def test_long_and_non_ascii_lines_are_folded_at_75_octets_on_character_boundaries(example: Calendar) -> None:
    long = "Überprüfung-数据-🙂" * 40
    text = ics.render(hostile(example, long), [30])
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")[:-1]
    assert max(len(line.encode("utf-8")) for line in lines) == 75
    for line in lines:
        line.encode("utf-8").decode("utf-8")  # each physical line is whole characters
    assert sum(line.startswith(" ") for line in lines) > 10
    description = str(parsed(text).walk("VEVENT")[0]["DESCRIPTION"])
    assert f"Migration guide: {long}\n" in description and f"- m{long} (@o{long}) models/{long}.yaml:2" in description


@pytest.mark.parametrize("line", ["", "x" * 75, "é" * 37 + "x", "x" * 76, "🙂" * 19, "🙂" * 40, "a" + "é" * 200])
def test_fold_keeps_every_line_within_75_octets_and_unfolds_to_the_original(line: str) -> None:
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line
    assert (len(parts) == 1) == (len(line.encode("utf-8")) <= 75)
