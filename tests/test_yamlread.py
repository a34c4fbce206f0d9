"""The bounded YAML reader: values, lines, and every way a document can be hostile."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.manifests.yamlread import YamlError, decode, read_yaml


def lines_of(text: str) -> dict:
    return read_yaml(text, want_lines=True)[1]


def error(text: str, **limits: int) -> YamlError:
    with pytest.raises(YamlError) as caught:
        read_yaml(text, **limits)
    return caught.value


def test_values_mean_what_yaml_1_1_says():
    doc, _ = read_yaml("a: 1\nb: 1.5\nc: true\nd: 2026-12-15\ne: '1.0'\nf: null\ng: [x, {h: i}]\n")
    assert doc == {"a": 1, "b": 1.5, "c": True, "d": dt.date(2026, 12, 15), "e": "1.0", "f": None,
                   "g": ["x", {"h": "i"}]}


def test_lines_of_every_key_and_item():
    lines = lines_of("a:\n  b:\n    - x\n    - y: 1\nc: 2\n")
    assert lines[("a",)] == 1
    assert lines[("a", "b")] == 2
    assert lines[("a", "b", 0)] == 3
    assert lines[("a", "b", 1, "y")] == 4
    assert lines[("c",)] == 5


def test_syntax_error_points_at_a_line_inside_the_file():
    exc = error("a: 1\nb: {c: d\n")
    assert exc.message.startswith("YAML syntax error")
    assert exc.line is not None and 1 <= exc.line <= 2


def test_duplicate_key_is_refused_at_the_second_one():
    exc = error("kind: Model\nname: x\nkind: Contract\n")
    assert (exc.line, exc.message) == (3, "duplicate key 'kind'")


def test_on_key_is_read_as_true_and_the_message_says_so():
    exc = error("fallback:\n  strategy: skip\n  on: [timeout]\n")
    assert exc.line == 3
    assert "on is read as true/false" in exc.message and "when:" in exc.message


def test_merge_keys_merge_and_explicit_keys_win():
    doc, _ = read_yaml("base: &b {version: 1.0.0, tier: high}\nspec:\n  <<: *b\n  tier: critical\n")
    assert doc["spec"] == {"version": "1.0.0", "tier": "critical"}
    doc, _ = read_yaml("a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n")
    assert doc["c"] == {"x": 1, "y": 2}


def test_merge_of_a_scalar_is_refused():
    exc = error("a: &a 1\nb:\n  <<: *a\n")
    assert "merge key" in exc.message and exc.line == 3


def test_more_than_one_document_is_refused():
    exc = error("a: 1\n---\nb: 2\n")
    assert "more than one YAML document" in exc.message and exc.line == 2


def test_billion_laughs_is_refused_quickly_and_small():
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        levels.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    exc = error("\n".join(levels) + "\n")  # 10^9 values if expanded: returning at all shows the bound works
    assert "alias expansion" in exc.message
    assert exc.line is not None


@pytest.mark.parametrize("text", [
    "x: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "x: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
    "x:\n" + "- " * 10_000 + "1\n",
])
def test_nesting_ten_thousand_levels_deep_is_refused(text):
    exc = error(text)
    assert "nesting" in exc.message
    assert exc.line is not None and exc.line <= 2


def test_the_depth_limit_is_a_parameter():
    assert read_yaml("a: [[[1]]]\n", max_depth=4)[0] == {"a": [[[1]]]}
    assert "deeper than 3" in error("a: [[[1]]]\n", max_depth=3).message


def test_unknown_alias_and_non_string_keys():
    assert "unknown alias" in error("a: *nope\n").message
    assert "read as int" in error("1: a\n").message
    assert "not a mapping or a list" in error("? [a]\n: b\n").message


def test_bad_scalar_is_one_message_with_a_line():
    exc = error("a: 1\nb: !!int nope\n")
    assert exc.line == 2 and "cannot read" in exc.message


def test_a_date_that_does_not_exist_says_so_and_how_to_write_one():
    exc = error("deprecation:\n  sunset: 2026-04-31\n")
    assert exc.line == 2
    assert exc.message == ("'2026-04-31' is not a valid date (day is out of range for month); "
                           "write a real day as YYYY-MM-DD")


def test_decode_points_at_the_line_of_the_first_bad_byte():
    assert decode("é\n".encode()) == "é\n"
    assert decode(b"\xef\xbb\xbfa: 1\n") == "a: 1\n"  # a BOM is tolerated
    with pytest.raises(YamlError) as caught:
        decode(b"a: 1\nb: caf\xe9\n")
    assert (caught.value.line, caught.value.message) == (2, "the file is not UTF-8 text")


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, width=32),
    st.dates(), st.sampled_from(["yes", "no", "on", "off", "~", "null", "0x1f", "0o17", "1_000", "12:30", "=", "<<x",
                                 "1e3", ".inf", "-.inf", "2026-01-01", "true", "False", "", " lead", "a: b", "#x"]),
    st.text(max_size=12),
)
_DOCS = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(min_size=1, max_size=8), inner, max_size=4), max_leaves=25)


@settings(max_examples=150, deadline=None)
@given(document=st.dictionaries(st.text(min_size=1, max_size=8), _DOCS, max_size=5),
       flow=st.booleans())
def test_reads_what_pyyaml_reads(document, flow):
    """Parity with PyYAML's SafeLoader on anything it writes, so the plain-scalar cache never changes a value."""
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    expected = yaml.safe_load(text)
    assert read_yaml(text)[0] == expected
    plain = "\n".join(f"k{i}: {value}" for i, value in enumerate(
        ["123", "! 123", "yes", "1.5", "2026-01-01", "0o17", "123", "yes"]))
    assert read_yaml(plain)[0] == yaml.safe_load(plain)
