"""Where the differ is (a path), what it found so far, what it already knows (memo, cycles), and its budget."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from bot.compat.patterns import MAX_PATTERNS
from bot.compat.refs import escape
from bot.compat.types import Policy, is_compatible

if TYPE_CHECKING:
    from bot.compat.model import Node

Path = tuple[str, ...]
Found = tuple[str, Path]  # (difference type, path segments)
CompareFn = Callable[["Context", "Node", "Node", bool], None]

# The bounds of one comparison (``compare``; a contract version's diff shares one budget between its two).
# References let a few kilobytes of schema describe a tree of any size (each level of $defs referring to the next
# twice: 2^30 paths in 30 definitions), so the work is bounded, not the text:
MAX_COMPARED_PAIRS: Final = 100_000  # pairs of subschemas met, equal ones included (a pair reached through $ref is
#                                     compared once: memoised)
MAX_RECORDED_CHANGES: Final = 20_000  # differences recorded, each copy counted (a memoised pair's changes are
#                                       reported again at every path where the pair occurs, as Confluent does)
MAX_COMPARISON_DEPTH: Final = 64  # subschemas nested on the walk, as deep as a manifest may nest (a chain of $ref
#                                  nests without nesting the text; each level costs the walk up to 9 frames)


class Refused(Exception):
    """The comparison is given up, never guessed: why, as a sentence (too complex, or a pattern not evaluated)."""


@dataclass
class Budget:
    """What is left of a comparison's work; shared by the comparisons one verdict needs."""

    pairs: int = MAX_COMPARED_PAIRS
    changes: int = MAX_RECORDED_CHANGES
    patterns: set[str] = field(default_factory=set)  # distinct patterns matched against names

    def spend_pair(self) -> None:
        self.pairs -= 1
        if self.pairs < 0:
            raise Refused(f"too complex to compare: more than {MAX_COMPARED_PAIRS:,} pairs of subschemas")

    def spend_pattern(self, pattern: str) -> None:
        self.patterns.add(pattern)
        if len(self.patterns) > MAX_PATTERNS:
            raise Refused(f"too complex to compare: more than {MAX_PATTERNS} distinct patterns to match")

    def spend_changes(self, count: int) -> None:
        self.changes -= count
        if self.changes < 0:
            raise Refused(f"too complex to compare: more than {MAX_RECORDED_CHANGES:,} differences")


def pointer(segments: Path) -> str:
    return "#/" + "/".join(escape(s) for s in segments)


@dataclass
class Shared:
    """State shared by every context of one comparison."""

    policy: Policy
    compare: CompareFn
    budget: Budget = field(default_factory=Budget)
    depth: int = 0  # pairs on the walk's stack
    unenforced: bool = False  # both documents say ``x-dbt-contract-enforced: false``: SQL types are not compared
    texts: dict[int, tuple[Any, str]] = field(default_factory=dict)  # id(raw) -> (raw, its canonical text)
    # keyed by the nodes' ids; each entry also holds the two nodes, so that no id is reused while it is a key
    # (and whether metadata is compared: ``meta=False`` reports less)
    memo: dict[tuple[int, int, bool], tuple[Node, Node, list[Found]]] = field(default_factory=dict)
    in_progress: set[tuple[int, int, bool]] = field(default_factory=set)


@dataclass
class Context:
    """A position in the walk; ``changes`` is shared with the parent unless made by :meth:`trial`."""

    shared: Shared
    path: Path = ()
    changes: list[Found] = field(default_factory=list)

    def add(self, change_type: str, *segments: str) -> None:
        self.shared.budget.spend_changes(1)
        self.changes.append((change_type, (*self.path, *segments)))

    def extend(self, found: Sequence[Found], prefix: Path = ()) -> None:
        self.shared.budget.spend_changes(len(found))
        self.changes.extend((t, (*prefix, *p)) for t, p in found)

    def child(self, *segments: str) -> Context:
        return Context(self.shared, (*self.path, *segments), self.changes)

    def trial(self, *segments: str) -> Context:
        """A context whose findings stay apart, to try a comparison before adopting it."""
        return Context(self.shared, (*self.path, *segments), [])

    def compare(self, original: Node, update: Node, meta: bool = True) -> None:
        self.shared.compare(self, original, update, meta)

    @property
    def compatible(self) -> bool:
        return all(is_compatible(t, self.shared.policy) for t, _ in self.changes)
