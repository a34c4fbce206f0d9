"""``MODELGATE_REQUIRE_E2E``: the switch that turns the skip of an end-to-end test into a failure.

The end-to-end tests that need a tool or the network (zsh and fish for the completion scripts, ``act`` and PyPI
for the action, the package index for pipx) skip cleanly, with the reason, on a machine without them. CI
(``.ci/run``) sets ``MODELGATE_REQUIRE_E2E=1``, where such a skip would hide a test that never ran: there, the
same reason fails the test instead.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_E2E = "MODELGATE_REQUIRE_E2E"


def e2e_required() -> bool:
    """Whether the end-to-end tests may not skip (``MODELGATE_REQUIRE_E2E`` set, and not to ``0``)."""
    return os.environ.get(REQUIRE_E2E, "") not in ("", "0")


def unavailable(reason: str) -> NoReturn:
    """Skip the test for ``reason`` (what it needs is missing), or fail it when end-to-end tests are required."""
    if e2e_required():
        pytest.fail(f"{reason}; {REQUIRE_E2E} is set, so this end-to-end test may not skip", pytrace=False)
    pytest.skip(reason)
