"""What changed inside one contract version, and whether it breaks its consumers.

``diff_contract_version`` compares two entries of ``spec.versions`` (plain dicts, with the schema
already resolved under ``"schema"``) and returns :class:`bot.result.Change` records of kind ``schema``,
``slo``, ``fallback`` and ``stability``.

How ``breaking`` is decided for schema changes. Every change is *reported* as ``compare(old, new)``
finds it (type and path read old -> new, as a reviewer reads the PR). It is *judged* in the
direction(s) the contract's ``compatibility`` names:

- ``backward`` (readers move first): ``compare(old, new)``; a change breaks when it is incompatible.
- ``forward`` (the default; producers move first, consumers still read with the old schema):
  ``compare(new, old)``. Each of its incompatible differences marks the reported changes at the same
  path as breaking; failing that, those at an enclosing or enclosed path. A difference that touches no
  reported change (e.g. ``{"type": "string"}`` -> ``{}`` reports nothing old -> new, yet old readers
  reject numbers) is added as its own change, described as seen new -> old.
- ``full``: breaking in either direction.

A schema the comparison gives up on (too complex to compare within ``bot.compat``'s budget, which the two
directions share, or a pattern it does not evaluate) is one breaking change, ``SCHEMA_NOT_COMPARED`` at ``#``,
with the reason: what cannot be shown compatible is not let through (MG101, which an admin can waive). Two
equal schemas are not compared at all. At most ``MAX_REPORTED_CHANGES`` schema changes are reported, the
breaking ones first; the rest are one ``SCHEMA_CHANGES_NOT_SHOWN`` change (breaking when any of them is).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Final, NamedTuple

from bot.compat import Budget, CompareResult, SchemaChange, compare, sqltypes
from bot.compat.keywords import json_equal
from bot.compat.types import Policy
from bot.compat.unmodelled import NOT_PROVEN
from bot.result import Change

COMPATIBILITIES: Final = ("forward", "backward", "full")
NOT_COMPARED: Final = "SCHEMA_NOT_COMPARED"  # the comparison gave up (too complex, or a pattern not evaluated)
NOT_SHOWN: Final = "SCHEMA_CHANGES_NOT_SHOWN"  # the changes past MAX_REPORTED_CHANGES, as one
# Schema changes reported for one contract version: each becomes a located change (a finding when it breaks), and
# a review cannot read thousands; past it, the breaking ones first, then one change for the rest.
MAX_REPORTED_CHANGES: Final = 1_000
STABILITY_ORDER: Final = {"alpha": 0, "beta": 1, "stable": 2}
# SLO keys and the direction that weakens them: +1 when a larger value is weaker, -1 when smaller is.
SLO_WEAKER_WHEN: Final = {"latency_p99_ms": +1, "freshness_s": +1, "availability": -1}
_SLO_NAME: Final = {"latency_p99_ms": "LATENCY", "freshness_s": "FRESHNESS", "availability": "AVAILABILITY"}


class Judging(NamedTuple):
    """How the trusted configuration has schema changes judged: Confluent's policy (``compatibility_policy``), and
    whether ``format`` asserts (``compat.format: assert``) or annotates."""

    policy: Policy = "strict"
    format_assertion: bool = True

    def compare(self, old: Any, new: Any, budget: Budget) -> CompareResult:
        return compare(old, new, "backward", self.policy, budget, format_assertion=self.format_assertion)


def diff_contract_version(subject: str, old: dict[str, Any], new: dict[str, Any],  # noqa: PLR0913
                          compatibility: str = "forward", policy: Policy = "strict", *,
                          format_assertion: bool = True) -> list[Change]:  # (its parts, one keyword-only option)
    """All schema, SLO, fallback and stability changes from ``old`` to ``new`` (one contract version); the
    comparison of its two schemas, in both directions, has one budget of work (``bot.compat.Budget``).
    ``format_assertion``: the configuration's ``compat.format`` (``assert``: True), see ``bot.compat.compare``."""
    if compatibility not in COMPATIBILITIES:
        raise ValueError(f"compatibility must be one of {', '.join(COMPATIBILITIES)}, not {compatibility!r}")
    judging = Judging(policy, format_assertion)
    return [*_schema(subject, old.get("schema"), new.get("schema"), compatibility, judging),
            *_slo(subject, old.get("slo") or {}, new.get("slo") or {}),
            *_fallback(subject, old.get("fallback"), new.get("fallback")),
            *_stability(subject, old.get("stability") or "stable", new.get("stability") or "stable")]


def _segments(path: str) -> tuple[str, ...]:
    return tuple(p for p in path.lstrip("#").split("/") if p)


class _Paths:
    """The reported changes by path, to find those at, enclosing or enclosed by a path without a scan of all."""

    def __init__(self, reported: list[SchemaChange]) -> None:
        self.at: dict[tuple[str, ...], list[int]] = {}
        self.under: dict[tuple[str, ...], list[int]] = {}  # every change at or below each path
        for i, change in enumerate(reported):
            segments = _segments(change.path)
            self.at.setdefault(segments, []).append(i)
            for n in range(len(segments) + 1):
                self.under.setdefault(segments[:n], []).append(i)

    def hits(self, path: str) -> list[int]:
        """The changes at ``path``; failing that, those at an enclosing or an enclosed path."""
        segments = _segments(path)
        if segments in self.at:
            return self.at[segments]
        enclosing = [i for n in range(len(segments)) for i in self.at.get(segments[:n], ())]
        return enclosing + self.under.get(segments, [])


