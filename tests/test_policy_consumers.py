"""``bot.policy.consumers`` (MG201, MG202, MG203, MG205) and ``bot.policy.latency`` (MG204)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.check import evaluate
from bot.loader import Parses, load_states
from bot.policy import consumers, latency
from bot.registry import State
from bot.sources import DirectorySource
from tests.helpers import write_tree
from tests.scenarios import TODAY, check_pair, contract, found, line_of, load, model, version

C = "contracts/feat.yaml"


def feat(sunset: str = "2027-06-01", status: str = "deprecated") -> str:
    return contract("feat", version(1, status=status, sunset=sunset, replacement=2, migration="g.md"), version(2))


@pytest.mark.parametrize(("today", "severity", "words"), [
    (date(2026, 12, 14), "warning", "(1 day left)"), (date(2026, 12, 15), "error", "(today)"),
    (date(2026, 12, 20), "error", "(5 days ago)")])
def test_consuming_a_deprecated_version_warns_then_fails_from_the_sunset_day(
        tmp_path: Path, today: date, severity: str, words: str) -> None:
    user = model("user", consumes=[("feat", 1)])
    base = {C: feat("2026-12-15"), "g.md": "#\n", "models/user.yaml": user,
            "models/pipe.yaml": model("pipe", provides=[("feat", 1), ("feat", 2)])}
    result = check_pair(tmp_path, base, {"models/user.yaml": user.replace("1.0.0", "1.0.1")}, today=today)
    assert [(f.rule, f.severity, f.line) for f in result.findings] == [
        ("MG201", severity, line_of(user, "- contract: feat"))]
    assert words in result.findings[0].message
    assert "replacement feat@2; see g.md" in result.findings[0].message


def test_consuming_a_retired_version(tmp_path: Path) -> None:
    user = model("user", consumes=[("feat", 1)])
    base = {C: feat(), "g.md": "#\n", "models/user.yaml": user,
            "models/pipe.yaml": model("pipe", provides=[("feat", 1), ("feat", 2)])}
    result = check_pair(tmp_path, base, {C: feat(status="retired")})
    assert ("MG202", "model:user", "models/user.yaml", line_of(user, "- contract: feat")) in found(result)


def test_a_major_bump_with_consumers_is_a_notice(tmp_path: Path) -> None:
    pipe = model("pipe", provides=[("feat", 1)], semver="2.0.0")
    base = {C: contract("feat", version(1)), "models/pipe.yaml": model("pipe", provides=[("feat", 1)]),
            "models/user.yaml": model("user", consumes=[("feat", 1)])}
    result = check_pair(tmp_path, base, {"models/pipe.yaml": pipe})
    assert found(result) == {("MG205", "model:pipe", "models/pipe.yaml", line_of(pipe, "version: 2.0.0"))}
    assert result.findings[0].severity == "notice"
    assert [(i.model, i.via) for i in result.direct] == [("user", "contract:feat@1")]
    alone = check_pair(tmp_path / "alone", {k: v for k, v in base.items() if "user" not in k},
                       {"models/pipe.yaml": pipe})
    assert found(alone) == set()


def test_a_missing_slo_counts_zero_and_an_unset_budget_is_not_checked(tmp_path: Path) -> None:
    files = {
        "contracts/x.yaml": contract("x", version(1, latency=30)),
        "contracts/y.yaml": contract("y", version(1)),
        "contracts/z.yaml": contract("z", version(1, latency=30)),
        "contracts/w.yaml": contract("w", version(1)),
        "models/m.yaml": model("m", consumes=[("x", 1), ("y", 1)], provides=[("z", 1), ("w", 1)]),
    }
    assert list(latency.on_state(State(load(write_tree(tmp_path / "ok", files))))) == []
    tight = {**files, "contracts/z.yaml": contract("z", version(1, latency=29.5))}
    findings = list(latency.on_state(State(load(write_tree(tmp_path / "tight", tight)))))
    assert [(f.rule, f.subject, f.line) for f in findings] == [
        ("MG204", "model:m", line_of(files["models/m.yaml"], "- contract: z"))]
    assert "contract:x@1 (30 ms) = 30 ms p99 in all, more than the 29.5 ms p99 of contract:z@1" in findings[0].message


def test_a_new_dependency_on_a_deprecated_version_when_the_states_share_their_parsed_files(tmp_path: Path) -> None:
    base = {C: feat(), "g.md": "#\n", "models/pipe.yaml": model("pipe", provides=[("feat", 1), ("feat", 2)]),
            "models/old.yaml": model("old", consumes=[("feat", 1)]),
            "models/user.yaml": model("user", consumes=[("feat", 2)])}
    head = {**base, "models/user.yaml": model("user", consumes=[("feat", 2), ("feat", 1)])}
    states = load_states(DirectorySource(write_tree(tmp_path / "base", base)),
                         DirectorySource(write_tree(tmp_path / "head", head)), None, Parses())
    assert states[0].models["old"].doc is states[1].models["old"].doc  # one parse of the unchanged file
    result = evaluate(*states, TODAY)
    assert {(f.rule, f.subject, f.line) for f in result.findings if f.rule == "MG203"} == {
        ("MG203", "model:user", line_of(head["models/user.yaml"], "- contract: feat", after="version: 2"))}


def test_the_consumer_rules_of_a_state_need_a_day(tmp_path: Path) -> None:
    files = {"contracts/x.yaml": contract("x", version(1, status="deprecated", sunset="2027-06-01")),
             "models/m.yaml": model("m", consumes=[("x", 1)])}
    snapshot = load(write_tree(tmp_path, files))
    with pytest.raises(ValueError, match="judged on a day"):
        list(consumers.on_state(State(snapshot)))
    assert [f.rule for f in consumers.on_state(State(snapshot, TODAY))] == ["MG201"]
