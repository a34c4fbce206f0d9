"""/rollout commands end to end: ``modelgate action`` on issue_comment events, the GitHub double, a real git repo."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from bot.commands.action import execute
from bot.github.client import Client
from bot.rollout.derive import Reply, reply_marker
from tests.action_world import EVENTS, INPUTS, TODAY, action_env, read_outputs
from tests.github_double import GitHubDouble
from tests.helpers import commit, contract, dump, git, make_repo, model

BOT = "github-actions[bot]"
# The reply to `/rollout help` in test_help_reply_is_the_golden_one as modelgate wrote it before the verb table
# (issue #18), after its marker line; {sha} stands for the head.
HELP_REPLY = Path(__file__).parent / "fixtures" / "rollout-help.md"
T = "2026-11-28T10:{:02d}:00Z"


def scorer(version: str) -> str:
    data = {"apiVersion": "modelgate/v1", "kind": "Model",
            "metadata": {"name": "scorer", "owners": ["@acme/risk"]},
            "spec": {"version": version, "provides": [{"contract": "score", "version": 1}],
                     "rollout": {"gates": {"canary": {"precision": {"min": 0.9}}}}}}
    return dump(data)


BASE_FILES = {
    ".modelgate.yml": dump({"admins": ["@acme/admins"]}),
    "contracts/score.yaml": contract("score", owners=["@alice"]),
    "models/scorer.yaml": scorer("1.0.0"),
    "models/router.yaml": model("router", consumes=[("score", 1)], owners=["@carol"]),
    "models/other.yaml": model("other", owners=["@olga"]),
}


class World:
    """A PR whose head bumps scorer's major version: MG301 for @acme/risk, MG302 (router) for @carol."""

    def __init__(self, tmp_path: Path, github: GitHubDouble, monkeypatch: pytest.MonkeyPatch,
                 config: dict | None = None) -> None:
        self.tmp, self.github, self.monkeypatch = tmp_path, github, monkeypatch
        base = {**BASE_FILES, **({".modelgate.yml": dump(config)} if config else {})}
        self.repo = make_repo(tmp_path / "ws", base)
        self.base = git(self.repo, "rev-parse", "HEAD").strip()
        self.head = commit(self.repo, {"models/scorer.yaml": scorer("2.0.0")}, "scorer v2")
        self.pr = github.add_pull(7, head_sha=self.head, base_sha=self.base, author="dev")
        github.teams.update({"acme/risk": ["rita"], "acme/admins": ["adam"]})
        github.permissions.update({"rita": "write", "reader": "read", "carol": "write", "adam": "admin",
                                   "bob": "write"})
        env = action_env(github.url, self.repo, tmp_path)
        del env["GITHUB_STEP_SUMMARY"]  # a comment's run here writes no job summary
        self.output = Path(env["GITHUB_OUTPUT"])
        for key, value in {**env, "GITHUB_EVENT_NAME": "issue_comment"}.items():
            monkeypatch.setenv(key, value)
        for key in (*INPUTS, "GITHUB_STEP_SUMMARY"):
            monkeypatch.delenv(key, raising=False)
        self.minute = 0
        self.calls = 0

    def say(self, user: str, body: str, *, deliver: bool = True) -> dict:
        """Post a comment and deliver its issue_comment event; returns the comment."""
        self.minute += 1
        comment = self.github.add_comment(7, user, body, created_at=T.format(self.minute))
        if deliver:
            self.deliver(comment)
        return comment

    def stage(self, comment: dict, action: str = "created") -> None:
        """Write the issue_comment event of ``comment`` and point the environment at it (the outputs emptied)."""
        payload = json.loads((EVENTS / "issue_comment.created.on_pull_request.json").read_text())
        payload["action"] = action
        payload["issue"]["number"] = 7
        payload["comment"] = json.loads(json.dumps(comment).replace("https://api.github.com", self.github.url))
        path = self.tmp / "event.json"
        path.write_text(json.dumps(payload))
        self.monkeypatch.setenv("GITHUB_EVENT_PATH", str(path))
        self.output.write_text("")

    def deliver(self, comment: dict, action: str = "created") -> None:
        """Stage the event of ``comment`` and run ``modelgate action`` on it (exit 0)."""
        self.stage(comment, action)

        def make(token, url):
            client = Client(token, url, sleep=self.github.sleeps.append)
            self.client = client
            return client

        assert execute(argparse.Namespace(today=TODAY), make) == 0
        self.calls = self.client.calls

    def push(self, files: dict, message: str = "a push") -> str:
        """Commit ``files`` and make the commit the PR's head, received by GitHub a minute after the last comment."""
        self.minute += 1
        self.head = self.pr["head"]["sha"] = commit(self.repo, files, message)
        self.github.push(self.head, T.format(self.minute))
        return self.head

    def reply_to(self, comment: dict) -> dict:
        [found] = [c for c in self.github.comments_on(7)
                   if c["user"]["login"] == BOT and f'"comment": {comment["id"]},' in _unescape(c["body"])]
        return found

    def reactions(self, comment: dict) -> list[str]:
        return [r["content"] for r in self.github.reactions.get(comment["id"], [])]

    def deployments(self, **match) -> list[dict]:
        return [d for d in self.github.deployments if all(d[k] == v for k, v in match.items())]

    def succeed(self, deployment: dict, state: str = "success") -> None:
        self.github._create_deployment_status(did=str(deployment["id"]), body={"state": state})

    def report(self) -> str:
        [found] = [c["body"] for c in self.github.comments_on(7) if "<!-- modelgate:report -->" in c["body"]]
        return found

    def outputs(self) -> dict[str, str]:
        return read_outputs(self.output)


