"""Backstage: catalog-info entities, a ``Component`` per model and an ``API`` per contract version.

- A model is a Component of ``spec.type: ml-model``, ``lifecycle: experimental`` for the ``experimental`` tier and
  ``production`` otherwise, with ``providesApis``/``consumesApis`` naming the APIs of the versions it provides and
  consumes.
- A contract version is an API named ``CONTRACT-vVERSION`` of ``spec.type: jsonschema`` whose ``definition`` is its
  JSON Schema (as JSON text); ``lifecycle`` is ``deprecated`` for a deprecated or retired version, else
  ``production`` when it is ``stable`` and ``experimental`` when ``alpha`` or ``beta``.
- ``spec.owner`` is the first owner: ``@org/team`` is ``group:team`` and ``@login`` is ``user:login`` (the names
  Backstage's GitHub organisation ingestion gives teams and users, in the default namespace); every owner is
  listed in the ``modelgate/owners`` annotation. An entity without owners gets ``group:unowned``. Teams of two
  organisations with one slug are one group there: ``owner_notes`` says so, for the command to warn.
- Names follow the stricter form of Backstage's rules (``[a-zA-Z0-9]`` runs joined by single ``-``, ``_`` or
  ``.``, at most 63 characters; Backstage itself also accepts two separators in a row). A name that breaks them
  (too long, two separators in a row, a separator at an end) is cleaned and ends with ``-`` and eight hex digits
  of the SHA-256 of the original, so two originals never share a name by being cleaned alike; a name that is
  valid is kept as it is. Two entities of one kind left with one name all the
  same is an error (``NameClash``), never an entity silently replaced.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Final

import yaml

from bot.errors import DomainError
from bot.export.inventory import Inventory, ModelEntry, Ref, Version
from bot.owners import parse as parse_owner

API_VERSION: Final = "backstage.io/v1alpha1"
NAME_RE: Final = re.compile(r"[a-zA-Z0-9](?:[-_.]?[a-zA-Z0-9])*\Z")
MAX_NAME: Final = 63
UNOWNED: Final = "group:unowned"
ANNOTATION: Final = "modelgate"  # the prefix of the annotations and labels modelgate writes


class NameClash(DomainError):
    """Two different originals would be one Backstage entity."""


def is_name(text: str) -> bool:
    """Whether ``text`` is a valid Backstage entity name."""
    return len(text) <= MAX_NAME and NAME_RE.match(text) is not None


def entity_name(original: str) -> str:
    """``original`` as a Backstage entity name: as it is when valid, else cleaned and hashed (module docstring)."""
    if is_name(original):
        return original
    digest = hashlib.sha256(original.encode("utf-8")).hexdigest()[:8]
    cleaned = re.sub(r"[^a-zA-Z0-9]+", "-", original).strip("-")[:MAX_NAME - len(digest) - 1].rstrip("-")
    return f"{cleaned}-{digest}" if cleaned else digest


def owner_ref(owner: str) -> str:
    """A GitHub owner as a Backstage entity reference: ``@org/team`` is ``group:team``, ``@login`` ``user:login``."""
    handle = parse_owner(owner)
    return f"{'group' if handle.is_team else 'user'}:{entity_name(handle.name)}"


def owner_notes(inv: Inventory) -> list[str]:
    """One note per Backstage owner reference that teams of more than one organisation share (``@a/ml`` and
    ``@b/ml`` are both ``group:ml``): the catalog cannot tell them apart, so the export says so."""
    teams: dict[str, set[str]] = {}
    everyone = [model.owners for model in inv.models] + [version.owners for version in inv.versions.values()]
    firsts = [found[0] for found in everyone if found]
    for owner in firsts:  # spec.owner is the first owner
        teams.setdefault(owner_ref(owner), set()).add(owner.lower())
    return [f"the owners {', '.join(sorted(found))} are all the Backstage owner {ref}: teams of different "
            "organisations with one slug are one group in the default namespace"
            for ref, found in sorted(teams.items()) if len(found) > 1]


def api_name(ref: Ref) -> str:
    return entity_name(f"{ref[0]}-v{ref[1]}")


def entities(inv: Inventory) -> list[dict[str, Any]]:
    """The Components (by model name), then the APIs (by contract and version); ``owner_notes`` says what the
    owner references cannot tell apart."""
    refs = sorted({*inv.versions, *(ref for model in inv.models for ref in (*model.consumes, *model.provides))})
    check_distinct("Component", {model.name: entity_name(model.name) for model in inv.models})
    check_distinct("API", {f"{c}@{v}": api_name((c, v)) for c, v in refs})
    return ([_component(model) for model in inv.models]
            + [_api(inv.versions[ref]) for ref in sorted(inv.versions)])


def check_distinct(kind: str, names: dict[str, str]) -> None:
    seen: dict[str, str] = {}
    for original, name in sorted(names.items()):
        other = seen.setdefault(name, original)
        if other != original:
            raise NameClash(f"{kind} {other!r} and {kind} {original!r} would both be the Backstage entity {name!r}; "
                            "rename one of them")


def _owner(owners: tuple[str, ...]) -> str:
    return owner_ref(owners[0]) if owners else UNOWNED


def _metadata(name: str, description: str | None, annotations: dict[str, str],
              labels: dict[str, str] | None = None, title: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if title:
        meta["title"] = title
    if description:
        meta["description"] = description
    if labels:
        meta["labels"] = labels
    meta["annotations"] = annotations
    return meta


def _annotations(file: str, owners: tuple[str, ...], **extra: str) -> dict[str, str]:
    found = {f"{ANNOTATION}/manifest": file}
    if owners:
        found[f"{ANNOTATION}/owners"] = " ".join(owners)
    found.update({f"{ANNOTATION}/{key}": value for key, value in extra.items()})
    return found


def _component(model: ModelEntry) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": "ml-model",
        "lifecycle": "experimental" if model.tier == "experimental" else "production",
        "owner": _owner(model.owners),
    }
    if model.provides:
        spec["providesApis"] = [f"api:{api_name(ref)}" for ref in model.provides]
    if model.consumes:
        spec["consumesApis"] = [f"api:{api_name(ref)}" for ref in model.consumes]
    return {
        "apiVersion": API_VERSION,
        "kind": "Component",
        "metadata": _metadata(entity_name(model.name), model.description,
                              _annotations(model.file, model.owners, subject=model.subject, version=model.version),
                              labels={f"{ANNOTATION}/tier": model.tier}),
        "spec": spec,
    }


def lifecycle(version: Version) -> str:
    if version.status != "active":
        return "deprecated"
    return "production" if version.stability == "stable" else "experimental"


def _api(version: Version) -> dict[str, Any]:
    extra = {"subject": version.subject, "status": version.status, "stability": version.stability}
    if version.sunset is not None:
        extra["sunset"] = version.sunset.isoformat()
    if version.replacement is not None:
        extra["replacement"] = f"{version.contract}@{version.replacement}"
    if version.schema is None:
        definition = json.dumps({"$comment": f"modelgate could not read the schema of {version.contract}@"
                                             f"{version.version}: run modelgate lint"})
    else:
        definition = Block(json.dumps(version.schema, indent=2, ensure_ascii=False) + "\n")
    return {
        "apiVersion": API_VERSION,
        "kind": "API",
        "metadata": _metadata(api_name(version.ref), version.description,
                              _annotations(version.file, version.owners, **extra),
                              title=f"{version.contract}@{version.version}"),
        "spec": {
            "type": "jsonschema",
            "lifecycle": lifecycle(version),
            "owner": _owner(version.owners),
            "definition": definition,
        },
    }


class Block(str):
    """Text written as a YAML literal block (``|``) where YAML allows it: a definition stays readable JSON."""

    __slots__ = ()


class _Dumper(yaml.CSafeDumper):
    """libyaml's safe dumper (the pure-Python one takes ten times as long at 10,000 entities), with ``Block``."""


def _block(dumper: _Dumper, text: Block) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(text), style="|")  # libyaml takes a plain str only


_Dumper.add_representer(Block, _block)


def to_yaml(all_entities: list[dict[str, Any]]) -> str:
    """One catalog-info.yaml: the entities as YAML documents, each starting with ``---``."""
    return yaml.dump_all(all_entities, Dumper=_Dumper, sort_keys=False, allow_unicode=True, explicit_start=True,
                         width=120)
