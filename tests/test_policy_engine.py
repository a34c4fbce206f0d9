"""``bot.policy.engine``: severities from the base configuration, preexisting findings, waivers."""

from __future__ import annotations

from pathlib import Path

from bot.approvals import Override, ReviewState
from tests.scenarios import check_pair, contract, line_of, model, version

DEPRECATED = contract("feat", version(1, status="deprecated", sunset="2027-06-01", replacement=2,
                                     migration="guide.md"), version(2))
BASE = {"contracts/feat.yaml": DEPRECATED, "guide.md": "# guide\n",
        "models/pipe.yaml": model("pipe", provides=[("feat", 1), ("feat", 2)]),
        "models/old.yaml": model("old", consumes=[("feat", 1)])}
BREAKING = {"contracts/feat.yaml": DEPRECATED.replace("{type: number}", "{type: string}", 1)}


def test_a_finding_already_at_base_is_preexisting_even_when_its_line_moves(tmp_path: Path) -> None:
    moved = "# a comment that moves every line\n" + model("old", consumes=[("feat", 1)])
    result = check_pair(tmp_path, BASE, {"models/old.yaml": moved})
    assert [(f.rule, f.line, f.preexisting) for f in result.findings] == [
        ("MG201", line_of(moved, "- contract: feat"), True)]
    assert result.verdict == "pending"


def test_severity_overrides_and_off_come_from_the_base_configuration(tmp_path: Path) -> None:
    config = {".modelgate.yml": "rules: {MG101: warning, MG201: off}\n"}
    result = check_pair(tmp_path, {**BASE, **config}, BREAKING)
    assert [(f.rule, f.severity) for f in result.findings] == [("MG101", "warning")]
    assert result.verdict == "pending"


def test_one_severity_sets_mg201_before_the_sunset_and_keeps_the_escalation_after_it(tmp_path: Path) -> None:
    late = {"contracts/feat.yaml": DEPRECATED.replace("2027-06-01", "2026-11-28")}
    escalated = check_pair(tmp_path / "a", {**BASE, **late}, {})
    assert [(f.rule, f.severity, "today" in f.message) for f in escalated.findings] == [("MG201", "error", True)]
    kept = check_pair(tmp_path / "b", {**BASE, **late, ".modelgate.yml": "rules: {MG201: notice}\n"}, {})
    assert [(f.rule, f.severity) for f in kept.findings] == [("MG201", "error")]
    early = check_pair(tmp_path / "c", {**BASE, ".modelgate.yml": "rules: {MG201: notice}\n"}, {})
    assert [(f.rule, f.severity) for f in early.findings] == [("MG201", "notice")]


def test_before_and_after_set_both_severities_of_mg201(tmp_path: Path) -> None:
    late = {"contracts/feat.yaml": DEPRECATED.replace("2027-06-01", "2026-11-28")}
    config = {".modelgate.yml": "rules:\n  MG201: {before: notice, after: warning}\n"}
    calm = check_pair(tmp_path / "a", {**BASE, **late, **config}, {})
    assert [(f.rule, f.severity) for f in calm.findings] == [("MG201", "warning")]
    assert calm.verdict != "fail"
    early = check_pair(tmp_path / "b", {**BASE, **config}, {})
    assert [(f.rule, f.severity) for f in early.findings] == [("MG201", "notice")]
    silent = check_pair(tmp_path / "c", {**BASE, **late, ".modelgate.yml": "rules: {MG201: off}\n"}, {})
    assert silent.findings == []


def test_an_admin_override_on_the_head_waives_the_rule(tmp_path: Path) -> None:
    config = {".modelgate.yml": "admins: ['@root']\n"}
    state = ReviewState("dev", "sha", overrides=(Override("root", "MG101", "known consumer-safe", "sha"),))
    result = check_pair(tmp_path, {**BASE, **config}, BREAKING, reviews=state)
    waived = [f for f in result.findings if f.rule == "MG101"]
    assert waived and all((f.waived_by, f.waived_reason) == ("root", "known consumer-safe") for f in waived)
    assert result.verdict == "pending"


def test_an_unreadable_configuration_at_base_blocks_until_it_is_fixed(tmp_path: Path) -> None:
    broken = {".modelgate.yml": "rules:\n  MG999: off\n"}
    untouched = check_pair(tmp_path / "a", {**BASE, **broken}, {"models/old.yaml": model("old", semver="1.0.1",
                                                                                         consumes=[("feat", 1)])})
    [config] = [f for f in untouched.findings if f.file == ".modelgate.yml"]
    assert (config.rule, config.line, config.preexisting) == ("MG001", 2, False)
    assert untouched.verdict == "fail"
    fixed = check_pair(tmp_path / "b", {**BASE, **broken}, {".modelgate.yml": "rules: {MG204: off}\n"})
    assert [f for f in fixed.findings if f.file == ".modelgate.yml"] == []
    assert fixed.verdict != "fail"


def test_codeowners_that_differ_between_the_states_are_judged_each_on_its_own(tmp_path: Path) -> None:
    base = {**BASE, "models/old.yaml": model("old", consumes=[("feat", 1)], owners="[]")}
    good, bad = "* @acme/owners\n", "* owners@example.com\n"

    def owner_findings(name: str, before: str, after: str) -> set[tuple[str | None, bool]]:
        result = check_pair(tmp_path / name, {**base, "CODEOWNERS": before}, {"CODEOWNERS": after})
        return {(f.file, f.preexisting) for f in result.findings if f.rule == "MG007"}

    assert owner_findings("fixed", bad, good) == set()
    assert owner_findings("broken", good, bad) == {("CODEOWNERS", False), ("models/old.yaml", False)}
    assert owner_findings("kept", bad, bad + "# who reviews what\n") == {("CODEOWNERS", True),
                                                                          ("models/old.yaml", True)}
