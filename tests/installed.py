"""Which ``bot`` the suite tests. The release workflow runs the suite on the built wheel, installed without the
checkout on the import path, and sets ``MODELGATE_DIST`` (the folder of the files it is about to publish); then
the suite refuses to start unless ``bot`` is the installed wheel's, both in this process and in the CLI subprocesses
the tests start (``python -m bot`` from the checkout, PYTHONPATH ``BOT_HOME``): otherwise it would be testing the
checkout's ``bot/``, not what is published. Without ``MODELGATE_DIST`` the suite tests the checkout, as always.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import bot
from tests.helpers import BOT_HOME, REPO_ROOT

DISTRIBUTION = "modelgate-ci"


def installed_init() -> Path | None:
    """``bot/__init__.py`` as the installed distribution's files list it (None when there is no distribution, or it
    is an editable install, which lists no module of its own)."""
    try:
        files = importlib.metadata.distribution(DISTRIBUTION).files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    found = [f for f in files if f.as_posix() == "bot/__init__.py"]
    return Path(str(found[0].locate())).resolve() if found else None


def subprocess_bot(cwd: Path = REPO_ROOT) -> Path:
    """``bot.__file__`` in a Python started as the tests start the CLI: from the checkout, PYTHONPATH ``BOT_HOME``."""
    done = subprocess.run([sys.executable, "-c", "import bot; print(bot.__file__)"], capture_output=True, text=True,
                          check=True, cwd=cwd, env={**os.environ, "PYTHONPATH": str(BOT_HOME)})
    return Path(done.stdout.strip()).resolve()


def import_problem(imported: Path, in_subprocess: Path, installed: Path | None, source: Path = REPO_ROOT) -> str | None:
    """Why the ``bot`` under test is not the installed wheel's, or None when it is."""
    if installed is None:
        return f"{DISTRIBUTION} is not installed from a wheel (no installed bot/__init__.py): install the built wheel"
    for where, path in (("this process", imported), ("a CLI subprocess", in_subprocess)):
        if path.is_relative_to(source.resolve()):
            return (f"{where} imports bot from the checkout ({path}), not the installed wheel ({installed}): run "
                    "pytest with --import-mode=append -o pythonpath= and PYTHONSAFEPATH=1 (docs/releasing.md)")
        if path != installed:
            return f"{where} imports bot from {path}, not the installed wheel ({installed})"
    return None


def check_installed() -> str | None:
    """:func:`import_problem` for this run when ``MODELGATE_DIST`` is set; None otherwise."""
    if not os.environ.get("MODELGATE_DIST"):
        return None
    return import_problem(Path(bot.__file__).resolve(), subprocess_bot(), installed_init())
