"""The Action's ``sarif`` input (bot/github/code_scanning.py): the SARIF file of a run, and its upload to code
scanning through ``POST /repos/{owner}/{repo}/code-scanning/sarifs``, against the GitHub double (which checks
every request against GitHub's REST description) and a real git repository."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.github import code_scanning
from bot.github.client import Client
from bot.report import sarif
from bot.report.formats import REPORT
from bot.report.result import Report
from bot.result import Finding
from tests.github_double import GitHubDouble
from tests.helpers import REPO_ROOT, contract
from tests.test_action import World
from tests.test_docs import DOCS
from tests.test_format_goldens import document as golden_document
from tests.test_report_sarif import assert_valid

ANY_YAML_BLOCK_RE = re.compile(r"^[ \t]*```yaml\n(.*?)^[ \t]*```", re.M | re.S)  # indented ones (in a list) too
BREAKING = {"type": "object", "properties": {"x": {"type": "string"}}}  # MG101: x was a number


@pytest.fixture
def world(tmp_path: Path, github: GitHubDouble, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path / "runner-temp"))
    made = World(tmp_path, github, monkeypatch)
    made.push({"contracts/score.yaml": contract("score", [{"version": 1, "status": "active", "schema": BREAKING}],
                                                owners=["@alice"])})
    return made


def _sarif_file(tmp_path: Path) -> Path:
    return tmp_path / "runner-temp" / "modelgate.sarif"


def _uploaded(body: dict[str, Any]) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(gzip.decompress(base64.b64decode(body["sarif"], validate=True)))
    return log


def _calls(world: World) -> int:
    assert world.client is not None
    return world.client.calls


def test_off_by_default_writes_and_sends_nothing(world: World, github: GitHubDouble, tmp_path: Path) -> None:
    assert world.run() == 0
    assert not github.calls("POST", r"/code-scanning/sarifs$")
    assert not _sarif_file(tmp_path).exists()
    assert "sarif-file" not in world.outputs()


def test_file_writes_the_sarif_of_the_check_for_upload_sarif(world: World, github: GitHubDouble,
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELGATE_SARIF", "file")
    assert world.run() == 0
    path = _sarif_file(tmp_path)
    assert world.outputs()["sarif-file"] == str(path)
    # upload-sarif's sha and ref: the PR's head, never the default branch GITHUB_SHA/GITHUB_REF name on these runs
    assert (world.outputs()["sarif-sha"], world.outputs()["sarif-ref"]) == (world.head, "refs/pull/7/head")
    log = json.loads(path.read_text(encoding="utf-8"))
    assert_valid(log)
    assert "MG101" in {r["ruleId"] for r in log["runs"][0]["results"]}
    assert not github.calls("POST", r"/code-scanning/sarifs$")
    github.assert_clean()


def test_upload_posts_the_sarif_once_for_the_pull_requests_head(world: World, github: GitHubDouble, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    world.run()  # the comment and review requests exist: the next runs make the same calls
    world.run()
    without = _calls(world)
    monkeypatch.setenv("MODELGATE_SARIF", "upload")
    assert world.run() == 0
    assert _calls(world) == without + 1  # the upload is one call, and the only one added
    [body] = github.sarifs
    assert body["commit_sha"] == world.head and body["ref"] == "refs/pull/7/head" and body["tool_name"] == "modelgate"
    log = _uploaded(body)
    assert_valid(log)
    assert log == json.loads(_sarif_file(tmp_path).read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["MG101"]
    assert world.outputs()["verdict"] == "fail"
    assert f"uploaded to code scanning (SARIF upload {github.sarif_ids[-1]})" in capsys.readouterr().out
    github.assert_clean()


@pytest.mark.parametrize("status", [403, 404])
def test_a_refused_upload_is_a_note_in_the_comment_and_the_log_never_a_crash(
        world: World, github: GitHubDouble, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        status: int) -> None:
    monkeypatch.setenv("MODELGATE_SARIF", "upload")
    if status == 403:
        github.code_scanning = False
    else:
        github.fail(status=404, method="POST", path=r"/code-scanning/sarifs$")
    assert world.run() == 0
    assert len(github.calls("POST", r"/code-scanning/sarifs$")) == 1  # not retried
    [report] = world.reports()
    assert "not uploaded to code scanning" in report["body"] and "security-events" in report["body"]
    out = capsys.readouterr().out
    assert "::warning title=modelgate::the findings were not uploaded to code scanning" in out
    assert world.statuses[-1]["state"] == "failure"  # the verdict stands: MG101
    assert world.outputs()["verdict"] == "fail" and world.outputs()["sarif-file"]


def test_a_merge_group_uploads_for_its_head_and_ref(world: World, github: GitHubDouble,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELGATE_SARIF", "upload")
    ref = "refs/heads/gh-readonly-queue/main/pr-7-" + world.head
    payload = {"action": "checks_requested", "merge_group": {"head_sha": world.head, "base_sha": world.base,
                                                             "head_ref": ref}}
    assert world.run("merge_group", payload) == 0
    [body] = github.sarifs
    assert body["commit_sha"] == world.head and body["ref"] == ref
    assert (world.outputs()["sarif-sha"], world.outputs()["sarif-ref"]) == (world.head, ref)
    assert_valid(_uploaded(body))
    github.assert_clean()


def test_an_unknown_mode_fails_the_run_in_one_line_with_the_error_status(world: World, github: GitHubDouble,
                                                                        tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MODELGATE_SARIF", "yes please")
    assert world.run() == 1
    error = "::error title=modelgate::the sarif input 'yes please' is not off, file or upload"
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("::")] == [error]
    [status] = world.statuses
    assert status["state"] == "error" and "sarif input" in status["description"]
    assert not world.reports()  # nothing was evaluated or published before the run failed
    assert not github.calls("POST", r"/code-scanning/sarifs$") and not _sarif_file(tmp_path).exists()


def test_the_sarif_is_rendered_by_the_renderer_registry(github: GitHubDouble, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The file and the upload are what ``REPORT.render("sarif", ...)`` prints (``--format sarif``), never a second
    serialisation of their own."""
    rendered: list[str] = []

    def spy(report: Report) -> str:
        rendered.append(renderer(report) + "\n")  # a mark only the registry's renderer leaves
        return rendered[-1]

    renderer = REPORT.renderers["sarif"]
    monkeypatch.setitem(REPORT.renderers, "sarif", spy)  # type: ignore[arg-type]
    target = code_scanning.Target("acme/platform", "a" * 40, "refs/pull/7/head")
    client = Client("t0ken", github.url, sleep=github.sleeps.append)
    shared = code_scanning.share(client, golden_document("check").result, "upload", target, tmp_path / "out.sarif")
    assert shared.note is None and shared.path is not None
    [text] = rendered
    assert shared.path.read_text(encoding="utf-8") == text
    assert gzip.decompress(base64.b64decode(github.sarifs[0]["sarif"])).decode("utf-8") == text


