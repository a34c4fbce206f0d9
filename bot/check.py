"""The whole evaluation of a PR, once: two states (and the PR's reviews, when there are any) in, a Result out.

Pure glue of changes → impact → findings → approvals → checklist and plan. The configuration is the base's
(trusted). Renderers and the GitHub adapter only read the Result; nothing is computed twice.
"""

from __future__ import annotations

from datetime import date

from bot import approvals, plan
from bot.approvals import ReviewState
from bot.changes import diff_states
from bot.graph import Graph
from bot.impact import direct_impact, transitive_impact
from bot.manifests.load import Snapshot
from bot.policy import Context, engine
from bot.result import Approval, Finding, Result, Verdict


def evaluate(base: Snapshot, head: Snapshot, today: date, reviews: ReviewState | None = None) -> Result:
    config = base.config
    base_graph, head_graph = Graph.from_snapshot(base), Graph.from_snapshot(head)
    changes = diff_states(base, head, config.compatibility_policy)
    direct = direct_impact(changes, base, head, base_graph, head_graph)
    transitive = transitive_impact(direct, base, head, base_graph, head_graph)
    # The plan before the findings: the head graph sorted for it tells lint whether that graph has a cycle.
    items, steps = plan.migration(changes, direct, transitive, base, head, base_graph, head_graph, config)
    context = Context(base, head, changes, today, base_graph, head_graph)
    findings = engine.run(context, approvals.waivers(reviews, config))
    groups = approvals.evaluate(approvals.required_groups(base, head, changes, direct, config), reviews, config)
    return Result(
        verdict=verdict(findings, groups),
        base=base.label,
        head=head.label,
        today=today,
        findings=findings,
        changes=changes,
        direct=direct,
        transitive=transitive,
        approvals=groups,
        checklist=items,
        plan=steps,
        sunsets=plan.sunsets(head_graph, today),
    )


def verdict(findings: list[Finding], groups: list[Approval]) -> Verdict:
    """``fail`` on a blocking error, else ``pending`` while an approval group is unsatisfied, else ``pass``."""
    if any(f.blocking for f in findings):
        return "fail"
    if any(not g.satisfied for g in groups):
        return "pending"
    return "pass"
