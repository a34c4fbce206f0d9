"""``modelgate schema-diff`` through its own parser: output, formats and exit codes."""

import argparse
import json

import pytest

from bot.commands import schema_diff

OLD = {"type": "object", "properties": {"score": {"type": "number", "maximum": 1}}}
NEW = {"type": "object", "properties": {"score": {"type": "number", "maximum": 2}}}


def run(*argv):
    parser = argparse.ArgumentParser()
    schema_diff.add_parser(parser.add_subparsers())
    args = parser.parse_args(["schema-diff", *argv])
    return args.func(args)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "old.json").write_text(json.dumps(OLD))
    (tmp_path / "new.yaml").write_text("type: object\nproperties:\n  score: {type: number, maximum: 2}\n")
    return tmp_path


def test_text_table_and_exit_code(files, capsys):
    assert run(str(files / "old.json"), str(files / "new.yaml")) == 0
    out = capsys.readouterr().out
    assert "MAXIMUM_INCREASED" in out and "#/properties/score/maximum" in out and "compatible" in out
    assert out.splitlines()[-1].startswith("compatible (backward, strict)")


def test_forward_json_incompatible(files, capsys):
    assert run(str(files / "old.json"), str(files / "new.yaml"), "--mode", "forward", "--format", "json") == 1
    assert json.loads(capsys.readouterr().out) == {
        "compatible": False, "mode": "forward", "policy": "strict",
        "changes": [{"type": "MAXIMUM_DECREASED", "path": "#/properties/score/maximum", "compatible": False}]}


def test_full_mode_shows_direction(files, capsys):
    assert run(str(files / "old.json"), str(files / "new.yaml"), "--mode", "full", "--policy", "lenient") == 1
    out = capsys.readouterr().out
    assert "backward" in out and "forward" in out and "INCOMPATIBLE (full, lenient)" in out


def test_identical_files(files, capsys):
    assert run(str(files / "old.json"), str(files / "old.json")) == 0
    assert "no differences" in capsys.readouterr().out


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bad.json", "{not json", "bad.json:1: invalid JSON"),
    ("bad.yaml", "a: [1,\n", "neither JSON nor YAML"),
    ("list.json", "[1, 2]", "a schema is an object or a boolean"),
    ("missing.json", None, "cannot read"),
])
def test_unreadable_input_is_one_line_and_exit_2(files, capsys, name, content, message):
    if content is not None:
        (files / name).write_text(content)
    assert run(str(files / "old.json"), str(files / name)) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