def _unescape(body: str) -> str:
    return body.replace("\\u002d", "-")


@pytest.fixture
def world(tmp_path, github, monkeypatch):
    return World(tmp_path, github, monkeypatch)


def refused(world: World, comment: dict) -> str:
    assert world.reactions(comment) == ["eyes", "confused"]
    return world.reply_to(comment)["body"]


def test_full_lifecycle_shadow_canary_production(world, github):
    shadow = world.say("rita", "/rollout shadow")
    assert world.reactions(shadow) == ["eyes", "rocket"]
    [dep] = world.deployments(environment="shadow")
    assert (dep["ref"], dep["task"], dep["required_contexts_sent"]) == (world.head, "deploy:scorer", [])
    assert dep["payload"] == {"version": "2.0.0", "contracts": ["score@1"], "pr": 7, "actor": "rita",
                              "base": world.base, "model": "scorer", "percent": None, "rollback": False}
    assert world.outputs()["rollout-model"] == "scorer"
    assert world.outputs()["deployment-id"] == str(dep["id"])
    assert world.outputs()["rollout-sha"] == world.head
    assert f"`{world.head[:7]}`" in world.reply_to(shadow)["body"]

    early = world.say("rita", "/rollout canary --percent 10")
    assert "only after a successful shadow deployment" in refused(world, early)
    world.succeed(dep)
    unapproved = world.say("rita", "/rollout canary --percent 10")
    assert "canary needs every approval first" in refused(world, unapproved)

    github.add_review(7, "rita", "APPROVED", commit_id=world.head)
    ack = world.say("carol", "/rollout ack router --note 'reads score only'")
    assert world.reactions(ack) == ["eyes", "rocket"]
    canary = world.say("rita", "/rollout canary --percent 10")
    assert world.reactions(canary) == ["eyes", "rocket"]
    [dep] = world.deployments(environment="canary")
    assert dep["payload"]["percent"] == 10
    world.succeed(dep)
    promote = world.say("rita", "/rollout promote")
    assert world.reactions(promote) == ["eyes", "rocket"]
    [dep] = world.deployments(environment="production")
    assert dep["payload"]["percent"] == 100 and dep["ref"] == world.head
    assert world.outputs()["rollout-stage"] == "production"
    report = world.report()
    assert "rollout promote" in report and "rollout ack router" in report  # the audit log of the report
    assert world.calls <= 40


def test_stage_out_of_order_is_refused(world):
    comment = world.say("rita", "/rollout production")
    assert "only after a successful canary deployment" in refused(world, comment)
    assert world.github.deployments == []


def test_non_owner_refused(world):
    comment = world.say("bob", "/rollout shadow")
    body = refused(world, comment)
    assert "is not an owner of scorer nor an admin" in body
    assert world.github.deployments == []


def test_read_only_user_refused(world):
    world.github.teams["acme/risk"].append("reader")
    comment = world.say("reader", "/rollout shadow")
    assert "has read permission on this repository" in refused(world, comment)


def test_model_outside_the_pr_refused(world):
    comment = world.say("rita", "/rollout shadow other")
    assert "other is not among this PR's models" in refused(world, comment)


