"""``modelgate schema-diff`` through its own parser: output, formats and exit codes."""

import argparse
import json

import pytest

from bot.commands import schema_diff
from tests.helpers import run_cli

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


# --- --explain, through the real command line --------------------------------------------------------------------

SENTENCE = "counterexample: this instance is valid under the {} schema and rejected by the {}: "


def explained(tmp_path, old, new, *args):
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    return run_cli("schema-diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--explain", *args)


def shown(out, writer="old", reader="new"):
    """The instance of the counterexample line (the last line of the text report)."""
    last = out.splitlines()[-1]
    assert last.startswith(SENTENCE.format(writer, reader)), out
    return json.loads(last.removeprefix(SENTENCE.format(writer, reader)))


def test_explain_text_backward(tmp_path):
    proc = explained(tmp_path, OLD, {**NEW, "required": ["score"]})
    assert proc.returncode == 1, proc.stderr
    instance = shown(proc.stdout)
    assert instance == {}  # valid under OLD, and missing the score NEW requires
    assert ["REQUIRED_ATTRIBUTE_ADDED", "#/required/score", "incompatible"] in [
        line.split() for line in proc.stdout.splitlines()]


def test_explain_text_forward_and_full(tmp_path):
    narrow = {"type": "object", "properties": {"band": {"enum": ["low", "high"]}}}
    wide = {"type": "object", "properties": {"band": {"enum": ["low", "medium", "high"]}}}
    proc = explained(tmp_path, narrow, wide, "--mode", "forward")
    assert proc.returncode == 1 and shown(proc.stdout, "new", "old") == {"band": "medium"}
    proc = explained(tmp_path, narrow, wide, "--mode", "full")  # only the forward half breaks: it is searched
    assert proc.returncode == 1 and shown(proc.stdout, "new", "old") == {"band": "medium"}
    proc = explained(tmp_path, wide, narrow, "--mode", "full")
    assert proc.returncode == 1 and shown(proc.stdout) == {"band": "medium"}


def test_explain_json(tmp_path):
    proc = explained(tmp_path, OLD, NEW, "--mode", "forward", "--format", "json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout) == {
        "compatible": False, "mode": "forward", "policy": "strict",
        "changes": [{"type": "MAXIMUM_DECREASED", "path": "#/properties/score/maximum", "compatible": False}],
        "explanation": {"direction": "forward", "instance": {"score": 2}}}


def test_explain_json_when_compatible_is_null_and_absent_without_explain(tmp_path):
    proc = explained(tmp_path, OLD, NEW, "--format", "json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["explanation"] is None
    plain = run_cli("schema-diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--format", "json")
    assert plain.returncode == 0 and "explanation" not in json.loads(plain.stdout)
    text = explained(tmp_path, OLD, NEW)
    assert text.returncode == 0 and "counterexample" not in text.stdout


def test_explain_when_none_is_found(tmp_path):
    """Each member of the enum is at most 5: the added maximum breaks nothing, but the verdict (Confluent's) stands."""
    old, new = {"type": "integer", "enum": [1, 2]}, {"type": "integer", "enum": [1, 2], "maximum": 5}
    proc = explained(tmp_path, old, new)
    assert proc.returncode == 1
    last = proc.stdout.splitlines()[-1]
    assert last.startswith("no counterexample found within ") and last.endswith(
        " candidates (the verdict stands: MAXIMUM_ADDED at #/maximum)")
    proc = explained(tmp_path, old, new, "--format", "json")
    assert proc.returncode == 1 and json.loads(proc.stdout)["explanation"] is None


def test_explain_clips_a_long_instance_on_the_terminal_and_escapes_it(tmp_path):
    old, new = {"const": {"\u202eevil\x1b[31m": "x" * 500}}, {"type": "object", "maxProperties": 0}
    text = explained(tmp_path, old, new)
    assert text.returncode == 1
    last = text.stdout.splitlines()[-1]
    assert last.endswith("…") and len(last) < 400
    assert "\u202e" not in text.stdout and "\x1b" not in text.stdout and "\\u202eevil\\u001b[31m" in last
    whole = explained(tmp_path, old, new, "--format", "json")
    assert json.loads(whole.stdout)["explanation"]["instance"] == old["const"]


def test_explain_leaves_unusable_inputs_exit_2(tmp_path):
    (tmp_path / "old.json").write_text(json.dumps(OLD))
    (tmp_path / "bad.json").write_text('{"type": "objekt"}')
    proc = run_cli("schema-diff", str(tmp_path / "old.json"), str(tmp_path / "bad.json"), "--explain")
    assert proc.returncode == 2 and "not a valid JSON Schema" in proc.stderr and proc.stdout == ""
