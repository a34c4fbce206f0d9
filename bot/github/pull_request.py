"""One pull request on GitHub: read it, evaluate it, and publish the outcome (``publish``).

``read_pull_request`` reads the PR, the tip of its base branch (the trust root, docs/github.md), its reviews and its
comments (4 calls, plus one per page beyond 100 items) and the three states from git objects: the trust root
(configuration, CODEOWNERS, owners), the merge base of it and the head (what changed), and the head. It is the one
place the trust root is loaded; ``/rollout`` reads the PR through it too. ``assess`` runs the pure core on them
(twice when team membership had to be looked up: one call per owning team, once per run, at most
``MAX_TEAM_LOOKUPS``), after looking up the repository permission of each distinct approver (one call each, at most
``MAX_PERMISSION_LOOKUPS``): an approval counts only from write permission or higher. ``evaluate`` is ``assess``
plus the current rollout stage of each model from the bot's deployments (1 call, plus one status per deployed model,
at most ``deployments.MAX_STAGE_READS``). The /rollout commands judge a command on ``assess`` and leave the
``PrContext`` (the raw PR, comments, both snapshots, the teams looked up) to the action, which evaluates and
publishes it, so a PR is read once per run.

``publish`` requests the missing reviews (not while draft; never the author, never twice), writes the report
comment (one per PR, found by marker AND bot login; duplicates by the bot deleted; others' comments never
touched; no new comment when nothing changed) and sets the commit status on the PR's head SHA.
A pull_request run therefore costs 4 + approvers + teams + 1 + deployed models (at most 6) + 1-2 (reviews) + 1 (comment)
+ 1-2 (the race check after posting one) + duplicates + 1 (status) calls (``deployments.MAX_STAGE_READS`` has
the worst case).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot import check
from bot.approvals import Review, ReviewState, approving_users, login, waivers
from bot.config import CONFIG_PATH
from bot.evaluation import pr_models
from bot.github import deployments, rollout_state
from bot.github.client import Client, CommitStatus, GitHubError
from bot.github.revisions import DEFAULT_SERVER_URL, FetchAuth, ensure_commits, load_trusted_states
from bot.github.status import status_of
from bot.graph import Graph
from bot.manifests.snapshot import Snapshot
from bot.report import MARKER, ReportContext, render_comment
from bot.result import Result
from bot.rollout.authorize import permission_at_least
from bot.rollout.parse import Comment

MAX_TEAM_LOOKUPS = 12  # keeps a run within its API budget (30 calls) whatever the number of owning teams
MAX_PERMISSION_LOOKUPS = 6  # approvers whose repository permission is looked up, per run (the same budget)


@dataclass(frozen=True)
class Settings:
    """The run's settings, from the Actions environment and the action's inputs."""

    repo: str  # owner/name
    workspace: Path
    today: date
    bot_login: str = "github-actions[bot]"
    config_path: str = CONFIG_PATH
    status_context: str | None = None  # None: the base configuration's status_context
    server_url: str = DEFAULT_SERVER_URL
    run_url: str | None = None
    token: str | None = field(default=None, repr=False)  # GITHUB_TOKEN: the API's and the fetch's (server_url only)

    @property
    def fetch_auth(self) -> FetchAuth:
        return FetchAuth(self.token, self.server_url)


@dataclass
class PrContext:
    """What was read about the PR to evaluate it (raw GitHub objects and the two parsed states)."""

    number: int
    pull: dict[str, Any]
    head_sha: str
    base_sha: str  # the merge base the changes are measured from
    author: str
    draft: bool
    base: Snapshot
    head: Snapshot
    trust: Snapshot  # the trust root: the base branch's tip when the run started (policy, CODEOWNERS, owners)
    comments: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    team_note: str = ""
    members: dict[str, frozenset[str]] | None = field(default_factory=dict)  # teams looked up (None: refused)
    permissions: dict[str, bool] = field(default_factory=dict)  # login -> may approve (write or higher), looked up
    permission_note: str = ""

    @property
    def status_context(self) -> str:
        return self.trust.config.status_context


def comment_value(raw: dict[str, Any], on_pull_request: bool = True) -> Comment:
    """A GitHub issue comment as the plain value the /rollout code reads."""
    user: dict[str, Any] = raw["user"] if isinstance(raw.get("user"), dict) else {}
    return Comment(
        id=int(raw["id"]), user=str(user.get("login", "")), user_type=str(user.get("type", "User")),
        body=str(raw.get("body") or ""), created_at=_when(raw.get("created_at")),
        updated_at=_when(raw.get("updated_at") or raw.get("created_at")), on_pull_request=on_pull_request,
        url=str(raw.get("html_url") or ""),
    )


def _when(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else datetime.min


def review_values(raw: Iterable[dict[str, Any]]) -> tuple[Review, ...]:
    return tuple(Review(str((r.get("user") or {}).get("login", "")), str(r.get("state", "")), r.get("commit_id"),
                        str(r.get("submitted_at") or "")) for r in raw if r.get("user"))


def read_pull_request(gh: Client, repo: str, number: int, settings: Settings) -> PrContext:
    """The PR, the tip of its base branch, its reviews and its comments (4 calls, plus one per page beyond 100
    items), and the three states read from git objects (see :func:`load_trusted_states`).

    The trust root is the base branch's tip asked of GitHub now, not ``pull.base.sha``: GitHub sets that when the
    PR is opened or its head is pushed, and does not move it when the base branch moves, so on a PR branched from
    an old commit it is the old policy."""
    pull = gh.pull(repo, number)
    head_sha = pull["head"]["sha"]
    trust_sha = gh.branch_tip(repo, str(pull["base"]["ref"]))
    ensure_commits(settings.workspace, [trust_sha, head_sha], [f"refs/pull/{number}/head"], auth=settings.fetch_auth)
    states = load_trusted_states(settings.workspace, trust_sha, head_sha, settings.config_path, settings.fetch_auth)
    reviews = gh.reviews(repo, number)
    comments = gh.issue_comments(repo, number)
    return PrContext(number, pull, head_sha, states.base.label, str(pull["user"]["login"]), bool(pull.get("draft")),
                     states.base, states.head, states.trust, comments, reviews)


def evaluate(gh: Client, settings: Settings, pr: PrContext) -> Result:
    """:func:`assess`, plus the current rollout stage of each model of the PR (``Result.stages``) from the
    bot's deployments for it (see :func:`bot.github.deployments.report_stages`)."""
    result = assess(gh, settings, pr)
    models = pr_models(result.changes, Graph.from_snapshot(pr.base), Graph.from_snapshot(pr.head))
    whose = pr_whose(settings, pr)
    stages, notes = deployments.report_stages(gh, whose, models)
    return replace(result, stages=stages, notes=[*result.notes, *notes])



