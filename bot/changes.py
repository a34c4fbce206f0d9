"""What a pull request changes: base vs head, as a reader of the PR thinks of it (docs/cli.md, `modelgate check`).

Pure: two Snapshots in, a sorted list of Change out. Manifests are matched by kind and name, contract versions
by number. Schema, SLO, fallback and stability changes inside one version come from the contract-level diff
(``bot.policy.contract_diff``) and are judged under the *base* contract's compatibility. Each change points
at the line of the key it is about: in head, or in base for what head no longer has.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, Literal, NamedTuple

from bot.compat.refs import pointer_segments
from bot.compat.types import Policy
from bot.config import CONFIG_PATH
from bot.manifests.models import Contract, ContractVersion, Model
from bot.manifests.snapshot import ManifestFile, Snapshot
from bot.policy.contract_diff import Judging, diff_contract_version
from bot.result import MANIFEST_UNREADABLE, Change, ChangeKind

KIND_ORDER = ("added", "removed", "status", "deprecation", "schema", "slo", "fallback", "stability",
              "version", "consumes", "provides", "owners", "metadata")


def diff_states(base: Snapshot, head: Snapshot, policy: Policy = "strict", *, format_assertion: bool = True
                ) -> list[Change]:
    """Every change from ``base`` to ``head``, sorted by subject, then kind, type and path; schemas are judged
    under ``policy`` and ``format_assertion`` (the trusted configuration's ``compat.format``)."""
    judging = Judging(policy, format_assertion)
    changes = list(_config(base, head))
    unreadable = {f.file for f in head.findings if f.rule == "MG001"}
    schema_refs: dict[str, list[str]] = {}
    for (name, _), path in base.schema_files.items():
        schema_refs.setdefault(name, []).append(path)
    touched = _touched(base, head, schema_refs)
    for kind in ("Model", "Contract"):
        old_all, new_all = _by_kind(base, kind), _by_kind(head, kind)
        for name in sorted(touched[kind]):
            old, new = old_all.get(name), new_all.get(name)
            where = head.unknown_file(old.subject) if old is not None else None
            if where is None and old is not None and new is None and old.path in unreadable:
                where = old.path  # a head read without ``carry_unknown``: the same account of it
            if where is not None and old is not None:
                changes.append(_at(Change(old.subject, "metadata", MANIFEST_UNREADABLE,
                                          detail=f"{where} cannot be read at head (see MG001); "
                                                 "its contents are judged once it reads again"), old))
            elif old is None and new is not None:
                changes.append(_at(Change(new.subject, "added", f"{kind.upper()}_ADDED",
                                          detail=f"new {kind.lower()} {name} ({new.path})"), new))
                if kind == "Contract":
                    changes.extend(_versions_added(new))
            elif new is None and old is not None:
                changes.append(_at(Change(old.subject, "removed", f"{kind.upper()}_REMOVED",
                                          detail=f"{kind.lower()} {name} deleted ({old.path})"), old))
                if kind == "Contract":
                    changes.extend(_versions_removed(old))
            elif old is not None and new is not None:
                if _untouched(base, head, old, new, schema_refs.get(name, []) if kind == "Contract" else []):
                    continue
                found = list(_model(old, new) if kind == "Model" else _contract(base, head, old, new, judging))
                changes.extend(found or _text(old, new))
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    return sorted(changes, key=lambda c: (c.subject, order[c.kind], c.type, c.path or "", c.detail))


def _touched(base: Snapshot, head: Snapshot, schema_refs: dict[str, list[str]]) -> dict[str, set[str]]:
    """The names, by kind, that may have changed: those of each manifest file that is in one state only (by path
    and bytes), and the contracts whose schema files differ. A name none of whose files changed in any way has
    the same manifest in both states.

    Most manifests of a large monorepo are untouched by a PR; this keeps their cost to one set difference.
    """
    before = {(m.path, m.blob): m for m in base.manifests}
    after = {(m.path, m.blob): m for m in head.manifests}
    touched: dict[str, set[str]] = {"Model": set(), "Contract": set()}
    for key in before.keys() ^ after.keys():
        manifest = before.get(key) or after[key]
        touched[manifest.kind].add(manifest.name)
    touched["Contract"].update(name for name, refs in schema_refs.items()
                               if any(base.blobs.get(path) != head.blobs.get(path) for path in refs))
    return touched


def _untouched(base: Snapshot, head: Snapshot, old: ManifestFile, new: ManifestFile, refs: list[str]) -> bool:
    """The same file with the same bytes, and the same bytes in every schema file it refers to (``refs``)."""
    if old.path != new.path or old.blob != new.blob:
        return False
    return all(base.blobs.get(path) == head.blobs.get(path) for path in refs)


def _by_kind(snapshot: Snapshot, kind: str) -> dict[str, ManifestFile]:
    return snapshot.models if kind == "Model" else snapshot.contracts


def _at(change: Change, manifest: ManifestFile, *path: str | int) -> Change:
    return dataclasses.replace(change, file=manifest.path, line=manifest.line(*path) if path else 1)


def _config(base: Snapshot, head: Snapshot) -> Iterator[Change]:
    if base.config_blob == head.config_blob:
        return
    kind: ChangeKind
    verb: str
    kind, verb = ("added", "CONFIG_ADDED") if base.config_blob is None else \
        ("removed", "CONFIG_REMOVED") if head.config_blob is None else ("metadata", "CONFIG_CHANGED")
    yield Change("config", kind, verb, detail=f"{CONFIG_PATH} {kind if kind != 'metadata' else 'changed'}",
                 file=CONFIG_PATH, line=1)


def _text(old: ManifestFile, new: ManifestFile) -> Iterator[Change]:
    """A manifest whose meaning is the same but whose file moved or was edited (comments, layout)."""
    if old.path != new.path:
        yield _at(Change(new.subject, "metadata", "FILE_MOVED", detail=f"moved from {old.path} to {new.path}"), new)
    elif old.blob != new.blob:
        yield _at(Change(new.subject, "metadata", "TEXT_CHANGED", detail="edited without a change of meaning"), new)


# --- models ------------------------------------------------------------------------------------------------

def _model(old: ManifestFile, new: ManifestFile) -> Iterator[Change]:
    assert isinstance(old.doc, Model) and isinstance(new.doc, Model)
    subject = new.subject
    a, b = old.doc, new.doc
    if a.spec.version != b.spec.version:
        major = a.spec.major != b.spec.major
        yield _at(Change(subject, "version", "MAJOR_VERSION_CHANGED" if major else "VERSION_CHANGED",
                         detail=f"{a.spec.version} → {b.spec.version}" + (" (major: a behaviour change)" if major
                                                                         else "")),
                  new, "spec", "version")
    for key in ("consumes", "provides"):
        yield from _edges(key, old, new)
    yield from _owners(old, new)
    for key in ("tier", "description", "labels"):
        if getattr(a.metadata, key) != getattr(b.metadata, key):
            yield _at(Change(subject, "metadata", f"{key.upper()}_CHANGED",
                             detail=f"metadata.{key}: {getattr(a.metadata, key)!r} → {getattr(b.metadata, key)!r}"),
                      new, "metadata", key)
    if a.spec.rollout != b.spec.rollout:
        yield _at(Change(subject, "metadata", "ROLLOUT_CHANGED", detail="spec.rollout changed"), new, "spec", "rollout")


def _edges(key: Literal["consumes", "provides"], old: ManifestFile, new: ManifestFile) -> Iterator[Change]:
    def items(manifest: ManifestFile) -> dict[tuple[str, int], tuple[int, Any]]:
        return {(item.contract, item.version): (i, item) for i, item in enumerate(getattr(manifest.doc.spec, key))}

    before, after = items(old), items(new)
    verb = key.upper().removesuffix("S")
    for pin in sorted(before.keys() | after.keys()):
        node = f"contract:{pin[0]}@{pin[1]}"
        if pin not in before:
            yield _at(Change(new.subject, key, f"{verb}_ADDED", detail=f"{key} {node}"),
                      new, "spec", key, after[pin][0])
        elif pin not in after:
            yield _at(Change(new.subject, key, f"{verb}_REMOVED", detail=f"no longer {key} {node}"),
                      old, "spec", key, before[pin][0])
        elif key == "consumes" and before[pin][1].fields != after[pin][1].fields:
            yield _at(Change(new.subject, key, "FIELDS_CHANGED",
                             detail=f"fields read from {node}: {before[pin][1].fields} → {after[pin][1].fields}"),
                      new, "spec", key, after[pin][0], "fields")


def _owners(old: ManifestFile, new: ManifestFile) -> Iterator[Change]:
    a, b = old.doc.metadata.owners, new.doc.metadata.owners
    if a != b:
        yield _at(Change(new.subject, "owners", "OWNERS_CHANGED", detail=f"owners: {a or []} → {b or []}"),
                  new, "metadata", "owners")


# --- contracts ---------------------------------------------------------------------------------------------

def _version_subject(manifest: ManifestFile, version: int) -> str:
    return f"contract:{manifest.name}@{version}"


def _versions(manifest: ManifestFile) -> dict[int, tuple[int, ContractVersion]]:
    assert isinstance(manifest.doc, Contract)
    return {v.version: (i, v) for i, v in enumerate(manifest.doc.spec.versions)}


def _versions_added(manifest: ManifestFile) -> Iterator[Change]:
    for number, (index, version) in sorted(_versions(manifest).items()):
        yield _at(Change(_version_subject(manifest, number), "added", "VERSION_ADDED",
                         detail=f"new version {number} ({version.status}, {version.stability})"),
                  manifest, "spec", "versions", index, "version")


def _versions_removed(manifest: ManifestFile) -> Iterator[Change]:
    for number, (index, version) in sorted(_versions(manifest).items()):
        yield _at(Change(_version_subject(manifest, number), "removed", "VERSION_REMOVED", breaking=True,
                         detail=f"version {number} removed (was {version.status})"),
                  manifest, "spec", "versions", index, "version")


def _contract(base: Snapshot, head: Snapshot, old: ManifestFile, new: ManifestFile, judging: Judging
              ) -> Iterator[Change]:
    assert isinstance(old.doc, Contract) and isinstance(new.doc, Contract)
    if old.doc.spec.compatibility != new.doc.spec.compatibility:
        yield _at(Change(new.subject, "metadata", "COMPATIBILITY_CHANGED",
                         detail=f"compatibility: {old.doc.spec.compatibility} → {new.doc.spec.compatibility} "
                                "(the base's applies to this PR)"),
                  new, "spec", "compatibility")
    if old.doc.spec.compat != new.doc.spec.compat:
        formats = (c.format or "the configuration's" for c in (old.doc.spec.compat, new.doc.spec.compat))
        yield _at(Change(new.subject, "metadata", "COMPAT_CHANGED",
                         detail="compat.format: {} → {} (the base's applies to this PR)".format(*formats)),
                  new, "spec", "compat")
    yield from _owners(old, new)
    a, b = old.doc.metadata, new.doc.metadata
    if (a.description, a.labels) != (b.description, b.labels):
        yield _at(Change(new.subject, "metadata", "METADATA_CHANGED", detail="description or labels changed"),
                  new, "metadata")
    before, after = _versions(old), _versions(new)
    for number in sorted(before.keys() | after.keys()):
        if number not in before:
            index, version = after[number]
            yield _at(Change(_version_subject(new, number), "added", "VERSION_ADDED",
                             detail=f"new version {number} ({version.status}, {version.stability})"),
                      new, "spec", "versions", index, "version")
        elif number not in after:
            index, version = before[number]
            yield _at(Change(_version_subject(old, number), "removed", "VERSION_REMOVED", breaking=True,
                             detail=f"version {number} removed (was {version.status})"),
                      old, "spec", "versions", index, "version")
        else:
            yield from _version(_Side(base, old, *before[number]), _Side(head, new, *after[number]), judging)


class _Side(NamedTuple):
    """One contract version in one state: the state (which holds its schema), the manifest, its position there."""

    state: Snapshot
    manifest: ManifestFile
    position: int
    version: ContractVersion

    def data(self) -> dict[str, Any]:
        """The version as the contract-level diff reads it: a plain dict with the resolved schema."""
        data = dict(self.manifest.data["spec"]["versions"][self.position])
        data.pop("schema_ref", None)
        data["schema"] = self.state.schema(self.manifest.name, self.version.version)
        return data


def _version(old: _Side, new: _Side, judging: Judging) -> Iterator[Change]:
    a, b = old.version, new.version
    subject = _version_subject(new.manifest, b.version)
    where = ("spec", "versions", new.position)
    if a.status != b.status:
        kind = {"deprecated": "VERSION_DEPRECATED", "retired": "VERSION_RETIRED"}.get(b.status, "VERSION_REACTIVATED")
        sunset = f"; sunset {b.deprecation.sunset}" if b.status == "deprecated" and b.deprecation else ""
        yield _at(Change(subject, "status", kind, breaking=b.status == "retired",
                         detail=f"status {a.status} → {b.status}{sunset}"), new.manifest, *where, "status")
    yield from _deprecation(subject, a, b, new.manifest, where)
    assert isinstance(old.manifest.doc, Contract)
    compatibility = old.manifest.doc.spec.compatibility
    own_format = old.manifest.doc.spec.compat.format  # the base's, as its compatibility: a PR cannot relax its own
    format_assertion = judging.format_assertion if own_format is None else own_format == "assert"
    for change in diff_contract_version(subject, old.data(), new.data(), compatibility, judging.policy,
                                        format_assertion=format_assertion):
        yield _at(change, new.manifest, *where, *_key_path(change, b))
    if a.quality != b.quality:
        yield _at(Change(subject, "metadata", "QUALITY_CHANGED", detail="data expectations (quality) changed"),
                  new.manifest, *where, "quality")


def _deprecation(subject: str, a: ContractVersion, b: ContractVersion, new: ManifestFile,
                 where: tuple[str | int, ...]) -> Iterator[Change]:
    old, now = a.deprecation, b.deprecation
    if old == now:
        return
    if old is None:
        if a.status == b.status:
            yield _at(Change(subject, "deprecation", "DEPRECATION_ADDED", detail="deprecation block added"),
                      new, *where, "deprecation")
        return
    if now is None:
        yield _at(Change(subject, "deprecation", "DEPRECATION_REMOVED", detail="deprecation block removed"),
                  new, *where)
        return
    for key in ("sunset", "announced", "replacement", "migration"):
        before, after = getattr(old, key), getattr(now, key)
        if before != after:
            verb = "SUNSET_MOVED" if key == "sunset" and before and after else f"{key.upper()}_CHANGED"
            yield _at(Change(subject, "deprecation", verb, detail=f"deprecation.{key}: {before} → {after}"),
                      new, *where, "deprecation", key)


def _key_path(change: Change, version: ContractVersion) -> tuple[str | int, ...]:
    """Where in the version's YAML a contract-level change points (inside an inline schema when it can)."""
    parts = [p for p in pointer_segments(change.path or "#") if p]
    if change.kind != "schema":
        return tuple(parts) or (change.kind,)
    if version.schema_ref is not None:
        return ("schema_ref",)
    return ("schema", *(int(p) if p.isdigit() else p for p in parts))
