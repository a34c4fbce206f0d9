"""modelgate: contract-aware merge gating and staged rollouts for monorepos of ML models."""

# The one place the version is written: the build reads it (pyproject.toml, [tool.hatch.version]), `modelgate
# --version` prints it, and CHANGELOG.md's latest release heading must name it (tests/test_release.py).
__version__ = "0.1.0"
