"""Fixed points of smooth fields by Newton's method with deflation.

For a game on R^d (logit, softmax or continuous parameters; region FREE) the
fixed points of a rule's field F (``Decomposition.field``) are the roots of
F(phi) = 0. This module finds them in three stages:

1. seeds: Latin-hypercube samples of a box (and, from dimension 3, of an
   inner box) plus the user's seeds (`eqselect.numerics.fixed_points.newton.seeds`);
2. cheap vectorised Newton iterations in double precision on the compiled
   field (``compile_field``), every seed at once, with the *deflated* system
   of Farrell, Birkisson & Funke (2015) (`eqselect.numerics.fixed_points.newton.deflation`).
   The undeflated step is delta = -DF(x)^+ F(x) (Moore-Penrose, so that a
   rank-deficient Jacobian on a continuum of roots still gives a step);
   rounds of deflated Newton from every seed continue until a round finds
   no new root;
3. a polish of every candidate in mpmath at ``dps`` digits with the exact
   field and Jacobian (`MpField`, generated once), and the record of each
   root (`characterise`).
"""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field

import mpmath
import numpy as np

from eqselect.theory import Decomposition, GameError
from eqselect.theory.budget import check_deadline
from eqselect.theory.serialize import Record

from eqselect.numerics.compiled import compile_field
from eqselect.numerics.differences import SYMBOLIC_JACOBIAN_OPS
from eqselect.numerics.fixed_points.core.characterise import characterise
from eqselect.numerics.fixed_points.newton.deflation import deflated_step
from eqselect.numerics.fixed_points.core.field import MpField, free_region_rule
from eqselect.numerics.fixed_points.infinity.pure_profiles import AT_INFINITY, saturating
from eqselect.numerics.fixed_points.newton.seeds import default_seed_count, newton_seeds

#: mpmath Newton steps for the polish of a double-precision candidate.
POLISH_ITER = 20
#: Two roots closer than this (relative, infinity norm) are the same root.
DEDUP_TOL = 1e-12


