"""The rule catalogue (docs/rules.md), read from the YAML files of ``rules/`` — one file per rule.

The catalogue is data shipped with the package: in a source checkout or an editable install it is the
repository's top-level ``rules/``; in a wheel, pyproject's hatch ``force-include`` puts it at ``bot/_rules``.
A catalogue that does not load is a packaging bug, so loading raises :class:`CatalogError` with the file.

``modelgate rules --format markdown`` prints the markdown reference (``docs/rules.md`` is generated that way).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import yaml
from pydantic import ConfigDict, TypeAdapter, ValidationError

import bot
from bot.result import SEVERITIES, Finding, Severity

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

RULE_ID_RE = re.compile(r"^MG[0-9]{3}\Z")  # ASCII digits; \Z: no trailing newline either
APPROVAL: Final = "approval"
# A rule's default: the severity of its findings, or ``approval`` for the MG3xx rules (groups, not findings).
DefaultSeverity = Literal[Severity, "approval"]
_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


class CatalogError(Exception):
    """The packaged rule catalogue is broken (a packaging bug, not a user error)."""


@dataclass(frozen=True)
class Escalation:
    """A rule whose findings turn more severe past a point the finding knows (MG201: an error from the sunset day
    on). ``rules:`` in ``.modelgate.yml`` may then set the severity before and after it (``{before: S, after: S}``);
    a single severity sets the one before and keeps this one after."""

    __pydantic_config__ = ConfigDict(extra="forbid", str_strip_whitespace=True)

    severity: Severity
    when: str  # e.g. "from the sunset day on": completes "<severity> …" in the docs


@dataclass(frozen=True)
class Rule:
    """One rule: what it checks, why it matters, how to fix it, and an example (markdown)."""

    __pydantic_config__ = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str
    name: str
    severity: DefaultSeverity
    summary: str
    why: str
    fix: str
    example: str
    # for a finding on an imported manifest (label modelgate.dev/imported-from: TOOL): what to do in TOOL's source
    # instead of the fix, by tool; an edit of the generated file would be undone by the next import
    imported: dict[str, str] = field(default_factory=dict)
    escalation: Escalation | None = None

    @property
    def makes_findings(self) -> bool:
        """Whether the rule reports findings (error, warning, notice); an MG3xx approval rule makes approval
        groups instead, and has no place among a report's findings (SARIF rules, JUnit suites)."""
        return self.severity != APPROVAL


_RULE = TypeAdapter(Rule)


def _rule_from(entry: Traversable) -> Rule:
    where = f"rule catalogue {entry.name}"
    try:
        data = yaml.safe_load(entry.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogError(f"{where}: not valid YAML: {exc}") from exc
    try:
        rule = _RULE.validate_python(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors())
        raise CatalogError(f"{where}: {problems}") from exc
    if not RULE_ID_RE.match(rule.id) or entry.name != f"{rule.id}.yaml":
        raise CatalogError(f"{where}: the id {rule.id!r} must look like MG101 and name the file ({rule.id}.yaml)")
    if not _NAME_RE.match(rule.name):
        raise CatalogError(f"{where}: the name {rule.name!r} must be kebab-case")
    if (rule.severity == APPROVAL) != rule.id.startswith("MG3"):
        raise CatalogError(f"{where}: severity 'approval' is for the MG3xx approval rules, and only for them")
    if rule.escalation is not None and not _more_severe(rule.escalation.severity, rule.severity):
        raise CatalogError(f"{where}: an escalation must be more severe than the rule's severity")
    return rule


def load_catalog(directory: Traversable) -> dict[str, Rule]:
    """Every ``MG*.yaml`` of ``directory``, validated, ordered by id."""
    if not directory.is_dir():
        raise CatalogError(f"rule catalogue not found at {directory}")
    rules = [_rule_from(entry) for entry in directory.iterdir() if entry.name.endswith((".yaml", ".yml"))]
    if not rules:
        raise CatalogError(f"rule catalogue at {directory} holds no rules")
    by_id = {rule.id: rule for rule in sorted(rules, key=lambda r: r.id)}
    names = [rule.name for rule in by_id.values()]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise CatalogError(f"rule catalogue: names used by several rules: {', '.join(duplicates)}")
    return by_id


def catalog_directory() -> Path:
    """Where the packaged catalogue lives: ``bot/_rules`` in a wheel, else the checkout's ``rules/``."""
    package = Path(bot.__file__).resolve().parent
    packaged = package / "_rules"
    return packaged if packaged.is_dir() else package.parent / "rules"


@functools.cache
def catalog() -> dict[str, Rule]:
    """The rule catalogue, by id in id order (loaded once)."""
    return load_catalog(catalog_directory())


def _more_severe(severity: Severity, than: DefaultSeverity) -> bool:
    return than != APPROVAL and SEVERITIES.index(severity) > SEVERITIES.index(than)


def finding(rule_id: str, message: str, file: str | None, line: int | None, subject: str | None = None, *,
            escalated: bool = False) -> Finding:
    """A finding of ``rule_id`` with the catalogue's severity, or, ``escalated``, its escalation's (MG201's error
    from the sunset day on). The configuration's overrides are applied later, in one place
    (:func:`bot.registry.configured`), which knows an escalated finding by its ``escalated``."""
    rule = catalog()[rule_id]
    if rule.severity == APPROVAL:
        raise ValueError(f"{rule_id} is an approval rule: it makes approval groups, not findings")
    if not escalated:
        return Finding(rule_id, rule.severity, message, file, line, subject)
    if rule.escalation is None:
        raise ValueError(f"{rule_id} has no escalation in the catalogue: its findings cannot be escalated")
    return Finding(rule_id, rule.escalation.severity, message, file, line, subject, escalated=True)
