"""The error types of eqselect.

Every error a user can cause is an `EqselectError`; the command line maps
them to exit status 2 with one line on stderr.

- `GameError`: a game that breaks a rule (shape, finiteness, names, symbols).
- `OptionsError`: an option outside its valid range (a learning rate, a grid
  size, an unknown rule or experiment, an output path that cannot be written).
"""


class EqselectError(ValueError):
    """Bad input to eqselect: a game or an option that breaks a stated rule."""


class GameError(EqselectError):
    """A game specification that breaks a rule (shape, finiteness, name)."""


class OptionsError(EqselectError):
    """An option outside its valid range, or an output that cannot be written."""


class ExpressionError(EqselectError):
    """An expression with a function or symbol outside what eqselect compiles."""
