"""Faces on which the field is polynomial: Groebner bases and real root isolation.

For three or more agents F is polynomial (not affine) in phi. On a face the
equations G_k = G_{s0} in the free coordinates y are solved exactly:

1. a grevlex Groebner basis decides inconsistency ([1]) and dimension;
2. a zero-dimensional system is solved by `real_solutions` (lex basis by
   FGLM, shape position, exact real roots);
3. a positive-dimensional one (a continuum) is sliced: free coordinates are
   fixed to sample rationals until the system is zero-dimensional, and the
   first admitted point is one representative; it carries the continuum's
   extreme points when the continuum is a polytope
   (`eqselect.numerics.fixed_points.exact_faces.continua`), otherwise a note with
   sample points.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import replace

import sympy as sp

from eqselect.theory.engine import to_sympy

from eqselect.numerics.fixed_points.exact_faces.affine import solve_affine_face
from eqselect.numerics.fixed_points.core.affine_forms import affine_in
from eqselect.numerics.fixed_points.exact_faces.continua import polytope_continuum
from eqselect.numerics.fixed_points.exact_faces.problem import ProjectedProblem, face_record
from eqselect.numerics.fixed_points.exact_faces.enumeration import face_point

#: How many sample slices are tried to locate a nonlinear continuum.
CONTINUUM_TRIES = 24
#: How many sample points describe a continuum that is not shown to be a polytope.
CONTINUUM_SAMPLES = 3


def solve_polynomial_face(problem: ProjectedProblem, face) -> list:
    """Every fixed point on one face of a polynomial field (steps 1-3 above)."""
    params = problem.params
    ys = [params[i] for i in face.free]
    sub = {s: sum((coef * ys[j] for j, coef in enumerate(face.P[i]) if coef),
                  sp.Integer(face.q[i])) for i, s in enumerate(params)}
    Fs = [e.xreplace(sub) for e in problem.F]
    eqs = [sp.expand(_g(Fs, a) - _g(Fs, b)) for a, b in face.equations]
    eqs = [e for e in eqs if e != 0]
    if not ys:
        rec = face_record(problem, face, tuple(sp.Integer(x) for x in face.q))
        return [rec] if rec is not None else []
    Fy = affine_in(Fs, ys)
    if Fy is not None:  # e.g. one mixed agent: linear on this face
        return solve_affine_face(problem, face, Fy)
    mults = [sp.expand(_g(Fs, s0) - _g(Fs, j)) for s0, j, _ in face.multipliers]
    if not eqs:
        return _polynomial_continuum(problem, face, ys, eqs, mults)
    G = sp.groebner(eqs, *ys, order="grevlex")
    if list(G.exprs) == [1]:
        return []
    if not G.is_zero_dimensional:
        return _polynomial_continuum(problem, face, ys, list(G.exprs), mults)
    out = []
    for sol in real_solutions(list(G.exprs), ys):
        phi = tuple(to_sympy(sub[s]).xreplace(dict(zip(ys, sol))) for s in params)
        rec = face_record(problem, face, phi)
        if rec is not None:
            out.append(rec)
    return out


def _g(F, i):
    return 0 if i is None else F[i]


def _slices(ys):
    """(fixed coordinates, values) to try, at most ``CONTINUUM_TRIES`` of them."""
    samples = [sp.Rational(a, b) for b in (2, 3, 5, 7, 11) for a in range(1, b)]
    tries = 0
    for r in range(1, len(ys) + 1):
        for chosen in itertools.combinations(ys, r):
            for vals in itertools.product(samples[:4], repeat=r):
                tries += 1
                if tries > CONTINUUM_TRIES:
                    break
                yield dict(zip(chosen, vals))


def _slice_solutions(eqs, ys, fix) -> list:
    """Real solutions of the system with the coordinates in ``fix`` fixed ([] if none)."""
    rest = [y for y in ys if y not in fix]
    sys_ = [e for e in (sp.expand(e.xreplace(fix)) for e in eqs) if e != 0]
    if rest and sys_:
        G = sp.groebner(sys_, *rest, order="grevlex")
        if list(G.exprs) == [1] or not G.is_zero_dimensional:
            return []
        return [{**fix, **dict(zip(rest, sol))} for sol in real_solutions(list(G.exprs), rest)]
    if rest or sys_:
        return []
    return [dict(fix)]


def _polynomial_continuum(problem, face, ys, eqs, mults):
    """A representative of a positive-dimensional solution set inside the face.

    Free coordinates are fixed one by one to sample rationals until the
    system becomes zero-dimensional; the first real solution inside the
    face with multipliers >= 0 is the representative. When the continuum is
    a polytope (`polytope_continuum`) the representative carries its exact
    extreme points; otherwise its note says so and lists up to
    ``CONTINUUM_SAMPLES`` sample points.
    """
    label = face.describe()
    shape = polytope_continuum(face, ys, eqs, mults)
    samples = []
    for fix in _slices(ys):
        for point in _slice_solutions(eqs, ys, fix):
            phi = face_point(face, [point[s] for s in ys])
            if face_record(problem, face, phi, continuum="probe") is not None and \
                    phi not in samples:
                samples.append(phi)
        if samples and (shape is not None or len(samples) >= CONTINUUM_SAMPLES):
            break
    if not samples:
        warnings.warn(f"F_free = 0 has a continuum of solutions on face {label}, but no "
                      "representative inside the face was located; fixed points there may "
                      "be missing", RuntimeWarning, stacklevel=3)
        return []
    if shape is not None:
        note = (f"continuum of fixed points on face {label} (dimension {shape[1]}): a "
                "polytope, its extreme points listed; this is one representative")
    else:
        listed = "; ".join("(" + ", ".join(str(x) for x in p) + ")" for p in samples)
        note = (f"continuum of fixed points on face {label} that is not shown to be a "
                f"polytope (its equations are not linear on the face); samples: {listed}; "
                "this is one representative")
    rec = face_record(problem, face, samples[0], continuum=note)
    return [replace(rec, extreme_points=shape[0], dimension=shape[1])
            if shape is not None else rec]


def real_solutions(polys, gens) -> list[tuple]:
    """The real solutions of a zero-dimensional polynomial system, exact.

    1. A lex Groebner basis (grevlex, then FGLM).
    2. In shape position (y_i - h_i(y_n) for i < n, and a univariate
       polynomial in y_n): the exact real roots of the univariate
       polynomial (radicals up to degree 2 factors, ``CRootOf`` above), the
       other coordinates y_i = h_i(root).
    3. Otherwise, every generator's eliminating polynomial is isolated with
       ``real_roots`` and the combinations at which every polynomial is
       below 1e-40 at 60 digits are kept (`_satisfying`).

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> real_solutions([x**2 - 2, y - x], [x, y])
    [(-sqrt(2), -sqrt(2)), (sqrt(2), sqrt(2))]
    """
    G = _lex_basis(polys, gens)
    exprs = list(G.exprs)
    if exprs == [1]:
        return []
    last = gens[-1]
    shape = {}
    for g in exprs[:-1]:
        p = sp.Poly(g, *gens)
        lead = [v for v in gens[:-1] if p.degree(v) > 0]
        if len(lead) == 1 and p.degree(lead[0]) == 1 and \
                sp.Poly(g, lead[0]).LC().is_number and lead[0] not in shape:
            v = lead[0]
            shape[v] = sp.solve(g, v)[0]
    if len(shape) == len(gens) - 1 and exprs[-1].free_symbols <= {last} and \
            len(exprs) == len(gens):
        out = []
        for root in sp.real_roots(sp.Poly(exprs[-1], last)):
            out.append(tuple(root if v == last else sp.expand(shape[v].xreplace({last: root}))
                             for v in gens))
        return _dedupe(out)
    roots = []
    for g in gens:
        others = [h for h in gens if h != g]
        Gg = _lex_basis(polys, others + [g])
        uni = [p for p in Gg.exprs if p.free_symbols <= {g}]
        roots.append(sp.real_roots(sp.Poly(uni[-1], g)) if uni else [])
    return _dedupe(_satisfying(polys, gens, roots))


#: Digits the root combinations of `real_solutions` are tested at, and how close
#: to zero every polynomial must come (an algebraic number of the heights met
#: here that is not zero lies far above it).
COMBINATION_DIGITS, COMBINATION_ZERO = 60, 1e-40


def _satisfying(polys, gens, roots) -> list[tuple]:
    """The combinations of the exact roots (one list per generator) at which every
    polynomial vanishes to `COMBINATION_ZERO`, tested at `COMBINATION_DIGITS` digits.

    Each root is evaluated once (a ``CRootOf`` refines its isolating interval
    at every evaluation) and each polynomial is summed over its terms in
    mpmath: a sympy evaluation of the polynomial at the roots themselves took
    seconds for the 80 combinations of a three-player face.
    """
    import mpmath

    def value(number):  # a real algebraic number (a root, a coefficient), to 70 digits
        return mpmath.mpmathify(sp.N(number, COMBINATION_DIGITS + 10))

    with mpmath.workdps(COMBINATION_DIGITS):
        near = [[value(r) for r in rs] for rs in roots]
        terms = [[(m, value(c)) for m, c in sp.Poly(p, *gens).terms()] for p in polys]
        out = []
        for combo, x in zip(itertools.product(*roots), itertools.product(*near)):
            if all(abs(mpmath.fsum(c * mpmath.fprod(v ** e for v, e in zip(x, m))
                                   for m, c in t)) < COMBINATION_ZERO for t in terms):
                out.append(tuple(combo))
    return out


def _lex_basis(polys, gens):
    G = sp.groebner(polys, *gens, order="grevlex")
    if list(G.exprs) == [1] or not G.is_zero_dimensional:
        return G
    return G.fglm("lex")


def _dedupe(sols):
    seen, out = set(), []
    for s in sols:
        key = tuple(round(float(sp.N(v, 30)), 12) for v in s)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return sorted(out, key=lambda s: [float(sp.N(v, 30)) for v in s])


__all__ = ["CONTINUUM_SAMPLES", "CONTINUUM_TRIES", "real_solutions", "solve_polynomial_face"]