def test_override_by_non_admin_refused_and_by_admin_honoured(tmp_path, github, monkeypatch):
    world = World(tmp_path, github, monkeypatch, config={"admins": ["@acme/admins"], "rules": {"MG205": "error"}})
    blocked = world.say("rita", "/rollout shadow")
    assert "the check fails" in refused(world, blocked)
    by_rita = world.say("rita", "/rollout override MG205 --reason 'consumers are ready'")
    assert "override\\` is for admins" in refused(world, by_rita)
    by_adam = world.say("adam", "/rollout override MG205 --reason 'consumers are ready'")
    assert world.reactions(by_adam) == ["eyes", "rocket"]
    report = world.report()
    assert "waived by adam" in report and "consumers are ready" in report
    shadow = world.say("rita", "/rollout shadow")
    assert world.reactions(shadow) == ["eyes", "rocket"]


def test_approval_rules_cannot_be_overridden(world):
    comment = world.say("adam", "/rollout override MG302 --reason x")
    assert "cannot be waived" in refused(world, comment)


def test_ack_satisfies_mg302(world):
    before = world.say("olga", "/rollout ack router")
    assert "not an owner of router" in refused(world, before)
    ack = world.say("carol", "/rollout ack router")
    assert world.reactions(ack) == ["eyes", "rocket"]
    report = world.report()  # of the same run: the ack is in its audit log and counts for MG302 already
    assert "MG302" in report and "rollout ack router" in report
    status = world.github.statuses_for(world.head)[-1]
    assert "router" not in status["description"]
    assert world.outputs()["verdict"] == "pending"  # scorer's owners (MG301) have not approved


def test_a_command_run_reads_the_pr_once_and_reports_the_stage_it_deployed(world, github):
    world.say("someone", "/rollout help")  # the report exists from here on: this run edits it
    world.say("rita", "/rollout shadow")
    calls = github.log[-world.calls:]
    for path in (r"/pulls/7$", r"/pulls/7/reviews$", r"/issues/7/comments$", r"/orgs/acme/teams/risk/members$"):
        assert len([c for c in calls if c.method == "GET" and re.search(path, c.path)]) == 1, path
    assert "**Current stage:** scorer → shadow \\(pending\\)" in world.report()
    world.succeed(github.deployments[-1])
    world.say("someone", "/rollout plan")
    assert "**Current stage:** scorer → shadow\n" in world.report()
    assert world.calls == 11  # read 4 (with the branch tip), 👀, 🚀, reply, listing, shadow's status, report, status


def test_a_push_after_the_command_refuses_it(world):
    world.github.push(world.head, "2026-11-28T11:00:00Z")  # GitHub received the head after the comment (10:01)
    comment = world.say("rita", "/rollout shadow")
    assert "a push raced it" in refused(world, comment)
    assert world.github.deployments == []


def test_a_backdated_commit_pushed_after_the_command_is_refused(world, github):
    """Issue 19, item 4: a commit's dates are the pusher's. An owner's `/rollout shadow` is written on the head
    they looked at; a commit dated an hour earlier is pushed before the command runs. GitHub's own time of the
    push (its check suites' created_at) shows the race; the committer date did not."""
    comment = world.say("rita", "/rollout shadow", deliver=False)  # 10:01, on the head rita saw
    backdated = commit(world.repo, {"models/scorer.yaml": scorer("2.0.0").replace("0.9", "0.1")}, "loosen")
    world.head = world.pr["head"]["sha"] = backdated
    github.commit_dates[backdated] = "2026-11-28T09:00:00Z"
    github.push(backdated, T.format(30))
    world.deliver(comment)
    assert "a push raced it" in refused(world, comment)
    assert github.deployments == []


def test_a_head_github_cannot_date_is_not_deployed(world, github):
    """No check suite on the PR's branch for the head (only one from a push of the same commit to another
    branch, made before the command): nothing shows it was the head when the command was written."""
    github.push(world.head, T.format(0), branches=["elsewhere"])
    comment = world.say("rita", "/rollout shadow")
    assert "GitHub cannot say when it received the head" in refused(world, comment)
    assert github.deployments == []


def test_rollback_deploys_the_base(world):
    world.say("rita", "/rollout shadow")
    comment = world.say("rita", "/rollout rollback --reason 'bad latency'")
    assert world.reactions(comment) == ["eyes", "rocket"]
    back = world.github.deployments[-1]
    assert (back["ref"], back["environment"]) == (world.base, "shadow")
    assert back["payload"]["rollback"] is True and back["payload"]["reason"] == "bad latency"
    again = world.say("rita", "/rollout rollback --reason 'bad latency'")
    assert world.reactions(again) == ["eyes", "rocket"]
    assert len(world.github.deployments) == 2  # already rolled back: the same deployment


