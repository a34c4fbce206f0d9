"""Every file of the hostile corpus (tests/hostile/) through the real entry point it targets.

``tests/hostile/expected.yaml`` maps each file to its entry point (``via``) and the outcome a user must see:

- ``lint``: the file is written as ``models/<name>`` into a repository that also holds a valid contract
  (``companion``, whose MG005 warning proves the other manifests are still reported); ``modelgate lint`` and
  ``modelgate check`` (base: the companion alone) run through ``bot.cli.main``. A ``.symlink`` file holds the
  target of a symbolic link created at test time; a ``.gz`` file is decompressed first (1 MB inputs stay small
  in git). The report ``check`` renders as markdown is checked for raw HTML and live mentions.
- ``check``: ``modelgate check`` from a repository holding another file of the corpus (``base``) at the same path to
  one holding the file: a hostile change, not only a hostile state.
- ``schema-diff``: ``modelgate schema-diff`` from a plain object schema (or from another file of the corpus,
  ``old``) to the file, with ``--mode`` when ``mode`` says.
- ``comment``: the ``/rollout`` parser on the comment body, and the reply the bot would post about it.
- ``action``: ``modelgate action`` with the file as the event payload (and ``env``, when given, in the
  environment), against the GitHub double.

Each case asserts the exit code, one message naming the rule and line (or the clear one-line error),
and no traceback.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from bot.cli import main
from bot.github.commands import Answer, reply
from bot.rollout.parse import Command, Comment, Refusal, parse
from tests.helpers import locked, write_tree
from tests.test_action import REPO, World

HOSTILE = Path(__file__).parent / "hostile"
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load((HOSTILE / "expected.yaml").read_text(encoding="utf-8"))
COMPANION = """\
apiVersion: modelgate/v1
kind: Contract
metadata:
  name: companion
  owners: ["@acme/data"]
spec:
  versions:
    - version: 1
      status: active
      schema: {type: object}
