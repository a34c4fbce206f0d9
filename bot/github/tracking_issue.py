"""The calendar's tracking issue on GitHub (docs/calendar.md): found, created once, kept up to date, announced on.

There is one: an issue carrying the calendar's marker in its body, written by the bot's login, with the label
``calendar.label``. :func:`find` lists the issues with that label (open and closed, oldest first; one call per 100)
and keeps the oldest that is the bot's and carries the marker; a look-alike by anyone else is never taken. Only
when none is found that way does it ask GitHub's issue search (an index, eventually consistent: a fallback, never
the first look) for the marker by the bot, and puts the label back on what it finds (someone removed it). Extra
issues of the bot with the marker (two first runs at once) are left as they are and named in the log: issues are
never deleted, nor closed by the bot.

The bot's login proves little: every workflow of the repository posts as ``github-actions[bot]`` (one quoting a
user's text could post a marker). With the rollout key (``bot.github.rollout_state.signing_key``) the markers are
signed with the HMAC of ``bot.rollout.derive.mac``: the issue's over the repository's name, each announcement's over
its key and the repository's name, and only a marker whose MAC verifies counts. Without a key, a marker in a text
by the bot's login counts (docs/calendar.md says the limit).

:func:`sync` creates the issue only when the calendar has a deprecated version, and edits its body only when the
text differs. A **closed** issue is a person's decision: it stays closed (never reopened, never replaced by a
second one), its body is still kept up to date (an edit notifies nobody), and :func:`announce` posts nothing on it.

:func:`announce` reads the issue's comments (paginated, at most :data:`MAX_COMMENTS`), takes what the bot's own
comments already announced (``bot.calendar.said``: a marker per announcement), and posts the announcements due
today (``bot.calendar.due_notices``) in ONE comment, from ``calendar-notice.md.j2``, made of whole announcements
only (the ones that do not fit wait for the next run); nothing is stored anywhere else.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from bot import escape
from bot.calendar import Calendar, Deprecated, Notice, due_notices, said
from bot.config import CalendarSettings, Config
from bot.github.client import Client
from bot.github.pull_request import written_by
from bot.github.rollout_state import signing_key
from bot.report.calendar import CALENDAR_MARKER, ISSUE_BODY_LIMIT, Links, render_calendar
from bot.report.context import ReportContext
from bot.report.jinja_env import render_template
from bot.report.view import WHOLE
from bot.result import Severity
from bot.rollout.derive import mac
from bot.rules import catalog

TITLE = "modelgate: deprecation calendar"
MAX_BODY = 65_536  # GitHub's limit on an issue's or a comment's body, in characters
HANDLE_RE = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9._-]{1,100})?")
MAX_MENTIONS = 50  # owners @-mentioned per announcement; the others are named on the tracking issue
MAX_LISTED = 50  # direct consumers listed per announcement
MAX_OWNERS_LISTED = 10  # owners written per consumer in an announcement
MAX_COMMENTS = 3_000  # comments of the tracking issue read per run (one call per 100)


@dataclass(frozen=True)
class Site:
    """Where the tracking issue lives and who the bot is: the repository, the bot's login, ``calendar:``;
    ``links`` (where files and migration guides point), ``policy`` (the trusted configuration: MG201's
    severities), ``key`` (signs and verifies the markers; default: the run's rollout key, if any)."""

    repo: str
    bot_login: str
    config: CalendarSettings
    links: Links | None = None
    policy: Config | None = None
    key: bytes | None = field(default_factory=signing_key)

    @property
    def marker(self) -> str:
        """The tracking issue's marker: signed over the repository's name when there is a key."""
        if self.key is None:
            return CALENDAR_MARKER
        return f"<!-- modelgate:calendar mac={mac(self.key, {'repo': self.repo.lower()}, 'calendar')} -->"

    def notice_mac(self, key: str) -> str | None:
        """The signature of the announcement ``key`` (None without a key)."""
        return mac(self.key, {"notice": key, "repo": self.repo.lower()}, "calendar-notice") if self.key else None

    def believes(self) -> Callable[[str, str | None], bool] | None:
        """Which announcement markers count (:func:`bot.calendar.said`): with a key, those it signed; else all."""
        if self.key is None:
            return None

        def signed(key: str, given: str | None) -> bool:
            expected = self.notice_mac(key)
            return given is not None and expected is not None and hmac.compare_digest(given, expected)
        return signed


@dataclass
class Tracked:
    """The tracking issue after :func:`sync`: None when there is none (and none was needed); ``log`` says what
    happened, line by line (the run's log and job summary)."""

    issue: dict[str, Any] | None
    created: bool = False
    log: list[str] = field(default_factory=list)

    @property
    def number(self) -> int | None:
        return int(self.issue["number"]) if self.issue else None

    @property
    def closed(self) -> bool:
        return bool(self.issue) and str((self.issue or {}).get("state")) == "closed"


def is_tracking(issue: dict[str, Any], bot_login: str, marker: str = CALENDAR_MARKER) -> bool:
    """The tracking issue: an issue (not a pull request) with the marker in its body, written by the bot."""
    return "pull_request" not in issue and marker in str(issue.get("body") or "") and written_by(issue, bot_login)


def search_query(repo: str, bot_login: str, marker: str = CALENDAR_MARKER) -> str:
    """The issue search for the marker's words by the bot (``github-actions[bot]`` is ``app/github-actions``)."""
    author = f"app/{bot_login.removesuffix('[bot]')}" if bot_login.endswith("[bot]") else bot_login
    words = marker.removeprefix("<!--").removesuffix("-->").strip()
    return f'repo:{repo} is:issue in:body "{words}" author:{author}'


def find(gh: Client, site: Site, log: list[str], search: bool = True) -> dict[str, Any] | None:
    """The tracking issue (see the module's docstring), or None; ``search``: whether to ask the issue search when
    the label finds none."""
    repo, label, bot_login, marker = site.repo, site.config.label, site.bot_login, site.marker
    ours = sorted((i for i in gh.issues(repo, label) if is_tracking(i, bot_login, marker)),
                  key=lambda i: i["number"])
    if not ours and search:
        searched = gh.search_issues(search_query(repo, bot_login))
        found = sorted((i for i in searched if is_tracking(i, bot_login, marker)), key=lambda i: i["number"])
        if found:
            gh.add_labels(repo, found[0]["number"], [label])
            log.append(f"the tracking issue #{found[0]['number']} had lost its label {label!r}: put back")
        ours = found
    if len(ours) > 1:
        others = ", ".join(f"#{i['number']}" for i in ours[1:])
        log.append(f"the tracking issue is #{ours[0]['number']}, the oldest; {others} (the bot's too) left as they are")
    return ours[0] if ours else None


def compose(calendar: Calendar, site: Site) -> str:
    """The tracking issue's body: its marker, the calendar's markdown with a checklist (shortened to fit), and what
    the checklist is (``calendar-issue.md.j2``)."""
    frame = render_template("calendar-issue.md.j2", marker=site.marker, markdown="", checklist=bool(calendar.versions))
    markdown = render_calendar(calendar, "markdown", links=site.links, checklist=True,
                               limit=ISSUE_BODY_LIMIT - len(frame))
    return render_template("calendar-issue.md.j2", marker=site.marker, markdown=markdown,
                           checklist=bool(calendar.versions))


def sync(gh: Client, site: Site, calendar: Calendar, body: str) -> Tracked:
    """Find the tracking issue; create it (when the calendar has a deprecated version) or edit its body when the
    text differs, open or closed. ``body``: :func:`compose`'s."""
    log: list[str] = []
    repo = site.repo
    issue = find(gh, site, log, search=bool(calendar.versions))  # an empty calendar needs no issue: no search
    if issue is None:
        if not calendar.versions:
            log.append("no deprecated contract version: no tracking issue is needed")
            return Tracked(None, log=log)
        issue = gh.create_issue(repo, TITLE, body, [site.config.label])
        log.append(f"created the tracking issue #{issue['number']}")
        return Tracked(issue, created=True, log=log)
    if str(issue.get("body") or "").replace("\r\n", "\n") != body:
        issue = gh.update_issue(repo, int(issue["number"]), body=body)
        log.append(f"updated the tracking issue #{issue['number']}")
    else:
        log.append(f"the tracking issue #{issue['number']} is up to date")
    if str(issue.get("state")) == "closed":
        log.append(f"the tracking issue #{issue['number']} was closed by a person: it stays closed, its body is kept "
                   "up to date and no announcement is posted on it (reopen it to resume them)")
    return Tracked(issue, log=log)


def owner_text(mention: bool) -> Callable[[str, Deprecated | None], str]:
    """How an owner is written in an announcement: a GitHub handle @-mentioned when ``mention`` (and, given the
    version, when it is one of the first :data:`MAX_MENTIONS` owners of its direct consumers), else in a code span;
    anything that is not a plain handle is escaped markdown (never a mention, never markup)."""
    def who(owner: str, version: Deprecated | None = None) -> str:
        if not HANDLE_RE.fullmatch(owner):
            return escape.markdown_text(owner)
        mentioned = mention and (version is None or owner in version.owners[:MAX_MENTIONS])
        return owner if mentioned else f"`{owner}`"
    return who


def mg201(policy: Config | None) -> tuple[str, str]:
    """MG201's severity before the sunset and from the sunset day on, as the configuration sets them."""
    rule = catalog()["MG201"]
    before = cast(Severity, rule.severity)  # MG201 makes findings (bot.rules.finding refuses an approval rule)
    after = rule.escalation.severity if rule.escalation else before
    if policy is None:
        return before, after
    return policy.severity("MG201", before), policy.severity("MG201", after, escalated=True)


def render_notices(notices: list[Notice], site: Site) -> tuple[str, list[Notice]]:
    """One comment holding the first of ``notices`` that fit in it whole, each with its marker; those it holds."""
    ctx = site.links.context() if site.links else ReportContext()
    before, after = mg201(site.policy)

    def comment(count: int) -> str:
        return render_template("calendar-notice.md.j2", notices=notices[:count],
                               who=owner_text(site.config.mention_owners),
                               marker=lambda n: n.signed_marker(site.notice_mac(n.key)), view=WHOLE, ctx=ctx,
                               before=before, after=after, max_listed=MAX_LISTED, max_mentions=MAX_MENTIONS,
                               max_owners=MAX_OWNERS_LISTED)
    fits, fails = 0, len(notices) + 1  # the most that fit, the fewest that do not: halved until they meet
    while fails - fits > 1:
        middle = (fits + fails) // 2
        fits, fails = (middle, fails) if len(comment(middle)) <= MAX_BODY else (fits, middle)
    return (comment(fits), notices[:fits]) if fits else ("", [])


def announce(gh: Client, site: Site, tracked: Tracked, calendar: Calendar) -> list[Notice]:
    """Post the announcements due today in one comment on the open tracking issue; the ones posted."""
    if tracked.issue is None or tracked.closed:
        return []
    repo, bot_login, settings = site.repo, site.bot_login, site.config
    number = int(tracked.issue["number"])
    comments = [] if tracked.created else gh.issue_comments(repo, number, limit=MAX_COMMENTS)
    if len(comments) >= MAX_COMMENTS:
        tracked.log.append(f"the tracking issue #{number} has {MAX_COMMENTS} comments or more: only the first "
                           f"{MAX_COMMENTS} are read, so what was announced is not known and nothing is announced "
                           "(delete old comments of the issue to resume them)")
        return []
    already = said((str(c.get("body") or "") for c in comments if written_by(c, bot_login)), site.believes())
    due = due_notices(calendar, settings.notify_days, already)
    text, posted = render_notices(due, site)
    if posted:
        gh.create_comment(repo, number, text)
        tracked.log.append(f"announced on #{number}: " + ", ".join(n.key for n in posted))
    if len(posted) < len(due):
        tracked.log.append(f"{len(due) - len(posted)} announcement(s) did not fit in one comment: they wait for the "
                           "next run")
    return posted
