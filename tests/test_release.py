"""The release: the sdist and the wheel built from the repository, and the wheel installed the way a user does.

The two files are built once for the module with ``python -m build`` (the sdist, then the wheel from the
unpacked sdist, so a sdist that misses something the build needs fails here), or taken from ``$MODELGATE_DIST``,
a folder holding the one sdist and the one wheel to check (the release workflow points it at the files it is
about to publish). The last test installs the wheel with ``pipx`` into a fresh, isolated environment, which
pulls the dependencies from the package index; it skips only when that index does not answer.
"""

from __future__ import annotations

import email
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest
import yaml

import bot
from tests.helpers import GIT_ENV, REPO_ROOT
from tests.required import unavailable

DISTRIBUTION = "modelgate-ci"  # "modelgate" on the package index is another project
# SHA-256 of the Apache License 2.0 as the Apache Software Foundation publishes it (LICENSE-2.0.txt, 11,358 bytes)
APACHE_2_0_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"
EXAMPLE = REPO_ROOT / "examples" / "fraud-platform"
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "release.yml"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
RELEASE_HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?$", re.M)


@dataclass(frozen=True)
class Dist:
    sdist: Path
    wheel: Path


def only(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, f"{folder}: {pattern}: {[f.name for f in found]}"
    return found[0]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    given = os.environ.get("MODELGATE_DIST")
    if given:
        folder = Path(given)
    else:
        folder = tmp_path_factory.mktemp("dist")
        # --no-isolation: the build backend comes from the test environment (the test extra), not the index
        done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(folder),
                               str(REPO_ROOT)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    return Dist(sdist=only(folder, "*.tar.gz"), wheel=only(folder, "*.whl"))


def wheel_names(dist: Dist) -> set[str]:
    with zipfile.ZipFile(dist.wheel) as wheel:
        return set(wheel.namelist())


def wheel_text(dist: Dist, name: str) -> str:
    with zipfile.ZipFile(dist.wheel) as wheel:
        return wheel.read(name).decode()


def dist_info(dist: Dist) -> str:
    version = bot.__version__
    return f"{DISTRIBUTION.replace('-', '_')}-{version}.dist-info"


def metadata(dist: Dist) -> Message:
    return email.message_from_string(wheel_text(dist, f"{dist_info(dist)}/METADATA"))


def sdist_names(dist: Dist) -> set[str]:
    """The sdist's paths below its top folder (``modelgate_ci-X.Y.Z/``)."""
    with tarfile.open(dist.sdist) as sdist:
        return {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}


def package_files(folder: Path) -> set[str]:
    """Every file of the source tree below ``folder`` that is no compiled bytecode, relative to the repository."""
    return {p.relative_to(REPO_ROOT).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


def test_the_file_names_carry_the_distribution_and_the_version(dist):
    stem = f"{DISTRIBUTION.replace('-', '_')}-{bot.__version__}"
    assert (dist.sdist.name, dist.wheel.name) == (f"{stem}.tar.gz", f"{stem}-py3-none-any.whl")


def test_the_wheel_metadata_names_modelgate_ci_its_license_and_version(dist):
    meta = metadata(dist)
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert meta["Name"] == DISTRIBUTION
    assert meta["Version"] == bot.__version__
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["Summary"] == project["description"]
    assert "Programming Language :: Python :: 3.11" in meta.get_all("Classifier")
    assert len(meta.get_all("Requires-Dist")) >= len(project["dependencies"])
    assert meta.get_payload().startswith("# modelgate")  # the README is the long description


def test_the_wheel_installs_the_modelgate_command(dist):
    entry_points = wheel_text(dist, f"{dist_info(dist)}/entry_points.txt")
    assert re.findall(r"^(\w[\w-]*) = (\S+)$", entry_points, re.M) == [("modelgate", "bot.cli:main")]


def test_the_wheel_holds_the_package_its_rules_templates_and_the_license(dist):
    names = wheel_names(dist)
    package = package_files(REPO_ROOT / "bot")
    rules = {f"bot/_rules/{p.name}" for p in (REPO_ROOT / "rules").glob("*.yaml")}
    assert len(rules) > 30
    assert any(name.endswith(".j2") for name in package)  # the report templates are part of the package
    assert sorted(package - names) == []
    assert sorted(rules - names) == []
    with zipfile.ZipFile(dist.wheel) as wheel:
        assert wheel.read(f"{dist_info(dist)}/licenses/LICENSE") == (REPO_ROOT / "LICENSE").read_bytes()
    outside = {name.split("/")[0] for name in names} - {"bot", dist_info(dist)}
    assert outside == set()  # no tests, docs or examples installed as top-level packages


def test_the_sdist_holds_what_a_build_needs_and_nothing_of_the_repositorys_machinery(dist):
    names = sdist_names(dist)
    needed = {"pyproject.toml", "PKG-INFO", "README.md", "LICENSE", "CHANGELOG.md"}
    needed |= package_files(REPO_ROOT / "bot") | package_files(REPO_ROOT / "rules")
    assert sorted(needed - names) == []
    assert sorted(n for n in names if n.split("/")[0] in {".github", ".ci", ".venv", ".git", "benchmarks"}) == []


def test_the_license_is_the_apache_license_2_0_as_pyproject_declares():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert (project["license"], project["license-files"]) == ("Apache-2.0", ["LICENSE"])
    assert hashlib.sha256((REPO_ROOT / "LICENSE").read_bytes()).hexdigest() == APACHE_2_0_SHA256


def test_the_version_is_written_once_and_is_the_changelogs_latest_release():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "bot/__init__.py"
    headings = [(m["version"], m["date"]) for m in RELEASE_HEADING.finditer((REPO_ROOT / "CHANGELOG.md").read_text())]
    assert headings[0] == ("Unreleased", None)
    releases = headings[1:]
    assert releases and all(date for _, date in releases)
    assert releases[0][0] == bot.__version__
    assert [d for _, d in releases] == sorted((d for _, d in releases), reverse=True)


def test_the_release_workflow_publishes_only_from_a_tag_with_each_job_holding_only_what_it_needs():
    """Least privilege, one job at a time: the OIDC token (trusted publishing, attestations) only in the job bound
    to the ``pypi`` environment; write access only where the release and the major tag are made; nothing
    published or tagged but from a pushed ``v`` tag, after the build and its test; actions pinned by commit."""
    workflow = yaml.safe_load(WORKFLOW.read_text())
    jobs = workflow["jobs"]
    assert workflow[True] == {"push": {"tags": ["v*.*.*"]}, "workflow_dispatch": None}  # YAML 1.1 reads on: as True
    assert workflow["permissions"] == {}
    granted = {name: job["permissions"] for name, job in jobs.items()}
    assert granted == {"build": {"contents": "read"}, "test": {"contents": "read"},
                       "publish": {"id-token": "write", "attestations": "write"},
                       "github-release": {"contents": "write"}, "major-tag": {"contents": "write"}}
    assert jobs["publish"]["environment"]["name"] == "pypi"
    assert jobs["publish"]["needs"] == ["build", "test"]
    assert jobs["publish"]["if"] == "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v')"
    assert "publish" in jobs["github-release"]["needs"] and "github-release" in jobs["major-tag"]["needs"]
    steps = [step for job in jobs.values() for step in job["steps"]]
    assert [step["uses"] for step in steps if "uses" in step and not PINNED.match(step["uses"])] == []
    checkouts = [step for step in steps if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(step["with"]["persist-credentials"] is False for step in checkouts)
    assert [step["run"] for step in steps if "${{" in step.get("run", "")] == []  # values reach scripts by env
    uses = {step["uses"].split("@")[0] for step in jobs["publish"]["steps"]}
    assert {"actions/attest-build-provenance", "pypa/gh-action-pypi-publish"} <= uses


def index_answers() -> bool:
    """Whether the package index pip is configured with answers (pip's own configuration, as pipx uses it)."""
    done = subprocess.run([sys.executable, "-m", "pip", "index", "versions", "PyYAML"], capture_output=True,
                          text=True, check=False, timeout=120)
    return done.returncode == 0


@pytest.mark.e2e
def test_pipx_installs_the_wheel_and_the_installed_modelgate_checks_the_example(dist, tmp_path):
    if not index_answers():
        unavailable("the package index does not answer: pipx cannot install the wheel's dependencies")
    home, bin_dir = tmp_path / "pipx", tmp_path / "bin"
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env |= {"PIPX_HOME": str(home), "PIPX_BIN_DIR": str(bin_dir), "PIPX_MAN_DIR": str(tmp_path / "man"),
            "PIPX_DEFAULT_PYTHON": sys.executable, **GIT_ENV}
    install = subprocess.run([sys.executable, "-m", "pipx", "install", str(dist.wheel)], capture_output=True,
                             text=True, check=False, env=env, cwd=tmp_path, timeout=600)
    assert install.returncode == 0, install.stdout + install.stderr
    modelgate = bin_dir / "modelgate"

    version = subprocess.run([str(modelgate), "--version"], capture_output=True, text=True, check=False, env=env,
                             cwd=tmp_path)
    assert (version.returncode, version.stdout) == (0, f"modelgate {bot.__version__}\n")

    # the installed code, not this checkout's: the command runs from the pipx environment, outside the repository
    where = subprocess.run([str(home / "venvs" / DISTRIBUTION / "bin" / "python"), "-c",
                            "import bot; print(bot.__file__)"], capture_output=True, text=True, check=False, env=env,
                           cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(home), where.stdout + where.stderr

    check = subprocess.run([str(modelgate), "check", "--base", str(EXAMPLE / "base"), "--head", str(EXAMPLE / "head"),
                            "--today", "2026-11-28", "--format", "json"], capture_output=True, text=True, check=False,
                           env=env, cwd=tmp_path)
    assert check.returncode == 1, check.stderr
    result = json.loads(check.stdout)
    assert result["verdict"] == "fail"
    assert {"MG101", "MG102", "MG203"} <= {finding["rule"] for finding in result["findings"]}
