"""``bot.impact``: direct (field-level) and transitive impact, with owners, depth and chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.changes import diff_states
from bot.graph import Graph
from bot.impact import direct_impact, touched_field, transitive_impact
from tests.scenarios import contract, model, states, version

BASE = {
    "contracts/c0.yaml": contract("c0", version(1)),
    "contracts/c1.yaml": contract("c1", version(1)),
    "contracts/c2.yaml": contract("c2", version(1)),
    "models/m0.yaml": model("m0", provides=[("c0", 1)]),
    "models/m1.yaml": model("m1", consumes=[("c0", 1, ["a"])], provides=[("c1", 1)], owners='["@acme/one"]'),
    "models/m2.yaml": model("m2", consumes=[("c1", 1)], provides=[("c2", 1)]),
    "models/m3.yaml": model("m3", consumes=[("c2", 1)]),
    "models/side.yaml": model("side", consumes=[("c0", 1, ["b"])]),
}


def impact(tmp_path: Path, changes: dict) -> tuple[list, list]:
    base, head = states(tmp_path, BASE, changes)
    found = diff_states(base, head)
    graphs = Graph.from_snapshot(base), Graph.from_snapshot(head)
    direct = direct_impact(found, base, head, *graphs)
    return direct, transitive_impact(direct, base, head, *graphs)


@pytest.mark.parametrize(("path", "field"), [
    ("#/properties/a/type", "a"), ("#/required/a", "a"), ("#/dependencies/a", "a"),
    ("#/additionalProperties", None), ("#/type", None), (None, None), ("#/properties", None)])
def test_touched_field(path: str | None, field: str | None) -> None:
    assert touched_field(path) == field


def test_a_breaking_field_change_impacts_its_readers_and_everything_below(tmp_path: Path) -> None:
    direct, transitive = impact(tmp_path, {"contracts/c0.yaml": contract("c0", version(1, props=("b",)).replace(
        "          b: {type: number}\n", "          a: {type: string}\n          b: {type: number}\n"))})
    assert [(i.model, i.owners, i.depth, i.chain, i.via, i.fields) for i in direct] == [
        ("m1", ("@acme/one",), 1, ("contract:c0@1", "model:m1"), "contract:c0@1", ("a",))]
    assert [(i.model, i.depth, i.chain) for i in transitive] == [
        ("m2", 2, ("contract:c0@1", "model:m1", "contract:c1@1", "model:m2")),
        ("m3", 3, ("contract:c0@1", "model:m1", "contract:c1@1", "model:m2", "contract:c2@1", "model:m3"))]


def test_a_schema_change_to_no_single_field_impacts_every_reader(tmp_path: Path) -> None:
    direct, _ = impact(tmp_path, {"contracts/c0.yaml": contract("c0", version(1, closed=False))})
    assert sorted((i.model, i.fields) for i in direct) == [("m1", ("a",)), ("side", ("b",))]


def test_deprecation_and_major_bumps_impact_every_consumer_and_reach_transitive_ones(tmp_path: Path) -> None:
    direct, transitive = impact(tmp_path, {
        "contracts/c0.yaml": contract("c0", version(1, status="deprecated", sunset="2027-06-01", replacement=2,
                                                   migration="x.md"), version(2)),
        "models/m2.yaml": model("m2", consumes=[("c1", 1)], provides=[("c2", 1)], semver="2.0.0")})
    assert [(i.model, i.via) for i in direct] == [("m1", "contract:c0@1"), ("m3", "contract:c2@1"),
                                                  ("side", "contract:c0@1")]
    assert [(i.model, i.depth) for i in transitive] == [("m2", 2)]


def test_a_removed_version_impacts_its_base_consumers(tmp_path: Path) -> None:
    direct, transitive = impact(tmp_path, {
        "contracts/c1.yaml": contract("c1", version(2)), "models/m1.yaml": model(
            "m1", consumes=[("c0", 1, ["a"])], provides=[("c1", 2)]),
        "models/m2.yaml": model("m2", consumes=[("c1", 2)], provides=[("c2", 1)])})
    assert [(i.model, i.via) for i in direct] == [("m2", "contract:c1@1")]
    assert [(i.model, i.depth) for i in transitive] == [("m3", 2)]


def test_compatible_changes_impact_nobody(tmp_path: Path) -> None:
    assert impact(tmp_path, {"contracts/c0.yaml": contract("c0", version(1, props=("a",)))}) == ([], [])
