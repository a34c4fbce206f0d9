"""``modelgate completion bash|zsh|fish``: a shell completion script, generated from the command line's own parser.

Why a small generator here rather than a library: the script must be static (a TAB must not start Python and
import the engine, which ``argcomplete``'s runtime hook does on every key press), and it must cover fish too
(``shtab`` writes bash, zsh and tcsh only). What completion needs from the parser is little: the subcommands
(nested ones too) with their help, each one's options, which options take a value, and the choices of an option
or a positional (``--format``, ``--color``, ``completion SHELL``), and the words a positional without choices was
given with ``_common.complete_with`` (``rules RULE``: the catalogue's ids and names, read when the script is
generated). :func:`tree` reads that from argparse once;
each shell's template (``bot/report/templates/completion.SHELL.j2``) lays the same tree out, so a new subcommand
or flag completes without touching this module or the templates.

Values without choices (a path, a revision) are left to the shell's own file completion.

The parser arrives from the command line (``bot.cli`` sets ``args.parser`` to the whole tree for a command that
asks with ``whole_parser``): a command does not import the command line above it.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bot.commands._common import add_output, completions, put

SHELLS = ("bash", "zsh", "fish")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "completion", help="print a shell completion script (bash, zsh or fish)",
        description="Print the completion script of a shell. bash: source <(modelgate completion bash) in "
                    "~/.bashrc; zsh: modelgate completion zsh > \"${fpath[1]}/_modelgate\"; fish: modelgate "
                    "completion fish > ~/.config/fish/completions/modelgate.fish.")
    parser.add_argument("shell", choices=SHELLS, help="the shell: bash, zsh or fish")
    add_output(parser)
    parser.set_defaults(func=run, whole_parser=True)  # the command line hands run() its whole parser


def run(args: argparse.Namespace) -> int:
    put(script(args.shell, tree(args.parser)))
    return 0


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]
    help: str
    takes_value: bool
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Command:
    """A parser as completion sees it: ``path`` is its words after ``modelgate`` (empty for the top)."""

    path: tuple[str, ...]
    help: str
    options: tuple[Option, ...]
    words: tuple[str, ...]  # the choices of its positionals (completed as words)
    subcommands: tuple[Command, ...]

    def walk(self) -> Iterator[Command]:
        yield self
        for sub in self.subcommands:
            yield from sub.walk()

    @property
    def key(self) -> str:
        """Its words as one string (what the scripts' ``case`` tables match)."""
        return " ".join(self.path)

    @property
    def valued(self) -> tuple[str, ...]:
        """The flags that take a value (the word after one is not a subcommand)."""
        return tuple(flag for option in self.options if option.takes_value for flag in option.flags)

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(flag for option in self.options for flag in option.flags)

    @property
    def described(self) -> tuple[tuple[str, str], ...]:
        """Each flag with its option's help."""
        return tuple((flag, option.help) for option in self.options for flag in option.flags)

    @property
    def names(self) -> tuple[str, ...]:
        """Its subcommands' names."""
        return tuple(sub.path[-1] for sub in self.subcommands)

    @property
    def chosen(self) -> tuple[Option, ...]:
        """The options whose value is one of a few choices."""
        return tuple(option for option in self.options if option.choices)

    @property
    def guard(self) -> str:
        """The fish condition 'the command line is here': inside this (sub)command's path, in none of its
        subcommands."""
        inside = [f"__fish_seen_subcommand_from {word}" for word in self.path] or ["__fish_use_subcommand"]
        if self.subcommands:
            inside.append(f"not __fish_seen_subcommand_from {' '.join(self.names)}")
        return "; and ".join(inside)


def tree(parser: argparse.ArgumentParser, path: tuple[str, ...] = (), help: str = "") -> Command:
    """The completion tree of ``parser``: options, positional choices and subcommands, in the parser's order."""
    formatter = parser._get_formatter()
    options: list[Option] = []
    words: list[str] = []
    subcommands: list[Command] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                subcommands.append(tree(sub, (*path, name), _sentence(helps.get(name, ""))))
        elif action.help == argparse.SUPPRESS:
            continue
        elif action.option_strings:
            shown = _sentence(formatter._expand_help(action)) if action.help else ""
            options.append(Option(tuple(action.option_strings), shown, action.nargs != 0,
                                  tuple(str(c) for c in action.choices or ())))
        elif action.choices:
            words.extend(str(c) for c in action.choices)
        else:
            words.extend(completions(action))  # e.g. rules RULE: the rule ids and names
    return Command(path, help, tuple(options), tuple(words), tuple(subcommands))


def _sentence(text: str) -> str:
    """A help text on one line, cut at its first ' (' or ';' so a menu stays short."""
    line = " ".join(text.split())
    for stop in (" (", "; "):
        line = line.split(stop, 1)[0]
    return line


def _posix(text: str) -> str:
    """``text`` single-quoted for bash and zsh."""
    return "'" + text.replace("'", "'\\''") + "'"


def _fish(text: str) -> str:
    """``text`` single-quoted for fish (where only \\\\ and \\' are escapes)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _zsh_entry(word: str, help: str) -> str:
    """A ``_describe`` entry: ``word:help`` (a colon in the word escaped)."""
    return word.replace(":", "\\:") + (f":{help}" if help else "")


def script(shell: str, root: Command) -> str:
    """The completion script of ``shell`` for the tree ``root`` (templates ``completion.SHELL.j2``)."""
    from bot.report.jinja_env import render_template  # loads jinja2: only when a script is asked for

    quote = _fish if shell == "fish" else _posix
    return render_template(f"completion.{shell}.j2", commands=list(root.walk()), q=quote, entry=_zsh_entry)
