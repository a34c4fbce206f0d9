"""``bot.policy.deprecation``: MG102-MG108, MG112, MG113 from what a PR changes."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.scenarios import TODAY, check_pair, contract, found, line_of, model, version

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


def deprecated(sunset: date, stability: str | None = None) -> str:
    """feat with version 1 deprecated, complete but for the day of its sunset."""
    return contract("feat", version(1, status="deprecated", stability=stability, sunset=sunset.isoformat(),
                                    replacement=2, migration="docs/g.md"), version(2))


@pytest.mark.parametrize(("stability", "days"), [("stable", 90), ("beta", 30)])
def test_the_deprecation_window_ends_on_its_last_day_exactly(tmp_path: Path, stability: str, days: int) -> None:
    """MG105: a sunset ``deprecation_days`` after today is accepted (the message says "on or after"); one day
    sooner is not."""
    base = {**BASE, C: contract("feat", version(1, stability=stability), version(2))}
    earliest = TODAY + timedelta(days=days)
    assert found(check_pair(tmp_path / "on", base, {C: deprecated(earliest, stability)})) == set()
    short = deprecated(earliest - timedelta(days=1), stability)
    result = check_pair(tmp_path / "short", base, {C: short})
    assert found(result) == {("MG105", "contract:feat@1", C, line_of(short, "sunset:"))}
    assert result.findings[0].message.endswith(f"needs at least {days} days: a sunset on or after {earliest}")


def test_a_sunset_moved_earlier_may_land_on_the_last_day_of_the_window(tmp_path: Path) -> None:
    """MG106: moving a sunset earlier is accepted down to today + ``deprecation_days``, not a day sooner."""
    base = {**BASE, C: deprecated(date(2027, 6, 1))}
    earliest = TODAY + timedelta(days=90)
    assert found(check_pair(tmp_path / "on", base, {C: deprecated(earliest)})) == set()
    sooner = deprecated(earliest - timedelta(days=1))
    assert found(check_pair(tmp_path / "sooner", base, {C: sooner})) == {
        ("MG106", "contract:feat@1", C, line_of(sooner, "sunset:"))}


def test_an_imported_contract_is_told_where_in_the_overlay_the_missing_keys_go(tmp_path: Path) -> None:
    """MG104 on a manifest written by ``modelgate import`` names the overlay beside it and the keys to add there,
    as YAML to paste, rather than the generated file (which the next import replaces)."""
    path = "manifests/dbt/contracts/feat.yaml"
    feat = contract("feat", version(1, status="deprecated", sunset="2027-06-01", replacement=2), version(2)).replace(
        "  name: feat\n", "  name: feat\n  labels: {modelgate.dev/imported-from: dbt}\n")
    base = {path: contract("feat", version(1), version(2)), "docs/g.md": "# guide\n",
            "models/pipe.yaml": model("pipe", provides=[("feat", 1), ("feat", 2)])}
    result = check_pair(tmp_path, base, {path: feat})
    assert found(result) == {("MG104", "contract:feat@1", path, line_of(feat, "deprecation:"))}
    assert result.findings[0].message == (
        "contract:feat@1 is deprecated without migration; manifests/dbt/contracts/feat.yaml is imported from dbt: "
        "add them to manifests/dbt/modelgate-overlay.yaml (the import's overlay), not to the file, as contracts: "
        "{feat: {spec: {versions: {1: {deprecation: {migration: docs/PATH.md}}}}}}")
