"""The ``modelgate`` command line: one subcommand per module of ``bot.commands``.

Each module there has ``add_parser(subparsers)``, which registers its subcommand and sets ``func``.
Errors are one line on stderr (exit 2): the shell's (``UsageError``, ``SourceError``) and the core's
(``DomainError``: an unknown node, unreadable records) alike. ``--debug`` shows the traceback of an internal
error instead.

The global options (``--debug``, ``--color``) are accepted before the subcommand and after it: each subcommand's
parser (and a nested one's) gets them too, with no default of its own (``argparse.SUPPRESS``), so a value given
before the subcommand is not overwritten by the subparser's default. Only the chosen subcommand's parser is
built (start-up time); :func:`command_word` finds it, skipping the value of a global option that takes one
(``--color never check``: the command is ``check``).

A closed stdout (``modelgate check | head -1``) ends quietly with the command's own exit code: documents are
printed by ``bot.commands._common.show``, which drops the rest and lets the command return its code. A closed
pipe met anywhere else (a command interrupted halfway, whose own code is not known yet) ends with 141, the code
a shell gives a program that the pipe's SIGPIPE ended, as ``git`` or ``cat`` do.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import keyword
import pkgutil
import sys
import traceback
from collections.abc import Iterator, Sequence

import bot.commands
from bot import __version__
from bot.commands._common import COLOR_MODES, configure, stdout_closed
from bot.errors import DomainError, UsageError
from bot.escape import terminal_text
from bot.sources import SourceError

BROKEN_PIPE = 141  # 128 + SIGPIPE: a closed pipe met before the command's own exit code was known
_VALUED_GLOBALS = ("--color",)  # the global options that take a value (as a separate word or after '=')


def _add_globals(parser: argparse.ArgumentParser, *, inherited: bool) -> None:
    """``--debug`` and ``--color``: on the top parser with their defaults; on a subcommand's (``inherited``) with
    none, so that a value given before the subcommand stands unless it is given again after it."""
    def default(value: object) -> object:
        return argparse.SUPPRESS if inherited else value

    parser.add_argument("--debug", action="store_true", default=default(False),
                        help="show tracebacks of internal errors")
    parser.add_argument("--color", choices=COLOR_MODES, default=default("auto"),
                        help="colour: auto, always or never; auto colours a terminal unless NO_COLOR is set "
                             "(default auto)")


def _subparsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """Every parser below ``parser`` (subcommands, and theirs), each once."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # an alias maps to the same parser
                yield sub
                yield from _subparsers(sub)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or (``only``) of that one: start-up imports just what runs."""
    parser = argparse.ArgumentParser(
        prog="modelgate",
        description="Contract-aware merge gating and staged rollouts for monorepos of ML models.",
    )
    parser.add_argument("--version", action="version", version=f"modelgate {__version__}")
    _add_globals(parser, inherited=False)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(bot.commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or (only is not None and info.name != only):
            continue
        module = importlib.import_module(f"bot.commands.{info.name}")
        module.add_parser(subparsers)
    for sub in _subparsers(parser):
        _add_globals(sub, inherited=True)
    return parser


def command_word(words: Sequence[str]) -> str | None:
    """The subcommand's word: the first that is not an option nor the value of a global option before it (a
    prefix argparse accepts, ``--col never``, counts). None when there is none (``--help``, ``--version``)."""
    value_next = False
    for word in words:
        if value_next:
            value_next = False
        elif word == "--":
            return None
        elif word.startswith("-"):
            value_next = len(word) > 2 and "=" not in word and any(g.startswith(word) for g in _VALUED_GLOBALS)
        else:
            return word
    return None


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
    try:
        code = _main(words)
    except SystemExit:  # argparse's --help, --version and usage errors
        _flush_stdout()
        raise
    except BrokenPipeError:
        stdout_closed()
        return BROKEN_PIPE
    _flush_stdout()
    return code


def _flush_stdout() -> None:
    """Flush stdout now, so that a reader gone at the last moment is met here rather than at the interpreter's
    exit (which would print 'Exception ignored' and exit 120)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        stdout_closed()
    except (OSError, ValueError):
        pass


def _main(words: list[str]) -> int:
    chosen = command_word(words)
    module = chosen.replace("-", "_") if chosen else None
    if module is not None and keyword.iskeyword(module):  # a module cannot be named `import`: it is import_.py
        module += "_"
    known = {info.name for info in pkgutil.iter_modules(bot.commands.__path__)}
    parser = build_parser(module if module in known and "-h" not in words and "--help" not in words else None)
    args = parser.parse_args(words)
    if getattr(args, "whole_parser", False):  # a command that describes the command line itself (completion)
        args.parser = parser if module is None else build_parser()
    configure(args)
    try:
        with _cycle_collection_paused(args.command not in STREAMING):
            return int(args.func(args))
    except BrokenPipeError:
        raise
    except (UsageError, DomainError, SourceError) as exc:
        print(f"modelgate: error: {terminal_text(str(exc))}", file=sys.stderr)  # names a file or a path: inert
        return 2
    except KeyboardInterrupt:
        print("modelgate: interrupted", file=sys.stderr)
        return 2
    except Exception as exc:
        return _internal_error(exc, args)
    finally:
        configure(argparse.Namespace())  # the next run in this process (a test) starts from the defaults


def _internal_error(exc: Exception, args: argparse.Namespace) -> int:
    if args.debug:
        traceback.print_exc()
    else:
        print(f"modelgate: internal error: {type(exc).__name__}: {terminal_text(str(exc))} (run with --debug "
              "for details)",
              file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
