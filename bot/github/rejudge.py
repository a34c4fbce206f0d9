"""The scheduled run's re-judging of open pull requests whose verdict the day may have changed (docs/calendar.md).

A pull request's status was set when it was last pushed or reviewed. Every run lists the open pull requests (one
call per 100, at most ``MAX_OPEN_PULLS``), fetches their heads in one ``git fetch``, and assesses each from git
objects (``check.assess``: no call) against the tip of its base branch, the trust root (the default branch's is
known; one ``branch_tip`` call per other base branch, at most ``MAX_BRANCHES``); a pull request into the default
branch whose commits change no file a state is read from (:func:`changes_no_state`) is not even assessed, since its
findings are all preexisting. Assessing takes time (about 18 seconds a pull request at 10,000 models, see
docs/performance.md): it stops after ``ASSESS_SECONDS`` and the log names the pull requests left, and it starts
``ASSESS_STRIDE`` pull requests further on each day (by number), so a run cut short never leaves the same ones
behind. Each date-sensitive one
(``bot.calendar.date_sensitive``: its own findings or changes depend on the day) costs one call: its head's
combined status (so at most ``MAX_OPEN_PULLS``). A pull request without a status of modelgate's context was never
judged (its own events will be) and is left alone. When the status's failure and the assessment's blocking findings
disagree, the pull request is a candidate: it is re-judged exactly as its own run would judge it
(``read_pull_request``, ``evaluate``: reviews, acks and an admin's overrides count) and, only when the new status
differs from the current one, published without asking for reviews (status and report comment, with a note saying
why it changed with no push). At most ``MAX_REJUDGED`` candidates are re-judged per run, in turns (:func:`turn`):
a window over the candidates sorted by number that moves with the day, so every candidate is reached within
ceil(candidates / ``MAX_REJUDGED``) days, even when an override keeps another one green; the log names those that
wait. A pull request that cannot be judged (its head cannot be fetched, GitHub answers 404) is named in the log and
skipped; the run goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot import check
from bot.calendar import date_sensitive
from bot.config import CONFIG_PATH, Config
from bot.errors import DomainError
from bot.github.client import Client, GitHubError
from bot.github.pull_request import Settings, evaluate, publish, read_pull_request
from bot.github.revisions import ensure_commits, has_commit, load_trusted_states
from bot.github.status import status_of
from bot.loader import CODEOWNERS_PATHS
from bot.manifests.parse import YAML_SUFFIXES, matcher
from bot.sources import SourceError, git

MAX_OPEN_PULLS = 300  # listed per run (3 calls)
MAX_BRANCHES = 10  # distinct base branches other than the default one whose tip is read (one call each)
MAX_REJUDGED = 20  # full re-judges per run (about 6 to 10 calls each, see bot.github.pull_request)
ASSESS_SECONDS = 35 * 60  # the assessing stops after this long (the documented workflow's timeout is 60 minutes)
ASSESS_STRIDE = 100  # the assessing starts this many pull requests further on each day (sorted by number)
T = TypeVar("T")
STATE_SUFFIXES = (*YAML_SUFFIXES, ".json")  # manifests, the configuration, schema files, MG009's look-alikes


@dataclass
class Rejudged:
    """What the re-judging did: the pull requests whose status changed, and the log."""

    changed: list[int] = field(default_factory=list)
    log: list[str] = field(default_factory=list)


def changes_no_state(workspace: Path, config: Config, config_path: str, trust_sha: str, head_sha: str) -> bool:
    """Whether the pull request's own commits (from the merge base of ``trust_sha`` and ``head_sha``) change no file a
    state is read from: no path the manifest globs of ``config`` include, no ``.yaml``/``.yml``/``.json`` file
    anywhere, no configuration, no CODEOWNERS. Its head's manifests are then its base's: it has no change and every
    finding is preexisting, so the day cannot change its verdict. When git cannot tell (a shallow history without
    the merge base), False: the pull request is assessed."""
    try:
        changed = git(workspace, "diff", "--no-renames", "--name-only", "-z", f"{trust_sha}...{head_sha}")
    except SourceError:
        return False
    included = matcher(config.manifests.include)
    return not any(path and (path in CODEOWNERS_PATHS or path in (CONFIG_PATH, config_path) or included(path)
                             or path.lower().endswith(STATE_SUFFIXES)) for path in changed.split("\0"))


def run(gh: Client, settings: Settings, default_branch: str, default_sha: str, default_config: Config) -> Rejudged:
    out = Rejudged()
    pulls = gh.open_pulls(settings.repo, MAX_OPEN_PULLS)
    if len(pulls) == MAX_OPEN_PULLS:
        out.log.append(f"only the {MAX_OPEN_PULLS} oldest open pull requests are looked at")
    heads = [str(p["head"]["sha"]) for p in pulls]
    try:
        ensure_commits(settings.workspace, heads, [f"refs/pull/{p['number']}/head" for p in pulls],
                       auth=settings.fetch_auth)
    except SourceError as exc:
        out.log.append(f"could not fetch every head at once ({exc}); each is tried alone")
    tips = {default_branch: default_sha}
    candidates: dict[int, str] = {}  # number -> its current state, for those the day's verdict disagrees with
    by_number = {int(p["number"]): p for p in pulls}
    order = [by_number[n] for n in rotation(list(by_number), settings.today, ASSESS_STRIDE)]
    deadline = time.monotonic() + ASSESS_SECONDS
    for index, pull in enumerate(order):
        number = int(pull["number"])
        if time.monotonic() > deadline:
            left = [f"#{p['number']}" for p in order[index:]]
            out.log.append(f"{len(left)} open pull request(s) not assessed within this run's "
                           f"{ASSESS_SECONDS // 60} minutes ({', '.join(left)}): the next run starts "
                           f"{ASSESS_STRIDE} further on")
            break
        current = _skipping(out, number, partial(_disagrees, gh, settings, pull, tips, default_sha, default_config,
                                                 out))
        if current is not None:
            candidates[number] = current
    chosen = turn(list(candidates), settings.today, MAX_REJUDGED)
    for number in chosen:
        _skipping(out, number, partial(_rejudge, gh, settings, number, candidates[number], out))
    waiting = sorted(set(candidates) - set(chosen))
    if waiting:
        days = -(-len(candidates) // MAX_REJUDGED)
        out.log.append(f"{len(waiting)} pull request(s) wait for a later run ({', '.join(f'#{n}' for n in waiting)}): "
                       f"at most {MAX_REJUDGED} are re-judged per run, in turns, so each of the {len(candidates)} is "
                       f"reached within {days} day(s)")
    return out


def _skipping(out: Rejudged, number: int, step: Callable[[], T]) -> T | None:
    """``step()`` for pull request ``number``; None when it cannot be done (named in the log: the run goes on).
    GitHub's retries running out is the run's failure, not the pull request's."""
    try:
        return step()
    except GitHubError as exc:
        if exc.exhausted:
            raise
        out.log.append(f"#{number}: skipped, GitHub answered {exc}")
    except (SourceError, DomainError) as exc:
        out.log.append(f"#{number}: skipped, {exc}")
    return None


