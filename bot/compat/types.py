"""The 132 difference types of Confluent's JSON Schema checker and whether each is compatible.

Each entry maps a type to ``(compatible_under_strict, compatible_under_lenient)``. The lenient policy
additionally accepts the open-content-model changes a well-behaved producer cannot have exploited.
"""

from __future__ import annotations

from typing import Final, Literal

Policy = Literal["strict", "lenient"]
POLICIES: Final = ("strict", "lenient")

_T, _F = True, False

DIFFERENCE_TYPES: Final[dict[str, tuple[bool, bool]]] = {
    "ID_CHANGED": (_T, _T),
    "DESCRIPTION_CHANGED": (_T, _T),
    "TITLE_CHANGED": (_T, _T),
    "DEFAULT_CHANGED": (_T, _T),
    "SCHEMA_ADDED": (_F, _F),
    "SCHEMA_REMOVED": (_T, _T),
    "TYPE_EXTENDED": (_T, _T),
    "TYPE_NARROWED": (_F, _F),
    "TYPE_CHANGED": (_F, _F),
    "MAX_LENGTH_ADDED": (_F, _F),
    "MAX_LENGTH_REMOVED": (_T, _T),
    "MAX_LENGTH_INCREASED": (_T, _T),
    "MAX_LENGTH_DECREASED": (_F, _F),
    "MIN_LENGTH_ADDED": (_F, _F),
    "MIN_LENGTH_REMOVED": (_T, _T),
    "MIN_LENGTH_INCREASED": (_F, _F),
    "MIN_LENGTH_DECREASED": (_T, _T),
    "PATTERN_ADDED": (_F, _F),
    "PATTERN_REMOVED": (_T, _T),
    "PATTERN_CHANGED": (_F, _F),
    "MAXIMUM_ADDED": (_F, _F),
    "MAXIMUM_REMOVED": (_T, _T),
    "MAXIMUM_INCREASED": (_T, _T),
    "MAXIMUM_DECREASED": (_F, _F),
    "MINIMUM_ADDED": (_F, _F),
    "MINIMUM_REMOVED": (_T, _T),
    "MINIMUM_INCREASED": (_F, _F),
    "MINIMUM_DECREASED": (_T, _T),
    "EXCLUSIVE_MAXIMUM_ADDED": (_F, _F),
    "EXCLUSIVE_MAXIMUM_REMOVED": (_T, _T),
    "EXCLUSIVE_MAXIMUM_INCREASED": (_T, _T),
    "EXCLUSIVE_MAXIMUM_DECREASED": (_F, _F),
    "EXCLUSIVE_MINIMUM_ADDED": (_F, _F),
    "EXCLUSIVE_MINIMUM_REMOVED": (_T, _T),
    "EXCLUSIVE_MINIMUM_INCREASED": (_F, _F),
    "EXCLUSIVE_MINIMUM_DECREASED": (_T, _T),
    "MULTIPLE_OF_ADDED": (_F, _F),
    "MULTIPLE_OF_REMOVED": (_T, _T),
    "MULTIPLE_OF_EXPANDED": (_F, _F),
    "MULTIPLE_OF_REDUCED": (_T, _T),
    "MULTIPLE_OF_CHANGED": (_F, _F),
    "REQUIRED_ATTRIBUTE_ADDED": (_F, _F),
    "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED": (_T, _T),
    "REQUIRED_ATTRIBUTE_REMOVED": (_T, _T),
    "MAX_PROPERTIES_ADDED": (_F, _F),
    "MAX_PROPERTIES_REMOVED": (_T, _T),
    "MAX_PROPERTIES_INCREASED": (_T, _T),
    "MAX_PROPERTIES_DECREASED": (_F, _F),
    "MIN_PROPERTIES_ADDED": (_F, _F),
    "MIN_PROPERTIES_REMOVED": (_T, _T),
    "MIN_PROPERTIES_INCREASED": (_F, _F),
    "MIN_PROPERTIES_DECREASED": (_T, _T),
    "ADDITIONAL_PROPERTIES_ADDED": (_T, _T),
    "ADDITIONAL_PROPERTIES_REMOVED": (_F, _T),
    "ADDITIONAL_PROPERTIES_EXTENDED": (_T, _T),
    "ADDITIONAL_PROPERTIES_NARROWED": (_F, _T),
    "DEPENDENCY_ARRAY_ADDED": (_F, _F),
    "DEPENDENCY_ARRAY_REMOVED": (_T, _T),
    "DEPENDENCY_ARRAY_EXTENDED": (_F, _F),
    "DEPENDENCY_ARRAY_NARROWED": (_T, _T),
    "DEPENDENCY_ARRAY_CHANGED": (_F, _F),
    "DEPENDENCY_SCHEMA_ADDED": (_F, _F),
    "DEPENDENCY_SCHEMA_REMOVED": (_T, _T),
    "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL": (_F, _F),
    "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL": (_F, _F),
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL": (_F, _T),
    "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL": (_F, _T),
    "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL": (_T, _T),
    "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL": (_F, _F),
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL": (_T, _T),
    "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL": (_T, _T),
    "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL": (_T, _T),
    "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL": (_T, _T),
    "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL": (_F, _T),
    "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (_T, _T),
    "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (_F, _T),
    "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (_T, _T),
    "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (_F, _T),
    "RESERVED_PROPERTY_REMOVED": (_F, _F),
    "RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY": (_F, _F),
    "UNEVALUATED_PROPERTIES_ADDED": (_T, _T),
    "UNEVALUATED_PROPERTIES_REMOVED": (_F, _T),
    "UNEVALUATED_PROPERTIES_EXTENDED": (_T, _T),
    "UNEVALUATED_PROPERTIES_NARROWED": (_F, _T),
    "MAX_ITEMS_ADDED": (_F, _F),
    "MAX_ITEMS_REMOVED": (_T, _T),
    "MAX_ITEMS_INCREASED": (_T, _T),
    "MAX_ITEMS_DECREASED": (_F, _F),
    "MIN_ITEMS_ADDED": (_F, _F),
    "MIN_ITEMS_REMOVED": (_T, _T),
    "MIN_ITEMS_INCREASED": (_F, _F),
    "MIN_ITEMS_DECREASED": (_T, _T),
    "MAX_CONTAINS_ADDED": (_F, _F),
    "MAX_CONTAINS_REMOVED": (_T, _T),
    "MAX_CONTAINS_INCREASED": (_T, _T),
    "MAX_CONTAINS_DECREASED": (_F, _F),
    "MIN_CONTAINS_ADDED": (_F, _F),
    "MIN_CONTAINS_REMOVED": (_T, _T),
    "MIN_CONTAINS_INCREASED": (_F, _F),
    "MIN_CONTAINS_DECREASED": (_T, _T),
    "UNIQUE_ITEMS_ADDED": (_F, _F),
    "UNIQUE_ITEMS_REMOVED": (_T, _T),
    "ADDITIONAL_ITEMS_ADDED": (_T, _T),
    "ADDITIONAL_ITEMS_REMOVED": (_F, _F),
    "ADDITIONAL_ITEMS_EXTENDED": (_T, _T),
    "ADDITIONAL_ITEMS_NARROWED": (_F, _F),
    "UNEVALUATED_ITEMS_ADDED": (_T, _T),
    "UNEVALUATED_ITEMS_REMOVED": (_F, _F),
    "UNEVALUATED_ITEMS_EXTENDED": (_T, _T),
    "UNEVALUATED_ITEMS_NARROWED": (_F, _F),
    "ITEM_ADDED_TO_OPEN_CONTENT_MODEL": (_F, _F),
    "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL": (_T, _T),
    "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL": (_T, _T),
    "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL": (_T, _T),
    "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL": (_T, _T),
    "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL": (_F, _F),
    "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (_T, _T),
    "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (_F, _F),
    "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (_T, _T),
    "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (_F, _F),
    "ENUM_ARRAY_EXTENDED": (_T, _T),
    "ENUM_ARRAY_NARROWED": (_F, _F),
    "ENUM_ARRAY_CHANGED": (_F, _F),
    "COMBINED_TYPE_EXTENDED": (_T, _T),
    "COMBINED_TYPE_CHANGED": (_F, _F),
    "PRODUCT_TYPE_EXTENDED": (_F, _F),
    "PRODUCT_TYPE_NARROWED": (_T, _T),
    "SUM_TYPE_EXTENDED": (_T, _T),
    "SUM_TYPE_NARROWED": (_F, _F),
    "COMBINED_TYPE_SUBSCHEMAS_CHANGED": (_F, _F),
    "NOT_TYPE_EXTENDED": (_F, _F),
    "NOT_TYPE_NARROWED": (_T, _T),
}


