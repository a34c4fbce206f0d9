"""``modelgate action`` against the in-memory GitHub and a real git repository (docs/github.md)."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from bot.commands.action import write_outputs
from bot.github.client import Client, RetryPolicy
from tests.action_world import (
    EVENTS,
    INPUTS,
    REPO,
    TODAY,
    action_env,
    busy_pull,
    pull_request_payload,
    read_outputs,
    run_action,
)
from tests.github_double import GitHubDouble
from tests.helpers import REPO_ROOT, chain_repo, commit, contract, dump, git, make_repo, model, run_cli, write_tree
from tests.http_recorder import recorder

MARKER = "<!-- modelgate:report -->"
EXAMPLE = REPO_ROOT / "examples" / "fraud-platform"
PR_MODELS = ("ato-scorer", "customer-alerts", "fraud-scorer", "merchant-risk-features", "txn-feature-pipeline")

BASE_FILES = {
    "contracts/score.yaml": contract("score", owners=["@alice"]),
    "models/scorer.yaml": model("scorer", provides=[("score", 1)], owners=["@acme/risk"]),
    "models/router.yaml": model("router", consumes=[("score", 1)], owners=["@carol"]),
    "README.md": "monorepo\n",
}
# A compatible change to the contract (MG301 for @alice) and a minor bump of the model (MG301 for @acme/risk).
HEAD_FILES = {
    "contracts/score.yaml": contract("score", [{"version": 1, "status": "active", "schema": {
        "type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "string"}}}}], owners=["@alice"]),
    "models/scorer.yaml": model("scorer", provides=[("score", 1)], owners=["@acme/risk"], version="1.1.0"),
}


class World:
    """A git repository with a PR (base and head commits), the GitHub double, and the Actions environment."""

    def __init__(self, tmp_path: Path, github: GitHubDouble, monkeypatch: pytest.MonkeyPatch,
                 config: dict | None = None) -> None:
        self.tmp, self.github, self.monkeypatch = tmp_path, github, monkeypatch
        self.repo = make_repo(tmp_path / "ws", {**BASE_FILES, **({".modelgate.yml": dump(config)} if config else {})})
        self.base = git(self.repo, "rev-parse", "HEAD").strip()
        self.head = commit(self.repo, HEAD_FILES, "change the score contract")
        self.pr = github.add_pull(7, head_sha=self.head, base_sha=self.base, author="dev")
        self.summary, self.output = tmp_path / "summary.md", tmp_path / "output.txt"
        for key, value in action_env(github.url, self.repo, tmp_path).items():
            monkeypatch.setenv(key, value)
        for key in INPUTS:
            monkeypatch.delenv(key, raising=False)
        self.client: Client | None = None

    def push(self, files: dict) -> str:
        self.head = commit(self.repo, files, "push")
        self.pr["head"]["sha"] = self.head
        return self.head

    def payload(self, name: str = "pull_request.synchronize.json") -> dict:
        return pull_request_payload(7, head=self.head, base=self.base, name=name)

    def run(self, event: str = "pull_request", payload: dict | None = None, policy: RetryPolicy | None = None) -> int:
        code, client = run_action(self.monkeypatch.setenv, event, payload if payload is not None else self.payload(),
                                  self.tmp / "event.json", sleep=self.github.sleeps.append, policy=policy)
        self.client = client or self.client
        return code

    @property
    def statuses(self) -> list[dict]:
        return self.github.statuses_for(self.head)

    def reports(self) -> list[dict]:
        return [c for c in self.github.comments_on(7) if MARKER in (c["body"] or "")]

    def outputs(self) -> dict[str, str]:
        return read_outputs(self.output)


@pytest.fixture
def world(tmp_path, github, monkeypatch):
    return World(tmp_path, github, monkeypatch)


def test_first_run_posts_one_comment_one_status_and_requests_reviews(world, github):
    assert world.run() == 0
    [report] = world.reports()
    assert report["user"]["login"] == "github-actions[bot]"
    assert report["body"].startswith(MARKER)
    [status] = world.statuses
    assert status["state"] == "pending" and status["context"] == "modelgate"
    assert status["description"] == "0 of 2 approvals · waiting on @alice, @acme/risk"
    assert status["target_url"] == f"https://github.com/{REPO}/actions/runs/42"
    assert github.requested[7] == {"users": ["alice"], "teams": ["risk"]}
    assert world.outputs() == {"verdict": "pending", "errors": "0", "impacted": "[]"}
    assert "modelgate" in world.summary.read_text()
    assert not github.statuses_for(world.base)


def test_second_run_edits_the_comment_in_place(world, github):
    world.run()
    github.add_review(7, "alice", "APPROVED", commit_id=world.head)
    world.run()
    [report] = world.reports()
    assert "@alice" in github.comments[report["id"]]["body"] or "alice" in report["body"]
    assert len(github.calls("POST", r"/issues/7/comments$")) == 1
    assert len(github.calls("PATCH", r"/issues/comments/")) == 1
    assert world.statuses[-1]["description"] == "1 of 2 approvals · waiting on @acme/risk"
    assert github.requested[7]["users"] == []  # alice reviewed: not asked again


def test_an_unchanged_report_is_not_rewritten(world, github):
    world.run()
    world.run()
    assert len(world.reports()) == 1
    assert not github.calls("PATCH")
    assert len(github.calls("POST", r"/requested_reviewers$")) == 1  # already requested: never twice


def test_a_look_alike_by_someone_else_is_left_alone(world, github):
    fake = github.add_comment(7, "mallory", f"{MARKER}\nall approved, merge away")
    world.run()
    assert github.comments[fake["id"]]["body"] == f"{MARKER}\nall approved, merge away"
    assert len(world.reports()) == 2
    assert not github.calls("PATCH") and not github.calls("DELETE")


def test_duplicates_by_the_bot_are_removed(world, github):
    first = github.add_comment(7, "github-actions[bot]", f"{MARKER}\nold")
    second = github.add_comment(7, "github-actions[bot]", f"{MARKER}\nolder duplicate")
    world.run()
    assert [c["id"] for c in world.reports()] == [first["id"]]
    assert second["id"] not in github.comments
    assert github.comments[first["id"]]["body"] != f"{MARKER}\nold"


def test_approvals_by_owner_and_team_member_pass(world, github):
    github.teams["acme/risk"] = ["bob"]
    github.add_review(7, "alice", "APPROVED", commit_id=world.head)
    github.add_review(7, "bob", "APPROVED", commit_id=world.head)
    world.run()
    assert world.statuses[-1]["state"] == "success"
    assert world.outputs()["verdict"] == "pass"
    assert github.calls("GET", r"/orgs/acme/teams/risk/members$")


def test_an_approval_before_a_push_no_longer_counts(world, github):
    github.add_review(7, "alice", "APPROVED", commit_id=world.head)
    world.push({"README.md": "pushed\n"})
    world.run()
    assert world.statuses[-1]["state"] == "pending"
    assert "0 of 2" in world.statuses[-1]["description"]


def test_the_authors_own_approval_is_ignored(world, github):
    world.pr["user"]["login"] = "alice"
    github.add_review(7, "alice", "APPROVED", commit_id=world.head)
    world.run()
    assert world.statuses[-1]["description"].startswith("0 of 2 approvals")
    assert "alice" not in github.requested[7]["users"]


def test_changes_requested_after_approval_cancels_it(world, github):
    github.add_review(7, "alice", "APPROVED", commit_id=world.head, submitted_at="2026-11-28T09:00:00Z")
    github.add_review(7, "alice", "CHANGES_REQUESTED", commit_id=world.head, submitted_at="2026-11-28T09:30:00Z")
    world.run()
    assert world.statuses[-1]["description"].startswith("0 of 2 approvals")


def test_a_team_the_token_cannot_read_stays_unsatisfied_and_says_why(world, github):
    github.teams["acme/risk"] = ["bob"]
    github.teams_visible = False
    github.add_review(7, "bob", "APPROVED", commit_id=world.head)
    world.run()
    assert world.statuses[-1]["state"] == "pending"
    [report] = world.reports()
    assert "team membership" in report["body"]
    assert "GitHub refused the review request" in report["body"]  # a team request with this token: 422
    assert github.requested[7]["users"] == ["alice"]  # users were asked apart from the refused team


def test_a_pr_without_manifest_changes_gets_success_and_no_new_comment(world, github):
    world.pr["base"]["sha"] = world.base = world.head
    world.push({"README.md": "only docs\n"})
    assert world.run() == 0
    assert world.reports() == []
    assert [(s["state"], s["description"]) for s in world.statuses] == [("success", "no model or contract changed")]
    assert not github.calls("POST", r"/requested_reviewers$")


def test_an_existing_report_is_updated_when_nothing_changes_any_more(world, github):
    old = github.add_comment(7, "github-actions[bot]", f"{MARKER}\nbreaking change!")
    world.pr["base"]["sha"] = world.base = world.head  # the head's changes landed on the base
    world.run()
    assert github.comments[old["id"]]["body"] != f"{MARKER}\nbreaking change!"
    assert len(world.reports()) == 1


def test_no_review_requests_while_draft(world, github):
    world.pr["draft"] = True
    world.run()
    assert not github.calls("POST", r"/requested_reviewers$")
    assert world.statuses[-1]["state"] == "pending"


def deploy(github: GitHubDouble, sha: str, model: str, environment: str, state: str | None = None, *,
           pr: int = 7, creator: str | None = None, **payload) -> dict:
    """A deployment as /rollout creates them (task deploy:MODEL, payload.pr), with a status when ``state``."""
    found = github.add_deployment(sha, environment=environment, task=f"deploy:{model}", creator=creator,
                                  payload={"model": model, "pr": pr, **payload})
    if state:
        github._create_deployment_status(did=str(found["id"]), body={"state": state})
    return found


def test_the_report_shows_the_current_stage_of_each_model(world, github):
    world.run()
    assert "**Current stage:** scorer → not deployed\n" in world.reports()[0]["body"]
    shadow = deploy(github, world.head, "scorer", "shadow", "success")
    deploy(github, world.head, "scorer", "canary", "failure", pr=8)  # another PR's
    deploy(github, world.head, "scorer", "production", "success", creator="mallory")  # not the bot's
    world.run()
    [report] = world.reports()
    assert "**Current stage:** scorer → shadow\n" in report["body"]
    listing = f"/repos/{REPO}/deployments"  # one listing per run, whatever the models
    assert [c.path for c in github.calls("GET", "/deployments")] == [
        listing, listing, f"{listing}/{shadow['id']}/statuses"]
    back = deploy(github, world.base, "scorer", "shadow", rollback=True)
    world.run()
    assert "scorer → shadow \\(rolled back\\)" in world.reports()[0]["body"]
    assert not github.calls("GET", rf"/deployments/{back['id']}/statuses")  # a rollback's label needs no state


def test_a_502_then_success(world, github):
    github.fail(502, method="GET", path=r"/pulls/7$")
    assert world.run() == 0
    assert github.sleeps == [1.0]
    assert world.statuses[-1]["state"] == "pending"


def test_a_secondary_rate_limit_waits_retry_after(world, github):
    github.fail(403, method="POST", path=r"/statuses/", headers={"retry-after": "12"},
                body={"message": "You have exceeded a secondary rate limit."})
    assert world.run() == 0
    assert github.sleeps == [12.0]
    assert world.statuses[-1]["state"] == "pending"


def test_a_422_on_the_review_request_is_reported_not_a_crash(world, github):
    github.unrequestable = {"alice"}
    assert world.run() == 0
    [report] = world.reports()
    assert "GitHub refused the review request for alice" in report["body"]
    assert github.requested[7]["teams"] == ["risk"]


def test_a_comment_deleted_meanwhile_is_posted_anew(world, github):
    old = github.add_comment(7, "github-actions[bot]", f"{MARKER}\nstale")
    for method in ("PATCH", "GET"):  # gone: its edit and a look at it both answer 404
        github.fail(404, method=method, path=rf"/issues/comments/{old['id']}$",
                    body={"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
    assert world.run() == 0
    assert len(github.calls("POST", r"/issues/7/comments$")) == 1


def test_a_persistent_failure_sets_error_with_the_reason_and_exits_1(world, github, capsys):
    github.fail(503, method="GET", path=r"/pulls/7/reviews$", times=None)
    assert world.run(policy=RetryPolicy(budget=10)) == 1
    state = world.statuses[-1]
    assert state["state"] == "error"
    assert "503" in state["description"] and len(state["description"]) <= 140
    assert sum(github.sleeps) <= 10
    assert "::error title=modelgate::" in capsys.readouterr().out


def test_ignored_events_say_so_in_one_line(world, github, capsys):
    assert world.run("pull_request", world.payload("pull_request.labeled.json")) == 0
    assert world.run("push", {"ref": "refs/heads/main"}) == 0
    assert world.run("issue_comment", json.loads((EVENTS / "issue_comment.created.json").read_text())) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("modelgate: ignored ") for line in lines)
    assert github.log == []


def test_a_deployment_event_is_ignored_without_a_call(world, github, capsys):
    """docs/workflows/deploy.yml runs the action on ``deployment`` only to install modelgate for its gate step: the
    run itself says it ignored the event and touches nothing."""
    payload = {"deployment": {"id": 1, "task": "deploy:fraud-scorer", "environment": "canary", "sha": "a" * 40,
                              "payload": {"model": "fraud-scorer", "pr": 7}}}
    assert world.run("deployment", payload) == 0
    assert capsys.readouterr().out.splitlines() == [
        "modelgate: ignored deployment: not an event modelgate acts on"]
    assert github.log == []


@pytest.mark.parametrize(("event", "fixture"), [
    ("pull_request_target", "pull_request.opened.json"),
    ("pull_request", "pull_request.reopened.json"),
    ("pull_request_review", "pull_request_review.submitted.json"),
    ("issue_comment", "issue_comment.created.on_pull_request.json"),
])
def test_real_payloads_evaluate_the_pull_request(world, github, event, fixture):
    assert world.run(event, world.payload(fixture)) == 0
    assert world.statuses[-1]["state"] == "pending"
    assert len(world.reports()) == 1


def test_merge_group_sets_the_status_on_its_head(world, github):
    payload = {"action": "checks_requested", "merge_group": {
        "head_sha": world.head, "base_sha": world.base, "head_ref": "refs/heads/gh-readonly-queue/main/pr-7"}}
    assert world.run("merge_group", payload) == 0
    [status] = world.statuses
    assert status["state"] == "success"  # no errors; approvals were settled on the PR
    assert world.reports() == []


def test_status_context_and_bot_login_inputs(world, github, monkeypatch):
    monkeypatch.setenv("MODELGATE_STATUS_CONTEXT", "models/gate")
    monkeypatch.setenv("MODELGATE_BOT_LOGIN", "modelgate-app[bot]")
    github.bot_login = "modelgate-app[bot]"
    old = github.add_comment(7, "github-actions[bot]", f"{MARKER}\nfrom another bot")
    world.run()
    assert world.statuses[-1]["context"] == "models/gate"
    assert github.comments[old["id"]]["body"] == f"{MARKER}\nfrom another bot"
    assert [c["user"]["login"] for c in world.reports()] == ["github-actions[bot]", "modelgate-app[bot]"]


def _example_world(world: World, extra: dict[str, str]) -> None:
    shutil.rmtree(world.repo)
    world.repo = make_repo(world.tmp / "example", {})
    for side in ("base", "head"):
        for path in (EXAMPLE / side).rglob("*"):
            if path.is_file():
                target = world.repo / path.relative_to(EXAMPLE / side)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
        for stale in git(world.repo, "ls-files").split():
            if not (EXAMPLE / side / stale).exists() and stale not in extra:
                (world.repo / stale).unlink()
        write_tree(world.repo, extra)
        git(world.repo, "add", "-A")
        git(world.repo, "commit", "-q", "-m", side)
        sha = git(world.repo, "rev-parse", "HEAD").strip()
        world.base, world.head = (sha, sha) if side == "base" else (world.base, sha)
    world.pr["base"]["sha"], world.pr["head"]["sha"] = world.base, world.head
    world.monkeypatch.setenv("GITHUB_WORKSPACE", str(world.repo))


@pytest.mark.skipif(not EXAMPLE.is_dir(), reason="examples/fraud-platform is absent")
@pytest.mark.parametrize(("extra_models", "teams_visible", "deployed"),
                         [(0, False, False), (0, True, False), (110, True, False), (110, True, True)])
def test_api_budget_on_the_example_platform(world, github, extra_models, teams_visible, deployed):
    extra = chain_repo(extra_models, prefix="extra") if extra_models else {}
    extra = {path.replace("contracts/c", "contracts/extra-c"): text.replace("name: c", "name: extra-c")
             .replace("contract: c", "contract: extra-c") for path, text in extra.items()}
    _example_world(world, extra)
    busy_pull(github, 7, world.head, comments=98, reviews=20)
    github.add_review(7, "priya-raman", "APPROVED", commit_id=world.head)
    if teams_visible:  # a GitHub App token: every owning team is looked up
        for team in ("feature-platform", "risk-ml", "identity-ml", "cardholder-comms", "disputes-ml", "fraud-ops",
                     "merchant-risk", "payments", "ml-platform"):
            github.teams[f"acme/{team}"] = ["priya-raman"]
    if deployed:  # a busy repository: other PRs' deployments, then every model of this PR in some stage
        for i in range(250):
            deploy(github, f"{i:040x}", f"extra{i % 110}", "shadow", pr=100 + i)
        for i, name in enumerate(PR_MODELS):
            deploy(github, world.head, name, "shadow", "success")
            deploy(github, world.head, name, "canary", "success" if i % 2 else None, percent=10)
        deploy(github, world.base, PR_MODELS[0], "canary", rollback=True)
    assert world.run() == 0
    assert world.outputs()["verdict"] == "fail"
    assert world.statuses[-1]["state"] == "failure"
    [report] = world.reports()
    if deployed:
        assert "**Current stage:** ato-scorer → canary \\(rolled back\\) · customer-alerts → canary 10% · " \
               "fraud-scorer → canary 10% \\(pending\\) · " in report["body"]
        assert "from the repository's 100 newest deployments" in report["body"]
        assert len(github.calls("GET", r"/deployments/\d+/statuses$")) == len(PR_MODELS) - 1
    assert world.client is not None
    print(f"API calls with {extra_models} extra models, teams visible {teams_visible}, deployments {deployed}: "
          f"{world.client.calls}")
    assert world.client.calls == len(github.log) <= 30


def test_the_real_cli_end_to_end(world, github):
    path = world.tmp / "event.json"
    path.write_text(json.dumps(world.payload()))
    done = run_cli("action", "--today", TODAY, cwd=world.tmp,
                   env={"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(path)})
    assert done.returncode == 0, done.stderr
    assert "modelgate: pending" in done.stdout
    assert world.statuses[-1]["state"] == "pending"


def test_outputs_survive_any_value(tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    write_outputs({"rollout-model": "a\nEOF\nb", "verdict": "pass"})
    text = out.read_text().splitlines()
    key, delimiter = text[0].split("<<")
    assert key == "rollout-model" and text[1:4] == ["a", "EOF", "b"] and text[4] == delimiter
    assert delimiter.startswith("ghadelimiter_") and len(delimiter) > 20


def test_workflow_run_follow_up_re_evaluates_the_fork_pr(world, github, monkeypatch):
    github.add_review(7, "alice", "APPROVED", commit_id=world.head)
    monkeypatch.setenv("MODELGATE_PULL_REQUEST", "7")
    run = {"action": "completed", "workflow_run": {"event": "pull_request_review", "pull_requests": []}}
    assert world.run("workflow_run", run) == 0
    assert world.statuses[-1]["description"] == "1 of 2 approvals · waiting on @acme/risk"


def test_the_configured_status_context_carries_every_status_even_the_error(tmp_path, github, monkeypatch):
    """docs/github.md, inputs: the context from the (base) configuration; the error status of a failed run goes there
    too."""
    world = World(tmp_path, github, monkeypatch, config={"status_context": "models/gate"})
    assert world.run() == 0
    assert [s["context"] for s in world.statuses] == ["models/gate"]
    github.fail(503, method="POST", path=r"/issues/comments/\d+$|/issues/7/comments$", times=None)
    github.add_comment(7, "github-actions[bot]", f"{MARKER}\nstale")  # a second report: the run edits/deletes
    github.fail(503, method="DELETE", path=r"/issues/comments/", times=None)
    assert world.run(policy=RetryPolicy(budget=5)) == 1
    assert (world.statuses[-1]["state"], world.statuses[-1]["context"]) == ("error", "models/gate")
    github.faults.clear()
    github.fail(503, method="GET", path=r"/pulls/7/reviews$", times=None)  # before the PR is fully read
    assert world.run(policy=RetryPolicy(budget=5)) == 1
    assert (world.statuses[-1]["state"], world.statuses[-1]["context"]) == ("error", "models/gate")


def test_the_status_goes_on_the_head_never_on_github_sha(world, github, monkeypatch):
    merge = commit(world.repo, {"README.md": "test merge\n"}, "the test-merge commit")
    git(world.repo, "checkout", "-q", "HEAD~1")
    monkeypatch.setenv("GITHUB_SHA", merge)
    assert world.run() == 0
    assert [s["sha"] for s in github.statuses] == [world.head]


def test_merge_group_errors_fail_on_its_head(world, github):
    breaking = {"type": "object", "properties": {"x": {"type": "string"}}}
    world.push({"contracts/score.yaml": contract("score", [{"version": 1, "status": "active", "schema": breaking}],
                                                 owners=["@alice"])})
    payload = {"action": "checks_requested", "merge_group": {
        "head_sha": world.head, "base_sha": world.base, "head_ref": "refs/heads/gh-readonly-queue/main/pr-7"}}
    assert world.run("merge_group", payload) == 0
    [status] = world.statuses
    assert status["state"] == "failure" and "MG101" in status["description"]
    assert world.outputs()["verdict"] == "fail"


def test_a_team_that_cannot_be_requested_is_asked_in_the_comment(world, github):
    """docs/github.md, "Team owners need a GitHub App token": without a token that can request team reviews, the team's
    owners are asked in the comment (the one place a mention is not neutralised: it stands for the review request GitHub
    refused)."""
    github.teams_visible = False
    world.run()
    [report] = world.reports()
    assert "@acme/risk" in report["body"]  # a real mention: no zero-width space after the @
    assert "@alice" not in report["body"]  # alice's review was requested: she is not mentioned
    world.run()
    assert report["body"].count("@acme/risk") == 1


def test_a_requested_team_is_not_mentioned(world, github):
    world.run()
    assert github.requested[7]["teams"] == ["risk"]
    assert "@acme/risk" not in world.reports()[0]["body"]


# --- Trust and bounds (issue 19, items 1-3): each test is an attack that passed before ------------------------


def _main_moves_on(world: World, files: dict) -> str:
    """The target branch moves on after the PR branched: a commit on top of the PR's base that the PR lacks, now
    main's tip on GitHub; ``pull.base.sha`` stays the old commit, as GitHub leaves it until the head is pushed."""
    git(world.repo, "checkout", "-q", world.base)
    tip = commit(world.repo, files, "main moves on")
    git(world.repo, "checkout", "-q", world.head)
    world.github.branches["main"] = tip
    return tip


