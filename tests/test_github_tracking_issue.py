"""``bot.github.tracking_issue``: the tracking issue's body and the announcements on it (docs/calendar.md), end to end
through the scheduled run against the GitHub double and a real git repository (``Scheduled``)."""

from __future__ import annotations

import re

import pytest

from bot.calendar import said
from bot.config import CalendarSettings
from bot.github import tracking_issue
from bot.github.rollout_state import KEY_ENV
from bot.github.tracking_issue import TITLE, Site, search_query
from bot.report.calendar import CALENDAR_MARKER
from tests.github_double import GitHubDouble
from tests.helpers import commit, contract, git, model
from tests.test_github_scheduled import CONFIG, LABEL, Scheduled, writes

SHA_URL = r"https://github\.com/acme/platform/blob/[0-9a-f]{40}/"


@pytest.fixture
def world(tmp_path, github, monkeypatch):
    return Scheduled(tmp_path, github, monkeypatch)


def on_main(world: Scheduled, files: dict) -> None:
    world.main = commit(world.repo, files, "more on main")
    world.github.branches["main"] = world.main


def tracking(world: Scheduled) -> list[dict]:
    """The bot's issues whose body starts with the calendar's marker, signed or not."""
    return [i for i in world.github.issues.values() if i["user"]["login"] == world.github.bot_login
            and re.match(r"<!-- modelgate:calendar( mac=[0-9a-f]{64})? -->\n", i["body"] or "")]


def announced(world: Scheduled, today: str) -> str:
    """The body of the last announcement once ``today``'s run is done."""
    world.run(today)
    [issue] = tracking(world)
    return world.notices(issue["number"])[-1]["body"]


def test_the_first_run_creates_the_issue_and_a_second_run_the_same_day_writes_nothing(world, github):
    assert world.run("2026-12-10") == 0
    [issue] = world.tracking()
    assert issue["title"] == TITLE
    assert [label["name"] for label in issue["labels"]] == [LABEL]
    assert issue["body"].startswith(CALENDAR_MARKER + "\n")
    assert "- [ ] " in issue["body"] and "router" in issue["body"] and "feed" in issue["body"]
    assert "@carol" not in issue["body"]  # an edit of the body must never notify: owners are not mentions there
    [notice] = world.notices(issue["number"])
    assert said([notice["body"]]) == {"contract:score@1 sunset=2026-12-15 days=7"}
    assert "@carol" in notice["body"] and "in 5 days" in notice["body"]
    assert "feed" in notice["body"] and "@dan" not in notice["body"]  # downstream: told, not asked
    assert world.outputs() == {"calendar-issue": str(issue["number"]), "rejudged": "[]"}
    assert "Deprecation calendar" in (world.tmp / "summary.md").read_text()
    first = len(github.log)
    assert world.run("2026-12-10") == 0
    assert writes(github, first) == []
    assert len(world.tracking()) == 1 and len(world.notices(issue["number"])) == 1


def test_the_body_is_edited_in_place_when_the_calendar_changes(world, github):
    world.run("2026-12-10")
    [issue] = world.tracking()
    before = issue["body"]
    first = len(github.log)
    world.run("2026-12-11")  # one day less to the sunset: the body says so
    assert writes(github, first) == [f"PATCH /repos/acme/platform/issues/{issue['number']}"]
    assert world.tracking()[0]["body"] != before and len(world.tracking()) == 1


def test_announcements_once_per_threshold_and_a_missed_stretch_says_only_the_nearest(world, github):
    world.run("2026-11-10")  # 35 days before: nothing to announce yet, the issue is made
    [issue] = world.tracking()
    assert world.notices(issue["number"]) == []
    world.run("2026-11-16")  # 29 days: the 30-day threshold
    world.run("2026-11-17")
    world.run("2026-12-14")  # the 7-day threshold was missed: only the 1-day one
    world.run("2026-12-14")
    world.run("2026-12-15")  # the sunset day
    keys = [sorted(said([c["body"]])) for c in world.notices(issue["number"])]
    assert keys == [["contract:score@1 sunset=2026-12-15 days=30"], ["contract:score@1 sunset=2026-12-15 days=1"],
                    ["contract:score@1 sunset=2026-12-15 days=0"]]
    assert "today" in world.notices(issue["number"])[-1]["body"]


def test_an_announcement_by_someone_else_does_not_count_as_said(world, github):
    world.run("2026-11-10")
    [issue] = world.tracking()
    github.add_comment(issue["number"], "mallory", "<!-- modelgate:calendar-notice contract:score@1 "
                                                   "sunset=2026-12-15 days=30 -->")
    world.run("2026-11-16")
    assert len([c for c in world.notices(issue["number"]) if c["user"]["login"] == github.bot_login]) == 1


