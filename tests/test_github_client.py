"""The GitHub adapter against the in-memory GitHub: calls counted, faults retried as GitHub documents."""

from __future__ import annotations

import pytest

from bot.github.client import Client, CommitStatus, GitHubError, RetryPolicy, is_rate_limited, retry_delay
from tests.github_double import GitHubDouble

REPO = "acme/platform"
HEAD, BASE = "a" * 40, "b" * 40


@pytest.fixture
def github():
    with GitHubDouble(REPO) as double:
        double.add_pull(7, head_sha=HEAD, base_sha=BASE, author="dev")
        yield double
    double.assert_clean()


def client(double: GitHubDouble, **kwargs) -> Client:
    return Client("token", double.url, sleep=double.sleeps.append, clock=lambda: 1_000_000.0, **kwargs)


def test_every_call_is_counted_and_lists_follow_pages(github):
    for i in range(230):
        github.add_comment(7, "someone", f"comment {i}")
    gh = client(github)
    comments = gh.issue_comments(REPO, 7)
    assert [c["body"] for c in comments][-1] == "comment 229"
    assert len(comments) == 230
    assert gh.calls == 3 == len(github.log)
    assert all(c.query.get("per_page") == "100" for c in github.log)


def test_a_502_is_retried_with_back_off(github):
    github.fail(502, path=r"/pulls/7$")
    gh = client(github)
    assert gh.pull(REPO, 7)["head"]["sha"] == HEAD
    assert gh.calls == 2
    assert github.sleeps == [1.0]


def test_a_secondary_rate_limit_waits_retry_after(github):
    github.fail(403, headers={"retry-after": "7"}, method="POST",
                body={"message": "You have exceeded a secondary rate limit"})
    gh = client(github)
    gh.create_status(REPO, HEAD, CommitStatus("success", "modelgate", "ok"))
    assert github.sleeps == [7.0]
    assert [s["state"] for s in github.statuses_for(HEAD)] == ["success"]


def test_an_exhausted_rate_limit_waits_until_reset(github):
    github.fail(429, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000010"})
    gh = client(github)
    gh.pull(REPO, 7)
    assert github.sleeps == [11.0]


def test_waiting_is_bounded_per_run(github):
    github.fail(503, path=r"/pulls/7$", times=None)
    gh = client(github)
    with pytest.raises(GitHubError) as caught:
        gh.pull(REPO, 7)
    assert caught.value.exhausted and caught.value.status == 503
    assert "gave up" in str(caught.value)
    assert sum(github.sleeps) <= 60
    assert github.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]  # the next 30 s would pass 60 s in total


def test_a_retry_after_beyond_the_budget_is_not_waited(github):
    github.fail(403, headers={"retry-after": "3600"}, body={"message": "secondary rate limit"})
    gh = client(github)
    with pytest.raises(GitHubError, match="secondary rate limit"):
        gh.pull(REPO, 7)
    assert github.sleeps == []
    assert gh.calls == 1


def test_a_plain_403_or_404_is_not_retried(github):
    gh = client(github)
    with pytest.raises(GitHubError) as caught:
        gh.delete_comment(REPO, 424242)
    assert caught.value.status == 404 and not caught.value.exhausted
    github.fail(403, body={"message": "Resource not accessible by integration"})
    with pytest.raises(GitHubError, match="not accessible"):
        gh.pull(REPO, 7)
    assert github.sleeps == []


def test_the_budget_is_shared_by_the_whole_run(github):
    github.fail(502, times=None)
    gh = client(github, policy=RetryPolicy(budget=5.0))
    with pytest.raises(GitHubError):
        gh.pull(REPO, 7)
    assert sum(github.sleeps) <= 5.0
    with pytest.raises(GitHubError):
        gh.reviews(REPO, 7)
    assert sum(github.sleeps) <= 5.0


def test_generic_endpoints_for_rollout(github):
    github.permissions["alice"] = "write"
    gh = client(github)
    comment = github.add_comment(7, "alice", "/rollout shadow")
    gh.add_reaction(REPO, comment["id"], "eyes")
    assert gh.collaborator_permission(REPO, "alice")["permission"] == "write"
    deployment = gh.create_deployment(REPO, ref=HEAD, environment="shadow", task="deploy:scorer",
                                      required_contexts=[], payload={"model": "scorer"})
    gh.create_deployment_status(REPO, deployment["id"], state="success")
    assert [d["id"] for d in gh.deployments(REPO, environment="shadow")] == [deployment["id"]]
    assert [s["state"] for s in github.deployment_statuses[deployment["id"]]] == ["success"]
    assert github.reactions[comment["id"]][0]["content"] == "eyes"


def test_a_request_outside_the_description_is_a_problem(github):
    gh = client(github)
    with pytest.raises(GitHubError):
        gh.request("GET", f"/repos/{REPO}/git/refs")
    assert github.problems and "git/refs" in github.problems[0]
    github.problems.clear()


@pytest.mark.parametrize(("status", "headers", "message", "expected"), [
    (403, {"retry-after": "1"}, "", True),
    (429, {}, "", True),
    (403, {"x-ratelimit-remaining": "0"}, "", True),
    (403, {}, "You have exceeded a secondary rate limit", True),
    (403, {}, "Resource not accessible by integration", False),
    (404, {"retry-after": "1"}, "", False),
])
def test_rate_limit_recognition(status, headers, message, expected):
    assert is_rate_limited(status, headers, message) is expected


def test_retry_delay_prefers_retry_after_then_reset_then_back_off():
    policy = RetryPolicy()
    assert retry_delay({"retry-after": "5", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "200"}, 0, 100,
                       policy) == 5
    assert retry_delay({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "200"}, 0, 100, policy) == 101
    assert [retry_delay({}, n, 0, policy) for n in range(7)] == [1, 2, 4, 8, 16, 30, 30]


def test_an_answer_that_is_not_the_documented_object_is_a_github_error(github):
    github.fail(200, body=["not", "a", "pull"], path=r"/pulls/7$")
    with pytest.raises(GitHubError, match="GitHub answered list, not a JSON object") as caught:
        client(github).pull(REPO, 7)
    assert caught.value.status is None
