"""SQL column types as the compatibility engine reads them: ``x-sql-type`` and ``x-sql-constraints``.

A schema imported from a SQL tool (``modelgate import dbt``) keeps each column's declared type as ``x-sql-type``
and the constraints the database enforces as ``x-sql-constraints``. JSON Schema cannot say ``integer`` became
``bigint`` (both are JSON integers), so the engine compares these keywords itself, with dbt's rule for a
breaking change to a contracted model but for one departure on base types (docs/compatibility.md, "SQL types and
constraints"):

- the *base* type is the type without its size, precision and scale (numbers in parentheses; parentheses that hold
  a type, as in ``Nullable(Int32)`` or ``array(integer)``, are part of it), lower-case, spaces collapsed
  (``varchar(10)`` and ``VARCHAR(20)`` are ``varchar``; ``numeric(10, 2)`` is ``numeric``;
  ``timestamp(3) with time zone`` is ``timestamp with time zone``); aliases are not resolved (``int4`` and
  ``integer`` are two base types, as dbt compares them); dbt instead cuts the type at its first ``(``, so it calls
  ``timestamp(3) with time zone`` a ``timestamp``;
- a constraint is one item of the list; an item marked ``enforced: true`` that the other side does not have is a
  difference (``ENFORCED_CONSTRAINT_REMOVED`` / ``_ADDED``), one the database does not enforce is an annotation;
- ``x-dbt-contract-enforced: false`` says the tool does not enforce the table's contract; a schema that gains it
  (``CONTRACT_ENFORCEMENT_REMOVED``) or loses it (``CONTRACT_ENFORCEMENT_ADDED``) is a difference; when both
  whole schemas carry it, SQL types and constraints are not compared (:func:`unenforced`);
- ``x-mlflow-type`` / ``x-mlflow-dtype``: a declared type a tool enforces by name; another text is
  ``DECLARED_TYPE_CHANGED``.
"""

from __future__ import annotations

import re
from typing import Any, Final

from bot.compat.context import Context
from bot.compat.keywords import canonical
from bot.compat.model import MAX_REF_CHAIN, Kind, Node
from bot.compat.refs import pointer_segments

SQL_TYPE: Final = "x-sql-type"
SQL_CONSTRAINTS: Final = "x-sql-constraints"
CONTRACT_ENFORCED: Final = "x-dbt-contract-enforced"  # false: dbt does not enforce the model's contract
# A value's declared type in a tool that enforces it by name (MLflow's signature enforcement rejects a column or
# tensor of another type): compared by its text, a change is ``DECLARED_TYPE_CHANGED`` at the keyword.
DECLARED_TYPES: Final = ("x-mlflow-type", "x-mlflow-dtype")
SQL_KEYWORDS: Final = (SQL_TYPE, SQL_CONSTRAINTS, CONTRACT_ENFORCED, *DECLARED_TYPES)
# Size, precision and scale: numbers in parentheses (``varchar(10)``, ``numeric(10, 2)``, ``timestamp(3)``,
# SQL Server's ``varchar(max)``). Parentheses that hold a type (``Nullable(Int32)``, ``array(integer)``,
# ``map(varchar, integer)``, ``row(a integer)``) are part of the base type: a change inside them is a change of type.
_PARAMETERS: Final = re.compile(r"\(\s*(?:\d+|max)(?:\s*,\s*\d+)*\s*\)", re.IGNORECASE)


def base_type(data_type: str) -> str:
    """``data_type`` without its numeric parameters (size, precision, scale), lower-case, whitespace collapsed:
    ``Array(Decimal(10, 2))`` is ``array(decimal)``, ``Nullable(Int32)`` stays ``nullable(int32)``."""
    return " ".join(_PARAMETERS.sub("", data_type).lower().split())


def unenforced(document: Any) -> bool:
    """Whether a whole schema says the tool does not enforce its table's contract (``x-dbt-contract-enforced:
    false`` at its root): when both schemas of a comparison say so, their SQL types and constraints are not
    compared (dbt: a contract not enforced before and after has no breaking change); their JSON Schema is."""
    return isinstance(document, dict) and document.get(CONTRACT_ENFORCED) is False


def enforced_constraints(raw: Any) -> dict[str, str]:
    """The enforced constraints of a schema's ``x-sql-constraints``: the place each is reported at (its ``name``,
    else its ``type``) -> its canonical text. Items that are not objects, or not ``enforced: true``, are left out."""
    items = raw.get(SQL_CONSTRAINTS) if isinstance(raw, dict) else None
    found: dict[str, str] = {}
    if not isinstance(items, list):
        return found
    for item in items:
        if isinstance(item, dict) and item.get("enforced") is True:
            where = item.get("name") if isinstance(item.get("name"), str) and item.get("name") else item.get("type")
            key = str(where)
            text = canonical(item)
            found[key] = text if key not in found else f"{found[key]}\n{text}"  # two of one type: both, in order
    return found


def written_keywords(node: Node) -> dict[str, Any] | None:
    """The SQL keywords that hold where ``node`` stands: those the author wrote there, then, for the keywords not
    written there, those of the schemas its ``$ref`` designates (the nearest first). ``None`` when no schema the
    author wrote stands there (a kind-slice of one). A ``true`` schema is the empty schema ``{}``."""
    layers: list[dict[str, Any]] = []
    seen: set[int] = set()
    while True:
        if node.authored:
            layers.append(node.raw if isinstance(node.raw, dict) else {})
        if node.kind is not Kind.REF or id(node) in seen or len(seen) >= MAX_REF_CHAIN:
            break
        seen.add(id(node))
        node = node.loader.resolve(node.ref)
    if not layers:
        return None
    merged: dict[str, Any] = {}
    for layer in layers:
        for key in SQL_KEYWORDS:
            if key in layer and key not in merged:
                merged[key] = layer[key]
    return merged


