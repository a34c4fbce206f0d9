"""The report of ``modelgate gate``: a stage's metric checks (and its data's verification) as text or JSON, and
the PR comment of a rollback."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from bot.escape import markdown_text, terminal_text
from bot.rollout.gates import data_breaches

if TYPE_CHECKING:
    from bot.rollout.gates import Check
    from bot.rollout.stages import Deployment
    from bot.verify.report import VerifyResult


@dataclass(frozen=True)
class GateReport:
    """The judgement of one stage of a model: each gate's check, the verified data, what failed, and (with a
    deployment) the deployment judged and the rollback created."""

    model: str
    stage: str
    checks: Sequence[Check]
    verified: VerifyResult | None
    failed: Sequence[str]
    gated: bool  # the stage has gates
    deployment: int | None = None
    rollback: Deployment | None = None

    @property
    def verdict(self) -> str:
        return "fail" if self.failed else "pass"


def as_json(report: GateReport) -> dict[str, Any]:
    return {"model": report.model, "stage": report.stage, "verdict": report.verdict,
            "checks": [asdict(c) for c in report.checks],
            "verify": report.verified.to_json() if report.verified else None,
            "deployment": report.deployment, "rollback": report.rollback.id if report.rollback else None}


def text(report: GateReport) -> str:
    out = [f"gate {report.stage} of {report.model}: {report.verdict}"]
    if not report.gated:
        out.append(f"  (no gates for {report.stage} in spec.rollout.gates: no metric is checked)")
    out += [f"  {'ok    ' if c.ok else 'BREACH'} {c.reason}" for c in report.checks]
    verified = report.verified
    if verified:
        failed = data_breaches(verified)
        out.append(f"  {'BREACH' if failed else 'ok    '} data of {verified.contract}: "
                   f"{verified.records} records" + (f" ({'; '.join(failed)})" if failed else ""))
        out += [f"           drift of {d.field} not measured: {d.why_unmeasured}" for d in verified.drift
                if d.psi is None and d.why_unmeasured]
        out += [f"           note: {note}" for note in verified.notes]
    if report.deployment is not None:
        out.append(f"  deployment {report.deployment}: {'failure' if report.failed else 'success'}")
    if report.rollback:
        rollback = report.rollback
        out.append(f"  rolled back: deployment {rollback.id} of {rollback.sha[:7]} to {rollback.environment}")
    return "\n".join(terminal_text(line) for line in out) + "\n"


def rollback_comment(deployment: Deployment, rollback: Deployment, base: str, failed: Sequence[str]) -> str:
    """The PR comment: ``deployment`` breached its gates (``failed``), and ``rollback`` deploys ``base`` instead."""
    return "\n".join([
        f"### modelgate gate: {markdown_text(deployment.environment)} of {markdown_text(deployment.model)} "
        "breached its gates",
        "",
        *(f"- {markdown_text(reason)}" for reason in failed),
        "",
        f"Deployment {deployment.id} of `{deployment.sha[:7]}` is marked failed; rollback deployment "
        f"{rollback.id} deploys the base `{base[:7]}` to {markdown_text(deployment.environment)}.",
    ])
