"""The loader: which files are manifests, MG001 with file and line, configuration, schemas, limits."""

from __future__ import annotations

from bot.manifests.load import Loader, parse_config, repo_path
from bot.sources import DirectorySource
from tests.helpers import contract, model, write_tree


def load(tmp_path, files):
    return Loader(DirectorySource(write_tree(tmp_path, files))).load()


def test_only_files_naming_the_api_version_are_manifests(tmp_path):
    snap = load(tmp_path, {"models/a.yaml": model("a"), "other.yaml": "- [not, ours\n",
                           "notes.txt": model("txt"), "ci.yml": "on: push\n"})
    assert [m.path for m in snap.manifests] == ["models/a.yaml"]
    assert snap.findings == []


def test_globs_of_the_configuration_choose_the_files(tmp_path):
    snap = load(tmp_path, {"a/m.yaml": model("a"), "b/m.yaml": model("b"),
                           ".modelgate.yml": "manifests: {include: ['a/**', 'b/**'], exclude: ['b/**']}\n"})
    assert [m.name for m in snap.manifests] == ["a"]


def test_invalid_configuration_is_mg001_with_line_and_defaults_apply(tmp_path):
    config, findings = parse_config(b"status_context: ok\nrules:\n  MG101: loud\n")
    assert [(f.rule, f.file, f.line) for f in findings] == [("MG001", ".modelgate.yml", 3)]
    assert config.limits.max_manifest_bytes == 1_000_000
    assert parse_config(b"- a\n")[1][0].message == "the configuration must be a mapping"
    assert parse_config(b"a: {\n")[1][0].line == 1
    assert parse_config(b"")[1] == []


def test_lines_point_at_any_key(tmp_path):
    snap = load(tmp_path, {"m.yaml": model("a", consumes=[("c", 1)])})
    (m,) = snap.manifests
    assert m.line("metadata", "name") == 4
    assert m.line("spec", "consumes", 0, "version") == 11
    assert m.line("spec", "consumes", 0, "nope", 7) == 10  # the deepest part that exists


def test_unquoted_version_number_hints_to_quote(tmp_path):
    snap = load(tmp_path, {"m.yaml": model("a").replace("version: 1.0.0", "version: 1.0")})
    (finding,) = snap.findings
    assert finding.line == 8 and "quote it" in finding.message and finding.subject == "model:a"


def test_missing_field_and_wrong_kind(tmp_path):
    snap = load(tmp_path, {"a.yaml": "apiVersion: modelgate/v1\nkind: Model\nmetadata: {name: a}\n",
                           "b.yaml": "apiVersion: modelgate/v1\nkind: Pipeline\n",
                           "c.yaml": "apiVersion: modelgate/v2\nkind: Model # modelgate/v1 later\n"})
    assert [(f.file, f.line, f.message) for f in snap.findings] == [
        ("a.yaml", 1, "missing field 'spec'"),
        ("b.yaml", 2, "kind must be one of Model, Contract, not 'Pipeline'"),
        ("c.yaml", 1, "apiVersion must be 'modelgate/v1'"),
    ]


def test_dates_as_yaml_dates_or_quoted_strings(tmp_path):
    version = {"version": 1, "status": "deprecated", "schema": {"type": "object"},
               "deprecation": {"announced": "2026-09-01", "sunset": "2026-12-15"}}
    snap = load(tmp_path, {"c.yaml": contract("c", [version]).replace("'2026-12-15'", "2026-12-15")})
    assert snap.findings == []
    deprecation = snap.manifests[0].doc.spec.versions[0].deprecation
    assert deprecation.announced.isoformat() == "2026-09-01" and deprecation.sunset.isoformat() == "2026-12-15"


def test_schema_ref_is_loaded_from_the_repository(tmp_path):
    snap = load(tmp_path, {"schemas/c.json": '{"type": "object"}',
                           "schemas/c2.yaml": "type: array\n",
                           "c.yaml": contract("c", [{"version": 1, "schema_ref": "schemas/c.json"},
                                                    {"version": 2, "schema_ref": "/schemas/c2.yaml"}])})
    assert snap.findings == []
    assert snap.schema("c", 1) == {"type": "object"} and snap.schema("c", 2) == {"type": "array"}
    assert snap.schema_files[("c", 2)] == "schemas/c2.yaml"


def test_repo_path_never_leaves_the_repository():
    assert repo_path("c.yaml", "schemas/a.json") == "schemas/a.json"
    assert repo_path("c.yaml", "/schemas/../schemas/a.json") == "schemas/a.json"
    for bad in ("../../etc/passwd", "a/../../x", "https://x/y.json", "//host/x", "\\\\host\\x", "..", "", "a\0b"):
        assert repo_path("c.yaml", bad) is None, bad


def test_codeowners_found_in_githubs_order(tmp_path):
    snap = load(tmp_path, {"CODEOWNERS": "* @root\n", "docs/CODEOWNERS": "* @docs\n"})
    assert snap.codeowners == ("CODEOWNERS", "* @root\n")
    snap = load(tmp_path, {".github/CODEOWNERS": "* @gh\n"})
    assert snap.codeowners == (".github/CODEOWNERS", "* @gh\n")
