"""Every format of every kind of document in the renderer registry (bot/report/formats.py) has a golden.

Each kind has one representative document, made by the real command (``bot.cli.main``) from inputs in the repo
or small files written here: the document is the one the command hands to the registry, so the golden is what a
user sees (``modelgate CMD --format FMT``). Every format of the kind's entry renders it, byte for byte as
``tests/fixtures/formats/<command>.<format>``; the formats are read from the registry, so a new format without
a golden fails here, and a new kind without a representative document fails too.

(Re)write the missing or changed goldens, then read the diff before committing it::

    python -m tests.test_format_goldens
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from bot.cli import main
from bot.report import formats
from bot.report.calendar import CalendarReport
from bot.report.formats import (
    CALENDAR,
    GATE,
    GRAPH,
    IMPACT,
    LINT,
    REPORT,
    RULE,
    RULES,
    SCHEMA_DIFF,
    SCHEMA_DIFF_INPUTS,
    VERIFY,
    Formats,
)
from bot.report.result import Report

REPO_ROOT = Path(__file__).resolve().parent.parent
GOLDENS = REPO_ROOT / "tests/fixtures/formats"
TODAY = "2026-11-28"
WRITE = "python -m tests.test_format_goldens"

# Each kind by the command that prints it: the stable name of its goldens.
KINDS: dict[str, Formats[Any]] = {"check": REPORT, "lint": LINT, "verify": VERIFY, "gate": GATE, "graph": GRAPH,
                                  "impact": IMPACT, "rules": RULES, "rule": RULE, "schema-diff": SCHEMA_DIFF,
                                  "schema-diff-inputs": SCHEMA_DIFF_INPUTS, "calendar": CALENDAR}


def registry() -> dict[str, Formats[Any]]:
    """Every kind of document formats.py defines, by its name there."""
    return {name: entry for name, entry in vars(formats).items() if isinstance(entry, Formats)}


# --- the representative documents -------------------------------------------------------------------------------

# A verification that fails in every way one can: invalid records (a score out of range, a required field and a
# pattern broken), too few records for min_records, a null rate over its maximum and a drifting field.
RECORDS = "".join(json.dumps(r) + "\n" for r in [
    {"transaction_id": "t1", "score": 0.12, "model_version": "4.0.0", "reason_codes": ["R001"], "band": "low"},
    {"transaction_id": "t2", "score": 0.97, "model_version": "4.0.0", "band": "very_high"},
    {"transaction_id": "t3", "score": 1.4, "model_version": "4.0.0", "reason_codes": ["R002"], "band": "high"},
    {"transaction_id": "t4", "score": 0.55, "reason_codes": ["bad"], "band": "medium"},
    {"transaction_id": "t5", "score": 0.91, "model_version": "4.0.0", "band": "very_high"},
    {"transaction_id": "t6", "score": 0.88, "model_version": "4.0.0", "reason_codes": ["R003"], "band": "high"},
])
BASELINE = "".join(json.dumps({"transaction_id": f"b{i}", "score": i / 20, "model_version": "3.9.0",
                               "reason_codes": ["R001"], "band": "low" if i < 15 else "medium"}) + "\n"
                   for i in range(20))
# The canary gates of fraud-scorer (examples head): precision and error rate pass, the latency breaches.
METRICS = {"candidate": {"precision_at_1pct_fpr": 0.93, "latency_p99_ms": 61, "error_rate": 0.004},
           "baseline": {"precision_at_1pct_fpr": 0.92, "latency_p99_ms": 50, "error_rate": 0.005}}
OLD_SCHEMA = {"type": "object", "required": ["id", "score"], "additionalProperties": False,
              "properties": {"id": {"type": "string"}, "score": {"type": "number", "minimum": 0, "maximum": 1},
                             "band": {"type": "string", "enum": ["low", "medium", "high"]}}}
NEW_SCHEMA = {"type": "object", "required": ["id", "score", "model"], "additionalProperties": False,
              "properties": {"id": {"type": "string"}, "score": {"type": "number", "minimum": 0, "maximum": 100},
                             "band": {"type": "string", "enum": ["low", "high"]}, "model": {"type": "string"}}}
INPUTS = {"records.jsonl": RECORDS, "baseline.jsonl": BASELINE, "metrics.json": json.dumps(METRICS, indent=2),
          "old.json": json.dumps(OLD_SCHEMA, indent=2), "new.json": json.dumps(NEW_SCHEMA, indent=2)}

# Each command's arguments (its --format left to the default: the document does not depend on it) and exit code,
# run in the repository's root: states are named relative to it (a check shows their names), INPUTS by {tmp}.
EXAMPLE = "examples/fraud-platform"
COMMANDS: dict[str, tuple[list[str], int]] = {
    "check": (["check", "--base", f"{EXAMPLE}/base", "--head", f"{EXAMPLE}/head", "--today", TODAY,
               "--cache-dir", "none"], 1),
    "lint": (["lint", "tests/hostile"], 1),
    "verify": (["verify", "fraud-score@2", "--records", "{tmp}/records.jsonl", "--baseline", "{tmp}/baseline.jsonl",
                "--at", f"{EXAMPLE}/head", "--examples", "3"], 1),
    "gate": (["gate", "--model", "fraud-scorer", "--stage", "canary", "--metrics", "{tmp}/metrics.json",
              "--records", "{tmp}/records.jsonl", "--contract", "fraud-score@2", "--at", f"{EXAMPLE}/head"], 1),
    "graph": (["graph", "--at", f"{EXAMPLE}/head"], 0),
    "impact": (["impact", "transaction-features@2", "--at", f"{EXAMPLE}/head"], 0),
    "rules": (["rules"], 0),
    "rule": (["rules", "MG101"], 0),
    "schema-diff": (["schema-diff", "{tmp}/old.json", "{tmp}/new.json", "--explain"], 1),
    # an input that is not a JSON Schema (a file of the repository: the golden shows its path)
    "schema-diff-inputs": (["schema-diff", "{tmp}/old.json", "tests/hostile/schemas/invalid-type.json"], 2),
    # on fraud-score@1's sunset day: one version past due with consumers, one ahead with downstream models
    "calendar": (["calendar", "--at", f"{EXAMPLE}/head", "--today", "2026-12-15"], 0),
}
TMP_PREFIX = "modelgate-goldens-"


@contextlib.contextmanager
def _inputs() -> Iterator[Path]:
    """A temporary directory holding INPUTS, the repository's root the current directory meanwhile."""
    with tempfile.TemporaryDirectory(prefix=TMP_PREFIX) as tmp, contextlib.chdir(REPO_ROOT):
        for name, text in INPUTS.items():
            Path(tmp, name).write_text(text, encoding="utf-8")
        yield Path(tmp)


