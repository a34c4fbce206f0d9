"""``modelgate verify`` through the real command line: lookup of the contract, formats, exit codes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from bot.cli import main
from bot.manifests.parse import parse_manifest
from tests.helpers import BOT_HOME, GIT_ENV, contract, dedent, json_out, make_repo, run_cli, write_tree

MANIFEST = dedent("""
    apiVersion: modelgate/v1
    kind: Contract
    metadata:
      name: fraud-score
      owners: ["@acme/risk-ml"]
    spec:
      versions:
        - version: 2
          schema:
            type: object
            properties:
              score: {type: number, minimum: 0, maximum: 1}
              reason_codes: {type: array, items: {type: string}}
            required: [score]
          quality:
            min_records: 3
            null_rate_max:
              reason_codes: 0.5
            drift:
              psi_max:
                score: 0.2
        - version: 1
          status: deprecated
          schema: {type: object}
""")
GOOD = "".join(json.dumps({"score": i / 10, "reason_codes": ["R1"]}) + "\n" for i in range(10))
BAD = GOOD + '{"score": 1.7}\n{"reason_codes": []}\n'


@pytest.fixture
def repo(tmp_path):
    return write_tree(tmp_path / "repo", {"contracts/fraud-score.yaml": MANIFEST, "good.jsonl": GOOD,
                                          "bad.jsonl": BAD})


def verify(repo, *args):
    return main(["verify", "fraud-score@2", "--at", str(repo), *args])


def test_pass_is_exit_0(repo, capsys):
    assert verify(repo, "--records", str(repo / "good.jsonl"), "--baseline", str(repo / "good.jsonl")) == 0
    out = capsys.readouterr().out
    assert out.startswith("modelgate verify fraud-score@2: PASS\n")
    assert "score         0.0000  (max 0.2)  ok  (numeric)" in out


def test_breach_is_exit_1_with_spec_json(repo, capsys):
    assert verify(repo, "--records", str(repo / "bad.jsonl"), "--format", "json", "--examples", "5") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "fail"
    assert (report["records"], report["invalid"]) == (12, 2)
    assert report["examples"] == [
        {"record": 11, "path": "#/score", "reason": "1.7 is greater than the maximum of 1"},
        {"record": 12, "path": "#", "reason": '"score" is a required property'}]
    assert report["null_rates"] == {"reason_codes": {"value": 1 / 12, "max": 0.5, "ok": True}}
    assert report["drift"] == {"score": {"psi": None, "max": 0.2, "ok": None}}
    assert report["min_records"] == {"value": 12, "min": 3, "ok": True}


def test_github_annotations_name_the_manifest_lines(repo, capsys):
    (repo / "few.jsonl").write_text('{"score": 2}\n{"score": 0.5}\n')
    assert verify(repo, "--records", str(repo / "few.jsonl"), "--format", "github") == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("::error file=contracts/fraud-score.yaml,line=9,")  # schema:
    assert out[1].startswith("::error file=contracts/fraud-score.yaml,line=16,")  # min_records:
    assert out[2].startswith("::error file=contracts/fraud-score.yaml,line=18,")  # reason_codes: 0.5
    assert out[3].startswith("::warning file=contracts/fraud-score.yaml,line=21,")  # score: 0.2


def test_csv_records_with_a_header_lacking_fields(repo, capsys):
    (repo / "r.csv").write_text("reason_codes\n[]\n[]\n[]\n")
    assert verify(repo, "--records", str(repo / "r.csv")) == 1
    out = capsys.readouterr().out
    assert "records      3 read, 3 invalid  BREACH" in out
    assert "r.csv: the CSV header has no column for score; every record misses these fields" in out


@pytest.mark.parametrize(("ref", "message"), [
    ("nope@1", "no contract 'nope' in"),
    ("fraud-score@7", "contract 'fraud-score' has no version 7 (versions: 2, 1) in contracts/fraud-score.yaml"),
    ("fraud-score", "name the contract version as CONTRACT@V, e.g. fraud-score@2"),
    ("rank", "'rank': name the contract version as CONTRACT@V, e.g. rank@2"),
])
def test_unknown_contracts_are_usage_errors(repo, capsys, ref, message):
    assert main(["verify", ref, "--at", str(repo), "--records", str(repo / "good.jsonl")]) == 2
    assert message in capsys.readouterr().err


def test_unreadable_records_are_usage_errors(repo, capsys):
    assert verify(repo, "--records", str(repo / "missing.jsonl")) == 2
    assert "missing.jsonl: no such file" in capsys.readouterr().err


@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_a_records_file_that_is_a_symbolic_link_is_one_line_and_never_read(repo, engine):
    (repo / "outputs").mkdir()
    (repo / "secret.txt").write_text(f"PGPASSWORD={SECRET}\n")
    (repo / "outputs" / "scores.csv").symlink_to(repo / "secret.txt")
    one_line_error(cli(repo, "--records", "outputs/scores.csv", "--engine", engine),
                   "outputs/scores.csv: a symbolic link; give the file itself")
    (repo / "outputs" / "dir.jsonl").mkdir()
    one_line_error(cli(repo, "--records", "outputs/dir.jsonl", "--engine", engine),
                   "outputs/dir.jsonl: not a regular file (a directory)")


def test_engine_duckdb_insists_on_duckdb_where_auto_falls_back_to_the_reference(repo):
    (repo / "broken.jsonl").write_text(GOOD + "{not json\n" + GOOD)
    auto = cli(repo, "--records", "broken.jsonl", "--format", "json")
    assert auto.returncode == 1, auto.stderr
    assert "broken.jsonl: read by the Python reference reader, record by record: DuckDB cannot read it" in auto.stderr
    one_line_error(cli(repo, "--records", "broken.jsonl", "--engine", "duckdb"),
                   "broken.jsonl: DuckDB cannot read it (Malformed JSON")


def test_invalid_quality_is_mg001_and_verify_says_so(tmp_path, capsys):
    bad = MANIFEST.replace("reason_codes: 0.5", "reason_codes: 1.5").replace("score: 0.2", "score: -1")
    _, findings = parse_manifest("contracts/fraud-score.yaml", "", bad.encode())
    assert [(f.rule, f.line, f.message) for f in findings] == [
        ("MG001", 17, "spec.versions.0.quality.null_rate_max: null_rate_max.reason_codes must be between 0 and 1"),
        ("MG001", 21, "spec.versions.0.quality.drift.psi_max.score: Input should be greater than or equal to 0")]
    repo = write_tree(tmp_path / "repo", {"contracts/fraud-score.yaml": bad, "r.jsonl": GOOD})
    assert verify(repo, "--records", str(repo / "r.jsonl")) == 2
    err = capsys.readouterr().err
    assert "no contract 'fraud-score'" in err and "contracts/fraud-score.yaml:17:" in err


def test_schema_ref_and_a_git_revision(tmp_path, capsys, monkeypatch):
    version = {"version": 1, "schema_ref": "schemas/s.json", "quality": {"min_records": 1}}
    repo = make_repo(tmp_path / "git", {"contracts/s.yaml": contract("s", [version]),
                                        "schemas/s.json": '{"type": "object", "required": ["x"]}'})
    records = write_tree(tmp_path / "data", {"r.jsonl": '{"x": 1}\n{"y": 1}\n'}) / "r.jsonl"
    monkeypatch.chdir(repo)
    assert main(["verify", "s@1", "--records", str(records), "--format", "github"]) == 1  # the working tree
    assert capsys.readouterr().out.startswith("::error file=contracts/s.yaml,line=10,")  # schema_ref:
    (repo / "contracts" / "s.yaml").unlink()
    assert main(["verify", "s@1", "--records", str(records)]) == 2
    assert main(["verify", "s@1", "--at", "HEAD", "--records", str(records)]) == 1


def test_end_to_end_through_a_subprocess(repo):
    done = run_cli("verify", "contract:fraud-score@2", "--records", "bad.jsonl", "--at", ".", "--format", "json",
                   cwd=repo)
    assert done.returncode == 1, done.stderr
    assert json_out(done)["invalid"] == 2
    usage = run_cli("verify", "fraud-score@2", "--records", "bad.parquet", "--at", ".", cwd=repo)
    assert usage.returncode == 2
    assert usage.stderr.strip() == "modelgate: error: bad.parquet: no such file"


def test_a_hostile_parquet_file_is_one_clear_line_and_exit_2(repo):
    import pyarrow as pa
    import pyarrow.parquet as pq

    bomb = pa.DictionaryArray.from_arrays(pa.array([0] * 1500, pa.int32()), pa.array(["x" * (1 << 20)]))
    pq.write_table(pa.table({"score": bomb}), repo / "bomb.parquet", compression="zstd")
    done = run_cli("verify", "fraud-score@2", "--records", "bomb.parquet", "--at", ".", "--max-bytes", "64M",
                   "--engine", "python", cwd=repo)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "modelgate: error: bomb.parquet: row 64: over 64 MiB decoded, the limit per file\n"
    # DuckDB never decodes the dictionary into Python values: it counts the rows (a string where the schema says
    # number) in its own bounded memory, and the report shows at most --examples of them
    engine = run_cli("verify", "fraud-score@2", "--records", "bomb.parquet", "--at", ".", "--max-bytes", "64M",
                     "--format", "json", cwd=repo)
    assert engine.returncode == 1, engine.stderr
    assert json_out(engine)["records"] == 1500 and json_out(engine)["invalid"] == 1500


@pytest.mark.parametrize(("size", "ok"), [("500M", True), ("2g", True), ("1024", True), ("0", False), ("1x", False),
                                          ("-5M", False), ("", False), ("１M", False)])
def test_max_bytes_takes_a_size(repo, capsys, size, ok):
    if ok:
        assert verify(repo, "--records", str(repo / "good.jsonl"), "--max-bytes", size) == 0
        return
    with pytest.raises(SystemExit) as usage:
        verify(repo, "--records", str(repo / "good.jsonl"), "--max-bytes", size)
    assert usage.value.code == 2
    assert "argument --max-bytes: " in capsys.readouterr().err


# --- sources other than one file, engines, and one line for every bad input ----------------------------------------

SECRET = "S3cr3t-pw"


def one_line_error(done, said, *secrets):
    """Exit 2, nothing on stdout, one line on stderr holding ``said``, no traceback, none of ``secrets``."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("modelgate: error: ") and said in lines[0], lines[0]
    assert "Traceback" not in done.stderr
    for secret in (SECRET, *secrets):
        assert secret not in done.stdout + done.stderr


