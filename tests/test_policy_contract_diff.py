"""Contract-level changes inside one version: schema under the contract's compatibility, SLO, fallback, stability."""

import pytest

from bot.policy.contract_diff import diff_contract_version
from bot.policy.evolution import RULE_OF_KIND

SUBJECT = "contract:fraud-score@2"


def version(**kw):
    base = {"version": 2, "status": "active", "stability": "stable",
            "schema": {"type": "object", "properties": {"score": {"type": "number", "minimum": 0, "maximum": 1}},
                       "required": ["score"]},
            "slo": {"latency_p99_ms": 40, "availability": 0.999, "freshness_s": 60},
            "fallback": {"strategy": "default_value", "value": {"score": 0.5}, "when": ["timeout", "error"]}}
    return {**base, **kw}


def summary(changes):
    return [(c.kind, c.type, c.path, c.breaking) for c in changes]


def test_no_change_no_changes():
    assert diff_contract_version(SUBJECT, version(), version()) == []


def wider_score():
    return {"type": "object", "properties": {"score": {"type": "number", "minimum": 0, "maximum": 2}},
            "required": ["score"]}


@pytest.mark.parametrize(("compatibility", "breaking"), [("forward", True), ("backward", False), ("full", True)])
def test_schema_change_judged_under_the_contract_compatibility(compatibility, breaking):
    changes = diff_contract_version(SUBJECT, version(), version(schema=wider_score()), compatibility)
    assert summary(changes) == [("schema", "MAXIMUM_INCREASED", "#/properties/score/maximum", breaking)]
    assert changes[0].subject == SUBJECT
    assert compatibility in changes[0].detail


def test_new_required_field_breaks_backward_but_not_forward():
    old = {"type": "object", "properties": {"score": {"type": "number"}}}
    new = {"type": "object", "properties": {"score": {"type": "number"}}, "required": ["score"]}
    forward = diff_contract_version(SUBJECT, version(schema=old), version(schema=new), "forward")
    backward = diff_contract_version(SUBJECT, version(schema=old), version(schema=new), "backward")
    assert summary(forward) == [("schema", "REQUIRED_ATTRIBUTE_ADDED", "#/required/score", False)]
    assert summary(backward) == [("schema", "REQUIRED_ATTRIBUTE_ADDED", "#/required/score", True)]


def test_forward_break_with_nothing_to_report_old_to_new_is_still_reported():
    changes = diff_contract_version(SUBJECT, version(schema={"type": "string"}), version(schema={}))
    assert summary(changes) == [("schema", "TYPE_CHANGED", "#/", True)]
    assert "old schema" in changes[0].detail


def dated(**day):
    return {"type": "object", "properties": {"day": {"type": "string", **day}}}


@pytest.mark.parametrize(("compatibility", "breaking"), [("backward", True), ("forward", False), ("full", True)])
def test_an_added_format_is_judged_under_the_contract_compatibility_unless_it_annotates(compatibility, breaking):
    old, new = version(schema=dated()), version(schema=dated(format="date"))
    asserted = diff_contract_version(SUBJECT, old, new, compatibility)
    assert summary(asserted) == [("schema", "FORMAT_ADDED", "#/properties/day/format", breaking)]
    assert diff_contract_version(SUBJECT, old, new, compatibility, format_assertion=False) == []
    removed = diff_contract_version(SUBJECT, new, old, compatibility)
    assert summary(removed) == [("schema", "FORMAT_REMOVED", "#/properties/day/format", compatibility != "backward")]


def test_unreadable_schema_is_not_a_change():
    assert diff_contract_version(SUBJECT, version(schema=None), version()) == []


def test_slo_weakened_and_improved():
    changes = diff_contract_version(SUBJECT, version(), version(slo={"latency_p99_ms": 80, "availability": 0.9999}))
    assert summary(changes) == [
        ("slo", "SLO_LATENCY_RAISED", "#/slo/latency_p99_ms", True),
        ("slo", "SLO_AVAILABILITY_RAISED", "#/slo/availability", False),
        ("slo", "SLO_KEY_REMOVED", "#/slo/freshness_s", True),
    ]
    assert changes[0].detail == "latency_p99_ms 40 → 80"


