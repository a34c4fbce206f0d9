"""Arguments and edges shared by several subcommands: the clock, output formats and where a document goes (stdout
or ``--output FILE``, in colour or not), the exit code of ``--fail-on``, states of the repo.

Every document a command prints goes through :func:`show`, so the manners of the output are kept in one place:

- **Where.** ``--output FILE`` writes the document with :func:`bot.files.write_atomically` (a temporary file
  renamed over FILE, a symbolic link written through, a FIFO or device written directly), so a reader never sees
  half a report; a missing directory or an unwritable place is a one-line error (exit 2), never created.
- **Colour.** :func:`color` is the one decision (``--color``, ``NO_COLOR``, ``FORCE_COLOR``/``CLICOLOR_FORCE``,
  ``TERM=dumb``, whether the destination is a terminal); :func:`wants_color` is its pure rule.
- **A closed pipe** (``modelgate check | head -1``): the rest of the document is dropped quietly and the command
  goes on to return its own exit code, which it computed before printing (see :func:`stdout_closed`).

The command line (``bot.cli``) sets the run's global options with :func:`configure` before the command runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, cast

from bot import files
from bot.cache import configured_dir
from bot.config import CONFIG_PATH, Config
from bot.errors import UsageError
from bot.loader import Loader, Parses
from bot.manifests.models import Contract, ContractVersion
from bot.manifests.parse import parse_config
from bot.manifests.snapshot import ManifestFile, Snapshot
from bot.result import SEVERITIES
from bot.sources import open_source

if TYPE_CHECKING:
    from bot.report.formats import Formats
    from bot.result import Finding, Severity

D = TypeVar("D")


def add_today(parser: argparse.ArgumentParser, what: str = "the day the check runs") -> None:
    parser.add_argument("--today", metavar="YYYY-MM-DD",
                        help=f"{what} (default: $MODELGATE_TODAY, else today in UTC)")


def today(args: argparse.Namespace) -> dt.date:
    """The clock is an edge: ``--today``, then ``MODELGATE_TODAY``, then the UTC calendar day. Only YYYY-MM-DD
    (``date.fromisoformat`` alone would take ``20261128`` and ``2026-W48-6`` too)."""
    value = getattr(args, "today", None) or os.environ.get("MODELGATE_TODAY")
    if not value:
        return dt.datetime.now(dt.UTC).date()
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"--today / MODELGATE_TODAY: {value!r} is not a date (YYYY-MM-DD)") from exc


def add_format(parser: argparse.ArgumentParser, formats: Formats[Any]) -> None:
    """``--format``: the registry's formats of the command's kind of document, and its default; and ``--output``,
    where the document goes."""
    parser.add_argument("--format", choices=formats.names, default=formats.default,
                        help=f"output format (default {formats.default})")
    add_output(parser)


def add_output(parser: argparse.ArgumentParser) -> None:
    """``--output FILE``: where the command's document goes (see :func:`put`)."""
    parser.add_argument("--output", "-o", metavar="FILE",
                        help="write the document to FILE (replaced atomically; its directory must exist) instead "
                             "of stdout; '-' is stdout")


def complete_with(action: argparse.Action, words: Callable[[], Iterable[str]]) -> None:
    """Let ``modelgate completion`` offer ``words()`` for a positional without choices (``rules RULE``: the rule
    ids and names). Called only when a completion script is generated, so the command line starts no slower."""
    action.completions = words  # type: ignore[attr-defined]


def completions(action: argparse.Action) -> tuple[str, ...]:
    """The words :func:`complete_with` gave ``action``, read now; none when it gave none."""
    words: Callable[[], Iterable[str]] | None = getattr(action, "completions", None)
    return tuple(words()) if words is not None else ()


ColorMode = Literal["auto", "always", "never"]
COLOR_MODES: Final[tuple[ColorMode, ...]] = ("auto", "always", "never")