def pr_whose(settings: Settings, pr: PrContext) -> deployments.PullRequest:
    """This PR, as the bot's deployments and replies on it are read."""
    return deployments.PullRequest(settings.repo, pr.number, settings.bot_login, str(pr.pull.get("created_at") or ""))


def assess(gh: Client, settings: Settings, pr: PrContext) -> Result:
    """The pure core on the PR as read: rules, approvals (reviews, acks, overrides) and the audit log. The states
    are assessed once and judged (cheaply) three times: as if no approval counted, to know which owning teams to
    look up (see :func:`known_members`: only when someone approved, acked or overrode); with those teams, to know
    which approvers are owners; then with the approvals of those whose repository permission is write or higher
    (see :func:`known_writers`), so a lookup is spent only on an owner who approved."""
    config = pr.trust.config
    derived = rollout_state.derived(gh, pr_whose(settings, pr), pr.pull, [comment_value(c) for c in pr.comments],
                                    config.approvals.invalidate_on_push)
    state = ReviewState(pr.author, pr.head_sha, review_values(pr.reviews), derived.acks, derived.overrides, {})
    assessment = check.assess(pr.base, pr.head, settings.today, pr.trust)
    teams = _teams_to_match(check.judge(assessment, replace(state, writers=frozenset())), state, pr.trust)
    if teams:
        members, pr.team_note = known_members(gh, pr, teams)
        state = replace(state, team_members=members)
    judged = check.judge(assessment, state)
    # whose permission decides: the owners who approved, and the admins whose overrides would waive a rule
    deciding = sorted({user for g in judged.approvals for user in g.by}
                      | {by for by, _ in waivers(state, config).values()})
    result = check.judge(assessment, replace(state, writers=known_writers(gh, settings.repo, pr, deciding)))
    return replace(result, audit=list(derived.audit))


def _teams_to_match(result: Result, state: ReviewState, base: Snapshot) -> list[str]:
    """The owning teams worth a lookup: only when someone approved, for groups still unsatisfied
    (and the admins' teams when an override must be checked)."""
    if not approving_users(state, base.config) and not state.acks and not state.overrides:
        return []
    owners = [o for g in result.approvals if not g.satisfied for o in g.owners]
    if state.overrides:
        owners += base.config.admins
    return sorted({login(o) for o in owners if "/" in o})


