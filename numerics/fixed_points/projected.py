"""Exact fixed points of the projected dynamics under the direct parameterisation.

Under the direct parameterisation the parameters live in a polytope: a box
[0, 1]^d (two actions per agent) or a product of simplex blocks
{p >= 0, sum(p) <= 1} (m actions, m - 1 parameters per block). A learning
rule with field F (docs/theory.md) then runs the projected dynamics

    phi' = Proj_{T(phi)} F(phi),

T(phi) the tangent cone of the region at phi. Its fixed points are the points
where F lies in the normal cone N(phi). For a block with strategy
x = (p_0, ..., p_{m-2}, 1 - sum p) write G_k = F_k (k < m - 1), G_{m-1} = 0.
On the face whose support is S (the actions with x_k > 0) the condition reads

    G_k = c for every k in S            (F_free = 0 on the face)
    c - G_j >= 0 for every j not in S   (normal-cone multipliers),

which for PG (G_k = u(k) - u(m-1)) is exactly the Nash condition.

Algorithm (support enumeration, nashpy's ``support_enumeration`` in spirit):

1. Enumerate the faces: one non-empty support per block.
2. On each face, fix the bound coordinates (p_k = 0, or p_{s0} = 1 - sum of
   the others when the sum is active) and solve the |S| - 1 equations
   G_k = G_{s0} per block in the free coordinates, exactly: by exact
   Gauss-Jordan elimination when F is affine (all two-agent normal-form
   games, every method), otherwise by a lex Groebner basis and real root
   isolation.
3. Keep the real solutions in the relative interior of the face (every
   support probability > 0) whose multipliers are >= 0.
4. A positive-dimensional solution set that meets the face's relative
   interior is a continuum of fixed points: one representative is reported
   with ``Stability.DEGENERATE`` and a note.
5. Linearise: eigenvalues of DF restricted to the face's tangent space, then
   one entry -multiplier per bound direction (strictly outward F is a stable
   direction, a zero multiplier a degenerate one); ``classify`` on the lot.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from eqselect.theory import Decomposition, GameError, Method, RegionKind
from eqselect.theory.exact import to_exact
from eqselect.theory.engine import to_sympy

from eqselect.numerics.fixed_points.record import Equilibrium, Route, Stability, classify
from eqselect.numerics.fixed_points.nash import exact_sign, is_nash, strategies_at

#: Digits and zero tolerance used for points with algebraic (non-rational) coordinates.
_DIGITS = 60
_ALGEBRAIC_TOL = 1e-40

#: How many sample slices are tried to locate a nonlinear continuum.
_CONTINUUM_TRIES = 24


@dataclass(frozen=True)
class Face:
    """One face of the region: a support per block, in affine coordinates.

    The face is phi = P y + q, y the free coordinates (a subset of the
    parameters, named by ``free``).

    Attributes
    ----------
    supports : tuple of tuple of int
        Per block, the actions with positive probability.
    free : tuple of int
        Indices of the free parameters (the columns of P).
    P : tuple of tuple of int, shape (d, k)
    q : tuple of int, shape (d,)
    equations : tuple of (int, int)
        Pairs (k, s0) of parameter indices (s0 may be None for G = 0):
        the face's equations G_k - G_{s0} = 0, one per free coordinate.
    multipliers : tuple of (int or None, int or None, (int, int))
        (s0, j, (block, action)): the multiplier G_{s0} - G_j of each bound
        direction (an unused action), an index None standing for the last
        action (G = 0).
    probabilities : tuple of (bool, tuple of int)
        Per support action: (False, (i,)) for the probability p_i, or
        (True, block) for the last action's probability 1 - sum(p_block).
    """

    supports: tuple
    free: tuple
    P: tuple
    q: tuple
    equations: tuple
    multipliers: tuple
    probabilities: tuple

    def describe(self, agent_of_block) -> str:
        """A one-line name of the face, e.g. ``agent 1 support {0, 1}; agent 2 support {1}``."""
        return "; ".join(f"agent {agent_of_block[b] + 1} support {set(s)}"
                         for b, s in enumerate(self.supports))


def region_blocks(game) -> tuple[tuple[int, ...], ...]:
    """The simplex blocks of a direct-parameterised game (singletons for the box).

    Raises
    ------
    GameError
        For a region that is not a box or a simplex product.
    """
    kind = game.region.kind
    d = len(game.parameters)
    if kind is RegionKind.BOX:
        return tuple((k,) for k in range(d))
    if kind is RegionKind.SIMPLEX:
        blocks = tuple(tuple(b) for b in game.region.blocks)
        covered = sorted(k for b in blocks for k in b)
        missing = sorted(set(range(d)) - set(covered))
        if len(covered) != len(set(covered)):
            raise GameError(f"game {game.name!r} has overlapping simplex blocks {blocks}")
        return blocks + tuple((k,) for k in missing)
    raise GameError(f"game {game.name!r} has region {kind.value!r}; projected fixed "
                    "points need the direct parameterisation (box or simplex)")


#: Face-by-face search is exhaustive; past this many faces it is refused
#: (the direct-parameterised IPD has 3^10 = 59049).
MAX_FACES = 5000


def faces(blocks, d: int):
    """Every face of the product of simplex blocks, as `Face` records.

    A block of b parameters (m = b + 1 actions) has 2^m - 1 faces, one per
    non-empty support S; s0 = max(S) is the reference action.

    Examples
    --------
    >>> len(list(faces(((0,), (1,)), 2)))
    9
    """
    per_block = [[S for r in range(1, len(b) + 2)
                  for S in itertools.combinations(range(len(b) + 1), r)] for b in blocks]
    for supports in itertools.product(*per_block):
        yield _face(blocks, supports, d)


def _face(blocks, supports, d) -> Face:
    free, q, eqs, mults, probs = [], [0] * d, [], [], []
    columns = {}
    for bi, (block, S) in enumerate(zip(blocks, supports)):
        b = len(block)
        s0 = max(S)
        ref = block[s0] if s0 < b else None
        for k in S:
            if k != s0:
                columns[block[k]] = len(free)
                free.append(block[k])
                eqs.append((block[k], ref))
        for j in range(b + 1):
            if j not in S:
                mults.append((ref, block[j] if j < b else None, (bi, j)))
        for k in S:
            if k < b:
                probs.append((False, (block[k],)))
        if ref is not None:
            q[ref] = 1
        else:
            probs.append((True, tuple(block)))
    P = [[0] * len(free) for _ in range(d)]
    for i, col in columns.items():
        P[i][col] = 1
    for block, S in zip(blocks, supports):
        s0 = max(S)
        if s0 < len(block):
            for k in S:
                if k != s0:
                    P[block[s0]][columns[block[k]]] = -1
    return Face(tuple(supports), tuple(free), tuple(map(tuple, P)), tuple(q),
                tuple(eqs), tuple(mults), tuple(probs))


def _probability(spec, phi):
    """A support probability: p_i, or 1 - sum(p_block) for a block's last action."""
    last, idx = spec
    if last:
        return 1 - sum((phi[i] for i in idx[1:]), start=phi[idx[0]])
    return phi[idx[0]]


