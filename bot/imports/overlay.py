"""The overlay of an import: what the source does not know, written once by the team, merged into every run's output.

The file (``DIR/modelgate-overlay.yaml``, or ``--overlay FILE``) holds two sections, each a mapping from a
manifest's name to part of its document::

    models:
      orders: {metadata: {owners: ["@acme/analytics"], tier: critical}}
    contracts:
      customers:
        spec:
          versions:
            1: {deprecation: {announced: 2026-09-01, migration: docs/migrations/customers-v2.md}}

:func:`apply` deep-merges each entry into the generated document of that name: mappings merge key by key, scalars
and lists replace what the import wrote, and a contract's ``spec.versions`` is addressed by version number. An
entry naming nothing the import produces is an error at its line, and so is an overlay that makes a document the
manifest models reject: every merged document is validated before anything is written. The overlay has no
``apiVersion``, so the manifest loader does not take it for a manifest.

Pure: the shell reads the file and hands over its bytes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from bot.errors import DomainError
from bot.imports.model import IMPORTED_FROM, Generated, manifest_name
from bot.manifests.models import KINDS
from bot.manifests.parse import _explain, _where
from bot.manifests.yamlread import Path, YamlError, decode, read_yaml

OVERLAY_FILE = "modelgate-overlay.yaml"  # the overlay's default place, in the import's --out DIR
SECTIONS = {"models": "Model", "contracts": "Contract"}  # the overlay's sections and the kind each addresses
SECTION_OF = {kind: section for section, kind in SECTIONS.items()}
VERSION_KEY = re.compile(r"[1-9][0-9]*")  # a version's key: its number as written canonically (no zero, sign, pad)
ENTRY_KEYS = ("metadata", "spec")  # what an entry may change: a manifest's name, kind and apiVersion are the import's


class OverlayError(DomainError):
    """An overlay that cannot be applied: ``FILE:LINE: message``."""

    def __init__(self, file: str, line: int, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line}: {message}")


@dataclass(frozen=True)
class Overlay:
    """An overlay as read: ``entries`` by (kind, name), and the line of every path of the file."""

    path: str
    entries: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, *path: str | int) -> int:
        """The line of the deepest part of ``path`` the file has (1 for the file)."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return 1

    def error(self, message: str, *path: str | int) -> OverlayError:
        return OverlayError(self.path, self.line(*path), message)


def read_overlay(path: str, data: bytes | None) -> Overlay:
    """The overlay in ``data`` (None: there is none), read with the bounded YAML reader; OverlayError when it is not
    one (the file and the line)."""
    if data is None:
        return Overlay(path)
    try:
        document, lines = read_yaml(decode(data), want_lines=True, keys_as_written=True)
    except YamlError as exc:
        raise OverlayError(path, exc.line or 1, exc.message) from exc
    overlay = Overlay(path, {}, lines)
    if document is None:
        return overlay
    if not isinstance(document, dict):
        raise overlay.error("an overlay is a mapping with the sections 'models' and 'contracts'")
    for section, entries in document.items():
        if section not in SECTIONS:
            raise overlay.error(f"unknown section {section!r}: the overlay has 'models' and 'contracts'", section)
        if entries is None:
            continue
        if not isinstance(entries, dict):
            raise overlay.error(f"{section}: a mapping from a manifest's name to what to add to it", section)
        for name, entry in entries.items():
            if not isinstance(entry, dict):
                raise overlay.error(f"{section}.{name}: a mapping of what to add (metadata, spec)", section, name)
            for key in entry:
                if key not in ENTRY_KEYS:
                    raise overlay.error(f"{section}.{name}: the overlay may add to metadata and spec, not {key!r}",
                                        section, name, key)
            metadata = entry.get("metadata") or {}
            if "name" in metadata:
                raise overlay.error(f"{section}.{name}: metadata.name is the import's; the entry's key names the "
                                    "manifest", section, name, "metadata", "name")
            labels = metadata.get("labels", {}) if isinstance(metadata, dict) else {}
            if "labels" in metadata and (not isinstance(labels, dict) or IMPORTED_FROM in labels):
                raise overlay.error(f"{section}.{name}: the label {IMPORTED_FROM} is the import's (it says which tool "
                                    "wrote the file); the overlay may add other labels", section, name, "metadata",
                                    "labels")
            overlay.entries[(SECTIONS[section], name)] = entry
    return overlay


