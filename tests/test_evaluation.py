"""``bot.evaluation``: the one definition of a pull request's models, which the plan and /rollout share."""

from __future__ import annotations

from pathlib import Path

from bot.check import evaluate
from bot.evaluation import pr_models
from bot.graph import Graph
from bot.loader import Loader
from bot.result import Change
from bot.rollout.stages import targets
from bot.sources import DirectorySource
from tests.helpers import contract, model, write_tree
from tests.scenarios import TODAY, states
from tests.scenarios import contract as contract_yaml
from tests.scenarios import model as model_yaml
from tests.scenarios import version as version_yaml


def test_pr_models(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "contracts/feat.yaml": contract("feat", (1, 2)),
        "contracts/score.yaml": contract("score"),
        "models/pipe.yaml": model("pipe", provides=[("feat", 1), ("feat", 2)]),
        "models/scorer.yaml": model("scorer", consumes=[("feat", 2)], provides=[("score", 1)]),
        "models/router.yaml": model("router", consumes=[("score", 1)]),
    })
    graph = Graph.from_snapshot(Loader(DirectorySource(root)).load())
    changes = [Change("contract:score@1", "schema", "TYPE_CHANGED"), Change("model:router", "version", "x"),
               Change("model:gone", "removed", "x")]
    assert pr_models(changes, graph, graph) == ("router", "scorer")
    assert pr_models([Change("contract:feat", "metadata", "x")], graph, graph) == ("pipe",)
    assert pr_models([Change("config", "metadata", "x")], graph, graph) == ()


def test_the_provider_of_a_version_known_only_at_base_is_a_model_of_the_pr(tmp_path: Path) -> None:
    base = Graph.from_snapshot(Loader(DirectorySource(write_tree(tmp_path / "base", {
        "contracts/feat.yaml": contract("feat", (1, 2)),
        "models/pipe.yaml": model("pipe", provides=[("feat", 1), ("feat", 2)])}))).load())
    head = Graph.from_snapshot(Loader(DirectorySource(write_tree(tmp_path / "head", {
        "contracts/feat.yaml": contract("feat", (2,)),
        "models/pipe.yaml": model("pipe", provides=[("feat", 2)])}))).load())
    assert pr_models([Change("contract:feat@1", "removed", "VERSION_REMOVED")], base, head) == ("pipe",)


def test_an_owners_only_change_of_a_contract_ships_its_provider_in_the_plan_and_for_rollout(tmp_path: Path) -> None:
    """The one behaviour #18 changed: the plan used to leave the provider out (an empty rollout plan) while
    /rollout targeted it. A change to a whole contract counts for each of its versions, in both."""
    base = {"contracts/feat.yaml": contract_yaml("feat", version_yaml(1)),
            "models/pipe.yaml": model_yaml("pipe", provides=[("feat", 1)])}
    owners_changed = contract_yaml("feat", version_yaml(1), owners='["@acme/new"]')
    pair = states(tmp_path, base, {"contracts/feat.yaml": owners_changed})
    result = evaluate(*pair, TODAY)
    assert [c.type for c in result.changes] == ["OWNERS_CHANGED"]
    shipped = {m for step in result.plan if step.why.startswith("expand:") for m in step.models}
    rollout, _ = targets([], pr_models(result.changes, *(Graph.from_snapshot(s) for s in pair)))
    assert shipped == set(rollout) == {"pipe"}
    assert [(s.stage, s.models) for s in result.plan] == [("shadow", ("pipe",)), ("canary", ("pipe",)),
                                                          ("production", ("pipe",))]
