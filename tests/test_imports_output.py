"""bot.imports.output: an importer's defect is one clear error before anything is written, never a file outside DIR."""

from __future__ import annotations

from typing import Any

import pytest

from bot.imports.model import IMPORTED_FROM, Generated, Imported
from bot.imports.output import ImportBroken, checked


def model(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "modelgate/v1", "kind": "Model", "metadata": {"name": name},
            "spec": {"version": "1.0.0", **spec}}


def test_valid_files_come_back_labelled_in_order() -> None:
    files = checked(Imported("toy", (Generated("models/b.yaml", model("b"), "src:b"),
                                     Generated("models/a.yaml", model("a"), "src:a"))))
    assert [f.path for f in files] == ["models/b.yaml", "models/a.yaml"]
    assert {f.document["metadata"]["labels"][IMPORTED_FROM] for f in files} == {"toy"}


@pytest.mark.parametrize(("files", "words"), [
    ((Generated("../a.yaml", model("a"), "src:a"),), "refusing to write '../a.yaml': has an empty, '.' or '..' part"),
    ((Generated("/tmp/a.yaml", model("a"), "src:a"),), "refusing to write '/tmp/a.yaml'"),
    ((Generated("models\\a.yaml", model("a"), "src:a"),), "not a relative '/'-separated path"),
    ((Generated("modelgate-overlay.yaml", model("a"), "src:a"),), "it is the overlay"),
    ((Generated("models/a.yaml", model("a"), "src:a"), Generated("models/a.yaml", model("b"), "src:b")),
     "models/a.yaml is also made from src:a"),
    ((Generated("models/a.yaml", model("a"), "src:a"), Generated("models/b.yaml", model("a"), "src:b")),
     "model 'a' is also made from src:a"),
    ((Generated("models/a.yaml", {**model("a"), "kind": "Thing"}, "src:a"),), "of kind 'Thing'"),
    ((Generated("models/a.yaml", model("A_b"), "src:a"),), "models/a.yaml is not a valid manifest: metadata.name"),
    ((Generated("models/a.yaml", model("a", version="one"), "src:a"),), "'one' is not a semantic version"),
])
def test_a_defect_is_one_line_naming_the_source_object(files: tuple[Generated, ...], words: str) -> None:
    with pytest.raises(ImportBroken) as caught:
        checked(Imported("toy", files), frozenset({"modelgate-overlay.yaml"}))
    assert words in str(caught.value)
    assert str(caught.value).startswith("the toy import of src:")
    assert "\n" not in str(caught.value)
