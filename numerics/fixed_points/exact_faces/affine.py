"""Faces on which the field is affine: exact Gauss-Jordan, vertices for a continuum.

For every two-agent normal-form game F is affine in phi (every method), and
on a face with one mixed agent it is affine in the face's free coordinates
y. The face's equations G_k = G_{s0} are then a linear system M y = r,
solved in exact rationals (`solve_affine_system`). A unique solution is
checked by `face_record`; a null space y = y0 + N z is a continuum of fixed
points: the closed polytope {z : probabilities >= 0, multipliers >= 0},
whose exact vertices (`polytope_vertices`) are its extreme points. Their
centroid lies in the polytope's relative interior, so the continuum meets
the face's relative interior exactly when every support probability is > 0
there; it is then the one representative reported, carrying the extreme
points. With irrational data (a payoff sqrt(2)) the LP max t s.t. every
support probability >= t and every multiplier >= 0 decides instead
(t* > 0), and its rounded optimum is the representative.

Rational two-agent fields take the faster integer route of
`eqselect.numerics.fixed_points.exact_faces.integer_elimination`, which gives the same points.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import sympy as sp

from eqselect.numerics.fixed_points.exact_faces.problem import ProjectedProblem, face_record
from eqselect.numerics.fixed_points.core.affine_forms import rational
from eqselect.numerics.fixed_points.exact_faces.enumeration import probability


def solve_affine_system(M, r):
    """All solutions of M y = r in exact rationals (Gauss-Jordan).

    Parameters
    ----------
    M : list of list of Fraction, shape (n, k)
        (irrational entries as sympy numbers, e.g. from a payoff sqrt(2))
    r : list of Fraction, shape (n,)

    Returns
    -------
    (y0, N) or None
        A particular solution (length k) and a basis of the null space
        (list of length-k vectors); None when inconsistent.

    Examples
    --------
    >>> from fractions import Fraction as Q
    >>> solve_affine_system([[Q(1), Q(1)]], [Q(1)])
    ([Fraction(1, 1), Fraction(0, 1)], [[Fraction(-1, 1), Fraction(1, 1)]])
    """
    n = len(M)
    k = len(M[0]) if n else 0
    R = [list(row) + [rhs] for row, rhs in zip(M, r)]
    if n and all(isinstance(x, (Fraction, int)) for row in R for x in row):
        pivots = _eliminate_rational(R, n, k)
    else:
        pivots = _eliminate(R, n, k)
    if any(nonzero(R[i][k]) for i in range(len(pivots), n)):
        return None
    y0 = [Fraction(0)] * k
    for i, col in enumerate(pivots):
        y0[col] = R[i][k]
    basis = []
    for fcol in (c for c in range(k) if c not in pivots):
        v = [Fraction(0)] * k
        v[fcol] = Fraction(1)
        for i, col in enumerate(pivots):
            v[col] = -R[i][fcol]
        basis.append(v)
    return y0, basis


def _eliminate_rational(R, n, k) -> list:
    """`_eliminate` for rational rows, by python-flint's exact ``fmpq_mat.rref``."""
    import flint

    flat = [flint.fmpq(x.numerator, x.denominator) if isinstance(x, Fraction) else x
            for row in R for x in row]
    E, rank = flint.fmpq_mat(n, k + 1, flat).rref()
    pivots = []
    for i in range(n):
        R[i] = [Fraction(int(E[i, j].p), int(E[i, j].q)) for j in range(k + 1)]
        if i < rank:
            pivots.append(next(j for j in range(k + 1) if R[i][j] != 0))
    return [c for c in pivots if c < k]


def _eliminate(R, n, k) -> list:
    """Reduce the augmented rows R in place to reduced row echelon form; the pivot columns."""
    pivots, row = [], 0
    for col in range(k):
        piv = next((i for i in range(row, n) if nonzero(R[i][col])), None)
        if piv is None:
            continue
        R[row], R[piv] = R[piv], R[row]
        inv = _simplify(1 / R[row][col])
        R[row] = [_simplify(x * inv) for x in R[row]]
        for i in range(n):
            if i != row and nonzero(R[i][col]):
                f = R[i][col]
                R[i] = [_simplify(a - f * b) for a, b in zip(R[i], R[row])]
        pivots.append(col)
        row += 1
    return pivots