def run_without(modules, *args, cwd, env=None):
    """The real command line in a Python where ``modules`` cannot be imported (an extra that is not installed)."""
    code = (f"import sys\nfor m in {list(modules)!r}: sys.modules[m] = None\n"
            "from bot.cli import main\nsys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(BOT_HOME), **GIT_ENV, **(env or {})})


@pytest.fixture
def warehouse(repo):
    """A DuckDB database file beside the repository: table ``scores`` (the GOOD records plus two bad ones)."""
    import duckdb

    path = repo / "warehouse.ddb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE scores (id VARCHAR, score DOUBLE, reason_codes VARCHAR[])")
    rows = [(f"r{i}", i / 10, ["R1"]) for i in range(10)] + [("r10", 1.7, None), ("r11", None, [])]
    con.executemany("INSERT INTO scores VALUES (?, ?, ?)", rows)
    con.close()
    return f"duckdb://{path}"


def cli(repo, *args, env=None):
    return run_cli("verify", "fraud-score@2", "--at", ".", *args, cwd=repo, env=env)


@pytest.mark.parametrize(("args", "said"), [
    (["--table", "scores"], "--table needs --connection URL (e.g. postgres://user@host:5432/db"),
    (["--query", "SELECT 1"], "--query needs --connection URL"),
    (["--records", "good.jsonl", "--connection", "duckdb://"], "--connection names the backend of --table or --query"),
    (["--records", "*.jsonl", "--engine", "python"],
     "a glob needs the duckdb engine, and --engine python is the reference reader of one file (pip install "
     "'modelgate-ci[duckdb]')"),
    (["--records", "good.jsonl", "--engine", "python", "--where", "score > 0"], "--where needs the duckdb engine"),
    (["--records", "good.jsonl", "--engine", "python", "--limit", "3", "--key", "id"], "--limit and --key need"),
    (["--table", "scores", "--connection", "duckdb://", "--engine", "python"], "--engine python reads --records files"),
    (["--table", "scores", "--connection", "postgres://u@127.0.0.1/db", "--engine", "duckdb"],
     "--engine duckdb reads --records: with --connection the URL names the backend"),
    (["--table", "scores", "--connection", "duckdb://", "--write-baseline", "b.json"],
     "--write-baseline reads one file of records (--records FILE), whole"),
    (["--records", "*.jsonl", "--write-baseline", "b.json"], "--write-baseline reads one file of records"),
])
def test_what_cannot_run_together_is_a_usage_error(repo, args, said):
    one_line_error(cli(repo, *args), said)


