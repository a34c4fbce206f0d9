"""A :class:`~bot.verify.engine.plan.Plan` over an ibis table: one aggregate expression, and the row queries.

Each field's typed views (its JSON type, its number, its string) are computed once, in a projection; the aggregate
sums predicates over them (``SUM(CAST(p AS INT))``): the row count, the rows the engine finds invalid, the rows the
validator must judge, the null count of each null-rate field, and the count of each drift bin. The row queries
(the rows the validator judges, the first invalid rows) keep the source's order through an ordinal column.

Portable ibis expressions, except where the source kind is DuckDB's own (a JSON column). A JSON column that DuckDB
parsed (``read_json``, ``from_json``; not a text cast to JSON, which keeps its spaces) holds each value as minified
JSON text (a JSON ``null`` and a missing key are SQL NULL), so its first byte tells its JSON type:
``"`` a string, ``t``/``f`` a boolean, ``[`` an array, ``{`` an object, ``-`` or a digit a number (DuckDB reads
nothing else as JSON: ``NaN`` and ``Infinity`` make the file unreadable to it, and the reference reads it). That is
one ``ascii()`` a value, against a ``json_type`` that walks the value; its number is cast only when it is one, its
string decoded only for a field whose checks read it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from bot.verify.engine import plan as p
from bot.verify.readers import INTEGER_RE, NUMBER_RE

ORDINAL = "__mg_ordinal"
FILENAME = "__mg_filename"
KEYS = "__mg_keys"
RECORD = "__mg_record"
INVALID = "__mg_invalid"
OTHER_KEYS = "__mg_other_keys"
RECHECK = "__mg_recheck"
NOT_OBJECT = "__mg_not_object"
TRUE = "__mg_true"
REFUSED = "__mg_refused"
# the first byte of a JSON value's text, by JSON type (numbers: "-" and the digits, tested as a range)
QUOTE, BRACKET, BRACE, MINUS, ZERO, NINE = 34, 91, 123, 45, 48, 57
MAX_DOUBLE = 1.7976931348623157e308  # the largest finite double
_FIRST_BYTES = {"string": (QUOTE,), "boolean": (ord("t"), ord("f")), "array": (BRACKET,), "object": (BRACE,)}


def _ascii_signature(x: dt.JSON) -> int:
    raise NotImplementedError  # DuckDB's ascii: the code point of a text's first character (JSON is text)


def _json_string_signature(x: dt.JSON, path: str) -> str:
    raise NotImplementedError  # DuckDB's json_extract_string


_ascii: Any = ibis.udf.scalar.builtin(_ascii_signature, name="ascii")
_json_string: Any = ibis.udf.scalar.builtin(_json_string_signature, name="json_extract_string")


def column(name: str, suffix: str) -> str:
    return f"__mg_{suffix}_{name}"


@dataclass(frozen=True)
class View:
    """A field's value as the predicates see it (expressions over the projected table)."""

    null: Any  # bool: null or missing (a NaN is a value)
    present: Any | None  # bool: the record has the key (None: the source cannot tell)
    type_is: Callable[[frozenset[str]], Any]  # bool, for a value that is not null
    number: Any  # float64 or NULL: the value when it is a number (None: never a number)
    string: Any  # string or NULL: the value when it is a string (None: never a string)
    boolean: Any  # bool or NULL: the value when it is a boolean (None: never a boolean)


def _whole(n: Any) -> Any:
    """The number has no fraction (never NULL). A double of magnitude 2**53 or more always is; below that, flooring
    it through a 64-bit integer is exact (ibis floors to an integer)."""
    small = n.abs() < p.EXACT_INTEGER
    return ibis.cases((small, n.floor().cast("float64") == n), else_=~is_null(n)).fill_null(False)


def _false() -> Any:
    return ibis.literal(False)


