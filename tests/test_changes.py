"""``bot.changes.diff_states``: what a PR changes, with file and line."""

from __future__ import annotations

from pathlib import Path

from bot.changes import diff_states
from tests.scenarios import contract, line_of, model, states, version

FEAT = contract("feat", version(1))
BASE = {"contracts/feat.yaml": FEAT, "models/pipe.yaml": model("pipe", provides=[("feat", 1)])}


def diff(tmp_path: Path, changes: dict, base: dict | None = None) -> list[tuple]:
    return [(c.subject, c.kind, c.type, c.breaking, c.file, c.line)
            for c in diff_states(*states(tmp_path, base or BASE, changes))]


def test_nothing_changed(tmp_path: Path) -> None:
    assert diff(tmp_path, {}) == []


def test_added_and_removed_manifests_point_at_head_and_base(tmp_path: Path) -> None:
    extra = contract("extra", version(1), version(2))
    assert diff(tmp_path, {"contracts/extra.yaml": extra, "models/pipe.yaml": None}) == [
        ("contract:extra", "added", "CONTRACT_ADDED", False, "contracts/extra.yaml", 1),
        ("contract:extra@1", "added", "VERSION_ADDED", False, "contracts/extra.yaml", line_of(extra, "- version: 1")),
        ("contract:extra@2", "added", "VERSION_ADDED", False, "contracts/extra.yaml", line_of(extra, "- version: 2")),
        ("model:pipe", "removed", "MODEL_REMOVED", False, "models/pipe.yaml", 1),
    ]


def test_status_deprecation_and_stability_changes(tmp_path: Path) -> None:
    base = {**BASE, "contracts/feat.yaml": contract("feat", version(1, status="deprecated", sunset="2027-06-01",
                                                                    replacement=2), version(2))}
    head = contract("feat", version(1, status="retired", sunset="2027-05-01", replacement=2),
                    version(2, stability="beta"))
    assert diff(tmp_path, {"contracts/feat.yaml": head}, base) == [
        ("contract:feat@1", "status", "VERSION_RETIRED", True, "contracts/feat.yaml", line_of(head, "status: retired")),
        ("contract:feat@1", "deprecation", "SUNSET_MOVED", False, "contracts/feat.yaml", line_of(head, "sunset:")),
        ("contract:feat@2", "stability", "STABILITY_DECREASED", True, "contracts/feat.yaml",
         line_of(head, "stability: beta")),
    ]


def test_a_schema_file_change_is_a_schema_change(tmp_path: Path) -> None:
    by_ref = ("apiVersion: modelgate/v1\nkind: Contract\nmetadata: {name: feat, owners: ['@o']}\nspec:\n"
              "  versions:\n    - version: 1\n      schema_ref: schemas/feat.json\n")
    base = {**BASE, "contracts/feat.yaml": by_ref,
            "schemas/feat.json": '{"type": "object", "properties": {"a": {"type": "number"}}}'}
    changes = diff_states(*states(tmp_path, base, {
        "schemas/feat.json": '{"type": "object", "properties": {"a": {"type": "string"}}}'}))
    assert [(c.subject, c.kind, c.path, c.breaking, c.line) for c in changes] == [
        ("contract:feat@1", "schema", "#/properties/a", True, line_of(by_ref, "schema_ref"))]


def test_model_edits(tmp_path: Path) -> None:
    head = model("pipe", provides=[("feat", 1)], consumes=[("other", 1, ["x"])], owners='["@new"]', semver="2.0.0")
    assert diff(tmp_path, {"models/pipe.yaml": head}) == [
        ("model:pipe", "version", "MAJOR_VERSION_CHANGED", False, "models/pipe.yaml", line_of(head, "version: 2.0.0")),
        ("model:pipe", "consumes", "CONSUME_ADDED", False, "models/pipe.yaml", line_of(head, "- contract: other")),
        ("model:pipe", "owners", "OWNERS_CHANGED", False, "models/pipe.yaml", line_of(head, "owners:")),
    ]


def test_a_configuration_change_is_a_change_of_subject_config(tmp_path: Path) -> None:
    base = {**BASE, ".modelgate.yml": "admins: ['@a']\n"}
    assert diff(tmp_path, {".modelgate.yml": "admins: ['@b']\n"}, base) == [
        ("config", "metadata", "CONFIG_CHANGED", False, ".modelgate.yml", 1)]
    assert diff(tmp_path / "new", {".modelgate.yml": "admins: ['@b']\n"}) == [
        ("config", "added", "CONFIG_ADDED", False, ".modelgate.yml", 1)]


def test_the_order_is_deterministic(tmp_path: Path) -> None:
    changes = {"contracts/feat.yaml": contract("feat", version(1, types="string"), version(2)),
               "models/pipe.yaml": model("pipe", provides=[("feat", 2)], semver="1.1.0")}
    first = diff_states(*states(tmp_path / "a", BASE, changes))
    assert first == diff_states(*states(tmp_path / "b", BASE, changes))
    assert [c.subject for c in first] == sorted(c.subject for c in first)


def test_a_manifest_broken_at_head_is_not_a_removal(tmp_path: Path) -> None:
    assert diff(tmp_path, {"models/pipe.yaml": "apiVersion: modelgate/v1\nkind: Model\nmetadata: [\n"}) == [
        ("model:pipe", "metadata", "MANIFEST_UNREADABLE", False, "models/pipe.yaml", 1)]


def test_an_edit_without_a_change_of_meaning_is_still_a_change(tmp_path: Path) -> None:
    assert diff(tmp_path, {"models/pipe.yaml": "# owned by the pipe team\n" + BASE["models/pipe.yaml"]}) == [
        ("model:pipe", "metadata", "TEXT_CHANGED", False, "models/pipe.yaml", 1)]


def test_a_quality_change_is_of_a_kind_spec_names(tmp_path: Path) -> None:
    quality = version(1) + "      quality: {min_records: 10}\n"
    base = {"contracts/c.yaml": contract("c", version(1))}
    changes = diff_states(*states(tmp_path, base, {"contracts/c.yaml": contract("c", quality)}))
    assert [(c.kind, c.type) for c in changes] == [("metadata", "QUALITY_CHANGED")]


def test_a_moved_file_and_a_name_taken_by_a_new_file_are_changes(tmp_path: Path) -> None:
    pipe = BASE["models/pipe.yaml"]
    assert diff(tmp_path / "moved", {"models/pipe.yaml": None, "models/moved/pipe.yaml": pipe}) == [
        ("model:pipe", "metadata", "FILE_MOVED", False, "models/moved/pipe.yaml", 1)]
    other = model("pipe", provides=[("feat", 1)], semver="2.0.0")  # first by path: the name is now its own
    assert diff(tmp_path / "taken", {"models/a-pipe.yaml": other}) == [
        ("model:pipe", "version", "MAJOR_VERSION_CHANGED", False, "models/a-pipe.yaml", line_of(other, "version: 2"))]


def test_a_contract_broken_at_head_is_unreadable_and_none_of_its_versions_is_removed(tmp_path: Path) -> None:
    two = {**BASE, "contracts/feat.yaml": contract("feat", version(1), version(2))}
    broken = "apiVersion: modelgate/v1\nkind: Contract\nmetadata: {name: feat\n"
    assert diff(tmp_path, {"contracts/feat.yaml": broken}, two) == [
        ("contract:feat", "metadata", "MANIFEST_UNREADABLE", False, "contracts/feat.yaml", 1)]
