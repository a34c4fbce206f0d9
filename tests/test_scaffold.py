"""``bot.scaffold``: what ``modelgate init`` writes (the starter configuration, docs/github.md's workflows) and the
imports it offers for what it found."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from bot import scaffold
from bot.commands.init import _starter, workflow_directory
from bot.config import Config
from bot.manifests.parse import parse_config
from tests.helpers import REPO_ROOT

STARTER = REPO_ROOT / "bot" / "starter" / "modelgate.yml"


def keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every key of a configuration model, nested ones dotted."""
    found = set()
    for name, info in model.model_fields.items():
        found.add(prefix + name)
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            found |= keys(kind, f"{prefix}{name}.")
    return found


def written(data: object, prefix: str = "") -> set[str]:
    found = set()
    if isinstance(data, dict):
        for key, value in data.items():
            found.add(prefix + key)
            if key != "rules":
                found |= written(value, f"{prefix}{key}.")
    return found


def test_the_starter_loads_as_the_default_configuration_without_a_finding():
    config, findings = parse_config(STARTER.read_bytes())
    assert findings == []
    assert config == Config()


def test_the_starter_writes_every_key_of_the_configuration_and_comments_it():
    text = STARTER.read_text()
    assert written(yaml.safe_load(text)) == keys(Config)
    assert "max_depth: null" in text  # a default of None is written, not left out
    top = [line for line in text.splitlines() if re.match(r"^[a-z_]+:", line)]
    assert len(top) == len(Config.model_fields)
    assert text.startswith("# ") and text.count("#") > len(top)


def test_the_command_writes_the_packaged_starter():
    assert _starter() == STARTER.read_bytes()


def test_the_documented_workflows_are_those_github_md_shows():
    shown = re.findall(r"^<!-- workflow: docs/workflows/(\S+) -->$", (REPO_ROOT / "docs" / "github.md").read_text(),
                       re.M)
    assert sorted(shown) == sorted((*scaffold.WORKFLOWS, scaffold.CODE_SCANNING))
    assert shown[0] == scaffold.WORKFLOWS[0] == "modelgate.yml"


def test_the_packaged_workflows_are_docs_workflows_byte_for_byte():
    """In a checkout the command reads docs/workflows itself; from an installed wheel (MODELGATE_DIST), its
    ``bot/_workflows``: either way what init writes is what the docs show and zizmor and actionlint check."""
    canonical = {p.name: p.read_bytes() for p in (REPO_ROOT / "docs" / "workflows").glob("*.yml")}
    packaged = {p.name: p.read_bytes() for p in workflow_directory().glob("*.yml")}
    assert packaged == canonical
    assert set(scaffold.WORKFLOWS) < set(packaged)


def test_the_wheel_would_ship_the_workflows_and_the_starter():
    """What hatch puts in a wheel, listed without building one: docs/workflows/ as bot/_workflows/, the starter
    in the package."""
    from hatchling.builders.wheel import WheelBuilder

    shipped = {f.distribution_path: Path(f.path) for f in WheelBuilder(str(REPO_ROOT)).recurse_included_files()}
    workflows = {name: path for name, path in shipped.items() if name.startswith("bot/_workflows/")}
    assert {name.split("/")[-1] for name in workflows} == {p.name for p in (REPO_ROOT / "docs/workflows").glob("*.yml")}
    assert all(path.read_bytes() == (REPO_ROOT / "docs/workflows" / path.name).read_bytes()
               for path in workflows.values())
    assert shipped["bot/starter/modelgate.yml"].read_bytes() == STARTER.read_bytes()


def test_files_are_the_configuration_then_the_workflows_and_code_scanning_on_request():
    workflows = {name: name.encode() for name in (*scaffold.WORKFLOWS, scaffold.CODE_SCANNING, "deploy.yml")}
    plain = scaffold.files(STARTER.read_bytes(), workflows)
    assert [f.path for f in plain] == [".modelgate.yml", ".github/workflows/modelgate.yml",
                                       ".github/workflows/modelgate-review.yml",
                                       ".github/workflows/modelgate-after-review.yml",
                                       ".github/workflows/modelgate-calendar.yml"]
    assert plain[0].data == STARTER.read_bytes() and plain[1].data == b"modelgate.yml"
    scanning = scaffold.files(STARTER.read_bytes(), workflows, code_scanning=True)
    assert [f.path for f in scanning] == [*(f.path for f in plain), ".github/workflows/modelgate-code-scanning.yml"]


@pytest.mark.parametrize(("starter", "workflows", "message"), [
    (b"limits: {max_depth: 1}\n", scaffold.WORKFLOWS, "the packaged .modelgate.yml does not load"),
    (b"{}\n", scaffold.WORKFLOWS[:1], "the packaged workflows lack modelgate-review.yml, modelgate-after-review.yml, "
                                       "modelgate-calendar.yml"),
])
def test_a_broken_package_is_said_not_written(starter, workflows, message):
    with pytest.raises(scaffold.StarterInvalid, match=re.escape(message)):
        scaffold.files(starter, dict.fromkeys(workflows, b""))