def test_owners_are_named_without_a_mention_when_mention_owners_is_false(tmp_path, github, monkeypatch):
    world = Scheduled(tmp_path, github, monkeypatch, {**CONFIG, "calendar": {"mention_owners": False}})
    world.run("2026-12-10")
    [notice] = world.notices(world.tracking()[0]["number"])
    assert "`@carol`" in notice["body"]


def test_a_closed_issue_is_not_reopened_nor_replaced_and_gets_no_announcement(world, github):
    world.run("2026-11-10")
    [issue] = world.tracking()
    issue["state"] = "closed"  # a person closed it
    first = len(github.log)
    assert world.run("2026-12-10") == 0
    assert writes(github, first) == [f"PATCH /repos/acme/platform/issues/{issue['number']}"]
    assert "state" not in github.calls("PATCH")[-1].body  # the body only: never reopened
    assert world.tracking() == [issue] and issue["state"] == "closed"
    assert world.notices(issue["number"]) == []
    assert "closed" in (world.tmp / "summary.md").read_text()
    first = len(github.log)
    world.run("2026-12-10")
    assert writes(github, first) == []


def test_a_look_alike_by_someone_else_is_never_taken_for_the_tracking_issue(world, github):
    fake = github.add_issue(title=TITLE, body=f"{CALENDAR_MARKER}\nnothing to migrate", user="mallory",
                            labels=[LABEL])
    world.run("2026-12-10")
    [issue] = world.tracking()
    assert issue["number"] != fake["number"]
    assert github.issues[fake["number"]]["body"] == f"{CALENDAR_MARKER}\nnothing to migrate"
    assert github.comments_on(fake["number"]) == []


def test_the_oldest_issue_of_the_bot_wins_and_later_ones_are_left(world, github):
    world.run("2026-12-10")
    [issue] = world.tracking()
    twin = github.add_issue(title=TITLE, body=issue["body"] + "x", labels=[LABEL])
    first = len(github.log)
    world.run("2026-12-10")
    assert writes(github, first) == []
    assert github.issues[twin["number"]]["body"] == issue["body"] + "x"


def test_an_issue_that_lost_its_label_is_found_by_search_and_labelled_again(world, github):
    world.run("2026-12-10")
    [issue] = world.tracking()
    issue["labels"] = []
    first = len(github.log)
    world.run("2026-12-10")
    assert github.calls("GET", r"^/search/issues$")[-1].query["q"] == search_query("acme/platform",
                                                                                   github.bot_login)
    assert writes(github, first) == [f"POST /repos/acme/platform/issues/{issue['number']}/labels"]
    assert [label["name"] for label in issue["labels"]] == [LABEL] and len(world.tracking()) == 1


def test_no_deprecated_version_no_issue(tmp_path, github, monkeypatch):
    world = Scheduled(tmp_path, github, monkeypatch)
    git(world.repo, "checkout", "-q", "main")
    github.branches["main"] = commit(world.repo, {"contracts/score.yaml": contract("score", [1, 2], owners=["@a"]),
                                                  "models/router.yaml": None, "models/feed.yaml": None})
    assert world.run("2026-12-10") == 0
    assert github.issues == {} and writes(github) == []
    assert world.outputs()["calendar-issue"] == ""


def test_each_consumer_is_a_line_of_its_own_and_downstream_a_paragraph(world):
    on_main(world, {
        "models/ranker.yaml": model("ranker", consumes=[("score", 1)], owners=["@noor-haddad", "@acme/ml"]),
        "models/router.yaml": model("router", consumes=[("score", 1)], provides=[("route", 1)],
                                    owners=["@carol", "@dave"])})
    lines = announced(world, "2026-12-10").splitlines()
    consuming = lines.index("Still consuming it:")
    assert re.fullmatch(rf"- ranker \(\[models/ranker\.yaml:\d+\]\({SHA_URL}models/ranker\.yaml#L\d+\)\): "
                        r"@noor-haddad, @acme/ml", lines[consuming + 1])
    assert re.fullmatch(rf"- router \(\[models/router\.yaml:\d+\]\({SHA_URL}models/router\.yaml#L\d+\)\): "
                        r"@carol, @dave", lines[consuming + 2])
    assert lines[consuming + 3:consuming + 5] == ["", "Downstream, through them (told, not asked): feed."]


