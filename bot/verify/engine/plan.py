"""What verifying a source means, as data: the exact predicates of a contract version's schema, and the rest.

Pure (no ibis): a contract version's schema, its quality expectations and the drift inputs become a :class:`Plan`,
which ``compile`` turns into queries. Only what translates EXACTLY for a field's source kind becomes a predicate:
``type``, ``enum``, ``const``, ``minimum``/``maximum``/``exclusive*``, ``multipleOf`` (an integer divisor),
``minLength``/``maxLength`` (code points, as JSON Schema counts them), ``pattern`` (only in a subset whose meaning
is the same in the engine's regular expressions and the validator's, and only where the engine has them),
``required`` and a top-level ``additionalProperties: false``. Every other keyword is checked per row by the
validator the reference uses (``row_checked`` names them for the report); a value the engine cannot compare
exactly (a number beyond 2**53, a NaN or an infinity) sends its row to the validator too (``guard``).

A field's source kind: ``json`` (a JSON Lines value kept as JSON), ``text`` (a CSV cell, coerced as
``bot.verify.readers.coercer`` does), ``native:<json type>`` (a typed column of a table or Parquet file; its JSON
type as ``bot.verify.readers._arrow_kind`` gives it, ``native:other`` for a type the engine cannot compare) or
``absent`` (the source has no such column).

A value that is null or missing is judged by whether the field's schema accepts null (the validator says, once,
at plan time) and whether the field is required. The two differ only for an optional field that rejects null, or
a required one that accepts it: only then must a JSON Lines source tell a null from a missing key
(``Plan.needs_keys``).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.verify.baseline import OTHER
from bot.verify.fields import properties, property_types
from bot.verify.validate import RecordValidator

EXACT_INTEGER = 2**53  # beyond this a number's double may not be the number: its row is checked by the validator
MAX_COUNTED = 128  # baseline categories of a drift field counted in the one aggregate; more: a GROUP BY
ANNOTATIONS = frozenset({"title", "description", "$comment", "examples", "default", "deprecated", "readOnly",
                         "writeOnly", "format", "contentMediaType", "contentEncoding", "contentSchema", "$anchor",
                         "$id", "$schema", "$defs", "definitions", "$vocabulary", "$dynamicAnchor"})
FIELD_KEYWORDS = frozenset({"type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                            "multipleOf", "minLength", "maxLength", "pattern"})
ROOT_KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties"})
_NUMERIC = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "enum", "const"})
JSON_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
# A pattern made only of these tokens means the same to RE2 (DuckDB) and to jsonschema-rs's ECMA-262 reading: no
# "." (line breaks differ), no \s or \b (Unicode or not), no \p classes, no flags, no escapes of letters but \d \w,
# and of punctuation only the regex syntax characters (RE2 reads "\<" as "<", the validator as a word boundary).
_SAFE_PATTERN = re.compile(  # one literal (patterns outside bot/compat/patterns.py are constants, tests/compat)
    r"(?:[A-Za-z0-9_ \-^$|)?*+,=!@#%&~'\"<>;/:]"  # literals, anchors, alternation, quantifiers
    r"|\((?!\?)|\(\?:"  # groups: plain or non-capturing (no flags, no look-arounds)
    r"|\{\d+(?:,\d*)?\}"  # bounded repetition
    r"|\\[dwDW]|\\[.^$|?*+()\[\]{}\\/\-]"  # ASCII classes, escaped syntax characters
    r"|\[\^?(?:[^\]\\.\[]|\\[dwDW]|\\[.^$|?*+()\[\]{}\\/\-])+\])*")  # classes of the same


# --- value predicates: over the typed views of a field's value (see compile) -------------------------------------

@dataclass(frozen=True)
class TypeIs:
    """The value's JSON type is one of ``types`` ("integer" holds whole numbers, "number" every number)."""

    field: str
    types: frozenset[str]


@dataclass(frozen=True)
class Cmp:
    """The value is a number and ``value <op> bound`` (op: < <= > >=)."""

    field: str
    op: str
    bound: float