def _command(world: World, user: str, body: str) -> dict:
    """``user`` comments ``body`` on the PR and its issue_comment event runs (the real payload); the comment."""
    comment = world.github.add_comment(7, user, body)
    payload = json.loads((EVENTS / "issue_comment.created.on_pull_request.json").read_text())
    payload["issue"]["number"] = 7
    payload["comment"] = json.loads(json.dumps(comment).replace("https://api.github.com", world.github.url))
    assert world.run("issue_comment", payload) == 0
    return comment


def _reactions(github: GitHubDouble, comment: dict) -> list[str]:
    return [r["content"] for r in github.reactions.get(comment["id"], [])]


def _new_model(name: str, owners: list[str], stages: list[str] | None = None) -> str:
    spec: dict = {"version": "1.0.0", **({"rollout": {"stages": stages}} if stages else {})}
    return dump({"apiVersion": "modelgate/v1", "kind": "Model", "metadata": {"name": name, "owners": owners},
                 "spec": spec})


def test_a_pr_from_an_old_commit_is_judged_by_the_policy_of_the_branch_tip(tmp_path, github, monkeypatch):
    """Attack: an old commit had `rules: {MG301: off}`; main turned it on again; a PR branched from the old
    commit passed with no review. The policy is the target branch's tip (the trust root), not the merge base."""
    world = World(tmp_path, github, monkeypatch, config={"rules": {"MG301": "off"}})
    tip = _main_moves_on(world, {".modelgate.yml": dump({"rules": {}})})
    assert world.pr["base"]["sha"] == world.base != tip  # what GitHub's pull request still says
    assert world.run() == 0
    assert world.statuses[-1]["state"] == "pending"
    assert world.statuses[-1]["description"] == "0 of 2 approvals · waiting on @alice, @acme/risk"
    assert github.calls("GET", r"/git/ref/heads%2Fmain$")
    assert ".modelgate.yml" not in world.reports()[0]["body"]  # main's change is not the PR's: the merge base says


