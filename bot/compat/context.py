"""Where the differ is (a path), what it found so far, and what it already knows (memo, cycles)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.compat.types import Policy, is_compatible

if TYPE_CHECKING:
    from bot.compat.model import Node

Path = tuple[str, ...]
Found = tuple[str, Path]  # (difference type, path segments)
CompareFn = Callable[["Context", "Node", "Node", bool], None]


@dataclass
class Shared:
    """State shared by every context of one comparison."""

    policy: Policy
    compare: CompareFn
    # keyed by the nodes' ids; each entry also holds the two nodes, so that no id is reused while it is a key
    memo: dict[tuple[int, int], tuple[Node, Node, list[Found]]] = field(default_factory=dict)
    in_progress: set[tuple[int, int]] = field(default_factory=set)


@dataclass
class Context:
    """A position in the walk; ``changes`` is shared with the parent unless made by :meth:`trial`."""

    shared: Shared
    path: Path = ()
    changes: list[Found] = field(default_factory=list)

    def add(self, change_type: str, *segments: str) -> None:
        self.changes.append((change_type, (*self.path, *segments)))

    def extend(self, found: Iterable[Found], prefix: Path = ()) -> None:
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
