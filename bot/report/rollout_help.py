"""The reply to ``/rollout help``: the verb table of :mod:`bot.rollout.verbs`, laid out by its template."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.escape import markdown_text
from bot.report.jinja_env import render_template
from bot.rollout.verbs import STAGE, help_rows


@dataclass(frozen=True)
class ModelHelp:
    """A model of the PR as the help lists it: its stages and its metric gates, already put into words."""

    name: str
    stages: tuple[str, ...]
    gates: str


def render_help(stages: Sequence[str], models: Sequence[ModelHelp]) -> list[str]:
    """The lines of the reply to ``/rollout help``: the table of verbs (``stages`` are the configured ones), the
    stage gates, and each model's stages and metric gates. User text is escaped by the template."""
    text = render_template("rollout-help.md.j2", rows=help_rows(), stage=STAGE, stages=stages, models=models,
                           markdown_text=markdown_text)
    return text.removesuffix("\n").split("\n")
