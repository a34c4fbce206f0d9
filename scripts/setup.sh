#!/usr/bin/env bash
# The action's set-up, in one place: action.yml runs it, benchmarks/setup_time.py times it.
#
#   setup.sh key      writes venv=, key= and python-version= to $GITHUB_OUTPUT, and removes any environment
#                     left at the venv's place (only one restored from the cache in this run is ever reused)
#   setup.sh install  keeps the environment restored from the cache if it is the one of the key and works;
#                     otherwise builds it from the hash-pinned lock and writes installed=true to $GITHUB_OUTPUT
#
# Reads MODELGATE_ACTION_PATH (the action's own checkout), MODELGATE_PYTHON (the interpreter actions/setup-python
# provided, its python-path output: never the runner's python3), MODELGATE_ENGINES (the action's `engines` input:
# empty, or duckdb and postgres, comma- or space-separated), RUNNER_TEMP, RUNNER_OS and RUNNER_ARCH.
set -euo pipefail

action=${MODELGATE_ACTION_PATH:?the action path}
python=${MODELGATE_PYTHON:?the interpreter of actions/setup-python (its python-path output)}
venv="$RUNNER_TEMP/modelgate-venv"

refuse() { echo "::error::$1" >&2; exit 1; }

# The engines' lock, installed beside requirements/action.txt: none, duckdb (requirements/engines-duckdb.txt) or
# postgres (requirements/engines-postgres.txt, which holds duckdb's too, as the postgres extra does).
engines_lock() {
  local word words
  read -r -a words <<< "$(printf '%s' "${MODELGATE_ENGINES:-}" | tr ',\t\r\n[:upper:]' '    [:lower:]')"
  lock=""
  for word in ${words[@]+"${words[@]}"}; do
    case "$word" in
      duckdb) [ "$lock" = postgres ] || lock=duckdb ;;
      postgres) lock=postgres ;;
      spark | pyspark)
        refuse "engines: spark is not installed by the action: pyspark has no wheels (it is built from source) and needs Java; run Spark verification from your own job, with Java and pip install 'modelgate-ci[spark]' (docs/verify.md)" ;;
      *)
        [[ $word =~ ^[a-z0-9_.+-]{1,40}$ ]] && word="\"$word\"" || word="a word of characters other than a-z 0-9 . _ + -"
        refuse "engines: $word is not an engine the action installs: name duckdb, postgres or both (comma- or space-separated)" ;;
    esac
  done
}
engines_lock

# The cache key: the runner's OS and arch, the interpreter's exact version, the engines' lock if any, and one
# digest of the interpreter's path (the venv's bin/python links to it), the locks, this script and modelgate's own
# code (it is installed into the venv). The venv's place is not in it: the venv is relocatable.
key_of() {
  "$python" -I - "$action" "$RUNNER_OS" "$RUNNER_ARCH" "$lock" <<'PY'
import hashlib, platform, sys
from pathlib import Path

action, runner_os, runner_arch, engines = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
if sys.version_info < (3, 11):
    sys.exit(f"modelgate needs Python 3.11 or later; {sys.executable} is {platform.python_version()}")
digest = hashlib.sha256(sys.executable.encode() + b"\0")
files = [action / name for name in ("pyproject.toml", "README.md")]
for folder in ("bot", "rules", "requirements", "scripts", "docs/workflows"):  # the wheel carries docs/workflows
    files += [p for p in (action / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
for path in sorted(files):
    digest.update(path.relative_to(action).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
print(platform.python_version())
engines = f"-{engines}" if engines else ""
print(f"modelgate-venv-{runner_os}-{runner_arch}-py{platform.python_version()}{engines}-{digest.hexdigest()[:32]}")
PY
}

works() {  # the environment at $venv is the one of key $1 and runs
  [ -f "$venv/.modelgate-key" ] && [ "$(cat "$venv/.modelgate-key")" = "$1" ] \
    && "$venv/bin/modelgate" --version >/dev/null 2>&1
}

build() {  # $1: the key. uv from its own hash-pinned lock, then every wheel of the locks, then modelgate
  local uvdir="$RUNNER_TEMP/modelgate-uv"
  rm -rf "$venv" "$uvdir"
  "$python" -I -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    --no-deps --require-hashes --only-binary=:all: --target "$uvdir" -r "$action/requirements/uv.txt"
  # no uv.toml or pyproject of the caller's repository is read, no Python is downloaded; files are copied, not
  # linked into uv's cache, so the venv stands alone in the actions cache
  export UV_NO_CONFIG=1 UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy UV_NO_PROGRESS=1
  export UV_CACHE_DIR="$RUNNER_TEMP/modelgate-uv-cache"
  local uv="$uvdir/bin/uv"
  "$uv" venv --quiet --relocatable --no-project --python "$python" "$venv"
  "$uv" pip install --quiet --python "$venv/bin/python" --compile-bytecode \
    --require-hashes --only-binary :all: -r "$action/requirements/action.txt" \
    ${lock:+-r "$action/requirements/engines-$lock.txt"}
  "$uv" pip install --quiet --python "$venv/bin/python" --compile-bytecode \
    --no-deps --no-build-isolation "$action"
  rm -rf "$uvdir" "$UV_CACHE_DIR"
  printf '%s\n' "$1" > "$venv/.modelgate-key"  # last: a half-built venv never passes works()
  works "$1" || { echo "::error::modelgate's environment was built but does not run" >&2; exit 1; }
}

out() { printf '%s\n' "$@" >> "${GITHUB_OUTPUT:-/dev/null}"; }

info=$(key_of)  # stops here, with the reason, on a Python older than 3.11
version=${info%%$'\n'*}
key=${info#*$'\n'}

case "${1:-}" in
  key)
    rm -rf "$venv"
    out "venv=$venv" "key=$key"
    ;;
  install)
    if works "$key"; then
      echo "modelgate's environment restored from the cache (Python $version${lock:+, engines: $lock})"
    else
      [ -d "$venv" ] && echo "the environment restored from the cache does not run here: building it again"
      build "$key"
      echo "modelgate's environment built (Python $version${lock:+, engines: $lock})"
      out "installed=true"
    fi
    ;;
  *)
    echo "usage: setup.sh key|install" >&2
    exit 2
    ;;
esac
