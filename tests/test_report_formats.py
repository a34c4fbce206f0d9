"""The renderer registry (bot.report.formats): every command's --format is its kind's entry, and each kind renders
byte for byte what the command always printed (goldens below; the CLI outputs are compared in tests/test_cli_*)."""

from __future__ import annotations

import argparse
import re

import pytest

from bot.cli import build_parser
from bot.report.formats import CALENDAR, GATE, GRAPH, IMPACT, LINT, REPORT, RULES, SCHEMA_DIFF, VERIFY, Formats
from bot.report.lint import LintReport
from bot.result import Finding
from tests.helpers import REPO_ROOT

KINDS = {"check": REPORT, "lint": LINT, "verify": VERIFY, "gate": GATE, "graph": GRAPH, "impact": IMPACT,
         "rules": RULES, "schema-diff": SCHEMA_DIFF, "calendar": CALENDAR}


def subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize(("command", "formats"), KINDS.items())
def test_help_shows_the_registry_formats_and_default(command: str, formats: Formats[object]) -> None:
    text = subcommands()[command].format_help()
    assert f"--format {{{','.join(formats.names)}}}" in text
    assert f"output format (default {formats.default})" in " ".join(text.split())


def test_every_command_with_a_format_takes_it_from_the_registry() -> None:
    with_format = {name for name, parser in subcommands().items() if "--format" in parser.format_help()}
    assert with_format == set(KINDS)


def test_the_cli_reference_lists_the_registry_formats_of_every_command() -> None:
    reference = (REPO_ROOT / "docs/cli.md").read_text()
    rows = re.findall(r"^\| `modelgate ([a-z-]+)[^`]*--format ([a-z\\|]+)", reference, re.M)
    assert {command: tuple(names.split("\\|")) for command, names in rows} == {
        command: formats.names for command, formats in KINDS.items()}


def test_a_format_a_kind_does_not_have_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown lint format 'markdown'; expected one of text, json, github"):
        LINT.render("markdown", LintReport([], 0))
    with pytest.raises(ValueError, match="the default x format 'text' has no renderer"):
        Formats[object]("x", {"json": str})


FINDINGS = [Finding("MG002", "error", 'fraud-score@2: "score" <b>bad</b> 100% é', "contracts/a, b.yaml", 7,
                    "contract:fraud-score@2"),
            Finding("MG007", "warning", "no owners\nat all", None, None)]


def test_lint_json_keeps_its_shape() -> None:
    assert LINT.render("json", LintReport(FINDINGS, 3)) == (
        '{\n  "verdict": "fail",\n  "findings": [\n    {\n      "rule": "MG002",\n      "severity": "error",\n'
        '      "message": "fraud-score@2: \\"score\\" <b>bad</b> 100% \\u00e9",\n      "file": "contracts/a, b.yaml",\n'
        '      "line": 7,\n      "subject": "contract:fraud-score@2",\n      "waived_by": null,\n'
        '      "preexisting": false,\n      "waived_reason": null\n    },\n    {\n      "rule": "MG007",\n'
        '      "severity": "warning",\n      "message": "no owners\\nat all",\n      "file": null,\n'
        '      "line": null,\n      "subject": null,\n      "waived_by": null,\n      "preexisting": false,\n'
        '      "waived_reason": null\n'
        '    }\n  ]\n}\n')


def test_lint_text_and_github() -> None:
    report = LintReport(FINDINGS, 3)
    assert LINT.render("text", report) == (
        'contracts/a, b.yaml:7: MG002 [error] fraud-score@2: "score" <b>bad</b> 100% é\n'
        "MG007 [warning] no owners at all\n"  # one line: a message's line break cannot start a workflow command
        "1 error, 1 warning in 1 file (3 manifests parsed)\n")
    assert LINT.render("github", report) == (
        '::error file=contracts/a%2C b.yaml,line=7,title=MG002::fraud-score@2: "score" &lt;b&gt;bad&lt;/b&gt; '
        "100%25 é\n"
        "::warning title=MG007::no owners%0Aat all\n")
    assert LINT.render("github", LintReport([], 3)) == ""
    assert LINT.render("text", LintReport([], 1)) == "no problems in 1 manifest\n"


def test_impact_text() -> None:
    view = {"node": "a@1", "start": ["contract:a@1"], "impacted": [
        {"model": "m", "depth": 1, "owners": [], "chain": ["contract:a@1", "model:m"]},
        {"model": "long-model", "depth": 2, "owners": ["@x", "@y"],
         "chain": ["contract:a@1", "model:m", "model:long-model"]}]}
    assert IMPACT.render("text", view) == (
        "contract:a@1: 2 models depend on it\n"
        "   1  m           (no owners)  (contract:a@1 → model:m)\n"
        "   2  long-model  @x, @y  (contract:a@1 → model:m → model:long-model)\n")
    assert IMPACT.render("text", {**view, "impacted": []}) == "contract:a@1: no model depends on it\n"


def test_graph_mermaid_and_dot_dash_what_is_not_defined() -> None:
    view = {"nodes": [
        {"id": "contract:fraud-score@2", "kind": "contract", "defined": True},
        {"id": "contract:ghost@3", "kind": "contract", "defined": False},
        {"id": "model:scorer-x", "kind": "model", "defined": True},
    ], "edges": [{"from": "contract:fraud-score@2", "to": "model:scorer-x"},
                 {"from": "contract:ghost@3", "to": "model:scorer-x"},
                 {"from": "model:scorer-x", "to": "contract:fraud-score@2"}]}
    assert GRAPH.render("mermaid", view) == (
        "flowchart LR\n"
        '  n_contract_fraud_score_2_e75ff529(["contract:fraud-score@2"])\n'
        '  n_contract_ghost_3_62f4876c(["contract:ghost@3 (not defined)"])\n'
        '  n_model_scorer_x_462dba2b["model:scorer-x"]\n'
        "  n_contract_fraud_score_2_e75ff529 --> n_model_scorer_x_462dba2b\n"
        "  n_contract_ghost_3_62f4876c -.-> n_model_scorer_x_462dba2b\n"
        "  n_model_scorer_x_462dba2b --> n_contract_fraud_score_2_e75ff529\n")
    assert GRAPH.render("dot", view) == (
        "digraph modelgate {\n"
        "  rankdir=LR;\n"
        '  "contract:fraud-score@2" [shape=ellipse];\n'
        '  "contract:ghost@3" [shape=ellipse, style=dashed];\n'
        '  "model:scorer-x" [shape=box];\n'
        '  "contract:fraud-score@2" -> "model:scorer-x";\n'
        '  "contract:ghost@3" -> "model:scorer-x";\n'
        '  "model:scorer-x" -> "contract:fraud-score@2";\n'
        "}\n")
