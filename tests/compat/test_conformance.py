"""Agreement with Confluent's own 263 diff pairs, read from ../shared when it is there (never copied)."""

import json
from pathlib import Path

import pytest

from bot.compat import compare

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "confluent-json-schema-diff"
FILES = ["diff-schema-examples.json", "diff-schema-examples-2020-12.json",
         "diff-combined-schema-examples.json", "diff-combined-schema-examples-2020-12.json"]


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="Confluent reference pairs not available (../shared)")
def test_confluent_reference_pairs():
    total = verdicts = change_lists = 0
    for name in FILES:
        for example in json.loads((REFERENCE / name).read_text()):
            total += 1
            strict = compare(example["original_schema"], example["update_schema"])
            lenient = compare(example["original_schema"], example["update_schema"], policy="lenient")
            verdicts += strict.compatible == example["compatible"] and lenient.compatible == example.get(
                "compatible_lenient", example["compatible"])
            change_lists += [f"{c.type} {c.path}" for c in strict.changes] == example["changes"]
    assert total == 263
    assert verdicts == 263
    assert change_lists >= 255
