"""One builder of `Equilibrium` records: linearisation, stability, Nash check.

Every route (exact faces of the direct parameterisation, exact solving,
resultants, Newton with deflation) hands its root to `characterise`, so a
record means the same thing whichever route found it:

- eigenvalues of DF: at a free-region root, of the full DF (mpmath); on a
  face of the direct region with tangent basis Q (orthonormal columns of the
  face's P), of Q^T DF Q, then one entry -multiplier per bound direction;
- mu = -lambda_max(sym DF) at an interior root; on a face, the smaller of
  -lambda_max(sym Q^T DF Q) and the normal-cone multipliers (at a vertex,
  the smallest multiplier), the one definition of docs/theory.md
  ("Margins at the boundary", `eqselect.numerics.fixed_points.exact_faces.boundary_margin`);
- stability from ``classify``, with the zero tolerance relative to the size
  of DF when DF is small (`SIGN_TOL`); a free-region root whose DF has a
  singular value below 1e-10 of the largest is DEGENERATE (possibly a
  continuum);
  where the route proves the root in a box, stability comes instead from a
  certified enclosure of DF over the box (`certified_stability`): Routh-Hurwitz
  signs of its characteristic polynomial, decided in arb, so an eigenvalue of
  -2e-10 (saturated logits) is stable and DEGENERATE means the enclosure
  holds 0, whatever the scale;
- Nash (finite one-state games): exact best-response check at exact
  coordinates, or at high-precision Floats with a tie tolerance, else the
  best-response gap in double precision (said in the notes).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp
from flint import acb_mat, arb, arb_mat

from eqselect.theory.engine import to_sympy

from eqselect.numerics.fixed_points.core.nash_check import exact_sign, is_nash, strategies_at
from eqselect.numerics.fixed_points.core.record import Equilibrium, Route, Stability, classify

#: Relative size of the smallest singular value below which DF is singular.
SINGULAR_RTOL = 1e-10
#: Eigenvalue real parts within SIGN_TOL * min(1, max|DF_ij|) of 0 count as 0: relative
#: for a small DF (saturated logits scale DF by s_i ~ 1e-9), 1e-9 otherwise.
SIGN_TOL = 1e-9
#: Best-response gap below which a finite-game root is reported as Nash.
NASH_GAP = 1e-9


@dataclass(frozen=True)
class KnownStability:
    """What a route already knows of a point's stability, overriding the
    floating-point judgement.

    Attributes
    ----------
    continuum : str or None
        A note that the point represents a continuum (stability DEGENERATE).
    certified : (Stability, str) or None
        A certified judgement and how it was certified (`certified_stability`
        of an enclosure of DF over a box proven to hold the root).
    """

    continuum: str | None = None
    certified: tuple | None = None

    def __post_init__(self):
        if self.continuum is not None and self.certified is not None:
            raise ValueError("a point is either a continuum's representative or has a "
                             "certified stability, not both")
        if self.certified is not None and (len(self.certified) != 2 or not isinstance(
                self.certified[0], Stability)):
            raise ValueError(f"certified must be (Stability, str), got {self.certified!r}")


def characterise(point, field, face=None, *, exact=None, route=Route.NEWTON, notes=(),
                 tol=None, known: KnownStability = KnownStability()) -> Equilibrium:
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
    tol : float, optional
        Zero tolerance for signs at high-precision Floats (None: exact signs).
    known : KnownStability
        A continuum the point represents, or a certified judgement; either
        replaces the judgement from the floating-point eigenvalues and the
        singular-value threshold.

    Returns
    -------
    Equilibrium
    """
    notes = list(notes)
    F = field.values(point)
    scale = 1.0
    if face is None:
        J = field.jacobian(point)
        eigs, mu, singular, residual = _free_linearisation(J, F, notes)
        scale = sign_scale(J)
        boundary = False
    else:
        eigs, mu, residual = _face_linearisation(field, point, F, face, notes, tol)
        singular, boundary = False, len(face.free) < len(point)
        # a vertex's eigenvalues are -multipliers, the size of F: a game whose
        # payoffs are all 1e-10 has the stability of the same game at 1
        scale = sign_scale(field.jacobian(point), F)
    judged, continuum = known.certified, known.continuum
    stability = classify(eigs, tol=SIGN_TOL * scale)
    if singular:
        stability = Stability.DEGENERATE
    if judged is not None:
        stability = judged[0]
        notes = [n for n in notes if not n.startswith("singular Jacobian")]
        notes.append(f"stability certified: {judged[1]}")
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