def test_an_admin_removed_on_the_branch_tip_cannot_override(tmp_path, github, monkeypatch):
    """Attack: a user later removed from `admins` could still `/rollout override` on a PR based on an old commit:
    the override's authorization reads the configuration of the trust root too."""
    world = World(tmp_path, github, monkeypatch, config={"admins": ["@eve"]})
    _main_moves_on(world, {".modelgate.yml": dump({"admins": ["@adam"]})})
    github.permissions.update({"eve": "write", "adam": "admin"})
    by_eve = _command(world, "eve", "/rollout override MG101 --reason 'trust me'")
    assert _reactions(github, by_eve) == ["eyes", "confused"]
    [reply] = [c for c in github.comments_on(7) if "modelgate:rollout" in c["body"]]
    assert "is for admins \\(@&#8203;adam\\); @&#8203;eve is not one" in reply["body"]
    by_adam = _command(world, "adam", "/rollout override MG101 --reason 'checked'")
    assert _reactions(github, by_adam) == ["eyes", "rocket"]


def test_a_new_model_does_not_choose_its_owners_or_its_stages(tmp_path, github, monkeypatch):
    """Attack: a collaborator who owns nothing added models/fresh.yaml naming himself owner with
    `rollout.stages: [prod-eu]`, then `/rollout prod-eu fresh` deployed to production with no approval."""
    world = World(tmp_path, github, monkeypatch, config={"admins": ["@adam"]})
    github.permissions.update({"mallory": "write", "adam": "admin"})
    world.push({"models/fresh.yaml": _new_model("fresh", ["@mallory"], ["prod-eu"])})
    command = _command(world, "mallory", "/rollout prod-eu fresh")
    assert _reactions(github, command) == ["eyes", "confused"]
    assert github.deployments == []
    report = world.reports()[0]["body"]
    assert "models/fresh.yaml is new: the admins of the target branch approve" in report
    assert world.statuses[-1]["description"] == "0 of 3 approvals · waiting on @alice, @adam, @acme/risk"
    assert "mallory" not in github.requested[7]["users"]
    shadow = _command(world, "mallory", "/rollout shadow fresh")  # the configured stages apply, owned by the admins
    assert _reactions(github, shadow) == ["eyes", "confused"] and github.deployments == []


