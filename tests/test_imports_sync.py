"""bot.imports.sync: each file of an import against what DIR holds, and the diff ``--check`` prints."""

from __future__ import annotations

import pytest

from bot.imports.render import Provenance, identity, render
from bot.imports.sync import diff, in_layout, plan, unsafe

ID = identity("dbt", "x", "m")


def doc(name: str, version: str = "1.0.0") -> dict[str, object]:
    return {"apiVersion": "modelgate/v1", "kind": "Model", "metadata": {"name": name}, "spec": {"version": version}}


def text(name: str, version: str = "1.0.0", tool: str = "dbt", source: str = "x") -> str:
    return render(doc(name, version),
                  Provenance(tool, f"modelgate import {tool} {source} --out m", source, "m/o.yaml", "m"))


def test_every_state_of_a_file() -> None:
    wanted = {
        "models/new.yaml": text("new"),
        "models/same.yaml": text("same"),
        "models/moved.yaml": text("moved", "2.0.0"),
        "models/edited.yaml": text("edited", "2.0.0"),
        "models/handmade.yaml": text("handmade"),
        "models/other-tool.yaml": text("other-tool"),
    }
    present = {
        "models/same.yaml": text("same"),
        "models/moved.yaml": text("moved"),
        "models/edited.yaml": text("edited").replace("1.0.0", "1.0.1"),
        "models/handmade.yaml": "apiVersion: modelgate/v1\n",
        "models/other-tool.yaml": text("other-tool", tool="mlflow"),
        "models/gone.yaml": text("gone"),
        "models/gone-edited.yaml": text("gone-edited") + "# kept by hand\n",
        "models/gone-other.yaml": text("gone-other", tool="odcs"),
        "models/readme.yaml": "just: a file\n",
        "modelgate-overlay.yaml": "models: {}\n",
    }
    result = plan(ID, wanted, present)
    states = {e.path: e.state for e in result.entries}
    assert states == {
        "models/new.yaml": "new", "models/same.yaml": "unchanged", "models/moved.yaml": "changed",
        "models/edited.yaml": "edited", "models/handmade.yaml": "foreign", "models/other-tool.yaml": "foreign",
        "models/gone.yaml": "stale", "models/gone-edited.yaml": "edited",
    }
    assert [e.path for e in result.entries] == sorted(states)
    assert not result.in_step
    assert {e.path for e in result.blocked} == {"models/edited.yaml", "models/handmade.yaml",
                                                "models/other-tool.yaml", "models/gone-edited.yaml"}
    assert {e.path for e in result.writes} == {"models/new.yaml", "models/moved.yaml", "models/edited.yaml",
                                               "models/handmade.yaml", "models/other-tool.yaml"}
    assert {e.path for e in result.removals} == {"models/gone.yaml", "models/gone-edited.yaml"}
    whys = {e.path: e.why for e in result.blocked}
    assert whys["models/other-tool.yaml"] == "it was written by `modelgate import mlflow x --out m`"
    assert whys["models/handmade.yaml"] == "it has no `modelgate import` header"
    assert result.count("foreign") == 2


def test_in_step_when_every_file_is_the_same_line_ends_aside() -> None:
    wanted = {"models/a.yaml": text("a"), "models/b.yaml": text("b")}
    present = {path: content.replace("\n", "\r\n") for path, content in wanted.items()}
    assert plan(ID, wanted, present).in_step
    assert plan(ID, wanted, {}).count("new") == 2
    assert plan(ID, {}, {}).in_step


def test_the_diff_shows_new_changed_and_stale_files_under_dir() -> None:
    result = plan(ID, {"models/a.yaml": text("a", "2.0.0"), "models/n.yaml": text("n")},
                  {"models/a.yaml": text("a"), "models/s.yaml": text("s"), "models/k.yaml": "x: 1"})
    out = diff(result.entries, "manifests/dbt")
    assert out.startswith("--- a/manifests/dbt/models/a.yaml\n+++ b/manifests/dbt/models/a.yaml\n")
    assert "-  version: 1.0.0\n+  version: 2.0.0\n" in out
    assert "--- /dev/null\n+++ b/manifests/dbt/models/n.yaml\n" in out
    assert "--- a/manifests/dbt/models/s.yaml\n+++ /dev/null\n" in out
    assert "k.yaml" not in out
    assert diff(plan(ID, {"models/a.yaml": text("a")}, {"models/a.yaml": text("a")}).entries, "m") == ""


def test_a_file_without_a_last_line_end_diffs_as_such() -> None:
    out = diff(plan(ID, {"m.yaml": text("a")}, {"m.yaml": "x: 1"}).entries, "d")
    assert "-x: 1\n\\ No newline at end of file\n" in out


@pytest.mark.parametrize("path", ["../evil.yaml", "models/../../evil.yaml", "/etc/evil.yaml", "models\\evil.yaml",
                                  "C:/evil.yaml", "models//a.yaml", "./models/a.yaml", "", "models/a.json",
                                  "models/a\n.yaml", "models/"])
def test_unsafe_paths_are_named(path: str) -> None:
    assert unsafe(path) is not None


@pytest.mark.parametrize("path", ["models/a.yaml", "contracts/x-1.yml", "a.yaml", "deep/er/a.yaml"])
def test_plain_paths_are_safe(path: str) -> None:
    assert unsafe(path) is None


def test_a_file_is_the_imports_own_only_when_its_header_names_the_same_import() -> None:
    """Before the marker named the source and --out, an import of one tool took every file of that tool in DIR (and
    in its subfolders) for its own: a second MLflow import into the same DIR removed the first one's files."""
    wanted = {"models/mine.yaml": text("mine"), "models/shared.yaml": text("shared")}
    present = {
        "models/mine.yaml": text("mine"),
        "models/shared.yaml": text("shared", source="y"),  # the same tool, another source: not this import's
        "models/theirs.yaml": text("theirs", source="y"),  # another import's, not produced here: left alone
        "models/gone.yaml": text("gone"),  # this import's, no longer produced: stale
        "models/sub/nested.yaml": text("nested"),  # another import's --out (DIR/models/sub) layout: not ours
        "ml/models/deeper.yaml": text("deeper"),  # a nested --out: not ours
    }
    result = plan(ID, wanted, present)
    assert {e.path: e.state for e in result.entries} == {
        "models/mine.yaml": "unchanged", "models/shared.yaml": "foreign", "models/gone.yaml": "stale"}
    assert result.blocked[0].why == "it was written by `modelgate import dbt y --out m`"
    assert [e.path for e in result.removals] == ["models/gone.yaml"]


@pytest.mark.parametrize(("path", "inside"), [
    ("models/a.yaml", True), ("contracts/a.yml", True), ("models/sub/a.yaml", False), ("a.yaml", False),
    ("modelgate-overlay.yaml", False), ("ml/models/a.yaml", False), ("models/a.json", False),
    ("other/a.yaml", False)])
def test_only_the_layout_an_import_writes_is_its_business(path: str, inside: bool) -> None:
    assert in_layout(path) is inside
