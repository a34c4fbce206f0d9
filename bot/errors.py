"""Errors the command line turns into one clear line and exit code 2."""


class UsageError(Exception):
    """Bad arguments, an unknown node, an unreadable input: the user's to fix (exit 2)."""
