"""Agreement with Confluent's own 263 diff pairs (its published diff examples), read from a reference copy beside
the repository (``../shared/reference``) when it is there, never copied into it; skipped without it."""

import json
from pathlib import Path

import pytest

from bot.compat import compare
from tests.compat.witness import counterexample

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "confluent-json-schema-diff"
FILES = ["diff-schema-examples.json", "diff-schema-examples-2020-12.json",
         "diff-combined-schema-examples.json", "diff-combined-schema-examples-2020-12.json"]
# The pairs where being right by JSON Schema's semantics departs from Confluent's verdict (docs/compatibility.md),
# each with the instance that proves it: valid under the original schema, rejected by the update.
DEPARTURES = {
    # required [foo] -> [bar], bar declared nowhere: old data without bar is rejected (issue 14, `required`)
    ("diff-schema-examples.json", 55): {"foo": "x"},
    ("diff-schema-examples-2020-12.json", 57): {"foo": "x"},
}


@pytest.mark.skipif(not REFERENCE.is_dir(),
                    reason="Confluent reference pairs not available (no ../shared/reference beside the repository)")
def test_confluent_reference_pairs():
    total = verdicts = change_lists = departed = 0
    for name in FILES:
        for index, example in enumerate(json.loads((REFERENCE / name).read_text())):
            total += 1
            strict = compare(example["original_schema"], example["update_schema"])
            lenient = compare(example["original_schema"], example["update_schema"], policy="lenient")
            if (name, index) in DEPARTURES:  # Confluent says compatible; an instance shows it is not
                assert example["compatible"] and not strict.compatible and not lenient.compatible
                assert counterexample(example["original_schema"], example["update_schema"], DEPARTURES[name, index])
                departed += 1
                continue
            verdicts += strict.compatible == example["compatible"] and lenient.compatible == example.get(
                "compatible_lenient", example["compatible"])
            change_lists += [f"{c.type} {c.path}" for c in strict.changes] == example["changes"]
    assert total == 263
    assert departed == len(DEPARTURES)
    assert verdicts == 263 - len(DEPARTURES)
    assert change_lists >= 255
