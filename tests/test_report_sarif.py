"""``--format sarif`` (bot/report/sarif.py): every output validated against the SARIF 2.1.0 JSON Schema (OASIS,
vendored in tests/fixtures/sarif/ with its notice) and against what GitHub code scanning requires of an upload."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest

from bot.github.code_scanning import limits
from bot.policy.engine import waive
from bot.report import sarif
from bot.report.formats import LINT, REPORT
from bot.report.jinja_env import render_template
from bot.report.lint import LintReport
from bot.report.result import Report
from bot.result import Finding
from bot.rules import catalog
from tests.helpers import REPO_ROOT, make_repo, run_cli
from tests.test_format_goldens import document as golden_document

SCHEMA_PATH = REPO_ROOT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
EXAMPLE = "examples/fraud-platform"
HOSTILE = "</script><img src=x onerror=alert(1)> @everyone \x00\x1b[31mred\x1b[0m \u202egnp.exe \"q\" \\ ünïcødé 🚀"


@functools.cache
def _validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def github_problems(log: Mapping[str, Any]) -> list[str]:
    """What GitHub code scanning would refuse or could not show, beyond the schema: its limits (results, rules,
    runs, locations, tags), a result without ``ruleId`` or message, a ``ruleIndex`` that does not point at its
    rule, a result without a location or a location without a file (GitHub refuses the whole upload then), a file
    that is not a relative path, a line before the first, fingerprints that collide."""
    problems = list(limits(log))
    for run in log["runs"]:
        rules = run["tool"]["driver"]["rules"]
        if not run["tool"]["driver"].get("name"):
            problems.append("no tool name")
        for rule in rules:
            if not (rule.get("shortDescription", {}).get("text") and rule.get("help", {}).get("text")):
                problems.append(f"{rule['id']}: no shortDescription or help text for the alert's page")
        prints = [r["partialFingerprints"][sarif.FINGERPRINT] for r in run["results"]]
        if len(prints) != len(set(prints)):
            problems.append("two results share a fingerprint: GitHub would merge their alerts")
        for result in run["results"]:
            if not result.get("ruleId") or not result.get("message", {}).get("text"):
                problems.append(f"a result without ruleId or message: {result}")
            if "ruleIndex" in result and rules[result["ruleIndex"]]["id"] != result["ruleId"]:
                problems.append(f"ruleIndex {result['ruleIndex']} is not {result['ruleId']}")
            if not result.get("locations"):
                problems.append(f"a result without a location (GitHub refuses the whole file): {result}")
            for location in result.get("locations", []):
                physical = location.get("physicalLocation")
                if not physical or not physical.get("artifactLocation", {}).get("uri"):
                    problems.append(f"a location without a file (GitHub refuses the whole file): {location}")
                    continue
                uri, base = physical["artifactLocation"]["uri"], physical["artifactLocation"]["uriBaseId"]
                if urlsplit(uri).scheme or uri.startswith("/") or base != "%SRCROOT%":
                    problems.append(f"{uri}: not a path relative to the repository's root")
                if physical.get("region", {}).get("startLine", 1) < 1:
                    problems.append(f"{uri}: a line before the first")
    return problems


def assert_valid(log: Mapping[str, Any]) -> None:
    """``log`` is SARIF 2.1.0 by the OASIS schema, and GitHub would take all of it."""
    errors = sorted(_validator().iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    assert github_problems(log) == []


def results(log: Mapping[str, Any]) -> list[dict[str, Any]]:
    [run] = log["runs"]
    return list(run["results"])


def _cli_sarif(*args: str, cwd: Path | None = None) -> dict[str, Any]:
    done = run_cli(*args, "--format", "sarif", cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    assert done.stderr == ""
    log: dict[str, Any] = json.loads(done.stdout)
    return log


# --- the real command line ----------------------------------------------------------------------------------------

def test_the_example_platforms_check_is_valid_sarif_with_one_result_per_finding() -> None:
    log = _cli_sarif("check", "--base", f"{EXAMPLE}/base", "--head", f"{EXAMPLE}/head", "--today", "2026-11-28",
                     "--cache-dir", "none")
    assert_valid(log)
    findings = json.loads(run_cli("check", "--base", f"{EXAMPLE}/base", "--head", f"{EXAMPLE}/head", "--today",
                                  "2026-11-28", "--cache-dir", "none", "--format", "json").stdout)["findings"]
    shown = results(log)
    assert [(r["ruleId"], r["message"]["text"]) for r in shown] == [(f["rule"], f["message"]) for f in findings]
    assert [r["level"] for r in shown] == [{"notice": "note"}.get(f["severity"], f["severity"]) for f in findings]
    for result, finding in zip(shown, findings, strict=True):
        [location] = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == finding["file"]
        assert location["physicalLocation"]["region"]["startLine"] == finding["line"]
        assert result["baselineState"] == ("unchanged" if finding["preexisting"] else "new")
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "modelgate" and "informationUri" not in driver
    assert [rule["id"] for rule in driver["rules"]] == [r.id for r in catalog().values() if r.makes_findings]


def test_the_example_platforms_lint_is_valid_sarif() -> None:
    log = _cli_sarif("lint", f"{EXAMPLE}/head")
    assert_valid(log)
    assert all("baselineState" not in r for r in results(log))  # lint has no base to compare with


def test_the_hostile_manifests_lint_is_valid_sarif_and_names_every_file_exactly() -> None:
    log = _cli_sarif("lint", "tests/hostile")
    assert_valid(log)
    findings = json.loads(run_cli("lint", "tests/hostile", "--format", "json").stdout)["findings"]
    assert len(results(log)) == len(findings) > 20
    for result, finding in zip(results(log), findings, strict=True):
        if finding["file"]:
            uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            assert unquote(uri) == finding["file"]


def test_a_file_name_of_any_characters_is_a_relative_uri_naming_it(tmp_path: Path) -> None:
    name = "models/ünï cødé #1 ?x=%41 [a].yaml"
    repo = make_repo(tmp_path / "repo", {name: "apiVersion: modelgate/V1\nkind: Model\n"})
    log = _cli_sarif("lint", str(repo))
    assert_valid(log)
    [result] = [r for r in results(log) if r["ruleId"] == "MG001"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.isascii() and " " not in uri and "#" not in uri and "?" not in uri
    assert unquote(uri) == name


# --- documents made by the real command, then changed as GitHub would ---------------------------------------------

def test_a_waived_finding_is_suppressed_externally_with_who_and_why() -> None:
    report: Report = golden_document("check")
    waived = waive(report.result.findings, {"MG101": ("octo-admin", "checked with every consumer")})
    log = sarif.of_report(dataclasses.replace(report, result=dataclasses.replace(report.result, findings=waived)))
    assert_valid(log)
    suppressed = [r for r in results(log) if "suppressions" in r]
    assert suppressed and {r["ruleId"] for r in suppressed} == {"MG101"}
    assert suppressed[0]["suppressions"] == [{"kind": "external", "status": "accepted",
                                              "justification": "waived by @octo-admin: checked with every consumer"}]
    assert all("suppressions" not in r for r in results(log) if r["ruleId"] != "MG101")


def test_fingerprints_are_stable_and_ignore_the_line_and_the_day() -> None:
    report: Report = golden_document("check")
    first = [r["partialFingerprints"] for r in results(sarif.of_report(report))]
    assert first == [r["partialFingerprints"] for r in results(sarif.of_report(report))]
    moved = [dataclasses.replace(f, line=(f.line or 0) + 10) for f in report.result.findings]
    log = sarif.of_report(dataclasses.replace(report, result=dataclasses.replace(report.result, findings=moved)))
    assert [r["partialFingerprints"] for r in results(log)] == first
    reworded = [dataclasses.replace(f, message=f.message + "!") for f in report.result.findings]
    log = sarif.of_report(dataclasses.replace(report, result=dataclasses.replace(report.result, findings=reworded)))
    assert all(a != b for a, b in zip([r["partialFingerprints"] for r in results(log)], first, strict=True))


def _fingerprints_on(day: str) -> dict[tuple[str, str], list[str]]:
    """The example's check on ``day`` through the real command: each (rule, subject)'s fingerprints."""
    log = _cli_sarif("check", "--base", f"{EXAMPLE}/base", "--head", f"{EXAMPLE}/head", "--today", day,
                     "--cache-dir", "none")
    assert_valid(log)
    prints: dict[tuple[str, str], list[str]] = {}
    for result in results(log):
        prints.setdefault((result["ruleId"], result["properties"]["subject"]), []).append(
            result["partialFingerprints"][sarif.FINGERPRINT])
    return prints


def test_an_alert_keeps_its_fingerprint_from_one_day_to_the_next() -> None:
    """The example's MG102, MG105 and MG201 messages count the days to a sunset: the next day's run (or one a week
    later) must name the same alerts, or code scanning would close and reopen them daily and lose dismissals."""
    today, tomorrow, week = (_fingerprints_on(day) for day in ("2026-11-28", "2026-11-29", "2026-12-05"))
    assert {rule for rule, _ in today} >= {"MG102", "MG105", "MG201"}
    assert tomorrow == today
    assert week == today
    assert sum(len(p) for p in today.values()) == len({p for ps in today.values() for p in ps}) == 13


@pytest.mark.parametrize(("message", "same_as"), [
    ("contract:a@1 is retired before its sunset 2027-01-15 (48 days left)",
     "contract:a@1 is retired before its sunset 2027-01-16 (1 day left)"),
    ("model:m consumes contract:a@1, deprecated; sunset 2026-12-15 (today); replacement a@2",
     "model:m consumes contract:a@1, deprecated; sunset 2026-12-15 (3 days ago); replacement a@2"),
    ("contract:a@1 is deprecated with sunset 2027-01-31, 64 days from 2026-11-28; a stable version needs at least "
     "90 days: a sunset on or after 2027-02-26",
     "contract:a@1 is deprecated with sunset 2027-01-31, 63 days from 2026-11-29; a stable version needs at least "
     "90 days: a sunset on or after 2027-02-27"),
])
def test_dates_and_day_counts_are_masked(message: str, same_as: str) -> None:
    assert sarif.stable_message(message) == sarif.stable_message(same_as)


def test_findings_differing_in_a_version_or_a_word_keep_distinct_fingerprints() -> None:
    first = Finding("MG201", "warning", "model:m consumes contract:a@1, deprecated; sunset 2026-12-15 (17 days left)",
                    "models/m.yaml", 4, "model:m")
    other_version = dataclasses.replace(first, message=first.message.replace("a@1", "a@2"))
    other_field = Finding("MG101", "error", "contract:a@2: field x removed", "contracts/a.yaml", 3, "contract:a@2")
    log = _lint_log(first, other_version, other_field, dataclasses.replace(other_field, message="contract:a@2: field "
                                                                                                 "y removed"))
    assert_valid(log)  # no two fingerprints alike
    assert all(p.endswith(":1") for p in (r["partialFingerprints"][sarif.FINGERPRINT] for r in results(log)))


def test_every_run_is_in_modelgates_code_scanning_category() -> None:
    for log in (sarif.of_report(golden_document("check")), _cli_sarif("lint", f"{EXAMPLE}/head")):
        assert [run["automationDetails"] for run in log["runs"]] == [{"id": "modelgate/"}]


# --- findings of every shape -------------------------------------------------------------------------------------

def _lint_log(*findings: Finding) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(LINT.render("sarif", LintReport(findings, manifests=1)))
    return log


def test_a_finding_without_a_line_has_its_file_and_no_region() -> None:
    log = _lint_log(Finding("MG007", "warning", "model:a has no owner", "models/a.yaml", None, "model:a"))
    assert_valid(log)
    [result] = results(log)
    assert result["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": "models/a.yaml",
                                                                               "uriBaseId": "%SRCROOT%"}}}]


def test_a_finding_without_a_file_is_on_the_configuration_and_names_its_subject() -> None:
    log = _lint_log(Finding("MG204", "notice", "model:gone is consumed by nothing", None, None, "model:gone"),
                    Finding("MG003", "error", "something of no subject", None, 4))
    assert_valid(log)
    subject, nothing = results(log)
    config = {"artifactLocation": {"uri": ".modelgate.yml", "uriBaseId": "%SRCROOT%"}}  # no line: not one of its
    assert subject["locations"] == [{"physicalLocation": config, "logicalLocations": [
        {"name": "model:gone", "fullyQualifiedName": "model:gone", "kind": "resource"}]}]
    assert subject["level"] == "note"
    assert nothing["locations"] == [{"physicalLocation": config}]


def test_github_refuses_a_result_without_a_file_and_the_check_says_so() -> None:
    log = _lint_log(Finding("MG204", "notice", "m", None, None, "model:gone"))
    del results(log)[0]["locations"][0]["physicalLocation"]
    assert github_problems(log) and "without a file" in github_problems(log)[0]
    del log["runs"][0]["results"][0]["locations"]
    assert github_problems(log) and "without a location" in github_problems(log)[0]


def test_hostile_and_non_ascii_text_is_carried_exactly_as_data() -> None:
    finding = Finding("MG001", "error", HOSTILE, f"models/{HOSTILE[:12]}.yaml", 3, f"model:{HOSTILE}")
    text = LINT.render("sarif", LintReport([finding], manifests=1))
    log = json.loads(text)
    assert_valid(log)
    [result] = results(log)
    # controls and the bidi override shown as U+FFFD, brackets escaped (no embedded link), the rest as it is
    assert result["message"]["text"] == ("</script><img src=x onerror=alert(1)> @everyone \ufffd\ufffd\\[31mred"
                                         "\ufffd\\[0m \ufffdgnp.exe \"q\" \\ ünïcødé 🚀")
    assert result["properties"]["subject"] == f"model:{HOSTILE}"
    assert unquote(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) == finding.file
    assert "\x00" not in text and "\x1b" not in text  # control characters are JSON escapes (\u0000), not bytes
    assert "ünïcødé 🚀" in text  # the rest is UTF-8 as it is


def test_a_manifests_link_syntax_is_no_embedded_link() -> None:
    """SARIF viewers turn ``[text](target)`` of a message into a link (SARIF 2.1.0, 3.11.6): a schema property or a
    file name chosen by a pull request must not become one, so its brackets are escaped (and a backslash before
    one)."""
    name = "[pwn](https://evil.example/x) a\\[b]"
    log = _lint_log(Finding("MG010", "warning", f"field {name} is not in the schema", "models/a.yaml", 2, "model:a"))
    assert_valid(log)
    assert results(log)[0]["message"]["text"] == (
        "field \\[pwn\\](https://evil.example/x) a\\\\\\[b\\] is not in the schema")


def test_a_waivers_justification_is_plain_sarif_text_too() -> None:
    waived = Finding("MG101", "error", "x", "c.yaml", 1, "contract:c@1", waived_by="adm", waived_reason="[ok](https://x)")
    [suppression] = results(_lint_log(waived))[0]["suppressions"]
    assert "\\[ok\\](https://x)" in suppression["justification"] and "[ok]" not in suppression["justification"]


def test_equal_findings_get_distinct_fingerprints() -> None:
    same = Finding("MG002", "error", "two models named a", "models/a.yaml", 1, "model:a")
    log = _lint_log(same, dataclasses.replace(same, line=9))
    assert_valid(log)
    prints = [r["partialFingerprints"][sarif.FINGERPRINT] for r in results(log)]
    assert prints[0].endswith(":1") and prints[1].endswith(":2") and prints[0][:-2] == prints[1][:-2]


@pytest.mark.parametrize(("severity", "level"), [("error", "error"), ("warning", "warning"), ("notice", "note")])
def test_levels_follow_the_effective_severity_and_rules_their_default(severity: str, level: str) -> None:
    log = _lint_log(Finding("MG201", severity, "m", "models/a.yaml", 1, "model:a"))  # type: ignore[arg-type]
    [result] = results(log)
    assert result["level"] == level
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    mg201 = rules[result["ruleIndex"]]
    assert mg201["id"] == "MG201"
    assert mg201["defaultConfiguration"]["level"] == {"notice": "note"}.get(catalog()["MG201"].severity,
                                                                           catalog()["MG201"].severity)
    assert mg201["shortDescription"]["text"] == catalog()["MG201"].summary
    assert catalog()["MG201"].fix in mg201["help"]["markdown"] and mg201["help"]["text"] == catalog()["MG201"].fix


def test_a_rules_help_is_its_entry_of_the_reference_under_a_bold_title() -> None:
    rules = sarif.document([], baseline=False)["runs"][0]["tool"]["driver"]["rules"]
    for descriptor in rules:
        rule = catalog()[descriptor["id"]]
        entry = render_template("_rule.md.j2", rule=rule)
        title = f"## {rule.id} {rule.name}\n"
        assert entry.startswith(title)
        assert descriptor["help"]["markdown"] == f"**{rule.id} {rule.name}**\n" + entry.removeprefix(title).rstrip("\n")


def test_check_sarif_from_the_registry_has_a_result_per_finding_against_the_base() -> None:
    """``check --format sarif``: the registry's renderer prints the check's findings in order, each new or unchanged
    against the base (a pre-existing one unchanged), as UTF-8 text (non-ASCII kept, not escaped)."""
    report: Report = golden_document("check")
    text = REPORT.render("sarif", report)
    results = json.loads(text)["runs"][0]["results"]
    assert [(r["ruleId"], r["baselineState"]) for r in results] == [
        (f.rule, "unchanged" if f.preexisting else "new") for f in report.result.findings]
    assert "unchanged" in {r["baselineState"] for r in results}  # the golden has a pre-existing finding
    assert any(ord(c) > 127 for c in text) and "\\u" not in text and text.endswith("}\n")


def test_github_limits_are_checked() -> None:
    finding = Finding("MG007", "warning", "m", "models/a.yaml", 1, "model:a")
    log = sarif.document([finding] * 25_001, baseline=False)
    assert github_problems(log) == ["25,001 results, more than GitHub's 25,000 per run"]
    assert github_problems(sarif.document([finding] * 25_000, baseline=False)) == []