@pytest.mark.parametrize(("connection", "said"), [
    (f"postgress://sec:{SECRET}@127.0.0.1:54329/mg", "--connection postgress://sec:***@127.0.0.1:54329/mg: an unknown "
                                                     "scheme postgress://"),
    (f"postgres://sec:{SECRET}@127.0.0.1:5432/mg",
     "--connection postgres://sec:***@127.0.0.1:5432/mg: a connection URL must not hold a password or a secret (it "
     "would be seen in shell history and CI logs): put it in PGPASSWORD or ~/.pgpass"),
    (f"postgres://sec@127.0.0.1:5432/mg?password={SECRET}", "must not hold a password"),
    (f"postgres://u@host:5433/db?%70assword={SECRET}", "--connection postgres://u@host:5433/db?%70assword=***: a "
                                                       "connection URL must not hold a password"),
    (f"sec:{SECRET}@127.0.0.1/mg", "--connection sec:***@127.0.0.1/mg: not a connection URL"),
    ("duckdb:///nowhere/typo.ddb", "--connection duckdb:///nowhere/typo.ddb: /nowhere/typo.ddb: no such DuckDB "
                                   "database file"),
    (f"postgres://sec@127.0.0.1:{SECRET}/mg", "--connection postgres://sec@127.0.0.1:***/mg: the port is not a number"),
])
def test_a_wrong_connection_url_is_one_line_without_the_password(repo, connection, said):
    one_line_error(cli(repo, "--table", "scores", "--connection", connection), said)


