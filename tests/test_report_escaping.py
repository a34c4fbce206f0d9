"""Every text and github renderer escapes user-controlled strings through bot.escape (issue 19, item 12).

The attack strings: a line break followed by a workflow command (``::warning``, which the runner would obey if
it started a line of the job log), an ANSI escape (ESC), a carriage return and a bidi override (U+202E). Each
renderer gets them in every string a user can control, and its output must keep them inert: every line is one
the renderer wrote (none starts with ``::`` unless it is the renderer's own command), and no ESC, CR, NUL or
bidi override is left.
"""

from __future__ import annotations

import json
import re

import pytest

from bot.compat import compare
from bot.compat.counterexamples import explain
from bot.report.formats import GATE, GRAPH, IMPACT, LINT, SCHEMA_DIFF, VERIFY
from bot.report.gate import GateReport
from bot.report.lint import LintReport
from bot.report.schema_diff import Diff
from bot.report.verify import VerifyReport
from bot.result import Finding
from bot.rollout.gates import Check
from bot.verify.report import Drift, Example, NullRate, VerifyResult
from tests.helpers import dedent, run_cli, write_tree

INJECT = "x\n::warning file=a.yaml,line=1::pwned"
ATTACKS = [INJECT, "\x1b[31mred\x1b[0m", "a\rb", "\u202eevil", "nul\x00"]
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def inert(output: str, commands: tuple[str, ...] = ()) -> list[str]:
    """The lines of ``output``, after asserting none holds a raw control character and none but the renderer's
    own (``commands``, its prefixes) starts a workflow command."""
    assert not RAW.search(output), repr(output)
    lines = output.split("\n")
    for line in lines:
        if line.lstrip().startswith("::"):
            assert line.startswith(commands), f"injected workflow command: {line!r}"
            assert "::pwned" not in line.split("::", 2)[1], line  # the properties are the renderer's own
    return lines


def hostile_verification(attack: str) -> VerifyResult:
    return VerifyResult(
        contract=f"c{attack}@1", records=3, invalid=1,
        examples=(Example(1, f"#/{attack}", f"Additional properties are not allowed ('{attack}' was unexpected)"),),
        null_rates=(NullRate(f"f{attack}", 0.5, 0.1),),
        drift=(Drift(f"d{attack}", 0.9, 0.2, "numeric"), Drift(f"u{attack}", None, 0.2, None, f"why {attack}")),
        min_records=10, notes=(f"r.parquet: column {attack} holds int64 values",))


@pytest.mark.parametrize("attack", ATTACKS)
def test_verify_text_and_github(attack):
    report = VerifyReport(hostile_verification(attack), f"contracts/{attack}.yaml", lambda where: 7)
    text = inert(VERIFY.render("text", report))
    assert text[0] == f"modelgate verify c{attack.replace(chr(10), ' ')}@1: FAIL".replace(
        "\x1b", "\ufffd").replace("\r", " ").replace("\u202e", "\ufffd").replace("\x00", "\ufffd")
    github = inert(VERIFY.render("github", report), ("::error file=", "::warning file="))
    assert len(github) == 8 and github[-1] == ""  # 6 annotations, the summary line, the final newline
    assert github[-2].startswith("modelgate verify c")


def test_verify_text_keeps_ordinary_names_aligned():
    result = VerifyResult("c@1", 3, 0, null_rates=(NullRate("score", 0.0, 0.1), NullRate("a\u202eb", 0.0, 0.1)))
    text = VERIFY.render("text", VerifyReport(result, "c.yaml", lambda where: 1))
    assert "  score   0.0000  (max 0.1)  ok\n  a\ufffdb     0.0000  (max 0.1)  ok\n" in text


@pytest.mark.parametrize("attack", ATTACKS)
def test_lint_text_and_github(attack):
    report = LintReport([Finding("MG001", "error", f"bad {attack}", f"models/{attack}.yaml", 3),
                         Finding("MG007", "warning", attack, None, None)], 1)
    text = inert(LINT.render("text", report))
    assert len(text) == 4 and text[0].startswith("models/") and text[1].startswith("MG007 [warning] ")
    github = inert(LINT.render("github", report), ("::error file=", "::warning title="))
    assert len(github) == 3


@pytest.mark.parametrize("attack", ATTACKS)
def test_impact_text(attack):
    view = {"node": "c@1", "start": [f"contract:c{attack}@1"], "impacted": [
        {"model": f"m{attack}", "depth": 1, "owners": [f"@o{attack}"], "chain": [f"contract:c{attack}@1", "model:m"]}]}
    assert len(inert(IMPACT.render("text", view))) == 3
    assert len(inert(IMPACT.render("text", {**view, "impacted": []}))) == 2


