"""Required approvals (MG301, MG302) and their evaluation against a PR's reviews and acks (docs/rules.md).

The inputs from GitHub arrive as plain data (``ReviewState``), filled by the GitHub adapter; offline there
is none and every group stays unsatisfied. Owners are trusted from the **trust root** (docs/github.md: the target
branch's tip; offline, the base): a manifest that exists there is approved by its owners there, whatever the PR
writes; a **new** manifest does not choose its own approvers: the trust root's CODEOWNERS for its path approve it,
else the ``admins`` (its declared owners are named, without ``@``, and count once it has landed); a changed
``.modelgate.yml`` is approved by the trusted ``admins`` (where the trust root names none, by its CODEOWNERS for
``.modelgate.yml``). An approval counts only from a reviewer with write
permission or higher (``ReviewState.writers``, looked up by the adapter), as GitHub's required reviews count.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from bot import registry
from bot.config import CONFIG_PATH, Config
from bot.evaluation import Evaluation
from bot.manifests.snapshot import ManifestFile, Snapshot
from bot.owners import codeowners_for, owners_of
from bot.result import Approval, Impacted

MG301: Final = "MG301"
MG302: Final = "MG302"
APPROVED = "APPROVED"
CANCELLING = frozenset({"CHANGES_REQUESTED", "DISMISSED"})


@dataclass(frozen=True)
class Review:
    """One pull-request review: ``user`` is a login (with or without ``@``); ``state`` as GitHub spells it."""

    user: str
    state: str
    commit_id: str | None
    submitted_at: datetime | str


@dataclass(frozen=True)
class Ack:
    """A ``/rollout ack MODEL`` comment by ``user``."""

    user: str
    model: str


@dataclass(frozen=True)
class Override:
    """A ``/rollout override RULE --reason R`` comment by ``user``, made while the PR's head was ``sha``."""

    user: str
    rule: str
    reason: str
    sha: str


@dataclass(frozen=True)
class ReviewState:
    """What GitHub says about the PR. ``team_members`` maps ``org/team`` to the logins of its active members;
    None when the token cannot read team membership. ``writers``: the logins (lower case) known to have write
    permission or higher on the repository; an approval or ack by anyone else counts for nothing. None: not looked
    up (pure uses; the GitHub adapter always looks up who approved)."""

    author: str
    head_sha: str
    reviews: tuple[Review, ...] = ()
    acks: tuple[Ack, ...] = ()
    overrides: tuple[Override, ...] = ()
    team_members: Mapping[str, frozenset[str]] | None = field(default=None)
    writers: frozenset[str] | None = None


def login(owner: str) -> str:
    """``@Alice`` → ``alice``; ``@Org/Team`` → ``org/team`` (GitHub names are case-insensitive)."""
    return owner.removeprefix("@").lower()


def trusted_manifest(trust: Snapshot, kind: str, name: str) -> ManifestFile | None:
    """The manifest as the trust root has it; None for a manifest that is new (or gone there)."""
    return (trust.models if kind == "model" else trust.contracts).get(name)


def trusted_owners(trust: Snapshot, head: Snapshot, kind: str, name: str) -> tuple[str, ...]:
    """Who is trusted to own a manifest: its owners at the trust root (its ``metadata.owners``, else the CODEOWNERS
    rule for its file there). A manifest the trust root lacks (new) names no owner of its own: the trust root's
    CODEOWNERS rule for its path at head, else the configured ``admins``."""
    found = trusted_manifest(trust, kind, name)
    if found is not None:
        return owners_of(found, trust)
    new = (head.models if kind == "model" else head.contracts).get(name)
    return (codeowners_for(trust, new.path) if new else ()) or tuple(trust.config.admins)


def declared_owners(head: Snapshot, kind: str, name: str) -> tuple[str, ...]:
    """The owners a new manifest declares for itself, as logins without ``@`` (no mention, no review request):
    shown, not trusted, until it has landed."""
    new = (head.models if kind == "model" else head.contracts).get(name)
    return tuple(login(o) for o in owners_of(new, head)) if new else ()


