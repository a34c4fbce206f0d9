"""``modelgate import dbt``: a dbt ``manifest.json`` (schema v9 to v12) into Models and Contracts. Pure.

What becomes what (docs/importing.md says it for users):

- every model of the root project (``metadata.project_name``; with ``include_packages``, of every package) is a
  Model named after the dbt model, ``spec.version`` ``<latest_version>.0.0`` (``1.0.0`` unversioned), providing
  the versions of its contract; an exposure of ``type: ml`` is a Model too; other exposure types are noticed;
- a model that an imported model or an exposure depends on, or whose contract is enforced, or that is
  ``access: public``, provides a Contract of the same name; each dbt model version is a contract version (an
  unversioned model: version 1); ``deprecation_date`` makes it ``deprecated`` with that ``sunset``, replaced by
  ``latest_version``;
- a version's schema is an object whose properties are the declared columns, every one required; a column's
  JSON type comes from its ``data_type`` (:mod:`bot.imports.sqltypes`), kept as ``x-sql-type``; ``null`` is allowed
  unless a ``not_null`` constraint or test says otherwise; constraints are kept in ``x-sql-constraints``, each
  marked ``enforced`` when the database enforces it (the contract is enforced, the materialization is ``table`` or
  ``incremental``, and the adapter enforces that type); a version whose contract is not enforced says so with
  ``x-dbt-contract-enforced: false``;
- ``depends_on.nodes`` are the consumes (dbt resolved each ref, a pinned one to its version, an unpinned one to
  the latest); dbt records no column-level lineage, so no ``fields`` are written;
- owners: GitHub handles from the model's ``meta`` (``owners``, ``owner``, ``github``), else its group's
  ``owner`` (``github``, ``owners``, ``owner``, ``name`` when each is a handle), else CODEOWNERS of the model's
  file (``ImportContext.owners_for``), else a notice.

Bad input is one :class:`~bot.imports.model.SourceInvalid` with the JSON pointer of the value; the work is linear
in the manifest's size (every lookup is a dict built once).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from bot.compat.refs import fragment
from bot.compat.sqltypes import CONTRACT_ENFORCED, SQL_CONSTRAINTS, SQL_TYPE
from bot.imports.model import (
    IMPORTED_FROM,
    Generated,
    ImportContext,
    Imported,
    Notice,
    SourceFile,
    SourceInvalid,
    manifest_name,
)
from bot.imports.sqltypes import json_schema_of
from bot.owners import OWNER_RE

TOOL: Final = "dbt"
SUPPORTED: Final = range(9, 13)  # manifest schema v9..v12
ML_EXPOSURE: Final = "ml"
OWNER_META_KEYS: Final = ("owners", "owner", "github")  # a model's (or an exposure's) meta
GROUP_OWNER_KEYS: Final = ("github", "owners", "owner", "name")  # a group's owner
# Materializations whose constraints dbt applies (and compares: ``materialization_enforces_constraints``).
CONSTRAINING_MATERIALIZATIONS: Final = frozenset({"table", "incremental"})
# The constraint types each adapter enforces (its ``CONSTRAINT_SUPPORT`` table: ``enforced`` entries), as
# dbt-adapters' base adapter and the adapters below declare them; any other adapter is read with the base table.
_BASE_ENFORCED: Final = frozenset({"not_null", "foreign_key"})
# Read in each adapter's source (its ``CONSTRAINT_SUPPORT``: dbt-duckdb 1.11, dbt-postgres 1.11, dbt-redshift 1.11,
# dbt-trino 1.11, dbt-spark 1.11, dbt-snowflake 1.12, dbt-bigquery 1.12, dbt-databricks 1.12).
ENFORCED_BY_ADAPTER: Final[Mapping[str, frozenset[str]]] = {
    "duckdb": frozenset({"check", "not_null", "unique", "primary_key", "foreign_key"}),
    "postgres": frozenset({"check", "not_null", "unique", "primary_key", "foreign_key"}),
    "redshift": frozenset({"not_null"}),
    "trino": frozenset({"not_null"}),
    "snowflake": frozenset({"not_null"}),
    "bigquery": frozenset({"not_null"}),
    "databricks": frozenset({"check", "not_null"}),
    "spark": frozenset(),  # dbt-spark: every constraint type is not enforced
}
_SCHEMA_VERSION: Final = re.compile(r"/v(\d+)\.json\Z")
_DAY: Final = re.compile(r"(\d{4}-\d{2}-\d{2})")


def build(sources: Sequence[SourceFile], context: ImportContext) -> Imported:
    """The Models and Contracts of one dbt ``manifest.json``, and the notices of what it leaves open."""
    if len(sources) != 1:
        raise SourceInvalid(", ".join(s.path for s in sources) or "(none)",
                            f"modelgate import dbt reads one manifest.json, not {len(sources)}")
    source = sources[0]
    reader = _Reader(source.path)
    document = reader.parse(source.data)
    return _Import(reader, document, context).run()


# ---- reading the JSON: every value through a typed accessor that knows its pointer ----

def pointer(*parts: str) -> str:
    """The RFC 6901 JSON pointer of ``parts``."""
    return fragment(parts).removeprefix("#")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


@dataclass(frozen=True)
class _Reader:
    path: str

    def fail(self, message: str, *parts: str) -> SourceInvalid:
        return SourceInvalid(self.path, message, pointer(*parts) if parts else None)

    def parse(self, data: bytes) -> dict[str, Any]:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise self.fail(f"not UTF-8 text (byte {exc.start}): a dbt manifest.json is JSON") from None
        if not text.strip():
            raise self.fail("the file is empty: run `dbt parse` to write target/manifest.json")
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise self.fail(f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
                            f"{' (the file looks truncated)' if exc.pos >= len(text.rstrip()) else ''}") from None
        except RecursionError:
            raise self.fail("not readable JSON: nested too deeply") from None
        return self.obj(document)

    def obj(self, value: Any, *parts: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"expected an object, found {_kind(value)}", *parts)
        return value

    def opt_obj(self, parent: Mapping[str, Any], key: str, *parts: str) -> dict[str, Any]:
        value = parent.get(key)
        return {} if value is None else self.obj(value, *parts, key)

    def opt_list(self, parent: Mapping[str, Any], key: str, *parts: str) -> list[Any]:
        value = parent.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(f"expected an array, found {_kind(value)}", *parts, key)
        return value

    def string(self, parent: Mapping[str, Any], key: str, *parts: str) -> str:
        value = parent.get(key)
        if not isinstance(value, str) or not value:
            raise self.fail(f"expected a non-empty string, found {_kind(value)}", *parts, key)
        return value

    def opt_string(self, parent: Mapping[str, Any], key: str, *parts: str) -> str | None:
        value = parent.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"expected a string, found {_kind(value)}", *parts, key)
        return value

    def strings(self, parent: Mapping[str, Any], key: str, *parts: str) -> list[str]:
        items = self.opt_list(parent, key, *parts)
        for index, item in enumerate(items):
            if not isinstance(item, str):
                raise self.fail(f"expected a string, found {_kind(item)}", *parts, key, str(index))
        return items


# ---- the facts of the manifest, read once ----

@dataclass
class _Column:
    name: str
    description: str
    data_type: str | None
    constraints: list[dict[str, Any]]


@dataclass
class _Node:
    """One dbt model node (one version of a model), its facts checked."""

    uid: str
    name: str
    package: str
    version: int | None
    latest: int | None
    enforced: bool
    materialized: str
    access: str | None
    group: str | None
    deprecation: dt.date | None
    description: str
    meta: dict[str, Any]
    path: str
    depends_on: list[str]
    columns: list[_Column]
    constraints: list[dict[str, Any]]


@dataclass
class _Exposure:
    uid: str
    name: str
    type: str
    owner: dict[str, Any]
    meta: dict[str, Any]
    path: str
    description: str
    depends_on: list[str]


@dataclass
class _Facts:
    project: str
    adapter: str | None
    models: dict[str, _Node] = field(default_factory=dict)  # by unique_id
    exposures: list[_Exposure] = field(default_factory=list)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # group name -> owner
    not_null: set[tuple[str, str]] = field(default_factory=set)  # (model unique_id, column name) by a test
    other_parents: int = 0  # depends_on entries that are not enabled models (sources, seeds, snapshots, …)
    unnumbered: list[Notice] = field(default_factory=list)  # model versions left out: no contract version number


class _Unnumbered(Exception):
    """A dbt model version that is no contract version (dbt allows any string or number: ``1.5``, ``0``, ``beta``)."""

    def __init__(self, value: Any, where: str) -> None:
        self.key = where
        super().__init__(f"{where} {value!r} is not a whole number of 1 or more, which a modelgate contract version "
                         "must be (name dbt model versions 1, 2, 3, …)")


def _version(value: Any, where: str = "version") -> int | None:
    """A dbt model version as a contract version (a whole number >= 1), ``None`` for an unversioned model; raises
    :class:`_Unnumbered` for a version dbt allows and a contract version cannot be."""
    if value is None:
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or number < 1:
        raise _Unnumbered(value, where)
    return number


def _day(reader: _Reader, value: Any, *parts: str) -> dt.date | None:
    if value is None:
        return None
    found = _DAY.match(value) if isinstance(value, str) else None
    if found is not None:
        try:
            return dt.date.fromisoformat(found.group(1))
        except ValueError:
            pass
    raise reader.fail(f"deprecation_date {value!r} is not a date (YYYY-MM-DD, or a timestamp starting with one)",
                      *parts)


def _read(reader: _Reader, document: dict[str, Any]) -> _Facts:
    metadata = reader.opt_obj(document, "metadata")
    version_url = metadata.get("dbt_schema_version")
    found = _SCHEMA_VERSION.search(version_url) if isinstance(version_url, str) else None
    if found is None or int(found.group(1)) not in SUPPORTED:
        shown = repr(version_url) if version_url is not None else "missing"
        raise reader.fail(f"manifest schema version {shown} is not supported: modelgate reads dbt manifest schema "
                          f"v{SUPPORTED[0]} to v{SUPPORTED[-1]} (dbt-core 1.5 to 1.11); run `dbt parse` with a "
                          "dbt-core of that range", "metadata", "dbt_schema_version")
    facts = _Facts(project=reader.string(metadata, "project_name", "metadata"),
                   adapter=reader.opt_string(metadata, "adapter_type", "metadata"))
    nodes = reader.opt_obj(document, "nodes")
    for uid, raw in nodes.items():
        node = reader.obj(raw, "nodes", uid)
        kind = node.get("resource_type")
        if kind == "model":
            try:
                facts.models[uid] = _model(reader, uid, node, facts.unnumbered)
            except _Unnumbered as exc:  # dbt allows it; this version alone is left out, and said so
                facts.unnumbered.append(Notice(f"{uid} is not imported: {exc}", reader.path,
                                               pointer("nodes", uid, exc.key)))
        elif kind == "test":
            _test(reader, uid, node, facts.not_null)
    for uid, raw in reader.opt_obj(document, "exposures").items():
        facts.exposures.append(_exposure(reader, uid, reader.obj(raw, "exposures", uid)))
    for uid, raw in reader.opt_obj(document, "groups").items():
        group = reader.obj(raw, "groups", uid)
        facts.groups.setdefault(reader.string(group, "name", "groups", uid),
                                reader.opt_obj(group, "owner", "groups", uid))
    return facts


def _model(reader: _Reader, uid: str, node: dict[str, Any], notices: list[Notice]) -> _Node:
    at = ("nodes", uid)
    config = reader.opt_obj(node, "config", *at)
    contract = reader.opt_obj(config, "contract", *at, "config")
    enforced = contract.get("enforced", False)
    if not isinstance(enforced, bool):
        raise reader.fail(f"expected a boolean, found {_kind(enforced)}", *at, "config", "contract", "enforced")
    access = node.get("access", config.get("access"))
    columns = []
    for name, raw in reader.opt_obj(node, "columns", *at).items():
        column = reader.obj(raw, *at, "columns", name)
        where = (*at, "columns", name)
        columns.append(_Column(
            name=name, description=reader.opt_string(column, "description", *where) or "",
            data_type=reader.opt_string(column, "data_type", *where) or None,
            constraints=[reader.obj(c, *where, "constraints", str(i))
                         for i, c in enumerate(reader.opt_list(column, "constraints", *where))]))
    meta = reader.opt_obj(node, "meta", *at) or reader.opt_obj(config, "meta", *at, "config")
    return _Node(
        uid=uid, name=reader.string(node, "name", *at), package=reader.string(node, "package_name", *at),
        version=_version(node.get("version")),
        latest=_latest_version(reader, uid, node, notices),
        enforced=enforced, materialized=reader.opt_string(config, "materialized", *at, "config") or "",
        access=access if isinstance(access, str) else None,
        group=reader.opt_string(node, "group", *at) or reader.opt_string(config, "group", *at, "config"),
        deprecation=_day(reader, node.get("deprecation_date"), *at, "deprecation_date"),
        description=reader.opt_string(node, "description", *at) or "", meta=meta,
        path=reader.opt_string(node, "original_file_path", *at) or "",
        depends_on=reader.strings(reader.opt_obj(node, "depends_on", *at), "nodes", *at, "depends_on"),
        columns=columns,
        constraints=[reader.obj(c, *at, "constraints", str(i))
                     for i, c in enumerate(reader.opt_list(node, "constraints", *at))])


def _latest_version(reader: _Reader, uid: str, node: dict[str, Any], notices: list[Notice]) -> int | None:
    """The model's ``latest_version`` as a contract version; one that cannot be is read as unset (the highest
    imported version is the latest), and said so."""
    try:
        return _version(node.get("latest_version"), "latest_version")
    except _Unnumbered as exc:
        notices.append(Notice(f"{exc}: the highest imported version is taken as the latest", reader.path,
                              pointer("nodes", uid, "latest_version")))
        return None


def _test(reader: _Reader, uid: str, node: dict[str, Any], not_null: set[tuple[str, str]]) -> None:
    """A generic ``not_null`` test on a model's column: (its model, its column)."""
    metadata = node.get("test_metadata")
    if not isinstance(metadata, dict) or metadata.get("name") != "not_null":
        return
    attached = reader.opt_string(node, "attached_node", "nodes", uid)
    column = node.get("column_name")
    if not isinstance(column, str):
        kwargs = metadata.get("kwargs")
        column = kwargs.get("column_name") if isinstance(kwargs, dict) else None
    if attached and isinstance(column, str):
        not_null.add((attached, column))


