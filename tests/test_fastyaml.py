"""The fast path may only ever say what read_yaml says: every document it takes reads the same both ways."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.manifests.fastyaml import read_fast_counted
from bot.manifests.snapshot import in_order
from bot.manifests.yamlread import YamlError, read_yaml

ROOT = Path(__file__).resolve().parent.parent


def read_fast(text: str, max_depth: int) -> tuple[object, list[int]] | None:
    """The fast path's data and line order (None: left to read_yaml)."""
    found = read_fast_counted(text, max_depth)
    return None if found is None else (found[0], found[1])


def _slow(text: str, max_depth: int = 64) -> tuple[object, list[int]]:
    """What read_yaml reads, and the order of the lines it records (as the fast path gives them)."""
    data, lines = read_yaml(text, max_depth=max_depth, want_lines=True)
    return data, in_order(data, lines)


def _same(text: str, max_depth: int = 64) -> bool:
    """False only when the fast path took a document and read it (or its lines) otherwise than read_yaml (or
    read_yaml refuses it)."""
    found = read_fast(text, max_depth)
    if found is None:
        return True
    try:
        expected, order = _slow(text, max_depth)
    except YamlError:
        return False
    return _shape(found[0]) == _shape(expected) and found[1] == order


def _shape(value: object) -> str:
    """Equality that also tells 1 from 1.0 from True, and keeps key order."""
    def typed(v: object) -> object:
        if isinstance(v, dict):
            return [[k, typed(x)] for k, x in v.items()]
        if isinstance(v, list):
            return [typed(x) for x in v]
        return [type(v).__name__, repr(v)]
    return json.dumps(typed(value))


def test_a_plain_manifest_takes_the_fast_path_and_reads_the_same() -> None:
    text = (ROOT / "examples/fraud-platform/head/contracts/fraud-score.yaml").read_text()
    plain = "\n".join(line for line in text.splitlines() if "20" not in line)  # no dates: those take the slow path
    found = read_fast(plain + "\n", 64)
    assert found is not None
    assert found == _slow(plain + "\n")


@pytest.mark.parametrize("text", [
    "a: on\n", "a: yes\n", "a: 010\n", "a: 0o17\n", "a: 1e3\n", "a: _1\n", "a: 1_000\n", "a: .nAn\n", "a: +1\n",
    "a: 1:30\n", "a: 2026-01-01\n", "a: '2026-01-01'\n", "a:\tb\n", "a: \"\\x41\"\n", "a: 1\r\nb: 2\r\n",
    "%YAML 1.1\n---\na: 1\n", "a: 12345678901234567890\n", "a: |\n", "a: >-\n  x\n", "a: '1'\n",
    "a: {b: 1,?c: 2}\n", "? a\n: b\n", "\ufeffa: 1\n", "a: ~\nb: null\nc: =\n",
])
def test_what_yaml_1_2_would_read_otherwise_is_read_as_yaml_1_1_reads_it(text: str) -> None:
    """The fast path is libyaml's events and PyYAML's YAML 1.1 resolver, as read_yaml: what a YAML 1.2 reader
    (yaml-rs, the fast path before) reads otherwise is taken and read as read_yaml reads it."""
    found = read_fast(text, 64)
    assert found is not None
    assert _shape(found[0]) == _shape(_slow(text)[0]) and found[1] == _slow(text)[1]


@pytest.mark.parametrize("text", [
    "<<: {b: 1}\n", "a: {<<: {b: 1}, c: 2}\n", "a: !!str 5\n", "a: !x 5\n", "a: !!map {b: 1}\n", "a: !!set {b}\n",
    "!!map {a: 1}\n", "a: b\x85c\n", "a: 1\n---\nb: 2\n", "on: 1\n", "1: a\n", "~: a\n", "[1]: a\n", "{b: 1}: a\n",
    "- 1\n", "1\n", "", "# only a comment\n", "a: 1\na: 2\n", "&k a: 1\n*k : 2\n", "a: [1\n", "a: *x\n",
    "a: &x [*x]\n", "a: " + "[" * 100 + "]" * 100 + "\n", "a: {&b: 1}\n", "a: [*x]\n", "a: 2026-04-31\n",
    "a: !!int nope\n", "a: 1\x00\n", "a: !\n", "a: b\u2028c\n",
])
def test_what_read_yaml_refuses_or_treats_specially_is_left_to_it(text: str) -> None:
    """Errors (with their messages and lines), tags, merge keys, more documents, keys that are not strings or
    repeat, unknown aliases, documents that are not a mapping: read_yaml decides."""
    assert read_fast(text, 64) is None


@pytest.mark.parametrize("max_depth", [1, 2, 3, 64])
def test_nesting_up_to_the_limit_is_taken_and_one_level_more_is_left_to_read_yaml(max_depth: int) -> None:
    """The fast path allows exactly the depth read_yaml allows (the root counts as one level)."""
    for depth in range(1, max_depth + 3):
        for text in ("a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n",
                     "".join(" " * i + "a:\n" for i in range(depth - 1)) + " " * (depth - 1) + "b: 1\n",
                     *(["a:\n" + "".join(" " * i + "-\n" for i in range(depth - 2)) + " " * (depth - 2) + "- 1\n"]
                       if depth > 1 else [])):
            try:
                expected = _slow(text, max_depth)
            except YamlError:
                assert read_fast(text, max_depth) is None, (depth, text)
            else:
                assert read_fast(text, max_depth) == expected, (depth, text)
            assert (depth <= max_depth) == (read_fast(text, max_depth) is not None), (depth, text)


