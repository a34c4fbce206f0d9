"""bot.imports.overlay: what the team adds to an import, merged in, and every mistake in it reported at its line."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.imports.model import Generated
from bot.imports.overlay import OverlayError, apply, merge, read_overlay
from tests.helpers import dedent

PATH = "manifests/dbt/modelgate-overlay.yaml"


def generated() -> tuple[Generated, ...]:
    contract = {"apiVersion": "modelgate/v1", "kind": "Contract",
                "metadata": {"name": "customers", "labels": {"modelgate.dev/imported-from": "dbt"}},
                "spec": {"compatibility": "forward", "versions": [
                    {"version": 1, "status": "deprecated", "deprecation": {"sunset": dt.date(2027, 1, 31),
                                                                           "replacement": 2},
                     "schema": {"type": "object"}},
                    {"version": 2, "schema": {"type": "object"}}]}}
    model = {"apiVersion": "modelgate/v1", "kind": "Model", "metadata": {"name": "orders"},
             "spec": {"version": "2.0.0", "consumes": [{"contract": "customers", "version": 2}]}}
    return (Generated("contracts/customers.yaml", contract, "model.shop.customers"),
            Generated("models/orders.yaml", model, "model.shop.orders"))


def applied(text: str) -> dict[str, dict[str, Any]]:
    files = apply(read_overlay(PATH, dedent(text).encode()), generated())
    return {f.document["metadata"]["name"]: f.document for f in files}


def error_of(text: str) -> OverlayError:
    with pytest.raises(OverlayError) as caught:
        apply(read_overlay(PATH, dedent(text).encode()), generated())
    return caught.value


def test_the_overlay_of_the_design_merges_into_the_documents() -> None:
    docs = applied("""
        models:
          orders: {metadata: {owners: ["@acme/analytics"], tier: critical}}
        contracts:
          customers:
            metadata: {owners: ["@acme/analytics"]}
            spec:
              versions:
                1: {deprecation: {announced: 2026-09-01, migration: docs/migrations/customers-v2.md}}
        """)
    assert docs["orders"]["metadata"] == {"name": "orders", "owners": ["@acme/analytics"], "tier": "critical"}
    assert docs["orders"]["spec"] == generated()[1].document["spec"]
    customers = docs["customers"]
    assert customers["metadata"] == {"name": "customers", "labels": {"modelgate.dev/imported-from": "dbt"},
                                     "owners": ["@acme/analytics"]}
    assert customers["spec"]["versions"][0]["deprecation"] == {
        "sunset": dt.date(2027, 1, 31), "replacement": 2, "announced": dt.date(2026, 9, 1),
        "migration": "docs/migrations/customers-v2.md"}
    assert customers["spec"]["versions"][1] == {"version": 2, "schema": {"type": "object"}}
    assert generated()[0].document["spec"]["versions"][0]["deprecation"] == {"sunset": dt.date(2027, 1, 31),
                                                                             "replacement": 2}


def test_lists_and_scalars_replace_mappings_merge() -> None:
    assert merge({"a": {"b": 1, "c": [1, 2]}, "d": 1}, {"a": {"c": [3]}, "e": 2}) == {
        "a": {"b": 1, "c": [3]}, "d": 1, "e": 2}
    docs = applied("""
        models:
          orders:
            spec:
              consumes: [{contract: customers, version: 1, fields: [id]}]
        """)
    assert docs["orders"]["spec"]["consumes"] == [{"contract": "customers", "version": 1, "fields": ["id"]}]


def test_no_overlay_and_an_empty_one_change_nothing() -> None:
    assert apply(read_overlay(PATH, None), generated()) == generated()
    assert apply(read_overlay(PATH, b""), generated()) == generated()
    assert apply(read_overlay(PATH, b"models:\ncontracts: {}\n"), generated()) == generated()


@pytest.mark.parametrize(("text", "line", "words"), [
    ("models:\n  orders: {}\n  order: {metadata: {tier: high}}\n", 3,
     "produces no model 'order'; did you mean 'orders'?"),
    ("models:\n  Orders: {metadata: {tier: high}}\n", 2,
     "produces no model 'Orders'; the import names it 'orders' (names are mapped: lower-case"),
    ("contracts:\n  orders: {}\n", 2, "produces no contract 'orders'"),  # a model's name, in the contracts
    ("contracts:\n  customers:\n    spec:\n      versions:\n        3: {status: retired}\n", 5,
     "produces no version 3 of contract 'customers' (it has 1, 2)"),
    ("contracts:\n  customers:\n    spec:\n      versions:\n        - version: 1\n", 4, "address versions by number"),
    ("model:\n  orders: {}\n", 1, "unknown section 'model'"),
    ("models:\n  orders:\n    kind: Contract\n", 3, "not 'kind'"),
    ("models:\n  orders:\n    metadata: {name: other}\n", 3, "metadata.name is the import's"),
    ("models:\n  orders:\n    metadata:\n      labels: {modelgate.dev/imported-from: handwritten}\n", 4,
     "the label modelgate.dev/imported-from is the import's"),
    ("models:\n  orders:\n    metadata:\n      labels: null\n", 4,
     "the label modelgate.dev/imported-from is the import's"),
    ("models:\n  orders: [1]\n", 2, "a mapping of what to add"),
    ("- models\n", 1, "an overlay is a mapping"),
    ("models:\n  orders: {metadata: {tier: top}}\n", 2, "metadata.tier: Input should be"),
    ("models:\n  orders:\n    metadata:\n      ownrs: ['@a']\n", 4, "unknown field 'metadata.ownrs'; did you mean "
                                                                   "'owners'?"),
    ("contracts:\n  customers:\n    spec:\n      versions:\n        1:\n          deprecation:\n"
     "            announced: 2026-02-30\n", 7, "'2026-02-30' is not a valid date"),
    ("contracts:\n  customers:\n    spec:\n      versions:\n        2:\n          schema_ref: x.json\n", 5,
     "give exactly one of schema or schema_ref"),
    ("models:\n  orders: {}\n  orders: {}\n", 3, "duplicate key 'orders'"),
    ("models: &a [*a]\n", 1, "unknown alias"),
    # a version key is a canonical number: '01' (or '+1') beside '1' was read as version 1 twice, silently
    ("contracts:\n  customers:\n    spec:\n      versions:\n        1: {status: retired}\n"
     "        01: {status: active}\n", 6, "'01' is not a version number"),
    ("contracts:\n  customers:\n    spec:\n      versions:\n        +1: {status: retired}\n", 5,
     "'+1' is not a version number"),
    ("contracts:\n  customers:\n    spec:\n      versions:\n        0: {status: retired}\n", 5,
     "'0' is not a version number"),
    ("contracts:\n  customers:\n    spec:\n      versions:\n        1.0: {status: retired}\n", 5,
     "'1.0' is not a version number"),
])
def test_each_mistake_is_an_error_at_its_line(text: str, line: int, words: str) -> None:
    with pytest.raises(OverlayError) as caught:
        apply(read_overlay(PATH, text.encode()), generated())
    error = caught.value
    assert (error.file, error.line) == (PATH, line), str(error)
    assert words in error.message, error.message
    assert str(error).startswith(f"{PATH}:{line}: ")


def test_an_invalid_result_names_the_generated_file_it_would_break() -> None:
    error = error_of("""
        contracts:
          customers:
            spec: {compatibility: sideways}
        """)
    assert error.line == 3
    assert "with the overlay, contracts/customers.yaml is not a valid manifest: spec.compatibility" in error.message


def test_an_alias_bomb_is_refused_with_its_line() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(7))
    with pytest.raises(OverlayError) as caught:
        read_overlay(PATH, bomb.encode())
    assert "more than" in caught.value.message and caught.value.line > 1


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(OverlayError, match="nesting deeper than"):
        read_overlay(PATH, ("models: " + "[" * 100 + "]" * 100 + "\n").encode())


def test_the_entry_mg104_suggests_is_an_overlay_that_applies() -> None:
    """MG104 on an imported contract gives the overlay entry to paste as one line of YAML flow mappings."""
    docs = applied("contracts: {customers: {spec: {versions: {1: {deprecation: {announced: 2026-09-01, "
                   "migration: docs/x.md}}}}}}\n")
    assert docs["customers"]["spec"]["versions"][0]["deprecation"]["migration"] == "docs/x.md"