def _g(F, i):
    return 0 if i is None else F[i]


# -- the entry point ----------------------------------------------------------
def projected_fixed_points(dec: Decomposition, method="pg", lam=1.5,
                           own_coef=0.35) -> list[Equilibrium]:
    """Every fixed point of the projected dynamics of a method, exactly.

    Parameters
    ----------
    dec : Decomposition
        Of a game under the direct parameterisation (box or simplex region).
        Its eta must be a number for the shaped methods.
    method : str or Method
    lam, own_coef : number
        Shaping coefficient lambda and own coefficient c (docs/rules.md).

    Returns
    -------
    list of Equilibrium
        One per face fixed point, ``route=Route.EXACT``; a continuum of fixed
        points on a face is one representative with ``Stability.DEGENERATE``
        and a note. Points come in the order of the faces (supports per block
        in lexicographic order of size, then actions).

    Raises
    ------
    GameError
        Non-direct parameterisation, or a symbol other than the parameters
        (eta, a payoff symbol without default) left in the field.

    Notes
    -----
    Payoff symbols with defaults are set to their defaults (every point then
    carries a note saying so).

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> eqs = projected_fixed_points(Decomposition(builtin("stag-hunt", "direct")))
    >>> [(e.exact, e.stability.value) for e in eqs]
    [((1, 1), 'stable'), ((0, 0), 'stable'), ((2/3, 2/3), 'saddle')]
    """
    game = dec.game
    if game.parameterization != "direct":
        raise GameError(f"game {game.name!r} uses the {game.parameterization!r} "
                        "parameterisation; projected fixed points need 'direct'")
    blocks = region_blocks(game)
    m = Method.parse(method)
    n_faces = math.prod(2 ** (len(b) + 1) - 1 for b in blocks)
    if n_faces > MAX_FACES:
        raise GameError(
            f"exact face-by-face search over {n_faces} faces of {game.name!r} is beyond the "
            f"limit of {MAX_FACES}; use the logit parameterization (Newton with deflation)")
    lam_x, own_x = to_exact(lam, "lambda"), to_exact(own_coef, "own coefficient")
    defaults = {s: to_sympy(v) for s, v in game.payoff_symbols.items()}
    notes = ()
    if defaults:
        game = game.substitute()
        notes = ("payoff symbols at their defaults: "
                 + ", ".join(f"{s}={v}" for s, v in sorted(defaults.items(), key=str)),)
    params = game.parameters
    F = [sp.expand(e.xreplace(defaults)) for e in dec.field(m, lam_x, own_x)]
    DF = dec.jacobian(m, lam_x, own_x).xreplace(defaults)
    extra = sorted({str(s) for e in F for s in e.free_symbols} - {str(s) for s in params})
    if extra:
        raise GameError(f"the {m.value} field of {game.name!r} has free symbols {extra}; "
                        "give eta a number (Decomposition(game, eta=...)) and payoffs values")
    problem = _Problem(game, params, F, DF, blocks, notes)
    affine = _affine_form(F, params)
    out = []
    for face in faces(blocks, len(params)):
        if affine is not None:
            out.extend(problem.solve_global_affine(face, *affine))
        else:
            out.extend(problem.solve_polynomial(face))
    return out


