"""The checks of one state (the MG0xx rules), the family ``lint``: pure, a Snapshot in, findings sorted by file
and line out.

MG001 (and the MG008 of unreadable ``schema_ref`` files) come from the loader and pass through; the rest
is judged here on the valid manifests (MG007 in ``bot.owners``), by the handlers registered below (scope
``state``). Severities are the catalogue's; configuration overrides are applied later
(``bot.registry.configured``).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterator
from typing import Any, Final, TypeVar, cast

import jsonschema_rs

from bot import registry, schema_fields
from bot.compat import patterns
from bot.compat.metaschema import metaschema_error
from bot.compat.refs import fragment, resolve_local, walk_schemas
from bot.compat.satisfiable import unsatisfiable
from bot.graph import contract_node, model_node
from bot.manifests.models import Contract, ContractVersion, Model
from bot.manifests.snapshot import ManifestFile, Snapshot
from bot.manifests.yamlread import Path
from bot.owners import MG007, owner_findings
from bot.registry import SchemaMemo, State
from bot.result import Finding
from bot.rules import finding
from bot.unloaded import MG009

_REFS = ("$ref", "$dynamicRef")

FAMILY: Final = "lint"
MG001, MG002, MG003, MG004, MG005, MG006, MG008 = "MG001", "MG002", "MG003", "MG004", "MG005", "MG006", "MG008"
_T = TypeVar("_T")


def lint_snapshot(snapshot: Snapshot, memo: SchemaMemo | None = None,
                  rules: Collection[str] | None = None) -> list[Finding]:
    """Every MG0xx finding of one state, sorted by file, then line.

    ``memo`` (empty at first) may be passed again for another state of the same run, to judge a schema once.
    ``rules``: run only the checks that can find one of these rules (the loader's findings always pass through).
    """
    state = State(snapshot, memo={} if memo is None else memo)
    return sort_findings(registry.state_findings(state, rules, FAMILY))


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.file or "", f.line or 0, f.rule, f.message))


def _names_unique(snapshot: Snapshot) -> bool:
    """Whether each manifest has a name of its own (so each is in ``snapshot.models`` or ``.contracts``)."""
    return len(snapshot.models) + len(snapshot.contracts) == len(snapshot.manifests)


@registry.on_state(FAMILY, MG002)
def duplicate_names(state: State) -> Iterator[Finding]:
    """MG002: a second model (or contract) with a name already used; the first file (by path) keeps it."""
    snapshot = state.snapshot
    if _names_unique(snapshot):
        return
    first: dict[tuple[str, str], ManifestFile] = {}
    for manifest in snapshot.manifests:
        key = (manifest.kind, manifest.name)
        if key not in first:
            first[key] = manifest
            continue
        yield finding(MG002, f"{manifest.kind.lower()} name {manifest.name!r} is already used by {first[key].path}",
                      manifest.path, manifest.line("metadata", "name"), manifest.subject)


@registry.on_state(FAMILY, MG003)
def unknown_references(state: State) -> Iterator[Finding]:
    """MG003: a consumes/provides item naming a contract, or a version of it, that does not exist.

    A contract whose manifest is there but invalid has its MG001; it is not reported again as missing.
    """
    snapshot, graph = state.snapshot, state.graph
    contracts, models = snapshot.contracts, snapshot.models
    invalid = {f.subject for f in snapshot.findings if f.rule == MG001 and f.subject}
    # A version referred to but not defined is a node of the graph too, next to the models naming it; a model
    # left out of the graph (its name is taken, MG002) is read whole.
    named = {m for node in graph.undefined() for m in (*graph.providers_of(node), *graph.consumers_of(node))}
    suspects = [models[node.removeprefix("model:")] for node in named]
    if not _names_unique(snapshot):
        suspects += [m for m in snapshot.manifests if isinstance(m.doc, Model) and models.get(m.name) is not m]
    for manifest in sorted(suspects, key=lambda m: m.path):
        assert isinstance(manifest.doc, Model)
        for key in ("consumes", "provides"):
            for index, item in enumerate(getattr(manifest.doc.spec, key)):
                target = contracts.get(item.contract)
                if target is None and f"contract:{item.contract}" in invalid:
                    continue
                if target is None:
                    close = difflib.get_close_matches(item.contract, list(contracts), n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    yield finding(MG003, f"{key} contract {item.contract!r}, which does not exist{hint}",
                                  manifest.path, manifest.line("spec", key, index, "contract"), manifest.subject)
                    continue
                assert isinstance(target.doc, Contract)
                if target.doc.version(item.version) is None:
                    known = ", ".join(str(v.version) for v in target.doc.spec.versions)
                    yield finding(MG003,
                                  f"{key} version {item.version} of contract {item.contract!r}, which has no such "
                                  f"version (versions: {known}; defined in {target.path})",
                                  manifest.path, manifest.line("spec", key, index, "version"), manifest.subject)


@registry.on_state(FAMILY, MG004)
def cycles(state: State) -> Iterator[Finding]:
    """MG004: each cycle, pointing at the consumes item of its first model that closes it."""
    for cycle in state.graph.find_cycles():
        model = state.snapshot.models[cycle[0].removeprefix("model:")]
        via = cycle[-1]
        assert isinstance(model.doc, Model)
        index = next(i for i, item in enumerate(model.doc.spec.consumes)
                     if contract_node(item.contract, item.version) == via)
        shown = " → ".join([*cycle, cycle[0]])
        yield finding(MG004, f"dependency cycle: {shown}",
                      model.path, model.line("spec", "consumes", index, "contract"), model.subject)


@registry.on_state(FAMILY, MG005, MG006)
def providers(state: State) -> Iterator[Finding]:
    """MG005 (an active version nobody provides) and MG006 (a version provided by several models)."""
    models, graph = state.snapshot.models, state.graph
    for name, manifest in state.snapshot.contracts.items():
        assert isinstance(manifest.doc, Contract)
        for index, version in enumerate(manifest.doc.spec.versions):
            node = contract_node(name, version.version)
            found = graph.providers_of(node)
            if not found and version.status == "active":
                yield finding(MG005,
                              f"active version {version.version} of contract {name!r} is provided by no model",
                              manifest.path, manifest.line("spec", "versions", index, "version"),
                              f"contract:{name}@{version.version}")
            if len(found) < 2:
                continue
            ranked = sorted((models[n.removeprefix("model:")] for n in found), key=lambda m: m.path)
            for other in ranked[1:]:
                assert isinstance(other.doc, Model)
                item = next(i for i, p in enumerate(other.doc.spec.provides)
                            if p.contract == name and p.version == version.version)
                yield finding(MG006,
                              f"{node} is provided by {model_node(other.name)} and already by "
                              f"{model_node(ranked[0].name)} ({ranked[0].path}); a version has one provider",
                              other.path, other.line("spec", "provides", item, "contract"), node)


def _schema_key(snapshot: Snapshot, manifest: ManifestFile, index: int, check: str) -> tuple[str, str, int, str | None]:
    """What decides a version's schema: the contract's bytes, and those of its schema_ref file when it has one."""
    assert isinstance(manifest.doc, Contract)
    version = manifest.doc.spec.versions[index]
    file = snapshot.schema_files.get((manifest.name, version.version)) if version.schema_ref is not None else None
    return check, manifest.blob, index, snapshot.blobs.get(file) if file is not None else None


def _memoized(memo: SchemaMemo, key: tuple[str, str, int, str | None], compute: Callable[..., _T], *args: Any,
              **kwargs: Any) -> _T:
    """``compute(*args, **kwargs)``, once per key; a manifest without a blob id (not loaded from files) is not
    memoized."""
    if not key[1]:
        return compute(*args, **kwargs)
    if key not in memo:
        memo[key] = compute(*args, **kwargs)
    return cast(_T, memo[key])  # the memo holds what each key's compute returned


@registry.on_state(FAMILY, MG009)
def _unloaded(state: State) -> list[Finding]:
    """MG009 comes from the loader (``Snapshot.findings``, ``bot.unloaded``) and passes through, as MG001's parse
    errors do: a state's findings say which files it could not load. Nothing more to judge here."""
    del state
    return []


@registry.on_state(FAMILY, MG007)
def _owners(state: State) -> list[Finding]:
    return owner_findings(state.snapshot)


@registry.on_state(FAMILY, MG008)
def schema_findings(state: State) -> Iterator[Finding]:
    """MG008: an inline schema or a schema_ref file that is not a valid JSON Schema, or a non-local $ref."""
    for manifest, index, version, schema, base, file in _version_schemas(state.snapshot):
        problems = _schema_problems(state, manifest, index, schema, file is None)
        subject = f"contract:{manifest.name}@{version.version}"
        for path, problem in problems:
            if file is None:
                line = manifest.line(*base, *path)
                where = ""
            else:
                line = manifest.line(*base)
                where = f"{file} at {fragment(path)}: "
            yield finding(MG008, f"{where}{problem}", manifest.path, line, subject)


def _version_schemas(snapshot: Snapshot
                     ) -> Iterator[tuple[ManifestFile, int, ContractVersion, Any, Path, str | None]]:
    """Each contract version's schema that was read: its manifest, the version's index and definition, the schema,
    the path of its ``schema`` (or ``schema_ref``) key and its ``schema_ref`` file (None when inline)."""
    for manifest in snapshot.manifests:
        if not isinstance(manifest.doc, Contract):
            continue
        for index, version in enumerate(manifest.doc.spec.versions):
            if version.schema_ref is None:
                yield manifest, index, version, version.schema_, ("spec", "versions", index, "schema"), None
                continue
            if snapshot.contracts.get(manifest.name) is not manifest:
                continue  # a duplicate's schema file was not loaded (MG002 is reported)
            schema = snapshot.schemas.get((manifest.name, version.version))
            if schema is not None:  # else unreadable: the loader reported it
                yield manifest, index, version, schema, ("spec", "versions", index, "schema_ref"), version.schema_ref


def _schema_problems(state: State, manifest: ManifestFile, index: int, schema: Any, inline: bool
                     ) -> list[tuple[Path, str]]:
    """MG008's judgement of one version's schema, once per run (see ``_memoized``)."""
    return _memoized(state.memo, _schema_key(state.snapshot, manifest, index, "schema"), _judge_schema, manifest,
                     schema, inline)


def _judge_schema(manifest: ManifestFile, schema: Any, inline: bool) -> list[tuple[Path, str]]:
    """``schema_problems``, without the walks for $ref or patterns in an inline schema whose manifest surely holds
    none."""
    refs_possible = not inline or manifest.may_contain("$ref") or manifest.may_contain("$dynamicRef")
    patterns_possible = not inline or manifest.may_contain("pattern")
    return schema_problems(schema, refs_possible=refs_possible, patterns_possible=patterns_possible)


@registry.on_state(FAMILY, MG001)
def fallback_findings(state: State) -> Iterator[Finding]:
    """MG001: a ``default_value`` fallback whose value the version's own schema rejects.

    A consumer that falls back to that value would receive a record the contract forbids. Versions whose
    schema is itself unusable are left to MG008.
    """
    snapshot, memo = state.snapshot, state.memo
    for manifest in snapshot.contracts.values():  # the first manifest of each name, in the order of the files
        assert isinstance(manifest.doc, Contract)
        for index, version in enumerate(manifest.doc.spec.versions):
            fallback = version.fallback
            if fallback is None or fallback.strategy != "default_value":
                continue
            schema = snapshot.schema(manifest.name, version.version)
            if schema is None:
                continue
            error = _memoized(memo, _schema_key(snapshot, manifest, index, "fallback"), _fallback_error, schema,
                              fallback.value)
            if error is not None:
                path, message = error
                where = "".join(f"/{p}" for p in path) or "/"
                yield finding(MG001,
                              f"fallback value is not valid under the version's schema (at #{where}): {message}",
                              manifest.path, manifest.line("spec", "versions", index, "fallback", "value", *path),
                              f"contract:{manifest.name}@{version.version}")


def _fallback_error(schema: Any, value: Any) -> tuple[Path, str] | None:
    """Where and why ``schema`` rejects ``value``; None when it accepts it, or when the schema itself is unusable.

    Judged as ``modelgate verify`` judges a record (jsonschema-rs, patterns on the linear engine of
    ``bot.compat.patterns``); of several errors, the first at the shallowest place in the value.
    """
    if schema_problems(schema):
        return None
    try:
        validator = patterns.compile_schema(schema)
    except (ValueError, jsonschema_rs.ReferencingError):  # a dangling local $ref: the value cannot be judged
        return None
    try:
        errors = list(validator.iter_errors(value))
    except ValueError as exc:  # a value JSON has no type for (a YAML date: quoted, it is a string)
        return (), f"the value is not JSON data: {exc}"
    if not errors:
        return None
    error = min(errors, key=lambda e: len(e.instance_path))
    return tuple(error.instance_path), error.message


def schema_problems(schema: Any, *, refs_possible: bool = True, patterns_possible: bool = True
                    ) -> list[tuple[Path, str]]:
    """Why a schema is not acceptable, as (path inside the schema, message) pairs; empty when it is.

    It must be valid under the metaschema its ``$schema`` names (default 2020-12; a schema valid under
    draft-07's metaschema is accepted too), every ``$ref`` must be local (start with ``#``): nothing
    is ever fetched, and every pattern must be one the linear-time engine evaluates (``bot.compat.patterns``).
    ``refs_possible=False`` (the file holds no ``$ref`` at all) skips the walk for them, ``patterns_possible``
    that for patterns.
    """
    problems: list[tuple[Path, str]] = []
    error = metaschema_error(schema)
    if error is not None:
        problems.append((tuple(error.path), f"not a valid JSON Schema: {error.message}"))
    if patterns_possible:
        shown = {problems[0][0]} if problems else set()
        problems += [(path, problem) for path, problem in patterns.problems(schema) if path not in shown]
    refs = _refs(schema) if refs_possible else []
    for path, ref in refs:
        if not ref.startswith("#"):
            problems.append((path, f"$ref {ref!r} is not local (only '#...' references; nothing is fetched): "
                                   "copy the schema under $defs, or keep it in a repository file (schema_ref)"))
    local = [(path, ref) for path, ref in refs if ref.startswith("#") and ref != "#"]
    if local and not _embeds_resources(schema):  # below a nested $id, '#...' is relative to it: not judged
        for path, ref in local:
            if not resolve_local(schema, ref)[0]:
                problems.append((path, f"$ref {ref!r} points at nothing in this schema"))
    return problems


def _embeds_resources(schema: Any) -> bool:
    return any(isinstance(sub.get("$id"), str) and not sub["$id"].startswith("#")
               for segments, sub in walk_schemas(schema) if segments)


def _refs(schema: Any) -> list[tuple[Path, str]]:
    """Every ``$ref`` and ``$dynamicRef`` in ``schema``, with the path of its key."""
    return [((*path, key), sub[key]) for path, sub in walk_schemas(schema) for key in _REFS
            if isinstance(sub.get(key), str)]


MG010: Final = "MG010"


@registry.on_state(FAMILY, MG010)
def unknown_fields(state: State) -> Iterator[Finding]:
    """MG010: a ``consumes[].fields`` entry that the consumed version's schema does not declare
    (``bot.schema_fields`` says what declares a dotted path).

    A version that does not exist (MG003) or whose schema is unreadable or invalid (MG008) is not judged; each
    schema is resolved once per run (the memo is shared with MG008 and across states).
    """
    snapshot, memo = state.snapshot, state.memo
    for manifest in snapshot.manifests:
        if not isinstance(manifest.doc, Model):
            continue
        for index, item in enumerate(manifest.doc.spec.consumes):
            target = snapshot.contracts.get(item.contract)
            if not item.fields or target is None:
                continue
            assert isinstance(target.doc, Contract)
            number = next((i for i, v in enumerate(target.doc.spec.versions) if v.version == item.version), None)
            if number is None:
                continue
            inline = target.doc.spec.versions[number].schema_ref is None
            # the version's own schema (of this manifest, should another of the same name exist: MG002)
            schema = target.doc.spec.versions[number].schema_ if inline else snapshot.schema(item.contract,
                                                                                             item.version)
            if schema is None:
                continue
            if _schema_problems(state, target, number, schema, inline):
                continue
            resolver = _memoized(memo, _schema_key(snapshot, target, number, "fields"), schema_fields.FieldResolver,
                                 schema)
            node = contract_node(item.contract, item.version)
            for position, path in enumerate(item.fields):
                found = resolver.lookup(path)
                if found.status == "undeclared":
                    where = "" if found.missing == path else f": it declares no {_quoted(found.missing)}"
                    hint = f"; did you mean {_quoted(found.suggestion)}?" if found.suggestion else ""
                    message = f"field {_quoted(path)} is not declared by the schema of {node}{where}{hint}"
                elif found.status == "too-complex":
                    message = (f"field {_quoted(path)} cannot be checked: the schema of {node} is too complex to "
                               f"resolve (more than {schema_fields.BUDGET:,} subschemas visited)")
                else:
                    continue
                yield finding(MG010, message, manifest.path,
                              manifest.line("spec", "consumes", index, "fields", position), manifest.subject)


def _quoted(path: str, limit: int = 120) -> str:
    """A field path as a message quotes it: ``repr``, and at most ``limit`` characters of it."""
    return repr(path if len(path) <= limit else path[: limit - 1] + "…")

MG011: Final = "MG011"


@registry.on_state(FAMILY, MG011)
def unsatisfiable_schemas(state: State) -> Iterator[Finding]:
    """MG011: a valid schema (MG008 has nothing to say of it) with a subschema no instance satisfies
    (``bot.compat.satisfiable``), pointing at the keyword that contradicts the rest."""
    snapshot, memo = state.snapshot, state.memo
    for manifest, index, version, schema, base, file in _version_schemas(snapshot):
        if _schema_problems(state, manifest, index, schema, file is None):
            continue
        found = _memoized(memo, _schema_key(snapshot, manifest, index, "satisfiable"), unsatisfiable, schema)
        subject = f"contract:{manifest.name}@{version.version}"
        for item in found:
            line = manifest.line(*base, *item.path) if file is None else manifest.line(*base)
            where = "" if file is None else f"{file}: "
            yield finding(MG011, f"{where}{item.message}", manifest.path, line, subject)

