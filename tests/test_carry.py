"""``bot.manifests.carry``: a manifest that loaded at base and does not load at head keeps its base identity at head
(unknown, never removed), and impact and approvals read that identity."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.changes import diff_states
from bot.check import evaluate
from bot.graph import Graph
from bot.loader import Loader
from bot.manifests.carry import carry_unknown
from bot.manifests.snapshot import Snapshot
from bot.result import Finding
from bot.sources import DirectorySource
from tests.helpers import write_tree
from tests.scenarios import TODAY, check_pair, contract, found, groups, model, states, version

BROKEN = "apiVersion: modelgate/v1\nkind: Model\nmetadata: [\n"
BASE = {
    "contracts/feat.yaml": contract("feat", version(1, props=("a", "b"))),
    "models/pipe.yaml": model("pipe", provides=[("feat", 1)]),
    "models/scorer.yaml": model("scorer", consumes=[("feat", 1, ["a"])], owners='["@acme/scoring"]'),
}


def test_a_manifest_that_stops_loading_keeps_its_base_identity_at_head(tmp_path: Path) -> None:
    base, head = states(tmp_path, BASE, {"models/scorer.yaml": BROKEN})
    assert head.models["scorer"] is base.models["scorer"]
    assert [m.path for m in head.manifests] == ["contracts/feat.yaml", "models/pipe.yaml"]  # the files that load
    cause = head.unknown["model:scorer"]
    assert (cause.rule, cause.severity, cause.file) == ("MG001", "error", "models/scorer.yaml")
    assert head.unknown_file("model:scorer") == "models/scorer.yaml" and head.unknown_file("model:pipe") is None
    assert Graph.from_snapshot(head).consumers_of("contract:feat@1") == ["model:scorer"]
    assert base.unknown == {}


def test_a_deleted_manifest_is_removed_and_one_that_loads_from_another_file_is_known(tmp_path: Path) -> None:
    _, deleted = states(tmp_path / "a", BASE, {"models/scorer.yaml": None})
    assert "scorer" not in deleted.models and deleted.unknown == {}
    _, moved = states(tmp_path / "b", BASE, {"models/scorer.yaml": BROKEN,
                                             "models/scoring.yaml": BASE["models/scorer.yaml"]})
    assert moved.models["scorer"].path == "models/scoring.yaml" and moved.unknown == {}


def test_a_head_without_a_failed_manifest_is_returned_as_it_is(tmp_path: Path) -> None:
    base, head = states(tmp_path, BASE, {})
    assert carry_unknown(base, head) is head


def test_a_carried_contract_keeps_its_base_schemas(tmp_path: Path) -> None:
    files = {**BASE, "schemas/feat.json": '{"type": "object", "properties": {"a": {"type": "number"}}}',
             "contracts/feat.yaml": contract("feat", "    - version: 1\n      status: active\n"
                                                     "      schema_ref: schemas/feat.json\n")}
    base, head = states(tmp_path, files, {"contracts/feat.yaml": BROKEN.replace("Model", "Contract")})
    assert head.contracts["feat"] is base.contracts["feat"]
    assert head.schema("feat", 1) == base.schema("feat", 1) == {"type": "object",
                                                                "properties": {"a": {"type": "number"}}}
    assert head.schema_files[("feat", 1)] == "schemas/feat.json"
    assert [c.type for c in diff_states(base, head)] == ["MANIFEST_UNREADABLE"]


def _renamed_out_of_the_globs(tmp_path: Path) -> tuple[Snapshot, Snapshot]:
    """models/scorer.yaml renamed to models/scorer.yml under globs that read only ``*.yaml``: head has MG009 on the
    new file (made here when the loader does not report it itself)."""
    config = {".modelgate.yml": "manifests: {include: ['contracts/*.yaml', 'models/*.yaml']}\n"}
    base_root = write_tree(tmp_path / "base", {**BASE, **config})
    head_root = write_tree(tmp_path / "head", {**BASE, **config, "models/scorer.yaml": None,
                                               "models/scorer.yml": BASE["models/scorer.yaml"]})
    base = Loader(DirectorySource(base_root, label="base")).load()
    head = Loader(DirectorySource(head_root, label="head"), base.config).load()
    if not any(f.rule == "MG009" for f in head.findings):
        head = dataclasses.replace(head, findings=[*head.findings, Finding(
            "MG009", "warning", "models/scorer.yml looks like a manifest and is not loaded", "models/scorer.yml", 1,
            "model:scorer")])
    return base, head


def test_a_manifest_renamed_out_of_the_globs_is_an_error_and_never_a_removal(tmp_path: Path) -> None:
    base, loaded = _renamed_out_of_the_globs(tmp_path)
    head = carry_unknown(base, loaded)
    [error] = [f for f in head.findings if f.rule == "MG001"]
    assert (error.severity, error.file, error.line, error.subject) == ("error", "models/scorer.yml", 1, "model:scorer")
    assert "loaded at base from models/scorer.yaml and does not load at head" in error.message
    assert head.unknown == {"model:scorer": error}
    changes = diff_states(base, head)
    assert [(c.subject, c.type) for c in changes] == [("model:scorer", "MANIFEST_UNREADABLE")]
    assert "models/scorer.yml cannot be read at head" in changes[0].detail
    result = evaluate(base, head, TODAY)
    assert result.verdict == "fail"
    assert ("MG001", "model:scorer", "models/scorer.yml", 1) in found(result)


def test_impact_and_approvals_use_the_base_identity_of_an_unknown_consumer(tmp_path: Path) -> None:
    """The PR changes the type of feat's fields and, in the same PR, breaks the manifest of scorer, which reads a:
    scorer is still impacted (its base fields) and its owners (trusted, as the base has them) are still asked."""
    result = check_pair(tmp_path, BASE, {"contracts/feat.yaml": contract("feat", version(1, types="string")),
                                         "models/scorer.yaml": BROKEN})
    assert [(i.model, i.via, i.fields, i.owners) for i in result.direct] == [
        ("scorer", "contract:feat@1", ("a",), ("@acme/scoring",))]
    assert {("MG301", "contract:feat"), ("MG301", "model:scorer"), ("MG302", "model:scorer")} <= groups(result)
    [downstream] = [a for a in result.approvals if a.rule == "MG302"]
    assert downstream.owners == ("@acme/scoring",)


def test_graph_rules_find_at_head_what_they_found_at_base_for_a_carried_manifest(tmp_path: Path) -> None:
    """The provider's manifest breaks: feat@1 is not 'provided by no model' (MG005); only its MG001 is new."""
    result = check_pair(tmp_path, BASE, {"models/pipe.yaml": BROKEN})
    assert {f[0] for f in found(result)} == {"MG001"}
    assert [(c.subject, c.type) for c in result.changes] == [("model:pipe", "MANIFEST_UNREADABLE")]
    assert not [p for p in result.plan if "pipe" in p.models]  # an unknown model is not shipped


