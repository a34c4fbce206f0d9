"""The reference's tests of verify_records (tests/test_verify_run.py), run again with the engine in its place: the
same files must give the same results (the engine falls back to the reference only where it says so)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.verify.engine.run import verify_files
from tests import test_verify_run
from tests.test_verify_run import *  # noqa: F403  (the reference's tests, collected again here)


def _engine(expected: Any, records: Any, baseline: Any = None, examples: int = 10, **kwargs: Any) -> Any:
    return verify_files(expected, records, baseline, examples, **kwargs)


@pytest.fixture(autouse=True)
def _on_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(test_verify_run, "verify_records", _engine)