"""
STAGES = ("shadow", "canary", "production")
TODAY = "2026-11-28"
# what the report templates themselves write; any other "<" in a rendered report came from hostile text
OWN_HTML = re.compile(r"</?(?:details|summary|sub|code)>|<!-- modelgate:report -->|<!-- modelgate:rollout [^<>]* -->")
LIVE_MENTION = re.compile(r"(?<![\w`])@[A-Za-z0-9]")


def corpus_bytes(name: str) -> bytes:
    data = (HOSTILE / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def target_name(name: str) -> str:
    return Path(name).name.removesuffix(".gz").removesuffix(".symlink")


def assert_safe_markdown(text: str) -> None:
    shown = OWN_HTML.sub("", text)  # HTML comments (the markers) are not rendered
    assert "<" not in shown, "raw HTML from hostile text"
    assert not LIVE_MENTION.search(shown), f"a live mention: {LIVE_MENTION.search(shown)}"


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return code, out, err


def test_the_corpus_and_its_expectations_match():
    files = {str(p.relative_to(HOSTILE)) for p in HOSTILE.rglob("*") if p.is_file() and p.name != "expected.yaml"}
    assert files == set(EXPECTED)
    assert len(files) >= 40


def _repository(root: Path, name: str, at: str | None = None) -> Path:
    """``root/repo``: the companion and corpus file ``name`` at ``models/<at>`` (default: its own name)."""
    repo = write_tree(root / "repo", {"contracts/companion.yaml": COMPANION})
    target = repo / "models" / (at or target_name(name))
    target.parent.mkdir(parents=True, exist_ok=True)
    if name.endswith(".symlink"):
        write_tree(root / "outside", {"evil.yaml": "apiVersion: modelgate/v1\nkind: Model\nmetadata: {name: evil}\n"})
        os.symlink(corpus_bytes(name).decode().strip(), target)
    else:
        target.write_bytes(corpus_bytes(name))
    return repo


def _cases(via: str) -> list[Any]:
    return [pytest.param(name, spec, id=name) for name, spec in EXPECTED.items() if spec["via"] == via]


@pytest.mark.parametrize(("name", "spec"), _cases("lint"))
def test_manifest(tmp_path, capsys, name, spec):
    repo = _repository(tmp_path, name)
    code, out, _ = run_main(capsys, "lint", str(repo), "--format", "json")
    assert code == spec["exit"]
    findings = json.loads(out)["findings"]
    path = f"models/{target_name(name)}"
    mine = [f for f in findings if f["file"] == path]
    wanted = spec.get("findings", 1)
    assert len(mine) == wanted, mine
    if wanted:
        assert (mine[0]["rule"], mine[0]["line"]) == (spec["rule"], spec["line"])
        assert spec["message"] in mine[0]["message"]
        assert "\n" not in mine[0]["message"] and len(mine[0]["message"]) < 400
    assert [(f["rule"], f["file"]) for f in findings if f["file"] != path] == [("MG005", "contracts/companion.yaml")]

    base = write_tree(tmp_path / "base", {"contracts/companion.yaml": COMPANION})
    code, out, _ = run_main(capsys, "check", "--base", str(base), "--head", str(repo), "--today", TODAY,
                            "--format", "markdown")
    assert code == (1 if spec["exit"] == 1 else 0)
    assert out.startswith("<!-- modelgate:report -->") or "modelgate" in out
    assert_safe_markdown(out)
    assert "\x1b" not in out and "\x00" not in out
    assert not Path("/tmp/modelgate-pwned").exists()


@pytest.mark.parametrize(("name", "spec"), _cases("check"))
def test_change(tmp_path, capsys, name, spec):
    base = _repository(tmp_path / "base", spec["base"], target_name(name))
    head = _repository(tmp_path / "head", name)
    code, out, _ = run_main(capsys, "check", "--base", str(base), "--head", str(head), "--today", TODAY,
                            "--format", "json")
    assert code == spec["exit"]
    mine = [f for f in json.loads(out)["findings"] if f["file"] == f"models/{target_name(name)}"]
    assert [(f["rule"], f["line"]) for f in mine] == [(spec["rule"], spec["line"])]
    assert spec["message"] in mine[0]["message"]
    code, out, _ = run_main(capsys, "check", "--base", str(base), "--head", str(head), "--today", TODAY,
                            "--format", "markdown")
    assert_safe_markdown(out)


@pytest.mark.parametrize(("name", "spec"), _cases("schema-diff"))
def test_schema(tmp_path, capsys, name, spec):
    plain = tmp_path / "plain.json"
    plain.write_text('{"type": "object", "properties": {"p": {"type": "object"}}}')
    if "old" in spec:
        plain = tmp_path / f"old-{target_name(spec['old'])}"
        plain.write_bytes(corpus_bytes(spec["old"]))
    schema = tmp_path / target_name(name)
    schema.write_bytes(corpus_bytes(name))
    code, out, err = run_main(capsys, "schema-diff", str(plain), str(schema), "--mode", spec.get("mode", "backward"),
                              "--format", "json")
    assert code == spec["exit"]
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and spec["message"] in err
    else:
        assert json.loads(out)["compatible"] is (code == 0)
        assert spec["message"] in out


@pytest.mark.parametrize(("name", "spec"), _cases("comment"))
def test_comment(name, spec):
    body = corpus_bytes(name).decode("utf-8")
    parsed = parse(body, STAGES)
    if spec["outcome"] == "ignored":
        assert parsed is None
        return
    if spec["outcome"] == "command":
        assert isinstance(parsed, Command) and parsed.verb == spec["verb"]
        answer = Answer("accepted", f"{parsed.verb}: {parsed.note or parsed.reason or ''}")
    else:
        assert isinstance(parsed, Refusal) and spec["message"] in parsed.reason
        assert len(parsed.line) <= 120
        answer = Answer("refused", parsed.reason)
    now = datetime(2026, 11, 28, 10, tzinfo=UTC)
    posted = reply(Comment(1, "mallory", "User", body, now, now), answer, "0" * 40)
    assert len(posted) < 2000
    assert_safe_markdown(posted)


@pytest.mark.parametrize(("name", "spec"), _cases("action"))
def test_event(tmp_path, github, monkeypatch, capsys, name, spec):
    world = World(tmp_path, github, monkeypatch)
    event = tmp_path / "hostile-event.json"
    event.write_bytes(corpus_bytes(name))
    monkeypatch.setenv("GITHUB_EVENT_NAME", spec["event"])
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    for key, value in spec.get("env", {}).items():
        monkeypatch.setenv(key, value)
    code, out, err = run_main(capsys, "action", "--today", TODAY)
    assert code == spec["exit"], out + err
    if code:
        assert len(err.strip().splitlines()) == 1 and spec["message"] in err, err
    else:
        assert spec["message"] in out and not err, out + err
    if "calls" in spec:
        assert [c.path for c in github.log] == [p.format(repo=REPO) for p in spec["calls"]]
    assert all(s["sha"] == world.head for s in github.statuses)


def test_the_action_never_runs_or_checks_out_pr_code(tmp_path, github, monkeypatch, capsys):
    """A head that would run code if imported, built, templated or checked out: only its bytes are read."""
    pwned = tmp_path / "pwned"
    world = World(tmp_path, github, monkeypatch)
    world.push({
        "setup.py": f"open({str(pwned)!r}, 'w')\n", "conftest.py": f"open({str(pwned)!r}, 'w')\n",
        "bot/__init__.py": f"open({str(pwned)!r}, 'w')\n", ".modelgate.yml": "admins: ['@mallory']\n",
        "models/evil.yaml": corpus_bytes("manifests/python-tag.yaml").decode(),
    })
    git_head = (world.repo / ".git" / "HEAD").read_text()
    event = tmp_path / "event.json"
    event.write_text(json.dumps(world.payload()))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request_target")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    code, _, _ = run_main(capsys, "action", "--today", TODAY)
    assert code == 0
    assert not pwned.exists() and not Path("/tmp/modelgate-pwned").exists()
    assert (world.repo / ".git" / "HEAD").read_text() == git_head  # nothing checked out
    [report] = world.reports()
    assert "MG001" in report["body"] and "config" in report["body"]  # the config change needs the base's admins


def test_workflows_and_the_action_pin_third_party_actions_and_ci_runs_zizmor():
    root = Path(__file__).parent.parent
    files = [root / "action.yml", *(root / ".github" / "workflows").glob("*.yml")]
    uses = [line.split("uses:", 1)[1].strip() for f in files for line in f.read_text().splitlines()
            if "uses:" in line and not line.strip().startswith("#")]
    third_party = [u for u in uses if not u.startswith(("./", "docker://"))]
    assert third_party and all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}( # .*)?", u) for u in third_party), uses
    assert "zizmor" in "".join(f.read_text() for f in files)
    assert all("permissions:" in f.read_text() for f in files if f.parent == root / ".github" / "workflows")


def test_the_action_installs_only_hash_pinned_wheels_of_what_pyproject_asks_for():
    """requirements/action.txt pins every dependency of pyproject.toml and the build backend at one version each,
    with hashes, inside pyproject's ranges, and requirements/uv.txt pins the installer the same way; the action's
    set-up (scripts/setup.sh, run by action.yml) installs from them with hashes required, wheels only, and
    resolves nothing more for modelgate itself."""
    root = Path(__file__).parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text())

    def pins(lock_file: str) -> dict[str, Version]:
        found = locked(root / "requirements" / lock_file)
        assert all(r.marker is None for r in found)  # one version of each, whatever the platform
        return {canonicalize_name(r.name): Version(next(iter(r.specifier)).version) for r in found}

    pinned = pins("action.txt")
    wanted = [Requirement(r) for r in (*project["project"]["dependencies"], *project["build-system"]["requires"])]
    assert [str(r) for r in wanted if pinned.get(canonicalize_name(r.name)) not in r.specifier] == []
    assert list(pins("uv.txt")) == ["uv"]
    steps = yaml.safe_load((root / "action.yml").read_text())["runs"]["steps"]
    assert any(step.get("run", "").endswith('/scripts/setup.sh" install') for step in steps), steps
    install = (root / "scripts" / "setup.sh").read_text().replace("\\\n", " ")
    assert re.search(r"pip install .*--no-deps --require-hashes --only-binary=:all: .*requirements/uv\.txt", install)
    assert re.search(r"--require-hashes --only-binary :all: -r \S*requirements/action\.txt", install)
    assert "--no-deps --no-build-isolation" in install


def lock_hashes(lock: Path) -> dict[str, set[str]]:
    """The SHA-256s a hash-pinned requirements file lists for each package, by canonical name (each named once)."""
    found: dict[str, set[str]] = {}
    for line in lock.read_text().replace("\\\n", " ").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            requirement, *hashes = line.split(" --hash=")
            name = canonicalize_name(Requirement(requirement.strip()).name)
            assert name not in found, f"{lock.name}: {name} pinned twice"
            found[name] = {h.strip() for h in hashes}
    return found


def test_the_engines_locks_pin_the_extras_at_the_versions_and_hashes_of_the_actions_lock():
    """requirements/engines-<name>.txt (the action's ``engines`` input) pins the extra of that name with modelgate's
    dependencies, each package once, with hashes, no platform marker, inside pyproject's ranges; a package
    requirements/action.txt pins too is at the same version with the same hashes (both files go to one install);
    the postgres lock holds the duckdb lock's pins, as the postgres extra holds the duckdb extra. setup.sh installs
    the lock with hashes required and wheels only, in the same install as action.txt."""
    root = Path(__file__).parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]

    def wanted(extra: str) -> list[Requirement]:  # the extra's requirements, its own extras expanded
        found = []
        for text in extras[extra]:
            requirement = Requirement(text)
            if canonicalize_name(requirement.name) == canonicalize_name(project["name"]):
                found += [r for name in sorted(requirement.extras) for r in wanted(name)]
            else:
                found.append(requirement)
        return found

    action = root / "requirements" / "action.txt"
    action_pins = {canonicalize_name(r.name): str(r.specifier) for r in locked(action)}
    action_hashes = lock_hashes(action)
    locks = sorted((root / "requirements").glob("engines-*.txt"))
    assert [lock.name for lock in locks] == ["engines-duckdb.txt", "engines-postgres.txt"]
    pins = {}
    for lock in locks:
        found = locked(lock)
        assert all(r.marker is None for r in found), lock.name  # one version of each, whatever the platform
        pins[lock.stem] = {canonicalize_name(r.name): str(r.specifier) for r in found}
        hashes = lock_hashes(lock)
        assert len(found) == len(hashes) == len(pins[lock.stem])  # each package once
        versions = {name: Version(spec.removeprefix("==")) for name, spec in pins[lock.stem].items()}
        extra = lock.stem.removeprefix("engines-")
        needed = [*wanted(extra), *(Requirement(r) for r in project["dependencies"])]
        assert [str(r) for r in needed if versions.get(canonicalize_name(r.name)) not in r.specifier] == [], lock
        shared = sorted(set(pins[lock.stem]) & set(action_pins))
        assert len(shared) >= 20  # modelgate's own dependencies are in both
        assert [name for name in shared if pins[lock.stem][name] != action_pins[name]] == [], lock.name
        assert [name for name in shared if hashes[name] != action_hashes[name]] == [], lock.name
    duckdb, postgres = pins["engines-duckdb"], pins["engines-postgres"]
    assert {name: postgres.get(name) for name in duckdb} == duckdb
    assert {"ibis-framework", "duckdb", "sqlglot"} <= set(duckdb) and {"psycopg", "psycopg-binary"} <= set(postgres)
    install = (root / "scripts" / "setup.sh").read_text().replace("\\\n", " ")
    assert re.search(r"--require-hashes --only-binary :all: -r \S*requirements/action\.txt\"\s+"
                     r"\$\{lock:\+-r \S*requirements/engines-\$lock\.txt\"\}", install)


# --- issue 19, item 15: links leaving the repository, in git mode as in a directory -------------------------

def test_a_link_leaving_the_repository_is_mg001_in_git_mode_as_in_a_directory(tmp_path, capsys, monkeypatch):
    """An absolute target (``/etc/passwd``) was skipped without a word when the state was a git revision."""
    from tests.helpers import commit, make_repo

    repo = make_repo(tmp_path / "repo", {"contracts/companion.yaml": COMPANION})
    (repo / "models").mkdir()
    os.symlink("/etc/passwd", repo / "models" / "absolute.yaml")
    os.symlink("../../x.yaml", repo / "models" / "relative.yaml")
    commit(repo, {}, "links out")
    monkeypatch.chdir(repo)
    for state in ("HEAD", str(repo)):
        code, out, _ = run_main(capsys, "lint", state, "--format", "json")
        mine = sorted((f["file"], f["rule"], f["line"], f["message"]) for f in json.loads(out)["findings"]
                      if f["file"].startswith("models/"))
        assert code == 1 and mine == [
            (f"models/{name}.yaml", "MG001", 1, "symbolic link pointing outside the repository; not read")
            for name in ("absolute", "relative")], state
    code, out, _ = run_main(capsys, "check", "--base", str(tmp_path / "repo/contracts"), "--head", "HEAD",
                            "--today", TODAY, "--format", "json")
    assert code == 1 and "models/absolute.yaml" in out


# --- issue 19, item 9: a budget across the files of a run ------------------------------------------------------

def alias_heavy_contract(name: str) -> str:
    """A contract of under 600 bytes whose schema expands to about half a million values: under the per-document
    limit (1,000,000), so each file alone is read; a hundred of them took 69 s and 4.45 GB."""
    levels = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * (10 if i < 5 else 3))}]" for i in range(1, 6)]
    body = "".join(f"          {line}\n" for line in levels)
    return (f"apiVersion: modelgate/v1\nkind: Contract\nmetadata:\n  name: {name}\n  owners: ['@acme/data']\n"
            f"spec:\n  versions:\n    - version: 1\n      status: active\n      schema:\n        type: object\n"
            f"        x-bomb:\n{body}")


def test_many_alias_heavy_files_each_under_the_limit_spend_the_runs_budget_then_are_not_read(tmp_path, capsys):
    from bot.manifests.parse import NOT_READ, OVER_BUDGET

    files = {f"contracts/b{i:03d}.yaml": alias_heavy_contract(f"b{i:03d}") for i in range(100)}
    assert all(len(text) < 650 for text in files.values())
    head = write_tree(tmp_path / "head", files)
    base = write_tree(tmp_path / "base", {"contracts/b000.yaml": files["contracts/b000.yaml"]})
    for argv in (["lint", str(head)], ["check", "--base", str(base), "--head", str(head), "--today", TODAY]):
        code, out, _ = run_main(capsys, *argv, "--format", "json")
        found = [f for f in json.loads(out)["findings"] if f["rule"] == "MG001"]
        assert code == 1
        first, *rest = found
        assert first["message"] == OVER_BUDGET and first["line"] > 1, first
        assert rest and {(f["message"], f["line"]) for f in rest} == {(NOT_READ, 1)}
        parsed = [f"contracts/b{i:03d}.yaml" for i in range(100)]
        assert [f["file"] for f in found] == parsed[len(parsed) - len(found):]  # the first files read, the rest not
        assert 5 <= 100 - len(found) <= 10


def test_an_alias_of_a_long_string_counts_the_text_it_repeats(tmp_path, capsys):
    """100 KB named 3,000 times was one value per alias to the readers, and 642 MB once decoded (a 1 MB file: more
    than 27 GB)."""
    schema = f"type: object\nx-a: &a \"{'x' * 100_000}\"\nx-b: [{', '.join(['*a'] * 3000)}]\n"
    manifest = (COMPANION.replace("companion", "strings") + "        x-a: &a \"" + "x" * 100_000 + "\"\n"
                + f"        x-b: [{', '.join(['*a'] * 3000)}]\n").replace("schema: {type: object}", "schema:")
    manifest = manifest.replace("      schema:\n", "      schema:\n        type: object\n")
    repo = write_tree(tmp_path / "repo", {"contracts/strings.yaml": manifest, "schemas/s.yaml": schema,
                                          "contracts/ref.yaml": COMPANION.replace("companion", "ref").replace(
                                              "schema: {type: object}", "schema_ref: schemas/s.yaml")})
    code, out, _ = run_main(capsys, "lint", str(repo), "--format", "json")
    found = {(f["rule"], f["file"]): f["message"] for f in json.loads(out)["findings"] if f["severity"] == "error"}
    assert code == 1 and found == {
        ("MG001", "contracts/strings.yaml"): "the document expands to more than 1000000 values (alias expansion?)",
        ("MG008", "contracts/ref.yaml"): "schema_ref schemas/s.yaml: not readable JSON or YAML (the document expands "
                                         "to more than 1000000 values (alias expansion?))"}