def nonzero(x) -> bool:
    """Whether an entry is non-zero: exactly for Fractions, for an irrational
    number (sympy) by expansion and then 60-digit evaluation (|x| > 1e-45)."""
    if isinstance(x, (Fraction, int)):
        return x != 0
    x = sp.expand(x)
    return x != 0 and abs(sp.N(x, 60)) > sp.Float(10) ** -45


def _simplify(x):
    return x if isinstance(x, (Fraction, int)) else sp.radsimp(sp.expand(x))


def affine_point(face, y):
    """phi = P y + q on a face, in Fractions."""
    return [sum((Fraction(c) * v for c, v in zip(row, y)), Fraction(qi))
            for row, qi in zip(face.P, face.q)]


def solve_global_affine(problem: ProjectedProblem, face, A, c) -> list:
    """Solve a face when F = A phi + c everywhere (two-agent games)."""
    d, k = len(problem.params), len(face.free)
    # F(P y + q) = (A P) y + (A q + c); P and q are sparse integer matrices
    q_nz = [(l, v) for l, v in enumerate(face.q) if v]
    cols = [[(l, face.P[l][j]) for l in range(d) if face.P[l][j]] for j in range(k)]
    Fy = [([sum((A[i][l] * v for l, v in col), 0) for col in cols],
           sum((A[i][l] * v for l, v in q_nz), c[i])) for i in range(d)]
    return solve_affine_face(problem, face, Fy)


def solve_affine_face(problem: ProjectedProblem, face, Fy) -> list:
    """Solve a face on which F(P y + q) is affine in y.

    Parameters
    ----------
    problem : ProjectedProblem
    face : Face
    Fy : list of (list of Fraction, Fraction), length d
        F_i(P y + q) = Fy[i][0] . y + Fy[i][1].
    """
    k = len(face.free)

    def diff(a, b):  # G_a - G_b as (linear row, constant)
        lin = [(Fy[a][0][j] if a is not None else 0) - (Fy[b][0][j] if b is not None else 0)
               for j in range(k)]
        const = (Fy[a][1] if a is not None else 0) - (Fy[b][1] if b is not None else 0)
        return lin, const

    eq = [diff(a, b) for a, b in face.equations]
    sol = solve_affine_system([e[0] for e in eq], [-e[1] for e in eq]) if k else ([], [])
    if sol is None:
        return []
    y0, basis = sol
    mults = [diff(s0, j) for s0, j, _ in face.multipliers]
    if not basis:
        if _violates(face, mults, y0):
            return []
        rec = face_record(problem, face, tuple(rational(x) for x in affine_point(face, y0)))
        return [rec] if rec is not None else []
    return _affine_continuum(problem, face, mults, y0, basis)


def _violates(face, mults, y0) -> bool:
    """A rational point with a negative support probability or multiplier (a quick exact
    reject before `face_record`, which checks the same and more)."""
    if not all(isinstance(v, (Fraction, int)) for row in mults for v in (*row[0], row[1])):
        return False
    if not all(isinstance(v, Fraction) for v in y0):
        return False
    phi = affine_point(face, y0)
    return any(probability(spec, phi) < 0 for spec in face.probabilities) or \
        any(sum((a * b for a, b in zip(lin, y0)), const) < 0 for lin, const in mults)


def _constraints(face, mults, y_of, r) -> list:
    """[(c0, g)]: every support probability and multiplier as c0 + g . z >= 0, exactly."""
    def affine_in_z(fn):  # value at z = 0 and gradient in z, exactly
        v0 = fn(y_of([Fraction(0)] * r))
        return v0, [fn(y_of([Fraction(int(i == j)) for i in range(r)])) - v0
                    for j in range(r)]

    out = [affine_in_z(lambda y: probability(spec, affine_point(face, y)))
           for spec in face.probabilities]
    out += [affine_in_z(lambda y: sum((a * b for a, b in zip(lin, y)), const))
            for lin, const in mults]
    return out


