"""``--fail-on error|warning|notice`` of check and lint: the exit code from the findings (``_common.failing``);
the verdict itself is unchanged, and the default is exactly the ``fail`` verdict."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bot.commands._common import failing
from bot.result import Finding
from tests.helpers import contract, json_out, model, run_cli, write_tree

ORPHAN = {"contracts/orphan.yaml": contract("orphan")}  # MG005: a version nobody provides (a warning)
AS_NOTICE = {".modelgate.yml": "rules: {MG005: notice}\n"}


def finding(severity: str, **extra: object) -> Finding:
    return Finding("MG005", severity, "m", "f.yaml", 1, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(("findings", "fail_on", "fails"), [
    ([], "notice", False),
    ([finding("warning")], "error", False),
    ([finding("warning")], "warning", True),
    ([finding("warning")], "notice", True),
    ([finding("notice")], "warning", False),
    ([finding("notice")], "notice", True),
    ([finding("error")], "error", True),
    ([finding("error", waived_by="admin")], "notice", False),
    ([finding("warning", preexisting=True)], "warning", False),
])
def test_failing(findings: list[Finding], fail_on: str, fails: bool) -> None:
    assert failing(findings, fail_on) is fails  # type: ignore[arg-type]


@pytest.mark.parametrize("severity", ["error", "warning", "notice"])
def test_error_is_the_blocking_of_a_finding(severity: str) -> None:
    for extra in ({}, {"waived_by": "a"}, {"preexisting": True}):
        one = finding(severity, **extra)
        assert failing([one], "error") is one.blocking


@pytest.mark.parametrize(("files", "fail_on", "code"), [
    (ORPHAN, None, 0), (ORPHAN, "error", 0), (ORPHAN, "warning", 1), (ORPHAN, "notice", 1),
    ({**ORPHAN, **AS_NOTICE}, "warning", 0), ({**ORPHAN, **AS_NOTICE}, "notice", 1),
])
def test_lint(tmp_path: Path, files: dict[str, str], fail_on: str | None, code: int) -> None:
    root = write_tree(tmp_path, files)
    done = run_cli("lint", str(root), "--format", "json", *(["--fail-on", fail_on] if fail_on else []))
    assert done.returncode == code, done.stderr
    assert json_out(done)["verdict"] == "pass"  # the verdict is the findings', not the exit code's


def check(base: Path, head: Path, *args: str) -> tuple[int, str]:
    done = run_cli("check", "--base", str(base), "--head", str(head), "--today", "2026-11-28", "--cache-dir", "none",
                   "--format", "json", *args)
    return done.returncode, json_out(done)["verdict"]


def test_check_a_new_warning(tmp_path: Path) -> None:
    base = write_tree(tmp_path / "base", {"models/m.yaml": model("m")})
    head = write_tree(tmp_path / "head", {"models/m.yaml": model("m"), **ORPHAN})
    assert check(base, head) == (0, "pending")
    assert check(base, head, "--fail-on", "error") == (0, "pending")
    assert check(base, head, "--fail-on", "warning") == (1, "pending")
    assert check(base, head, "--fail-on", "notice") == (1, "pending")


def test_check_a_preexisting_warning_does_not_fail(tmp_path: Path) -> None:
    base = write_tree(tmp_path / "base", {"models/m.yaml": model("m"), **ORPHAN})
    head = write_tree(tmp_path / "head", {"models/m.yaml": model("m", version="1.0.1"), **ORPHAN})
    done = run_cli("check", "--base", str(base), "--head", str(head), "--today", "2026-11-28", "--cache-dir", "none",
                   "--format", "json", "--fail-on", "notice")
    assert done.returncode == 0, done.stderr
    assert [(f["rule"], f["preexisting"]) for f in json_out(done)["findings"]] == [("MG005", True)]


def test_check_a_failing_example_fails_at_every_level() -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "fraud-platform"
    for level in ("error", "warning", "notice"):
        assert check(example / "base", example / "head", "--fail-on", level) == (1, "fail")


@pytest.mark.parametrize(("fail_on", "code", "failures"), [(None, 0, "0"), ("warning", 1, "1")])
def test_the_junit_report_fails_exactly_when_the_exit_code_does(tmp_path: Path, fail_on: str | None, code: int,
                                                                failures: str) -> None:
    """A CI system reading the JUnit report must see the failure that made the job fail: with --fail-on warning,
    the warning is a <failure>, not a passing test."""
    root = write_tree(tmp_path, ORPHAN)
    done = run_cli("lint", str(root), "--format", "junit", *(["--fail-on", fail_on] if fail_on else []))
    assert done.returncode == code, done.stderr
    report = ET.fromstring(done.stdout)
    assert report.get("failures") == failures
    [case] = [c for c in report.iter("testcase") if c.get("classname") == "modelgate.MG005"]
    assert (case.find("failure") is not None) is bool(code)


def test_check_junit_follows_fail_on_too(tmp_path: Path) -> None:
    base = write_tree(tmp_path / "base", {"models/m.yaml": model("m")})
    head = write_tree(tmp_path / "head", {"models/m.yaml": model("m"), **ORPHAN})
    done = run_cli("check", "--base", str(base), "--head", str(head), "--today", "2026-11-28", "--cache-dir", "none",
                   "--format", "junit", "--fail-on", "warning")
    assert done.returncode == 1, done.stderr
    assert ET.fromstring(done.stdout).get("failures") == "1"


def test_an_exit_1_that_only_fail_on_made_says_why_on_stderr(tmp_path: Path) -> None:
    """The report says pass (lint) or pending (check): one line on stderr tells why the exit code is 1."""
    root = write_tree(tmp_path / "lint", ORPHAN)
    assert run_cli("lint", str(root), "--fail-on", "warning").stderr == \
        "modelgate: failing on 1 warning (--fail-on warning)\n"
    assert run_cli("lint", str(root)).stderr == ""  # exit 0: nothing to say
    noticed = write_tree(tmp_path / "noticed", {**ORPHAN, "contracts/other.yaml": contract("other"), **AS_NOTICE})
    assert run_cli("lint", str(noticed), "--fail-on", "notice").stderr == \
        "modelgate: failing on 2 notices (--fail-on notice)\n"
    base = write_tree(tmp_path / "base", {"models/m.yaml": model("m")})
    head = write_tree(tmp_path / "head", {"models/m.yaml": model("m"), **ORPHAN})
    done = run_cli("check", "--base", str(base), "--head", str(head), "--today", "2026-11-28", "--cache-dir", "none",
                   "--fail-on", "notice")
    assert (done.returncode, done.stderr) == (1, "modelgate: failing on 1 warning (--fail-on notice)\n")


def test_a_failing_verdict_needs_no_fail_on_line() -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "fraud-platform"
    done = run_cli("check", "--base", str(example / "base"), "--head", str(example / "head"), "--today",
                   "2026-11-28", "--cache-dir", "none", "--fail-on", "notice")
    assert (done.returncode, done.stderr) == (1, "")
