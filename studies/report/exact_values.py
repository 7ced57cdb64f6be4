r"""Exact numbers as a reader writes them, and exact points the search left as floats.

Two jobs, both for the report's tables:

- `simplest` rewrites an exact number into its shortest equivalent form:
  :math:`\log(\sqrt{10}/(5(1 - \sqrt{10}/5)))` becomes
  :math:`\log((2 + \sqrt{10})/3)`, whichever of sympy's rewritings
  (radsimp, log combination, simplify) prints shortest; the value never
  changes (each candidate is an identity, none a numerical guess).
- `identified_point` recovers the exact point of a fixed point of a
  one-state logit or softmax game that a numeric route located: the
  strategies are read as fractions with small denominators, mapped to
  parameters exactly (:math:`\theta = \log(p / (1 - p))`, softmax
  :math:`\theta_{i,k} = \log(\pi_{i,k} / \pi_{i,m})`), and the field is
  evaluated there in exact arithmetic. Only a point where every component
  is exactly zero is returned, so a printed :math:`\log 2` is a proof, not a
  guess.
- `snapped` prints a located float (an event's lambda) as 0 or a fraction
  when it lies within `SNAP_TOLERANCE` of one with a small denominator; the
  caller states that this is a reading of a numeric value.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from eqselect.theory.engine import to_sympy

#: Largest denominator tried when a float is read as a fraction.
MAX_DENOMINATOR = 1000
#: Relative distance within which a float is read as a fraction.
SNAP_TOLERANCE = 1e-9
#: Largest field (sympy operations) evaluated exactly to confirm a point.
MAX_CONFIRM_OPS = 20000


def simplest(value):
    """The shortest printing of ``value`` among exact rewritings of it.

    Examples
    --------
    >>> simplest(sp.log(sp.sqrt(10) / (5 * (1 - sp.sqrt(10) / 5))))
    log((2 + sqrt(10))/3)
    >>> simplest(sp.log(sp.Rational(2, 3) / sp.Rational(1, 3)))
    log(2)
    """
    value = to_sympy(value)
    if value.is_Rational or value.is_Atom:
        return value
    candidates = [value]
    for rewrite in (sp.radsimp, sp.simplify,
                    lambda v: sp.radsimp(sp.logcombine(v, force=True)),
                    lambda v: v.replace(sp.log, lambda a: sp.log(sp.radsimp(sp.cancel(a))))):
        try:
            c = rewrite(value)
        except (TypeError, ValueError, NotImplementedError, RecursionError):
            continue
        if c.free_symbols == value.free_symbols and c.is_finite is not False:
            candidates.append(c)
    return min(candidates, key=lambda c: (len(sp.latex(c)), sp.count_ops(c)))


def fraction_of(x: float) -> Fraction | None:
    """The fraction with denominator <= `MAX_DENOMINATOR` within `SNAP_TOLERANCE` of x.

    Examples
    --------
    >>> fraction_of(0.4545454545), fraction_of(2.42861e-17), fraction_of(0.1234567)
    (Fraction(5, 11), Fraction(0, 1), None)
    """
    f = Fraction(x).limit_denominator(MAX_DENOMINATOR)
    return f if abs(float(f) - x) <= SNAP_TOLERANCE * max(1.0, abs(x)) else None


def snapped(x: float):
    """A sympy Rational when x reads as a small fraction (`fraction_of`), else None."""
    f = fraction_of(float(x))
    return None if f is None else sp.Rational(f.numerator, f.denominator)


def identified_point(dec, rule, strategies) -> tuple | None:
    """The exact parameters of a located fixed point, confirmed exactly, or None.

    Parameters
    ----------
    dec : Decomposition
        At numeric payoffs and eta (the report's ``numeric``).
    rule : Rule
        With exact (or exactly readable) lambda and own coefficient.
    strategies : sequence of sequence of float
        The point's mixed strategies, one per agent.

    Returns
    -------
    tuple of sympy.Expr or None
        None unless every strategy reads as a fraction strictly inside
        (0, 1) and the field is exactly zero at the parameters they give.
    """
    game = dec.game
    if game.states != 1 or game.parameterization not in ("logit", "softmax"):
        return None
    params = []
    for probs in strategies:
        fr = [snapped(p) for p in probs]
        if any(f is None or not 0 < f < 1 for f in fr):
            return None
        last = fr[-1]
        params += [sp.log(f / last) for f in fr[:-1]]
    if len(params) != len(game.parameters):
        return None
    field = dec.field(rule)
    if sum(sp.count_ops(e) for e in field) > MAX_CONFIRM_OPS:
        return None
    at = dict(zip(game.parameters, params))
    if all(sp.simplify(sp.expand(e.xreplace(at))) == 0 for e in field):
        return tuple(simplest(v) for v in params)
    return None
