"""``modelgate impact NODE``: every model that depends on NODE, with its depth, owners and chain.

NODE is ``model:NAME``, ``contract:NAME`` (all its versions), ``contract:NAME@V``, or a bare ``NAME[@V]``
(the contract if one has that name, else the model). An unknown or ambiguous NODE exits 2.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands._common import add_format, load_state, show, warn_unreadable
from bot.errors import UsageError
from bot.graph import Graph, Reach
from bot.manifests.snapshot import Snapshot
from bot.owners import owners_of
from bot.report.formats import IMPACT


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("impact", help="who depends on NODE (directly and transitively)",
                                   description="Every model that depends on NODE, with its depth, owners and chain.")
    parser.add_argument("node", metavar="NODE", help="fraud-score@2, fraud-score, model:fraud-scorer, ...")
    parser.add_argument("--depth", type=int, metavar="N", help="only models at most N models down (N >= 1)")
    add_format(parser, IMPACT)
    parser.add_argument("--at", metavar="PATH|REV",
                        help="a directory or a git revision of the repository here (default: the working tree)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.depth is not None and args.depth < 1:
        raise UsageError(f"--depth {args.depth}: give a number of models, 1 or more")
    snapshot = load_state(args.at)
    warn_unreadable(snapshot)
    graph = Graph.from_snapshot(snapshot)
    start = graph.resolve(args.node)
    reached = sorted(graph.downstream(start, args.depth), key=lambda r: (r.depth, r.model))
    rows = [impact_row(r, snapshot) for r in reached]
    show(IMPACT, args.format, {"node": args.node, "start": start, "impacted": rows})
    return 0


def impact_row(reach: Reach, snapshot: Snapshot) -> dict[str, Any]:
    manifest = snapshot.models.get(reach.model)
    owners = list(owners_of(manifest, snapshot)) if manifest else []
    return {"model": reach.model, "depth": reach.depth, "owners": owners, "chain": list(reach.chain)}
