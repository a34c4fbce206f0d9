"""Time one impact query on the head of a synthetic monorepo, inside one process; print milliseconds.

    python benchmarks/impact_query.py REPO

Loading is not timed (benchmarks/run.py times the whole check); this is the cost of one
``modelgate impact`` question once the graph is built: everything below a contract of the lowest layer.
"""

from __future__ import annotations

import sys
import time

from bot.graph import Graph
from bot.loader import Loader
from bot.sources import GitRevisionSource


def main(repo: str) -> None:
    graph = Graph.from_snapshot(Loader(GitRevisionSource(repo, "head")).load())
    start = graph.resolve("c00000@1")
    best = float("inf")
    for _ in range(5):
        began = time.perf_counter()
        reached = graph.downstream(start)
        best = min(best, time.perf_counter() - began)
    print(f"{best * 1000:.2f}")
    print(f"{len(reached)} models below c00000@1", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
