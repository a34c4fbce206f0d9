"""The whole evaluation of a PR: two states in, an Assessment out, then the PR's reviews judged on it, a Result out.

Pure glue of changes → impact → findings → approvals → checklist and plan. The configuration, CODEOWNERS and the
owners are the trust root's (``trust``: the target branch's tip on GitHub; the base when none is given). ``assess``
is everything reviews cannot change; ``judge`` applies reviews, acks and overrides to it (cheap), so the GitHub
adapter can judge again with team membership it looked up without evaluating twice. Renderers and the GitHub adapter
only read the Result. """

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from bot import approvals, plan
from bot.approvals import ReviewState
from bot.changes import diff_states
from bot.config import Config
from bot.evaluation import Evaluation
from bot.graph import Graph
from bot.impact import direct_impact, transitive_impact
from bot.manifests.snapshot import Snapshot
from bot.policy import engine
from bot.result import Approval, Finding, Impacted, Result, Verdict


@dataclass(frozen=True)
class Assessment:
    """Two states evaluated before any review: findings none waived, approval groups as required."""

    result: Result
    config: Config


def evaluate(base: Snapshot, head: Snapshot, today: date, reviews: ReviewState | None = None,
             trust: Snapshot | None = None) -> Result:
    return judge(assess(base, head, today, trust), reviews)


def evaluation(base: Snapshot, head: Snapshot, today: date, trust: Snapshot | None = None) -> Evaluation:
    """Both graphs, the changes (under the trusted compatibility policy) and their impact, derived once; every
    impacted model with its owners as the trust root (default: the base) has them."""
    trust = base if trust is None else trust
    base_graph, head_graph = Graph.from_snapshot(base), Graph.from_snapshot(head)
    changes = diff_states(base, head, trust.config.compatibility_policy,
                          format_assertion=trust.config.compat.format_assertion)
    direct = _trusted(direct_impact(changes, base, head, base_graph, head_graph), base, head, trust)
    transitive = _trusted(transitive_impact(direct, base, head, base_graph, head_graph), base, head, trust)
    return Evaluation(base, head, today, base_graph, head_graph, changes, direct, transitive, trust)


def _trusted(impacted: list[Impacted], base: Snapshot, head: Snapshot, trust: Snapshot) -> list[Impacted]:
    """``impacted`` with the owners the trust root gives each model (impact names them from the base)."""
    if trust is base:
        return impacted
    return [replace(i, owners=approvals.trusted_owners(trust, head, "model", i.model)) for i in impacted]


def assess(base: Snapshot, head: Snapshot, today: date, trust: Snapshot | None = None) -> Assessment:
    ev = evaluation(base, head, today, trust)
    # The plan before the findings: the head graph sorted for it tells lint whether that graph has a cycle.
    items, steps = plan.migration(ev)
    findings = engine.run(ev)
    groups = approvals.required_groups(ev)
    return Assessment(Result(
        verdict=verdict(findings, groups),
        base=base.label,
        head=head.label,
        today=today,
        findings=findings,
        changes=ev.changes,
        direct=ev.direct,
        transitive=ev.transitive,
        approvals=groups,
        checklist=items,
        plan=steps,
        sunsets=plan.sunsets(ev.head_graph, today, ev.head),
    ), ev.config)


def judge(assessment: Assessment, reviews: ReviewState | None) -> Result:
    """The Result once ``reviews`` (approvals, acks, an admin's overrides; None offline) are applied."""
    config, result = assessment.config, assessment.result
    findings = engine.waive(result.findings, approvals.waivers(reviews, config))
    groups = approvals.evaluate(result.approvals, reviews, config)
    # fresh lists each time: a Result is frozen but its lists are not, and one assessment is judged more than once
    return replace(result, verdict=verdict(findings, groups), findings=findings, approvals=groups,
                   stages=dict(result.stages), audit=list(result.audit), notes=list(result.notes))


def verdict(findings: list[Finding], groups: list[Approval]) -> Verdict:
    """``fail`` on a blocking error, else ``pending`` while an approval group is unsatisfied, else ``pass``."""
    if any(f.blocking for f in findings):
        return "fail"
    if any(not g.satisfied for g in groups):
        return "pending"
    return "pass"
