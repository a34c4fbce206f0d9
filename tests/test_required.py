"""``tests/required.py``: an end-to-end test missing what it needs skips, and fails when MODELGATE_REQUIRE_E2E is
set (as .ci/run sets it), so CI never passes with an end-to-end test that did not run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT

PROBE = '''
from tests.required import unavailable


def test_needs_a_tool() -> None:
    unavailable("the tool is not installed")
'''


@pytest.mark.parametrize(("value", "outcome"), [(None, "1 skipped"), ("0", "1 skipped"), ("1", "1 failed")])
def test_a_missing_tool_skips_unless_e2e_is_required(tmp_path: Path, value: str | None, outcome: str) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "MODELGATE_REQUIRE_E2E"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    if value is not None:
        env["MODELGATE_REQUIRE_E2E"] = value
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", str(probe)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert outcome in done.stdout, done.stdout
    assert "the tool is not installed" in done.stdout


def test_ci_requires_the_end_to_end_tests_and_runs_the_readmes_command_as_written() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    command = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/pytest -n 2"
    assert command in readme and command in ci
    assert ci.index("export MODELGATE_REQUIRE_E2E=1\n") < ci.index(command)
