"""``bot.code_identity``: the digest of the running code that keys both caches."""

from __future__ import annotations

import shutil
from pathlib import Path

import bot
import bot.check
from bot import code_identity
from bot.rules import catalog_directory
from tests.helpers import write_tree


def test_the_code_roots_hold_the_rule_catalogue():
    catalogue = Path(str(catalog_directory())).resolve()
    assert any(catalogue == root or root in catalogue.parents for root in code_identity.code_roots())


def test_the_code_digest_follows_every_code_file_and_nothing_else(tmp_path):
    code = shutil.copytree(Path(bot.check.__file__).parent, tmp_path / "bot",
                           ignore=shutil.ignore_patterns("__pycache__"))
    before = code_identity.files_digest([code])
    (code / "__pycache__").mkdir()
    (code / "__pycache__" / "check.cpython-311.pyc").write_bytes(b"compiled")
    (code / "notes.txt").write_text("not code")
    assert code_identity.files_digest([code]) == before
    for rel, text in [("check.py", (code / "check.py").read_text() + "\n# edited\n"), ("templates/new.j2", "{{ x }}"),
                      ("report/data.json", "{}"), ("_rules/MG999.yaml", "id: MG999\n")]:
        write_tree(code, {rel: text})
        after = code_identity.files_digest([code])
        assert after != before, rel
        before = after


def test_the_code_digest_includes_the_version_and_the_installed_distributions(monkeypatch):
    digest = code_identity.code_digest()
    assert code_identity.code_digest.__wrapped__() == digest  # stable within a run
    assert any(name.startswith("pydantic-") for name in code_identity.installed_distributions())
    monkeypatch.setattr(bot, "__version__", "9.9.9")
    assert code_identity.code_digest.__wrapped__() != digest