def test_a_new_model_owned_by_an_outsider_is_approved_by_codeowners(world, github):
    """Attack: a fork author's new model owned by an account with no repository permission passed on that
    account's approval. The trust root's CODEOWNERS for its path approve it (else the admins)."""
    _main_moves_on(world, {"CODEOWNERS": "/models/ @acme/ml-platform\n"})
    world.push({"models/fresh.yaml": _new_model("fresh", ["@outsider"])})
    github.teams.update({"acme/risk": ["bob"], "acme/ml-platform": ["pat"]})
    github.permissions["outsider"] = "none"
    for user in ("alice", "bob", "outsider"):
        github.add_review(7, user, "APPROVED", commit_id=world.head)
    assert world.run() == 0
    assert world.statuses[-1]["state"] == "pending"
    assert world.statuses[-1]["description"] == "2 of 3 approvals · waiting on @acme/ml-platform"
    github.add_review(7, "pat", "APPROVED", commit_id=world.head)
    assert world.run() == 0
    assert world.statuses[-1]["state"] == "success"


def test_a_new_model_cannot_ping_the_owners_it_names(world, github):
    """Attack: a new model listing 42 teams and two executives produced 43 live team mentions and review requests
    to the users it chose. Its declared owners are shown without @ until it lands; nobody it names is asked."""
    github.teams_visible = False  # the workflow token: team review requests fail and are asked in the comment
    owners = [f"@acme/team-{i}" for i in range(42)] + ["@ceo", "@cfo"]
    world.push({"models/fresh.yaml": _new_model("fresh", owners)})
    assert world.run() == 0
    body = world.reports()[0]["body"]
    assert "@acme/team-" not in body and "@ceo" not in body and "@cfo" not in body
    assert "acme/team-41, ceo, cfo" in body.replace("\\", "")  # named, without @
    requested = github.requested[7]
    assert not {"ceo", "cfo"} & set(requested["users"]) and not [t for t in requested["teams"] if "team-" in t]
    assert not [c for c in github.calls("POST", r"/requested_reviewers$")
                if {"ceo", "cfo"} & set(c.body["reviewers"]) or any("team-" in t for t in c.body["team_reviewers"])]


