"""Benchmark of ``modelgate import dbt`` on a generated dbt project, and of ``modelgate check`` on what it imports.

    .venv/bin/python benchmarks/dbt_import.py [--models 600] [--repeat 3] [--work DIR]

It writes a synthetic dbt ``manifest.json`` (schema v12, as dbt-core 1.11 writes it) of ``--models`` models in
three layers (staging, intermediate, marts): 6 to 20 columns each with the types a warehouse project uses
(``integer``, ``bigint``, ``varchar(n)``, ``numeric(p,s)``, ``timestamp``, ``date``, ``boolean``, ``json``, …),
``not_null`` tests and constraints, refs to 1 to 4 models of the layers below, a third of the marts with an enforced
contract, one in ten public, one in twenty versioned (two or three versions, the older ones with a
``deprecation_date``), groups with owners, and one exposure per 25 models (every fifth of type ``ml``). Then, in one
run, best of ``--repeat``:

- **import**: ``bot.imports.dbt.build`` on the manifest's bytes (parse included), and the same with every document
  rendered as YAML (libyaml's safe emitter) and written; the baseline is ``json.loads`` of the same bytes, the
  least any reader of the manifest does;
- **check**: the imported manifests are committed to a git repository (base), the manifest is changed as a pull
  request would (a column removed and a base type changed in two contracted models, a column added to a third) and
  imported again (head); ``modelgate check --base base --head head --format json`` runs cold (no parse cache) as
  its own process, against the floor of ``benchmarks/floor.py`` (read and parse every YAML file at head) measured
  in the same run. The script stops if the check does not find the two breaking changes.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bot.imports.dbt import build  # noqa: E402
from bot.imports.model import ImportContext, SourceFile  # noqa: E402

PROJECT = "acme_analytics"
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter: the same text as safe_dump, faster
TYPES = ("integer", "bigint", "varchar(64)", "varchar(255)", "text", "numeric(18,2)", "double precision", "boolean",
         "date", "timestamp", "timestamp with time zone", "json", "int8", "character varying(32)")
GIT_ENV = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com", "GIT_COMMITTER_NAME": "b",
           "GIT_COMMITTER_EMAIL": "b@example.com", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null"}


def _column(rng: random.Random, name: str, enforced: bool) -> dict[str, Any]:
    constraints = [{"type": "not_null", "name": None, "expression": None, "warn_unenforced": True,
                    "warn_unsupported": True, "to": None, "to_columns": []}] if enforced and rng.random() < 0.4 else []
    return {"name": name, "description": f"The {name.replace('_', ' ')}.", "meta": {}, "data_type": rng.choice(TYPES),
            "constraints": constraints, "quote": None, "config": {"meta": {}, "tags": []}, "tags": [],
            "granularity": None, "doc_blocks": []}


def _node(rng: random.Random, name: str, layer: str, parents: list[str], *, version: int | None = None,  # noqa: PLR0913
          latest: int | None = None, deprecation: str | None = None) -> dict[str, Any]:
    enforced = layer == "marts" and rng.random() < 0.33
    access = "public" if rng.random() < 0.1 else "protected"
    uid = f"model.{PROJECT}.{name}" + (f".v{version}" if version is not None else "")
    columns = {f"{name}_id": _column(rng, f"{name}_id", enforced)}
    for index in range(rng.randint(5, 19)):
        column_name = f"{rng.choice(('amount', 'status', 'created', 'updated', 'code', 'label', 'score'))}_{index}"
        columns[column_name] = _column(rng, column_name, enforced)
    return {
        "database": "warehouse", "schema": layer, "name": name, "resource_type": "model", "package_name": PROJECT,
        "path": f"{layer}/{name}.sql", "original_file_path": f"models/{layer}/{name}.sql", "unique_id": uid,
        "fqn": [PROJECT, layer, name], "alias": name, "checksum": {"name": "sha256", "checksum": "0" * 64},
        "config": {"enabled": True, "materialized": "table" if layer != "staging" else "view",
                   "contract": {"enforced": enforced, "alias_types": True}, "access": access, "meta": {},
                   "group": layer},
        "tags": [], "description": f"{layer} model {name}", "columns": columns, "meta": {}, "group": layer,
        "access": access, "version": version, "latest_version": latest, "deprecation_date": deprecation,
        "constraints": [], "depends_on": {"macros": [], "nodes": parents},
        "refs": [{"name": p.split(".")[2], "package": None, "version": None} for p in parents],
        "raw_code": "select 1", "language": "sql",
    }


def generate(models: int, seed: int = 15) -> dict[str, Any]:
    """A manifest of ``models`` dbt models (versions counted once), with tests, groups and exposures."""
    rng = random.Random(seed)
    nodes: dict[str, dict[str, Any]] = {}
    layers = (("staging", models * 3 // 10), ("intermediate", models * 3 // 10), ("marts", models - models * 6 // 10))
    below: list[str] = []
    for layer, count in layers:
        made: list[str] = []
        for index in range(count):
            name = f"{layer[:3]}_{index:04d}"
            parents = rng.sample(below, k=min(len(below), rng.randint(1, 4))) if below else [
                f"source.{PROJECT}.raw.t{index}"]
            if layer == "marts" and index % 20 == 0:
                versions = rng.randint(2, 3)
                for version in range(1, versions + 1):
                    deprecation = "2027-06-30T00:00:00" if version < versions else None
                    node = _node(rng, name, layer, parents, version=version, latest=versions, deprecation=deprecation)
                    nodes[node["unique_id"]] = node
                made.append(f"model.{PROJECT}.{name}.v{versions}")
            else:
                node = _node(rng, name, layer, parents)
                nodes[node["unique_id"]] = node
                made.append(node["unique_id"])
        below += made
    for uid, node in list(nodes.items()):
        for column in list(node["columns"])[:2]:
            test = f"test.{PROJECT}.not_null_{node['name']}_{column}.{len(nodes):06x}"
            nodes[test] = {"unique_id": test, "resource_type": "test", "name": f"not_null_{column}",
                           "package_name": PROJECT, "attached_node": uid, "column_name": column,
                           "test_metadata": {"name": "not_null", "kwargs": {"column_name": column}},
                           "depends_on": {"macros": [], "nodes": [uid]}}
    marts = [u for u in below if ".mar_" in u]
    exposures = {}
    for index in range(max(1, models // 25)):
        name = f"exposure_{index:03d}"
        kind = "ml" if index % 5 == 0 else rng.choice(("dashboard", "notebook", "analysis", "application"))
        exposures[f"exposure.{PROJECT}.{name}"] = {
            "name": name, "resource_type": "exposure", "package_name": PROJECT,
            "unique_id": f"exposure.{PROJECT}.{name}",
            "original_file_path": "models/exposures.yml", "type": kind,
            "owner": {"name": "Data team", "email": "data@example.com"}, "meta": {"owner": "@acme/ml"},
            "description": "", "depends_on": {"macros": [], "nodes": rng.sample(marts, k=min(3, len(marts)))}}
    groups = {f"group.{PROJECT}.{layer}": {"name": layer, "resource_type": "group", "package_name": PROJECT,
                                           "owner": {"name": layer, "email": f"{layer}@example.com",
                                                     "github": f"@acme/{layer}"}}
              for layer, _ in layers}
    return {"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json",
                         "dbt_version": "1.11.0", "project_name": PROJECT, "adapter_type": "postgres"},
            "nodes": nodes, "sources": {}, "macros": {}, "docs": {}, "exposures": exposures, "metrics": {},
            "groups": groups, "selectors": {}, "disabled": {}, "parent_map": {}, "child_map": {}}


def pull_request(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest after a change: a column removed from one contracted model, a base type changed in another, a
    column added to a third (compatible)."""
    changed = json.loads(json.dumps(manifest))
    contracted = [n for n in changed["nodes"].values()
                  if n["resource_type"] == "model" and n["config"]["contract"]["enforced"] and n["version"] is None]
    first, second, third = contracted[:3]
    first["columns"].pop(list(first["columns"])[-1])
    column = second["columns"][list(second["columns"])[-1]]
    column["data_type"] = "boolean" if column["data_type"] != "boolean" else "integer"
    third["columns"]["added_column"] = {**third["columns"][next(iter(third["columns"]))], "name": "added_column"}
    return changed


