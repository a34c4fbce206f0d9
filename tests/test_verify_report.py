"""VerifyResult (bot.verify.report): verdict, the JSON shape of docs/cli.md (`modelgate verify`); its text report and
GitHub annotations (bot.report.verify, through the registry)."""

from __future__ import annotations

from collections.abc import Callable

from bot.report.formats import VERIFY
from bot.report.verify import VerifyReport
from bot.verify.report import Drift, Example, NullRate, VerifyResult, Where


def render_text(result: VerifyResult) -> str:
    return VERIFY.render("text", VerifyReport(result, "c.yaml", lambda where: 1))


def render_github(result: VerifyResult, file: str, line: Callable[[Where], int]) -> str:
    return VERIFY.render("github", VerifyReport(result, file, line))


RESULT = VerifyResult(
    contract="fraud-score@2", records=120000, invalid=3,
    examples=(Example(17, "#/score", "1.7 is greater than the maximum of 1"),),
    null_rates=(NullRate("reason_codes", 0.012, 0.05),),
    drift=(Drift("score", 0.04, 0.2, "numeric"),), min_records=1000,
)


def test_json_has_exactly_the_spec_shape():
    assert RESULT.to_json() == {
        "contract": "fraud-score@2", "verdict": "fail", "records": 120000, "invalid": 3,
        "examples": [{"record": 17, "path": "#/score", "reason": "1.7 is greater than the maximum of 1"}],
        "null_rates": {"reason_codes": {"value": 0.012, "max": 0.05, "ok": True}},
        "drift": {"score": {"psi": 0.04, "max": 0.2, "ok": True}},
        "min_records": {"value": 120000, "min": 1000, "ok": True},
    }


def test_each_breach_fails_and_unchecked_bounds_do_not():
    clean = VerifyResult("c@1", 10, 0, null_rates=(NullRate("a", 0.5, 0.5),), drift=(Drift("d", None, 0.1, None, "x"),))
    assert clean.verdict == "pass" and clean.to_json()["drift"]["d"]["ok"] is None
    assert VerifyResult("c@1", 10, 0, null_rates=(NullRate("a", 0.51, 0.5),)).breaches == ["null rate of a 0.51 > 0.5"]
    assert VerifyResult("c@1", 10, 0, drift=(Drift("d", 0.3, 0.2, "numeric"),)).breaches == ["PSI of d 0.3 > 0.2"]
    assert VerifyResult("c@1", 10, 0, min_records=11).breaches == ["10 records, fewer than min_records 11"]
    assert VerifyResult("c@1", 10, 1).breaches == ["1 invalid record"]


def test_text_report_reads_at_a_glance():
    text = render_text(RESULT)
    assert text.splitlines()[0] == "modelgate verify fraud-score@2: FAIL"
    assert "  - 3 invalid records" in text
    assert "records      120000 read, 3 invalid  BREACH" in text
    assert "reason_codes  0.0120  (max 0.05)  ok" in text
    assert "score         0.0400  (max 0.2)  ok  (numeric)" in text
    assert "  record 17  #/score  1.7 is greater than the maximum of 1" in text
    passing = render_text(VerifyResult("c@1", 5, 0, notes=("r.csv: the CSV header has no column for id",)))
    assert passing.splitlines()[0] == "modelgate verify c@1: PASS"
    assert "  - r.csv: the CSV header has no column for id" in passing


def test_github_annotations_point_at_the_quality_keys():
    lines = {("schema",): 9, ("quality", "min_records"): 20, ("quality", "null_rate_max", "reason_codes"): 21,
             ("quality", "drift", "psi_max", "score"): 23}
    result = VerifyResult("fraud-score@2", 10, 2, examples=(Example(3, "#/score", "bad: 100%"),),
                          null_rates=(NullRate("reason_codes", 0.5, 0.05),),
                          drift=(Drift("score", 0.5, 0.2, "numeric"),), min_records=20)
    out = render_github(result, "contracts/fraud-score.yaml", lines.__getitem__).splitlines()
    title = "title=modelgate verify fraud-score@2"
    assert out[0] == (f"::error file=contracts/fraud-score.yaml,line=9,{title}::2 of 10 records are invalid under "
                      "the schema (first: record 3 #/score: bad: 100%25)")
    assert out[1].startswith("::error file=contracts/fraud-score.yaml,line=20,")
    assert out[2].startswith("::error file=contracts/fraud-score.yaml,line=21,")
    assert out[3].startswith("::error file=contracts/fraud-score.yaml,line=23,")
    assert out[4].startswith("modelgate verify fraud-score@2: 10 records, fail (")
    unmeasured = VerifyResult("c@1", 1, 0, drift=(Drift("s", None, 0.2, None, "no --baseline given"),))
    assert render_github(unmeasured, "c.yaml", lambda where: 7).splitlines() == [
        "::warning file=c.yaml,line=7,title=modelgate verify c@1::drift of s not measured: no --baseline given",
        "modelgate verify c@1: 1 records, pass"]


def test_an_example_carries_its_key_only_when_a_key_column_was_named():
    keyed = VerifyResult("c@1", 5, 2, examples=(Example(3, "#/score", "bad", "tx-7", keyed=True),
                                                Example(4, "#/score", "bad", None, keyed=True)))
    assert keyed.to_json()["examples"] == [{"record": 3, "path": "#/score", "reason": "bad", "key": "tx-7"},
                                           {"record": 4, "path": "#/score", "reason": "bad", "key": None}]
    text = render_text(keyed)
    assert 'record 3 (key "tx-7")  #/score  bad' in text
    assert "record 4 (key null)" in text
    assert "key" not in render_text(RESULT)


def test_the_keywords_checked_record_by_record_are_said():
    result = VerifyResult("c@1", 5, 0, checked_per_row=("#: anyOf", "codes: items"))
    text = render_text(result)
    assert "checked record by record by the validator" in text
    assert "  - #: anyOf\n  - codes: items" in text
    assert "record by record" not in render_text(RESULT)
    assert "checked_per_row" not in str(result.to_json())


def test_an_example_of_a_glob_names_its_file_and_one_problem_is_one():
    result = VerifyResult("c@1", 5, 1, examples=(Example(3, "#/score", "bad", file="out/part-1.jsonl"),))
    assert result.to_json()["examples"] == [{"record": 3, "file": "out/part-1.jsonl", "path": "#/score",
                                             "reason": "bad"}]
    text = render_text(result)
    assert "invalid records (first 1 problem)\n  record 3 of out/part-1.jsonl  #/score  bad" in text
    assert "record 3 of out/part-1.jsonl #/score: bad" in render_github(result, "c.yaml", lambda where: 1)
    assert "file" not in str(RESULT.to_json()) and "(first 1 problem)" in render_text(RESULT)
