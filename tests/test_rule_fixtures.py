"""Every rule of the catalogue has a handler in the registry and a fixture that triggers it (in the spirit of buf's
testdata): ``tests/rules/MGxxx/`` holds ``base/`` and ``head/`` (two small monorepos), ``case.yaml`` (the day of the
check) and ``expected.json``, what ``modelgate check --base base --head head --format json --today DAY`` reports
of that rule: its findings (rule, file, line, severity, message), or for MG3xx its approval groups (offline there
are no reviews, so every group is reported unsatisfied). The whole list of the rule is compared, so a changed
message or line fails. A few fixtures run the real CLI in a subprocess; the rest call the core.

``python -m tests.test_rule_fixtures MGxxx`` (re)writes a fixture's ``expected.json`` from the CLI: read the diff.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

import bot.check  # every family: the registry is complete
from bot import registry
from bot.loader import Loader
from bot.rules import APPROVAL, catalog
from bot.sources import DirectorySource
from tests.helpers import BOT_HOME

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "rules"
VIA_CLI = ("MG001", "MG105", "MG204", "MG301")  # the rest call bot.check.evaluate directly
FINDING_KEYS = ("rule", "file", "line", "severity", "message")
APPROVAL_KEYS = ("rule", "subject", "owners", "reason", "satisfied")


def today_of(folder: Path) -> date:
    return date.fromisoformat(str(yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))["today"]))


def check_via_cli(folder: Path) -> dict[str, Any]:
    env = {**os.environ, "MODELGATE_CACHE_DIR": "none", "PYTHONPATH": str(BOT_HOME)}
    env.pop("MODELGATE_TODAY", None)
    done = subprocess.run([sys.executable, "-m", "bot", "check", "--base", "base", "--head", "head", "--format", "json",
                           "--today", today_of(folder).isoformat()],
                          cwd=folder, env=env, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    output: dict[str, Any] = json.loads(done.stdout)
    return output


def check_via_core(folder: Path) -> dict[str, Any]:
    base = Loader(DirectorySource(folder / "base", label="base")).load()
    head = Loader(DirectorySource(folder / "head", label="head"), base.config).load()
    return bot.check.evaluate(base, head, today_of(folder)).to_json()


def of_rule(output: dict[str, Any], rule: str) -> dict[str, list[dict[str, Any]]]:
    """What ``output`` (a check's JSON) reports of ``rule``, in the shape of ``expected.json``."""
    if catalog()[rule].severity == APPROVAL:
        return {"approvals": [{k: a[k] for k in APPROVAL_KEYS} for a in output["approvals"] if a["rule"] == rule]}
    return {"findings": [{k: f[k] for k in FINDING_KEYS} for f in output["findings"] if f["rule"] == rule]}


def expected(rule: str) -> dict[str, list[dict[str, Any]]]:
    text = (FIXTURES / rule / "expected.json").read_text(encoding="utf-8")
    loaded: dict[str, list[dict[str, Any]]] = json.loads(text)
    return loaded


def test_the_catalogue_and_the_registry_have_the_same_rules() -> None:
    registered, catalogued = set(registry.registered()), set(catalog())
    assert not catalogued - registered, (
        f"{sorted(catalogued - registered)}: in rules/ but no handler registers it — decorate the handler that emits "
        "it with @registry.on_state/on_change/on_approval(family, RULE), and make sure bot/policy/engine.py imports "
        "its module")
    assert not registered - catalogued, f"{sorted(registered - catalogued)}: registered, but no rules/RULE.yaml"
    assert list(registry.registered()) == list(catalog())  # both in id order


def test_each_registration_names_its_family_scope_and_handler() -> None:
    for rule, registration in registry.registered().items():
        assert rule in registration.rules
        assert registration.family and callable(registration.handler)
        assert (registration.scope == "approval") == (catalog()[rule].severity == APPROVAL), rule


def test_a_rule_has_one_handler_and_a_handler_at_least_one_rule() -> None:
    with pytest.raises(ValueError, match="MG204 is registered twice: by latency and elsewhere"):
        registry.on_state("elsewhere", "MG204")(lambda state: [])
    with pytest.raises(ValueError, match="registers no rule"):
        registry.on_change("elsewhere")(lambda ctx: [])
    assert list(registry.registered()) == list(catalog())  # neither attempt registered anything


def test_every_rule_has_a_fixture_and_every_fixture_a_rule() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert not set(catalog()) - folders, (
        f"no fixture for {sorted(set(catalog()) - folders)}: add tests/rules/RULE/ with base/ and head/ (two small "
        "monorepos that trigger it) and case.yaml ('today: YYYY-MM-DD'), then write expected.json with "
        "`python -m tests.test_rule_fixtures RULE` and read it")
    assert not folders - set(catalog()), f"fixtures of no rule: {sorted(folders - set(catalog()))}"
    for rule in catalog():
        folder = FIXTURES / rule
        assert (folder / "base").is_dir() and (folder / "head").is_dir(), f"{rule}: base/ and head/ are needed"
        assert (folder / "case.yaml").is_file(), f"{rule}: case.yaml ('today: YYYY-MM-DD') is needed"
        assert today_of(folder), rule
        assert next(iter(expected(rule).values())), f"{rule}: the fixture must trigger its rule"


@pytest.mark.parametrize("rule", list(catalog()))
def test_a_fixture_reports_exactly_the_expected_findings_of_its_rule(rule: str) -> None:
    folder = FIXTURES / rule
    output = check_via_cli(folder) if rule in VIA_CLI else check_via_core(folder)
    assert of_rule(output, rule) == expected(rule)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        if not (FIXTURES / name / "case.yaml").is_file():
            sys.exit(f"tests/rules/{name}/case.yaml is missing: write 'today: YYYY-MM-DD' there (the day of the check)")
        written = json.dumps(of_rule(check_via_cli(FIXTURES / name), name), indent=2, ensure_ascii=False)
        (FIXTURES / name / "expected.json").write_text(written + "\n", encoding="utf-8")
