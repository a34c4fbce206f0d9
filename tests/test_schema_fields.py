"""``bot.schema_fields``: dotted field paths resolved in a JSON Schema, as MG010 and field-level impact read them."""

from __future__ import annotations

from typing import Any

import pytest

from bot import schema_fields
from bot.schema_fields import FieldResolver, Lookup


def status(schema: Any, path: str) -> str:
    return FieldResolver(schema).lookup(path).status


NESTED = {"type": "object", "properties": {
    "age_days": {"type": "integer"},
    "user": {"type": "object", "properties": {"age": {"type": "integer"},
                                              "address": {"type": "object", "properties": {"zip": {}}}}}}}


@pytest.mark.parametrize(("path", "expected"), [
    ("age_days", "declared"), ("user", "declared"), ("user.age", "declared"), ("user.address.zip", "declared"),
    ("age_dayz", "undeclared"), ("user.agee", "undeclared"), ("user.address.zipp", "undeclared"),
    ("age_days.x", "undeclared"), ("user.", "undeclared"), ("", "undeclared"), (".user", "undeclared")])
def test_nested_dotted_paths(path: str, expected: str) -> None:
    assert status(NESTED, path) == expected


def test_an_undeclared_step_names_the_prefix_that_is_missing_and_a_close_declared_path() -> None:
    resolver = FieldResolver(NESTED)
    assert resolver.lookup("age_dayz") == Lookup("undeclared", "age_dayz", "age_days")
    assert resolver.lookup("user.agee") == Lookup("undeclared", "user.agee", "user.age")
    assert resolver.lookup("usr.age") == Lookup("undeclared", "usr", "user")
    assert resolver.lookup("zzz") == Lookup("undeclared", "zzz", None)


def test_local_refs_are_followed_pointers_and_anchors() -> None:
    schema = {"type": "object",
              "properties": {"user": {"$ref": "#/$defs/user"}, "shop": {"$ref": "#shop"},
                             "old": {"$ref": "#/definitions/old"}},
              "$defs": {"user": {"properties": {"age": {}}}, "shop": {"$anchor": "shop", "properties": {"city": {}}}},
              "definitions": {"old": {"properties": {"kept": {}}}}}
    assert [status(schema, p) for p in ("user.age", "shop.city", "old.kept")] == ["declared"] * 3
    assert FieldResolver(schema).lookup("user.ag") == Lookup("undeclared", "user.ag", "user.age")
    assert status({"$ref": "#/$defs/root", "$defs": {"root": {"properties": {"a": {}}}}}, "a") == "declared"


def test_all_of_and_every_branch_of_any_of_and_one_of() -> None:
    schema = {"allOf": [{"properties": {"a": {}}},
                        {"anyOf": [{"properties": {"b": {}}}, {"oneOf": [{"properties": {"c": {}}}, True]}]}]}
    assert [status(schema, p) for p in ("a", "b", "c", "d")] == ["declared", "declared", "declared", "undeclared"]
    branches = {"properties": {"pay": {"oneOf": [{"properties": {"card": {}}}, {"properties": {"iban": {}}}]}}}
    assert [status(branches, p) for p in ("pay.card", "pay.iban", "pay.cash")] == [
        "declared", "declared", "undeclared"]


def test_dependent_schemas_then_and_else_declare_too_but_if_and_not_do_not() -> None:
    schema = {"dependentSchemas": {"a": {"properties": {"b": {}}}}, "dependencies": {"c": {"properties": {"d": {}}}},
              "if": {"properties": {"e": {}}}, "then": {"properties": {"f": {}}}, "else": {"properties": {"g": {}}},
              "not": {"properties": {"h": {}}}}
    assert [status(schema, p) for p in "bdfgeh"] == ["declared"] * 4 + ["undeclared"] * 2


def test_a_step_into_an_array_of_objects_names_a_property_of_its_items() -> None:
    schema = {"properties": {
        "orders": {"type": "array", "items": {"type": "object", "properties": {"amount": {}}}},
        "pair": {"type": "array", "prefixItems": [{"properties": {"first": {}}}, {"properties": {"second": {}}}]},
        "old": {"type": "array", "items": [{"properties": {"tuple": {}}}]},
        "grid": {"type": "array", "items": {"type": "array", "items": {"properties": {"cell": {}}}}}}}
    assert [status(schema, p) for p in ("orders.amount", "pair.first", "pair.second", "old.tuple", "grid.cell")] == [
        "declared"] * 5
    assert FieldResolver(schema).lookup("orders.amout") == Lookup("undeclared", "orders.amout", "orders.amount")
    assert status(schema, "orders.0") == "undeclared"  # no index step