def test_an_mg001_of_the_file_is_the_cause_even_beside_its_mg009(tmp_path: Path) -> None:
    base, loaded = _renamed_out_of_the_globs(tmp_path)
    error = Finding("MG001", "error", "apiVersion: did you mean modelgate/v1?", "models/scorer.yml", 2,
                    "model:scorer")
    head = carry_unknown(base, dataclasses.replace(loaded, findings=[error, *loaded.findings]))
    assert head.unknown == {"model:scorer": error}
    assert [f for f in head.findings if f.rule == "MG001"] == [error]  # no second error for the same file


def test_a_manifest_moved_into_an_excluded_path_is_a_removal_left_out_on_purpose(tmp_path: Path) -> None:
    """docs/manifests.md: exclude leaves a file out on purpose, so moving a consumed contract there is judged as
    its removal (MG113), not as a manifest that does not load (no MG001, MG009 or unknown)."""
    base = {**BASE, ".modelgate.yml": "manifests: {exclude: ['archive/**']}\n"}
    result = check_pair(tmp_path, base, {"contracts/feat.yaml": None, "archive/feat.yaml": BASE["contracts/feat.yaml"]})
    rules = {rule for rule, *_ in found(result)}
    assert "MG113" in rules
    assert not rules & {"MG001", "MG009"}
    assert "CONTRACT_REMOVED" in {c.type for c in result.changes}