def is_null(x: Any) -> Any:
    """SQL NULL, and only NULL: a NaN is a value, as in the reference. ibis's pyspark compiler writes ``isnull()`` of
    a float as ``x IS NULL OR ISNAN(x)``, so a float is tested by ``x = x``, true for a NaN on every engine here
    (DuckDB, PostgreSQL and Spark hold NaN equal to itself) and NULL only for a NULL."""
    if x.type().is_floating():
        return ~(x == x).fill_null(False)
    return x.isnull()


def project(table: ir.Table, plan: p.Plan, *, keys: str | None = None, extra: tuple[str, ...] = (),
            not_object: str | None = None) -> tuple[ir.Table, dict[str, View]]:
    """The table with each field's typed views as columns (computed once), and the views over it."""
    cols: dict[str, Any] = {name: table[name] for name in extra}
    if not_object is not None:
        cols[NOT_OBJECT] = table[not_object]
    used = _used(plan)
    for f in plan.fields:
        if f.kind == "json":  # its JSON type here (its first byte), its typed values in a second projection
            cols[column(f.name, "t")] = _ascii(table[f.name])
            cols[column(f.name, "raw")] = table[f.name]
        elif f.kind == "text":
            c = table[f.name]
            allowed = _allowed(plan, f.name)
            cases = []
            if "integer" in allowed or "number" in allowed:
                cases.append((c.re_search(f"^{INTEGER_RE.pattern}$"), "integer"))
            if "number" in allowed:
                cases.append((c.re_search(f"^{NUMBER_RE.pattern}$"), "number"))
            if "boolean" in allowed:
                cases.append((c.lower().isin(["true", "false"]), "boolean"))
            kind = ibis.cases(((c.isnull() | (c == "")), ibis.null("string")), *cases, else_="string") if cases \
                else ibis.cases(((c.isnull() | (c == "")), ibis.null("string")), else_="string")
            cols[column(f.name, "t")] = kind
            cols[column(f.name, "raw")] = c
        elif f.kind.startswith("native:"):
            cols[column(f.name, "raw")] = table[f.name]
        if f.needs_presence and keys is not None:
            cols[column(f.name, "p")] = table[keys].contains(f.name)
    if keys is not None and p._mentions_keys(plan.invalid):
        cols[KEYS] = table[keys]
    cols[TRUE] = ibis.literal(True)
    projected = table.select(**cols)
    more = {}
    for f in plan.fields:  # the typed values, from the type computed above
        if f.kind not in ("json", "text"):
            continue
        kind, raw = projected[column(f.name, "t")], projected[column(f.name, "raw")]
        if f.kind == "text":
            more[column(f.name, "n")] = ibis.cases((kind.isin(["integer", "number"]), raw.cast("float64")),
                                                   else_=ibis.null("float64"))
            continue
        more[column(f.name, "n")] = ibis.cases((_json_number(kind), raw.cast("float64")), else_=ibis.null("float64"))
        if (f.name, "string") in used:
            more[column(f.name, "s")] = ibis.cases((kind == QUOTE, _json_string(raw, "$")), else_=ibis.null("string"))
        if (f.name, "boolean") in used:
            more[column(f.name, "b")] = ibis.cases((_json_first(kind, "boolean"), kind == ord("t")),
                                                   else_=ibis.null("boolean"))
    if more:
        projected = projected.mutate(**more)
    return projected, {f.name: _view(projected, f) for f in plan.fields}


def _json_number(first: Any) -> Any:
    """The JSON value whose text starts with ``first`` is a number."""
    return (first == MINUS) | first.between(ZERO, NINE)


def _json_first(first: Any, kind: str) -> Any:
    codes = _FIRST_BYTES[kind]
    return first == codes[0] if len(codes) == 1 else first.isin(list(codes))


