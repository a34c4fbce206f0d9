"""The calendar's tracking issue on GitHub (docs/calendar.md): found, created once, kept up to date, announced on.

There is one: an issue carrying ``CALENDAR_MARKER`` in its body, written by the bot's login, with the label
``calendar.label``. :func:`find` lists the issues with that label (open and closed, oldest first; one call per 100)
and keeps the oldest that is the bot's and carries the marker; a look-alike by anyone else is never taken. Only
when none is found that way does it ask GitHub's issue search (an index, eventually consistent: a fallback, never
the first look) for the marker by the bot, and puts the label back on what it finds (someone removed it). Extra
issues of the bot with the marker (two first runs at once) are left as they are and named in the log: issues are
never deleted, nor closed by the bot.

:func:`sync` creates the issue only when the calendar has a deprecated version, and edits its body only when the
text differs. A **closed** issue is a person's decision: it stays closed (never reopened, never replaced by a
second one), its body is still kept up to date (an edit notifies nobody), and :func:`announce` posts nothing on it.

:func:`announce` reads the issue's comments (paginated), takes what the bot's own comments already announced
(``bot.calendar.said``: a marker per announcement), and posts the announcements due today
(``bot.calendar.due_notices``) in ONE comment, from ``calendar-notice.md.j2``; nothing is stored anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot import escape
from bot.approvals import login
from bot.calendar import Calendar, Notice, due_notices, said
from bot.config import CalendarSettings
from bot.github.client import Client
from bot.report.calendar import CALENDAR_MARKER
from bot.report.jinja_env import render_template
from bot.report.view import WHOLE

TITLE = "modelgate: deprecation calendar"
MAX_BODY = 65_536  # GitHub's limit on an issue's or a comment's body, in characters
CUT = "\n\n… (cut at GitHub's limit of an issue's body: the whole calendar is in the scheduled run's job summary)\n"
HANDLE_RE = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9._-]{1,100})?")


@dataclass(frozen=True)
class Site:
    """Where the tracking issue lives and who the bot is: the repository, the bot's login, ``calendar:``."""

    repo: str
    bot_login: str
    config: CalendarSettings


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
    author = (issue.get("user") or {}).get("login", "")
    return ("pull_request" not in issue and marker in str(issue.get("body") or "")
            and login(str(author)) == login(bot_login))


def search_query(repo: str, bot_login: str, marker: str = CALENDAR_MARKER) -> str:
    """The issue search for the marker's words by the bot (``github-actions[bot]`` is ``app/github-actions``)."""
    author = f"app/{bot_login.removesuffix('[bot]')}" if bot_login.endswith("[bot]") else bot_login
    words = marker.removeprefix("<!--").removesuffix("-->").strip()
    return f'repo:{repo} is:issue in:body "{words}" author:{author}'


def find(gh: Client, site: Site, log: list[str]) -> dict[str, Any] | None:
    """The tracking issue (see the module's docstring), or None."""
    repo, label, bot_login = site.repo, site.config.label, site.bot_login
    ours = sorted((i for i in gh.issues(repo, label) if is_tracking(i, bot_login)), key=lambda i: i["number"])
    if not ours:
        found = sorted((i for i in gh.search_issues(search_query(repo, bot_login)) if is_tracking(i, bot_login)),
                       key=lambda i: i["number"])
        if found:
            gh.add_labels(repo, found[0]["number"], [label])
            log.append(f"the tracking issue #{found[0]['number']} had lost its label {label!r}: put back")
        ours = found
    if len(ours) > 1:
        others = ", ".join(f"#{i['number']}" for i in ours[1:])
        log.append(f"the tracking issue is #{ours[0]['number']}, the oldest; {others} (the bot's too) left as they are")
    return ours[0] if ours else None


def fit(body: str) -> str:
    """``body`` within GitHub's limit, cut with a line saying so."""
    return body if len(body) <= MAX_BODY else body[: MAX_BODY - len(CUT)] + CUT


def sync(gh: Client, site: Site, calendar: Calendar, body: str) -> Tracked:
    """Find the tracking issue; create it (when the calendar has a deprecated version) or edit its body when the
    text differs, open or closed."""
    log: list[str] = []
    body = fit(body)
    repo = site.repo
    issue = find(gh, site, log)
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


def owner_text(mention: bool) -> Callable[[str], str]:
    """How an owner is written in an announcement: a GitHub handle @-mentioned when ``mention``, else in a code
    span; anything that is not a plain handle is escaped markdown (never a mention, never markup)."""
    def who(owner: str) -> str:
        if not HANDLE_RE.fullmatch(owner):
            return escape.markdown_text(owner)
        return owner if mention else f"`{owner}`"
    return who


def render_notices(notices: list[Notice], mention: bool) -> str:
    return fit(render_template("calendar-notice.md.j2", notices=notices, who=owner_text(mention), view=WHOLE))


def announce(gh: Client, site: Site, tracked: Tracked, calendar: Calendar) -> list[Notice]:
    """Post the announcements due today in one comment on the open tracking issue; the ones posted."""
    if tracked.issue is None or tracked.closed:
        return []
    repo, bot_login, settings = site.repo, site.bot_login, site.config
    number = int(tracked.issue["number"])
    comments = [] if tracked.created else gh.issue_comments(repo, number)
    already = said(str(c.get("body") or "") for c in comments
                   if login(str((c.get("user") or {}).get("login", ""))) == login(bot_login))
    due = due_notices(calendar, settings.notify_days, already)
    if due:
        gh.create_comment(repo, number, render_notices(due, settings.mention_owners))
        tracked.log.append(f"announced on #{number}: " + ", ".join(n.key for n in due))
    return due
