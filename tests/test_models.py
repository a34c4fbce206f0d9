"""bot.manifests.models: the typed manifest schema (names and versions are matched whole, never up to a newline)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.manifests.models import Contract, Model


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


def contract_doc(**spec: object) -> dict:
    return {"apiVersion": "modelgate/v1", "kind": "Contract", "metadata": {"name": "feat", "owners": ["@a"]},
            "spec": {**spec, "versions": [{"version": 1, "status": "active", "schema": {"type": "object"}}]}}


@pytest.mark.parametrize(("compat", "own"), [(None, None), ({}, None), ({"format": "annotate"}, "annotate"),
                                             ({"format": "assert"}, "assert")])
def test_a_contract_may_set_its_own_compat_format(compat: dict | None, own: str | None) -> None:
    doc = contract_doc(**({} if compat is None else {"compat": compat}))
    assert Contract.model_validate(doc).spec.compat.format == own


@pytest.mark.parametrize("compat", [{"format": "validate"}, {"formats": "assert"}, "annotate", {"format": True}])
def test_a_contract_compat_that_is_not_one_is_refused(compat: object) -> None:
    with pytest.raises(ValidationError, match="compat"):
        Contract.model_validate(contract_doc(compat=compat))