def _used(plan: p.Plan) -> set[tuple[str, str]]:
    """The (field, "string" | "boolean") views the plan's predicates read."""
    found: set[tuple[str, str]] = set()

    def walk(q: p.Pred) -> None:
        if isinstance(q, p.Not):
            walk(q.term)
        elif isinstance(q, p.And | p.Or):
            for term in q.terms:
                walk(term)
        elif isinstance(q, p.Len | p.Matches) or (isinstance(q, p.Equals) and isinstance(q.value, str)):
            found.add((q.field, "string"))
        elif isinstance(q, p.Equals) and isinstance(q.value, bool):
            found.add((q.field, "boolean"))

    walk(plan.invalid)
    walk(plan.recheck)
    for counts in plan.category_counts:
        for _key, test in counts.counted:
            walk(test)
    return found


def _allowed(plan: p.Plan, name: str) -> frozenset[str]:
    for f in plan.fields:
        if f.name == name:
            return f.types
    return frozenset()


def _view(t: ir.Table, f: p.FieldPlan) -> View:
    present = t[column(f.name, "p")] if column(f.name, "p") in t.columns else None
    if f.kind == "json":
        kind = t[column(f.name, "t")]

        def json_is(types: frozenset[str]) -> Any:
            tests = [_json_first(kind, ty) for ty in sorted(types) if ty in _FIRST_BYTES]
            if "number" in types:
                tests.append(_json_number(kind))
            elif "integer" in types:  # a number without a fraction (1.0 too, as JSON Schema says)
                tests.append(_json_number(kind) & _whole(t[column(f.name, "n")]))
            return balanced(tests, operator.or_) if tests else _false()

        return View(kind.isnull(), present, json_is, t[column(f.name, "n")],
                    t[column(f.name, "s")] if column(f.name, "s") in t.columns else None,
                    t[column(f.name, "b")] if column(f.name, "b") in t.columns else None)
    if f.kind == "text":
        kind, raw, number = t[column(f.name, "t")], t[column(f.name, "raw")], t[column(f.name, "n")]

        def text_is(types: frozenset[str]) -> Any:
            names = sorted(types & {"string", "integer", "number", "boolean"})
            if "number" in types and "integer" not in names:
                names.append("integer")
            test = kind.isin(names) if names else _false()
            if "integer" in types and "number" not in types:
                test = test | ((kind == "number") & _whole(number))
            return test

        return View(kind.isnull(), present, text_is, number,
                    ibis.cases((kind == "string", raw), else_=ibis.null("string")),
                    ibis.cases((kind == "boolean", raw.lower() == "true"), else_=ibis.null("boolean")))
    if f.kind.startswith("native:"):
        raw = t[column(f.name, "raw")]
        native = f.kind[len("native:"):]
        native_number: Any = raw.cast("float64") if native in ("integer", "number") else None

        def native_is(types: frozenset[str]) -> Any:
            if native in types or (native == "integer" and "number" in types):
                return ibis.literal(True)
            if native == "number" and "integer" in types:
                return _whole(native_number)
            return _false()

        return View(is_null(raw), present, native_is, native_number, raw if native == "string" else None,
                    raw if native == "boolean" else None)
    return View(ibis.literal(True), ibis.literal(False), lambda types: _false(), None, None, None)


