"""``modelgate export openlineage|backstage|odcs``: the contracts and the graph of one state in another format.

The shell of ``bot.export``: read the state ``--at`` names, take the clock (``--today``), print the export on
stdout or write it under ``--out DIR`` (never outside it). Manifests that do not load and references the export
cannot resolve are warned about on stderr, one line each, so a partial export is never a silent one.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bot.commands._common import add_output, add_today, load_state, put, say, today, warn_unreadable
from bot.errors import UsageError
from bot.escape import terminal_text
from bot.files import write_atomically
from bot.sources import SourceError, git

TARGETS = ("openlineage", "backstage", "odcs")
CATALOG_FILE = "catalog-info.yaml"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export", help="the contracts and the graph as OpenLineage events or Backstage entities",
        description="The models and contract versions of one state as OpenLineage JobEvents (JSON Lines) or "
                    "Backstage catalog entities (one multi-document YAML). See docs/exports.md for the mappings.")
    parser.add_argument("target", choices=TARGETS, metavar="TARGET",
                        help=f"the format to export to: {' or '.join(TARGETS)}")
    parser.add_argument("--at", metavar="PATH|REV",
                        help="a directory or a git revision of the repository here (default: the working tree)")
    parser.add_argument("--out", metavar="DIR",
                        help="write files under DIR (created if missing) instead of printing: one NAME.json per "
                             f"model for openlineage, {CATALOG_FILE} for backstage, "
                             "CONTRACT.vVERSION.odcs.yaml per contract version for odcs")
    add_output(parser)
    parser.add_argument("--namespace", metavar="NS",
                        help="openlineage: the namespace of jobs and datasets (default modelgate://REPOSITORY, "
                             "REPOSITORY from $GITHUB_REPOSITORY, else the directory's name)")
    add_today(parser, "openlineage: the day the events are dated, at midnight UTC")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.export.inventory import inventory  # imported here: the other commands need not load the exports

    for flag, value in (("--namespace", args.namespace), ("--today", args.today)):
        if value is not None and args.target != "openlineage":
            raise UsageError(f"{flag} applies to openlineage only")
    if args.out is not None and args.output not in (None, "-"):
        raise UsageError("--out DIR writes files of its own: give --out or --output, not both")
    if args.out == "-":
        raise UsageError("--out - : --out names a directory; to print, leave --out out (or use --output -)")
    snapshot = load_state(args.at)
    warn_unreadable(snapshot)
    inv = inventory(snapshot)
    if args.target == "openlineage":
        from bot.export import openlineage

        namespace = args.namespace or openlineage.namespace_for(_repository(args.at))
        if not namespace.strip():
            raise UsageError("--namespace: give a non-empty namespace")
        events, notes = openlineage.events(inv, namespace, today(args))
        files = {f"{model.name}.json": openlineage.to_json(event) + "\n"
                 for model, event in zip(inv.models, events, strict=True)}
        text = "".join(files.values())  # JSON Lines: the events in order, one a line
    elif args.target == "odcs":
        from bot.export import odcs

        documents = odcs.documents(snapshot)
        notes = [f"{name}@{number} has no ODCS document: its schema could not be read"
                 for (name, number), version in inv.versions.items() if version.schema is None]
        files = {name: odcs.to_yaml([doc]) for name, doc in documents}
        text = odcs.to_yaml([doc for _, doc in documents])  # one multi-document YAML stream
    else:
        from bot.export import backstage

        entities = backstage.entities(inv)
        notes = backstage.owner_notes(inv)
        text = backstage.to_yaml(entities)
        files = {CATALOG_FILE: text}
    for note in (*inv.notes, *notes):
        say(f"modelgate: warning: {terminal_text(note)}")
    if args.out is None:
        put(text)
    else:
        _write(Path(args.out), files)
    return 0


def _repository(at: str | None) -> str:
    """The repository's name for the default namespace: ``$GITHUB_REPOSITORY`` (owner/name), else the name of the
    directory exported (``--at PATH``), else of the repository whose working tree or revision is exported (its top
    level, wherever in it the command runs), else of the current directory."""
    named = os.environ.get("GITHUB_REPOSITORY", "").strip()
    if named:
        return named
    if at is not None and Path(at).is_dir():
        return Path(at).resolve().name or "repository"
    try:
        where = Path(git(Path.cwd(), "rev-parse", "--show-toplevel").strip())
    except SourceError:
        where = Path.cwd()
    return where.resolve().name or "repository"


def _write(out: Path, files: dict[str, str]) -> None:
    """Write ``files`` (name -> text) into ``out``, refusing any name that would land elsewhere: every target is
    judged before the first is written, so a refusal leaves no half-written export."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        root = out.resolve()
        targets = {name: (root / name).resolve() for name in sorted(files)}
        for name, target in targets.items():
            if target.parent != root:
                raise UsageError(f"--out {out}: refusing to write {name!r} outside the directory")
        for name, target in targets.items():
            write_atomically(target, files[name])
    except OSError as exc:
        raise UsageError(f"--out {out}: {exc.strerror or exc}") from exc