def test_the_announcement_links_the_migration_guide_and_says_each_thing_in_a_paragraph(world):
    lines = announced(world, "2026-12-10").splitlines()
    heading = lines.index("### `contract:score@1`: sunset 2026-12-15, in 5 days")
    assert lines[heading - 1] == "<!-- modelgate:calendar-notice contract:score@1 sunset=2026-12-15 days=7 -->"
    assert lines[heading + 1:heading + 4] == [
        "", "`MG201` is a warning for every model that still consumes it, and becomes an error on 2026-12-15.", ""]
    assert re.fullmatch(rf"Move to `contract:score@2`: \[docs/migrations/score-v2\.md\]\({SHA_URL}"
                        r"docs/migrations/score-v2\.md\)\.", lines[heading + 4])


@pytest.mark.parametrize(("mg201", "before", "after"), [
    ({"before": "warning", "after": "warning"},
     "`MG201` is a warning for every model that still consumes it, before and after the sunset.",
     "`MG201` is a warning for every model that still consumes it."),
    ("off", None, None),
    ({"before": "off", "after": "error"},
     "`MG201` becomes an error for every model that still consumes it on 2026-12-15.",
     "`MG201` is an error for every model that still consumes it."),
    ("notice", "`MG201` is a notice for every model that still consumes it, and becomes an error on 2026-12-15.",
     "`MG201` is an error for every model that still consumes it."),
])
def test_what_the_announcement_says_of_mg201_follows_the_configuration(tmp_path, github, monkeypatch, mg201, before,
                                                                       after):
    world = Scheduled(tmp_path, github, monkeypatch, {"rules": {**CONFIG["rules"], "MG201": mg201}})
    for today, says in (("2026-12-10", before), ("2026-12-15", after)):
        body = announced(world, today)
        assert [line for line in body.splitlines() if "MG201" in line] == ([says] if says else [])


def test_the_mentions_are_capped_and_the_others_named_on_the_issue(world, monkeypatch):
    monkeypatch.setattr(tracking_issue, "MAX_MENTIONS", 2)
    on_main(world, {"models/ranker.yaml": model("ranker", consumes=[("score", 1)],
                                                owners=["@noor-haddad", "@acme/ml", "@zoe"])})
    body = announced(world, "2026-12-10")
    assert re.search(r"\): @noor-haddad, @acme/ml, `@zoe`$", body, re.M)  # ranker comes first
    assert re.search(r"\): `@carol`$", body, re.M)
    assert "2 more owners not mentioned here: see the tracking issue." in body


def test_a_comment_holds_whole_announcements_only_and_the_rest_wait_for_the_next_run(world, github, monkeypatch,
                                                                                      capsys):
    on_main(world, {"contracts/rank.yaml": contract("rank", [
        {"version": 1, "status": "deprecated", "schema": {"type": "object"},
         "deprecation": {"announced": "2026-09-01", "sunset": "2026-12-12", "replacement": 2}}, 2], owners=["@a"]),
        "models/ranker.yaml": model("ranker", consumes=[("rank", 1)], owners=["@noor-haddad"])})
    world.run("2026-11-01")
    [issue] = world.tracking()
    first = len(github.log)
    monkeypatch.setattr(tracking_issue, "MAX_BODY", 900)  # room for one announcement, not two
    capsys.readouterr()
    world.run("2026-12-10")
    assert "1 announcement(s) did not fit in one comment: they wait for the next run" in capsys.readouterr().out
    world.run("2026-12-10")
    comments = world.notices(issue["number"])
    assert [sorted(said([c["body"]])) for c in comments] == [["contract:rank@1 sunset=2026-12-12 days=7"],
                                                              ["contract:score@1 sunset=2026-12-15 days=7"]]
    for comment in comments:
        assert len(comment["body"]) <= 900 and comment["body"].count("### ") == 1
        assert "cut at" not in comment["body"] and "issue's body" not in comment["body"]
    assert writes(github, first).count(f"POST /repos/acme/platform/issues/{issue['number']}/comments") == 2


def test_the_body_says_the_checklist_is_computed_on_each_run(world):
    world.run("2026-12-10")
    [issue] = world.tracking()
    assert issue["body"].startswith(CALENDAR_MARKER + "\n")
    assert issue["body"].rstrip().endswith("_The checklist is computed on each run: a model leaves it when it no "
                                           "longer consumes the version, and a box ticked by hand is unticked by the "
                                           "next run._")


def test_the_comments_read_are_bounded_and_the_bound_says_so(world, github, monkeypatch, capsys):
    world.run("2026-11-01")
    [issue] = world.tracking()
    for n in range(3):
        github.add_comment(issue["number"], "someone", f"comment {n}")
    monkeypatch.setattr(tracking_issue, "MAX_COMMENTS", 2)
    capsys.readouterr()
    world.run("2026-12-10")
    assert world.notices(issue["number"]) == []
    assert f"the tracking issue #{issue['number']} has 2 comments or more" in capsys.readouterr().out


