"""Suite-wide settings and fixtures.

The parse cache of every run under test lives in a temporary directory: set in the environment (not a fixture)
so the CLI run as a subprocess inherits it too; concurrent xdist workers share it, which is the concurrency the
cache is built for. ``github`` is the GitHub double of tests/github_double.py for tests.action_world.REPO.
``postgres`` and ``spark`` are the real engines of tests/engines.py, started once per session when a test asks.
With ``MODELGATE_DIST`` set, the run stops before any test unless ``bot`` is the installed wheel's (tests/installed.py).
"""

import os
import tempfile
from collections.abc import Iterator

import pytest

from tests.action_world import REPO
from tests.engines import postgres, spark  # noqa: F401  (session fixtures: a real PostgreSQL, a local Spark)
from tests.github_double import GitHubDouble
from tests.installed import check_installed

os.environ.setdefault("MODELGATE_CACHE_DIR", tempfile.mkdtemp(prefix="modelgate-test-cache-"))


def pytest_configure(config: pytest.Config) -> None:
    problem = check_installed()
    if problem:
        raise pytest.UsageError(f"MODELGATE_DIST is set, so the suite tests the installed wheel, but {problem}")


@pytest.fixture
def github() -> Iterator[GitHubDouble]:
    """The GitHub double of ``acme/platform``; the test fails if it was asked anything outside GitHub's API."""
    with GitHubDouble(REPO) as double:
        yield double
    double.assert_clean()
