"""Benchmark of the action's set-up: cold (nothing cached) and warm (the venv restored from the cache).

    .venv/bin/python benchmarks/setup_time.py               # best of 3 of each
    .venv/bin/python benchmarks/setup_time.py --repeat 1 --python /path/to/python3.12
    .venv/bin/python benchmarks/setup_time.py --engines duckdb    # and the set-up with the action's engines input

It runs the very script action.yml runs (scripts/setup.sh, ``key`` then ``install``), with RUNNER_TEMP in a new
temporary directory each time and the interpreter actions/setup-python would give (``--python``, default this
Python's base installation, never a venv's). Every install downloads from the package index with empty caches and
no pip configuration of the machine (no local mirror or find-links), as on a fresh hosted runner:
- baseline: the former set-up, ``python -m venv`` then ``pip install --require-hashes --only-binary=:all:`` of
  requirements/action.txt and modelgate with ``--no-deps --no-build-isolation``;
- cold: no environment in the cache: uv from its lock, then the venv built by uv;
- warm: the venv of a cold run archived as actions/cache archives it (tar, zstd), then ``key``, the extraction
  and ``install``, which checks the restored venv runs and installs nothing;
- with ``--engines``: cold and warm again with the action's ``engines`` input (MODELGATE_ENGINES), which adds the
  engines' lock (requirements/engines-*.txt) to the install, and the difference to the runs without it.
Wall times (the set-up mostly waits on the network and the disk), best of ``--repeat``, with the ratio to the
baseline measured in the same run. Targets: warm ≤ 5 s, cold ≤ 20 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUP = ROOT / "scripts" / "setup.sh"


def clean_env(runner_temp: Path, python: str, engines: str = "") -> dict[str, str]:
    """The environment of one set-up: a runner's variables, an empty pip cache and no pip configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "VIRTUAL_ENV", "MODELGATE_"))}
    pip_cache = runner_temp / "pip-cache"
    return {**env, "RUNNER_TEMP": str(runner_temp), "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
            "MODELGATE_ENGINES": engines,
            "MODELGATE_ACTION_PATH": str(ROOT), "MODELGATE_PYTHON": python, "GITHUB_OUTPUT": str(runner_temp / "out"),
            "PIP_CONFIG_FILE": os.devnull, "PIP_CACHE_DIR": str(pip_cache), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def timed(commands: list[list[str]], env: dict[str, str]) -> float:
    start = time.perf_counter()
    for command in commands:
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def baseline(python: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "modelgate-venv"
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        lock = str(ROOT / "requirements" / "action.txt")
        return timed([[python, "-m", "venv", str(venv)],
                      [*pip, "--require-hashes", "--only-binary=:all:", "-r", lock],
                      [*pip, "--no-deps", "--no-build-isolation", str(ROOT)]], clean_env(Path(tmp), python))


def cold(python: str, keep: Path | None = None, engines: str = "") -> float:
    """One cold set-up; with ``keep``, the venv it built is archived there as actions/cache archives it."""
    with tempfile.TemporaryDirectory() as tmp:
        env = clean_env(Path(tmp), python, engines)
        seconds = timed([[str(SETUP), "key"], [str(SETUP), "install"]], env)
        assert "installed=true" in (Path(tmp) / "out").read_text()
        if keep:
            subprocess.run(["tar", "--posix", "-I", "zstd -T0", "-cf", str(keep), "-C", tmp, "modelgate-venv"],
                           check=True)
        return seconds


def warm(python: str, archive: Path, engines: str = "") -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = clean_env(Path(tmp), python, engines)
        extract = ["tar", "-I", "zstd -d", "-xf", str(archive), "-C", tmp]
        seconds = timed([[str(SETUP), "key"], extract, [str(SETUP), "install"]], env)
        assert "installed=true" not in (Path(tmp) / "out").read_text(), "the restored venv was not reused"
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--python", default=str(Path(sys.base_prefix) / "bin" / "python3"),
                        help="the interpreter setup-python would provide (default: this Python's base installation)")
    parser.add_argument("--engines", default="", help="also time the set-up with this engines input, e.g. duckdb")
    args = parser.parse_args()
    if not shutil.which("zstd"):
        sys.exit("zstd is needed (actions/cache compresses with it)")
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "venv.tar.zst"
        base = min(baseline(args.python) for _ in range(args.repeat))
        colds = [cold(args.python, archive if i == 0 else None) for i in range(args.repeat)]
        warms = [warm(args.python, archive) for _ in range(args.repeat)]
        size = archive.stat().st_size / 1e6
        if args.engines:
            engines_archive = Path(tmp) / "venv-engines.tar.zst"
            engines_colds = [cold(args.python, engines_archive if i == 0 else None, args.engines)
                             for i in range(args.repeat)]
            engines_warms = [warm(args.python, engines_archive, args.engines) for _ in range(args.repeat)]
            engines_size = engines_archive.stat().st_size / 1e6
    version = subprocess.run([args.python, "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    print(f"set-up of the action, Python {version}, {os.cpu_count()} CPUs, best of {args.repeat} (wall time)")
    print(f"  baseline (python -m venv + pip, the former set-up): {base:6.1f} s")
    print(f"  cold (uv, nothing cached):                          {min(colds):6.1f} s  {min(colds) / base:5.2f}x")
    print(f"  warm (venv restored from its {size:.0f} MB archive):      {min(warms):6.1f} s  {min(warms) / base:5.2f}x")
    print(f"  all runs: cold {', '.join(f'{s:.1f}' for s in colds)}; warm {', '.join(f'{s:.1f}' for s in warms)}")
    if args.engines:
        extra_cold, extra_warm = min(engines_colds) - min(colds), min(engines_warms) - min(warms)
        print(f"  engines: {args.engines}: cold {min(engines_colds):6.1f} s (+{extra_cold:.1f} s), warm "
              f"{min(engines_warms):.1f} s (+{extra_warm:.1f} s), its archive {engines_size:.0f} MB")
        print(f"  all runs with engines: cold {', '.join(f'{s:.1f}' for s in engines_colds)}; "
              f"warm {', '.join(f'{s:.1f}' for s in engines_warms)}")


if __name__ == "__main__":
    main()
