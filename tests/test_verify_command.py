"""``modelgate verify`` through the real command line: lookup of the contract, formats, exit codes."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.manifests.parse import parse_manifest
from tests.helpers import contract, dedent, json_out, make_repo, run_cli, write_tree

MANIFEST = dedent("""
    apiVersion: modelgate/v1
    kind: Contract
    metadata:
      name: fraud-score
      owners: ["@acme/risk-ml"]
    spec:
      versions:
        - version: 2
          schema:
            type: object
            properties:
              score: {type: number, minimum: 0, maximum: 1}
              reason_codes: {type: array, items: {type: string}}
            required: [score]
          quality:
            min_records: 3
            null_rate_max:
              reason_codes: 0.5
            drift:
              psi_max:
                score: 0.2
        - version: 1
          status: deprecated
          schema: {type: object}
""")
GOOD = "".join(json.dumps({"score": i / 10, "reason_codes": ["R1"]}) + "\n" for i in range(10))
BAD = GOOD + '{"score": 1.7}\n{"reason_codes": []}\n'


@pytest.fixture
def repo(tmp_path):
    return write_tree(tmp_path / "repo", {"contracts/fraud-score.yaml": MANIFEST, "good.jsonl": GOOD,
                                          "bad.jsonl": BAD})


def verify(repo, *args):
    return main(["verify", "fraud-score@2", "--at", str(repo), *args])


def test_pass_is_exit_0(repo, capsys):
    assert verify(repo, "--records", str(repo / "good.jsonl"), "--baseline", str(repo / "good.jsonl")) == 0
    out = capsys.readouterr().out
    assert out.startswith("modelgate verify fraud-score@2: PASS\n")
    assert "score         0.0000  (max 0.2)  ok  (numeric)" in out


def test_breach_is_exit_1_with_spec_json(repo, capsys):
    assert verify(repo, "--records", str(repo / "bad.jsonl"), "--format", "json", "--examples", "5") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "fail"
    assert (report["records"], report["invalid"]) == (12, 2)
    assert report["examples"] == [
        {"record": 11, "path": "#/score", "reason": "1.7 is greater than the maximum of 1"},
        {"record": 12, "path": "#", "reason": '"score" is a required property'}]
    assert report["null_rates"] == {"reason_codes": {"value": 1 / 12, "max": 0.5, "ok": True}}
    assert report["drift"] == {"score": {"psi": None, "max": 0.2, "ok": None}}
    assert report["min_records"] == {"value": 12, "min": 3, "ok": True}


def test_github_annotations_name_the_manifest_lines(repo, capsys):
    (repo / "few.jsonl").write_text('{"score": 2}\n{"score": 0.5}\n')
    assert verify(repo, "--records", str(repo / "few.jsonl"), "--format", "github") == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("::error file=contracts/fraud-score.yaml,line=9,")  # schema:
    assert out[1].startswith("::error file=contracts/fraud-score.yaml,line=16,")  # min_records:
    assert out[2].startswith("::error file=contracts/fraud-score.yaml,line=18,")  # reason_codes: 0.5
    assert out[3].startswith("::warning file=contracts/fraud-score.yaml,line=21,")  # score: 0.2


def test_csv_records_with_a_header_lacking_fields(repo, capsys):
    (repo / "r.csv").write_text("reason_codes\n[]\n[]\n[]\n")
    assert verify(repo, "--records", str(repo / "r.csv")) == 1
    out = capsys.readouterr().out
    assert "records      3 read, 3 invalid  BREACH" in out
    assert "r.csv: the CSV header has no column for score; every record misses these fields" in out


@pytest.mark.parametrize(("ref", "message"), [
    ("nope@1", "no contract 'nope' in"),
    ("fraud-score@7", "contract 'fraud-score' has no version 7 (versions: 2, 1) in contracts/fraud-score.yaml"),
    ("fraud-score", "name the contract version as CONTRACT@V, e.g. fraud-score@2"),
    ("rank", "'rank': name the contract version as CONTRACT@V, e.g. rank@2"),
])
def test_unknown_contracts_are_usage_errors(repo, capsys, ref, message):
    assert main(["verify", ref, "--at", str(repo), "--records", str(repo / "good.jsonl")]) == 2
    assert message in capsys.readouterr().err


def test_unreadable_records_are_usage_errors(repo, capsys):
    assert verify(repo, "--records", str(repo / "missing.jsonl")) == 2
    assert "missing.jsonl: no such file" in capsys.readouterr().err


def test_invalid_quality_is_mg001_and_verify_says_so(tmp_path, capsys):
    bad = MANIFEST.replace("reason_codes: 0.5", "reason_codes: 1.5").replace("score: 0.2", "score: -1")
    _, findings = parse_manifest("contracts/fraud-score.yaml", "", bad.encode())
    assert [(f.rule, f.line, f.message) for f in findings] == [
        ("MG001", 17, "spec.versions.0.quality.null_rate_max: null_rate_max.reason_codes must be between 0 and 1"),
        ("MG001", 21, "spec.versions.0.quality.drift.psi_max.score: Input should be greater than or equal to 0")]
    repo = write_tree(tmp_path / "repo", {"contracts/fraud-score.yaml": bad, "r.jsonl": GOOD})
    assert verify(repo, "--records", str(repo / "r.jsonl")) == 2
    err = capsys.readouterr().err
    assert "no contract 'fraud-score'" in err and "contracts/fraud-score.yaml:17:" in err


def test_schema_ref_and_a_git_revision(tmp_path, capsys, monkeypatch):
    version = {"version": 1, "schema_ref": "schemas/s.json", "quality": {"min_records": 1}}
    repo = make_repo(tmp_path / "git", {"contracts/s.yaml": contract("s", [version]),
                                        "schemas/s.json": '{"type": "object", "required": ["x"]}'})
    records = write_tree(tmp_path / "data", {"r.jsonl": '{"x": 1}\n{"y": 1}\n'}) / "r.jsonl"
    monkeypatch.chdir(repo)
    assert main(["verify", "s@1", "--records", str(records), "--format", "github"]) == 1  # the working tree
    assert capsys.readouterr().out.startswith("::error file=contracts/s.yaml,line=10,")  # schema_ref:
    (repo / "contracts" / "s.yaml").unlink()
    assert main(["verify", "s@1", "--records", str(records)]) == 2
    assert main(["verify", "s@1", "--at", "HEAD", "--records", str(records)]) == 1


def test_end_to_end_through_a_subprocess(repo):
    done = run_cli("verify", "contract:fraud-score@2", "--records", "bad.jsonl", "--at", ".", "--format", "json",
                   cwd=repo)
    assert done.returncode == 1, done.stderr
    assert json_out(done)["invalid"] == 2
    usage = run_cli("verify", "fraud-score@2", "--records", "bad.parquet", "--at", ".", cwd=repo)
    assert usage.returncode == 2
    assert usage.stderr.strip() == "modelgate: error: bad.parquet: no such file"


def test_a_hostile_parquet_file_is_one_clear_line_and_exit_2(repo):
    import pyarrow as pa
    import pyarrow.parquet as pq

    bomb = pa.DictionaryArray.from_arrays(pa.array([0] * 1500, pa.int32()), pa.array(["x" * (1 << 20)]))
    pq.write_table(pa.table({"score": bomb}), repo / "bomb.parquet", compression="zstd")
    done = run_cli("verify", "fraud-score@2", "--records", "bomb.parquet", "--at", ".", "--max-bytes", "64M", cwd=repo)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "modelgate: error: bomb.parquet: row 64: over 64 MiB decoded, the limit per file\n"


@pytest.mark.parametrize(("size", "ok"), [("500M", True), ("2g", True), ("1024", True), ("0", False), ("1x", False),
                                          ("-5M", False), ("", False), ("１M", False)])
def test_max_bytes_takes_a_size(repo, capsys, size, ok):
    if ok:
        assert verify(repo, "--records", str(repo / "good.jsonl"), "--max-bytes", size) == 0
        return
    with pytest.raises(SystemExit) as usage:
        verify(repo, "--records", str(repo / "good.jsonl"), "--max-bytes", size)
    assert usage.value.code == 2
    assert "argument --max-bytes: " in capsys.readouterr().err
