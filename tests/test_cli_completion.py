"""``modelgate completion bash|zsh|fish``: the scripts complete subcommands, flags and choices. bash runs its
completion function; zsh and fish (when installed, as ``.ci/run`` does) check the syntax and complete too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.commands.completion import script, tree
from bot.report.formats import REPORT
from bot.rules import catalog
from tests.helpers import run_cli
from tests.required import unavailable


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("completion")
    written = {}
    for shell in ("bash", "zsh", "fish"):
        done = run_cli("completion", shell)
        assert done.returncode == 0, done.stderr
        written[shell] = folder / f"modelgate.{shell}"
        written[shell].write_text(done.stdout, encoding="utf-8")
    return written


def bash_complete(script: Path, line: str) -> list[str]:
    """What bash offers at the end of ``line`` (a trailing space: a new, empty word)."""
    words = line.split() + ([""] if line.endswith(" ") else [])
    quoted = " ".join(f"'{w}'" for w in words)
    done = subprocess.run(["bash", "-c", f'source "$1"; COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; '
                                         '_modelgate; printf "%s\\n" "${COMPREPLY[@]}"', "bash", str(script)],
                          capture_output=True, text=True, check=True)
    return [w for w in done.stdout.splitlines() if w]


@pytest.mark.parametrize(("line", "offered"), [
    ("modelgate ch", ["check"]),
    ("modelgate ", ["action", "calendar", "check", "completion", "export", "gate", "graph", "impact", "import", "init",
                    "lint", "rules", "schema", "schema-diff", "verify"]),
    ("modelgate check --format ", list(REPORT.names)),
    ("modelgate check --fa", ["--fail-on"]),
    ("modelgate --color never l", ["lint"]),  # the global option's value is not the command
    ("modelgate --color ", ["auto", "always", "never"]),
    ("modelgate graph --format d", ["dot"]),
    ("modelgate completion ", ["bash", "zsh", "fish"]),
    ("modelgate check --base ", []),  # a value without choices: left to the shell's files
    ("modelgate rules MG10", [f"MG10{n}" for n in range(1, 10)]),  # the catalogue's ids, read at generation
    ("modelgate rules breaking", ["breaking-change-in-version"]),  # and its names
    ("modelgate rules --format json MG30", ["MG301", "MG302"]),
    ("modelgate verify --engine ", ["auto", "duckdb", "python"]),
    ("modelgate gate --engine d", ["duckdb"]),
    ("modelgate verify --conn", ["--connection"]),
])
def test_bash_completes(scripts: dict[str, Path], line: str, offered: list[str]) -> None:
    assert bash_complete(scripts["bash"], line) == offered


def test_every_subcommand_and_option_is_in_the_tree() -> None:
    parser = build_parser()
    root = tree(parser)
    subcommands = {c.path[-1]: c for c in root.subcommands}
    assert set(subcommands) == set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    check = subcommands["check"]
    flags = {flag: option for option in check.options for flag in option.flags}
    assert {"--base", "--format", "--fail-on", "--output", "--debug", "--color"} <= set(flags)
    assert flags["--format"].choices == REPORT.names
    assert not flags["--debug"].takes_value and flags["--base"].takes_value
    assert subcommands["completion"].words == ("bash", "zsh", "fish")


def test_fish_guards_each_subcommand() -> None:
    text = script("fish", tree(build_parser()))
    formats = " ".join(REPORT.names)
    assert f"complete -c modelgate -n '__fish_seen_subcommand_from check' -l format -x -a '{formats}'" in text


def test_zsh_script_parses_and_completes(scripts: dict[str, Path]) -> None:
    if shutil.which("zsh") is None:
        unavailable("zsh is not installed (.ci/run installs it)")
    subprocess.run(["zsh", "-n", str(scripts["zsh"])], check=True)
    # the completion system's builtins stood in for by functions that print what they are given
    harness = ('compdef() { :; }; _describe() { local -a a; a=("${(@P)4}"); print -l -- "${a[@]%%:*}"; }; '
               'compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }; _files() { print FILES; }; '
               'source "$1"; words=(modelgate "${(@)argv[2,-1]}"); CURRENT=${#words}; PREFIX=${words[CURRENT]}; '
               '_modelgate')

    def offered(*words: str) -> list[str]:
        done = subprocess.run(["zsh", "-f", "-c", harness, "zsh", str(scripts["zsh"]), *words],
                              capture_output=True, text=True, check=True)
        return done.stdout.split()

    assert "check" in offered("ch") and "completion" in offered("")
    assert offered("check", "--format", "") == list(REPORT.names)
    assert offered("--color", "never", "completion", "") == ["bash", "zsh", "fish"]
    assert "--fail-on" in offered("lint", "--")
    assert offered("check", "--base", "") == ["FILES"]
    assert offered("rules", "") == [word for rule in catalog().values() for word in (rule.id, rule.name)]


def test_fish_script_parses_and_completes(scripts: dict[str, Path]) -> None:
    if shutil.which("fish") is None:
        unavailable("fish is not installed (.ci/run installs it)")
    subprocess.run(["fish", "--no-execute", str(scripts["fish"])], check=True)

    def offered(line: str) -> list[str]:
        done = subprocess.run(["fish", "--no-config", "-c", f'source $argv[1]; complete -C "{line}"',
                               str(scripts["fish"])], capture_output=True, text=True, check=True)
        return [entry.split("\t")[0] for entry in done.stdout.splitlines()]

    assert offered("modelgate ch") == ["check"]
    assert offered("modelgate check --format ") == sorted(REPORT.names)
    assert offered("modelgate check --fa") == ["--fail-on"]
    assert offered("modelgate completion ") == ["bash", "fish", "zsh"]
    assert offered("modelgate rules MG30") == ["MG301", "MG302"]
    assert offered("modelgate rules slo-") == ["slo-weakened"]


def test_the_script_is_the_same_on_stdout_and_in_an_output_file(tmp_path: Path) -> None:
    target = tmp_path / "_modelgate"
    done = run_cli("completion", "zsh", "--output", str(target))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert target.read_text(encoding="utf-8") == run_cli("completion", "zsh").stdout


def test_a_rule_added_to_the_catalogue_completes_without_touching_completion() -> None:
    """The rule words come from the catalogue through the parser (rules' positional), not from a list here."""
    rules = {c.key: c for c in tree(build_parser()).walk()}["rules"]
    assert rules.words == tuple(word for rule in catalog().values() for word in (rule.id, rule.name))
