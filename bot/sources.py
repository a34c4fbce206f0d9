"""Where a state of the monorepo comes from: a directory, a git revision, or the working tree.

A source lists files (repository-relative, ``/``-separated) with a content id, and reads bytes. A git
revision is read from git objects (``git ls-tree`` plus one long-lived ``git cat-file --batch``), never by
checking it out, so nothing from a pull request is ever written to disk or run.
"""

from __future__ import annotations

import functools
import os
import subprocess
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from bot.manifests.codec import blob_id as blob_id  # the content key of every source: git's blob id


class SourceError(Exception):
    """A state that cannot be read at all (an unknown revision, a missing directory)."""


@dataclass(frozen=True)
class Entry:
    path: str
    blob: str
    size: int
    outside: bool = False  # a symbolic link whose target leaves the repository


class Source(Protocol):
    label: str

    def entries(self) -> Iterator[Entry]: ...

    def read(self, path: str) -> bytes | None:
        """The bytes of a listed file (None if it is not one, or is a link leaving the repository)."""

    def read_many(self, entries: list[Entry]) -> Iterator[tuple[Entry, bytes]]:
        """The bytes of many listed files, in the fastest way this source has (a file that vanished is left out)."""

    def link_target(self, entry: Entry) -> bytes | None:
        """What a link leaving the repository (``entry.outside``) points at, when the source stores it; else None."""

    def close(self) -> None: ...


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


class DirectorySource:
    """Every file below a directory (``.git`` excepted); links leaving it are flagged, never followed."""

    def __init__(self, root: str | Path, label: str | None = None) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise SourceError(f"{root}: not a directory")
        self.label = label or str(root)

    def entries(self) -> Iterator[Entry]:
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if d != ".git" and not (Path(dirpath) / d).is_symlink())
            for name in sorted(filenames):
                full = Path(dirpath) / name
                rel = full.relative_to(self.root).as_posix()
                if full.is_symlink() and not _inside(self.root, full):
                    yield Entry(rel, "", 0, outside=True)
                    continue
                try:
                    size = full.stat().st_size
                except OSError:
                    continue
                yield Entry(rel, "", size)

    def read(self, path: str) -> bytes | None:
        full = self.root / path
        if not _inside(self.root, full) or not full.is_file():
            return None
        return full.read_bytes()

    def read_many(self, entries: list[Entry]) -> Iterator[tuple[Entry, bytes]]:
        for entry in entries:
            data = self.read(entry.path)
            if data is not None:
                yield entry, data

    def link_target(self, entry: Entry) -> bytes | None:
        """None: a link leaving the directory is never followed, not even to read where it points."""
        del entry
        return None

    def close(self) -> None:
        return None


def git(repo: str | Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    """Run one git command in ``repo`` (in ``env``, else this process's environment) and return its output; a
    failure is a SourceError."""
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False, env=env)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SourceError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done.stdout.decode("utf-8", "surrogateescape")


