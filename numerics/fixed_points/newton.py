"""Fixed points of smooth fields by Newton's method with deflation.

For a game on R^d (logit, softmax or continuous parameters; region FREE) the
fixed points of a method's field F (``Decomposition.field``) are the roots of
F(phi) = 0. This module finds them in three stages:

1. seeds: a Latin-hypercube sample of a box (numpy ``Generator(seed)``) plus
   the user's seeds;
2. cheap vectorised Newton iterations in double precision on the compiled
   field (``compile_field``), every seed at once, with the *deflated* system
   of Farrell, Birkisson & Funke (2015, SIAM J. Sci. Comput. 37(1), A2026):
   after roots r_1..r_k are known, Newton is run on

       G(x) = M(x) F(x),   M(x) = prod_j (1 / ||x - r_j||^2 + 1),

   so that an iteration cannot return to a found root. With the undeflated
   step delta = -DF(x)^+ F(x) (Moore-Penrose, so that a rank-deficient
   Jacobian on a continuum of roots still gives a step), Sherman-Morrison
   gives the deflated step in closed form (their shifted deflation, p = 2, shift 1):

       step = delta / (1 - grad(log M)(x) . delta),
       grad(log M)(x) = sum_j -2 (x - r_j) / (s_j (1 + s_j)),  s_j = ||x - r_j||^2;

   rounds of deflated Newton from every seed continue until a round finds
   no new root;
3. a polish of every candidate in mpmath at ``dps`` digits with the exact
   field and Jacobian (``sympy.lambdify(..., modules="mpmath")``), and the
   characterisation of each root (eigenvalues of DF, mu = -lambda_max(sym DF),
   stability, Nash check, singular-Jacobian test).

``exact_fixed_points`` solves F = 0 in exact arithmetic (sympy) for small
systems that are rational in the parameters or in exp(theta_i).
"""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field

import mpmath
import numpy as np
import sympy as sp

from eqselect.theory import Decomposition, GameError, Method, RegionKind
from eqselect.theory.exact import to_exact
from eqselect.theory.engine import to_sympy

from eqselect.numerics.compiled import compile_field
from eqselect.numerics.fixed_points.record import Equilibrium, Route, Stability, classify

#: |x|_inf beyond which an iterate is taken to run off to infinity (a pure
#: strategy at infinity in logit coordinates).
DIVERGENCE_BOUND = 50.0
#: Logits beyond this give sigma' < 1e-13: "roots" there are saturation artefacts.
SATURATION_BOUND = 30.0
#: Relative size of the smallest singular value below which DF is singular.
SINGULAR_RTOL = 1e-10
#: Best-response gap below which a finite-game root is reported as Nash.
NASH_GAP = 1e-9
#: mpmath Newton steps for the polish of a double-precision candidate.
POLISH_ITER = 20
#: Two roots closer than this (relative, infinity norm) are the same root.
DEDUP_TOL = 1e-12


@dataclass(frozen=True)
class NewtonResult:
    """Fixed points found by Newton with deflation.

    Attributes
    ----------
    equilibria : list of Equilibrium
        One per distinct root (route NEWTON), in the order found.
    points : list of tuple of mpmath.mpf
        The same roots at ``dps`` digits (``points[k]`` for ``equilibria[k]``).
    failures : int
        Seeds whose undeflated iteration neither converged nor diverged
        within ``max_iter`` steps (or whose candidate did not polish).
    diverged : int
        Seeds whose undeflated iteration left the ball |x|_inf <= 50: in
        logit coordinates a pure strategy at infinity, not returned as a root.
    rounds : int
        Deflation rounds run (round 0 is plain Newton).
    notes : tuple of str
    """

    equilibria: list
    points: list
    failures: int
    diverged: int
    rounds: int
    notes: tuple = dc_field(default_factory=tuple)


