"""``modelgate graph``: the dependency graph of one state, as mermaid, Graphviz DOT or JSON.

Models point to the contract versions they provide; contract versions point to the models consuming them.
``--focus NODE`` keeps NODE with everything upstream and downstream of it.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.commands._common import add_format, load_state, warn_unreadable
from bot.escape import dot_string, mermaid_id, mermaid_label
from bot.graph import Graph
from bot.manifests.snapshot import Snapshot
from bot.owners import owners_of


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("graph", help="the dependency graph (mermaid, dot, json)",
                                   description="The dependency graph of one state, as mermaid, Graphviz DOT or JSON.")
    add_format(parser, ("mermaid", "dot", "json"), default="mermaid")
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
    if args.format == "json":
        print(json.dumps(as_json(graph, snapshot), indent=2))
    else:
        print(mermaid(graph) if args.format == "mermaid" else dot(graph))
    return 0


def mermaid(graph: Graph) -> str:
    """A mermaid flowchart: models as boxes, contract versions as rounded boxes, missing versions dashed."""
    lines = ["flowchart LR"]
    for node, data in sorted(graph.g.nodes(data=True)):
        label = mermaid_label(node if data["defined"] else f"{node} (not defined)")
        shape = f"[{label}]" if data["kind"] == "model" else f"([{label}])"
        lines.append(f"  {mermaid_id(node)}{shape}")
    for source, target in sorted(graph.g.edges()):
        arrow = "-->" if graph.g.nodes[source]["defined"] and graph.g.nodes[target]["defined"] else "-.->"
        lines.append(f"  {mermaid_id(source)} {arrow} {mermaid_id(target)}")
    return "\n".join(lines)


def dot(graph: Graph) -> str:
    lines = ["digraph modelgate {", "  rankdir=LR;"]
    for node, data in sorted(graph.g.nodes(data=True)):
        shape = "box" if data["kind"] == "model" else "ellipse"
        style = "" if data["defined"] else ", style=dashed"
        lines.append(f"  {dot_string(node)} [shape={shape}{style}];")
    lines.extend(f"  {dot_string(s)} -> {dot_string(t)};" for s, t in sorted(graph.g.edges()))
    lines.append("}")
    return "\n".join(lines)


def as_json(graph: Graph, snapshot: Snapshot) -> dict[str, Any]:
    """``{"nodes": [{id, kind, name, version?, status?, defined, owners, file}], "edges": [{from, to}]}``."""
    nodes = []
    for node, data in sorted(graph.g.nodes(data=True)):
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