@dataclass(frozen=True)
class Output:
    """The run's global output options: ``--color`` and ``--output`` (None or ``-``: stdout)."""

    color: ColorMode = "auto"
    path: str | None = None

    @property
    def to_stdout(self) -> bool:
        return self.path in (None, "-")


_output = Output()  # set once per run by configure(), before the command runs


def configure(args: argparse.Namespace) -> None:
    """Take the run's global output options from the parsed command line (``bot.cli`` calls it)."""
    global _output
    _output = Output(color=getattr(args, "color", "auto"), path=getattr(args, "output", None))


def wants_color(mode: ColorMode, terminal: bool, environ: Mapping[str, str]) -> bool:
    """Whether to paint: ``always`` and ``never`` are final; ``auto`` paints on a terminal, unless ``NO_COLOR`` is
    set and non-empty (https://no-color.org) or ``TERM`` is ``dumb``, and paints off a terminal too when
    ``FORCE_COLOR`` or ``CLICOLOR_FORCE`` is set to anything but empty or ``0`` (CI logs that render ANSI).
    ``NO_COLOR`` wins over those two: the user's no is kept unless the command line says ``--color always``."""
    if mode != "auto":
        return mode == "always"
    if environ.get("NO_COLOR"):
        return False
    if any(environ.get(name, "") not in ("", "0") for name in ("FORCE_COLOR", "CLICOLOR_FORCE")):
        return True
    return terminal and environ.get("TERM") != "dumb"


def color() -> bool:
    """Whether this run's document is painted: :func:`wants_color` on stdout; an ``--output`` file only with
    ``--color always`` (``FORCE_COLOR`` is for logs that render ANSI, not for files)."""
    if not _output.to_stdout:
        return _output.color == "always"
    return wants_color(_output.color, _isatty(sys.stdout), os.environ)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # replaced or closed
        return False


def show(formats: Formats[D], fmt: str, document: D) -> None:
    """``document`` rendered in ``fmt``, ending with a line break (nothing at all when it is empty), on stdout or in
    the ``--output`` file."""
    text = formats.render(fmt, document)
    put(text if not text or text.endswith("\n") else text + "\n")


def put(text: str) -> None:
    """The command's whole document: on stdout (a closed pipe dropped quietly) or in the ``--output`` file."""
    if _output.to_stdout:
        emit(text)
    else:
        write_document(Path(cast(str, _output.path)), text)


def emit(text: str) -> None:
    """``text`` on stdout, flushed; when the reader has gone (a closed pipe), dropped quietly."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        stdout_closed()
    except OSError as exc:  # a full disk, a device that refuses: one line, exit 2, and nothing left to flush
        stdout_closed()
        raise UsageError(f"cannot write the output: {exc.strerror or exc}") from exc


def say(line: str) -> None:
    """One line on stderr (a warning, a note); when stderr's reader has gone, dropped quietly, as stdout's is."""
    try:
        print(line, file=sys.stderr, flush=True)
    except BrokenPipeError:
        _to_null_device(sys.stderr)


def stdout_closed() -> None:
    """The reader of stdout has gone: point stdout at the null device, so that what is still buffered, and the
    interpreter's flush at exit, go nowhere instead of raising again; the command carries on to its exit code.

    The exit code stays the command's own: every command computes its outcome before it prints (a check's
    verdict, a lint's findings), so ``modelgate check | head -1`` exits as ``modelgate check`` would (1 on a
    failing check), which ``set -o pipefail`` reports. Nothing is said on stderr: a closed pipe is the reader's
    choice, not an error."""
    _to_null_device(sys.stdout)


def _to_null_device(stream: Any) -> None:
    """Point ``stream``'s descriptor at the null device: what is still buffered, and the interpreter's flush at exit,
    go nowhere instead of raising again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a file (replaced in-process): nothing to flush
        pass