def test_nothing_to_roll_back(world):
    comment = world.say("rita", "/rollout rollback")
    assert "has no deployment to roll back" in refused(world, comment)


def test_same_event_twice_changes_nothing(world):
    comment = world.say("rita", "/rollout shadow")
    deployments, comments = len(world.github.deployments), len(world.github.comments)
    reactions = list(world.reactions(comment))
    world.deliver(comment)
    assert len(world.github.deployments) == deployments
    assert len(world.github.comments) == comments
    assert world.reactions(comment) == reactions


def test_same_command_twice_deploys_once(world):
    world.say("rita", "/rollout shadow")
    second = world.say("rita", "/rollout shadow")
    assert world.reactions(second) == ["eyes", "rocket"]
    assert "already exists" in world.reply_to(second)["body"]
    assert len(world.github.deployments) == 1


@pytest.mark.parametrize("user", ["renovate[bot]"])
def test_bots_and_edits_are_ignored(world, user):
    bot = world.say(user, "/rollout shadow")
    assert world.reactions(bot) == []
    edited = world.github.add_comment(7, "rita", "/rollout shadow", created_at=T.format(50),
                                      updated_at=T.format(51))
    world.deliver(edited)
    assert world.reactions(edited) == []
    assert world.github.deployments == []


def test_help_and_status_reply(world):
    help_ = world.say("someone", "/rollout help")
    body = world.reply_to(help_)["body"]
    assert world.reactions(help_) == ["eyes", "rocket"]
    assert "/rollout override RULE" in body and "precision ≥ 0.9" in body
    world.say("rita", "/rollout shadow")
    status = world.say("someone", "/rollout status")
    assert "| scorer | shadow \\(pending\\) | " in world.reply_to(status)["body"]


def test_unknown_verb_and_bad_quotes(world):
    typo = world.say("rita", "/rollout canery")
    assert "did you mean" in refused(world, typo)
    quotes = world.say("rita", '/rollout rollback --reason "oops')
    assert "close every quote" in refused(world, quotes)


def test_huge_and_control_character_comments(world):
    huge = world.say("rita", "/rollout shadow " + "x" * 1_000_000 + "\n" + "y" * 10)
    assert "longer than" in refused(world, huge)
    ctrl = world.say("rita", "/rollout shadow \x1b[2J\x00")
    assert "control characters" in refused(world, ctrl)


def test_ownership_of_a_new_model_comes_from_the_base_codeowners(tmp_path, github, monkeypatch):
    """A PR adding a model without owners cannot make its author the owner by rewriting CODEOWNERS."""
    world = World(tmp_path, github, monkeypatch)
    commit(world.repo, {"CODEOWNERS": "/models/ @carol\n"}, "codeowners on the base branch")
    world.pr["base"]["sha"] = git(world.repo, "rev-parse", "HEAD").strip()
    fresh = model("fresh", consumes=[("score", 1)], owners=[])
    world.pr["head"]["sha"] = commit(world.repo, {"models/fresh.yaml": fresh, "CODEOWNERS": "/models/ @bob\n"},
                                     "add fresh; make bob its owner")
    by_bob = world.say("bob", "/rollout shadow fresh")
    assert "is not an owner of fresh" in refused(world, by_bob)
    by_carol = world.say("carol", "/rollout shadow fresh")
    assert world.reactions(by_carol) == ["eyes", "rocket"]


def test_canary_needs_every_approval_even_as_the_first_stage(tmp_path, github, monkeypatch):
    """docs/rollout.md, "Stage gates": `canary` and `production` also need every approval, wherever they stand in a
    model's stages."""
    world = World(tmp_path, github, monkeypatch,
                  config={"admins": ["@acme/admins"], "rollout": {"stages": ["canary", "production"]}})
    comment = world.say("rita", "/rollout canary --percent 5")
    assert "canary needs every approval first" in refused(world, comment)
    assert github.deployments == []


def test_a_success_superseded_by_another_deployment_still_opens_the_next_stage(world, github):
    """GitHub marks older deployments of an environment `inactive` when a newer one there succeeds (another
    model's shadow, the job's own environment): the previous stage was still successful."""
    world.say("rita", "/rollout shadow")
    [shadow] = world.deployments(environment="shadow")
    world.succeed(shadow)
    world.succeed(shadow, "inactive")
    github.add_review(7, "rita", "APPROVED", commit_id=world.head)
    world.say("carol", "/rollout ack router")
    canary = world.say("rita", "/rollout canary --percent 10")
    assert world.reactions(canary) == ["eyes", "rocket"]
    assert "scorer → canary 10% \\(pending\\)" in world.report()


