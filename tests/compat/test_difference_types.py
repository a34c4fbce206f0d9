"""Every one of the 132 difference types, each produced by a real pair of our own (not Confluent's)."""

import pytest

from bot.compat import DIFFERENCE_TYPES, compare

S, N, I = {"type": "string"}, {"type": "number"}, {"type": "integer"}  # noqa: E741
ARR, OBJ = {"type": "array"}, {"type": "object"}


def obj(props=None, **kw):
    return {"type": "object", "properties": props or {}, **kw}


def arr(prefix, **kw):
    return {"type": "array", "prefixItems": prefix, **kw}


def pair(keyword, old, new, base=S):
    """``base`` with ``keyword`` at ``old`` then at ``new`` (None: absent)."""
    def make(v):
        return {**base, **({} if v is None else {keyword: v})}
    return make(old), make(new)


def bounds(prefix, keyword, base, low, high):
    return [
        (*pair(keyword, None, low, base), f"{prefix}_ADDED", f"#/{keyword}"),
        (*pair(keyword, low, None, base), f"{prefix}_REMOVED", f"#/{keyword}"),
        (*pair(keyword, low, high, base), f"{prefix}_INCREASED", f"#/{keyword}"),
        (*pair(keyword, high, low, base), f"{prefix}_DECREASED", f"#/{keyword}"),
    ]


def slots(prefix, keyword, base):
    return [
        (*pair(keyword, False, True, base), f"{prefix}_ADDED", f"#/{keyword}"),
        (*pair(keyword, True, False, base), f"{prefix}_REMOVED", f"#/{keyword}"),
        (*pair(keyword, S, True, base), f"{prefix}_EXTENDED", f"#/{keyword}"),
        (*pair(keyword, None, S, base), f"{prefix}_NARROWED", f"#/{keyword}"),
    ]


CONTAINS = {**ARR, "contains": N}
CLOSED_OBJ = {"additionalProperties": False}

