"""bot.imports.sync: each file of an import against what DIR holds, and the diff ``--check`` prints."""

from __future__ import annotations

import pytest

from bot.imports.render import Provenance, render
from bot.imports.sync import diff, plan, unsafe


def doc(name: str, version: str = "1.0.0") -> dict[str, object]:
    return {"apiVersion": "modelgate/v1", "kind": "Model", "metadata": {"name": name}, "spec": {"version": version}}


def text(name: str, version: str = "1.0.0", tool: str = "dbt") -> str:
    return render(doc(name, version), Provenance(tool, f"modelgate import {tool} x --out m", "x", "m/o.yaml"))


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
    result = plan("dbt", wanted, present)
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
    assert whys["models/other-tool.yaml"] == "it was imported from mlflow"
    assert whys["models/handmade.yaml"] == "it has no `modelgate import` header"
    assert result.count("foreign") == 2


def test_in_step_when_every_file_is_the_same_line_ends_aside() -> None:
    wanted = {"models/a.yaml": text("a"), "models/b.yaml": text("b")}
    present = {path: content.replace("\n", "\r\n") for path, content in wanted.items()}
    assert plan("dbt", wanted, present).in_step
    assert plan("dbt", wanted, {}).count("new") == 2
    assert plan("dbt", {}, {}).in_step


def test_the_diff_shows_new_changed_and_stale_files_under_dir() -> None:
    result = plan("dbt", {"models/a.yaml": text("a", "2.0.0"), "models/n.yaml": text("n")},
                  {"models/a.yaml": text("a"), "models/s.yaml": text("s"), "models/k.yaml": "x: 1"})
    out = diff(result.entries, "manifests/dbt")
    assert out.startswith("--- a/manifests/dbt/models/a.yaml\n+++ b/manifests/dbt/models/a.yaml\n")
    assert "-  version: 1.0.0\n+  version: 2.0.0\n" in out
    assert "--- /dev/null\n+++ b/manifests/dbt/models/n.yaml\n" in out
    assert "--- a/manifests/dbt/models/s.yaml\n+++ /dev/null\n" in out
    assert "k.yaml" not in out
    assert diff(plan("dbt", {"models/a.yaml": text("a")}, {"models/a.yaml": text("a")}).entries, "m") == ""


def test_a_file_without_a_last_line_end_diffs_as_such() -> None:
    out = diff(plan("dbt", {"m.yaml": text("a")}, {"m.yaml": "x: 1"}).entries, "d")
    assert "-x: 1\n\\ No newline at end of file\n" in out


@pytest.mark.parametrize("path", ["../evil.yaml", "models/../../evil.yaml", "/etc/evil.yaml", "models\\evil.yaml",
                                  "C:/evil.yaml", "models//a.yaml", "./models/a.yaml", "", "models/a.json",
                                  "models/a\n.yaml", "models/"])
def test_unsafe_paths_are_named(path: str) -> None:
    assert unsafe(path) is not None


@pytest.mark.parametrize("path", ["models/a.yaml", "contracts/x-1.yml", "a.yaml", "deep/er/a.yaml"])
def test_plain_paths_are_safe(path: str) -> None:
    assert unsafe(path) is None