@dataclass(frozen=True)
class MultipleOf:
    """The value is a whole number that ``divisor`` (a whole number) divides."""

    field: str
    divisor: int


@dataclass(frozen=True)
class Equals:
    """The value equals the JSON scalar ``value`` (JSON equality: 1 equals 1.0; true does not equal 1)."""

    field: str
    value: Any


@dataclass(frozen=True)
class Len:
    """The value is a string and its length in code points ``<op> bound``."""

    field: str
    op: str
    bound: int


@dataclass(frozen=True)
class Matches:
    """The value is a string the pattern matches (searched, not anchored, as JSON Schema does)."""

    field: str
    pattern: str


@dataclass(frozen=True)
class IsNull:
    """The value is null or missing (a NaN is a value)."""

    field: str


@dataclass(frozen=True)
class Present:
    """The record has the key (null or not). Needs the source's keys (JSON Lines read whole)."""

    field: str


@dataclass(frozen=True)
class OtherKeys:
    """The record has a key outside ``names`` (JSON Lines read whole)."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class Guard:
    """The value is a number the engine cannot compare exactly: non-finite, or (``big``) beyond EXACT_INTEGER."""

    field: str
    big: bool


@dataclass(frozen=True)
class JsonText:
    """The value's JSON text (a JSON column's, as DuckDB wrote it) is ``text``."""

    field: str
    text: str


@dataclass(frozen=True)
class Lit:
    value: bool


@dataclass(frozen=True)
class Not:
    term: Pred


@dataclass(frozen=True)
class And:
    terms: tuple[Pred, ...]


@dataclass(frozen=True)
class Or:
    terms: tuple[Pred, ...]


Pred = (TypeIs | Cmp | MultipleOf | Equals | Len | Matches | IsNull | Present | OtherKeys | Guard | JsonText | Lit | Not
        | And | Or)


def any_of(terms: Sequence[Pred]) -> Pred:
    kept = [t for t in terms if t != Lit(False)]
    if any(t == Lit(True) for t in kept):
        return Lit(True)
    return kept[0] if len(kept) == 1 else Or(tuple(kept)) if kept else Lit(False)


def all_of(terms: Sequence[Pred]) -> Pred:
    kept = [t for t in terms if t != Lit(True)]
    if any(t == Lit(False) for t in kept):
        return Lit(False)
    return kept[0] if len(kept) == 1 else And(tuple(kept)) if kept else Lit(True)


# --- the plan -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """One keyword of one field: a value (not null) violates it when ``violated`` holds (``key``: ``maximum:score``)."""

    key: str
    violated: Pred


@dataclass(frozen=True)
class FieldPlan:
    name: str
    kind: str
    types: frozenset[str]  # the JSON types the schema names for the field (how a CSV cell is coerced)
    required: bool
    accepts_null: bool
    needs_presence: bool
    checks: tuple[Check, ...]
    row_checked: tuple[str, ...]  # keywords of this field the validator checks per row
    guard: Pred  # a value the engine cannot judge exactly: its row goes to the validator


@dataclass(frozen=True)
class NumericBins:
    field: str
    edges: tuple[float, ...]  # bin i holds edges[i-1] < v <= edges[i] (bisect_left); ints and finite floats only


@dataclass(frozen=True)
class CategoryCounts:
    """A categorical drift field's baseline categories, counted in the aggregate: ``counted`` pairs a category
    (``bot.verify.stats.category``'s key) with a test that only a value of that category passes. A category with
    no such test here (a list, an object, a float of a typed column) is not counted: its values, with every value
    outside the baseline's categories, fall in the count of the rest, and when that count is not zero the field is
    counted by value (a GROUP BY) instead. ``complete``: every value of a baseline category passes its test, so the
    rest are values outside the baseline's categories."""

    field: str
    counted: tuple[tuple[Hashable, Pred], ...]
    complete: bool


@dataclass(frozen=True)
class Plan:
    fields: tuple[FieldPlan, ...]
    invalid: Pred  # the row is invalid (exact where ``recheck`` does not hold)
    recheck: Pred  # the row is judged by the validator instead
    row_checked: tuple[tuple[str, tuple[str, ...]], ...]  # (field or "#", keywords) checked per row
    whole_records: bool  # the validator needs the whole record (a top-level keyword the engine cannot check)
    null_fields: tuple[str, ...]
    numeric_bins: tuple[NumericBins, ...]
    categorical: tuple[str, ...]
    extra_columns: tuple[str, ...] = ()
    category_counts: tuple[CategoryCounts, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def needs_keys(self) -> bool:
        """A JSON Lines source must be read as whole objects: presence, other keys or the whole record matter."""
        return self.whole_records or any(f.needs_presence for f in self.fields) or _mentions_keys(self.invalid)

    @property
    def checked_per_row(self) -> bool:
        return self.recheck == Lit(True)


def _mentions_keys(pred: Pred) -> bool:
    if isinstance(pred, OtherKeys | Present):
        return True
    if isinstance(pred, Not):
        return _mentions_keys(pred.term)
    if isinstance(pred, And | Or):
        return any(_mentions_keys(t) for t in pred.terms)
    return False


@dataclass(frozen=True)
class Measures:
    """What is measured besides validity: the null-rate fields, the numeric drift fields with their bins (the
    baseline's inner edges), the categorical drift fields (counted by value) and, for some of them, the baseline's
    categories (counted in the aggregate)."""

    null_fields: Sequence[str] = ()
    numeric: Mapping[str, Sequence[float]] = field(default_factory=dict)
    categorical: Sequence[str] = ()
    categories: Mapping[str, Sequence[Hashable]] = field(default_factory=dict)  # a categorical field's baseline keys


@dataclass(frozen=True)
class _Context:
    base: Mapping[str, Any]  # the root schema's keywords a field's schema may refer to ($defs, $schema, ...)
    tabular: bool
    regex: bool


def build(schema: Any, measures: Measures, columns: Mapping[str, str], *, tabular: bool, regex: bool = True) -> Plan:
    """The plan of ``schema`` over a source whose columns have the source kinds ``columns`` (every column the source
    has, by name: ``json``, ``text``, ``native:<json type>``); ``tabular``: every record has every column (a missing
    field is a missing column); ``regex``: the engine evaluates RE2 patterns."""
    props = properties(schema)
    root = schema if isinstance(schema, dict) else {}
    whole = _root_row_checked(root)
    required = set(root.get("required", [])) if isinstance(root.get("required"), list) else set()
    context = _Context({k: v for k, v in root.items() if k in ANNOTATIONS}, tabular, regex)
    fields: list[FieldPlan] = []
    terms: list[Pred] = []
    rechecks: list[Pred] = []
    row_checked: list[tuple[str, tuple[str, ...]]] = []
    measured = {*measures.null_fields, *measures.numeric, *measures.categorical}
    for name in sorted(set(props) | required | measured):
        prop = props.get(name, {})
        kind = columns.get(name, "absent")
        plan = _field(name, prop, kind, name in required, context)
        fields.append(plan)
        if plan.row_checked:
            row_checked.append((name, plan.row_checked))
        terms.append(_field_invalid(plan, tabular))
        rechecks.append(plan.guard)
    extra: tuple[str, ...] = ()
    if root.get("additionalProperties") is False:
        if tabular:
            extra = tuple(sorted(set(columns) - set(props)))
            if extra:
                terms.append(Lit(True))
        else:
            terms.append(OtherKeys(tuple(sorted(props))))
    if whole:
        row_checked.insert(0, ("#", whole))
        rechecks.append(Lit(True))
    return Plan(fields=tuple(fields), invalid=any_of(terms), recheck=any_of(rechecks),
                row_checked=tuple(row_checked), whole_records=bool(whole), null_fields=tuple(measures.null_fields),
                numeric_bins=tuple(NumericBins(n, tuple(e)) for n, e in measures.numeric.items()),
                categorical=tuple(measures.categorical), extra_columns=extra,
                category_counts=tuple(counts for name, keys in measures.categories.items()
                                      if (counts := _category_counts(name, keys, columns.get(name, "absent")))))


def _category_counts(name: str, keys: Sequence[Hashable], kind: str) -> CategoryCounts | None:
    """How the aggregate counts the baseline categories ``keys`` of a field of source kind ``kind`` (None: it does
    not; CSV cells are coerced by the field's types, which a GROUP BY of the cells does)."""
    if len(keys) > MAX_COUNTED or not (kind == "json" or kind.startswith("native:")):
        return None
    counted: list[tuple[Hashable, Pred]] = []
    complete = True
    for key in keys:
        test = _category_test(name, key, kind)
        if test is None:
            complete = complete and key == OTHER
        else:
            counted.append((key, test))
            complete = complete and isinstance(test, Equals) and isinstance(test.value, str | bool)
    return CategoryCounts(name, tuple(counted), complete) if counted else None


def _category_test(name: str, key: Hashable, kind: str) -> Pred | None:
    """The test only a value of category ``key`` passes (``stats.category``: a string is its own key, any other
    value its type's name and its JSON text): a string or a boolean by equality; a JSON number by its text (the JSON
    text of a number is one of its category's exactly when it is that text: ``1.0`` is a float, ``1`` an integer);
    a typed column's integer by equality."""
    if isinstance(key, str):
        return Equals(name, key) if kind in ("json", "native:string") else None
    if not (isinstance(key, tuple) and len(key) == 2 and isinstance(key[1], str)):
        return None
    type_name, text = key
    if type_name == "bool" and kind in ("json", "native:boolean"):
        return Equals(name, text == "true")
    if type_name in ("int", "float") and kind == "json":
        return JsonText(name, text)
    if type_name == "int" and kind == "native:integer" and abs(int(text)) < EXACT_INTEGER:
        return Equals(name, int(text))
    return None


def _root_row_checked(root: Mapping[str, Any]) -> tuple[str, ...]:
    """The top-level keywords the engine cannot check (the validator checks them on the whole record)."""
    found = [k for k in root if k not in ANNOTATIONS and k not in ROOT_KEYWORDS]
    if "type" in root and root["type"] != "object":
        found.append("type")
    extra = root.get("additionalProperties", True)
    if extra is not True and extra is not False:
        found.append("additionalProperties")
    if "properties" in root and not isinstance(root["properties"], dict):
        found.append("properties")
    if "required" in root and not (isinstance(root["required"], list)
                                   and all(isinstance(r, str) for r in root["required"])):
        found.append("required")
    return tuple(sorted(set(found)))


def _accepts_null(name: str, prop: Any, base: Mapping[str, Any]) -> bool:
    schema = {**base, "type": "object", "properties": {name: prop}}
    return RecordValidator(schema).is_valid({name: None})


def _field(name: str, prop: Any, kind: str, required: bool, context: _Context) -> FieldPlan:
    accepts_null = _accepts_null(name, prop, context.base)
    needs_presence = required == accepts_null and not context.tabular and kind != "absent"
    if not isinstance(prop, dict):  # true or false
        return FieldPlan(name, kind, property_types(prop), required, accepts_null, needs_presence,
                         (Check(f"false:{name}", Lit(prop is False)),), (), Lit(False))
    checks: list[Check] = []
    rowed = sorted(k for k in prop if k not in ANNOTATIONS and k not in FIELD_KEYWORDS)
    if kind == "native:other" or (kind.startswith("native:") and kind[7:] in ("array", "object")):
        rowed = sorted(k for k in prop if k not in ANNOTATIONS)  # the engine's view of such a value is not JSON's
    numeric_rowed = False
    for keyword in sorted(k for k in prop if k in FIELD_KEYWORDS and k not in rowed):
        violated = _keyword(name, keyword, prop, kind, context.regex)
        if violated is None:
            rowed.append(keyword)
            numeric_rowed |= keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
        else:
            checks.append(Check(f"{keyword}:{name}", violated))
    rowed = sorted(set(rowed))
    numeric_checks = any(_compares_numbers(c) for c in checks)
    if rowed:
        guard: Pred = Not(IsNull(name))
    elif kind in ("json", "text", "native:integer", "native:number") and (
            numeric_checks or numeric_rowed or property_types(prop) & {"number", "integer"}):
        guard = Guard(name, big=numeric_checks or numeric_rowed)  # a NaN or an infinity is no JSON Schema number
    else:
        guard = Lit(False)
    return FieldPlan(name, kind, property_types(prop), required, accepts_null, needs_presence, tuple(checks),
                     tuple(rowed), guard)


def _compares_numbers(check: Check) -> bool:
    """The check compares the value as a number (a double), which is not exact for a NaN, an infinity or a number
    beyond 2**53; an enum or a const of strings, booleans and null is exact for them (they are none of its values)."""
    keyword = check.key.split(":")[0]
    if keyword in ("enum", "const"):
        return _equals_a_number(check.violated)
    return keyword in _NUMERIC


def _equals_a_number(pred: Pred) -> bool:
    if isinstance(pred, Equals):
        return isinstance(pred.value, int | float) and not isinstance(pred.value, bool)
    if isinstance(pred, Not):
        return _equals_a_number(pred.term)
    if isinstance(pred, And | Or):
        return any(_equals_a_number(t) for t in pred.terms)
    return False


def _keyword(name: str, keyword: str, prop: Mapping[str, Any], kind: str, regex: bool) -> Pred | None:
    """The predicate a non-null value violating ``keyword`` satisfies; None: not exact here (row-checked)."""
    value = prop[keyword]
    if kind == "text" and keyword not in ("type",) and _text_may_be_json(prop):
        return None  # a CSV cell that parses as an array or object: only the validator sees that value
    if keyword == "type":
        types = property_types({"type": value})
        if not types or not isinstance(value, str | list) or not types <= set(JSON_TYPES):
            return None
        if kind == "text" and _text_may_be_json(prop):
            return None
        return Not(TypeIs(name, frozenset(types - {"null"})))
    if keyword in ("enum", "const"):
        values = value if keyword == "enum" else [value]
        if not isinstance(values, list) or any(isinstance(v, list | dict) for v in values):
            return None
        return Not(any_of([Equals(name, v) for v in values if v is not None]))
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if not _is_number(value) or isinstance(prop.get("exclusiveMinimum"), bool) \
                or isinstance(prop.get("exclusiveMaximum"), bool) or abs(value) >= EXACT_INTEGER:
            return None
        op = {"minimum": "<", "maximum": ">", "exclusiveMinimum": "<=", "exclusiveMaximum": ">="}[keyword]
        return Cmp(name, op, float(value))
    if keyword == "multipleOf":
        if not _is_number(value) or value <= 0 or value != int(value) or value >= EXACT_INTEGER:
            return None
        return And((TypeIs(name, frozenset({"number"})), Not(MultipleOf(name, int(value)))))
    if keyword in ("minLength", "maxLength"):
        if type(value) is not int or value < 0:
            return None
        return Len(name, "<" if keyword == "minLength" else ">", value)
    if keyword == "pattern":
        if not regex or not isinstance(value, str) or not _SAFE_PATTERN.fullmatch(value):
            return None
        return And((TypeIs(name, frozenset({"string"})), Not(Matches(name, value))))
    return None


def _text_may_be_json(prop: Mapping[str, Any]) -> bool:
    return bool(property_types(prop) & {"array", "object"})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value \
        and value not in (float("inf"), float("-inf"))


def _field_invalid(plan: FieldPlan, tabular: bool) -> Pred:
    """The row is invalid because of this field (exact unless the field's guard holds)."""
    name = plan.name
    if plan.kind == "absent":
        return Lit(plan.required)
    if plan.needs_presence:
        null_part = any_of([Not(Present(name)) if plan.required else Lit(False),
                            all_of([Present(name), IsNull(name)]) if not plan.accepts_null else Lit(False)])
    elif tabular:  # every record has the key: null is a value
        null_part = Lit(False) if plan.accepts_null else IsNull(name)
    else:  # missing and null are judged alike here
        null_part = IsNull(name) if plan.required or not plan.accepts_null else Lit(False)
    violated = any_of([c.violated for c in plan.checks])
    return any_of([null_part, all_of([Not(IsNull(name)), violated])])
