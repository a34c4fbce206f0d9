"""``bot.export.backstage``: catalog entities that validate against Backstage's own entity schemas.

The schemas are vendored in tests/fixtures/backstage/ from the ``@backstage/catalog-model`` npm package (see its
README). What Backstage checks in code instead of in those schemas (entity names, label and annotation keys and
values, entity references) is checked here with the rules its validators apply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from bot.commands._common import load_state
from bot.export import backstage
from bot.export.inventory import inventory
from tests.helpers import REPO_ROOT, contract, model, write_tree

Tree = Callable[[dict[str, str]], Path]  # the ``tree`` fixture: files in, the new monorepo's root out

FIXTURES = REPO_ROOT / "tests/fixtures/backstage"
EXAMPLE = REPO_ROOT / "examples/fraud-platform"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


SCHEMAS = {path.name: _load(path) for path in sorted(FIXTURES.glob("*.schema.json"))}


def _refuse(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)


REGISTRY: Registry[Any] = Registry(retrieve=_refuse).with_resources(  # type: ignore[call-arg]
    (document["$id"], Resource.from_contents(document)) for document in SCHEMAS.values())
VALIDATORS = {
    "envelope": Draft7Validator(SCHEMAS["EntityEnvelope.schema.json"], registry=REGISTRY),
    "entity": Draft7Validator(SCHEMAS["Entity.schema.json"], registry=REGISTRY),
    "Component": Draft7Validator(SCHEMAS["Component.v1alpha1.schema.json"], registry=REGISTRY),
    "API": Draft7Validator(SCHEMAS["API.v1alpha1.schema.json"], registry=REGISTRY),
}

# The rules of Backstage's default validators (KubernetesValidatorFunctions, CommonValidatorFunctions), as its
# documentation states them: names, DNS labels and subdomains, prefixed keys.
OBJECT_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")
DNS_LABEL = re.compile(r"[a-z0-9]+(?:-+[a-z0-9]+)*\Z")


def is_object_name(value: str) -> bool:
    return 1 <= len(value) <= 63 and OBJECT_NAME.match(value) is not None


def is_dns_subdomain(value: str) -> bool:
    return 1 <= len(value) <= 253 and all(1 <= len(p) <= 63 and DNS_LABEL.match(p) for p in value.split("."))


def is_key(value: str) -> bool:
    parts = value.split("/")
    if len(parts) == 1:
        return is_object_name(parts[0])
    return len(parts) == 2 and is_dns_subdomain(parts[0]) and is_object_name(parts[1])


def parse_ref(ref: str, default_kind: str) -> tuple[str, str, str]:
    """An entity reference ``[kind:][namespace/]name`` as (kind, namespace, name), each checked."""
    kind, _, rest = ref.rpartition(":") if ":" in ref else (default_kind, "", ref)
    namespace, _, name = rest.rpartition("/") if "/" in rest else ("default", "", rest)
    assert re.fullmatch(r"[a-zA-Z][a-z0-9A-Z]*", kind), ref
    assert DNS_LABEL.match(namespace), ref
    assert is_object_name(name), ref
    return kind.lower(), namespace, name


def assert_valid(entities: list[dict[str, Any]]) -> None:
    """Every entity is valid under the envelope, the entity and its kind's schema and Backstage's naming rules;
    names are unique per kind, and the APIs a Component names are exported (or are bare references)."""
    names: dict[tuple[str, str], int] = {}
    for entity in entities:
        for which in ("envelope", "entity", entity["kind"]):
            errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATORS[which].iter_errors(entity)]
            assert errors == [], (which, entity["metadata"]["name"], errors)
        meta = entity["metadata"]
        assert is_object_name(meta["name"]), meta["name"]
        assert all(is_key(k) and (v == "" or is_object_name(v)) for k, v in meta.get("labels", {}).items())
        assert all(is_key(k) and isinstance(v, str) for k, v in meta.get("annotations", {}).items())
        names[(entity["kind"], meta["name"])] = names.get((entity["kind"], meta["name"]), 0) + 1
        assert parse_ref(entity["spec"]["owner"], "group")[0] in ("group", "user")
        for ref in (*entity["spec"].get("providesApis", ()), *entity["spec"].get("consumesApis", ())):
            assert parse_ref(ref, "api")[0] == "api"
    assert [key for key, count in names.items() if count > 1] == []


def export(root: Path) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    inv = inventory(load_state(str(root)))
    return backstage.entities(inv), inv.notes


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    """Write a monorepo (a new directory each call) and return its root."""
    made: list[Path] = []

    def write(files: dict[str, str]) -> Path:
        made.append(write_tree(tmp_path / f"repo{len(made)}", files))
        return made[-1]

    return write


@pytest.mark.parametrize("state", ["base", "head"])
def test_every_entity_of_the_example_is_valid(state: str) -> None:
    found, notes = export(EXAMPLE / state)
    assert notes == ()
    assert_valid(found)
    apis = {e["metadata"]["name"] for e in found if e["kind"] == "API"}
    for component in (e for e in found if e["kind"] == "Component"):
        for ref in (*component["spec"].get("providesApis", ()), *component["spec"].get("consumesApis", ())):
            assert parse_ref(ref, "api")[2] in apis
    assert list(yaml.safe_load_all(backstage.to_yaml(found))) == found


def test_models_are_components_and_contract_versions_are_apis() -> None:
    found, _ = export(EXAMPLE / "head")
    by_name = {(e["kind"], e["metadata"]["name"]): e for e in found}
    scorer = by_name[("Component", "fraud-scorer")]
    assert scorer["spec"]["type"] == "ml-model"
    assert scorer["spec"]["lifecycle"] == "production"
    assert scorer["spec"]["owner"] == "group:risk-ml"  # @acme/risk-ml, the first owner
    assert scorer["metadata"]["annotations"]["modelgate/owners"] == "@acme/risk-ml @priya-raman"
    assert scorer["spec"]["providesApis"] == ["api:fraud-score-v1", "api:fraud-score-v2"]
    assert scorer["metadata"]["annotations"]["modelgate/manifest"] == "models/scoring/fraud-scorer.yaml"
    current, old = by_name[("API", "fraud-score-v2")], by_name[("API", "fraud-score-v1")]
    assert current["spec"]["type"] == "jsonschema"
    assert current["spec"]["lifecycle"] == "production"
    assert old["spec"]["lifecycle"] == "deprecated"
    assert old["metadata"]["annotations"]["modelgate/sunset"] == "2026-12-15"
    assert old["metadata"]["annotations"]["modelgate/replacement"] == "fraud-score@2"
    assert current["metadata"]["title"] == "fraud-score@2"
    schema = yaml.safe_load((EXAMPLE / "head/contracts/fraud-score.yaml").read_text())["spec"]["versions"][0]["schema"]
    assert json.loads(current["spec"]["definition"]) == schema
    assert '  definition: |\n    {\n      "type": "object",\n' in backstage.to_yaml(found)  # readable JSON


def test_lifecycle_follows_status_then_stability(tree: Tree) -> None:
    found, _ = export(tree({"contracts/c.yaml": contract("c", [
        {"version": 1, "status": "retired", "schema": {"type": "object"}},
        {"version": 2, "status": "active", "stability": "beta", "schema": {"type": "object"}},
        {"version": 3, "status": "active", "stability": "alpha", "schema": {"type": "object"}},
        {"version": 4, "status": "active", "schema": {"type": "object"}},
    ])}))
    assert [e["spec"]["lifecycle"] for e in found] == ["deprecated", "experimental", "experimental", "production"]


def test_owners_map_to_groups_and_users_and_none_to_unowned(tree: Tree) -> None:
    found, _ = export(tree({
        "contracts/c.yaml": contract("c", owners=["@alice", "@acme/ml"]),
        "models/team.yaml": model("team", provides=[("c", 1)], owners=["@acme/Risk.ML"], tier="experimental"),
        "models/nobody.yaml": model("nobody", consumes=[("c", 1)], owners=[]),
    }))
    assert_valid(found)
    owners = {e["metadata"]["name"]: e["spec"]["owner"] for e in found}
    assert owners == {"team": "group:Risk.ML", "nobody": "group:unowned", "c-v1": "user:alice"}
    team = next(e for e in found if e["metadata"]["name"] == "team")
    assert team["spec"]["lifecycle"] == "experimental"
    assert team["metadata"]["labels"] == {"modelgate/tier": "experimental"}
    nobody = next(e for e in found if e["metadata"]["name"] == "nobody")
    assert "modelgate/owners" not in nobody["metadata"]["annotations"]


def test_owners_from_codeowners_count_when_the_manifest_names_none(tree: Tree) -> None:
    found, _ = export(tree({
        "CODEOWNERS": "/models/ @acme/platform @bob\n",
        "models/m.yaml": model("m", owners=[]),
    }))
    assert_valid(found)
    (component,) = found
    assert component["spec"]["owner"] == "group:platform"
    assert component["metadata"]["annotations"]["modelgate/owners"] == "@acme/platform @bob"


def test_a_contract_nobody_consumes_or_provides_is_still_an_api(tree: Tree) -> None:
    found, _ = export(tree({"contracts/lonely.yaml": contract("lonely")}))
    assert_valid(found)
    assert [(e["kind"], e["metadata"]["name"]) for e in found] == [("API", "lonely-v1")]


def test_names_that_break_the_rules_are_cleaned_and_hashed_and_never_collide() -> None:
    assert backstage.entity_name("fraud-score-v2") == "fraud-score-v2"
    cleaned = [backstage.entity_name(n) for n in ("a..b", "a__b", "a-_b", "-a-b-", "a" * 64, "a" * 65)]
    assert len(set(cleaned)) == len(cleaned)
    assert all(is_object_name(n) and backstage.is_name(n) for n in cleaned)
    assert cleaned[0].startswith("a-b-") and cleaned[1].startswith("a-b-")
    assert backstage.entity_name("a.b") == "a.b"  # valid as it is
    assert backstage.entity_name("ü") != backstage.entity_name("é")  # nothing left but the hash, still distinct
    assert all(backstage.is_name(backstage.entity_name(n)) for n in ("ü", "...", "", "x" * 500))
    assert backstage.entity_name("a..b") == cleaned[0]  # deterministic


def test_long_contract_names_give_valid_distinct_api_names(tree: Tree) -> None:
    long_a, long_b = "a" * 63, "a" * 62 + "b"
    found, _ = export(tree({
        "contracts/a.yaml": contract(long_a, [1, 2, 123456789]),
        "contracts/b.yaml": contract(long_b, [1]),
        "models/m.yaml": model("m" * 63, consumes=[(long_a, 123456789)], provides=[(long_b, 1)]),
    }))
    assert_valid(found)
    apis = [e["metadata"]["name"] for e in found if e["kind"] == "API"]
    assert len(apis) == 4 and all(len(n) <= 63 for n in apis)
    (component,) = (e for e in found if e["kind"] == "Component")
    assert component["spec"]["consumesApis"] == [f"api:{backstage.api_name((long_a, 123456789))}"]
    assert parse_ref(component["spec"]["consumesApis"][0], "api")[2] in apis


def test_team_slugs_that_clean_alike_stay_distinct_groups(tree: Tree) -> None:
    found, _ = export(tree({
        "models/one.yaml": model("one", owners=["@acme/risk..ml"]),
        "models/two.yaml": model("two", owners=["@acme/risk__ml"]),
        "models/three.yaml": model("three", owners=["@acme/" + "r" * 100]),
    }))
    assert_valid(found)
    owners = [e["spec"]["owner"] for e in found]
    assert len(set(owners)) == 3


def test_two_originals_left_with_one_name_are_refused() -> None:
    with pytest.raises(backstage.NameClash, match=r"'a\.\.b' and .* would both be"):
        backstage.check_distinct("Component", {"a..b": backstage.entity_name("a..b"),
                                                "other": backstage.entity_name("a..b")})
    backstage.check_distinct("API", {"a@1": "a-v1", "b@1": "b-v1"})


def test_hostile_text_survives_the_yaml(tree: Tree) -> None:
    text = 'key: value # not a comment\n--- not a document\n...\n"quotes" \'and\' ünïcødé 🚀 \u2028 &anchor *alias'
    found, _ = export(tree({
        "contracts/c.yaml": contract("c", [{"version": 1, "status": "active", "schema": {
            "type": "object", "description": text, "properties": {"ä": {"type": "string"}}}}]),
        "models/m.yaml": model("m", provides=[("c", 1)], description=text),
    }))
    assert_valid(found)
    again = list(yaml.safe_load_all(backstage.to_yaml(found)))
    assert again == found
    assert again[0]["metadata"]["description"] == text
    assert json.loads(again[1]["spec"]["definition"])["description"] == text


def test_undefined_versions_and_unreadable_schemas_are_noted(tree: Tree) -> None:
    found, notes = export(tree({
        "contracts/a.yaml": contract("a", [{"version": 1, "schema_ref": "schemas/missing.json"}]),
        "models/m.yaml": model("m", consumes=[("ghost", 3)], provides=[("a", 1)]),
    }))
    assert_valid(found)
    (api,) = (e for e in found if e["kind"] == "API")
    assert "could not read" in json.loads(api["spec"]["definition"])["$comment"]
    assert len(notes) == 2


def test_the_validators_refuse_what_backstage_refuses() -> None:
    """The checks above can fail."""
    found, _ = export(EXAMPLE / "head")
    api = next(e for e in found if e["kind"] == "API")
    no_definition = {**api, "spec": {k: v for k, v in api["spec"].items() if k != "definition"}}
    assert list(VALIDATORS["API"].iter_errors(no_definition))
    assert list(VALIDATORS["entity"].iter_errors({**api, "metadata": {"description": "no name"}}))
    component = next(e for e in found if e["kind"] == "Component")
    assert list(VALIDATORS["Component"].iter_errors({**component, "spec": {**component["spec"], "owner": ""}}))
    assert not is_object_name("a" * 64) and not is_key("bad prefix/x") and not is_key("a/b/c")
    with pytest.raises(AssertionError):
        parse_ref("group:bad..", "group")


def test_the_vendored_schemas_are_what_the_readme_names() -> None:
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    assert "`@backstage/catalog-model` **1.10.3**" in readme
    for name in SCHEMAS:
        assert f"`{name}`" in readme
    assert "Apache License" in (FIXTURES / "LICENSE").read_text(encoding="utf-8")


def test_the_entities_docs_exports_md_shows_are_the_real_ones() -> None:
    text = (REPO_ROOT / "docs/exports.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```", text, re.M | re.S)
    shown = [entity for block in blocks for entity in yaml.safe_load_all(block)]
    assert len(shown) == 2
    found, _ = export(EXAMPLE / "head")
    real = {(e["kind"], e["metadata"]["name"]): e for e in found}
    wanted = [real[(e["kind"], e["metadata"]["name"])] for e in shown]
    assert shown == wanted
    assert "".join(blocks) == backstage.to_yaml(wanted)  # as the export writes them


def test_teams_of_two_organisations_with_one_slug_are_one_group_and_a_note(tree: Tree) -> None:
    """``group:ml`` is the name Backstage's ingestion gives both ``@a/ml`` and ``@b/ml``: it stays, and the note
    names both teams; a team named in two cases, or a user and a team of one name, is no clash."""
    root = tree({
        "contracts/c.yaml": contract("c", owners=["@a/ml", "@b/ml"]),  # only the first owner is spec.owner
        "contracts/d.yaml": contract("d", owners=["@ml"]),
        "models/one.yaml": model("one", provides=[("c", 1)], owners=["@A/ml"]),
        "models/two.yaml": model("two", consumes=[("c", 1)], owners=["@b/ml"]),
        "models/three.yaml": model("three", owners=["@x/risk"]),
    })
    inv = inventory(load_state(str(root)))
    found = backstage.entities(inv)
    assert_valid(found)
    owners = {e["metadata"]["name"]: e["spec"]["owner"] for e in found}
    assert owners == {"one": "group:ml", "two": "group:ml", "three": "group:risk", "c-v1": "group:ml",
                      "d-v1": "user:ml"}
    assert backstage.owner_notes(inv) == [
        "the owners @a/ml, @b/ml are all the Backstage owner group:ml: teams of different organisations with one "
        "slug are one group in the default namespace"]
    assert backstage.owner_notes(inventory(load_state(str(tree({"models/m.yaml": model("m")}))))) == []