def required_groups(ev: Evaluation) -> list[Approval]:
    """The approval groups a PR needs, unsatisfied, in a stable order: MG301 by subject, then MG302 (a rule the
    base configuration turns off asks for none)."""
    return registry.approval_groups(ev)


@registry.on_approval("approvals", MG301)
def _owner_groups(ev: Evaluation) -> list[Approval]:
    base, head, trust, config = ev.base, ev.head, ev.trust, ev.config
    manifests: dict[str, set[str]] = {}
    for change in ev.changes:
        manifests.setdefault(manifest_subject(change.subject), set()).add(change.kind)
    groups = []
    for subject, kinds in sorted(manifests.items()):
        if subject == "config":
            groups.append(_config_group(trust, config))
            continue
        kind, name = subject.split(":", 1)
        owners = trusted_owners(trust, head, kind, name)
        manifest = trusted_manifest(trust, kind, name)
        if manifest is not None:
            # "base": the base branch, whose tip is the trust root (the wording predates the trust root)
            reason = (f"the owners of {manifest.path} changed: its base owners approve" if "owners" in kinds
                      else f"{_changed_files(base, head, manifest)} changed: its owners (base) approve")
        elif (new := (head.models if kind == "model" else head.contracts).get(name)) is not None:
            declared = ", ".join(declared_owners(head, kind, name)) or "none"
            who = "CODEOWNERS" if codeowners_for(trust, new.path) else "the admins"
            reason = (f"{new.path} is new: {who} of the target branch approve (the owners it declares, "
                      f"{declared}, count once it has landed)")
        else:
            continue  # in neither the trust root nor the head: nothing to approve
        groups.append(Approval(MG301, subject, owners, reason))
    return groups


def _config_group(trust: Snapshot, config: Config) -> Approval:
    """A changed ``.modelgate.yml`` is approved by the trusted ``admins``; where the target branch names none (a
    repository adopting modelgate), by its CODEOWNERS rule for ``.modelgate.yml``, the same fallback as a new
    manifest's. Neither is read from the PR."""
    if config.admins:
        return Approval(MG301, "config", tuple(config.admins),
                        "the configuration (.modelgate.yml) changed: an admin approves")
    return Approval(MG301, "config", codeowners_for(trust, CONFIG_PATH),
                    "the configuration (.modelgate.yml) changed and the target branch names no admins: "
                    "its CODEOWNERS for .modelgate.yml approve")


@registry.on_approval("approvals", MG302)
def _downstream_groups(ev: Evaluation) -> Iterator[Approval]:
    """One group per directly impacted model (by name), then, under ``approvals.transitive: require``, one per
    transitively impacted model down to ``approvals.max_depth`` (nearest first). A model is asked once: impact
    lists a model that is also direct only as direct, and a model at several depths at its nearest."""
    seen: dict[str, Impacted] = {}
    for item in ev.direct:
        seen.setdefault(item.model, item)
    for model, item in sorted(seen.items()):
        yield Approval(MG302, f"model:{model}", item.owners,
                       f"directly impacted through {item.via}: the owners approve or /rollout ack")
    settings = ev.config.approvals
    for item in ev.transitive:
        if item.model in seen or not settings.requires(item.depth):
            continue
        seen[item.model] = item
        bound = f", max_depth {settings.max_depth}" if settings.max_depth is not None else ""
        yield Approval(MG302, f"model:{item.model}", item.owners,
                       f"transitively impacted at depth {item.depth} through {' → '.join(item.chain)} "
                       f"(approvals.transitive: require{bound}): the owners approve or /rollout ack")


def _changed_files(base: Snapshot, head: Snapshot, manifest: ManifestFile) -> str:
    """The files of a manifest that differ: itself, and the schema files it refers to (``schema_ref``)."""
    files = [manifest.path] if base.blobs.get(manifest.path) != head.blobs.get(manifest.path) else []
    refs = {path for snapshot in (base, head) for (name, _), path in snapshot.schema_files.items()
            if name == manifest.name and manifest.kind == "Contract"}
    files += sorted(path for path in refs if base.blobs.get(path) != head.blobs.get(path))
    return ", ".join(files) or manifest.path


