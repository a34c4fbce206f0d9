"""``bot.cli``: every subcommand registered, only the chosen one imported, ``--version``, and how errors end
(one line and exit 2; ``--debug`` shows the traceback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bot.commands.rules
from bot import __version__
from bot.cli import main
from bot.errors import UsageError
from bot.graph import UnknownNode
from bot.sources import SourceError
from bot.verify.readers import RecordsError
from bot.verify.validate import SchemaCompileError
from tests.helpers import BOT_HOME, GIT_ENV, contract, model, run_cli, write_tree

COMMANDS = ["action", "calendar", "check", "completion", "export", "gate", "graph", "impact", "import", "init", "lint",
            "rules", "schema", "schema-diff", "verify"]
# Runs the command line in a fresh interpreter, then prints which command and GitHub modules it imported.
PROBE = """
import contextlib, io, json, sys
from bot.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
loaded = [m for m in sys.modules if m.startswith(("bot.commands.", "bot.github", "github"))]
print(json.dumps({"code": code, "loaded": sorted(set(loaded) - {"bot.commands._common"})}))
"""


def probe(*args: str, cwd: Path) -> dict[str, object]:
    outside_actions = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False, cwd=cwd,
                          env={**outside_actions, "PYTHONPATH": str(BOT_HOME), **GIT_ENV})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_help_lists_every_subcommand() -> None:
    done = run_cli("--help")
    assert done.returncode == 0
    section = done.stdout.split("  COMMAND\n", 1)[1].split("\n\noptions:", 1)[0]
    listed = [line.split()[0] for line in section.splitlines() if line.startswith("    ") and line[4] != " "]
    assert listed == COMMANDS


@pytest.mark.parametrize(("args", "code", "module"), [
    (["check", "--base", "{root}", "--head", "{root}", "--today", "2026-11-28"], 0, "bot.commands.check"),
    (["lint", "{root}"], 0, "bot.commands.lint"),
    (["impact", "pipe"], 0, "bot.commands.impact"),
    (["rules", "--format", "json"], 0, "bot.commands.rules"),
])
def test_only_the_chosen_subcommand_is_imported(tmp_path: Path, args: list[str], code: int, module: str) -> None:
    root = write_tree(tmp_path / "repo", {"models/pipe.yaml": model("pipe")})
    out = probe(*(a.format(root=root) for a in args), cwd=root)
    assert out == {"code": code, "loaded": [module]}  # no other command, no bot.github, no PyGithub


def test_the_action_imports_github_and_nothing_else(tmp_path: Path) -> None:
    out = probe("action", cwd=tmp_path)  # outside Actions it stops at once (exit 1), after its imports
    assert out["code"] == 1
    loaded = set(out["loaded"])  # type: ignore[arg-type]
    assert {"bot.commands.action", "bot.github.revisions", "github"} <= loaded
    assert not {m for m in loaded if m.startswith("bot.commands.")} - {"bot.commands.action"}


def test_version() -> None:
    done = run_cli("--version")
    assert (done.returncode, done.stdout, done.stderr) == (0, f"modelgate {__version__}\n", "")


@pytest.mark.parametrize(("args", "words"), [
    (["frobnicate"], "argument COMMAND: invalid choice: 'frobnicate' (choose from 'action', 'calendar', 'check'"),
    ([], "the following arguments are required: COMMAND"),
    (["lint", "--nope"], "unrecognized arguments: --nope"),
])
def test_unknown_or_missing_commands_and_options_exit_2(args: list[str], words: str) -> None:
    done = run_cli(*args)
    assert done.returncode == 2 and done.stdout == ""
    assert words in done.stderr and "Traceback" not in done.stderr


def test_a_usage_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"models/pipe.yaml": model("pipe")})
    done = run_cli("impact", "nothing-here", cwd=root)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "modelgate: error: no model or contract named "
                                                                  "'nothing-here' (modelgate graph --format json "
                                                                  "lists them)\n")


def test_an_unreadable_state_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run_cli("lint", str(tmp_path / "missing"), cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"modelgate: error: '{tmp_path / 'missing'}' is neither a directory nor a git "
                                  "revision")
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize(("error", "line"), [
    (RuntimeError("boom"), "modelgate: internal error: RuntimeError: boom (run with --debug for details)\n"),
    (UsageError("bad NODE"), "modelgate: error: bad NODE\n"),
    (UnknownNode("no model named 'x'"), "modelgate: error: no model named 'x'\n"),
    (RecordsError("r.csv: no such file"), "modelgate: error: r.csv: no such file\n"),
    (SchemaCompileError("the contract's schema cannot be compiled"),
     "modelgate: error: the contract's schema cannot be compiled\n"),
    (SourceError("no such revision"), "modelgate: error: no such revision\n"),
    (KeyboardInterrupt(), "modelgate: interrupted\n"),
])
def test_every_failure_of_a_command_is_one_line_and_exit_2(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: BaseException, line: str) -> None:
    def fail(args: object) -> int:
        raise error

    monkeypatch.setattr(bot.commands.rules, "run", fail)
    assert main(["rules"]) == 2
    assert capsys.readouterr() == ("", line)


def test_debug_shows_the_traceback_of_an_internal_error(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def fail(args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.commands.rules, "run", fail)
    assert main(["--debug", "rules"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert 'in fail\n    raise RuntimeError("boom")' in err and err.endswith("RuntimeError: boom\n")
    assert "internal error" not in err


def test_the_exit_code_is_the_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.commands.rules, "run", lambda args: 1)
    assert main(["rules"]) == 1


def test_every_subcommand_describes_itself_in_plain_words(capsys):
    from bot.cli import build_parser

    for name in ("action", "check", "export", "gate", "graph", "impact", "init", "lint", "rules", "schema-diff",
                 "verify"):
        with pytest.raises(SystemExit):
            build_parser().parse_args([name, "--help"])
        text = capsys.readouterr().out
        assert "``" not in text and "SPEC" not in text and "bot." not in text, name


def test_the_cycle_collector_is_paused_for_a_check_but_not_for_streaming_commands(monkeypatch):
    import gc

    import bot.commands.check
    import bot.commands.verify

    seen = {}

    def spy(name):
        def run(args):
            seen[name] = gc.isenabled()
            return 0
        return run

    for module in (bot.commands.check, bot.commands.verify):
        monkeypatch.setattr(module, "run", spy(module.__name__))
    assert main(["check"]) == 0
    assert main(["verify", "x@1", "--records", "r.jsonl"]) == 0
    assert seen == {"bot.commands.check": False, "bot.commands.verify": True}
    assert gc.isenabled()


def test_the_cores_errors_end_a_command_as_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """UnknownNode and RecordsError are raised by the core and reported by the CLI as before: one line, exit 2."""
    root = write_tree(tmp_path / "repo", {"models/pipe.yaml": model("pipe", provides=[("feat", 1)]),
                                          "contracts/feat.yaml": contract("feat")})
    metrics = tmp_path / "metrics.json"
    metrics.write_text("{}")
    assert main(["graph", "--at", str(root), "--focus", "model:pipee"]) == 2
    assert capsys.readouterr() == ("", "modelgate: error: no model named 'pipee'; did you mean pipe?\n")
    missing = tmp_path / "missing.jsonl"
    assert main(["gate", "--model", "pipe", "--stage", "shadow", "--metrics", str(metrics), "--at", str(root),
                 "--records", str(missing)]) == 2
    assert capsys.readouterr() == ("", f"modelgate: error: {missing}: no such file\n")


def test_an_error_naming_a_hostile_path_is_one_inert_line(tmp_path, capsys):
    """A path holding a line break and a workflow command, or an ESC sequence, cannot start a second line of the
    Actions log or recolour the terminal through an error message."""
    hostile = tmp_path / "x\n::warning::forged\x1b[31m"
    assert main(["lint", str(hostile)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\n::warning" not in err and "\x1b" not in err
    assert err.startswith("modelgate: error: ")
