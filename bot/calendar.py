"""The deprecation calendar of one state (docs/calendar.md). Pure: a Snapshot and a day in, a Calendar out.

Every deprecated contract version, with its announcement, sunset, days left (negative once passed), replacement,
migration guide, and each model that still consumes it: directly (depth 1, its ``consumes`` names the version)
and transitively through it (depth 2 and more: the models fed by a direct consumer, and so on), each with its
owners as the trust root names them (offline: the state itself). Past-due versions that still have consumers
come first, then the others by sunset; versions deprecated without a sunset come last.

The scheduled run (``bot.github.scheduled``) announces each sunset before it comes: :func:`due_notices` says which
announcements are due on ``today`` for ``calendar.notify_days``, given those already made. An announcement is
keyed by the version, its sunset and the threshold (:attr:`Notice.key`), so moving a sunset announces it anew,
and a run that missed days says only the tightest threshold reached, never a backlog of stale ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date

from bot.approvals import trusted_owners
from bot.config import CONFIG_PATH
from bot.graph import Graph, contract_node
from bot.manifests.models import Contract, ContractVersion, Model
from bot.manifests.parse import repo_path
from bot.manifests.snapshot import ManifestFile, Snapshot
from bot.result import Result

SUNSET_DAY = 0  # the threshold of the announcement that the sunset has come (MG201 is an error from that day on)


def past_due(days_left: int | None) -> bool:
    """Whether a sunset ``days_left`` days away (None: no sunset) has come: from the sunset day on. The one
    definition: the calendar lists such a version first, and MG201 (``bot.policy.consumers``) escalates on it."""
    return days_left is not None and days_left <= SUNSET_DAY


@dataclass(frozen=True)
class Consumer:
    """A model that still consumes a deprecated version: directly (``depth`` 1) or through a direct consumer.

    ``chain`` is the path of node ids from the version to the model, both included; ``file`` and ``line`` point at
    the ``consumes`` item that links the model to the chain (for a direct consumer: the one naming the version).
    ``unknown``: the model's manifest does not load in this state; it is kept with the pins it had before."""

    model: str
    owners: tuple[str, ...]
    depth: int
    chain: tuple[str, ...]
    file: str | None
    line: int | None
    unknown: bool = False

    @property
    def direct(self) -> bool:
        return self.depth == 1


@dataclass(frozen=True)
class Deprecated:
    """One deprecated contract version. ``file`` and ``line`` point at its sunset (else its ``status``);
    ``migration`` is the guide's repository path, or what the manifest says when it leaves the repository (a URL:
    ``migration_external``); None without a guide."""

    subject: str  # contract:NAME@V
    contract: str
    version: int
    stability: str
    file: str
    line: int
    announced: date | None
    sunset: date | None
    days_left: int | None  # sunset - today, in days; None without a sunset
    replacement: int | None
    migration: str | None
    consumers: tuple[Consumer, ...]  # direct first, then by depth and name
    migration_external: bool = False  # ``migration`` leaves the repository (a URL): shown as written, never linked

    @property
    def past_due(self) -> bool:
        """Whether the sunset has come (MG201 is an error for every remaining consumer from the sunset day on)."""
        return past_due(self.days_left)

    @property
    def direct(self) -> tuple[Consumer, ...]:
        return tuple(c for c in self.consumers if c.direct)

    @property
    def transitive(self) -> tuple[Consumer, ...]:
        return tuple(c for c in self.consumers if not c.direct)

    @property
    def replacement_subject(self) -> str | None:
        return contract_node(self.contract, self.replacement) if self.replacement is not None else None

    @property
    def owners(self) -> tuple[str, ...]:
        """The owners of the direct consumers, each once, in order: who must migrate."""
        return tuple(dict.fromkeys(owner for c in self.direct for owner in c.owners))


@dataclass(frozen=True)
class Calendar:
    """``unreadable``: the files of the state that look like manifests and could not be read (MG001), so that a
    consumer they hold is missing from the lists; ``unreadable_models`` those of them that may be models (all but
    the ones known to be contracts): while there are any, "no model consumes it" cannot be said."""

    today: date
    at: str  # the state's label (a directory or a revision)
    versions: tuple[Deprecated, ...]
    unreadable: tuple[str, ...] = ()
    unreadable_models: tuple[str, ...] = ()

    @property
    def past_due(self) -> tuple[Deprecated, ...]:
        return tuple(v for v in self.versions if v.past_due and v.consumers)


