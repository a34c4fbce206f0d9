"""The user-facing documents stay true where they can drift silently: commands, flags, links, named tests."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted([ROOT / "README.md", ROOT / "SECURITY.md", ROOT / "examples/fraud-platform/README.md",
               *(ROOT / "docs").glob("*.md")])
LINK_RE = re.compile(r"\]\(([^)\s]+)\)")
CLI_ROW_RE = re.compile(r"^\| `modelgate ([a-z-]+)([^`]*)` \|", re.M)


def modelgate_help(*args: str) -> str:
    run = subprocess.run([sys.executable, "-m", "bot", *args, "--help"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    return run.stdout


def heading_anchors(text: str) -> set[str]:
    """GitHub's anchors: lower case, punctuation dropped, spaces to '-'."""
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in re.findall(r"^#+ (.*)$", text, re.M)}


def relative_links(doc: Path) -> list[str]:
    return [t for t in LINK_RE.findall(doc.read_text()) if not re.match(r"[a-z]+:", t)]


def cli_rows() -> list[tuple[str, list[str]]]:
    text = (ROOT / "docs/cli.md").read_text()
    return [(command, re.findall(r"--[a-z-]+", flags)) for command, flags in CLI_ROW_RE.findall(text)]


def test_the_cli_reference_lists_exactly_the_commands_of_modelgate_help() -> None:
    listed = {command for command, _ in cli_rows()}
    offered = set(re.findall(r"^    ([a-z-]+)", modelgate_help(), re.M))
    assert listed == offered


@pytest.mark.parametrize(("command", "flags"), cli_rows(), ids=[c for c, _ in cli_rows()])
def test_every_flag_in_the_cli_reference_is_in_the_command_help(command: str, flags: list[str]) -> None:
    text = modelgate_help(command)
    assert [flag for flag in flags if flag not in text] == []


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_every_relative_link_resolves(doc: Path) -> None:
    def resolves(target: str) -> bool:
        path, _, anchor = target.partition("#")
        where = (doc.parent / path) if path else doc
        if not where.exists():
            return False
        return not anchor or where.suffix != ".md" or anchor in heading_anchors(where.read_text())

    assert [target for target in relative_links(doc) if not resolves(target)] == []


def test_every_test_security_md_names_exists() -> None:
    text = (ROOT / "SECURITY.md").read_text()
    named = set(re.findall(r"(tests/[\w/]+\.py)(?:::(\w+))?", text))
    assert named
    missing = [
        f"{path}::{name}" if name else path
        for path, name in sorted(named)
        if not (ROOT / path).exists() or (name and not re.search(rf"def {name}\b", (ROOT / path).read_text()))
    ]
    assert missing == []


def test_every_test_function_and_hostile_input_security_md_names_exists() -> None:
    text = (ROOT / "SECURITY.md").read_text()
    files = (ROOT / "tests").rglob("test_*.py")
    defined = {name for f in files for name in re.findall(r"def (test_\w+)", f.read_text())}
    functions = set(re.findall(r"\b(test_\w+)(?:\[|`|\s|,)", text)) - set(re.findall(r"(test_\w+)\.py", text))
    inputs = set(re.findall(r"\[((?:manifests|comments|schemas|events)/[^\]]+)\]", text))
    assert functions and inputs
    assert sorted(functions - defined) == []
    assert [i for i in sorted(inputs) if not (ROOT / "tests/hostile" / i).exists()] == []
