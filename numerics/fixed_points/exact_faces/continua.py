"""Continua of fixed points on polynomial faces: a polytope's extreme points, or samples.

On a face of the direct parameterisation with free coordinates y, the
fixed points are {y : G(y) = 0, probabilities >= 0, multipliers >= 0}
(`eqselect.numerics.fixed_points.exact_faces.enumeration`). For three or more agents G and
the multipliers are polynomials in y. When the system has a
positive-dimensional solution set the face holds a continuum, and it is a
polytope when, on the face, it is cut out by affine (in)equalities:

1. each equation is factored, and a factor that is affine in y and has one
   strict sign at every vertex of the face's probability polytope (so, being
   affine, on the whole face) is dropped: it does not vanish on the face;
2. a Groebner basis of what is left that is linear gives the affine
   solution space y = y0 + N z exactly (`solve_affine_system`);
3. the probabilities and multipliers restricted to it must be affine in z
   with rational coefficients; then the continuum is the polytope
   {z : every one >= 0}, and its vertices (`polytope_vertices`) are its
   extreme points.

Otherwise (a curved solution set, or multipliers that are not affine on
it) `polytope_continuum` returns None and the caller reports samples of a
continuum that is not shown to be a polytope.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from eqselect.theory.engine import to_sympy

from eqselect.numerics.fixed_points.exact_faces.affine import (
    polytope_vertices, solve_affine_system)
from eqselect.numerics.fixed_points.core.affine_forms import affine_in, rational
from eqselect.numerics.fixed_points.exact_faces.enumeration import face_point, probability


def polytope_continuum(face, ys, eqs, mults):
    """(extreme points, dimension) of a face continuum that is a polytope, or None.

    Parameters
    ----------
    face : Face
    ys : list of sympy.Symbol
        The free coordinates.
    eqs : list of sympy.Expr
        The face's equations G_k - G_{s0} in ``ys`` (an empty list: every y).
    mults : list of sympy.Expr
        The multipliers G_{s0} - G_j in ``ys``, each >= 0 at a fixed point.

    Returns
    -------
    (tuple of tuple, int) or None
        The polytope's vertices as exact points phi of the parameter space,
        and the dimension of its affine hull (the null space), as in the
        steps of the module docstring.
    """
    probs = [probability(spec, face_point(face, ys)) for spec in face.probabilities]
    domain = _affine_constraints(probs, ys)
    if domain is None:
        return None
    corners = polytope_vertices(domain, len(ys))
    kept = [_drop_sign_definite(e, ys, corners) for e in eqs]
    kept = [e for e in kept if e != 0]
    if any(e.is_number for e in kept):
        return None  # an equation with no zero on the face: no continuum here
    basis = list(sp.groebner(kept, *ys, order="grevlex").exprs) if kept else []
    rows = affine_in(basis, ys) if basis else []
    if rows is None or any(not isinstance(v, Fraction) for r, c in rows for v in (*r, c)):
        return None
    sol = solve_affine_system([r for r, _ in rows], [-c for _, c in rows]) if rows else \
        ([Fraction(0)] * len(ys), [[Fraction(int(i == j)) for i in range(len(ys))]
                                   for j in range(len(ys))])
    if sol is None or not sol[1]:
        return None
    y0, null = sol
    zs = sp.symbols(f"z0:{len(null)}")
    y_of_z = {y: rational(a) + sum((rational(v[i]) * z for v, z in zip(null, zs)), sp.Integer(0))
              for i, (y, a) in enumerate(zip(ys, y0))}
    cons = _affine_constraints([sp.expand(to_sympy(e).xreplace(y_of_z))
                                for e in probs + list(mults)], zs)
    if cons is None:
        return None
    vertices = polytope_vertices(cons, len(zs))
    extreme = tuple(face_point(face, [rational(to_sympy(y_of_z[y]).xreplace(
        {z: rational(c) for z, c in zip(zs, v)})) for y in ys]) for v in vertices)
    return extreme, len(null)


def _affine_constraints(exprs, gens):
    """[(c0, g)] with e = c0 + g . gens for each e, all rational; None otherwise."""
    rows = affine_in([sp.expand(to_sympy(e)) for e in exprs], list(gens))
    if rows is None:
        return None
    out = []
    for row, const in rows:
        if not all(isinstance(v, Fraction) for v in (*row, const)):
            return None
        out.append((const, row))
    return out


def _drop_sign_definite(expr, ys, corners):
    """``expr`` without its affine factors of one strict sign on the face (step 1)."""
    if expr.is_number:
        return expr
    _, factors = sp.factor_list(sp.expand(expr), *ys)
    out = sp.Integer(1)
    for f, k in factors:
        rows = affine_in([f], ys)
        if rows is not None and corners and _one_sign(rows[0], corners):
            continue
        out *= f ** k
    return out


def _one_sign(row, corners) -> bool:
    lin, const = row
    values = [sum((a * b for a, b in zip(lin, c)), const) for c in corners]
    return all(v > 0 for v in values) or all(v < 0 for v in values)


__all__ = ["polytope_continuum"]
