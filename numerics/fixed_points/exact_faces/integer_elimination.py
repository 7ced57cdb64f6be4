"""Support enumeration of an affine field in integers: the fast exact face solver.

For every two-agent normal-form game the field is affine, F = A phi + c
(`eqselect.numerics.fixed_points.exact_faces.affine`), and scaled once by the least
common denominator (`integral_form`) A and c are integer matrices; a
positive factor changes neither the zeros nor the signs that decide a fixed
point. Each face phi = P y + q (`eqselect.numerics.fixed_points.exact_faces.enumeration`) is
then solved without a Fraction or a sympy number on the way:

1. The face's equations G_k = G_{s0} are the square integer system
   M y = r, M = rows of A P, r from A q + c.
2. Integer-preserving Gauss-Jordan elimination (`integer_gauss_jordan`)
   brings [M | r] to D times its reduced row echelon form, D the last
   pivot (a minor of M), every division exact. A unique solution is
   y = Y / D with Y integer; so are phi = (P Y + q D) / D and D F(phi).
3. Signs decide: every support probability of D phi > 0 and every
   normal-cone multiplier of D F(phi) >= 0 (D > 0), in integers.
4. A null space is a continuum: y = (Y0 + N z) / D with the canonical null
   basis of the echelon form. The probabilities and multipliers are
   integer affine forms c0 + g . z >= 0; the continuum is that polytope,
   its vertices (`integer_vertices`) its extreme points, and its
   representative is their centroid, which lies in the polytope's relative
   interior: the continuum meets the face's relative interior exactly when
   every probability is > 0 there (otherwise it is found on a lower face).
5. An admitted point's record is read off in integers (`IntegerRecords`), or
   built by `characterise` on the field where the payoffs or strategies are
   not integer data.

The faces of a region do not depend on the game: they are built once per
block structure (`face_table`) with the sparse columns of P. For PG on two
agents most faces are ruled out agent by agent before their system is
solved (`eqselect.numerics.fixed_points.exact_faces.split_faces`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from fractions import Fraction

import sympy as sp

from eqselect.numerics.fixed_points.core.characterise import KnownStability, characterise
from eqselect.numerics.fixed_points.exact_faces.integer_records import IntegerRecords
from eqselect.numerics.fixed_points.exact_faces.integer_systems import (face_table,
                                                                       integer_gauss_jordan)
from eqselect.numerics.fixed_points.exact_faces.split_faces import SplitFilter, split_table
from eqselect.numerics.fixed_points.core.record import Route


def solve_integer_faces(problem, A, c) -> list:
    """Every fixed point of the projected dynamics, face by face, for integer A and c.

    Parameters
    ----------
    problem : ProjectedProblem
        Its field gives the records (`characterise`).
    A : list of list of int, shape (d, d)
    c : list of int, shape (d,)
        A positive multiple of the field: F = (A phi + c) / D_0.

    Returns
    -------
    list of Equilibrium
        In the order of the faces; a continuum is one DEGENERATE
        representative carrying its extreme points (module docstring).
    """
    d = len(c)
    records = IntegerRecords.of(problem.field, problem.notes)
    Ae = [list(row) + [0] for row in A] + [[0] * (d + 1)]
    ce = list(c) + [0]
    diff = {}  # (a, b) -> (row a - row b of Ae, c_a - c_b): shared by every face
    out = []
    table = face_table(problem.blocks, d, problem.agents)
    split = SplitFilter.of(A, c, problem.blocks, problem.agents)
    sides = split_table(problem.blocks, d, problem.agents) if split else (None,) * len(table)
    for (face, cols, refs, eqs), halves in zip(table, sides):
        if split is not None and split.rejects(halves):
            continue
        k = len(cols)
        R = []
        for ab in eqs:
            if ab not in diff:
                a, b = ab
                diff[ab] = ([x - y for x, y in zip(Ae[a], Ae[b])], ce[a] - ce[b])
            row, c0 = diff[ab]
            R.append([row[f] - row[r] for f, r in cols] + [-c0 - sum(row[l] for l in refs)])
        pivots, D = integer_gauss_jordan(R, k)
        if any(R[i][k] for i in range(len(pivots), k)):
            continue  # inconsistent
        if D < 0:
            R, D = [[-x for x in row] for row in R], -D
        if len(pivots) == k:
            Y = [0] * k
            for i, col in enumerate(pivots):
                Y[col] = R[i][k]
            phi = _phi(face, Y, D)
            if _admitted(face, A, c, phi, D):
                out.append(_record(problem, records, face, phi, D))
        else:
            out.extend(_continuum(problem, records, face, (A, c), R, pivots, D))
    return out


def _at1(values, i):
    return values[i] if i is not None else 0


def _phi(face, Y, D) -> list:
    """D phi = P Y + q D (integers)."""
    return [sum(p * y for p, y in zip(row, Y)) + q * D for row, q in zip(face.P, face.q)]


def _probabilities(face, phi, D) -> list:
    """D times each support probability at D phi."""
    return [D - sum(phi[i] for i in idx) if last else phi[idx[0]]
            for last, idx in face.probabilities]


def _multipliers(face, A, c, phi, D) -> list:
    """D times each normal-cone multiplier G_{s0} - G_j at D phi."""
    F = [sum(a * x for a, x in zip(row, phi)) + ci * D for row, ci in zip(A, c)]
    return [_at1(F, s0) - _at1(F, j) for s0, j, _ in face.multipliers]


def _admitted(face, A, c, phi, D) -> bool:
    return all(p > 0 for p in _probabilities(face, phi, D)) and \
        all(m >= 0 for m in _multipliers(face, A, c, phi, D))


def _record(problem, records, face, phi, D, continuum=None):
    """The record of phi / D (integers): in integers where `IntegerRecords` applies."""
    if records is not None:
        return records.record(face, phi, D, continuum)
    at = tuple(sp.Rational(x, D) for x in phi)
    return characterise(at, problem.field, face, exact=at, route=Route.EXACT,
                        notes=list(problem.notes), known=KnownStability(continuum=continuum))


def _continuum(problem, records, face, Ac, R, pivots, D) -> list:
    """The representative and extreme points of a face's continuum (step 4), or []."""
    A, c = Ac
    k = len(face.free)
    free = [f for f in range(k) if f not in pivots]
    Y0 = [0] * k
    for i, col in enumerate(pivots):
        Y0[col] = R[i][k]
    basis = []
    for f in free:
        v = [0] * k
        v[f] = D
        for i, col in enumerate(pivots):
            v[col] = -R[i][f]
        basis.append(v)
    phi0 = _phi(face, Y0, D)
    dirs = [_phi(face, v, 0) for v in basis]
    base = _probabilities(face, phi0, D) + _multipliers(face, A, c, phi0, D)
    grads = [_probabilities(face, v, 0) + _multipliers(face, A, c, v, 0) for v in dirs]
    cons = [(b, [g[n] for g in grads]) for n, b in enumerate(base)]
    vertices = integer_vertices(cons, len(free))
    if not vertices:
        return []
    n_prob = len(face.probabilities)
    centre = [sum(v[j] for v in vertices) / len(vertices) for j in range(len(free))]
    if any(c0 + sum(g * z for g, z in zip(gr, centre)) <= 0 for c0, gr in cons[:n_prob]):
        return []  # the continuum only touches lower faces (found there)

    def phi_at(z):
        return [Fraction(x + sum(zj * dv[i] for zj, dv in zip(z, dirs)), D)
                for i, x in enumerate(phi0)]

    extreme = tuple(tuple(sp.Rational(x.numerator, x.denominator) for x in phi_at(z))
                    for z in vertices)
    note = (f"continuum of fixed points on face {face.describe()} "
            f"(dimension {len(free)}); this is one representative")
    centre_phi = phi_at(centre)
    den = math.lcm(*(x.denominator for x in centre_phi))
    rec = _record(problem, records, face, [int(x * den) for x in centre_phi], den, note)
    return [replace(rec, extreme_points=extreme, dimension=len(free))]


