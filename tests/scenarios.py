"""Scenario builders for the check tests: small monorepos written as real YAML, evaluated base vs head.

    base = {"contracts/c.yaml": contract("c", version(1)), "models/p.yaml": model("p", provides=[("c", 1)])}
    result = check_pair(tmp_path, base, {"contracts/c.yaml": contract("c", version(1, props=("a", "b")))})

The head is the base with the given files replaced (None deletes one). ``line_of`` finds the line of a
snippet in a file's text, so assertions name exact lines without counting by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from bot.approvals import ReviewState
from bot.check import evaluate
from bot.loader import Loader, load_states
from bot.manifests.snapshot import Snapshot
from bot.result import Result
from bot.sources import DirectorySource
from tests.helpers import Content, write_tree

TODAY = date(2026, 11, 28)


def version(number: int, *, status: str = "active", props: Iterable[str] = ("a", "b"), types: str = "number",
            stability: str | None = None, latency: float | None = None, sunset: str | None = None,
            replacement: int | None = None, migration: str | None = None, announced: str = "2026-09-01",
            closed: bool = True) -> str:
    """One item of ``spec.versions`` (indented for ``contract``)."""
    lines = [f"    - version: {number}", f"      status: {status}"]
    if stability:
        lines.append(f"      stability: {stability}")
    lines += ["      schema:", "        type: object", "        properties:"]
    lines += [f"          {p}: {{type: {types}}}" for p in props]
    if closed:
        lines.append("        additionalProperties: false")
    if latency is not None:
        lines.append(f"      slo: {{latency_p99_ms: {latency}}}")
    if sunset or replacement or migration:
        lines.append("      deprecation:")
        lines.append(f"        announced: {announced}")
        if sunset:
            lines.append(f"        sunset: {sunset}")
        if replacement:
            lines.append(f"        replacement: {replacement}")
        if migration:
            lines.append(f"        migration: {migration}")
    return "\n".join(lines) + "\n"


def contract(name: str, *versions: str, owners: str = '["@acme/data"]', compatibility: str = "forward") -> str:
    return (f"apiVersion: modelgate/v1\nkind: Contract\nmetadata:\n  name: {name}\n  owners: {owners}\n"
            f"spec:\n  compatibility: {compatibility}\n  versions:\n" + "".join(versions))


def model(name: str, *, consumes: Iterable[tuple[str, int] | tuple[str, int, list[str]]] = (),
          provides: Iterable[tuple[str, int]] = (), owners: str | None = None, semver: str = "1.0.0") -> str:
    owners = owners or '["@' + name + '-owner"]'
    lines = ["apiVersion: modelgate/v1", "kind: Model", "metadata:", f"  name: {name}",
             f"  owners: {owners}", "spec:", f"  version: {semver}"]
    consumes, provides = list(consumes), list(provides)
    if consumes:
        lines.append("  consumes:")
        for item in consumes:
            lines += [f"    - contract: {item[0]}", f"      version: {item[1]}"]
            if len(item) > 2:
                lines.append(f"      fields: [{', '.join(item[2])}]")  # type: ignore[misc]
    if provides:
        lines.append("  provides:")
        for contract_name, number in provides:
            lines += [f"    - contract: {contract_name}", f"      version: {number}"]
    return "\n".join(lines) + "\n"


def line_of(text: str, snippet: str, after: str | None = None) -> int:
    """The 1-based line of the first ``snippet`` in ``text`` (after the first ``after``, when given)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and snippet in line) + 1


def load(root: Path) -> Snapshot:
    return Loader(DirectorySource(root, label=root.name)).load()


def states(tmp_path: Path, base: Mapping[str, Content],
           changes: Mapping[str, Content]) -> tuple[Snapshot, Snapshot]:
    base_root = write_tree(tmp_path / "base", base)
    head_root = write_tree(tmp_path / "head", {**base, **changes})
    # as every check reads a pair: the head with the base's configuration, a manifest that stops loading carried
    return load_states(DirectorySource(base_root, label=base_root.name), DirectorySource(head_root, label="head"))


def check_pair(tmp_path: Path, base: Mapping[str, Content], changes: Mapping[str, Content],
               today: date = TODAY, reviews: ReviewState | None = None) -> Result:
    return evaluate(*states(tmp_path, base, changes), today, reviews)


def found(result: Result, *, include_preexisting: bool = False) -> set[tuple[str, str | None, str | None, int | None]]:
    """(rule, subject, file, line) of every finding (preexisting ones only when asked)."""
    return {(f.rule, f.subject, f.file, f.line) for f in result.findings if include_preexisting or not f.preexisting}


def groups(result: Result) -> set[tuple[str, str]]:
    return {(a.rule, a.subject) for a in result.approvals}
