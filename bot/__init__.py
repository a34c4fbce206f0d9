"""modelgate: contract-aware merge gating and staged rollouts for monorepos of ML models."""

__version__ = "0.1.0"