@pytest.mark.parametrize("attack", ATTACKS)
def test_schema_diff_text(attack):
    result = compare({"type": "object", "properties": {attack: {"type": "string"}}},
                     {"type": "object", "properties": {attack: {"type": "integer"}}})
    lines = inert(SCHEMA_DIFF.render("text", Diff(result)))
    assert len(lines) == 4 and lines[1].startswith("TYPE_CHANGED")


@pytest.mark.parametrize("attack", ATTACKS)
def test_schema_diff_counterexample_text(attack):
    old = {"type": "object", "properties": {attack: {"type": "string", "enum": [attack]}}, "required": [attack]}
    new = {"type": "object", "properties": {attack: {"type": "integer"}}}
    search = explain(old, new)
    assert search.found is not None and search.found.instance == {attack: attack}
    result = compare(old, new)
    lines = inert(SCHEMA_DIFF.render("text", Diff(result, explained=True, search=search)))
    assert len(lines) == len(result.changes) + 4  # the header, the changes, the verdict, the counterexample, ""
    assert lines[-2].startswith("counterexample: this instance is valid under the old schema")


@pytest.mark.parametrize("attack", ATTACKS)
def test_graph_mermaid_and_dot(attack):
    view = {"nodes": [{"id": f"model:m{attack}", "kind": "model", "defined": True},
                      {"id": f"contract:c{attack}@1", "kind": "contract", "defined": False}],
            "edges": [{"from": f"contract:c{attack}@1", "to": f"model:m{attack}"}]}
    assert len(inert(GRAPH.render("mermaid", view))) == 5
    assert len(inert(GRAPH.render("dot", view))) == 7


@pytest.mark.parametrize("attack", ATTACKS)
def test_gate_text(attack):
    check = Check(f"metric{attack}", "min", 0.9, 0.5, False, f"metric{attack} 0.5 < min 0.9")
    report = GateReport(f"m{attack}", f"canary{attack}", [check], hostile_verification(attack), ["x"], True)
    # the verdict, the check, the data, its drift not measured, its note, the final newline
    assert len(inert(GATE.render("text", report))) == 6


# Through the real command line: a record's key and a contract's field name carry the attacks.

CONTRACT = dedent("""
    apiVersion: modelgate/v1
    kind: Contract
    metadata:
      name: feed
      owners: ["@acme/data"]
    spec:
      versions:
        - version: 1
          schema:
            type: object
            properties:
              "score\\n::warning title=contract::pwned\\e[31m\\u202e": {type: number}
            additionalProperties: false
          quality:
            null_rate_max:
              "score\\n::warning title=contract::pwned\\e[31m\\u202e": 0.1
""")


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_verify_through_the_cli_prints_no_raw_attack(tmp_path, fmt):
    repo = write_tree(tmp_path / "repo", {"contracts/feed.yaml": CONTRACT})
    record = {"\n::warning title=record::pwned\x1b[31m\r\u202e": 1}
    (repo / "r.jsonl").write_text(json.dumps(record) + "\n" + json.dumps(record) + "\n")
    done = run_cli("verify", "feed@1", "--records", "r.jsonl", "--at", ".", "--format", fmt, cwd=repo)
    assert done.returncode == 1, done.stderr
    assert "pwned" in done.stdout  # the attack is shown, inert
    commands = ("::error file=contracts/feed.yaml,", "::warning file=contracts/feed.yaml,") if fmt == "github" else ()
    lines = inert(done.stdout, commands)
    if fmt == "github":
        assert [line.split(",")[0] for line in lines[:-2]] == ["::error file=contracts/feed.yaml"] * 2
    else:
        assert lines[0] == "modelgate verify feed@1: FAIL"


def test_verify_json_notes_on_stderr_are_escaped(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    repo = write_tree(tmp_path / "repo", {"contracts/feed.yaml": CONTRACT})
    pq.write_table(pa.table({"other": [1, 2]}), repo / "r.parquet")  # the note names the contract's field
    done = run_cli("verify", "feed@1", "--records", "r.parquet", "--at", ".", "--format", "json", cwd=repo)
    assert done.returncode == 1, done.stderr
    assert done.stderr == ("modelgate: note: r.parquet: the Parquet file has no column for score ::warning "
                           "title=contract::pwned\ufffd[31m\ufffd; every record misses these fields\n")
    inert(done.stderr)
