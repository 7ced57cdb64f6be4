"""Fixed points of F_lambda = v + lambda M solved exactly in lambda (affine fields on a box).

In the direct parameterisation of a 2x2 game v and M are affine in phi, so
F_lambda(phi) = A(lambda) phi + b(lambda) with A, b polynomial in lambda. The
fixed points of the projected dynamics on the box [0, 1]^d are found face by
face: on the face where the coordinates in K are held at 0 or 1, the free
coordinates y solve A_ff(lambda) y = -F_f(fixed part), so by Cramer's rule

    y(lambda) = -adj(A_ff) F_f(0) / det A_ff,

a rational function of lambda wherever det A_ff(lambda) != 0. The point is
a fixed point when 0 <= y <= 1 and the multipliers of the held coordinates
point outward (F_k <= 0 where x_k = 0, F_k >= 0 where x_k = 1); it is a
*stable* one when all of these hold strictly and A_ff is Hurwitz (one free
coordinate: A_ff < 0; two: trace < 0 < det).

Every one of these conditions is a rational function of lambda, so the
lambdas where a fixed point changes are among the real roots of their
numerators and denominators, isolated exactly (``Poly.real_roots``):

- a free coordinate reaching 0 or 1, a multiplier reaching 0: "boundary"
  (a point reaches a face of the box; a corner or edge point stops, or
  starts, being a stable fixed point);
- det A_ff = 0: "line" when the face's equations stay consistent there and
  their solutions meet the face (a line of fixed points appears); an
  inconsistent system is no event in the box (the point passes through
  infinity, so it has left the box before);
- trace A_ff = 0 with det A_ff > 0: "hopf".
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import sympy as sp

from eqselect.theory.engine import to_sympy
from eqselect.theory.rules import LAMBDA


@dataclass(frozen=True)
class FaceSolution:
    """The fixed point of F_lambda on one face of the box, as a function of lambda.

    Attributes
    ----------
    face : tuple
        Per coordinate: 0 or 1 (held) or None (free).
    point : tuple of sympy.Expr
        Coordinates, rational functions of lambda.
    det, trace : sympy.Expr
        det and trace of A_ff (1 and 0 on a corner).
    existence : dict
        name -> expression that is >= 0 exactly where the point is a fixed point.
    stability : dict
        name -> expression that is > 0 (all of them) exactly where it is a stable one.
    """

    face: tuple
    point: tuple
    det: sp.Expr
    trace: sp.Expr
    existence: dict
    stability: dict


def is_affine(F, symbols) -> bool:
    """Whether every component of F is a polynomial of degree <= 1 in phi whose
    coefficients are polynomials in lambda with rational coefficients (the roots in
    lambda are then isolated exactly)."""
    for x in F:
        if not to_sympy(x).is_polynomial(*symbols, LAMBDA):
            return False
        poly = sp.Poly(x, *symbols, LAMBDA)
        if not poly.domain.is_QQ and not poly.domain.is_ZZ:
            return False
        if sp.Poly(x, *symbols).total_degree() > 1:
            return False
    return True


def face_solution(F, symbols, face) -> FaceSolution | None:
    """The fixed point of the affine field F on ``face`` (None when det A_ff = 0 for
    every lambda: the face's equations then have no isolated solution)."""
    held = {x: sp.Integer(c) for x, c in zip(symbols, face) if c is not None}
    free = [k for k, c in enumerate(face) if c is None]
    Fh = sp.Matrix([sp.expand(x.xreplace(held)) for x in F])
    ys = [symbols[k] for k in free]
    A = sp.Matrix([[Fh[i].diff(y) for y in ys] for i in free])
    b = sp.Matrix([Fh[i].xreplace({y: 0 for y in ys}) for i in free])
    det = sp.factor(A.det()) if free else sp.Integer(1)
    if det == 0:
        return None
    sol = (-A.adjugate() * b / det) if free else sp.Matrix([])
    y = {s: sp.cancel(v) for s, v in zip(ys, sol)}
    point = tuple(y.get(x, held.get(x)) for x in symbols)
    at = dict(zip(symbols, point))
    existence, stability = {}, {}
    for k, (x, c) in enumerate(zip(symbols, face)):
        if c is None:
            existence[f"{x} >= 0"], existence[f"{x} <= 1"] = at[x], sp.cancel(1 - at[x])
        else:
            out = sp.cancel(F[k].xreplace(at) * (1 if c == 1 else -1))
            existence[f"multiplier of {x} = {c}"] = out
    stability.update(existence)
    trace = A.trace() if free else sp.Integer(0)
    if len(free) == 1:
        stability["-D F"] = -A[0, 0]
    elif len(free) == 2:
        stability["-trace"], stability["det"] = -trace, det
    elif len(free) > 2:
        raise ValueError("exact face solutions are written for at most two free coordinates")
    return FaceSolution(tuple(face), point, det, trace, existence, stability)


def all_faces(F, symbols) -> list[FaceSolution]:
    """`face_solution` on every face of [0, 1]^d (d <= 2)."""
    out = []
    for face in product((None, 0, 1), repeat=len(symbols)):
        sol = face_solution(F, symbols, face)
        if sol is not None:
            out.append(sol)
    return out


def _roots(expr, lo, hi, closed_low: bool = False) -> list:
    """Real roots of the numerator and denominator of ``expr`` in (lo, hi], exactly."""
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    out = []
    for part in (num, den):
        if not part.has(LAMBDA):
            continue
        for r in sp.Poly(part, LAMBDA).real_roots():
            if (lo <= r if closed_low else lo < r) and r <= hi:
                out.append(r)
    return out


def _value(expr, r):
    """expr at lambda = r: sympy.nan at a pole, else an exact number."""
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    d = sp.simplify(den.xreplace({LAMBDA: r}))
    if d == 0:
        return sp.nan
    return sp.simplify(num.xreplace({LAMBDA: r}) / d)


def _positive(x) -> bool:
    return x is not sp.nan and bool(x > 0)


def stable_until(sol: FaceSolution, lam_max) -> object:
    """The first lambda in (0, lam_max] where the face point stops being a stable fixed
    point (a condition reaches 0 or a pole), or None if it stays stable throughout.

    Raises
    ------
    ValueError
        When the point is not a stable fixed point at lambda = 0.
    """
    if not all(_positive(_value(h, sp.Integer(0))) for h in sol.stability.values()):
        raise ValueError("the face point is not a stable fixed point at lambda = 0")
    cands = sorted({r for h in sol.stability.values() for r in _roots(h, 0, lam_max)},
                   key=lambda r: sp.N(r, 30))
    for r in cands:
        if not all(_positive(_value(h, r)) for h in sol.stability.values()):
            return r
    return None


def events(F, symbols, lam_max) -> list[dict]:
    """Exact events of the fixed points of F_lambda over (0, lam_max] (module docstring)."""
    out = []
    for sol in all_faces(F, symbols):
        conds = [("boundary", name, h) for name, h in sol.existence.items()]
        conds += [("det", "det", sol.det), ("hopf", "trace", sol.trace)]
        for kind, name, h in conds:
            for r in _roots(h, 0, lam_max):
                ev = _event_at(F, symbols, sol, kind, name, r)
                if ev is not None:
                    out.append(ev)
    out.sort(key=lambda e: sp.N(e["exact_lam"], 30))
    return out


def _event_at(F, symbols, sol, kind, name, r) -> dict | None:
    face = "interior" if all(c is None for c in sol.face) else "; ".join(
        f"{x} = {c}" for x, c in zip(symbols, sol.face) if c is not None)
    if kind == "det":
        return _singular(F, symbols, sol, r, face)
    point = tuple(_value(x, r) for x in sol.point)
    if any(x is sp.nan for x in point):
        return None
    ex = [_value(h, r) for h in sol.existence.values()]
    if any(x is sp.nan or x < 0 for x in ex):
        return None  # no fixed point of the box there
    if kind == "hopf" and not _positive(_value(sol.det, r)):
        return None
    return {"type": "boundary" if kind == "boundary" else "hopf", "exact_lam": r,
            "lam": float(sp.N(r, 20)), "point": point, "face": face, "condition": name}


def _singular(F, symbols, sol, r, face) -> dict | None:
    """det A_ff(r) = 0: a line of fixed points when the face's equations stay consistent."""
    held = {x: c for x, c in zip(symbols, sol.face) if c is not None}
    free = [k for k, c in enumerate(sol.face) if c is None]
    ys = [symbols[k] for k in free]
    eqs = [sp.expand(F[k].xreplace(held).xreplace({LAMBDA: r})) for k in free]
    A, b = sp.linear_eq_to_matrix(eqs, ys)
    if A.rank() != A.row_join(b).rank() or not _meets_face(eqs, ys):
        return None
    return {"type": "line", "exact_lam": r, "lam": float(sp.N(r, 20)), "point": None,
            "face": face, "condition": "det", "equations": [str(sp.Eq(e, 0)) for e in eqs]}


def _meets_face(eqs, ys) -> bool:
    """Whether the solution set of the (consistent, singular) equations meets [0, 1]^k:
    each non-trivial equation takes both signs (or 0) over the corners of the face."""
    corners = [dict(zip(ys, c)) for c in product((0, 1), repeat=len(ys))]
    for e in eqs:
        vals = [e.xreplace(c) for c in corners]
        if e != 0 and (min(vals) > 0 or max(vals) < 0):
            return False
    return True