def test_status_links_no_hostile_url(world, github):
    world.say("rita", "/rollout shadow")
    [shadow] = world.deployments(environment="shadow")
    github._create_deployment_status(did=str(shadow["id"]), body={
        "state": "success", "log_url": "https://ci.example/run) ![x](https://evil.example/x.png"})
    status = world.say("someone", "/rollout status")
    body = world.reply_to(status)["body"]
    assert "](https://evil" not in body and "| scorer | shadow | " in body


def test_an_override_waives_its_rule_for_that_head_only(tmp_path, github, monkeypatch):
    world = World(tmp_path, github, monkeypatch, config={"admins": ["@acme/admins"], "rules": {"MG205": "error"}})
    world.say("adam", "/rollout override MG205 --reason 'consumers are ready'")
    assert github.statuses_for(world.head)[-1]["state"] == "pending"
    world.push({"README.md": "pushed\n"})
    world.say("someone", "/rollout plan")
    assert github.statuses_for(world.head)[-1]["state"] == "failure"
    assert "waived by adam" not in world.report()


@pytest.mark.parametrize("invalidate", [True, False])
def test_an_ack_counts_like_an_approval_so_a_push_invalidates_it(tmp_path, github, monkeypatch, invalidate):
    """docs/rollout.md, `/rollout ack`: an ack counts like an approval, which with invalidate_on_push must be on the
    current head SHA."""
    world = World(tmp_path, github, monkeypatch,
                  config={"admins": ["@acme/admins"], "approvals": {"invalidate_on_push": invalidate}})
    world.say("carol", "/rollout ack router")
    assert "@carol" not in github.statuses_for(world.head)[-1]["description"]
    world.push({"README.md": "pushed\n"})
    world.say("someone", "/rollout plan")
    assert ("@carol" in github.statuses_for(world.head)[-1]["description"]) is invalidate


def test_help_reply_is_the_golden_one(world):
    """The whole `/rollout help` reply, byte for byte: the verb table, the stages, each model's stages and gates
    (a model with its own stages and hostile metric names, escaped; it has landed on the target branch, whose tip
    has moved past the PR's base: a new model's own stages would not apply)."""
    blue = {"apiVersion": "modelgate/v1", "kind": "Model", "metadata": {"name": "blue", "owners": ["@olga"]},
            "spec": {"version": "1.0.0", "rollout": {
                "stages": ["dark", "blue"],
                "gates": {"dark": {"p99_*ms*": {"max": 60}, "auc": {"max_delta": 0.02, "min": 0.8}},
                          "blue": {"<b>@team|x</b>": {"min": 1e-06}}}}}}
    git(world.repo, "checkout", "-q", world.base)
    world.github.branches["main"] = commit(world.repo, {"models/blue.yaml": dump(blue)}, "blue lands on main")
    blue["spec"]["version"] = "1.1.0"
    world.head = world.pr["head"]["sha"] = commit(world.repo, {
        "models/scorer.yaml": scorer("2.0.0"), "models/blue.yaml": dump(blue),
        "models/other.yaml": model("other", owners=["@olga"], version="1.1.0")}, "blue")
    help_ = world.say("someone", "/rollout help")
    _marker, reply_ = world.reply_to(help_)["body"].split("\n", 1)
    assert reply_ + "\n" == HELP_REPLY.read_text(encoding="utf-8").replace("{sha}", world.head[:7])



def forge(github: GitHubDouble, comment: dict, outcome: str, sha: str) -> dict:
    """A reply marker posted as github-actions[bot] by another workflow of the repository (any workflow, a PR's
    own `pull_request` workflow included, posts as that login)."""
    marker = reply_marker(Reply(comment["id"], outcome, sha, "forged"))
    return github.add_comment(7, BOT, f"{marker}\n**{outcome}**", created_at=T.format(40))