def known_writers(gh: Client, repo: str, pr: PrContext, users: Iterable[str]) -> frozenset[str]:
    """Of ``users`` (and those looked up before in the run), the ones with write permission or higher on the
    repository (GitHub's collaborator permission; a 404 is no permission). One call per user, remembered on
    ``pr``, at most ``MAX_PERMISSION_LOOKUPS`` per run; a user beyond it is not counted, and the report says so."""
    missing = [u for u in dict.fromkeys(users) if u not in pr.permissions]
    room = max(0, MAX_PERMISSION_LOOKUPS - len(pr.permissions))
    for user in missing[:room]:
        try:
            answer = gh.collaborator_permission(repo, user)
            pr.permissions[user] = permission_at_least(str(answer.get("permission") or "none"), "write")
        except GitHubError as exc:
            if exc.status != 404 or exc.exhausted:
                raise
            pr.permissions[user] = False
    skipped = missing[room:]
    if skipped:
        pr.permission_note = (f"{len(skipped)} approver(s) not looked up ({', '.join(skipped)}): their approval "
                              f"does not count; at most {MAX_PERMISSION_LOOKUPS} permission lookups per run")
    return frozenset(u for u, may in pr.permissions.items() if may)


def team_members(gh: Client, teams: Iterable[str],
                 limit: int = MAX_TEAM_LOOKUPS) -> tuple[dict[str, frozenset[str]] | None, str]:
    """The active members of each ``org/team`` (the first ``limit`` of them); None (and why) when the token
    may not read them."""
    found: dict[str, frozenset[str]] = {}
    teams = list(teams)
    for team in teams[:limit]:
        org, slug = team.split("/", 1)
        try:
            found[team] = frozenset(login(m["login"]) for m in gh.team_members(org, slug))
        except GitHubError as exc:
            if exc.exhausted or exc.status not in (401, 403, 404):
                raise
            return None, f"team membership of @{team} could not be read ({exc.status})"
    skipped = teams[limit:]
    note = (f"{len(skipped)} owning team(s) not looked up ({', '.join('@' + t for t in skipped)}): "
            f"at most {MAX_TEAM_LOOKUPS} per run") if skipped else ""
    return found, note


def known_members(gh: Client, pr: PrContext, teams: Iterable[str]) -> tuple[dict[str, frozenset[str]] | None, str]:
    """:func:`team_members` remembered on ``pr`` for the run: each team is looked up once, at most
    ``MAX_TEAM_LOOKUPS`` in all, and a token refused once is not asked again."""
    if pr.members is None:
        return None, pr.team_note
    missing = [t for t in dict.fromkeys(teams) if t not in pr.members]
    found, note = team_members(gh, missing, MAX_TEAM_LOOKUPS - len(pr.members))
    if found is None:
        pr.members, pr.team_note = None, note
        return None, note
    pr.members.update(found)
    return dict(pr.members), note


def publish(gh: Client, settings: Settings, result: Result, pr: PrContext, *, request: bool = True) -> Result:
    """Review requests (unless ``request`` is false: the scheduled re-judge asks nobody), the report comment and the
    commit status for an evaluated PR. Returns the Result as published: ``result`` with the notes of the run
    (review requests GitHub refused, team lookups)."""
    notes: list[str] = []
    unasked: list[str] = []
    if request and not pr.draft and result.changes:
        notes, unasked = request_reviews(gh, settings.repo, pr, result)
    notes += [note for note in (pr.team_note, pr.permission_note) if note]
    result = replace(result, notes=[*result.notes, *notes])
    context = ReportContext(server_url=settings.server_url, repository=settings.repo, head_sha=pr.head_sha,
                            run_url=settings.run_url, stages=tuple(pr.trust.config.rollout.stages))
    body = render_comment(result, context, ask=unasked)  # its last line asks the teams (bounded, docs/github.md)
    sync_comment(gh, settings, pr, body, create=bool(result.changes))
    state, description = status_of(result)
    gh.create_status(settings.repo, pr.head_sha,
                     CommitStatus(state, settings.status_context or pr.status_context, description, settings.run_url))
    return result