def manifest_subject(subject: str) -> str:
    """The manifest a change subject lives in: ``contract:x@2`` → ``contract:x``."""
    return subject.split("@", 1)[0]


def evaluate(groups: Iterable[Approval], state: ReviewState | None, config: Config) -> list[Approval]:
    """Each group with ``satisfied``, ``by`` (the logins that satisfy it) and a ``note`` when it cannot be."""
    groups = list(groups)
    if state is None:
        return [_with(g, (), "offline: no reviews") for g in groups]
    approvers = approving_users(state, config)
    author = login(state.author)
    out = []
    for group in groups:
        # An ack counts like an approval: the author's own only with allow_author.
        acks = {login(a.user) for a in state.acks if f"model:{a.model}" == group.subject
                and (config.approvals.allow_author or login(a.user) != author)} if group.rule == MG302 else set()
        by: list[str] = []
        blind: list[str] = []
        unable: list[str] = []
        for user in sorted(approvers | acks):
            if is_owner(user, group.owners, state.team_members):
                (by if state.writers is None or user in state.writers else unable).append(user)
        if not by:
            blind = [o for o in group.owners if "/" in o and state.team_members is None]
        note = (f"the token cannot read team membership, so {', '.join(blind)} cannot be matched "
                "(a GitHub App token with organisation members: read can)") if blind else ""
        if unable and not by:
            note = (f"{', '.join(unable)} approved without write permission on the repository: an approval counts "
                    "only from write or higher")
        if not group.owners:
            note = ("no owners to approve this" if group.subject != "config"
                    else "no admins are configured, and no CODEOWNERS rule of the target branch names .modelgate.yml")
        out.append(_with(group, tuple(by), note))
    return out


def _with(group: Approval, by: tuple[str, ...], note: str) -> Approval:
    return Approval(group.rule, group.subject, group.owners, group.reason, bool(by), by, note)


def approving_users(state: ReviewState, config: Config) -> set[str]:
    """Logins whose latest deciding review approves (on the head SHA when ``invalidate_on_push``)."""
    latest: dict[str, Review] = {}
    for review in sorted(state.reviews, key=lambda r: str(r.submitted_at)):
        state_name = review.state.upper()
        if state_name == APPROVED or state_name in CANCELLING:
            latest[login(review.user)] = review
    author = login(state.author)
    return {
        user for user, review in latest.items()
        if review.state.upper() == APPROVED
        and (not config.approvals.invalidate_on_push or review.commit_id == state.head_sha)
        and (config.approvals.allow_author or user != author)
    }


def is_owner(user: str, owners: Iterable[str], team_members: Mapping[str, frozenset[str]] | None) -> bool:
    """Whether ``user`` is one of ``owners``, directly or as an active member of an owning team."""
    user = login(user)
    for owner in owners:
        name = login(owner)
        if "/" not in name:
            if name == user:
                return True
        elif team_members is not None:
            members = {login(m) for m in _team(team_members, name)}
            if user in members:
                return True
    return False


def _team(team_members: Mapping[str, frozenset[str]], name: str) -> frozenset[str]:
    for key, members in team_members.items():
        if login(key) == name:
            return members
    return frozenset()


def waivers(state: ReviewState | None, config: Config) -> dict[str, tuple[str, str]]:
    """Rule id → (admin login, reason) for the overrides an admin made on the current head SHA.

    MG301 and MG302 cannot be waived; an override by anyone but an admin with write permission or higher (when
    ``state.writers`` is known), or on an older head, counts for nothing.
    """
    if state is None:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for override in state.overrides:
        rule = override.rule.upper()
        if rule.startswith("MG3") or override.sha != state.head_sha:
            continue
        writes = state.writers is None or login(override.user) in state.writers  # None: not known (offline)
        if writes and is_owner(override.user, config.admins, state.team_members):
            out.setdefault(rule, (login(override.user), override.reason))
    return out
