"""Colour: one decision (``bot.commands._common.wants_color``) from ``--color``, ``NO_COLOR``, ``FORCE_COLOR`` /
``CLICOLOR_FORCE``, ``TERM`` and whether stdout is a terminal; through the real command line under a pty."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from bot.commands._common import ColorMode, wants_color
from tests.helpers import BOT_HOME, GIT_ENV, REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "fraud-platform"
CHECK = ["check", "--base", str(EXAMPLE / "base"), "--head", str(EXAMPLE / "head"), "--today", "2026-11-28",
         "--cache-dir", "none"]
ESC = "\x1b["
COLOUR_VARIABLES = ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "TERM")


def environment(extra: dict[str, str]) -> dict[str, str]:
    plain = {k: v for k, v in os.environ.items() if k not in COLOUR_VARIABLES}
    return {**plain, "PYTHONPATH": str(BOT_HOME), **GIT_ENV, "TERM": "xterm", **extra}


def under_pty(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """The CLI with stdout a terminal (a pty): its exit code and what it printed there."""
    main, terminal = pty.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "bot", *args], stdout=terminal, stderr=subprocess.PIPE,
                                   cwd=REPO_ROOT, env=environment(env or {}))
    finally:
        os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the terminal's other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert process.stderr is not None
    process.stderr.close()
    return process.wait(), b"".join(chunks).decode()


def in_pipe(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, check=False,
                          cwd=REPO_ROOT, env=environment(env or {}))


def test_a_terminal_is_painted_by_default() -> None:
    code, shown = under_pty(*CHECK)
    assert code == 1
    assert ESC in shown


def test_no_color_turns_it_off_on_a_terminal() -> None:
    code, shown = under_pty(*CHECK, "--color", "auto", env={"NO_COLOR": "1"})
    assert code == 1
    assert "modelgate: fail" in shown
    assert ESC not in shown


def test_never_is_never_painted_on_a_terminal() -> None:
    code, shown = under_pty("--color", "never", *CHECK)
    assert (code, ESC in shown) == (1, False)


def test_always_paints_into_a_pipe_even_with_no_color() -> None:
    done = in_pipe(*CHECK, "--color", "always", env={"NO_COLOR": "1"})
    assert done.returncode == 1
    assert ESC in done.stdout


def test_a_pipe_is_plain_by_default_and_force_color_paints_it() -> None:
    assert ESC not in in_pipe(*CHECK).stdout
    assert ESC in in_pipe(*CHECK, env={"FORCE_COLOR": "1"}).stdout


def test_an_output_file_is_plain_on_a_terminal(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    code, shown = under_pty(*CHECK, "--output", str(report))
    assert (code, shown) == (1, "")
    assert report.read_text(encoding="utf-8").startswith("modelgate: fail")
    assert ESC not in report.read_text(encoding="utf-8")


def test_an_output_file_is_painted_only_when_always(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    assert in_pipe(*CHECK, "-o", str(report), env={"FORCE_COLOR": "1"}).returncode == 1
    assert ESC not in report.read_text(encoding="utf-8")
    assert in_pipe(*CHECK, "-o", str(report), "--color", "always").returncode == 1
    assert ESC in report.read_text(encoding="utf-8")


@pytest.mark.parametrize(("mode", "terminal", "environ", "painted"), [
    ("auto", True, {}, True),
    ("auto", False, {}, False),
    ("auto", True, {"NO_COLOR": "1"}, False),
    ("auto", True, {"NO_COLOR": ""}, True),  # set but empty: no-color.org says it does not count
    ("auto", True, {"TERM": "dumb"}, False),
    ("auto", False, {"FORCE_COLOR": "1"}, True),
    ("auto", False, {"FORCE_COLOR": "0"}, False),
    ("auto", False, {"CLICOLOR_FORCE": "1"}, True),
    ("auto", False, {"CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, False),
    ("always", False, {"NO_COLOR": "1"}, True),
    ("never", True, {"FORCE_COLOR": "1"}, False),
])
def test_wants_color(mode: ColorMode, terminal: bool, environ: dict[str, str], painted: bool) -> None:
    assert wants_color(mode, terminal, environ) is painted