def test_an_unreachable_server_is_one_line_without_the_environments_password(repo):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = cli(repo, "--table", "scores", "--connection", f"postgres://sec@127.0.0.1:{port}/mg",
               env={"PGPASSWORD": SECRET})
    one_line_error(done, f"--connection postgres://sec@127.0.0.1:{port}/mg: cannot connect: ")
    assert "refused" in done.stderr.lower()


def test_a_missing_table_and_a_failing_query_are_one_line(repo, warehouse):
    one_line_error(cli(repo, "--table", "nope", "--connection", warehouse), f"--connection {warehouse}: no table nope")
    one_line_error(cli(repo, "--query", "SELECT * FROM nope", "--connection", warehouse),
                   f"--query on {warehouse} failed: Catalog Error: Table with name nope does not exist!")
    one_line_error(cli(repo, "--table", "scores", "--connection", warehouse, "--where", "nope > 1"),
                   f"--where on {warehouse} table scores failed: Binder Error: ")
    one_line_error(cli(repo, "--table", "scores", "--connection", warehouse, "--key", "nope"),
                   f"--key nope: {warehouse} table scores has no such column (its columns: id, score, reason_codes)")


def test_a_query_the_backend_fails_while_verifying_is_one_line(repo, warehouse):
    """The query's columns resolve; its rows fail only when the aggregate runs."""
    done = cli(repo, "--query", "SELECT CAST(id AS INTEGER) AS score, reason_codes FROM scores", "--connection",
               warehouse)
    one_line_error(done, f"{warehouse} --query: the query failed: Conversion Error: Could not convert string 'r0'")


