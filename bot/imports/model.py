"""The values every importer shares: what it reads (:class:`SourceFile`, :class:`ImportContext`) and what it
produces (:class:`Imported`: generated manifest documents and notices), and its one error (:class:`SourceInvalid`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from bot.errors import DomainError

IMPORTED_FROM: Final = "modelgate.dev/imported-from"  # the label of every imported manifest: the tool it came from


def manifest_name(text: str) -> str:
    """A source's name as a manifest name: lower-case, ``_``, ``.`` and white space as ``-``, other characters
    dropped, no leading ``-``, at most 63 characters (``Churn_Model.v2`` -> ``churn-model-v2``); '' when nothing is
    left (the importer then says so)."""
    kept = re.sub(r"[^a-z0-9-]", "", re.sub(r"[_.\s]", "-", text.lower()))
    return kept.lstrip("-")[:63]


@dataclass(frozen=True)
class SourceFile:
    """One input file of an import, as the shell read it: ``path`` as the user named it (for messages and the
    header), ``data`` its bytes."""

    path: str
    data: bytes


@dataclass(frozen=True)
class ImportContext:
    """What an importer may ask of the world, passed in by the shell.

    ``owners_for``: the CODEOWNERS owners of a repository-relative path (empty when no rule or no CODEOWNERS).
    ``base_dir``: the repository-relative directory ('/'-separated, '' for the root) that the paths inside the
    source are relative to (dbt: the project directory, the parent of ``target/``), so that
    ``owners_for(base_dir + "/" + path)`` asks CODEOWNERS about a model's own file.
    ``include_packages``: dbt only: import the models of installed packages too.
    """

    owners_for: Callable[[str], tuple[str, ...]] = lambda _path: ()
    base_dir: str = ""
    include_packages: bool = False


@dataclass(frozen=True)
class Generated:
    """One manifest an import writes: ``path`` relative to ``--out DIR`` ('/'-separated, e.g.
    ``contracts/orders.yaml``), ``document`` the whole Model or Contract document (``apiVersion: modelgate/v1``),
    ``origin`` what in the source it came from (``model.shop.orders``, ``MLmodel:models/churn``), for messages."""

    path: str
    document: dict[str, Any]
    origin: str


@dataclass(frozen=True)
class Notice:
    """A line the user should read: something the source does not say and the overlay can (an owner, a migration
    guide), or something left out on purpose. ``pointer``: the JSON pointer in the source, where there is one."""

    message: str
    source: str
    pointer: str | None = None
    # What the overlay can say to make the notice moot: (kind, manifest name, path in its document) each; when every
    # one has a value once the overlay is merged (:func:`settled`), the notice is not printed.
    settled_by: tuple[tuple[str, str, tuple[str | int, ...]], ...] = ()


def settled(notice: Notice, documents: Sequence[dict[str, Any]]) -> bool:
    """Whether the documents (overlay merged) hold a value at every place of ``notice.settled_by``; a version
    number in a path addresses ``spec.versions`` by its ``version``, as the overlay does."""
    if not notice.settled_by:
        return False
    by_name = {(d.get("kind"), (d.get("metadata") or {}).get("name")): d for d in documents}
    for kind, name, path in notice.settled_by:
        here: Any = by_name.get((kind, name))
        for key in path:
            if isinstance(key, int) and isinstance(here, list):
                here = next((v for v in here if isinstance(v, dict) and v.get("version") == key), None)
            else:
                here = here.get(key) if isinstance(here, dict) else None
        if here is None or here == []:
            return False
    return True


@dataclass(frozen=True)
class Imported:
    """What one import produces: ``tool`` (``dbt``, ``mlflow``, ``odcs``), the files, in a stable order, and the
    notices."""

    tool: str
    files: tuple[Generated, ...]
    notices: tuple[Notice, ...] = field(default=())


class SourceInvalid(DomainError):
    """A source file an importer cannot read: the file, the JSON pointer where there is one, and what is wrong.

    ``str()`` is the one line the CLI prints: ``FILE[#POINTER]: MESSAGE``.
    """

    def __init__(self, source: str, message: str, pointer: str | None = None) -> None:
        self.source = source
        self.pointer = pointer
        self.message = message
        super().__init__(f"{source}{'#' + pointer if pointer else ''}: {message}")