def predicate(pred: p.Pred, views: dict[str, View], table: ir.Table) -> Any:
    """The boolean ibis expression of a plan predicate (never NULL)."""
    def go(q: p.Pred) -> Any:
        if isinstance(q, p.Lit):
            return ibis.literal(q.value)
        if isinstance(q, p.Not):
            return ~go(q.term)
        if isinstance(q, p.And):
            return balanced([go(term) for term in q.terms], operator.and_)
        if isinstance(q, p.Or):  # an enum's values: one IN per field and kind of value
            terms = _equal_any(q.terms, views) + [go(t) for t in q.terms if not isinstance(t, p.Equals)]
            return balanced(terms, operator.or_) if terms else _false()
        if isinstance(q, p.OtherKeys):
            names = list(q.names)
            return (table[KEYS].filter(lambda k: ~k.isin(names)).length() > 0).fill_null(False)
        v = views[q.field]
        if isinstance(q, p.TypeIs):
            return v.type_is(q.types).fill_null(False)
        if isinstance(q, p.IsNull):
            return v.null
        if isinstance(q, p.Present):
            return v.present if v.present is not None else ~v.null
        view_of = {p.Cmp: v.number, p.MultipleOf: v.number, p.Guard: v.number, p.Len: v.string,
                   p.Matches: v.string}
        if type(q) in view_of and view_of[type(q)] is None:
            return _false()
        if isinstance(q, p.Cmp):
            bound = ibis.literal(q.bound, type="float64")
            ops = {"<": v.number < bound, "<=": v.number <= bound, ">": v.number > bound, ">=": v.number >= bound}
            return ops[q.op].fill_null(False)
        if isinstance(q, p.MultipleOf):
            n = v.number
            quotient = n / q.divisor
            return (_whole(n) & (n.abs() < p.EXACT_INTEGER) & _whole(quotient)).fill_null(False)
        if isinstance(q, p.Equals):
            value = q.value
            side = v.boolean if isinstance(value, bool) else v.string if isinstance(value, str) else v.number
            if side is None:
                return _false()
            if isinstance(value, bool | str):
                return (side == value).fill_null(False)
            return (side == ibis.literal(float(value), type="float64")).fill_null(False)
        if isinstance(q, p.Len):
            length = v.string.length()
            return (length < q.bound if q.op == "<" else length > q.bound).fill_null(False)
        if isinstance(q, p.Matches):
            return v.string.re_search(q.pattern).fill_null(False)
        if isinstance(q, p.JsonText):
            return (table[column(q.field, "raw")].cast("string") == q.text).fill_null(False)
        if isinstance(q, p.Guard):  # NaN, an infinity, or (big) 2**53 and beyond: one comparison, as every engine
            # here (DuckDB, PostgreSQL, Spark) orders NaN above every number
            bound = ibis.literal(float(p.EXACT_INTEGER) if q.big else MAX_DOUBLE, type="float64")
            return ~((v.number.abs() < bound) if q.big else (v.number.abs() <= bound)).fill_null(True)
        raise TypeError(f"unknown predicate {q!r}")

    return as_column(go(pred), table)


def _equal_any(terms: tuple[p.Pred, ...], views: dict[str, View]) -> list[Any]:
    """The ``Equals`` among ``terms`` as one ``IN`` per field and kind of value (as ``Equals`` compares each)."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for term in terms:
        if isinstance(term, p.Equals):
            value = term.value
            kind = "boolean" if isinstance(value, bool) else "string" if isinstance(value, str) else "number"
            groups.setdefault((term.field, kind), []).append(float(value) if kind == "number" else value)
    found = []
    for (name, kind), values in groups.items():
        view = views[name]
        side = {"boolean": view.boolean, "string": view.string, "number": view.number}[kind]
        if side is not None:
            found.append(side.isin(values).fill_null(False))
    return found


def balanced(terms: list[Any], op: Callable[[Any, Any], Any]) -> Any:
    """``terms`` joined by ``op`` as a balanced tree: an enum of thousands of values or a schema of as many fields
    nests log2(n) deep, where a chain would exhaust Python's recursion in ibis and sqlglot."""
    while len(terms) > 1:
        terms = [op(terms[i], terms[i + 1]) if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)]
    return terms[0]


def as_column(expr: Any, table: ir.Table) -> Any:
    """A boolean of every row (a constant becomes a column, so it can be summed)."""
    return expr if isinstance(expr, ir.Column) else table[TRUE] == expr


def _count(expr: Any) -> Any:
    # a boolean's sum: ibis writes SUM(CAST(p AS INT)) in each dialect (PostgreSQL has no cast of a boolean to BIGINT)
    return expr.sum()


def _recheck(plan: p.Plan, views: dict[str, View], projected: ir.Table) -> Any:
    recheck = predicate(plan.recheck, views, projected)
    if NOT_OBJECT in projected.columns:
        recheck = recheck | projected[NOT_OBJECT].fill_null(False)
    return recheck


