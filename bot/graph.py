"""The dependency graph of one state (docs/cli.md, `modelgate graph`) and its queries.

Nodes are ``model:NAME`` and ``contract:NAME@V``. A model points to each contract version it provides; a
contract version points to each model that consumes it. A version that is referenced but not defined is
still a node (``defined=False``), so its consumers and providers can be asked for. Building is pure: a
Snapshot in, a Graph out. Of a name used twice (MG002) the first file wins, as in ``Snapshot.models``.
"""

from __future__ import annotations

import difflib
import weakref
from collections import deque
from collections.abc import Iterable
from typing import NamedTuple

import networkx as nx

from bot.errors import DomainError
from bot.manifests.models import Contract, ContractVersion, Model
from bot.manifests.snapshot import Snapshot


class UnknownNode(DomainError):
    """A NODE argument that names no single node: malformed, ambiguous, or no such model, contract or version."""


def model_node(name: str) -> str:
    return f"model:{name}"


def contract_node(name: str, version: int) -> str:
    return f"contract:{name}@{version}"


class Reach(NamedTuple):
    """A model reached from the start of a query: how many models down, and the shortest chain to it."""

    model: str
    depth: int
    chain: tuple[str, ...]


_BUILT: dict[int, Graph] = {}  # the graph of each live Snapshot, by its id (see Graph.from_snapshot)


