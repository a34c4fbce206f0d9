"""The loader: which files are manifests, MG001 with file and line, configuration, schemas, limits, Parses."""

from __future__ import annotations

import bot.loader as load_module
from bot.cache import ParseCache
from bot.lint import lint_snapshot
from bot.loader import Loader, Parses, load_states
from bot.manifests.parse import parse_config
from bot.sources import DirectorySource, GitRevisionSource
from tests.helpers import chain_repo, commit, contract, git, make_repo, model, write_tree


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


def test_unquoted_version_number_hints_to_quote(tmp_path):
    snap = load(tmp_path, {"m.yaml": model("a").replace("version: 1.0.0", "version: 1.0")})
    (finding,) = snap.findings
    assert finding.line == 8 and "quote it" in finding.message and finding.subject == "model:a"


def test_an_unknown_field_suggests_the_field_of_that_mapping_it_is_close_to(tmp_path):
    snap = load(tmp_path, {"m.yaml": model("a", consumes=[("c", 1)]).replace("consumes:", "consume:"),
                           "n.yaml": model("b", consumes=[("c", 1)]).replace("    version: 1", "    versoin: 1"),
                           "o.yaml": model("o").replace("  version:", "  colour: red\n  version:")})
    assert [f.message for f in snap.findings if f.message.startswith("unknown")] == [
        "unknown field 'spec.consume'; did you mean 'consumes'?",
        "unknown field 'spec.consumes.0.versoin'; did you mean 'version'?",
        "unknown field 'spec.colour'",
    ]
    assert parse_config(b"deprecation_day: {stable: 1}\n")[1][0].message == (
        "unknown field 'deprecation_day'; did you mean 'deprecation_days'?")


def test_missing_field_and_wrong_kind(tmp_path):
    snap = load(tmp_path, {"a.yaml": "apiVersion: modelgate/v1\nkind: Model\nmetadata: {name: a}\n",
                           "b.yaml": "apiVersion: modelgate/v1\nkind: Pipeline\n",
                           "c.yaml": "apiVersion: modelgate/v2\nkind: Model # modelgate/v1 later\n"})
    assert [(f.file, f.line, f.message) for f in snap.findings] == [
        ("a.yaml", 1, "missing field 'spec'"),
        ("b.yaml", 2, "kind must be one of Model, Contract, not 'Pipeline'"),
        ("c.yaml", 1, "apiVersion must be 'modelgate/v1', not 'modelgate/v2'; did you mean apiVersion: modelgate/v1?"),
    ]


def test_dates_as_yaml_dates_or_quoted_strings(tmp_path):
    version = {"version": 1, "status": "deprecated", "schema": {"type": "object"},
               "deprecation": {"announced": "2026-09-01", "sunset": "2026-12-15"}}
    snap = load(tmp_path, {"c.yaml": contract("c", [version]).replace("'2026-12-15'", "2026-12-15")})
    assert snap.findings == []
    deprecation = snap.manifests[0].doc.spec.versions[0].deprecation
    assert deprecation.announced.isoformat() == "2026-09-01" and deprecation.sunset.isoformat() == "2026-12-15"


def test_a_timestamp_where_a_date_is_expected_is_one_mg001_with_its_line(tmp_path):
    version = {"version": 1, "status": "deprecated", "schema": {"type": "object"},
               "deprecation": {"sunset": "2026-12-15"}}
    text = contract("c", [version]).replace("'2026-12-15'", "2026-12-20T10:00:00Z")
    snap = load(tmp_path, {"c.yaml": text})
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "sunset: 2026-12-20T10:00:00Z" in row)
    assert [(f.rule, f.file, f.line) for f in snap.findings] == [("MG001", "c.yaml", line)]
    assert "is a timestamp: write a date (YYYY-MM-DD), not a timestamp" in snap.findings[0].message


def test_schema_ref_is_loaded_from_the_repository(tmp_path):
    snap = load(tmp_path, {"schemas/c.json": '{"type": "object"}',
                           "schemas/c2.yaml": "type: array\n",
                           "c.yaml": contract("c", [{"version": 1, "schema_ref": "schemas/c.json"},
                                                    {"version": 2, "schema_ref": "/schemas/c2.yaml"}])})
    assert snap.findings == []
    assert snap.schema("c", 1) == {"type": "object"} and snap.schema("c", 2) == {"type": "array"}
    assert snap.schema_files[("c", 2)] == "schemas/c2.yaml"


