"""The pure parse: a file's bytes as a manifest document with its lines, the configuration, MG001, paths, globs."""

from __future__ import annotations

import pathspec
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.manifests.codec import loads
from bot.manifests.parse import matcher, parse_config, parse_manifest, read_budgeted, read_document, repo_path
from tests.helpers import contract, model


def test_invalid_configuration_is_mg001_with_line_and_defaults_apply():
    config, findings = parse_config(b"status_context: ok\nrules:\n  MG101: loud\n")
    assert [(f.rule, f.file, f.line) for f in findings] == [("MG001", ".modelgate.yml", 3)]
    assert config.limits.max_manifest_bytes == 1_000_000
    assert parse_config(b"- a\n")[1][0].message == "the configuration must be a mapping"
    assert parse_config(b"a: {\n")[1][0].line == 1
    assert parse_config(b"")[1] == []


def test_repo_path_never_leaves_the_repository():
    assert repo_path("c.yaml", "schemas/a.json") == "schemas/a.json"
    assert repo_path("c.yaml", "/schemas/../schemas/a.json") == "schemas/a.json"
    for bad in ("../../etc/passwd", "a/../../x", "https://x/y.json", "//host/x", "\\\\host\\x", "..", "", "a\0b"):
        assert repo_path("c.yaml", bad) is None, bad


@settings(max_examples=200, deadline=None)
@given(patterns=st.lists(st.sampled_from(["**/*.yaml", "**/*.yml", "models/", "/top.yaml", "*.json", "a/**/b.yaml",
                                          "!x.yaml", "!models/keep.yaml", "docs/*", "[ab].yaml", "?.yml", "**"]),
                         max_size=4),
       path=st.sampled_from(["top.yaml", "x.yaml", "a/x.yaml", "models/m.yml", "models/keep.yaml", "a/c/b.yaml",
                             "docs/readme.md", "a.yaml", "c.yaml", "b.yml", "deep/er/s.json", "models", "a/models/z"]))
def test_the_manifest_matcher_agrees_with_pathspec(patterns, path):
    assert matcher(patterns)(path) == pathspec.PathSpec.from_lines("gitignore", patterns).match_file(path)


def test_a_parse_carries_the_lines_of_the_document_so_nothing_is_read_again():
    text = model("a", consumes=[("c", 1)])
    (kind, (name, data_json, order, _)), _, _ = read_budgeted("m.yaml", text.encode())
    assert (kind, name, loads(data_json)["metadata"]["name"]) == ("manifest", "Model", "a")
    manifest, findings = parse_manifest("m.yaml", "0" * 40, text.encode())
    assert findings == [] and manifest is not None
    assert manifest.order == order and manifest.data == loads(data_json)
    assert manifest.line("spec", "consumes", 0, "version") == 11


def test_the_fast_and_the_slow_reader_give_the_same_lines():
    text = contract("c", [{"version": 1, "schema": {"type": "object", "properties": {"a": {"type": "string"}}}}])
    fast = read_document("c.yaml", text.encode())
    slow = read_document("c.yaml", (text + "x: !!str tagged\n").encode())  # a tag: only the bounded reader reads it
    assert fast[2] == slow[2] == []
    assert slow[1][:len(fast[1])] == fast[1]  # the same lines, and one more for the key the slow one has


def test_a_document_the_models_reject_is_explained_at_its_lines():
    manifest, findings = parse_manifest("m.yaml", "", model("a").replace("  version:", "  colour: red\n  version:")
                                        .encode())
    assert manifest is None
    assert [(f.line, f.message, f.subject) for f in findings] == [(8, "unknown field 'spec.colour'", "model:a")]


def test_both_readers_count_a_documents_values_the_same_way():
    """The run's budget (issue 19, item 9) charges a document what the reader that read it counted: the fast path
    and the bounded reader must agree, aliases at the size of what they repeat."""
    from bot.manifests.fastyaml import read_fast_counted
    from bot.manifests.yamlread import read_counted
    from tests.test_hostile import alias_heavy_contract

    documents = [model("a"), contract("c"), "a: &x [1, 2, {b: 3}]\nc: *x\nd: [*x, *x]\ne: &y s\nf: [*y]\n",
                 "l0: &l0 [x, {y: z}]\nl1: &l1 {a: *l0, b: [*l0, *l0]}\nl2: [*l1, *l1, *l0]\n"]
    for text in documents:
        fast = read_fast_counted(text, 64)
        assert fast is not None
        assert fast[2] == read_counted(text, want_lines=True)[2] > 1
    assert read_fast_counted(alias_heavy_contract("big"), 64) is None  # past the fast path's share: read_yaml's
    assert read_counted(alias_heavy_contract("big"))[2] > 400_000
