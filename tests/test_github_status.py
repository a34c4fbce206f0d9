"""The commit status of a Result: state and a description GitHub accepts (at most 140 characters)."""

from __future__ import annotations

from datetime import date

from bot.github.status import NO_CHANGE, error_status, fit, status_of
from bot.result import Approval, Change, Finding, Result


def result(findings=(), changes=(), approvals=()) -> Result:
    return Result("pass", "b", "h", date(2026, 11, 28), findings=list(findings), changes=list(changes),
                  approvals=list(approvals))


CHANGE = Change("contract:score@1", "schema", "PROPERTY_ADDED")


def test_no_change_is_success():
    assert status_of(result()) == ("success", NO_CHANGE)


def test_errors_fail_and_preexisting_ones_do_not():
    error = Finding("MG101", "error", "x" * 500, "c.yaml", 3)
    state, text = status_of(result([error, Finding("MG002", "error", "old", "a.yaml", 1, preexisting=True)],
                                   [CHANGE]))
    assert state == "failure" and text.startswith("1 error (MG101): xxx") and len(text) == 140


def test_missing_approvals_are_pending_and_name_who():
    groups = [Approval("MG301", "contract:score", ("@alice",), "", True, ("alice",)),
              Approval("MG302", "model:router", ("@acme/payments", "@bob"), ""),
              Approval("MG302", "model:dash", ("@bob",), "")]
    assert status_of(result(changes=[CHANGE], approvals=groups)) == (
        "pending", "1 of 3 approvals · waiting on @acme/payments, @bob")
    assert status_of(result(changes=[CHANGE], approvals=groups), merge_group=True)[0] == "success"


def test_all_approved_is_success():
    groups = [Approval("MG301", "contract:score", ("@alice",), "", True, ("alice",))]
    assert status_of(result(changes=[CHANGE], approvals=groups)) == ("success", "no errors; 1 of 1 approvals")


def test_error_status_and_fit():
    state, text = error_status("GET /repos/a/b/pulls/1: 503\nupstream " + "z" * 300)
    assert state == "error" and "\n" not in text and len(text) == 140 and text.endswith("…")
    assert fit("short") == "short"
