"""What ``modelgate init`` writes and offers, given what it found (pure: the command reads and writes).

- **The files**: ``.modelgate.yml`` (the packaged starter: every key at its default, with a comment each) and the
  workflows of docs/github.md under ``.github/workflows/``, byte for byte as the docs show them: ``modelgate.yml``
  (the check on every pull request), the review pair ``modelgate-review.yml`` + ``modelgate-after-review.yml``
  (approvals on fork pull requests) and ``modelgate-calendar.yml`` (the daily deprecation calendar: its tracking
  issue opens only once a version is deprecated); ``modelgate-code-scanning.yml`` only when asked (it needs code
  scanning on the repository). The deploy workflows of docs/rollout.md are left out: they run your own deployment.
- **The offers**: a dbt project (``dbt_project.yml``), MLflow models (``MLmodel`` files) and ODCS v3 contracts
  (``kind: DataContract``) each get the import commands that turn them into manifests, and the ``--check`` steps
  that keep those in step in CI. Each import owns its ``--out`` directory (an import removes the files it wrote
  before that it no longer makes), so two sources never share one.

Nothing here runs dbt or reads a model: the command finds the files, and the user runs what is printed.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.config import CONFIG_PATH
from bot.manifests.parse import parse_config

WORKFLOW_DIR = ".github/workflows"
CALENDAR = "modelgate-calendar.yml"  # docs/github.md, "The deprecation calendar (scheduled runs)"
WORKFLOWS = ("modelgate.yml", "modelgate-review.yml", "modelgate-after-review.yml", CALENDAR)  # docs/github.md's set
CODE_SCANNING = "modelgate-code-scanning.yml"  # docs/github.md, "a default-branch baseline": on request
DBT_PROJECT = "dbt_project.yml"
MLMODEL = "MLmodel"
YAML_SUFFIXES = (".yaml", ".yml")
ODCS_HEAD_BYTES = 8192  # how much of a YAML file is read to tell an ODCS contract: its first keys say it
# Directories never searched: version control, dependencies, build output, caches (and every hidden directory)
SKIPPED_DIRS = frozenset({"node_modules", "dbt_packages", "target", "__pycache__", "site-packages", "venv", "env"})
OUT_ROOT = "manifests"

_ODCS_KIND = re.compile(rb"""^kind[ \t]*:[ \t]*['"]?DataContract['"]?[ \t]*(#.*)?\r?$""", re.MULTILINE)
_ODCS_API = re.compile(rb"""^apiVersion[ \t]*:[ \t]*['"]?v3[.\d]*['"]?[ \t]*(#.*)?\r?$""", re.MULTILINE)
_PLAIN = re.compile(r"[A-Za-z0-9_][\w@%+=:,./' -]*")
_SLUG_DROP = re.compile(r"[^a-z0-9-]+")


class StarterInvalid(Exception):
    """The packaged ``.modelgate.yml`` starter does not load: a broken installation, never the user's input."""


@dataclass(frozen=True)
class Found:
    """What the search found, as repository-relative '/'-separated paths: the directories holding a
    ``dbt_project.yml``, the ``MLmodel`` files and the ODCS contracts; ``truncated`` when it stopped at its
    bound; ``unreadable``, what it could not read (a directory it may not list, a YAML file it may not open)."""

    dbt_projects: tuple[str, ...] = ()
    mlmodels: tuple[str, ...] = ()
    odcs: tuple[str, ...] = ()
    truncated: bool = False
    unreadable: tuple[str, ...] = ()


@dataclass(frozen=True)
class Offer:
    """An import to run: what was found (``found``, e.g. ``dbt project shop``), the commands that import it now,
    and the CI steps that keep it in step (``--check``)."""

    tool: str
    found: str
    commands: tuple[str, ...]
    check_steps: tuple[str, ...]


@dataclass(frozen=True)
class File:
    path: str
    data: bytes


def skipped(name: str) -> bool:
    """Whether the search leaves out a directory of this name (hidden ones included: ``.git``, ``.venv``)."""
    return name.startswith(".") or name in SKIPPED_DIRS


def is_odcs(head: bytes) -> bool:
    """Whether the start of a YAML file declares an ODCS v3 data contract (``apiVersion: v3…``, ``kind:
    DataContract`` at the top level)."""
    return bool(_ODCS_KIND.search(head)) and bool(_ODCS_API.search(head))


