"""The action's ``engines`` input (docs/github.md, "Engines"): scripts/setup.sh, the script action.yml runs, reads it
from MODELGATE_ENGINES, keys the environment on the engines' lock it names and refuses anything it does not
install with one ``::error::`` line. The set-up itself, with ``engines: duckdb``, runs under act
(tests/test_action_act.py); the last test here asks the package index whether every package of the locks has a
wheel for each runner the action runs on.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO_ROOT
from tests.required import unavailable
from tests.test_action_act import _pypi_reachable, host_python

SETUP = REPO_ROOT / "scripts" / "setup.sh"
REQUIREMENTS = REPO_ROOT / "requirements"


def setup(tmp_path: Path, step: str, engines: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """``setup.sh STEP`` as action.yml runs it with ``engines:`` given; the run and what it wrote to
    $GITHUB_OUTPUT."""
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    output = tmp_path / "github-output"
    output.write_text("")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "MODELGATE_"))},
           "MODELGATE_ACTION_PATH": str(REPO_ROOT), "MODELGATE_PYTHON": host_python(), "MODELGATE_ENGINES": engines,
           "RUNNER_TEMP": str(runner_temp), "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "GITHUB_OUTPUT": str(output)}
    done = subprocess.run([str(SETUP), step], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          check=False)
    return done, output.read_text()


def key_for(tmp_path: Path, engines: str) -> str:
    done, output = setup(tmp_path, "key", engines)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    [key] = [line.removeprefix("key=") for line in output.splitlines() if line.startswith("key=")]
    return key


def test_the_input_reaches_both_set_up_steps_through_the_environment():
    """action.yml passes ``inputs.engines`` to the key step and the install step as MODELGATE_ENGINES, never as an
    expression inside ``run:`` (the value is data, not script)."""
    steps = yaml.safe_load((REPO_ROOT / "action.yml").read_text())["runs"]["steps"]
    setup_steps = [step for step in steps if "scripts/setup.sh" in step.get("run", "")]
    assert [step["run"].rsplit(" ", 1)[1] for step in setup_steps] == ["key", "install"]
    assert [step["env"]["MODELGATE_ENGINES"] for step in setup_steps] == ["${{ inputs.engines }}"] * 2
    assert [step["id"] for step in steps if "${{" in step.get("run", "")] == []
    assert yaml.safe_load((REPO_ROOT / "action.yml").read_text())["inputs"]["engines"]["default"] == ""


def test_the_key_names_the_engines_lock_and_is_otherwise_the_key_without_engines(tmp_path):
    """No engines: the key as before. duckdb: ``-duckdb-`` after the Python version; postgres (whose lock holds
    duckdb's too) ``-postgres-``, whichever way the list is written (commas, spaces, lines, case, repeats)."""
    plain = key_for(tmp_path, "")
    prefix, digest = plain.rsplit("-", 1)
    assert prefix.startswith("modelgate-venv-Linux-X64-py3.") and len(digest) == 32
    for engines, lock in [("duckdb", "duckdb"), (" DuckDB, duckdb ,", "duckdb"), ("postgres", "postgres"),
                          ("duckdb,postgres", "postgres"), ("postgres\nduckdb\n", "postgres"),
                          ("duckdb postgres", "postgres")]:
        assert key_for(tmp_path, engines) == f"{prefix}-{lock}-{digest}", engines
    assert key_for(tmp_path, " , \n") == plain


@pytest.mark.parametrize(("engines", "says"), [
    ("spark", ["spark is not installed by the action", "no wheels", "Java", "modelgate-ci[spark]", "docs/verify.md"]),
    ("duckdb, pyspark", ["spark is not installed by the action", "no wheels", "Java"]),
    ("postgresql", ['"postgresql" is not an engine the action installs', "duckdb, postgres or both"]),
    ("duckdb mysql", ['"mysql" is not an engine the action installs']),
    ("$(touch pwned)", ["a word of characters other than", "is not an engine the action installs"]),
    ("duckdb\n::warning::x", ["a word of characters other than", "is not an engine the action installs"]),
])
@pytest.mark.parametrize("step", ["key", "install"])
def test_an_engine_the_action_does_not_install_is_refused_with_one_error_line(tmp_path, step, engines, says):
    """Exit 1 and one ``::error::`` line that says why, before anything is keyed or built; a word that is not a
    plain name is not echoed (it could carry a workflow command), and nothing of it runs."""
    done, output = setup(tmp_path, step, engines)
    assert done.returncode == 1 and done.stdout == "" and output == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("::error::engines: ") and all(text in line for text in says), line
    assert "$(" not in line and line.count("::") == 2
    assert not (tmp_path / "pwned").exists() and list((tmp_path / "runner-temp").iterdir()) == []


# The runners the action runs on (docs/github.md, "Runners and set-up time"): uv's names of their platforms
RUNNER_PLATFORMS = ("x86_64-manylinux_2_28", "aarch64-manylinux_2_28", "aarch64-apple-darwin")


@pytest.mark.e2e
@pytest.mark.parametrize("lock", ["engines-duckdb.txt", "engines-postgres.txt"])
def test_every_package_of_the_engines_locks_has_a_wheel_for_each_runner(tmp_path, lock):
    """The install setup.sh runs (action.txt and the engines' lock, hashes required, wheels only), resolved by the
    very uv of requirements/uv.txt against the package index for Linux x86-64 and ARM and macOS, without
    installing: a package with only a source archive for one of them (as pyspark has for all) fails here."""
    if not _pypi_reachable():
        unavailable("the engines' locks are resolved against PyPI, which is not reachable")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "VIRTUAL_ENV"))},
           "PIP_CONFIG_FILE": os.devnull, "PIP_CACHE_DIR": str(tmp_path / "pip-cache"), "UV_NO_CONFIG": "1",
           "UV_CACHE_DIR": str(tmp_path / "uv-cache"), "UV_PYTHON_DOWNLOADS": "never"}
    python = host_python()
    subprocess.run([python, "-I", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--require-hashes", "--only-binary=:all:", "--target", str(tmp_path / "uv"),
                    "-r", str(REQUIREMENTS / "uv.txt")], env=env, check=True, timeout=300)
    for platform in RUNNER_PLATFORMS:
        done = subprocess.run(
            [str(tmp_path / "uv" / "bin" / "uv"), "pip", "install", "--dry-run", "--python", python,
             "--target", str(tmp_path / "target"), "--python-platform", platform, "--python-version", "3.11",
             "--require-hashes", "--only-binary", ":all:",
             "-r", str(REQUIREMENTS / "action.txt"), "-r", str(REQUIREMENTS / lock)],
            env=env, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, f"{platform}: {done.stderr[-2000:]}"
        assert "Would download" in done.stderr or "Would install" in done.stderr, done.stderr
    assert [path.name for path in (tmp_path / "target").rglob("*")] in ([], [".lock"])  # nothing installed
