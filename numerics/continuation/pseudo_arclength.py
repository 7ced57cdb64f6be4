"""Pseudo-arclength continuation of fixed points F(phi, p) = 0 in one parameter.

The shape follows BifurcationKit.jl (a *problem*, an *algorithm*, *options*,
``continuation(problem, algorithm, options) -> Branch``); the method is the
classical one of Keller (1977) and AUTO (Doedel):

1. The curve u(s) = (phi(s), p(s)) in R^{d+1} solves H(u) = F(phi, p) = 0;
   the extended Jacobian is DH = [D_phi F, D_p F] (d x (d+1)), exact
   (symengine derivatives of the method's field, compiled once).
2. Tangent: t solves [DH; t_prev^T] t = e_{d+1}, normalised; this keeps the
   orientation (t . t_prev > 0), so the branch turns round folds.
3. Predictor: u_pred = u_k + ds t_k.
4. Corrector: Newton on [H(u); t_k . (u - u_pred)] = 0 (the hyperplane
   through u_pred orthogonal to t_k).
5. Step control: halve ds on failure (no convergence or a tangent turning
   by more than ~60 degrees), grow it by 1.5 after an easy step (at most
   three Newton iterations), always within [ds_min, ds_max].
6. Events: sign changes of test functions between two points are located
   by the Illinois (modified regula falsi) iteration on the arclength s,
   every trial point corrected back onto the branch:

   - fold: tau = t_p, the parameter component of the tangent;
   - branch point: tau = det [DH; t^T];
   - Hopf: tau = max Re(z) over eigenvalues z of D_phi F with Im z != 0;
   - boundary (BOX or SIMPLEX region): tau = a coordinate (x_k, 1 - x_k, or
     1 - sum of a simplex block) crossing 0; the branch stops there.

Stability along the branch is the class of the eigenvalues of D_phi F
(:func:`eqselect.numerics.fixed_points.record.classify`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

import numpy as np
import sympy as sp

from eqselect.theory import Decomposition, GameError, Method, Region, RegionKind
from eqselect.theory.exact import to_exact
from eqselect.theory.rules import LAMBDA
from eqselect.theory.engine import to_engine

from eqselect.numerics.codegen import compile_exprs
from eqselect.numerics.fixed_points.record import classify

_LAMBDA_NAMES = ("lam", "lambda")


# -- options and algorithm ----------------------------------------------------
@dataclass(frozen=True)
class ContinuationOptions:
    """Step bounds, parameter window and Newton tolerances.

    Attributes
    ----------
    ds : float
        First step in arclength; its sign picks the direction (ds > 0 starts
        toward increasing p). Needs ds_min <= |ds| <= ds_max.
    ds_min, ds_max : float
        Step bounds, 0 < ds_min <= ds_max.
    p_min, p_max : float
        The parameter window, p_min < p_max; the branch stops on its edge.
    max_steps : int
        At least 1.
    newton_tol : float
        Residual max|F| accepted by the corrector, in (0, 1e-2].
    newton_max_iter : int
        At least 1.

    Raises
    ------
    ValueError
        Naming the offending value and its valid range.

    Examples
    --------
    >>> ContinuationOptions(ds=0.05).ds_max
    0.1
    """

    ds: float = 0.01
    ds_min: float = 1e-6
    ds_max: float = 0.1
    p_min: float = -math.inf
    p_max: float = math.inf
    max_steps: int = 2000
    newton_tol: float = 1e-11
    newton_max_iter: int = 12

    def __post_init__(self):
        if not (math.isfinite(self.ds_min) and self.ds_min > 0):
            raise ValueError(f"ds_min = {self.ds_min!r} must satisfy 0 < ds_min (finite)")
        if not (math.isfinite(self.ds_max) and self.ds_max >= self.ds_min):
            raise ValueError(f"ds_max = {self.ds_max!r} must satisfy ds_min = {self.ds_min} "
                             f"<= ds_max (finite)")
        if not (math.isfinite(self.ds) and self.ds_min <= abs(self.ds) <= self.ds_max):
            raise ValueError(f"ds = {self.ds!r} must satisfy ds_min <= |ds| <= ds_max, "
                             f"i.e. {self.ds_min} <= |ds| <= {self.ds_max}")
        if math.isnan(self.p_min) or math.isnan(self.p_max) or not self.p_min < self.p_max:
            raise ValueError(f"parameter window [p_min, p_max] = [{self.p_min}, {self.p_max}] "
                             f"must satisfy p_min < p_max")
        if int(self.max_steps) != self.max_steps or self.max_steps < 1:
            raise ValueError(f"max_steps = {self.max_steps!r} must be an integer >= 1")
        if not (0 < self.newton_tol <= 1e-2):
            raise ValueError(f"newton_tol = {self.newton_tol!r} must lie in (0, 1e-2]")
        if int(self.newton_max_iter) != self.newton_max_iter or self.newton_max_iter < 1:
            raise ValueError(f"newton_max_iter = {self.newton_max_iter!r} must be an "
                             f"integer >= 1")


@dataclass(frozen=True)
class PseudoArclength:
    """Keller's pseudo-arclength algorithm (tangent predictor, bordered Newton).

    Attributes
    ----------
    grow : float
        Step growth factor after an easy step (> 1).
    min_cos : float
        Smallest accepted cosine between successive tangents, in (0, 1).
    """

    grow: float = 1.5
    min_cos: float = 0.5

    def __post_init__(self):
        if not self.grow > 1:
            raise ValueError(f"grow = {self.grow!r} must be > 1")
        if not 0 < self.min_cos < 1:
            raise ValueError(f"min_cos = {self.min_cos!r} must lie in (0, 1)")


# -- the compiled extended field -------------------------------------------------
@dataclass(frozen=True)
class ExtendedField:
    """F(phi, p) and its exact Jacobian [D_phi F, D_p F], compiled.

    Attributes
    ----------
    symbol : sympy.Symbol
        The continuation parameter p.
    parameter : str
        Its name as reported ("lam" for the shaping coefficient).
    exprs : tuple of symengine expressions
        F, aligned with the game's parameters, free in phi and p only.
    dim : int
        d.
    phi : tuple of sympy.Symbol
        The game's parameters, in the order of x.
    """

    symbol: sp.Symbol
    parameter: str
    exprs: tuple
    dim: int
    phi: tuple
    _f: object = field(repr=False)
    _jac: object = field(repr=False)

    def field(self, x, p: float) -> np.ndarray:
        """F(x, p); x shape (d,) -> shape (d,)."""
        return self._f(np.asarray(x, dtype=float), [p])

    def jacobian(self, x, p: float) -> np.ndarray:
        """[D_phi F, D_p F] at (x, p), shape (d, d + 1)."""
        return self._jac(np.asarray(x, dtype=float), [p]).reshape(self.dim, self.dim + 1)


def parameter_symbol(dec: Decomposition, parameter: str) -> sp.Symbol:
    """The symbol continued in: lambda for "lam", else a payoff symbol or eta.

    Raises
    ------
    GameError
        For a name that is neither (the message lists the valid ones).
    """
    if parameter in _LAMBDA_NAMES:
        return LAMBDA
    free = {s.name: s for s in dec.game.payoff_symbols}
    if isinstance(dec.eta, sp.Symbol):
        free[dec.eta.name] = dec.eta
    if parameter in free:
        return free[parameter]
    valid = ", ".join(["lam", *sorted(free)])
    raise GameError(f"cannot continue in {parameter!r}; valid parameters: {valid}")


def extended_field(dec: Decomposition, method, parameter: str = "lam", lam=1.5,
                   own_coef=0.35, backend: str = "llvm") -> ExtendedField:
    """Compile F(phi, p) and [D_phi F, D_p F] for continuation in ``parameter``.

    Parameters
    ----------
    dec : Decomposition
    method : str or Method
    parameter : str
        "lam" (the shaping coefficient lambda, kept as a symbol), a payoff
        symbol of the game (built with ``symbolic=True``; the other payoff
        symbols are set to their defaults) or "eta" when the decomposition
        keeps eta symbolic.
    lam, own_coef : number
        Fixed values of lambda (unless continued in) and of c.

    Raises
    ------
    GameError
        Unknown parameter, or a symbol left without a value (symbolic eta).

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> ef = extended_field(Decomposition(builtin("stag-hunt", "direct"), eta=0.55),
    ...                     "peer-only")
    >>> ef.jacobian([0.0, 0.0], 0.0).round(12).tolist()
    [[0.0, 3.0, 1.65], [3.0, 0.0, 1.65]]
    """
    m = Method.parse(method)
    sym = parameter_symbol(dec, parameter)
    own_x = to_exact(own_coef, "own coefficient")
    lam_x = LAMBDA if sym == LAMBDA else to_exact(lam, "lambda")
    exprs = dec.field_engine(m, lam_x, own_x)
    subs = {to_engine(s): to_engine(v) for s, v in dec.game.payoff_symbols.items()
            if s != sym}
    if subs:
        exprs = [e.subs(subs) for e in exprs]
    if isinstance(dec.eta, sp.Symbol) and dec.eta != sym:
        raise GameError("the decomposition keeps eta symbolic; build "
                        "Decomposition(game, eta=0.55) or continue in 'eta'")
    phi = [to_engine(s) for s in dec.game.parameters]
    se_sym = to_engine(sym)
    jac = [e.diff(v) for e in exprs for v in [*phi, se_sym]]
    params = dec.game.parameters
    f = compile_exprs(exprs, params, params=[sym], backend=backend)
    J = compile_exprs(jac, params, params=[sym], backend=backend)
    name = "lam" if sym == LAMBDA else sym.name
    return ExtendedField(sym, name, tuple(exprs), len(phi), tuple(params), f, J)


# -- problem, events, branch ------------------------------------------------------
@dataclass(frozen=True)
class ContinuationProblem:
    """A branch to follow: the field, a start point and the parameter lens.

    Attributes
    ----------
    dec : Decomposition
    method : str or Method
    start_point : sequence of float
        phi at the start (corrected by Newton at fixed p first).
    start_value : float
        p at the start.
    parameter : str
        "lam" or a payoff symbol's name (see :func:`extended_field`).
    lam, own_coef : float
        Fixed values of lambda (when not continued in) and of c.
    region : Region or None
        Where the branch may live; None takes the game's region.
    system : ExtendedField or None
        A compiled field to reuse; None compiles one.
    """

    dec: Decomposition
    method: object
    start_point: tuple
    start_value: float
    parameter: str = "lam"
    lam: float = 1.5
    own_coef: float = 0.35
    region: Region | None = None
    system: ExtendedField | None = None

    def __post_init__(self):
        if self.region is None:
            object.__setattr__(self, "region", self.dec.game.region)
        if self.system is None:
            object.__setattr__(self, "system", extended_field(
                self.dec, self.method, self.parameter, self.lam, self.own_coef))
        d = self.system.dim
        x = np.asarray(self.start_point, dtype=float).reshape(-1)
        if x.size != d or not np.all(np.isfinite(x)):
            raise GameError(f"start_point {list(self.start_point)} needs {d} finite coordinates")
        if not math.isfinite(float(self.start_value)):
            raise GameError(f"start_value {self.start_value!r} is not finite")
        object.__setattr__(self, "start_point", tuple(float(v) for v in x))


class EventType(str, Enum):
    """Special points reported on a branch."""

    FOLD = "fold"
    HOPF = "hopf"
    BRANCH = "branch"
    BOUNDARY = "boundary"


@dataclass(frozen=True)
class Event:
    """A located special point.

    Attributes
    ----------
    type : EventType
    value : float
        The parameter value p at the event.
    point : tuple of float
        phi at the event.
    index : int
        Row of the event in its branch's ``points`` (-1 when not on a
        computed branch, e.g. a corner fixed point).
    exact_value : sympy.Expr or None
        p in exact form when solved exactly.
    note : str
    """

    type: EventType
    value: float
    point: tuple
    index: int = -1
    exact_value: sp.Expr | None = None
    note: str = ""

    def to_json(self) -> dict:
        """``{"type", "lam", "point"}`` (the CLI contract)."""
        return {"type": self.type.value, "lam": float(self.value),
                "point": [float(x) for x in self.point]}


class BranchStatus(str, Enum):
    """Why a branch ended."""

    WINDOW = "window"  # reached p_min or p_max
    REGION = "region"  # left the region (a boundary event)
    MAX_STEPS = "max_steps"
    DS_MIN = "ds_min"  # the corrector kept failing at the smallest step
    START_FAILED = "start_failed"  # Newton did not converge at the start
    FIXED = "fixed"  # a boundary fixed point over a window (no arclength steps)


@dataclass(frozen=True)
class Branch:
    """A computed branch of fixed points.

    Attributes
    ----------
    parameter : str
    points : ndarray, shape (n, 1 + d)
        Rows [p, phi_1, ..., phi_d] in arclength order (events included).
    stability : tuple of eqselect.numerics.fixed_points.record.Stability
        Class of the eigenvalues of D_phi F at each row.
    eigenvalues : tuple of ndarray
        Eigenvalues of D_phi F at each row.
    events : tuple of Event
    status : BranchStatus
    notes : tuple of str
    kind : str
        "interior" (an arclength branch) or "corner" (a vertex of the box
        that is a fixed point of the projected dynamics over a window).
    """

    parameter: str
    points: np.ndarray
    stability: tuple
    eigenvalues: tuple
    events: tuple
    status: BranchStatus
    notes: tuple = ()
    kind: str = "interior"

    def to_json(self) -> dict:
        """``{"points": [[p, x1, ...], ...], "stability": [...]}``."""
        return {"points": [[float(v) for v in row] for row in self.points],
                "stability": [s.value for s in self.stability]}


# -- the numerical pieces (public, tested one by one) -------------------------------
def tangent(jac_ext: np.ndarray, t_ref: np.ndarray) -> np.ndarray:
    """Unit tangent t of H = 0: [DH; t_ref^T] t = e_{d+1}, so t . t_ref > 0.

    Falls back to the SVD null vector (oriented along t_ref) when the bordered
    matrix is singular.

    Examples
    --------
    >>> tangent(np.array([[1.0, -1.0]]), np.array([0.0, 1.0])).round(6).tolist()
    [0.707107, 0.707107]
    """
    d1 = jac_ext.shape[1]
    A = np.vstack([jac_ext, t_ref])
    b = np.zeros(d1)
    b[-1] = 1.0
    try:
        t = np.linalg.solve(A, b)
        if not np.all(np.isfinite(t)) or np.linalg.cond(A) > 1e13:
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        t = np.linalg.svd(jac_ext)[2][-1]
        if t @ t_ref < 0:
            t = -t
    return t / np.linalg.norm(t)


def correct(system: ExtendedField, u_pred: np.ndarray, t: np.ndarray,
            tol: float, max_iter: int) -> tuple[np.ndarray, int, bool]:
    """Newton on [F(u); t . (u - u_pred)] = 0 from u_pred.

    Returns
    -------
    u : ndarray, shape (d + 1,)
        (phi, p), the parameter last.
    iterations : int
    converged : bool
        max|F(u)| <= tol and the last Newton step below sqrt(tol).
    """
    u = u_pred.copy()
    d = system.dim
    step = math.inf
    for it in range(max_iter + 1):
        F = system.field(u[:d], u[d])
        if not np.all(np.isfinite(F)):
            return u, it, False
        if np.max(np.abs(F), initial=0.0) <= tol and step <= math.sqrt(tol):
            return u, it, True
        if it == max_iter:
            break
        A = np.vstack([system.jacobian(u[:d], u[d]), t])
        if not np.all(np.isfinite(A)):
            return u, it, False
        G = np.append(F, t @ (u - u_pred))
        try:
            du = np.linalg.solve(A, -G)
        except np.linalg.LinAlgError:
            return u, it, False
        if not np.all(np.isfinite(du)):
            return u, it, False
        u = u + du
        step = float(np.max(np.abs(du)))
    return u, max_iter, False


def fold_test(t: np.ndarray) -> float:
    """Fold test function: t_p, the parameter component of the unit tangent."""
    return float(t[-1])


def branch_test(jac_ext: np.ndarray, t: np.ndarray) -> float:
    """Branch-point test function: det [DH; t^T] (nonzero at regular points and folds)."""
    return float(np.linalg.det(np.vstack([jac_ext, t])))


def hopf_test(eigenvalues, tol: float = 1e-9) -> float | None:
    """Hopf test function: max Re(z) over eigenvalues with |Im z| > tol; None without a pair.

    Examples
    --------
    >>> hopf_test([complex(-0.5, 2.0), complex(-0.5, -2.0), -3.0])
    -0.5
    >>> hopf_test([1.0, -1.0]) is None
    True
    """
    z = np.asarray(eigenvalues, dtype=complex)
    pairs = z[np.abs(z.imag) > tol]
    return float(pairs.real.max()) if pairs.size else None


def region_constraints(region: Region, d: int):
    """The functions g_j(phi) >= 0 that define the region, as one vector function.

    BOX: (x_k, 1 - x_k); SIMPLEX: (x_k, 1 - sum of each block); FREE: none.

    Examples
    --------
    >>> g, names = region_constraints(Region(RegionKind.BOX), 2)
    >>> g(np.array([0.25, 1.0])).tolist(), names[3]
    ([0.25, 1.0, 0.75, 0.0], 'x2 = 1')
    """
    if region.kind is RegionKind.BOX:
        names = [f"x{k + 1} = 0" for k in range(d)] + [f"x{k + 1} = 1" for k in range(d)]
        return (lambda x: np.concatenate([x, 1.0 - x])), names
    if region.kind is RegionKind.SIMPLEX:
        blocks = [list(b) for b in region.blocks]
        names = [f"x{k + 1} = 0" for k in range(d)] + [f"sum{b} = 1" for b in region.blocks]
        return (lambda x: np.concatenate([x, [1.0 - x[b].sum() for b in blocks]])), names
    return (lambda x: np.zeros(0)), []


# -- the driver ----------------------------------------------------------------------
@dataclass
class _Point:
    u: np.ndarray
    t: np.ndarray
    jac: np.ndarray
    eig: np.ndarray
    tests: dict


def _evaluate(system, u, t_ref, g) -> _Point:
    d = system.dim
    J = system.jacobian(u[:d], u[d])
    if not np.all(np.isfinite(J)):
        return None
    t = tangent(J, t_ref)
    eig = np.linalg.eigvals(J[:, :d]) if d else np.zeros(0)
    tests = {EventType.FOLD: fold_test(t), EventType.BRANCH: branch_test(J, t),
             EventType.HOPF: hopf_test(eig)}
    return _Point(u, t, J, eig, {**tests, "g": g(u[:d]), "p": u[d]})


def _crossings(a: _Point, b: _Point, window) -> list:
    """(key, sub-index, tau_a, tau_b) for every test that changes sign from a to b."""
    out = []
    for kind in (EventType.FOLD, EventType.BRANCH, EventType.HOPF):
        ta, tb = a.tests[kind], b.tests[kind]
        if ta is not None and tb is not None and ta * tb < 0:
            out.append((kind, None, ta, tb))
    ga, gb = a.tests["g"], b.tests["g"]
    for j in range(ga.size):
        if ga[j] >= 0 > gb[j]:
            out.append((EventType.BOUNDARY, j, ga[j], gb[j]))
    for bound in window:
        ta, tb = a.u[-1] - bound, b.u[-1] - bound
        if ta * tb < 0 or (tb == 0 and ta != 0):
            out.append(("window", bound, ta, tb))
    return out


def _tau(pt: _Point, kind, sub) -> float:
    if kind == "window":
        return pt.u[-1] - sub
    if kind is EventType.BOUNDARY:
        return pt.tests["g"][sub]
    return pt.tests[kind]


def _locate(system, a: _Point, ds: float, kind, sub, ta, tb, g, opts, b: _Point):
    """Illinois iteration on s in (0, ds) for tau(u(s)) = 0; returns (s, point, note)."""
    if tb == 0:
        return ds, b, ""
    lo, hi, flo, fhi = 0.0, ds, ta, tb
    best = b
    side = 0
    for _ in range(80):
        s = hi - fhi * (hi - lo) / (fhi - flo) if fhi != flo else 0.5 * (lo + hi)
        if not (min(lo, hi) < s < max(lo, hi)):
            s = 0.5 * (lo + hi)
        u, _, ok = correct(system, a.u + s * a.t, a.t, opts.newton_tol, opts.newton_max_iter)
        if not ok:
            return 0.5 * (lo + hi), best, "event location: corrector failed; approximate"
        pt = _evaluate(system, u, a.t, g)
        if pt is None:
            return 0.5 * (lo + hi), best, "event location: D F not finite; approximate"
        f = _tau(pt, kind, sub)
        if f is None:
            return s, pt, "event location: test function undefined; approximate"
        best = pt
        if f == 0 or abs(hi - lo) < 1e-14 * max(1.0, abs(ds)) or abs(f) < 1e-15:
            return s, pt, ""
        if f * fhi < 0:
            lo, flo = hi, fhi
            hi, fhi = s, f
            side = 0
        else:
            hi, fhi = s, f
            side += 1
            if side >= 2:  # Illinois: halve the retained end's value
                flo *= 0.5
    return s, best, "event location: no convergence in 80 iterations; approximate"


def _exact_on(pt: _Point, kind, sub, region: Region) -> _Point:
    """Snap the crossed constraint exactly (x_k = 0 or 1) at a boundary event."""
    if kind is EventType.BOUNDARY and region.kind is RegionKind.BOX:
        u = pt.u.copy()
        x = u[:-1]
        for val in (0.0, 1.0):
            x[np.abs(x - val) < 1e-12] = val
        return _Point(u, pt.t, pt.jac, pt.eig, pt.tests)
    if kind == "window":
        u = pt.u.copy()
        u[-1] = sub
        return _Point(u, pt.t, pt.jac, pt.eig, pt.tests)
    return pt


def continuation(problem: ContinuationProblem, algorithm: PseudoArclength | None = None,
                 options: ContinuationOptions | None = None) -> Branch:
    """Follow the branch of F(phi, p) = 0 through ``problem``'s start point.

    Steps as in the module docstring. The branch ends on the parameter
    window, on leaving the region (a boundary event), after ``max_steps``, or
    when the corrector fails at ``ds_min``; ``status`` says which and
    ``notes`` say what went wrong.

    Parameters
    ----------
    problem : ContinuationProblem
    algorithm : PseudoArclength, optional
    options : ContinuationOptions, optional

    Returns
    -------
    Branch

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    >>> prob = ContinuationProblem(dec, "peer-only", (2/3, 2/3), 0.0)
    >>> br = continuation(prob, PseudoArclength(), ContinuationOptions(p_min=0, p_max=3))
    >>> br.status.value, br.events[-1].type.value, round(br.events[-1].value, 9)
    ('region', 'boundary', 1.212121212)
    """
    alg = algorithm or PseudoArclength()
    opts = options or ContinuationOptions()
    sys_ = problem.system
    d = sys_.dim
    g, gnames = region_constraints(problem.region, d)
    window = [b for b in (opts.p_min, opts.p_max) if math.isfinite(b)]
    notes: list[str] = []
    direction = 1.0 if opts.ds > 0 else -1.0
    e_p = np.zeros(d + 1)
    e_p[-1] = direction
    u0 = np.append(np.asarray(problem.start_point, dtype=float), float(problem.start_value))
    u0, _, ok = correct(sys_, u0, e_p, opts.newton_tol, 50)
    first = _evaluate(sys_, u0, e_p, g) if ok else None
    if not ok:
        return _failed(sys_, f"Newton at p = {u0[-1]:.6g} did not converge from the start point")
    if first is None:
        return _failed(sys_, "D F is not finite at the start point")
    if not opts.p_min - 1e-12 <= u0[-1] <= opts.p_max + 1e-12:
        return _failed(sys_, f"start value {u0[-1]} lies outside [p_min, p_max]")
    if np.any(first.tests["g"] < -1e-9):
        return _failed(sys_, f"the start point {u0[:d].tolist()} lies outside the region")
    if d and abs(np.linalg.det(first.jac[:, :d])) < 1e-12:
        notes.append("D_phi F is singular at the start point (fold, branch point or continuum)")
    pts, events = [first], []
    ds = abs(opts.ds)
    status = BranchStatus.MAX_STEPS
    for _ in range(int(opts.max_steps)):
        a = pts[-1]
        u, iters, ok = correct(sys_, a.u + ds * a.t, a.t, opts.newton_tol, opts.newton_max_iter)
        b = _evaluate(sys_, u, a.t, g) if ok else None
        if b is None or b.t @ a.t < alg.min_cos:
            if ds / 2 < opts.ds_min:
                status = BranchStatus.DS_MIN
                notes.append(f"corrector failed at ds_min near p = {a.u[-1]:.6g}")
                break
            ds /= 2
            continue
        found = []
        for kind, sub, ta, tb in _crossings(a, b, window):
            s, pt, note = _locate(sys_, a, ds, kind, sub, ta, tb, g, opts, b)
            if note:
                notes.append(f"{getattr(kind, 'value', kind)}: {note}")
            found.append((s, kind, sub, _exact_on(pt, kind, sub, problem.region)))
        found.sort(key=lambda f: f[0])
        stop = next((f for f in found if f[1] == "window" or f[1] is EventType.BOUNDARY), None)
        for s, kind, sub, pt in found:
            if stop is not None and s > stop[0]:
                break
            pts.append(pt)
            if kind == "window":
                status = BranchStatus.WINDOW
                continue
            note = gnames[sub] if kind is EventType.BOUNDARY else ""
            events.append(Event(kind, float(pt.u[-1]), tuple(float(v) for v in pt.u[:d]),
                                len(pts) - 1, note=note))
            if kind is EventType.BOUNDARY:
                status = BranchStatus.REGION
        if stop is not None:
            break
        pts.append(b)
        if iters <= 3:
            ds = min(ds * alg.grow, opts.ds_max)
    else:
        notes.append(f"stopped after max_steps = {opts.max_steps}")
    return _finish(sys_, pts, events, status, notes)


def _failed(sys_, note: str) -> Branch:
    """A branch with no points: the start could not be corrected (``note`` says why)."""
    return Branch(sys_.parameter, np.zeros((0, sys_.dim + 1)), (), (), (),
                  BranchStatus.START_FAILED, (note,))


def _finish(sys_, pts, events, status, notes) -> Branch:
    d = sys_.dim
    rows = np.array([np.concatenate([[p.u[d]], p.u[:d]]) for p in pts])
    stab = tuple(classify(p.eig) for p in pts)
    return Branch(sys_.parameter, rows, stab, tuple(p.eig for p in pts), tuple(events),
                  status, tuple(notes))


__all__ = [
    "Branch", "BranchStatus", "ContinuationOptions", "ContinuationProblem", "Event",
    "EventType", "ExtendedField", "PseudoArclength", "branch_test", "continuation",
    "correct", "extended_field", "fold_test", "hopf_test", "parameter_symbol",
    "region_constraints", "tangent",
]