def integer_vertices(cons, r: int) -> list:
    """Vertices of the bounded polytope {z in R^r : c0 + g . z >= 0 for (c0, g) in cons}.

    Every r of the integer constraints with a unique common zero are solved
    by `integer_gauss_jordan`; the solutions satisfying every constraint are
    the vertices, sorted, as tuples of Fractions.

    Examples
    --------
    >>> integer_vertices([(0, [1]), (1, [-1])], 1)  # 0 <= z <= 1
    [(Fraction(0, 1),), (Fraction(1, 1),)]
    """
    seen = set()
    if r == 1:  # one constraint at a time: z = -c0 / g, checked against every constraint
        for c0, (g,) in cons:
            s = 1 if g > 0 else -1
            if g and all(s * (c * g - h * c0) >= 0 for c, (h,) in cons):
                seen.add((Fraction(-c0, g),))
        return sorted(seen)
    for chosen in itertools.combinations(cons, r):
        R = [list(g) + [-c0] for c0, g in chosen]
        pivots, D = integer_gauss_jordan(R, r)
        if len(pivots) < r:
            continue
        z = [0] * r
        for i, col in enumerate(pivots):
            z[col] = R[i][r]
        s = 1 if D > 0 else -1
        if all(s * (c0 * D + sum(g * x for g, x in zip(gr, z))) >= 0 for c0, gr in cons):
            seen.add(tuple(Fraction(x, D) for x in z))
    return sorted(seen)


__all__ = ["integer_vertices", "solve_integer_faces"]
