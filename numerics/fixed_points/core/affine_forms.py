"""Affine forms read off exact expressions: e = row . gens + const.

A field that is affine in the parameters (every method on a two-agent
normal-form game) is written F = A phi + c with A and c in exact rationals
(`affine_form`), or irrational sympy numbers for a payoff such as sqrt(2);
`integral_form` clears the denominators so that the integer face search
runs in python ints. The field (`eqselect.numerics.fixed_points.core.field`) and
the face solvers both read these forms, so they depend on nothing above
sympy.
"""

from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp

from eqselect.theory.engine import to_sympy


def affine_in(exprs, gens):
    """[(row, const)] with e = row . gens + const for each e, or None if one is not affine."""
    out = []
    index = {g: i for i, g in enumerate(gens)}
    for e in exprs:
        row = _rational_affine(e, index, len(gens))
        if row is not None:
            out.append(row)
            continue
        poly = sp.Poly(e, *gens)
        if poly.total_degree() > 1:
            return None
        row, const = [Fraction(0)] * len(gens), Fraction(0)
        for monom, coeff in poly.terms():
            if coeff.is_Rational:
                value = Fraction(int(coeff.p), int(coeff.q))
            elif coeff.is_number and coeff.is_real:
                value = coeff  # an irrational payoff (sqrt(2)): kept exact in sympy
            else:
                return None
            if sum(monom) == 0:
                const = value
            else:
                row[monom.index(1)] = value
        out.append((row, const))
    return out


def _rational_affine(e, index, n):
    """(row, const) of an expanded sum of rational multiples of 1 and the generators
    (read off its terms, no polynomial conversion), or None for anything else."""
    row, const = [Fraction(0)] * n, Fraction(0)
    for term in sp.Add.make_args(to_sympy(e)):
        coeff, rest = term.as_coeff_Mul()
        if not coeff.is_Rational:
            return None
        value = Fraction(int(coeff.p), int(coeff.q))
        if rest == 1:
            const = value
        elif rest in index and not row[index[rest]]:
            row[index[rest]] = value
        else:
            return None
    return row, const


def affine_form(F, params):
    """(A, c) with F = A phi + c in Fractions, or None when F is not affine."""
    rows = affine_in(F, params)
    if rows is None:
        return None
    return [r for r, _ in rows], [c for _, c in rows]


def common_denominator(A, c) -> int | None:
    """The least D > 0 with D A and D c integer, when A and c are rational; else None.

    Examples
    --------
    >>> from fractions import Fraction as Q
    >>> common_denominator([[Q(1, 2), Q(1, 3)]], [Q(-1)])
    6
    """
    dens = set()
    for x in (*(x for row in A for x in row), *c):
        if isinstance(x, Fraction):
            dens.add(x.denominator)
        elif not isinstance(x, int):
            return None
    return math.lcm(*dens) if dens else 1


def integral_form(A, c):
    """(D A, D c) in python ints for the least D > 0 that clears every
    denominator (`common_denominator`), when A and c are rational; else (A, c)
    unchanged.

    A positive factor changes neither the zeros of A phi + c nor the signs
    of its multipliers, and integer rows keep the face-by-face search out of
    Fraction arithmetic.

    Examples
    --------
    >>> from fractions import Fraction as Q
    >>> integral_form([[Q(1, 2), Q(1, 3)]], [Q(-1)])
    ([[3, 2]], [-6])
    """
    D = common_denominator(A, c)
    if D is None:
        return A, c

    def scaled(x):
        return x.numerator * (D // x.denominator) if isinstance(x, Fraction) else x * D

    return [[scaled(x) for x in row] for row in A], [scaled(x) for x in c]


def rational(x) -> sp.Expr:
    """A Fraction as a sympy Rational (an irrational sympy number unchanged)."""
    if isinstance(x, (Fraction, int)):
        x = Fraction(x)
        return sp.Rational(x.numerator, x.denominator)
    return sp.radsimp(sp.expand(x))


__all__ = ["affine_form", "affine_in", "common_denominator", "integral_form", "rational"]
