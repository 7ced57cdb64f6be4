"""Errors of the command line."""


class UsageError(Exception):
    """Bad command-line input (exit status 2, one line on stderr)."""