def _schema(subject: str, old: Any, new: Any, compatibility: str, judging: Judging) -> list[Change]:
    if old is None or new is None:
        return []  # an unreadable schema is the linter's to report (MG008), not a change
    if json_equal(old, new):
        return []
    budget = Budget()
    result = judging.compare(old, new, budget)
    judged = judging.compare(new, old, budget) if compatibility != "backward" and not result.refused else None
    refused = result.refused or (judged.refused if judged is not None else None)
    if refused is not None:
        return [Change(subject, "schema", NOT_COMPARED, "#", True,
                       f"the schema is {refused}, so it cannot be shown to keep {compatibility} compatibility")]
    reported = result.changes
    breaking = [compatibility != "forward" and not c.compatible for c in reported]
    orphans: list[SchemaChange] = []
    marked: set[str] = set()  # paths whose hits are already breaking
    if judged is not None:
        paths = _Paths(reported)
        for change in judged.changes:
            if change.compatible or change.path in marked:
                continue
            hits = paths.hits(change.path)
            for i in hits:
                breaking[i] = True
            if hits:
                marked.add(change.path)
            else:
                orphans.append(change)
    out = [Change(subject, "schema", c.type, c.path, flag, _schema_detail(c, flag, compatibility, old, new))
           for c, flag in zip(reported, breaking, strict=True)]
    out += [Change(subject, "schema", c.type, c.path, True,
                   f"{_words(c.type)} at {c.path}, seen from the new schema back to the old: "
                   "consumers still reading with the old schema reject what the new one allows")
            for c in orphans]
    return _bounded(subject, out, compatibility)


def _bounded(subject: str, changes: list[Change], compatibility: str) -> list[Change]:
    if len(changes) <= MAX_REPORTED_CHANGES:
        return changes
    ranked = sorted(changes, key=lambda c: not c.breaking)  # stable: in their order, the breaking ones first
    shown, rest = ranked[:MAX_REPORTED_CHANGES - 1], ranked[MAX_REPORTED_CHANGES - 1:]
    breaking = sum(c.breaking for c in rest)
    return [*shown, Change(subject, "schema", NOT_SHOWN, "#", breaking > 0,
                           f"{len(rest):,} more schema changes not shown (at most {MAX_REPORTED_CHANGES:,} are "
                           f"listed), {breaking:,} of them breaking {compatibility} compatibility")]


def _words(change_type: str) -> str:
    return change_type.lower().replace("_", " ")


def _schema_detail(change: SchemaChange, breaking: bool, compatibility: str, old: Any = None, new: Any = None) -> str:
    verdict = f"breaks {compatibility} compatibility" if breaking else f"keeps {compatibility} compatibility"
    if change.type in sqltypes.SQL_CHANGES:
        return f"{sqltypes.describe(change.type, change.path, old, new)} ({verdict})"
    if change.type == NOT_PROVEN:
        return (f"{change.path.rsplit('/', 1)[-1]} changed at {change.path}: a keyword the engine does not compare "
                f"by meaning, so the change could not be proven compatible ({verdict})")
    return f"{_words(change.type)} at {change.path} ({verdict})"


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def _slo(subject: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    for key in [*old, *(k for k in new if k not in old)]:
        path = f"#/slo/{key}"
        if key not in new:
            yield Change(subject, "slo", "SLO_KEY_REMOVED", path, True, f"{key} {old[key]} removed")
        elif key not in old:
            yield Change(subject, "slo", "SLO_KEY_ADDED", path, False, f"{key} {new[key]} added")
        elif old[key] != new[key]:
            detail = f"{key} {old[key]} → {new[key]}"
            direction = SLO_WEAKER_WHEN.get(key)
            if direction is None or not _comparable(old[key], new[key]):
                yield Change(subject, "slo", "SLO_CHANGED", path, False, detail)
                continue
            raised = new[key] > old[key]
            weaker = raised if direction > 0 else not raised
            change_type = f"SLO_{_SLO_NAME[key]}_{'RAISED' if raised else 'LOWERED'}"
            yield Change(subject, "slo", change_type, path, weaker, detail)


def _comparable(a: Any, b: Any) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))


def _fallback(subject: str, old: Any, new: Any) -> Iterator[Change]:
    if old == new:
        return
    if not new:
        yield Change(subject, "fallback", "FALLBACK_REMOVED", "#/fallback", True,
                     f"fallback ({old.get('strategy')}) removed")
        return
    if not old:
        yield Change(subject, "fallback", "FALLBACK_ADDED", "#/fallback", False,
                     f"fallback ({new.get('strategy')}) added")
        return
    if old.get("strategy") != new.get("strategy"):
        yield Change(subject, "fallback", "FALLBACK_STRATEGY_CHANGED", "#/fallback/strategy", True,
                     f"strategy {old.get('strategy')} → {new.get('strategy')}")
    if old.get("value") != new.get("value"):
        yield Change(subject, "fallback", "FALLBACK_VALUE_CHANGED", "#/fallback/value", False,
                     f"value {_json(old.get('value'))} → {_json(new.get('value'))}")
    before, after = list(old.get("when") or []), list(new.get("when") or [])
    if sorted(map(str, before)) != sorted(map(str, after)):
        yield Change(subject, "fallback", "FALLBACK_WHEN_CHANGED", "#/fallback/when", False,
                     f"when [{', '.join(map(str, before))}] → [{', '.join(map(str, after))}]")


def _stability(subject: str, old: str, new: str) -> Iterator[Change]:
    if old == new:
        return
    rank_old, rank_new = STABILITY_ORDER.get(old, 2), STABILITY_ORDER.get(new, 2)
    decreased = rank_new < rank_old
    yield Change(subject, "stability", "STABILITY_DECREASED" if decreased else "STABILITY_INCREASED",
                 "#/stability", decreased, f"stability {old} → {new}")
