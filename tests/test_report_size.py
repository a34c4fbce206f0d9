"""The size limits: the PR comment stays under 60,000 characters and the job summary under 1 MB, giving
sections up in order: graph and transitive impact, then changes, then non-blocking findings, ... errors last."""

from __future__ import annotations

import re

import pytest

from bot.report import COMMENT_LIMIT, MARKER, ReportContext, render_comment, render_summary
from bot.result import Finding, Impacted
from tests.test_report_view import big_result, sample_result

CONTEXT = ReportContext(run_url="https://github.com/acme/models/actions/runs/7")


def many_transitive(n: int) -> list[Impacted]:
    return [Impacted(f"t{i}", (f"@o{i}",), 2, ("contract:fraud-score@2", "model:risk-router", f"contract:d{i}@1",
                                               f"model:t{i}")) for i in range(n)]


def test_a_huge_result_fits_and_keeps_verdict_errors_and_approvals():
    result = big_result(5000)
    out = render_comment(result, CONTEXT)
    lines = out.splitlines()
    assert len(out) <= COMMENT_LIMIT
    assert lines[0] == MARKER
    assert lines[1] == "## ❌ modelgate: fail — the merge is blocked by 2500 errors"
    assert ("> This comment is shortened to stay under GitHub's size limit. The full report is in the "
            "[job summary](https://github.com/acme/models/actions/runs/7).") in lines
    assert "**❌ Errors — they block the merge (2500)**" in lines
    assert "### Approvals (0 of 5000)" in lines
    assert re.search(r"^- … and \d+ more findings \(in the job summary\)$", out, flags=re.MULTILINE)
    assert "```mermaid" not in out


def test_the_summary_of_a_huge_result_stays_under_a_megabyte_and_keeps_every_error():
    out = render_summary(big_result(5000), CONTEXT)
    assert len(out.encode("utf-8")) <= 1_000_000
    assert "This summary is shortened" in out
    assert len(re.findall(r"^- \*\*MG101\*\* message \d*[13579] ", out, flags=re.MULTILINE)) == 2500


def test_the_summary_of_a_large_result_is_whole():
    out = render_summary(big_result(300), CONTEXT)
    assert "shortened" not in out and "more" not in out
    assert len(re.findall(r"^\| 💥 breaking \|", out, flags=re.MULTILINE)) == 300
    assert len(re.findall(r"^  n\d+ --> n\d+$", out, flags=re.MULTILINE)) == 200  # the graph's own cap
    assert "The graph shows the first 200 of 900 edges." in out


def test_the_graph_and_transitive_impact_fold_first():
    out = render_comment(sample_result(transitive=many_transitive(3000)), CONTEXT)
    assert "```mermaid" not in out and "<summary>Transitively impacted" not in out
    assert "3000 models transitively impacted (in the job summary)." in out.splitlines()
    assert "### Changes (2)" in out and "more" not in out  # everything else whole
    assert "| risk-router | contract:fraud-score@&#8203;2 | score | @&#8203;acme/payments | 1 |" in out


def test_then_the_changes_are_cut():
    many = big_result(3000)
    out = render_comment(sample_result(transitive=many.transitive, changes=many.changes), CONTEXT)
    lines = out.splitlines()
    assert "| … and 2950 more changes (in the job summary) | | | | | |" in lines
    assert len([line for line in lines if line.startswith("| 💥 breaking | contract:c")]) == 50
    assert "**⚠️ Warnings (1)**" in lines and "MG005" in out  # findings still whole, preexisting too


def test_then_the_findings_that_do_not_block_but_never_the_errors_first():
    many = big_result(3000)
    warnings = [Finding("MG201", "warning", f"warning {i}", f"m{i}.yaml", 1) for i in range(3000)]
    errors = [Finding("MG101", "error", f"error {i}", f"c{i}.yaml", 1) for i in range(40)]
    out = render_comment(sample_result(transitive=many.transitive, changes=many.changes,
                                       findings=errors + warnings), CONTEXT)
    lines = out.splitlines()
    assert len([line for line in lines if line.startswith("- **MG101** error ")]) == 40
    assert "- … and 2950 more findings (in the job summary)" in lines
    assert "### Approvals (1 of 2)" in lines


