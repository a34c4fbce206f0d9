"""``modelgate schema [--kind manifest|config]``: the JSON Schema of the manifest format, or of ``.modelgate.yml``.

Generated from the typed models by ``bot.schemas``; the repository's ``schemas/`` holds the same files, which an
editor's YAML extension reads (docs/manifests.md, "Editor support"). ``--output FILE`` writes it to a file.
"""

from __future__ import annotations

import argparse

from bot.commands._common import add_output, put
from bot.schemas import KINDS, render


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("schema", help="the JSON Schema of manifests or of .modelgate.yml, for editors",
                                   description="Print the JSON Schema (2020-12) of the manifest format (a Model or "
                                               "a Contract), or with --kind config of .modelgate.yml, for editors "
                                               "and other tools.")
    parser.add_argument("--kind", choices=KINDS, default="manifest",
                        help="manifest: Model and Contract manifests; config: .modelgate.yml (default manifest)")
    add_output(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    put(render(args.kind))
    return 0
