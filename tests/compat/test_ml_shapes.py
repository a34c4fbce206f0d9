"""The shapes ML contracts actually have: scores, labels, embeddings, nullable fields, records, trees."""

from bot.compat import compare, nonlocal_refs


def changes(old, new, **kw):
    return [(c.type, c.path, c.compatible) for c in compare(old, new, **kw).changes]


def score(lo=0, hi=1):
    return {"type": "object", "properties": {"score": {"type": "number", "minimum": lo, "maximum": hi}},
            "required": ["score"]}


def test_score_range_widened_is_backward_compatible_and_forward_breaking():
    assert changes(score(), score(hi=2)) == [("MAXIMUM_INCREASED", "#/properties/score/maximum", True)]
    forward = compare(score(), score(hi=2), mode="forward")
    assert not forward.compatible
    assert [(c.type, c.direction) for c in forward.changes] == [("MAXIMUM_DECREASED", "forward")]


def test_score_range_narrowed():
    assert changes(score(), score(lo=0.5)) == [("MINIMUM_INCREASED", "#/properties/score/minimum", False)]


def label(values):
    return {"type": "object", "properties": {"label": {"type": "string", "enum": values}}}


def test_label_enum_grows_and_shrinks():
    assert changes(label(["fraud", "ok"]), label(["fraud", "ok", "review"])) == [
        ("ENUM_ARRAY_EXTENDED", "#/properties/label/enum", True)]
    assert changes(label(["fraud", "ok"]), label(["fraud"])) == [
        ("ENUM_ARRAY_NARROWED", "#/properties/label/enum", False)]


def test_enum_added_to_free_string_narrows():
    old = {"type": "object", "properties": {"label": {"type": "string"}}}
    assert changes(old, label(["a"])) == [("PRODUCT_TYPE_EXTENDED", "#/properties/label", False)]
    assert changes(label(["a"]), old) == [("PRODUCT_TYPE_NARROWED", "#/properties/label", True)]


def embedding(dim, item="number"):
    return {"type": "array", "items": {"type": item}, "minItems": dim, "maxItems": dim}


def test_fixed_length_embedding_dimension_change_breaks():
    assert changes(embedding(128), embedding(256)) == [
        ("MAX_ITEMS_INCREASED", "#/maxItems", True), ("MIN_ITEMS_INCREASED", "#/minItems", False)]
    assert changes(embedding(128, "integer"), embedding(128)) == [("TYPE_EXTENDED", "#/items", True)]


def test_nullable_field():
    old = {"type": "object", "properties": {"age": {"type": "integer"}}}
    nullable = {"type": "object", "properties": {"age": {"type": ["integer", "null"]}}}
    via_one_of = {"type": "object", "properties": {"age": {"oneOf": [{"type": "null"}, {"type": "integer"}]}}}
    assert changes(old, nullable) == [("SUM_TYPE_EXTENDED", "#/properties/age", True)]
    assert changes(nullable, old) == [("SUM_TYPE_NARROWED", "#/properties/age", False)]
    assert changes(old, via_one_of) == [("SUM_TYPE_EXTENDED", "#/properties/age", True)]


def test_nested_record_changes_are_reported_at_depth():
    def record(amount_type):
        return {"type": "object", "properties": {
            "txn": {"type": "object", "properties": {"amount": {"type": amount_type}}, "required": ["amount"]}}}
    assert changes(record("number"), record("string")) == [
        ("TYPE_CHANGED", "#/properties/txn/properties/amount", False)]


def tree(leaf_type):
    return {"$defs": {"node": {"type": "object", "properties": {
        "value": {"type": leaf_type}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
        "$ref": "#/$defs/node"}


def test_recursive_tree_terminates_and_reports_once_per_place():
    assert compare(tree("number"), tree("number")).changes == []
    assert changes(tree("integer"), tree("number")) == [("TYPE_EXTENDED", "#/properties/value", True)]
    assert not compare(tree("number"), tree("string")).compatible


def test_ref_to_root_and_shared_definitions_are_reported_at_every_use():
    def two_uses(t):
        return {"definitions": {"money": {"type": t}}, "type": "object", "properties": {
            "a": {"$ref": "#/definitions/money"}, "b": {"$ref": "#/definitions/money"},
            "self": {"$ref": "#"}}}
    assert changes(two_uses("integer"), two_uses("number")) == [
        ("TYPE_EXTENDED", "#/properties/a", True), ("TYPE_EXTENDED", "#/properties/b", True),
        ("TYPE_EXTENDED", "#/properties/self/properties/a", True),
        ("TYPE_EXTENDED", "#/properties/self/properties/b", True)]


def test_non_local_refs_are_listed_and_never_fetched():
    schema = {"$id": "https://example.com/s.json", "type": "object", "properties": {
        "a": {"$ref": "https://elsewhere.example/x.json"}, "b": {"$ref": "other.json#/x"},
        "c": {"$ref": "#/$defs/c"}, "d": {"$ref": "https://example.com/s.json#/$defs/c"},
        "e": {"enum": [{"$ref": "data, not a schema"}]}}, "$defs": {"c": {"type": "string"}}}
    assert nonlocal_refs(schema) == ["#/properties/a/$ref", "#/properties/b/$ref"]
    changed = {**schema, "properties": {**schema["properties"], "a": {"$ref": "https://elsewhere.example/y.json"}}}
    assert changes(schema, schema) == []
    assert changes(schema, changed) == [("TYPE_CHANGED", "#/properties/a", False)]


def test_dangling_local_ref_is_opaque():
    assert compare({"$ref": "#/nowhere"}, {"$ref": "#/nowhere"}).changes == []


def test_boolean_schemas():
    assert compare(True, {"type": "string"}).compatible is False
    assert compare({"type": "string"}, True).changes == []
    assert compare(False, {"type": "string"}).changes == []


def test_draft07_and_2020_12_spellings_agree():
    draft7 = {"type": "array", "items": [{"type": "string"}], "additionalItems": False}
    modern = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "array",
              "prefixItems": [{"type": "string"}], "items": False}
    grown7 = {**draft7, "items": [{"type": "string"}, {"type": "number"}]}
    grown = {**modern, "prefixItems": [{"type": "string"}, {"type": "number"}]}
    assert changes(draft7, grown7) == changes(modern, grown) == [
        ("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", "#/items/1", True)]


def test_lenient_policy_accepts_optional_property_in_open_model():
    old = {"type": "object", "properties": {"a": {"type": "string"}}}
    new = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "number"}}}
    assert not compare(old, new).compatible
    assert compare(old, new, policy="lenient").compatible


def test_pointer_segments_are_escaped():
    old = {"type": "object", "properties": {"a/b": {"type": "string"}}}
    new = {"type": "object", "properties": {"a/b": {"type": "number"}}}
    assert changes(old, new) == [("TYPE_CHANGED", "#/properties/a~1b", False)]


def test_many_non_local_refs_each_compare_on_their_own():
    """Regression: the memo was keyed by the ids of throw-away nodes, so a reused id replayed another pair."""
    old = {"type": "object", "properties": {f"p{i}": {"$ref": f"https://example.com/{i}.json"} for i in range(300)}}
    new = {"type": "object", "properties": {**old["properties"], "p7": {"$ref": "https://example.com/other.json"}}}
    for _ in range(20):
        assert changes(old, new) == [("TYPE_CHANGED", "#/properties/p7", False)]
        assert changes(new, new) == []
