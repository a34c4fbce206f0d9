"""``bot.policy.evolution``: MG101, MG109, MG110 and MG111, an incompatible change inside one contract version,
read from the changes (unit) and from two real states (end to end, with file and line)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.evaluation import Evaluation
from bot.graph import Graph
from bot.policy import evolution
from bot.result import Change, Finding
from tests.helpers import dedent, write_tree
from tests.scenarios import check_pair, contract, found, line_of, load, model, version

C = "contracts/feat.yaml"
FEAT = dedent("""
    apiVersion: modelgate/v1
    kind: Contract
    metadata:
      name: feat
      owners: ["@acme/data"]
    spec:
      versions:
        - version: 1
          status: active
          stability: stable
          schema:
            type: object
            properties:
              a: {type: number}
          slo: {latency_p99_ms: 40, availability: 0.999, freshness_s: 60}
          fallback: {strategy: default_value, value: {a: 0}, when: [timeout]}
""")
BASE = {C: FEAT, "models/pipe.yaml": model("pipe", provides=[("feat", 1)])}
TAIL = ", inside one version; publish the change as a new version instead"


def context(tmp_path: Path, changes: list[Change]) -> Evaluation:
    empty = load(write_tree(tmp_path / "empty", {}))
    graph = Graph.from_snapshot(empty)
    return Evaluation(empty, empty, date(2026, 11, 28), graph, graph, changes, [], [], empty)


def test_each_breaking_kind_maps_to_its_rule(tmp_path: Path) -> None:
    changes = [Change("contract:c@1", "schema", "TYPE_CHANGED", "#/properties/a", True, "", C, 14),
               Change("contract:c@1", "slo", "SLO_LATENCY_RAISED", "#/slo/latency_p99_ms", True, "latency 40 → 55",
                      C, 15),
               Change("contract:c@2", "fallback", "FALLBACK_REMOVED", "#/fallback", True, "fallback removed", C, 8),
               Change("contract:c@2", "stability", "STABILITY_DECREASED", "#/stability", True, "stable → beta", C, 10)]
    assert list(evolution.findings(context(tmp_path, changes))) == [
        Finding("MG101", "error", f"contract:c@1: TYPE_CHANGED at #/properties/a{TAIL}", C, 14, "contract:c@1"),
        Finding("MG109", "error", f"contract:c@1: latency 40 → 55{TAIL}", C, 15, "contract:c@1"),
        Finding("MG110", "error", f"contract:c@2: fallback removed{TAIL}", C, 8, "contract:c@2"),
        Finding("MG111", "error", f"contract:c@2: stable → beta{TAIL}", C, 10, "contract:c@2"),
    ]


@pytest.mark.parametrize("change", [
    Change("contract:c@1", "schema", "PROPERTY_ADDED", "#/properties/b", False),
    Change("contract:c@1", "slo", "SLO_LATENCY_LOWERED", "#/slo/latency_p99_ms", False),
    Change("contract:c@1", "fallback", "FALLBACK_VALUE_CHANGED", "#/fallback/value", False),
    Change("contract:c@1", "stability", "STABILITY_INCREASED", "#/stability", False),
    Change("contract:c@1", "removed", "VERSION_REMOVED", breaking=True),
    Change("contract:c@1", "status", "VERSION_RETIRED", breaking=True),
    Change("model:m", "version", "MAJOR_VERSION_CHANGED", breaking=True),
])
def test_compatible_changes_and_other_kinds_are_not_evolution_findings(tmp_path: Path, change: Change) -> None:
    assert list(evolution.findings(context(tmp_path, [change]))) == []


def test_a_weakened_slo_is_mg109_per_key_at_the_slo_line(tmp_path: Path) -> None:
    head = FEAT.replace("latency_p99_ms: 40, availability: 0.999, freshness_s: 60",
                        "latency_p99_ms: 55, availability: 0.99")
    result = check_pair(tmp_path, BASE, {C: head})
    line = line_of(head, "slo:")
    assert [(f.rule, f.severity, f.file, f.line, f.message) for f in result.findings] == [
        ("MG109", "error", C, line, f"contract:feat@1: availability 0.999 → 0.99{TAIL}"),
        ("MG109", "error", C, line, f"contract:feat@1: freshness_s 60 removed{TAIL}"),
        ("MG109", "error", C, line, f"contract:feat@1: latency_p99_ms 40 → 55{TAIL}"),
    ]
    assert result.verdict == "fail"


def test_a_stronger_slo_is_no_finding(tmp_path: Path) -> None:
    head = FEAT.replace("latency_p99_ms: 40, availability: 0.999, freshness_s: 60",
                        "latency_p99_ms: 30, availability: 0.9999, freshness_s: 30")
    assert found(check_pair(tmp_path, BASE, {C: head})) == set()


def test_a_removed_fallback_is_mg110_at_its_version(tmp_path: Path) -> None:
    head = FEAT.replace("      fallback: {strategy: default_value, value: {a: 0}, when: [timeout]}\n", "")
    result = check_pair(tmp_path, BASE, {C: head})
    assert found(result) == {("MG110", "contract:feat@1", C, line_of(head, "- version: 1"))}
    assert result.findings[0].message == f"contract:feat@1: fallback (default_value) removed{TAIL}"


def test_a_changed_fallback_strategy_is_mg110_but_a_new_value_alone_is_not(tmp_path: Path) -> None:
    strategy = FEAT.replace("strategy: default_value, value: {a: 0}", "strategy: skip")
    assert found(check_pair(tmp_path / "s", BASE, {C: strategy})) == {
        ("MG110", "contract:feat@1", C, line_of(strategy, "fallback:"))}
    value = FEAT.replace("value: {a: 0}", "value: {a: 1}")
    assert found(check_pair(tmp_path / "v", BASE, {C: value})) == set()


@pytest.mark.parametrize(("before", "after", "rule"), [
    ("stable", "beta", {"MG111"}), ("beta", "alpha", {"MG111"}), ("stable", "alpha", {"MG111"}),
    ("beta", "stable", set()), ("alpha", "beta", set())])
def test_stability_may_only_rise_inside_a_version(tmp_path: Path, before: str, after: str, rule: set[str]) -> None:
    base = {**BASE, C: FEAT.replace("stability: stable", f"stability: {before}")}
    head = FEAT.replace("stability: stable", f"stability: {after}")
    result = check_pair(tmp_path, base, {C: head})
    assert {f.rule for f in result.findings} == rule
    assert all(f.line == line_of(head, "stability:") for f in result.findings)


def test_mg101_follows_the_base_compatibility(tmp_path: Path) -> None:
    # A new optional property in a closed schema: old readers reject it (forward breaks), new readers read old
    # records (backward holds).
    def feat(compatibility: str, props: tuple[str, ...]) -> str:
        return contract("feat", version(1, props=props), compatibility=compatibility)

    pipe = {"models/pipe.yaml": model("pipe", provides=[("feat", 1)])}
    forward = check_pair(tmp_path / "f", {C: feat("forward", ("a",)), **pipe}, {C: feat("forward", ("a", "b"))})
    assert [(f.rule, f.subject, f.line) for f in forward.findings] == [
        ("MG101", "contract:feat@1", line_of(feat("forward", ("a", "b")), "b: {type: number}"))]
    backward = check_pair(tmp_path / "b", {C: feat("backward", ("a",)), **pipe}, {C: feat("backward", ("a", "b"))})
    assert found(backward) == set()
    # the PR cannot relax the compatibility for its own change: the base's applies
    relaxed = check_pair(tmp_path / "r", {C: feat("forward", ("a",)), **pipe}, {C: feat("backward", ("a", "b"))})
    assert {f.rule for f in relaxed.findings} == {"MG101"}


def test_a_new_version_is_no_evolution_finding(tmp_path: Path) -> None:
    base = {C: contract("feat", version(1)), "models/pipe.yaml": model("pipe", provides=[("feat", 1), ("feat", 2)])}
    head = contract("feat", version(1), version(2, props=("z",), types="string", stability="alpha"))
    result = check_pair(tmp_path, base, {C: head})
    assert [(c.kind, c.subject) for c in result.changes] == [("added", "contract:feat@2")]
    assert found(result) == set()


@pytest.mark.parametrize(("tool", "words"), [
    ("dbt", "add a new version of the dbt model (`versions:` in the model's YAML"),
    ("mlflow", "the directory's name names the model and its contracts (`NAME-input`, `NAME-output`)"),
    ("odcs", "a document with a new major `version` (each major is one contract version)"),
])
def test_an_imported_contract_is_told_how_its_tool_makes_a_new_version(tmp_path: Path, tool: str, words: str) -> None:
    """MG101 on a manifest written by ``modelgate import`` said "publish the change as a new version instead",
    which a generated file cannot do by hand: it names the source tool's own way, from the rule's data."""
    labelled = FEAT.replace("  owners:", f"  labels: {{modelgate.dev/imported-from: {tool}}}\n  owners:")
    base = {C: labelled, "models/pipe.yaml": model("pipe", provides=[("feat", 1)])}
    result = check_pair(tmp_path, base, {C: labelled.replace("a: {type: number}", "a: {type: string}")})
    (finding,) = [f for f in result.findings if f.rule == "MG101"]
    assert finding.message.startswith("contract:feat@1: ")
    assert f"inside one version; {C} is imported from {tool}: " in finding.message
    assert words in finding.message and "publish the change" not in finding.message
    hand = check_pair(tmp_path / "hand", BASE, {C: FEAT.replace("a: {type: number}", "a: {type: string}")})
    assert [f.message.endswith(TAIL) for f in hand.findings if f.rule == "MG101"] == [True]
