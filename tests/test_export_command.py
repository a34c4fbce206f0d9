"""``modelgate export openlineage|backstage`` through the real command line."""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO_ROOT, commit, contract, make_repo, model, run_cli, write_tree

EXAMPLE = REPO_ROOT / "examples/fraud-platform/head"
NO_REPOSITORY = {"GITHUB_REPOSITORY": ""}
PATH = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"  # this venv's modelgate


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "platform", {
        "contracts/feat.yaml": contract("feat"),
        "models/pipe.yaml": model("pipe", provides=[("feat", 1)]),
        "models/scorer.yaml": model("scorer", consumes=[("feat", 1)]),
    })


def test_openlineage_prints_one_event_a_line(repo: Path) -> None:
    done = run_cli("export", "openlineage", "--at", str(repo), "--today", "2026-11-28", env=NO_REPOSITORY)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert [e["job"]["name"] for e in events] == ["model:pipe", "model:scorer"]
    assert {e["job"]["namespace"] for e in events} == {"modelgate://platform"}  # the directory's name
    assert {e["eventTime"] for e in events} == {"2026-11-28T00:00:00Z"}
    again = run_cli("export", "openlineage", "--at", str(repo), "--today", "2026-11-28", env=NO_REPOSITORY)
    assert again.stdout == done.stdout


def test_the_namespace_comes_from_the_flag_else_the_repository(repo: Path) -> None:
    named = run_cli("export", "openlineage", "--at", str(repo), "--namespace", "lineage://x", env=NO_REPOSITORY)
    assert {json.loads(line)["job"]["namespace"] for line in named.stdout.splitlines()} == {"lineage://x"}
    on_actions = run_cli("export", "openlineage", "--at", str(repo), env={"GITHUB_REPOSITORY": "acme/models"})
    assert json.loads(on_actions.stdout.splitlines()[0])["job"]["namespace"] == "modelgate://acme/models"


def test_the_default_namespace_names_the_repository_from_any_of_its_directories(tmp_path: Path) -> None:
    """The working tree exported is the repository's, wherever in it the command runs: so is the name."""
    repo = make_repo(tmp_path / "platform", {"contracts/feat.yaml": contract("feat"),
                                             "models/pipe.yaml": model("pipe", provides=[("feat", 1)])})
    done = run_cli("export", "openlineage", cwd=repo / "models", env=NO_REPOSITORY)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[0])["job"]["namespace"] == "modelgate://platform"


def test_a_name_given_twice_is_said_not_dropped_in_silence(repo: Path) -> None:
    (repo / "models/again.yaml").write_text(model("scorer"))
    done = run_cli("export", "backstage", "--at", str(repo))
    assert done.returncode == 0
    assert ("models/scorer.yaml names the model scorer that models/again.yaml names too (MG002): only the first is "
            "exported") in done.stderr
    assert sum(e["metadata"]["name"] == "scorer" for e in yaml.safe_load_all(done.stdout)) == 1


