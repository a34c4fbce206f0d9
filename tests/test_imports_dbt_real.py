"""The real tools end to end: ``dbt parse`` on a dbt project written here (tests/dbt_project.py), then
``modelgate import dbt``, ``modelgate lint`` and ``modelgate check`` as subprocesses.

- The import of the parsed project passes lint and says what dbt says: versions, deprecation, owners, refs (one
  pinned) and the ml exposure as a model.
- A pull request in a real git repository removes a column of the contracted model: ``modelgate check`` finds the
  breaking change, the impacted exposure and the owners who must approve.
- dbt and modelgate agree on dbt's own rule for a breaking change to a contracted model: for each edit of
  ``CHANGES`` dbt compares the edited project with the base's manifest (``dbt ls --select state:modified
  --state``, where dbt runs that rule) and modelgate checks the two imports; both call it breaking, or neither.

dbt runs once per state: the base once (a module-scoped fixture), each edit once (its ``ls`` parses the edited
project and writes its manifest too), the pull request's two commits once each (a module-scoped fixture).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.dbt_project import CHANGES, DEPRECATION_DATE, PROJECT, dbt, parse, write_profiles
from tests.helpers import git, json_out, make_repo, run_cli, write_tree

pytestmark = pytest.mark.e2e

OUT = "manifests/dbt"
IMPORT = ("import", "dbt", "target/manifest.json", "--out", OUT)
TODAY = "2026-11-28"
# what dbt says of each edit when it calls it breaking (None: dbt lists the model as modified, and nothing more)
DBT_SAYS: dict[str, str | None] = {
    "column-removed": "Columns were removed: \n    - status",
    "base-type-changed": "Columns with data_type changes: \n    - customer_id (integer -> text)",
    "size-changed": None,
    "constraint-removed": "Enforced column level constraints were removed: \n    - 'ConstraintType.not_null' "
                          "constraint on column customer_id",
    "version-deleted": "Contracted model 'model.shop.customers.v1' was deleted or renamed.",
    "column-added": None,
}
# the contract each edit touches, as modelgate names it
CONTRACT = {"version-deleted": "contract:customers"}


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_profiles(tmp_path_factory.mktemp("dbt-profiles"))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, profiles: Path) -> Path:
    """The project, parsed by dbt (its manifest in ``target/``) and imported by modelgate (``manifests/dbt``)."""
    project = write_tree(tmp_path_factory.mktemp("shop") / "base", PROJECT)
    parse(project, profiles)
    import_dbt(project)
    return project


def import_dbt(project: Path) -> Path:
    """``modelgate import dbt target/manifest.json --out manifests/dbt`` in ``project``; returns the out dir."""
    done = run_cli(*IMPORT, cwd=project)
    assert done.returncode == 0, f"import failed:\n{done.stdout}\n{done.stderr}"
    return project / OUT


def read(out: Path, path: str) -> dict[str, Any]:
    document = yaml.safe_load((out / path).read_text(encoding="utf-8"))
    assert isinstance(document, dict), path
    return document


def versions(contract: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {item["version"]: item for item in contract["spec"]["versions"]}


def consumed(model: dict[str, Any]) -> dict[str, int]:
    return {item["contract"]: item["version"] for item in model["spec"].get("consumes", [])}


# --- the import of the parsed project -------------------------------------------------------------------------


def test_the_import_of_a_parsed_project_passes_lint(base: Path) -> None:
    done = run_cli("lint", OUT, "--format", "json", cwd=base)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    out = json_out(done)
    assert [f for f in out["findings"] if f["severity"] == "error"] == []


def test_every_model_of_the_project_and_the_ml_exposure_become_models(base: Path) -> None:
    models = {path.stem for path in (base / OUT / "models").glob("*.yaml")}
    assert models == {"stg-orders", "stg-customers", "orders", "customers", "customer-orders", "churn-model"}


def test_a_versioned_model_becomes_a_contract_with_both_versions_the_old_one_deprecated(base: Path) -> None:
    customers = versions(read(base / OUT, "contracts/customers.yaml"))
    assert set(customers) == {1, 2}
    assert customers[2].get("status", "active") == "active"
    assert customers[1]["status"] == "deprecated"
    assert str(customers[1]["deprecation"]["sunset"]) == DEPRECATION_DATE
    assert customers[1]["deprecation"]["replacement"] == 2
    # each version has its own columns: v1 excludes segment
    assert set(customers[1]["schema"]["properties"]) == {"customer_id", "full_name"}
    assert set(customers[2]["schema"]["properties"]) == {"customer_id", "full_name", "segment"}


def test_the_enforced_contract_becomes_a_schema_of_required_columns(base: Path) -> None:
    orders = read(base / OUT, "contracts/orders.yaml")
    schema = versions(orders)[1]["schema"]
    assert set(schema["required"]) == {"order_id", "customer_id", "amount", "status"}
    columns = schema["properties"]
    assert columns["order_id"]["x-sql-type"] == "integer"
    assert columns["order_id"]["type"] == "integer"  # not_null: no null
    assert columns["status"]["x-sql-type"] == "varchar(10)"
    assert set(columns["status"]["type"]) == {"string", "null"}  # nullable
    assert orders["metadata"]["labels"]["modelgate.dev/imported-from"] == "dbt"


def test_owners_come_from_the_groups_the_meta_and_codeowners(base: Path) -> None:
    out = base / OUT
    assert read(out, "contracts/orders.yaml")["metadata"]["owners"] == ["@acme/sales-analytics"]  # owner.github
    assert read(out, "contracts/customers.yaml")["metadata"]["owners"] == ["@acme/customer-success"]  # owner.name
    assert read(out, "models/stg-orders.yaml")["metadata"]["owners"] == ["@dana-okafor"]  # meta.owner
    assert read(out, "models/stg-customers.yaml")["metadata"]["owners"] == ["@acme/data-platform"]  # CODEOWNERS
    assert read(out, "models/churn-model.yaml")["metadata"]["owners"] == ["@acme/data-science"]  # the exposure's


def test_refs_become_consumes_a_versioned_ref_pinned(base: Path) -> None:
    out = base / OUT
    assert consumed(read(out, "models/orders.yaml")) == {"stg-orders": 1, "customers": 1}  # ref('customers', v=1)
    assert consumed(read(out, "models/customer-orders.yaml")) == {"orders": 1, "customers": 2}  # the latest


def test_the_ml_exposure_is_a_model_consuming_what_it_depends_on(base: Path) -> None:
    churn = read(base / OUT, "models/churn-model.yaml")
    assert churn["kind"] == "Model"
    assert consumed(churn) == {"orders": 1, "customers": 2}
    assert not churn["spec"].get("provides")
    assert not (base / OUT / "models" / "sales-dashboard.yaml").exists()  # a dashboard is not a model


# --- a pull request that removes a column -------------------------------------------------------------------


@dataclass(frozen=True)
class PullRequest:
    repo: Path
    check: dict[str, Any]
    returncode: int
    behind: subprocess.CompletedProcess[str]  # `import --check` after dbt parse, before the import
    in_step: subprocess.CompletedProcess[str]  # `import --check` after the import


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory: pytest.TempPathFactory, profiles: Path) -> PullRequest:
    """A repository whose main holds the project and its import; branch ``pr`` removes ``orders.status``, then
    runs ``dbt parse`` and the import again, as a contributor would."""
    repo = make_repo(tmp_path_factory.mktemp("pr") / "repo", {**PROJECT, ".gitignore": "target/\nlogs/\n"})
    parse(repo, profiles)
    import_dbt(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "import the dbt project")
    git(repo, "checkout", "-q", "-b", "pr")
    write_tree(repo, CHANGES["column-removed"])
    parse(repo, profiles)
    behind = run_cli(*IMPORT, "--check", cwd=repo)
    import_dbt(repo)
    in_step = run_cli(*IMPORT, "--check", cwd=repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "orders: drop status")
    done = run_cli("check", "--base", "main", "--head", "pr", "--format", "json", "--today", TODAY, cwd=repo)
    return PullRequest(repo, json_out(done), done.returncode, behind, in_step)


def test_import_check_tells_when_the_import_is_behind_the_project(pull_request: PullRequest) -> None:
    """CI runs `dbt parse` then `modelgate import dbt --check`: behind the edited project, it fails with the diff
    of the contract; after the import, it passes."""
    assert pull_request.behind.returncode == 1, pull_request.behind.stderr
    assert f"{OUT}/contracts/orders.yaml" in pull_request.behind.stdout
    removed = [line[1:].strip() for line in pull_request.behind.stdout.splitlines()
               if line.startswith("-") and not line.startswith("---")]
    assert {"status:", "x-sql-type: varchar(10)", "- status"} <= set(removed)
    assert pull_request.in_step.returncode == 0, pull_request.in_step.stdout + pull_request.in_step.stderr


def test_the_pull_request_changes_only_the_import_of_what_it_edited(pull_request: PullRequest) -> None:
    changed = git(pull_request.repo, "diff", "--name-only", "main", "pr").split()
    assert f"{OUT}/contracts/orders.yaml" in changed
    assert {path for path in changed if path.startswith(OUT)} <= {f"{OUT}/contracts/orders.yaml",
                                                                 f"{OUT}/models/orders.yaml"}


def test_the_removed_column_is_a_breaking_change(pull_request: PullRequest) -> None:
    out = pull_request.check
    assert pull_request.returncode == 1
    assert out["verdict"] == "fail"
    breaking = {(c["subject"], c["path"]) for c in out["changes"] if c["breaking"]}
    assert ("contract:orders@1", "#/properties/status") in breaking
    assert ("MG101", "contract:orders@1", f"{OUT}/contracts/orders.yaml") in {
        (f["rule"], f["subject"], f["file"]) for f in out["findings"] if not f["preexisting"]}


def test_the_ml_exposure_is_impacted(pull_request: PullRequest) -> None:
    impacted = {(i["model"], i["via"]): i["owners"] for i in pull_request.check["impact"]["direct"]}
    assert impacted[("churn-model", "contract:orders@1")] == ["@acme/data-science"]
    assert impacted[("customer-orders", "contract:orders@1")] == ["@acme/sales-analytics"]


def test_the_owners_who_must_approve(pull_request: PullRequest) -> None:
    approvals = {(a["rule"], a["subject"]): a["owners"] for a in pull_request.check["approvals"]}
    assert approvals[("MG301", "contract:orders")] == ["@acme/sales-analytics"]
    assert approvals[("MG302", "model:churn-model")] == ["@acme/data-science"]
    assert approvals[("MG302", "model:customer-orders")] == ["@acme/sales-analytics"]
    assert all(not a["satisfied"] for a in pull_request.check["approvals"])


# --- dbt and modelgate agree --------------------------------------------------------------------------------


def dbt_compares(project: Path, profiles: Path, base_target: Path) -> tuple[bool, str]:
    """dbt's judgement of ``project`` against the manifest in ``base_target``: whether it calls the change breaking,
    and what it printed. ``dbt ls --select state:modified --state`` runs dbt's rule on every contracted model
    (a warning for an unversioned one, an error for a version); it parses the project first and writes its
    manifest, also when the comparison then stops it, so no separate ``dbt parse`` is needed. A change dbt does
    not call breaking must still be one it sees: the model is listed as modified."""
    done = dbt(project, profiles, "ls", "--no-partial-parse", "--resource-type", "model",
               "--select", "state:modified", "--state", str(base_target))
    output = done.stdout + done.stderr
    assert (project / "target" / "manifest.json").is_file(), output
    breaking = "detected a breaking change" in output
    if not breaking:
        assert done.returncode == 0, output
        assert {"shop.marts.orders", "shop.marts.customers.v2"} & set(done.stdout.split()), output
    return breaking, output


@pytest.mark.parametrize("case", sorted(CHANGES))
def test_dbt_and_modelgate_agree(case: str, base: Path, profiles: Path, tmp_path: Path) -> None:
    """For each edit, dbt's rule and ``modelgate check`` of the two imports both call it breaking (modelgate: a
    breaking change of the contract and a blocking finding, MG101 or MG102, so the verdict fails), or neither
    does (the contract's change is listed, not breaking, and the verdict does not fail)."""
    project = write_tree(tmp_path / "shop", {**PROJECT, **CHANGES[case]})
    dbt_breaking, output = dbt_compares(project, profiles, base / "target")
    reason = DBT_SAYS[case]
    assert dbt_breaking == (reason is not None), output
    assert reason is None or reason in output

    done = run_cli("check", "--base", str(base / OUT), "--head", str(import_dbt(project)), "--format", "json",
                   "--today", TODAY)
    out = json_out(done)
    contract = CONTRACT.get(case, "contract:orders")
    changes = [c for c in out["changes"] if c["subject"].split("@")[0] == contract]
    assert changes, f"modelgate sees no change of {contract}: {out['changes']}"
    breaking = [c for c in changes if c["breaking"]]
    blocking = [f for f in out["findings"] if f["rule"] in ("MG101", "MG102")
                and f["subject"].split("@")[0] == contract and not f["preexisting"]]
    assert bool(breaking) == dbt_breaking, (changes, output)
    assert bool(blocking) == dbt_breaking, (out["findings"], output)
    assert (out["verdict"] == "fail") == dbt_breaking, out["findings"]
    assert done.returncode == (1 if dbt_breaking else 0), done.stderr
