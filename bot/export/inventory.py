"""What every export reads from one state: its models and its contract versions, as plain sorted values.

Owners are the usable ones (``bot.owners.owners_of``: the manifest's, else CODEOWNERS'). A model that refers to a
contract version no contract defines (MG003) keeps the reference; ``notes`` says so, and says which versions'
schemas could not be read, so that the command can warn instead of exporting less in silence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.graph import contract_node, model_node
from bot.manifests.codec import plain
from bot.manifests.models import Contract, Model
from bot.manifests.snapshot import Snapshot
from bot.owners import owners_of

Ref = tuple[str, int]  # (contract, version)


@dataclass(frozen=True)
class Version:
    """One contract version, with what its contract says of all its versions."""

    contract: str
    version: int
    status: str  # active | deprecated | retired
    stability: str  # alpha | beta | stable
    schema: Any  # the JSON Schema (inline or from schema_ref) as JSON data; None when it could not be read
    description: str | None
    owners: tuple[str, ...]
    file: str
    sunset: dt.date | None = None
    replacement: int | None = None

    @property
    def ref(self) -> Ref:
        return (self.contract, self.version)

    @property
    def subject(self) -> str:
        return contract_node(self.contract, self.version)


@dataclass(frozen=True)
class ModelEntry:
    """One model: its metadata and the contract versions it consumes and provides (sorted, distinct)."""

    name: str
    version: str
    tier: str
    description: str | None
    owners: tuple[str, ...]
    file: str
    consumes: tuple[Ref, ...]
    provides: tuple[Ref, ...]

    @property
    def subject(self) -> str:
        return model_node(self.name)


@dataclass(frozen=True)
class Inventory:
    models: tuple[ModelEntry, ...]  # by name
    versions: dict[Ref, Version]  # by (contract, version)
    notes: tuple[str, ...]  # what the exports cannot say in full, one sentence each


def inventory(snapshot: Snapshot) -> Inventory:
    """The models and contract versions of ``snapshot`` (the first file of a duplicated name, as everywhere)."""
    versions: dict[Ref, Version] = {}
    notes: list[str] = []
    for name in sorted(snapshot.contracts):
        manifest = snapshot.contracts[name]
        contract = manifest.doc
        assert isinstance(contract, Contract)
        owners = owners_of(manifest, snapshot)
        for item in sorted(contract.spec.versions, key=lambda v: v.version):
            schema = plain(snapshot.schema(name, item.version))  # JSON data: a date in it is its ISO text
            deprecation = item.deprecation
            versions[(name, item.version)] = Version(
                name, item.version, item.status, item.stability, schema, contract.metadata.description, owners,
                manifest.path, deprecation.sunset if deprecation else None,
                deprecation.replacement if deprecation else None)
            if schema is None:
                notes.append(f"the schema of {name}@{item.version} ({manifest.path}) could not be read; it is "
                             "exported without one (run modelgate lint)")
    models: list[ModelEntry] = []
    for name in sorted(snapshot.models):
        manifest = snapshot.models[name]
        model = manifest.doc
        assert isinstance(model, Model)
        consumes = tuple(sorted({(c.contract, c.version) for c in model.spec.consumes}))
        provides = tuple(sorted({(p.contract, p.version) for p in model.spec.provides}))
        for contract_name, number in sorted({*consumes, *provides}):
            if (contract_name, number) not in versions:
                notes.append(f"model {name} ({manifest.path}) refers to {contract_name}@{number}, which no contract "
                             "defines; it is exported as a bare reference (run modelgate lint)")
        models.append(ModelEntry(name, model.spec.version, model.metadata.tier, model.metadata.description,
                                 owners_of(manifest, snapshot), manifest.path, consumes, provides))
    for manifest in snapshot.manifests:  # a name given twice (MG002): the first file stands, the others are said
        chosen = (snapshot.models if manifest.kind == "Model" else snapshot.contracts).get(manifest.name)
        if chosen is not None and chosen is not manifest:
            notes.append(f"{manifest.path} names the {manifest.kind.lower()} {manifest.name} that {chosen.path} "
                         "names too (MG002): only the first is exported (run modelgate lint)")
    return Inventory(tuple(models), versions, tuple(notes))
