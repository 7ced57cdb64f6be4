"""Conversion of user numbers to exact sympy numbers, without parsing text."""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Number

import sympy as sp

from eqselect.theory.game import GameError


def to_exact(value, what: str = "value") -> sp.Expr:
    """An exact sympy number or expression for ``value``.

    Floats become the rational with the same shortest decimal representation
    (0.55 -> 11/20); ints and Fractions stay exact; sympy expressions pass
    through. Strings are refused: user text is parsed by the whitelisting
    parser of the game-file reader, never by sympy.

    Raises
    ------
    GameError
        For non-finite numbers, strings and unsupported types.

    Examples
    --------
    >>> to_exact(0.55)
    11/20
    """
    if isinstance(value, sp.Basic):
        if value.has(sp.nan, sp.oo, -sp.oo, sp.zoo):
            raise GameError(f"{what} is not finite: {value}")
        return value
    if isinstance(value, bool) or isinstance(value, str) or not isinstance(value, Number):
        raise GameError(f"{what} must be a number, got {value!r}")
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    x = float(value)
    if not math.isfinite(x):
        raise GameError(f"{what} is not finite: {value!r}")
    f = Fraction(repr(x))
    return sp.Rational(f.numerator, f.denominator)
