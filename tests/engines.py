"""Real engines for the tests of ``modelgate verify`` on engines: a PostgreSQL server and a local Spark session.

Each is started once per test session (per xdist worker) by the fixture of the same name, only when a test asks
for it, and torn down at the end of the session. Where the tool is missing, the test skips with the reason, or
fails under ``MODELGATE_REQUIRE_E2E`` (tests/required.py); ``.ci/run`` installs both.

``postgres``: the machine's PostgreSQL (``pg_ctl`` on the PATH, else the newest ``/usr/lib/postgresql/*/bin``),
a fresh cluster in a temporary data directory on a free port of 127.0.0.1, trust authentication for its superuser
``mg`` (``Postgres.url``), ``fsync`` off, and ``log_statement = all``: :meth:`Postgres.statements` reads back the
SQL the server received. One more role, ``sealed`` (``Postgres.sealed_url``), needs the password
``PG_SEALED_PASSWORD``: for the tests of a wrong password. ``initdb`` and ``pg_ctl`` refuse to run as root, so as
root they run as the ``postgres`` user, from inside the data directory (that user cannot reach root's working
directory).

``spark``: one ``local[1]`` SparkSession for the whole session (starting one takes seconds): UI off, one shuffle
partition, an in-memory catalog, bound to 127.0.0.1, log level ERROR. The tables of tests are tiny, so the time
goes to warming up: Spark interprets expressions instead of generating and compiling code for each query (the
same results; a test query's code generation cost more than its run) and the JVM compiles with C1 only. Its
``sql`` method is wrapped so :attr:`Spark.statements` holds every SQL text ibis (or anything else) passed to it.
Spark tests share one xdist worker (``pytest.mark.xdist_group(SPARK_GROUP)``, run with ``--dist loadgroup``, the
suite's default) so that one JVM serves them all.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.required import unavailable

PG_USER = "mg"  # the cluster's superuser; trust authentication, no password
# a second role, the one that needs a password (SCRAM): for the tests of a wrong or a missing password
PG_SEALED_USER, PG_SEALED_PASSWORD = "sealed", "S3cret-of-the-sealed-role"
PG_DATABASE = "postgres"
SPARK_GROUP = "spark"  # the xdist group of the tests that use the Spark session


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (a server started right after binds it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def postgres_bin() -> Path | None:
    """The directory of the PostgreSQL server programs (initdb, pg_ctl), or None when PostgreSQL is missing."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name)
                      if p.parent.parent.name.isdigit() else 0)
    return versions[-1].parent if versions else None


# a statement in the server log: "<time> [<pid>] LOG:  statement: SELECT ..." (simple protocol) or
# "... LOG:  execute <unnamed>: SELECT ..." (extended protocol, as psycopg sends parameters); continuation lines of
# a multi-line statement follow without the prefix, indented by a tab
_LOGGED = re.compile(r"^\S+ \S+ \S+ \[\d+\] LOG:  (?:statement|execute [^:]*): (.*)$")
_PREFIXED = re.compile(r"^\S+ \S+ \S+ \[\d+\] ")


@dataclass
class Postgres:
    """A running PostgreSQL cluster: ``url`` is its connection URL (no password: trust authentication)."""

    port: int
    directory: Path
    log: Path
    url: str = field(init=False)
    sealed_url: str = field(init=False)  # the role that needs PG_SEALED_PASSWORD (in PGPASSWORD, not the URL)

    def __post_init__(self) -> None:
        self.url = f"postgres://{PG_USER}@127.0.0.1:{self.port}/{PG_DATABASE}"
        self.sealed_url = f"postgres://{PG_SEALED_USER}@127.0.0.1:{self.port}/{PG_DATABASE}"

    def connect(self) -> Any:
        """A new ibis connection to the cluster."""
        import ibis

        return ibis.postgres.connect(host="127.0.0.1", port=self.port, user=PG_USER, database=PG_DATABASE)

    def mark(self) -> int:
        """Where the server log ends now: :meth:`statements` since this mark are those received after it."""
        return self.log.stat().st_size

    def statements(self, since: int = 0) -> list[str]:
        """The SQL statements the server received (``log_statement = all``) after the log offset ``since``."""
        with self.log.open("rb") as handle:
            handle.seek(since)
            text = handle.read().decode("utf-8", "replace")
        found: list[str] = []
        current: list[str] | None = None
        for line in text.splitlines():
            logged = _LOGGED.match(line)
            if logged:
                if current is not None:
                    found.append("\n".join(current))
                current = [logged.group(1)]
            elif _PREFIXED.match(line):
                if current is not None:
                    found.append("\n".join(current))
                current = None
            elif current is not None:
                current.append(line.removeprefix("\t"))  # the server indents each continuation line by a tab
        if current is not None:
            found.append("\n".join(current))
        return found


