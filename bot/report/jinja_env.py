"""The one Jinja2 environment of modelgate's text, over the one template folder ``bot/report/templates/``, and
the filters that stand between user text and each format.

Autoescape is off (the outputs are markdown, terminal text and workflow commands, not HTML); instead every
user-controlled string in a template goes through one explicit filter from :mod:`bot.escape`:

- markdown: ``md`` (one literal line, also safe in a table cell), ``mermaid`` (a quoted node label),
  ``where`` (a ``file:line`` reference, a link to the head revision when the context allows), ``cell`` (our
  own text, the rule catalogue, in a table cell);
- text: ``term`` (control characters removed) and ``paint`` (ANSI colour, only when asked);
- github: ``gh_data`` and ``gh_prop`` (workflow-command escaping).

The filters of user text first clip the text to ``view.limits.text`` characters, so a
shortened comment cuts raw text, never an escape sequence. The environment is strict: an undefined name is
an error, not an empty string.

Importing this module costs nothing: jinja2 is loaded when the first template renders (a ``check --format json``
or a replayed check never loads it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from bot import escape
from bot.report.context import ReportContext

if TYPE_CHECKING:
    import jinja2

ELLIPSIS = "…"
_ANSI = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


def clip(text: str, limit: int | None) -> str:
    """``text`` cut to ``limit`` characters (the last one an ellipsis) when it is longer."""
    if limit is None or len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS


def _clipped(context: jinja2.runtime.Context, value: Any) -> str:
    return clip(str(value), context["view"].limits.text)


def _md(context: jinja2.runtime.Context, value: Any) -> str:
    return escape.markdown_text(_clipped(context, value))


def _term(context: jinja2.runtime.Context, value: Any) -> str:
    return escape.terminal_text(_clipped(context, value))


def _listed(context: jinja2.runtime.Context, values: Sequence[Any], escaper: Callable[[str], str], sep: str) -> str:
    limit = context["view"].limits.names
    shown = [escaper(_clipped(context, value)) for value in (values if limit is None else values[:limit])]
    more = len(values) - len(shown)
    return sep.join(shown) + (f"{sep}+{more} more" if more else "")


def _md_list(context: jinja2.runtime.Context, values: Sequence[Any], sep: str = ", ") -> str:
    """Names (owners, fields, a chain) as escaped markdown, the first ``view.limits.names`` of them."""
    return _listed(context, values, escape.markdown_text, sep)


def _term_list(context: jinja2.runtime.Context, values: Sequence[Any], sep: str = ", ") -> str:
    return _listed(context, values, escape.terminal_text, sep)


def _gh_data(context: jinja2.runtime.Context, value: Any) -> str:
    return escape.workflow_command_data(_clipped(context, value))


def _gh_prop(value: Any) -> str:
    return escape.workflow_command_prop(str(value))


def _mermaid(context: jinja2.runtime.Context, value: Any) -> str:
    return escape.mermaid_label(_clipped(context, value))


def _where(context: jinja2.runtime.Context, file: str | None, line: int | None) -> str:
    """``file:line`` as escaped markdown: a link to the head revision when the report has a repository."""
    if not file:
        return ""
    shown = escape.markdown_text(_clipped(context, f"{file}:{line}" if line else file))
    report: ReportContext = context["ctx"]
    url = report.file_url(file, line)
    return f"[{shown}]({url})" if url else shown


def _paint(context: jinja2.runtime.Context, text: str, *styles: str) -> str:
    if not context["color"] or not styles:
        return text
    codes = ";".join(_ANSI[style] for style in styles)
    return f"\x1b[{codes}m{text}\x1b[0m"


@functools.cache
def environment() -> jinja2.Environment:
    """The environment (one per process): trailing newlines kept, block tags trimmed, undefined names errors."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bot.report", "templates"),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    with_context = jinja2.pass_context
    env.filters.update(md=with_context(_md), md_list=with_context(_md_list), mermaid=with_context(_mermaid),
                       term=with_context(_term), term_list=with_context(_term_list), paint=with_context(_paint),
                       gh_data=with_context(_gh_data), gh_prop=_gh_prop, cell=escape.table_cell)
    env.globals.update(where=with_context(_where))
    return env


def render_template(name: str, **variables: object) -> str:
    """The template ``name`` of the template folder, rendered with ``variables``."""
    return environment().get_template(name).render(variables)
