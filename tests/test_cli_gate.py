"""``modelgate gate``: metrics against rollout.gates, offline and with a deployment on the GitHub double."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from tests.github_double import GitHubDouble
from tests.helpers import commit, contract, contract_text, dedent, git, make_repo, run_cli, write_tree

REPO = "acme/platform"
SCORER = dedent("""
    apiVersion: modelgate/v1
    kind: Model
    metadata: {name: fraud-scorer, owners: ["@alice"]}
    spec:
      version: 3.2.0
      provides: [{contract: fraud-score, version: 1}]
      rollout:
        stages: [shadow, canary, production]
        gates:
          canary:
            precision: {min: 0.91}
            latency_p99_ms: {max: 60}
            auc: {max_delta: 0.02}
    """)
SCORE = contract_text("fraud-score", """
    - version: 1
      schema: {type: object, properties: {score: {type: number, minimum: 0, maximum: 1}}, required: [score]}
      quality: {min_records: 2}
    """, owner="@alice")
GOOD = {"candidate": {"precision": 0.93, "latency_p99_ms": 41, "auc": 0.90}, "baseline": {"auc": 0.91}}


@pytest.fixture
def repo(tmp_path):
    return write_tree(tmp_path / "repo", {"models/scorer.yaml": SCORER, "contracts/score.yaml": SCORE,
                                          "contracts/other.yaml": contract("other")})


def gate(repo, metrics, *extra, capsys):
    path = repo.parent / "metrics.json"
    path.write_text(metrics if isinstance(metrics, str) else json.dumps(metrics))
    code = main(["gate", "--model", "fraud-scorer", "--stage", "canary", "--metrics", str(path),
                 "--at", str(repo), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_pass(repo, capsys):
    code, out, _ = gate(repo, GOOD, capsys=capsys)
    assert code == 0
    assert out.splitlines()[0] == "gate canary of fraud-scorer: pass"
    assert "ok     auc = 0.9 vs baseline 0.91: |Δ| 0.01 ≤ max_delta 0.02" in out


def test_flat_metrics_and_a_breach(repo, capsys):
    code, out, _ = gate(repo, {"precision": 0.80, "latency_p99_ms": 41, "auc": 0.9}, "--format", "json", capsys=capsys)
    assert code == 1
    data = json.loads(out)
    assert data["verdict"] == "fail"
    assert [(c["metric"], c["ok"]) for c in data["checks"]] == [
        ("precision", False), ("latency_p99_ms", True), ("auc", False)]
    assert data["checks"][2]["reason"] == "auc: max_delta 0.02 needs a baseline, and the metrics file has none"


def test_missing_metric_is_a_breach(repo, capsys):
    code, out, _ = gate(repo, {"candidate": {"precision": 0.99, "auc": 0.9}, "baseline": {"auc": 0.9}},
                        capsys=capsys)
    assert code == 1
    assert "BREACH latency_p99_ms is gated but missing from the metrics file" in out


def test_stage_without_gates_passes_and_says_so(repo, capsys):
    path = repo.parent / "m.json"
    path.write_text("{}")
    assert main(["gate", "--model", "fraud-scorer", "--stage", "shadow", "--metrics", str(path),
                 "--at", str(repo)]) == 0
    assert "no gates for shadow" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "metrics", "needle"), [
    (["--model", "fraud-scorr"], GOOD, "did you mean fraud-scorer?"),
    (["--stage", "blue"], GOOD, "has no stage 'blue' (its stages: shadow, canary, production)"),
    ([], "{not json", "--metrics"),
    ([], "[1, 2]", "must hold a JSON object"),
    (["--deployment", "5"], GOOD, "GITHUB_TOKEN"),
    (["--records", "r.jsonl", "--contract", "nope@1"], GOOD, "no contract 'nope'"),
])
def test_usage_errors(repo, capsys, monkeypatch, args, metrics, needle):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    path = repo.parent / "metrics.json"
    path.write_text(metrics if isinstance(metrics, str) else json.dumps(metrics))
    base = {"--model": "fraud-scorer", "--stage": "canary"}
    for flag in list(base):
        if flag in args:
            base.pop(flag)
    argv = ["gate", *[x for kv in base.items() for x in kv], "--metrics", str(path), "--at", str(repo), *args]
    assert main(argv) == 2
    assert needle in capsys.readouterr().err


def test_records_are_verified_as_part_of_the_gate(repo, capsys):
    records = repo.parent / "out.jsonl"
    records.write_text('{"score": 0.2}\n{"score": 1.7}\n')
    code, out, _ = gate(repo, GOOD, "--records", str(records), capsys=capsys)
    assert code == 1
    assert "BREACH data of fraud-score@1: 2 records (1 invalid record)" in out
    records.write_text('{"score": 0.2}\n{"score": 0.7}\n')
    assert gate(repo, GOOD, "--records", str(records), capsys=capsys)[0] == 0


def test_the_records_of_a_gate_are_bounded_like_verifys(repo, capsys):
    """``--max-bytes`` bounds the decoded records of a gate's data as it does for ``modelgate verify``."""
    records = repo.parent / "out.jsonl"
    records.write_text('{"score": 0.2}\n' * 100)
    code, _, err = gate(repo, GOOD, "--records", str(records), "--max-bytes", "1K", capsys=capsys)
    assert code == 2 and "over the limit of 1 KiB per file" in err and err.count("\n") == 1
    assert gate(repo, GOOD, "--records", str(records), "--max-bytes", "1M", capsys=capsys)[0] == 0