def test_an_unreadable_schema_ref_file_names_its_own_line(tmp_path):
    """The finding sits on the manifest's schema_ref line; the line of the schema file where reading failed is in
    the message, as file:line."""
    snap = load(tmp_path, {"schemas/c.yaml": "type: object\nproperties:\n  a: {type: string\n  b: [\n",
                           "c.yaml": contract("c", [{"version": 1, "schema_ref": "schemas/c.yaml"}])})
    [finding] = [f for f in snap.findings if f.rule == "MG008"]
    assert finding.file == "c.yaml" and finding.line is not None
    assert finding.message.startswith("schema_ref schemas/c.yaml:4: not readable JSON or YAML (YAML syntax error")


def test_codeowners_found_in_githubs_order(tmp_path):
    snap = load(tmp_path, {"CODEOWNERS": "* @root\n", "docs/CODEOWNERS": "* @docs\n"})
    assert snap.codeowners == ("CODEOWNERS", "* @root\n")
    snap = load(tmp_path, {".github/CODEOWNERS": "* @gh\n"})
    assert snap.codeowners == (".github/CODEOWNERS", "* @gh\n")


# --- Parses: one parse per blob per run, the disk cache, the process pool ----------------------------------

def _states(repo, parses):
    return load_states(GitRevisionSource(repo, "base"), GitRevisionSource(repo, "head"), None, parses)


def _pr_repo(tmp_path):
    files = chain_repo(6)
    files["contracts/broken.yaml"] = "apiVersion: modelgate/v1\nkind: Contract\nmetadata: {name: Broken}\n"
    files["notes/other.yaml"] = "just: yaml\n"
    repo = make_repo(tmp_path / "repo", files, branch="base")
    git(repo, "checkout", "-q", "-b", "head")
    commit(repo, {"models/m3.yaml": files["models/m3.yaml"].replace("1.0.0", "2.0.0")}, "bump m3")
    return repo


def _summary(snapshot):
    return ([(m.path, m.blob, m.doc, m.data) for m in snapshot.manifests],
            sorted((f.rule, f.file, f.line, f.message) for f in snapshot.findings))


def test_base_and_head_share_each_blobs_parse_and_typed_manifest(tmp_path):
    parses = Parses(workers=1)
    base, head = _states(_pr_repo(tmp_path), parses)
    same = [(b, h) for b, h in zip(base.manifests, head.manifests, strict=True) if b.blob == h.blob]
    assert len(same) == len(base.manifests) - 1
    assert all(b.doc is h.doc for b, h in same)
    assert len(parses.memo) == len({m.blob for m in base.manifests + head.manifests}) + 2  # + broken, + other


def test_a_warm_cache_gives_the_same_states_without_reading_a_manifest(tmp_path, monkeypatch):
    repo = _pr_repo(tmp_path)
    cold = _states(repo, Parses(ParseCache(tmp_path / "cache"), workers=1))

    def no_reads(self, shas):
        assert not shas, "a warm run reads no manifest"
        yield from ()

    monkeypatch.setattr(GitRevisionSource, "read_blobs", no_reads)
    warm = _states(repo, Parses(ParseCache(tmp_path / "cache"), workers=1))
    assert [_summary(s) for s in warm] == [_summary(s) for s in cold]
    line = warm[1].models["m3"].line("spec", "version")  # the lines came from the cache, with the parse
    assert line == cold[1].models["m3"].line("spec", "version") > 1


def test_the_process_pool_parses_exactly_as_one_process_does(tmp_path, monkeypatch):
    repo = _pr_repo(tmp_path)
    serial = _states(repo, Parses(workers=1))
    monkeypatch.setattr(load_module, "PARALLEL_MIN", 2)
    pooled = _states(repo, Parses(workers=2))
    assert [_summary(s) for s in pooled] == [_summary(s) for s in serial]


def test_a_contract_yaml_cannot_read_is_named_so_its_consumers_get_no_second_error(tmp_path):
    broken = contract("feat").replace("    status: active\n", "    status: active\n    announced: 2026-04-31\n", 1)
    snap = load(tmp_path, {"contracts/feat.yaml": broken, "models/m.yaml": model("m", consumes=[("feat", 1)])})
    [finding] = [f for f in lint_snapshot(snap) if f.rule in ("MG001", "MG003")]
    assert (finding.rule, finding.file, finding.subject) == ("MG001", "contracts/feat.yaml", "contract:feat")
    assert "is not a valid date" in finding.message


