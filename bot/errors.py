"""The errors a run ends on, each one clear line and exit code 2 (``bot.cli`` maps them).

``DomainError`` is the core's: the input does not hold what was asked (an unknown node, a file of records that
cannot be read, a schema that cannot be compiled). ``UsageError`` is the shell's: bad arguments or options.
"""


class DomainError(Exception):
    """What was asked of the core is not in its input: the user's to fix (exit 2). Subclassed where it arises."""


class UsageError(Exception):
    """Bad arguments or options, an unreadable input file: the user's to fix (exit 2)."""
