"""``bot.config``: the defaults docs/manifests.md shows, what the configuration refuses, and ``window_days``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bot.config import CONFIG_PATH, Config
from bot.manifests.parse import parse_config
from bot.rules import catalog

DOCS = Path(__file__).resolve().parents[1] / "docs" / "manifests.md"
# docs/manifests.md's block, verbatim; `rules` and `admins` there are examples, the rest are the defaults.
DOCS_BLOCK = """\
manifests: {include: ["**/*.yaml", "**/*.yml"], exclude: []}
limits: {max_manifest_bytes: 1000000, max_depth: 64}
deprecation_days: {stable: 90, beta: 30, alpha: 0}
compatibility_policy: strict
rules: {MG201: error, MG204: off}
approvals: {invalidate_on_push: true, allow_author: false, transitive: notify}
compat: {format: assert}
rollout: {stages: [shadow, canary, production], command_permission: write}
calendar: {enabled: true, label: modelgate-calendar, notify_days: [30, 7, 1], mention_owners: true}
admins: ["@acme/ml-platform"]
status_context: modelgate
"""
DEFAULTS = {
    "manifests": {"include": ["**/*.yaml", "**/*.yml"], "exclude": []},
    "limits": {"max_manifest_bytes": 1_000_000, "max_depth": 64},
    "deprecation_days": {"stable": 90, "beta": 30, "alpha": 0},
    "compatibility_policy": "strict",
    "rules": {},
    "approvals": {"invalidate_on_push": True, "allow_author": False, "transitive": "notify", "max_depth": None},
    "compat": {"format": "assert"},
    "rollout": {"stages": ["shadow", "canary", "production"], "command_permission": "write"},
    "calendar": {"enabled": True, "label": "modelgate-calendar", "notify_days": [30, 7, 1], "mention_owners": True},
    "admins": [],
    "status_context": "modelgate",
}


def refused(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """(location, message) of every error the configuration gives for ``data`` (which must be refused)."""
    with pytest.raises(ValidationError) as caught:
        Config.model_validate(data)
    return [(tuple(err["loc"]), err["msg"]) for err in caught.value.errors()]


def test_the_docs_block_is_quoted_verbatim() -> None:
    assert DOCS_BLOCK in DOCS.read_text(encoding="utf-8")


def test_the_defaults_are_the_docs_block_without_its_examples() -> None:
    assert CONFIG_PATH == ".modelgate.yml"
    assert Config().model_dump() == DEFAULTS
    spelled_out = Config.model_validate(yaml.safe_load(DOCS_BLOCK))
    assert spelled_out.model_dump() == {**DEFAULTS, "rules": {"MG201": "error", "MG204": "off"},
                                        "admins": ["@acme/ml-platform"]}


def test_each_section_may_be_given_in_part() -> None:
    config = Config.model_validate({"limits": {"max_depth": 8}, "approvals": {"allow_author": True}})
    assert config.limits.model_dump() == {"max_manifest_bytes": 1_000_000, "max_depth": 8}
    assert config.approvals.model_dump() == {"invalidate_on_push": True, "allow_author": True,
                                             "transitive": "notify", "max_depth": None}
    assert config.model_dump(exclude={"limits", "approvals"}) == {
        k: v for k, v in DEFAULTS.items() if k not in ("limits", "approvals")}


@pytest.mark.parametrize(("text", "asserts"), [("{}", True), ("{format: assert}", True), ("{format: annotate}", False)])
def test_compat_format_says_whether_format_asserts(text: str, asserts: bool) -> None:
    assert Config.model_validate(yaml.safe_load(f"compat: {text}")).compat.format_assertion is asserts


@pytest.mark.parametrize(("text", "severity"), [
    ("MG204: false", "off"), ("MG204: off", "off"), ("MG204: 'off'", "off"), ("MG204: notice", "notice"),
    ("MG201: error", "error"), ("MG005: warning", "warning")])
def test_severity_overrides_and_false_means_off(text: str, severity: str) -> None:
    rule = text.split(":")[0]
    assert Config.model_validate(yaml.safe_load(f"rules: {{{text}}}")).rules == {rule: severity}


@pytest.mark.parametrize("value", [True, "loud", "ERROR", 0, None])
def test_a_severity_that_is_not_one_is_refused(value: Any) -> None:
    assert [loc for loc, _ in refused({"rules": {"MG101": value}})] == [("rules", "MG101")]


@pytest.mark.parametrize(("rules", "message"), [
    ({"MG999": "off"}, "no rule MG999 in the catalogue (see `modelgate rules`)"),
    ({"MG101": "off", "MG998": "error", "MG997": "off"}, "no rule MG998, MG997 in the catalogue"),
    ({"mg101": "off"}, "not a rule id: mg101 (rule ids look like MG101)"),
    ({"latency": "off", "MG1011": "off"}, "not a rule id: latency, MG1011"),
])
def test_rule_ids_outside_the_catalogue_are_refused(rules: dict[str, str], message: str) -> None:
    errors = refused({"rules": rules})
    assert [loc for loc, _ in errors] == [("rules",)]
    assert message in errors[0][1]


def test_every_rule_of_the_catalogue_may_be_configured() -> None:
    ids = sorted(catalog())
    assert ids[0] == "MG001" and "MG302" in ids
    assert Config.model_validate({"rules": dict.fromkeys(ids, "off")}).rules == dict.fromkeys(ids, "off")


@pytest.mark.parametrize(("data", "where"), [
    ({"rule": {"MG101": "off"}}, ("rule",)),
    ({"limits": {"max_bytes": 10}}, ("limits", "max_bytes")),
    ({"approvals": {"invalidate_on_push": True, "allow_authors": True}}, ("approvals", "allow_authors")),
    ({"rollout": {"stages": ["canary"], "permission": "admin"}}, ("rollout", "permission")),
    ({"manifests": {"include": ["*.yaml"], "excludes": []}}, ("manifests", "excludes")),
    ({"compat": {"formats": "assert"}}, ("compat", "formats")),
])
def test_unknown_keys_are_refused(data: dict[str, Any], where: tuple[str, ...]) -> None:
    assert refused(data) == [(where, "Extra inputs are not permitted")]


@pytest.mark.parametrize(("data", "where"), [
    ({"limits": {"max_depth": "64"}}, ("limits", "max_depth")),
    ({"limits": {"max_manifest_bytes": True}}, ("limits", "max_manifest_bytes")),
    ({"limits": {"max_manifest_bytes": 1.5e6}}, ("limits", "max_manifest_bytes")),
    ({"limits": {"max_manifest_bytes": 0}}, ("limits", "max_manifest_bytes")),
    ({"limits": {"max_depth": 1}}, ("limits", "max_depth")),
    ({"deprecation_days": {"stable": -1}}, ("deprecation_days", "stable")),
    ({"deprecation_days": {"beta": "30"}}, ("deprecation_days", "beta")),
    ({"approvals": {"invalidate_on_push": "yes"}}, ("approvals", "invalidate_on_push")),
    ({"approvals": {"allow_author": 1}}, ("approvals", "allow_author")),
    ({"approvals": {"transitive": "always"}}, ("approvals", "transitive")),
    ({"approvals": {"transitive": True}}, ("approvals", "transitive")),
    ({"approvals": {"transitive": "require", "max_depth": 0}}, ("approvals", "max_depth")),
    ({"approvals": {"transitive": "require", "max_depth": True}}, ("approvals", "max_depth")),
    ({"approvals": {"transitive": "require", "max_depth": "3"}}, ("approvals", "max_depth")),
    ({"compatibility_policy": "loose"}, ("compatibility_policy",)),
    ({"compat": {"format": "validate"}}, ("compat", "format")),
    ({"compat": {"format": True}}, ("compat", "format")),
    ({"compat": "annotate"}, ("compat",)),
    ({"manifests": {"include": "**/*.yaml"}}, ("manifests", "include")),
    ({"manifests": ["**/*.yaml"]}, ("manifests",)),
    ({"rollout": {"stages": []}}, ("rollout", "stages")),
    ({"rollout": {"stages": ["shadow", "canary", "shadow"]}}, ("rollout", "stages")),
    ({"rollout": {"command_permission": "owner"}}, ("rollout", "command_permission")),
    ({"admins": "@acme/ml-platform"}, ("admins",)),
    ({"status_context": ""}, ("status_context",)),
    ({"status_context": "x" * 101}, ("status_context",)),
    ({"status_context": 7}, ("status_context",)),
    ({"rules": ["MG101"]}, ("rules",)),
])
def test_wrong_types_and_values_are_refused(data: dict[str, Any], where: tuple[str, ...]) -> None:
    assert [loc for loc, _ in refused(data)] == [where]


def test_duplicate_stages_say_so() -> None:
    assert "rollout stages must be distinct" in refused({"rollout": {"stages": ["a", "a"]}})[0][1]


def test_the_configuration_cannot_be_changed_once_read() -> None:
    config = Config()
    with pytest.raises(ValidationError, match="frozen"):
        config.status_context = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        config.limits.max_depth = 3  # type: ignore[misc]


@pytest.mark.parametrize(("data", "expected"), [
    ({}, {"stable": 90, "beta": 30, "alpha": 0}),
    ({"deprecation_days": {"beta": 14}}, {"stable": 90, "beta": 14, "alpha": 0}),
    ({"deprecation_days": {"stable": 180, "beta": 60, "alpha": 7}}, {"stable": 180, "beta": 60, "alpha": 7}),
])
def test_window_days_per_stability(data: dict[str, Any], expected: dict[str, int]) -> None:
    config = Config.model_validate(data)
    assert {stability: config.window_days(stability) for stability in expected} == expected



@pytest.mark.parametrize("severity", ["error", "warning", "notice"])
def test_approval_rules_can_only_be_turned_off(severity):
    with pytest.raises(ValidationError, match="MG302 can only be turned off"):
        Config.model_validate({"rules": {"MG302": severity}})
    assert Config.model_validate({"rules": {"MG301": False, "MG302": "off"}}).rules == {"MG301": "off", "MG302": "off"}


@pytest.mark.parametrize(("depth", "transitive", "max_depth", "required"), [
    (1, "notify", None, True), (2, "notify", None, False), (9, "notify", None, False),
    (1, "require", None, True), (2, "require", None, True), (40, "require", None, True),
    (2, "require", 2, True), (3, "require", 2, False), (1, "require", 1, True), (2, "require", 1, False),
])
def test_which_depths_must_approve(depth: int, transitive: str, max_depth: int | None, required: bool) -> None:
    approvals = {"transitive": transitive} | ({"max_depth": max_depth} if max_depth else {})
    assert Config.model_validate({"approvals": approvals}).approvals.requires(depth) is required


@pytest.mark.parametrize(("text", "line", "message"), [
    ("approvals:\n  transitive: always\n", 2, "approvals.transitive: Input should be 'notify' or 'require'"),
    ("admins: []\napprovals:\n  transitive: require\n  max_depth: 0\n", 4,
     "approvals.max_depth: Input should be greater than or equal to 1"),
    ("approvals:\n  transitive: require\n  max_depth: two\n", 3,
     "approvals.max_depth: Input should be a valid integer"),
    ("approvals:\n  allow_author: true\n  max_depth: 3\n", 3,
     "approvals: max_depth bounds `transitive: require`; under `transitive: notify` no transitive model is asked "
     "to approve, so it would do nothing (set `transitive: require`, or remove max_depth)"),
    ("approvals: {transitive: require, max_dept: 2}\n", 1,
     "unknown field 'approvals.max_dept'; did you mean 'max_depth'?"),
])
def test_invalid_transitive_settings_are_mg001_with_the_line(text: str, line: int, message: str) -> None:
    config, [problem] = parse_config(text.encode())
    assert config == Config()
    assert (problem.rule, problem.file, problem.line, problem.message) == ("MG001", CONFIG_PATH, line, message)


def test_max_depth_bounds_require_only() -> None:
    assert Config.model_validate({"approvals": {"transitive": "require", "max_depth": 2}}).approvals.max_depth == 2
    [(where, message)] = refused({"approvals": {"max_depth": 2}})
    assert where == ("approvals",) and "max_depth bounds `transitive: require`" in message


@pytest.mark.parametrize(("text", "setting"), [
    ("MG201: {before: notice, after: warning}", {"before": "notice", "after": "warning"}),
    ("MG201: {before: false, after: error}", {"before": "off", "after": "error"}),
    ("MG201: {after: 'off', before: error}", {"before": "error", "after": "off"}),
])
def test_mg201_takes_a_severity_before_and_after_its_sunset(text: str, setting: dict[str, str]) -> None:
    config = Config.model_validate(yaml.safe_load(f"rules: {{{text}}}"))
    assert config.model_dump()["rules"] == {"MG201": setting}
    assert config.severity("MG201", "warning") == setting["before"]
    assert config.severity("MG201", "error", escalated=True) == setting["after"]


@pytest.mark.parametrize(("text", "before", "after"), [
    ("MG201: {after: warning}", "warning", "warning"),  # before: the catalogue's warning
    ("MG201: {before: notice}", "notice", "error"),  # after: the escalation's error
    ("MG201: {after: 'off'}", "warning", "off"),
])
def test_half_a_mapping_keeps_the_catalogue_on_the_side_left_out(text: str, before: str, after: str) -> None:
    config, problems = parse_config(f"rules: {{{text}}}\n".encode())
    assert problems == []
    assert config.severity("MG201", "warning") == before
    assert config.severity("MG201", "error", escalated=True) == after
    assert config.enabled("MG201")


@pytest.mark.parametrize(("rules", "found", "escalated", "severity"), [
    ({}, "warning", False, "warning"), ({}, "error", True, "error"),
    ({"MG201": "notice"}, "warning", False, "notice"), ({"MG201": "notice"}, "error", True, "error"),
    ({"MG201": "warning"}, "error", True, "error"), ({"MG201": "off"}, "error", True, "off"),
    ({"MG201": False}, "warning", False, "off"), ({"MG204": "error"}, "warning", False, "error"),
])
def test_one_severity_sets_the_one_before_the_escalation_and_keeps_the_escalation(
        rules: dict[str, Any], found: str, escalated: bool, severity: str) -> None:
    rule = next(iter(rules), "MG201")
    assert Config.model_validate({"rules": rules}).severity(rule, found, escalated) == severity


def test_a_rule_off_before_and_after_is_off() -> None:
    assert not Config.model_validate({"rules": {"MG201": {"before": "off", "after": False}}}).enabled("MG201")
    assert Config.model_validate({"rules": {"MG201": {"before": "off", "after": "error"}}}).enabled("MG201")
    assert not Config.model_validate({"rules": {"MG201": "off"}}).enabled("MG201")


@pytest.mark.parametrize(("text", "line", "message"), [
    ("rules:\n  MG204: {before: notice, after: error}\n", 2,
     "rules: MG204 takes one severity (error, warning, notice or off): `{before, after}` is only for a rule whose "
     "severity escalates (MG201)"),
    ("rules:\n  MG201: warning\n  MG101:\n    before: notice\n    after: error\n", 3,
     "rules: MG101 takes one severity (error, warning, notice or off): `{before, after}` is only for a rule whose "
     "severity escalates (MG201)"),
    ("rules:\n  MG302: {before: 'off', after: 'off'}\n", 2,
     "rules: MG302 can only be turned off: approvals have no severity"),
    ("rules:\n  MG201:\n    before: notice\n    after: fatal\n", 4,
     "rules.MG201.after: Input should be 'error', 'warning', 'notice' or 'off'"),
    ("rules:\n  MG201: {}\n", 2, "rules.MG201: give `before`, `after` or both (each error, warning, notice or off)"),
    ("rules:\n  MG201:\n    before: notice\n    after: error\n    later: off\n", 5,
     "unknown field 'rules.MG201.later'"),
    ("rules:\n  MG201: loud\n", 2, "rules.MG201: expected a severity: error, warning, notice or off (false); a rule "
     "whose severity escalates (MG201) also takes `{before: S, after: S}` (either side may be left out)"),
])
def test_before_and_after_are_for_mg201_only_and_mistakes_are_mg001_with_the_line(
        text: str, line: int, message: str) -> None:
    config, [problem] = parse_config(text.encode())
    assert config == Config()
    assert (problem.rule, problem.file, problem.line, problem.message) == ("MG001", CONFIG_PATH, line, message)


@pytest.mark.parametrize("label", ["a,b", " leading", "trailing ", "new\nline", "tab\tinside", "bell\x07", "del\x7f",
                                   "c1\x85", ""])
def test_a_calendar_label_github_would_not_keep_as_written_is_refused(label: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Config.model_validate({"calendar": {"label": label}})
    assert caught.value.errors()[0]["loc"] == ("calendar", "label")


@pytest.mark.parametrize("label", ["modelgate-calendar", "deprecation calendar", "x", "étiquette: dépréciée"])
def test_a_calendar_label_with_inner_spaces_or_letters_of_any_script_is_accepted(label: str) -> None:
    assert Config.model_validate({"calendar": {"label": label}}).calendar.label == label
