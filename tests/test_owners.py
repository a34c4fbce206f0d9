"""Owners of a manifest (metadata.owners, else CODEOWNERS) and MG007."""

from __future__ import annotations

import pytest

from bot.loader import Loader
from bot.owners import owner_findings, owner_problem, owners_of, parse
from bot.sources import DirectorySource
from tests.helpers import model, write_tree


def load(tmp_path, files):
    return Loader(DirectorySource(write_tree(tmp_path, files))).load()


@pytest.mark.parametrize("owner", ["@alice", "@a", "@acme/risk-ml", "@Acme-Corp/team_b.x", "@" + "a" * 39])
def test_valid_owners(owner):
    assert owner_problem(owner) is None


@pytest.mark.parametrize(("owner", "words"), [
    ("alice", "needs an @: write '@alice'"), ("@-alice", "not a GitHub user"), ("@alice-", "not a GitHub user"),
    ("@al--ice", "not a GitHub user"), ("@" + "a" * 40, "not a GitHub user"), ("@acme/", "not a GitHub user"),
    ("@a/b/c", "not a GitHub user"), ("@ alice", "not a GitHub user"), ("alice@example.com", "e-mail address"),
])
def test_malformed_owners(owner, words):
    assert words in owner_problem(owner)


def test_metadata_owners_win_over_codeowners(tmp_path):
    snap = load(tmp_path, {"CODEOWNERS": "* @fallback\n",
                           "models/a.yaml": model("a", owners=["@x", "@acme/t", "@X"]),
                           "models/b.yaml": model("b", owners=[])})
    a, b = snap.manifests
    assert owners_of(a, snap) == ("@x", "@acme/t")  # GitHub logins are case-insensitive: @X is @x
    assert owners_of(b, snap) == ("@fallback",)
    assert owner_findings(snap) == []


def test_codeowners_last_matching_rule_wins_and_github_order(tmp_path):
    snap = load(tmp_path, {
        "CODEOWNERS": "* @root-owner\n",
        ".github/CODEOWNERS": "# owners\n*.yaml @any-yaml\n/models/risk/ @acme/risk  # inline comment\n",
        "models/risk/a.yaml": model("a", owners=[]),
        "models/b.yaml": model("b", owners=[]),
    })
    owners = {m.name: owners_of(m, snap) for m in snap.manifests}
    assert owners == {"a": ("@acme/risk",), "b": ("@any-yaml",)}


def test_no_owner_anywhere_is_mg007_on_metadata(tmp_path):
    snap = load(tmp_path, {"models/a.yaml": model("a", owners=[])})
    (finding,) = owner_findings(snap)
    assert (finding.rule, finding.severity, finding.file, finding.line) == ("MG007", "error", "models/a.yaml", 3)
    assert "no CODEOWNERS file" in finding.message
    snap = load(tmp_path, {"CODEOWNERS": "/docs/ @docs\n"})
    assert "no rule of CODEOWNERS matches" in owner_findings(snap)[0].message


def test_an_empty_owners_list_is_mg007_on_its_own_line(tmp_path):
    text = "apiVersion: modelgate/v1\nkind: Model\nmetadata:\n  name: a\n  owners: []\nspec:\n  version: 1.0.0\n"
    (finding,) = owner_findings(load(tmp_path, {"models/a.yaml": text}))
    assert (finding.rule, finding.line) == ("MG007", 5)


def test_malformed_owner_in_metadata_points_at_it_once(tmp_path):
    snap = load(tmp_path, {"models/a.yaml": model("a", owners=["@ok", "not-an-owner"]),
                           "models/b.yaml": model("b", owners=["bad"])})
    findings = owner_findings(snap)
    assert [(f.file, f.line) for f in findings] == [("models/a.yaml", 7), ("models/b.yaml", 6)]
    assert owners_of(snap.manifests[0], snap) == ("@ok",)


def test_codeowners_problems_are_reported_once_at_the_codeowners_line(tmp_path):
    snap = load(tmp_path, {
        "CODEOWNERS": "*.md @docs\nmodels/ ml-team@example.com\n",
        "models/a.yaml": model("a", owners=[]),
        "models/b.yaml": model("b", owners=[]),
    })
    findings = owner_findings(snap)
    codeowners = [f for f in findings if f.file == "CODEOWNERS"]
    assert len(codeowners) == 1 and codeowners[0].line == 2 and "e-mail" in codeowners[0].message
    ownerless = sorted(f.file for f in findings if f.file != "CODEOWNERS")
    assert ownerless == ["models/a.yaml", "models/b.yaml"]
    assert all("CODEOWNERS line 2 names no usable owner" in f.message for f in findings if f.file != "CODEOWNERS")


@pytest.mark.parametrize(("owner", "org", "name", "team"), [
    ("@acme/risk-ml", "acme", "risk-ml", True), ("@Acme-Org/Team.With_Dots", "Acme-Org", "Team.With_Dots", True),
    ("@priya-raman", None, "priya-raman", False)])
def test_parse_takes_an_owner_apart(owner: str, org: str | None, name: str, team: bool) -> None:
    handle = parse(owner)
    assert (handle.org, handle.name, handle.is_team) == (org, name, team)


def test_an_imported_manifest_without_owner_is_told_the_overlay_entry(tmp_path):
    """MG007 on a manifest written by ``modelgate import`` names the overlay entry, not an edit of the generated
    file (the next import would replace it, and ``--check`` reports it as edited by hand)."""
    path = "manifests/dbt/models/pipe.yaml"
    text = model("pipe", owners=[], labels={"modelgate.dev/imported-from": "dbt"})
    (mg007,) = owner_findings(load(tmp_path, {path: text}))
    assert mg007.message.endswith(
        "; manifests/dbt/models/pipe.yaml is imported from dbt: add the owners to manifests/dbt/modelgate-overlay.yaml "
        "(the import's overlay), not to the file, as models: {pipe: {metadata: {owners: [\"@org/team\"]}}}")
    hand_written = owner_findings(load(tmp_path / "hand", {path: model("pipe", owners=[])}))
    assert "overlay" not in hand_written[0].message
