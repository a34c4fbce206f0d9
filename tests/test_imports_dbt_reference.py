"""The dbt importer on two real manifests (a public dbt project's fixtures, schema v11 and v12, gzip-compressed):
each imports without error, and what it generates loads and passes ``modelgate lint`` with no error.

The manifests are read from beside the repository (``../shared/reference/dbt-manifests``) when they are there, never
copied into it; the test is skipped without them.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import yaml

from bot.imports.dbt import build
from bot.imports.model import ImportContext, SourceFile
from tests.helpers import json_out, run_cli

REFERENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "dbt-manifests"
MANIFESTS = sorted(REFERENCE.glob("*.json.gz")) if REFERENCE.is_dir() else []

pytestmark = pytest.mark.skipif(not MANIFESTS, reason="no dbt reference manifests beside the repository "
                                                     "(../shared/reference/dbt-manifests)")


@pytest.mark.parametrize("path", MANIFESTS, ids=[p.name.split(".")[0] for p in MANIFESTS])
def test_a_real_manifest_imports_and_its_manifests_pass_lint(path: Path, tmp_path: Path) -> None:
    source = SourceFile(f"target/{path.name.removesuffix('.gz')}", gzip.decompress(path.read_bytes()))
    imported = build([source], ImportContext(owners_for=lambda _path: ("@acme/analytics",)))
    kinds = {g.document["kind"] for g in imported.files}
    assert kinds == {"Model", "Contract"}
    contracts = {g.document["metadata"]["name"]: g.document for g in imported.files if g.document["kind"] == "Contract"}
    assert [v["version"] for v in contracts["customers"]["spec"]["versions"]][-1] >= 2  # a versioned model
    for generated in imported.files:
        target = tmp_path / generated.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(generated.document, sort_keys=False), encoding="utf-8")
    done = run_cli("lint", str(tmp_path), "--format", "json")
    report = json_out(done)
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    assert done.returncode == 0, done.stdout + done.stderr
    every = run_cli("lint", str(tmp_path))  # every generated file was loaded as a manifest, none left aside
    assert f"in {len(imported.files)} manifests" in every.stdout, every.stdout