def sign_scale(*arrays) -> float:
    """min(1, max |entry|) over ``arrays`` (D_phi F, and on a face F too): the size
    against which eigenvalue signs are read, ``SIGN_TOL * sign_scale(...)``."""
    biggest = 0.0
    for a in arrays:
        rows = a.tolist() if isinstance(a, mpmath.matrix) else np.asarray(a, dtype=object)
        biggest = max(biggest, max((abs(float(x)) for x in np.ravel(rows)), default=0.0))
    return min(1.0, biggest)


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
    mults = face_multipliers(face, F)
    if mults:  # the bound directions' margins are the multipliers (docs/theory.md)
        mu = min([mu] + [_to_float(x) for x in mults])
    notes += bound_notes(face, [exact_sign(x, tol) == 0 for x in mults], d, k)
    eigs = tuple(complex(z) for z in tangent) + tuple(complex(-_to_float(x)) for x in mults)
    residual = max((abs(_to_float(_g(F, a) - _g(F, b))) for a, b in face.equations),
                   default=0.0)
    return eigs, mu, residual


def certified_stability(J) -> tuple:
    """Stability of every matrix in an arb enclosure ``J`` of DF, decided rigorously.

    With c(x) = det(x I - J) = x^d + c_1 x^{d-1} + ... + c_d (arb's
    characteristic polynomial, an enclosure for every matrix in the balls):

    - STABLE when every Hurwitz determinant of c is > 0 (Routh-Hurwitz: all
      eigenvalues have Re < 0), UNSTABLE when the same holds for c(-x);
    - SADDLE when d = 2 and c_2 = det J < 0 (one real eigenvalue of each
      sign), or when arb's eigenvalue enclosures (`acb_mat.eig`) have real
      parts of both signs, none holding 0;
    - DEGENERATE otherwise: some enclosure holds 0.

    The decision is scale-free: eigenvalues of -2e-10 are as stable as -2.

    Parameters
    ----------
    J : list of list of arb, shape (d, d)

    Returns
    -------
    (Stability, str)
        The class and the enclosures it was decided from (for the notes).

    Examples
    --------
    >>> from flint import arb
    >>> certified_stability([[arb("-2e-10"), arb(0)], [arb(0), arb("-3e-10")]])[0].value
    'stable'
    >>> certified_stability([[arb(0, 1e-12), arb(0)], [arb(0), arb(-1)]])[0].value
    'degenerate'
    """
    d = len(J)
    c = list(reversed(arb_mat(J).charpoly().coeffs()))  # 1, c_1, ..., c_d
    shown = "characteristic polynomial coefficients " + ", ".join(
        x.str(3) for x in c[1:])
    if _hurwitz_positive(c):
        return Stability.STABLE, shown + " (Routh-Hurwitz: every Re < 0)"
    if _hurwitz_positive([x * (-1) ** k for k, x in enumerate(c)]):
        return Stability.UNSTABLE, shown + " (Routh-Hurwitz: every Re > 0)"
    if d == 2 and c[2] < 0:
        return Stability.SADDLE, shown + " (det DF < 0)"
    try:
        eigs = acb_mat([[x for x in row] for row in J]).eig(multiple=True)
    except ValueError:
        eigs = None
    if eigs is not None:
        re = [e.real for e in eigs]
        if all(r < 0 or r > 0 for r in re) and any(r < 0 for r in re) \
                and any(r > 0 for r in re):
            return Stability.SADDLE, "eigenvalue enclosures " + ", ".join(
                e.str(3) for e in eigs)
    return Stability.DEGENERATE, shown + ": an eigenvalue enclosure holds 0"


def _hurwitz_positive(c) -> bool:
    """Whether every leading minor of the Hurwitz matrix of c is certified > 0."""
    n = len(c) - 1
    H = [[c[2 * (j + 1) - (i + 1)] if 0 <= 2 * (j + 1) - (i + 1) <= n else arb(0)
          for j in range(n)] for i in range(n)]
    for k in range(1, n + 1):
        if not arb_mat([row[:k] for row in H[:k]]).det() > 0:
            return False
    return True


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

def bound_notes(face, zero_multipliers, d: int, k: int) -> list[str]:
    """The notes on a face point's bounds: each bound F is tangent to (a zero
    normal-cone multiplier), and how its d eigenvalues are made up (k of DF on
    the face, then -multiplier for each of the d - k bound directions)."""
    notes = [f"F is tangent to the bound where agent {face.agents[block] + 1} drops action "
             f"{action} (zero normal-cone multiplier)"
             for (_, _, (block, action)), zero in zip(face.multipliers, zero_multipliers) if zero]
    if d - k:
        notes.append(f"eigenvalues: {k} of DF on the face, then -multiplier for each "
                     f"of the {d - k} bound directions")
    return notes


__all__ = ["NASH_GAP", "SINGULAR_RTOL", "best_response_gap", "bound_notes",
           "certified_stability", "characterise", "face_multipliers", "sign_scale"]
