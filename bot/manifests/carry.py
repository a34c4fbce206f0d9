"""A manifest that loaded at base and does not load at head is *unknown* at head, never removed (issue 13).

Pure: two Snapshots in, the head Snapshot out, in which each such model or contract keeps its base identity. A base
manifest does not load at head when head has an MG001 or MG009 finding on its file (the base manifest's path) or on
its subject (``model:NAME``, ``contract:NAME``: the loader names it when the kind and name were readable, e.g. a
file renamed out of the globs) and head has no valid manifest of that kind and name.

The carried manifest goes into ``head.models`` / ``head.contracts`` (and so into the head graph): impact, approvals,
the checklist, the plan and the sunsets read the base identity, and a rule judged on the graph (MG003, MG005,
MG201, …) finds at head what it found at base, which is preexisting. It does *not* go into ``head.manifests``:
that list is the files that load at head, the one the per-file rules (MG002, MG007, MG008) and the change
detection (by path and bytes) read. The base text of a file that does not load at head is not judged again under
head's CODEOWNERS or next to head's files; its MG001 already fails the check.

``head.unknown`` records each carried subject and why: the head finding, always an error of MG001. When the head
finding is MG009 (a warning: the file is no longer reached by the globs), an MG001 error is added at head on that
file, so a check never passes on a manifest that went missing that way. A base manifest whose file is still there
at head, loads nothing and has no finding (the loader took it for another tool's file: re-encoded as UTF-16, an
apiVersion that is a list, ``mode1gate/v1``) gets an MG001 of its own here: deleting the file is how a manifest
is removed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.manifests.models import API_VERSION
from bot.manifests.parse import mg001
from bot.manifests.snapshot import ManifestFile, Snapshot
from bot.result import Finding

NOT_LOADED = ("MG001", "MG009")


def carry_unknown(base: Snapshot, head: Snapshot) -> Snapshot:
    """``head``, with each base manifest that does not load at head kept under its base identity (module doc)."""
    # an MG001 of a file or subject wins over its MG009 (it is already the error)
    failed = sorted((f for f in head.findings if f.rule in NOT_LOADED and f.file is not None),
                    key=lambda f: f.rule != "MG009")
    loaded = {m.path for m in head.manifests}
    if not failed and all(m.path in loaded or m.path not in head.paths
                          for m in [*base.models.values(), *base.contracts.values()]):
        return head
    by_file = {f.file: f for f in failed}
    by_subject = {f.subject: f for f in failed if f.subject}
    models, contracts = dict(head.models), dict(head.contracts)
    schemas, schema_files = dict(head.schemas), dict(head.schema_files)
    findings = list(head.findings)
    unknown = dict(head.unknown)
    for manifest in [*base.models.values(), *base.contracts.values()]:
        index = models if manifest.kind == "Model" else contracts
        if manifest.name in index:
            continue  # it loads at head (from this file or another): judged as it is
        cause = by_file.get(manifest.path) or by_subject.get(manifest.subject)
        if cause is None and manifest.path in head.paths and manifest.path not in loaded:
            cause = _still_there(manifest)  # e.g. re-encoded, or an apiVersion no longer a string
            findings.append(cause)
        if cause is None:
            continue  # gone from head without a word: a removal
        if cause.rule != "MG001":
            cause = _as_error(cause, manifest)
            findings.append(cause)
        index[manifest.name] = manifest
        unknown[manifest.subject] = cause
        if manifest.kind == "Contract":
            _carry_schemas(manifest, base, schemas, schema_files)
    if not unknown:
        return head
    return dataclasses.replace(head, findings=findings, schemas=schemas, schema_files=schema_files,
                               models=models, contracts=contracts, unknown=unknown)


def _as_error(cause: Finding, manifest: ManifestFile) -> Finding:
    """The MG001 error of a base manifest whose file ``cause`` (MG009) says the globs no longer load."""
    assert cause.file is not None
    return mg001(cause.file, cause.line,
                 f"{manifest.kind.lower()} {manifest.name!r} loaded at base from {manifest.path} and does not load "
                 f"at head ({cause.rule}: {cause.message})", manifest.subject)


def _still_there(manifest: ManifestFile) -> Finding:
    """The MG001 of a base manifest whose file is still at head but no longer reads as a manifest at all (the
    loader took it for another tool's file: not UTF-8, say, or an apiVersion that is no string)."""
    return mg001(manifest.path, 1,
                 f"{manifest.kind.lower()} {manifest.name!r} loaded at base from {manifest.path}; the file is still "
                 f"there at head but no longer reads as a modelgate manifest (UTF-8 text with apiVersion: "
                 f"{API_VERSION} and kind: {manifest.kind}), so it is unknown, never removed", manifest.subject)


def _carry_schemas(manifest: ManifestFile, base: Snapshot, schemas: dict[tuple[str, int], Any],
                   schema_files: dict[tuple[str, int], str]) -> None:
    for key, schema in base.schemas.items():
        if key[0] == manifest.name:
            schemas[key] = schema
    for key, path in base.schema_files.items():
        if key[0] == manifest.name:
            schema_files[key] = path
