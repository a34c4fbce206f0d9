"""When GitHub received a pull request's head: the time that says which head a comment was written for.

A commit's author and committer dates are whatever the pusher wrote (``git commit --date``,
``GIT_COMMITTER_DATE``), and so are the dates of the PR timeline's "committed" events: a commit pushed after a
``/rollout`` comment can claim to be older. What GitHub sets itself is the ``created_at`` of the check suites it
creates for the commit when it receives the push (``GET /repos/{owner}/{repo}/commits/{ref}/check-suites``).
The head was received at the earliest of them, counting the suites of the PR's head branch and those that name no
branch (GitHub names none for a push to a fork); a suite created for a push of the same commit to another branch
says nothing of when it reached this PR. No such suite: the time is unknown, and nothing may be taken as written
for that head. One call per head and run (remembered per client); one page of 100 suites.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.github.client import Client, parse_time

_SEEN: weakref.WeakKeyDictionary[Client, dict[tuple[str, str, str], datetime | None]] = weakref.WeakKeyDictionary()


def head_branch(pull: Mapping[str, Any]) -> str:
    """The PR's head branch (``head.ref``)."""
    head = pull.get("head")
    return str(head.get("ref") or "") if isinstance(head, Mapping) else ""


def received_at(gh: Client, repo: str, sha: str, branch: str) -> datetime | None:
    """When GitHub received ``sha`` as a push to ``branch`` (see the module), or None when it cannot tell."""
    seen = _SEEN.setdefault(gh, {})
    key = (repo, sha, branch)
    if key not in seen:
        seen[key] = earliest(gh.check_suites(repo, sha).get("check_suites"), sha, branch)
    return seen[key]


def earliest(suites: Any, sha: str, branch: str) -> datetime | None:
    """The earliest ``created_at`` of the suites of ``sha`` on ``branch`` or on no named branch."""
    if not isinstance(suites, list):
        return None
    times = [when for suite in suites if isinstance(suite, Mapping) and suite.get("head_sha") == sha
             and suite.get("head_branch") in (None, branch)
             and (when := parse_time(suite.get("created_at"))) is not None]
    return min(times, default=None)