class Graph:
    """A networkx DiGraph of models and contract versions, with the queries the checks need."""

    def __init__(self, digraph: nx.DiGraph[str],
                 versions: dict[tuple[str, int], ContractVersion] | None = None) -> None:
        self.g = digraph
        self._names = {n: d["name"] for n, d in digraph.nodes(data=True) if d["kind"] == "model"}
        # The defined contract versions, by (contract, number): what the checks of a state look up.
        self.versions: dict[tuple[str, int], ContractVersion] = versions or {}
        self._cycles: list[list[str]] | None = None
        self._order: list[str] | None = None
        self._sorted = False

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot) -> Graph:
        """The graph of a loaded state, built once per Snapshot (lint, policy and impact all ask for it).

        Kept beside the Snapshot, not in it (a Snapshot is a frozen value): by its identity, for as long as it lives.
        """
        built = _BUILT.get(id(snapshot))
        if built is None:
            built = _BUILT[id(snapshot)] = cls._build(snapshot)
            weakref.finalize(snapshot, _BUILT.pop, id(snapshot), None)  # before the id can be reused
        return built

    @classmethod
    def _build(cls, snapshot: Snapshot) -> Graph:
        g: nx.DiGraph[str] = nx.DiGraph()
        versions: dict[tuple[str, int], ContractVersion] = {}
        for name, manifest in snapshot.contracts.items():
            assert isinstance(manifest.doc, Contract)
            for version in manifest.doc.spec.versions:
                versions[(name, version.version)] = version
                g.add_node(contract_node(name, version.version), kind="contract", name=name,
                           version=version.version, status=version.status, defined=True)
        for name, manifest in snapshot.models.items():
            assert isinstance(manifest.doc, Model)
            g.add_node(model_node(name), kind="model", name=name, defined=True)
        for name, manifest in snapshot.models.items():
            assert isinstance(manifest.doc, Model)
            me = model_node(name)
            for provided in manifest.doc.spec.provides:
                g.add_edge(me, _version_node(g, provided.contract, provided.version))
            for consumed in manifest.doc.spec.consumes:
                g.add_edge(_version_node(g, consumed.contract, consumed.version), me)
        return cls(g, versions)

    # --- lookups -------------------------------------------------------------------------------------

    def __contains__(self, node: str) -> bool:
        return node in self.g

    @property
    def models(self) -> list[str]:
        return sorted(n for n, data in self.g.nodes(data=True) if data["kind"] == "model")

    def providers_of(self, version_node: str) -> list[str]:
        """Models providing a contract version (more than one is MG006)."""
        return sorted(self.g.pred.get(version_node, ()))

    def consumers_of(self, version_node: str) -> list[str]:
        return sorted(self.g.succ.get(version_node, ()))

    def version_at(self, node: str) -> ContractVersion | None:
        """The definition of a contract-version node; None when no contract defines it (or it is a model)."""
        data = self.g.nodes.get(node)
        return self.versions.get((data["name"], data["version"])) if data and data["kind"] == "contract" else None

    def undefined(self) -> list[str]:
        """The contract-version nodes that models refer to but no contract defines."""
        return [n for n, defined in self.g.nodes(data="defined") if not defined]

    def with_status(self, *statuses: str) -> list[str]:
        """The defined contract-version nodes whose status is one of ``statuses``."""
        return [contract_node(*key) for key, version in self.versions.items() if version.status in statuses]

    def versions_of(self, contract: str) -> list[str]:
        """The contract-version nodes of a contract, lowest version first."""
        found = [(data["version"], n) for n, data in self.g.nodes(data=True)
                 if data["kind"] == "contract" and data["name"] == contract]
        return [n for _, n in sorted(found)]

    # --- queries -------------------------------------------------------------------------------------

    def downstream(self, start: str | Iterable[str], depth: int | None = None) -> list[Reach]:
        """Every model reachable below ``start`` (one node or several), nearest first.

        ``depth`` counts models: a direct consumer is at depth 1, its consumers at 2. The chain is the
        shortest path of node ids from a start node to the model, both included. Start models are not
        reported (not even when a cycle leads back to them).
        """
        starts = [start] if isinstance(start, str) else list(start)
        chains: dict[str, tuple[str, ...]] = {node: (node,) for node in starts if node in self.g}
        level: dict[str, int] = dict.fromkeys(chains, 0)
        queue = deque(chains)
        reached: list[Reach] = []
        # networkx's raw adjacency dict (not in types-networkx): this loop is the hot path of an impact query
        succ = self.g._succ  # type: ignore[attr-defined]
        names = self._names
        while queue:
            node = queue.popleft()
            for nxt in succ[node]:
                if nxt in chains:
                    continue
                name = names.get(nxt)
                nxt_level = level[node] + (name is not None)
                if depth is not None and nxt_level > depth:
                    continue
                chains[nxt] = chain = chains[node] + (nxt,)
                level[nxt] = nxt_level
                queue.append(nxt)
                if name is not None:
                    reached.append(Reach(name, nxt_level, chain))
        return reached

    def topological_order(self) -> list[str] | None:
        """Every node, providers before consumers and the smallest id first among those ready (networkx's
        lexicographical topological sort); None when a cycle forbids one. Sorted once."""
        if not self._sorted:
            try:
                self._order = list(nx.lexicographical_topological_sort(self.g))
            except nx.NetworkXUnfeasible:
                self._order = None
            self._sorted = True
        return self._order

    def find_cycles(self) -> list[list[str]]:
        """One cycle per strongly connected part of the graph, each starting at its smallest model node."""
        if self._cycles is None:
            acyclic = self._order is not None if self._sorted else nx.is_directed_acyclic_graph(self.g)
            self._cycles = [] if acyclic else self._strong_cycles()
        return [list(cycle) for cycle in self._cycles]

    def _strong_cycles(self) -> list[list[str]]:
        cycles = []
        for component in nx.strongly_connected_components(self.g):
            if len(component) < 2:
                continue
            first = min(component)
            edges = nx.find_cycle(self.g.subgraph(component), source=first)
            nodes = [u for u, _ in edges]
            turn = nodes.index(min(n for n in nodes if n.startswith("model:")))
            cycles.append(nodes[turn:] + nodes[:turn])
        return sorted(cycles)

    def find_cycle(self) -> list[str] | None:
        """A cycle as an ordered list of node ids (the last one points back to the first), or None."""
        cycles = self.find_cycles()
        return cycles[0] if cycles else None

    def subgraph_around(self, nodes: Iterable[str]) -> Graph:
        """The given nodes with everything upstream and downstream of them (for ``graph --focus``)."""
        keep: set[str] = set()
        for node in nodes:
            keep |= {node} | nx.ancestors(self.g, node) | nx.descendants(self.g, node)
        return Graph(self.g.subgraph(keep).copy(),
                     {key: v for key, v in self.versions.items() if contract_node(*key) in keep})

    # --- NODE arguments (docs/cli.md, NODE) -----------------------------------------------------------

    def resolve(self, text: str) -> list[str]:
        """The node ids a NODE argument names; a whole contract names all its versions.

        ``model:NAME``, ``contract:NAME``, ``contract:NAME@V``; a bare ``NAME[@V]`` is the contract if one
        has that name, else the model. Ambiguous or unknown names are an UnknownNode.
        """
        kind, sep, rest = text.partition(":")
        if not sep:
            kind, rest = "", text
        name, at, version = rest.partition("@")
        models = {d["name"] for _, d in self.g.nodes(data=True) if d["kind"] == "model"}
        contracts = {d["name"] for _, d in self.g.nodes(data=True) if d["kind"] == "contract" and d["defined"]}
        if kind not in ("", "model", "contract"):
            raise UnknownNode(f"{text!r}: a node is model:NAME, contract:NAME or contract:NAME@VERSION")
        if kind == "":
            if name in models and name in contracts and not at:
                raise UnknownNode(f"{text!r} is both a model and a contract: say model:{name} or contract:{name}")
            kind = "contract" if name in contracts else "model" if name in models else ""
        if kind == "model":
            if name not in models:
                raise UnknownNode(_unknown("model", name, models))
            if at:
                raise UnknownNode(f"{text!r}: models have no versions here; say model:{name}")
            return [model_node(name)]
        if name not in contracts:
            raise UnknownNode(_unknown("contract" if kind else "model or contract", name,
                                      contracts if kind else contracts | models))
        versions = [n for n in self.versions_of(name) if self.g.nodes[n]["defined"]]
        if not at:
            return versions
        wanted = contract_node(name, int(version)) if version.isdigit() else None
        if wanted not in versions:
            shown = ", ".join(str(self.g.nodes[n]["version"]) for n in versions)
            raise UnknownNode(f"{text!r}: contract {name} has no version {version!r} (versions: {shown})")
        return [wanted]


def _version_node(g: nx.DiGraph[str], contract: str, version: int) -> str:
    node = contract_node(contract, version)
    if node not in g:
        g.add_node(node, kind="contract", name=contract, version=version, status=None, defined=False)
    return node


def _unknown(what: str, name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(close)}?" if close else " (modelgate graph --format json lists them)"
    return f"no {what} named {name!r}{hint}"