def _affine_form(F, params):
    """(A, c) with F = A phi + c in Fractions, or None when F is not affine."""
    rows = _affine_in(F, params)
    if rows is None:
        return None
    return [r for r, _ in rows], [c for _, c in rows]


# -- exact linear algebra -----------------------------------------------------
def solve_affine_system(M, r):
    """All solutions of M y = r in exact rationals (Gauss-Jordan).

    Parameters
    ----------
    M : list of list of Fraction, shape (n, k)
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
    pivots, row = [], 0
    for col in range(k):
        piv = next((i for i in range(row, n) if R[i][col] != 0), None)
        if piv is None:
            continue
        R[row], R[piv] = R[piv], R[row]
        inv = 1 / R[row][col]
        R[row] = [x * inv for x in R[row]]
        for i in range(n):
            if i != row and R[i][col] != 0:
                f = R[i][col]
                R[i] = [a - f * b for a, b in zip(R[i], R[row])]
        pivots.append(col)
        row += 1
    if any(R[i][k] != 0 for i in range(row, n)):
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


def _affine_point(face, y):
    """phi = P y + q on a face, in Fractions."""
    return [sum((Fraction(c) * v for c, v in zip(row, y)), Fraction(qi))
            for row, qi in zip(face.P, face.q)]


def _affine_in(exprs, gens):
    """[(row, const)] with e = row . gens + const for each e, or None if one is not affine."""
    out = []
    for e in exprs:
        poly = sp.Poly(e, *gens)
        if poly.total_degree() > 1:
            return None
        row, const = [Fraction(0)] * len(gens), Fraction(0)
        for monom, coeff in poly.terms():
            if not coeff.is_Rational:
                return None
            value = Fraction(int(coeff.p), int(coeff.q))
            if sum(monom) == 0:
                const = value
            else:
                row[monom.index(1)] = value
        out.append((row, const))
    return out


def _rational(x: Fraction) -> sp.Rational:
    return sp.Rational(x.numerator, x.denominator)


def _matvec(A, x):
    return [sum((a * b for a, b in zip(row, x)), Fraction(0)) for row in A]


class _Problem:
    """One game and field; solves faces and builds the `Equilibrium` records."""

    def __init__(self, game, params, F, DF, blocks, notes):
        self.game, self.params, self.F, self.DF = game, params, F, DF
        self.blocks, self.notes = blocks, notes
        self.finite = bool(game.payoffs) and game.states == 1
        owner = {}
        for i, sl in enumerate(game.slices):
            for k in range(sl.start, sl.stop):
                owner[k] = i
        self.agent_of_block = [owner[b[0]] for b in blocks]

    # -- affine on the face: exact Gauss-Jordan, LP for a continuum ------------
    def solve_global_affine(self, face, A, c):
        """Solve a face when F = A phi + c everywhere (two-agent games)."""
        d, k = len(self.params), len(face.free)
        # F(P y + q) = (A P) y + (A q + c)
        Aqc = [x + y for x, y in zip(_matvec(A, face.q), c)]
        Fy = [([sum((A[i][l] * face.P[l][j] for l in range(d)), Fraction(0))
                for j in range(k)], Aqc[i]) for i in range(d)]
        return self.solve_affine(face, Fy)

    def solve_affine(self, face, Fy):
        """Solve a face on which F(P y + q) is affine in y.

        Parameters
        ----------
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
        if not basis:
            phi = tuple(_rational(x) for x in _affine_point(face, y0))
            rec = self._record(face, phi)
            return [rec] if rec is not None else []
        mults = [diff(s0, j) for s0, j, _ in face.multipliers]
        return self._affine_continuum(face, mults, y0, basis)

    def _affine_continuum(self, face, mults, y0, basis):
        """A representative of {y0 + N z} in the face's relative interior with
        multipliers >= 0: maximise t subject to every support probability
        >= t and every multiplier >= 0 (an LP in (z, t)); t* > 0 means the
        continuum meets the relative interior."""
        from scipy.optimize import linprog

        r = len(basis)

        def y_of(z):
            return [a + sum((basis[j][i] * z[j] for j in range(r)), Fraction(0))
                    for i, a in enumerate(y0)]

        def affine_in_z(fn):  # value at z = 0 and gradient in z, exactly
            v0 = fn(y_of([Fraction(0)] * r))
            return v0, [fn(y_of([Fraction(int(i == j)) for i in range(r)])) - v0
                        for j in range(r)]

        rows, rhs = [], []
        for spec in face.probabilities:  # prob(z) >= t
            v0, grad = affine_in_z(lambda y: _probability(spec, _affine_point(face, y)))
            rows.append([-float(g) for g in grad] + [1.0])
            rhs.append(float(v0))
        for lin, const in mults:  # lin . y + const >= 0
            v0, grad = affine_in_z(lambda y: sum((a * b for a, b in zip(lin, y)), const))
            rows.append([-float(g) for g in grad] + [0.0])
            rhs.append(float(v0))
        res = linprog([0.0] * r + [-1.0], A_ub=rows, b_ub=rhs,
                      bounds=[(None, None)] * r + [(None, 1.0)], method="highs")
        if res.status != 0 or res.x[-1] <= 1e-9:
            return []  # the continuum only touches lower faces (found there)
        note = (f"continuum of fixed points on face {face.describe(self.agent_of_block)} "
                f"(dimension {r}); this is one representative")
        for den in (10 ** 3, 10 ** 6, 10 ** 12):
            z = [Fraction(float(x)).limit_denominator(den) for x in res.x[:r]]
            phi = tuple(_rational(x) for x in _affine_point(face, y_of(z)))
            rec = self._record(face, phi, continuum=note)
            if rec is not None:
                return [rec]
        phi = tuple(sp.Float(float(x), 30) for x in _affine_point(
            face, y_of([Fraction(float(x)) for x in res.x[:r]])))
        rec = self._record(face, phi, continuum=note, exact_ok=False)
        return [rec] if rec is not None else []

    # -- polynomial fields: Groebner basis per face ---------------------------
    def solve_polynomial(self, face):
        ys = [self.params[i] for i in face.free]
        sub = {}
        for i, s in enumerate(self.params):
            sub[s] = sum((coef * ys[j] for j, coef in enumerate(face.P[i]) if coef),
                         sp.Integer(face.q[i]))
        Fs = [e.xreplace(sub) for e in self.F]
        eqs = [sp.expand(_g(Fs, a) - _g(Fs, b)) for a, b in face.equations]
        eqs = [e for e in eqs if e != 0]
        if not ys:
            rec = self._record(face, tuple(sp.Integer(x) for x in face.q))
            return [rec] if rec is not None else []
        Fy = _affine_in(Fs, ys)
        if Fy is not None:  # e.g. one mixed agent: linear on this face
            return self.solve_affine(face, Fy)
        if not eqs:
            return self._polynomial_continuum(face, ys, eqs, len(ys))
        G = sp.groebner(eqs, *ys, order="grevlex")
        if list(G.exprs) == [1]:
            return []
        if not G.is_zero_dimensional:
            return self._polynomial_continuum(face, ys, list(G.exprs), None)
        out = []
        for sol in real_solutions(list(G.exprs), ys):
            phi = tuple(to_sympy(v).xreplace(dict(zip(ys, sol)))
                        for v in (sub[s] for s in self.params))
            rec = self._record(face, phi)
            if rec is not None:
                out.append(rec)
        return out

    def _polynomial_continuum(self, face, ys, eqs, dim):
        """A representative of a positive-dimensional solution set inside the face.

        Free coordinates are fixed one by one to sample rationals until the
        system becomes zero-dimensional; the first real solution inside the
        face with multipliers >= 0 is the representative.
        """
        label = face.describe(self.agent_of_block)
        samples = [sp.Rational(a, b) for b in (2, 3, 5, 7, 11) for a in range(1, b)]
        tries = 0
        for r in range(1, len(ys) + 1):
            for chosen in itertools.combinations(ys, r):
                for vals in itertools.product(samples[:4], repeat=r):
                    tries += 1
                    if tries > _CONTINUUM_TRIES:
                        break
                    fix = dict(zip(chosen, vals))
                    rest = [y for y in ys if y not in fix]
                    sys_ = [e for e in (sp.expand(e.xreplace(fix)) for e in eqs) if e != 0]
                    if rest and sys_:
                        G = sp.groebner(sys_, *rest, order="grevlex")
                        if list(G.exprs) == [1] or not G.is_zero_dimensional:
                            continue
                        sols = real_solutions(list(G.exprs), rest)
                    elif rest:
                        continue
                    else:
                        if sys_:
                            continue
                        sols = [()]
                    for sol in sols:
                        point = {**fix, **dict(zip(rest, sol))}
                        phi = self._face_point(face, ys, point)
                        note = (f"continuum of fixed points on face {label}; "
                                "this is one representative")
                        rec = self._record(face, phi, continuum=note)
                        if rec is not None:
                            return [rec]
        warnings.warn(f"F_free = 0 has a continuum of solutions on face {label}, but no "
                      "representative inside the face was located; fixed points there may "
                      "be missing", RuntimeWarning, stacklevel=3)
        return []

    def _face_point(self, face, ys, values):
        y = [values[s] for s in ys]
        return tuple(sp.Integer(face.q[i]) + sum((coef * y[j] for j, coef in enumerate(row)
                                                 if coef), sp.Integer(0))
                     for i, row in enumerate(face.P))

    # -- the record -----------------------------------------------------------
    def _record(self, face, phi, continuum=None, exact_ok=True):
        """The `Equilibrium` at a face point, or None if it is not a fixed point there.

        Requires every support probability > 0 and every multiplier >= 0.
        """
        rational = all(to_sympy(x).is_Rational for x in phi)
        notes = list(self.notes)
        if rational:
            sign, at, tol = exact_sign, phi, None
        else:  # algebraic (or float) point: decide signs at high precision
            at = tuple(_high_precision(x) for x in phi)
            tol = _ALGEBRAIC_TOL if exact_ok else 1e-12
            sign = lambda e: exact_sign(e, tol)  # noqa: E731
            notes.append(f"algebraic point: signs decided numerically to {tol:g} "
                         f"at {_DIGITS} digits")
        if any(sign(_probability(spec, at)) <= 0 for spec in face.probabilities):
            return None
        sub = dict(zip(self.params, at))
        Fx = [e.xreplace(sub) for e in self.F]
        mults = [_g(Fx, s0) - _g(Fx, j) for s0, j, _ in face.multipliers]
        if any(sign(mu) < 0 for mu in mults):
            return None
        d, k = len(self.params), len(face.free)
        J = np.array(self.DF.xreplace(sub).evalf(30).tolist(), dtype=complex).real
        if k:
            Q, _ = np.linalg.qr(np.array(face.P, dtype=float))
            R = Q.T @ J @ Q
            tangent = list(np.linalg.eigvals(R))
            mu = 0.0 - float(np.max(np.linalg.eigvalsh((R + R.T) / 2)))
        else:
            tangent = []
            mu = float("inf")
            notes.append("vertex: no free coordinate, so the restricted Jacobian is empty "
                         "and mu = +inf")
        normal = [-_to_float(x) for x in mults]
        for (s0, j, (block, action)), x in zip(face.multipliers, mults):
            if sign(x) == 0:
                notes.append(f"F is tangent to the bound where agent "
                             f"{self.agent_of_block[block] + 1} drops action {action} "
                             "(zero normal-cone multiplier)")
        if d - k:
            notes.append(f"eigenvalues: {k} of DF on the face, then -multiplier for each "
                         f"of the {d - k} bound directions")
        eigenvalues = tuple(complex(z) for z in tangent) + tuple(complex(z) for z in normal)
        stability = classify(eigenvalues)
        if continuum is not None:
            stability = Stability.DEGENERATE
            notes.insert(0, continuum)
        strategies = strategies_at(self.game, at)
        nash = is_nash(self.game, strategies, tol) if self.finite else None
        eqs = [_g(Fx, a) - _g(Fx, b) for a, b in face.equations]
        residual = max((abs(_to_float(e)) for e in eqs), default=0.0)
        return Equilibrium(
            point=tuple(_to_float(x) for x in at),
            exact=tuple(phi) if exact_ok else None,
            strategies=tuple(tuple(_to_float(x) for x in s) for s in strategies),
            stability=stability, eigenvalues=eigenvalues, mu=mu, nash=nash,
            boundary=k < d, route=Route.EXACT, residual=residual, notes=tuple(notes))