@dataclass(frozen=True)
class Shape:
    """What a source offers beyond its columns: the column listing each record's keys, the column telling a line
    that is not an object, each row's ordinal (an expression: a column, or a row number), and whether rows come in
    that order by themselves."""

    keys: str | None = None
    not_object: str | None = None
    ordinal: Any = None
    in_order: bool = False  # rows come in the ordinal's order without an ORDER BY (DuckDB over files)
    refuse: str | None = None  # a boolean column: rows the engine cannot judge as the reference would
    # the files of a source of several, as its ``filename`` column names them: the aggregate finds the first
    # ordinal of each (``start:<i>``), which an example's line number needs
    files: tuple[str, ...] = ()
    filename: str | None = None


def aggregate(table: ir.Table, plan: p.Plan, shape: Shape) -> tuple[ir.Table, list[str]]:
    """ONE aggregate expression of the plan, and the names of its columns in order: ``rows``, ``invalid`` (rows the
    engine judges invalid), ``recheck`` (rows the validator judges), ``null:<field>`` per null-rate field,
    ``bin:<field>:<i>`` per drift bin, ``edge:<field>`` per drift field with edges beyond 2^53 (the rows whose
    number is such an edge's double: their bin is the reference's to find), ``start:<i>`` per file of
    ``shape.files``, ``cat:<field>:<i>`` per counted baseline category of a categorical drift field
    (``plan.category_counts``) and ``cat:<field>:rest`` for its other values (not null)."""
    starts = bool(shape.files) and shape.filename is not None
    extra = ((shape.refuse,) if shape.refuse is not None else ()) + (
        (shape.filename, shape.ordinal.get_name()) if starts else ())
    projected, views = project(table, plan, keys=shape.keys, not_object=shape.not_object, extra=extra)
    flags: dict[str, Any] = {INVALID: predicate(plan.invalid, views, projected),
                             RECHECK: _recheck(plan, views, projected)}
    for name in plan.null_fields:
        if name in views:
            flags[f"__mg_null_{name}"] = as_column(views[name].null, projected)
    for bins in plan.numeric_bins:
        view = views.get(bins.field)
        if view is None or view.number is None:
            continue
        n = view.number
        finite = ~(n.isnan() | n.isinf()).fill_null(True)
        number = ~view.null & view.type_is(frozenset({"number"})).fill_null(False) & finite
        # the bin of each row's number, once: the first edge at or above it (bisect_left over sorted edges)
        edges = [ibis.literal(e, type="float64") for e in bins.edges]
        index = ibis.cases(*[(n <= edge, i) for i, edge in enumerate(edges)], else_=len(edges)) if edges \
            else ibis.literal(0)
        flags[f"__mg_bin_{bins.field}"] = ibis.cases((number, index), else_=ibis.null("int64"))
        big = [e for e in bins.edges if abs(e) >= p.EXACT_INTEGER]
        if big:  # an integer whose double IS such an edge lies above or below it: the double cannot say which
            flags[f"__mg_edge_{bins.field}"] = number & n.isin(big).fill_null(False)
    for counts in plan.category_counts:
        view = views.get(counts.field)
        if view is None:
            continue
        tests = [predicate(test, views, projected) for _key, test in counts.counted]
        for i, test in enumerate(tests):
            flags[f"__mg_cat_{counts.field}_{i}"] = test
        flags[f"__mg_cat_{counts.field}_rest"] = ~view.null & ~balanced(tests, operator.or_)
    if shape.refuse is not None:
        flags[REFUSED] = projected[shape.refuse].fill_null(False)
    if starts:
        flags[ORDINAL] = projected[shape.ordinal.get_name()]
        flags[FILENAME] = projected[shape.filename]
    rows = projected.select(**flags)  # each row's verdicts, computed once; the sums below only add them up
    aggs: dict[str, Any] = {"rows": rows.count(), "invalid": _count(rows[INVALID] & ~rows[RECHECK]),
                            "recheck": _count(rows[RECHECK])}
    if REFUSED in rows.columns:
        aggs["refused"] = _count(rows[REFUSED])
    for name in plan.null_fields:
        aggs[f"null:{name}"] = _count(rows[f"__mg_null_{name}"]) if name in views else rows.count()
    for bins in plan.numeric_bins:
        if f"__mg_edge_{bins.field}" in rows.columns:
            aggs[f"edge:{bins.field}"] = _count(rows[f"__mg_edge_{bins.field}"])
        if f"__mg_bin_{bins.field}" not in rows.columns:
            continue
        index = rows[f"__mg_bin_{bins.field}"]
        for i in range(len(bins.edges) + 1):
            aggs[f"bin:{bins.field}:{i}"] = _count((index == i).fill_null(False))
    if starts:
        for i, name in enumerate(shape.files):
            aggs[f"start:{i}"] = rows[ORDINAL].min(where=rows[FILENAME] == name)
    for counts in plan.category_counts:
        if f"__mg_cat_{counts.field}_rest" not in rows.columns:
            continue
        for i in range(len(counts.counted)):
            aggs[f"cat:{counts.field}:{i}"] = _count(rows[f"__mg_cat_{counts.field}_{i}"])
        aggs[f"cat:{counts.field}:rest"] = _count(rows[f"__mg_cat_{counts.field}_rest"])
    names = list(aggs)
    return rows.aggregate(**{f"c{i}": aggs[name] for i, name in enumerate(names)}), names