def merge(base: Any, over: Any) -> Any:
    """``over`` deep-merged into ``base``: mappings key by key (new keys last), anything else replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    return over


def _did_you_mean(name: str, names: list[str]) -> str:
    """The generated name the entry most likely means: the source's own name as the import maps it (``stg_orders``
    is ``stg-orders``), else a close one; '' when none is close."""
    mapped = manifest_name(str(name))
    if mapped in names:
        return f"; the import names it {mapped!r} (names are mapped: lower-case, '_' and '.' as '-')"
    close = difflib.get_close_matches(str(name), names, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def apply(overlay: Overlay, files: Sequence[Generated]) -> tuple[Generated, ...]:
    """``files`` (each a valid manifest: ``bot.imports.output.check``) with the overlay merged in.

    OverlayError, at the overlay's line: an entry or a version the import does not produce, an overlay that makes an
    invalid manifest (each merged document is validated by the manifest models)."""
    by_name = {_key(f.document): f for f in files}
    for kind, name in overlay.entries:
        if (kind, name) not in by_name:
            section = SECTION_OF[kind]
            raise overlay.error(f"{section}.{name}: the import produces no {kind.lower()} {name!r}"
                                f"{_did_you_mean(name, [n for k, n in by_name if k == kind])}", section, name)
    merged = []
    for generated in files:
        entry = overlay.entries.get(_key(generated.document))
        if entry is None:
            merged.append(generated)
            continue
        result = replace(generated, document=_merged(overlay, generated.document, entry))
        _validate(result, overlay)
        merged.append(result)
    return tuple(merged)


def _key(document: dict[str, Any]) -> tuple[str, str]:
    return document["kind"], document["metadata"]["name"]


def _merged(overlay: Overlay, document: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """One document with its overlay entry merged in; a contract's versions by number."""
    kind, name = document["kind"], document["metadata"]["name"]
    section = SECTION_OF[kind]
    spec = entry.get("spec")
    if kind != "Contract" or not isinstance(spec, dict) or spec.get("versions") is None:
        return dict(merge(document, entry))
    versions = spec["versions"]
    where = (section, name, "spec", "versions")
    if not isinstance(versions, dict):
        raise overlay.error(f"{section}.{name}.spec.versions: address versions by number, e.g. "
                            "versions: {1: {deprecation: {...}}}", *where)
    rest = {**entry, "spec": {k: v for k, v in spec.items() if k != "versions"}}
    result: dict[str, Any] = merge(document, rest)
    listed = list(result["spec"].get("versions") or [])
    index: dict[int, int] = {v["version"]: i for i, v in enumerate(listed)}  # valid: every version has its number
    for number, change in versions.items():
        if not VERSION_KEY.fullmatch(str(number)):
            raise overlay.error(f"{section}.{name}.spec.versions: {str(number)!r} is not a version number: write "
                                "a positive integer without a sign or a leading zero, e.g. 1", *where, number)
        if int(number) not in index:
            raise overlay.error(f"{section}.{name}: the import produces no version {number} of contract {name!r}"
                                f" (it has {', '.join(map(str, sorted(index))) or 'none'})", *where, number)
        if not isinstance(change, dict):
            raise overlay.error(f"{section}.{name}.spec.versions.{number}: a mapping of what to add to the version",
                                *where, number)
        if "version" in change:
            raise overlay.error(f"{section}.{name}.spec.versions.{number}: the version's number is its key",
                                *where, number, "version")
        at = index[int(number)]
        listed[at] = merge(listed[at], change)
    result["spec"] = {**result["spec"], "versions": listed}
    return result


def _overlay_path(document: dict[str, Any], path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """A path into a merged document as the overlay writes it: a contract version's index as its number."""
    if len(path) > 2 and path[:2] == ("spec", "versions") and isinstance(path[2], int):
        versions = document.get("spec", {}).get("versions") or []
        if 0 <= path[2] < len(versions) and isinstance(versions[path[2]], dict):
            return (*path[:2], str(versions[path[2]].get("version")), *path[3:])
    return path


def _validate(generated: Generated, overlay: Overlay) -> None:
    document = generated.document
    model = KINDS[document["kind"]]
    try:
        model.model_validate(document)
    except ValidationError as exc:
        err = exc.errors()[0]
        section, name = SECTION_OF[document["kind"]], document["metadata"]["name"]
        raise overlay.error(f"{section}.{name}: with the overlay, {generated.path} is not a valid manifest: "
                            f"{_explain(err, model)}", section, name, *_overlay_path(document, _where(err))) from exc