def test_openlineage_out_writes_one_file_per_model(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "lineage"
    done = run_cli("export", "openlineage", "--at", str(repo), "--out", str(out), "--today", "2026-11-28")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["pipe.json", "scorer.json"]
    assert json.loads((out / "scorer.json").read_text())["inputs"][0]["name"] == "contract:feat@1"


def test_backstage_prints_one_catalog_and_writes_it_under_out(repo: Path, tmp_path: Path) -> None:
    done = run_cli("export", "backstage", "--at", str(repo))
    assert done.returncode == 0, done.stderr
    found = list(yaml.safe_load_all(done.stdout))
    assert [(e["kind"], e["metadata"]["name"]) for e in found] == [
        ("Component", "pipe"), ("Component", "scorer"), ("API", "feat-v1")]
    out = tmp_path / "catalog"
    written = run_cli("export", "backstage", "--at", str(repo), "--out", str(out))
    assert written.returncode == 0 and written.stdout == ""
    assert [p.name for p in out.iterdir()] == ["catalog-info.yaml"]
    assert (out / "catalog-info.yaml").read_text(encoding="utf-8") == done.stdout


def test_out_never_writes_outside_its_directory(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "elsewhere.yaml"
    (out / "catalog-info.yaml").symlink_to(outside)
    done = run_cli("export", "backstage", "--at", str(repo), "--out", str(out))
    assert done.returncode == 2
    assert "outside the directory" in done.stderr and "Traceback" not in done.stderr
    assert not outside.exists()
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    done = run_cli("export", "openlineage", "--at", str(repo), "--out", str(blocked))
    assert done.returncode == 2
    assert done.stderr.startswith("modelgate: error: --out") and len(done.stderr.splitlines()) == 1


def test_manifests_that_do_not_load_are_warned_about(repo: Path) -> None:
    (repo / "models/broken.yaml").write_text("apiVersion: modelgate/v1\nkind: Model\nmetadata: {name: x\n")
    (repo / "models/ghost.yaml").write_text(model("ghost", consumes=[("nowhere", 2)]))
    done = run_cli("export", "backstage", "--at", str(repo))
    assert done.returncode == 0
    assert "could not be read as manifests" in done.stderr and "models/broken.yaml" in done.stderr
    assert "nowhere@2, which no contract defines" in done.stderr
    assert "ghost" in done.stdout


@pytest.mark.parametrize(("args", "words"), [
    (["export", "datahub"], "invalid choice: 'datahub'"),
    (["export", "backstage", "--namespace", "x"], "--namespace applies to openlineage only"),
    (["export", "backstage", "--today", "2026-11-28"], "--today applies to openlineage only"),
    (["export", "openlineage", "--namespace", " "], "non-empty namespace"),
    (["export", "openlineage", "--today", "soon"], "is not a date"),
    (["export", "openlineage", "--at", "no-such-revision"], "no-such-revision"),
    (["export", "backstage", "--out", "dir", "--output", "file"], "give --out or --output, not both"),
])
def test_bad_arguments_exit_2_with_one_line(repo: Path, args: list[str], words: str) -> None:
    done = run_cli(*args, cwd=repo)
    assert done.returncode == 2
    assert words in done.stderr and "Traceback" not in done.stderr


def test_export_at_a_git_revision(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "git", {"contracts/feat.yaml": contract("feat"),
                                        "models/pipe.yaml": model("pipe", provides=[("feat", 1)])})
    first = commit(root, {"models/late.yaml": model("late", consumes=[("feat", 1)])}, "add late")
    commit(root, {"models/late.yaml": None}, "remove late")
    done = run_cli("export", "backstage", "--at", first, cwd=root)
    assert done.returncode == 0, done.stderr
    assert "late" in [e["metadata"]["name"] for e in yaml.safe_load_all(done.stdout)]
    now = run_cli("export", "backstage", cwd=root)
    assert "late" not in [e["metadata"]["name"] for e in yaml.safe_load_all(now.stdout)]


def test_the_example_exports_both_ways() -> None:
    lineage = run_cli("export", "openlineage", "--at", str(EXAMPLE), "--today", "2026-11-28")
    catalog = run_cli("export", "backstage", "--at", str(EXAMPLE))
    assert lineage.returncode == catalog.returncode == 0
    assert lineage.stderr == catalog.stderr == ""
    models = sorted(p.stem for p in (EXAMPLE / "models").rglob("*.yaml"))
    assert len(lineage.stdout.splitlines()) == len(models)
    kinds = [e["kind"] for e in yaml.safe_load_all(catalog.stdout)]
    assert kinds.count("Component") == len(models)


def test_a_state_without_manifests_exports_nothing(tmp_path: Path) -> None:
    empty = write_tree(tmp_path / "empty", {"README.md": "no models here\n"})
    for target in ("openlineage", "backstage"):
        done = run_cli("export", target, "--at", str(empty))
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_output_writes_the_printed_export_to_one_file(repo: Path, tmp_path: Path) -> None:
    printed = run_cli("export", "backstage", "--at", str(repo))
    target = tmp_path / "catalog-info.yaml"
    done = run_cli("export", "backstage", "--at", str(repo), "--output", str(target))
    assert done.returncode == 0 and done.stdout == "", done.stderr
    assert target.read_text(encoding="utf-8") == printed.stdout


def test_a_reader_that_stops_early_ends_the_export_quietly(tmp_path: Path) -> None:
    """``export openlineage | head -c 1``: the command's own exit code (0), nothing on stderr, though the export
    (400 events, far more than a pipe holds) is still being written when the reader goes."""
    files = {"contracts/feat.yaml": contract("feat"), "models/pipe.yaml": model("pipe", provides=[("feat", 1)])}
    files |= {f"models/m{n}.yaml": model(f"m{n}", consumes=[("feat", 1)]) for n in range(400)}
    repo = write_tree(tmp_path / "many", files)
    done = subprocess.run(["bash", "-o", "pipefail", "-c",
                           f"modelgate export openlineage --at {shlex.quote(str(repo))} | head -c 1; "
                           "echo \" status=${PIPESTATUS[0]}\""],
                          capture_output=True, text=True, check=False, env={**os.environ, **NO_REPOSITORY,
                                                                             "PATH": PATH})
    assert done.stdout.endswith(" status=0\n") and done.stderr == "", (done.stdout, done.stderr)


def test_a_yaml_date_in_a_lint_clean_schema_is_exported_as_its_iso_text(tmp_path: Path) -> None:
    """``examples: [2024-01-01]`` is a date to YAML: both exports write it as the JSON text ``"2024-01-01"``."""
    day = dt.date(2024, 1, 1)
    schema = {"type": "object", "properties": {"day": {"type": "string", "examples": [day], "default": day},
                                               "tags": {"type": "array", "items": {"type": "string"},
                                                        "examples": [[day]]}}}
    repo = write_tree(tmp_path / "dated", {
        "contracts/feat.yaml": contract("feat", [{"version": 1, "status": "active", "schema": schema}]),
        "models/pipe.yaml": model("pipe", provides=[("feat", 1)]),
    })
    assert "2024-01-01" in (repo / "contracts/feat.yaml").read_text() and "'2024" not in (
        repo / "contracts/feat.yaml").read_text()  # written unquoted: YAML reads a date
    lint = run_cli("lint", cwd=repo)
    assert lint.returncode == 0, lint.stdout
    catalog = run_cli("export", "backstage", "--at", str(repo))
    assert catalog.returncode == 0 and catalog.stderr == "", catalog.stderr
    (api,) = [e for e in yaml.safe_load_all(catalog.stdout) if e["kind"] == "API"]
    definition = json.loads(api["spec"]["definition"])
    assert definition["properties"]["day"] == {"type": "string", "examples": ["2024-01-01"], "default": "2024-01-01"}
    assert definition["properties"]["tags"]["examples"] == [["2024-01-01"]]
    lineage = run_cli("export", "openlineage", "--at", str(repo), "--today", "2026-11-28", env=NO_REPOSITORY)
    assert lineage.returncode == 0 and lineage.stderr == "", lineage.stderr
    (output,) = json.loads(lineage.stdout)["outputs"]
    assert output["facets"]["schema"]["fields"] == [{"name": "day", "type": "string"},
                                                    {"name": "tags", "type": "array<string>"}]


def test_teams_of_two_organisations_with_one_slug_are_warned_about(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "orgs", {
        "contracts/feat.yaml": contract("feat", owners=["@a/ml"]),
        "models/pipe.yaml": model("pipe", provides=[("feat", 1)], owners=["@b/ml"]),
        "models/same.yaml": model("same", consumes=[("feat", 1)], owners=["@A/ml"]),  # @a/ml again
    })
    done = run_cli("export", "backstage", "--at", str(repo))
    assert done.returncode == 0
    owners = {e["metadata"]["name"]: e["spec"]["owner"] for e in yaml.safe_load_all(done.stdout)}
    assert owners == {"pipe": "group:ml", "same": "group:ml", "feat-v1": "group:ml"}  # the catalog's own name
    (warning,) = done.stderr.splitlines()
    assert warning.startswith("modelgate: warning: the owners @a/ml, @b/ml are all the Backstage owner group:ml")


def test_a_closed_stderr_does_not_stop_the_export(repo: Path, tmp_path: Path) -> None:
    """The warnings go first; a reader of stderr that has gone must not cost the export itself."""
    (repo / "models/ghost.yaml").write_text(model("ghost", consumes=[("nowhere", 2)]))
    out = tmp_path / "lineage.jsonl"
    done = subprocess.run(["bash", "-o", "pipefail", "-c",
                           f"modelgate export openlineage --at {shlex.quote(str(repo))} 2>&1 "
                           f">{shlex.quote(str(out))} | head -c 0; echo \" status=${{PIPESTATUS[0]}}\""],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, **NO_REPOSITORY, "PATH": PATH})
    assert done.stdout.endswith(" status=0\n"), (done.stdout, done.stderr)
    assert len(out.read_text().splitlines()) == 3  # pipe, scorer and ghost


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_one_error_line(repo: Path) -> None:
    with Path("/dev/full").open("w") as full:
        done = subprocess.run([sys.executable, "-m", "bot", "export", "backstage", "--at", str(repo)], stdout=full,
                              stderr=subprocess.PIPE, text=True, check=False, cwd=REPO_ROOT)
    assert done.returncode == 2
    assert done.stderr.strip() == "modelgate: error: cannot write the output: No space left on device"


def test_a_refused_out_writes_nothing_at_all(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "lineage"
    out.mkdir()
    (out / "scorer.json").symlink_to(tmp_path / "victim.json")  # pipe.json comes first, and must not be written
    done = run_cli("export", "openlineage", "--at", str(repo), "--out", str(out))
    assert done.returncode == 2 and "refusing to write 'scorer.json'" in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["scorer.json"] and not (tmp_path / "victim.json").exists()
    dash = run_cli("export", "backstage", "--at", str(repo), "--out", "-", cwd=tmp_path)
    assert dash.returncode == 2 and "--out names a directory" in dash.stderr and not (tmp_path / "-").exists()