def _exposure(reader: _Reader, uid: str, node: dict[str, Any]) -> _Exposure:
    at = ("exposures", uid)
    return _Exposure(
        uid=uid, name=reader.string(node, "name", *at), type=reader.opt_string(node, "type", *at) or "",
        owner=reader.opt_obj(node, "owner", *at), meta=reader.opt_obj(node, "meta", *at),
        path=reader.opt_string(node, "original_file_path", *at) or "",
        description=reader.opt_string(node, "description", *at) or "",
        depends_on=reader.strings(reader.opt_obj(node, "depends_on", *at), "nodes", *at, "depends_on"))


# ---- names, owners ----

def _handles(value: Any) -> list[str]:
    """The GitHub handles in a meta value: one handle, or a list of them; anything else gives none."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str) and OWNER_RE.fullmatch(item)]


def _first_handles(found: Mapping[str, Any], keys: Iterable[str]) -> list[str]:
    for key in keys:
        handles = _handles(found.get(key))
        if handles:
            return handles
    return []


# ---- the import ----

class _Import:
    def __init__(self, reader: _Reader, document: dict[str, Any], context: ImportContext) -> None:
        self.reader = reader
        self.facts = _read(reader, document)
        self.context = context
        self.notices: list[Notice] = list(self.facts.unnumbered)
        self.names: dict[tuple[str, str], str] = {}  # (kind, manifest name) -> the source object that has it
        self.adapter_noticed = False

    def notice(self, message: str, *parts: str,
               settled_by: tuple[tuple[str, str, tuple[str | int, ...]], ...] = ()) -> None:
        self.notices.append(Notice(message, self.reader.path, pointer(*parts) if parts else None, settled_by))

    def claim(self, kind: str, source_name: str, origin: str, *parts: str) -> str:
        name = manifest_name(source_name)
        if not name:
            raise self.reader.fail(f"{source_name!r} leaves no usable {kind.lower()} name (lower-case letters, digits "
                                   "and '-')", *parts)
        other = self.names.get((kind, name))
        if other is not None and other != origin:
            raise self.reader.fail(f"{origin} and {other} both become the {kind.lower()} {name!r}; rename one of them",
                                   *parts)
        self.names[(kind, name)] = origin
        return name

    def run(self) -> Imported:
        facts = self.facts
        imported = [n for n in facts.models.values() if self.context.include_packages or n.package == facts.project]
        by_model: dict[tuple[str, str], list[_Node]] = {}
        for node in facts.models.values():
            by_model.setdefault((node.package, node.name), []).append(node)
        ml = [e for e in facts.exposures if e.type == ML_EXPOSURE]
        for exposure in facts.exposures:
            if exposure.type != ML_EXPOSURE:
                self.notice(f"exposure {exposure.name!r} (type {exposure.type or 'unset'}) is not imported as a model: "
                            "only exposures of type ml are; its models still provide contracts",
                            "exposures", exposure.uid, "type")
        # which dbt models provide a contract: depended on by an imported model or an exposure, enforced, or public
        wanted: set[tuple[str, str]] = set()
        for node in imported:
            if node.enforced or node.access == "public":
                wanted.add((node.package, node.name))
        for uid in self._parents([*imported, *facts.exposures]):
            target = facts.models[uid]
            wanted.add((target.package, target.name))
        contracts = {key: sorted(by_model[key], key=lambda n: n.version or 1) for key in sorted(wanted)}
        contract_names = {key: self.claim("Contract", nodes[0].name, f"model.{key[0]}.{key[1]}", "nodes",
                                          nodes[0].uid, "name") for key, nodes in contracts.items()}
        files = [self._contract(contract_names[key], nodes) for key, nodes in contracts.items()]
        models: dict[tuple[str, str], list[_Node]] = {}
        for node in imported:
            models.setdefault((node.package, node.name), []).append(node)
        files = [*(self._model(nodes, contract_names) for _, nodes in sorted(models.items())),
                 *(self._ml(exposure, contract_names) for exposure in sorted(ml, key=lambda e: e.uid)),
                 *files]
        if facts.other_parents:
            count = facts.other_parents
            noun = "dependency" if count == 1 else "dependencies"
            self.notice(f"{count} {noun} on sources, seeds, snapshots and other nodes that are not enabled models "
                        "are not imported: only dbt models provide contracts")
        ordered = sorted(files, key=lambda g: g.path)
        return Imported(TOOL, tuple(ordered), tuple(self.notices))

    def _parents(self, dependents: Iterable[_Node | _Exposure]) -> Iterator[str]:
        """The model unique ids the dependents depend on; counts the other parents (sources, seeds, …)."""
        for dependent in dependents:
            for uid in dependent.depends_on:
                if uid in self.facts.models:
                    yield uid
                else:
                    self.facts.other_parents += 1

    # -- owners

    def _owners(self, meta: Mapping[str, Any], owner: Mapping[str, Any] | None, path: str, what: str,
                *parts: str, manifest: tuple[str, str]) -> list[str]:
        """GitHub handles from ``meta``, else from ``owner`` (a group's or an exposure's), else CODEOWNERS of
        ``path``; none: a notice."""
        handles = _first_handles(meta, OWNER_META_KEYS)
        if not handles and owner:
            handles = _first_handles(owner, GROUP_OWNER_KEYS)
        if not handles and path:
            base = self.context.base_dir.strip("/")
            handles = list(self.context.owners_for(f"{base}/{path}" if base else path))
        if not handles:
            where = path or "its file (not in this project)"
            self.notice(f"{what} has no owner: no GitHub handle in meta ({', '.join(OWNER_META_KEYS)}), in the "
                        f"owner ({', '.join(GROUP_OWNER_KEYS)}) or in CODEOWNERS for {where}; add one to the dbt "
                        "meta, or owners to the overlay", *parts,
                        settled_by=((*manifest, ("metadata", "owners")),))
        return handles

    def _own_path(self, node: _Node) -> str:
        """The model's file for CODEOWNERS: its ``original_file_path`` is relative to its own package, so only a model
        of the root project has its file under ``base_dir``; a package's model (``--include-packages``) has none here
        (its owners come from its meta or group, else the overlay), never the root project's file of the same path."""
        return node.path if node.package == self.facts.project else ""

    def _group_owner(self, node: _Node) -> Mapping[str, Any] | None:
        return self.facts.groups.get(node.group) if node.group else None

    # -- documents

    def _metadata(self, name: str, owners: list[str], description: str) -> dict[str, Any]:
        metadata: dict[str, Any] = {"name": name}
        if owners:
            metadata["owners"] = owners
        if description.strip():
            metadata["description"] = description.strip()
        metadata["labels"] = {IMPORTED_FROM: TOOL}
        return metadata

    def _contract(self, name: str, nodes: list[_Node]) -> Generated:
        latest = self._latest(nodes)
        versions = [self._version(node, latest, nodes) for node in nodes]
        owners = self._owners(latest.meta, self._group_owner(latest), self._own_path(latest), f"contract {name!r}",
                              "nodes", latest.uid, manifest=("Contract", name))
        document = {"apiVersion": "modelgate/v1", "kind": "Contract",
                    "metadata": self._metadata(name, owners, latest.description),
                    "spec": {"compatibility": "forward", "versions": versions}}
        return Generated(f"contracts/{name}.yaml", document, latest.uid)

    def _latest(self, nodes: list[_Node]) -> _Node:
        latest = nodes[-1]
        wanted = latest.latest
        if wanted is not None:
            latest = next((n for n in nodes if n.version == wanted), latest)
        return latest

    def _version(self, node: _Node, latest: _Node, nodes: list[_Node]) -> dict[str, Any]:
        number = node.version or 1
        entry: dict[str, Any] = {"version": number}
        if node.deprecation is not None:
            entry["status"] = "deprecated"
            deprecation: dict[str, Any] = {"sunset": node.deprecation}
            if latest.version is not None and latest is not node:
                deprecation["replacement"] = latest.version
            entry["deprecation"] = deprecation
            self.notice(f"version {number} of {node.name!r} is deprecated (sunset {node.deprecation.isoformat()}); "
                        "dbt does not say when it was announced or where the migration guide is: add "
                        f"contracts.{manifest_name(node.name)}.spec.versions.{number}.deprecation: {{announced: "
                        "YYYY-MM-DD, migration: docs/PATH.md} (a path in the repository) to the overlay",
                        "nodes", node.uid, "deprecation_date",
                        settled_by=tuple(("Contract", manifest_name(node.name),
                                          ("spec", "versions", number, "deprecation", key))
                                         for key in ("announced", "migration")))
        entry["schema"] = self._schema(node)
        return entry

    def _schema(self, node: _Node) -> dict[str, Any]:
        enforced_types = self._enforced_types(node)
        properties: dict[str, Any] = {}
        untyped: list[str] = []
        for column in node.columns:
            properties[column.name] = self._column(node, column, enforced_types, untyped)
        if untyped:
            self.notice(f"columns of {node.uid} without a data_type ({', '.join(untyped)}): their JSON type is left "
                        "open", "nodes", node.uid, "columns")
        schema: dict[str, Any] = {"type": "object"}
        schema["properties"] = properties
        if properties:
            schema["required"] = list(properties)
        if node.constraints:
            schema[SQL_CONSTRAINTS] = [_constraint(c, enforced_types) for c in node.constraints]
        if not node.enforced:
            schema[CONTRACT_ENFORCED] = False
        return schema

    def _enforced_types(self, node: _Node) -> frozenset[str]:
        if not node.enforced or node.materialized not in CONSTRAINING_MATERIALIZATIONS:
            return frozenset()
        adapter = self.facts.adapter or ""
        if adapter not in ENFORCED_BY_ADAPTER and not self.adapter_noticed:
            self.adapter_noticed = True
            self.notice(f"adapter {adapter or '(unset)'!r} is not in modelgate's table of the constraints each adapter "
                        f"enforces: read with dbt's base table ({', '.join(sorted(_BASE_ENFORCED))} enforced)",
                        "metadata", "adapter_type")
        return ENFORCED_BY_ADAPTER.get(adapter, _BASE_ENFORCED)

    def _column(self, node: _Node, column: _Column, enforced_types: frozenset[str], untyped: list[str]
                ) -> dict[str, Any]:
        not_null = (node.uid, column.name) in self.facts.not_null or any(
            c.get("type") == "not_null" for c in column.constraints)
        schema: dict[str, Any] = {}
        if column.data_type is None:
            untyped.append(column.name)
        else:
            mapped = json_schema_of(column.data_type)
            if mapped is None:
                self.notice(f"data_type {column.data_type!r} is not a SQL type modelgate knows: the JSON type of "
                            f"column {column.name!r} is left open (x-sql-type keeps it)",
                            "nodes", node.uid, "columns", column.name, "data_type")
            else:
                schema.update(mapped)
        if "type" in schema and not not_null:
            schema["type"] = [schema["type"], "null"]
        elif "type" not in schema and not_null:
            schema["not"] = {"type": "null"}
        if column.description.strip():
            schema["description"] = column.description.strip()
        if column.data_type is not None:
            schema[SQL_TYPE] = column.data_type
        if column.constraints:
            schema[SQL_CONSTRAINTS] = [_constraint(c, enforced_types) for c in column.constraints]
        return schema

    def _model(self, nodes: list[_Node], contract_names: Mapping[tuple[str, str], str]) -> Generated:
        nodes = sorted(nodes, key=lambda n: n.version or 1)
        latest = self._latest(nodes)
        key = (latest.package, latest.name)
        name = self.claim("Model", latest.name, f"model.{key[0]}.{key[1]}", "nodes", latest.uid, "name")
        owners = self._owners(latest.meta, self._group_owner(latest), self._own_path(latest), f"model {name!r}",
                              "nodes", latest.uid, manifest=("Model", name))
        spec: dict[str, Any] = {"version": f"{latest.latest or latest.version or 1}.0.0"}
        own = contract_names.get(key)
        consumes = self._consumes(nodes, own, contract_names)
        if consumes:
            spec["consumes"] = consumes
        if own is not None:
            spec["provides"] = [{"contract": own, "version": n.version or 1} for n in nodes]
        document = {"apiVersion": "modelgate/v1", "kind": "Model",
                    "metadata": self._metadata(name, owners, latest.description), "spec": spec}
        return Generated(f"models/{name}.yaml", document, latest.uid)

    def _consumes(self, dependents: Sequence[_Node | _Exposure], own: str | None,
                  contract_names: Mapping[tuple[str, str], str]) -> list[dict[str, Any]]:
        seen: dict[tuple[str, int], None] = {}
        for dependent in dependents:
            for uid in dependent.depends_on:
                target = self.facts.models.get(uid)
                if target is None:
                    continue
                contract = contract_names[(target.package, target.name)]
                if contract == own:
                    self.notice(f"{dependent.uid} depends on {uid}, another version of the same model: not a "
                                "consumes (a model does not consume the contract it provides)",
                                "nodes", dependent.uid, "depends_on")
                    continue
                seen.setdefault((contract, target.version or 1), None)
        return [{"contract": c, "version": v} for c, v in seen]

    def _ml(self, exposure: _Exposure, contract_names: Mapping[tuple[str, str], str]) -> Generated:
        name = self.claim("Model", exposure.name, exposure.uid, "exposures", exposure.uid, "name")
        owners = self._owners(exposure.meta, exposure.owner, exposure.path,
                              f"model {name!r} (exposure {exposure.name!r})", "exposures", exposure.uid, "owner",
                              manifest=("Model", name))
        spec: dict[str, Any] = {"version": "1.0.0"}
        consumes = self._consumes([exposure], None, contract_names)
        if consumes:
            spec["consumes"] = consumes
        document = {"apiVersion": "modelgate/v1", "kind": "Model",
                    "metadata": self._metadata(name, owners, exposure.description), "spec": spec}
        return Generated(f"models/{name}.yaml", document, exposure.uid)


def _constraint(raw: Mapping[str, Any], enforced_types: frozenset[str]) -> dict[str, Any]:
    """A dbt constraint as an ``x-sql-constraints`` item: its set keys, and whether the database enforces it."""
    kept = {k: v for k, v in raw.items() if v not in (None, [], {}, "") and k not in ("warn_unenforced",
                                                                                       "warn_unsupported")}
    kept["enforced"] = raw.get("type") in enforced_types
    return kept

