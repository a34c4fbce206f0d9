"""MG102-MG108, MG112, MG113: deprecation windows, removals and retirements (from what the PR changes).

Days are UTC calendar days counted from ``today``; the minimum window comes from the base configuration's
``deprecation_days`` for the version's stability. Whether a removal may happen is judged on the base
(was the version deprecated there, and has its announced sunset come): a PR cannot deprecate and remove
in one go, nor move the sunset and remove at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

from bot import registry
from bot.evaluation import Evaluation
from bot.imports.hints import overlay_hint
from bot.manifests.models import Contract, ContractVersion, Model
from bot.manifests.parse import repo_path
from bot.manifests.snapshot import ManifestFile, Snapshot
from bot.policy import at_change, finding
from bot.result import Change, Finding

MG102, MG103, MG104, MG105, MG106, MG107, MG108, MG112, MG113 = (
    "MG102", "MG103", "MG104", "MG105", "MG106", "MG107", "MG108", "MG112", "MG113")


@registry.on_change("deprecation", MG102, MG103, MG104, MG105, MG106, MG107, MG108, MG112, MG113)
def findings(ev: Evaluation) -> Iterator[Finding]:
    for change in ev.changes:
        judge = _BY_CHANGE.get(change.type)
        if judge is not None:
            yield from judge(ev, change)
    yield from _deprecations(ev, {c.subject for c in ev.changes})


def version_of(snapshot: Snapshot, subject: str) -> tuple[ManifestFile, int, ContractVersion] | None:
    """The manifest, index and version a ``contract:NAME@V`` subject names in ``snapshot``."""
    name, _, number = subject.removeprefix("contract:").partition("@")
    manifest = snapshot.contracts.get(name)
    if manifest is None or not number.isdigit():
        return None
    assert isinstance(manifest.doc, Contract)
    for index, version in enumerate(manifest.doc.spec.versions):
        if version.version == int(number):
            return manifest, index, version
    return None


def window_end(ev: Evaluation, version: ContractVersion) -> tuple[date, int]:
    days = ev.config.window_days(version.stability)
    return ev.today + timedelta(days=days), days


def _removable(ev: Evaluation, subject: str, verb: str) -> str | None:
    """Why the base state does not allow ``subject`` to go yet, or None when it does."""
    found = version_of(ev.base, subject)
    if found is None:
        return None
    version = found[2]
    if version.status == "retired":
        return None
    sunset = version.deprecation.sunset if version.deprecation else None
    if version.status != "deprecated" or sunset is None:
        return (f"{subject} is {verb} without a deprecation: deprecate it first with a sunset, a replacement and "
                "a migration guide, and remove it on or after the sunset")
    if ev.today < sunset:
        return f"{subject} is {verb} before its sunset {sunset} ({(sunset - ev.today).days} days left)"
    return None


def _consumers(ev: Evaluation, subject: str) -> list[str]:
    return ev.head_graph.consumers_of(subject)


def _removed(ev: Evaluation, change: Change) -> Iterator[Finding]:
    why = _removable(ev, change.subject, "removed")
    if why:
        yield at_change(MG102, why, change)
    name = change.subject.removeprefix("contract:").split("@")[0]
    consumers = _consumers(ev, change.subject)
    if name in ev.head.contracts and consumers:
        yield at_change(MG103, f"{change.subject} is removed while still consumed by {', '.join(consumers)}",
                        change)


def _retired(ev: Evaluation, change: Change) -> Iterator[Finding]:
    why = _removable(ev, change.subject, "retired")
    if why:
        yield at_change(MG102, why, change)
    consumers = _consumers(ev, change.subject)
    if consumers:
        yield at_change(MG103, f"{change.subject} is retired while still consumed by {', '.join(consumers)}",
                        change)


def _window(ev: Evaluation, change: Change) -> Iterator[Finding]:
    found = version_of(ev.head, change.subject)
    if found is None:
        return
    manifest, index, version = found
    sunset = version.deprecation.sunset if version.deprecation else None
    if sunset is None:
        return  # MG104 says what is missing
    earliest, days = window_end(ev, version)
    if sunset < earliest:
        yield finding(MG105, f"{change.subject} is deprecated with sunset {sunset}, "
                             f"{(sunset - ev.today).days} days from {ev.today}; a {version.stability} version "
                             f"needs at least {days} days: a sunset on or after {earliest}",
                      manifest, "spec", "versions", index, "deprecation", "sunset", subject=change.subject)


def _moved_earlier(ev: Evaluation, change: Change) -> Iterator[Finding]:
    before, after = version_of(ev.base, change.subject), version_of(ev.head, change.subject)
    if before is None or after is None:
        return
    manifest, index, version = after
    old = before[2].deprecation.sunset if before[2].deprecation else None
    new = version.deprecation.sunset if version.deprecation else None
    if old is None or new is None or new >= old:
        return
    earliest, days = window_end(ev, version)
    if new < earliest:
        yield finding(MG106, f"{change.subject}: the sunset moves earlier, from {old} to {new}, sooner than "
                             f"{days} days from {ev.today} (the earliest allowed is {earliest})",
                      manifest, "spec", "versions", index, "deprecation", "sunset", subject=change.subject)


def _contract_removed(ev: Evaluation, change: Change) -> Iterator[Finding]:
    name = change.subject.removeprefix("contract:")
    consumers = sorted(
        manifest.subject for manifest in ev.head.models.values()
        if isinstance(manifest.doc, Model) and any(item.contract == name for item in manifest.doc.spec.consumes))
    if consumers:
        yield at_change(MG113, f"contract {name} is removed while still consumed by {', '.join(consumers)}",
                        change)


def _arrives_deprecated(ev: Evaluation, change: Change) -> Iterator[Finding]:
    found = version_of(ev.head, change.subject)
    if found is not None and found[2].status == "deprecated":
        manifest, index, _ = found
        yield finding(MG112, f"{change.subject} is new and already deprecated",
                      manifest, "spec", "versions", index, "status", subject=change.subject)


def _deprecations(ev: Evaluation, touched: set[str]) -> Iterator[Finding]:
    """MG104, MG107, MG108 for each deprecated version of head that this PR touches (or whose replacement or
    migration guide it touches)."""
    for name in sorted({name for (name, _), version in ev.head_graph.versions.items()
                        if version.status == "deprecated"}):
        manifest = ev.head.contracts[name]
        assert isinstance(manifest.doc, Contract)
        for index, version in enumerate(manifest.doc.spec.versions):
            if version.status != "deprecated":
                continue
            subject = f"contract:{name}@{version.version}"
            deprecation = version.deprecation
            replacement = deprecation.replacement if deprecation else None
            guide = repo_path(manifest.path, deprecation.migration) if deprecation and deprecation.migration else None
            guide_gone = guide is not None and guide in ev.base.paths and guide not in ev.head.paths
            replacement_touched = replacement is not None and f"contract:{name}@{replacement}" in touched
            if subject not in touched and not replacement_touched and not guide_gone:
                continue
            where = ("spec", "versions", index)
            missing = [key for key in ("announced", "sunset", "replacement", "migration")
                       if deprecation is None or getattr(deprecation, key) is None]
            if missing:
                yield finding(MG104, f"{subject} is deprecated without {', '.join(missing)}"
                                     f"{_in_the_overlay(manifest, version.version, missing)}",
                              manifest, *where, "deprecation" if deprecation else "status", subject=subject)
            if replacement is not None:
                target = manifest.doc.version(replacement)
                if target is None or target.status != "active":
                    state = "does not exist" if target is None else f"is {target.status}"
                    yield finding(MG107, f"{subject}: the replacement, version {replacement}, {state}",
                                  manifest, *where, "deprecation", "replacement", subject=subject)
            if deprecation and deprecation.migration and (guide is None or guide not in ev.head.paths):
                yield finding(MG108, f"{subject}: the migration guide {deprecation.migration!r} does not exist",
                              manifest, *where, "deprecation", "migration", subject=subject)


_PLACEHOLDERS = {"announced": "YYYY-MM-DD", "sunset": "YYYY-MM-DD", "replacement": "VERSION",
                 "migration": "docs/PATH.md"}


def _in_the_overlay(manifest: ManifestFile, number: int, missing: list[str]) -> str:
    """For an imported contract (``modelgate import``), where in the import's overlay the missing keys go: the next
    import would replace an edit of the generated file."""
    flow = "{" + ", ".join(f"{key}: {_PLACEHOLDERS[key]}" for key in missing) + "}"
    return overlay_hint(manifest, ("spec", "versions", number, "deprecation"), flow, "them")


_BY_CHANGE: dict[str, Callable[[Evaluation, Change], Iterator[Finding]]] = {
    "VERSION_REMOVED": _removed,  # MG102, MG103
    "VERSION_RETIRED": _retired,  # MG102, MG103
    "VERSION_DEPRECATED": _window,  # MG105
    "SUNSET_MOVED": _moved_earlier,  # MG106
    "CONTRACT_REMOVED": _contract_removed,  # MG113
    "VERSION_ADDED": _arrives_deprecated,  # MG112
}
