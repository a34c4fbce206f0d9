"""``modelgate completion bash|zsh|fish``: a shell completion script, generated from the command line's own parser.

Why a small generator here rather than a library: the script must be static (a TAB must not start Python and
import the engine, which ``argcomplete``'s runtime hook does on every key press), and it must cover fish too
(``shtab`` writes bash, zsh and tcsh only). What completion needs from the parser is little: the subcommands
(nested ones too) with their help, each one's options, which options take a value, and the choices of an option
or a positional (``--format``, ``--color``, ``completion SHELL``). :func:`tree` reads that from argparse once;
each shell's writer lays the same tree out, so a new subcommand or flag completes without touching this module.

Values without choices (a path, a revision) are left to the shell's own file completion.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bot.commands._common import emit

SHELLS = ("bash", "zsh", "fish")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "completion", help="print a shell completion script (bash, zsh or fish)",
        description="Print the completion script of a shell. bash: source <(modelgate completion bash) in "
                    "~/.bashrc; zsh: modelgate completion zsh > \"${fpath[1]}/_modelgate\"; fish: modelgate "
                    "completion fish > ~/.config/fish/completions/modelgate.fish.")
    parser.add_argument("shell", choices=SHELLS, help="the shell: bash, zsh or fish")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.cli import build_parser  # the whole tree: every subcommand's parser

    emit(WRITERS[args.shell](tree(build_parser())))
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
    def valued(self) -> tuple[str, ...]:
        return tuple(flag for option in self.options if option.takes_value for flag in option.flags)


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
    return Command(path, help, tuple(options), tuple(words), tuple(subcommands))


def _sentence(text: str) -> str:
    """A help text on one line, cut at its first ' (' or ';' so a menu stays short."""
    line = " ".join(text.split())
    for stop in (" (", "; "):
        line = line.split(stop, 1)[0]
    return line


def _single(text: str) -> str:
    """``text`` single-quoted for bash and zsh."""
    return "'" + text.replace("'", "'\\''") + "'"


def _fish(text: str) -> str:
    """``text`` single-quoted for fish (where only \\\\ and \\' are escapes)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _key(command: Command) -> str:
    return " ".join(command.path)


def _cases(root: Command, body: Any) -> str:
    """A ``case "$cmdpath" in`` over every command, with ``body(command)`` as each branch."""
    branches = "".join(f"        {_single(_key(c))}) {body(c)} ;;\n" for c in root.walk())
    return f'    case "$cmdpath" in\n{branches}    esac\n'


def bash(root: Command) -> str:
    """The bash script: ``_modelgate`` finds the (sub)command path in the words before the cursor, then offers
    the choices of the option just typed, or the options, or the subcommands and positional choices."""
    def values(command: Command) -> str:
        entries = " ".join(f"{flag}) COMPREPLY=($(compgen -W {_single(' '.join(o.choices))} -- \"$cur\")); return ;;"
                           for o in command.options if o.choices for flag in o.flags)
        return f'case "$prev" in {entries} esac' if entries else ":"

    return (
        "# bash completion of modelgate, generated by `modelgate completion bash` from its parser.\n"
        "# Use: source <(modelgate completion bash)   (e.g. in ~/.bashrc)\n"
        "_modelgate() {\n"
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmdpath="" i w skip=0\n'
        "    COMPREPLY=()\n"
        "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
        '        w="${COMP_WORDS[i]}"\n'
        '        if ((skip)); then skip=0; continue; fi\n'
        '        case "$w" in -*=*) continue ;; -*) [[ " $(_modelgate_valued "$cmdpath") " == *" $w "* ]] && skip=1;'
        " continue ;; esac\n"
        '        [[ " $(_modelgate_subcommands "$cmdpath") " == *" $w "* ]] && cmdpath="${cmdpath:+$cmdpath }$w"\n'
        "    done\n"
        '    if [[ " $(_modelgate_valued "$cmdpath") " == *" $prev "* ]]; then\n'
        + _indent(_cases(root, values), 1)
        + "        return  # a value without choices: the shell's file completion (complete -o default)\n"
        "    fi\n"
        '    if [[ "$cur" == -* ]]; then\n'
        '        COMPREPLY=($(compgen -W "$(_modelgate_options "$cmdpath")" -- "$cur"))\n'
        "    else\n"
        '        COMPREPLY=($(compgen -W "$(_modelgate_subcommands "$cmdpath") $(_modelgate_words "$cmdpath")" -- "$cur"))\n'
        "    fi\n"
        "}\n"
        + "".join(
            f"_modelgate_{name}() {{\n    local cmdpath=\"$1\"\n"
            + _cases(root, lambda c, f=field: f"echo {_single(' '.join(f(c)))}")
            + "}\n"
            for name, field in (
                ("valued", lambda c: c.valued),
                ("options", lambda c: [flag for o in c.options for flag in o.flags]),
                ("subcommands", lambda c: [s.path[-1] for s in c.subcommands]),
                ("words", lambda c: c.words),
            ))
        + "complete -o default -F _modelgate modelgate\n"
    )


def zsh(root: Command) -> str:
    """The zsh script (a native completion function, no bashcompinit): the same walk over ``$words``, with the
    help of each subcommand and option shown beside it."""
    def described(c: Command) -> str:
        subs = " ".join(_single(f"{s.path[-1]}:{s.help}".replace("\\", "\\\\")) for s in c.subcommands)
        return f"subs=({subs}); opts=({' '.join(_single(o) for o in _zsh_options(c))}); " \
               f"words_=({' '.join(_single(w) for w in c.words)})"

    def values(c: Command) -> str:
        entries = " ".join(f"{flag}) compadd -- {' '.join(_single(v) for v in o.choices)}; return ;;"
                           for o in c.options if o.choices for flag in o.flags)
        return f'case "$prev" in {entries} esac' if entries else ":"

    valued = _cases(root, lambda c: f"valued=({' '.join(_single(v) for v in c.valued)})")
    return (
        "#compdef modelgate\n"
        "# zsh completion of modelgate, generated by `modelgate completion zsh` from its parser.\n"
        '# Use: modelgate completion zsh > "${fpath[1]}/_modelgate"   (then restart zsh)\n'
        "_modelgate() {\n"
        '    local cmdpath="" w prev="${words[CURRENT-1]}" i skip=0\n'
        "    local -a valued subs opts words_\n"
        "    for ((i = 2; i < CURRENT; i++)); do\n"
        '        w="${words[i]}"\n'
        "        if ((skip)); then skip=0; continue; fi\n"
        + _indent(valued, 2)
        + '        case "$w" in -*=*) continue ;; -*) (( ${valued[(Ie)$w]} )) && skip=1; continue ;; esac\n'
        + _indent(_cases(root, described), 2)
        + '        (( ${subs[(I)${w}:*]} )) && cmdpath="${cmdpath:+$cmdpath }$w"\n'
        "    done\n"
        + valued
        + _cases(root, described)
        + '    if (( ${valued[(Ie)$prev]} )); then\n'
        + _indent(_cases(root, values), 1)
        + "        _files\n"
        "        return\n"
        "    fi\n"
        '    if [[ "$PREFIX" == -* ]]; then\n'
        "        _describe -t options option opts\n"
        "    else\n"
        "        (( ${#subs} )) && _describe -t commands command subs\n"
        "        (( ${#words_} )) && compadd -- $words_\n"
        "        (( ${#subs} + ${#words_} )) || _files\n"
        "    fi\n"
        "}\n"
        'if [[ "$funcstack[1]" == _modelgate ]]; then _modelgate "$@"; else compdef _modelgate modelgate; fi\n'
    )


def _zsh_options(command: Command) -> list[str]:
    return [f"{flag}:{option.help}".replace("\\", "\\\\") if option.help else flag
            for option in command.options for flag in option.flags]


def _indent(text: str, levels: int) -> str:
    return "".join("    " * levels + line if line else line for line in text.splitlines(keepends=True))


def fish(root: Command) -> str:
    """The fish script: one ``complete`` line per subcommand, option and choice, guarded by the subcommand path
    (``__fish_seen_subcommand_from``)."""
    lines = ["# fish completion of modelgate, generated by `modelgate completion fish` from its parser.",
             "# Use: modelgate completion fish > ~/.config/fish/completions/modelgate.fish",
             "complete -c modelgate -f"]
    for command in root.walk():
        guard = _fish_guard(command)
        names = " ".join(s.path[-1] for s in command.subcommands)
        for sub in command.subcommands:
            lines.append(f"complete -c modelgate -n {_fish(guard + _fish_no(names))} -a {sub.path[-1]}"
                         f" -d {_fish(sub.help)}")
        for option in command.options:
            flags = " ".join(f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}" for flag in option.flags)
            value = (f" -x -a {_fish(' '.join(option.choices))}" if option.choices
                     else " -r -F" if option.takes_value else "")
            described = f" -d {_fish(option.help)}" if option.help else ""
            lines.append(f"complete -c modelgate -n {_fish(guard + _fish_no(names) or 'true')} {flags}{value}"
                         f"{described}")
        if command.words:
            lines.append(f"complete -c modelgate -n {_fish(guard or 'true')} -a {_fish(' '.join(command.words))}")
    return "\n".join(lines) + "\n"


def _fish_guard(command: Command) -> str:
    """The fish condition 'the command line is inside this (sub)command' (empty for the top)."""
    if not command.path:
        return "__fish_use_subcommand"
    return "; and ".join(f"__fish_seen_subcommand_from {word}" for word in command.path)


def _fish_no(names: str) -> str:
    """'; and not __fish_seen_subcommand_from NAMES' when the command has subcommands of its own."""
    return f"; and not __fish_seen_subcommand_from {names}" if names else ""


WRITERS = {"bash": bash, "zsh": zsh, "fish": fish}
