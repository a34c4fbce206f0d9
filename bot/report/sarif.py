"""Findings as SARIF 2.1.0 (``--format sarif``): one run of the tool ``modelgate``, its rules from the catalogue.

The document is built as data (dicts and lists) and printed by the registry's JSON renderer; nothing here
concatenates JSON. The pieces:

- ``tool.driver``: name ``modelgate``, its version, and every rule of the catalogue that makes findings (MG3xx
  approval rules make approval groups, not findings, and are left out): ``shortDescription`` is the summary,
  ``fullDescription`` why it matters, ``help`` how to fix it (``help.markdown`` the rule's whole entry, as
  ``docs/rules.md`` has it), ``defaultConfiguration.level`` its default severity (``notice`` is SARIF's
  ``note``). No ``informationUri``: the project has no published home page to point at.
- one result per finding, in the findings' order: ``ruleId`` and ``ruleIndex``, the level of the finding's
  effective severity (after the configuration's overrides), the message as plain text (``escape.sarif_text``:
  brackets escaped, so a manifest's ``[text](target)`` is no link; controls and bidi overrides replaced), and
  where it is:
  ``physicalLocation`` with the repository-relative file (percent-encoded, under ``%SRCROOT%``, the root of
  the state checked) and ``region.startLine`` when the line is known. A finding without a file (a cycle's,
  the configuration's) is placed on the configuration, ``.modelgate.yml`` at the root, without a line, and names
  its subject (a model or ``contract@version``) as a ``logicalLocation``: GitHub refuses a whole upload when one
  result has no location, or a location without a file.
- ``partialFingerprints["modelgate/v2"]``: a SHA-256 of rule, subject, file and message, with ``:N`` for its N-th
  occurrence in the run. Never the line, so an edit above a finding does not make it a new alert; and never the
  day: the message's dates and day counts ("sunset 2027-01-15 (48 days left)") are masked
  (:func:`stable_message`), so an alert stays the same alert, dismissals included, from one day's run to the next.
  Any other word or number of the message (a version, a field) still tells two findings apart.
- ``automationDetails.id`` ``modelgate/``: the category of every modelgate analysis (``check`` and ``lint``
  alike), so the Action's direct upload, ``upload-sarif`` of the same file and a default branch's ``lint`` are
  one analysis to code scanning, each replacing the last of its commit and ref (docs/github.md).
- a waived finding (``/rollout override``) carries an ``external`` suppression, accepted, its justification
  who waived it and why (``_waiver.txt.j2``, as JUnit's ``<skipped>`` says it). A check's results carry
  ``baselineState``: ``unchanged`` for a finding that exists identically at base (preexisting), else ``new``;
  ``lint`` judges one state, so its results carry none.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

import bot
from bot.escape import sarif_text
from bot.report.jinja_env import render_template

if TYPE_CHECKING:
    from bot.report.lint import LintReport
    from bot.report.result import Report
    from bot.result import Finding
    from bot.rules import Rule

VERSION: Final = "2.1.0"
SCHEMA: Final = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL: Final = "modelgate"
SRCROOT: Final = "%SRCROOT%"
FINGERPRINT: Final = "modelgate/v2"
CATEGORY: Final = "modelgate/"  # runs[].automationDetails.id: code scanning's category of every modelgate analysis
# What a message says about the day it was checked on (MG102, MG105, MG106, MG201): masked in the fingerprint.
_DATE: Final = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_DAYS: Final = re.compile(r"\btoday\b|\b\d+ days?\b(?: (?:left|ago))?")
LEVELS: Final[Mapping[str, str]] = {"error": "error", "warning": "warning", "notice": "note"}


def of_report(report: Report) -> dict[str, Any]:
    """The SARIF of a check: its findings, each new or unchanged against the base."""
    return document(report.result.findings, baseline=True)


def of_lint(report: LintReport) -> dict[str, Any]:
    """The SARIF of ``lint``: the findings of one state."""
    return document(report.findings, baseline=False)


def document(findings: Sequence[Finding], *, baseline: bool, catalogue: Mapping[str, Rule] | None = None,
             version: str = bot.__version__) -> dict[str, Any]:
    """One SARIF log of one run holding ``findings`` (``baseline``: say which are preexisting)."""
    # loaded when a SARIF is rendered, not with the renderer registry (pydantic)
    from bot.config import CONFIG_PATH
    from bot.rules import catalog

    if catalogue is None:
        catalogue = catalog()
    rules = [rule for rule in catalogue.values() if rule.makes_findings]
    index = {rule.id: i for i, rule in enumerate(rules)}
    seen: dict[str, int] = {}
    results = [_result(f, index.get(f.rule), _fingerprint(f, seen), CONFIG_PATH, baseline=baseline)
               for f in findings]
    driver: dict[str, Any] = {"name": TOOL, "version": version, "semanticVersion": version,
                              "rules": [_descriptor(rule) for rule in rules]}
    return {
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [{
            "tool": {"driver": driver},
            "automationDetails": {"id": CATEGORY},
            "originalUriBaseIds": {SRCROOT: {"description": {"text": "The root of the repository checked."}}},
            "results": results,
        }],
    }


def _descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why},
        "help": {"text": rule.fix, "markdown": render_template("sarif-rule-help.md.j2", rule=rule).rstrip("\n")},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }


def _result(finding: Finding, rule_index: int | None, fingerprint: str, config_path: str, *,
            baseline: bool) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": finding.rule}
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    result["level"] = LEVELS[finding.severity]
    result["message"] = {"text": sarif_text(finding.message)}
    result["locations"] = [_location(finding, config_path)]
    result["partialFingerprints"] = {FINGERPRINT: fingerprint}
    if finding.waived_by is not None:
        justification = sarif_text(render_template("_waiver.txt.j2", finding=finding))
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": justification}]
    if baseline:
        result["baselineState"] = "unchanged" if finding.preexisting else "new"
    if finding.subject:
        result["properties"] = {"subject": finding.subject}
    return result


def _location(finding: Finding, config_path: str) -> dict[str, Any]:
    """Where the finding is: its file and line; without a file, the configuration, and its subject by name."""
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri(finding.file or config_path), "uriBaseId": SRCROOT}}
    if finding.file and finding.line:
        physical["region"] = {"startLine": finding.line}
    location: dict[str, Any] = {"physicalLocation": physical}
    if not finding.file and finding.subject:
        location["logicalLocations"] = [{"name": finding.subject, "fullyQualifiedName": finding.subject,
                                         "kind": "resource"}]
    return location


def uri(path: str) -> str:
    """A repository-relative path as a relative URI reference: every byte but unreserved ones and ``/``
    percent-encoded (a space, ``#``, ``?``, ``%`` or a non-ASCII letter cannot change what it names)."""
    return quote(path, safe="/")


def stable_message(message: str) -> str:
    """``message`` without what changes with the day it is checked on: dates and day counts masked."""
    return _DAYS.sub("<days>", _DATE.sub("<date>", message))


def _fingerprint(finding: Finding, seen: dict[str, int]) -> str:
    """A hash of what the finding is (never where on the page, nor the day), numbered among equal ones of the run."""
    parts = (finding.rule, finding.subject or "", finding.file or "", stable_message(finding.message))
    digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    seen[digest] = seen.get(digest, 0) + 1
    return f"{digest}:{seen[digest]}"