@cache
def document(command: str) -> Any:
    """The document ``command`` (a key of COMMANDS) hands to its kind's entry of the registry."""
    handed: list[tuple[Formats[Any], Any]] = []

    def render(entry: Formats[Any], fmt: str, doc: Any) -> str:
        handed.append((entry, doc))
        return ""

    err = io.StringIO()
    with (_inputs() as tmp, mock.patch.object(Formats, "render", autospec=True, side_effect=render),
          contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err)):
        argv = [arg.format(tmp=tmp) for arg in COMMANDS[command][0]]
        returned = main(argv)
    code = COMMANDS[command][1]
    assert returned == code, f"modelgate {' '.join(argv)} exited {returned}, not {code}: {err.getvalue()}"
    assert [entry for entry, _ in handed] == [KINDS[command]], f"{command} did not render once as its kind"
    doc = handed[0][1]
    # a check or a calendar on a terminal is painted: the golden is the plain report, whatever runs this
    return dataclasses.replace(doc, color=False) if isinstance(doc, Report | CalendarReport) else doc


def sane(command: str, fmt: str, text: str) -> None:
    """A golden shows something, and no path of this machine."""
    assert text, f"{command} --format {fmt} printed nothing: its golden would show nothing"
    for path in (str(REPO_ROOT), TMP_PREFIX, tempfile.gettempdir() + "/"):
        assert path not in text, f"{command} --format {fmt} shows an absolute path ({path}...)"


def rendered(command: str, fmt: str) -> str:
    return KINDS[command].render(fmt, document(command))


# The rule reference users read is this very output: docs/rules.md is its golden (no second copy of it).
PUBLISHED = {("rules", "markdown"): REPO_ROOT / "docs" / "rules.md"}


def golden(command: str, fmt: str) -> Path:
    return PUBLISHED.get((command, fmt), GOLDENS / f"{command}.{fmt}")


CASES = [(command, fmt) for command, entry in KINDS.items() for fmt in entry.names]


# --- the tests --------------------------------------------------------------------------------------------------

def test_every_kind_of_the_registry_has_a_representative_document() -> None:
    known = {id(entry) for entry in KINDS.values()}
    missing = {name: entry.document for name, entry in registry().items() if id(entry) not in known}
    assert not missing, (f"formats.py has kinds without a golden: {missing}; add each to KINDS (by its command) and "
                         f"COMMANDS in tests/test_format_goldens.py, then run {WRITE}")
    assert set(KINDS) == set(COMMANDS)
    assert len(known) == len(KINDS), "two commands name the same kind"


def test_every_golden_is_of_a_format_the_registry_has() -> None:
    names = sorted(p.name for p in GOLDENS.iterdir()) if GOLDENS.is_dir() else []
    stale = [name for name in names if tuple(name.split(".", 1)) not in set(CASES)]
    assert not stale, f"goldens of no kind or format in the registry: {stale}; delete them"


@pytest.mark.parametrize(("command", "fmt"), CASES, ids=[f"{c}.{f}" for c, f in CASES])
def test_the_output_is_its_golden(command: str, fmt: str) -> None:
    path = golden(command, fmt)
    text = rendered(command, fmt)
    sane(command, fmt, text)
    assert path.is_file(), (f"no golden of modelgate {command} --format {fmt}: {path.relative_to(REPO_ROOT)} is "
                            f"missing; write it with `{WRITE}`, and read it before committing it")
    assert text.encode() == path.read_bytes(), (
        f"modelgate {command} --format {fmt} changed; if the change is meant, rewrite the golden with `{WRITE}` "
        f"and read the diff (git diff {path.relative_to(REPO_ROOT)}) before committing it")


# --- the writer -------------------------------------------------------------------------------------------------

def write_goldens(say: Callable[[str], object] = print) -> int:
    """Write every missing or changed golden; the number written."""
    GOLDENS.mkdir(parents=True, exist_ok=True)
    written = 0
    for command, fmt in CASES:
        path, text = golden(command, fmt), rendered(command, fmt)
        if path.is_file() and path.read_bytes() == text.encode():
            continue
        sane(command, fmt, text)
        say(f"{'rewrote' if path.exists() else 'wrote'} {path.relative_to(REPO_ROOT)}")
        path.write_bytes(text.encode())
        written += 1
    say(f"{written} golden(s) written of {len(CASES)}; read the diff (git diff {GOLDENS.relative_to(REPO_ROOT)}) "
        "before committing it")
    return written


if __name__ == "__main__":
    write_goldens()
    sys.exit(0)
