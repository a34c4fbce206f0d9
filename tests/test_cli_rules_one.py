"""``modelgate rules RULE``: one rule explained, by id or name, in text, markdown or JSON; an unknown one is a
one-line usage error naming the closest rule."""

from __future__ import annotations

import json

import pytest

from bot.report.formats import RULE, RULES
from bot.rules import catalog
from tests.helpers import REPO_ROOT, run_cli


@pytest.mark.parametrize("word", ["MG101", "mg101", "breaking-change-in-version"])
def test_text_explains_the_rule(word: str) -> None:
    done = run_cli("rules", word)
    assert done.returncode == 0, done.stderr
    first, *rest = done.stdout.splitlines()
    assert first == "MG101 breaking-change-in-version (default severity: error)"
    headings = [line for line in rest if line and not line.startswith(" ")]
    assert headings[:4] == ["What it does", "Why it matters", "Example", "How to fix"]
    assert "channel: {type: string, enum: [pos, ecom, moto, wallet]}" in done.stdout


def test_json_is_the_one_rule_object() -> None:
    done = run_cli("rules", "contract-removed-while-consumed", "--format", "json")
    assert done.returncode == 0, done.stderr
    rule = json.loads(done.stdout)
    assert rule["id"] == "MG113"
    assert rule == {k: getattr(catalog()["MG113"], k) for k in rule}


def test_markdown_is_its_section_of_the_reference() -> None:
    done = run_cli("rules", "MG201", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("## MG201 ")
    reference = (REPO_ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "\n" + done.stdout.rstrip("\n") + "\n" in reference


@pytest.mark.parametrize(("word", "hint"), [
    ("MG1O1", "did you mean MG101?"),
    ("breaking-change-in-verison", "did you mean breaking-change-in-version?"),
    ("contract-removed", "did you mean contract-removed-while-consumed?"),
    ("nothing-like-it", "modelgate rules lists them"),
])
def test_an_unknown_rule_is_one_line_and_exit_2(word: str, hint: str) -> None:
    done = run_cli("rules", word)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"modelgate: error: no rule {word!r}; {hint}\n"


def test_one_rule_has_the_formats_of_the_catalogue() -> None:
    """``rules`` offers the catalogue's --format choices for one rule too: each must render."""
    assert RULE.names == RULES.names


def test_mg201_says_it_is_an_error_from_the_sunset_day_on() -> None:
    done = run_cli("rules", "MG201")
    text = " ".join(done.stdout.split())
    assert done.returncode == 0 and "once the sunset has passed" not in text
    assert "turns into an error from the sunset day on" in text
    assert "one side alone keeps the catalogue's on the other" in text