def test_an_approval_counts_only_from_write_permission(world, github):
    """Attack: an owner with read permission (or none) approved, and it counted; GitHub's required reviews would
    not count it. One permission lookup per distinct approver."""
    github.permissions["alice"] = "read"
    github.add_review(7, "alice", "APPROVED", commit_id=world.head)
    github.add_review(7, "alice", "APPROVED", commit_id=world.head)
    github.add_review(7, "carol", "COMMENTED", commit_id=world.head)
    assert world.run() == 0
    assert world.statuses[-1]["description"] == "0 of 2 approvals · waiting on @alice, @acme/risk"
    assert "without write permission" in world.reports()[0]["body"]
    assert [c.path for c in github.calls("GET", r"/permission$")] == [
        f"/repos/{REPO}/collaborators/alice/permission"]
    github.permissions["alice"] = "maintain"
    assert world.run() == 0
    assert world.statuses[-1]["description"] == "1 of 2 approvals · waiting on @acme/risk"


def test_permission_lookups_are_bounded_whatever_the_number_of_approvers(world, github):
    """The API budget (docs/github.md) with 20 approving reviewers: one permission lookup per distinct approver, at most
    6 per run; the approvers beyond are not counted, and the report says so."""
    busy_pull(github, 7, world.head, comments=100, reviews=0)
    github.teams["acme/risk"] = [f"member{i:02}" for i in range(20)]
    for i in range(20):  # the first six (in login order) may only read: the others are not looked up
        github.permissions[f"member{i:02}"] = "read" if i < 6 else "write"
        github.add_review(7, f"member{i:02}", "APPROVED", commit_id=world.head)
    github.add_review(7, "carol", "APPROVED", commit_id=world.head)  # owns nothing here: never looked up
    assert world.run() == 0
    assert len(github.calls("GET", r"/collaborators/[^/]+/permission$")) == 6
    assert not github.calls("GET", r"/collaborators/carol/permission$")
    assert world.statuses[-1]["description"] == "0 of 2 approvals · waiting on @alice, @acme/risk"
    assert "14 approver\\(s\\) not looked up" in world.reports()[0]["body"]
    assert world.client is not None and world.client.calls <= 30


