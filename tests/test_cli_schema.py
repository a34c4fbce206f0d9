"""``modelgate schema``: the real command prints the committed schemas, writes them with ``--output``, and refuses
an unknown kind or an output directory that does not exist (exit 2, one line)."""

from __future__ import annotations

import json

import pytest

from bot.schemas import FILES, render
from tests.helpers import REPO_ROOT, run_cli


@pytest.mark.parametrize(("args", "kind"), [((), "manifest"), (("--kind", "manifest"), "manifest"),
                                             (("--kind", "config"), "config")])
def test_prints_the_schema_of_the_kind(args, kind):
    done = run_cli("schema", *args)
    assert done.returncode == 0, done.stderr
    assert done.stdout == render(kind) == (REPO_ROOT / FILES[kind]).read_text(encoding="utf-8")
    assert json.loads(done.stdout)["$id"].endswith(f"/{kind}.schema.json")
    assert done.stderr == ""


def test_output_writes_the_file(tmp_path):
    target = tmp_path / "modelgate.schema.json"
    done = run_cli("schema", "--kind", "config", "--output", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert target.read_text(encoding="utf-8") == render("config")


def test_output_in_a_missing_directory_is_one_line_and_exit_2(tmp_path):
    done = run_cli("schema", "-o", str(tmp_path / "no" / "schema.json"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "does not exist" in done.stderr
    assert not (tmp_path / "no").exists()


def test_an_unknown_kind_is_a_usage_error():
    done = run_cli("schema", "--kind", "rules")
    assert done.returncode == 2
    assert "invalid choice: 'rules'" in done.stderr
