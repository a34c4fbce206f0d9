"""The plan of a verification: which keywords become exact predicates, which are checked per row, and when a JSON
Lines source must tell a null from a missing key. Pure: no engine."""

from __future__ import annotations

import subprocess
import sys

from bot.verify.engine import plan as p

JSONL = {"a": "json", "b": "json"}


def build(schema, columns=None, *, tabular=False, regex=True, measures=None):
    columns = JSONL if columns is None else columns
    return p.build(schema, measures or p.Measures(), columns, tabular=tabular, regex=regex)


def field(plan, name):
    return next(f for f in plan.fields if f.name == name)


def test_translatable_keywords_are_predicates_and_nothing_is_checked_per_row():
    schema = {"type": "object", "properties": {
        "a": {"type": "number", "minimum": 0, "exclusiveMaximum": 1, "multipleOf": 2, "enum": [0, 0.5, "x", True]},
        "b": {"type": ["string", "null"], "minLength": 1, "maxLength": 3, "pattern": "^[a-z]+$", "title": "B",
              "format": "email"}}, "required": ["a"]}
    plan = build(schema)
    assert plan.row_checked == ()
    assert not plan.checked_per_row and not plan.whole_records
    assert {c.key for c in field(plan, "a").checks} == {"type:a", "minimum:a", "exclusiveMaximum:a", "multipleOf:a",
                                                       "enum:a"}
    assert field(plan, "a").checks[0] == p.Check("enum:a", p.Not(p.Or((p.Equals("a", 0), p.Equals("a", 0.5),
                                                                        p.Equals("a", "x"), p.Equals("a", True)))))
    assert {c.key for c in field(plan, "b").checks} == {"type:b", "minLength:b", "maxLength:b", "pattern:b"}
    assert field(plan, "a").guard == p.Guard("a", big=True)  # big numbers are compared by the validator
    assert field(plan, "b").guard == p.Lit(False)  # a string field: no number of it is compared


def test_keywords_without_an_exact_predicate_are_checked_per_row():
    schema = {"type": "object", "properties": {
        "a": {"oneOf": [{"type": "string"}, {"type": "integer"}], "multipleOf": 0.5, "pattern": "^.$"},
        "b": {"type": "array", "items": {"type": "string"}, "pattern": "\\s"}}}
    plan = build(schema)
    assert plan.row_checked == (("a", ("multipleOf", "oneOf", "pattern")), ("b", ("items", "pattern")))
    assert field(plan, "a").guard == p.Not(p.IsNull("a"))
    assert not plan.whole_records


def test_patterns_are_predicates_only_where_the_engine_reads_them_alike():
    schema = {"type": "object", "properties": {"a": {"pattern": "^(?:ab){2,3}[0-9_]\\d$"}}}
    assert field(build(schema), "a").row_checked == ()
    assert field(build(schema, regex=False), "a").row_checked == ("pattern",)
    for pattern in ["^.$", "\\s", "(?i)a", "\\bword", "\\p{L}", "^\\<b\\>$"]:
        assert field(build({"properties": {"a": {"pattern": pattern}}}), "a").row_checked == ("pattern",), pattern


def test_a_top_level_keyword_the_engine_cannot_check_needs_the_whole_record():
    plan = build({"type": "object", "properties": {"a": {}}, "anyOf": [{"required": ["a"]}, {"minProperties": 2}]})
    assert plan.whole_records and plan.needs_keys and plan.checked_per_row
    assert plan.row_checked == (("#", ("anyOf",)),)


def test_null_and_missing_differ_only_for_optional_non_nullable_and_required_nullable_fields():
    schema = {"type": "object", "properties": {"opt_null": {"type": ["string", "null"]}, "opt": {"type": "string"},
                                               "req_null": {"type": ["string", "null"]}, "req": {"type": "string"}},
              "required": ["req_null", "req"]}
    columns = dict.fromkeys(schema["properties"], "json")
    plan = build(schema, columns)
    assert {f.name: f.needs_presence for f in plan.fields} == {"opt_null": False, "opt": True, "req_null": True,
                                                               "req": False}
    assert plan.needs_keys
    assert not build({"properties": {"a": {"type": ["string", "null"]}}}).needs_keys
    assert not build(schema, columns, tabular=True).needs_keys  # every record has every column


def test_the_validator_says_whether_a_field_accepts_null():
    schema = {"$defs": {"maybe": {"type": ["integer", "null"]}},
              "properties": {"a": {"$ref": "#/$defs/maybe"}, "b": {"enum": ["x", None]}}}
    plan = build(schema)
    assert field(plan, "a").accepts_null and field(plan, "b").accepts_null
    assert not field(build({"properties": {"a": {"const": 1}}}), "a").accepts_null


