"""A closed stdout ends quietly with the command's own exit code, through the real command line (a subprocess
whose stdout is a pipe the reader closes): ``bot.cli`` and ``bot.commands._common.show``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import BOT_HOME, GIT_ENV, REPO_ROOT, chain_repo, write_tree

EXAMPLE = REPO_ROOT / "examples" / "fraud-platform"
CHECK = ["check", "--base", str(EXAMPLE / "base"), "--head", str(EXAMPLE / "head"), "--today", "2026-11-28",
         "--cache-dir", "none"]
ENV = {**os.environ, "PYTHONPATH": str(BOT_HOME), **GIT_ENV}


def run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI with stdout a pipe whose reading end is closed before it starts: its first write fails."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "bot", *args], stdout=write, stderr=subprocess.PIPE, text=True,
                              check=False, cwd=REPO_ROOT, env=ENV)
    finally:
        os.close(write)


def run_reading_one_line(*args: str, cwd: Path = REPO_ROOT) -> tuple[str, int, str]:
    """Run the CLI, read the first line of its stdout, close the pipe, and return (line, exit code, stderr)."""
    process = subprocess.Popen([sys.executable, "-m", "bot", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=cwd, env=ENV)
    assert process.stdout is not None and process.stderr is not None
    line = process.stdout.readline().decode()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    return line, process.wait(), stderr


def test_a_failing_check_into_a_closed_pipe_exits_1_and_says_nothing() -> None:
    done = run_into_closed_pipe(*CHECK)
    assert (done.returncode, done.stderr) == (1, "")


def test_a_passing_command_into_a_closed_pipe_exits_0() -> None:
    done = run_into_closed_pipe("rules", "--format", "markdown")
    assert (done.returncode, done.stderr) == (0, "")


def test_help_into_a_closed_pipe_exits_0_without_exception_ignored() -> None:
    done = run_into_closed_pipe("check", "--help")
    assert (done.returncode, done.stderr) == (0, "")


def test_a_large_graph_read_one_line_then_closed(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", chain_repo(400))
    line, code, stderr = run_reading_one_line("graph", "--at", str(root), "--format", "json")
    assert line == "{\n"
    assert (code, stderr) == (0, "")


def test_the_large_graph_is_larger_than_a_pipe_holds(tmp_path: Path) -> None:
    """What makes the test above meet a closed pipe: the output cannot all sit in the pipe's buffer (64 KiB)."""
    root = write_tree(tmp_path / "repo", chain_repo(400))
    done = subprocess.run([sys.executable, "-m", "bot", "graph", "--at", str(root), "--format", "json"],
                          capture_output=True, check=False, cwd=REPO_ROOT, env=ENV)
    assert done.returncode == 0
    assert len(done.stdout) > 3 * 65536


def test_check_piped_into_head_keeps_its_exit_code_under_pipefail() -> None:
    command = " ".join([sys.executable, "-m", "bot", *CHECK]) + " | head -1; echo \"status=${PIPESTATUS[0]}\""
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, check=False,
                          cwd=REPO_ROOT, env=ENV)
    first, status = done.stdout.splitlines()
    assert first.startswith("modelgate: fail")
    assert status == "status=1"
    assert done.stderr == ""
