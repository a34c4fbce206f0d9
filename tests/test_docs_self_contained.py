"""The repository's docs are the product's documentation: its docs, code, tests and benchmarks name nothing a
reader of the repository does not have (no product spec kept elsewhere, no folder beside the checkout).

A statement the code or a test relies on is cited by the document that makes it ("docs/github.md, "Faults,
retries and the API budget""), never by a section of a document outside the repository. The tests that read
reference data kept beside the repository (``../shared/reference``, skipped when it is absent) may name that
folder; nothing else may.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC_RE = re.compile(r"\bSPEC(?:\.md\b|'s\b|\s+(?:section\b|§|\d))")
SHARED_RE = re.compile(r"(?<![\w./])\.\./shared\b")  # ../shared itself, not ../../shared/… (MG008's example)
READS_REFERENCE_RE = re.compile(r"\.\./shared/reference\b|\(no \.\./shared/reference ")


def documents() -> list[Path]:
    """What a reader of the repository reads: its documents and examples, the code's docstrings and comments, the
    rules, and the tests and benchmarks."""
    found = [ROOT / "README.md", ROOT / "SECURITY.md", ROOT / "action.yml", *(ROOT / "examples").rglob("*.md"),
             *(p for p in (ROOT / "docs").rglob("*") if p.is_file()), *(ROOT / "benchmarks").rglob("*.py"),
             *(ROOT / "bot").rglob("*.py"), *(ROOT / "bot").rglob("*.j2"), *(ROOT / "rules").glob("*.yaml"),
             *(p for p in (ROOT / "tests").rglob("*.py") if "fixtures" not in p.relative_to(ROOT / "tests").parts)]
    return sorted(p for p in found if p.is_file())


def mentions(pattern: re.Pattern[str], path: Path) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]


def test_no_document_test_or_benchmark_cites_a_spec_outside_the_repository() -> None:
    found = [hit for path in documents() if path != Path(__file__) for hit in mentions(SPEC_RE, path)]
    assert found == []


def test_only_the_tests_that_read_reference_data_name_the_folder_beside_the_repository() -> None:
    found = [hit for path in documents() if path != Path(__file__) for hit in mentions(SHARED_RE, path)
             if not (path.suffix == ".py" and path.is_relative_to(ROOT / "tests") and READS_REFERENCE_RE.search(hit))]
    assert found == []


@pytest.mark.parametrize("line", [
    "(SPEC section 6)", "SPEC 6: context", "SPEC's JSON", "see SPEC.md", "../shared/SPEC.md, section 4",
])
def test_the_patterns_catch_what_they_are_for(line: str) -> None:
    assert SPEC_RE.search(line) or SHARED_RE.search(line)


@pytest.mark.parametrize("line", [
    "SPEC_PATH = ...", '"SPEC" not in text', "schema_ref: ../../shared/schemas/txn.json", "openapi spec",
])
def test_the_patterns_leave_alone_what_is_not_a_citation(line: str) -> None:
    assert not SPEC_RE.search(line) and not SHARED_RE.search(line)