def test_a_forged_reply_cannot_revive_an_override_on_a_new_head(tmp_path, github, monkeypatch):
    """Issue 19, item 5: an admin's override holds for the head it was written on. After a push, a reply
    forged under the bot's login claimed it for the new head; overrides now come from the admin's own comment
    and GitHub's time of the push, and no reply marker is read for them."""
    world = World(tmp_path, github, monkeypatch, config={"admins": ["@acme/admins"], "rules": {"MG205": "error"}})
    override = world.say("adam", "/rollout override MG205 --reason 'consumers are ready'")
    assert github.statuses_for(world.head)[-1]["state"] == "pending"
    world.push({"README.md": "pushed\n"})
    forge(github, override, "accepted", world.head)
    world.say("someone", "/rollout plan")
    assert github.statuses_for(world.head)[-1]["state"] == "failure"
    assert "waived by adam" not in world.report()
    again = world.say("adam", "/rollout override MG205 --reason 'still ready'")  # written for the new head
    assert world.reactions(again) == ["eyes", "rocket"]
    assert github.statuses_for(world.head)[-1]["state"] == "pending"


def test_a_forged_reply_cannot_carry_an_ack_to_a_new_head(tmp_path, github, monkeypatch):
    """With invalidate_on_push an ack counts like an approval of the head it was written on; a reply forged for
    the new head does not carry it there."""
    world = World(tmp_path, github, monkeypatch,
                  config={"admins": ["@acme/admins"], "approvals": {"invalidate_on_push": True}})
    ack = world.say("carol", "/rollout ack router")
    assert "@carol" not in github.statuses_for(world.head)[-1]["description"]
    world.push({"README.md": "pushed\n"})
    forge(github, ack, "accepted", world.head)
    world.say("someone", "/rollout plan")
    assert "@carol" in github.statuses_for(world.head)[-1]["description"]


def test_with_a_key_only_signed_replies_are_read_back(world, github, monkeypatch):
    """With the rollout-key secret a forged reply neither silences a command nor rewrites the audit log."""
    monkeypatch.setenv("MODELGATE_ROLLOUT_KEY", "s3cret-from-a-repository-secret")
    shadow = world.say("rita", "/rollout shadow", deliver=False)
    forge(github, shadow, "refused", world.head)  # before the run: it would pass for the answer
    world.deliver(shadow)
    assert world.reactions(shadow) == ["eyes", "rocket"]
    assert len(world.deployments(environment="shadow")) == 1
    assert "forged" not in world.report() and "unsigned reply" not in world.report()
    comments = len(github.comments)
    world.deliver(shadow)  # the signed reply answers it: a second delivery changes nothing
    assert len(github.comments) == comments


@pytest.mark.parametrize("invalidate", [False, True])
def test_an_ack_is_bound_to_a_head_only_when_pushes_invalidate_approvals(tmp_path, github, monkeypatch, invalidate):
    """An ack is judged as it is counted (bot.rollout.derive): tied to the head GitHub received before it only
    under invalidate_on_push, like an approval."""
    world = World(tmp_path, github, monkeypatch,
                  config={"admins": ["@acme/admins"], "approvals": {"invalidate_on_push": invalidate}})
    github.push(world.head, T.format(30))  # GitHub received the head after the ack below
    ack = world.say("carol", "/rollout ack router")
    assert world.reactions(ack) == (["eyes", "confused"] if invalidate else ["eyes", "rocket"])
    assert ("@carol" in github.statuses_for(world.head)[-1]["description"]) is invalidate


def test_a_deployment_names_the_trust_root_as_its_base(world, github):
    """`gate --deployment` reads the metric gates at the payload's base: that is the target branch's tip when the
    command ran (the trust root), not the PR's stale `base.sha`, which GitHub leaves where the PR branched."""
    git(world.repo, "checkout", "-q", world.base)
    tip = commit(world.repo, {"docs/notes.md": "main moves on\n"}, "main moves on")
    git(world.repo, "checkout", "-q", world.head)
    world.github.branches["main"] = tip
    shadow = world.say("rita", "/rollout shadow")
    assert world.reactions(shadow) == ["eyes", "rocket"]
    [dep] = world.deployments(environment="shadow")
    assert world.pr["base"]["sha"] == world.base != tip
    assert dep["payload"]["base"] == tip


def test_an_admin_with_read_permission_cannot_waive_a_rule(tmp_path, github, monkeypatch):
    """Attack (review after issue 19): a member of the admins' team with only read permission on the repository
    overrode a blocking rule, and the report said "waived". Neither the reply nor the evaluation counts it."""
    world = World(tmp_path, github, monkeypatch, config={"admins": ["@acme/admins"], "rules": {"MG205": "error"}})
    github.permissions["adam"] = "read"
    by_adam = world.say("adam", "/rollout override MG205 --reason 'ok'")
    assert world.reactions(by_adam) == ["eyes", "confused"]
    assert "waived by adam" not in world.report()
