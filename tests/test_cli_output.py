"""``--output FILE`` of every command printing a document (``bot.commands._common.show``): the whole document
written atomically, the exit code unchanged, a missing directory one error line, ``-`` stdout."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.commands._common import write_document
from bot.errors import UsageError
from tests.helpers import run_cli
from tests.test_cli_color import CHECK


def test_a_failing_check_into_a_file_keeps_exit_1(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    done = run_cli(*CHECK, "--format", "json", "--output", str(target))
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "")
    on_stdout = run_cli(*CHECK, "--format", "json")
    assert target.read_text(encoding="utf-8") == on_stdout.stdout
    assert os.listdir(tmp_path) == ["report.json"]  # no temporary file left beside it


HEAD = "examples/fraud-platform/head"
SCHEMA = f"{HEAD}/schemas/device-features.v2.json"
DOCUMENTS = [["rules", "MG101"], ["rules", "--format", "markdown"], ["lint", "examples"], ["graph", "--at", HEAD],
             ["impact", "fraud-scorer", "--at", HEAD], ["schema-diff", SCHEMA, SCHEMA, "--format", "json"],
             ["verify", "fraud-score@2", "--records", "{tmp}/records.jsonl", "--at", HEAD],
             ["gate", "--model", "fraud-scorer", "--stage", "shadow", "--metrics", "{tmp}/metrics.json", "--at", HEAD],
             ["export", "openlineage", "--at", HEAD, "--today", "2026-11-28"], ["completion", "fish"],
             ["schema", "--kind", "config"],
             ["init", "--dir", "{tmp}", "--dry-run"],
             ["calendar", "--at", HEAD, "--today", "2026-11-28", "--format", "ics"],
             ["check", "--base", "examples/fraud-platform/base", "--head", HEAD, "--today", "2026-11-28"]]


def test_every_command_that_prints_a_document_takes_output_and_is_tried_here() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    takes = {name for name, sub in commands.items() if any("--output" in a.option_strings for a in sub._actions)}
    assert takes == set(commands) - {"action"}  # action's output goes to GitHub, not to a document
    # import's document is the diff of --check, which needs an importer: tests/test_cli_import.py tries it
    assert takes == {args[0] for args in DOCUMENTS} | {"import"}


@pytest.mark.parametrize("args", DOCUMENTS)
def test_every_document_command_writes_what_it_would_print(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "records.jsonl").write_text('{"transaction_id": "t", "score": 0.5}\n', encoding="utf-8")
    (tmp_path / "metrics.json").write_text('{"candidate": {"score_psi": 0.1}}', encoding="utf-8")
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    target = tmp_path / "out"
    done = run_cli(*args, "-o", str(target))
    printed = run_cli(*args)
    assert (done.returncode, done.stdout) == (printed.returncode, "")
    assert target.read_text(encoding="utf-8") == printed.stdout != ""


def test_dash_is_stdout() -> None:
    assert run_cli("rules", "--output", "-").stdout == run_cli("rules").stdout


def test_a_missing_directory_is_one_line_and_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "report.txt"
    done = run_cli(*CHECK, "--output", str(target))
    assert done.returncode == 2
    assert done.stderr == f"modelgate: error: --output {target}: the directory {target.parent} does not exist\n"
    assert not target.parent.exists()


def test_a_directory_is_refused(tmp_path: Path) -> None:
    done = run_cli("rules", "--output", str(tmp_path))
    assert (done.returncode, done.stderr) == (2, f"modelgate: error: --output {tmp_path}: is a directory\n")


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "doc.md"
    target.write_text("old\n")
    target.chmod(0o640)
    write_document(target, "new\n")
    assert (target.read_text(), stat.S_IMODE(target.stat().st_mode)) == ("new\n", 0o640)


def test_a_new_file_has_the_mode_of_the_umask(tmp_path: Path) -> None:
    mask = os.umask(0o027)
    try:
        write_document(tmp_path / "doc.md", "x\n")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "doc.md").stat().st_mode) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "doc.md"
    target.write_text("old\n")

    def full(self: Path, other: Path) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", full)
    with pytest.raises(UsageError, match="No space left on device"):
        write_document(target, "new\n")
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["doc.md"]


def test_an_unwritable_directory_is_one_line_and_exit_2() -> None:
    done = run_cli("rules", "-o", "/proc/modelgate-report")  # /proc exists; nobody may create a file in it
    assert done.returncode == 2
    assert done.stderr.startswith("modelgate: error: --output /proc/modelgate-report: ")
    assert done.stderr.count("\n") == 1 and "internal error" not in done.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory")
def test_a_read_only_directory_is_one_line_and_exit_2(tmp_path: Path) -> None:
    tmp_path.chmod(0o555)
    try:
        done = run_cli("rules", "-o", str(tmp_path / "doc.txt"))
    finally:
        tmp_path.chmod(0o755)
    assert (done.returncode, done.stderr) == (2, f"modelgate: error: --output {tmp_path / 'doc.txt'}: "
                                                 "Permission denied\n")


def test_a_symbolic_link_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "doc.txt"
    target.write_text("old\n")
    link = tmp_path / "doc.txt"
    link.symlink_to(target)
    done = run_cli("rules", "-o", str(link))
    assert (done.returncode, done.stderr) == (0, "")
    assert link.is_symlink() and link.readlink() == target
    assert target.read_text(encoding="utf-8") == run_cli("rules").stdout
    assert sorted(os.listdir(tmp_path / "real")) == ["doc.txt"]  # the temporary file was beside the target


def test_dev_stdout_is_written_directly(tmp_path: Path) -> None:
    done = run_cli("rules", "-o", "/dev/stdout")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == run_cli("rules").stdout


def test_a_fifo_is_written_directly_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    done = run_cli("rules", "-o", str(fifo))
    out, _ = reader.communicate()
    assert (done.returncode, done.stderr) == (0, "")
    assert out == run_cli("rules").stdout
    assert stat.S_ISFIFO(fifo.stat().st_mode)