def compare_sql(ctx: Context, original: Node, update: Node) -> None:
    """``SQL_TYPE_CHANGED`` at ``x-sql-type`` when both schemas declare one and the base types differ; the enforced
    constraints added, removed or changed at ``x-sql-constraints/<name or type>``.

    Read on the schemas the author wrote, before their ``$ref`` is followed (:func:`written_keywords`: a keyword beside
    a ``$ref`` is compared where it is written), not on the kind-slices the loader splits a schema into, so each
    difference is found once. A type declared on one side only is no difference here: the JSON ``type`` says what
    changed for a reader.
    """
    old, new = written_keywords(original), written_keywords(update)
    if old is None or new is None:
        return
    for keyword in DECLARED_TYPES:
        old_declared, new_declared = old.get(keyword), new.get(keyword)
        if isinstance(old_declared, str) and isinstance(new_declared, str) and old_declared != new_declared:
            ctx.add("DECLARED_TYPE_CHANGED", keyword)
    if ctx.shared.unenforced:
        return  # dbt: a contract enforced neither before nor after has no breaking change
    old_type, new_type = old.get(SQL_TYPE), new.get(SQL_TYPE)
    if isinstance(old_type, str) and isinstance(new_type, str) and base_type(old_type) != base_type(new_type):
        ctx.add("SQL_TYPE_CHANGED", SQL_TYPE)
    old_enforced, new_enforced = old.get(CONTRACT_ENFORCED) is not False, new.get(CONTRACT_ENFORCED) is not False
    if old_enforced != new_enforced:
        ctx.add("CONTRACT_ENFORCEMENT_REMOVED" if old_enforced else "CONTRACT_ENFORCEMENT_ADDED", CONTRACT_ENFORCED)
    if SQL_CONSTRAINTS not in old and SQL_CONSTRAINTS not in new:
        return
    before, after = enforced_constraints(old), enforced_constraints(new)
    for key in [*before, *(k for k in after if k not in before)]:
        if key not in after:
            ctx.add("ENFORCED_CONSTRAINT_REMOVED", SQL_CONSTRAINTS, key)
        elif key not in before:
            ctx.add("ENFORCED_CONSTRAINT_ADDED", SQL_CONSTRAINTS, key)
        elif before[key] != after[key]:
            ctx.add("ENFORCED_CONSTRAINT_CHANGED", SQL_CONSTRAINTS, key)


SQL_CHANGES: Final = frozenset({"SQL_TYPE_CHANGED", "DECLARED_TYPE_CHANGED", "ENFORCED_CONSTRAINT_ADDED",
                                "ENFORCED_CONSTRAINT_REMOVED",
                                "ENFORCED_CONSTRAINT_CHANGED", "CONTRACT_ENFORCEMENT_ADDED",
                                "CONTRACT_ENFORCEMENT_REMOVED"})


def describe(change_type: str, path: str, old: Any, new: Any) -> str:
    """A reviewer's sentence for one of :data:`SQL_CHANGES` at ``path`` (``#/properties/id/x-sql-type``), with the
    values read from the two schemas: ``column id: SQL type integer → text (another base type)``."""
    segments = [s for s in pointer_segments(path) if s]
    keywords = SQL_KEYWORDS
    keyword_at = max((i for i, s in enumerate(segments) if s in keywords), default=len(segments))
    owner = segments[:keyword_at]
    where = (f"column {owner[-1]}" if len(owner) >= 2 and owner[-2] == "properties"
             else f"the schema at #{_join(owner)}" if owner else "the table")
    if change_type.startswith("CONTRACT_ENFORCEMENT_"):
        verb = "removed" if change_type.endswith("REMOVED") else "added"
        marked = f" ({CONTRACT_ENFORCED}: false)" if verb == "removed" else ""
        return f"{where}: contract enforcement {verb}{marked}"
    if change_type == "SQL_TYPE_CHANGED":
        before, after = _at(old, [*owner, SQL_TYPE]), _at(new, [*owner, SQL_TYPE])
        return f"{where}: SQL type {before} → {after}, another base type"
    if change_type == "DECLARED_TYPE_CHANGED":
        keyword = segments[keyword_at] if keyword_at < len(segments) else DECLARED_TYPES[0]
        before, after = _at(old, [*owner, keyword]), _at(new, [*owner, keyword])
        return f"{where}: declared type ({keyword}) {before} → {after}"
    constraint = segments[-1]
    verb = {"ENFORCED_CONSTRAINT_ADDED": "added", "ENFORCED_CONSTRAINT_REMOVED": "removed",
            "ENFORCED_CONSTRAINT_CHANGED": "changed"}[change_type]
    return f"{where}: enforced {constraint} constraint {verb}"


def _join(segments: list[str]) -> str:
    return "".join("/" + s for s in segments)


def _at(schema: Any, segments: list[str]) -> str:
    node = schema
    for segment in segments:
        node = node.get(segment) if isinstance(node, dict) else None
    return str(node) if node is not None else "(none)"