@dataclass(frozen=True)
class NewtonResult(Record):
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
        Seeds whose undeflated iteration left the ball |x|_inf <= AT_INFINITY:
        in logit coordinates a pure strategy at infinity, not returned as a root.
    rounds : int
        Deflation rounds run (round 0 is plain Newton).
    notes : tuple of str
    seeds : int
        Starting points tried.
    sampling : str
        How they were drawn.
    """

    equilibria: list
    points: list
    failures: int
    diverged: int
    rounds: int
    notes: tuple = dc_field(default_factory=tuple)
    seeds: int = 0
    sampling: str = ""

    _json_skip = ("points",)


# -- double-precision batch -----------------------------------------------------
_RUNNING, _CONVERGED, _DIVERGED, _FAILED = range(4)


def newton_batch(cf, x0, roots, max_iter, max_step=2.0):
    """Deflated Newton from every row of x0 at once.

    Parameters
    ----------
    cf : object with ``field(x)`` (n, d) and ``jacobian(x)`` (n, d, d)
    x0 : ndarray, shape (n, d)
    roots : ndarray, shape (k, d)
        Roots to deflate.
    max_iter : int
    max_step : float
        Steps longer than this are shortened to it (damping).

    Returns
    -------
    x : ndarray, shape (n, d)
    status : ndarray of int, shape (n,)
        0 running (no convergence), 1 converged, 2 diverged past
        ``AT_INFINITY``, 3 failed (non-finite values).
    """
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
        far = np.abs(x[act]).max(axis=1) > AT_INFINITY
        status[act[far & move]] = _DIVERGED
    return x, status


# -- mpmath polish ------------------------------------------------------------
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
        if not mpmath.isfinite(size) or mpmath.norm(x, mpmath.inf) > AT_INFINITY:
            break
        x = x + step
    return list(x), False, res


# -- the search -----------------------------------------------------------------
def _same(a, b) -> bool:
    scale = 1 + max(abs(c) for c in a)
    return max(abs(p - q) for p, q in zip(a, b)) <= DEDUP_TOL * scale


@dataclass
class _Search:
    """The running state of one search (roots, records, counters)."""

    dec: Decomposition
    rule: object
    tol: float
    polish_iter: int
    saturating: bool
    mpf: MpField | None = None
    roots: list = dc_field(default_factory=list)
    equilibria: list = dc_field(default_factory=list)
    unpolished: list = dc_field(default_factory=list)
    failures: int = 0
    saturated: int = 0

    def add(self, cand, first_round: bool) -> bool:
        """Polish one double-precision candidate; True when it is a new root."""
        if any(_same(cand, [float(c) for c in r]) for r in self.roots):
            return False
        self.mpf = self.mpf or MpField(self.dec, self.rule)
        xr, ok, res = newton_polish(self.mpf, cand, mpmath.mpf(self.tol), self.polish_iter)
        if not ok:
            self.failures += int(first_round)  # later rounds repeat the same seeds
            self.unpolished.append(f"{np.round(cand, 4).tolist()} (residual "
                                   f"{mpmath.nstr(res, 3)})")
            return False
        if any(_same(xr, r) for r in self.roots):
            return False
        if self.saturating and max(abs(c) for c in xr) > AT_INFINITY:
            self.saturated += 1
            return False
        self.roots.append(tuple(xr))
        self.equilibria.append(characterise(xr, self.mpf))
        return True


@dataclass(frozen=True)
class NewtonOptions:
    """How `newton_fixed_points` searches.

    Attributes
    ----------
    seeds : array_like, shape (k, d), or None
        Extra starting points, tried after the Latin-hypercube ones.
    n_seeds, seed, box : int or None, int, (low, high)
        Latin-hypercube points (default ``default_seed_count(d)``; see
        `newton_seeds`), the numpy seed and the box.
    dps, tol : int, float
        mpmath digits (>= 15) and residual tolerance max|F| (> 0) of the polish.
    max_iter, max_rounds : int
        Newton steps per seed and round (>= 1); deflation rounds after round 0 (>= 0).

    Raises
    ------
    GameError
        An option out of its range.
    """

    seeds: tuple | None = None
    n_seeds: int | None = None
    seed: int = 0
    box: tuple = (-8, 8)
    dps: int = 30
    tol: float = 1e-20
    max_iter: int = 60
    max_rounds: int = 6

    def __post_init__(self):
        dps, max_iter, tol, max_rounds = self.dps, self.max_iter, self.tol, self.max_rounds
        if dps < 15 or max_iter < 1 or not tol > 0 or max_rounds < 0:
            raise GameError(f"need dps >= 15, max_iter >= 1, tol > 0, max_rounds >= 0; got "
                            f"dps={dps}, max_iter={max_iter}, tol={tol}, "
                            f"max_rounds={max_rounds}")


def newton_fixed_points(dec: Decomposition, rule="pg", lam=None, own_coef=None,
                        options: NewtonOptions = NewtonOptions()) -> NewtonResult:
    """Roots of a rule's field F by deflated Newton, polished in mpmath.

    Farrell, Birkisson & Funke (2015). Round 0 is damped Newton (steps
    capped at length 2) from every seed at once; each converged candidate is
    polished in mpmath at ``dps`` digits (at most 20 steps, max|F| <= tol)
    and kept unless it repeats a root (1e-12) or lies beyond AT_INFINITY in
    logit coordinates; rounds 1, 2, ... deflate every root found so far,
    until a round adds none (or ``max_rounds``).

    Parameters
    ----------
    dec : Decomposition
        Of a game whose region is FREE, with eta and every payoff numeric.
    rule : Rule, Method or str
        With ``lam`` / ``own_coef`` (optional) overriding its coefficients.
    options : NewtonOptions
        Seeds, precision and iteration limits.

    Returns
    -------
    NewtonResult

    Raises
    ------
    GameError
        Region not FREE, free symbols left in the field.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> dec = Decomposition(builtin("matching-pennies", "logit"))
    >>> opts = NewtonOptions(seeds=[[0.3, -0.2]], n_seeds=0, dps=20, tol=1e-15)
    >>> res = newton_fixed_points(dec, "pg", options=opts)
    >>> [round(c, 12) + 0.0 for c in res.equilibria[0].point], res.equilibria[0].stability.value
    ([0.0, 0.0], 'center')
    """
    r = free_region_rule(dec, rule, lam, own_coef)
    o = options
    dps, tol, max_iter, max_rounds = o.dps, o.tol, o.max_iter, o.max_rounds
    d = len(dec.game.parameters)
    n_seeds = default_seed_count(d) if o.n_seeds is None else int(o.n_seeds)
    x0, sampling = newton_seeds(d, n_seeds, o.seed, o.box, o.seeds)
    cf = compile_field(dec, r)
    search = _Search(dec, r, tol, min(max_iter, POLISH_ITER), saturating(dec.game))
    with mpmath.workdps(dps):
        rounds, diverged, notes = _rounds(search, cf, x0, d, max_iter, max_rounds)
    notes += _search_notes(search, diverged, tol, max_iter)
    if cf.jacobian_kind != "exact":
        notes.append(f"the field is too large for a compiled exact Jacobian (more than "
                     f"{SYMBOLIC_JACOBIAN_OPS} operations): Newton steps and stability use "
                     f"central differences of F (double precision, then at {dps} digits)")
    return NewtonResult(search.equilibria, search.roots, search.failures, diverged, rounds,
                        tuple(notes), len(x0), sampling)


def _rounds(search: _Search, cf, x0, d, max_iter, max_rounds):
    """Round 0 and the deflation rounds; (rounds run, seeds diverged, notes)."""
    notes, diverged, rounds = [], 0, 0
    for rounds in range(max_rounds + 1):
        check_deadline()  # the cooperative stop of an in-process budget
        roots = np.array([[float(c) for c in r] for r in search.roots]).reshape(-1, d)
        x, status = newton_batch(cf, x0, roots, max_iter)
        if rounds == 0:
            diverged = int(np.sum(status == _DIVERGED))
            search.failures = int(np.sum((status == _FAILED) | (status == _RUNNING)))
        found = sum(search.add(cand, rounds == 0) for cand in x[status == _CONVERGED])
        if rounds > 0 and found:
            notes.append(f"deflation round {rounds} found {found} new root(s)")
        if not found:
            break
    else:
        notes.append(f"stopped after {max_rounds} deflation rounds that all found new "
                     "roots: there may be more (a continuum?)")
    return rounds, diverged, notes


def _search_notes(search: _Search, diverged, tol, max_iter) -> list:
    notes = []
    if search.unpolished:
        notes.append(f"{len(search.unpolished)} double-precision candidate(s) did not polish "
                     f"to tol {tol:g} in {search.polish_iter} mpmath Newton steps "
                     f"(flat field far out?), e.g. {'; '.join(search.unpolished[:3])}")
    if search.saturated:
        notes.append(f"{search.saturated} root(s) with a logit beyond {AT_INFINITY:g} left "
                     "out: there the policy is pure to 1e-13 and the field vanishes by "
                     "saturation, so they stand for fixed points at infinity")
    if diverged:
        notes.append(f"{diverged} seed(s) diverged (|x| > {AT_INFINITY:g}): "
                     "fixed points at infinity (pure strategies in logit coordinates)")
    if search.failures:
        notes.append(f"{search.failures} seed(s) did not converge to a root (no convergence "
                     f"within {max_iter} Newton steps, or a candidate that did not polish)")
    return notes


__all__ = ["NewtonOptions", "NewtonResult", "POLISH_ITER", "mp_pinv_solve", "newton_batch",
           "newton_fixed_points", "newton_polish"]
