"""No pattern from input runs on a backtracking engine (issue 19, item 8): ``bot.compat.patterns`` everywhere.

``^(a|a)*$`` against ``a`` x 30 + ``!`` takes Python's ``re`` minutes; here it is answered at once (a regression
would hang until pytest-timeout fails it). What the linear engine does not evaluate is said, never guessed.
"""

import ast
from pathlib import Path

import pytest

from bot.compat import compare, patterns
from bot.verify.validate import RecordValidator, SchemaCompileError

HOSTILE = "^(a|a)*$"
VICTIM = "a" * 30 + "!"
BOT = Path(__file__).resolve().parents[2] / "bot"
# regular expressions of bot's own, not from input
OWN_PATTERNS = {
    "bot/owners.py": "OWNER_RE, a constant built from the constant LOGIN",
    "bot/manifests/parse.py": "pathspec's translation of the globs of .modelgate.yml (the trust root's)",
}


def test_a_catastrophic_pattern_is_answered_in_linear_time():
    assert patterns.search(HOSTILE, VICTIM) is False
    assert patterns.search(HOSTILE, "a" * 100_000) is True
    assert patterns.problem(HOSTILE) is None


@pytest.mark.parametrize(("pattern", "text", "found"), [
    ("^\\d+$", "123", True), ("^\\d+$", "\u0661", False),  # ECMA-262: \d is ASCII (Python's re: any digit)
    ("^\\w+$", "é", False), ("^.$", "\n", False), ("^\\s$", "\u00a0", True),
    ("b", "abc", True), ("^b", "abc", False),  # JSON Schema's pattern searches, unanchored
    ("^\\p{L}+$", "été", True),
    ("^a.$", "a\ud800", True), ("\ud800", "\ud800", None),  # lone surrogates: U+FFFD in a text, refused in a pattern
])
def test_patterns_read_as_ecma_262(pattern, text, found):
    assert patterns.search(pattern, text) is found


@pytest.mark.parametrize(("pattern", "why"), [
    ("^(a)\\1$", "uses a construct modelgate does not evaluate (a backreference)"),
    ("(?<x>a)\\k<x>", "uses a construct modelgate does not evaluate (a backreference)"),
    ("^(?!internal_)", "uses a construct modelgate does not evaluate (a look-around)"),
    ("(?<=a)b", "uses a construct modelgate does not evaluate (a look-around)"),
    ("\\p{L}{100}", "is too large to evaluate (over 1024 KiB compiled)"),
    ("[", "is not a regular expression modelgate can read"),
])
def test_what_the_linear_engine_does_not_evaluate_is_refused_with_the_reason(pattern, why):
    assert patterns.search(pattern, "aa") is None
    problem = patterns.problem(pattern)
    assert problem is not None and why in problem and "\n" not in problem


def test_a_backslash_or_a_class_is_not_mistaken_for_a_construct():
    for pattern in ("\\(?=", "[(?=]", "\\\\1", "[\\1]"):
        assert "construct" not in (patterns.problem(pattern) or "")


def test_a_hostile_pattern_properties_key_is_matched_in_linear_time_by_the_coverage_check():
    old = {"type": "object", "patternProperties": {HOSTILE: {"type": "string"}}, "additionalProperties": False}
    new = {**old, "properties": {VICTIM: {"type": "string"}}}
    assert [(c.type, c.compatible) for c in compare(old, new).changes] == [
        ("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", True)]
    covered = {**old, "properties": {"a" * 30: {"type": "string"}}}
    assert [c.type for c in compare(old, covered).changes] == [
        "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"]


def test_a_pattern_properties_key_the_engine_does_not_evaluate_refuses_the_comparison():
    old = {"type": "object", "properties": {"p": {"type": "string"}}}
    new = {"type": "object", "patternProperties": {"^(p)\\1?$": {"type": "string"}}, "additionalProperties": False}
    result = compare(old, new)
    assert (result.compatible, result.changes) == (False, [])
    assert result.refused is not None and result.refused.startswith("not comparable: the patternProperties of #/: ")
    assert "(a backreference)" in result.refused
    assert compare(new, new).refused is None  # only a name that must be matched against it asks the engine


def test_verify_compiles_no_pattern_for_a_backtracking_engine():
    validator = RecordValidator({"type": "object", "properties": {"code": {"type": "string", "pattern": HOSTILE}}})
    assert not validator.is_valid({"code": VICTIM})
    assert validator.problems({"code": VICTIM})[0].path == "#/code"
    with pytest.raises(SchemaCompileError, match="cannot be compiled"):
        RecordValidator({"type": "string", "pattern": "^(a)\\1$"})


def test_every_jsonschema_rs_validator_and_every_regular_expression_of_bot_goes_through_patterns():
    """A new call of ``validator_for`` (or a ``re`` call on a pattern that is not a literal) goes through here."""
    offenders = []
    for path in sorted(BOT.rglob("*.py")):
        if path.name == "patterns.py" or str(path.relative_to(BOT.parent)) in OWN_PATTERNS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value.id if isinstance(node.func.value, ast.Name) else ""
            if (owner == "jsonschema_rs" and node.func.attr.startswith("validator")) or (
                    owner == "re" and node.args and not isinstance(node.args[0], ast.Constant)
                    and node.func.attr in ("search", "match", "fullmatch", "compile", "findall", "finditer")):
                offenders.append(f"{path.relative_to(BOT.parent)}:{node.lineno}")
    assert offenders == []
