"""Snapshots and manifests as values: lines read from the order recorded at parse time, indexes made up front."""

from __future__ import annotations

import dataclasses

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import Config
from bot.manifests.parse import mg001, parse_manifest
from bot.manifests.snapshot import Lines, in_order, line_at, locate, snapshot
from bot.manifests.yamlread import read_yaml
from tests.helpers import model


def _manifest(text: str, path: str = "m.yaml"):
    manifest, findings = parse_manifest(path, "", text.encode())
    assert manifest is not None, findings
    return manifest


def test_lines_point_at_any_key():
    m = _manifest(model("a", consumes=[("c", 1)]))
    assert m.line("metadata", "name") == 4
    assert m.line("spec", "consumes", 0, "version") == 11
    assert m.line("spec", "consumes", 0, "nope", 7) == 10  # the deepest part that exists


_LEAVES = st.one_of(st.integers(-5, 5), st.sampled_from(["a", "b", "x y", ""]), st.none(), st.booleans())
_DATA = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["a", "b", "c", "dd"]), inner, max_size=4)),
    max_leaves=20)
_PATHS = st.lists(st.one_of(st.sampled_from(["a", "b", "c", "dd", "zz"]), st.integers(-1, 4)), max_size=5)


@settings(max_examples=300, deadline=None)
@given(data=st.dictionaries(st.sampled_from(["a", "b", "c"]), _DATA, min_size=1), shared=_DATA,
       flow=st.booleans(), paths=st.lists(_PATHS, max_size=8))
def test_the_order_of_lines_answers_as_the_lines_do(data, shared, flow, paths):
    document = {**data, "s1": shared, "s2": shared}  # a shared value: PyYAML writes an anchor and an alias
    text = yaml.safe_dump(document, default_flow_style=flow, sort_keys=False)
    read, lines = read_yaml(text, want_lines=True)
    order = in_order(read, lines)
    asked = Lines(read, order)  # one document, many questions: the offsets it keeps answer them all
    for path in [*paths, *(p[:cut] for p in lines for cut in range(len(p) + 1))]:
        assert line_at(read, order, path) == asked.at(path) == locate(lines, path), (text, path)


def test_the_findings_of_a_long_list_are_located_without_measuring_it_again_for_each():
    """A manifest with 20,000 consumers and a finding on each: every container is measured once, so locating
    them all is linear (asking again for each finding would be quadratic: minutes for a hostile pull request)."""
    text = "spec:\n  consumes:\n" + "".join(f"    - {{contract: c{n}, version: 1}}\n" for n in range(20_000))
    data, lines = read_yaml(text, want_lines=True)
    asked = Lines(data, in_order(data, lines))
    assert [asked.at(("spec", "consumes", n, "version")) for n in (0, 9_999, 19_999)] == [3, 10_002, 20_002]
    # measured: the document, spec, the list (each item's offset from one pass) and the three items entered
    assert len(asked._offsets) == 6
    assert all(asked.at(("spec", "consumes", n)) == n + 3 for n in range(20_000))
    assert len(asked._offsets) == 6  # 20,000 more questions, nothing measured again


def test_merged_keys_and_repeated_values_point_at_what_yaml_gives_a_line():
    text = "base: &b\n  x: 1\n  y: [2, 3]\nkid:\n  <<: *b\n  z: 4\nagain: *b\n"
    data, lines = read_yaml(text, want_lines=True)
    order = in_order(data, lines)
    assert [line_at(data, order, p) for p in [("base", "y", 1), ("kid", "x"), ("kid", "z"), ("again", "y", 0), ()]] \
        == [locate(lines, p) for p in [("base", "y", 1), ("kid", "x"), ("kid", "z"), ("again", "y", 0), ()]] \
        == [3, 4, 6, 7, 1]


def test_a_snapshot_indexes_its_manifests_when_it_is_made_and_stays_as_it_was_made():
    first, second = _manifest(model("a"), "a/m.yaml"), _manifest(model("a"), "b/m.yaml")
    snap = snapshot("head", Config(), [first, second], [], frozenset(), {}, None, {}, {}, None)
    assert snap.models == {"a": first} and snap.contracts == {}  # the first file of a duplicated name
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.label = "base"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.blob = "other"  # type: ignore[misc]


def test_unknown_file_answers_for_a_model_a_contract_and_its_versions():
    cause = mg001("contracts/c.yaml", 3, "YAML syntax error", "contract:c")
    snap = dataclasses.replace(snapshot("head", Config(), [], [cause], frozenset(), {}, None, {}, {}, None),
                               unknown={"contract:c": cause})
    assert snap.unknown_file("contract:c") == snap.unknown_file("contract:c@2") == "contracts/c.yaml"
    assert snap.unknown_file("model:c") is None and snap.unknown_file("contract:d@1") is None
    assert snapshot("base", Config(), [], [], frozenset(), {}, None, {}, {}, None).unknown == {}
