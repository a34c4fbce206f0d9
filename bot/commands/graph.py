"""``modelgate graph``: the dependency graph of one state, as mermaid, Graphviz DOT or JSON.

Models point to the contract versions they provide; contract versions point to the models consuming them.
``--focus NODE`` keeps NODE with everything upstream and downstream of it.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands._common import add_format, load_state, show, warn_unreadable
from bot.graph import Graph
from bot.manifests.snapshot import Snapshot
from bot.owners import owners_of
from bot.report.formats import GRAPH


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("graph", help="the dependency graph (mermaid, dot, json)",
                                   description="The dependency graph of one state, as mermaid, Graphviz DOT or JSON.")
    add_format(parser, GRAPH)
    parser.add_argument("--focus", metavar="NODE",
                        help="only NODE and what is upstream and downstream of it "
                             "(model:NAME, contract:NAME, contract:NAME@V, or a bare NAME[@V])")
    parser.add_argument("--at", metavar="PATH|REV",
                        help="a directory or a git revision of the repository here (default: the working tree)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    snapshot = load_state(args.at)
    warn_unreadable(snapshot)
    graph = Graph.from_snapshot(snapshot)
    if args.focus:
        graph = graph.subgraph_around(graph.resolve(args.focus))
    show(GRAPH, args.format, view(graph, snapshot))
    return 0


def view(graph: Graph, snapshot: Snapshot) -> dict[str, Any]:
    """What every format shows, and the JSON: ``{"nodes": [{id, kind, name, version?, status?, defined, owners,
    file}], "edges": [{from, to}]}``, nodes sorted by id and edges by their ends."""
    nodes = []
    for node in sorted(graph.g):
        data = graph.g.nodes[node]
        manifests = snapshot.models if data["kind"] == "model" else snapshot.contracts
        manifest = manifests.get(data["name"]) if data["defined"] else None
        item: dict[str, Any] = {"id": node, "kind": data["kind"], "name": data["name"]}
        if data["kind"] == "contract":
            item.update(version=data["version"], status=data["status"])
        item.update(defined=data["defined"], owners=list(owners_of(manifest, snapshot)) if manifest else [],
                    file=manifest.path if manifest else None)
        nodes.append(item)
    edges = [{"from": s, "to": t} for s, t in sorted(graph.g.edges())]
    return {"nodes": nodes, "edges": edges}
