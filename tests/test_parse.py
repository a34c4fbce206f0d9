"""The pure parse: a file's bytes as a manifest document with its lines, the configuration, MG001, paths, globs."""

from __future__ import annotations

import pathspec
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.manifests.codec import loads
from bot.manifests.parse import (
    _GITIGNORE,
    matcher,
    parse_config,
    parse_manifest,
    read_budgeted,
    read_document,
    repo_path,
)
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
    assert matcher(patterns)(path) == pathspec.PathSpec.from_lines(_GITIGNORE, patterns).match_file(path)


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


# --- issue 13: which files look like manifests (the prefilter, the document, the text YAML cannot read) ----------

def test_the_prefilter_drops_only_bytes_that_cannot_hold_a_manifest_looking_document():
    from bot.manifests.parse import may_be_manifest

    assert not may_be_manifest(b"name: ci\non: push\njobs: {test: {runs-on: ubuntu-latest}}\n")
    assert not may_be_manifest(b"image: {tag: v1}\nreplicas: 3\n")  # Helm values
    assert may_be_manifest(b"apiVersion: ModelGate/V1\n")  # any case
    assert not may_be_manifest(b"apiVersion: apps/v1\nkind: Deployment\nspec: {replicas: 3}\n")
    assert may_be_manifest(b"kind: Model\nspec: {}\n")  # apiVersion-less
    assert may_be_manifest(b"kind: Contract\nspec: {}\n") and not may_be_manifest(b"kind: model\nspec: {}\n")
    assert may_be_manifest(b'apiVersion: "\\x6Dodelgate/v1"\n')  # an escape could spell it


def test_the_prefilter_reads_escapes_and_utf16_not_any_backslash():
    """A backslash alone no longer costs a parse (a data file of regular expressions outside the globs took 78 s
    and the run's budget); an escape that spells the words, an escaped line break joining them, or a manifest
    re-encoded as UTF-16 or UTF-32 still passes."""
    from bot.manifests.parse import may_be_manifest

    assert not may_be_manifest(b'pattern: "\\\\d+"\nrows: [1, 2]\n')
    assert not may_be_manifest(b'x: "\\UFFFFFFFF"\n')
    assert may_be_manifest(b'apiVersion: "model\\\n    gate/v1"\n')
    assert may_be_manifest(b'apiVersion: "model\\\r\n\tgate/v1"\n')
    assert may_be_manifest(b'"\\x6bind": "\\u004dodel"\n"sp\\u0065c": {}\n')
    assert may_be_manifest(b'apiVersion: "\\U0000006Dodelgate/v1"\n')
    for encoding in ("utf-16", "utf-16-be", "utf-32"):
        assert may_be_manifest("apiVersion: modelgate/v1\n".encode(encoding))
        assert may_be_manifest("kind: Model\nspec: {}\n".encode(encoding))
        assert not may_be_manifest("name: ci\non: push\n".encode(encoding))


def test_a_document_looks_like_a_manifest_by_its_apiversion_or_by_its_kind_and_spec():
    from bot.manifests.parse import look_of

    assert look_of({"apiVersion": "modelgate/V2", "kind": "Model", "metadata": {"name": "a"}}, [1, 1, 1, 2, 3, 3]) == (
        "apiVersion 'modelgate/V2'", 1, "model:a")
    assert look_of({"kind": "Contract", "spec": {}}, [1, 1, 1, 2, 2]) == (
        "kind 'Contract' with a spec and no apiVersion", 1, None)
    assert look_of({"kind": "model", "apiVersion": "modelgates/v1", "metadata": {"name": "b"}}, [1])[2] == "model:b"
    for other in ({"apiVersion": "machinelearning.seldon.io/v1", "kind": "Model", "spec": {}},
                  {"apiVersion": 1, "kind": "Model", "spec": {}}, {"kind": "Model"}, {"kind": "Deployment", "spec": 1},
                  {"apiVersion": "apps/v1", "kind": "Deployment"}):
        assert look_of(other, [1]) is None, other
    assert look_of({"apiVersion": ["modelgate/v1"], "kind": "Model", "spec": {}}, [1, 2])[0] == (
        "kind 'Model' with a spec and an apiVersion that is no string (['modelgate/v1'])")


def test_an_escaped_apiversion_is_read_not_skipped():
    text = model("esc").replace("apiVersion: modelgate/v1", 'apiVersion: "\\x6Dodelgate/v1"')
    (kind, payload), _, _ = read_budgeted("m.yaml", text.encode())
    assert kind == "manifest" and loads(payload[1])["metadata"]["name"] == "esc"


def test_another_tools_yaml_is_skipped_after_it_is_read_and_a_wrong_identity_is_not():
    from bot.manifests.parse import SKIP

    assert read_budgeted("k.yaml", b"apiVersion: v1\nkind: Service\nspec: {}\n")[0] == SKIP
    assert read_budgeted("k.yaml", b"a: '\\\\d'\n")[0] == SKIP
    (kind, (problems, look)), _, _ = read_budgeted("m.yaml", model("a").replace("kind: Model", "kind: [x]").encode())
    assert kind == "error" and look == ["apiVersion 'modelgate/v1'", 1, None]
    assert problems == [["kind must be one of Model, Contract, not ['x']", 2, None]]  # no kind it is close to


def test_text_that_yaml_cannot_read_looks_like_a_manifest_by_its_lines():
    from bot.manifests.parse import SKIP, declared_look

    broken = b"# a model\napiVersion: modelgate/v1\nkind: Model\nmetadata: {name: broken\n"
    assert declared_look(broken) == ("apiVersion 'modelgate/v1'", 2, "model:broken")
    (kind, (problems, look)), _, _ = read_budgeted("m.yaml", broken)
    assert kind == "error" and look[:2] == ["apiVersion 'modelgate/v1'", 2]
    assert problems[0][0].startswith("YAML syntax error")
    assert declared_look(b"kind: Contract\nmetadata: {name: c}\nspec: [\n") == (
        "kind 'Contract' with a spec and no apiVersion", 1, "contract:c")
    assert declared_look(b"{apiVersion: ModelGate/v9, kind: Model\n") == ("apiVersion 'ModelGate/v9'", 1, None)
    assert declared_look(b"apiVersion: modelgate/v1\n\xff\xfe\n") == ("apiVersion 'modelgate/v1'", 1, None)
    helm = b"apiVersion: apps/v1\nkind: Deployment\nspec:\n  {{ .Values.spec }}\n"
    assert declared_look(helm) is None and read_budgeted("t.yaml", helm)[0] == SKIP
    assert declared_look(b"kind: Model\nspec: [\napiVersion: x\n") is None  # another tool's, with its apiVersion


def test_a_file_the_runs_budget_refuses_is_never_skipped_as_no_manifest():
    """Past the budget the document is not known: it may be a manifest (an escape can hide its apiVersion), so it is
    refused with MG001 and not kept in the disk cache (``over``), never skipped for good."""
    from bot.manifests.parse import OVER_BUDGET

    data = b'a: "\\x6dodelgate"\nb: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n'  # its escape says modelgate
    (kind, (problems, look)), _, over = read_budgeted("x.yaml", data, budget=3)
    assert (kind, problems[0][0], look, over) == ("error", OVER_BUDGET, None, True)
    assert read_budgeted("x.yaml", data)[0][0] == "skip"  # within the budget: read, and another tool's