def test_lines_are_data_once_loaded_the_source_is_never_asked_again(tmp_path, monkeypatch):
    repo = _pr_repo(tmp_path)
    for _ in ("cold", "warm"):
        base, head = _states(repo, Parses(ParseCache(tmp_path / "cache"), workers=1))

        def no_reads(*args):
            raise AssertionError("nothing is read after loading")

        with monkeypatch.context() as patched:
            for name in ("read", "read_blob", "read_blobs", "read_many", "entries"):
                patched.setattr(GitRevisionSource, name, no_reads)
            assert {m.line("spec", "version") for m in head.manifests if m.kind == "Model"} == {8}
            assert all(m.line("metadata", "name") == 4 for m in base.manifests)


def test_with_cache_takes_the_edges_choice(tmp_path):
    assert Parses.with_cache("none").cache is None
    assert Parses.with_cache(str(tmp_path)).cache.root == tmp_path


# --- issue 19, item 9: each blob read once, none over the size limit ------------------------------------------

def _tree_of_one_blob(repo, data, paths, extra=None):
    """A commit on ``main`` whose tree lists the one blob ``data`` at every path of ``paths`` (plus ``extra``)."""
    import subprocess

    def plumbing(*args, stdin=b""):
        return subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True,
                              check=True).stdout.decode().strip()

    make_repo(repo, extra or {})
    sha = plumbing("hash-object", "-w", "--stdin", stdin=data)
    base = plumbing("rev-parse", "HEAD^{tree}") if extra else None
    listing = plumbing("ls-tree", base) + "\n" if base else ""
    listing += "".join(f"100644 blob {sha}\t{path}\n" for path in paths)
    tree = plumbing("mktree", stdin=listing.encode())
    parent = ["-p", "HEAD"] if extra else []
    commit_id = plumbing("-c", "user.name=t", "-c", "user.email=t@t", "commit-tree", tree, *parent, "-m", "one blob")
    plumbing("update-ref", "refs/heads/main", commit_id)
    return sha


def _spy_blob_reads(monkeypatch) -> list[str]:
    """The blob ids a GitRevisionSource reads from now on."""
    read: list[str] = []
    for name in ("read_blob", "read_blobs"):
        original = getattr(GitRevisionSource, name)

        def spy(self, shas, original=original):
            read.extend([shas] if isinstance(shas, str) else shas)
            return original(self, shas)

        monkeypatch.setattr(GitRevisionSource, name, spy)
    return read


def test_a_blob_over_the_size_limit_is_read_once_however_many_entries_list_it(tmp_path, monkeypatch):
    """One compressible 63 MB blob listed by 1,000 tree entries was read once per entry (79 s): an oversized file
    is read at most once a run, only to see whether it is a manifest, and is never parsed."""
    repo = tmp_path / "repo"
    big = b"apiVersion: modelgate/v1\n# " + b"x" * 5000 + b"\n"
    sha = _tree_of_one_blob(repo, big, [f"m{i:03d}.yaml" for i in range(200)],
                            {".modelgate.yml": "limits: {max_manifest_bytes: 4000}\n", "models/a.yaml": model("a")})
    read = _spy_blob_reads(monkeypatch)
    snap = Loader(GitRevisionSource(repo, "main")).load()
    assert read.count(sha) <= 1
    assert [m.name for m in snap.manifests] == ["a"]
    assert {(f.rule, f.line, f.message) for f in snap.findings} == {
        ("MG001", 1, "file is 5028 bytes, over the limit of 4000 (limits.max_manifest_bytes); not parsed "
                     "(a file that is no manifest: manifests.exclude)")}
    assert sorted(f.file for f in snap.findings) == [f"m{i:03d}.yaml" for i in range(200)]


def test_an_oversized_file_that_is_no_manifest_is_left_out_without_a_finding(tmp_path, monkeypatch):
    """A large YAML file of another tool (no ``modelgate/v1`` in it) is not a manifest: no finding, as for a small
    one. Past 64 times the limit it is not read at all, and then it is reported, since it might be one."""
    config = {".modelgate.yml": "limits: {max_manifest_bytes: 4000}\n", "models/a.yaml": model("a")}
    repo = make_repo(tmp_path / "repo", {**config, "charts/values.yaml": "values:\n" + "  - 1\n" * 2000})
    snap = Loader(GitRevisionSource(repo, "main")).load()
    assert [m.name for m in snap.manifests] == ["a"] and snap.findings == []
    huge = make_repo(tmp_path / "huge", {**config, "charts/values.yaml": "values:\n" + "  - 1\n" * 50_000})
    read = _spy_blob_reads(monkeypatch)
    [finding] = Loader(GitRevisionSource(huge, "main")).load().findings
    assert finding.file == "charts/values.yaml" and "not parsed" in finding.message
    values_blob = git(huge, "rev-parse", "HEAD:charts/values.yaml").strip()
    assert values_blob not in read


