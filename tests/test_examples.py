"""The example platform (examples/fraud-platform): both trees are valid, and its README tells the truth."""

from __future__ import annotations

import json
import re

import pytest

from bot.lint import lint_snapshot
from bot.loader import Loader
from bot.manifests.models import Contract
from bot.manifests.snapshot import Snapshot
from bot.sources import DirectorySource
from tests.helpers import REPO_ROOT, run_cli

EXAMPLE = REPO_ROOT / "examples" / "fraud-platform"
TODAY = "2026-11-28"
# "| MG101 error | `contracts/transaction-features.yaml:27` | contract:transaction-features@2 | ..."
EXPECTED_ROW = re.compile(r"^\| (MG\d{3}) (\w+)( \(pre-existing\))? \| `([^`:]+):(\d+)` \| (\S+) \|", re.MULTILINE)


def load(tree: str) -> Snapshot:
    return Loader(DirectorySource(EXAMPLE / tree)).load()


def expected_findings() -> list[dict]:
    """The README's table of the findings of the PR."""
    text = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    table = text.split("### Expected findings", 1)[1]
    return [{"rule": rule, "severity": severity, "preexisting": bool(pre), "file": file, "line": int(line),
             "subject": subject} for rule, severity, pre, file, line, subject in EXPECTED_ROW.findall(table)]


@pytest.mark.parametrize("tree", ["base", "head"])
def test_both_trees_are_valid_and_lint_clean(tree):
    snapshot = load(tree)
    assert lint_snapshot(snapshot) == []
    assert len(snapshot.models) >= 10
    assert len(snapshot.contracts) >= 6
    assert (snapshot.codeowners or ("", ""))[0] == "CODEOWNERS"
    assert ".modelgate.yml" in snapshot.paths
    assert snapshot.config.admins == ["@acme/ml-platform"]


def test_the_schema_ref_is_read_from_its_file():
    snapshot = load("base")
    assert snapshot.schema_files[("device-features", 2)] == "schemas/device-features.v2.json"
    assert snapshot.schema("device-features", 2)["required"] == ["device_id", "first_seen",
                                                                 "accounts_on_device_30d", "signals"]


def migration_paths(snapshot: Snapshot) -> dict[str, bool]:
    return {
        v.deprecation.migration: v.deprecation.migration in snapshot.paths
        for m in snapshot.contracts.values() if isinstance(m.doc, Contract)
        for v in m.doc.spec.versions if v.deprecation and v.deprecation.migration
    }


def test_migration_guides_exist_except_the_one_the_pr_forgot():
    assert migration_paths(load("base")) == {
        "docs/migrations/fraud-score-v2.md": True, "docs/migrations/merchant-features-v2.md": True}
    assert migration_paths(load("head")) == {
        "docs/migrations/fraud-score-v2.md": True, "docs/migrations/merchant-features-v2.md": True,
        "docs/migrations/ato-score-v2.md": False}


def test_the_pr_changes_the_manifests_the_readme_lists():
    base, head = load("base"), load("head")
    changed = sorted(m.subject for m in head.manifests
                     if (EXAMPLE / "base" / m.path).read_bytes() != (EXAMPLE / "head" / m.path).read_bytes())
    assert changed == [
        "contract:ato-score", "contract:fraud-score", "contract:merchant-features", "contract:transaction-features",
        "model:ato-scorer", "model:customer-alerts", "model:fraud-scorer", "model:merchant-risk-features",
        "model:txn-feature-pipeline",
    ]
    assert {m.path for m in base.manifests} == {m.path for m in head.manifests}


def test_schema_changes_are_breaking_and_compatible_as_the_readme_says():
    compat = pytest.importorskip("bot.compat")
    base, head = load("base"), load("head")
    # forward compatibility: the old schema (consumers) must read everything the new one allows
    channel = compat.compare(head.schema("transaction-features", 2), base.schema("transaction-features", 2))
    assert not channel.compatible
    assert any(c.path.startswith("#/properties/channel") for c in channel.changes if not c.compatible)
    band = compat.compare(head.schema("merchant-features", 2), base.schema("merchant-features", 2))
    assert band.compatible and band.changes


def test_readme_lines_point_at_the_keys_they_name():
    rows = expected_findings()
    assert len(rows) == 13
    for row in rows:
        lines = (EXAMPLE / "head" / row["file"]).read_text(encoding="utf-8").splitlines()
        assert 1 <= row["line"] <= len(lines), row
    anchors = {
        ("MG101", "contracts/transaction-features.yaml"): "enum: [pos, ecom, moto, recurring, wallet]",
        ("MG102", "contracts/merchant-features.yaml"): "status: retired",
        ("MG105", "contracts/ato-score.yaml"): "sunset: 2027-01-31",
        ("MG108", "contracts/ato-score.yaml"): "migration: docs/migrations/ato-score-v2.md",
        ("MG109", "contracts/fraud-score.yaml"): "latency_p99_ms: 55",
        ("MG205", "models/scoring/fraud-scorer.yaml"): "version: 4.0.0",
        ("MG201", "models/decisioning/risk-router.yaml"): "- contract: ato-score",
        ("MG203", "models/ops/customer-alerts.yaml"): "- contract: fraud-score",
        ("MG202", "models/ops/merchant-monitoring.yaml"): "- contract: merchant-features",
    }
    for row in rows:
        anchor = anchors.get((row["rule"], row["file"]))
        if anchor:
            text = (EXAMPLE / "head" / row["file"]).read_text(encoding="utf-8").splitlines()[row["line"] - 1]
            assert anchor in text, (row, text)


def test_base_lints_clean_through_the_cli():
    done = run_cli("lint", str(EXAMPLE / "base"), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"verdict": "pass", "findings": []}


@pytest.mark.skipif(not (REPO_ROOT / "bot" / "commands" / "check.py").exists(), reason="modelgate check not built yet")
def test_check_reports_exactly_the_findings_the_readme_lists():
    done = run_cli("check", "--base", str(EXAMPLE / "base"), "--head", str(EXAMPLE / "head"),
                   "--today", TODAY, "--format", "json")
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["verdict"] == "fail"
    got = sorted((f["rule"], f["severity"], f["preexisting"], f["file"], f["line"], f["subject"])
                 for f in result["findings"])
    want = sorted(tuple(row.values()) for row in expected_findings())
    assert got == want


@pytest.mark.parametrize(("today", "severity"), [("2026-12-14", "warning"), ("2026-12-15", "error"),
                                               ("2026-12-16", "error")])
def test_the_configured_mg201_warning_warns_until_the_sunset_then_fails(today, severity):
    """The example's `.modelgate.yml` says so beside `MG201: warning`; fraud-score@1's sunset is 2026-12-15."""
    config = (EXAMPLE / "base" / ".modelgate.yml").read_text(encoding="utf-8")
    assert re.search(r"^  MG201: warning +# .*warns until the sunset, then fails$", config, re.MULTILINE)
    done = run_cli("check", "--base", str(EXAMPLE / "base"), "--head", str(EXAMPLE / "head"),
                   "--today", today, "--format", "json")
    assert done.returncode == 1, done.stderr  # the PR fails on other errors (MG101, ...) either way
    mg201 = {(f["subject"], f["severity"]) for f in json.loads(done.stdout)["findings"] if f["rule"] == "MG201"}
    assert mg201 == {("model:customer-alerts", severity), ("model:fraud-ops-dashboard", severity),
                     ("model:risk-router", "warning")}  # ato-score@1's sunset is 2027-01-31: still ahead
