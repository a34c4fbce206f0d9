"""The rule catalogue: the published rules, validation of the files, findings with its severities and under a
configuration, generated docs."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

import bot.rules
from bot.config import Config
from bot.registry import configured
from bot.report.formats import RULES
from bot.result import Finding
from bot.rules import RULE_ID_RE, CatalogError, Escalation, Rule, catalog, finding, load_catalog
from tests.helpers import BOT_HOME

ROOT = Path(__file__).resolve().parent.parent

# The rules users already know, by id -> (name, default severity): ids and names are a fixed interface (reports,
# `rules:` overrides, `/rollout override` name them), so a rule's name or default may not drift. A new rule needs no
# entry here: tests/test_rule_fixtures.py holds the catalogue to the registry and to its fixture.
PUBLISHED = {
    "MG001": ("manifest-invalid", "error"), "MG002": ("duplicate-name", "error"),
    "MG003": ("unknown-reference", "error"), "MG004": ("dependency-cycle", "error"),
    "MG005": ("provider-missing", "warning"), "MG006": ("provider-conflict", "error"),
    "MG007": ("owner-missing", "error"), "MG008": ("schema-invalid", "error"),
    "MG101": ("breaking-change-in-version", "error"), "MG102": ("removed-before-sunset", "error"),
    "MG103": ("removed-while-consumed", "error"), "MG104": ("deprecation-incomplete", "error"),
    "MG105": ("deprecation-window-too-short", "error"), "MG106": ("sunset-moved-earlier", "error"),
    "MG107": ("replacement-not-active", "error"), "MG108": ("migration-guide-missing", "warning"),
    "MG109": ("slo-weakened", "error"), "MG110": ("fallback-removed", "error"),
    "MG111": ("stability-decreased", "error"), "MG112": ("arrives-deprecated", "warning"),
    "MG113": ("contract-removed-while-consumed", "error"), "MG201": ("consumes-deprecated", "warning"),
    "MG202": ("consumes-retired", "error"), "MG203": ("new-dependency-on-deprecated", "error"),
    "MG204": ("latency-budget-exceeded", "warning"), "MG205": ("major-version-behaviour-change", "notice"),
    "MG301": ("owner-approval", "approval"), "MG302": ("downstream-approval", "approval"),
}

GOOD = """\
id: MG900
name: example-rule
severity: warning
summary: Something to check.
why: Because.
fix: Do this.
example: |-
  ```yaml
  a: 1
  ```
