"""Which events modelgate acts on, from GitHub's own example payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.github.events import read_event

EVENTS = Path(__file__).parent / "fixtures" / "github" / "events"


def payload(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


@pytest.mark.parametrize(("event", "fixture", "kind", "number"), [
    ("pull_request", "pull_request.opened.json", "pull_request", 2),
    ("pull_request_target", "pull_request.synchronize.json", "pull_request", 2),
    ("pull_request", "pull_request.reopened.json", "pull_request", 2),
    ("pull_request", "pull_request.labeled.json", "ignored", None),
    ("pull_request_review", "pull_request_review.submitted.json", "review", 2),
    ("issue_comment", "issue_comment.created.on_pull_request.json", "comment", 1),
    ("issue_comment", "issue_comment.created.json", "ignored", None),
])
def test_real_payloads(event, fixture, kind, number):
    found = read_event(event, payload(fixture))
    assert (found.kind, found.number) == (kind, number)
    assert bool(found.reason) == (kind == "ignored")


def test_merge_group_carries_its_shas():
    found = read_event("merge_group", {"action": "checks_requested",
                                       "merge_group": {"head_sha": "a" * 40, "base_sha": "b" * 40}})
    assert (found.kind, found.head_sha, found.base_sha) == ("merge_group", "a" * 40, "b" * 40)
    assert read_event("merge_group", {"merge_group": {}}).kind == "ignored"


def test_other_events_and_actions_are_ignored_with_a_reason():
    assert "not an event" in read_event("push", {"ref": "refs/heads/main"}).reason
    assert "dismissed" in read_event("pull_request_review", {"action": "edited", "pull_request": {"number": 1}}).reason
    edited = {"action": "edited", "issue": {"number": 1, "pull_request": {"url": "u"}}}
    assert read_event("issue_comment", edited).kind == "ignored"
    assert read_event("pull_request", {"action": "opened", "pull_request": {"number": True}}).kind == "ignored"


def test_workflow_run_follow_up_of_a_review():
    run = {"event": "pull_request_review", "pull_requests": [{"number": 9}]}
    assert read_event("workflow_run", {"action": "completed", "workflow_run": run}).number == 9
    fork = {"event": "pull_request_review", "pull_requests": []}
    assert read_event("workflow_run", {"workflow_run": fork}, "12").number == 12
    assert read_event("workflow_run", {"workflow_run": fork}, "12; rm -rf /").kind == "ignored"
    assert read_event("workflow_run", {"workflow_run": {"event": "push"}}).kind == "ignored"


@pytest.mark.parametrize(("event", "body", "part"), [
    ("issue_comment", {"action": "created", "issue": "x"}, "issue is not an object"),
    ("issue_comment", {"action": "created", "issue": {"number": 1, "pull_request": {}}, "comment": ["x"]},
     "comment is not an object"),
    ("merge_group", {"action": "checks_requested", "merge_group": [{"head_sha": "a" * 40}]},
     "merge_group is not an object"),
    ("workflow_run", {"workflow_run": {"event": "pull_request_review", "pull_requests": {}}},
     "workflow_run.pull_requests is not a list"),
    ("workflow_run", {"workflow_run": {"event": "pull_request_review", "pull_requests": ["x"]}},
     "workflow_run.pull_requests.0 is not an object"),
    ("workflow_run", {"workflow_run": "x"}, "workflow_run is not an object"),
    ("pull_request", {"action": "opened", "pull_request": "x"}, "pull_request is not an object"),
    ("pull_request", {"action": "opened", "pull_request": {"number": 1, "head": "x"}}, "pull_request.head is not"),
    ("pull_request", {"action": "opened", "pull_request": {"number": 1, "head": {"sha": 1}}}, "head.sha is not"),
    ("pull_request", {"action": ["opened"], "pull_request": {"number": 1}}, "action is not a string"),
])
def test_a_payload_of_another_shape_is_ignored_with_the_part_named(event, body, part):
    found = read_event(event, body, "7")
    assert found.kind == "ignored" and part in found.reason and "\n" not in found.reason, found


@pytest.mark.parametrize("number", ["٣", "３", "³", "7\n", " 7", "", "12345678901"])
def test_the_pull_request_number_from_the_environment_is_ascii_digits(number):
    fork = {"event": "pull_request_review", "pull_requests": []}
    found = read_event("workflow_run", {"action": "completed", "workflow_run": fork}, number)
    assert found.kind == "ignored" and "names no pull request number" in found.reason
    assert number.strip() not in found.reason or not number.strip()  # the value itself is never echoed


def test_a_pull_request_event_carries_the_payloads_shas_for_an_early_error_status():
    pull = {"number": 3, "head": {"sha": "a" * 40}, "base": {"sha": "b" * 40}}
    found = read_event("pull_request_target", {"action": "synchronize", "pull_request": pull})
    assert (found.number, found.head_sha, found.base_sha) == (3, "a" * 40, "b" * 40)