def build(snapshot: Snapshot, today: date, trust: Snapshot | None = None, graph: Graph | None = None) -> Calendar:
    """The calendar of ``snapshot`` on ``today``; owners as ``trust`` names them (default: the state itself)."""
    state = _State(snapshot, snapshot if trust is None else trust, Graph.from_snapshot(snapshot) if graph is None
                   else graph, today)
    found = [state.deprecated(manifest, index, version) for manifest in snapshot.contracts.values()
             if isinstance(manifest.doc, Contract)
             for index, version in enumerate(manifest.doc.spec.versions) if version.status == "deprecated"]
    unread = unreadable(snapshot)
    return Calendar(today, snapshot.label, tuple(sorted(found, key=_order)), tuple(unread),
                    tuple(file for file, subject in unread.items() if not (subject or "").startswith("contract:")))


def unreadable(snapshot: Snapshot) -> dict[str, str | None]:
    """The manifest files of ``snapshot`` that could not be read (MG001; not the configuration, which is no
    manifest), in path order, each with the subject its finding names when it could tell (``model:NAME``)."""
    found: dict[str, str | None] = {}
    for finding in snapshot.findings:
        if finding.rule == "MG001" and finding.file and finding.file != CONFIG_PATH:
            found[finding.file] = found.get(finding.file) or finding.subject
    return dict(sorted(found.items()))


def _order(version: Deprecated) -> tuple[bool, bool, date, str, int]:
    """Past due with consumers first; then by sunset (none last); then by contract and version."""
    urgent = version.past_due and bool(version.consumers)
    return not urgent, version.sunset is None, version.sunset or date.max, version.contract, version.version


@dataclass(frozen=True)
class _State:
    snapshot: Snapshot
    trust: Snapshot
    graph: Graph
    today: date

    def deprecated(self, manifest: ManifestFile, index: int, version: ContractVersion) -> Deprecated:
        assert isinstance(manifest.doc, Contract)
        deprecation = version.deprecation
        sunset = deprecation.sunset if deprecation else None
        where = ("spec", "versions", index, *(("deprecation", "sunset") if sunset else ("status",)))
        node = contract_node(manifest.doc.metadata.name, version.version)
        written = deprecation.migration if deprecation else None
        inside = repo_path(manifest.path, written) if written else None
        return Deprecated(
            subject=node, contract=manifest.doc.metadata.name, version=version.version, stability=version.stability,
            file=manifest.path, line=manifest.line(*where), announced=deprecation.announced if deprecation else None,
            sunset=sunset, days_left=(sunset - self.today).days if sunset else None,
            replacement=deprecation.replacement if deprecation else None,
            migration=inside or written, migration_external=bool(written) and inside is None,
            consumers=tuple(self._consumers(node)),
        )

    def _consumers(self, node: str) -> Iterable[Consumer]:
        for reach in sorted(self.graph.downstream(node), key=lambda r: (r.depth, r.model)):
            manifest = self.snapshot.models.get(reach.model)
            file, line = _consumes_item(manifest, reach.chain[-2])
            unknown = self.snapshot.unknown_file(f"model:{reach.model}")
            yield Consumer(reach.model, trusted_owners(self.trust, self.snapshot, "model", reach.model), reach.depth,
                           reach.chain, file if manifest is not None else unknown, line, unknown is not None)


def _consumes_item(manifest: ManifestFile | None, version_node: str) -> tuple[str | None, int | None]:
    """The file and line of the ``consumes`` item of ``manifest`` that names ``version_node``."""
    if manifest is None or not isinstance(manifest.doc, Model):
        return None, None
    for index, item in enumerate(manifest.doc.spec.consumes):
        if contract_node(item.contract, item.version) == version_node:
            return manifest.path, manifest.line("spec", "consumes", index, "contract")
    return manifest.path, manifest.line("spec", "consumes")


# Announcements (the scheduled run's comments on the tracking issue)

