"""The ``modelgate`` command line: one subcommand per module of ``bot.commands``.

Each module there has ``add_parser(subparsers)``, which registers its subcommand and sets ``func``.
Errors are one line on stderr (exit 2): the shell's (``UsageError``, ``SourceError``) and the core's
(``DomainError``: an unknown node, unreadable records) alike. ``--debug`` shows the traceback of an internal
error instead.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import pkgutil
import sys
import traceback
from collections.abc import Iterator, Sequence

import bot.commands
from bot import __version__
from bot.errors import DomainError, UsageError
from bot.escape import terminal_text
from bot.sources import SourceError


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or (``only``) of that one: start-up imports just what runs."""
    parser = argparse.ArgumentParser(
        prog="modelgate",
        description="Contract-aware merge gating and staged rollouts for monorepos of ML models.",
    )
    parser.add_argument("--version", action="version", version=f"modelgate {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(bot.commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or (only is not None and info.name != only):
            continue
        module = importlib.import_module(f"bot.commands.{info.name}")
        module.add_parser(subparsers)
    return parser


STREAMING = frozenset({"verify", "gate"})  # commands whose memory must stay flat however long they run


@contextlib.contextmanager
def _cycle_collection_paused(paused: bool) -> Iterator[None]:
    """Run a command without the cyclic garbage collector (reference counting still frees everything else).

    A check builds tens of thousands of objects that live until it ends; the collector would rescan that
    growing heap again and again for cycles it does not contain: a quarter of a warm check at 10,000 models
    (docs/performance.md). Streaming commands keep it, so their memory cannot grow with their input.
    """
    if not paused or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    chosen = next((w for w in words if not w.startswith("-")), None)
    module = chosen.replace("-", "_") if chosen else None
    known = {info.name for info in pkgutil.iter_modules(bot.commands.__path__)}
    parser = build_parser(module if module in known and "-h" not in words and "--help" not in words else None)
    args = parser.parse_args(words)
    try:
        with _cycle_collection_paused(args.command not in STREAMING):
            return int(args.func(args))
    except (UsageError, DomainError, SourceError) as exc:
        print(f"modelgate: error: {terminal_text(str(exc))}", file=sys.stderr)  # names a file or a path: inert
        return 2
    except KeyboardInterrupt:
        print("modelgate: interrupted", file=sys.stderr)
        return 2
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        else:
            print(f"modelgate: internal error: {type(exc).__name__}: {terminal_text(str(exc))} (run with --debug "
                  "for details)",
                  file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
