"""The renderer registry: every kind of document a command prints, its formats, and the renderer of each.

A command takes its ``--format`` choices and default from its entry here and prints ``ENTRY.render(fmt,
document)``; nothing else formats a command's output. A renderer is a function of the document: a template of
``bot/report/templates/`` (``_template``), JSON of a view of the document (``_json``), or a function of the
kind's module (``bot/report/lint.py``, ``graph.py``, ...). Adding a format is a renderer and one line here.

Importing this module loads neither jinja2 nor anything a renderer needs only to run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bot.report import calendar, gate, graph, ics, junit, lint, result, rules, sarif, schema_diff, verify
from bot.report.jinja_env import render_template

if TYPE_CHECKING:
    from bot.rules import Rule

D = TypeVar("D")


@dataclass(frozen=True)
class Formats(Generic[D]):
    """One kind of document: its formats in the order ``--help`` lists them, each with its renderer."""

    document: str  # what an error calls the kind
    renderers: Mapping[str, Callable[[D], str]]
    default: str = "text"

    def __post_init__(self) -> None:
        if self.default not in self.renderers:
            raise ValueError(f"the default {self.document} format {self.default!r} has no renderer")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.renderers)

    def render(self, fmt: str, document: D) -> str:
        """``document`` in ``fmt``: the whole output (a ValueError for a format the kind does not have)."""
        renderer = self.renderers.get(fmt)
        if renderer is None:
            raise ValueError(f"unknown {self.document} format {fmt!r}; expected one of {', '.join(self.names)}")
        return renderer(document)


def _json(view: Callable[[D], object], *, ensure_ascii: bool = True) -> Callable[[D], str]:
    """The renderer printing ``view(document)`` as indented JSON."""

    def render(document: D) -> str:
        return json.dumps(view(document), indent=2, ensure_ascii=ensure_ascii) + "\n"

    return render


def _template(name: str, variables: Callable[[D], Mapping[str, object]]) -> Callable[[D], str]:
    """The renderer laying ``variables(document)`` out with the template ``name``."""

    def render(document: D) -> str:
        return render_template(name, **variables(document))

    return render


def _itself(document: D) -> D:
    return document


# The registry. Each kind's first key is listed first by --help; the JSON of a check and of the rule catalogue
# keeps non-ASCII text as it is, the other kinds' JSON escapes it (as each has always printed it).
REPORT: Formats[result.Report] = Formats("report", {
    "text": _template("report.txt.j2", result.variables),
    "markdown": _template(result.MARKDOWN, result.variables),
    "json": _json(result.as_json, ensure_ascii=False),
    "github": _template("report.github.j2", result.variables),
    "sarif": _json(sarif.of_report, ensure_ascii=False),
    "junit": junit.of_report,
})
LINT: Formats[lint.LintReport] = Formats("lint", {
    "text": lint.text,
    "json": _json(lint.as_json),
    "github": lint.github,
    "sarif": _json(sarif.of_lint, ensure_ascii=False),
    "junit": junit.of_lint,
})
VERIFY: Formats[verify.VerifyReport] = Formats("verify", {
    "text": _template("verify.txt.j2", verify.variables),
    "json": _json(verify.as_json),
    "github": verify.github,
})
GATE: Formats[gate.GateReport] = Formats("gate", {
    "text": gate.text,
    "json": _json(gate.as_json),
})
GRAPH: Formats[dict[str, Any]] = Formats("graph", {
    "mermaid": graph.mermaid,
    "dot": graph.dot,
    "json": _json(_itself),
}, default="mermaid")
IMPACT: Formats[dict[str, Any]] = Formats("impact", {
    "text": graph.impact_text,
    "json": _json(_itself),
})
RULES: Formats[list[Rule]] = Formats("rules", {
    "text": rules.text,
    "json": _json(rules.as_json, ensure_ascii=False),
    "markdown": _template("rules.md.j2", lambda catalogue: {"rules": catalogue}),
})
RULE: Formats[Rule] = Formats("rule", {  # one rule explained: `modelgate rules MG101`
    "text": _template("rule.txt.j2", lambda rule: {"rule": rule}),
    "json": _json(rules.one_json, ensure_ascii=False),
    "markdown": _template("rule.md.j2", lambda rule: {"rule": rule}),
})
SCHEMA_DIFF: Formats[schema_diff.Diff] = Formats("schema-diff", {
    "text": _template("schema-diff.txt.j2", schema_diff.variables),
    "json": _json(schema_diff.as_json),
})
SCHEMA_DIFF_INPUTS: Formats[schema_diff.Inputs] = Formats("schema-diff inputs", {
    "text": _template("schema-diff-inputs.txt.j2", schema_diff.inputs_variables),
    "json": _json(schema_diff.inputs_json),
})
CALENDAR: Formats[calendar.CalendarReport] = Formats("calendar", {
    "text": calendar.text,
    "markdown": calendar.markdown,
    "json": _json(calendar.as_json, ensure_ascii=False),
    "ics": ics.of_report,
})
