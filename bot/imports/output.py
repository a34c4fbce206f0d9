"""What an importer hands back, checked before anything is merged or written.

An importer's defect must never write outside ``--out DIR`` nor leave a manifest that does not load: every
generated path is a plain relative ``.yaml`` path (no ``..``, no absolute path, no backslash), no two files share
a path or a (kind, name), and every document is a valid manifest. A failure is :class:`ImportBroken`, one line
naming what in the source the document came from. The documents are returned with the label that says which
tool they were imported from (``metadata.labels``), whether or not the importer set it.
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import ValidationError

from bot.errors import DomainError
from bot.imports.model import Generated, Imported
from bot.imports.render import labelled
from bot.imports.sync import unsafe
from bot.manifests.models import KINDS
from bot.manifests.parse import _explain


class ImportBroken(DomainError):
    """An importer produced something an import cannot write (a defect of the importer, not of its input)."""


def checked(imported: Imported, reserved: frozenset[str] = frozenset()) -> tuple[Generated, ...]:
    """The files of ``imported``, labelled, once each is known safe to write and valid; ``reserved``: paths in DIR
    that are not the import's to write (the overlay)."""
    files: list[Generated] = []
    paths: dict[str, str] = {}
    names: dict[tuple[str, str], str] = {}
    for generated in imported.files:
        where = f"the {imported.tool} import of {generated.origin}"
        problem = unsafe(generated.path)
        if problem is not None:
            raise ImportBroken(f"{where}: refusing to write {generated.path!r}: {problem}")
        if generated.path in reserved:
            raise ImportBroken(f"{where}: refusing to write {generated.path!r}: it is the overlay")
        if generated.path in paths:
            raise ImportBroken(f"{where}: {generated.path} is also made from {paths[generated.path]}")
        paths[generated.path] = generated.origin
        kind = generated.document.get("kind")
        model = KINDS.get(kind) if isinstance(kind, str) else None
        if model is None or not isinstance(kind, str):
            raise ImportBroken(f"{where}: {generated.path} is of kind {kind!r}, not Model or Contract")
        document = labelled(generated.document, imported.tool)
        try:
            model.model_validate(document)
        except ValidationError as exc:
            raise ImportBroken(f"{where}: {generated.path} is not a valid manifest: "
                               f"{_explain(exc.errors()[0], model)}") from exc
        key: tuple[str, str] = (kind, document["metadata"]["name"])
        if key in names:
            raise ImportBroken(f"{where}: {kind.lower()} {key[1]!r} is also made from {names[key]}")
        names[key] = generated.origin
        files.append(replace(generated, document=document))
    return tuple(files)