def _as_postgres_user(directory: Path) -> dict[str, Any]:
    """The subprocess arguments that run the server's programs: as the ``postgres`` user when we are root."""
    if os.geteuid() != 0:
        return {}
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        unavailable("running as root, and there is no `postgres` user to run PostgreSQL as (its package creates it)")
    os.chown(directory, account.pw_uid, account.pw_gid)
    return {"user": account.pw_uid, "group": account.pw_gid}


def _run(command: list[str], **options: Any) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, **options)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL cluster of its own for this test session, stopped and deleted at its end."""
    with running_postgres() as server:
        yield server


@contextmanager
def running_postgres() -> Iterator[Postgres]:
    """A new PostgreSQL cluster, running until the block ends (then stopped and deleted)."""
    programs = postgres_bin()
    if programs is None:
        unavailable("PostgreSQL is not installed (.ci/run installs the postgresql package)")
    try:
        import psycopg  # the driver ibis's postgres backend needs: the postgres extra
    except ImportError:
        unavailable("psycopg is not installed (the test extra installs the postgres extra)")
    directory = Path(tempfile.mkdtemp(prefix="modelgate-pg-"))
    as_user = _as_postgres_user(directory)
    data, log = directory / "data", directory / "log"
    _run([str(programs / "initdb"), "-D", str(data), "-U", PG_USER, "--auth=trust", "-E", "UTF8", "--no-locale",
          "--no-sync"], cwd=directory, **as_user)
    settings = {"listen_addresses": "'127.0.0.1'",
                "unix_socket_directories": f"'{directory}'", "fsync": "off", "synchronous_commit": "off",
                "full_page_writes": "off", "log_statement": "'all'", "log_line_prefix": "'%m [%p] '",
                "logging_collector": "off", "lc_messages": "'C'"}
    with (data / "postgresql.conf").open("a") as conf:
        conf.write("".join(f"\n{name} = {value}" for name, value in settings.items()) + "\n")
    hba = data / "pg_hba.conf"  # the sealed role needs its password over TCP (the first matching line wins)
    hba.write_text(f"host all {PG_SEALED_USER} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
    pg_ctl = [str(programs / "pg_ctl"), "-D", str(data)]
    for attempt in range(1, 4):  # the free port may be taken before the server binds it (another xdist worker's)
        port = free_port()
        try:
            _run([*pg_ctl, "-l", str(log), "-o", f"-p {port}", "-w", "start"], cwd=directory, **as_user)
            break
        except RuntimeError:
            if attempt == 3:
                shutil.rmtree(directory, ignore_errors=True)
                raise
    server = Postgres(port, directory, log)
    try:
        with psycopg.connect(host="127.0.0.1", port=server.port, user=PG_USER, dbname=PG_DATABASE,
                             autocommit=True) as admin:
            admin.execute(f"CREATE ROLE {PG_SEALED_USER} LOGIN PASSWORD '{PG_SEALED_PASSWORD}'")
            admin.execute(f"GRANT ALL ON SCHEMA public TO {PG_SEALED_USER}")
        yield server
    finally:
        _run([*pg_ctl, "-m", "immediate", "-w", "stop"], cwd=directory, **as_user)
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class Spark:
    """The test session's local SparkSession; ``statements`` holds every SQL text passed to ``session.sql``."""

    session: Any  # pyspark.sql.SparkSession
    statements: list[str] = field(default_factory=list)

    def connect(self) -> Any:
        """An ibis connection over the session."""
        import ibis

        return ibis.pyspark.connect(self.session)

    def mark(self) -> int:
        """How many statements were received so far: ``statements[mark:]`` are those received after it."""
        return len(self.statements)


def _recording(spark: Spark, sql: Callable[..., Any]) -> Callable[..., Any]:
    def recorded(query: str, *args: Any, **kwargs: Any) -> Any:
        spark.statements.append(query)
        return sql(query, *args, **kwargs)

    return recorded


@pytest.fixture(scope="session")
def spark() -> Iterator[Spark]:
    """A local Spark session for this test session (one JVM), stopped at its end."""
    with running_spark() as session:
        yield session


@contextmanager
def running_spark() -> Iterator[Spark]:
    """A local Spark session, running until the block ends."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        unavailable("Java is not installed (.ci/run installs openjdk-17-jre-headless)")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        unavailable("pyspark is not installed (the test extra installs the spark extra)")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # else a warning that the hostname resolves to loopback
    warehouse = Path(tempfile.mkdtemp(prefix="modelgate-spark-"))
    session = (SparkSession.builder.master("local[1]").appName("modelgate-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.default.parallelism", "1")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.sql.catalogImplementation", "in-memory")
               .config("spark.sql.codegen.wholeStage", "false")
               .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
               .config("spark.sql.adaptive.enabled", "false")
               .config("spark.sql.warehouse.dir", str(warehouse / "warehouse"))
               .config("spark.driver.extraJavaOptions",
                       f"-Djava.io.tmpdir={warehouse} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    wrapper = Spark(session)
    session.sql = _recording(wrapper, session.sql)
    try:
        yield wrapper
    finally:
        session.stop()
        shutil.rmtree(warehouse, ignore_errors=True)
