"""``bot.result``: the JSON shape of docs/cli.md (`modelgate check`), which findings block, and the impacted models."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from bot.result import Approval, Change, ChecklistItem, Finding, Impacted, PlanStep, Result, Sunset

STABLE_TOP = ["verdict", "base", "head", "today", "findings", "changes", "impact", "approvals", "checklist", "plan"]
STABLE_FINDING = {"rule", "severity", "message", "file", "line", "subject", "waived_by", "preexisting"}
STABLE_CHANGE = {"subject", "kind", "type", "path", "breaking", "detail"}

FINDING = Finding("MG102", "error", "v1 removed before its sunset", "contracts/fraud-score.yaml", 31,
                  "contract:fraud-score@1")
CHANGE = Change("contract:fraud-score@2", "schema", "TYPE_CHANGED", "#/properties/score", True, "type changed",
                "contracts/fraud-score.yaml", 12)
DIRECT = Impacted("risk-router", ("@acme/payments",), 1, ("contract:fraud-score@2", "model:risk-router"),
                  via="contract:fraud-score@2", fields=("score",))
TRANSITIVE = Impacted("dashboard", ("@acme/bi",), 2,
                      ("contract:fraud-score@2", "model:risk-router", "contract:route@1", "model:dashboard"))


def full_result() -> Result:
    return Result(
        verdict="fail", base="abc123", head="def456", today=date(2026, 11, 28),
        findings=[FINDING], changes=[CHANGE], direct=[DIRECT], transitive=[TRANSITIVE],
        approvals=[Approval("MG302", "model:risk-router", ("@acme/payments",), "consumes fraud-score@2",
                            satisfied=True, by=("pat",), note="acked")],
        checklist=[ChecklistItem("migrate:risk-router:fraud-score@1", "move to v2", ("@acme/payments",),
                                 date(2026, 12, 15), False),
                   ChecklistItem("shadow:dashboard", "shadow first", ("@acme/bi",), None, True)],
        plan=[PlanStep(1, "shadow", ("fraud-scorer", "risk-router"), "impacted downstream")],
        sunsets=[Sunset("contract:fraud-score@1", date(2026, 12, 15), 17, ("risk-router",))],
        stages={"fraud-scorer": "canary"}, notes=["a note"],
    )


def test_to_json_is_the_spec_shape_exactly() -> None:
    assert full_result().to_json() == {
        "verdict": "fail", "base": "abc123", "head": "def456", "today": "2026-11-28",
        "findings": [{"rule": "MG102", "severity": "error", "message": "v1 removed before its sunset",
                      "file": "contracts/fraud-score.yaml", "line": 31, "subject": "contract:fraud-score@1",
                      "waived_by": None, "preexisting": False, "waived_reason": None}],
        "changes": [{"subject": "contract:fraud-score@2", "kind": "schema", "type": "TYPE_CHANGED",
                     "path": "#/properties/score", "breaking": True, "detail": "type changed",
                     "file": "contracts/fraud-score.yaml", "line": 12}],
        "impact": {
            "direct": [{"model": "risk-router", "via": "contract:fraud-score@2", "fields": ["score"],
                        "owners": ["@acme/payments"], "depth": 1,
                        "chain": ["contract:fraud-score@2", "model:risk-router"]}],
            "transitive": [{"model": "dashboard", "owners": ["@acme/bi"], "depth": 2,
                            "chain": ["contract:fraud-score@2", "model:risk-router", "contract:route@1",
                                      "model:dashboard"]}],
        },
        "approvals": [{"rule": "MG302", "subject": "model:risk-router", "owners": ["@acme/payments"],
                       "reason": "consumes fraud-score@2", "satisfied": True, "by": ["pat"]}],
        "checklist": [{"id": "migrate:risk-router:fraud-score@1", "text": "move to v2", "owners": ["@acme/payments"],
                       "due": "2026-12-15", "done": False},
                      {"id": "shadow:dashboard", "text": "shadow first", "owners": ["@acme/bi"], "due": None,
                       "done": True}],
        "plan": [{"step": 1, "stage": "shadow", "models": ["fraud-scorer", "risk-router"],
                  "why": "impacted downstream"}],
    }


def test_to_json_keeps_every_spec_key_in_order_and_survives_a_json_round_trip() -> None:
    out = full_result().to_json()
    assert list(out)[:len(STABLE_TOP)] == STABLE_TOP
    assert set(out["findings"][0]) >= STABLE_FINDING
    assert set(out["changes"][0]) >= STABLE_CHANGE
    assert set(out["impact"]) == {"direct", "transitive"}
    assert json.loads(json.dumps(out)) == out  # plain JSON values: lists, not tuples; ISO strings, not dates


def test_impact_and_plan_hold_bare_model_names() -> None:
    out = full_result().to_json()
    names = [i["model"] for i in out["impact"]["direct"] + out["impact"]["transitive"]]
    names += [m for step in out["plan"] for m in step["models"]]
    assert names == ["risk-router", "dashboard", "fraud-scorer", "risk-router"]
    assert not any(":" in name for name in names)


def test_an_empty_result_has_every_key() -> None:
    out = Result("pass", "main", "working tree", date(2027, 1, 2)).to_json()
    assert out == {"verdict": "pass", "base": "main", "head": "working tree", "today": "2027-01-02",
                   "findings": [], "changes": [], "impact": {"direct": [], "transitive": []}, "approvals": [],
                   "checklist": [], "plan": []}


@pytest.mark.parametrize(("finding", "blocking"), [
    (Finding("MG101", "error", "m", "f", 1), True),
    (Finding("MG101", "error", "m", "f", 1, waived_by="root"), False),
    (Finding("MG101", "error", "m", "f", 1, preexisting=True), False),
    (Finding("MG201", "warning", "m", "f", 1), False),
    (Finding("MG205", "notice", "m", "f", 1), False),
])
def test_only_a_new_unwaived_error_blocks(finding: Finding, blocking: bool) -> None:
    assert finding.blocking is blocking


def test_errors_are_the_blocking_findings_in_order() -> None:
    first, second = Finding("MG001", "error", "a", "x.yaml", 1), Finding("MG102", "error", "b", "y.yaml", 2)
    findings = [Finding("MG201", "warning", "w", "a", 1), first, Finding("MG101", "error", "old", "a", 1,
                                                                           preexisting=True),
                Finding("MG101", "error", "waived", "a", 1, waived_by="root"), second]
    assert Result("fail", "b", "h", date(2026, 1, 1), findings=findings).errors == [first, second]
    assert Result("pass", "b", "h", date(2026, 1, 1), findings=findings[2:4]).errors == []


def test_impacted_models_are_distinct_and_sorted() -> None:
    via_two = Impacted("risk-router", (), 1, ("contract:route@2", "model:risk-router"), via="contract:route@2")
    result = Result("pending", "b", "h", date(2026, 1, 1), direct=[DIRECT, via_two],
                    transitive=[TRANSITIVE, Impacted("audit", (), 3, ())])
    assert result.impacted_models == ["audit", "dashboard", "risk-router"]
    assert Result("pass", "b", "h", date(2026, 1, 1)).impacted_models == []


def test_a_result_is_frozen_and_changed_by_replace() -> None:
    result = full_result()
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.stages = {}  # type: ignore[misc]
    published = dataclasses.replace(result, notes=[*result.notes, "a run note"])
    assert published.notes == ["a note", "a run note"] and result.notes == ["a note"]


def test_whether_a_finding_is_escalated_reaches_no_output() -> None:
    """``escalated`` is the engine's (``bot.registry.configured``): JSON, SARIF, JUnit, markdown, text and the
    workflow commands of a check and of a lint show an escalated MG201 exactly as one made an error otherwise."""
    from bot.report.formats import LINT, REPORT
    from bot.report.lint import LintReport
    from bot.report.result import Report

    late = Finding("MG201", "error", "model:m consumes contract:c@1, deprecated; sunset 2026-11-28 (today)",
                   "models/m.yaml", 9, "model:m", escalated=True)
    plain = dataclasses.replace(late, escalated=False)
    assert late != plain and late.to_json() == plain.to_json()
    assert set(late.to_json()) == STABLE_FINDING | {"waived_reason"}
    shown = [{fmt: REPORT.render(fmt, Report(dataclasses.replace(full_result(), findings=[finding])))
              for fmt in REPORT.names} | {f"lint.{fmt}": LINT.render(fmt, LintReport([finding], 1))
                                          for fmt in LINT.names} for finding in (late, plain)]
    assert shown[0] == shown[1]
    assert len(shown[0]) >= 10
