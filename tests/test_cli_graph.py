"""``modelgate graph`` and ``modelgate impact`` through the command line."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from tests.helpers import chain_repo, contract, json_out, make_repo, model, run_cli, write_tree


@pytest.fixture
def repo(tmp_path):
    files = chain_repo(3)
    files["models/m1.yaml"] = model("m1", consumes=[("c0", 1)], provides=[("c1", 1)], owners=["@acme/one", "@bob"])
    files["models/side.yaml"] = model("side", consumes=[("c0", 1)],
                                      description='evil"] --> x[pwned]; click x "https://e"')
    files["models/broken.yaml"] = "apiVersion: modelgate/v1\nkind: Model\nmetadata: {name: x\n"
    return write_tree(tmp_path, files)


def test_impact_json_has_depth_owners_and_chain(repo):
    done = run_cli("impact", "c0@1", "--at", str(repo), "--format", "json")
    assert done.returncode == 0
    assert "could not be read" in done.stderr and "models/broken.yaml" in done.stderr
    out = json_out(done)
    assert out["start"] == ["contract:c0@1"]
    assert out["impacted"] == [
        {"model": "m1", "depth": 1, "owners": ["@acme/one", "@bob"], "chain": ["contract:c0@1", "model:m1"]},
        {"model": "side", "depth": 1, "owners": ["@acme/team"], "chain": ["contract:c0@1", "model:side"]},
        {"model": "m2", "depth": 2, "owners": ["@acme/team"],
         "chain": ["contract:c0@1", "model:m1", "contract:c1@1", "model:m2"]},
    ]


def test_impact_text_and_depth(repo, capsys):
    assert main(["impact", "model:m0", "--at", str(repo), "--depth", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "model:m0: 2 models depend on it"
    assert [line.split()[:2] for line in out[1:]] == [["1", "m1"], ["1", "side"]]
    assert main(["impact", "m2", "--at", str(repo)]) == 0
    assert capsys.readouterr().out.strip() == "model:m2: no model depends on it"
    assert main(["impact", "model:m1", "--at", str(repo), "--depth", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "model:m1: 1 model depends on it"


@pytest.mark.parametrize(("args", "words"), [
    (["impact", "m9"], "did you mean m2 or m1 or m0"),
    (["impact", "c0@7"], "has no version '7'"),
    (["impact", "m0", "--depth", "0"], "--depth 0"),
    (["graph", "--focus", "nothing"], "no model or contract named 'nothing'"),
])
def test_unknown_nodes_and_bad_arguments_exit_2(repo, args, words):
    done = run_cli(*args, "--at", str(repo))
    assert done.returncode == 2
    assert words in done.stderr and "Traceback" not in done.stderr


def test_ambiguous_bare_name_exits_2_with_both_spellings(tmp_path):
    root = write_tree(tmp_path, {"contracts/x.yaml": contract("x"), "models/x.yaml": model("x", provides=[("x", 1)])})
    done = run_cli("impact", "x", "--at", str(root))
    assert done.returncode == 2 and "model:x" in done.stderr and "contract:x" in done.stderr


def test_graph_mermaid_is_safe_and_complete(repo, capsys):
    assert main(["graph", "--at", str(repo)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "flowchart LR"
    assert "pwned" not in out  # descriptions never reach the graph; labels are node ids
    assert sum("-->" in line for line in lines) == 6
    assert any('["model:side"]' in line for line in lines)


def test_graph_dot_and_json_with_focus(repo, capsys):
    assert main(["graph", "--at", str(repo), "--format", "dot", "--focus", "model:m2"]) == 0
    dot = capsys.readouterr().out
    assert dot.startswith("digraph modelgate {") and '"model:side"' not in dot and '"model:m0" ->' in dot
    assert main(["graph", "--at", str(repo), "--format", "json"]) == 0
    graph = json.loads(capsys.readouterr().out)
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert nodes["model:m1"]["owners"] == ["@acme/one", "@bob"] and nodes["model:m1"]["file"] == "models/m1.yaml"
    assert nodes["contract:c0@1"] == {"id": "contract:c0@1", "kind": "contract", "name": "c0", "version": 1,
                                      "status": "active", "defined": True, "owners": ["@acme/team"],
                                      "file": "contracts/c0.yaml"}
    assert {"from": "model:m0", "to": "contract:c0@1"} in graph["edges"]


def test_graph_at_a_git_revision(tmp_path):
    repo = make_repo(tmp_path, chain_repo(2))
    done = run_cli("graph", "--at", "HEAD", "--format", "json", cwd=repo)
    assert done.returncode == 0
    assert len(json_out(done)["edges"]) == 3
