"""The commit status a Result sets (docs/github.md). Pure: a Result in, (state, description) out.

``failure`` on errors, ``pending`` while approvals are missing ("2 of 3 approvals · waiting on @acme/payments"),
``success`` otherwise; ``error`` with the reason when the run itself failed. Descriptions fit GitHub's 140.
"""

from __future__ import annotations

from typing import Literal

from bot.result import Result

State = Literal["error", "failure", "pending", "success"]
LIMIT = 140
NO_CHANGE = "no model or contract changed"


def fit(text: str, limit: int = LIMIT) -> str:
    """One line of at most ``limit`` characters (an ellipsis marks a cut)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def status_of(result: Result, *, merge_group: bool = False) -> tuple[State, str]:
    """The status of a PR's evaluation; for a merge group approvals were settled on the PR, so only errors count."""
    errors = result.errors
    if errors:
        rules = sorted({f.rule for f in errors})
        return "failure", fit(f"{len(errors)} error{'s' if len(errors) != 1 else ''} "
                              f"({', '.join(rules)}): {errors[0].message}")
    if not result.changes:
        return "success", NO_CHANGE
    groups = result.approvals
    done = sum(1 for g in groups if g.satisfied)
    if merge_group:
        return "success", fit(f"no errors; {len(result.changes)} change(s), approvals settled on the pull request")
    waiting = [g for g in groups if not g.satisfied]
    if waiting:
        owners: list[str] = []
        for group in waiting:
            owners.extend(o for o in group.owners if o not in owners)
        who = ", ".join(owners) if owners else "an owner (none is declared)"
        return "pending", fit(f"{done} of {len(groups)} approvals · waiting on {who}")
    return "success", fit(f"no errors; {done} of {len(groups)} approvals" if groups else "no errors")


def error_status(reason: str) -> tuple[State, str]:
    return "error", fit(f"modelgate could not finish: {reason}")