def test_the_real_cli(repo):
    (repo.parent / "m.json").write_text(json.dumps(GOOD))
    done = run_cli("gate", "--model", "fraud-scorer", "--stage", "canary", "--metrics", str(repo.parent / "m.json"),
                   "--at", str(repo))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("gate canary of fraud-scorer: pass")


@dataclass
class Clone:
    """A clone whose base commit has the manifests and whose head (checked out) is the PR's."""

    path: Path
    base: str
    head: str


@pytest.fixture
def clone(tmp_path, monkeypatch):
    files = {"models/scorer.yaml": SCORER, "contracts/score.yaml": SCORE, "contracts/other.yaml": contract("other")}
    path = make_repo(tmp_path / "clone", files)
    base = git(path, "rev-parse", "HEAD").strip()
    git(path, "update-ref", "refs/remotes/origin/main", base)  # the target branch, as actions/checkout fetches it
    head = commit(path, {"README.md": "the PR\n"}, "the PR")
    monkeypatch.chdir(path)
    return Clone(path, base, head)


@pytest.fixture
def github(clone, monkeypatch):
    with GitHubDouble(REPO) as double:
        double.add_pull(7, head_sha=clone.head, base_sha=clone.base, author="dev")
        for key, value in {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": double.url,
                           "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "99"}.items():
            monkeypatch.setenv(key, value)
        yield double
    double.assert_clean()


def deploy(github, clone, stage="canary", payload=None, model="fraud-scorer"):
    body = {"ref": clone.head, "environment": stage, "task": f"deploy:{model}", "required_contexts": [],
            "payload": payload or {"model": model, "pr": 7, "percent": 10, "base": clone.base}}
    return github._create_deployment(body=body)[1]["id"]


def test_deployment_passes(clone, github, capsys):
    did = deploy(github, clone)
    code, _, _ = gate(clone.path, GOOD, "--deployment", str(did), capsys=capsys)
    assert code == 0
    assert [s["state"] for s in github.deployment_statuses[did]] == ["success"]
    assert github.deployment_statuses[did][0]["log_url"] == "https://github.com/acme/platform/actions/runs/99"
    assert len(github.deployments) == 1 and github.comments_on(7) == []


def test_breach_fails_the_deployment_rolls_back_and_comments(clone, github, capsys):
    did = deploy(github, clone, payload={"model": "fraud-scorer", "pr": 7, "percent": 10})  # base from the PR
    code, out, _ = gate(clone.path, {**GOOD, "candidate": {**GOOD["candidate"], "precision": 0.5}}, "--deployment",
                        str(did), capsys=capsys)
    assert code == 1
    status = github.deployment_statuses[did][-1]
    assert status["state"] == "failure"
    assert status["description"] == "gate breach: precision = 0.5 < min 0.91"
    rollback = github.deployments[-1]
    assert (rollback["ref"], rollback["environment"], rollback["task"]) == (clone.base, "canary", "deploy:fraud-scorer")
    assert rollback["payload"]["rollback"] is True and rollback["payload"]["pr"] == 7
    assert rollback["required_contexts_sent"] == []
    [comment] = github.comments_on(7)
    assert "breached its gates" in comment["body"] and "- precision = 0.5 &lt; min 0.91" in comment["body"]
    assert f"rolled back: deployment {rollback['id']} of {clone.base[:7]} to canary" in out


def test_a_pr_cannot_loosen_the_gates_that_judge_its_own_rollout(clone, github, capsys):
    loose = SCORER.replace("precision: {min: 0.91}", "precision: {min: 0.5}")
    clone.head = commit(clone.path, {"models/scorer.yaml": loose}, "loosen the canary gate")
    did = deploy(github, clone)
    metrics = {**GOOD, "candidate": {**GOOD["candidate"], "precision": 0.6}}
    assert gate(clone.path, metrics, capsys=capsys)[0] == 0  # offline, the state --at names decides
    code, out, _ = gate(clone.path, metrics, "--deployment", str(did), capsys=capsys)
    assert code == 1
    assert "BREACH precision = 0.6 < min 0.91" in out
    assert github.deployment_statuses[did][-1]["state"] == "failure"


def test_a_model_the_pr_adds_is_judged_by_the_gates_it_proposes(clone, github, capsys):
    fresh = SCORER.replace("name: fraud-scorer", "name: fresh-scorer").replace(
        "provides: [{contract: fraud-score, version: 1}]", "provides: []")
    clone.head = commit(clone.path, {"models/fresh.yaml": fresh}, "a new model")
    did = deploy(github, clone, model="fresh-scorer")
    path = clone.path.parent / "metrics.json"
    path.write_text(json.dumps(GOOD))
    assert main(["gate", "--model", "fresh-scorer", "--stage", "canary", "--metrics", str(path),
                 "--deployment", str(did)]) == 0
    assert "gate canary of fresh-scorer: pass" in capsys.readouterr().out


def test_a_base_commit_missing_from_the_clone_is_refused(clone, github, capsys):
    did = deploy(github, clone, payload={"model": "fraud-scorer", "pr": 7, "percent": 10, "base": "c" * 40})
    code, _, err = gate(clone.path, GOOD, "--deployment", str(did), capsys=capsys)
    assert code == 2
    assert f"the deployment's base commit {'c' * 12}, which is not in this clone" in err
    assert github.deployment_statuses[did] == []


def test_deployment_of_another_model_is_refused(clone, github, capsys):
    did = deploy(github, clone, stage="shadow")
    code, _, err = gate(clone.path, GOOD, "--deployment", str(did), capsys=capsys)
    assert code == 2
    assert "deploys fraud-scorer to shadow, not fraud-scorer to canary" in err
    assert github.deployment_statuses[did] == []


LOOSE = SCORER.replace("precision: {min: 0.91}", "precision: {min: 0.5}")


@pytest.mark.parametrize("base", [".", "HEAD", "head", "models"])
def test_a_deployment_cannot_name_the_prs_own_state_as_its_base(clone, github, capsys, base):
    """Issue 19, item 6: `payload.base: "."` made gate read the working tree (the PR's loosened gates). A base is
    a full commit id reachable from the target branch's tip, read from git objects, or the gate refuses."""
    clone.head = commit(clone.path, {"models/scorer.yaml": LOOSE}, "loosen the canary gate")
    head = clone.head if base == "head" else base
    did = deploy(github, clone, payload={"model": "fraud-scorer", "pr": 7, "percent": 10, "base": head})
    metrics = {**GOOD, "candidate": {**GOOD["candidate"], "precision": 0.6}}
    code, out, err = gate(clone.path, metrics, "--deployment", str(did), capsys=capsys)
    assert code == 2, out
    assert "not a commit of main" in err and "its gates are not judged" in err
    assert github.deployment_statuses[did] == []


def test_a_base_off_the_target_branch_is_refused(clone, github, capsys):
    """A commit of another branch (a loosened copy of the manifest, never merged) is not the target's policy."""
    git(clone.path, "checkout", "-q", "-b", "side", clone.base)
    side = commit(clone.path, {"models/scorer.yaml": LOOSE}, "a side branch")
    git(clone.path, "checkout", "-q", "-")
    did = deploy(github, clone, payload={"model": "fraud-scorer", "pr": 7, "percent": 10, "base": side})
    code, _, err = gate(clone.path, {**GOOD, "candidate": {**GOOD["candidate"], "precision": 0.6}},
                        "--deployment", str(did), capsys=capsys)
    assert code == 2
    assert f"names {side[:12]} as its base, which is not a commit of main" in err
    assert github.deployment_statuses[did] == []


def test_a_deployment_the_bot_did_not_create_is_not_judged(clone, github, capsys):
    """Issue 19, item 6: anyone with deployments: write (a workflow, a user's token) can create a deployment
    with any payload; gate judges only the bot's."""
    did = github.add_deployment(clone.head, environment="canary", task="deploy:fraud-scorer", creator="mallory",
                                payload={"model": "fraud-scorer", "pr": 7, "percent": 10, "base": clone.base})["id"]
    code, _, err = gate(clone.path, GOOD, "--deployment", str(did), capsys=capsys)
    assert code == 2
    assert f"deployment {did} was created by mallory, not by the bot (github-actions[bot]" in err
    assert github.deployment_statuses[did] == []


def test_the_records_of_a_gate_take_a_glob_and_an_engine(repo, capsys):
    for name in ("a", "b"):
        (repo.parent / f"out-{name}.jsonl").write_text('{"score": 0.2}\n{"score": 0.7}\n')
    glob = str(repo.parent / "out-*.jsonl")
    code, out, _ = gate(repo, GOOD, "--records", glob, capsys=capsys)
    assert code == 0, out
    code, _, err = gate(repo, GOOD, "--records", glob, "--engine", "python", capsys=capsys)
    assert code == 2
    assert "a glob needs the duckdb engine, and --engine python is the reference reader of one file" in err


@pytest.fixture
def warehouse(repo):
    """A DuckDB database holding each stage's scores, the way a deployment writes them where they are read."""
    import duckdb

    path = repo.parent / "warehouse.ddb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE canary_scores (score DOUBLE, day INTEGER)")
    con.execute("INSERT INTO canary_scores VALUES (0.2, 1), (1.7, 1), (0.3, 2), (0.4, 2)")
    con.close()
    return f"duckdb://{path}"


