"""bot.report.view: what a report shows under limits. Also the Result factory the report tests share."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date

from bot.report.view import FULL, LADDER, build_view, finding_group, impact_graph, take
from bot.result import (
    Approval,
    AuditEntry,
    Change,
    ChecklistItem,
    Finding,
    Impacted,
    PlanStep,
    Result,
    Sunset,
)

# Strings a manifest author, a file name or a commenter could use to break out of a report.
HOSTILE = (
    "<script>alert(1)</script>",
    "@everyone",
    "@org/team",
    "[click](http://evil)",
    "![img](http://evil/x.png)",
    "a `tick` b",
    "pipe | cell",
    'x"]-->B[pwned',
    "line one\nline two\r\nthree",
    "%0A::error::pwned",
    "\n::error file=x,line=1::injected",
    "\x1b[31mred\x1b[0m",
    "https://evil.example/path www.evil.example",
    "~~strike~~ **bold** _em_ #1 &amp;",
)


def sample_result(text: str | None = None, **overrides) -> Result:
    """One of everything. With ``text``, that string is in every user-controlled field."""
    t = (lambda plain: plain) if text is None else (lambda plain: f"{plain}{text}")
    result = Result(
        verdict="fail", base="base-sha", head="head-sha", today=date(2026, 11, 28),
        findings=[
            Finding("MG102", "error", t("version 1 removed before its sunset"), t("contracts/fraud-score.yaml"),
                    31, t("contract:fraud-score@1")),
            Finding("MG101", "error", t("a waived break"), t("contracts/x.yaml"), 3, t("contract:x@1"),
                    waived_by=t("@admin"), waived_reason=t("hotfix for incident 42")),
            Finding("MG201", "warning", t("risk-router consumes fraud-score@1 (17 days to sunset)"),
                    t("models/router.yaml"), 9, t("model:risk-router")),
            Finding("MG205", "notice", t("major version changed"), t("models/scorer.yaml"), 5),
            Finding("MG005", "warning", t("nobody provides y@1"), t("contracts/y.yaml"), 2, preexisting=True),
        ],
        changes=[
            Change(t("contract:fraud-score@2"), "schema", "TYPE_CHANGED", t("#/properties/score"), True,
                   t("number becomes string"), t("contracts/fraud-score.yaml"), 12),
            Change(t("contract:fraud-score@2"), "slo", "SLO_CHANGED", None, False, t("latency lowered")),
        ],
        direct=[Impacted(t("risk-router"), (t("@acme/payments"),), 1,
                         (t("contract:fraud-score@2"), t("model:risk-router")), t("contract:fraud-score@2"),
                         (t("score"),))],
        transitive=[Impacted(t("dashboard"), (t("@bob"),), 2,
                             (t("contract:fraud-score@2"), t("model:risk-router"), t("contract:route@1"),
                              t("model:dashboard")))],
        approvals=[
            Approval("MG301", t("contract:fraud-score"), (t("@acme/risk-ml"),), t("changed manifest"), True,
                     (t("@alice"),)),
            Approval("MG302", t("model:risk-router"), (t("@acme/payments"),), t("directly impacted"),
                     note=t("team membership not readable")),
        ],
        checklist=[
            ChecklistItem("migrate:a", t("Migrate risk-router to fraud-score@2"), (t("@acme/payments"),),
                          date(2026, 12, 15), False),
            ChecklistItem("migrate:b", t("Announce the sunset"), (), None, True),
        ],
        plan=[PlanStep(1, "shadow", (t("fraud-scorer"), t("risk-router")), t("transitively impacted"))],
        sunsets=[Sunset(t("contract:fraud-score@1"), date(2026, 12, 15), 17, (t("risk-router"),)),
                 Sunset(t("contract:churn-score@1"), date(2027, 1, 15), 48, (t("crm-dashboard"),),
                        ((t("crm-dashboard"), t("models/crm-dashboard.yaml")),))],
        stages={t("fraud-scorer"): t("canary")},
        audit=[
            AuditEntry(t("@alice"), t("2026-11-28T10:00:00Z"), t("/rollout shadow"), "accepted", t("deployment 12")),
            AuditEntry(t("@mallory"), t("2026-11-28T11:00:00Z"), t("/rollout production"), "refused",
                       t("canary first")),
        ],
        notes=[t("review request for @acme/x refused (422)")],
    )
    return dataclasses.replace(result, **overrides)


def big_result(n: int = 5000, message: str = "message") -> Result:
    """``n`` of each: errors, warnings, changes, direct and transitive models, approval groups."""
    return sample_result(
        findings=[Finding("MG101", "error" if i % 2 else "warning", f"{message} {i}", f"contracts/c{i}.yaml", i + 1,
                          f"contract:c{i}@1") for i in range(n)],
        changes=[Change(f"contract:c{i}@1", "schema", "TYPE_CHANGED", "#/properties/x", True, "number to string",
                        f"contracts/c{i}.yaml", 3) for i in range(n)],
        direct=[Impacted(f"m{i}", (f"@team/o{i}",), 1, (f"contract:c{i}@1", f"model:m{i}"), f"contract:c{i}@1",
                         ("x",)) for i in range(n)],
        transitive=[Impacted(f"t{i}", (f"@o{i}",), 2, (f"contract:c{i}@1", f"model:m{i}", f"contract:d{i}@1",
                                                       f"model:t{i}")) for i in range(n)],
        approvals=[Approval("MG302", f"model:m{i}", (f"@team/o{i}",), "directly impacted") for i in range(n)],
    )


def test_take_keeps_the_first_items_and_counts_the_rest():
    part = take([1, 2, 3, 4], 3)
    assert part.items == (1, 2, 3) and part.total == 4 and part.more == 1
    assert take([1, 2], None).more == 0
    assert not take([], 5) and take([], 0).more == 0
    assert take([1], 0) and take([1], 0).more == 1


def test_findings_fall_into_groups():
    result = sample_result()
    assert [finding_group(f) for f in result.findings] == ["error", "waived", "warning", "notice", "preexisting"]
    view = build_view(result)
    assert list(view.findings) == ["error", "waived", "warning", "notice", "preexisting"]
    counts = view.counts
    assert (counts.errors, counts.warnings, counts.notices, counts.waived, counts.preexisting) == (1, 1, 1, 1, 1)
    assert (counts.changes, counts.breaking, counts.direct, counts.transitive) == (2, 1, 1, 1)
    assert (counts.approvals, counts.approved) == (2, 1)
    assert [a.subject for a in view.waiting] == ["model:risk-router"]


def test_unsatisfied_approvals_come_first_and_the_audit_newest_first():
    view = build_view(sample_result())
    assert [a.satisfied for a in view.approvals.items] == [False, True]
    assert [e.actor for e in view.audit.items] == ["@mallory", "@alice"]


def test_impact_graph_from_chains_deduplicates_edges_in_first_seen_order():
    direct = [Impacted("b", (), 1, ("contract:a@1", "model:b")), Impacted("c", (), 1, ("contract:a@1", "model:c"))]
    transitive = [Impacted("d", (), 2, ("contract:a@1", "model:b", "contract:e@1", "model:d"))]
    graph = impact_graph(direct, transitive, max_edges=10)
    names = {node.id: node.name for node in graph.nodes}
    assert [(names[a], names[b]) for a, b in graph.edges] == [
        ("contract:a@1", "model:b"), ("contract:a@1", "model:c"), ("model:b", "contract:e@1"),
        ("contract:e@1", "model:d"),
    ]
    assert [node.id for node in graph.nodes] == ["n0", "n1", "n2", "n3", "n4"]
    assert {node.name: node.role for node in graph.nodes} == {
        "contract:a@1": "changed", "model:b": "direct", "model:c": "direct", "contract:e@1": "between",
        "model:d": "transitive",
    }
    assert graph.more == 0
    assert [node.label for node in graph.nodes][:2] == ["contract:a@1", "b"]


def test_impact_graph_is_capped():
    direct = [Impacted(f"m{i}", (), 1, ("contract:a@1", f"model:m{i}")) for i in range(30)]
    graph = impact_graph(direct, [], max_edges=10)
    assert len(graph.edges) == 10 and graph.total_edges == 30 and graph.more == 20
    assert len(graph.nodes) == 11


def test_no_graph_without_impact_or_when_limits_drop_it():
    assert build_view(sample_result(direct=[], transitive=[])).graph is None
    assert build_view(sample_result(), LADDER[1]).graph is None
    assert build_view(sample_result()).graph is not None


def test_the_ladder_starts_full_and_only_ever_shows_less():
    assert LADDER[0] == FULL and not FULL.shortened
    assert all(rung.shortened for rung in LADDER[1:])

    def at_most(a: int | None, b: int | None) -> bool:
        return b is None or (a is not None and a <= b)

    for before, after in itertools.pairwise(LADDER):
        assert before != after
        for field in dataclasses.fields(FULL):
            a, b = getattr(after, field.name), getattr(before, field.name)
            assert (a <= b) if field.name == "graph" else at_most(a, b), field.name


def test_a_model_reached_through_two_contract_versions_counts_once():
    twice = [Impacted("q", ("@q",), 1, (f"contract:c@{v}", "model:q"), f"contract:c@{v}") for v in (1, 2)]
    view = build_view(sample_result(direct=twice))
    assert view.direct.total == 2  # one row per (model, via), as check's JSON has them (docs/cli.md)
    assert (view.counts.direct, view.counts.transitive) == (1, 1)


def test_asked_names_the_transitive_models_with_a_group_of_their_own():
    result = sample_result()
    assert build_view(result).asked == frozenset()  # approvals.transitive: notify: none
    required = Approval("MG302", "model:dashboard", ("@bob",), "transitively impacted at depth 2 through …")
    assert build_view(dataclasses.replace(result, approvals=[*result.approvals, required])).asked == {"dashboard"}
    changed = Approval("MG301", "model:dashboard", ("@bob",), "changed")  # its own change: not why it is asked
    assert build_view(dataclasses.replace(result, approvals=[changed])).asked == frozenset()
