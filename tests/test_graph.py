"""The dependency graph: edges, impact queries, cycles, focus, NODE resolution, and speed."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from bot.graph import Graph, UnknownNode
from bot.loader import Loader
from bot.sources import DirectorySource
from tests.helpers import chain_repo, contract, model, write_tree


def graph_of(tmp_path, files):
    return Graph.from_snapshot(Loader(DirectorySource(write_tree(tmp_path, files))).load())


@pytest.fixture
def fraud(tmp_path):
    return graph_of(tmp_path, {
        "contracts/features.yaml": contract("features", [1, 2]),
        "contracts/fraud-score.yaml": contract("fraud-score", [1, 2]),
        "contracts/route.yaml": contract("route"),
        "models/features.yaml": model("features", provides=[("features", 1), ("features", 2)]),
        "models/fraud-scorer.yaml": model("fraud-scorer", consumes=[("features", 2)], provides=[("fraud-score", 2)]),
        "models/risk-router.yaml": model("risk-router", consumes=[("fraud-score", 2)], provides=[("route", 1)]),
        "models/dashboard.yaml": model("dashboard", consumes=[("route", 1), ("fraud-score", 2), ("ghost", 3)]),
    })


def test_edges_go_from_provider_to_version_to_consumer(fraud):
    assert fraud.providers_of("contract:fraud-score@2") == ["model:fraud-scorer"]
    assert fraud.consumers_of("contract:fraud-score@2") == ["model:dashboard", "model:risk-router"]
    assert fraud.providers_of("contract:fraud-score@1") == []
    assert fraud.consumers_of("contract:nope@1") == []
    assert fraud.g.nodes["contract:ghost@3"]["defined"] is False
    assert fraud.versions_of("features") == ["contract:features@1", "contract:features@2"]


def test_the_defined_versions_and_the_ones_only_referred_to(tmp_path):
    graph = graph_of(tmp_path, {
        "contracts/feat.yaml": contract("feat", [1, {"version": 2, "status": "deprecated", "schema": {}},
                                                 {"version": 3, "status": "retired", "schema": {}}]),
        "models/m.yaml": model("m", consumes=[("feat", 2), ("ghost", 3)], provides=[("feat", 9)])})
    assert sorted(graph.versions) == [("feat", 1), ("feat", 2), ("feat", 3)]
    assert graph.versions[("feat", 2)].status == "deprecated"
    assert graph.undefined() == ["contract:feat@9", "contract:ghost@3"]
    assert graph.with_status("deprecated", "retired") == ["contract:feat@2", "contract:feat@3"]
    assert graph.subgraph_around(["contract:feat@2"]).versions == {("feat", 2): graph.versions[("feat", 2)]}
    assert graph.version_at("contract:feat@2") is graph.versions[("feat", 2)]
    assert [graph.version_at(n) for n in ("contract:feat@9", "contract:nope@1")] == [None, None]


def test_downstream_depth_and_shortest_chain(fraud):
    reached = {r.model: r for r in fraud.downstream("model:fraud-scorer")}
    assert set(reached) == {"risk-router", "dashboard"}
    assert reached["risk-router"].depth == 1
    assert reached["dashboard"].depth == 1  # direct via fraud-score@2, not depth 2 via route
    assert reached["dashboard"].chain == ("model:fraud-scorer", "contract:fraud-score@2", "model:dashboard")
    deep = {r.model: r for r in fraud.downstream("contract:features@2")}
    assert deep["risk-router"].depth == 2
    assert deep["risk-router"].chain == ("contract:features@2", "model:fraud-scorer", "contract:fraud-score@2",
                                         "model:risk-router")


def test_downstream_depth_limit_and_several_starts(fraud):
    assert [r.model for r in fraud.downstream("contract:features@2", depth=1)] == ["fraud-scorer"]
    starts = fraud.resolve("contract:features")  # a whole contract: all its versions
    assert starts == ["contract:features@1", "contract:features@2"]
    assert {r.model for r in fraud.downstream(starts)} == {"fraud-scorer", "risk-router", "dashboard"}
    assert fraud.downstream("model:dashboard") == []


def test_cycles_are_found_in_order(tmp_path):
    files = chain_repo(3)
    files["models/m0.yaml"] = model("m0", consumes=[("c2", 1)], provides=[("c0", 1)])
    graph = graph_of(tmp_path, files)
    assert graph.find_cycle() == ["model:m0", "contract:c0@1", "model:m1", "contract:c1@1", "model:m2",
                                  "contract:c2@1"]
    assert graph_of(tmp_path / "acyclic", chain_repo(3)).find_cycle() is None
    graph.find_cycles()[0].clear()  # the cycles are found once; a caller's copy is its own
    assert len(graph.find_cycle()) == 6


def test_a_graph_sorted_once_knows_whether_it_has_a_cycle(tmp_path):
    files = chain_repo(3)
    files["models/m0.yaml"] = model("m0", consumes=[("c2", 1)], provides=[("c0", 1)])
    cyclic = graph_of(tmp_path / "cyclic", files)
    assert cyclic.topological_order() is None
    assert cyclic.find_cycle() == ["model:m0", "contract:c0@1", "model:m1", "contract:c1@1", "model:m2",
                                   "contract:c2@1"]
    acyclic = graph_of(tmp_path / "acyclic", chain_repo(2))
    assert acyclic.topological_order() == ["model:m0", "contract:c0@1", "model:m1", "contract:c1@1"]
    assert acyclic.find_cycles() == []


def test_self_loop_is_a_cycle(tmp_path):
    graph = graph_of(tmp_path, {"contracts/c.yaml": contract("c"),
                                "models/m.yaml": model("m", consumes=[("c", 1)], provides=[("c", 1)])})
    assert graph.find_cycles() == [["model:m", "contract:c@1"]]


def test_subgraph_around_keeps_upstream_and_downstream(fraud):
    around = fraud.subgraph_around(["model:risk-router"])
    assert set(around.g) == {"model:features", "contract:features@2", "model:fraud-scorer",
                             "contract:fraud-score@2", "model:risk-router", "contract:route@1", "model:dashboard"}


@pytest.mark.parametrize(("text", "nodes"), [
    ("model:features", ["model:features"]),
    ("contract:fraud-score@1", ["contract:fraud-score@1"]),
    ("contract:fraud-score", ["contract:fraud-score@1", "contract:fraud-score@2"]),
    ("fraud-score@2", ["contract:fraud-score@2"]),
    ("risk-router", ["model:risk-router"]),
])
def test_resolve(fraud, text, nodes):
    assert fraud.resolve(text) == nodes


@pytest.mark.parametrize(("text", "words"), [
    ("fraud-scorr", "did you mean fraud-scorer"),
    ("model:fraud-score", "no model named 'fraud-score'; did you mean fraud-scorer"),
    ("contract:fraud-score@7", "has no version '7' (versions: 1, 2)"),
    ("contract:ghost@3", "no contract named 'ghost'"),
    ("model:risk-router@1", "models have no versions"),
    ("team:x", "a node is model:NAME"),
])
def test_resolve_refuses_with_a_hint(fraud, text, words):
    with pytest.raises(UnknownNode) as caught:
        fraud.resolve(text)
    assert words in str(caught.value)


def test_bare_name_of_both_kinds_is_refused_when_it_would_be_ambiguous(tmp_path):
    graph = graph_of(tmp_path, {"contracts/x.yaml": contract("x"), "models/x.yaml": model("x", provides=[("x", 1)])})
    with pytest.raises(UnknownNode) as caught:
        graph.resolve("x")
    assert "model:x" in str(caught.value) and "contract:x" in str(caught.value)
    assert graph.resolve("x@1") == ["contract:x@1"]


def test_impact_reaches_every_model_of_a_large_graph():
    """Correctness at scale; its speed is measured by benchmarks/impact_query.py, never asserted here."""
    rng = random.Random(7)
    g = nx.DiGraph()
    for i in range(10_000):
        g.add_node(f"model:m{i}", kind="model", name=f"m{i}", defined=True)
        g.add_node(f"contract:c{i}@1", kind="contract", name=f"c{i}", version=1, status="active", defined=True)
        g.add_edge(f"model:m{i}", f"contract:c{i}@1")
        for j in rng.sample(range(i), min(i, 3)):
            g.add_edge(f"contract:c{j}@1", f"model:m{i}")
    reached = Graph(g).downstream("model:m0")
    assert len(reached) == 9_999
    assert all(r.chain[0] == "model:m0" and r.chain[-1] == f"model:{r.model}" for r in reached)
    assert all(a.depth <= b.depth for a, b in itertools.pairwise(reached))
