"""The calendar's text, markdown and JSON (bot.report.calendar): what each shows, the tracking issue's checklist,
the links, and hostile manifest strings that must stay inert (no mention, no HTML, no link, no escape code)."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from bot.calendar import Calendar, Consumer, Deprecated, build
from bot.report.calendar import (
    CALENDAR_MARKER,
    FORMATS,
    ISSUE_BODY_LIMIT,
    CalendarReport,
    Links,
    calendar_json,
    render_calendar,
)
from bot.report.formats import CALENDAR
from tests.helpers import REPO_ROOT
from tests.scenarios import load

EXAMPLE = REPO_ROOT / "examples" / "fraud-platform" / "head"
LINKS = Links("https://github.example", "acme/models", "0123abc")
HOSTILE_OWNER = "\x1b[31m`</code><img_src=x_onerror=alert(1)>[x](y)@evil.example"


@pytest.fixture(scope="module")
def example() -> Calendar:
    return build(load(EXAMPLE), date(2026, 12, 20))


def hostile() -> Calendar:
    """A calendar whose every string is hostile, built directly: the renderer escapes what it is given, whatever
    the loader let through (owners are checked there, a migration guide's path or a directory's name are not)."""
    consumer = Consumer("m", (HOSTILE_OWNER, "@acme/team"), 1, ("contract:feat@1", "model:m"), "models/m.yaml", 9)
    down = Consumer("down", ("@acme/down",), 2, ("contract:feat@1", "model:m", "contract:out@1", "model:down"),
                    "models/<down>.yaml", 3)
    feat = Deprecated("contract:feat@1", "feat", 1, "stable", "contracts/feat.yaml", 19, date(2026, 9, 1),
                      date(2027, 1, 15), 45, 2, "docs/<b>g</b> [y](x) @here.md", (consumer, down))
    return Calendar(date(2026, 12, 1), "repo <i>@all</i>\x1b[2J", (feat,))


def test_the_text_lists_each_version_with_its_consumers_past_due_first(example: Calendar) -> None:
    text = render_calendar(example, "text")
    assert text.startswith("Deprecation calendar of head on 2026-12-20: 2 deprecated contract versions, "
                           "1 past its sunset with consumers left\n")
    fraud, ato = text.index("contract:fraud-score@1  sunset 2026-12-15 (5 days ago)"), text.index(
        "contract:ato-score@1  sunset 2027-01-31 (42 days left)")
    assert fraud < ato
    assert "  replacement  contract:fraud-score@2\n  migration    docs/migrations/fraud-score-v2.md\n" in text
    assert "  must migrate (2 models):\n    customer-alerts      @acme/cardholder-comms, @noor-haddad  " \
           "models/ops/customer-alerts.yaml:15\n" in text  # the owners' column aligned
    assert ("  downstream (3 models, told, not asked):\n    customer-alerts           @acme/cardholder-comms, "
            "@noor-haddad  models/ops/customer-alerts.yaml:12  (depth 2, via model:risk-router → "
            "contract:risk-decision@1)\n") in text  # file:line for the downstream ones too
    assert "\x1b" not in text
    painted = CALENDAR.render("text", CalendarReport(example, color=True))
    assert "\x1b[1mDeprecation calendar\x1b[0m" in painted and "\x1b[31m5 days ago\x1b[0m" in painted


def test_the_markdown_has_a_table_then_a_section_per_version(example: Calendar) -> None:
    md = render_calendar(example, "markdown")
    assert md.startswith("## Deprecation calendar\n\nOn 2026-12-20, head has 2 deprecated contract versions: "
                         "1 past its sunset with consumers left.\n")
    assert ("| **contract:fraud-score@&#8203;1** | 2026-12-15 (5 days ago) | contract:fraud-score@&#8203;2 | 2 | 0 |"
            in md)
    assert "### contract:ato-score@&#8203;1 · 2027-01-31 (42 days left)" in md
    assert "- **Migration guide:** docs/migrations/fraud-score-v2.md\n" in md  # offline: no link
    assert "](" not in md
    assert "- **customer-alerts** — <code>@&#8203;acme/cardholder-comms</code>, <code>@&#8203;noor-haddad</code> — " \
           "models/ops/customer-alerts.yaml:15\n" in md
    assert "- [ ]" not in md


def test_the_checklist_asks_the_direct_consumers_and_tells_the_downstream_ones(example: Calendar) -> None:
    md = render_calendar(example, "markdown", links=LINKS, checklist=True)
    tasks = re.findall(r"^- \[ \] \*\*([a-z-]+)\*\*", md, re.M)
    assert tasks == ["customer-alerts", "fraud-ops-dashboard", "risk-router"]  # fraud-score@1's two, ato-score@1's one
    downstream = md[md.index("**Downstream** (3 models fed through it: told, not asked):"):]
    assert re.findall(r"^- \*\*([a-z-]+)\*\*", downstream, re.M) == [
        "customer-alerts", "fraud-ops-dashboard", "review-queue-prioritiser"]
    assert ("[models/decisioning/risk-router.yaml:15]"
            "(https://github.example/acme/models/blob/0123abc/models/decisioning/risk-router.yaml#L15)") in md
    assert ("- **Migration guide:** [docs/migrations/ato-score-v2.md]"
            "(https://github.example/acme/models/blob/0123abc/docs/migrations/ato-score-v2.md)\n") in md
    assert re.search(r"@(?!&#8203;)", md) is None  # no mention anywhere: the issue body is edited every day


def test_the_tracking_issue_marker_is_an_html_comment() -> None:
    assert re.fullmatch(r"<!-- modelgate:calendar -->", CALENDAR_MARKER)


def test_hostile_manifest_strings_stay_inert_in_markdown() -> None:
    calendar = hostile()
    for checklist in (False, True):
        md = render_calendar(calendar, "markdown", links=LINKS, checklist=checklist)
        assert "<img" not in md and "<b>" not in md and "</code><" not in md
        assert re.search(r"@(?!&#8203;)", md) is None
        assert "](" not in md.replace("](https://github.example/acme/models/blob/0123abc/", "")
        assert "\x1b" not in md
        assert ("<code>\ufffd\\[31m\\`&lt;/code&gt;&lt;img\\_src=x\\_onerror=alert\\(1\\)&gt;\\[x\\]\\(y\\)"
                "@&#8203;evil.example</code>, <code>@&#8203;acme/team</code>") in md
        assert "<i>" not in md and "&lt;i&gt;" in md
    assert ("- **Migration guide:** [docs/&lt;b&gt;g&lt;/b&gt; \\[y\\]\\(x\\) @&#8203;here.md](https://github.example/acme/"
            "models/blob/0123abc/docs/%3Cb%3Eg%3C/b%3E%20%5By%5D%28x%29%20%40here.md)") in md  # escaped; URL quoted


def test_hostile_manifest_strings_stay_inert_in_text() -> None:
    text = render_calendar(hostile(), "text")
    assert "\x1b" not in text
    assert text.startswith("Deprecation calendar of repo <i>@all</i>\ufffd[2J on 2026-12-01")
    assert ("    m  \ufffd[31m`</code><img_src=x_onerror=alert(1)>[x](y)@evil.example, @acme/team  models/m.yaml:9"
            in text)


def test_the_json_is_the_documented_shape(example: Calendar) -> None:
    data = calendar_json(example)
    assert json.loads(render_calendar(example, "json")) == data
    assert json.loads(CALENDAR.render("json", CalendarReport(example))) == data
    assert (data["today"], data["at"]) == ("2026-12-20", "head")
    fraud = data["versions"][0]
    assert {k: v for k, v in fraud.items() if k != "consumers"} == {
        "subject": "contract:fraud-score@1", "contract": "fraud-score", "version": 1, "stability": "stable",
        "file": "contracts/fraud-score.yaml", "line": 48, "announced": "2026-09-01", "sunset": "2026-12-15",
        "days_left": -5, "past_due": True, "replacement": "contract:fraud-score@2",
        "migration": "docs/migrations/fraud-score-v2.md"}
    assert fraud["consumers"][1] == {
        "model": "fraud-ops-dashboard", "owners": ["@acme/fraud-ops", "@sam-whitfield"], "depth": 1,
        "chain": ["contract:fraud-score@1", "model:fraud-ops-dashboard"],
        "file": "models/ops/fraud-ops-dashboard.yaml", "line": 16, "unknown": False}
    assert [c["depth"] for c in data["versions"][1]["consumers"]] == [1, 2, 2, 2]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_calendar_says_so_in_every_format(fmt: str) -> None:
    out = render_calendar(Calendar(date(2026, 11, 28), "main", ()), fmt)
    if fmt == "json":
        assert json.loads(out) == {"today": "2026-11-28", "at": "main", "versions": [], "unreadable": []}
    else:
        assert "No deprecated contract versions in main on 2026-11-28: nothing to migrate.\n" in out


def test_the_registry_renders_what_render_calendar_renders(example: Calendar) -> None:
    report = CalendarReport(example, (30, 7, 1))
    assert CALENDAR.names == ("text", "markdown", "json", "ics")
    assert CALENDAR.render("text", report) == render_calendar(example, "text")
    assert CALENDAR.render("markdown", report) == render_calendar(example, "markdown")


def test_a_format_render_calendar_does_not_have_is_refused(example: Calendar) -> None:
    with pytest.raises(ValueError, match="unknown calendar format 'ics'; expected one of text, markdown, json"):
        render_calendar(example, "ics")


def crowded(consumers: int, versions: int = 1) -> Calendar:
    """A calendar of ``versions`` deprecated versions, each consumed directly by ``consumers`` models."""
    made = []
    for number in range(1, versions + 1):
        users = tuple(Consumer(f"model-{i:05d}", (f"@acme/team-{i % 7}",), 1, (f"contract:feat@{number}",
                               f"model:model-{i:05d}"), f"models/model-{i:05d}.yaml", 12) for i in range(consumers))
        made.append(Deprecated(f"contract:feat@{number}", "feat", number, "stable", "contracts/feat.yaml", 3,
                               None, date(2027, 1, 15), 45, None, None, users))
    return Calendar(date(2026, 12, 1), "main", tuple(made))


def test_a_limit_shortens_the_lists_until_the_markdown_fits() -> None:
    calendar = crowded(3000)
    whole = render_calendar(calendar, "markdown", links=LINKS, checklist=True)
    assert len(whole) > ISSUE_BODY_LIMIT and whole.count("- [ ] ") == 3000
    body = render_calendar(calendar, "markdown", links=LINKS, checklist=True, limit=ISSUE_BODY_LIMIT)
    assert len(body) <= ISSUE_BODY_LIMIT
    assert body.count("- [ ] ") == 100  # the first rung that fits
    assert "- … and 2900 more (`modelgate calendar` lists them all)\n" in body
    assert render_calendar(calendar, "markdown", limit=len(whole)) == render_calendar(calendar, "markdown")


def test_many_versions_are_cut_too_and_a_limit_too_small_for_anything_is_refused() -> None:
    calendar = crowded(30, versions=400)
    body = render_calendar(calendar, "markdown", checklist=True, limit=20_000)
    assert len(body) <= 20_000 and "- [ ] " not in body
    assert "- 30 models (`modelgate calendar` lists them)\n" in body
    assert "| … and 350 more (`modelgate calendar` lists them all) | | | | |\n" in body  # 50 versions listed
    with pytest.raises(ValueError, match="the calendar cannot fit in 100 characters"):
        render_calendar(calendar, "markdown", limit=100)
