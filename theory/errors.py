"""The error types of eqselect.

Every error a user can cause is an `EqselectError`; the command line maps
them to one line on stderr and the error's ``status``: 2 for bad input, 1
for an output that could not be written.

- `GameError`: a game that breaks a rule (shape, finiteness, names, symbols).
- `OptionsError`: an option outside its valid range (a learning rate, a grid
  size, an unknown rule or experiment, an output path that cannot be written).
- `LimitError`: an option whose estimated work (time, memory) is past a
  documented limit (docs/limits.md); the message names the option that
  raises the limit.
- `OutputError`: a file system that refused a write (full, read-only, no
  permission, a name too long) while an output was written; what was staged
  is removed and the previous output is left whole.
- `ExpressionError`: an expression with a function or symbol outside what
  eqselect compiles.
"""

#: Characters of a message kept on its one line.
MESSAGE_CHARS = 600


class EqselectError(ValueError):
    """Bad input to eqselect: a game or an option that breaks a stated rule.

    ``str(error)`` is one line (white space runs, newlines included, become
    one space; past `MESSAGE_CHARS` characters it is cut with "...").
    """

    #: The command line's exit status for this error.
    status = 2

    def __str__(self) -> str:
        text = " ".join(super().__str__().split())
        return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS - 3] + "..."


class GameError(EqselectError):
    """A game specification that breaks a rule (shape, finiteness, name)."""


class OptionsError(EqselectError):
    """An option outside its valid range, or an output that cannot be written."""


class LimitError(OptionsError):
    """An option whose estimated work is past a documented limit (docs/limits.md)."""


class OutputError(EqselectError):
    """The file system refused a write (ENOSPC, EROFS, EACCES, ENAMETOOLONG)."""

    status = 1


class ExpressionError(EqselectError):
    """An expression with a function or symbol outside what eqselect compiles."""
