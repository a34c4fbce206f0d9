"""The calendar's ``past_due`` and the check's MG201 escalation are one definition (``bot.calendar.past_due``): on
every day around a sunset, a version is past due exactly when MG201 is escalated for its direct consumers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot import calendar
from bot.calendar import SUNSET_DAY, past_due
from bot.graph import model_node
from bot.loader import Loader
from bot.policy import consumers
from bot.registry import State, configured
from bot.sources import DirectorySource
from tests.helpers import REPO_ROOT

HEAD = REPO_ROOT / "examples" / "fraud-platform" / "head"
SUNSETS = [date(2026, 12, 15), date(2027, 1, 31)]  # fraud-score@1 and ato-score@1 in the example's head
DAYS = [sunset + timedelta(days=offset) for sunset in SUNSETS for offset in (-1, 0, 1)]


@pytest.mark.parametrize(("days_left", "due"), [(None, False), (30, False), (1, False), (SUNSET_DAY, True),
                                                 (-1, True), (-400, True)])
def test_a_sunset_is_past_due_from_its_day_on(days_left: int | None, due: bool) -> None:
    assert past_due(days_left) is due


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_the_calendar_and_mg201_agree_around_each_sunset(today: date) -> None:
    snapshot = Loader(DirectorySource(HEAD)).load()
    versions = calendar.build(snapshot, today).versions
    found = list(consumers.on_state(State(snapshot, today)))
    mg201 = {(f.file, f.line): f for f in found if f.rule == "MG201"}  # both point at the consumes item
    seen = 0
    for version in versions:
        for consumer in version.direct:
            finding = mg201[(consumer.file, consumer.line)]
            assert finding.subject == model_node(consumer.model) and version.subject in finding.message
            assert finding.escalated is version.past_due, (today, version.subject, consumer.model)
            assert finding.severity == ("error" if version.past_due else "warning")
            seen += 1
    assert seen == len(mg201) >= 3  # every MG201 of the state is a direct consumer of a calendar version
    # the example's configuration (`MG201: warning`) keeps the escalation: the check fails where the calendar is due
    assert {f.subject for f in configured(found, snapshot.config) if f.rule == "MG201" and f.severity == "error"} == {
        model_node(c.model) for v in versions if v.past_due for c in v.direct}
    assert snapshot.config.rules["MG201"] == "warning"