# -- seeds and the deflation operator -----------------------------------------
def seed_points(dim: int, n_seeds: int = 64, seed: int = 0, box=(-8, 8),
                seeds=None) -> np.ndarray:
    """Latin-hypercube seeds in ``box`` followed by the user's seeds.

    Each coordinate's range [lo, hi] is cut into ``n_seeds`` equal strata,
    one uniform point per stratum, strata permuted independently per
    coordinate (numpy ``Generator(seed)``: deterministic).

    Returns
    -------
    x : ndarray, shape (n_seeds + len(seeds), dim)

    Examples
    --------
    >>> seed_points(2, 4, seed=1).shape
    (4, 2)
    >>> seed_points(1, 0, seeds=[[0.5]]).tolist()
    [[0.5]]
    """
    lo, hi = (float(b) for b in box)
    if not hi > lo:
        raise GameError(f"seed box must have low < high, got {box!r}")
    if n_seeds < 0:
        raise GameError(f"n_seeds must be >= 0, got {n_seeds}")
    rng = np.random.default_rng(seed)
    u = (np.stack([rng.permutation(n_seeds) for _ in range(dim)], axis=1)
         + rng.random((n_seeds, dim))) / max(n_seeds, 1)
    lhs = lo + (hi - lo) * u.reshape(n_seeds, dim)
    if seeds is None or len(seeds) == 0:
        return lhs
    try:
        extra = np.asarray(seeds, dtype=float)
    except (TypeError, ValueError):
        extra = None
    if extra is None or extra.size % dim or not np.isfinite(extra).all():
        raise GameError(f"seeds must be finite points with {dim} coordinates, got {seeds!r}")
    return np.vstack([lhs, extra.reshape(-1, dim)])


