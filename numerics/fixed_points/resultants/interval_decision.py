"""Deciding the candidates of the algebraic resultant route by interval arithmetic.

The norms of `eqselect.numerics.fixed_points.resultants.algebraic_payoffs` vanish on every
fixed point of the true system P(u, alpha) = 0, and also on the zeros of
its conjugate systems P(u, alpha') (alpha' another root of the minimal
polynomial). Each candidate box I1 x I2 (a pair of isolating intervals of
the two univariate norms) holds at most one common zero of the true system
(its coordinates are the unique roots in I1 and I2), and it is decided
with alpha's actual value as an arb ball:

- "not a zero": the enclosure of P1 or P2 over the box excludes 0 (a
  zero of a conjugate system, or a pair of roots of different zeros);
- "fixed point": the Krawczyk test (`prove_zero`) proves one zero of
  (P1, P2) in a box inside I1 x I2, where the denominators' enclosures
  exclude 0;
- otherwise the intervals are refined (bisection with exact rational signs
  of the square-free norm) and the working precision raised, up to
  ``LEVELS`` times; a candidate still open is "undecided" (a singular
  zero, or one where a denominator vanishes), and the list is then not
  proven complete.
"""

from __future__ import annotations

from flint import arb, ctx, fmpq

from eqselect.numerics.intervals import ball, to_arb, working_precision
from eqselect.numerics.fixed_points.certify.krawczyk import prove_zero

#: Refinement rounds per candidate, and bits gained per round on each interval.
LEVELS, BITS = 8, 24

FIXED, EXCLUDED, UNDECIDED = "fixed point", "not a zero", "undecided"


def exact_interval(x: arb) -> list:
    """[lo, hi] as exact rationals (fmpq) from a certified ball."""
    return [_fmpq(x.lower()), _fmpq(x.upper())]


def _fmpq(x: arb) -> fmpq:
    m, e = x.man_exp()
    m, e = int(m), int(e)
    return fmpq(m * 2 ** e) if e >= 0 else fmpq(m, 2 ** -e)


def refine(poly, iv, bits: int) -> list:
    """Bisect [lo, hi] (holding exactly one root of the square-free ``poly``) ``bits`` times.

    Exact: the sign of ``poly`` at rational points. A root hit exactly
    gives the degenerate interval [r, r].
    """
    lo, hi = iv
    if lo == hi:
        return iv
    s_lo = _sign(poly(lo))
    if s_lo == 0:
        return [lo, lo]
    for _ in range(bits):
        mid = (lo + hi) / 2
        s = _sign(poly(mid))
        if s == 0:
            return [mid, mid]
        if s == s_lo:
            lo = mid
        else:
            hi = mid
    return [lo, hi]


def _sign(q) -> int:
    return (q > 0) - (q < 0)


def evaluate(poly, values):
    """The arb enclosure of an ``fmpz_mpoly`` at balls ``values`` (one per generator)."""
    total = arb(0)
    for monom, c in poly.to_dict().items():
        term = arb(int(c))
        for v, k in zip(values, monom):
            if k:
                term *= v ** int(k)
        total += term
    return total


def decide(system, ivs, atoms) -> dict:
    """Decide one candidate pair of isolating intervals.

    Parameters
    ----------
    system : dict
        ``{"polys": (P1, P2), "dens": [...], "jac": [[dP1/du1, dP1/du2], ...],
        "norms": (square-free fmpz_poly in u1, in u2)}``.
    ivs : list of two [lo, hi] (fmpq)
    atoms : list of sympy numbers
        The algebraic constants, in generator order after u1, u2.

    Returns
    -------
    dict
        ``{"decision", "u1", "u2"}`` (interval ends as strings) plus, for a
        fixed point, ``"u"``: the proven box's midpoints as 60-digit strings.
    """
    ivs = [list(iv) for iv in ivs]
    for level in range(LEVELS):
        with working_precision(128 + 2 * BITS * level):
            verdict = _decide_once(system, ivs, [to_arb(a) for a in atoms])
        if verdict is not None:
            return verdict
        ivs = [refine(p, iv, BITS) for p, iv in zip(system["norms"], ivs)]
    return _verdict(UNDECIDED, ivs)


def _decide_once(system, ivs, alphas):
    X = [_interval(lo, hi) for lo, hi in ivs]
    if any(not evaluate(p, X + alphas).contains(0) for p in system["polys"]):
        return _verdict(EXCLUDED, ivs)
    box = prove_zero(lambda b: [evaluate(p, b + alphas) for p in system["polys"]],
                     lambda b: [[evaluate(q, b + alphas) for q in row] for row in system["jac"]],
                     X)
    if box is None:
        return None
    if any(evaluate(d, box + alphas).contains(0) for d in system["dens"]):
        return None
    out = _verdict(FIXED, ivs)
    out["u"] = [x.mid().str(60, radius=False) for x in box]
    return out


def _interval(lo, hi) -> arb:
    """The ball [lo, hi]; a root hit exactly gets a radius of a few ulps (Krawczyk needs
    an interior)."""
    if lo != hi:
        return ball(arb(lo), arb(hi))
    x = arb(lo)
    return x + arb(0, float(abs(x).upper() + 1) * 2.0 ** (16 - ctx.prec))


def _verdict(decision, ivs) -> dict:
    ends = [[arb(v).str(25, radius=False) for v in iv] for iv in ivs]
    return {"decision": decision, "u1": ends[0], "u2": ends[1]}


__all__ = ["EXCLUDED", "FIXED", "UNDECIDED", "decide", "evaluate", "exact_interval",
           "refine"]
