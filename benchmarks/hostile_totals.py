"""Benchmark of the totals of issue 19 (item 9) and its absolute link (item 15) through the real CLI.

    .venv/bin/python benchmarks/hostile_totals.py

Each input runs ``python -m bot ...`` in its own process (cache off); its CPU time (user + system, git's included:
``wait4`` counts the children a run waited for) and peak resident memory are that run's alone. The budget of every
input: under 10 s of CPU and 500 MB, ending in the finding ``tests/test_hostile.py`` / ``tests/test_loader.py``
assert:

- 100 contracts of under 650 bytes, each expanding to about 500,000 values (under the per-document limit), in
  ``lint`` and in ``check`` (69 s and 4.45 GB before): the run's budget of values;
- one compressible 63 MB blob listed by 1,000 tree entries of a git revision (79 s before): read once, never parsed;
- an alias of a 100 KB string named 30,000 times in a 1 MB contract (27 GB once decoded): its text is counted;
- a link ``models/x.yaml -> /etc/passwd`` in a git revision (silently skipped before): MG001.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from hostile_bench import report

ROOT = Path(__file__).resolve().parent.parent


def plumbing(repo: Path, *args: str, stdin: bytes = b"") -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=b", "-c", "user.email=b@b", *args], input=stdin,
                          capture_output=True, check=True).stdout.decode().strip()


def revision(repo: Path, entries: list[tuple[str, str, bytes]]) -> None:
    """A git repository whose ``main`` holds (mode, path, bytes) entries, written as objects (one level of dirs)."""
    repo.mkdir(parents=True)
    plumbing(repo, "init", "-q", "-b", "main")
    dirs: dict[str, list[str]] = {}
    shas: dict[bytes, str] = {}
    for mode, path, data in entries:
        if data not in shas:
            shas[data] = plumbing(repo, "hash-object", "-w", "--stdin", stdin=data)
        folder, name = path.split("/", 1)
        dirs.setdefault(folder, []).append(f"{mode} blob {shas[data]}\t{name}\n")
    top = "".join(f"040000 tree {plumbing(repo, 'mktree', stdin=''.join(lines).encode())}\t{folder}\n"
                  for folder, lines in dirs.items())
    commit = plumbing(repo, "commit-tree", plumbing(repo, "mktree", stdin=top.encode()), "-m", "hostile")
    plumbing(repo, "update-ref", "refs/heads/main", commit)


def write_inputs(tmp: Path) -> None:
    """The inputs, written by a process of their own: a child inherits its parent's peak memory."""
    sys.path.insert(0, str(ROOT))
    from tests.test_hostile import COMPANION, alias_heavy_contract  # the inputs the tests assert on

    bombs = {f"contracts/b{i:03d}.yaml": alias_heavy_contract(f"b{i:03d}") for i in range(100)}
    for path, text in bombs.items():
        (tmp / "bombs" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "bombs" / path).write_text(text)
    (tmp / "base" / "contracts").mkdir(parents=True)
    (tmp / "base" / "contracts" / "b000.yaml").write_text(bombs["contracts/b000.yaml"])
    big = b"apiVersion: modelgate/v1\nkind: Model\n# " + b"x" * 63_000_000 + b"\n"
    revision(tmp / "big", [("100644", f"models/m{i:04d}.yaml", big) for i in range(1000)])
    strings = COMPANION.replace("companion", "strings").replace("schema: {type: object}", "schema:\n") + (
        f"        x-a: &a \"{'x' * 100_000}\"\n        x-b: [{', '.join(['*a'] * 30_000)}]\n")
    (tmp / "strings" / "contracts").mkdir(parents=True)
    (tmp / "strings" / "contracts" / "strings.yaml").write_text(strings)
    revision(tmp / "link", [("100644", "contracts/companion.yaml", COMPANION.encode()),
                            ("120000", "models/x.yaml", b"/etc/passwd")])


def cases(tmp: Path) -> list[tuple[str, list[str], Path, str]]:
    """(name, argv, where it runs, a text the output must hold)."""
    over = "expand to more than 4000000 values in all"
    return [
        ("100 alias-heavy contracts under the per-file limit (lint)", ["lint", str(tmp / "bombs")], tmp, over),
        ("the same 100 against a base of one (check)",
         ["check", "--base", str(tmp / "base"), "--head", str(tmp / "bombs")], tmp, over),
        ("one 63 MB blob listed 1,000 times (lint, git)", ["lint", "main"], tmp / "big", "not parsed"),
        ("an alias of 100 KB named 30,000 times (lint)", ["lint", str(tmp / "strings")], tmp,
         "expands to more than 1000000 values"),
        ("a link to /etc/passwd (lint, git)", ["lint", "main"], tmp / "link", "symbolic link pointing outside"),
    ]


def main() -> int:
    if sys.argv[1:2] == ["--write"]:
        write_inputs(Path(sys.argv[2]))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, __file__, "--write", tmp], check=True)
        return report(cases(Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