def test_an_empty_calendar_without_an_issue_costs_no_search(tmp_path, github, monkeypatch):
    world = Scheduled(tmp_path, github, monkeypatch)
    on_main(world, {"contracts/score.yaml": contract("score", [1, 2], owners=["@a"]),
                    "models/router.yaml": None, "models/feed.yaml": None})
    assert world.run("2026-12-10") == 0
    assert github.calls("GET", r"^/search/issues$") == [] and github.issues == {}


# Signed markers (the rollout key)

NOTICE_7 = "<!-- modelgate:calendar-notice contract:score@1 sunset=2026-12-15 days=7 -->"


@pytest.fixture
def keyed(world, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "a-repository-secret")
    return world


def forge_issue(github: GitHubDouble, body: str) -> dict:
    return github.add_issue(title=TITLE, body=body, user=github.bot_login, labels=[LABEL])


def test_with_a_key_an_unsigned_notice_marker_by_the_bot_login_is_not_believed(keyed, github):
    keyed.run("2026-11-01")
    [issue] = tracking(keyed)
    github.add_comment(issue["number"], github.bot_login, f"welcome! {NOTICE_7}")
    body = announced(keyed, "2026-12-10")
    assert re.search(r"<!-- modelgate:calendar-notice contract:score@1 sunset=2026-12-15 days=7 mac=[0-9a-f]{64} -->",
                     body)
    count = len(keyed.notices(issue["number"]))
    keyed.run("2026-12-10")  # the signed one counts: said once
    assert len(keyed.notices(issue["number"])) == count


def test_without_a_key_a_marker_by_the_bot_login_counts(world, github):
    world.run("2026-11-01")
    [issue] = world.tracking()
    github.add_comment(issue["number"], github.bot_login, f"welcome! {NOTICE_7}")
    world.run("2026-12-10")
    assert len(world.notices(issue["number"])) == 1  # the limit docs/calendar.md states: the key lifts it


def test_a_replayed_signed_marker_is_harmless(keyed, github):
    keyed.run("2026-11-20")  # 25 days before: the 30-day announcement
    [issue] = tracking(keyed)
    [first] = keyed.notices(issue["number"])
    signed = re.search(r"<!-- modelgate:calendar-notice [^>]*-->", first["body"]).group(0)
    # replayed verbatim: it says what was said; tampered into the 7-day one: its MAC no longer verifies
    github.add_comment(issue["number"], github.bot_login, signed + signed.replace("days=30", "days=7"))
    body = announced(keyed, "2026-12-10")
    assert "days=7 mac=" in body and len(keyed.notices(issue["number"])) == 3


def test_with_a_key_a_forged_tracking_issue_by_the_bot_login_is_not_taken(keyed, github):
    forged = forge_issue(github, f"{CALENDAR_MARKER}\nnothing to migrate")
    keyed.run("2026-12-10")
    [real] = [i for i in github.issues.values() if i["number"] != forged["number"]]
    assert re.match(r"<!-- modelgate:calendar mac=[0-9a-f]{64} -->\n", real["body"])
    assert github.issues[forged["number"]]["body"] == f"{CALENDAR_MARKER}\nnothing to migrate"
    assert keyed.notices(forged["number"]) == [] and len(keyed.notices(real["number"])) == 1
    # the signed marker is the repository's: another repository's (same key) would not verify here
    first = len(github.log)
    keyed.run("2026-12-10")
    assert writes(github, first) == []


def test_without_a_key_the_oldest_marked_issue_of_the_bot_login_is_taken(world, github):
    forged = forge_issue(github, f"{CALENDAR_MARKER}\nnothing to migrate")
    world.run("2026-12-10")
    assert [i["number"] for i in world.tracking()] == [forged["number"]]  # the limit the key lifts


def test_said_believes_only_what_verify_accepts_and_a_signature_is_the_repositorys(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "k")
    here, there = (Site(repo, "github-actions[bot]", CalendarSettings()) for repo in ("acme/a", "acme/b"))
    key = "contract:score@1 sunset=2026-12-15 days=7"
    signed = f"<!-- modelgate:calendar-notice {key} mac={here.notice_mac(key)} -->"
    copied = f"<!-- modelgate:calendar-notice {key} mac={there.notice_mac(key)} -->"
    assert said([signed, copied, NOTICE_7]) == {key}  # no verify: every well-formed marker
    assert said([signed], here.believes()) == {key}
    assert said([copied, NOTICE_7], here.believes()) == set()  # another repository's, or none
    assert here.marker != there.marker and here.marker.startswith("<!-- modelgate:calendar mac=")
    monkeypatch.delenv(KEY_ENV)
    assert Site("acme/a", "b", CalendarSettings()).marker == CALENDAR_MARKER