def test_nesting_past_the_limit_and_alias_bombs_are_left_to_read_yaml() -> None:
    deep = "".join(" " * i + "a:\n" for i in range(70)) + " " * 70 + "b: 1\n"
    assert read_fast(deep, 64)  is None
    assert read_fast("".join(" " * i + "a:\n" for i in range(5000)) + "b: 1\n", 64)  is None
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    assert read_fast(bomb, 64)  is None


@pytest.mark.parametrize("text", [
    "a: &k b\n*k : 2\n", "&k a: 1\nb: *k\n", "a:\n- &x {b: [1, 2]}\n- *x\n- c: *x\n", "a: {b: &x [c], d: *x}\n",
    "a: x\n  y\n\n  z\n", "a: \"x\n  y\n\n  z \"\n", "a: 'x\n\n  y'\n", "a: x # c\nb: [1, 2, {c: d}]\n",
    "a:\n- - 1\n  - 2\n- b: c\n  d: e\n", "a: b:c\n", "a: -1\nb: -0.5\nc: 0\n", "a: é ü 中\n",
    "---\na: 2.8.0\n", "a: v1 # note 2.0\n", "a: 'yes, on: 010'\n",
])
def test_the_common_shapes_take_the_fast_path_and_read_the_same(text: str) -> None:
    assert read_fast(text, 64) == _slow(text)


def test_an_empty_quoted_string_is_a_string_to_both() -> None:
    assert read_fast("a: ''\nb: \"\"\nc:\n", 64) == ({"a": "", "b": "", "c": None}, [1, 1, 2, 3])


def test_aliases_read_the_same_as_read_yaml_expands_them() -> None:
    text = "a: &x [1, {q: two}]\nb: *x\nc: &s hello\nd: *s\n"
    assert read_fast(text, 64) == _slow(text)


def test_what_pyyaml_writes_for_shared_values_anchors_and_all_reads_the_same() -> None:
    """yaml.dump writes a value used twice as &id001 ... *id001 (as in benchmarks/generate.py's manifests)."""
    enum = ["approve", "review", "decline"]
    items = {"type": "number"}
    doc = {"apiVersion": "modelgate/v1", "spec": {"f1": {"enum": enum}, "f2": {"enum": enum, "items": items},
                                                  "f3": [items, items], "n": [0, 1, -2, 0.5]}}
    text = yaml.safe_dump(doc, sort_keys=False)
    assert "&id001" in text and "*id001" in text
    assert read_fast(text, 64) == _slow(text)


@pytest.mark.parametrize("wrap", ["k: {}\n", "{}: v\n", "k: [{}, 1]\n", "k:\n- {}\n", "k: {{a: {}}}\n",
                                  "k: '{}'\n", 'k: "{}"\n', "k: x {}\n"])
def test_every_short_token_reads_the_same_in_every_place(wrap: str) -> None:
    """Every token of up to three characters from the alphabet of numbers, booleans and nulls, in each place
    a plain scalar can stand: what the fast path takes, it reads as read_yaml does."""
    alphabet = "0189._+-eExo:tyn~ "
    tokens = ["".join(t) for size in (1, 2, 3) for t in itertools.product(alphabet, repeat=size)]
    wrong = [token for token in tokens if not _same(wrap.replace("{}", token, 1) if "{{" not in wrap
                                                    else wrap.format(token))]
    assert wrong == []


def test_the_manifests_of_the_examples_and_the_hostile_corpus_read_the_same() -> None:
    files = [p for base in ("examples", "tests/hostile") for p in (ROOT / base).rglob("*")
             if p.is_file() and p.suffix in (".yaml", ".yml") and p.stat().st_size < 200_000]
    assert len(files) > 20
    assert [str(p) for p in files if not _same(p.read_text(errors="replace"))] == []


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False),
    st.sampled_from(["yes", "no", "on", "off", "~", "null", "0x1f", "0o17", "1_000", "12:30", "=", "<<", "1e3", ".inf",
                     "-.inf", ".NaN", "true", "False", "", " lead", "a: b", "#x", "2.8.0", "-", "- x", "[a]", "010",
                     "&a", "*a", "!x", "%", "---", "...", "'q'", '"q"', "a\nb", "é", "\u2028", "\t"]),
    st.text(max_size=12),
)
_DOCS = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.one_of(st.text(min_size=1, max_size=8), st.sampled_from(["on", "y", "1", "<<", "="])), inner, max_size=4),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(document=st.dictionaries(st.text(min_size=1, max_size=8), _DOCS, min_size=1, max_size=5),
       flow=st.sampled_from([False, True, None]), width=st.sampled_from([20, 80, 1000]))
def test_anything_pyyaml_writes_reads_the_same(document: dict[str, object], flow: bool | None, width: int) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True, width=width)
    assert _same(text)


_EXAMPLES = sorted((ROOT / "examples").rglob("*.yaml"))


@settings(max_examples=1000, deadline=None)
@given(example=st.sampled_from(_EXAMPLES),
       edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 3),
                                st.sampled_from(list(" \n-:#'\"[]{},&*!|>?%.0123456789aeonyx_+~\t@`=<"))),
                      min_size=1, max_size=6))
def test_a_manifest_with_random_edits_reads_the_same_or_takes_the_slow_path(
        example: Path, edits: list[tuple[int, int, str]]) -> None:
    """Broken indentation, stray indicators and half-quoted strings in any example manifest (block and flow
    style): whatever the fast path still takes is read exactly as read_yaml reads it (which must not refuse it)."""
    text = example.read_text()
    for at, width, char in edits:
        at %= len(text) + 1
        text = text[:at] + char + text[at + width % 2:]
    assert _same(text)