"""


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_published_rules_keep_their_names_and_defaults():
    rules = catalog()
    assert set(PUBLISHED) <= set(rules), "a published rule id may not disappear"
    assert {rule_id: (rules[rule_id].name, rules[rule_id].severity) for rule_id in PUBLISHED} == PUBLISHED


def test_every_rule_makes_findings_but_the_approval_rules():
    assert [rule.id for rule in catalog().values() if not rule.makes_findings] == ["MG301", "MG302"]
    assert all(rule.makes_findings == (rule.severity in ("error", "warning", "notice")) for rule in catalog().values())


def test_catalogue_is_ordered_by_id_and_documented():
    rules = catalog()
    assert list(rules) == sorted(rules)
    for rule in rules.values():
        assert rule.summary and rule.why and rule.fix and rule.example, rule.id


def render_markdown(rules: dict[str, Rule] | None = None) -> str:
    return RULES.render("markdown", list((rules or catalog()).values()))


def test_docs_rules_md_is_generated_from_rules():
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == render_markdown(), (
        "docs/rules.md is stale: run `modelgate rules --format markdown > docs/rules.md`"
    )


def test_markdown_has_a_section_per_rule_and_escapes_table_pipes(tmp_path):
    write(tmp_path, "MG900.yaml", GOOD.replace("Something to check.", "a | b"))
    text = render_markdown(load_catalog(tmp_path))
    assert "## MG900 example-rule" in text
    assert "| a \\| b |" in text
    assert "```yaml\na: 1\n```" in text
    assert all(f"## {rule_id} {name}" in render_markdown() for rule_id, (name, _) in PUBLISHED.items())


def test_load_catalog_reads_a_valid_directory(tmp_path):
    write(tmp_path, "MG900.yaml", GOOD)
    write(tmp_path, "README.txt", "not a rule")
    rule = load_catalog(tmp_path)["MG900"]
    assert (rule.name, rule.severity, rule.example) == ("example-rule", "warning", "```yaml\na: 1\n```")


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("MG900.yaml", "id: [unclosed", "not valid YAML"),
        ("MG900.yaml", GOOD + "extra: 1\n", "extra: Unexpected keyword argument"),
        ("MG900.yaml", GOOD.replace("why: Because.\n", ""), "why: Field required"),
        ("MG900.yaml", GOOD.replace("severity: warning", "severity: fatal"), "severity"),
        ("MG900.yaml", GOOD.replace("summary: Something to check.", "summary: 3"), "summary"),
        ("MG901.yaml", GOOD, "name the file (MG900.yaml)"),
        ("MG900.yaml", GOOD.replace("name: example-rule", "name: Example_Rule"), "kebab-case"),
        ("MG900.yaml", GOOD.replace("severity: warning", "severity: approval"), "approval"),
        ("MG900.yaml", "- a list\n", "MG900.yaml"),
        ("MG900.yaml", GOOD + "escalation: {severity: notice, when: later}\n", "must be more severe"),
        ("MG900.yaml", GOOD + "escalation: {severity: warning, when: later}\n", "must be more severe"),
        ("MG900.yaml", GOOD + "escalation: {severity: error}\n", "escalation.when: Field required"),
        ("MG900.yaml", GOOD + "escalation: {severity: fatal, when: later}\n", "escalation.severity"),
    ],
)
def test_a_broken_catalogue_file_is_a_clear_error(tmp_path, name, text, message):
    write(tmp_path, name, text)
    with pytest.raises(CatalogError, match=re.escape(message)) as raised:
        load_catalog(tmp_path)
    assert name in str(raised.value)


def test_an_escalation_is_read_and_shown_only_where_a_rule_has_one(tmp_path):
    write(tmp_path, "MG900.yaml", GOOD + "escalation:\n  severity: error\n  when: from the sunset day on\n")
    write(tmp_path, "MG901.yaml", GOOD.replace("MG900", "MG901").replace("example-rule", "other-rule"))
    rules = load_catalog(tmp_path)
    assert rules["MG900"].escalation == Escalation("error", "from the sunset day on")
    assert rules["MG901"].escalation is None
    shown = RULES.render("json", list(rules.values()))
    assert [entry.get("escalation") for entry in json.loads(shown)] == [
        {"severity": "error", "when": "from the sunset day on"}, None]
    assert [rule for rule in catalog().values() if rule.escalation] == [catalog()["MG201"]]


def test_an_approval_rule_needs_severity_approval(tmp_path):
    write(tmp_path, "MG301.yaml", GOOD.replace("MG900", "MG301"))
    with pytest.raises(CatalogError, match="approval"):
        load_catalog(tmp_path)


def test_duplicate_names_missing_and_empty_directories_are_errors(tmp_path):
    with pytest.raises(CatalogError, match="not found"):
        load_catalog(tmp_path / "absent")
    with pytest.raises(CatalogError, match="holds no rules"):
        load_catalog(tmp_path)
    write(tmp_path, "MG900.yaml", GOOD)
    write(tmp_path, "MG901.yaml", GOOD.replace("MG900", "MG901"))
    with pytest.raises(CatalogError, match="names used by several rules: example-rule"):
        load_catalog(tmp_path)


def test_a_wheel_install_reads_the_packaged_copy(tmp_path, monkeypatch):
    write(tmp_path / "_rules", "MG900.yaml", GOOD)
    monkeypatch.setattr(bot, "__file__", str(tmp_path / "__init__.py"))  # the installed package's directory
    assert bot.rules.catalog_directory() == tmp_path / "_rules"
    assert list(load_catalog(bot.rules.catalog_directory())) == ["MG900"]


def test_a_checkout_reads_the_top_level_rules_directory_and_the_installed_wheel_its_copy_of_it():
    """The checkout's ``bot`` reads ``rules/``; the installed wheel's (the release's test job) its ``bot/_rules``,
    which holds the same files."""
    where = Path(str(bot.rules.catalog_directory()))
    if BOT_HOME == ROOT:
        assert where == ROOT / "rules"
    else:
        assert where == Path(bot.__file__).resolve().parent / "_rules"
        assert {p.name: p.read_bytes() for p in where.iterdir()} == {
            p.name: p.read_bytes() for p in (ROOT / "rules").iterdir()}


def test_a_finding_has_the_catalogue_severity_unless_its_family_escalates_it():
    assert finding("MG005", "m", "f.yaml", 3, "contract:c@1") == Finding("MG005", "warning", "m", "f.yaml", 3,
                                                                          "contract:c@1")
    assert finding("MG205", "m", None, None).severity == "notice"
    late = finding("MG201", "m", None, None, escalated=True)  # the catalogue's escalation: MG201's error
    assert (late.severity, late.escalated) == ("error", True) == (catalog()["MG201"].escalation.severity, True)
    with pytest.raises(ValueError, match="MG005 has no escalation in the catalogue"):
        finding("MG005", "m", None, None, escalated=True)


def test_configured_applies_overrides():
    config = Config.model_validate({"rules": {"MG201": "error", "MG204": "off", "MG205": False, "MG108": "notice"}})
    found = [finding(rule, "m", "f.yaml", 1) for rule in ("MG201", "MG204", "MG205", "MG108", "MG101", "MG005")]
    assert [(f.rule, f.severity) for f in configured(found, config)] == [
        ("MG201", "error"), ("MG108", "notice"), ("MG101", "error"), ("MG005", "warning")]
    assert list(configured(found, Config())) == found
    late = finding("MG201", "m", "f.yaml", 1, escalated=True)  # one severity sets MG201's before its escalation
    for rules, severities in [({}, ["error"]), ({"MG201": "notice"}, ["error"]), ({"MG201": "error"}, ["error"]),
                              ({"MG201": {"before": "notice", "after": "warning"}}, ["warning"]),
                              ({"MG201": {"before": "error", "after": "off"}}, []), ({"MG201": "off"}, [])]:
        assert [f.severity for f in configured([late], Config.model_validate({"rules": rules}))] == severities, rules
    early = finding("MG201", "m", "f.yaml", 1)
    for rules, severities in [({"MG201": "notice"}, ["notice"]), ({"MG201": {"before": "off", "after": "error"}}, []),
                              ({"MG201": {"before": "error", "after": "notice"}}, ["error"])]:
        assert [f.severity for f in configured([early], Config.model_validate({"rules": rules}))] == severities, rules


def test_approval_rules_can_only_be_turned_off():
    assert catalog()["MG301"].severity == "approval"
    with pytest.raises(ValueError, match="MG301 is an approval rule"):
        finding("MG301", "m", None, None)
    assert Config().enabled("MG301")
    with pytest.raises(ValidationError, match="MG302 can only be turned off"):
        Config.model_validate({"rules": {"MG302": "warning"}})
    assert not Config.model_validate({"rules": {"MG301": "off"}}).enabled("MG301")


def test_configuration_refuses_rule_ids_the_catalogue_does_not_know():
    with pytest.raises(ValidationError, match="no rule MG999, MG150 in the catalogue"):
        Config.model_validate({"rules": {"MG999": "off", "MG101": "warning", "MG150": "error"}})


def test_the_catalogue_knows_nothing_of_the_configuration():
    """bot.config validates rule ids against the catalogue; bot.rules imports only the Finding it builds."""
    tree = ast.parse((ROOT / "bot" / "rules.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert {name for name in imported if name and name.split(".")[0] == "bot"} == {"bot", "bot.result"}


@pytest.mark.parametrize("text", ["MG١٠١", "MG101\n", "mg101", "MG1010", " MG101"])
def test_a_rule_id_is_mg_and_three_ascii_digits_exactly(text):
    assert not RULE_ID_RE.match(text)
    assert RULE_ID_RE.match("MG101")
