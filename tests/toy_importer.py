"""A small real importer for the tests of the import framework: JSON files describing contracts and models.

The real importers (dbt, MLflow, ODCS) live in ``bot.imports``; the framework's tests register this one as the
tool ``toy`` (``bot.commands.import_.TOOLS``) so that they exercise rendering, the overlay and ``--check`` with an
importer whose output they can steer. A source file::

    {"contracts": {"orders": {"versions": {"1": {"id": "integer"}}, "sunset": {"1": "2027-01-01"}}},
     "models": {"shop": {"consumes": ["orders@1"], "file": "models/shop.sql"}}}

``path`` (in an entry) overrides the file it is written to, so a test can make an importer misbehave.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from bot.imports.model import Generated, ImportContext, Imported, Notice, SourceFile, SourceInvalid

TOOL = "toy"


def build(sources: Sequence[SourceFile], context: ImportContext) -> Imported:
    files: list[Generated] = []
    notices: list[Notice] = []
    for source in sources:
        try:
            data = json.loads(source.data)
        except json.JSONDecodeError as exc:
            raise SourceInvalid(source.path, f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
        for name, entry in sorted((data.get("contracts") or {}).items()):
            files.append(Generated(entry.get("path", f"contracts/{name}.yaml"), _contract(name, entry),
                                   f"{source.path}:contracts.{name}"))
        for name, entry in sorted((data.get("models") or {}).items()):
            owners = context.owners_for(f"{context.base_dir}/{entry['file']}".lstrip("/")) if "file" in entry else ()
            if not owners:
                notices.append(Notice(f"model {name} has no owner; add one in the overlay", source.path,
                                      f"/models/{name}"))
            files.append(Generated(entry.get("path", f"models/{name}.yaml"), _model(name, entry, owners),
                                   f"{source.path}:models.{name}"))
    return Imported(TOOL, tuple(files), tuple(notices))


def _contract(name: str, entry: dict[str, Any]) -> dict[str, Any]:
    versions = []
    for number, columns in sorted(entry["versions"].items(), key=lambda item: int(item[0])):
        version: dict[str, Any] = {"version": int(number)}
        sunset = (entry.get("sunset") or {}).get(number)
        if sunset:
            version["status"] = "deprecated"
            version["deprecation"] = {"sunset": dt.date.fromisoformat(sunset)}
        version["schema"] = {"type": "object", "properties": {c: {"type": t} for c, t in columns.items()},
                             "required": list(columns)}
        versions.append(version)
    metadata: dict[str, Any] = {"name": name, "description": entry.get("description", f"{name}, imported")}
    return {"apiVersion": "modelgate/v1", "kind": "Contract", "metadata": metadata,
            "spec": {"compatibility": "forward", "versions": versions}}


def _model(name: str, entry: dict[str, Any], owners: tuple[str, ...]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if owners:
        metadata["owners"] = list(owners)
    consumes = []
    for ref in entry.get("consumes", []):
        contract, _, version = ref.partition("@")
        consumes.append({"contract": contract, "version": int(version)})
    return {"apiVersion": "modelgate/v1", "kind": "Model", "metadata": metadata,
            "spec": {"version": entry.get("version", "1.0.0"), "consumes": consumes}}