def test_long_texts_are_clipped_in_the_comment_and_whole_in_the_summary():
    long = "<@x>" * 2500  # 10,000 characters that each escape to several
    result = sample_result(long)
    comment = render_comment(result, CONTEXT)
    assert len(comment) <= COMMENT_LIMIT
    assert "…" in comment and "### Approvals (1 of 2)" in comment
    assert render_summary(result).count("&lt;@&#8203;x&gt;") >= 2500


def test_thousands_of_hostile_errors_still_fit():
    errors = [Finding("MG101", "error", "@<&" * 3400, "@" * 10_000, i) for i in range(5000)]
    out = render_comment(sample_result(findings=errors, approvals=big_result(5000).approvals), CONTEXT)
    assert len(out) <= COMMENT_LIMIT
    assert "## ❌ modelgate: fail — the merge is blocked by 5000 errors" in out
    assert "### Approvals (0 of 5000)" in out


def test_a_custom_limit_is_honoured_and_an_impossible_one_refused():
    result = big_result(1000)
    assert len(render_comment(result, CONTEXT, limit=20_000)) <= 20_000
    with pytest.raises(ValueError, match="cannot fit in 100"):
        render_comment(result, CONTEXT, limit=100)


def test_shortening_is_deterministic():
    result = big_result(2000)
    assert render_comment(result, CONTEXT) == render_comment(result, CONTEXT)


ASK = ": your review is requested here: the team review request could not be made (see Notes)."


def test_only_well_formed_teams_are_asked_in_the_comment():
    out = render_comment(sample_result(), CONTEXT, ask=["acme/ml", "acme/ml", "acme/x) ![i](https://evil", "org/te@m"])
    assert out.endswith(f"</sub>\n\n@acme/ml{ASK}\n")
    assert ASK not in render_comment(sample_result(), CONTEXT, ask=[])
    assert ASK not in render_summary(sample_result(), CONTEXT)  # only the comment asks


def test_700_long_team_mentions_fold_like_the_rest_of_the_report():
    """Issue 19, item 13: 700 long team owners made the mention line longer than the comment's limit, and
    render_comment was asked for a negative one (exit 2, no status)."""
    teams = [f"acme/{'t' * 90}{i}" for i in range(700)]
    out = render_comment(sample_result(), CONTEXT, ask=teams)
    last = out.splitlines()[-1]
    assert len(out) <= COMMENT_LIMIT and out.startswith(MARKER)
    assert last.endswith(f" and 650 more teams{ASK}") and last.count("@") == 50
    assert "### Changes (2)" in out  # the mentions fold with the long tails, not before the changes
    huge = render_comment(big_result(5000), CONTEXT, ask=teams)  # and with everything else at its shortest
    assert len(huge) <= COMMENT_LIMIT and re.search(r" and \d+ more teams$", huge.splitlines()[-1].removesuffix(ASK))


def test_publish_with_700_unaskable_team_owners_posts_a_bounded_comment_and_the_status(tmp_path):
    from dataclasses import replace
    from datetime import date

    from bot.github.pull_request import Settings, publish
    from bot.result import Change
    from tests.test_github_pull_request import PublishingGitHub, pr, result

    owners = tuple(f"@other/{'t' * 90}{i}" for i in range(700))  # another organisation's teams: asked by mention
    evaluated = replace(result((owners, False)), changes=[Change("model:m0", "metadata", "DESCRIPTION_CHANGED")])
    gh = PublishingGitHub(refuse=set())
    publish(gh, Settings("acme/mono", tmp_path, date(2026, 11, 28)), evaluated, pr(tmp_path))  # type: ignore[arg-type]
    [body] = gh.posted
    assert len(body) <= COMMENT_LIMIT and body.startswith(MARKER)
    assert body.splitlines()[-1].endswith(f"more teams{ASK}") and len(gh.statuses) == 1
