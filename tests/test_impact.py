"""``bot.impact``: direct (field-level) and transitive impact, with owners, depth and chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.changes import diff_states
from bot.graph import Graph
from bot.impact import direct_impact, related, touched_field, transitive_impact
from tests.helpers import dedent
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
    ("#/additionalProperties", None), ("#/type", None), (None, None), ("#/properties", None),
    ("#/properties/user/properties/age/type", "user.age"), ("#/properties/user/required/age", "user.age"),
    ("#/properties/user/additionalProperties", "user"), ("#/properties/user/properties", "user"),
    ("#/properties/orders/items/properties/amount/type", "orders.amount"), ("#/properties/orders/items", "orders"),
    ("#/properties/pair/prefixItems/1/properties/second", "pair.second"),
    ("#/properties/old/items/0/properties/kept/minimum", "old.kept"),
    ("#/properties/user/dependentRequired/age", "user.age"), ("#/properties/a~1b/type", "a/b"),
    ("#/properties/items/properties/x", "items.x"), ("#/allOf/0/properties/a", None)])
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


@pytest.mark.parametrize(("read", "touched", "expected"), [
    ("user.age", "user", True), ("user.age", "user.age", True), ("user.age", "user.age.days", True),
    ("user", "user.age", True), ("user.age", "user.name", False), ("user.age", "user.ages", False),
    ("user", "username", False)])
def test_a_change_reaches_the_same_field_and_those_above_or_below_it(read: str, touched: str, expected: bool) -> None:
    assert related(read, touched) is expected


NESTED = dedent("""
    apiVersion: modelgate/v1
    kind: Contract
    metadata: {name: n, owners: ["@acme/data"]}
    spec:
      versions:
        - version: 1
          status: active
          schema:
            type: object
            properties:
              user:
                type: object
                properties:
                  age: {type: integer}
                  name: {type: string}
              orders:
                type: array
                items: {type: object, properties: {amount: {type: number}, note: {type: string}}}
    """)
READERS = {
    "contracts/n.yaml": NESTED,
    "models/p.yaml": model("p", provides=[("n", 1)]),
    "models/age.yaml": model("age", consumes=[("n", 1, ["user.age"])]),
    "models/name.yaml": model("name", consumes=[("n", 1, ["user.name"])]),
    "models/user.yaml": model("user", consumes=[("n", 1, ["user"])]),
    "models/amount.yaml": model("amount", consumes=[("n", 1, ["orders.amount"])]),
    "models/typo.yaml": model("typo", consumes=[("n", 1, ["user.agee", "orderz"])]),
    "models/half.yaml": model("half", consumes=[("n", 1, ["user.name", "user.agee"])]),
    "models/both.yaml": model("both", consumes=[("n", 1, ["user.age", "user.name"])]),
}


def nested_impact(tmp_path: Path, schema: str) -> list[tuple[str, tuple[str, ...]]]:
    base, head = states(tmp_path, READERS, {"contracts/n.yaml": schema})
    direct = direct_impact(diff_states(base, head), base, head, Graph.from_snapshot(base), Graph.from_snapshot(head))
    return [(i.model, i.fields) for i in direct]


def test_a_change_to_a_nested_field_impacts_its_readers_and_those_of_the_fields_above_not_its_siblings(
        tmp_path: Path) -> None:
    """user.age becomes a string: the readers of user.age and of user are asked; the reader of user.name is not;
    a consumer naming only undeclared fields reads every field; one naming a declared field too is read by it."""
    assert nested_impact(tmp_path, NESTED.replace("age: {type: integer}", "age: {type: string}")) == [
        ("age", ("user.age",)), ("both", ("user.age",)), ("typo", ("user.age",)), ("user", ("user",))]


def test_a_change_to_a_field_of_an_array_s_items_impacts_its_readers(tmp_path: Path) -> None:
    assert nested_impact(tmp_path, NESTED.replace("amount: {type: number}", "amount: {type: string}")) == [
        ("amount", ("orders.amount",)), ("typo", ("orders.amount",))]


def test_a_change_to_a_parent_impacts_every_reader_below_it(tmp_path: Path) -> None:
    changed = NESTED.replace("          user:\n            type: object\n",
                             "          user:\n            type: string\n")
    assert changed != NESTED
    assert nested_impact(tmp_path, changed) == [("age", ("user.age",)), ("both", ("user.age", "user.name")),
                                                ("half", ("user.name",)),
                                                ("name", ("user.name",)), ("typo", ("user",)), ("user", ("user",))]


def test_a_field_removed_by_the_change_still_counts_for_its_reader(tmp_path: Path) -> None:
    """user.name is declared at base only: its reader is impacted by its removal (the head schema alone would call
    it undeclared, and the reader would seem to read every field, or none of the changed ones)."""
    closed = NESTED.replace("spec:\n", "spec:\n  compatibility: backward\n").replace(
        "          user:\n            type: object\n",
        "          user:\n            type: object\n            additionalProperties: false\n")
    assert closed.count("backward") == 1 and closed.count("additionalProperties") == 1
    base, head = states(tmp_path, {**READERS, "contracts/n.yaml": closed},
                        {"contracts/n.yaml": closed.replace("              name: {type: string}\n", "")})
    direct = direct_impact(diff_states(base, head), base, head, Graph.from_snapshot(base), Graph.from_snapshot(head))
    assert [(i.model, i.fields) for i in direct] == [("both", ("user.name",)), ("half", ("user.name",)),
                                                      ("name", ("user.name",)), ("typo", ("user.name",)),
                                                      ("user", ("user",))]
