"""Arguments and edges shared by several subcommands: the clock, output formats, states of the repo."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from bot.cache import configured_dir
from bot.config import Config
from bot.errors import UsageError
from bot.loader import Loader, Parses
from bot.manifests.models import Contract, ContractVersion
from bot.manifests.parse import parse_config
from bot.manifests.snapshot import ManifestFile, Snapshot
from bot.sources import open_source

if TYPE_CHECKING:
    from bot.report.formats import Formats

D = TypeVar("D")


def add_today(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--today", metavar="YYYY-MM-DD",
                        help="the day the check runs (default: $MODELGATE_TODAY, else today in UTC)")


def today(args: argparse.Namespace) -> dt.date:
    """The clock is an edge: ``--today``, then ``MODELGATE_TODAY``, then the UTC calendar day."""
    value = getattr(args, "today", None) or os.environ.get("MODELGATE_TODAY")
    if not value:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"--today / MODELGATE_TODAY: {value!r} is not a date (YYYY-MM-DD)") from exc


def add_format(parser: argparse.ArgumentParser, formats: Formats[Any]) -> None:
    """``--format``: the registry's formats of the command's kind of document, and its default."""
    parser.add_argument("--format", choices=formats.names, default=formats.default,
                        help=f"output format (default {formats.default})")


def show(formats: Formats[D], fmt: str, document: D) -> None:
    """``document`` rendered in ``fmt`` on stdout, ending with a line break (nothing at all when it is empty)."""
    text = formats.render(fmt, document)
    print(text, end="" if not text or text.endswith("\n") else "\n")


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
    """One line on stderr when some manifests of a state could not be read (so a graph may be partial)."""
    files = sorted({f.file for f in snapshot.findings if f.rule == "MG001" and f.file})
    if files:
        print(f"modelgate: warning: {len(files)} file(s) could not be read as manifests and are left out "
              f"({', '.join(files[:3])}{', …' if len(files) > 3 else ''}); run modelgate lint", file=sys.stderr)


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
