"""Scenario tests of ``bot.check.evaluate``: pairs of small monorepos, exact findings, impact, approvals, checklist."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.approvals import Review, ReviewState
from bot.check import assess, evaluate, judge
from bot.loader import Loader
from bot.sources import DirectorySource
from tests.scenarios import TODAY, check_pair, contract, found, groups, line_of, model, states, version

C, P, S = "contracts/feat.yaml", "models/pipe.yaml", "models/scorer.yaml"
R, D = "models/ranker.yaml", "models/dash.yaml"
GUIDE = {"docs/feat-v2.md": "# moving to feat v2\n"}


def platform(feat: str, pipe_provides: tuple[tuple[str, int], ...] = (("feat", 1),),
             scorer_on: int = 1, ranker_on: int = 1) -> dict[str, str]:
    """pipe → feat → scorer (reads a) and ranker (reads b); scorer → score@1 → dash."""
    return {
        C: feat,
        "contracts/score.yaml": contract("score", version(1, props=("p",))),
        P: model("pipe", provides=pipe_provides),
        S: model("scorer", consumes=[("feat", scorer_on, ["a"])], provides=[("score", 1)]),
        R: model("ranker", consumes=[("feat", ranker_on, ["b"])]),
        D: model("dash", consumes=[("score", 1)]),
        **GUIDE,
    }


def test_clean_compatible_additive_change_waits_for_owner_approval_only(tmp_path: Path) -> None:
    base = platform(contract("feat", version(1, closed=False)))
    result = check_pair(tmp_path, base, {C: contract("feat", version(1, props=("a", "b", "c"), closed=False))})
    assert found(result) == set()
    assert [(c.subject, c.kind, c.breaking) for c in result.changes] == [("contract:feat@1", "schema", False)]
    assert groups(result) == {("MG301", "contract:feat")}
    assert result.direct == [] and result.transitive == [] and result.checklist == []
    assert result.verdict == "pending"


def test_field_level_impact_reaches_only_the_reader_and_what_is_below_it(tmp_path: Path) -> None:
    base = platform(contract("feat", version(1)))
    head_feat = contract("feat", version(1, props=("a",), types="string").replace(
        "          a: {type: string}\n", "          a: {type: string}\n          b: {type: number}\n"))
    result = check_pair(tmp_path, base, {C: head_feat})
    assert found(result) == {("MG101", "contract:feat@1", C, line_of(head_feat, "a: {type: string}"))}
    assert [(i.model, i.via, i.fields) for i in result.direct] == [("scorer", "contract:feat@1", ("a",))]
    assert [(i.model, i.depth, i.chain) for i in result.transitive] == [
        ("dash", 2, ("contract:feat@1", "model:scorer", "contract:score@1", "model:dash"))]
    assert groups(result) == {("MG301", "contract:feat"), ("MG302", "model:scorer")}
    assert [i.id for i in result.checklist] == ["migrate:scorer:feat@1"]
    assert result.verdict == "fail"


def test_proper_deprecation_has_no_error_and_asks_the_consumers(tmp_path: Path) -> None:
    base = platform(contract("feat", version(1)))
    feat = contract("feat", version(1, status="deprecated", sunset="2027-03-31", replacement=2,
                                     migration="docs/feat-v2.md"), version(2))
    result = check_pair(tmp_path, base, {C: feat, P: model("pipe", provides=[("feat", 1), ("feat", 2)])})
    scorer, ranker = platform(feat)[S], platform(feat)[R]
    assert found(result) == {("MG201", "model:scorer", S, line_of(scorer, "- contract: feat")),
                             ("MG201", "model:ranker", R, line_of(ranker, "- contract: feat"))}
    assert all(f.severity == "warning" and "123 days left" in f.message for f in result.findings)
    assert {i.model for i in result.direct} == {"scorer", "ranker"}
    assert {i.model for i in result.transitive} == {"dash"}
    assert groups(result) == {("MG301", "contract:feat"), ("MG301", "model:pipe"),
                              ("MG302", "model:scorer"), ("MG302", "model:ranker")}
    assert [(i.id, i.due, i.done) for i in result.checklist] == [
        ("migrate:ranker:feat@1", date(2027, 3, 31), False), ("migrate:scorer:feat@1", date(2027, 3, 31), False)]
    assert [s.subject for s in result.sunsets] == ["contract:feat@1"]
    assert [p.stage for p in result.plan] == ["shadow", "shadow", "canary", "production", "migrate", "retire"]
    assert result.verdict == "pending"


def test_removal_after_sunset_with_no_consumer_left_is_allowed(tmp_path: Path) -> None:
    old = version(1, status="deprecated", sunset="2026-11-01", replacement=2, migration="docs/feat-v2.md")
    base = platform(contract("feat", old, version(2)), pipe_provides=(("feat", 1), ("feat", 2)),
                    scorer_on=2, ranker_on=2)
    result = check_pair(tmp_path, base, {C: contract("feat", version(2)), P: model("pipe", provides=[("feat", 2)])})
    assert found(result) == set()
    assert [(c.subject, c.type) for c in result.changes if c.subject.startswith("contract")] == [
        ("contract:feat@1", "VERSION_REMOVED")]
    assert result.direct == []
    assert groups(result) == {("MG301", "contract:feat"), ("MG301", "model:pipe")}
    assert result.verdict == "pending"


def test_removal_before_sunset_while_consumed(tmp_path: Path) -> None:
    old = version(1, status="deprecated", sunset="2027-01-15", replacement=2, migration="docs/feat-v2.md")
    base_feat = contract("feat", old, version(2))
    base = platform(base_feat, pipe_provides=(("feat", 1), ("feat", 2)), ranker_on=2)
    result = check_pair(tmp_path, base, {C: contract("feat", version(2)), P: model("pipe", provides=[("feat", 2)])})
    removed_at = line_of(base_feat, "- version: 1")
    assert found(result) == {
        ("MG102", "contract:feat@1", C, removed_at),
        ("MG103", "contract:feat@1", C, removed_at),
        ("MG003", "model:scorer", S, line_of(base[S], "version: 1", after="- contract: feat")),
    }
    assert "48 days left" in next(f.message for f in result.findings if f.rule == "MG102")
    assert [(i.model, i.via) for i in result.direct] == [("scorer", "contract:feat@1")]
    assert [i.id for i in result.checklist] == ["migrate:scorer:feat@1"]
    assert result.verdict == "fail"


@pytest.mark.parametrize(("stability", "expected"), [(None, {"MG105"}), ("beta", set())])
def test_deprecation_window_depends_on_stability(tmp_path: Path, stability: str | None, expected: set[str]) -> None:
    base = platform(contract("feat", version(1, stability=stability)))
    feat = contract("feat", version(1, status="deprecated", stability=stability, sunset="2027-01-01", replacement=2,
                                     migration="docs/feat-v2.md"), version(2))
    result = check_pair(tmp_path, base, {C: feat, P: model("pipe", provides=[("feat", 1), ("feat", 2)])})
    errors = {f for f in found(result) if f[0] != "MG201"}
    assert errors == {(rule, "contract:feat@1", C, line_of(feat, "sunset:")) for rule in expected}
    if expected:
        assert "at least 90 days: a sunset on or after 2027-02-26" in result.findings[0].message


@pytest.mark.parametrize(("moved_to", "expected"), [("2027-01-01", {"MG106"}), ("2027-03-01", set())])
def test_sunset_moved_earlier_than_the_window(tmp_path: Path, moved_to: str, expected: set[str]) -> None:
    def feat(sunset: str) -> str:
        return contract("feat", version(1, status="deprecated", sunset=sunset, replacement=2,
                                        migration="docs/feat-v2.md"), version(2))

    base = platform(feat("2027-06-01"), pipe_provides=(("feat", 1), ("feat", 2)), scorer_on=2, ranker_on=2)
    result = check_pair(tmp_path, base, {C: feat(moved_to)})
    assert found(result) == {(rule, "contract:feat@1", C, line_of(feat(moved_to), "sunset:")) for rule in expected}
    assert [c.type for c in result.changes] == ["SUNSET_MOVED"]


def test_new_dependency_on_a_deprecated_version(tmp_path: Path) -> None:
    feat = contract("feat", version(1, status="deprecated", sunset="2027-06-01", replacement=2,
                                     migration="docs/feat-v2.md"), version(2))
    base = platform(feat, pipe_provides=(("feat", 1), ("feat", 2)), scorer_on=2, ranker_on=2)
    newbie = model("newbie", consumes=[("feat", 1)], owners='["@new-team"]')
    result = check_pair(tmp_path, base, {"models/newbie.yaml": newbie})
    at = line_of(newbie, "- contract: feat")
    assert found(result) == {("MG203", "model:newbie", "models/newbie.yaml", at),
                             ("MG201", "model:newbie", "models/newbie.yaml", at)}
    # a new model does not choose its approvers: no CODEOWNERS rule and no admins here, so nobody can approve it
    assert [(a.subject, a.owners) for a in result.approvals] == [("model:newbie", ())]
    assert result.verdict == "fail"


def test_a_new_cycle_fails_and_an_old_one_is_preexisting(tmp_path: Path) -> None:
    base = platform(contract("feat", version(1)))
    looped = model("pipe", consumes=[("score", 1)], provides=[("feat", 1)])
    result = check_pair(tmp_path, base, {P: looped})
    assert found(result) == {("MG004", "model:pipe", P, line_of(looped, "- contract: score"))}
    assert "model:pipe → contract:feat@1 → model:scorer → contract:score@1 → model:pipe" in result.findings[0].message
    assert result.verdict == "fail"
    again = check_pair(tmp_path / "again", {**base, P: looped}, {"models/dash.yaml": model("dash", semver="1.1.0")})
    assert [(f.rule, f.preexisting) for f in again.findings] == [("MG004", True)]
    assert again.verdict == "pending"


def test_latency_budget_exceeded_along_a_chain_of_three(tmp_path: Path) -> None:
    base = {
        "contracts/x.yaml": contract("x", version(1, latency=30)),
        "contracts/y.yaml": contract("y", version(1, latency=50)),
        "contracts/z.yaml": contract("z", version(1, latency=40)),
        "models/a.yaml": model("a", provides=[("x", 1)]),
        "models/b.yaml": model("b", consumes=[("x", 1)], provides=[("y", 1)]),
    }
    c = model("c", consumes=[("y", 1)], provides=[("z", 1)])
    result = check_pair(tmp_path, base, {"models/c.yaml": c})
    assert found(result) == {("MG204", "model:c", "models/c.yaml", line_of(c, "- contract: z"))}
    assert "contract:y@1 (50 ms) = 50 ms p99 in all, more than the 40 ms p99 of contract:z@1" in \
        result.findings[0].message
    assert result.verdict == "pending"


def test_approvals_satisfied_by_reviews_make_it_pass(tmp_path: Path) -> None:
    base = platform(contract("feat", version(1, closed=False)))
    reviews = ReviewState(author="someone", head_sha="abc",
                          reviews=(Review("acme-dev", "APPROVED", "abc", "2026-11-28T10:00:00Z"),),
                          team_members={"acme/data": frozenset({"acme-dev"})})
    result = check_pair(tmp_path, base, {C: contract("feat", version(1, props=("a", "b", "c"), closed=False))},
                        reviews=reviews)
    assert [(a.satisfied, a.by) for a in result.approvals] == [(True, ("acme-dev",))]
    assert result.verdict == "pass"


def test_the_example_platform_shows_what_it_was_built_to_show() -> None:
    root = Path(__file__).resolve().parent.parent / "examples" / "fraud-platform"
    if not (root / "head").is_dir():
        pytest.skip("examples/fraud-platform is not there")
    base = Loader(DirectorySource(root / "base")).load()
    head = Loader(DirectorySource(root / "head"), base.config).load()
    result = evaluate(base, head, date(2026, 11, 28))
    assert {(f.rule, f.severity, f.file, f.line, f.subject, f.preexisting) for f in result.findings} == {
        ("MG101", "error", "contracts/transaction-features.yaml", 30, "contract:transaction-features@2", False),
        ("MG102", "error", "contracts/merchant-features.yaml", 31, "contract:merchant-features@1", False),
        ("MG103", "error", "contracts/merchant-features.yaml", 31, "contract:merchant-features@1", False),
        ("MG105", "error", "contracts/ato-score.yaml", 52, "contract:ato-score@1", False),
        ("MG108", "warning", "contracts/ato-score.yaml", 54, "contract:ato-score@1", False),
        ("MG109", "error", "contracts/fraud-score.yaml", 27, "contract:fraud-score@2", False),
        ("MG201", "warning", "models/decisioning/risk-router.yaml", 15, "model:risk-router", False),
        ("MG201", "warning", "models/ops/customer-alerts.yaml", 15, "model:customer-alerts", False),
        ("MG201", "warning", "models/ops/fraud-ops-dashboard.yaml", 16, "model:fraud-ops-dashboard", True),
        ("MG202", "error", "models/ops/merchant-monitoring.yaml", 12, "model:merchant-monitoring", False),
        ("MG203", "error", "models/ops/customer-alerts.yaml", 15, "model:customer-alerts", False),
        ("MG204", "warning", "models/decisioning/risk-router.yaml", 19, "model:risk-router", False),
        ("MG205", "notice", "models/scoring/fraud-scorer.yaml", 11, "model:fraud-scorer", False),
    }
    assert {i.model for i in result.direct} == {
        "fraud-scorer", "chargeback-predictor", "risk-router", "review-queue-prioritiser", "fraud-ops-dashboard",
        "customer-alerts", "merchant-monitoring"}
    assert "ato-scorer" not in result.impacted_models
    assert {a.subject for a in result.approvals if a.rule == "MG301"} == {
        "contract:transaction-features", "contract:merchant-features", "contract:fraud-score", "contract:ato-score",
        "model:txn-feature-pipeline", "model:merchant-risk-features", "model:fraud-scorer", "model:ato-scorer",
        "model:customer-alerts"}
    assert result.verdict == "fail"


def test_one_assessment_judged_with_and_without_team_membership(tmp_path: Path) -> None:
    """The GitHub adapter assesses the states once and judges the reviews again when it learns team membership:
    each judgement gives what a whole evaluation gives, and none changes the assessment."""
    base = platform(contract("feat", version(1, closed=False)))
    pair = states(tmp_path, base, {C: contract("feat", version(1, props=("a", "b", "c"), closed=False))})
    blind = ReviewState(author="someone", head_sha="abc",
                        reviews=(Review("acme-dev", "APPROVED", "abc", "2026-11-28T10:00:00Z"),))
    seeing = replace(blind, team_members={"acme/data": frozenset({"acme-dev"})})
    assessment = assess(*pair, TODAY)
    before = repr(assessment)
    first, second = judge(assessment, blind), judge(assessment, seeing)
    assert (first.verdict, second.verdict) == ("pending", "pass")
    assert first == evaluate(*pair, TODAY, blind) and second == evaluate(*pair, TODAY, seeing)
    second.notes.append("a run note")
    assert repr(assessment) == before and first.notes == []
