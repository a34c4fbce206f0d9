"""The pure core of the deprecation calendar (bot.calendar): which versions, in which order, who still consumes
them (directly and through them) with whose owners, and which announcements are due on a day."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from bot.calendar import SUNSET_DAY, Calendar, Notice, build, due_notices, said
from bot.manifests.snapshot import Snapshot
from tests.helpers import write_tree
from tests.scenarios import contract, line_of, load, model, states, version

TODAY = date(2026, 11, 28)
FEAT = contract("feat", version(1, status="deprecated", sunset="2026-12-15", replacement=2,
                                migration="/docs/feat-v2.md"), version(2))
FILES = {
    "contracts/feat.yaml": FEAT,
    "contracts/old.yaml": contract("old", version(3, status="deprecated", sunset="2026-11-01")),  # past due, no one
    "contracts/late.yaml": contract("late", version(1, status="deprecated", sunset="2026-11-20")),  # past due
    "contracts/open.yaml": contract("open", version(1, status="deprecated")),  # no sunset
    "contracts/soon.yaml": contract("soon", version(1, status="deprecated", sunset="2026-12-01")),
    "contracts/mid-out.yaml": contract("mid-out", version(1)),
    "models/p.yaml": model("p", provides=[("feat", 1), ("feat", 2), ("old", 3), ("late", 1), ("open", 1),
                                          ("soon", 1)]),
    "models/mid.yaml": model("mid", consumes=[("feat", 2), ("feat", 1)], provides=[("mid-out", 1)]),
    "models/leaf.yaml": model("leaf", consumes=[("mid-out", 1)], owners='["@acme/leaf"]'),
    "models/user.yaml": model("user", consumes=[("late", 1), ("open", 1)]),
    "models/another.yaml": model("another", consumes=[("feat", 1)]),
}


def calendar_of(tmp_path: Path, files: dict[str, str | None] | None = None, today: date = TODAY,
                trust: Snapshot | None = None) -> Calendar:
    return build(load(write_tree(tmp_path / "repo", files or FILES)), today, trust)


def test_past_due_with_consumers_first_then_by_sunset_and_no_sunset_last(tmp_path: Path) -> None:
    calendar = calendar_of(tmp_path)
    assert [v.subject for v in calendar.versions] == [
        "contract:late@1",  # past due, consumed
        "contract:old@3",  # past due but no one left: by its sunset among the rest
        "contract:soon@1", "contract:feat@1",
        "contract:open@1",  # no sunset
    ]
    assert [v.subject for v in calendar.past_due] == ["contract:late@1"]
    assert calendar.today == TODAY and calendar.at == "repo"


def test_a_version_carries_its_dates_replacement_migration_and_the_line_of_its_sunset(tmp_path: Path) -> None:
    feat = next(v for v in calendar_of(tmp_path).versions if v.contract == "feat")
    assert (feat.announced, feat.sunset, feat.days_left) == (date(2026, 9, 1), date(2026, 12, 15), 17)
    assert feat.replacement_subject == "contract:feat@2"
    assert feat.migration == "docs/feat-v2.md"  # a repository path
    away = {**FILES, "contracts/feat.yaml": FEAT.replace("/docs/feat-v2.md", "../elsewhere.md")}
    elsewhere = next(v for v in calendar_of(tmp_path / "away", away).versions if v.contract == "feat")
    assert (elsewhere.migration, elsewhere.migration_external) == ("../elsewhere.md", True)  # as written, no link
    assert not feat.migration_external
    assert (feat.file, feat.line) == ("contracts/feat.yaml", line_of(FEAT, "sunset:"))
    assert not feat.past_due
    undated = next(v for v in calendar_of(tmp_path / "2").versions if v.contract == "open")
    assert (undated.sunset, undated.days_left, undated.past_due) == (None, None, False)
    assert undated.line == line_of(FILES["contracts/open.yaml"], "status: deprecated")


def test_direct_consumers_before_the_models_they_feed(tmp_path: Path) -> None:
    feat = next(v for v in calendar_of(tmp_path).versions if v.contract == "feat")
    assert [(c.model, c.depth, c.direct) for c in feat.consumers] == [
        ("another", 1, True), ("mid", 1, True), ("leaf", 2, False)]
    mid, leaf = feat.consumers[1], feat.consumers[2]
    assert mid.chain == ("contract:feat@1", "model:mid")
    # the `contract:` line of the consumes item naming the version, not of the model's first item (feat@2)
    assert (mid.file, mid.line) == ("models/mid.yaml",
                                    line_of(FILES["models/mid.yaml"], "version: 1", "consumes") - 1)
    assert leaf.chain == ("contract:feat@1", "model:mid", "contract:mid-out@1", "model:leaf")
    assert (leaf.file, leaf.owners) == ("models/leaf.yaml", ("@acme/leaf",))
    assert [c.model for c in feat.direct] == ["another", "mid"] and [c.model for c in feat.transitive] == ["leaf"]
    assert feat.owners == ("@another-owner", "@mid-owner")  # who must migrate: the direct consumers' owners only


def test_owners_are_the_trust_roots(tmp_path: Path) -> None:
    trusted = load(write_tree(tmp_path / "trust", {**FILES, "models/another.yaml": model(
        "another", consumes=[("feat", 1)], owners='["@acme/trusted"]')}))
    changed = {**FILES, "models/another.yaml": model("another", consumes=[("feat", 1)], owners='["@mallory"]')}
    feat = next(v for v in calendar_of(tmp_path, changed, trust=trusted).versions if v.contract == "feat")
    assert feat.consumers[0].owners == ("@acme/trusted",)
    alone = next(v for v in calendar_of(tmp_path / "2", changed).versions if v.contract == "feat")
    assert alone.consumers[0].owners == ("@mallory",)  # offline, the state is its own trust root


def test_past_due_from_the_sunset_day_on(tmp_path: Path) -> None:
    snapshot = load(write_tree(tmp_path / "repo", FILES))
    sunset = date(2026, 12, 15)
    for day, days_left, past_due in [(sunset - timedelta(days=1), 1, False), (sunset, 0, True),
                                     (sunset + timedelta(days=1), -1, True)]:
        feat = next(v for v in build(snapshot, day).versions if v.contract == "feat")
        assert (feat.days_left, feat.past_due) == (days_left, past_due)
    assert build(snapshot, sunset).versions[0].subject == "contract:late@1"
    assert [v.subject for v in build(snapshot, sunset).past_due] == ["contract:late@1", "contract:feat@1"]


def test_a_consumer_whose_manifest_stops_loading_is_kept_and_marked_unknown(tmp_path: Path) -> None:
    _, head = states(tmp_path, FILES, {"models/another.yaml": "apiVersion: modelgate/v1\nkind: Model\n: [\n"})
    feat = next(v for v in build(head, TODAY).versions if v.contract == "feat")
    another = next(c for c in feat.consumers if c.model == "another")
    # the pins it had at base, and the line of its item there: the file no longer says
    assert (another.unknown, another.file) == (True, "models/another.yaml")
    assert another.line == line_of(FILES["models/another.yaml"], "contract: feat")
    assert not next(c for c in feat.consumers if c.model == "mid").unknown


def test_a_state_without_deprecations_has_an_empty_calendar(tmp_path: Path) -> None:
    calendar = calendar_of(tmp_path, {"contracts/c.yaml": contract("c", version(1)),
                                      "models/m.yaml": model("m", consumes=[("c", 1)])})
    assert calendar.versions == () and calendar.past_due == ()


# Announcements

def keys(notices: list[Notice]) -> list[str]:
    return [n.key for n in notices]


def test_the_tightest_threshold_reached_is_due_once(tmp_path: Path) -> None:
    snapshot = load(write_tree(tmp_path / "repo", {k: v for k, v in FILES.items() if "late" not in k
                                                   and "user" not in k}))
    sunset = date(2026, 12, 15)

    def due(day: date, already: set[str] = set()) -> list[str]:  # noqa: B006 - never mutated
        return keys(due_notices(build(snapshot, day), [30, 7, 1], already))

    assert due(sunset - timedelta(days=31)) == []
    assert due(sunset - timedelta(days=30)) == ["contract:feat@1 sunset=2026-12-15 days=30"]
    assert due(sunset - timedelta(days=8)) == ["contract:feat@1 sunset=2026-12-15 days=30"]  # not said yet
    assert due(sunset - timedelta(days=8), {"contract:feat@1 sunset=2026-12-15 days=30"}) == []  # said
    # a run that missed days (nothing since the 30-day one) says only the tightest reached, never the 7-day one
    assert due(sunset - timedelta(days=1), {"contract:feat@1 sunset=2026-12-15 days=30"}) == [
        "contract:feat@1 sunset=2026-12-15 days=1"]
    assert due(sunset) == [f"contract:feat@1 sunset=2026-12-15 days={SUNSET_DAY}"]
    assert due(sunset + timedelta(days=40)) == [f"contract:feat@1 sunset=2026-12-15 days={SUNSET_DAY}"]
    # soon@1 has no consumer: never announced
    assert all("soon" not in key for key in due(date(2026, 12, 1)))


def test_a_moved_sunset_is_announced_anew(tmp_path: Path) -> None:
    moved = {**FILES, "contracts/feat.yaml": FEAT.replace("2026-12-15", "2027-01-10")}
    calendar = calendar_of(tmp_path, moved, today=date(2027, 1, 5))
    already = {"contract:feat@1 sunset=2026-12-15 days=7"}
    assert "contract:feat@1 sunset=2027-01-10 days=7" in keys(due_notices(calendar, [30, 7, 1], already))


def test_a_notice_marker_is_found_again_by_said(tmp_path: Path) -> None:
    notices = due_notices(calendar_of(tmp_path), [30, 7, 1], set())
    assert notices, "feat@1 (17 days) and late@1 (past) are due"
    body = "Announcement\n" + "\n".join(n.marker for n in notices)
    assert said([body]) == {n.key for n in notices}
    assert due_notices(calendar_of(tmp_path / "2"), [30, 7, 1], said([body])) == []


def test_said_ignores_malformed_markers() -> None:
    good = "<!-- modelgate:calendar-notice contract:feat@1 sunset=2026-12-15 days=7 -->"
    assert said([
        good,
        "<!-- modelgate:calendar-notice contract:feat@x sunset=2026-12-15 days=7 -->",  # not a version
        "<!-- modelgate:calendar-notice contract:feat@1 sunset=2026-12 days=7 -->",  # not a date
        "<!-- modelgate:calendar-notice contract:feat@1 sunset=2026-12-15 days=-1 -->",  # not a threshold
        "<!-- modelgate:calendar-notice model:feat@1 sunset=2026-12-15 days=7 -->",  # not a contract
        "modelgate:calendar-notice contract:feat@2 sunset=2026-12-15 days=7",  # not a comment
    ]) == {"contract:feat@1 sunset=2026-12-15 days=7"}
    assert said([]) == set()