def test_a_table_of_the_stage_is_verified_as_part_of_the_gate(repo, warehouse, capsys):
    """``--table`` on ``--connection`` (docs/verify.md, the canary table workflow), narrowed by ``--where``."""
    code, out, _ = gate(repo, GOOD, "--connection", warehouse, "--table", "canary_scores", capsys=capsys)
    assert code == 1
    assert "BREACH data of fraud-score@1: 4 records (1 invalid record)" in out
    code, out, _ = gate(repo, GOOD, "--connection", warehouse, "--table", "canary_scores", "--where", "day = 2",
                        capsys=capsys)
    assert code == 0, out
    code, _, err = gate(repo, GOOD, "--connection", warehouse, "--table", "nope", capsys=capsys)
    assert code == 2 and "nope" in err and err.count("\n") == 1


def test_the_drift_of_a_gates_records_is_measured_against_its_baseline(repo, warehouse, capsys):
    drifting = SCORE.replace("quality: {min_records: 2}", "quality: {min_records: 2, drift: {psi_max: {score: 0.1}}}")
    (repo / "contracts/score.yaml").write_text(drifting)
    baseline = repo.parent / "baseline.jsonl"
    baseline.write_text("".join(f'{{"score": {0.01 * i}}}\n' for i in range(100)))
    args = ("--connection", warehouse, "--table", "canary_scores", "--where", "day = 2", "--baseline", str(baseline))
    code, out, _ = gate(repo, GOOD, *args, capsys=capsys)
    assert code == 1 and "psi" in out.lower(), out
    code, out, _ = gate(repo, GOOD, "--connection", warehouse, "--table", "canary_scores", "--where", "day = 2",
                        capsys=capsys)
    assert code == 0, out