def rotation(numbers: list[int], today: date, stride: int) -> list[int]:
    """``numbers`` sorted, then turned to start ``stride`` further on each day: stateless, the day is the turn."""
    ordered = sorted(numbers)
    if not ordered:
        return []
    start = (today.toordinal() * stride) % len(ordered)
    return ordered[start:] + ordered[:start]


def turn(numbers: list[int], today: date, size: int) -> list[int]:
    """The pull requests re-judged on ``today``: at most ``size`` of ``numbers``, a window that moves by ``size``
    each day over them sorted, so that every one is reached within ceil(len / size) days whatever the others do
    (an admin's override that keeps one green never holds the others back)."""
    return rotation(numbers, today, size)[:size]


def _disagrees(gh: Client, settings: Settings, pull: dict[str, Any], tips: dict[str, str], default_sha: str,  # noqa: PLR0913
               default_config: Config, out: Rejudged) -> str | None:
    """The current state of modelgate's status on ``pull`` when the day's verdict disagrees with it, else None."""
    number = int(pull["number"])
    trust_sha = _trust(gh, settings.repo, str(pull["base"]["ref"]), tips)
    if trust_sha is None:
        out.log.append(f"#{number}: its base branch {pull['base']['ref']!r} is beyond the {MAX_BRANCHES} "
                       "read per run: not re-judged")
        return None
    head_sha = str(pull["head"]["sha"])
    if not has_commit(settings.workspace, head_sha):  # the run's one fetch brought it, unless that fetch failed
        ensure_commits(settings.workspace, [head_sha], [f"refs/pull/{number}/head"], auth=settings.fetch_auth)
    if trust_sha == default_sha and changes_no_state(settings.workspace, default_config, settings.config_path,
                                                     trust_sha, head_sha):
        return None
    states = load_trusted_states(settings.workspace, trust_sha, head_sha, settings.config_path, settings.fetch_auth)
    result = check.assess(states.base, states.head, settings.today, states.trust).result
    if not date_sensitive(result, states.base, states.head):
        return None
    context = settings.status_context or states.trust.config.status_context
    current = _state(gh.combined_status(settings.repo, head_sha), context)  # one call; at most MAX_OPEN_PULLS
    if current is None:
        out.log.append(f"#{number}: no {context} status yet: its own run will judge it")
        return None
    if (current == "failure") == any(f.blocking for f in result.findings):
        return None
    return current


def _rejudge(gh: Client, settings: Settings, number: int, current: str, out: Rejudged) -> None:
    """Judge ``number`` as its own run would; publish (no review requests) only when its status changes."""
    pr = read_pull_request(gh, settings.repo, number, settings)
    judged = evaluate(gh, settings, pr)
    state, description = status_of(judged)
    if state == current:
        out.log.append(f"#{number}: still {current} once reviews and overrides count: nothing to write")
        return
    note = (f"re-judged by the scheduled run on {settings.today.isoformat()}, with no new push: the date changed "
            f"the verdict from {current} to {state}")
    publish(gh, settings, replace(judged, notes=[*judged.notes, note]), pr, request=False)
    out.changed.append(number)
    out.log.append(f"#{number}: re-judged, {current} -> {state} ({description})")


def _trust(gh: Client, repo: str, branch: str, tips: dict[str, str]) -> str | None:
    """The tip of ``branch`` (read once per run), None beyond ``MAX_BRANCHES`` other branches."""
    if branch not in tips:
        if len(tips) > MAX_BRANCHES:
            return None
        tips[branch] = gh.branch_tip(repo, branch)
    return tips[branch]


def _state(combined: dict[str, Any], context: str) -> str | None:
    """The state of ``context`` in a combined status (GitHub lists the latest status of each context)."""
    for status in combined.get("statuses") or []:
        if isinstance(status, dict) and status.get("context") == context:
            return str(status.get("state"))
    return None
