"""MG011 in ``bot.lint``: judged on valid schemas only (an invalid one is MG008's), once per schema for the states
of one run (the memo base and head share), inline and in a ``schema_ref`` file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import bot.lint
from bot.lint import lint_snapshot
from bot.registry import SchemaMemo
from tests.helpers import contract_text, model, write_tree
from tests.scenarios import load

UNSAT = """
    - version: 1
      status: active
      schema: {type: object, additionalProperties: false, required: [scroe], properties: {score: {}}}
    - version: 2
      status: active
      schema_ref: schemas/v2.json
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", {
        "contracts/churn.yaml": contract_text("churn", UNSAT),
        "schemas/v2.json": '{"type": "string", "minLength": 3, "maxLength": 2}',
        "models/m.yaml": model("m", provides=[("churn", 1), ("churn", 2)]),
    })


def test_each_version_inline_or_in_a_file(repo: Path) -> None:
    found = [(f.line, f.subject, f.message) for f in lint_snapshot(load(repo)) if f.rule == "MG011"]
    assert found == [
        (8, "contract:churn@1", "#/required/0: required property 'scroe' (did you mean 'score'?) is not declared in "
                                "properties, and additionalProperties is false; no instance satisfies the schema"),
        (11, "contract:churn@2", "schemas/v2.json: #/minLength: minLength 3 is greater than maxLength 2; no instance "
                                 "satisfies the schema")]


def test_base_and_head_judge_a_schema_once(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = bot.lint.unsatisfiable

    def counted(schema: Any) -> Any:
        calls.append(schema)
        return real(schema)

    monkeypatch.setattr(bot.lint, "unsatisfiable", counted)
    memo: SchemaMemo = {}
    base, head = load(repo), load(repo)
    first = lint_snapshot(base, memo)
    assert lint_snapshot(head, memo) == first
    assert len(calls) == 2  # one per version, not per state


def test_an_invalid_schema_is_left_to_mg008(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"contracts/c.yaml": contract_text("c", """
        - version: 1
          status: active
          schema: {type: objekt, enum: []}
    """)})
    assert [f.rule for f in lint_snapshot(load(root)) if f.rule in ("MG008", "MG011")] == ["MG008"]
