"""Generate a synthetic monorepo of ML models for benchmarks, as a git repository with two branches.

    python benchmarks/generate.py N DIR [--seed S] [--over-budget]

N models and N/2 contracts in the shape of examples/fraud-platform: about 12 fields per schema, three
consumed contracts per model, provider chains up to depth 8. Branch ``base`` is the first commit; branch
``head`` changes 20 manifests the way a real pull request does: a breaking change inside a version, a
deprecation with its replacement, consumers moving to the new version, compatible additions and an SLO
tweak. With ``--over-budget`` every contract a model provides promises about half the latency that model consumes,
as on the first day a platform adopts modelgate: each providing model that consumes anything carries one MG204
finding, in both states (so it is preexisting); the rest of the repository is generated alike.
"""

from __future__ import annotations

import argparse
import random
import subprocess
from pathlib import Path

import yaml

LAYERS = 8
FIELD_TYPES = [
    {"type": "number", "minimum": 0, "maximum": 1},
    {"type": "integer", "minimum": 0},
    {"type": "string", "maxLength": 64},
    {"type": "string", "enum": ["approve", "review", "decline"]},
    {"type": "boolean"},
    {"type": "array", "items": {"type": "number"}, "minItems": 8, "maxItems": 8},
]
TEAMS = ["@acme/risk-ml", "@acme/payments", "@acme/fraud-ops", "@acme/ml-platform", "@acme/data-eng"]


def schema(rng: random.Random, width: int = 12) -> dict:
    props = {f"f{i:02d}": dict(rng.choice(FIELD_TYPES)) for i in range(width)}
    return {"type": "object", "properties": props, "required": sorted(rng.sample(sorted(props), 4))}


def contract_doc(index: int, rng: random.Random) -> dict:
    return {
        "apiVersion": "modelgate/v1",
        "kind": "Contract",
        "metadata": {"name": f"c{index:05d}", "owners": [rng.choice(TEAMS)], "description": "synthetic"},
        "spec": {
            "compatibility": "forward",
            "versions": [{
                "version": 1,
                "status": "active",
                "schema": schema(rng),
                "slo": {"latency_p99_ms": 5, "availability": 0.999},
                "fallback": {"strategy": "last_known_good", "when": ["timeout", "error"]},
            }],
        },
    }


