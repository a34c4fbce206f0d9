"""MG009: a file that looks like a modelgate manifest but that the configured globs do not load.

Pure: the loader finds each manifest-looking file the globs leave out (``Snapshot.unloaded``, with what makes it
look like one, at which line) and reports it with the findings of the state it loads (``Snapshot.findings``, as
MG001's parse errors are), through this, which names the include patterns that missed it: every reader of a
state's findings (``modelgate lint``, the state rules of a check, what does not load at head) sees it. A file an
explicit ``manifests.exclude`` names is left out on purpose: no finding (``modelgate lint --show-excluded`` lists
them). The rule is registered by the lint family (``bot.lint``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import Final

from bot.config import Config
from bot.manifests.snapshot import Unloaded
from bot.result import Finding
from bot.rules import finding

MG009: Final = "MG009"  # registered by the lint family (``bot.lint``)


def unloaded_findings(config: Config, unloaded: Iterable[Unloaded]) -> list[Finding]:
    """MG009 for each manifest-looking file the include globs of ``config`` do not reach (``exclude`` aside)."""
    include = list(config.manifests.include)
    return [finding(MG009, _message(file, include), file.path, file.line, file.subject)
            for file in unloaded if not file.excluded]


def _message(file: Unloaded, include: list[str]) -> str:
    suffix = posixpath.splitext(file.path)[1]
    case = f" (patterns are case-sensitive: its extension is {suffix!r})" if suffix not in (".yaml", ".yml") else ""
    return (f"looks like a modelgate manifest ({file.what}) but manifests.include {include!r} does not reach it"
            f"{case}; add it to manifests.include, or to manifests.exclude to leave it out on purpose")