# ---- modelgate's own difference types (not Confluent's; docs/compatibility.md). Append only. ----

# issue 14, `format` asserted (compat.format: assert): a format narrows the strings a reader accepts.
FORMAT_TYPES: Final[dict[str, tuple[bool, bool]]] = {
    "FORMAT_ADDED": (_F, _F),
    "FORMAT_REMOVED": (_T, _T),
    "FORMAT_CHANGED": (_F, _F),
}

# issue 14, keywords not compared by meaning (``bot.compat.unmodelled``): a difference in one is never passed.
UNPROVEN_TYPES: Final[dict[str, tuple[bool, bool]]] = {
    "NOT_PROVEN_COMPATIBLE": (_F, _F),
}

# SQL columns (``bot.compat.sqltypes``): a column's base type and the constraints its database enforces.
SQL_TYPES: Final[dict[str, tuple[bool, bool]]] = {
    "SQL_TYPE_CHANGED": (_F, _F),
    "ENFORCED_CONSTRAINT_ADDED": (_F, _F),
    "ENFORCED_CONSTRAINT_REMOVED": (_T, _T),
    "ENFORCED_CONSTRAINT_CHANGED": (_F, _F),
    "CONTRACT_ENFORCEMENT_ADDED": (_F, _F),
    "CONTRACT_ENFORCEMENT_REMOVED": (_T, _T),
    "DECLARED_TYPE_CHANGED": (_F, _F),  # x-mlflow-type, x-mlflow-dtype: a type a tool enforces by its name
}

MODELGATE_TYPES: Final[dict[str, tuple[bool, bool]]] = {**FORMAT_TYPES, **UNPROVEN_TYPES, **SQL_TYPES}


def is_compatible(change_type: str, policy: Policy = "strict") -> bool:
    """Whether ``change_type`` is a compatible difference under ``policy``."""
    strict, lenient = DIFFERENCE_TYPES.get(change_type) or MODELGATE_TYPES[change_type]
    return lenient if policy == "lenient" else strict
