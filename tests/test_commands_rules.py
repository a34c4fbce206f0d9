"""``modelgate rules``: the text table and the JSON list, through the real CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.commands.rules import find
from bot.errors import UsageError
from bot.report.formats import RULES
from bot.rules import Rule, catalog


def modelgate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, check=False)


def test_json_lists_every_rule_with_all_its_fields():
    done = modelgate("rules", "--format", "json")
    assert done.returncode == 0, done.stderr
    rules = json.loads(done.stdout)
    assert [r["id"] for r in rules] == list(catalog())
    assert rules[0].keys() == {"id", "name", "severity", "summary", "why", "fix", "example"}
    assert next(r for r in rules if r["id"] == "MG302")["severity"] == "approval"


def test_text_is_a_table_with_one_row_per_rule():
    done = modelgate("rules")
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split() == ["id", "name", "severity", "summary"]
    starts = [row.split()[:3] for row in rows if row.startswith("MG")]
    assert starts == [[r.id, r.name, r.severity] for r in catalog().values()]


def test_long_summaries_wrap_under_the_summary_column():
    rule = Rule(id="MG900", name="x", severity="notice", summary="word " * 40, why="", fix="", example="")
    first, *more = RULES.render("text", [rule]).splitlines()[1:]
    column = first.index("word")
    assert more and all(line[:column].strip() == "" and line[column:].startswith("word") for line in more)


def test_an_unknown_format_is_a_usage_error():
    done = modelgate("rules", "--format", "yaml")
    assert done.returncode == 2
    assert "invalid choice" in done.stderr


def test_the_markdown_format_is_the_generated_reference():
    done = modelgate("rules", "--format", "markdown")
    assert done.returncode == 0
    assert done.stdout == (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("word", "meant"), [
    ("mg1o1", "MG101"), ("MGOO1", "MG001"), ("Mg3O2", "MG302"),  # O for 0, in any case
    ("BREAKING-CHANGE-IN-VERSION", "breaking-change-in-version"), ("0wner-Missing", "owner-missing"),
    ("slo-weaken", "slo-weakened"),
])
def test_did_you_mean_is_one_rule_for_ids_and_names_alike(word: str, meant: str) -> None:
    with pytest.raises(UsageError, match=re.escape(f"no rule {word!r}; did you mean {meant}?")):
        find(word, catalog())


@pytest.mark.parametrize(("word", "listed"), [("MG1", "MG101, MG102"), ("mg30", "MG301, MG302"),
                                              ("consumes", "consumes-deprecated, consumes-retired")])
def test_a_prefix_lists_the_rules_it_starts(word: str, listed: str) -> None:
    """``rules MG1`` names the rules that start so (as completion offers them), not one far-off guess."""
    with pytest.raises(UsageError, match=re.escape(f"no rule {word!r}; rules starting so: {listed}")):
        find(word, catalog())


def test_an_exact_id_in_any_case_or_name_is_found() -> None:
    assert find("mg101", catalog()).id == find("breaking-change-in-version", catalog()).id == "MG101"
