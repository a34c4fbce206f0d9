"""``modelgate init`` end to end: the real command line in real git repositories (and a directory that is none)."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot import scaffold
from bot.config import Config
from bot.manifests.parse import parse_config
from tests.helpers import REPO_ROOT, commit, git, make_repo, run_cli, write_tree

pytestmark = pytest.mark.e2e

DOCS_WORKFLOWS = REPO_ROOT / "docs" / "workflows"
STARTER = REPO_ROOT / "bot" / "starter" / "modelgate.yml"
WRITTEN = [".modelgate.yml", ".github/workflows/modelgate.yml", ".github/workflows/modelgate-review.yml",
           ".github/workflows/modelgate-after-review.yml", ".github/workflows/modelgate-calendar.yml"]
CALENDAR_STEP = "The modelgate calendar workflow then runs once a day"
ODCS = "apiVersion: v3.0.0\nkind: DataContract\nid: orders\nname: orders\nversion: 1.0.0\nstatus: active\n"


def init(where: Path, *args: str, ceiling: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``modelgate init ARGS`` run in ``where``, git looking for a repository no higher than ``ceiling`` (default:
    ``where``'s parent), so that it never finds one the test did not make."""
    ceiling = ceiling or where.parent
    return run_cli("init", *args, cwd=where, env={"GIT_CEILING_DIRECTORIES": str(ceiling)})


def tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` but git's, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


def expected(path: str) -> bytes:
    return STARTER.read_bytes() if path == ".modelgate.yml" else (DOCS_WORKFLOWS / Path(path).name).read_bytes()


def test_an_empty_repository_gets_the_configuration_and_the_workflows_and_the_next_step(tmp_path):
    repo = make_repo(tmp_path / "repo")
    done = init(repo)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines()[:5] == [f"wrote: {path}" for path in WRITTEN]
    assert tree(repo) == {path: expected(path) for path in WRITTEN}  # the documented workflows, byte for byte
    config, findings = parse_config((repo / ".modelgate.yml").read_bytes())
    assert (config, findings) == (Config(), [])
    next_steps = done.stdout.split("\nNext:\n", 1)[1]
    assert "replace your-org/modelgate@v1" in next_steps
    assert "modelgate lint" in next_steps
    assert f"git add {' '.join(WRITTEN)} && git commit" in next_steps
    assert "Open a pull request" in next_steps
    assert next_steps.splitlines()[-1].startswith(f"  7. {CALENDAR_STEP}: once a contract version is deprecated")
    assert "Found sources" not in done.stdout  # nothing to import, nothing offered


def test_the_initialised_repository_lints_and_checks(tmp_path):
    """No manifests yet: lint finds no problem in 0 manifests; the set-up commit's check is pending on MG301 (a
    new configuration, and the target branch names no admins yet), as init's next steps say; the next one passes."""
    repo = make_repo(tmp_path / "repo", {"README.md": "shop\n"})
    done = init(repo)
    assert done.returncode == 0
    assert "the set-up pull request is approved (MG301) by the CODEOWNERS" in done.stdout
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "set up modelgate")
    lint = run_cli("lint", cwd=repo)
    assert (lint.returncode, lint.stdout) == (0, "no problems in 0 manifests\n")
    setup = run_cli("check", "--base", "main~1", "--head", "main", "--today", "2026-11-28", cwd=repo)
    assert setup.returncode == 0, setup.stderr
    assert setup.stdout.startswith("modelgate: pending — waiting on 1 approval\n")
    assert ("MG301 config — the configuration (.modelgate.yml) changed and the target branch names no admins: its "
            "CODEOWNERS for .modelgate.yml approve" in setup.stdout)
    commit(repo, {"README.md": "shop, checked\n"}, "a change after the set-up")
    after = run_cli("check", "--base", "main~1", "--head", "main", "--today", "2026-11-28", cwd=repo)
    assert after.returncode == 0, after.stderr
    assert after.stdout.startswith("modelgate: pass — no model or contract changed\n")


def test_existing_files_are_kept_as_they_are(tmp_path):
    repo = make_repo(tmp_path / "repo", {".modelgate.yml": "admins: ['@acme/platform']\n",
                                         ".github/workflows/modelgate.yml": "name: ours\n"})
    (repo / ".github/workflows/modelgate-review.yml").symlink_to("nowhere.yml")  # a dangling link is a name too
    before = tree(repo)
    done = init(repo)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:5] == ["wrote: .github/workflows/modelgate-after-review.yml",
                                            "wrote: .github/workflows/modelgate-calendar.yml",
                                            "kept: .modelgate.yml (exists)",
                                            "kept: .github/workflows/modelgate.yml (exists)",
                                            "kept: .github/workflows/modelgate-review.yml (exists)"]
    assert tree(repo) == {**before, **{path: expected(path) for path in WRITTEN[3:]}}
    assert (repo / ".github/workflows/modelgate-review.yml").is_symlink()
    assert ("git add .github/workflows/modelgate-after-review.yml .github/workflows/modelgate-calendar.yml && git "
            "commit") in done.stdout
    assert CALENDAR_STEP in done.stdout


def test_running_twice_changes_nothing(tmp_path):
    repo = make_repo(tmp_path / "repo", {"shop/dbt_project.yml": "name: shop\n"})
    assert init(repo).returncode == 0
    before = {path: (data, (repo / path).stat().st_mtime_ns) for path, data in tree(repo).items()}
    again = init(repo)
    assert again.returncode == 0, again.stderr
    assert {path: (data, (repo / path).stat().st_mtime_ns) for path, data in tree(repo).items()} == before
    assert again.stdout.splitlines()[:5] == [f"kept: {path} (exists)" for path in WRITTEN]
    assert CALENDAR_STEP not in again.stdout  # said when it is written, not every time
    assert "\nNothing to write: every file exists.\n" in again.stdout
    assert "git add" not in again.stdout and "replace your-org" not in again.stdout
    assert "dbt parse --project-dir shop" in again.stdout  # the offer stands until the import is done


def test_a_dbt_project_mlflow_models_and_an_odcs_contract_are_offered_their_imports(tmp_path):
    repo = make_repo(tmp_path / "repo", {
        "analytics/shop/dbt_project.yml": "name: shop\nprofile: shop\n",
        "analytics/shop/models/schema.yml": "version: 2\n",
        "ml/churn/MLmodel": "artifact_path: model\nflavors: {}\n",
        "ml/fraud/MLmodel": "artifact_path: model\nflavors: {}\n",
        "contracts/orders.yaml": ODCS,
        "contracts/fraud.yaml": "apiVersion: modelgate/v1\nkind: Contract\n",
    })
    done = init(repo)
    assert done.returncode == 0, done.stderr
    offered = done.stdout.split("Found sources of manifests; these commands import them (init runs none of them):\n",
                                1)[1].split("\nTo keep", 1)[0]
    assert offered == (
        "\n"
        "  dbt project analytics/shop:\n"
        "    dbt parse --project-dir analytics/shop\n"
        "    modelgate import dbt analytics/shop/target/manifest.json --out manifests/dbt\n"
        "\n"
        "  2 MLflow models under ml:\n"
        "    modelgate import mlflow ml --out manifests/mlflow\n"
        "\n"
        "  ODCS contract contracts/orders.yaml:\n"
        "    modelgate import odcs contracts/orders.yaml --out manifests/odcs\n")
    steps = [line for line in done.stdout.splitlines() if line.startswith("      - run: ")]
    assert yaml.safe_load("\n".join(line[6:] for line in steps)) == [
        {"run": "dbt parse --project-dir analytics/shop"},
        {"run": "modelgate import dbt analytics/shop/target/manifest.json --out manifests/dbt --check"},
        {"run": "modelgate import mlflow ml --out manifests/mlflow --check"},
        {"run": "modelgate import odcs contracts/orders.yaml --out manifests/odcs --check"},
    ]
    assert "  3. Run the import commands above; commit what they write (under manifests/) with the rest." in done.stdout
    # it runs nothing: no dbt target, no manifests
    assert not (repo / "analytics/shop/target").exists() and not (repo / "manifests").exists()


def test_the_search_leaves_out_hidden_dependency_build_and_environment_directories(tmp_path):
    project = "name: x\n"
    repo = make_repo(tmp_path / "repo", {
        "shop/dbt_project.yml": project,
        "shop/dbt_packages/dbt_utils/dbt_project.yml": project,
        "shop/target/MLmodel": "x: 1\n",
        "node_modules/pkg/dbt_project.yml": project,
        ".venv/lib/MLmodel": "x: 1\n",
        "tools/pyenv/pyvenv.cfg": "home = /usr\n",
        "tools/pyenv/lib/contract.yaml": ODCS,
        ".hidden/contract.yaml": ODCS,
    })
    (repo / "linked").symlink_to(repo / "shop")  # a link is not followed: shop is found once
    done = init(repo, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "  dbt project shop:\n" in done.stdout
    assert done.stdout.count("dbt project") == 1
    assert "MLflow" not in done.stdout and "ODCS" not in done.stdout


def test_a_hostile_path_reaches_the_terminal_inert_and_the_ci_step_as_one_value(tmp_path):
    repo = make_repo(tmp_path / "repo", {"evil\x1b[31m dir/dbt_project.yml": "name: x\n",
                                         "odd #1.yaml": ODCS})
    done = init(repo, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout
    assert "    modelgate import odcs 'odd #1.yaml' --out manifests/odcs\n" in done.stdout
    assert "      - run: \"modelgate import odcs 'odd #1.yaml' --out manifests/odcs --check\"\n" in done.stdout


def test_the_search_says_when_it_stopped_at_its_depth(tmp_path):
    deep = "/".join(f"d{n}" for n in range(10))
    repo = make_repo(tmp_path / "repo", {f"{deep}/dbt_project.yml": "name: deep\n", "a/MLmodel": "x: 1\n"})
    done = init(repo, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "  MLflow model a/MLmodel:" in done.stdout and "  dbt project" not in done.stdout
    assert ("note: the search for dbt projects, MLmodel files and ODCS contracts stopped at its bound (8 directories "
            "deep, 10,000 directories): import what lies deeper with `modelgate import`") in done.stdout


def test_dry_run_says_what_it_would_write_and_writes_nothing(tmp_path):
    repo = make_repo(tmp_path / "repo", {".modelgate.yml": "{}\n", "ml/MLmodel": "x: 1\n"})
    before = tree(repo)
    done = init(repo, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:5] == [*(f"would write: {path}" for path in WRITTEN[1:]),
                                            "kept: .modelgate.yml (exists)"]
    assert "modelgate import mlflow ml --out manifests/mlflow" in done.stdout
    assert "\nNothing was written (--dry-run).\n" in done.stdout
    assert tree(repo) == before
    assert not (repo / ".github").exists()


def test_code_scanning_adds_its_workflow(tmp_path):
    repo = make_repo(tmp_path / "repo")
    done = init(repo, "--code-scanning")
    assert done.returncode == 0, done.stderr
    assert "wrote: .github/workflows/modelgate-code-scanning.yml" in done.stdout.splitlines()
    assert tree(repo)[".github/workflows/modelgate-code-scanning.yml"] == (
        DOCS_WORKFLOWS / "modelgate-code-scanning.yml").read_bytes()


def test_from_a_subdirectory_the_repositorys_root_is_initialised(tmp_path):
    repo = make_repo(tmp_path / "repo", {"models/a/README.md": "a\n"})
    done = init(repo / "models" / "a", ceiling=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(tree(repo)) == sorted([*WRITTEN, "models/a/README.md"])


def test_outside_a_repository_it_is_one_clear_error_and_nothing_is_written(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    done = init(plain)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == ("modelgate: error: not inside a git repository: run modelgate init in your repository, "
                           "or name its root with --dir PATH\n")
    assert tree(plain) == {}


def test_dir_names_the_root_of_a_directory_that_is_no_repository_yet(tmp_path):
    plain = write_tree(tmp_path / "plain", {"shop/dbt_project.yml": "name: shop\n"})
    done = init(tmp_path, "--dir", str(plain))
    assert done.returncode == 0, done.stderr
    assert sorted(tree(plain)) == sorted([*WRITTEN, "shop/dbt_project.yml"])
    assert "dbt parse --project-dir shop" in done.stdout


@pytest.mark.parametrize(("where", "message"), [
    ("repo/models", "--dir {tmp}/repo/models is inside the git repository {tmp}/repo: its .modelgate.yml and "
                    ".github/workflows/ belong at its root (modelgate init --dir {tmp}/repo)"),
    ("missing", "--dir {tmp}/missing: not a directory"),
    ("repo/models/a.yaml", "--dir {tmp}/repo/models/a.yaml: not a directory"),
])
def test_dir_must_be_a_directory_at_a_repositorys_root(tmp_path, where, message):
    make_repo(tmp_path / "repo", {"models/a.yaml": "{}\n"})
    tmp = tmp_path.resolve()
    done = init(tmp_path, "--dir", f"{tmp}/{where}")
    assert done.returncode == 2
    assert done.stderr == f"modelgate: error: {message.format(tmp=tmp)}\n"
    assert not (tmp_path / "repo" / ".modelgate.yml").exists()


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` made unwritable for this process: its mode, or for root (whom modes do not stop) the immutable
    attribute; the test is skipped only when neither holds here."""
    folder.chmod(0o555)
    immutable = os.geteuid() == 0 and shutil.which("chattr") is not None and subprocess.run(
        ["chattr", "+i", str(folder)], capture_output=True, check=False).returncode == 0
    try:
        probe = folder / ".probe"
        try:
            probe.touch()
        except OSError:
            pass
        else:
            probe.unlink()
            pytest.skip("cannot make a directory read-only here (root, without chattr on this file system)")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def test_a_read_only_repository_is_one_clear_error(tmp_path):
    repo = make_repo(tmp_path / "repo")
    with read_only(repo):
        done = init(repo)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith(f"modelgate: error: cannot write {repo.resolve()}/.modelgate.yml: ")
    assert line.endswith("; nothing was written")
    assert "Traceback" not in done.stderr
    assert tree(repo) == {}
    assert "Next:" not in done.stdout


def test_a_workflow_folder_that_cannot_be_made_stops_after_what_was_written(tmp_path):
    repo = make_repo(tmp_path / "repo", {".github": "a file where the folder should be\n"})
    done = init(repo)
    assert done.returncode == 2
    assert done.stdout.splitlines() == ["wrote: .modelgate.yml"]
    assert done.stderr == (f"modelgate: error: cannot write {repo.resolve()}/.github/workflows/modelgate.yml: Not a "
                           "directory; the files after it were not written\n")
    assert sorted(tree(repo)) == [".github", ".modelgate.yml"]


def test_the_documented_set_is_what_an_empty_repository_gets():
    assert [".modelgate.yml", *(f"{scaffold.WORKFLOW_DIR}/{name}" for name in scaffold.WORKFLOWS)] == WRITTEN


def test_the_odcs_imports_init_offers_for_two_versions_of_one_contract_give_manifests_that_lint(tmp_path):
    def version(number: str) -> str:
        return yaml.safe_dump({"apiVersion": "v3.0.0", "kind": "DataContract", "id": f"orders-{number}",
                               "version": number, "status": "active", "team": [{"username": "@acme/sales"}],
                               "schema": [{"name": "orders", "logicalType": "object", "properties": [
                                   {"name": "id", "logicalType": "string", "required": True}]}]})

    repo = make_repo(tmp_path / "repo", {"contracts/v2/orders.odcs.yaml": version("2.1.0"),
                                         "contracts/v3/orders.odcs.yaml": version("3.0.0")})
    done = init(repo, "--dry-run")
    assert done.returncode == 0, done.stderr
    commands = [line.strip() for line in done.stdout.splitlines() if line.startswith("    modelgate import ")]
    assert commands == ["modelgate import odcs contracts --out manifests/odcs"]
    for command in commands:
        ran = run_cli(*shlex.split(command)[1:], cwd=repo)
        assert ran.returncode == 0, ran.stderr
    assert sorted(p.name for p in (repo / "manifests").rglob("*.yaml")) == ["orders.yaml"]
    lint = run_cli("lint", "manifests", cwd=repo)
    assert lint.returncode == 0, lint.stdout + lint.stderr
