"""The user-facing documents stay true where they can drift silently: commands, flags, links, named tests."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted([ROOT / "README.md", ROOT / "SECURITY.md", ROOT / "examples/fraud-platform/README.md",
               *(ROOT / "docs").glob("*.md")])
LINK_RE = re.compile(r"\]\(([^)\s]+)\)")
CLI_ROW_RE = re.compile(r"^\| `modelgate ([a-z-]+)([^`]*)` \|", re.M)
YAML_BLOCK_RE = re.compile(r"^```yaml\n(.*?)^```", re.M | re.S)
HEADING_RE = re.compile(r"^#{1,6} ", re.M)
PINNED = "0" * 40  # what the docs ask the reader to put in place of <sha>
DEFAULT_BRANCH_ONLY = "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"


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


def documented_workflows() -> list[tuple[Path, int, str]]:
    """(document, line, text) of every whole workflow (a mapping with ``jobs``) in a yaml block of the docs."""
    found = []
    for doc in DOCS:
        text = doc.read_text()
        for block in YAML_BLOCK_RE.finditer(text):
            try:
                data = yaml.safe_load(block.group(1))
            except yaml.YAMLError:
                continue  # an example of a manifest with an error in it, say
            if isinstance(data, dict) and "jobs" in data:
                found.append((doc, text.count("\n", 0, block.start()) + 1, block.group(1)))
    return found


def section_around(text: str, line: int) -> str:
    """The part of a document between the headings before and after ``line``: what is "next to" a block."""
    offset = sum(len(each) for each in text.splitlines(keepends=True)[: line - 1])
    starts = [m.start() for m in HEADING_RE.finditer(text)]
    return text[max([s for s in starts if s <= offset], default=0): min([s for s in starts if s > offset],
                                                                        default=len(text))]


def test_every_workflow_sets_a_timeout_on_every_job() -> None:
    """Issue 19, item 11: a stuck run (a hung runner, a network that never answers) ends, in the repository's
    workflows and in every workflow the docs tell users to copy."""
    workflows = [(str(p.relative_to(ROOT)), p.read_text()) for p in sorted((ROOT / ".github/workflows").glob("*.yml"))]
    workflows += [(f"{doc.relative_to(ROOT)}:{line}", text) for doc, line, text in documented_workflows()]
    assert len(workflows) >= 6
    missing = [f"{where}: {name}" for where, text in workflows
               for name, job in yaml.safe_load(text)["jobs"].items() if "timeout-minutes" not in job]
    assert missing == []
    assert re.search(r"^## What bounds a run$", (ROOT / "docs/github.md").read_text(), re.M)


def test_the_documented_cache_restores_only_on_the_default_branch_and_only_its_own_refs_entries() -> None:
    """Issue 19, item 16: a pull request's run (``refs/pull/N/merge``, where the PR's own jobs can save anything
    under any key) never feeds the cache a default-branch run restores."""
    steps = [step for _, _, text in documented_workflows() for job in yaml.safe_load(text)["jobs"].values()
             for step in job.get("steps", []) if str(step.get("uses", "")).startswith("actions/cache@")]
    assert steps
    for step in steps:
        assert step.get("if") == DEFAULT_BRANCH_ONLY
        prefix = "modelgate-${{ github.ref }}-"
        assert step["with"]["key"].startswith(prefix)
        restore = str(step["with"].get("restore-keys", "")).splitlines()
        assert [key for key in restore if not key.startswith(prefix)] == []


def test_zizmor_finds_only_what_the_docs_explain_next_to_each_workflow(tmp_path: Path) -> None:
    """``zizmor --offline`` at medium or above: nothing on action.yml and .github/workflows; on each workflow of
    the docs (with ``<sha>`` pinned, as the docs ask), only audits the section around it names, with each
    dangerous trigger named too (``issue_comment`` included)."""
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    blocks = {}
    for doc, line, text in documented_workflows():
        name = f"{doc.stem}-{line}.yml"
        (folder / name).write_text(text.replace("<sha>", PINNED))
        blocks[name] = (doc, line)
    zizmor = Path(sys.executable).with_name("zizmor")
    run = subprocess.run([str(zizmor), "--offline", "--no-progress", "--min-severity", "medium", "--format", "json",
                          str(ROOT / "action.yml"), str(ROOT / ".github/workflows"), str(folder)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0 or run.returncode >= 10, run.stderr  # 10 and up: findings, by their severity
    unexplained = []
    for finding in json.loads(run.stdout):
        [primary] = [place["symbolic"] for place in finding["locations"] if place["symbolic"]["kind"] == "Primary"]
        path = Path(primary["key"]["Local"]["verbatim_path"])
        if path.name not in blocks or path.parent != folder:
            unexplained.append(f"{path}: {finding['ident']}")
            continue
        doc, line = blocks[path.name]
        section = section_around(doc.read_text(), line)
        named = [finding["ident"]]
        if finding["ident"] == "dangerous-triggers":
            named.append(primary["annotation"].split()[0])  # "issue_comment is almost always used insecurely"
        if not all(f"`{word}`" in section for word in named):
            unexplained.append(f"{doc.relative_to(ROOT)}:{line}: {' '.join(named)}")
    assert unexplained == []
