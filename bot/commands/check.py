"""``modelgate check``: the whole evaluation between two states of the monorepo (offline, no reviews).

B and H are git revisions of the repository here or directories. The default base is ``origin/HEAD`` (else
``main``) and the default head the working tree. When both are git revisions (the working tree counts as its
HEAD commit) the base is their merge base: commits that landed on the target branch after the branch point are
not the PR's changes. The head is read with the base's configuration (trusted); ``--config F`` replaces it.
Exit 0 pass or pending, 1 fail, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys

from bot.check import evaluate
from bot.commands._common import FORMATS, add_cache, add_format, add_today, config_from_file, parses_for, today
from bot.errors import UsageError
from bot.manifests.load import load_states
from bot.report import render
from bot.sources import GitRevisionSource, Source, SourceError, WorktreeSource, merge_base, open_source


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check", help="the whole evaluation of a change between two states",
                                   description="The whole evaluation between two states of the monorepo "
                                               "(offline, no reviews).")
    parser.add_argument("--base", metavar="B", help="git revision or directory (default origin/HEAD, else main)")
    parser.add_argument("--head", metavar="H", help="git revision or directory (default the working tree)")
    add_format(parser, FORMATS)
    add_today(parser)
    parser.add_argument("--config", metavar="F", help="use this configuration instead of the base's .modelgate.yml")
    add_cache(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    day = today(args)
    trusted = config_from_file(args.config) if args.config else None
    base_source, head_source = _sources(args.base, args.head)
    try:
        base, head = load_states(base_source, head_source, trusted, parses_for(args))
    finally:
        base_source.close()
        head_source.close()
    result = evaluate(base, head, day)
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        text = render(result, args.format, color=args.format == "text" and sys.stdout.isatty())
        print(text, end="" if text.endswith("\n") else "\n")
    return 1 if result.verdict == "fail" else 0


def _sources(base_spec: str | None, head_spec: str | None) -> tuple[Source, Source]:
    base_spec = base_spec or _default_base()
    head = open_source(head_spec)
    try:
        base = open_source(base_spec)
    except SourceError:
        head.close()
        raise
    if isinstance(base, GitRevisionSource) and isinstance(head, GitRevisionSource | WorktreeSource):
        # The working tree is its HEAD commit plus edits: the PR it holds branched where HEAD did.
        fork = merge_base(base.repo, base.commit, head.commit if isinstance(head, GitRevisionSource) else "HEAD")
        if fork != base.commit:
            base.close()
            base = GitRevisionSource(base.repo, fork, label=f"{base_spec} (merge base {fork[:12]})")
    return base, head


def _default_base() -> str:
    for candidate in ("origin/HEAD", "main"):
        try:
            GitRevisionSource(".", candidate).close()
        except SourceError:
            continue
        return candidate
    raise UsageError("no --base given, and neither origin/HEAD nor main is a revision here; pass --base REV "
                     "(a branch or commit) or --base DIR --head DIR to compare two directories")

