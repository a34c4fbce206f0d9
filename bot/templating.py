"""The one way report text is made: Jinja2 templates of a package, with the settings every report uses.

Autoescape is off because the outputs are markdown, terminal text and workflow commands, not HTML: every
template applies an explicit filter from ``bot.escape`` to each user-controlled string instead. Undefined
names are errors, so a missing field fails loudly rather than rendering as nothing.
"""

from __future__ import annotations

import functools

import jinja2


@functools.cache
def environment(package: str) -> jinja2.Environment:
    """The environment over ``package``'s ``templates/`` folder (one per package per process)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
