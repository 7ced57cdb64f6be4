"""One builder of `Equilibrium` records: linearisation, stability, Nash check.

Every route (exact faces of the direct parameterisation, exact solving,
resultants, Newton with deflation) hands its root to `characterise`, so a
record means the same thing whichever route found it:

- eigenvalues of DF: at a free-region root, of the full DF (mpmath); on a
  face of the direct region with tangent basis Q (orthonormal columns of the
  face's P), of Q^T DF Q, then one entry -multiplier per bound direction;
- mu = -lambda_max(sym DF) on the free directions (+inf at a vertex);
- stability from ``classify``; a free-region root whose DF has a singular
  value below 1e-10 of the largest is DEGENERATE (possibly a continuum);
- Nash (finite one-state games): exact best-response check at exact
  coordinates, or at high-precision Floats with a tie tolerance, else the
  best-response gap in double precision (said in the notes).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from eqselect.theory.engine import to_sympy

from eqselect.numerics.fixed_points.core.nash_check import exact_sign, is_nash, strategies_at
from eqselect.numerics.fixed_points.core.record import Equilibrium, Route, Stability, classify

#: Relative size of the smallest singular value below which DF is singular.
SINGULAR_RTOL = 1e-10
#: Best-response gap below which a finite-game root is reported as Nash.
NASH_GAP = 1e-9


def characterise(point, field, face=None, *, exact=None, route=Route.NEWTON, notes=(),
                 continuum=None, tol=None) -> Equilibrium:
    """The `Equilibrium` record of a fixed point.

    Parameters
    ----------
    point : sequence
        Coordinates at which F and DF are evaluated: mpmath numbers (at the
        caller's precision), exact sympy numbers or high-precision Floats.
    field : MpField or SymbolicField
        Gives ``game``, ``values(point)`` and ``jacobian(point)``.
    face : Face, optional
        The face of the direct region holding the point (None: a free-region
        root). The caller has checked that the point lies in its relative
        interior with multipliers >= 0.
    exact : tuple of sympy.Expr, optional
        Exact coordinates, kept on the record.
    route : Route
    notes : sequence of str
        Notes from the route (first in the record's notes).
    continuum : str, optional
        A note that the point represents a continuum (stability DEGENERATE).
    tol : float, optional
        Zero tolerance for signs at high-precision Floats (None: exact signs).

    Returns
    -------
    Equilibrium
    """
    notes = list(notes)
    F = field.values(point)
    if face is None:
        eigs, mu, singular, residual = _free_linearisation(field.jacobian(point), F, notes)
        boundary = False
    else:
        eigs, mu, residual = _face_linearisation(field, point, F, face, notes, tol)
        singular, boundary = False, len(face.free) < len(point)
    stability = classify(eigs)
    if singular:
        stability = Stability.DEGENERATE
    if continuum is not None:
        stability = Stability.DEGENERATE
        notes.insert(0, continuum)
    strategies, nash = _strategies_and_nash(field, point, exact, tol, notes)
    return Equilibrium(point=tuple(_to_float(x) for x in point), exact=exact,
                       strategies=strategies, stability=stability, eigenvalues=eigs, mu=mu,
                       nash=nash, boundary=boundary, route=route, residual=residual,
                       notes=tuple(notes))


def _free_linearisation(J, F, notes):
    """(eigenvalues, mu, singular, residual) of a free-region root, in mpmath."""
    J = J if isinstance(J, mpmath.matrix) else mpmath.matrix(np.asarray(J).tolist())
    eigs = tuple(complex(e) for e in mpmath.eig(J, left=False, right=False))
    mu = -float(max(mpmath.eigsy((J + J.T) / 2, eigvals_only=True)))
    sv = mpmath.svd_r(J, compute_uv=False)
    smax, smin = max(sv), min(sv)
    singular = smax == 0 or smin < SINGULAR_RTOL * smax
    if singular:
        notes.append(f"singular Jacobian: possibly a continuum (smallest singular value "
                     f"{mpmath.nstr(smin, 3)}, largest {mpmath.nstr(smax, 3)})")
    residual = float(max(abs(v) for v in F))
    return eigs, mu, singular, residual


def _face_linearisation(field, point, F, face, notes, tol):
    """(eigenvalues, mu, residual) on a face: tangent block, then -multipliers."""
    d, k = len(point), len(face.free)
    J = np.asarray(field.jacobian(point), dtype=float)
    if k:
        Q, _ = np.linalg.qr(np.array(face.P, dtype=float))
        R = Q.T @ J @ Q
        tangent = list(np.linalg.eigvals(R))
        mu = 0.0 - float(np.max(np.linalg.eigvalsh((R + R.T) / 2)))
    else:
        tangent, mu = [], float("inf")
        notes.append("vertex: no free coordinate, so the restricted Jacobian is empty "
                     "and mu = +inf")
    mults = face_multipliers(face, F)
    for (_, _, (block, action)), x in zip(face.multipliers, mults):
        if exact_sign(x, tol) == 0:
            notes.append(f"F is tangent to the bound where agent "
                         f"{face.agents[block] + 1} drops action {action} "
                         "(zero normal-cone multiplier)")
    if d - k:
        notes.append(f"eigenvalues: {k} of DF on the face, then -multiplier for each "
                     f"of the {d - k} bound directions")
    eigs = tuple(complex(z) for z in tangent) + tuple(complex(-_to_float(x)) for x in mults)
    residual = max((abs(_to_float(_g(F, a) - _g(F, b))) for a, b in face.equations),
                   default=0.0)
    return eigs, mu, residual


def face_multipliers(face, F) -> list:
    """The normal-cone multipliers G_{s0} - G_j of a face's bound directions."""
    return [_g(F, s0) - _g(F, j) for s0, j, _ in face.multipliers]


def _g(F, i):
    return 0 if i is None else F[i]


def _strategies_and_nash(field, point, exact, tol, notes):
    """(strategies as floats, nash) with the decision's basis noted when approximate.

    An `AffineField` at an exact rational point gives both in Fractions.
    """
    game = field.game
    if not game.strategies:
        return (), None
    fast = getattr(field, "exact_strategies", None)
    rational = fast(exact) if fast is not None and exact is not None and tol is None else None
    if rational is not None and game.states == 1 and game.payoffs:
        nash = field.nash(rational)
        if nash is not None:  # the exact check of the affine field, in Fractions
            return tuple(tuple(float(x) for x in s) for s in rational), nash
    at = [x if isinstance(x, sp.Basic) else _to_float(x) for x in point]
    strategies = tuple(tuple(_to_float(x) for x in s) for s in strategies_at(game, at))
    if not (game.states == 1 and game.payoffs):
        notes.append("Nash check not available for multi-state games")
        return strategies, None
    if tol is not None:
        return strategies, is_nash(game, strategies_at(game, point), tol)
    if exact is not None:
        return strategies, is_nash(game, strategies_at(game, exact))
    gap = best_response_gap(game, at)
    notes.append(f"Nash decided approximately: best-response gap {gap:.3g} "
                 f"(threshold {NASH_GAP:g})")
    return strategies, gap < NASH_GAP


def best_response_gap(game, point) -> float:
    """max_i [max_a u_i(a, s_-i) - u_i(s)] for a one-state finite game.

    Evaluated in double precision from the strategies at ``point``.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> round(best_response_gap(builtin("matching-pennies", "logit"), (0.0, 0.0)), 12)
    0.0
    """
    sub = dict(zip(game.parameters, point))
    strategies = [np.array([float(to_sympy(e).evalf(subs=sub)) for e in game.strategy_of(i)])
                  for i in range(game.n_agents)]
    gap = 0.0
    for i, table in enumerate(game.payoffs):
        u = np.array(_float_nested(table), dtype=float)
        for k in reversed(range(game.n_agents)):  # contract every axis but i
            if k != i:
                u = np.tensordot(u, strategies[k], axes=([k], [0]))
        gap = max(gap, float(u.max() - u @ strategies[i]))
    return gap


def _float_nested(obj):
    if isinstance(obj, (list, tuple)):
        return [_float_nested(o) for o in obj]
    return float(obj)


def _to_float(x) -> float:
    if isinstance(x, (float, int, mpmath.mpf, Fraction)):
        return float(x)
    if isinstance(x, sp.Rational):
        return int(x.p) / int(x.q)
    return float(sp.re(sp.N(x, 30)))


__all__ = ["NASH_GAP", "SINGULAR_RTOL", "best_response_gap", "characterise",
           "face_multipliers"]
