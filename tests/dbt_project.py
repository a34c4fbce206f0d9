"""A real dbt project, written into a tmp dir, and the real dbt (dbt-core with dbt-duckdb) run on it.

    project = write_tree(tmp_path / "shop", PROJECT)             # the project's files, as {path: text}
    profiles = write_profiles(tmp_path / "profiles")             # a dbt-duckdb profile, its database in the dir
    manifest = parse(project, profiles)                          # `dbt parse` → target/manifest.json
    done = dbt(project, profiles, "ls", "--select", "state:modified", "--state", str(base_target))

The project (``shop``) holds what the dbt importer reads: an enforced contract with data types and constraints
(``orders``), a model with two versions and ``latest_version`` whose old version has a ``deprecation_date``
(``customers``), groups whose owner carries a GitHub handle, a model whose ``meta`` carries one and one whose
owner only CODEOWNERS names, refs between models, one of them pinned (``ref('customers', v=1)``), and an exposure
of ``type: ml`` (``churn_model``) and one of another type. ``CHANGES`` are edits of it, each the files it
replaces, as a pull request would make them.

dbt is the executable beside the running Python (the venv's); a missing dbt is :func:`tests.required.unavailable`
(CI installs it with the ``test`` extra). dbt runs offline: no usage statistics, no version check, and parsing
needs no warehouse (the duckdb database is a file in the tmp dir, never opened by ``parse`` or ``ls``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.required import unavailable

DBT = Path(sys.executable).parent / "dbt"
# dbt compares a deleted version's deprecation_date with the real clock: far enough ahead that it never passes
DEPRECATION_DATE = "2036-06-30"

DBT_PROJECT_YML = """\
name: shop
version: "1.0.0"
config-version: 2
profile: shop
model-paths: ["models"]
models:
  shop:
    +materialized: table
"""

GROUPS_YML = """\
groups:
  - name: sales
    owner:
      name: Sales analytics
      email: sales-analytics@acme.example
      github: "@acme/sales-analytics"
  - name: customer_success
    owner:
      name: "@acme/customer-success"
      email: cs@acme.example
"""

STAGING_YML = """\
models:
  - name: stg_orders
    description: Orders as the shop's database holds them.
    config:
      meta: {owner: "@dana-okafor"}
  - name: stg_customers
    description: Customers as the shop's database holds them.
"""

STG_ORDERS_SQL = """\
select 1 as order_id, 10 as customer_id, 19.99 as amount, 'placed' as status
"""

STG_CUSTOMERS_SQL = """\
select 10 as customer_id, 'Ada Lovelace' as full_name, 'retail' as segment
"""

ORDERS_COLUMNS = """\
      - name: order_id
        data_type: integer
        constraints:
          - type: not_null
      - name: customer_id
        data_type: integer
        constraints:
          - type: not_null
      - name: amount
        data_type: decimal(10,2)
      - name: status
        data_type: varchar(10)
"""


def marts_yml(orders_columns: str = ORDERS_COLUMNS, *, versions: str | None = None) -> str:
    """The marts' properties: ``orders`` (enforced contract, the columns given), ``customers`` (two versions, the
    ``versions:`` list given, by default v1 deprecated and v2 the latest), ``customer_orders`` (no contract)."""
    if versions is None:
        versions = (f"      - v: 1\n        deprecation_date: {DEPRECATION_DATE}\n"
                    "        columns:\n          - include: all\n            exclude: [segment]\n"
                    "      - v: 2\n")
    return (
        "models:\n"
        "  - name: orders\n"
        "    description: One row per order, the shop's contract with its consumers.\n"
        "    config:\n"
        "      group: sales\n"
        "      access: public\n"
        "      contract: {enforced: true}\n"
        "    columns:\n" + orders_columns +
        "  - name: customers\n"
        "    description: One row per customer.\n"
        "    latest_version: 2\n"
        "    config:\n"
        "      group: customer_success\n"
        "      access: public\n"
        "      contract: {enforced: true}\n"
        "    columns:\n"
        "      - name: customer_id\n"
        "        data_type: integer\n"
        "        constraints:\n"
        "          - type: not_null\n"
        "      - name: full_name\n"
        "        data_type: varchar\n"
        "      - name: segment\n"
        "        data_type: varchar\n"
        "    versions:\n" + versions +
        "  - name: customer_orders\n"
        "    description: Orders with their customer, for the sales dashboards.\n"
        "    config:\n"
        "      group: sales\n"
        "    columns:\n"
        "      - name: order_id\n"
        "      - name: full_name\n"
    )


def orders_sql(columns: str = "o.order_id, o.customer_id, cast(o.amount as decimal(10,2)) as amount,\n"
                                "       cast(o.status as varchar(10)) as status", *, customers_version: int = 1) -> str:
    """``orders``: its select list given; it joins ``customers`` pinned to ``customers_version``."""
    return (f"select {columns}\n"
            "from {{ ref('stg_orders') }} as o\n"
            f"join {{{{ ref('customers', v={customers_version}) }}}} as c on c.customer_id = o.customer_id\n")


CUSTOMERS_V1_SQL = "select customer_id, full_name from {{ ref('stg_customers') }}\n"
CUSTOMERS_V2_SQL = "select customer_id, full_name, segment from {{ ref('stg_customers') }}\n"
CUSTOMER_ORDERS_SQL = """\
select o.order_id, c.full_name
from {{ ref('orders') }} as o
join {{ ref('customers') }} as c on c.customer_id = o.customer_id
"""

EXPOSURES_YML = """\
exposures:
  - name: churn_model
    label: Churn model
    type: ml
    maturity: high
    description: Predicts which customers will not order again.
    owner:
      name: Data science
      email: data-science@acme.example
    config:
      meta: {owner: "@acme/data-science"}
    depends_on:
      - ref('orders')
      - ref('customers', v=2)
  - name: sales_dashboard
    type: dashboard
    owner:
      name: Sales analytics
      email: sales-analytics@acme.example
    depends_on:
      - ref('customer_orders')
