"""bot.manifests.models: the typed manifest schema (names and versions are matched whole, never up to a newline)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.manifests.models import Model


def model_doc(name: str = "scorer", version: str = "1.0.0") -> dict:
    return {"apiVersion": "modelgate/v1", "kind": "Model", "metadata": {"name": name, "owners": ["@a"]},
            "spec": {"version": version}}


@pytest.mark.parametrize("name", ["a", "fraud-scorer", "0x", "a" * 63])
def test_valid_names(name: str) -> None:
    assert Model.model_validate(model_doc(name)).metadata.name == name


@pytest.mark.parametrize("name", ["scorer\n", "Scorer", "-a", "a" * 64, "a_b", ""])
def test_names_outside_the_pattern_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="not a valid name"):
        Model.model_validate(model_doc(name))


@pytest.mark.parametrize("version", ["1.0.0\n", "1.0", "v1.0.0", "01.0.0"])
def test_versions_outside_semver_are_refused(version: str) -> None:
    with pytest.raises(ValidationError, match="not a semantic version"):
        Model.model_validate(model_doc(version=version))


def test_semver_with_prerelease_and_build() -> None:
    assert Model.model_validate(model_doc(version="1.0.0-rc.1+b5")).spec.version == "1.0.0-rc.1+b5"
