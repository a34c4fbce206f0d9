"""bot.report markdown: the PR comment and the job summary, their sections, and the escaping of user text."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from bot.report import MARKER, ReportContext, render, render_comment, render_summary
from bot.result import Approval, Finding, Result
from tests.test_report_view import HOSTILE, sample_result

CONTEXT = ReportContext(server_url="https://github.com", repository="acme/models", head_sha="head-sha",
                        run_url="https://github.com/acme/models/actions/runs/7")
BLOB = "https://github.com/acme/models/blob/head-sha/"
OUR_TAGS = {"<details>", "</details>", "<summary>", "</summary>", "<code>", "</code>", "<sub>", "</sub>",
            MARKER}


def outside_mermaid(markdown: str) -> str:
    return re.sub(r"```mermaid\n.*?```", "", markdown, flags=re.DOTALL)


def mermaid_lines(markdown: str) -> list[str]:
    block = re.search(r"```mermaid\n(.*?)```", markdown, flags=re.DOTALL)
    assert block, "no mermaid graph"
    return block.group(1).splitlines()


def unescaped(char: str, line: str) -> int:
    """How many times ``char`` appears not escaped by a backslash."""
    return len(re.findall(r"(?<!\\)(?:\\\\)*" + re.escape(char), line))


def test_the_comment_has_every_section():
    out = render_comment(sample_result(), CONTEXT)
    lines = out.splitlines()
    assert lines[0] == MARKER
    assert lines[1] == "## ❌ modelgate: fail — the merge is blocked by 1 error"
    assert ("1 error · 1 warning · 1 notice · 1 waived · 1 preexisting · 2 changes (1 breaking) · "
            "2 models impacted (1 direct, 1 transitive) · 1 of 2 approvals") in lines
    for heading in ("### Findings", "### Changes (2)", "### Downstream impact", "### Approvals (1 of 2)",
                    "### Migration checklist", "### Rollout plan", "### Upcoming sunsets",
                    "### Command log (newest first)", "### Notes"):
        assert heading in lines
    assert "shortened" not in out


def test_findings_link_to_the_head_revision_and_waivers_say_who_and_why():
    out = render_summary(sample_result(), CONTEXT)
    assert (f"- **MG102** version 1 removed before its sunset — [contracts/fraud-score.yaml:31]"
            f"({BLOB}contracts/fraud-score.yaml#L31) · <code>contract:fraud-score@&#8203;1</code>") in out
    assert "waived by @&#8203;admin: hotfix for incident 42" in out
    errors = out.index("**❌ Errors — they block the merge (1)**")
    assert errors < out.index("**🔓 Waived") < out.index("**⚠️ Warnings (1)**") < out.index("**ℹ️ Notices (1)**")
    preexisting = re.search(r"<details><summary>1 preexisting finding — .*?</summary>\n\n(.*?)</details>", out,
                            flags=re.DOTALL)
    assert preexisting and "MG005" in preexisting.group(1)


def test_without_a_repository_file_references_are_plain_text():
    out = render_summary(sample_result())
    assert "](" not in out
    assert "— contracts/fraud-score.yaml:31 ·" in out


def test_changes_impact_and_approvals_tables():
    lines = render_summary(sample_result(), CONTEXT).splitlines()
    assert ("| 💥 breaking | contract:fraud-score@&#8203;2 | schema · TYPE\\_CHANGED | \\#/properties/score "
            f"| number becomes string | [contracts/fraud-score.yaml:12]({BLOB}contracts/fraud-score.yaml#L12) |"
            ) in lines
    assert "| compatible | contract:fraud-score@&#8203;2 | slo · SLO\\_CHANGED |  | latency lowered |  |" in lines
    assert ("| risk-router | contract:fraud-score@&#8203;2 | score | @&#8203;acme/payments | 1 |") in lines
    assert ("| dashboard | 2 | contract:fraud-score@&#8203;2 → model:risk-router → contract:route@&#8203;1 → "
            "model:dashboard | @&#8203;bob |") in lines
    assert ("| ⏳ | MG302 model:risk-router — directly impacted | @&#8203;acme/payments | waiting · team "
            "membership not readable |") in lines
    assert ("| ✅ | MG301 contract:fraud-score — changed manifest | @&#8203;acme/risk-ml | approved by "
            "@&#8203;alice |") in lines


def test_transitive_impact_and_graph_are_folded():
    out = render_summary(sample_result(), CONTEXT)
    assert re.search(r"<details><summary>Transitively impacted \(1\).*?</summary>\n\n\| model \| depth", out)
    assert "<details><summary>Impact graph</summary>" in out
    graph = mermaid_lines(out)
    assert graph[0] == "graph LR"
    assert '  n0["contract:fraud-score@2"]:::changed' in graph
    assert '  n1["risk-router"]:::direct' in graph
    assert '  n3["dashboard"]:::transitive' in graph
    assert [line for line in graph if "-->" in line] == ["  n0 --> n1", "  n1 --> n2", "  n2 --> n3"]


def test_checklist_plan_stages_sunsets_audit_notes_and_help():
    lines = render_summary(sample_result(), CONTEXT).splitlines()
    assert "- [ ] Migrate risk-router to fraud-score@&#8203;2 — @&#8203;acme/payments — due 2026-12-15" in lines
    assert "- [x] Announce the sunset" in lines
    assert "| 1 | shadow | fraud-scorer, risk-router | transitively impacted |" in lines
    assert "**Current stage:** fraud-scorer → canary" in lines
    assert "| contract:fraud-score@&#8203;1 | 2026-12-15 | 17 days left | risk-router |" in lines
    audit = [line for line in lines if "/rollout shadow" in line or ("/rollout production" in line and "@" in line)]
    assert audit[0].startswith("| 2026-11-28T11:00:00Z | @&#8203;mallory | /rollout production | refused |")
    assert "- review request for @&#8203;acme/x refused \\(422\\)" in lines
    assert "| <code>/rollout canary [MODEL ...]</code> `[--percent N]` | an owner of each model, with write " \
           "permission | deploy the head commit to canary |" in lines
    assert "Stages: shadow → canary → production." in lines


def test_help_follows_the_configured_stages_and_can_be_left_out():
    out = render_summary(sample_result(), ReportContext(stages=("staging", "live")))
    assert "Stages: staging → live." in out and "/rollout canary" not in out
    assert "<summary>Commands</summary>" not in render_summary(sample_result(), ReportContext(show_help=False))


@pytest.mark.parametrize(("verdict", "headline"), [
    ("pending", "## ⏳ modelgate: pending — waiting on 1 approval"),
    ("pass", "## ✅ modelgate: pass — every contract holds and every approval is in (read the 1 warning)"),
])
def test_headline_follows_the_verdict(verdict, headline):
    assert headline in render_summary(sample_result(verdict=verdict)).splitlines()


def test_a_pass_with_warnings_says_to_read_them():
    warning = Finding("MG009", "warning", "looks like a modelgate manifest but manifests.include does not reach it",
                      "ml/x.yaml", 1)
    result = sample_result(verdict="pass", findings=[warning])
    assert ("## ✅ modelgate: pass — every contract holds and every approval is in (read the 1 warning)"
            in render_summary(result).splitlines())


def test_nothing_changed():
    empty = sample_result(verdict="pass", findings=[], changes=[], direct=[], transitive=[], approvals=[],
                          checklist=[], plan=[], sunsets=[], stages={}, audit=[], notes=[])
    out = render_summary(empty, ReportContext(show_help=False))
    assert out.splitlines()[:3] == ["## ✅ modelgate: pass — no model or contract changed", "", "0 errors · 0 changes"]
    assert "###" not in out and "mermaid" not in out


def test_render_markdown_is_the_summary_and_the_comment_adds_only_the_marker():
    result = sample_result()
    assert render(result, "markdown", context=CONTEXT) == render_summary(result, CONTEXT)
    assert render_comment(result, CONTEXT) == f"{MARKER}\n{render_summary(result, CONTEXT)}"


def test_output_is_deterministic():
    assert render_comment(sample_result(), CONTEXT) == render_comment(sample_result(), CONTEXT)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_cannot_change_the_structure(hostile):
    # Without a repository (no file links): a hostile path may rightly get no link where a plain one does.
    context = ReportContext(run_url=CONTEXT.run_url)
    benign = outside_mermaid(render_comment(sample_result("x"), context)).splitlines()
    lines = outside_mermaid(render_comment(sample_result(hostile), context)).splitlines()
    assert len(lines) == len(benign)
    for mine, theirs in zip(lines, benign, strict=True):
        for char in "|`*_[]()<>!~":
            assert unescaped(char, mine) == unescaped(char, theirs), (char, mine)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_builds_no_html_mention_link_or_image(hostile):
    out = render_comment(sample_result(hostile), CONTEXT)
    text = outside_mermaid(out)
    assert set(re.findall(r"<[^<>]*>", text)) <= OUR_TAGS
    assert not re.search(r"@(?!&#8203;)", text)
    assert "![" not in text
    for link in re.finditer(r"\]\(", text):
        assert text[link.end():].startswith((BLOB, CONTEXT.run_url or "-")), text[link.start() - 40:link.end() + 40]
    assert not re.search(r"(?i)https?://evil|www\.evil", text)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_cannot_break_out_of_a_mermaid_label(hostile):
    for line in mermaid_lines(render_summary(sample_result(hostile), CONTEXT))[1:]:
        assert re.fullmatch(r'  n\d+\["[^"\[\]{}|<>`;#&\\]*"\]:::(changed|direct|transitive|between)'
                            r"|  n\d+ --> n\d+|  classDef \w+ [\w:#,]+", line), line


def test_file_links_quote_the_path_and_never_take_free_text():
    finding = Finding("MG001", "error", "see [docs](http://evil)", "dir with space/a#b?c(d).yaml", 4)
    out = render_summary(sample_result(findings=[finding]), CONTEXT)
    assert f"]({BLOB}dir%20with%20space/a%23b%3Fc%28d%29.yaml#L4)" in out
    assert "see \\[docs\\]\\(http:&#8203;//evil\\)" in out


def test_a_long_text_is_whole_in_the_summary():
    long = "y" * 10_000
    assert long in render_summary(sample_result(notes=[long]))


def test_dates_are_iso():
    out = render_summary(sample_result(today=date(2027, 1, 2)))
    assert out.rstrip().endswith("<sub>modelgate · base base-sha · head head-sha · 2027-01-02</sub>")


def under_require(result: Result) -> Result:
    """``result`` as ``approvals.transitive: require`` has it: its transitive model asked too (MG302)."""
    [item] = result.transitive
    group = Approval("MG302", f"model:{item.model}", item.owners, f"transitively impacted at depth {item.depth}")
    return replace(result, approvals=[*result.approvals, group])


def test_under_require_the_transitive_table_says_whose_owners_approve():
    out = render_summary(under_require(sample_result()), CONTEXT)
    assert re.search(r"<details><summary>Transitively impacted \(1\) — .*the owners of those marked \*required\* "
                     r"approve.*</summary>\n\n\| model \| depth \| chain \| owners \| approval \|\n", out)
    assert "→ model:dashboard | @&#8203;bob | required |" in out
    assert "| approval |" not in render_summary(sample_result(), CONTEXT)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_cannot_change_the_structure_under_require(hostile):
    context = ReportContext(run_url=CONTEXT.run_url)
    benign = outside_mermaid(render_comment(under_require(sample_result("x")), context)).splitlines()
    lines = outside_mermaid(render_comment(under_require(sample_result(hostile)), context)).splitlines()
    assert "required |" in "\n".join(lines)
    assert len(lines) == len(benign)
    for mine, theirs in zip(lines, benign, strict=True):
        for char in "|`*_[]()<>!~":
            assert unescaped(char, mine) == unescaped(char, theirs), (char, mine)
    assert set(re.findall(r"<[^<>]*>", "\n".join(lines))) <= OUR_TAGS


def test_a_sunset_row_marks_a_consumer_whose_manifest_does_not_load():
    lines = render_summary(sample_result(), CONTEXT).splitlines()
    assert ("| contract:churn-score@&#8203;1 | 2027-01-15 | 48 days left | crm-dashboard (cannot tell: "
            "models/crm-dashboard.yaml does not load) |") in lines
