"""Exports: the contracts and the graph of one state in another ecosystem's format (``modelgate export``).

Pure: a Snapshot in, plain data (and its text) out; the command (``bot.commands.export``) reads the state, picks
the clock and writes the files. ``inventory`` reads what every export needs from a Snapshot once;
``openlineage`` and ``backstage`` map it. The mappings are documented in docs/exports.md.
"""
