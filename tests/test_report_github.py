"""bot.report github: workflow commands (annotations), escaped as @actions/core escapes them."""

from __future__ import annotations

import re

import pytest

from bot.report import render
from bot.result import Approval, Finding
from tests.test_report_view import HOSTILE, sample_result


def test_one_annotation_per_finding_and_missing_approval_then_a_summary():
    lines = render(sample_result(), "github").splitlines()
    assert lines == [
        "::error file=contracts/fraud-score.yaml,line=31,title=MG102::version 1 removed before its sunset "
        "[contract:fraud-score@1]",
        "::notice file=contracts/x.yaml,line=3,title=MG101::waived by @admin (hotfix for incident 42): "
        "a waived break [contract:x@1]",
        "::warning file=models/router.yaml,line=9,title=MG201::risk-router consumes fraud-score@1 (17 days to "
        "sunset) [model:risk-router]",
        "::notice file=models/scorer.yaml,line=5,title=MG205::major version changed",
        "::notice file=contracts/y.yaml,line=2,title=MG005::preexisting: nobody provides y@1",
        "::notice title=MG302::approval needed for model:risk-router from @acme/payments — directly impacted",
        "modelgate: fail — the merge is blocked by 1 error (1 error · 1 warning · 1 notice · 1 waived · "
        "1 preexisting · 2 changes (1 breaking) · 2 models impacted (1 direct, 1 transitive) · 1 of 2 approvals)",
    ]


def test_file_and_line_are_given_only_when_known():
    result = sample_result(findings=[Finding("MG004", "error", "cycle", None, None),
                                     Finding("MG001", "error", "bad", "a.yaml", None)], approvals=[])
    lines = render(result, "github").splitlines()
    assert lines[:2] == ["::error title=MG004::cycle", "::error file=a.yaml,title=MG001::bad"]


def test_data_and_properties_are_escaped():
    finding = Finding("MG001", "error", "100% sure\r\nsecond line", "dir,with:odd%name.yaml", 7)
    approval = Approval("MG302", "model:a", ("@x",), "line\nbreak")
    lines = render(sample_result(findings=[finding], approvals=[approval]), "github").splitlines()
    assert lines[0] == "::error file=dir%2Cwith%3Aodd%25name.yaml,line=7,title=MG001::100%25 sure%0D%0Asecond line"
    assert lines[1] == "::notice title=MG302::approval needed for model:a from @x — line%0Abreak"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_user_text_cannot_inject_a_workflow_command(hostile):
    out = render(sample_result(hostile), "github")
    lines = out.splitlines()
    assert len(lines) == len(render(sample_result("x"), "github").splitlines())
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(lines) - 1
    for line in commands:
        match = re.fullmatch(r"::(error|warning|notice) ((?:file=[^,:\r\n]*,)?(?:line=\d+,)?title=MG\d{3})::(.*)",
                             line)
        assert match, line
        assert "\r" not in match.group(3)
    assert not lines[-1].startswith("::")


def test_html_in_user_text_reaches_annotations_as_entities():
    finding = Finding("MG001", "error", "<img src=x> & co", "a.yaml", 1)
    line = render(sample_result(findings=[finding], approvals=[]), "github").splitlines()[0]
    assert line == "::error file=a.yaml,line=1,title=MG001::&lt;img src=x&gt; &amp; co"
