"""Every manifest-looking file is accounted for (issue 13, item 1), end to end through the real command line on
real git repositories: a manifest the include globs miss is MG009 (a warning unless ``rules:`` says otherwise), a
wrong apiVersion or kind inside the globs is MG001 with a did-you-mean (never a skip), another tool's
``kind: Model`` is silent, and a file ``manifests.exclude`` names is left out on purpose (``--show-excluded``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers import commit, contract, dedent, git, json_out, make_repo, model, run_cli

SCORER = model("scorer", provides=[("score", 1)])
SCORE = contract("score")
CHURN = dedent("""
    # churn: a model of the CRM team
    apiVersion: modelgate/v1
    kind: Model
    metadata:
      name: churn
      owners: ["@acme/crm"]
    spec:
      version: 1.0.0
      consumes:
        - {contract: score, version: 1}
""")
SELDON = dedent("""
    apiVersion: machinelearning.seldon.io/v1
    kind: Model
    metadata:
      name: churn-server
    spec:
      storageUri: gs://models/churn
      requirements: [sklearn]
""")
WORKFLOW = "name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{run: 'echo \\d'}]\n"


def _repo(tmp_path: Path, files: dict[str, str], config: str | None = None) -> Path:
    base = {"contracts/score.yaml": SCORE, "models/scorer.yaml": SCORER, ".github/workflows/ci.yml": WORKFLOW,
            "deploy/seldon.yaml": SELDON, **files}
    if config is not None:
        base[".modelgate.yml"] = config
    return make_repo(tmp_path / "repo", base)


def _lint(repo: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = run_cli("lint", "HEAD", "--format", "json", *args, cwd=repo)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json_out(done)


def _found(output: dict[str, Any]) -> list[tuple[str, str, str | None, int | None]]:
    return [(f["rule"], f["severity"], f["file"], f["line"]) for f in output["findings"]]


def test_a_manifest_outside_the_include_is_mg009_with_file_line_and_the_patterns_it_missed(tmp_path):
    repo = _repo(tmp_path, {"ml/x.yaml": CHURN}, "manifests: {include: ['models/**', 'contracts/**']}\n")
    code, output = _lint(repo)
    assert code == 0  # a warning
    assert _found(output) == [("MG009", "warning", "ml/x.yaml", 2)]
    (found,) = output["findings"]
    assert found["subject"] == "model:churn"
    assert "apiVersion 'modelgate/v1'" in found["message"]
    assert "manifests.include ['models/**', 'contracts/**'] does not reach it" in found["message"]
    assert "manifests.exclude" in found["message"]
    text = run_cli("lint", "HEAD", cwd=repo).stdout
    assert text.startswith("ml/x.yaml:2: MG009 [warning] looks like a modelgate manifest")
    assert text.splitlines()[-1] == "1 warning in 1 file (2 manifests parsed)"


def test_a_yml_file_when_the_include_says_yaml_is_mg009(tmp_path):
    repo = _repo(tmp_path, {"models/apps/winback.yml": model("winback", consumes=[("score", 1)])},
                 "manifests: {include: ['**/*.yaml']}\n")
    code, output = _lint(repo)
    assert (code, _found(output)) == (0, [("MG009", "warning", "models/apps/winback.yml", 1)])
    assert output["findings"][0]["subject"] == "model:winback"


def test_an_extension_in_another_case_is_mg009_and_says_the_patterns_are_case_sensitive(tmp_path):
    repo = _repo(tmp_path, {"models/upper.YAML": model("upper")})
    code, output = _lint(repo)
    assert (code, _found(output)) == (0, [("MG009", "warning", "models/upper.YAML", 1)])
    assert "case-sensitive" in output["findings"][0]["message"]
    assert "['**/*.yaml', '**/*.yml']" in output["findings"][0]["message"]  # the default include


def test_an_apiversion_less_model_with_a_spec_outside_the_globs_is_mg009(tmp_path):
    text = "kind: Contract\nmetadata: {name: loose}\nspec:\n  versions: []\n"
    repo = _repo(tmp_path, {"schemas/loose.yml": text}, "manifests: {include: ['models/**', 'contracts/**']}\n")
    code, output = _lint(repo)
    assert (code, _found(output)) == (0, [("MG009", "warning", "schemas/loose.yml", 1)])
    assert "kind 'Contract' with a spec and no apiVersion" in output["findings"][0]["message"]


def test_a_wrong_apiversion_inside_the_globs_is_mg001_with_a_did_you_mean(tmp_path):
    for wrong, line in (("modelgate/V1", 2), ("modelgate/v2", 2), ("modelgates/v1", 2), ("ModelGate/v1", 2)):
        repo = _repo(tmp_path / wrong.replace("/", "-"),
                     {"models/churn.yaml": CHURN.replace("modelgate/v1", wrong)})
        code, output = _lint(repo)
        assert code == 1, wrong
        assert _found(output) == [("MG001", "error", "models/churn.yaml", line)], wrong
        (found,) = output["findings"]
        assert found["message"] == (f"apiVersion must be 'modelgate/v1', not {wrong!r}; "
                                    "did you mean apiVersion: modelgate/v1?")
        assert found["subject"] == "model:churn"


def test_a_wrong_kind_inside_the_globs_is_mg001_with_a_did_you_mean(tmp_path):
    repo = _repo(tmp_path, {"models/churn.yaml": CHURN.replace("kind: Model", "kind: model"),
                            "contracts/extra.yaml": contract("extra").replace("kind: Contract", "kind: Contracts")})
    code, output = _lint(repo)
    assert code == 1
    assert _found(output) == [("MG001", "error", "contracts/extra.yaml", 2),
                              ("MG001", "error", "models/churn.yaml", 3)]
    messages = [f["message"] for f in output["findings"]]
    assert messages == ["kind must be one of Model, Contract, not 'Contracts'; did you mean 'Contract'?",
                        "kind must be one of Model, Contract, not 'model'; did you mean 'Model'?"]
    assert [f["subject"] for f in output["findings"]] == ["contract:extra", "model:churn"]


def test_a_missing_apiversion_inside_the_globs_is_mg001(tmp_path):
    repo = _repo(tmp_path, {"models/churn.yaml": CHURN.replace("apiVersion: modelgate/v1\n", "")})
    code, output = _lint(repo)
    assert (code, _found(output)) == (1, [("MG001", "error", "models/churn.yaml", 2)])
    assert output["findings"][0]["message"] == "missing apiVersion; did you mean apiVersion: modelgate/v1?"


def test_other_tools_yaml_is_silent_inside_and_outside_the_globs(tmp_path):
    files = {"models/seldon.yaml": SELDON, "charts/values.yaml": "image: {tag: v1}\nkind: Deployment\nspec: {}\n",
             "k8s/svc.YML": "apiVersion: v1\nkind: Service\nspec: {ports: [{port: 80}]}\n",
             "models/broken-helm.yaml": "apiVersion: apps/v1\nkind: Deployment\nspec:\n  {{ .Values.spec }}\n"}
    for config in (None, "manifests: {include: ['models/**', 'contracts/**']}\n"):
        repo = _repo(tmp_path / str(config is None), files, config)
        code, output = _lint(repo)
        assert (code, output["findings"]) == (0, []), config


def test_an_excluded_file_has_no_finding_and_show_excluded_lists_it(tmp_path):
    config = "manifests: {include: ['models/**', 'contracts/**'], exclude: ['vendor/**', 'models/old/**']}\n"
    repo = _repo(tmp_path, {"vendor/churn.yaml": CHURN, "models/old/legacy.yaml": model("legacy"),
                            "vendor/other.yaml": "a: 1\n"}, config)
    code, output = _lint(repo)
    assert (code, output["findings"], "excluded" in output) == (0, [], False)
    code, output = _lint(repo, "--show-excluded")
    assert (code, output["findings"]) == (0, [])
    looks = "apiVersion 'modelgate/v1'"
    assert output["excluded"] == [
        {"file": "models/old/legacy.yaml", "line": 1, "subject": "model:legacy", "looks_like": looks},
        {"file": "vendor/churn.yaml", "line": 2, "subject": "model:churn", "looks_like": looks},
    ]
    text = run_cli("lint", "HEAD", "--show-excluded", cwd=repo).stdout.splitlines()
    assert text == ["no problems in 2 manifests", "2 manifest-looking files left out by manifests.exclude:",
                    "  models/old/legacy.yaml:1: apiVersion 'modelgate/v1'",
                    "  vendor/churn.yaml:2: apiVersion 'modelgate/v1'"]
    assert run_cli("lint", "HEAD", cwd=repo).stdout == "no problems in 2 manifests\n"


def test_mg009_follows_the_rules_of_the_configuration(tmp_path):
    include = "manifests: {include: ['models/**', 'contracts/**']}\n"
    repo = _repo(tmp_path / "error", {"ml/x.yaml": CHURN}, include + "rules: {MG009: error}\n")
    code, output = _lint(repo)
    assert (code, _found(output), output["verdict"]) == (1, [("MG009", "error", "ml/x.yaml", 2)], "fail")
    repo = _repo(tmp_path / "off", {"ml/x.yaml": CHURN}, include + "rules: {MG009: off}\n")
    assert _lint(repo) == (0, {"verdict": "pass", "findings": []})
    done = run_cli("lint", "HEAD", "--format", "github", cwd=tmp_path / "error" / "repo")
    assert done.stdout.startswith("::error file=ml/x.yaml,line=2,title=MG009::looks like a modelgate manifest")


# --- check: a manifest moved out of the globs, renamed, or given a wrong apiVersion never passes in silence ----

def _check(repo: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = run_cli("check", "--base", "main", "--head", "head", "--format", "json", "--today", "2026-11-28", *args,
                   cwd=repo)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json_out(done)


def _pr(tmp_path: Path, change: dict[str, str | None], config: str | None = None) -> Path:
    repo = _repo(tmp_path, {"models/churn.yaml": CHURN}, config)
    git(repo, "checkout", "-q", "-b", "head")
    commit(repo, change, "the change")
    return repo


def test_check_a_wrong_apiversion_on_an_existing_model_is_mg001_and_exit_1(tmp_path):
    repo = _pr(tmp_path, {"models/churn.yaml": CHURN.replace("modelgate/v1", "modelgate/V1")})
    code, output = _check(repo)
    assert code == 1 and output["verdict"] == "fail"
    mg001 = [(f["rule"], f["file"], f["line"], f["subject"]) for f in output["findings"] if f["rule"] == "MG001"]
    assert mg001 == [("MG001", "models/churn.yaml", 2, "model:churn")]


def test_check_a_manifest_renamed_to_yml_or_moved_out_of_the_globs_says_mg009(tmp_path):
    config = "manifests: {include: ['**/*.yaml']}\n"
    for name, change in (("renamed", {"models/churn.yaml": None, "models/churn.yml": CHURN}),
                         ("moved", {"models/churn.yaml": None, "ml/churn.yaml": CHURN})):
        if name == "moved":
            config = "manifests: {include: ['models/**', 'contracts/**']}\n"
        repo = _pr(tmp_path / name, change, config)
        _, output = _check(repo)
        found = [(f["rule"], f["severity"], f["file"], f["line"], f["subject"])
                 for f in output["findings"] if f["rule"] == "MG009"]
        target = next(path for path in change if change[path] is not None)
        assert found == [("MG009", "warning", target, 2, "model:churn")], name
        done = run_cli("check", "--base", "main", "--head", "head", "--today", "2026-11-28", cwd=repo)
        assert "MG009" in done.stdout and target in done.stdout, name


def test_check_honours_mg009_set_to_error_in_the_trusted_configuration(tmp_path):
    config = "manifests: {include: ['models/**', 'contracts/**']}\nrules: {MG009: error}\n"
    repo = _pr(tmp_path, {"models/churn.yaml": None, "ml/churn.yaml": CHURN}, config)
    code, output = _check(repo)
    assert (code, output["verdict"]) == (1, "fail")
    found = [(f["rule"], f["severity"], f["file"], f["line"], f["preexisting"]) for f in output["findings"]
             if f["rule"] == "MG009"]
    assert found == [("MG009", "error", "ml/churn.yaml", 2, False)]