NOTICE_RE = re.compile(r"<!-- modelgate:calendar-notice (contract:[^\s@]+@[0-9]+ sunset=[0-9-]{10} days=[0-9]+)"
                       r"(?: mac=([0-9a-f]{64}))? -->")


@dataclass(frozen=True)
class Notice:
    """That ``version``'s sunset is ``threshold`` days away or less (``SUNSET_DAY``: it has come)."""

    version: Deprecated
    threshold: int

    @property
    def key(self) -> str:
        assert self.version.sunset is not None
        return f"{self.version.subject} sunset={self.version.sunset.isoformat()} days={self.threshold}"

    @property
    def marker(self) -> str:
        """The hidden marker a comment carries for each announcement it makes (found again by :func:`said`)."""
        return self.signed_marker(None)

    def signed_marker(self, mac: str | None) -> str:
        """:attr:`marker` with ``mac``, the signature of :attr:`key` the shell makes when it has a key."""
        return f"<!-- modelgate:calendar-notice {self.key}{f' mac={mac}' if mac else ''} -->"


def said(bodies: Iterable[str], verify: Callable[[str, str | None], bool] | None = None) -> set[str]:
    """The keys of the announcements made in ``bodies`` (the bot's own comments only: the caller filters). With
    ``verify`` (a key, its mac or None -> whether to believe it), only the markers it accepts count."""
    return {match.group(1) for body in bodies for match in NOTICE_RE.finditer(body)
            if verify is None or verify(match.group(1), match.group(2))}


def due_notices(calendar: Calendar, notify_days: Collection[int], already: Collection[str]) -> list[Notice]:
    """The announcements due on ``calendar.today``: for each version with a sunset and consumers, the tightest
    threshold of ``notify_days`` (and the sunset day itself) that its days left have reached, unless ``already``
    made. A run that missed days says only that one, never the looser thresholds it skipped."""
    thresholds = sorted({*notify_days, SUNSET_DAY})
    due = []
    for version in calendar.versions:
        if version.days_left is None or not version.consumers:
            continue
        reached = [t for t in thresholds if version.days_left <= t]
        if reached:
            notice = Notice(version, reached[0])
            if notice.key not in already:
                due.append(notice)
    return due


# Re-judging open pull requests (the scheduled run)

DATED_RULES = frozenset({"MG102", "MG105", "MG106", "MG201"})  # rules whose verdict depends on the day
DATED_CHANGES = frozenset({"VERSION_DEPRECATED", "SUNSET_MOVED", "VERSION_REMOVED", "VERSION_RETIRED"})


def date_sensitive(result: Result, base: Snapshot, head: Snapshot) -> bool:
    """Whether the day can change the verdict of a pull request from ``base`` to ``head``: its own findings (not
    those preexisting on the target branch) include a rule judged against a sunset or a window (``DATED_RULES``);
    its changes deprecate, retire, remove a version or move a sunset (``DATED_CHANGES``: a window that holds today
    may not hold tomorrow); or it touches a version deprecated in either state: a change about that version, or a
    model it adds or edits that now consumes it. The last covers a finding that vanishes with the day (``MG201:
    {before: error, after: off}``: the consumer it adds fails before the sunset, and nothing is found after it)."""
    if (any(f.rule in DATED_RULES and not f.preexisting for f in result.findings)
            or any(c.type in DATED_CHANGES for c in result.changes)):
        return True
    deprecated = {node for state in (base, head) for node in Graph.from_snapshot(state).with_status("deprecated")}
    if not deprecated:
        return False
    if any(c.subject in deprecated for c in result.changes):
        return True
    models = {c.subject.removeprefix("model:") for c in result.changes
              if c.subject.startswith("model:") and c.type in CONSUMING_CHANGES}
    return any(_consumes(head, name) & deprecated for name in models)


CONSUMING_CHANGES = frozenset({"MODEL_ADDED", "CONSUME_ADDED"})  # a model that may now consume a version


def _consumes(snapshot: Snapshot, name: str) -> set[str]:
    manifest = snapshot.models.get(name)
    if manifest is None or not isinstance(manifest.doc, Model):
        return set()
    return {contract_node(item.contract, item.version) for item in manifest.doc.spec.consumes}