@pytest.mark.parametrize(("args", "needle"), [
    (["--where", "day = 2"], "--where needs records to verify: --records, --table or --query"),
    (["--connection", "duckdb://", "--limit", "3"], "--connection and --limit need records to verify"),
    (["--baseline", "b.json"], "--baseline is for records to verify: name them with --records, --table or --query"),
    (["--contract", "fraud-score@1"], "--contract is for records to verify"),
    (["--table", "canary_scores"], "--table needs --connection URL"),
])
def test_a_gates_records_are_named_by_one_source(repo, capsys, args, needle):
    code, _, err = gate(repo, GOOD, *args, capsys=capsys)
    assert code == 2 and needle in err, err


def test_a_stage_with_no_records_to_verify_does_not_pass(repo, warehouse, capsys):
    """A canary that wrote nothing where its gate looks (or a --where that keeps nothing) has not shown its data
    honours the contract: a breach of the gate, with verify's note saying why."""
    code, out, _ = gate(repo, GOOD, "--connection", warehouse, "--table", "canary_scores", "--where", "day = 9",
                        capsys=capsys)
    assert code == 1
    assert "BREACH data of fraud-score@1: 0 records (no records to verify; 0 records, fewer than min_records 2)" in out
    assert "note: no record of " in out and "canary_scores is kept by --where: nothing was verified" in out
    (repo / "contracts/score.yaml").write_text(SCORE.replace("quality: {min_records: 2}", "quality: {}"))
    empty = repo.parent / "empty.jsonl"
    empty.write_text("")
    code, out, _ = gate(repo, GOOD, "--records", str(empty), capsys=capsys)
    assert code == 1
    assert "BREACH data of fraud-score@1: 0 records (no records to verify)" in out
    code, out, _ = gate(repo, GOOD, "--records", str(empty), "--format", "json", capsys=capsys)
    assert code == 1 and json.loads(out)["verdict"] == "fail"


def test_the_gate_says_what_its_verification_did_not_measure(repo, warehouse, capsys):
    drifting = SCORE.replace("quality: {min_records: 2}", "quality: {min_records: 2, drift: {psi_max: {score: 0.1}}}")
    (repo / "contracts/score.yaml").write_text(drifting)
    code, out, _ = gate(repo, GOOD, "--connection", warehouse, "--table", "canary_scores", "--where", "day = 2",
                        capsys=capsys)
    assert code == 0
    assert "drift of score not measured: no --baseline given" in out