def _continuum_lp(cons, n_prob):
    """Rows and right-hand sides of the LP in (z, t) (see the module docstring);
    the first ``n_prob`` constraints are probabilities (>= t), the rest multipliers (>= 0)."""
    rows, rhs = [], []
    for k, (v0, grad) in enumerate(cons):
        rows.append([-float(g) for g in grad] + [1.0 if k < n_prob else 0.0])
        rhs.append(float(v0))
    return rows, rhs


def polytope_vertices(cons, r) -> list:
    """Vertices of {z in R^r : c0 + g . z >= 0 for every (c0, g) in cons}, exactly.

    Every choice of r constraints with a unique common zero is solved by
    Gauss-Jordan; the solutions satisfying every constraint are the vertices.

    Examples
    --------
    >>> Q = Fraction
    >>> square = [(Q(0), [Q(1)]), (Q(1), [Q(-1)])]  # 0 <= z <= 1
    >>> polytope_vertices(square, 1)
    [(Fraction(0, 1),), (Fraction(1, 1),)]
    """
    import itertools

    out = []
    for chosen in itertools.combinations(cons, r):
        sol = solve_affine_system([list(g) for _, g in chosen], [-c for c, _ in chosen])
        if sol is None or sol[1]:
            continue
        z = tuple(sol[0])
        if all(c + sum((a * b for a, b in zip(g, z)), Fraction(0)) >= 0 for c, g in cons) \
                and z not in out:
            out.append(z)
    return sorted(out)


def _affine_continuum(problem, face, mults, y0, basis):
    """A representative of {y0 + N z} in the face's relative interior with
    multipliers >= 0: with rational data the centroid of the polytope's
    exact vertices (as `eqselect.numerics.fixed_points.exact_faces.integer_elimination`),
    otherwise the LP of the module docstring."""
    r = len(basis)

    def y_of(z):
        return [a + sum((basis[j][i] * z[j] for j in range(r)), Fraction(0))
                for i, a in enumerate(y0)]

    cons = _constraints(face, mults, y_of, r)
    note = (f"continuum of fixed points on face {face.describe()} "
            f"(dimension {r}); this is one representative")
    if not all(isinstance(x, Fraction) for c, g in cons for x in (c, *g)):
        return _lp_representative(problem, face, cons, y_of, r, note)
    vertices = polytope_vertices(cons, r)
    centre = [sum(v[j] for v in vertices) / len(vertices) for j in range(r)] if vertices else ()
    n_prob = len(face.probabilities)
    if not vertices or any(c + sum(a * b for a, b in zip(g, centre)) <= 0
                           for c, g in cons[:n_prob]):
        return []  # empty, or the continuum only touches lower faces (found there)
    extreme = tuple(tuple(rational(x) for x in affine_point(face, y_of(z))) for z in vertices)
    rec = face_record(problem, face, tuple(rational(x) for x in affine_point(face, y_of(centre))),
                      continuum=note)
    return [replace(rec, extreme_points=extreme, dimension=r)] if rec is not None else []


def _lp_representative(problem, face, cons, y_of, r, note):
    """The LP's representative (irrational data; no extreme points listed)."""
    from scipy.optimize import linprog

    rows, rhs = _continuum_lp(cons, len(face.probabilities))
    res = linprog([0.0] * r + [-1.0], A_ub=rows, b_ub=rhs,
                  bounds=[(None, None)] * r + [(None, 1.0)], method="highs")
    if res.status != 0 or res.x[-1] <= 1e-9:
        return []  # the continuum only touches lower faces (found there)
    for den in (10 ** 3, 10 ** 6, 10 ** 12):
        z = [Fraction(float(x)).limit_denominator(den) for x in res.x[:r]]
        phi = tuple(rational(x) for x in affine_point(face, y_of(z)))
        rec = face_record(problem, face, phi, continuum=note)
        if rec is not None:
            return [replace(rec, dimension=r)]
    phi = tuple(sp.Float(float(x), 30) for x in affine_point(
        face, y_of([Fraction(float(x)) for x in res.x[:r]])))
    rec = face_record(problem, face, phi, continuum=note, exact_ok=False)
    return [replace(rec, dimension=r)] if rec is not None else []


__all__ = ["affine_point", "nonzero", "polytope_vertices", "solve_affine_face",
           "solve_affine_system", "solve_global_affine"]
