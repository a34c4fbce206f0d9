"""Arguments and edges shared by several subcommands: the clock, output formats, states of the repo."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from bot.cache import configured_dir
from bot.config import Config
from bot.errors import UsageError
from bot.loader import Loader, Parses
from bot.manifests.parse import parse_config
from bot.manifests.snapshot import Snapshot
from bot.sources import open_source

FORMATS = ("text", "markdown", "json", "github")


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


def add_format(parser: argparse.ArgumentParser, choices: tuple[str, ...] = FORMATS, default: str = "text") -> None:
    parser.add_argument("--format", choices=choices, default=default, help=f"output format (default {default})")


def load_state(spec: str | None, config_file: str | None = None) -> Snapshot:
    """Read one state (a directory, a git revision of the repository here, or None: its working tree).

    ``config_file`` replaces the state's own ``.modelgate.yml``; an invalid one is a UsageError (exit 2).
    """
    config = config_from_file(config_file) if config_file is not None else None
    source = open_source(spec)
    try:
        return Loader(source, config).load()
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