@pytest.mark.parametrize("value", ["0", "-1", "x", "1.5"])
def test_limit_is_a_whole_number_from_1(repo, value):
    done = cli(repo, "--records", "good.jsonl", "--limit", value)
    assert done.returncode == 2
    assert f"argument --limit: {value!r} is not a whole number >= 1" in done.stderr


def test_exactly_one_source(repo):
    for args in (["--records", "good.jsonl", "--table", "scores"], []):
        done = cli(repo, *args)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "--records" in done.stderr.splitlines()[-1]


def test_a_missing_driver_names_the_extra(repo):
    done = run_without(["psycopg", "psycopg2"], "verify", "fraud-score@2", "--at", ".", "--table", "scores",
                       "--connection", "postgres://sec@127.0.0.1:5432/mg", cwd=repo)
    one_line_error(done, "--connection postgres://sec@127.0.0.1:5432/mg: the postgres backend is not installed "
                         "(pip install 'modelgate-ci[postgres]')")


def test_without_the_duckdb_extra(repo):
    """auto falls back to the reference reader with one note; duckdb and a glob are exit 2 naming the extra."""
    auto = run_without(["duckdb"], "verify", "fraud-score@2", "--at", ".", "--records", "bad.jsonl", "--format", "json",
                       cwd=repo)
    assert auto.returncode == 1, auto.stderr
    assert json.loads(auto.stdout)["invalid"] == 2
    assert auto.stderr == ("modelgate: note: read by the Python reference reader: the duckdb engine is not installed "
                           "(pip install 'modelgate-ci[duckdb]' reads files faster, and globs, --where and --limit)\n")
    one_line_error(run_without(["duckdb"], "verify", "fraud-score@2", "--at", ".", "--records", "bad.jsonl",
                               "--engine", "duckdb", cwd=repo),
                   "--engine duckdb: the duckdb engine is not installed: pip install 'modelgate-ci[duckdb]'")
    one_line_error(run_without(["duckdb"], "verify", "fraud-score@2", "--at", ".", "--records", "*.jsonl", cwd=repo),
                   "a glob needs the duckdb engine, and the duckdb engine is not installed (pip install "
                   "'modelgate-ci[duckdb]')")
    one_line_error(run_without(["duckdb"], "verify", "fraud-score@2", "--at", ".", "--table", "scores",
                               "--connection", "duckdb://", cwd=repo),
                   "--connection duckdb://: the duckdb backend is not installed (pip install "
                   "'modelgate-ci[duckdb]')")


def test_a_table_of_a_duckdb_file(repo, warehouse):
    done = cli(repo, "--table", "scores", "--connection", warehouse, "--format", "json", "--key", "id")
    assert done.returncode == 1, done.stderr
    report = json_out(done)
    assert (report["records"], report["invalid"]) == (12, 2)
    assert [(e["record"], e["path"], e["key"]) for e in report["examples"]] == [
        (11, "#/score", "r10"), (11, "#/reason_codes", "r10"), (12, "#/score", "r11")]
    assert report["null_rates"]["reason_codes"]["value"] == 1 / 12


def test_a_query_where_and_limit_on_a_table(repo, warehouse):
    query = cli(repo, "--query", "SELECT * FROM scores WHERE score <= 1", "--connection", warehouse, "--format", "json")
    assert query.returncode == 0, query.stderr
    assert json_out(query)["records"] == 10
    where = cli(repo, "--table", "scores", "--connection", warehouse, "--where", "id IN ('r1', 'r10', 'r11')",
                "--format", "json")
    assert where.returncode == 1, where.stderr
    assert (json_out(where)["records"], json_out(where)["invalid"]) == (3, 2)
    limit = cli(repo, "--table", "scores", "--connection", warehouse, "--where", "score IS NOT NULL", "--limit", "4",
                "--format", "json")
    assert json_out(limit)["records"] == 4


