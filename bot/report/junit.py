"""Findings as JUnit XML (``--format junit``), the test report CI systems other than GitHub show (Jenkins, GitLab,
Azure Pipelines, CircleCI ...).

The layout, and why: a ``<testsuite>`` per rule of the catalogue that makes findings (``MG101
breaking-change-in-version``), every one of them, in id order, and in it a ``<testcase>`` per finding of that rule
(classname ``modelgate.MG101``; name: its subject and where it is). A rule without findings has one passing
testcase, so a clean run shows every rule passed, never an empty report (which Jenkins' ``junit`` step takes for
a failure), and the number of tests stays comparable from run to run. Jenkins groups the tests by classname
(package ``modelgate``, class ``MG101``) and GitLab by suite, so either shows the failures per rule, each with
the message and the file and line.

What each finding becomes:

- a finding that fails the run: ``<failure>`` (message the finding's, type the rule id; text: where, the message,
  the rule's summary and how to fix it). That is a blocking error, and with ``--fail-on warning|notice`` also an
  unwaived, new finding of that severity or above: the report fails exactly when the exit code does;
- an error that does not block, waived by an admin or preexisting (the same at base): ``<skipped>`` with why;
- any other warning or notice: a passing testcase with the finding in ``<system-out>``: it does not fail the
  run, so it does not fail the test report either.

The XML is built with ``xml.etree`` (the library escapes ``<``, ``&`` and quotes); what XML 1.0 cannot hold at all
(NUL, ESC ...) is replaced first by :func:`bot.escape.xml_text`. Every element and attribute used is in the
Jenkins JUnit schema (``tests/fixtures/junit/jenkins-junit.xsd``), which the tests validate against. The texts of
``<failure>``, ``<skipped>`` and ``<system-out>`` are templates (``junit-*.txt.j2``), plain text: escaping them is
the XML library's job, never the template's.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from bot.escape import xml_text
from bot.report.jinja_env import render_template

if TYPE_CHECKING:
    from bot.report.lint import LintReport
    from bot.report.result import Report
    from bot.result import Finding, Severity
    from bot.rules import Rule

CLASS_PREFIX = "modelgate."


def of_report(report: Report) -> str:
    return document(report.result.findings, "modelgate check", fail_on=report.fail_on)


def of_lint(report: LintReport) -> str:
    """The suites of the rules ``lint`` runs (its family, MG0xx): a rule it never evaluates is no passed test."""
    from bot import lint
    from bot.registry import registered
    from bot.rules import catalog

    families = {rule: registration.family for rule, registration in registered().items()}
    catalogue = {rule_id: rule for rule_id, rule in catalog().items() if families.get(rule_id) == lint.FAMILY}
    return document(report.findings, "modelgate lint", catalogue, fail_on=report.fail_on)


def document(findings: Sequence[Finding], name: str, catalogue: Mapping[str, Rule] | None = None,
             fail_on: Severity = "error") -> str:
    """The JUnit XML of ``findings`` (``name``: the run, e.g. ``modelgate check``), a testsuite per rule; a finding
    that fails a run failing on ``fail_on`` and above is a failure."""
    if catalogue is None:
        from bot.rules import catalog

        catalogue = catalog()
    suites = {rule.id: f"{rule.id} {rule.name}" for rule in catalogue.values() if rule.makes_findings}
    for f in findings:  # a rule the catalogue does not know still gets its suite (it never should)
        suites.setdefault(f.rule, f.rule)
    root = ET.Element("testsuites", name=xml_text(name))
    totals = {"tests": 0, "failures": 0}
    for rule_id, suite_name in suites.items():
        suite = _suite(rule_id, suite_name, [f for f in findings if f.rule == rule_id], catalogue.get(rule_id),
                       fail_on)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", "0")
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(rule_id: str, name: str, findings: Sequence[Finding], rule: Rule | None, fail_on: Severity,
           ) -> ET.Element:
    suite = ET.Element("testsuite", name=xml_text(name))
    classname = xml_text(CLASS_PREFIX + rule_id)
    if not findings:
        ET.SubElement(suite, "testcase", classname=classname, name=xml_text(f"{name}: no findings"), time="0")
    names: dict[str, int] = {}
    for finding in findings:
        suite.append(_case(finding, classname, _unique(_case_name(finding), names), rule, fail_on))
    cases = list(suite)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(case.find("failure") is not None for case in cases)))
    suite.set("errors", "0")
    suite.set("skipped", str(sum(case.find("skipped") is not None for case in cases)))
    suite.set("time", "0")
    return suite


def _case(finding: Finding, classname: str, name: str, rule: Rule | None, fail_on: Severity) -> ET.Element:
    case = ET.Element("testcase", classname=classname, name=xml_text(name), time="0")
    where = _where(finding)
    if finding.fails(fail_on):
        failure = ET.SubElement(case, "failure", message=xml_text(finding.message), type=xml_text(finding.rule))
        failure.text = _text("junit-failure.txt.j2", finding, where, rule)
    elif finding.severity == "error":
        ET.SubElement(case, "skipped").text = _text("junit-skipped.txt.j2", finding, where, rule)
    else:
        ET.SubElement(case, "system-out").text = _text("junit-system-out.txt.j2", finding, where, rule)
    return case


def _text(template: str, finding: Finding, where: str, rule: Rule | None) -> str:
    """The plain text of a testcase's element from its template, made fit for XML (ElementTree escapes the rest)."""
    return xml_text(render_template(template, finding=finding, where=where, rule=rule))


def _where(finding: Finding) -> str:
    if not finding.file:
        return ""
    return f"{finding.file}:{finding.line}" if finding.line else finding.file


def _case_name(finding: Finding) -> str:
    """What the finding is about: its subject and where it is, as far as known."""
    where = _where(finding)
    if finding.subject and where:
        return f"{finding.subject} ({where})"
    return finding.subject or where or finding.rule


def _unique(name: str, seen: dict[str, int]) -> str:
    """``name``, numbered (``name #2``) when the suite already has a testcase of that name."""
    seen[name] = seen.get(name, 0) + 1
    return name if seen[name] == 1 else f"{name} #{seen[name]}"