@pytest.mark.parametrize("server", ["recorder", "https://github.com", None])
def test_the_fetch_of_a_missing_head_carries_the_runs_token_to_the_runs_server_only(
        world, github, capsys, server):
    """GITHUB_TOKEN and GITHUB_SERVER_URL reach the fetch through the run's settings: the token goes to origin
    when origin is on the run's server (``recorder``), and not when it is elsewhere (GITHUB_SERVER_URL is
    github.com, given or by default); the run fails with an error status that does not hold the token."""
    missing = "ab" * 20
    world.pr["head"]["sha"] = world.head = missing
    with recorder() as (port, seen):
        url = f"http://127.0.0.1:{port}"
        git(world.repo, "remote", "add", "origin", f"{url}/{REPO}.git")
        if server is None:
            world.monkeypatch.delenv("GITHUB_SERVER_URL")
        else:
            world.monkeypatch.setenv("GITHUB_SERVER_URL", url if server == "recorder" else server)
        assert world.run() == 1
    header = "basic " + base64.b64encode(b"x-access-token:t0ken").decode()
    assert seen and {request.authorization for request in seen} == {header if server == "recorder" else None}
    status = world.statuses[-1]
    assert status["state"] == "error" and "cannot fetch " in status["description"]
    printed = capsys.readouterr()
    for text in (status["description"], printed.out, printed.err):
        assert "t0ken" not in text and header.removeprefix("basic ") not in text
