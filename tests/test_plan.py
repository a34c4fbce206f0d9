"""``bot.plan``: the migration checklist, the rollout plan (expand/contract, dependency order) and sunsets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.graph import Graph
from bot.plan import dependency_order
from tests.helpers import write_tree
from tests.scenarios import check_pair, contract, load, model, version

DEPRECATED = contract("feat", version(1, status="deprecated", sunset="2027-01-15", replacement=2,
                                     migration="g.md"), version(2))
BASE = {
    "contracts/feat.yaml": DEPRECATED, "g.md": "#\n",
    "contracts/out.yaml": contract("out", version(1)),
    "models/pipe.yaml": model("pipe", provides=[("feat", 1), ("feat", 2)]),
    "models/a.yaml": model("a", consumes=[("feat", 1)], provides=[("out", 1)]),
    "models/b.yaml": model("b", consumes=[("feat", 1)]),
    "models/c.yaml": model("c", consumes=[("out", 1)]),
}


def test_a_migration_pr_ticks_off_the_consumer_that_moved(tmp_path: Path) -> None:
    result = check_pair(tmp_path, BASE, {"models/a.yaml": model("a", consumes=[("feat", 2)], provides=[("out", 1)])})
    assert [(i.id, i.done, i.due, i.owners) for i in result.checklist] == [
        ("migrate:a:feat@1", True, date(2027, 1, 15), ("@a-owner",)),
        ("migrate:b:feat@1", False, date(2027, 1, 15), ("@b-owner",))]
    assert result.checklist[1].text == "Move b off feat@1 (deprecated) to feat@2 (guide: g.md)"
    assert [(p.step, p.stage, p.models) for p in result.plan] == [
        (1, "shadow", ("a",)), (2, "canary", ("a",)), (3, "production", ("a",)),
        (4, "migrate", ("b",)), (5, "retire", ("pipe",))]
    assert [(s.subject, s.days_left, s.consumers) for s in result.sunsets] == [("contract:feat@1", 48, ("b",))]


def test_the_plan_ships_in_dependency_order_and_shadows_everything_impacted(tmp_path: Path) -> None:
    base = {**BASE, "contracts/feat.yaml": contract("feat", version(1), version(2)),
            "models/pipe.yaml": model("pipe", provides=[("feat", 1), ("feat", 2)]).replace(
                "spec:\n", "spec:\n  rollout: {stages: [shadow, production]}\n")}
    result = check_pair(tmp_path, base, {
        "models/pipe.yaml": base["models/pipe.yaml"].replace("1.0.0", "2.0.0"),
        "models/a.yaml": model("a", consumes=[("feat", 1)], provides=[("out", 1)], semver="1.1.0")})
    assert [(p.stage, p.models) for p in result.plan] == [
        ("shadow", ("pipe", "a")), ("shadow", ("b", "c")), ("canary", ("a",)), ("production", ("pipe", "a"))]
    assert "expand" in result.plan[0].why and "impacted" in result.plan[1].why


def test_dependency_order_falls_back_to_names_on_a_cycle(tmp_path: Path) -> None:
    files = {"contracts/x.yaml": contract("x", version(1)), "contracts/y.yaml": contract("y", version(1)),
             "models/z.yaml": model("z", consumes=[("y", 1)], provides=[("x", 1)]),
             "models/m.yaml": model("m", consumes=[("x", 1)], provides=[("y", 1)])}
    assert dependency_order(Graph.from_snapshot(load(write_tree(tmp_path, files)))) == ["m", "z"]
    files["models/z.yaml"] = model("z", provides=[("x", 1)])
    assert dependency_order(Graph.from_snapshot(load(write_tree(tmp_path, files)))) == ["z", "m"]


BROKEN_B = "apiVersion: modelgate/v1\nkind: Model\nmetadata: {name: b\n"  # a YAML error: b does not load at head


def test_the_checklist_cannot_tell_whether_a_consumer_whose_manifest_does_not_load_moved(tmp_path: Path) -> None:
    result = check_pair(tmp_path, BASE, {"models/b.yaml": BROKEN_B})
    assert [(i.id, i.done, i.cannot_tell) for i in result.checklist] == [
        ("migrate:a:feat@1", False, None), ("migrate:b:feat@1", False, "models/b.yaml")]
    assert result.checklist[1].text == ("Move b off feat@1 (deprecated) to feat@2 (guide: g.md); "
                                        "cannot tell: models/b.yaml does not load")
    assert result.checklist[1].owners == ("@b-owner",)  # the base's, as the trust root has them
    assert result.to_json()["checklist"][1]["cannot_tell"] == "models/b.yaml"
    assert "cannot_tell" not in result.to_json()["checklist"][0]


def test_the_plan_proposes_no_retirement_that_rests_on_a_manifest_that_does_not_load(tmp_path: Path) -> None:
    moved = model("a", consumes=[("feat", 2)], provides=[("out", 1)])
    result = check_pair(tmp_path, BASE, {"models/a.yaml": moved, "models/b.yaml": BROKEN_B})
    assert [(p.stage, p.models) for p in result.plan] == [
        ("shadow", ("a",)), ("canary", ("a",)), ("production", ("a",)), ("migrate", ("b",)), ("hold", ("pipe",))]
    assert result.plan[-1].why == ("no retirement of feat@1 is proposed: cannot tell whether a consumer is left "
                                   "(models/b.yaml does not load)")
    # the same PR with b really moved: the retirement is proposed
    done = check_pair(tmp_path / "moved", BASE, {"models/a.yaml": moved,
                                                 "models/b.yaml": model("b", consumes=[("feat", 2)])})
    assert [(p.stage, p.models) for p in done.plan][-1] == ("retire", ("pipe",))


def test_the_sunset_table_keeps_a_consumer_whose_manifest_does_not_load(tmp_path: Path) -> None:
    result = check_pair(tmp_path, BASE, {"models/b.yaml": BROKEN_B})
    assert [(s.subject, s.consumers, s.unknown) for s in result.sunsets] == [
        ("contract:feat@1", ("a", "b"), (("b", "models/b.yaml"),))]


def test_the_plan_ships_nothing_on_a_contract_whose_manifest_does_not_load(tmp_path: Path) -> None:
    """An unreadable contract says nothing of what changed: its provider is not proposed for a rollout."""
    broken = "apiVersion: modelgate/v1\nkind: Contract\nmetadata: {name: out\n"  # a YAML error
    result = check_pair(tmp_path, BASE, {"contracts/out.yaml": broken})
    assert [(c.subject, c.type) for c in result.changes] == [("contract:out", "MANIFEST_UNREADABLE")]
    assert result.plan == []
    # the control: a readable edit of the same contract ships its provider
    edited = check_pair(tmp_path / "edited", BASE, {"contracts/out.yaml": contract("out", version(1),
                                                                                  owners='["@acme/other"]')})
    assert (edited.plan[0].stage, edited.plan[0].models) == ("shadow", ("a",))
