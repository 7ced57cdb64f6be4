"""Conversion of user numbers to exact sympy numbers, without parsing text,
and the magnitude bound every number an expression denotes must respect.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Integral, Real

import sympy as sp

from eqselect.theory.errors import GameError
from eqselect.theory.limits import check_digits, current


def to_exact(value, what: str = "value") -> sp.Expr:
    """An exact sympy number or expression for ``value``.

    Floats become the rational with the same shortest decimal representation
    (0.55 -> 11/20); ints and Fractions stay exact; sympy expressions pass
    through once :func:`check_magnitude` has bounded every number in them.
    Strings are refused: user text is parsed by the whitelisting parser of
    the game-file reader, never by sympy.

    Raises
    ------
    GameError
        For non-finite, non-real or too large numbers (see
        :mod:`eqselect.theory.limits`), strings and unsupported types.

    Examples
    --------
    >>> to_exact(0.55)
    11/20
    >>> to_exact("1")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    GameError: value must be a number, got '1'
    """
    if type(value) is int:  # the common case, before the slower abstract-type checks
        check_digits(value, what)
        return sp.Integer(value)
    if isinstance(value, sp.Basic):
        if not isinstance(value, sp.Expr) or value.has(sp.nan, sp.oo, -sp.oo, sp.zoo):
            raise GameError(f"{what} is not a finite number: {value}")
        check_magnitude(value, {}, what)
        return value
    if isinstance(value, bool) or not isinstance(value, Real):
        raise GameError(f"{what} must be a real number, got {value!r}"[:300])
    if isinstance(value, Integral):
        check_digits(int(value), what)
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        check_digits(value.numerator, what)
        check_digits(value.denominator, what)
        return sp.Rational(value.numerator, value.denominator)
    x = float(value)
    if not math.isfinite(x):
        raise GameError(f"{what} is not finite: {value!r}")
    if x != 0 and abs(math.log10(abs(x))) > current().max_log10:
        raise GameError(f"{what} is outside 10^-{current().max_log10:g}..10^{current().max_log10:g}")
    f = Fraction(repr(x))
    return sp.Rational(f.numerator, f.denominator)


def check_magnitude(expr: sp.Basic, values: dict, what: str) -> float | None:
    """Bound every number ``expr`` denotes when ``values`` fill in its symbols.

    Walks the expression tree iteratively (no recursion) evaluating each
    subexpression whose symbols all have values in floating point, and
    refuses before computing anything whose magnitude would exceed
    10^max_log10 (a power is judged by e * log2|b| before it is taken, an
    exponential by its argument). Subexpressions with free symbols are
    skipped; they are checked again when the symbols get values.

    Returns
    -------
    float or None
        The value, or None when free symbols remain.

    Raises
    ------
    GameError
        For a number too large, a power of zero with a negative exponent,
        the log of a non-positive number or a non-real number.

    Examples
    --------
    >>> a = sp.Symbol("a")
    >>> check_magnitude(2 ** a, {a: sp.Integer(10)}, "payoff")
    1024.0
    >>> check_magnitude(2 ** a, {a: sp.Integer(10) ** 9}, "payoff")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    eqselect.theory.errors.GameError: payoff denotes a number larger than 10^300 ...
    """
    known: dict = {}
    stack = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if node in known:
            continue
        if not ready and node.args:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a not in known)
            continue
        known[node] = _node_value(node, [known.get(a) for a in node.args], values, what)
    return known[expr]


def _too_large(what: str, log2: float) -> GameError:
    lim = current().max_log10
    return GameError(f"{what} denotes a number larger than 10^{lim:g} "
                     f"(about 10^{log2 / math.log2(10):.3g})")


def _node_value(node, args, values, what):
    if node.is_Symbol:
        return None if node not in values else check_magnitude(values[node], {}, what)
    if not node.args:
        return _atom_value(node, what)
    if any(a is None for a in args):
        return None
    if isinstance(node, sp.Pow):
        return _power(args[0], args[1], what)
    if isinstance(node, sp.exp):
        if args[0] * math.log2(math.e) > current().max_log2:
            raise _too_large(what, args[0] * math.log2(math.e))
        return math.exp(args[0])
    if isinstance(node, sp.log):
        if args[0] <= 0:
            raise GameError(f"{what} takes the log of a non-positive number")
        return math.log(args[0])
    if isinstance(node, sp.Add):
        return _bounded(math.fsum(args), what)
    if isinstance(node, sp.Mul):
        return _bounded(math.prod(args), what)
    return None  # a function the bound does not know; nothing is computed here


def _atom_value(node, what):
    if isinstance(node, sp.Rational):
        p, q = int(node.p), int(node.q)
        check_digits(p, what)
        check_digits(q, what)
        try:  # int / int rounds correctly, as float(node) does, without mpmath
            return _bounded(p / q, what)
        except OverflowError:
            raise _too_large(what, math.inf) from None
    try:
        return _bounded(float(node), what)
    except TypeError:
        raise GameError(f"{what} is not a real number: {node}") from None


def _power(b: float, e: float, what: str) -> float:
    if b == 0:
        if e < 0:
            raise GameError(f"{what} divides by zero (0 to a negative power)")
        return 0.0 if e > 0 else 1.0
    if b < 0 and e != int(e):
        raise GameError(f"{what} takes a fractional power of a negative number (not real)")
    log2 = e * math.log2(abs(b))
    if abs(log2) > current().max_log2:
        raise _too_large(what, abs(log2))
    return math.copysign(abs(b) ** e, -1.0 if b < 0 and int(e) % 2 else 1.0)


def _bounded(x: float, what: str) -> float:
    if not math.isfinite(x) or (x != 0 and math.log2(abs(x)) > current().max_log2):
        raise _too_large(what, math.inf if not math.isfinite(x) else math.log2(abs(x)))
    return x
