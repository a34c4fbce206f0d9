"""The hooks of ``.pre-commit-hooks.yaml``, run by the real pre-commit (``pre-commit try-repo``) on a fixture
repository: pre-commit installs this repository with pip into the hooks' environment (from the package index, about
30-60 s, once for the module), then runs ``modelgate-lint`` on the files it is given and ``modelgate-check``
against the merge base with origin's default branch.

The repository pre-commit installs is a commit of this checkout's files (the working tree, uncommitted changes
included) made in a temporary folder, so every hook runs the code under test, from one environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import GIT_ENV, REPO_ROOT, contract, dump, git, make_repo, model, write_tree
from tests.required import unavailable
from tests.test_release import index_answers

HOOKS = REPO_ROOT / ".pre-commit-hooks.yaml"
TOP_FILES = (".pre-commit-hooks.yaml", "pyproject.toml", "README.md", "LICENSE")  # what `pip install .` reads


def test_the_hooks_are_declared_as_documented():
    hooks = {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}
    assert set(hooks) == {"modelgate-lint", "modelgate-check"}
    lint, check = hooks["modelgate-lint"], hooks["modelgate-check"]
    assert lint["entry"] == "modelgate lint --" and lint.get("pass_filenames", True) is True  # lint -- FILE...
    assert check["entry"] == "modelgate check" and check["pass_filenames"] is False
    assert check["always_run"] is True and "files" not in check  # a deletion-only commit passes no file
    assert all(hook["language"] == "python" for hook in hooks.values())
    documented = (REPO_ROOT / "docs" / "manifests.md").read_text(encoding="utf-8")
    assert all(f"id: {name}" in documented for name in hooks)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's package files, committed in a repository of their own for pre-commit to clone."""
    if shutil.which("git") is None:
        unavailable("git is not installed")
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        unavailable("pre-commit is not installed (the test extra installs it)")
    if not index_answers():
        unavailable("the package index does not answer: pre-commit cannot install the hooks' environment")
    root = tmp_path_factory.mktemp("modelgate-hooks")
    listed = git(REPO_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "bot", "rules",
                 "docs/workflows", *TOP_FILES)  # the wheel carries docs/workflows (modelgate init writes them)
    for path in filter(None, listed.split("\0")):
        source = REPO_ROOT / path
        if source.is_file():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / path)
    make_repo(root, None)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "modelgate")
    return root


def try_repo(hook_repo: Path, home: Path, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **{k: v for k, v in GIT_ENV.items() if k != "HOME"}, "PRE_COMMIT_HOME": str(home),
           "MODELGATE_TODAY": "2026-11-28", "MODELGATE_CACHE_DIR": "none", "NO_COLOR": "1"}
    env.pop("PRE_COMMIT", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), *args, "--color", "never"],
                          cwd=project, capture_output=True, text=True, check=False, env=env, timeout=600)


def scores(score_type: str) -> str:
    schema = {"type": "object", "properties": {"score": {"type": score_type}}}
    return contract("scores", [{"version": 1, "schema": schema}])


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository whose ``main`` (also ``origin/HEAD``) holds a contract and its consumer; the working tree (a
    feature branch) adds two models that consume a contract no one defines and changes the type of a field of the
    contract (a breaking change inside version 1)."""
    root = tmp_path_factory.mktemp("project")
    make_repo(root, {
        "contracts/scores.yaml": scores("number"),
        "models/scorer.yaml": model("scorer", provides=[("scores", 1)]),
        "models/router.yaml": model("router", consumes=[("scores", 1)]),
    })
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(root, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    git(root, "checkout", "-q", "-b", "feature")
    write_tree(root, {
        "models/orphan-a.yaml": model("orphan-a", consumes=[("missing", 1)]),
        "models/orphan-b.yaml": model("orphan-b", consumes=[("missing", 1)]),
        "contracts/scores.yaml": scores("string"),
        "notes.yaml": dump({"not": "a manifest"}),
    })
    git(root, "add", "-A")
    return root


@pytest.mark.e2e
def test_the_hooks_run_under_pre_commit(hook_repo, project, tmp_path):
    """One test, so that the hooks' environment is installed once however the tests are spread over workers."""
    lint = try_repo(hook_repo, tmp_path, project, "modelgate-lint", "--files", "models/orphan-a.yaml",
                    "notes.yaml")
    assert lint.returncode == 1, lint.stdout + lint.stderr
    assert "modelgate lint" in lint.stdout and "Failed" in lint.stdout
    assert "models/orphan-a.yaml:" in lint.stdout and "MG003" in lint.stdout
    assert "orphan-b" not in lint.stdout  # the same mistake, in a file pre-commit did not pass

    clean = try_repo(hook_repo, tmp_path, project, "modelgate-lint", "--files", "models/router.yaml")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout

    check = try_repo(hook_repo, tmp_path, project, "modelgate-check", "--files", "contracts/scores.yaml")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "modelgate check" in check.stdout and "Failed" in check.stdout
    assert "MG101" in check.stdout and "contract:scores@1" in check.stdout  # a field's new type breaks version 1

    # modelgate-check runs whatever the commit touches (always_run): the tree still breaks version 1
    unrelated = try_repo(hook_repo, tmp_path, project, "modelgate-check", "--files", "README.md")
    assert unrelated.returncode == 1, unrelated.stdout + unrelated.stderr
    assert "Skipped" not in unrelated.stdout and "MG101" in unrelated.stdout

    # a commit that only deletes a consumed contract: pre-commit passes no file (it never passes deleted ones), and
    # the hook, once matched on file names, was skipped with "(no files to check)"
    deleting = tmp_path / "deleting"
    make_repo(deleting, {
        "contracts/scores.yaml": scores("number"),
        "models/router.yaml": model("router", consumes=[("scores", 1)]),
    })
    git(deleting, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(deleting, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    git(deleting, "rm", "-q", "contracts/scores.yaml")
    deleted = try_repo(hook_repo, tmp_path, deleting, "modelgate-check")  # the staged files: one deletion
    assert deleted.returncode == 1, deleted.stdout + deleted.stderr
    assert "Failed" in deleted.stdout and "scores" in deleted.stdout
