"""The hooks' entries as pre-commit runs them: ENTRY, then the file names of the commit, with nothing between.

A repository's file may be named like an option (``--output=.pre-commit-config.yaml``): appended after the entry,
it must reach ``modelgate lint`` as a file to lint, never as an option (which would overwrite the file it names).
"""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from tests.helpers import run_cli, write_tree

ROOT = Path(__file__).resolve().parents[1]
HOOKS = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}


def test_a_file_named_like_an_option_is_linted_not_obeyed(tmp_path: Path) -> None:
    entry = shlex.split(HOOKS["modelgate-lint"]["entry"])
    assert entry[:2] == ["modelgate", "lint"]
    hostile = "--output=.pre-commit-config.yaml"
    repo = write_tree(tmp_path, {".pre-commit-config.yaml": "repos: []\n",
                                 hostile: "apiVersion: modelgate/v1\nkind: Model\nmetadata: {name: Bad_Name}\n"})
    done = run_cli(*entry[1:], hostile, cwd=repo)
    assert (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8") == "repos: []\n"
    assert done.returncode != 0 and "MG001" in done.stdout, (done.stdout, done.stderr)