def files(starter: bytes, workflows: Mapping[str, bytes], *, code_scanning: bool = False) -> tuple[File, ...]:
    """The files to write, in order: the configuration, then the workflows (``workflows``: by file name, the
    packaged copies of docs/workflows/). The starter must load as a configuration (else :class:`StarterInvalid`)."""
    _config, problems = parse_config(starter)
    if problems:
        raise StarterInvalid(f"the packaged {CONFIG_PATH} does not load: {problems[0].message}")
    names = (*WORKFLOWS, CODE_SCANNING) if code_scanning else WORKFLOWS
    missing = [name for name in names if name not in workflows]
    if missing:
        raise StarterInvalid(f"the packaged workflows lack {', '.join(missing)}")
    return (File(CONFIG_PATH, starter), *(File(f"{WORKFLOW_DIR}/{name}", workflows[name]) for name in names))


def offers(found: Found) -> tuple[Offer, ...]:
    """The imports to offer for what was found: one per dbt project, one for all the MLmodel files (their
    common directory), one per directory of ODCS files (see :func:`_odcs_sources`)."""
    made: list[Offer] = []
    odcs_sources = _odcs_sources(found.odcs)
    dbt_outs, odcs_outs = _outs("dbt", found.dbt_projects), _outs("odcs", list(odcs_sources))
    for project in found.dbt_projects:
        out = dbt_outs[project]
        manifest = posixpath.normpath(posixpath.join(project, "target", "manifest.json"))
        parse = f"dbt parse --project-dir {_arg(project)}"
        imported = f"modelgate import dbt {_arg(manifest)} --out {_arg(out)}"
        made.append(Offer("dbt", f"dbt project {project}", (parse, imported), (parse, f"{imported} --check")))
    if found.mlmodels:
        source = _common_dir(found.mlmodels) if len(found.mlmodels) > 1 else posixpath.dirname(found.mlmodels[0])
        source = source or "."
        out = f"{OUT_ROOT}/mlflow"
        imported = f"modelgate import mlflow {_arg(source)} --out {_arg(out)}"
        count = len(found.mlmodels)
        what = f"MLflow model {found.mlmodels[0]}" if count == 1 else f"{count} MLflow models under {source}"
        made.append(Offer("mlflow", what, (imported,), (f"{imported} --check",)))
    for source, contracts in odcs_sources.items():
        imported = f"modelgate import odcs {_arg(source or '.')} --out {_arg(odcs_outs[source])}"
        what = f"ODCS contract {source}" if len(contracts) == 1 else f"{len(contracts)} ODCS contracts under {source}"
        made.append(Offer("odcs", what, (imported,), (f"{imported} --check",)))
    return tuple(made)


def _odcs_sources(paths: Sequence[str]) -> dict[str, list[str]]:
    """The ODCS files by the source of their import: the files under one top-level directory together, from their
    common directory (the versions of one contract, in two files, must be one import), a lone file as itself;
    when a file lies at the root, every file together from their common directory."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        groups.setdefault("" if "/" not in path or any("/" not in p for p in paths) else path.split("/", 1)[0],
                          []).append(path)
    return {group[0] if len(group) == 1 else _common_dir(group): group for group in groups.values()}


def _arg(path: str) -> str:
    """A path as one shell word that no command reads as an option (``-x`` is given as ``./-x``)."""
    return shlex.quote(f"./{path}" if path.startswith("-") else path)


def _outs(tool: str, paths: Sequence[str]) -> dict[str, str]:
    """The ``--out`` directory of each source of one tool: ``manifests/TOOL`` for a single one, else
    ``manifests/TOOL/SLUG`` (the slug of its path without a file's suffix; ``-2``, ``-3`` … when two collide)."""
    if len(paths) == 1:
        return {paths[0]: f"{OUT_ROOT}/{tool}"}
    outs: dict[str, str] = {}
    for path in paths:
        stem = posixpath.splitext(path)[0] if path.endswith(YAML_SUFFIXES) else path
        name, n = slug(stem), 1
        while f"{OUT_ROOT}/{tool}/{name}" in outs.values():
            n += 1
            name = f"{slug(stem)}-{n}"
        outs[path] = f"{OUT_ROOT}/{tool}/{name}"
    return outs


def slug(path: str) -> str:
    """A directory name for a repository path: lower case, '/', '_', '.' and spaces as '-', other characters
    dropped (``analytics/Shop_dbt`` → ``analytics-shop-dbt``; the root ``.`` → ``root``)."""
    text = re.sub(r"[/_.\s]+", "-", path.lower())
    text = _SLUG_DROP.sub("", text).strip("-")
    return re.sub(r"-{2,}", "-", text)[:63] or "root"


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar for a workflow's ``run:``: plain when YAML reads it back as is, else
    double-quoted (a quoted path with ``: `` or `` #`` in it would otherwise end the value or start a comment)."""
    if _PLAIN.fullmatch(text) and ": " not in text and " #" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _common_dir(paths: Sequence[str]) -> str:
    return posixpath.commonpath([posixpath.dirname(path) or "." for path in paths]) if paths else ""
