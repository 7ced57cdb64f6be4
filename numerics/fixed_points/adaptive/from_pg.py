"""Fixed points of SGA, CGD and LSS from those of PG (the zeros of v).

With v the game gradient, H = Dv, A = (H - H^T)/2 and H_o the off-diagonal
blocks of H (docs/rules.md):

- SGA: v + s lambda A v = (I + s lambda A) v, and I + t A is invertible for
  every real t (A is antisymmetric, its eigenvalues are imaginary). Its zeros
  are exactly v's, for the aligned sign s and for the fixed one. Near a zero
  of v the alignment product <v, H^T v> <A v, H^T v> / d is O(|v|^4), so s = 1
  there and the Jacobian is that of ``sga-fixed``: the records are its own.
- CGD: (I - eta H_o)^{-1} v vanishes exactly where v does, at points where
  I - eta H_o is invertible (where it is singular the field has a pole). The
  Jacobian at a zero is (I - eta H_o)^{-1} H.
- LSS: (v + H^T H^{-1} v) / 2 = sym(H) H^{-1} v, sym(H) = (H + H^T)/2. Every
  zero of v where H is invertible is a zero, with Jacobian sym(H) (so it is
  stable exactly where sym(H) is negative definite). Other zeros, H^{-1} v a
  nonzero vector of ker sym(H), need sym(H) singular there and are not
  searched. Where det H vanishes identically LSS uses the damped inverse
  W = (H^T H + delta I)^{-1} H^T; v = 0 is then a zero with Jacobian
  (H + H^T W H) / 2.

So the list is PG's, filtered by invertibility and characterised with the
rule's own Jacobian. It is complete when PG's is (SGA, CGD); for LSS it is
complete only among the points where sym(H) is invertible, and says so.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from eqselect.theory import Decomposition, engine
from eqselect.theory.composite import EXACT_INVERSE_MAX_DIM, LSS_DAMPING
from eqselect.theory.rules import Method, Rule
from eqselect.numerics.codegen import compile_mpmath
from eqselect.numerics.fixed_points.core.characterise import KnownStability, characterise
from eqselect.numerics.fixed_points.core.record import Route
from eqselect.numerics.fixed_points.core.routes import RouteResult, RouteStatus, SetRoute

#: Working precision (digits) of the linearisation at each point.
DPS = 40
#: |det| below which the matrix a rule inverts counts as singular at a float point.
SINGULAR = 1e-12


class LinearisedAtZeros:
    """F and DF of CGD or LSS at zeros of v, from v and H (a field for `characterise`).

    Parameters
    ----------
    dec : Decomposition
    rule : Rule
        CGD or LSS.
    """

    def __init__(self, dec: Decomposition, rule: Rule):
        self.game, self.rule, self.eta = dec.game, rule, dec.eta
        v = dec.term_engine("cur")
        H = [e for row in engine.jacobian(v, dec.parameters_engine()) for e in row]
        self._f = compile_mpmath(v + H, dec.game.parameters, dps=DPS)
        self.dim = len(v)
        self._owner = [i for i, s in enumerate(dec.game.slices)
                       for _ in range(s.start, s.stop)]
        # the exact LSS field takes the damped inverse where det H vanishes identically
        self._damped = (rule.method is Method.LSS and self.dim <= EXACT_INVERSE_MAX_DIM
                        and dec.jacobian_singular_everywhere)

    @property
    def damped(self) -> bool:
        """Whether LSS takes the damped inverse (det H vanishes identically)."""
        return self._damped

    def _vH(self, x):
        out, d = self._f(list(x)), self.dim
        return (mpmath.matrix(out[:d]),
                mpmath.matrix([[out[d + r * d + c] for c in range(d)] for r in range(d)]))

    def matrix(self, x):
        """The matrix the rule inverts at x: I - eta H_o (CGD), H or H^T H + delta I (LSS)."""
        with mpmath.workdps(DPS):
            _, H = self._vH(x)
            d = self.dim
            if self.rule.method is Method.CGD:
                eta = mpmath.mpf(sp.Rational(self.eta).p) / sp.Rational(self.eta).q
                return mpmath.matrix([[(r == c) - (eta * H[r, c] if self._owner[r] != self._owner[c]
                                                   else 0) for c in range(d)] for r in range(d)])
            if self._damped:
                return H.T * H + mpmath.mpf(LSS_DAMPING.p) / LSS_DAMPING.q * mpmath.eye(d)
            return H

    def values(self, x):
        """F(x) (mpmath column)."""
        with mpmath.workdps(DPS):
            v, H = self._vH(x)
            M = self.matrix(x)
            if self.rule.method is Method.CGD:
                return mpmath.lu_solve(M, v)
            w = mpmath.lu_solve(M, H.T * v) if self._damped else mpmath.lu_solve(M, v)
            return (v + H.T * w) / 2

    def jacobian(self, x):
        """DF(x) at a zero of v (module docstring)."""
        with mpmath.workdps(DPS):
            _, H = self._vH(x)
            M = self.matrix(x)
            if self.rule.method is Method.CGD:
                return mpmath.inverse(M) * H
            if self._damped:
                return (H + H.T * mpmath.inverse(M) * H.T * H) / 2
            return (H + H.T) / 2


def from_pg_fixed_points(dec: Decomposition, rule: Rule, find, **options) -> RouteResult:
    """The fixed points of SGA, CGD or LSS (see the module docstring).

    Parameters
    ----------
    dec : Decomposition
    rule : Rule
        SGA (aligned), CGD or LSS.
    find : callable
        ``find(dec, rule, **options)`` -> EquilibriumSet (`find_equilibria`).

    Returns
    -------
    RouteResult
        Route ZEROS_OF_V; complete when PG's list is (LSS: see the notes).
    """
    if rule.method is Method.SGA:
        fixed = find(dec, rule.with_(method=Method.SGA_FIXED), **options)
        notes = (f"SGA's zeros are v's (I + s lambda A is invertible); records of sga-fixed "
                 f"(s = 1 near every zero of v), route {fixed.route}",) + tuple(fixed.notes)
        status = RouteStatus.COMPLETE if fixed.complete else RouteStatus.PARTIAL
        return RouteResult(SetRoute.ZEROS_OF_V, status, tuple(fixed.equilibria), notes=notes,
                           certificate=fixed.certificate, seeds=fixed.seeds,
                           sampling=fixed.sampling, at_infinity=tuple(fixed.at_infinity))
    pg = find(dec, Rule("pg"), **options)
    lin = LinearisedAtZeros(dec, rule)
    kept, dropped = [], 0
    for e in pg.equilibria:
        at = list(e.exact) if e.exact is not None else [str(x) for x in e.point]
        with mpmath.workdps(DPS):
            singular = abs(mpmath.det(lin.matrix(at))) <= SINGULAR
        if singular:
            dropped += 1
            continue
        continuum = next((n for n in e.notes if n.startswith("continuum")), None)
        kept.append(characterise(at, lin, exact=e.exact, route=Route(e.route), notes=(
            f"a zero of v (PG's route {pg.route}); {rule.method.value}'s Jacobian",),
            known=KnownStability(continuum=continuum)))
    name = {Method.CGD: "I - eta H_o", Method.LSS: "H"}[rule.method]
    notes = [f"{rule.method.value}'s zeros from PG's ({pg.route}): the zeros of v where "
             f"{name} is invertible; {dropped} dropped as singular"]
    status = RouteStatus.COMPLETE if pg.complete else RouteStatus.PARTIAL
    if rule.method is Method.LSS and not lin.damped:
        status = RouteStatus.PARTIAL
        notes.append("LSS zeros with v != 0 (where sym(H) is singular) are not searched")
    notes += [n for n in pg.notes if n not in notes]
    return RouteResult(SetRoute.ZEROS_OF_V, status, tuple(kept),
                       reason="" if status is RouteStatus.COMPLETE else "LSS off v's zeros",
                       notes=tuple(notes), certificate=pg.certificate, seeds=pg.seeds,
                       sampling=pg.sampling, at_infinity=tuple(pg.at_infinity))


__all__ = ["LinearisedAtZeros", "from_pg_fixed_points"]
