"""The migration checklist, the rollout plan and the upcoming sunsets of a PR (pure; read from the Result).

The plan follows expand/contract: ship the new version beside the old one and run it in shadow, shadow every
impacted downstream model before anything reaches production, promote through the stages, migrate the
consumers, and retire the old version only after its sunset. Models appear in dependency order (a
topological order of the head graph; alphabetical when a cycle leaves none).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.approvals import trusted_owners
from bot.config import Config
from bot.evaluation import Evaluation, pr_models
from bot.graph import Graph, contract_node, model_node
from bot.manifests.models import Model
from bot.manifests.snapshot import Snapshot
from bot.result import Change, ChecklistItem, PlanStep, Sunset

MOVE_TYPES = {"VERSION_DEPRECATED": "deprecated", "VERSION_REMOVED": "removed", "VERSION_RETIRED": "retired"}
BREAKING_KINDS = ("schema", "slo", "fallback", "stability")


@dataclass(frozen=True)
class _Move:
    node: str
    why: str  # deprecated | removed | retired | breaking


def _moves(changes: Iterable[Change], base_graph: Graph, head_graph: Graph, head: Snapshot) -> list[_Move]:
    """The contract versions whose consumers must move, and why. A deprecated version one of whose consumers does
    not load at head is one: whether that consumer moved cannot be told, so its item stays open."""
    found: dict[str, str] = {}
    for change in changes:
        if change.type in MOVE_TYPES:
            found[change.subject] = MOVE_TYPES[change.type]
        elif change.breaking and change.kind in BREAKING_KINDS:
            found.setdefault(change.subject, "breaking")
    for node in base_graph.with_status("deprecated"):
        consumers = base_graph.consumers_of(node)
        if set(consumers) != set(head_graph.consumers_of(node)) or any(head.unknown_file(c) for c in consumers):
            found.setdefault(node, "deprecated")
    return [_Move(node, why) for node, why in sorted(found.items())]


def _checklist(moves: list[_Move], ev: Evaluation) -> list[tuple[_Move, ChecklistItem]]:
    """One item per consumer that must move off a version; done when head no longer pins that version.

    For an incompatible change, the consumers are those it directly impacts (field-level); for a deprecation,
    a removal or a retirement, every consumer at base or head. An item whose consumer's (or contract's) manifest
    does not load at head is never done: it says which file cannot be read (``cannot_tell``).
    """
    base_graph, head_graph = ev.base_graph, ev.head_graph
    items = []
    for move in moves:
        version = head_graph.version_at(move.node) or base_graph.version_at(move.node)
        deprecation = version.deprecation if version else None
        due = deprecation.sunset if deprecation else None
        contract = move.node.removeprefix("contract:")
        if move.why == "breaking":
            consumers = {f"model:{i.model}" for i in ev.direct if i.via == move.node}
        else:
            consumers = set(base_graph.consumers_of(move.node)) | set(head_graph.consumers_of(move.node))
        for consumer in sorted(consumers):
            name = consumer.removeprefix("model:")
            if move.why == "breaking":
                text = f"Adapt {name} to the incompatible change of {contract}, or keep it on a compatible version"
            else:
                target = f" to {contract.split('@')[0]}@{deprecation.replacement}" \
                    if deprecation and deprecation.replacement is not None else ""
                guide = f" (guide: {deprecation.migration})" if deprecation and deprecation.migration else ""
                text = f"Move {name} off {contract} ({move.why}){target}{guide}"
            unknown = ev.head.unknown_file(consumer) or ev.head.unknown_file(move.node)
            if unknown is not None:
                text += f"; cannot tell: {unknown} does not load"
            done = unknown is None and consumer not in head_graph.consumers_of(move.node)
            items.append((move, ChecklistItem(f"migrate:{name}:{contract}", text,
                                              trusted_owners(ev.trust, ev.head, "model", name), due, done,
                                              unknown)))
    return sorted(items, key=lambda pair: (pair[1].due or date.max, pair[1].id))


def migration(ev: Evaluation) -> tuple[list[ChecklistItem], list[PlanStep]]:
    """The migration checklist and the rollout plan of a PR."""
    pairs = _checklist(_moves(ev.changes, ev.base_graph, ev.head_graph, ev.head), ev)
    return [item for _, item in pairs], _rollout(ev, pairs)


def dependency_order(graph: Graph) -> list[str]:
    """Model names, providers before consumers (alphabetical among equals, and when a cycle forbids an order)."""
    nodes = graph.topological_order()
    if nodes is None:
        nodes = sorted(graph.g)
    return [n.removeprefix("model:") for n in nodes if n.startswith("model:")]


def _stages(head: Snapshot, model: str, config: Config) -> list[str]:
    manifest = head.models[model]
    assert isinstance(manifest.doc, Model)
    rollout = manifest.doc.spec.rollout
    return list(rollout.stages) if rollout and rollout.stages else list(config.rollout.stages)


def _rollout(ev: Evaluation, pairs: list[tuple[_Move, ChecklistItem]]) -> list[PlanStep]:
    head, head_graph, config = ev.head, ev.head_graph, ev.config
    order = dependency_order(head_graph)
    rank = {name: i for i, name in enumerate(order)}

    def ordered(names: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(set(names), key=lambda n: (rank.get(n, len(rank)), n)))

    # a model whose manifest does not load at head cannot be shipped: nothing says what its new version is; nor is
    # the provider of a contract that does not load (nothing says what changed in it)
    known = [change for change in ev.changes if not change.unknown]
    shipping = ordered(m for m in pr_models(known, ev.base_graph, head_graph)
                       if head.unknown_file(model_node(m)) is None)
    stages = {model: _stages(head, model, config) for model in shipping}
    stage_order = _stage_order(config, stages.values())
    steps: list[tuple[str, tuple[str, ...], str]] = []
    for stage in stage_order:
        firsts = ordered(m for m in shipping if stages[m][0] == stage)
        if firsts:
            steps.append((stage, firsts, "expand: ship the new version beside the old one and run it in "
                                         f"{stage}, serving nothing yet"))
    impacted = ordered(i.model for i in [*ev.direct, *ev.transitive]
                       if i.model in head.models and i.model not in shipping)
    if impacted:
        steps.append((config.rollout.stages[0], impacted,
                      "shadow the impacted downstream models on the new outputs and compare before anything "
                      "reaches production"))
    for stage in stage_order:
        later = ordered(m for m in shipping if stage in stages[m][1:])
        if later:
            steps.append((stage, later, f"promote to {stage} once the previous stage's gates hold"))
    moving = ordered(item.id.split(":")[1] for move, item in pairs if move.why != "breaking" and not item.done)
    if moving:
        steps.append(("migrate", moving, "contract: move each consumer to the replacement (see the checklist), "
                                         "through its own stages"))
    retiring = {move.node: [p.removeprefix("model:") for g in (head_graph, ev.base_graph)
                            for p in g.providers_of(move.node)]
                for move, _ in pairs if move.why == "deprecated"}
    held = _held(pairs)
    sure = {node: providers for node, providers in retiring.items() if node not in held}
    if sure:
        subjects = ", ".join(node.removeprefix("contract:") for node in sorted(sure))
        steps.append(("retire", ordered(p for ps in sure.values() for p in ps),
                      f"retire {subjects} on or after the sunset, once no consumer is left"))
    for node in sorted(set(retiring) & set(held)):
        files = held[node]
        steps.append(("hold", ordered(retiring[node]),
                      f"no retirement of {node.removeprefix('contract:')} is proposed: cannot tell whether a "
                      f"consumer is left ({', '.join(files)} {'does' if len(files) == 1 else 'do'} not load)"))
    return [PlanStep(n, stage, models, why) for n, (stage, models, why) in enumerate(steps, 1)]


def _held(pairs: list[tuple[_Move, ChecklistItem]]) -> dict[str, list[str]]:
    """The deprecated versions whose retirement rests on manifests that do not load at head, and their files."""
    files: dict[str, set[str]] = {}
    for move, item in pairs:
        if move.why == "deprecated" and item.cannot_tell is not None:
            files.setdefault(move.node, set()).add(item.cannot_tell)
    return {node: sorted(found) for node, found in files.items()}


def _stage_order(config: Config, lists: Iterable[list[str]]) -> list[str]:
    order = list(config.rollout.stages)
    for stages in lists:
        order.extend(s for s in stages if s not in order)
    return order


def sunsets(head_graph: Graph, today: date, head: Snapshot | None = None) -> list[Sunset]:
    """Every deprecated version of head with a sunset: days left (negative once passed) and who consumes it.

    A consumer whose manifest does not load at ``head`` is kept with its base pins (``bot.manifests.carry``) and
    marked unknown, with its file."""
    found = []
    for (name, number), version in head_graph.versions.items():
        if version.status != "deprecated" or not version.deprecation or not version.deprecation.sunset:
            continue
        node = contract_node(name, number)
        sunset = version.deprecation.sunset
        consumers = head_graph.consumers_of(node)
        unknown = tuple((c.removeprefix("model:"), file) for c in consumers
                        if head is not None and (file := head.unknown_file(c)) is not None)
        found.append(Sunset(node, sunset, (sunset - today).days,
                            tuple(c.removeprefix("model:") for c in consumers), unknown))
    return sorted(found, key=lambda s: (s.sunset, s.subject))
