"""The floor a check is measured against: read every manifest at a revision and parse it, nothing more.

    python benchmarks/floor.py REPO REV

One pipelined ``git cat-file --batch`` read of every ``*.yaml`` blob at REV, then one PyYAML CSafeLoader
parse of each: the least any YAML-reading tool written in Python must do to know the state.
"""

from __future__ import annotations

import subprocess
import sys
import threading

import yaml


def main(repo: str, rev: str) -> None:
    listing = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "-z", rev], check=True,
                             capture_output=True).stdout.decode()
    shas = [rec.split()[2] for rec in listing.split("\0") if rec.endswith((".yaml", ".yml"))]
    proc = subprocess.Popen(["git", "-C", repo, "cat-file", "--batch", "--buffer"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin and proc.stdout

    def feed() -> None:
        proc.stdin.write("".join(f"{sha}\n" for sha in shas).encode())  # type: ignore[union-attr]
        proc.stdin.close()  # type: ignore[union-attr]

    writer = threading.Thread(target=feed)
    writer.start()
    parsed = 0
    for _ in shas:
        size = int(proc.stdout.readline().split()[2])
        yaml.load(proc.stdout.read(size), Loader=yaml.CSafeLoader)
        proc.stdout.read(1)
        parsed += 1
    writer.join()
    proc.wait()
    print(f"parsed {parsed} manifests", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