def deflation_operator(x, roots) -> tuple[np.ndarray, np.ndarray]:
    """M(x) = prod_j (1/||x - r_j||^2 + 1) and grad log M(x), vectorised.

    Parameters
    ----------
    x : ndarray, shape (n, d)
    roots : ndarray, shape (k, d)

    Returns
    -------
    m : ndarray, shape (n,)
    grad_log_m : ndarray, shape (n, d)
        sum_j -2 (x - r_j) / (s_j (1 + s_j)), s_j = ||x - r_j||^2.

    Examples
    --------
    >>> m, g = deflation_operator(np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]))
    >>> float(m[0]), g.tolist()
    (2.0, [[-1.0, 0.0]])
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    roots = np.asarray(roots, dtype=float).reshape(-1, x.shape[1])
    diff = x[:, None, :] - roots[None, :, :]  # (n, k, d)
    s = np.einsum("nkd,nkd->nk", diff, diff)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.prod(1.0 / s + 1.0, axis=1)
        g = np.sum(-2.0 * diff / (s * (1.0 + s))[:, :, None], axis=1)
    return m, g


def deflated_step(delta, x, roots) -> np.ndarray:
    """The Newton step of G = M F from the Newton step delta of F.

    step = delta / (1 - grad(log M)(x) . delta) (Sherman-Morrison on
    DG = M DF + F grad(M)^T, Farrell et al. 2015); with no roots the step is delta. Rows whose denominator
    vanishes come back as inf (the caller treats them as failed).

    Examples
    --------
    >>> deflated_step(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]]), np.zeros((0, 2))).tolist()
    [[1.0, 0.0]]
    """
    delta = np.atleast_2d(delta)
    if len(roots) == 0:
        return delta
    _, g = deflation_operator(x, roots)
    denom = 1.0 - np.einsum("nd,nd->n", g, delta)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = delta / denom[:, None]
    out[~np.isfinite(out).all(axis=1)] = np.inf
    return out


# -- double-precision batch -----------------------------------------------------
_RUNNING, _CONVERGED, _DIVERGED, _FAILED = range(4)


def _newton_batch(cf, x0, roots, max_iter, max_step=2.0):
    """Deflated Newton from every row of x0 at once; returns (x, status)."""
    x = np.array(x0, dtype=float)
    status = np.full(len(x), _RUNNING)
    for _ in range(max_iter):
        act = np.flatnonzero(status == _RUNNING)
        if act.size == 0:
            break
        xa = x[act]
        with np.errstate(all="ignore"):
            F, J = cf.field(xa), cf.jacobian(xa)
        finite = np.isfinite(F).all(axis=1) & np.isfinite(J).all(axis=(1, 2))
        delta = np.zeros_like(xa)
        if finite.any():
            delta[finite] = -np.einsum("nij,nj->ni", np.linalg.pinv(J[finite], rcond=1e-13),
                                       F[finite])
        small = np.linalg.norm(delta, axis=1) <= 1e-11 * (1.0 + np.linalg.norm(xa, axis=1))
        status[act[finite & small]] = _CONVERGED
        step = deflated_step(delta, xa, roots)
        norm = np.linalg.norm(step, axis=1)
        bad = ~finite | ~np.isfinite(norm)
        status[act[bad & ~small]] = _FAILED
        scale = np.where(norm > max_step, max_step / np.where(norm > 0, norm, 1.0), 1.0)
        move = ~small & ~bad
        x[act[move]] = xa[move] + step[move] * scale[move, None]
        far = np.abs(x[act]).max(axis=1) > DIVERGENCE_BOUND
        status[act[far & move]] = _DIVERGED
    return x, status


# -- mpmath field -------------------------------------------------------------
class MpField:
    """F and DF of one method as mpmath functions (exact coefficients).

    Parameters
    ----------
    dec : Decomposition
    method, lam, own_coef
        As for ``Decomposition.field``; lam and own_coef converted exactly.

    Attributes
    ----------
    symbols : tuple of sympy.Symbol
    field_expr : sympy.Matrix, shape (d, 1)
    """

    def __init__(self, dec: Decomposition, method, lam, own_coef):
        self.symbols = dec.game.parameters
        self.field_expr = dec.field(method, lam, own_coef)
        jac = dec.jacobian(method, lam, own_coef)
        d = len(self.symbols)
        self._f = sp.lambdify(self.symbols, list(self.field_expr), modules="mpmath", cse=True)
        self._j = sp.lambdify(self.symbols, [jac[r, c] for r in range(d) for c in range(d)],
                              modules="mpmath", cse=True)
        self.dim = d

    def field(self, x) -> mpmath.matrix:
        """F(x) as an mpmath column at the current precision."""
        return mpmath.matrix([mpmath.mpf(v) for v in self._f(*[mpmath.mpf(c) for c in x])])

    def jacobian(self, x) -> mpmath.matrix:
        """DF(x) as a d x d mpmath matrix at the current precision."""
        flat = self._j(*[mpmath.mpf(c) for c in x])
        d = self.dim
        return mpmath.matrix([[mpmath.mpf(flat[r * d + c]) for c in range(d)] for r in range(d)])


def mp_pinv_solve(J, F, rcond=None) -> mpmath.matrix:
    """The minimum-norm least-squares solution of J x = F (SVD, mpmath).

    Singular values below ``rcond * s_max`` (default 10^(-dps/2)) are
    dropped, so a rank-deficient J (a continuum of roots) still gives the
    Gauss-Newton step towards the nearest point of the solution set.

    Examples
    --------
    >>> x = mp_pinv_solve(mpmath.matrix([[1, 1], [1, 1]]), mpmath.matrix([2, 2]))
    >>> [round(float(v), 12) for v in x]
    [1.0, 1.0]
    """
    U, S, V = mpmath.svd_r(J)
    if rcond is None:
        rcond = mpmath.mpf(10) ** (-(mpmath.mp.dps // 2))
    smax = max(S) if len(S) else 0
    out = mpmath.matrix(J.cols, 1)
    for k in range(len(S)):
        if smax == 0 or S[k] <= rcond * smax:
            continue
        coef = sum(U[i, k] * F[i] for i in range(J.rows)) / S[k]
        for i in range(J.cols):
            out[i] += coef * V[k, i]
    return out


def newton_polish(mpf: MpField, x0, tol, max_iter: int = 60):
    """Plain Newton (pseudo-inverse steps) in mpmath from x0.

    Converged when max|F| <= tol and the Newton step is below
    10^(-dps/2) (1 + |x|), so a point far out where F is merely tiny
    (a logit field near a pure strategy) is not taken for a root.

    Returns
    -------
    x : list of mpmath.mpf
    converged : bool
    residual : mpmath.mpf
        max|F(x)|.
    """
    x = mpmath.matrix([mpmath.mpf(float(c)) if not isinstance(c, mpmath.mpf) else c
                       for c in x0])
    eps = mpmath.mpf(10) ** (-(mpmath.mp.dps // 2))
    res = mpmath.inf
    for _ in range(max_iter):
        F = mpf.field(x)
        res = max(abs(v) for v in F)
        step = mp_pinv_solve(mpf.jacobian(x), -F)
        size = mpmath.norm(step, mpmath.inf)
        if res <= tol and size <= eps * (1 + mpmath.norm(x, mpmath.inf)):
            return list(x), True, res
        if not mpmath.isfinite(size) or mpmath.norm(x, mpmath.inf) > DIVERGENCE_BOUND:
            break
        x = x + step
    return list(x), False, res


# -- characterisation ---------------------------------------------------------
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


def characterise(mpf: MpField, dec: Decomposition, x, route=Route.NEWTON, exact=None,
                 notes=()) -> Equilibrium:
    """An `Equilibrium` record for a root x of F (mpmath at the current dps).

    Eigenvalues of DF by ``mpmath.eig``; mu = -lambda_max(sym DF) by
    ``mpmath.eigsy``; DF counts as singular when its smallest singular value
    is below 1e-10 times its largest (then DEGENERATE with a note). Finite
    one-state games get ``nash`` exactly when ``exact`` coordinates are
    given, otherwise from the best-response gap (< 1e-9, said in the notes).
    """
    game = dec.game
    notes = list(notes)
    J = mpf.jacobian(x)
    F = mpf.field(x)
    eig = mpmath.eig(J, left=False, right=False)
    eigs = tuple(complex(e) for e in eig)
    sym = (J + J.T) / 2
    mu = -float(max(mpmath.eigsy(sym, eigvals_only=True)))
    sv = mpmath.svd_r(J, compute_uv=False)
    smax, smin = max(sv), min(sv)
    stability = classify(eigs)
    if smax == 0 or smin < SINGULAR_RTOL * smax:
        stability = Stability.DEGENERATE
        notes.append(f"singular Jacobian: possibly a continuum (smallest singular value "
                     f"{mpmath.nstr(smin, 3)}, largest {mpmath.nstr(smax, 3)})")
    point = tuple(float(c) for c in x)
    strategies, nash = (), None
    if game.strategies:
        sub = dict(zip(game.parameters, point))
        strategies = tuple(tuple(float(to_sympy(e).evalf(subs=sub)) for e in s)
                           for s in game.strategies)
        if game.states == 1 and game.payoffs and exact is not None:
            nash = _exact_nash(game, exact)
        elif game.states == 1 and game.payoffs:
            gap = best_response_gap(game, point)
            nash = gap < NASH_GAP
            notes.append(f"Nash decided approximately: best-response gap {gap:.3g} "
                         f"(threshold {NASH_GAP:g})")
        else:
            notes.append("Nash check not available for multi-state games")
    return Equilibrium(point=point, exact=exact, strategies=strategies, stability=stability,
                       eigenvalues=eigs, mu=mu, nash=nash, boundary=False, route=route,
                       residual=float(max(abs(v) for v in F)), notes=tuple(notes))


def _exact_nash(game, exact) -> bool:
    """Exact best-response check at exact coordinates (e.g. theta = log 2 -> p = 2/3)."""
    from eqselect.numerics.fixed_points.nash import is_nash, strategies_at

    return is_nash(game, strategies_at(game, exact))


# -- the entry point ----------------------------------------------------------
def _check(dec, method, lam, own_coef):
    game = dec.game
    if game.region.kind is not RegionKind.FREE:
        raise GameError(f"Newton fixed points need parameters on R^d (logit, softmax or "
                        f"continuous); game {game.name!r} has region {game.region.kind.value!r}")
    m = Method.parse(method)
    lam_x, own_x = to_exact(lam, "lambda"), to_exact(own_coef, "own coefficient")
    loose = set()
    for e in dec.field_engine(m, lam_x, own_x):
        loose |= {str(s) for s in e.free_symbols}
    loose -= {str(s) for s in game.parameters}
    if loose:
        raise GameError(f"the field has symbols with no value: {', '.join(sorted(loose))}; "
                        "substitute payoffs and give eta a value")
    return m, lam_x, own_x


def _same(a, b) -> bool:
    scale = 1 + max(abs(c) for c in a)
    return max(abs(p - q) for p, q in zip(a, b)) <= DEDUP_TOL * scale


def newton_fixed_points(dec: Decomposition, method="pg", lam=1.5, own_coef=0.35, seeds=None,
                        n_seeds: int = 64, seed: int = 0, box=(-8, 8), dps: int = 30,
                        tol: float = 1e-20, max_iter: int = 60,
                        max_rounds: int = 6) -> NewtonResult:
    """Roots of a method's field F by deflated Newton, polished in mpmath.

    Farrell, Birkisson & Funke (2015), "Deflation techniques for finding
    distinct solutions of nonlinear PDEs".

    1. Seeds: ``seed_points(d, n_seeds, seed, box, seeds)``.
    2. Round 0: damped Newton (steps capped at length 2) in double precision
       from every seed at once, on the compiled field. Iterates leaving
       |x|_inf <= 50 count as diverged, others that do not settle within
       ``max_iter`` steps as failures.
    3. Each converged candidate is polished by Newton in mpmath at ``dps``
       digits (at most 20 steps) to max|F| <= tol and kept unless it is within 1e-12 of a
       known root.
    4. Rounds 1, 2, ...: Newton on the deflated G = M F from every seed,
       deflating all roots found so far, until a round adds no root (or
       ``max_rounds``).

    Parameters
    ----------
    dec : Decomposition
        Of a game whose region is FREE, with eta and every payoff numeric.
    method : str or Method
    lam, own_coef : number
        Shaping and own coefficients (converted exactly).
    seeds : array_like, shape (k, d), optional
        Extra starting points, tried after the Latin-hypercube ones.
    n_seeds : int
    seed : int
        Seed of the numpy Generator for the Latin hypercube.
    box : (low, high)
    dps : int
        mpmath digits for the polish and the characterisation.
    tol : float
        Residual tolerance max|F| of the polish.
    max_iter : int
        Newton steps per seed and round (and per polish).
    max_rounds : int
        Deflation rounds after round 0.

    Returns
    -------
    NewtonResult

    Raises
    ------
    GameError
        Region not FREE, free symbols left in the field, bad options.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> dec = Decomposition(builtin("matching-pennies", "logit"))
    >>> res = newton_fixed_points(dec, "pg", seeds=[[0.3, -0.2]], n_seeds=0,
    ...                           dps=20, tol=1e-15)
    >>> [round(c, 12) + 0.0 for c in res.equilibria[0].point], res.equilibria[0].stability.value
    ([0.0, 0.0], 'center')
    """
    m, lam_x, own_x = _check(dec, method, lam, own_coef)
    if dps < 15 or max_iter < 1 or not tol > 0 or max_rounds < 0:
        raise GameError(f"need dps >= 15, max_iter >= 1, tol > 0, max_rounds >= 0; got "
                        f"dps={dps}, max_iter={max_iter}, tol={tol}, max_rounds={max_rounds}")
    d = len(dec.game.parameters)
    x0 = seed_points(d, n_seeds, seed, box, seeds)
    cf = compile_field(dec, m, lam_x, own_x)
    mpf = None
    roots_mp, equilibria, notes, unpolished = [], [], [], []
    failures = diverged = rounds = saturated = 0
    saturating = dec.game.parameterization in ("logit", "softmax")
    with mpmath.workdps(dps):
        for rounds in range(max_rounds + 1):
            roots = np.array([[float(c) for c in r] for r in roots_mp]).reshape(-1, d)
            x, status = _newton_batch(cf, x0, roots, max_iter)
            if rounds == 0:
                diverged = int(np.sum(status == _DIVERGED))
                failures = int(np.sum((status == _FAILED) | (status == _RUNNING)))
            found = 0
            for cand in x[status == _CONVERGED]:
                if any(_same(cand, [float(c) for c in r]) for r in roots_mp):
                    continue
                mpf = mpf or MpField(dec, m, lam_x, own_x)
                xr, ok, res = newton_polish(mpf, cand, mpmath.mpf(tol),
                                            min(max_iter, POLISH_ITER))
                if not ok:
                    failures += int(rounds == 0)  # later rounds repeat the same seeds
                    unpolished.append(f"{np.round(cand, 4).tolist()} (residual "
                                      f"{mpmath.nstr(res, 3)})")
                    continue
                if any(_same(xr, r) for r in roots_mp):
                    continue
                if saturating and max(abs(c) for c in xr) > SATURATION_BOUND:
                    saturated += 1
                    continue
                roots_mp.append(tuple(xr))
                equilibria.append(characterise(mpf, dec, xr))
                found += 1
            if rounds > 0 and found:
                notes.append(f"deflation round {rounds} found {found} new root(s)")
            if not found:
                break
        else:
            notes.append(f"stopped after {max_rounds} deflation rounds that all found new "
                         "roots: there may be more (a continuum?)")
    if unpolished:
        notes.append(f"{len(unpolished)} double-precision candidate(s) did not polish to "
                     f"tol {tol:g} in {min(max_iter, POLISH_ITER)} mpmath Newton steps "
                     f"(flat field far out?), e.g. {'; '.join(unpolished[:3])}")
    if saturated:
        notes.append(f"{saturated} root(s) with a logit beyond {SATURATION_BOUND:g} left out: "
                     "there the policy is pure to 1e-13 and the field vanishes by saturation, "
                     "so they stand for fixed points at infinity")
    if diverged:
        notes.append(f"{diverged} seed(s) diverged (|x| > {DIVERGENCE_BOUND:g}): "
                     "fixed points at infinity (pure strategies in logit coordinates)")
    if failures:
        notes.append(f"{failures} seed(s) did not converge to a root (no convergence within "
                     f"{max_iter} Newton steps, or a candidate that did not polish)")
    return NewtonResult(equilibria, roots_mp, failures, diverged, rounds, tuple(notes))


# -- exact route --------------------------------------------------------------
#: Size limits for the exact route: parameters and operations in the field.
EXACT_MAX_DIM = 3
EXACT_MAX_OPS = 400


def _exp_to_z(expr, params, zs):
    """Replace exp(sum k_i theta_i) (integer k_i) by prod z_i^k_i; None if not possible."""
    failed = []

    def repl(e):
        arg = sp.expand(e.args[0])
        coeffs = [arg.coeff(p) for p in params]
        rest = sp.expand(arg - sum(c * p for c, p in zip(coeffs, params)))
        if rest != 0 or not all(c.is_Integer for c in coeffs):
            failed.append(e)
            return e
        return sp.Mul(*(z ** int(c) for z, c in zip(zs, coeffs)))

    out = expr.replace(lambda e: isinstance(e, sp.exp), repl)
    if failed or out.free_symbols & set(params):
        return None
    return out


def exact_fixed_points(dec: Decomposition, method="pg", lam=1.5, own_coef=0.35):
    """Solve F = 0 exactly for small fields; None whenever it cannot decide.

    The field must be rational in the parameters (continuous games), or
    rational in z_i = exp(theta_i) (logit / softmax: exp(k theta) -> z^k).
    The numerators are solved with ``sympy.solve``; every solution is kept
    only if it is real (and z_i > 0), decided exactly, and F vanishes there
    after ``simplify``; otherwise the whole answer is None. A positive-
    dimensional solution set (a continuum) in a rational field is reported
    by one representative (free coordinates set to 0), marked DEGENERATE
    with the continuum in its notes; in exp-coordinates a continuum gives None.

    Returns
    -------
    list of Equilibrium (route EXACT) or None

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> eqs = exact_fixed_points(Decomposition(builtin("stag-hunt", "logit")))
    >>> [e.exact for e in eqs]
    [(log(2), log(2))]
    """
    try:
        m, lam_x, own_x = _check(dec, method, lam, own_coef)
    except GameError:
        return None
    params = list(dec.game.parameters)
    if len(params) > EXACT_MAX_DIM:
        return None
    F = list(dec.field(m, lam_x, own_x))
    if sum(sp.count_ops(f) for f in F) > EXACT_MAX_OPS:
        return None
    try:
        sols = _solve_exact(F, params)
    except Exception:  # noqa: BLE001 -- sympy may fail in many ways; never guess
        return None
    if sols is None:
        return None
    mpf = MpField(dec, m, lam_x, own_x)
    out = []
    with mpmath.workdps(30):
        for point, note in sols:
            x = [mpmath.mpf(sp.N(c, 40)) for c in point]
            notes = (note,) if note else ()
            eq = characterise(mpf, dec, x, route=Route.EXACT, exact=tuple(point), notes=notes)
            if note:
                eq = _degenerate(eq)
            out.append(eq)
    return out


def _degenerate(eq: Equilibrium) -> Equilibrium:
    from dataclasses import replace

    return replace(eq, stability=Stability.DEGENERATE)


def _solve_exact(F, params):
    """[(exact point, note or '')] or None (see ``exact_fixed_points``)."""
    uses_exp = any(f.has(sp.exp) for f in F)
    if uses_exp:
        zs = [sp.Symbol(f"z_{i}", positive=True) for i in range(len(params))]
        G = [_exp_to_z(f, params, zs) for f in F]
        if any(g is None for g in G):
            return None
        unknowns = zs
    else:
        G, unknowns = F, params
    if not all(g.is_rational_function(*unknowns) for g in G):
        return None
    numerators = [sp.fraction(sp.together(g))[0] for g in G]
    numerators = [sp.expand(n) for n in numerators if sp.expand(n) != 0]
    if not numerators:
        return None  # F vanishes identically: every point is fixed
    plain = [sp.Symbol(f"u_{i}") for i in range(len(unknowns))]  # no assumptions in solve
    eqs = [n.xreplace(dict(zip(unknowns, plain))) for n in numerators]
    solutions = _solve_polynomials(eqs, plain)
    if solutions is None:
        return None
    out = []
    for values, missing in solutions:
        real = [v.is_real for v in values]
        if any(r is None for r in real):
            return None
        if not all(real):
            continue
        if uses_exp:
            if missing:
                return None
            pos = [v.is_positive for v in values]
            if any(p is None for p in pos):
                return None
            if not all(pos):
                continue
            point = tuple(sp.log(v) for v in values)
        else:
            point = tuple(values)
        residuals = [sp.simplify(f.xreplace(dict(zip(params, point)))) for f in F]
        if any(r.has(sp.nan, sp.zoo, sp.oo, -sp.oo) for r in residuals):
            continue  # a zero of a numerator where F is undefined: not a fixed point
        if any(r != 0 for r in residuals):
            return None
        out.append((point, _continuum_note(missing, unknowns, plain)))
    return _dedupe_exact(out)


def _solve_polynomials(eqs, plain):
    """[(values, free unknowns)] of a polynomial system, complete, or None.

    Linear systems go to ``linsolve`` (a continuum is kept with its free
    unknowns set to 0 and listed); others to ``solve_poly_system`` in strict
    mode, which refuses rather than return an incomplete list.
    """
    polys = [sp.Poly(e, *plain) for e in eqs]
    if all(p.total_degree() <= 1 for p in polys):
        sols = sp.linsolve(eqs, plain)
        out = []
        for tup in sols:
            free = sorted(set().union(*(to_sympy(v).free_symbols for v in tup)) & set(plain),
                          key=str)
            rep = {u: sp.Integer(0) for u in free}
            out.append(([to_sympy(v).xreplace(rep) for v in tup],
                        [(u, tup) for u in free]))
        return out
    try:
        sols = sp.solve_poly_system(eqs, *plain, strict=True)
    except (sp.polys.polyerrors.UnsolvableFactorError, NotImplementedError,
            sp.polys.polyerrors.PolynomialError):
        return None
    if sols is None:
        return None
    return [(list(t), []) for t in sols]


def _continuum_note(missing, unknowns, plain) -> str:
    if not missing:
        return ""
    back = dict(zip(plain, unknowns))
    tup = missing[0][1]
    relation = ", ".join(f"{back[u]} = {to_sympy(v).xreplace(back)}" for u, v in zip(plain, tup))
    free = ", ".join(str(back[u]) for u, _ in missing)
    return f"continuum of fixed points: {relation}; representative with {free} = 0"


def _dedupe_exact(sols):
    out = []
    for point, note in sols:
        if not any(all(sp.simplify(a - b) == 0 for a, b in zip(point, q)) for q, _ in out):
            out.append((point, note))
    return out


__all__ = [
    "NewtonResult", "MpField", "seed_points", "deflation_operator", "deflated_step",
    "mp_pinv_solve", "newton_polish", "best_response_gap", "characterise",
    "newton_fixed_points", "exact_fixed_points",
]
