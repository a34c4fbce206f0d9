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

With nothing changed, a second run on the same day makes only reads (see docs/performance.md for the count).
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.calendar import build
from bot.escape import markdown_text
from bot.github import rejudge, tracking_issue
from bot.github.client import Client
from bot.github.pull_request import Settings
from bot.github.revisions import ensure_commits, load_trusted_states
from bot.report.calendar import Links, render_calendar


def run(gh: Client, settings: Settings, summary: str = "") -> dict[str, str]:
    """The whole scheduled run; its outputs. GitHubError and SourceError are the caller's (the run fails)."""
    branch = str(gh.repository(settings.repo)["default_branch"])
    sha = gh.branch_tip(settings.repo, branch)
    ensure_commits(settings.workspace, [sha], auth=settings.fetch_auth)
    trust = load_trusted_states(settings.workspace, sha, sha, settings.config_path, settings.fetch_auth).trust
    config = trust.config.calendar
    if not config.enabled:
        print(f"modelgate: calendar.enabled is false in the configuration of {branch} ({sha[:12]}): nothing to do")
        return {"calendar-issue": "", "rejudged": "[]"}
    calendar = build(trust, settings.today)
    links = Links(settings.server_url, settings.repo, sha)
    site = tracking_issue.Site(settings.repo, settings.bot_login, config, links=links, policy=trust.config)
    tracked = tracking_issue.sync(gh, site, calendar, tracking_issue.compose(calendar, site))
    tracking_issue.announce(gh, site, tracked, calendar)
    rejudged = rejudge.run(gh, settings, branch, sha, trust.config)
    log = [f"the calendar of {branch} ({sha[:12]}) on {settings.today.isoformat()}: "
           f"{len(calendar.versions)} deprecated contract version(s)", *tracked.log, *rejudged.log,
           f"{len(rejudged.changed)} pull request(s) re-judged"]
    for line in log:  # one line each: a message from GitHub or git cannot start a workflow command of its own
        print(f"modelgate: {' '.join(line.splitlines())}")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as out:
            out.write(render_calendar(calendar, "markdown", links=links) + "\n\n"
                      + "".join(f"- {markdown_text(line)}\n" for line in log))
    return {"calendar-issue": str(tracked.number or ""), "rejudged": json.dumps(rejudged.changed)}