def _projected(table: ir.Table, plan: p.Plan, shape: Shape, wanted: list[str]) -> tuple[ir.Table, dict[str, View]]:
    base = table.mutate(**{ORDINAL: shape.ordinal})
    return project(base, plan, keys=shape.keys, extra=(ORDINAL, *wanted), not_object=shape.not_object)


def recheck_rows(table: ir.Table, plan: p.Plan, shape: Shape, wanted: list[str]) -> ir.Table:
    """The rows the validator judges, in no particular order: the ordinal, the ``wanted`` source columns, and
    whether the record has keys the schema forbids (``OTHER_KEYS``)."""
    projected, views = _projected(table, plan, shape, wanted)
    flags = {OTHER_KEYS: predicate(p.any_of(_other_keys(plan.invalid)), views, projected)}
    return projected.filter(_recheck(plan, views, projected)).select(ORDINAL, *wanted, **flags)


def invalid_rows(table: ir.Table, plan: p.Plan, shape: Shape, wanted: list[str], limit: int) -> ir.Table:
    """The first ``limit`` rows the engine judges invalid, in source order: the ordinal and ``wanted``. When the
    engine keeps the source's order by itself (``shape.in_order``), it stops at the ``limit``-th instead of reading
    on to sort."""
    projected, views = _projected(table, plan, shape, wanted)
    invalid = predicate(plan.invalid, views, projected)
    out = projected.filter(invalid & ~_recheck(plan, views, projected)).select(ORDINAL, *wanted)
    return (out if shape.in_order else out.order_by(ORDINAL)).limit(limit)


def _other_keys(pred: p.Pred) -> list[p.Pred]:
    if isinstance(pred, p.OtherKeys):
        return [pred]
    if isinstance(pred, p.Or):
        return [q for term in pred.terms for q in _other_keys(term)]
    return []


def categories(table: ir.Table, name: str, kind: str) -> ir.Table:
    """The distinct non-null values of a drift field with their counts (``value``, ``n``). A float column is grouped
    by its text too: SQL holds -0.0 equal to 0.0, which are two categories (``stats.category``)."""
    c = table[name]
    value = c.cast("string") if kind == "json" else c
    keys = {"value": value, "text": c.cast("string")} if c.type().is_floating() else {"value": value}
    return table.filter(~is_null(c)).group_by(**keys).aggregate(n=ibis._.count())