def test_additional_properties_false():
    schema = {"type": "object", "properties": {"a": {}}, "additionalProperties": False}
    assert build(schema, {"a": "native:integer", "zz": "native:string"}, tabular=True).invalid == p.Lit(True)
    assert build(schema, {"a": "native:integer"}, tabular=True).invalid == p.Lit(False)
    jsonl = build(schema)
    assert jsonl.invalid == p.OtherKeys(("a",)) and jsonl.needs_keys


def test_a_required_field_without_a_column_makes_every_record_invalid():
    plan = build({"properties": {"a": {"type": "integer"}}, "required": ["a", "z"]}, {"a": "native:integer"},
                 tabular=True)
    assert field(plan, "z").kind == "absent"
    assert plan.invalid == p.Lit(True)


def test_typed_columns_whose_values_are_not_json_values_are_checked_per_row():
    plan = build({"properties": {"a": {"type": "string", "maxLength": 3}, "b": {"type": "array", "maxItems": 2}}},
                 {"a": "native:other", "b": "native:array"}, tabular=True)
    assert plan.row_checked == (("a", ("maxLength", "type")), ("b", ("maxItems", "type")))


def test_csv_cells_that_may_hold_json_are_checked_per_row():
    plan = build({"properties": {"a": {"type": ["array", "string"], "maxLength": 2}}}, {"a": "text"}, tabular=True)
    assert field(plan, "a").row_checked == ("maxLength", "type")


def test_measures_are_carried():
    plan = build({"properties": {"a": {}}}, measures=p.Measures(["a"], {"a": [0.5, 1.0]}, ["b"]))
    assert plan.null_fields == ("a",)
    assert plan.numeric_bins == (p.NumericBins("a", (0.5, 1.0)),)
    assert plan.categorical == ("b",)


OTHER = ("modelgate-baseline", "other")


def counts(keys, kind="json"):
    plan = build({"properties": {"a": {}}}, {"a": kind}, tabular=kind != "json",
                 measures=p.Measures(categorical=["a"], categories={"a": keys}))
    return plan.category_counts[0] if plan.category_counts else None


def test_baseline_categories_are_counted_by_an_exact_test():
    found = counts(["x", ("bool", "true"), ("int", "12"), ("float", "1.0"), ("list", "[1]"), ("dict", "{}")])
    assert found.counted == (("x", p.Equals("a", "x")), (("bool", "true"), p.Equals("a", True)),
                             (("int", "12"), p.JsonText("a", "12")), (("float", "1.0"), p.JsonText("a", "1.0")))
    assert not found.complete  # a list or an object is not counted, and a number's other texts are not its


def test_strings_and_booleans_are_counted_completely():
    assert counts(["x", "é", ("bool", "false")]).complete
    assert counts(["x", OTHER]).complete  # a baseline file's folded categories: no value is of that key
    assert not counts(["x", ("int", "1")]).complete


def test_typed_columns_count_their_own_type_only():
    assert counts(["x", ("int", "1")], "native:string").counted == (("x", p.Equals("a", "x")),)
    assert counts([("int", "3"), ("int", str(2**53)), "3"], "native:integer").counted == (
        (("int", "3"), p.Equals("a", 3)),)
    assert counts([("float", "0.5"), ("float", "-0.0")], "native:number") is None  # -0.0 equals 0.0
    assert counts([("bool", "true")], "native:boolean").counted == ((("bool", "true"), p.Equals("a", True)),)


def test_csv_cells_and_many_categories_are_counted_by_value():
    assert counts(["x"], "text") is None  # a cell's category depends on the field's types (a GROUP BY coerces it)
    assert counts([str(i) for i in range(p.MAX_COUNTED + 1)]) is None
    assert counts([str(i) for i in range(p.MAX_COUNTED)]) is not None


def test_an_enum_without_numbers_needs_no_guard():
    """A value that is a NaN, an infinity or beyond 2**53 is none of an enum's strings: exact without the validator."""
    assert field(build({"properties": {"a": {"enum": ["x", True, None]}}}), "a").guard == p.Lit(False)
    assert field(build({"properties": {"a": {"const": "x"}}}), "a").guard == p.Lit(False)
    assert field(build({"properties": {"a": {"enum": ["x", 1]}}}), "a").guard == p.Guard("a", big=True)
    assert field(build({"properties": {"a": {"type": "number"}}}), "a").guard == p.Guard("a", big=False)


def test_the_plan_needs_no_engine():
    code = "import sys, bot.verify.engine.plan; assert not [m for m in sys.modules if m.startswith('ibis')]"
    subprocess.run([sys.executable, "-c", code], check=True)