def request_reviews(gh: Client, repo: str, pr: PrContext, result: Result) -> tuple[list[str], list[str]]:
    """Ask the owners of unsatisfied groups for a review. Returns what GitHub refused, as notes, and the teams
    (``org/team``) that could not be asked, to be asked in the comment instead."""
    org = repo.split("/", 1)[0].lower()
    requested = pr.pull.get("requested_reviewers") or []
    requested_teams = pr.pull.get("requested_teams") or []
    skip = {login(pr.author)} | {login(u["login"]) for u in requested} | {
        login((r.get("user") or {}).get("login", "")) for r in pr.reviews}
    skip_teams = {t["slug"].lower() for t in requested_teams}
    users: list[str] = []
    teams: list[str] = []
    notes: list[str] = []
    unasked: list[str] = []
    for group in result.approvals:
        if group.satisfied:
            continue
        for owner in group.owners:
            name = login(owner)
            if "/" in name:
                team_org, slug = name.split("/", 1)
                if team_org != org:
                    notes.append(f"cannot request a review from {owner}: a team of another organisation")
                    unasked.append(name)
                elif slug not in skip_teams and slug not in teams:
                    teams.append(slug)
            elif name not in skip and name not in users:
                users.append(name)
    if not users and not teams:
        return notes, unasked
    batches = [(users, teams)]
    try:
        gh.request_reviewers(repo, pr.number, users, teams)
        return notes, unasked
    except GitHubError as exc:
        if exc.status != 422 or exc.exhausted:
            raise
        if not (users and teams):
            return [*notes, _refused(users, teams, exc)], [*unasked, *(f"{org}/{t}" for t in teams)]
        batches = [(users, []), ([], teams)]  # one refused reviewer fails the whole request: try the kinds apart
    for batch_users, batch_teams in batches:
        try:
            gh.request_reviewers(repo, pr.number, batch_users, batch_teams)
        except GitHubError as exc:
            if exc.status != 422 or exc.exhausted:
                raise
            notes.append(_refused(batch_users, batch_teams, exc))
            unasked.extend(f"{org}/{t}" for t in batch_teams)
    return notes, unasked


def _refused(users: list[str], teams: list[str], exc: GitHubError) -> str:
    who = ", ".join([*users, *(f"team {t}" for t in teams)])
    return f"GitHub refused the review request for {who}: {exc.message}"


def written_by(item: dict[str, Any], bot_login: str) -> bool:
    """Whether the bot wrote ``item`` (a comment or an issue as GitHub lists it): its user's login is the bot's."""
    return login(str((item.get("user") or {}).get("login", ""))) == login(bot_login)


def is_report(comment: dict[str, Any], bot_login: str) -> bool:
    """A report comment: it carries the marker AND the bot wrote it (a look-alike by anyone else is not)."""
    return MARKER in str(comment.get("body") or "") and written_by(comment, bot_login)


def sync_comment(gh: Client, settings: Settings, pr: PrContext, body: str, *, create: bool) -> None:
    """Edit the bot's report in place (or post it when ``create``), deleting the bot's duplicates."""
    ours = sorted((c for c in pr.comments if is_report(c, settings.bot_login)), key=lambda c: c["id"])
    keep = ours[0] if ours else None
    _delete_comments(gh, settings.repo, ours[1:])
    if keep is not None and keep.get("body") == body:
        return
    if keep is not None:
        try:
            gh.update_comment(settings.repo, keep["id"], body)
            return
        except GitHubError as exc:
            if exc.status != 404 or _still_there(gh, settings.repo, keep["id"]):  # deleted meanwhile: post anew
                raise
            create = True
    if create:
        posted = gh.create_comment(settings.repo, pr.number, body)
        _settle_race(gh, settings, pr.number, posted, body)


def _delete_comments(gh: Client, repo: str, comments: list[dict[str, Any]]) -> None:
    """Delete each comment; one already gone (404) is what was wanted."""
    for comment in comments:
        try:
            gh.delete_comment(repo, comment["id"])
        except GitHubError as exc:
            if exc.status != 404:
                raise


def _still_there(gh: Client, repo: str, comment_id: int) -> bool:
    """Whether a comment exists (a 404 on its edit may be GitHub's, not a deletion: never post a second one)."""
    try:
        gh.comment(repo, comment_id)
    except GitHubError as exc:
        if exc.status != 404 or exc.exhausted:
            raise
        return False
    return True


def _settle_race(gh: Client, settings: Settings, number: int, posted: dict[str, Any], body: str) -> None:
    """After posting a report, one call to see whether another run (a push and a review at once) posted one too:
    the oldest report stays, with this run's body; every later one is deleted (each run deletes the same)."""
    ours = sorted((c for c in gh.issue_comments(settings.repo, number) if is_report(c, settings.bot_login)),
                  key=lambda c: c["id"])
    if not ours or ours[0]["id"] == posted.get("id"):
        return
    _delete_comments(gh, settings.repo, ours[1:])
    if ours[0].get("body") != body:
        gh.update_comment(settings.repo, ours[0]["id"], body)