@pytest.mark.parametrize(("value", "mode"), [("", "off"), ("off", "off"), (" File ", "file"), ("UPLOAD", "upload"),
                                             ("true", None), ("upload-sarif", None)])
def test_mode_of(value: str, mode: str | None) -> None:
    assert code_scanning.mode_of(value) == mode


def test_a_log_past_githubs_limits_is_not_sent(github: GitHubDouble) -> None:
    finding = Finding("MG007", "warning", "m", "models/a.yaml", 1, "model:a")
    log = sarif.document([finding] * (code_scanning.MAX_RESULTS + 1), baseline=True)
    client = Client("t0ken", github.url, sleep=github.sleeps.append)
    target = code_scanning.Target("acme/platform", "a" * 40, "refs/pull/7/head")
    uploaded, note = code_scanning.upload(client, target, log, json.dumps(log))
    assert uploaded is None and note == ("the findings were not uploaded to code scanning: the SARIF has 25,001 "
                                         "results, more than GitHub's 25,000 per run")
    assert client.calls == 0


def test_an_unwritable_path_is_a_note_and_the_upload_still_goes(github: GitHubDouble, tmp_path: Path) -> None:
    from tests.test_format_goldens import document

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    client = Client("t0ken", github.url, sleep=github.sleeps.append)
    target = code_scanning.Target("acme/platform", "b" * 40, "refs/pull/7/head")
    shared = code_scanning.share(client, document("check").result, "upload", target, blocker / "modelgate.sarif")
    assert shared.path is None and shared.note is not None and "could not be written" in shared.note
    assert shared.uploaded and len(github.sarifs) == 1 and client.calls == 1
    github.assert_clean()


def test_every_documented_upload_sarif_keeps_the_files_own_category() -> None:
    """``upload-sarif``'s ``category`` only fills a category the file lacks, and modelgate's files name theirs
    (``modelgate/``): a documented ``category:`` would suggest a choice that does not exist, or, spelt otherwise,
    a second analysis. So no documented ``upload-sarif`` step sets one, and there is one to check at least."""
    blocks = [match.group(1) for doc in DOCS for match in ANY_YAML_BLOCK_RE.finditer(doc.read_text(encoding="utf-8"))]
    blocks += [path.read_text(encoding="utf-8") for path in (REPO_ROOT / "docs" / "workflows").glob("*.yml")]
    uploads = [block for block in blocks if "codeql-action/upload-sarif@" in block]
    assert len(uploads) >= 3  # github.md's sarif: file snippet, its baseline workflow, and that workflow's file
    assert [block for block in uploads if re.search(r"^\s*category:", block, re.M)] == []
    assert sarif.CATEGORY == "modelgate/"