ROWS = [
    ({"$id": "urn:a"}, {"$id": "urn:b"}, "ID_CHANGED", "#/"),
    ({"description": "a"}, {"description": "b"}, "DESCRIPTION_CHANGED", "#/"),
    ({"title": "a"}, {"title": "b"}, "TITLE_CHANGED", "#/"),
    ({**N, "default": 0}, {**N, "default": 1}, "DEFAULT_CHANGED", "#/"),
    (ARR, {**ARR, "items": N}, "SCHEMA_ADDED", "#/items"),
    ({**ARR, "items": N}, ARR, "SCHEMA_REMOVED", "#/items"),
    (I, N, "TYPE_EXTENDED", "#/"),
    (N, I, "TYPE_NARROWED", "#/"),
    (S, N, "TYPE_CHANGED", "#/"),
    *bounds("MAX_LENGTH", "maxLength", S, 5, 9),
    *bounds("MIN_LENGTH", "minLength", S, 1, 3),
    (*pair("pattern", None, "^a"), "PATTERN_ADDED", "#/pattern"),
    (*pair("pattern", "^a", None), "PATTERN_REMOVED", "#/pattern"),
    (*pair("pattern", "^a", "^b"), "PATTERN_CHANGED", "#/pattern"),
    *bounds("MAXIMUM", "maximum", N, 1, 2),
    *bounds("MINIMUM", "minimum", N, 0, 1),
    *bounds("EXCLUSIVE_MAXIMUM", "exclusiveMaximum", N, 1, 2),
    *bounds("EXCLUSIVE_MINIMUM", "exclusiveMinimum", N, 0, 1),
    (*pair("multipleOf", None, 2, N), "MULTIPLE_OF_ADDED", "#/multipleOf"),
    (*pair("multipleOf", 2, None, N), "MULTIPLE_OF_REMOVED", "#/multipleOf"),
    (*pair("multipleOf", 2, 4, N), "MULTIPLE_OF_EXPANDED", "#/multipleOf"),
    (*pair("multipleOf", 0.5, 0.25, N), "MULTIPLE_OF_REDUCED", "#/multipleOf"),
    (*pair("multipleOf", 3, 4, N), "MULTIPLE_OF_CHANGED", "#/multipleOf"),
    (obj({"a": S}), obj({"a": S}, required=["a"]), "REQUIRED_ATTRIBUTE_ADDED", "#/required/a"),
    (obj({"a": S}), obj({"a": {**S, "default": ""}}, required=["a"]), "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
     "#/required/a"),
    (obj({"a": S}, required=["a"]), obj({"a": S}), "REQUIRED_ATTRIBUTE_REMOVED", "#/required/a"),
    *bounds("MAX_PROPERTIES", "maxProperties", OBJ, 2, 4),
    *bounds("MIN_PROPERTIES", "minProperties", OBJ, 1, 2),
    *slots("ADDITIONAL_PROPERTIES", "additionalProperties", OBJ),
    (*pair("dependentRequired", {}, {"a": ["b"]}, OBJ), "DEPENDENCY_ARRAY_ADDED", "#/dependencies/a"),
    (*pair("dependencies", {"a": ["b"]}, {}, OBJ), "DEPENDENCY_ARRAY_REMOVED", "#/dependencies/a"),
    (*pair("dependencies", {"a": ["b"]}, {"a": ["b", "c"]}, OBJ), "DEPENDENCY_ARRAY_EXTENDED", "#/dependencies/a"),
    (*pair("dependencies", {"a": ["b", "c"]}, {"a": ["b"]}, OBJ), "DEPENDENCY_ARRAY_NARROWED", "#/dependencies/a"),
    (*pair("dependencies", {"a": ["b"]}, {"a": ["c"]}, OBJ), "DEPENDENCY_ARRAY_CHANGED", "#/dependencies/a"),
    (*pair("dependentSchemas", None, {"a": obj(required=["b"])}, OBJ), "DEPENDENCY_SCHEMA_ADDED",
     "#/dependencies/a"),
    (*pair("dependencies", {"a": obj(required=["b"])}, None, OBJ), "DEPENDENCY_SCHEMA_REMOVED", "#/dependencies/a"),
    (OBJ, {**OBJ, "patternProperties": {"^x_": N}}, "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
     "#/patternProperties/^x_"),
    (obj(), obj({"b": N}, required=["b"]), "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/b"),
    (obj(), obj({"b": {**N, "default": 0}}, required=["b"]),
     "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/b"),
    (obj(), obj({"b": N}), "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/b"),
    (obj(), obj({"b": {}}), "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/b"),
    (obj(**CLOSED_OBJ), obj({"b": N}, required=["b"], **CLOSED_OBJ),
     "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "#/properties/b"),
    (obj(**CLOSED_OBJ), obj({"b": {**N, "default": 1}}, required=["b"], **CLOSED_OBJ),
     "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL", "#/properties/b"),
    (obj(**CLOSED_OBJ), obj({"b": N}, **CLOSED_OBJ), "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
     "#/properties/b"),
    (obj({"b": N}), obj(), "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", "#/properties/b"),
    (obj({"b": False}, **CLOSED_OBJ), obj(**CLOSED_OBJ), "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
     "#/properties/b"),
    (obj({"b": N}, **CLOSED_OBJ), obj(**CLOSED_OBJ), "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "#/properties/b"),
    (obj({"b": S}, **CLOSED_OBJ), obj(additionalProperties=S),
     "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/properties/b"),
    (obj({"b": N}, **CLOSED_OBJ), obj(additionalProperties=S),
     "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/properties/b"),
    (obj(patternProperties={"^n_": I}, **CLOSED_OBJ), obj({"n_1": N}, patternProperties={"^n_": I}, **CLOSED_OBJ),
     "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/properties/n_1"),
    (obj(additionalProperties=S), obj({"b": N}, additionalProperties=S),
     "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/properties/b"),
    ({**OBJ, "x-reserved": ["legacy"]}, OBJ, "RESERVED_PROPERTY_REMOVED", "#/properties/legacy"),
    ({**OBJ, "x-reserved": ["legacy"]}, obj({"legacy": S}, **{"x-reserved": ["legacy"]}),
     "RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY", "#/properties/legacy"),
    *slots("UNEVALUATED_PROPERTIES", "unevaluatedProperties", OBJ),
    *bounds("MAX_ITEMS", "maxItems", ARR, 3, 5),
    *bounds("MIN_ITEMS", "minItems", ARR, 1, 2),
    *bounds("MAX_CONTAINS", "maxContains", CONTAINS, 2, 3),
    (ARR, {**CONTAINS, "minContains": 2}, "MIN_CONTAINS_ADDED", "#/minContains"),
    ({**CONTAINS, "minContains": 2}, ARR, "MIN_CONTAINS_REMOVED", "#/minContains"),
    (CONTAINS, {**CONTAINS, "minContains": 2}, "MIN_CONTAINS_INCREASED", "#/minContains"),
    ({**CONTAINS, "minContains": 3}, {**CONTAINS, "minContains": 2}, "MIN_CONTAINS_DECREASED", "#/minContains"),
    (*pair("uniqueItems", None, True, ARR), "UNIQUE_ITEMS_ADDED", "#/uniqueItems"),
    (*pair("uniqueItems", True, False, ARR), "UNIQUE_ITEMS_REMOVED", "#/uniqueItems"),
    *slots("ADDITIONAL_ITEMS", "additionalItems", {**ARR, "items": [S]}),
    *slots("UNEVALUATED_ITEMS", "unevaluatedItems", arr([S])),
    (arr([S]), arr([S, N]), "ITEM_ADDED_TO_OPEN_CONTENT_MODEL", "#/items/1"),
    (arr([S]), arr([S, {}]), "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "#/items/1"),
    (arr([S], items=False), arr([S, N], items=False), "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", "#/items/1"),
    (arr([S, N]), arr([S]), "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL", "#/items/1"),
    (arr([S, False], items=False), arr([S], items=False), "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
     "#/items/1"),
    (arr([S, N], items=False), arr([S], items=False), "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", "#/items/1"),
    (arr([S, I], items=False), arr([S], items=N), "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
     "#/items/1"),
    (arr([S, N], items=False), arr([S], items=S), "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
     "#/items/1"),
    (arr([S], items=I), arr([S, N], items=I), "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/items/1"),
    (arr([S], items=N), arr([S, S], items=N), "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/items/1"),
    ({"enum": ["a"]}, {"enum": ["a", "b"]}, "ENUM_ARRAY_EXTENDED", "#/enum"),
    ({"enum": ["a", "b"]}, {"enum": ["a"]}, "ENUM_ARRAY_NARROWED", "#/enum"),
    ({"const": "a"}, {"const": "b"}, "ENUM_ARRAY_CHANGED", "#/const"),
    ({"oneOf": [S]}, {"anyOf": [S]}, "COMBINED_TYPE_EXTENDED", "#/"),
    ({"anyOf": [N, S]}, {"oneOf": [S]}, "COMBINED_TYPE_CHANGED", "#/"),
    ({"allOf": [S]}, {"allOf": [S, {"maxLength": 3}]}, "PRODUCT_TYPE_EXTENDED", "#/"),
    ({"allOf": [S, {"maxLength": 3}]}, {"allOf": [S]}, "PRODUCT_TYPE_NARROWED", "#/"),
    (S, {"type": ["string", "null"]}, "SUM_TYPE_EXTENDED", "#/"),
    ({"oneOf": [N, S]}, {"oneOf": [S]}, "SUM_TYPE_NARROWED", "#/"),
    ({"oneOf": [S]}, {"oneOf": [N]}, "COMBINED_TYPE_SUBSCHEMAS_CHANGED", "#/"),
    ({"not": I}, {"not": N}, "NOT_TYPE_EXTENDED", "#/not"),
    ({"not": N}, {"not": I}, "NOT_TYPE_NARROWED", "#/not"),
]


def test_every_difference_type_has_a_pair():
    assert sorted({row[2] for row in ROWS}) == sorted(DIFFERENCE_TYPES)
    assert len(DIFFERENCE_TYPES) == 132


@pytest.mark.parametrize(("old", "new", "change_type", "path"), ROWS, ids=[f"{r[2]}-{i}" for i, r in enumerate(ROWS)])
@pytest.mark.parametrize("policy", ["strict", "lenient"])
def test_pair_produces_type_at_path_with_verdict(old, new, change_type, path, policy):
    result = compare(old, new, policy=policy)
    found = [(c.type, c.path) for c in result.changes]
    assert (change_type, path) in found
    change = next(c for c in result.changes if (c.type, c.path) == (change_type, path))
    assert change.compatible is DIFFERENCE_TYPES[change_type][policy == "lenient"]
    assert result.compatible is all(c.compatible for c in result.changes)
    if len(found) == 1:
        assert result.compatible is change.compatible
