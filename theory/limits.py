"""Budgets checked before the work: input sizes, number sizes, game sizes, time.

Every input a user can give is bounded before anything expensive starts
(docs/limits.md):

=====================  ============  =============================================
limit                  default       what it bounds
=====================  ============  =============================================
``max_file_bytes``     1 000 000     size of a game file, read before parsing
``max_expr_chars``     2 000         length of one payoff expression
``max_nesting``        64            parentheses in an expression; brackets and
                                     tables in a JSON / TOML file
``max_digits``         300           digits of any integer, numerator or denominator
``max_log10``          300           |x| <= 10^300 for every number an expression
                                     denotes, also after symbol values are filled in
``max_exponent``       100           |e| in a power b^e whose base has symbols (the
                                     degree of a payoff polynomial)
``max_params``         per command   policy parameters of a game (see
                                     ``COMMAND_MAX_PARAMS``); ``--max-params``
``max_entries``        2 048         payoff entries N * m_1 * ... * m_N of a
                                     normal-form game (8 players x 2 actions:
                                     2 048 entries, derive in 15 s); ``--max-entries``
``time_limit``         per command   wall-clock seconds of a symbolic route;
                                     ``--time-limit`` (`eqselect.theory.budget`)
=====================  ============  =============================================

The library reads the current limits from :func:`current`; the command line
(and a library user) changes them for a block of code with :func:`using`.
"""

from __future__ import annotations

import contextvars
import math
from contextlib import contextmanager
from dataclasses import dataclass, replace

from eqselect.theory import budget
from eqselect.theory.budget import TimeBudgetExceeded
from eqselect.theory.errors import GameError

#: Policy parameters each command handles by default. Measured on 2 cores:
#: derive of 3 players x 5 actions (softmax, 12 parameters) takes 4.5 s; the
#: fixed-point search of 4 players x 2 actions (direct) 3 s, of 5 players
#: over 120 s (it visits every face of the box, 3^N of them).
COMMAND_MAX_PARAMS = {"derive": 16, "equilibria": 10, "continue": 10,
                      "report": 16, "library": 16}
#: Wall-clock seconds of the symbolic derivation per command.
COMMAND_TIME_LIMIT = {"derive": 300.0, "basins": 300.0, "report": 600.0}


@dataclass(frozen=True)
class Limits:
    """The budgets in force (see the module table)."""

    max_file_bytes: int = 1_000_000
    max_expr_chars: int = 2_000
    max_nesting: int = 64
    max_digits: int = 300
    max_log10: float = 300.0
    max_exponent: int = 100
    max_params: int = COMMAND_MAX_PARAMS["library"]
    max_entries: int = 2048
    time_limit: float | None = None
    command: str = "library"

    @property
    def max_log2(self) -> float:
        """The magnitude bound as a power of two."""
        return self.max_log10 * math.log2(10)


_CURRENT = contextvars.ContextVar("eqselect_limits", default=Limits())


def current() -> Limits:
    """The limits in force."""
    return _CURRENT.get()


@contextmanager
def using(**changes):
    """Change some limits for a block: ``with using(max_params=12): ...``."""
    token = _CURRENT.set(replace(current(), **changes))
    try:
        yield current()
    finally:
        _CURRENT.reset(token)


def raise_hint(option: str) -> str:
    """How to raise a limit: the command-line option, or :func:`using` in Python."""
    if current().command == "library":
        return f"raise it with eqselect.theory.limits.using({option}=...)"
    return f"raise it with --{option.replace('_', '-')}"


def _check_size(count: int, limit: str, what: str, noun: str, why: str) -> None:
    lim = current()
    if count > getattr(lim, limit):
        raise GameError(f"{what} has {count} {noun}; {lim.command} handles up to "
                        f"{getattr(lim, limit)} ({raise_hint(limit)}; {why})")


def check_parameters(d: int, what: str) -> None:
    """Refuse a game with more than ``max_params`` policy parameters.

    Raises
    ------
    GameError
        Naming the count, the limit, the command and how to raise it.
    """
    _check_size(d, "max_params", what, "policy parameters",
                "the work grows quickly with the number of parameters")


def check_entries(n_entries: int, what: str) -> None:
    """Refuse a normal-form game with more than ``max_entries`` payoff entries."""
    _check_size(n_entries, "max_entries", what, "payoff entries (players x profiles)",
                "building the expected payoffs grows faster than the number of entries")


def check_digits(n: int, what: str) -> None:
    """Refuse an integer with more than ``max_digits`` decimal digits.

    Uses the bit length, so no huge integer is ever converted to text.
    """
    limit = current().max_digits
    if abs(n).bit_length() > math.ceil(limit * math.log2(10)) + 1:
        raise GameError(f"{what} has more than {limit} digits")


def check_nesting(text: str, what: str, openers: str = "[{(", closers: str = "]})") -> None:
    """Refuse text whose brackets nest deeper than ``max_nesting``.

    Quoted strings ('...' and "..." with backslash escapes) are skipped, so
    the count is what a JSON / TOML / expression parser would see.
    """
    limit, depth, quote, escaped = current().max_nesting, 0, None, False
    for ch in text:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in openers:
            depth += 1
            if depth > limit:
                raise GameError(f"{what} nests brackets deeper than {limit} levels")
        elif ch in closers:
            depth -= 1


@contextmanager
def deadline(what: str, seconds: float | None = None):
    """`eqselect.theory.budget.deadline` with the ``time_limit`` in force as default
    and the hint of how to raise it."""
    seconds = current().time_limit if seconds is None else seconds
    with budget.deadline(what, seconds, raise_hint("time_limit")):
        yield
