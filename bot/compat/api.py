"""The public comparison: ``compare(old, new, mode, policy)`` and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from bot.compat import sqltypes
from bot.compat.context import Budget, Context, Refused, Shared, pointer
from bot.compat.model import Loader
from bot.compat.types import POLICIES, Policy, is_compatible
from bot.compat.walker import compare_nodes

Mode = Literal["backward", "forward", "full"]
MODES: tuple[Mode, ...] = ("backward", "forward", "full")


@dataclass(frozen=True)
class SchemaChange:
    """One difference: Confluent's ``type``, where (``#/...``), and whether it is compatible.

    ``direction`` is ``backward`` for a difference from the first schema to the second, ``forward``
    for one found the other way round (``mode="forward"`` or the second half of ``mode="full"``).
    """

    type: str
    path: str
    compatible: bool
    direction: Literal["backward", "forward"] = "backward"

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "path": self.path, "compatible": self.compatible}


@dataclass(frozen=True)
class CompareResult:
    """The verdict and its changes; ``refused`` says why the comparison was given up (then no change is listed
    and the verdict is incompatible: nothing shows the change compatible)."""

    compatible: bool
    changes: list[SchemaChange] = field(default_factory=list)
    mode: Mode = "backward"
    policy: Policy = "strict"
    refused: str | None = None

    def to_json(self) -> dict[str, Any]:
        refused = {"refused": self.refused} if self.refused is not None else {}
        return {"compatible": self.compatible, "mode": self.mode, "policy": self.policy, **refused,
                "changes": [c.to_json() for c in self.changes]}


MAX_DEPTH = 200  # the comparison recurses; manifests are read with a far lower limit (64) anyway


def _depth(document: Any) -> int:
    """How deeply a JSON document nests (measured without recursion)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _diff(reader_old: Loader, reader_new: Loader, policy: Policy, direction: Literal["backward", "forward"],
          budget: Budget) -> list[SchemaChange]:
    """Differences a reader holding ``reader_new`` meets in records written under ``reader_old``."""
    ctx = Context(Shared(policy, compare_nodes, budget,
                         unenforced=sqltypes.unenforced(reader_old.root) and sqltypes.unenforced(reader_new.root)))
    ctx.compare(reader_old.root_node(), reader_new.root_node())
    return [SchemaChange(t, pointer(p), is_compatible(t, policy), direction) for t, p in ctx.changes]


def compare(old: dict[str, Any] | bool, new: dict[str, Any] | bool, mode: Mode = "backward",  # noqa: PLR0913
            policy: Policy = "strict", budget: Budget | None = None, *,
            format_assertion: bool = True) -> CompareResult:  # (four documented, the budget, one keyword-only)
    """Classify the change from ``old`` to ``new`` the way Confluent Schema Registry does.

    ``backward``: can a reader with ``new`` read every record valid under ``old``; ``forward``: the
    same question with the two swapped (changes then describe ``new`` -> ``old``); ``full``: both, the
    backward changes first. Non-local ``$ref`` are never fetched: they compare by their text.

    The work is bounded (``bot.compat.context``: pairs compared, differences recorded, nesting; ``budget``
    may be shared by several comparisons); past a bound, or on a ``patternProperties`` pattern the linear
    engine does not evaluate (``bot.compat.patterns``) when a name must be matched against it, the result
    is ``refused`` with the reason, and incompatible.

    ``format_assertion`` (``compat.format: assert``, the default): a ``format`` a validator checks
    (``bot.compat.model.ASSERTED_FORMATS``) constrains strings, so adding or changing one narrows
    (``FORMAT_ADDED``, ``FORMAT_CHANGED``); ``False`` (``annotate``): every ``format`` is an annotation.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}, not {policy!r}")
    for schema in (old, new):
        if _depth(schema) > MAX_DEPTH:
            raise ValueError(f"a schema nested deeper than {MAX_DEPTH} levels is refused, not compared")
    budget = Budget() if budget is None else budget
    changes: list[SchemaChange] = []
    loaded_old, loaded_new = (Loader(s, format_assertion=format_assertion) for s in (old, new))
    try:
        if mode in ("backward", "full"):
            changes += _diff(loaded_old, loaded_new, policy, "backward", budget)
        if mode in ("forward", "full"):
            changes += _diff(loaded_new, loaded_old, policy, "forward", budget)
    except Refused as exc:
        return CompareResult(False, [], mode, policy, str(exc))
    return CompareResult(all(c.compatible for c in changes), changes, mode, policy)
