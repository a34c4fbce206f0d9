"""The one writer of whole files: :func:`write_atomically` (shell: it touches the file system).

Every file the project writes in one piece goes through it: a command's ``--output FILE`` and ``export --out DIR``,
the SARIF file of code scanning, and the two caches' entries. A reader (another process, a concurrent run of the
same cache) sees the old file or the whole new one, never half of one:

- **A regular file** (or a new one) is written to a temporary file in the same directory, then renamed over it
  (``rename`` is atomic within a file system). A replaced file keeps its permission bits; a new one gets those the
  umask gives (``mode`` fixes them instead).
- **A symbolic link** is written through: the file it finally points to is replaced, atomically, by a temporary
  file in *that* file's directory, and the link stays a link (as ``sed -i --follow-symlinks`` and editors do). A
  dangling link creates its target.
- **Anything else** (a FIFO, a device, ``/dev/stdout``, a descriptor under ``/dev/fd`` or ``/proc``) cannot be
  renamed over without breaking it: it is opened and written directly.

Errors are ``OSError`` (the temporary file removed); callers turn them into their own message.

:func:`create_new` writes a file that must not exist yet (``modelgate init``): the same temporary file, published
with a hard link, which fails when the name is taken (by a file, a directory or a link, dangling or not), so an
existing file is never replaced, even one that appears meanwhile. Where hard links are not supported it opens the
name exclusively instead (a partial file is removed on error).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

_SPECIAL_ROOTS = ("/dev/", "/proc/")  # names of descriptors and devices: /dev/stdout, /dev/fd/3, /proc/self/fd/1


def write_atomically(path: Path, data: str | bytes, *, mode: int | None = None, durable: bool = True,
                     prefix: str | None = None) -> None:
    """Write ``data`` (text as UTF-8, line ends as given) to ``path`` as a whole; see the module's docstring.

    ``mode``: the permission bits of the file written (default: a replaced file's own, else what the umask gives).
    ``durable``: fsync the data before the rename (a cache, which may be lost, skips it).
    ``prefix``: the temporary file's name starts with it (default ``.NAME.``); it ends in ``.tmp``.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if _is_special(path):
        _write_directly(path, payload)
        return
    target = Path(os.path.realpath(path))  # through any symbolic links: the link itself is kept
    try:
        current = target.stat()
    except FileNotFoundError:
        current = None
    if current is not None and stat.S_ISDIR(current.st_mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    if mode is None:
        mode = stat.S_IMODE(current.st_mode) if current is not None else 0o666 & ~_umask()
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=prefix or f".{target.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
            file.flush()
            if durable:
                os.fsync(file.fileno())
        temporary.chmod(mode)
        temporary.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def create_new(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` only if nothing has that name: True when written, False when the name is taken.
    The permission bits are what the umask gives. Other errors are ``OSError``."""
    if os.path.lexists(path):
        return False
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        temporary.chmod(0o666 & ~_umask())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            return _create_exclusively(path, data)
        return True
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


_NO_HARD_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS})


def _create_exclusively(path: Path, data: bytes) -> bool:
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        return False
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return True


def _is_special(path: Path) -> bool:
    """Whether ``path`` names an existing file that is not a regular one (a FIFO, a device), or a descriptor or
    device by its name under /dev or /proc (``/dev/stdout`` may lead to a regular file: still not to be
    replaced)."""
    if str(path.absolute()).startswith(_SPECIAL_ROOTS) and path.exists():
        return True
    try:
        kind = path.stat().st_mode
    except OSError:  # missing (a new file), or a dangling link
        return False
    return not stat.S_ISREG(kind) and not stat.S_ISDIR(kind)


def _write_directly(path: Path, payload: bytes) -> None:
    with path.open("wb") as file:
        file.write(payload)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