def real_solutions(polys, gens) -> list[tuple]:
    """The real solutions of a zero-dimensional polynomial system, exact.

    1. A lex Groebner basis (grevlex, then FGLM).
    2. In shape position (y_i - h_i(y_n) for i < n, and a univariate
       polynomial in y_n): the exact real roots of the univariate
       polynomial (radicals up to degree 2 factors, ``CRootOf`` above), the
       other coordinates y_i = h_i(root).
    3. Otherwise, every generator's eliminating polynomial is isolated with
       ``real_roots`` and the combinations that satisfy the system to 50
       digits are kept.

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
    out = []
    for combo in itertools.product(*roots):
        sub = dict(zip(gens, combo))
        if all(abs(sp.N(p.xreplace(sub), 50)) < 1e-40 for p in polys):
            out.append(tuple(combo))
    return _dedupe(out)


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


def _high_precision(x) -> sp.Float:
    """x as a real Float of ``_DIGITS`` digits, its ``CRootOf`` atoms evaluated once."""
    x = to_sympy(x)
    roots = {r: r.evalf(_DIGITS + 20) for r in x.atoms(sp.CRootOf)}
    return sp.re(sp.N(x.xreplace(roots), _DIGITS))


def _to_float(x) -> float:
    return float(sp.re(sp.N(x, 30)))