def _paths_read(monkeypatch, source_class):
    """The paths a source of ``source_class`` is asked to ``read`` from now on, in order."""
    read: list[str] = []
    original = source_class.read

    def spy(self, path):
        read.append(path)
        return original(self, path)

    monkeypatch.setattr(source_class, "read", spy)
    return read


def test_a_schema_file_is_read_once_per_run_and_never_over_the_limit(tmp_path, monkeypatch):
    versions = [{"version": 1, "schema_ref": "schemas/s.json"}, {"version": 2, "schema_ref": "schemas/big.json"}]
    files = {f"contracts/c{i}.yaml": contract(f"c{i}", versions) for i in range(20)}
    files.update({"schemas/s.json": '{"type": "object"}', "schemas/big.json": '{"type": "object"}' + " " * 5000,
                  ".modelgate.yml": "limits: {max_manifest_bytes: 4000}\n"})
    repo = make_repo(tmp_path / "repo", files)
    read = _paths_read(monkeypatch, GitRevisionSource)
    _, head = load_states(GitRevisionSource(repo, "main"), GitRevisionSource(repo, "main"), None,
                          Parses(workers=1))
    assert [path for path in read if path.startswith("schemas/")] == ["schemas/s.json"]  # once for both states
    assert head.schema("c7", 1) == {"type": "object"}
    [message] = {f.message for f in head.findings if f.rule == "MG008"}
    assert "5018 bytes, over the limit of 4000 (limits.max_manifest_bytes)" in message


# --- issue 19, item 9: the run's budget of values, in one process, in the pool, from the cache -------------------

def _bombs(tmp_path, n=30):
    from tests.test_hostile import alias_heavy_contract

    return write_tree(tmp_path / "bombs", {f"contracts/b{i:03d}.yaml": alias_heavy_contract(f"b{i:03d}")
                                           for i in range(n)})


def _budget_outcome(snapshot):
    from bot.manifests.parse import NOT_READ, OVER_BUDGET

    refused = [f for f in snapshot.findings if f.message in (OVER_BUDGET, NOT_READ)]
    assert len(refused) == len(snapshot.findings) == 30 - len(snapshot.manifests)
    return len(snapshot.manifests)


def test_the_process_pool_keeps_the_runs_budget_as_one_process_does(tmp_path, monkeypatch):
    root = _bombs(tmp_path)
    serial = Loader(DirectorySource(root), parses=Parses(workers=1)).load()
    monkeypatch.setattr(load_module, "PARALLEL_MIN", 2)
    pooled = Loader(DirectorySource(root), parses=Parses(workers=2)).load()
    read = _budget_outcome(serial)
    assert 5 <= read <= 10 and read <= _budget_outcome(pooled) <= read + 2  # at most one more per worker


def test_a_warm_cache_counts_what_its_manifests_cost_against_the_budget(tmp_path):
    root = _bombs(tmp_path)
    cold = Loader(DirectorySource(root), parses=Parses(ParseCache(tmp_path / "cache"), workers=1)).load()
    warm = Loader(DirectorySource(root), parses=Parses(ParseCache(tmp_path / "cache"), workers=1)).load()
    assert _budget_outcome(warm) == _budget_outcome(cold)
    assert [(f.file, f.line, f.message) for f in warm.findings] == [(f.file, f.line, f.message) for f in cold.findings]


def test_both_states_share_the_budget_and_count_a_shared_blob_once(tmp_path):
    root = _bombs(tmp_path)
    parses = Parses(workers=1)
    base, head = load_states(DirectorySource(root), DirectorySource(root), None, parses)
    assert _budget_outcome(base) == _budget_outcome(head)
    assert parses.budget.values <= 4_000_000 + 1_000_000