def test_slo_freshness_and_availability_weakened_and_keys_added():
    old = version(slo={"availability": 0.999, "freshness_s": 60})
    new = version(slo={"availability": 0.99, "freshness_s": 30, "latency_p99_ms": 10})
    assert summary(diff_contract_version(SUBJECT, old, new)) == [
        ("slo", "SLO_AVAILABILITY_LOWERED", "#/slo/availability", True),
        ("slo", "SLO_FRESHNESS_LOWERED", "#/slo/freshness_s", False),
        ("slo", "SLO_KEY_ADDED", "#/slo/latency_p99_ms", False),
    ]
    assert summary(diff_contract_version(SUBJECT, new, old))[1] == (
        "slo", "SLO_FRESHNESS_RAISED", "#/slo/freshness_s", True)


def test_fallback_removed_added_and_changed():
    assert summary(diff_contract_version(SUBJECT, version(), version(fallback=None))) == [
        ("fallback", "FALLBACK_REMOVED", "#/fallback", True)]
    assert summary(diff_contract_version(SUBJECT, version(fallback=None), version())) == [
        ("fallback", "FALLBACK_ADDED", "#/fallback", False)]
    new = version(fallback={"strategy": "last_known_good", "when": ["timeout"]})
    changes = diff_contract_version(SUBJECT, version(), new)
    assert summary(changes) == [
        ("fallback", "FALLBACK_STRATEGY_CHANGED", "#/fallback/strategy", True),
        ("fallback", "FALLBACK_VALUE_CHANGED", "#/fallback/value", False),
        ("fallback", "FALLBACK_WHEN_CHANGED", "#/fallback/when", False),
    ]
    assert changes[0].detail == "strategy default_value → last_known_good"
    assert changes[2].detail == "when [timeout, error] → [timeout]"


@pytest.mark.parametrize(("old", "new", "change_type", "breaking"), [
    ("stable", "beta", "STABILITY_DECREASED", True), ("beta", "alpha", "STABILITY_DECREASED", True),
    ("alpha", "stable", "STABILITY_INCREASED", False), (None, "beta", "STABILITY_DECREASED", True),
])
def test_stability(old, new, change_type, breaking):
    changes = diff_contract_version(SUBJECT, version(stability=old), version(stability=new))
    assert summary(changes) == [("stability", change_type, "#/stability", breaking)]


def test_rule_of_kind_and_bad_compatibility():
    assert RULE_OF_KIND == {"schema": "MG101", "slo": "MG109", "fallback": "MG110", "stability": "MG111"}
    with pytest.raises(ValueError, match="compatibility"):
        diff_contract_version(SUBJECT, version(), version(), "sideways")


def conditional(then):
    schema = {"type": "object", "properties": {"score": {"type": "number"}}, "if": {"required": ["score"]}}
    return {**schema, "then": then} if then is not None else schema


@pytest.mark.parametrize("compatibility", ["forward", "backward", "full"])
def test_a_change_the_engine_cannot_prove_compatible_breaks_with_a_clear_detail(compatibility):
    """Removing ``then: {required: [...]}`` was "no change" once; now it is a breaking schema change (MG101)."""
    changes = diff_contract_version(SUBJECT, version(schema=conditional({"required": ["reason"]})),
                                    version(schema=conditional(None)), compatibility)
    assert summary(changes) == [("schema", "NOT_PROVEN_COMPATIBLE", "#/then", True)]
    assert RULE_OF_KIND["schema"] == "MG101"
    assert changes[0].detail == ("then changed at #/then: a keyword the engine does not compare by meaning, so the "
                                 f"change could not be proven compatible (breaks {compatibility} compatibility)")


def test_a_condition_equal_as_json_is_no_schema_change():
    reordered = {"then": {"required": ["reason"]}, **conditional(None)}
    assert diff_contract_version(SUBJECT, version(schema=conditional({"required": ["reason"]})),
                                 version(schema=reordered)) == []
