"""The shell of :mod:`bot.rollout.derive` on GitHub: the run's marker key, and when GitHub received the head.

The key that signs the bot's reply markers is ``MODELGATE_ROLLOUT_KEY`` (the action's ``rollout-key`` input,
from a repository secret; the workflow token changes every run, so it cannot be the key). Without it no marker
is believed (see :mod:`bot.rollout.derive`); acks and overrides work the same with or without it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from bot.github import pushes
from bot.github.client import Client
from bot.github.deployments import PullRequest
from bot.rollout.derive import Derived, Head, derive, needs_push_time
from bot.rollout.parse import Comment

KEY_ENV = "MODELGATE_ROLLOUT_KEY"


def signing_key() -> bytes | None:
    """The key of the reply markers, or None when the workflow passes none."""
    value = os.environ.get(KEY_ENV, "")
    return value.encode("utf-8") if value else None


def derived(gh: Client, whose: PullRequest, pull: Mapping[str, Any], comments: Sequence[Comment],
            invalidate_on_push: bool) -> Derived:
    """The audit log, acks and overrides of a PR's comments; one call (the head's check suites) only when an
    override, or an ack under ``invalidate_on_push``, needs to know which head it was written for."""
    sha = str(pull["head"]["sha"])
    received = (pushes.received_at(gh, whose.repo, sha, pushes.head_branch(pull))
                if needs_push_time(comments, invalidate_on_push) else None)
    return derive(comments, whose.bot_login, Head(sha, received), invalidate_on_push=invalidate_on_push,
                  key=signing_key())
