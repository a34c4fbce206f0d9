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
import shlex
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
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import bot
from tests.helpers import BOT_HOME, GIT_ENV, REPO_ROOT, locked
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


def test_the_wheel_holds_the_workflows_init_writes_byte_for_byte(dist):
    """``modelgate init`` writes docs/workflows/ from an installed wheel: pyproject force-includes it as
    ``bot/_workflows``, the same bytes."""
    with zipfile.ZipFile(dist.wheel) as wheel:
        shipped = {name.rsplit("/", 1)[1]: wheel.read(name) for name in wheel.namelist()
                   if name.startswith("bot/_workflows/")}
    assert shipped == {p.name: p.read_bytes() for p in (REPO_ROOT / "docs" / "workflows").glob("*.yml")}


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


def release_steps() -> dict[str, dict]:
    """The release workflow's steps that run a script, by name."""
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    return {step["name"]: step for job in jobs.values() for step in job["steps"] if "run" in step}


def pip_installs() -> list[list[str]]:
    """Every ``pip install`` of the release workflow's scripts, as its arguments."""
    found = []
    for step in release_steps().values():
        for line in step["run"].replace("\\\n", " ").splitlines():
            if "pip install" in line:
                words = shlex.split(line, comments=True)
                found.append(words[words.index("install") + 1:])
    return found


def test_the_release_installs_only_hash_pinned_requirements_and_the_wheel_it_built():
    """Each ``pip install`` of the workflow requires hashes and installs a requirements file pinning every
    package, or installs the built wheel alone (no dependencies); the build runs without isolation, so the build
    backend is the pinned one and nothing else is installed. The pins satisfy what pyproject.toml asks for: the
    build backend and build itself, and (the test job, for the Python the release runs) every dependency and the
    test extra, so ``pip check`` after installing the wheel with ``--no-deps`` has nothing to miss."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    files = []
    for args in pip_installs():
        if "--require-hashes" in args:
            assert "--no-deps" in args and args.count("-r") == 1, args  # the file is the whole set, resolved
            files.append(args[args.index("-r") + 1])
        else:
            assert args[-2:] == ["--no-deps", "dist/*.whl"], args  # the wheel just built, nothing from the index
    assert sorted(files) == ["requirements/release-test.txt", "requirements/release.txt"]
    build_steps = [step["run"] for step in release_steps().values() if "python -m build" in step["run"]]
    assert len(build_steps) == 1 and "python -m build --no-isolation " in build_steps[0]

    python = {"python_version": "3.11", "python_full_version": "3.11.0", "sys_platform": "linux",
              "platform_system": "Linux", "os_name": "posix", "implementation_name": "cpython",
              "platform_python_implementation": "CPython"}  # the release's runner (ubuntu-latest, Python 3.11)

    def pins(lock: str) -> dict[str, Version]:
        found = [r for r in locked(REPO_ROOT / lock) if r.marker is None or r.marker.evaluate(python)]
        pinned = {canonicalize_name(r.name): Version(next(iter(r.specifier)).version) for r in found}
        assert len(pinned) == len(found), lock  # one version of each package for that Python
        return pinned

    def unmet(wanted: list[str], pinned: dict[str, Version]) -> list[str]:
        return [w for w in wanted if pinned.get(canonicalize_name(Requirement(w).name)) not in Requirement(w).specifier]

    assert unmet([*project["build-system"]["requires"], "build"], pins("requirements/release.txt")) == []
    wanted = [*project["project"]["dependencies"], *project["project"]["optional-dependencies"]["test"]]
    assert unmet(wanted, pins("requirements/release-test.txt")) == []


def run_the_test_step(python: Path, dist: Path, with_its_options: bool = True) -> subprocess.CompletedProcess[str]:
    """The release's test step, as the workflow writes it (its environment, its pytest options), run with
    ``python`` on one test of this module; ``with_its_options=False``: plain ``pytest``, as the step was before."""
    step = release_steps()["Tests, against the installed wheel"]
    words = shlex.split(step["run"])
    assigned = {w.split("=", 1)[0] for w in words if re.fullmatch(r"[A-Z_]+=\S*", w)}
    command = [w for w in words if not re.fullmatch(r"[A-Z_]+=\S*", w)]
    assert assigned == {"MODELGATE_DIST"} and command[0] == "pytest", words
    options = command[1:] if with_its_options else ["-n", "auto"]
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env |= {**(step.get("env") or {} if with_its_options else {}), "MODELGATE_DIST": str(dist)}
    return subprocess.run([str(python), "-m", "pytest", *options, "-n", "1", "-p", "no:cacheprovider",
                           "tests/test_release.py", "-k", "test_the_file_names_carry"], capture_output=True, text=True,
                          check=False, cwd=REPO_ROOT, env=env, timeout=600)


@pytest.mark.e2e
def test_the_release_tests_the_installed_wheel_and_the_suite_refuses_the_checkout(dist, tmp_path):
    """The test step, run here in a fresh environment where the wheel is installed (unpacked, with its dist-info)
    and this environment's packages are the dependencies: with the workflow's options the suite imports the
    wheel's ``bot`` and passes; run as it was (``pytest -n auto``) it imports the checkout's ``bot/`` and
    tests/conftest.py stops it; and from this suite's own environment it is stopped too when that is the checkout's."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    installed = tmp_path / "installed"
    with zipfile.ZipFile(dist.wheel) as wheel:
        wheel.extractall(installed)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    here = [p for p in sys.path if p.endswith("site-packages")]
    Path(purelib, "release-test.pth").write_text("\n".join([str(installed), *here]) + "\n")

    passed = run_the_test_step(python, dist.sdist.parent)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "1 passed" in passed.stdout

    refusal = "MODELGATE_DIST is set, so the suite tests the installed wheel, but "
    before = run_the_test_step(python, dist.sdist.parent, with_its_options=False)
    assert before.returncode != 0 and refusal + "this process imports bot from the checkout" in before.stderr
    outer = run_the_test_step(Path(sys.executable), dist.sdist.parent)
    if BOT_HOME == REPO_ROOT:  # this suite runs on the checkout (an editable install): the step refuses it
        assert outer.returncode != 0 and refusal in outer.stderr
    else:  # this suite is itself the release's test step, on the installed wheel: the step passes there too
        assert outer.returncode == 0, outer.stdout + outer.stderr


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