def test_a_glob_of_files_and_a_slice_of_one(repo):
    both = cli(repo, "--records", "*.jsonl", "--format", "json")
    assert both.returncode == 1, both.stderr
    assert (json_out(both)["records"], json_out(both)["invalid"]) == (22, 2)
    assert cli(repo, "--records", "*.jsonl", "--engine", "duckdb").returncode == 1
    sliced = cli(repo, "--records", "bad.jsonl", "--where", "CAST(score AS DOUBLE) > 0.5", "--format", "json")
    assert (json_out(sliced)["records"], json_out(sliced)["invalid"]) == (5, 1)
    assert json_out(sliced)["examples"][0]["record"] == 11  # the line in the file, not the place in the slice
    first = cli(repo, "--records", "bad.jsonl", "--limit", "10", "--format", "json")
    assert first.returncode == 0 and json_out(first)["records"] == 10


def test_no_file_matches_the_glob(repo):
    one_line_error(cli(repo, "--records", "nothing-*.jsonl"), "nothing-*.jsonl: no file matches")


@pytest.mark.parametrize("engine", ["auto", "duckdb", "python"])
def test_a_file_that_is_not_json_lines(repo, engine):
    (repo / "r.jsonl").write_text("score,reason_codes\n0.5,[]\n")
    one_line_error(cli(repo, "--records", "r.jsonl", "--engine", engine), "r.jsonl: line 1: not JSON Lines")


def test_a_baseline_of_another_version(repo, warehouse, tmp_path):
    written = tmp_path / "b.json"
    done = cli(repo, "--records", "good.jsonl", "--write-baseline", str(written))
    assert done.returncode == 0, done.stderr
    other = run_cli("verify", "fraud-score@1", "--at", ".", "--table", "scores", "--connection", warehouse,
                    "--baseline", str(written), cwd=repo)
    one_line_error(other, f"{written}: a baseline of fraud-score@2, not of fraud-score@1: write one with "
                          "--write-baseline")


def test_the_same_answer_from_each_engine(repo):
    answers = {engine: cli(repo, "--records", "bad.jsonl", "--baseline", "good.jsonl", "--format", "json",
                           "--engine", engine) for engine in ("duckdb", "python")}
    assert answers["duckdb"].stdout == answers["python"].stdout
    assert answers["duckdb"].returncode == answers["python"].returncode == 1


def test_postgres_through_the_command_line(repo, postgres):
    """A real server: a wrong password and a missing table are one line without the password; a table verifies."""
    from tests.engines import PG_SEALED_PASSWORD

    wrong = cli(repo, "--table", "scores", "--connection", postgres.sealed_url, env={"PGPASSWORD": SECRET})
    one_line_error(wrong, f"--connection {postgres.sealed_url}: cannot connect: ")
    assert 'password authentication failed for user "sealed"' in wrong.stderr
    missing = cli(repo, "--table", "nope_cli", "--connection", postgres.sealed_url,
                  env={"PGPASSWORD": PG_SEALED_PASSWORD})
    one_line_error(missing, f"--connection {postgres.sealed_url}: no table nope_cli", PG_SEALED_PASSWORD)
    con = postgres.connect()
    con.raw_sql("DROP TABLE IF EXISTS cli_scores")
    con.raw_sql("CREATE TABLE cli_scores (id TEXT, score DOUBLE PRECISION, reason_codes TEXT[])")
    con.raw_sql("INSERT INTO cli_scores SELECT 'r' || i, i / 10.0, ARRAY['R1'] FROM generate_series(0, 9) AS i")
    con.raw_sql("INSERT INTO cli_scores VALUES ('r10', 1.7, NULL), ('r11', NULL, '{}')")
    con.raw_sql("GRANT SELECT ON cli_scores TO sealed")
    done = cli(repo, "--table", "cli_scores", "--connection", postgres.sealed_url, "--key", "id", "--where",
               "id <> 'r11'", "--format", "json", env={"PGPASSWORD": PG_SEALED_PASSWORD})
    assert done.returncode == 1, done.stderr
    report = json_out(done)
    assert (report["records"], report["invalid"]) == (11, 1)
    assert {e["key"] for e in report["examples"]} == {"r10"}
    assert PG_SEALED_PASSWORD not in done.stdout + done.stderr