@pytest.mark.parametrize(("head", "odcs"), [
    (b"apiVersion: v3.0.0\nkind: DataContract\nid: orders\n", True),
    (b"# an ODCS contract\nid: x\nkind: 'DataContract'  # the kind\napiVersion: \"v3.0.2\"\n", True),
    (b"apiVersion: v3.1.0\r\nkind: DataContract\r\n", True),
    (b"apiVersion: modelgate/v1\nkind: Contract\n", False),
    (b"dataContractSpecification: 1.1.0\nid: orders\n", False),  # datacontract-cli's own format, not ODCS
    (b"apiVersion: v2.2.0\nkind: DataContract\n", False),
    (b"apiVersion: v3.0.0\nspec:\n  kind: DataContract\n", False),  # not at the top level
    (b"apiVersion: v3.0.0\nkind: DataContracts\n", False),
])
def test_an_odcs_contract_is_told_by_its_top_level_keys(head, odcs):
    assert scaffold.is_odcs(head) is odcs


@pytest.mark.parametrize(("name", "skipped"), [
    (".git", True), (".venv", True), ("node_modules", True), ("dbt_packages", True), ("target", True),
    ("venv", True), ("models", False), ("analytics", False), ("mlruns", False),
])
def test_the_search_skips_hidden_dependency_and_build_directories(name, skipped):
    assert scaffold.skipped(name) is skipped


def test_a_dbt_project_at_the_root_is_parsed_and_imported_from_its_target():
    [offer] = scaffold.offers(scaffold.Found(dbt_projects=(".",)))
    assert offer.tool == "dbt" and offer.found == "dbt project ."
    assert offer.commands == ("dbt parse --project-dir .",
                              "modelgate import dbt target/manifest.json --out manifests/dbt")
    assert offer.check_steps == ("dbt parse --project-dir .",
                                 "modelgate import dbt target/manifest.json --out manifests/dbt --check")


def test_each_source_of_a_tool_gets_its_own_out_directory():
    found = scaffold.Found(dbt_projects=("analytics/shop", "analytics/Shop_", "finance"),
                           odcs=("sales/orders.odcs.yaml", "finance/customers.yml"))
    outs = [command.rsplit("--out ", 1)[1] for offer in scaffold.offers(found) for command in offer.commands
            if "import" in command]
    assert outs == ["manifests/dbt/analytics-shop", "manifests/dbt/analytics-shop-2", "manifests/dbt/finance",
                    "manifests/odcs/sales-orders-odcs", "manifests/odcs/finance-customers"]


def test_odcs_files_of_one_directory_tree_are_one_import_from_their_common_directory():
    [one] = scaffold.offers(scaffold.Found(odcs=("contracts/orders/v2.odcs.yaml", "contracts/orders/v3.odcs.yaml",
                                                 "contracts/customers.yaml")))
    assert one.commands == ("modelgate import odcs contracts --out manifests/odcs",)
    assert one.found == "3 ODCS contracts under contracts"
    apart = scaffold.offers(scaffold.Found(odcs=("sales/a.yaml", "sales/b/c.yaml", "finance/d.yaml")))
    assert [offer.commands for offer in apart] == [("modelgate import odcs sales --out manifests/odcs/sales",),
                                                   ("modelgate import odcs finance/d.yaml --out manifests/odcs/"
                                                    "finance-d",)]
    [rooted] = scaffold.offers(scaffold.Found(odcs=("a.odcs.yaml", "sales/b.odcs.yaml")))
    assert rooted.commands == ("modelgate import odcs . --out manifests/odcs",)


def test_mlflow_models_are_imported_together_from_their_common_directory():
    [one] = scaffold.offers(scaffold.Found(mlmodels=("models/churn/MLmodel",)))
    assert one.commands == ("modelgate import mlflow models/churn --out manifests/mlflow",)
    assert one.found == "MLflow model models/churn/MLmodel"
    [many] = scaffold.offers(scaffold.Found(mlmodels=("models/churn/MLmodel", "models/fraud/v2/MLmodel")))
    assert many.commands == ("modelgate import mlflow models --out manifests/mlflow",)
    assert many.found == "2 MLflow models under models"
    [spread] = scaffold.offers(scaffold.Found(mlmodels=("MLmodel", "serving/MLmodel")))
    assert spread.commands == ("modelgate import mlflow . --out manifests/mlflow",)


def test_offers_come_in_order_dbt_mlflow_odcs():
    found = scaffold.Found(dbt_projects=("shop",), mlmodels=("m/MLmodel",), odcs=("c.yaml",))
    assert [offer.tool for offer in scaffold.offers(found)] == ["dbt", "mlflow", "odcs"]
    assert scaffold.offers(scaffold.Found()) == ()


@pytest.mark.parametrize("path", ["data contracts/orders.yaml", "odd #name.yaml", "a: b.yaml", "it's.yaml"])
def test_a_path_that_needs_quoting_stays_one_word_in_the_command_and_in_the_ci_step(path):
    [offer] = scaffold.offers(scaffold.Found(odcs=(path,)))
    [step] = offer.check_steps
    assert shlex.split(step)[3] == path
    assert yaml.safe_load(f"- run: {scaffold.yaml_scalar(step)}") == [{"run": step}]


def test_a_path_that_looks_like_an_option_is_given_as_a_path():
    [offer] = scaffold.offers(scaffold.Found(dbt_projects=("-rf",)))
    assert offer.commands[0] == "dbt parse --project-dir ./-rf"


def test_a_plain_step_stays_plain():
    step = "modelgate import dbt shop/target/manifest.json --out manifests/dbt --check"
    assert scaffold.yaml_scalar(step) == step


@pytest.mark.parametrize(("path", "slug"), [
    ("analytics/Shop_dbt", "analytics-shop-dbt"), (".", "root"), ("über/ünits", "ber-nits"), ("a//b..c", "a-b-c"),
])
def test_slug(path, slug):
    assert scaffold.slug(path) == slug
