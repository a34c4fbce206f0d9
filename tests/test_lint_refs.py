"""MG008's $ref check walks a schema with bot.compat.refs.walk_schemas: a non-local $ref (or $dynamicRef) under
any applicator keyword of JSON Schema 2020-12 or draft-07 is found, at its path."""

from __future__ import annotations

from typing import Any

import pytest

from bot.lint import schema_problems
from tests.compat.test_refs import every_applicator

NONLOCAL = ("$ref 'other.json' is not local (only '#...' references; nothing is fetched): copy the schema under "
            "$defs, or keep it in a repository file (schema_ref)")


@pytest.mark.parametrize(("schema", "path"), every_applicator())
def test_a_nonlocal_ref_under_any_applicator_is_found(schema: dict[str, Any], path: tuple[str | int, ...]) -> None:
    assert (((*path, "$ref"), NONLOCAL) in schema_problems(schema))


def test_refs_and_dynamic_refs_of_every_subschema_are_judged() -> None:
    schema = {"$dynamicRef": "#meta", "items": [{"$ref": "#/$defs/a"}], "$defs": {"a": {"$ref": "other.json"}}}
    assert sorted(schema_problems(schema)) == [(("$defs", "a", "$ref"), NONLOCAL),
                                               (("$dynamicRef",), "$ref '#meta' points at nothing in this schema")]
