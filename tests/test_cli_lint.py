"""``modelgate lint``: every bad input of the issue gives one finding with rule, file and line, exit 1, no
traceback, and the other manifests are still checked. End to end through the real command line."""

from __future__ import annotations

import json
import os
import socket

import pytest
import yaml

from bot.cli import main
from tests.helpers import commit, contract, contract_text, dedent, dump, make_repo, model, run_cli, write_tree

GOOD = {
    "contracts/features.yaml": contract("features"),
    "contracts/score.yaml": contract("score"),
    "models/feeder.yaml": model("feeder", provides=[("features", 1)]),
    "models/scorer.yaml": model("scorer", consumes=[("features", 1)], provides=[("score", 1)]),
    # still checked while everything else is broken: its unknown reference is reported
    "models/reader.yaml": model("reader", consumes=[("score", 1), ("nowhere", 1)]),
}
BOMB = "apiVersion: modelgate/v1\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [" + ", ".join([f"*{p}"] * 10) + "]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))
BAD = {
    "bad/syntax.yaml": "apiVersion: modelgate/v1\nkind: Model\nmetadata: {name: x\n",
    "bad/list.yaml": "- apiVersion: modelgate/v1\n- kind: Model\n",
    "bad/scalar.yaml": "'apiVersion: modelgate/v1'\n",
    "bad/unknown.yaml": dedent("""
        apiVersion: modelgate/v1
        kind: Model
        metadata:
          name: unknown-field
          owners: ["@acme/team"]
          colour: red
        spec:
          version: 1.0.0
    """),
    "bad/wrong-type.yaml": dedent("""
        apiVersion: modelgate/v1
        kind: Model
        metadata:
          name: wrong-type
          owners: ["@acme/team"]
        spec:
          version: 1.0.0
          consumes:
            - contract: features
              version: two
    """),
    "bad/capitals.yaml": model("Fraud Scorer"),
    "zz/duplicate.yaml": model("scorer"),
    "bad/twice.yaml": contract_text("twice", """
        - {version: 1, schema: {type: object}}
        - {version: 1, schema: {type: object}}
    """),
    "bad/float.yaml": model("float-version", version="1.0").replace("'1.0'", "1.0"),
    "bad/bomb.yaml": BOMB,
    "bad/deep.yaml": "apiVersion: modelgate/v1\nx: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "bad/latin1.yaml": "apiVersion: modelgate/v1\nkind: Model\nmetadata:\n  name: café\n".encode("latin-1"),
    "bad/big.yaml": "apiVersion: modelgate/v1\n#" + "x" * (50 * 1024 * 1024) + "\n",
    "bad/on.yaml": contract_text("on-key", """
        - version: 1
          schema: {type: object}
          fallback:
            strategy: skip
            on: [timeout]
    """),
    "contracts/passwd.yaml": contract("passwd", [{"version": 1, "schema_ref": "../../etc/passwd"}]),
    "contracts/url.yaml": contract("url", [{"version": 1, "schema_ref": "https://example.com/s.json"}]),
    "contracts/ref.yaml": contract_text("remote-ref", """
        - version: 1
          schema:
            type: object
            properties:
              score: {$ref: "https://example.com/score.json"}
    """),
    ".modelgate.yml": "limits:\n  max_manifest_bytes: 2000000\n  max_depthh: 3\n",
}
EXPECTED = [  # (file, line, rule, words in the message)
    (".modelgate.yml", 3, "MG001", "unknown field 'limits.max_depthh'"),
    ("bad/syntax.yaml", 3, "MG001", "YAML syntax error"),
    ("bad/list.yaml", 1, "MG001", "this is a list"),
    ("bad/scalar.yaml", 1, "MG001", "this is a scalar"),
    ("bad/unknown.yaml", 6, "MG001", "unknown field 'metadata.colour'"),
    ("bad/wrong-type.yaml", 10, "MG001", "spec.consumes.0.version"),
    ("bad/capitals.yaml", 4, "MG001", "'Fraud Scorer' is not a valid name"),
    ("zz/duplicate.yaml", 4, "MG002", "already used by models/scorer.yaml"),
    ("bad/twice.yaml", 7, "MG001", "version 1 is listed twice"),  # the second entry, not `versions:`
    ("bad/float.yaml", 8, "MG001", "quote it"),
    ("bad/bomb.yaml", None, "MG001", "alias expansion"),
    ("bad/deep.yaml", 2, "MG001", "nesting"),
    ("bad/latin1.yaml", 4, "MG001", "not UTF-8"),
    ("bad/big.yaml", 1, "MG001", "over the limit of 1000000 (limits.max_manifest_bytes)"),
    ("bad/link.yaml", 1, "MG001", "symbolic link pointing outside the repository"),
    ("bad/on.yaml", 10, "MG001", "when:"),
    ("contracts/passwd.yaml", 10, "MG008", "not a path inside the repository"),
    ("contracts/url.yaml", 10, "MG008", "not a path inside the repository (never fetched)"),
    ("contracts/ref.yaml", 10, "MG008", "'https://example.com/score.json' is not local"),
    ("models/reader.yaml", 12, "MG003", "'nowhere'"),
]