def test_ref_cycles_end_and_recursive_schemas_resolve_at_any_depth() -> None:
    node = {"$defs": {"node": {"properties": {"value": {}, "next": {"$ref": "#/$defs/node"}},
                               "allOf": [{"$ref": "#/$defs/node"}]}},
            "$ref": "#/$defs/node"}
    assert status(node, "next." * 5_000 + "value") == "declared"
    assert status(node, "next.next.nope") == "undeclared"
    assert status({"$ref": "#"}, "x") == "undeclared"
    loop = {"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}}
    assert status(loop, "x") == "undeclared"


def test_pattern_properties_declare_the_names_they_match_and_additional_properties_declares_none() -> None:
    schema = {"properties": {"fixed": {}}, "patternProperties": {"^x_": {"properties": {"deep": {}}}},
              "additionalProperties": {"properties": {"anything": {}}}}
    assert [status(schema, p) for p in ("x_1", "x_1.deep", "x_1.dep", "y_1", "y_1.anything")] == [
        "declared", "declared", "undeclared", "undeclared", "undeclared"]
    assert status({"type": "object"}, "a") == "undeclared"  # open: accepts a, promises nothing of it
    assert status({"properties": {"user": True}}, "user.age") == "undeclared"


def test_a_top_level_name_holding_a_dot_is_taken_as_is_first() -> None:
    schema = {"properties": {"a.b": {}, "c": {"properties": {"d.e": {}}}}}
    assert [status(schema, p) for p in ("a.b", "c.d.e")] == ["declared", "undeclared"]


def test_what_cannot_be_resolved_here_is_unknown_not_undeclared() -> None:
    assert status({"properties": {"a": {"$ref": "other.json#/x"}}}, "a.b") == "unknown"
    assert status({"allOf": [{"$ref": "#/$defs/missing"}]}, "a") == "unknown"
    assert status({"allOf": [{"$ref": "#/$defs/missing"}], "properties": {"a": {}}}, "a") == "declared"
    assert status({"patternProperties": {"^(a)\\1$": {}}}, "aa") == "unknown"  # a backreference: refused


@pytest.mark.parametrize("schema", [None, 3, "text", [], True, False, {"properties": [1]}, {"properties": {1: {}}},
                                    {"allOf": {"a": 1}}, {"$ref": 5}, {"items": "x"}, {"patternProperties": {1: {}}}])
def test_any_input_is_read_without_raising(schema: Any) -> None:
    assert status(schema, "a.b") == "undeclared"


def test_the_walk_is_bounded_by_a_budget_and_never_answers_declared_past_it(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = {"properties": {f"p{i}": {"properties": {"leaf": {}}} for i in range(100)}}
    monkeypatch.setattr(schema_fields, "BUDGET", 150)
    resolver = FieldResolver(schema)
    answers = [resolver.lookup(f"p{i}.leaf").status for i in range(100)]
    assert answers[0] == "declared" and answers[-1] == "too-complex"
    assert set(answers) == {"declared", "too-complex"}


def test_a_level_is_gathered_once_for_every_path_through_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """10^5 properties referring to one definition of 2,000 names; 10^4 paths through it: about 10^5 visits in
    all (each level once), where a walk per path would visit 2 * 10^7."""
    count = 100_000
    schema = {"properties": {f"p{i}": {"$ref": "#/$defs/shared"} for i in range(count)},
              "$defs": {"shared": {"allOf": [{"properties": {f"leaf{j}": {}}} for j in range(1_000)],
                                   "anyOf": [{"properties": {f"other{j}": {}}} for j in range(1_000)]}}}
    monkeypatch.setattr(schema_fields, "BUDGET", 3 * count)
    resolver = FieldResolver(schema)
    assert {resolver.lookup(f"p{i}.leaf{i % 1_000}").status for i in range(0, count, 10)} == {"declared"}
    assert resolver.lookup("p7.leef1").status == "undeclared"


def test_did_you_means_stop_at_the_resolvers_budget_and_every_path_is_still_judged() -> None:
    """2,000 misspelt fields against 10,000 properties took minutes of difflib in ``modelgate lint`` (found by the
    issue 13 attack): past ``SUGGEST_BUDGET`` names compared, the paths are still undeclared, without a hint."""
    from bot.schema_fields import SUGGEST_BUDGET

    names = 10_000
    resolver = FieldResolver({"type": "object", "properties": {f"field_{i:05d}": {} for i in range(names)}})
    found = [resolver.lookup(f"fiald_{i:05d}") for i in range(2_000)]
    assert {f.status for f in found} == {"undeclared"}
    hinted = [f.suggestion for f in found if f.suggestion]
    assert hinted[0] == "field_00000" and len(hinted) == SUGGEST_BUDGET // names


def test_fields_lists_the_declared_paths_depth_first_in_the_schemas_order() -> None:
    listing = FieldResolver(NESTED).fields(max_fields=100, max_depth=10)
    assert [(f.path, f.depth) for f in listing.fields] == [
        ("age_days", 0), ("user", 0), ("user.age", 1), ("user.address", 1), ("user.address.zip", 2)]
    assert (listing.cut_at_fields, listing.deeper, listing.too_complex) == (False, None, False)
    assert listing.fields[2].schemas == ({"type": "integer"},)


def test_fields_says_where_it_stopped() -> None:
    resolver = FieldResolver(NESTED)
    assert resolver.fields(max_fields=2, max_depth=10).cut_at_fields
    shallow = resolver.fields(max_fields=100, max_depth=2)
    assert [f.path for f in shallow.fields][-1] == "user.address"
    assert shallow.deeper == "user.address"
    recursive = {"$defs": {"n": {"properties": {"next": {"$ref": "#/$defs/n"}}}}, "$ref": "#/$defs/n"}
    listing = FieldResolver(recursive).fields(max_fields=100, max_depth=10)
    assert [f.path for f in listing.fields] == ["next"]  # it comes back to the level it started at
    assert listing.deeper is None


def test_resolved_follows_a_ref_chain_to_its_end_or_its_cycle() -> None:
    schema = {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"type": "string"}, "c": {"$ref": "#/$defs/c"}}}
    resolver = FieldResolver(schema)
    start = {"$ref": "#/$defs/a"}
    assert resolver.resolved(start) == [start, {"$ref": "#/$defs/b"}, {"type": "string"}]
    assert resolver.resolved({"$ref": "#/$defs/c"}) == [{"$ref": "#/$defs/c"}, {"$ref": "#/$defs/c"}]
    assert resolver.resolved({"$ref": "#/nowhere"}) == [{"$ref": "#/nowhere"}]