class BlobReader:
    """Blobs of one repository by id, one at a time, through a long-lived ``git cat-file --batch``."""

    def __init__(self, repo: str | Path) -> None:
        self.repo = Path(repo)
        self._batch: subprocess.Popen[bytes] | None = None

    def read(self, sha: str) -> bytes | None:
        if self._batch is None:
            self._batch = subprocess.Popen(
                ["git", "-C", str(self.repo), "cat-file", "--batch"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )
        stdin: IO[bytes] = self._batch.stdin  # type: ignore[assignment]
        stdout: IO[bytes] = self._batch.stdout  # type: ignore[assignment]
        stdin.write(sha.encode() + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        if len(header) != 3:
            return None
        data = stdout.read(int(header[2]))
        stdout.read(1)
        return data

    def close(self) -> None:
        if self._batch is not None:
            if self._batch.stdin:
                self._batch.stdin.close()
            self._batch.wait()
            if self._batch.stdout:
                self._batch.stdout.close()
            self._batch = None


class GitRevisionSource:
    """The tree of one revision, read from git objects through one ``git cat-file --batch`` process."""

    def __init__(self, repo: str | Path, rev: str, label: str | None = None) -> None:
        self.repo = Path(repo)
        self.commit = git(self.repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
        self.label = label or rev
        self._reader = BlobReader(self.repo)
        self._index: dict[str, Entry] = {}

    @functools.cached_property
    def tree(self) -> str:
        """The id of this revision's tree: the same files with the same modes give the same id, in any commit."""
        return git(self.repo, "rev-parse", "--verify", f"{self.commit}^{{tree}}").strip()

    def entries(self) -> Iterator[Entry]:
        out = git(self.repo, "ls-tree", "-r", "-l", "-z", "--full-tree", self.commit)
        for record in out.split("\0"):
            if not record:
                continue
            meta, path = record.split("\t", 1)
            mode, kind, sha, size = meta.split()
            if kind != "blob":
                continue
            entry = Entry(path, sha, int(size), outside=mode == "120000")
            self._index[path] = entry
            yield entry

    def read_blob(self, sha: str) -> bytes | None:
        return self._reader.read(sha)

    def read_blobs(self, shas: list[str]) -> Iterator[tuple[str, bytes]]:
        """Read many blobs through one pipelined ``git cat-file --batch --buffer``.

        A writer thread sends every id while this thread reads the answers, so there is no round trip per
        blob: 15,000 manifests read in well under a second where one request at a time takes seconds.
        """
        proc = subprocess.Popen(
            ["git", "-C", str(self.repo), "cat-file", "--batch", "--buffer"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        stdin: IO[bytes] = proc.stdin  # type: ignore[assignment]
        stdout: IO[bytes] = proc.stdout  # type: ignore[assignment]

        def feed() -> None:
            try:
                stdin.write("".join(f"{sha}\n" for sha in shas).encode())
            finally:
                stdin.close()

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            for sha in shas:
                header = stdout.readline().split()
                if len(header) != 3:
                    continue
                data = stdout.read(int(header[2]))
                stdout.read(1)
                yield sha, data
        finally:
            writer.join()
            stdout.close()
            proc.wait()

    def read_many(self, entries: list[Entry]) -> Iterator[tuple[Entry, bytes]]:
        """One pipelined read of the entries' blobs (``read_blobs``), each blob read once however many list it."""
        by_blob: dict[str, list[Entry]] = {}
        for entry in entries:
            by_blob.setdefault(entry.blob, []).append(entry)
        for sha, data in self.read_blobs(list(by_blob)):
            for entry in by_blob[sha]:
                yield entry, data

    def link_target(self, entry: Entry) -> bytes | None:
        """A symbolic link is a blob in git: its bytes are the target."""
        return self.read_blob(entry.blob) if entry.blob else None

    def read(self, path: str) -> bytes | None:
        if not self._index:
            for _ in self.entries():
                pass
        entry = self._index.get(path)
        if entry is None or entry.outside:
            return None
        return self.read_blob(entry.blob)

    def close(self) -> None:
        self._reader.close()


class WorktreeSource(DirectorySource):
    """The working tree of a git repository as it is on disk, uncommitted changes included.

    Files are those git tracks plus untracked ones it does not ignore.
    """

    def __init__(self, repo: str | Path, label: str = "working tree") -> None:
        top = git(repo, "rev-parse", "--show-toplevel").strip()
        super().__init__(top, label)

    def entries(self) -> Iterator[Entry]:
        out = git(self.root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate")
        for path in sorted(set(filter(None, out.split("\0")))):
            full = self.root / path
            if full.is_symlink() and not _inside(self.root, full):
                yield Entry(path, "", 0, outside=True)
            elif full.is_file():
                yield Entry(path, "", full.stat().st_size)


def open_source(spec: str | None, cwd: str | Path = ".") -> Source:
    """A directory path, a git revision of the repository at ``cwd``, or (None) its working tree: outside a
    git repository, the directory ``cwd`` itself."""
    if spec is None:
        try:
            return WorktreeSource(cwd)
        except SourceError:
            return DirectorySource(cwd, label=str(cwd))
    if Path(spec).is_dir():
        return DirectorySource(spec, label=spec)
    try:
        return GitRevisionSource(cwd, spec)
    except SourceError as exc:
        where = "of the repository here" if _in_repository(cwd) else "(and this is not a git repository)"
        raise SourceError(f"{spec!r} is neither a directory nor a git revision {where}") from exc


def _in_repository(cwd: str | Path) -> bool:
    try:
        git(cwd, "rev-parse", "--git-dir")
    except SourceError:
        return False
    return True


def merge_base(repo: str | Path, base: str, head: str) -> str:
    """The commit a pull request branched from; falls back to ``base`` when there is none."""
    try:
        return git(repo, "merge-base", base, head).strip()
    except SourceError:
        return git(repo, "rev-parse", "--verify", f"{base}^{{commit}}").strip()