@pytest.fixture(scope="module")
def bad_repo(tmp_path_factory):
    root = write_tree(tmp_path_factory.mktemp("bad") / "repo", {**GOOD, **BAD})
    os.symlink("/etc/passwd", root / "bad" / "link.yaml")
    return root


@pytest.fixture(scope="module")
def linted(bad_repo):
    done = run_cli("lint", str(bad_repo), "--format", "json")
    return done, json.loads(done.stdout)


def test_bad_inputs_fail_with_exit_1_and_no_traceback(linted):
    done, report = linted
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    assert report["verdict"] == "fail"


@pytest.mark.parametrize(("file", "line", "rule", "words"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_each_bad_input_is_one_finding_with_file_and_line(linted, file, line, rule, words):
    found = [f for f in linted[1]["findings"] if f["file"] == file and f["severity"] == "error"]
    assert len(found) == 1, found
    assert found[0]["rule"] == rule
    assert words in found[0]["message"]
    if line is not None:
        assert found[0]["line"] == line
    else:
        assert found[0]["line"] >= 1
    assert set(found[0]) >= {"rule", "severity", "message", "file", "line", "subject", "waived_by", "preexisting"}


def test_the_good_manifests_are_still_checked(linted):
    files = {f["file"] for f in linted[1]["findings"]}
    assert not files & {"models/feeder.yaml", "models/scorer.yaml", "contracts/features.yaml"}


def test_nothing_is_fetched(bad_repo, monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise AssertionError("modelgate tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert main(["lint", str(bad_repo), "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert {f["file"] for f in findings if f["rule"] == "MG008"} == {
        "contracts/passwd.yaml", "contracts/url.yaml", "contracts/ref.yaml"}


def test_text_format_lines_and_summary(bad_repo):
    done = run_cli("lint", str(bad_repo))
    assert done.returncode == 1
    out = done.stdout.splitlines()
    assert "models/reader.yaml:12: MG003 [error] consumes contract 'nowhere', which does not exist" in out
    assert out[-1].startswith(f"{len(EXPECTED)} errors") and out[-1].endswith(" manifests parsed)")


def test_the_summary_counts_files_with_findings_apart_from_manifests_that_parsed(tmp_path):
    root = write_tree(tmp_path, {"models/a.yaml": model("a").replace("owners:", "ownrs:"),
                                 "models/b.yaml": model("b").replace("version: 1.0.0", "version: 1.0"),
                                 "models/c.yaml": model("c", consumes=[("gone", 1)]), "models/d.yaml": model("d")})
    done = run_cli("lint", str(root))
    assert done.stdout.splitlines()[-1] == "3 errors in 3 files (2 manifests parsed)"


def test_github_format_escapes_workflow_commands(tmp_path):
    root = write_tree(tmp_path, {"a,b:c.yaml": "apiVersion: modelgate/v1\nkind: Model\nmetadata: {name: x\n"})
    done = run_cli("lint", str(root), "--format", "github")
    assert done.returncode == 1
    assert done.stdout.startswith("::error file=a%2Cb%3Ac.yaml,line=3,title=MG001::YAML syntax error")


def test_warnings_alone_pass(tmp_path):
    root = write_tree(tmp_path, {"contracts/orphan.yaml": contract("orphan")})
    done = run_cli("lint", str(root))
    assert done.returncode == 0, done.stdout
    assert "MG005 [warning]" in done.stdout
    assert done.stdout.splitlines()[-1] == "1 warning in 1 file (1 manifest parsed)"


def test_configuration_overrides_severities(tmp_path, capsys):
    root = write_tree(tmp_path, {"models/x.yaml": model("x", consumes=[("gone", 1)]),
                                 ".modelgate.yml": "rules: {MG003: warning}\n"})
    assert main(["lint", str(root)]) == 0
    assert "MG003 [warning]" in capsys.readouterr().out
    write_tree(root, {".modelgate.yml": "rules: {MG003: off}\n"})
    assert main(["lint", str(root)]) == 0
    assert capsys.readouterr().out.strip() == "no problems in 1 manifest"


def test_the_size_limit_is_configurable(tmp_path, capsys):
    root = write_tree(tmp_path, {"models/x.yaml": model("x"), ".modelgate.yml": "limits: {max_manifest_bytes: 100}\n"})
    assert main(["lint", str(root), "--format", "json"]) == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert (finding["file"], finding["line"], finding["rule"]) == ("models/x.yaml", 1, "MG001")
    assert "over the limit of 100" in finding["message"]


def test_config_flag_replaces_the_state_configuration(tmp_path, capsys):
    root = write_tree(tmp_path, {"models/x.yaml": model("x", consumes=[("gone", 1)])})
    config = write_tree(tmp_path / "cfg", {"c.yml": "rules: {MG003: off}\n"}) / "c.yml"
    assert main(["lint", str(root), "--config", str(config)]) == 0
    capsys.readouterr()
    write_tree(config.parent, {"c.yml": "rules: {MG003: loud}\n"})
    assert main(["lint", str(root), "--config", str(config)]) == 2


def test_unreadable_state_exits_2(tmp_path):
    make_repo(tmp_path, {"README": "x"})
    done = run_cli("lint", "no-such-rev", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("modelgate: error:") and "Traceback" not in done.stderr


def test_directory_and_revision_agree(tmp_path):
    files = {**GOOD, "bad/syntax.yaml": BAD["bad/syntax.yaml"], "bad/unknown.yaml": BAD["bad/unknown.yaml"]}
    repo = make_repo(tmp_path / "repo", files)
    copy = write_tree(tmp_path / "copy", files)
    by_rev = run_cli("lint", "HEAD", "--format", "json", cwd=repo)
    by_dir = run_cli("lint", str(copy), "--format", "json", cwd=repo)
    by_tree = run_cli("lint", "--format", "json", cwd=repo)
    assert by_rev.returncode == by_dir.returncode == by_tree.returncode == 1
    assert json.loads(by_rev.stdout) == json.loads(by_dir.stdout) == json.loads(by_tree.stdout)


def test_working_tree_sees_uncommitted_and_untracked_files(tmp_path):
    repo = make_repo(tmp_path, {**GOOD, ".gitignore": "ignored/\n"})
    commit(repo, {}, "nothing")
    write_tree(repo, {"models/feeder.yaml": model("feeder", provides=[("features", 1)], consumes=[("ghost", 1)]),
                      "new/untracked.yaml": model("untracked", consumes=[("phantom", 1)]),
                      "ignored/x.yaml": model("ignored", consumes=[("hidden", 1)])})
    findings = json.loads(run_cli("lint", "--format", "json", cwd=repo).stdout)["findings"]
    messages = " ".join(f["message"] for f in findings)
    assert "'ghost'" in messages and "'phantom'" in messages and "'hidden'" not in messages
    committed = json.loads(run_cli("lint", "HEAD", "--format", "json", cwd=repo).stdout)["findings"]
    assert "'ghost'" not in " ".join(f["message"] for f in committed)


# --- `modelgate lint FILE...`: the files pre-commit passes (the modelgate-lint hook) ------------------------------

def test_files_report_only_their_own_findings_read_against_the_whole_tree(tmp_path):
    repo = make_repo(tmp_path / "repo", {**GOOD, "models/other.yaml": model("other", consumes=[("nowhere", 1)])})
    done = run_cli("lint", "models/reader.yaml", "models/scorer.yaml", "--format", "json", cwd=repo)
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [(f["file"], f["rule"]) for f in findings] == [("models/reader.yaml", "MG003")]  # not other.yaml's
    passed = run_cli("lint", "models/scorer.yaml", "contracts/features.yaml", cwd=repo)  # features: defined elsewhere
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout == "no problems in 2 manifests\n"


def test_files_count_what_their_contracts_break_in_other_files_and_fail(tmp_path):
    """A staged contract edit that breaks a consumer in another file (MG010 there) passed as "no problems in 1
    manifest" before the other files' findings about the given files' contracts were counted."""
    consumer = yaml.safe_load(model("reader", consumes=[("score", 1)]))
    consumer["spec"]["consumes"][0]["fields"] = ["x"]
    repo = make_repo(tmp_path / "repo", {
        "contracts/score.yaml": contract("score"), "models/scorer.yaml": model("scorer", provides=[("score", 1)]),
        "models/reader.yaml": dump(consumer), "models/loner.yaml": model("loner", consumes=[("nowhere", 1)]),
        "contracts/other.yaml": contract("other"), "models/maker.yaml": model("maker", provides=[("other", 1)])})
    renamed = {"version": 1, "status": "active", "schema": {"type": "object", "properties": {"y": {"type": "number"}}}}
    write_tree(repo, {"contracts/score.yaml": contract("score", [renamed])})
    done = run_cli("lint", "contracts/score.yaml", cwd=repo)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout == ("no problems in 1 manifest\n"
                           "and 1 finding in other files, in manifests that consume or provide a contract these files "
                           "define: run `modelgate lint` to see it\n")
    assert json.loads(run_cli("lint", "contracts/score.yaml", "--format", "json", cwd=repo).stdout)["elsewhere"] == 1
    unrelated = run_cli("lint", "contracts/other.yaml", cwd=repo)  # loner's MG003 is not about other's contract
    assert (unrelated.returncode, unrelated.stdout) == (0, "no problems in 1 manifest\n")


def test_files_are_taken_from_the_current_directory_inside_the_tree(tmp_path):
    repo = make_repo(tmp_path / "repo", GOOD)
    done = run_cli("lint", "reader.yaml", cwd=repo / "models")
    assert done.returncode == 1
    assert done.stdout.startswith("models/reader.yaml:")


def test_a_file_that_is_not_a_manifest_passes(tmp_path):
    repo = make_repo(tmp_path / "repo", {**GOOD, "notes.yaml": "a: 1\n"})
    done = run_cli("lint", "notes.yaml", cwd=repo)
    assert (done.returncode, done.stdout) == (0, "no problems in 0 manifests\n")


def test_files_outside_the_tree_or_mixed_with_a_state_are_usage_errors(tmp_path):
    repo = make_repo(tmp_path / "repo", GOOD)
    (tmp_path / "elsewhere.yaml").write_text(model("elsewhere"))
    outside = run_cli("lint", "../elsewhere.yaml", cwd=repo)
    assert outside.returncode == 2 and "not in the working tree" in outside.stderr
    mixed = run_cli("lint", "models", "models/reader.yaml", cwd=repo)
    assert mixed.returncode == 2 and "give one PATH|REV, or files" in mixed.stderr
