"""``bot.policy.deprecation``: MG102-MG108, MG112, MG113 from what a PR changes."""

from __future__ import annotations

from pathlib import Path

from tests.scenarios import check_pair, contract, found, line_of, model, version

C = "contracts/feat.yaml"
BASE = {C: contract("feat", version(1), version(2)), "docs/g.md": "# guide\n",
        "models/pipe.yaml": model("pipe", provides=[("feat", 1), ("feat", 2)])}


def test_an_incomplete_deprecation_and_a_replacement_that_is_not_active(tmp_path: Path) -> None:
    feat = contract("feat", version(1, status="deprecated", sunset="2027-06-01", replacement=3),
                    version(2))
    result = check_pair(tmp_path, BASE, {C: feat})
    assert found(result) == {("MG104", "contract:feat@1", C, line_of(feat, "deprecation:")),
                             ("MG107", "contract:feat@1", C, line_of(feat, "replacement: 3"))}
    assert "without migration" in next(f.message for f in result.findings if f.rule == "MG104")


def test_a_missing_migration_guide_warns(tmp_path: Path) -> None:
    feat = contract("feat", version(1, status="deprecated", sunset="2027-06-01", replacement=2,
                                     migration="docs/missing.md"), version(2))
    result = check_pair(tmp_path, BASE, {C: feat})
    assert found(result) == {("MG108", "contract:feat@1", C, line_of(feat, "migration:"))}
    assert result.findings[0].severity == "warning"


def test_deleting_the_guide_of_a_deprecated_version_is_caught(tmp_path: Path) -> None:
    feat = contract("feat", version(1, status="deprecated", sunset="2027-06-01", replacement=2,
                                     migration="docs/g.md"), version(2))
    result = check_pair(tmp_path, {**BASE, C: feat}, {"docs/g.md": None})
    assert found(result) == {("MG108", "contract:feat@1", C, line_of(feat, "migration:"))}


def test_retiring_without_a_deprecation(tmp_path: Path) -> None:
    feat = contract("feat", version(1, status="retired"), version(2))
    result = check_pair(tmp_path, BASE, {C: feat})
    assert found(result) == {("MG102", "contract:feat@1", C, line_of(feat, "status: retired"))}
    assert "without a deprecation" in result.findings[0].message


def test_a_version_that_arrives_deprecated(tmp_path: Path) -> None:
    feat = contract("feat", version(1), version(2), version(3, status="deprecated", sunset="2027-06-01",
                                                            replacement=2, migration="docs/g.md"))
    result = check_pair(tmp_path, BASE, {C: feat})
    assert found(result) == {("MG112", "contract:feat@3", C, line_of(feat, "status: deprecated"))}


def test_a_whole_contract_removed_while_consumed(tmp_path: Path) -> None:
    base = {**BASE, "models/user.yaml": model("user", consumes=[("feat", 2)])}
    result = check_pair(tmp_path, base, {C: None})
    rules = {(f.rule, f.subject, f.file) for f in result.findings}
    assert ("MG113", "contract:feat", C) in rules
    assert not any(rule == "MG103" for rule, _, _ in rules)
    assert {("MG102", "contract:feat@1", C), ("MG102", "contract:feat@2", C)} <= rules
