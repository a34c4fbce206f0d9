"""Global options (``--debug``, ``--color``) before or after the subcommand, and the pre-pass that picks the one
subcommand whose parser is built (``bot.cli.command_word``), which must skip a global option's value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import build_parser, command_word, main
from tests.helpers import model, run_cli, write_tree
from tests.test_cli import probe
from tests.test_cli_color import CHECK, ESC, in_pipe


@pytest.mark.parametrize(("words", "command"), [
    (["check", "--base", "x"], "check"),
    (["--debug", "lint"], "lint"),
    (["--color", "never", "check"], "check"),
    (["--color=never", "check"], "check"),
    (["--col", "never", "graph"], "graph"),  # a prefix argparse accepts takes its value too
    (["--debug", "--color", "always", "rules", "MG101"], "rules"),
    (["--version"], None),
    (["--color", "never"], None),
    (["--", "check"], None),
])
def test_command_word(words: list[str], command: str | None) -> None:
    assert command_word(words) == command


@pytest.mark.parametrize("words", [
    ["--debug", "--color", "never", "rules"],
    ["rules", "--debug", "--color", "never"],
    ["--debug", "rules", "--color", "never"],
    ["--color", "never", "rules", "--debug"],
])
def test_a_global_option_is_kept_wherever_it_is_given(words: list[str]) -> None:
    for only in (None, "rules"):
        args = build_parser(only).parse_args(words)
        assert (args.debug, args.color) == (True, "never")


def test_a_subcommand_does_not_overwrite_with_its_default() -> None:
    """The classic pitfall: a subparser's own default would replace the value given before the subcommand."""
    args = build_parser().parse_args(["--color", "always", "--debug", "check"])
    assert (args.debug, args.color) == (True, "always")
    args = build_parser().parse_args(["check"])
    assert (args.debug, args.color) == (False, "auto")


def test_after_the_subcommand_wins_over_before() -> None:
    args = build_parser().parse_args(["--color", "always", "check", "--color", "never"])
    assert args.color == "never"


def test_debug_after_the_subcommand_shows_the_traceback(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    def boom(args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr("bot.commands.rules.run", boom)
    assert main(["rules", "--debug"]) == 2
    assert "Traceback" in capsys.readouterr().err
    assert main(["rules"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_global_value_is_not_taken_for_the_command(tmp_path: Path) -> None:
    """``--color never lint``: only lint's parser is built (the value 'never' is not the command)."""
    root = write_tree(tmp_path / "repo", {"models/pipe.yaml": model("pipe")})
    out = probe("--color", "never", "lint", str(root), cwd=root)
    assert out == {"code": 0, "loaded": ["bot.commands.lint"]}


def test_flags_after_the_subcommand_through_the_real_cli() -> None:
    done = run_cli(*CHECK, "--debug", "--color", "always")
    assert done.returncode == 1
    assert ESC in done.stdout
    done = in_pipe("--color", "always", *CHECK, "--color", "never")
    assert (done.returncode, ESC in done.stdout) == (1, False)


def test_an_unknown_color_is_a_usage_error() -> None:
    done = run_cli("check", "--color", "sometimes")
    assert done.returncode == 2
    assert "invalid choice: 'sometimes'" in done.stderr
