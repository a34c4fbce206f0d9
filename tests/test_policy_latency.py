"""``bot.policy.latency``: MG204, the latencies a model consumes add up to more than one it provides.

Provided latencies are end to end, so along a chain each model is judged on what it consumes directly: an
upstream latency is already inside its provider's figure and is not counted twice.
"""

from __future__ import annotations

from pathlib import Path

from bot.policy import latency
from bot.registry import State
from tests.helpers import write_tree
from tests.scenarios import check_pair, contract, line_of, load, model, version


def contracts(**latencies: float | None) -> dict[str, str]:
    return {f"contracts/{name}.yaml": contract(name, version(1, latency=ms)) for name, ms in latencies.items()}


def mg204(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str, str | None, int | None, str | None, str]]:
    """(rule, severity, file, line, subject, message) of each finding on the state ``files`` make."""
    found = latency.on_state(State(load(write_tree(tmp_path, files))))
    return [(f.rule, f.severity, f.file, f.line, f.subject, f.message) for f in found]


def test_the_latencies_consumed_add_up(tmp_path: Path) -> None:
    m = model("m", consumes=[("x", 1), ("y", 1)], provides=[("z", 1)])
    files = {**contracts(x=30, y=50, z=79.5), "models/m.yaml": m}
    assert mg204(tmp_path / "over", files) == [(
        "MG204", "warning", "models/m.yaml", line_of(m, "- contract: z"), "model:m",
        "model:m consumes contract:x@1 (30 ms) + contract:y@1 (50 ms) = 80 ms p99 in all, more than the 79.5 ms p99 "
        "of contract:z@1 it provides")]
    assert mg204(tmp_path / "equal", {**files, **contracts(z=80)}) == []


def test_along_a_chain_each_model_spends_only_what_it_consumes(tmp_path: Path) -> None:
    chain = {
        **contracts(x=30, y=50, z=60),
        "models/a.yaml": model("a", provides=[("x", 1)]),
        "models/b.yaml": model("b", consumes=[("x", 1)], provides=[("y", 1)]),
        "models/c.yaml": model("c", consumes=[("y", 1)], provides=[("z", 1)]),
    }
    assert mg204(tmp_path / "fits", chain) == []  # c: 50 <= 60 (y's 50 already holds x's 30)
    tight = {**chain, **contracts(y=25)}
    assert [(f[4], f[5].split(" = ")[1]) for f in mg204(tmp_path / "tight", tight)] == [
        ("model:b", "30 ms p99 in all, more than the 25 ms p99 of contract:y@1 it provides")]


def test_a_missing_slo_counts_zero(tmp_path: Path) -> None:
    m = model("m", consumes=[("x", 1), ("bare", 1)], provides=[("z", 1)])
    files = {**contracts(x=30, bare=None, z=29), "models/m.yaml": m}
    assert [f[5] for f in mg204(tmp_path, files)] == [
        "model:m consumes contract:x@1 (30 ms) = 30 ms p99 in all, more than the 29 ms p99 of contract:z@1 it provides"]


def test_nothing_is_judged_without_a_consumed_latency_or_a_provided_budget(tmp_path: Path) -> None:
    files = {**contracts(bare=None, x=30, z=10, open=None),
             "models/free.yaml": model("free", consumes=[("bare", 1)], provides=[("z", 1)]),
             "models/open.yaml": model("open", consumes=[("x", 1)], provides=[("open", 1)]),
             "models/ghost.yaml": model("ghost", consumes=[("nowhere", 1), ("x", 7)], provides=[("z", 1)])}
    assert mg204(tmp_path, files) == []  # an unknown contract or version counts 0 too (MG003 reports it)


def test_each_provided_version_over_budget_is_one_finding_at_its_line(tmp_path: Path) -> None:
    m = model("m", consumes=[("x", 1)], provides=[("p", 1), ("q", 1), ("r", 1)])
    files = {**contracts(x=40, p=30, q=40, r=35), "models/m.yaml": m}
    assert [(f[3], f[5].rsplit(" of ", 1)[1]) for f in mg204(tmp_path, files)] == [
        (line_of(m, "- contract: p"), "contract:p@1 it provides"),
        (line_of(m, "- contract: r"), "contract:r@1 it provides")]


BASE = {**contracts(x=30, z=20), "models/m.yaml": model("m", consumes=[("x", 1)], provides=[("z", 1)]),
        "models/p.yaml": model("p", provides=[("x", 1)])}


def test_a_budget_already_exceeded_at_base_is_preexisting_and_does_not_fail(tmp_path: Path) -> None:
    config = {".modelgate.yml": "rules: {MG204: error}\n"}
    result = check_pair(tmp_path, {**BASE, **config}, {"models/p.yaml": model("p", provides=[("x", 1)],
                                                                                semver="1.0.1")})
    assert [(f.rule, f.severity, f.subject, f.preexisting) for f in result.findings] == [
        ("MG204", "error", "model:m", True)]
    assert result.errors == [] and result.verdict == "pending"


def test_a_budget_the_pr_exceeds_is_new_and_fails_when_configured_as_an_error(tmp_path: Path) -> None:
    base = {**BASE, **contracts(z=40), ".modelgate.yml": "rules: {MG204: error}\n"}
    result = check_pair(tmp_path, base, contracts(x=45))
    assert [(f.rule, f.severity, f.preexisting) for f in result.findings if f.rule == "MG204"] == [
        ("MG204", "error", False)]
    assert result.verdict == "fail"


def test_a_changed_figure_is_a_new_finding_even_when_one_existed_at_base(tmp_path: Path) -> None:
    result = check_pair(tmp_path, BASE, contracts(x=35))  # 30 > 20 at base; 35 > 20 now: a different excess
    assert [(f.rule, f.severity, f.preexisting, f.message.split(" = ")[1][:5]) for f in result.findings
            if f.rule == "MG204"] == [("MG204", "warning", False, "35 ms")]
