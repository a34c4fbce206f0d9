"""Code scanning: the check's findings as a SARIF file for the workflow, and, when asked, uploaded to GitHub.

The Action's ``sarif`` input (``$MODELGATE_SARIF``) says what to do with the SARIF of a pull request's (or a merge
group's) check:

- ``off`` (the default): nothing;
- ``file``: write it to ``$RUNNER_TEMP/modelgate.sarif`` (the step output ``sarif-file`` names the path), for
  ``github/codeql-action/upload-sarif`` or an artifact;
- ``upload``: write it, and upload it with one call, ``POST /repos/{owner}/{repo}/code-scanning/sarifs``
  (gzip, then base64, as that endpoint takes it), for the head commit and its ref (``refs/pull/N/head``, or the
  merge group's ``refs/heads/gh-readonly-queue/...``) under the tool name ``modelgate``.

Any other value fails the run (``bot.commands.action.sarif_mode``). The SARIF is the check's ``--format sarif``,
rendered by the renderer registry (``REPORT.render("sarif", ...)``); its ``runs[].automationDetails.id`` (the
category ``modelgate/``) is what code scanning files the analysis under, the same for an upload made here and one
made by ``upload-sarif`` from the file, so switching between the two modes neither duplicates nor closes alerts.

An upload GitHub refuses (403: code scanning is not enabled, or the token lacks ``security-events: write``; 404:
the repository cannot be seen with it; 413: too large; any other error) is a note of the run, shown in the PR
comment and the log: the verdict and the commit status do not depend on it. A SARIF log past GitHub's limits
(``limits``) is not sent at all, with a note saying which limit.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final, Literal

from bot.files import write_atomically
from bot.github.client import Client, GitHubError
from bot.report.formats import REPORT
from bot.report.result import Report
from bot.result import Result

Mode = Literal["off", "file", "upload"]
MODES: Final[tuple[Mode, ...]] = ("off", "file", "upload")
FILE_NAME: Final = "modelgate.sarif"
TOOL_NAME: Final = "modelgate"

# GitHub's limits of one uploaded SARIF file (the upload endpoint's description): past any, the analysis is refused.
MAX_RUNS: Final = 20
MAX_RESULTS: Final = 25_000  # per run
MAX_RULES: Final = 25_000  # per run
MAX_LOCATIONS: Final = 1_000  # per result
MAX_TAGS: Final = 20  # per rule
MAX_GZIP_BYTES: Final = 10 * 1024 * 1024  # the largest gzip-compressed SARIF file code scanning takes


@dataclass(frozen=True)
class Target:
    """Where an upload goes: the repository (``owner/name``), the commit analysed and its full ref."""

    repo: str
    commit_sha: str
    ref: str  # refs/pull/N/head, refs/heads/...


@dataclass(frozen=True)
class Shared:
    """What was done with the SARIF: the file written (or None), and a note for the report when an upload failed."""

    path: Path | None = None
    uploaded: str | None = None  # the id GitHub gave the upload
    note: str | None = None


def mode_of(value: str) -> Mode | None:
    """The mode an input names (empty: ``off``), None for anything else."""
    name = value.strip().lower() or "off"
    for mode in MODES:
        if name == mode:
            return mode
    return None


def default_path() -> Path:
    """Where the file goes: the runner's temporary directory (``$RUNNER_TEMP``), else the system's."""
    return Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir()) / FILE_NAME


def limits(log: Mapping[str, Any]) -> list[str]:
    """Each of GitHub's limits ``log`` passes, in words (none: GitHub takes it)."""
    problems: list[str] = []
    runs = log.get("runs", [])
    if len(runs) > MAX_RUNS:
        problems.append(f"{len(runs)} runs, more than GitHub's {MAX_RUNS}")
    for run in runs:
        results, rules = run.get("results", []), run["tool"]["driver"].get("rules", [])
        if len(results) > MAX_RESULTS:
            problems.append(f"{len(results):,} results, more than GitHub's {MAX_RESULTS:,} per run")
        if len(rules) > MAX_RULES:
            problems.append(f"{len(rules):,} rules, more than GitHub's {MAX_RULES:,} per run")
        if any(len(result.get("locations", [])) > MAX_LOCATIONS for result in results):
            problems.append(f"a result with more than GitHub's {MAX_LOCATIONS:,} locations")
        if any(len(rule.get("properties", {}).get("tags", [])) > MAX_TAGS for rule in rules):
            problems.append(f"a rule with more than GitHub's {MAX_TAGS} tags")
    return problems


def compressed(text: str) -> bytes:
    """The SARIF text gzip-compressed (no timestamp: the same text gives the same bytes)."""
    return gzip.compress(text.encode("utf-8"), mtime=0)


def share(gh: Client, result: Result, mode: Mode, target: Target, path: Path | None = None) -> Shared:
    """Write the SARIF of ``result`` (``file``), and upload it to ``target`` (``upload``)."""
    if mode == "off":
        return Shared()
    text = REPORT.render("sarif", Report(result))  # the one renderer of a check's SARIF, as --format sarif prints it
    log = json.loads(text)
    file = path or default_path()
    written: Path | None = None
    note: str | None = None
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(file, text)
        written = file
    except OSError as exc:
        note = f"the SARIF file could not be written to {file}: {exc.strerror or exc}"
    if mode != "upload":
        return Shared(written, note=note)
    uploaded, upload_note = upload(gh, target, log, text)
    return Shared(written, uploaded, "; ".join(n for n in (note, upload_note) if n) or None)


def upload(gh: Client, target: Target, log: Mapping[str, Any], text: str) -> tuple[str | None, str | None]:
    """One POST of the SARIF: (GitHub's id of the upload, None), or (None, why it was not uploaded)."""
    refused = "the findings were not uploaded to code scanning"
    problems = limits(log)
    packed = compressed(text)
    if len(packed) > MAX_GZIP_BYTES:
        problems.append(f"{len(packed):,} bytes gzip-compressed, more than GitHub's {MAX_GZIP_BYTES:,}")
    if problems:
        return None, f"{refused}: the SARIF has {'; '.join(problems)}"
    # the endpoint takes the gzip-compressed file in base64
    body = {"commit_sha": target.commit_sha, "ref": target.ref, "sarif": base64.b64encode(packed).decode("ascii"),
            "tool_name": TOOL_NAME}
    try:
        answer = gh.object("POST", f"/repos/{target.repo}/code-scanning/sarifs", body=body)
    except GitHubError as exc:
        return None, f"{refused}: {_why(exc)}"
    sarif_id = answer.get("id")
    return (sarif_id if isinstance(sarif_id, str) else ""), None


def _why(exc: GitHubError) -> str:
    if exc.status == 403:
        return (f"GitHub refused the upload ({exc.message}); code scanning must be enabled for the repository and "
                "the workflow needs `permissions: security-events: write`")
    if exc.status == 404:
        return (f"GitHub answered not found ({exc.message}); the token needs `security-events: write` (and, for a "
                "private repository, code scanning enabled)")
    if exc.status == 413:
        return f"the SARIF is too large for GitHub ({exc.message})"
    return f"the upload failed ({exc.message})"


def with_note(result: Result, shared: Shared) -> Result:
    """``result`` with the note of ``shared`` among its run notes (it is shown in the PR comment)."""
    return replace(result, notes=[*result.notes, shared.note]) if shared.note else result