def test_a_query_that_writes_never_reaches_postgres(repo, postgres):
    """``--query "SELECT ...; DROP TABLE t"`` ran both statements on PostgreSQL; now nothing is sent, the table
    stands, and the line says why (bot.verify.engine.sql_text)."""
    from tests.engines import PG_SEALED_PASSWORD

    con = postgres.connect()
    con.raw_sql("DROP TABLE IF EXISTS cli_victim")
    con.raw_sql("CREATE TABLE cli_victim (score DOUBLE PRECISION)")
    con.raw_sql("GRANT ALL ON cli_victim TO sealed")  # a role that could drop it: the check is what stops it
    env = {"PGPASSWORD": PG_SEALED_PASSWORD}
    for query, said in [("SELECT 1 AS score; DROP TABLE cli_victim", "--query: 2 SQL statements: give one query"),
                        ("DROP TABLE cli_victim", "--query: DROP is not a query: give one SELECT"),
                        ("WITH d AS (DELETE FROM cli_victim RETURNING *) SELECT * FROM d",
                         "--query: DELETE writes or changes the session; verify only reads"),
                        ("SELECT * INTO cli_copy FROM cli_victim", "--query: INTO writes or changes the session")]:
        one_line_error(cli(repo, "--query", query, "--connection", postgres.sealed_url, env=env), said,
                       PG_SEALED_PASSWORD)
    where = cli(repo, "--table", "cli_victim", "--connection", postgres.sealed_url, "--where",
                "true; DROP TABLE cli_victim", env=env)
    one_line_error(where, "--where: not one SQL condition: at line 1, column 10 ('DROP'): ")
    assert con.sql("SELECT count(*) AS n FROM cli_victim").execute()["n"][0] == 0  # still there
    assert "cli_copy" not in con.list_tables()


def test_where_on_json_lines_and_csv_sees_the_contracts_types(repo):
    """A JSON Lines field is JSON to DuckDB (``score > 0.5`` compared texts, silently) and a CSV cell text: --where
    sees each field as the contract types it, and columns the contract does not name are read for it too."""
    rows = [{"transaction_id": f"t{i}", "model_version": "3", "score": i / 20, "reason_codes": [],
             "band": ["low", "high"][i % 2], "day": f"2026-12-0{1 + i % 3}"} for i in range(20)]
    rows.append({"transaction_id": "tx", "score": 1.7, "band": "low", "day": "2026-12-09"})
    (repo / "w.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with (repo / "w.csv").open("w") as handle:
        handle.write("transaction_id,model_version,score,band,day\n")
        handle.writelines(f"{r['transaction_id']},3,{r['score']},{r['band']},{r['day']}\n" for r in rows)
    for where, expected in [("score > 0.5", 10), ("band = 'low'", 11), ("score >= 0.25 AND band = 'high'", 8),
                            ("day = '2026-12-02'", 7), ("CAST(score AS DOUBLE) > 0.5", 10)]:
        for name in ("w.jsonl", "w.csv"):
            done = cli(repo, "--records", name, "--where", where, "--format", "json")
            assert json_out(done)["records"] == expected, (name, where, done.stderr)
    keyed = json_out(cli(repo, "--records", "w.jsonl", "--key", "day", "--where", "score > 1", "--format", "json"))
    assert keyed["records"] == 1 and [e["key"] for e in keyed["examples"]] == ["2026-12-09"]  # not '"2026-12-09"'
    mistyped = cli(repo, "--records", "w.jsonl", "--where", "day > 0.5")  # text against a number: loud, not wrong
    one_line_error(mistyped, "--where on w.jsonl failed: Binder Error: Cannot compare values of type VARCHAR")