"""

PROJECT: dict[str, str] = {
    "CODEOWNERS": "/models/staging/ @acme/data-platform\n",  # the owner of a model whose metadata names none
    "dbt_project.yml": DBT_PROJECT_YML,
    "models/groups.yml": GROUPS_YML,
    "models/staging/staging.yml": STAGING_YML,
    "models/staging/stg_orders.sql": STG_ORDERS_SQL,
    "models/staging/stg_customers.sql": STG_CUSTOMERS_SQL,
    "models/marts/marts.yml": marts_yml(),
    "models/marts/orders.sql": orders_sql(),
    "models/marts/customers_v1.sql": CUSTOMERS_V1_SQL,
    "models/marts/customers_v2.sql": CUSTOMERS_V2_SQL,
    "models/marts/customer_orders.sql": CUSTOMER_ORDERS_SQL,
    "models/exposures.yml": EXPOSURES_YML,
}

# The edits of the project that dbt's own breaking-change rule for contracted models judges (and one it does not):
# each is the files it replaces (None deletes one).
_ORDERS_WITHOUT_STATUS = ORDERS_COLUMNS.split("      - name: status")[0]
CHANGES: dict[str, dict[str, str | None]] = {
    "column-removed": {
        "models/marts/marts.yml": marts_yml(_ORDERS_WITHOUT_STATUS),
        "models/marts/orders.sql": orders_sql("o.order_id, o.customer_id, cast(o.amount as decimal(10,2)) as amount"),
    },
    "base-type-changed": {
        "models/marts/marts.yml": marts_yml(ORDERS_COLUMNS.replace(
            "customer_id\n        data_type: integer", "customer_id\n        data_type: text")),
    },
    "size-changed": {
        "models/marts/marts.yml": marts_yml(ORDERS_COLUMNS.replace("varchar(10)", "varchar(20)")),
    },
    "constraint-removed": {
        "models/marts/marts.yml": marts_yml(ORDERS_COLUMNS.replace(
            "customer_id\n        data_type: integer\n        constraints:\n          - type: not_null\n",
            "customer_id\n        data_type: integer\n")),
    },
    "version-deleted": {
        "models/marts/marts.yml": marts_yml(versions="      - v: 2\n"),
        "models/marts/customers_v1.sql": None,
        "models/marts/orders.sql": orders_sql(customers_version=2),
    },
    "column-added": {
        "models/marts/marts.yml": marts_yml(ORDERS_COLUMNS + "      - name: channel\n        data_type: varchar\n"),
        "models/marts/orders.sql": orders_sql("o.order_id, o.customer_id, cast(o.amount as decimal(10,2)) as amount,\n"
                                              "       cast(o.status as varchar(10)) as status, 'web' as channel"),
    },
}


def write_profiles(directory: Path) -> Path:
    """A ``profiles.yml`` for the project's profile ``shop``: dbt-duckdb, its database a file in ``directory``.
    Returns the directory (``DBT_PROFILES_DIR``)."""
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / "shop.duckdb"
    (directory / "profiles.yml").write_text(
        f"shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: '{database}'\n      threads: 1\n",
        encoding="utf-8")
    return directory


def require_dbt() -> None:
    """Skip (or, where end-to-end tests are required, fail) when dbt is not installed beside this Python."""
    if not DBT.is_file():
        unavailable(f"dbt-core is not installed ({DBT} is missing; the test extra installs it)")


def dbt(project: Path, profiles: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real ``dbt ARGS`` in ``project`` with ``profiles``, offline; its logs stay out of the project."""
    require_dbt()
    env = {**os.environ, "DBT_PROFILES_DIR": str(profiles), "DO_NOT_TRACK": "1",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_VERSION_CHECK": "false",
           "DBT_LOG_PATH": str(profiles / "logs"), "DBT_USE_COLORS": "false"}
    return subprocess.run([str(DBT), *args], cwd=project, capture_output=True, text=True, check=False, env=env,
                          timeout=240)


def parse(project: Path, profiles: Path) -> Path:
    """``dbt parse`` the project; returns its ``target/manifest.json`` (the test fails with dbt's output if not)."""
    done = dbt(project, profiles, "parse", "--no-partial-parse")
    assert done.returncode == 0, f"dbt parse failed:\n{done.stdout}\n{done.stderr}"
    manifest = project / "target" / "manifest.json"
    assert manifest.is_file(), done.stdout
    return manifest
