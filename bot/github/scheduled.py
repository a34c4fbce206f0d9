"""The scheduled run (``schedule`` and ``workflow_dispatch``): the deprecation calendar on GitHub (docs/calendar.md).

Everything is read from the tip of the default branch, whichever branch a ``workflow_dispatch`` ran on: the
repository (1 call: its ``default_branch``), the branch's tip (1 call), then the state from git objects (the
manifests, ``.modelgate.yml``, CODEOWNERS). With ``calendar.enabled: false`` the run says so and writes nothing.
Otherwise it builds the calendar (``bot.calendar.build``), keeps the tracking issue
(``bot.github.tracking_issue``: 1 call to find it, plus 1 to create or edit it when its text changed), posts the
announcements due (1 call to read its comments, plus 1 comment when something is due) and re-judges the open pull
requests whose verdict the day changed (``bot.github.rejudge``). The job summary gets the calendar in markdown and
what the run did; the outputs are ``calendar-issue`` (the tracking issue's number, empty when there is none) and
``rejudged`` (a JSON list of the pull requests whose status changed). A scheduled run has no ``verdict``: nothing
here passes or fails, and the exit code is 0 unless the run could not do its job.

An invalid ``.modelgate.yml`` on the default branch fails the run before it writes anything (its MG001 in the log
and the job summary): the defaults it would fall back to may be what the file meant to turn off. A failure to keep
the tracking issue (Issues disabled, a token without ``issues: write``, GitHub unavailable) does not stop the
re-judging: the run re-judges, then fails with the reason. A run whose day (``MODELGATE_TODAY``, ``--today``) is not
the UTC date says so in a warning.

With nothing changed, a second run on the same day makes only reads (see docs/performance.md for the count).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path

from bot.calendar import Calendar, build
from bot.config import CONFIG_PATH
from bot.escape import markdown_text
from bot.github import rejudge, tracking_issue
from bot.github.client import Client, GitHubError
from bot.github.pull_request import Settings
from bot.github.revisions import ensure_commits, load_trusted_states
from bot.report.calendar import Links, render_calendar
from bot.report.jinja_env import render_template
from bot.sources import SourceError

SUMMARY_BYTES = 1024 * 1024  # GitHub refuses a step's job summary over 1 MiB
ISSUES_OFF = (403, 410)  # 410: the repository has Issues disabled; 403: the token may not write issues


def run(gh: Client, settings: Settings, summary: str = "") -> dict[str, str]:
    """The whole scheduled run; its outputs. GitHubError and SourceError are the caller's (the run fails): an
    invalid configuration on the default branch is a SourceError (nothing is written); a failure to keep the
    tracking issue is raised only after the pull requests were re-judged."""
    real = dt.datetime.now(dt.UTC).date()
    if settings.today != real:
        print(f"::warning title=modelgate::this calendar run takes the day to be {settings.today.isoformat()} "
              f"(MODELGATE_TODAY or --today), not the UTC date {real.isoformat()}")
    branch = str(gh.repository(settings.repo)["default_branch"])
    sha = gh.branch_tip(settings.repo, branch)
    ensure_commits(settings.workspace, [sha], auth=settings.fetch_auth)
    trust = load_trusted_states(settings.workspace, sha, sha, settings.config_path, settings.fetch_auth).trust
    where = f"{branch} ({sha[:7]})"
    invalid = [f for f in trust.findings if f.rule == "MG001" and f.file == CONFIG_PATH == settings.config_path]
    if invalid:
        first = invalid[0]
        reason = (f"{first.file}:{first.line}: {first.message} (MG001): the configuration of {where} is invalid, "
                  "so the scheduled run writes nothing until it is fixed")
        _summary(summary, None, [reason], None)
        raise SourceError(reason)
    config = trust.config.calendar
    if not config.enabled:
        print(f"modelgate: calendar.enabled is false in the configuration of {where}: nothing to do")
        return {"calendar-issue": "", "rejudged": "[]"}
    calendar = replace(build(trust, settings.today), at=where)
    links = Links(settings.server_url, settings.repo, sha)
    site = tracking_issue.Site(settings.repo, settings.bot_login, config, links=links, policy=trust.config)
    failure: GitHubError | None = None
    try:
        tracked = tracking_issue.sync(gh, site, calendar, tracking_issue.compose(calendar, site))
        tracking_issue.announce(gh, site, tracked, calendar)
    except GitHubError as exc:  # the pull requests are re-judged all the same; the run fails at the end
        failure = exc
        hint = (": Issues must be enabled for the tracking issue, and the token needs issues: write"
                if exc.status in ISSUES_OFF else "")
        tracked = tracking_issue.Tracked(None, log=[f"the tracking issue could not be kept, GitHub answered {exc}"
                                                    f"{hint}; the pull requests are re-judged all the same"])
    rejudged = rejudge.run(gh, settings, branch, sha, trust.config)
    log = [f"the calendar of {where} on {settings.today.isoformat()}: "
           f"{len(calendar.versions)} deprecated contract version(s)", *tracked.log, *rejudged.log,
           f"{len(rejudged.changed)} pull request(s) re-judged"]
    for line in log:  # one line each: a message from GitHub or git cannot start a workflow command of its own
        print(f"modelgate: {' '.join(line.splitlines())}")
    issue = tracked.issue if tracked.issue and tracked.issue.get("html_url") else None
    _summary(summary, calendar, log, issue, links)
    if failure is not None:
        raise failure
    return {"calendar-issue": str(tracked.number or ""), "rejudged": json.dumps(rejudged.changed)}


def _summary(path: str, calendar: Calendar | None, log: list[str], issue: dict[str, object] | None,
             links: Links | None = None) -> None:
    """Append the run's job summary (template ``calendar-summary.md.j2``) to ``path``: the calendar in markdown,
    cut to fit GitHub's limit of :data:`SUMMARY_BYTES`, the tracking issue linked, and the log."""
    if not path:
        return
    lines = [_linked(line, links) for line in log]

    def text(markdown: str) -> str:
        return render_template("calendar-summary.md.j2", calendar=markdown, issue=issue, log=lines)

    markdown = ""
    if calendar is not None:
        room = SUMMARY_BYTES - len(text("").encode("utf-8")) - 1024
        markdown = render_calendar(calendar, "markdown", links=links, limit=max(room // 4, 1024))  # 4 bytes a char
    with Path(path).open("a", encoding="utf-8") as out:
        out.write(text(markdown))


def _linked(line: str, links: Links | None) -> str:
    """A log line as markdown: escaped, each ``#N`` (an issue or pull request of the repository) a link to it."""
    text = markdown_text(line)
    if links is None:
        return text
    return re.sub(r"\\#([0-9]+)\b", lambda m: f"[#{m[1]}]({links.server_url}/{links.repository}/issues/{m[1]})", text)