def best(repeat: int, action: Any) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def render(imported: Any, root: Path) -> None:
    for generated in imported.files:
        target = root / generated.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.dump(generated.document, Dumper=DUMPER, sort_keys=False, allow_unicode=True),
                          encoding="utf-8")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=GIT_ENV)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="dbt-import-"))
    manifest = generate(args.models)
    data = json.dumps(manifest, indent=2).encode()
    context = ImportContext()
    source = SourceFile("target/manifest.json", data)
    imported = build([source], context)
    models = sum(1 for n in manifest["nodes"].values() if n["resource_type"] == "model")
    print(f"manifest: {len(data) / 1e6:.1f} MB, {models} model nodes, {len(manifest['exposures'])} exposures; "
          f"imported: {len(imported.files)} manifests, {len(imported.notices)} notices")

    floor_json = best(args.repeat, lambda: json.loads(data))
    build_time = best(args.repeat, lambda: build([source], context))
    rendered = work / "render"

    def build_and_render() -> None:
        render(build([source], context), rendered)

    render_time = best(args.repeat, build_and_render)
    print(f"baseline json.loads: {floor_json:.3f} s")
    print(f"import (build):      {build_time:.3f} s ({build_time / floor_json:.1f}x)")
    print(f"import + render:     {render_time:.3f} s ({render_time / floor_json:.1f}x)")

    repo = work / "repo"
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    render(imported, repo / "manifests" / "dbt")
    (repo / "CODEOWNERS").write_text("* @acme/data\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    head = build([SourceFile("target/manifest.json", json.dumps(pull_request(manifest)).encode())], context)
    subprocess.run(["rm", "-rf", str(repo / "manifests" / "dbt")], check=True)
    render(head, repo / "manifests" / "dbt")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "head")
    modelgate = [sys.executable, "-m", "bot"]
    check = [*modelgate, "check", "--base", "HEAD~1", "--head", "HEAD", "--format", "json", "--cache-dir", "none",
             "--today", "2026-12-01"]
    floor = [sys.executable, str(HERE / "floor.py"), str(repo), "HEAD"]
    floor_time = best(args.repeat, lambda: subprocess.run(floor, check=True, capture_output=True))
    outputs: list[str] = []

    def checked() -> None:
        done = subprocess.run(check, cwd=repo, capture_output=True, text=True, check=False,
                              env={**GIT_ENV, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(HERE.parent)})
        outputs.append(done.stdout)

    check_time = best(args.repeat, checked)
    result = json.loads(outputs[-1])
    breaking = sorted({c["type"] for c in result.get("changes", []) if c.get("breaking")})
    if "SQL_TYPE_CHANGED" not in breaking or "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL" not in breaking:
        raise SystemExit(f"the check did not find the two breaking changes: {breaking}")
    files = sum(1 for _ in (repo / "manifests" / "dbt").rglob("*.yaml"))
    print(f"floor (read + parse {files} files at head): {floor_time:.3f} s")
    print(f"check, cold:         {check_time:.3f} s ({check_time / floor_time:.2f}x the floor); breaking: "
          f"{', '.join(breaking)}")


if __name__ == "__main__":
    main()
