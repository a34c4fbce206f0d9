"""``bot.files.write_atomically``, the one writer of whole files: a regular file replaced by rename, a symbolic link
written through to its target, a FIFO written directly, nothing left behind on failure."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from bot.files import write_atomically


def test_a_new_file_and_a_replaced_one(tmp_path: Path) -> None:
    target = tmp_path / "doc.txt"
    write_atomically(target, "one\r\n")
    assert target.read_bytes() == b"one\r\n"  # line ends as given
    write_atomically(target, b"\x00two")
    assert (target.read_bytes(), os.listdir(tmp_path)) == (b"\x00two", ["doc.txt"])


def test_a_link_to_a_file_in_another_directory_is_written_through(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    real = tmp_path / "b" / "real.txt"
    real.write_text("old")
    real.chmod(0o604)
    link = tmp_path / "a" / "link.txt"
    link.symlink_to(Path("..") / "b" / "real.txt")
    write_atomically(link, "new")
    assert link.is_symlink() and link.readlink() == Path("..") / "b" / "real.txt"
    assert (real.read_text(), stat.S_IMODE(real.stat().st_mode)) == ("new", 0o604)
    assert os.listdir(tmp_path / "a") == ["link.txt"] and os.listdir(tmp_path / "b") == ["real.txt"]


def test_a_dangling_link_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to("made.txt")
    write_atomically(link, "x")
    assert link.is_symlink() and (tmp_path / "made.txt").read_text() == "x"


def test_a_fifo_is_written_directly(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_atomically(fifo, "through the pipe\n")
    reader.join()
    assert got == [b"through the pipe\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode) and os.listdir(tmp_path) == ["pipe"]


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        write_atomically(tmp_path, "x")


def test_an_unwritable_place_is_an_oserror_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_atomically(Path("/proc/modelgate-test"), "x")


def test_a_failure_after_the_temporary_file_removes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Path, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(Path, "chmod", refuse)
    with pytest.raises(PermissionError):
        write_atomically(tmp_path / "doc.txt", "x")
    assert os.listdir(tmp_path) == []


def test_a_cache_entry_has_the_given_mode_and_prefix_while_written(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    replace = Path.replace

    def spy(self: Path, other: Path) -> Path:
        seen.append(self.name)
        return replace(self, other)

    monkeypatch.setattr(Path, "replace", spy)
    write_atomically(tmp_path / "entry.json", b"{}", mode=0o600, durable=False, prefix=".tmp-")
    assert seen[0].startswith(".tmp-") and seen[0].endswith(".tmp")
    assert stat.S_IMODE((tmp_path / "entry.json").stat().st_mode) == 0o600
