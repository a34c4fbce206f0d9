"""JSON Schema compatibility in Confluent Schema Registry's vocabulary (132 difference types).

``compare(old, new, mode="backward", policy="strict")`` classifies a schema change;
``nonlocal_refs(schema)`` lists the ``$ref`` that would need a fetch (never done). The work of a comparison
is bounded (``MAX_*``, a ``Budget``); past it the result is ``refused`` ("too complex to compare").
"""

from bot.compat.api import MODES, CompareResult, SchemaChange, compare
from bot.compat.context import MAX_COMPARED_PAIRS, MAX_COMPARISON_DEPTH, MAX_RECORDED_CHANGES, Budget
from bot.compat.refs import nonlocal_refs
from bot.compat.types import DIFFERENCE_TYPES, POLICIES, is_compatible

__all__ = ["DIFFERENCE_TYPES", "MAX_COMPARED_PAIRS", "MAX_COMPARISON_DEPTH", "MAX_RECORDED_CHANGES", "MODES",
           "POLICIES", "Budget", "CompareResult", "SchemaChange", "compare", "is_compatible", "nonlocal_refs"]