def test_past_the_runs_budget_of_bytes_the_remaining_manifests_and_schema_files_are_not_read(tmp_path, monkeypatch):
    from bot.manifests.parse import BYTES_SPENT

    files = {f"models/m{i}.yaml": model(f"m{i}") for i in range(10)}
    files["contracts/c.yaml"] = contract("c", [{"version": 1, "schema_ref": "schemas/s.json"}])
    files["schemas/s.json"] = '{"type": "object"}'
    monkeypatch.setattr(load_module, "RUN_MAX_BYTES", sum(len(text) for text in files.values()) // 2)
    snap = load(tmp_path, files)
    assert {f.rule for f in snap.findings} == {"MG001"} and all(f.message == BYTES_SPENT for f in snap.findings)
    assert len(snap.manifests) + len(snap.findings) == 11 and 3 <= len(snap.findings) <= 8
    assert "c" in snap.contracts  # read first (sorted paths)
    monkeypatch.setattr(load_module, "RUN_MAX_BYTES", len(files["contracts/c.yaml"]) + 5)
    snap = load(tmp_path / "alone", {path: files[path] for path in ("contracts/c.yaml", "schemas/s.json")})
    [finding] = snap.findings
    assert (finding.rule, finding.file) == ("MG008", "contracts/c.yaml") and BYTES_SPENT in finding.message


def test_a_configuration_over_the_size_limit_is_mg001_and_never_read(tmp_path, monkeypatch):
    read = _paths_read(monkeypatch, DirectorySource)
    snap = load(tmp_path, {".modelgate.yml": "admins: ['@a']\n#" + "x" * 1_000_000 + "\n", "m.yaml": model("m")})
    assert ".modelgate.yml" not in read and snap.config.admins == []
    [finding] = snap.findings
    assert (finding.rule, finding.file, finding.line) == ("MG001", ".modelgate.yml", 1)
    assert finding.message == "file is 1000017 bytes, over the limit of 1000000 (limits.max_manifest_bytes); not read"


# --- issue 13: files the globs leave out that look like manifests (Snapshot.unloaded, MG009) ---------------------

OUTSIDE = {".modelgate.yml": "manifests: {include: ['models/**'], exclude: ['vendor/**']}\n",
           "models/a.yaml": model("a"), "ml/b.yml": model("b"), "vendor/c.yaml": model("c"),
           "ci/workflow.yml": "on: push\njobs: {}\n", "deploy/svc.yaml": "apiVersion: v1\nkind: Service\nspec: {}\n"}


def test_the_files_the_globs_leave_out_are_recorded_when_they_look_like_manifests(tmp_path):
    snap = load(tmp_path, OUTSIDE)
    assert [m.name for m in snap.manifests] == ["a"]
    assert [(u.path, u.line, u.subject, u.excluded) for u in snap.unloaded] == [("ml/b.yml", 1, "model:b", False)]
    # with the state's findings, as MG001's are: whoever reads them (lint, check, what does not load) sees it
    assert [(f.rule, f.severity, f.file, f.line, f.subject) for f in snap.findings] == [
        ("MG009", "warning", "ml/b.yml", 1, "model:b")]
    assert lint_snapshot(snap) == lint_snapshot(snap, rules={"MG002"}) == snap.findings  # passed through, once
    shown = Loader(DirectorySource(tmp_path), show_excluded=True).load()
    assert [(u.path, u.excluded) for u in shown.unloaded] == [("ml/b.yml", False), ("vendor/c.yaml", True)]
    assert shown.findings == snap.findings  # an excluded file is never a finding


def test_a_file_outside_the_globs_is_read_once_a_run_and_after_the_manifests(tmp_path, monkeypatch):
    repo = make_repo(tmp_path / "repo", OUTSIDE)
    read = _spy_blob_reads(monkeypatch)
    parses = Parses(workers=1)
    base, head = load_states(GitRevisionSource(repo, "main"), GitRevisionSource(repo, "main"), None, parses)
    assert base.unloaded == head.unloaded and len(head.unloaded) == 1
    config = git(repo, "rev-parse", "HEAD:.modelgate.yml").strip()  # read by each state, as it always was
    files = [sha for sha in read if sha != config]
    assert len(files) == len(set(files)) == 4  # each blob once for both states, the excluded one not at all
    assert git(repo, "rev-parse", "HEAD:vendor/c.yaml").strip() not in read  # exclude: not even read
    order: list[str] = []
    original = Parses.parse

    def spy(self, items, max_depth, budget=None):
        order.extend(path for path, _, _ in items)
        return original(self, items, max_depth, budget)

    monkeypatch.setattr(Parses, "parse", spy)
    load(tmp_path / "again", {**OUTSIDE, "a/first.yaml": model("first")})
    # the manifests first; the workflow and the Service never reach a parse: the prefilter drops them
    assert order == ["models/a.yaml", "a/first.yaml", "ml/b.yml"]


def test_the_outside_files_never_take_the_runs_budget_from_the_manifests(tmp_path, monkeypatch):
    files = {".modelgate.yml": "manifests: {include: ['models/**']}\n", "models/z.yaml": model("z"),
             **{f"a/m{i}.yaml": model(f"m{i}") for i in range(5)}}
    monkeypatch.setattr(load_module, "RUN_MAX_BYTES", len(model("z")) + len(model("m0")) + 10)
    snap = load(tmp_path, files)
    assert [m.name for m in snap.manifests] == ["z"] and {f.rule for f in snap.findings} == {"MG009"}
    assert [u.path for u in snap.unloaded] == [f"a/m{i}.yaml" for i in range(5)]  # past the budget: by their text
    monkeypatch.setattr(load_module, "RUN_MAX_VALUES", 30)
    snap = load(tmp_path / "values", files)
    assert [m.name for m in snap.manifests] == ["z"] and {f.rule for f in snap.findings} == {"MG009"}
    assert [u.path for u in snap.unloaded] == [f"a/m{i}.yaml" for i in range(5)]


def test_the_outside_files_of_the_base_never_take_the_budget_of_the_heads_manifests(tmp_path, monkeypatch):
    """The base is read first: its files outside the globs (a data directory on the main branch) once spent the
    budget the head's changed manifests needed, so every PR touching one failed with MG001 "not read"."""
    config = {".modelgate.yml": "manifests: {include: ['models/**']}\n"}
    outside = {f"a/m{i}.yaml": model(f"m{i}") for i in range(5)}
    base = write_tree(tmp_path / "base", {**config, "models/z.yaml": model("z"), **outside})
    changed = model("z").replace("owners:", "description: changed\n  owners:")
    assert changed != model("z")
    head = write_tree(tmp_path / "head", {**config, "models/z.yaml": changed, **outside})
    monkeypatch.setattr(load_module, "RUN_MAX_BYTES", len(model("z")) + len(changed) + 10)
    _, snap = load_states(DirectorySource(base), DirectorySource(head), None, Parses(workers=1))
    assert [m.name for m in snap.manifests] == ["z"] and {f.rule for f in snap.findings} == {"MG009"}
    monkeypatch.setattr(load_module, "RUN_MAX_BYTES", 10**9)
    monkeypatch.setattr(load_module, "RUN_MAX_VALUES", 40)
    _, snap = load_states(DirectorySource(base), DirectorySource(head), None, Parses(workers=1))
    assert [m.name for m in snap.manifests] == ["z"] and {f.rule for f in snap.findings} == {"MG009"}


def test_an_oversized_file_outside_the_globs_is_peeked_at_never_parsed(tmp_path, monkeypatch):
    config = {".modelgate.yml": "manifests: {include: ['models/**']}\nlimits: {max_manifest_bytes: 4000}\n",
              "models/a.yaml": model("a")}
    big = model("big") + "#" + "x" * 5000 + "\n"
    repo = make_repo(tmp_path / "repo", {**config, "ml/big.yaml": big,
                                         "charts/values.yaml": "values:\n" + "  - 1\n" * 2000})
    parsed: list[str] = []
    original = Parses.parse
    monkeypatch.setattr(Parses, "parse", lambda self, items, depth, budget=None: parsed.extend(
        p for p, _, _ in items) or original(self, items, depth, budget))
    snap = Loader(GitRevisionSource(repo, "main")).load()
    assert parsed == ["models/a.yaml"]
    [unloaded] = snap.unloaded
    assert unloaded.path == "ml/big.yaml" and "over limits.max_manifest_bytes" in unloaded.what
    [finding] = lint_snapshot(snap)
    assert (finding.rule, finding.file, finding.severity) == ("MG009", "ml/big.yaml", "warning")


def test_a_blob_that_moves_out_of_the_globs_keeps_one_parse(tmp_path):
    """A manifest renamed from .yaml to .yml keeps its blob: its one parse serves the manifest at base and the
    MG009 at head."""
    repo = make_repo(tmp_path / "repo", {".modelgate.yml": "manifests: {include: ['**/*.yaml']}\n",
                                         "models/m.yaml": model("m")}, branch="base")
    git(repo, "checkout", "-q", "-b", "head")
    commit(repo, {"models/m.yaml": None, "models/m.yml": model("m")}, "rename")
    parses = Parses(workers=1)
    base, head = _states(repo, parses)
    assert [m.name for m in base.manifests] == ["m"] and head.manifests == []
    assert [(u.path, u.subject) for u in head.unloaded] == [("models/m.yml", "model:m")]
    assert len(parses.memo) == 1