def layout(n_models: int, rng: random.Random) -> tuple[list[int], dict[int, list[int]]]:
    """Layer of each provider model, and the contracts each model consumes (from lower layers only)."""
    n_contracts = n_models // 2
    per_layer = max(1, n_contracts // LAYERS)
    layer = [min(i // per_layer, LAYERS - 1) for i in range(n_contracts)]
    by_layer: dict[int, list[int]] = {}
    for contract, level in enumerate(layer):
        by_layer.setdefault(level, []).append(contract)
    consumes: dict[int, list[int]] = {}
    for model in range(n_models):
        level = layer[model] if model < n_contracts else LAYERS
        below = [c for lower in range(max(0, level - 2), level) for c in by_layer.get(lower, [])]
        consumes[model] = sorted(rng.sample(below, min(3, len(below)))) if below else []
    return layer, consumes


def model_doc(index: int, n_contracts: int, consumes: list[int], rng: random.Random) -> dict:
    spec: dict = {
        "version": f"{rng.randint(1, 4)}.{rng.randint(0, 9)}.0",
        "consumes": [{"contract": f"c{c:05d}", "version": 1} for c in consumes],
    }
    if index < n_contracts:
        spec["provides"] = [{"contract": f"c{index:05d}", "version": 1}]
    return {
        "apiVersion": "modelgate/v1",
        "kind": "Model",
        "metadata": {"name": f"m{index:05d}", "owners": [rng.choice(TEAMS)], "tier": "standard"},
        "spec": spec,
    }


def dump(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def pull_request(root: Path, n_models: int, consumes: dict[int, list[int]]) -> list[str]:
    """Edit 20 manifests in place; return what was done, for the benchmark's log."""
    n_contracts = n_models // 2
    done: list[str] = []
    contracts = [root / "contracts" / f"c{i:05d}.yaml" for i in range(n_contracts)]
    models = [root / "models" / f"m{i:05d}.yaml" for i in range(n_models)]

    def edit(path: Path, change: object) -> None:
        doc = yaml.safe_load(path.read_text())
        change(doc)  # type: ignore[operator]
        dump(path, doc)
        done.append(path.relative_to(root).as_posix())

    def breaking(doc: dict) -> None:
        props = doc["spec"]["versions"][0]["schema"]["properties"]
        props["f00"] = {"type": "string"} if props["f00"].get("type") != "string" else {"type": "integer"}

    edit(contracts[0], breaking)

    deprecated = 1

    def deprecate(doc: dict) -> None:
        old = doc["spec"]["versions"][0]
        new = dict(old, version=2)
        old.update(status="deprecated", deprecation={
            "announced": "2026-11-28", "sunset": "2027-06-30", "replacement": 2,
            "migration": f"docs/migrations/c{deprecated:05d}-v2.md"})
        doc["spec"]["versions"].insert(0, new)

    edit(contracts[deprecated], deprecate)
    (root / "docs" / "migrations").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "migrations" / f"c{deprecated:05d}-v2.md").write_text("# Move to v2\n")
    provider = models[deprecated]

    def provide_both(doc: dict) -> None:
        doc["spec"]["provides"].append({"contract": f"c{deprecated:05d}", "version": 2})

    edit(provider, provide_both)
    movers = [m for m in range(n_models) if deprecated in consumes[m]][:8]
    for mover in movers:
        def move(doc: dict) -> None:
            for item in doc["spec"]["consumes"]:
                if item["contract"] == f"c{deprecated:05d}":
                    item["version"] = 2
        edit(models[mover], move)
    index = 2
    while len(done) < 19 and index < n_contracts:
        def additive(doc: dict) -> None:
            doc["spec"]["versions"][0]["schema"]["properties"]["note"] = {"type": "string"}
        edit(contracts[index], additive)
        index += 1

    def slo(doc: dict) -> None:
        doc["spec"]["versions"][0]["slo"]["availability"] = 0.9999

    edit(contracts[index], slo)
    return done


def generate(n_models: int, root: Path, seed: int = 7, over_budget: bool = False) -> list[str]:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "base")
    git(root, "config", "user.email", "bench@example.com")
    git(root, "config", "user.name", "bench")
    n_contracts = n_models // 2
    _, consumes = layout(n_models, rng)
    docs = [contract_doc(i, rng) for i in range(n_contracts)]
    for i, doc in enumerate(docs):  # end-to-end latency budgets that add up, as on a healthy platform
        upstream = sum(docs[c]["spec"]["versions"][0]["slo"]["latency_p99_ms"] for c in consumes[i])
        own = rng.choice([5, 10, 20])
        over = over_budget and upstream > 0  # a provider that consumes nothing spends nothing
        doc["spec"]["versions"][0]["slo"]["latency_p99_ms"] = upstream // 2 + 1 if over else upstream + own
        dump(root / "contracts" / f"c{i:05d}.yaml", doc)
    for i in range(n_models):
        dump(root / "models" / f"m{i:05d}.yaml", model_doc(i, n_contracts, consumes[i], rng))
    (root / "README.md").write_text("synthetic monorepo\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "head")
    done = pull_request(root, n_models, consumes)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "head: a pull request touching 20 manifests")
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of models (contracts: n/2)")
    parser.add_argument("dir", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--over-budget", action="store_true",
                        help="every providing model consumes more latency than it provides (one MG204 each)")
    args = parser.parse_args()
    done = generate(args.n, args.dir, args.seed, args.over_budget)
    print(f"{args.dir}: {args.n} models, {args.n // 2} contracts; head changes {len(done)} manifests")


if __name__ == "__main__":
    main()
