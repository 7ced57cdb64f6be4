"""The values of command-line options: exact numbers, ranges, bounded integers.

Every option value is converted once, here, to the internal form the
commands use: a number to an exact sympy number (decimal or fraction
literals only, ASCII digits), A:B to a pair of them, an integer checked
against its bounds, a list without repeats. A value that does not convert is
an ``argparse.ArgumentTypeError``, which the parser reports as one line with
status 2; checks that need several options or the game go through
`eqselect.theory.validate`, as the Python API does.
"""

from __future__ import annotations

import argparse
import re
from fractions import Fraction

import sympy as sp

from eqselect.theory import budget, validate
from eqselect.theory.errors import EqselectError
from eqselect.theory.exact import to_exact

#: A number on the command line: decimal or fraction, at most this many characters.
_NUMBER = re.compile(r"\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:/\d+)?\s*", re.ASCII)
NUMBER_CHARS = 40
#: Upper limits of the integer options (the work they ask for is estimated too).
MAX_GRID, MAX_STEPS = 1001, 100_000
#: Grid points per axis of a basin map when --grid is not given.
BASIN_GRID = 21
MAX_SEED = budget.WORK_LIMITS.max_seed


def number(text: str) -> sp.Expr:
    """An exact number from a decimal or fraction literal ("0.55", "2/3").

    At most 40 characters, no exponent notation (so no literal can denote a
    huge number), parsed with ``fractions.Fraction``: nothing else is accepted.
    """
    if len(text) > NUMBER_CHARS or not _NUMBER.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"not a number: {text[:NUMBER_CHARS]!r} (a decimal or a fraction such as 2/3, "
            f"at most {NUMBER_CHARS} characters)")
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    try:
        return to_exact(value)
    except EqselectError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def lam_range(text: str) -> tuple:
    """A:B, two exact numbers (``--lam 0:3``), refused when A = B."""
    parts = text.split(":")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected A:B, got {text!r}")
    a, b = (number(p) for p in parts)
    if a == b:
        raise argparse.ArgumentTypeError(f"empty range {text!r}")
    return a, b


def int_in(low: int, high: int):
    """The parser of an integer option in [low, high]."""
    def parse(text: str) -> int:
        if len(text) > 20 or not re.fullmatch(r"\s*[-+]?\d+\s*", text, re.ASCII):
            raise argparse.ArgumentTypeError(f"not an integer: {text[:20]!r}")
        value = int(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, got {value}")
        if value > high:
            raise argparse.ArgumentTypeError(f"must be <= {high}, got {value}")
        return value
    return parse


positive_int = int_in(1, 10**9)


def seconds(text: str) -> float:
    """A time budget in seconds, in (0, 86400]."""
    value = number(text)
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"must be in (0, 86400] seconds, got {text!r}")
    return float(value)


def assignment(text: str) -> tuple:
    """NAME=VALUE of --fix: a coordinate name and an exact number."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or len(name) > 60:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text[:60]!r}")
    return name.strip(), float(number(value))


def preferred(text: str):
    """``--preferred``: an index (ASCII digits) as an int, anything else as text
    for the command to resolve (payoff-dominant, welfare, a profile)."""
    if re.fullmatch(r"[0-9]{1,9}", text, re.ASCII):
        return int(text)
    return text


def distinct_fixes(fixes) -> tuple:
    """The (NAME, VALUE) pairs of repeated ``--fix``, each name once."""
    fixes = tuple(fixes or ())
    validate.distinct([name for name, _ in fixes], "--fix")
    return fixes


def distinct_methods(names, option: str = "--method") -> tuple:
    """Method names, each once (``--method pg,pg`` is refused)."""
    return validate.distinct(names, option)


def axes(text: str) -> tuple:
    parts = tuple(p.strip() for p in text.split(","))
    if len(parts) != 2 or not all(parts) or len(text) > 120:
        raise argparse.ArgumentTypeError(f"expected two axes A,B, got {text[:60]!r}")
    return parts