def write_document(path: Path, text: str) -> None:
    """The document in the ``--output`` file, with :func:`bot.files.write_atomically` (a symbolic link written
    through, a FIFO or a device such as ``/dev/stdout`` written directly). The directory must exist (nothing is
    created silently); any failure (a directory, an unwritable place) is one UsageError (exit 2)."""
    directory = Path(os.path.realpath(path)).parent
    if not directory.is_dir():
        raise UsageError(f"--output {path}: the directory {directory} does not exist")
    if path.is_dir():
        raise UsageError(f"--output {path}: is a directory")
    try:
        files.write_atomically(path, text)
    except OSError as exc:
        raise UsageError(f"--output {path}: {exc.strerror or exc}") from exc


def add_fail_on(parser: argparse.ArgumentParser) -> None:
    """``--fail-on SEVERITY``: the lowest severity of a finding that makes the exit code 1."""
    parser.add_argument("--fail-on", choices=SEVERITIES[::-1], default="error", metavar="SEVERITY",
                        help="exit 1 on a finding of this severity or above that is neither waived nor "
                             "preexisting: error, warning or notice (default error)")


def failing(findings: Iterable[Finding], fail_on: Severity) -> bool:
    """Whether a finding that is neither waived nor preexisting is of ``fail_on``'s severity or above. With
    ``error`` this is exactly a blocking finding (the ``fail`` verdict)."""
    return any(f.fails(fail_on) for f in findings)


def exit_code(findings: Iterable[Finding], fail_on: Severity, failed: bool) -> int:
    """The exit code of check and lint: 1 when the run ``failed`` on its own (a ``fail`` verdict) or a finding fails
    it under ``--fail-on``; else 0. When only ``--fail-on`` made it 1 (the report says pass or pending), one line on
    stderr says so: ``modelgate: failing on 1 warning (--fail-on warning)``."""
    if failed or failing(findings, "error"):
        return 1
    counts: dict[str, int] = {}
    for finding in findings:
        if finding.fails(fail_on):
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
    if not counts:
        return 0
    what = " and ".join(f"{counts[s]} {s}{'' if counts[s] == 1 else 's'}" for s in SEVERITIES[::-1] if s in counts)
    say(f"modelgate: failing on {what} (--fail-on {fail_on})")
    return 1


def load_state(spec: str | None, config_file: str | None = None, show_excluded: bool = False) -> Snapshot:
    """Read one state (a directory, a git revision of the repository here, or None: its working tree).

    ``config_file`` replaces the state's own ``.modelgate.yml``; an invalid one is a UsageError (exit 2).
    ``show_excluded``: also tell which files ``manifests.exclude`` leaves out look like manifests.
    """
    config = config_from_file(config_file) if config_file is not None else None
    source = open_source(spec)
    try:
        return Loader(source, config, show_excluded=show_excluded).load()
    finally:
        source.close()


def config_from_file(config_file: str) -> Config:
    """The configuration in ``config_file`` (``--config``); unreadable or invalid is a UsageError (exit 2)."""
    try:
        data = Path(config_file).read_bytes()
    except OSError as exc:
        raise UsageError(f"--config {config_file}: {exc.strerror}") from exc
    config, problems = parse_config(data, config_file)
    if problems:
        raise UsageError("; ".join(f"{p.file}:{p.line}: {p.message}" for p in problems))
    return config


def parse_ref(text: str) -> tuple[str, int]:
    """``CONTRACT@V`` (or ``contract:CONTRACT@V``) as (name, version); anything else is a UsageError."""
    name, _, version = text.removeprefix("contract:").partition("@")
    if not name or not version.isdigit():
        raise UsageError(f"{text!r}: name the contract version as CONTRACT@V, e.g. {name or 'fraud-score'}@2")
    return name, int(version)


