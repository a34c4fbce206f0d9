"""``modelgate check``: the whole evaluation between two states of the monorepo (offline, no reviews).

B and H are git revisions of the repository here or directories. The default base is ``origin/HEAD`` (else
``main``) and the default head the working tree. When both are git revisions (the working tree counts as its
HEAD commit) the base is their merge base: commits that landed on the target branch after the branch point are
not the PR's changes; the given base revision itself is then the trust root, as on GitHub: its configuration,
CODEOWNERS and owners judge the change (a branch cut from an old commit is judged by today's policy). Every state
is read with the trust root's configuration; ``--config F`` replaces it. Exit 0 pass or pending, 1 fail, 2 usage.
``--fail-on warning`` (or ``notice``) also exits 1 on a finding of that severity that is neither waived nor
preexisting; the verdict printed is the same (``pending`` still exits 0: no review can arrive offline).
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass

from bot import result_cache
from bot.commands._common import (
    add_cache,
    add_fail_on,
    add_format,
    add_today,
    color,
    config_from_file,
    exit_code,
    parses_for,
    show,
    today,
)
from bot.errors import UsageError
from bot.loader import Parses, load_trusted
from bot.report.formats import REPORT
from bot.report.result import Report
from bot.result import Result
from bot.sources import GitRevisionSource, Source, SourceError, WorktreeSource, merge_base, open_source


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("check", help="the whole evaluation of a change between two states",
                                   description="The whole evaluation between two states of the monorepo "
                                               "(offline, no reviews).")
    parser.add_argument("--base", metavar="B", help="git revision or directory (default origin/HEAD, else main)")
    parser.add_argument("--head", metavar="H", help="git revision or directory (default the working tree)")
    add_format(parser, REPORT)
    add_fail_on(parser)
    add_today(parser)
    parser.add_argument("--config", metavar="F", help="use this configuration instead of the base's .modelgate.yml")
    add_cache(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    day = today(args)
    parses = parses_for(args)
    results = result_cache.ResultCache(parses.cache.root / "results") if parses.cache is not None else None
    sides = _sources(args.base, args.head)
    try:
        key = _key(sides, day, args.config) if results is not None else None
        result = results.get(key) if results is not None and key is not None else None
        if result is None:
            result = _evaluate(sides, day, args.config, parses)
            # Taken again: a --config edited during the evaluation must not file this Result under its new bytes.
            if results is not None and key is not None and key == _key(sides, day, args.config):
                results.put(key, result)
    finally:
        sides.close()
    show(REPORT, args.format, Report(result, color=color(), fail_on=args.fail_on))
    return exit_code(result.findings, args.fail_on, failed=result.verdict == "fail")


@dataclass(frozen=True)
class Sides:
    """What a check reads: the base and the head, and the trust root when it is not the base (the given base
    revision, when the base is its merge base with the head)."""

    base: Source
    head: Source
    trust: Source | None = None

    def close(self) -> None:
        for source in (self.base, self.head, self.trust):
            if source is not None:
                source.close()


def _evaluate(sides: Sides, day: dt.date, config_file: str | None, parses: Parses) -> Result:
    from bot.check import evaluate  # the whole engine: a replayed check never imports it

    given = config_from_file(config_file) if config_file else None
    trust, base, head = load_trusted(sides.trust or sides.base, sides.base if sides.trust else None, sides.head,
                                     given, parses)
    return evaluate(base, head, day, trust=trust)


def _key(sides: Sides, day: dt.date, config_file: str | None) -> result_cache.Key | None:
    """The result cache's key of this check; None when it has none (a directory or working tree, or a --config
    that cannot be read: the evaluation then reports it)."""
    base, head, trust = sides.base, sides.head, sides.trust
    if not (isinstance(base, GitRevisionSource) and isinstance(head, GitRevisionSource)):
        return None
    config = result_cache.file_digest(config_file) if config_file else None
    if config_file and config is None:
        return None
    trusted = trust if isinstance(trust, GitRevisionSource) else None
    return result_cache.key(base=base, head=head, trust=trusted, today=day, config=config)


def _sources(base_spec: str | None, head_spec: str | None) -> Sides:
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
            forked = GitRevisionSource(base.repo, fork, label=f"{base_spec} (merge base {fork[:12]})")
            return Sides(forked, head, trust=base)
    return Sides(base, head)


def _default_base() -> str:
    for candidate in ("origin/HEAD", "main"):
        try:
            GitRevisionSource(".", candidate).close()
        except SourceError:
            continue
        return candidate
    raise UsageError("no --base given, and neither origin/HEAD nor main is a revision here; pass --base REV "
                     "(a branch or commit) or --base DIR --head DIR to compare two directories")

