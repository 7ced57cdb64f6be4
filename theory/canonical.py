"""Sums and products in sympy's canonical form, built without re-flattening.

sympy's ``Add(*terms)`` and ``Mul(*factors)`` bring their arguments to a
canonical form: nested sums and products are flattened, like terms and
powers of one base are collected, a rational coefficient goes first and the
other arguments are sorted by ``Basic.compare``. When the arguments are
known to need no collecting, that form is just the sorted tuple, and
building it directly gives the identical expression (equal, same hash, same
printed text) at a fraction of the cost: the expected payoffs of a
normal-form game are sums of distinct monomials in the agents' strategies,
and on a fresh sympy cache the general constructors spend milliseconds on
them.

The preconditions are the caller's to meet (they are not checked: checking
costs what the shortcut saves); the tests compare both functions with
``Add`` and ``Mul`` on every shape their callers build.
"""

from __future__ import annotations

from functools import cmp_to_key

import sympy as sp

_ORDER = cmp_to_key(sp.Basic.compare)


def product(coeff: sp.Rational, factors) -> sp.Expr:
    """``Mul(coeff, *factors)`` for a rational ``coeff`` and factors that need no collecting.

    Parameters
    ----------
    coeff : sympy.Rational
    factors : sequence of sympy.Expr
        Pairwise distinct symbols and sums (``Add``), none a number, a
        product or a power, no two with a common base: the canonical
        product is then ``coeff`` followed by the factors in
        ``Basic.compare`` order.

    Examples
    --------
    >>> p, q = sp.symbols("p q")
    >>> product(sp.Integer(-3), [1 - q, p]) == sp.Mul(-3, 1 - q, p)
    True
    """
    if coeff == 0:
        return sp.S.Zero
    args = sorted(factors, key=_ORDER)
    if coeff != 1:
        if len(args) == 1 and args[0].is_Add:  # c * (a + b) distributes: the general path
            return sp.Mul(coeff, args[0])
        args.insert(0, coeff)
    if len(args) == 1:
        return args[0]
    return sp.Mul._from_args(args, _commutative(args))


def total(terms) -> sp.Expr:
    """``Add(*terms)`` for terms whose non-numeric parts are pairwise distinct.

    Parameters
    ----------
    terms : sequence of sympy.Expr
        Rational numbers and canonical products or symbols (as `product`
        builds them), no two of which differ only by a rational coefficient
        and none of them a sum: the canonical sum is then the sum of the
        numbers (first, when non-zero) followed by the other terms in
        ``Basic.compare`` order.

    Examples
    --------
    >>> p, q = sp.symbols("p q")
    >>> total([sp.Integer(1), -q, -p]) == 1 - p - q
    True
    """
    number, rest = sp.S.Zero, []
    for t in terms:
        if t.is_Rational:
            number += t
        else:
            rest.append(t)
    rest.sort(key=_ORDER)
    if number != 0:
        rest.insert(0, number)
    if not rest:
        return sp.S.Zero
    if len(rest) == 1:
        return rest[0]
    return sp.Add._from_args(rest, _commutative(rest))


def _commutative(args):
    """True when every argument is known commutative (symbols, numbers and sums of
    them); None leaves the decision to sympy's own three-valued rule."""
    return True if all(a.is_commutative is True for a in args) else None


__all__ = ["product", "total"]
