"""JSON Schema compatibility in Confluent Schema Registry's vocabulary (132 difference types).

``compare(old, new, mode="backward", policy="strict")`` classifies a schema change;
``nonlocal_refs(schema)`` lists the ``$ref`` that would need a fetch (never done).
"""

from bot.compat.api import MODES, CompareResult, SchemaChange, compare
from bot.compat.refs import nonlocal_refs
from bot.compat.types import DIFFERENCE_TYPES, POLICIES, is_compatible

__all__ = ["DIFFERENCE_TYPES", "MODES", "POLICIES", "CompareResult", "SchemaChange", "compare", "is_compatible",
           "nonlocal_refs"]
