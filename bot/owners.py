"""Who owns a manifest: its ``metadata.owners``, else the CODEOWNERS rule that covers its file (MG007).

An owner is a GitHub user ``@login`` or a team ``@org/team-slug``. Logins follow GitHub's rules
(letters, digits and single hyphens, not at either end, at most 39 characters).

CODEOWNERS may also name an owner by e-mail address (GitHub maps it to the account with that verified
address). modelgate cannot request a review from an address, nor match a review to one, so an e-mail owner
is reported as MG007 (at the CODEOWNERS line) and is not counted as an owner. An empty ``owners: []`` is
treated like an absent key: the CODEOWNERS rule applies.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final, NamedTuple

from codeowners import CodeOwners

from bot.imports.hints import overlay_hint
from bot.manifests.snapshot import ManifestFile, Snapshot
from bot.result import Finding
from bot.rules import finding

MG007: Final = "MG007"  # registered by the lint family (``bot.lint``)

LOGIN = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"
OWNER_RE = re.compile(rf"@{LOGIN}(?:/[A-Za-z0-9][A-Za-z0-9_.-]{{0,99}})?")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class Handle(NamedTuple):
    """An owner taken apart: a team ``@org/team`` is ``(org, team)``, a user ``@login`` is ``(None, login)``."""

    org: str | None
    name: str

    @property
    def is_team(self) -> bool:
        return self.org is not None


def parse(owner: str) -> Handle:
    """``owner`` (a usable one: see ``owner_problem``) taken apart into its organisation and its name."""
    bare = owner.removeprefix("@")
    org, slash, team = bare.partition("/")
    return Handle(org, team) if slash else Handle(None, bare)


@functools.lru_cache(maxsize=4096)  # a repository names few owners, each on many manifests
def owner_problem(owner: str) -> str | None:
    """Why ``owner`` is not a usable owner, or None when it is one."""
    if OWNER_RE.fullmatch(owner):
        return None
    if EMAIL_RE.fullmatch(owner):
        return (f"owner {owner!r} is an e-mail address; modelgate cannot request reviews from addresses, "
                "name the GitHub account (@login) instead")
    if OWNER_RE.fullmatch(f"@{owner}"):
        return f"owner {owner!r} needs an @: write '@{owner}' (a GitHub user @login or team @org/team)"
    return f"owner {owner!r} is not a GitHub user (@login) or team (@org/team)"


@dataclass(frozen=True)
class _Rule:
    """The CODEOWNERS line that applies to a file: its line number and the owners written on it."""

    line: int
    owners: tuple[str, ...]


@functools.lru_cache(maxsize=8)
def _codeowners(text: str) -> tuple[CodeOwners, tuple[str, ...]]:
    return CodeOwners(text), tuple(text.splitlines())


def _rule(snapshot: Snapshot, path: str) -> _Rule | None:
    if snapshot.codeowners is None:
        return None
    return _rule_in(snapshot.codeowners[1], path)


def _rule_in(text: str, path: str) -> _Rule | None:
    parsed, lines = _codeowners(text)
    _, line, _, _ = parsed.matching_line(path)
    if line is None:
        return None
    # Re-read the line ourselves: the library silently drops what it cannot classify, we report it.
    words = lines[line - 1].replace("\\ ", "\0").split()
    owners: list[str] = []
    for word in words[1:]:
        if word.startswith("#"):
            break
        owners.append(word)
    return _Rule(line, tuple(owners))


def _valid(owners: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for owner in owners:
        if owner_problem(owner) is None:
            seen.setdefault(owner.lower(), owner)
    return tuple(seen.values())


def owners_of(manifest: ManifestFile, snapshot: Snapshot) -> tuple[str, ...]:
    """The usable owners of a manifest, in the order written (malformed ones left out; see MG007)."""
    declared = manifest.doc.metadata.owners
    if declared:
        return _valid(declared)
    return codeowners_for(snapshot, manifest.path)


def codeowners_for(snapshot: Snapshot, path: str) -> tuple[str, ...]:
    """The usable owners the CODEOWNERS of ``snapshot`` gives ``path`` (none without a matching rule)."""
    return codeowners_in(snapshot.codeowners[1], path) if snapshot.codeowners is not None else ()


def codeowners_in(text: str, path: str) -> tuple[str, ...]:
    """The usable owners the CODEOWNERS ``text`` gives ``path`` (a repository-relative path; none without a
    matching rule): what an import asks about a source's own files."""
    rule = _rule_in(text, path)
    return _valid(rule.owners) if rule else ()


def owner_findings(snapshot: Snapshot) -> list[Finding]:
    """MG007: malformed owners (in a manifest, or on the CODEOWNERS line it falls under) and ownerless manifests.

    A CODEOWNERS line is reported once, however many manifests it covers; a manifest whose declared owners
    are all malformed gets those findings only, not one more for having no owner.
    """
    findings: list[Finding] = []
    reported_rules: set[int] = set()
    for manifest in snapshot.manifests:
        declared = manifest.doc.metadata.owners
        if declared:  # its owners, each valid (so it has one) or reported
            for index, owner in enumerate(declared):
                problem = owner_problem(owner)
                if problem:
                    findings.append(_mg007(problem, manifest.path, manifest.line("metadata", "owners", index),
                                           manifest.subject))
            continue
        rule = _rule(snapshot, manifest.path)
        if rule is not None and snapshot.codeowners is not None and rule.line not in reported_rules:
            reported_rules.add(rule.line)
            findings.extend(
                _mg007(f"{problem} (on the CODEOWNERS line for {manifest.path})", snapshot.codeowners[0], rule.line,
                       None)
                for problem in filter(None, map(owner_problem, rule.owners)))
        if rule is None or not _valid(rule.owners):
            findings.append(_mg007(
                f"{manifest.subject} has no owner: no metadata.owners, and {_codeowners_says(snapshot, rule)}; "
                "add metadata.owners or a CODEOWNERS rule for this file"
                + overlay_hint(manifest, ("metadata", "owners"), '["@org/team"]', "the owners"),
                manifest.path, manifest.line("metadata", "owners"), manifest.subject))
    return findings


def _codeowners_says(snapshot: Snapshot, rule: _Rule | None) -> str:
    if snapshot.codeowners is None:
        return "no CODEOWNERS file"
    path = snapshot.codeowners[0]
    if rule is None:
        return f"no rule of {path} matches this file"
    return f"{path} line {rule.line} names no usable owner"


def _mg007(message: str, file: str, line: int, subject: str | None) -> Finding:
    return finding(MG007, message, file, line, subject)
