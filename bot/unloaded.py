"""MG009: a file that looks like a modelgate manifest but that the configured globs do not load.

Pure: the loader records each manifest-looking file the globs leave out (``Snapshot.unloaded``, with what makes it
look like one, at which line); this says so, naming the include patterns that missed it. A file an explicit
``manifests.exclude`` names is left out on purpose: no finding (``modelgate lint --show-excluded`` lists them).
Registered by the lint family (``bot.lint``), so ``modelgate lint`` and the state rules of a check report it.
"""

from __future__ import annotations

import posixpath
from typing import Final

from bot.manifests.snapshot import Snapshot, Unloaded
from bot.result import Finding
from bot.rules import finding

MG009: Final = "MG009"  # registered by the lint family (``bot.lint``)


def unloaded_findings(snapshot: Snapshot) -> list[Finding]:
    """MG009 for each manifest-looking file the include globs of ``snapshot.config`` do not reach."""
    include = list(snapshot.config.manifests.include)
    return [finding(MG009, _message(file, include), file.path, file.line, file.subject)
            for file in snapshot.unloaded if not file.excluded]


def _message(file: Unloaded, include: list[str]) -> str:
    suffix = posixpath.splitext(file.path)[1]
    case = f" (patterns are case-sensitive: its extension is {suffix!r})" if suffix not in (".yaml", ".yml") else ""
    return (f"looks like a modelgate manifest ({file.what}) but manifests.include {include!r} does not reach it"
            f"{case}; add it to manifests.include, or to manifests.exclude to leave it out on purpose")