def find_version(snap: Snapshot, name: str, number: int) -> tuple[ManifestFile, int, ContractVersion]:
    """A contract version of ``snap``: its manifest, its index there and its definition; else a UsageError."""
    manifest = snap.contracts.get(name)
    if manifest is None:
        unread = [f for f in snap.findings if f.rule == "MG001"]
        hint = (f"; {len(unread)} manifest problem(s), first {unread[0].file}:{unread[0].line}: {unread[0].message}"
                " (run modelgate lint)") if unread else ""
        known = ", ".join(sorted(snap.contracts)) or "none"
        raise UsageError(f"no contract {name!r} in {snap.label} (contracts: {known}){hint}")
    contract = cast(Contract, manifest.doc)
    for index, version in enumerate(contract.spec.versions):
        if version.version == number:
            return manifest, index, version
    versions = ", ".join(str(v.version) for v in contract.spec.versions)
    raise UsageError(f"contract {name!r} has no version {number} (versions: {versions}) in {manifest.path}")


def warn_unreadable(snapshot: Snapshot) -> None:
    """Lines on stderr for what leaves a state partial: an invalid ``.modelgate.yml`` (the defaults are used), the
    manifests that could not be read, and each manifest left out because its name is already used (MG002: the
    first file by path keeps the name)."""
    config = [f for f in snapshot.findings if f.rule == "MG001" and f.file == CONFIG_PATH]
    if config:
        say(f"modelgate: warning: {CONFIG_PATH} is invalid (line {config[0].line}: {config[0].message}"
            f"{f'; and {len(config) - 1} more problem(s)' if len(config) > 1 else ''}): the defaults are used; "
            "run modelgate lint")
    files = sorted({f.file for f in snapshot.findings if f.rule == "MG001" and f.file and f.file != CONFIG_PATH})
    if files:
        say(f"modelgate: warning: {len(files)} file(s) could not be read as manifests and are left out "
            f"({', '.join(files[:3])}{', …' if len(files) > 3 else ''}); run modelgate lint")
    for manifest in shadowed(snapshot):
        first = (snapshot.models if manifest.kind == "Model" else snapshot.contracts)[manifest.name]
        say(f"modelgate: warning: {manifest.path} is left out: {manifest.kind.lower()} name {manifest.name!r} is "
            f"already used by {first.path} (MG002)")


def shadowed(snapshot: Snapshot) -> list[ManifestFile]:
    """The manifests whose name another file (first by path) already uses: left out of the graph (MG002)."""
    kept = {id(m) for m in (*snapshot.models.values(), *snapshot.contracts.values())}
    return [m for m in snapshot.manifests if m.kind in ("Model", "Contract") and id(m) not in kept]


def add_cache(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cache-dir", metavar="DIR",
                        help="parse cache kept between runs (default $MODELGATE_CACHE_DIR, else "
                             "$XDG_CACHE_HOME/modelgate/parse); 'none' turns it off")


def parses_for(args: argparse.Namespace) -> Parses:
    """The parse memo of this run, backed by the on-disk cache unless ``--cache-dir none``."""
    return Parses.with_cache(configured_dir(getattr(args, "cache_dir", None)))


def add_max_bytes(parser: argparse.ArgumentParser) -> None:
    """``--max-bytes SIZE``: the bound on the decoded records of each file a command verifies."""
    from bot.verify.readers import MAX_BYTES, size_text  # the verifying commands only

    parser.add_argument("--max-bytes", type=_size, default=MAX_BYTES, metavar="SIZE",
                        help=f"refuse a file holding more than SIZE of decoded records, e.g. 4G or 500M "
                             f"(default {size_text(MAX_BYTES)}; each file on its own)")


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}  # binary, as the readers' limits are written


def _size(text: str) -> int:
    """A size in bytes: a whole number, optionally followed by K, M or G (binary: 1K is 1,024 bytes)."""
    number, unit = (text[:-1], text[-1].upper()) if text[-1:].isalpha() else (text, "")
    if not (number.isascii() and number.isdigit()) or unit not in _UNITS or int(number) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size: a whole number > 0, optionally with K, M or G")
    return int(number) * _UNITS[unit]
