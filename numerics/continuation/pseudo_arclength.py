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
   - Hopf: tau = prod_{i<j} (z_i + z_j) over the eigenvalues z of D_phi F,
     a zero counting where a complex pair lies on the imaginary axis;
   - boundary (BOX or SIMPLEX region): tau = a coordinate (x_k, 1 - x_k, or
     1 - sum of a simplex block) crossing 0; the branch stops there
     (`eqselect.numerics.continuation.events`);
   - a change of stability no test sees (two eigenvalues or pairs at once,
     `silent_crossing`): a branch or Hopf event, located by bisection.
7. Saturation (logit / softmax): a branch that runs past |phi|_inf =
   AT_INFINITY (`eqselect.numerics.fixed_points.infinity.pure_profiles`) ends there with
   one "saturation" event: it tends to a fixed point at infinity. So does a
   branch whose corrector fails at ds_min past |phi|_inf = log(1 / newton_tol),
   where F, carrying the factor exp(-|theta|), is below the tolerance
   (`unresolved`). An event that repeats the previous one of its type at the
   same p is dropped.
8. A corrected point farther from the predicted one than the step ds has
   jumped to another branch: the step is refused and ds halved. A branch
   that comes back to its first point (a closed curve of fixed points, e.g.
   one born at a branch point and ending at another) ends there, status
   "closed".

Stability along the branch is the class of the eigenvalues of D_phi F
(:func:`eqselect.numerics.fixed_points.core.record.classify`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from eqselect.theory import Decomposition, GameError, Region, RegionKind, Rule

from eqselect.numerics.continuation.events import (SILENT_NOTES, Point, branch_test,
                                                   crossings, evaluate, exact_on,
                                                   fold_test, hopf_test, is_hopf, locate,
                                                   locate_silent, region_constraints,
                                                   silent_crossing, spectral, unresolved)
from eqselect.numerics.continuation.results import Branch, BranchStatus, Event, EventType
from eqselect.numerics.continuation.steps import correct, tangent
from eqselect.numerics.continuation.system import (ExtendedField, extended_field, note_name,
                                                   parameter_symbol)
from eqselect.numerics.fixed_points.infinity.pure_profiles import AT_INFINITY, saturating
from eqselect.numerics.fixed_points.core.characterise import SIGN_TOL, sign_scale
from eqselect.numerics.fixed_points.core.record import classify


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


@dataclass(frozen=True)
class ContinuationProblem:
    """A branch to follow: the field, a start point and the parameter lens.

    Attributes
    ----------
    dec : Decomposition
    method : Rule
        The learning rule, with its lambda (when not continued in) and c.
    start_point : sequence of float
        phi at the start (corrected by Newton at fixed p first).
    start_value : float
        p at the start.
    parameter : str
        "lam" or a payoff symbol's name (see :func:`extended_field`).
    region : Region or None
        Where the branch may live; None takes the game's region.
    system : ExtendedField or None
        A compiled field to reuse (or a `FaceField`); None compiles one.
    constraints : (callable, list of str) or None
        g(phi, p) >= 0 along the branch and the names of its components
        (a face's support probabilities and KKT multipliers); None takes
        the region's (`region_constraints`).
    start_tangent : sequence of float or None
        A direction t0 in (phi, p) to leave the start along (a branch switch,
        `eqselect.numerics.continuation.switching`): the start is corrected on
        the hyperplane through it orthogonal to t0 and the first tangent is
        oriented along t0 whatever the sign of ``ds``. None: along +-p (the
        sign of ``ds``), the start corrected at fixed p.
    """

    dec: Decomposition
    method: Rule
    start_point: tuple
    start_value: float
    parameter: str = "lam"
    region: Region | None = None
    system: ExtendedField | None = None
    constraints: tuple | None = None
    start_tangent: tuple | None = None

    def __post_init__(self):
        if self.region is None:
            object.__setattr__(self, "region", self.dec.game.region)
        if self.system is None:
            object.__setattr__(self, "system", extended_field(
                self.dec, self.method, self.parameter))
        d = self.system.dim
        x = np.asarray(self.start_point, dtype=float).reshape(-1)
        if x.size != d or not np.all(np.isfinite(x)):
            raise GameError(f"start_point {list(self.start_point)} needs {d} finite coordinates")
        if not math.isfinite(float(self.start_value)):
            raise GameError(f"start_value {self.start_value!r} is not finite")
        object.__setattr__(self, "start_point", tuple(float(v) for v in x))


# -- the driver ----------------------------------------------------------------------
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
    >>> prob = ContinuationProblem(dec, Rule("peer-only"), (2/3, 2/3), 0.0)
    >>> br = continuation(prob, PseudoArclength(), ContinuationOptions(p_min=0, p_max=3))
    >>> br.status.value, br.events[-1].type.value, round(br.events[-1].value, 9)
    ('region', 'boundary', 1.212121212)
    """
    alg = algorithm or PseudoArclength()
    opts = options or ContinuationOptions()
    sys_ = problem.system
    g, gnames = problem.constraints or region_constraints(problem.region, sys_.dim)
    first, notes = _start(problem, opts, g)
    if isinstance(first, Branch):
        return first
    walk = _Walk(sys_, problem, opts, g, gnames, saturating(problem.dec.game) and
                 problem.region.kind is RegionKind.FREE, [first])
    ds = abs(opts.ds)
    for _ in range(int(opts.max_steps)):
        a = walk.pts[-1]
        u, iters, ok = correct(sys_, a.u + ds * a.t, a.t, opts.newton_tol, opts.newton_max_iter)
        # a corrected point farther from the predictor than the step has jumped branches
        ok = ok and np.linalg.norm(u - a.u - ds * a.t) <= ds
        b = evaluate(sys_, u, a.t, g) if ok else None
        if b is None or b.t @ a.t < alg.min_cos:
            if ds / 2 < opts.ds_min and walk.saturating and unresolved(a.u[:-1], opts.newton_tol):
                walk.event(EventType.SATURATION, a, f"|phi| = {np.max(np.abs(a.u[:-1])):.3g}"
                           f" > log(1 / newton_tol): F is below the corrector's tolerance; "
                           "the branch runs off to a fixed point at infinity")
                walk.status = BranchStatus.SATURATED
                break
            if ds / 2 < opts.ds_min:
                walk.status = BranchStatus.DS_MIN
                notes.append(f"corrector failed at ds_min near "
                             f"{note_name(problem.parameter)} = {a.u[-1]:.6g}")
                break
            ds /= 2
            continue
        if walk.step(a, b, ds, notes):
            break
        if iters <= 3:
            ds = min(ds * alg.grow, opts.ds_max)
    else:
        notes.append(f"stopped after max_steps = {opts.max_steps}")
    return _finish(sys_, walk.pts, walk.events, walk.status, notes)


def _start(problem: ContinuationProblem, opts: ContinuationOptions, g):
    """The corrected first point and the start's notes, or a failed `Branch`."""
    sys_ = problem.system
    d = sys_.dim
    e_p = np.zeros(d + 1)
    e_p[-1] = 1.0 if opts.ds > 0 else -1.0
    if problem.start_tangent is not None:
        e_p = np.asarray(problem.start_tangent, dtype=float) / np.linalg.norm(
            problem.start_tangent)
    u0 = np.append(np.asarray(problem.start_point, dtype=float), float(problem.start_value))
    u0, _, ok = correct(sys_, u0, e_p, opts.newton_tol, 50)
    first = evaluate(sys_, u0, e_p, g) if ok else None
    if not ok:
        return _failed(sys_, f"Newton ({note_name(problem.parameter)} = {u0[-1]:.6g}) did "
                             "not converge from the start "
                             "point"), []
    if first is None:
        return _failed(sys_, "D F is not finite at the start point"), []
    if not opts.p_min - 1e-12 <= u0[-1] <= opts.p_max + 1e-12:
        return _failed(sys_, f"start value {u0[-1]} lies outside [p_min, p_max]"), []
    if np.any(first.tests["g"] < -1e-9):
        return _failed(sys_, f"the start point {u0[:d].tolist()} lies outside the region"), []
    notes = []
    if d and not regular_jacobian(first.jac[:, :d]):
        notes.append("D_phi F is singular at the start point (fold, branch point or continuum)")
    return first, notes


@dataclass
class _Walk:
    """The points and events of a branch being followed."""

    sys_: ExtendedField
    problem: ContinuationProblem
    opts: ContinuationOptions
    g: object
    gnames: list
    saturating: bool
    pts: list
    events: list = field(default_factory=list)
    status: BranchStatus = BranchStatus.MAX_STEPS

    def step(self, a: Point, b: Point, ds: float, notes: list) -> bool:
        """Record the events between a and b, then b; True when the branch ends."""
        window = [v for v in (self.opts.p_min, self.opts.p_max) if math.isfinite(v)]
        found = []
        for crossing in crossings(a, b, (self.opts.p_min, self.opts.p_max)):
            kind, sub = crossing.kind, crossing.sub
            s, pt, note = locate(self.sys_, a, b, ds, crossing, self.g, self.opts)
            found.append((s, kind, sub, exact_on(pt, kind, sub, self.problem.region), note))
        silent = None if any(spectral(f[1], f[3]) for f in found) else \
            silent_crossing(a, b, self._tol(a, b))
        if silent is not None:
            s, pt, note = locate_silent(self.sys_, a, b, ds, self.g, self.opts)
            found.append((s, silent, SILENT_NOTES[silent], pt, note))
        found.sort(key=lambda f: f[0])
        stop = next((f for f in found if f[1] == "window" or f[1] is EventType.BOUNDARY), None)
        for s, kind, sub, pt, note in found:
            if stop is not None and s > stop[0]:
                break
            if kind != "window" and not (self.opts.p_min - 1e-9 <= pt.u[-1] <= self.opts.p_max
                                         + 1e-9):
                continue  # located only roughly (a branch point), beyond the window's end
            if kind is EventType.HOPF and not is_hopf(pt.eig):
                continue  # a neutral saddle (two real eigenvalues z and -z), no Hopf point
            if note:  # only for an event that is kept: a dropped one says nothing
                notes.append(f"{getattr(kind, 'value', kind)}: {note}")
            self.pts.append(pt)
            if kind == "window" or _on_edge(pt.u[-1], window):
                # an event on the window's edge is left out: a run from that edge
                # starts there and records none, so both directions agree
                self.status = BranchStatus.WINDOW if stop is not None else self.status
                continue
            # a boundary event is named by its constraint; a silent one carries its note
            self.event(kind, pt, self.gnames[sub] if kind is EventType.BOUNDARY else
                       sub if isinstance(sub, str) else "")
            if kind is EventType.BOUNDARY:
                self.status = BranchStatus.REGION
        if stop is not None:
            return True
        self.pts.append(b)
        if self._closes(a, b):
            self.pts.append(self.pts[0])
            self.status = BranchStatus.CLOSED
            return True
        if self.saturating and np.max(np.abs(b.u[:-1]), initial=0.0) > AT_INFINITY:
            self.event(EventType.SATURATION, b, f"|phi| > {AT_INFINITY:g}: the branch runs "
                                                "off to a fixed point at infinity")
            self.status = BranchStatus.SATURATED
            return True
        return False

    def _tol(self, a: Point, b: Point) -> float:
        """The size against which eigenvalue signs are read at a and b (`sign_scale`)."""
        return SIGN_TOL * sign_scale(a.jac[:, :self.sys_.dim], b.jac[:, :self.sys_.dim])

    def _closes(self, a: Point, b: Point) -> bool:
        """Whether the step a -> b passes the first point again, in its direction.

        The first point u0 must lie between a and b along the chord (within
        a quarter of its length of it) with the tangent at b along the first
        one; the walk must have gone farther from u0 than one chord.
        """
        u0, t0 = self.pts[0].u, self.pts[0].t
        chord = b.u - a.u
        size = np.linalg.norm(chord)
        if len(self.pts) < 4 or size == 0 or b.t @ t0 < 0.5:
            return False
        s = (u0 - a.u) @ chord / size ** 2
        if not 0.0 <= s <= 1.0 or np.linalg.norm(a.u + s * chord - u0) > 0.25 * size:
            return False
        return max(np.linalg.norm(p.u - u0) for p in self.pts) > 2 * size

    def event(self, kind, pt: Point, note: str) -> None:
        """Append one event, unless it repeats the last one of its type at the same p."""
        value = float(pt.u[-1])
        if any(e.type is kind and abs(e.value - value) <= 1e-9 * (1 + abs(value))
               for e in self.events[-1:]):
            return
        self.events.append(Event(kind, value, tuple(float(v) for v in pt.u[:-1]),
                                 len(self.pts) - 1, note=note,
                                 parameter=self.sys_.parameter))


def _on_edge(value: float, window, tol: float = 1e-9) -> bool:
    """Whether p lies on an end of the parameter window (within tol, relative)."""
    return any(abs(value - w) <= tol * (1 + abs(w)) for w in window)


def _failed(sys_, note: str) -> Branch:
    """A branch with no points: the start could not be corrected (``note`` says why)."""
    return Branch(sys_.parameter, np.zeros((0, sys_.dim + 1)), (), (), (),
                  BranchStatus.START_FAILED, (note,))


def regular_jacobian(J: np.ndarray) -> bool:
    """Whether D_phi F is regular, judged on its rows scaled to unit max-norm.

    A logit field is F = diag(s) G with s_i = p_i (1 - p_i): near a saturated
    policy (theta = -20 under tau = 1/10, s ~ 2e-9) every entry of a row of
    D_phi F is that small while G's Jacobian is regular, so a threshold on the
    unscaled determinant or smallest singular value would call a regular point
    singular. Scaling each row by its largest entry removes s.

    Examples
    --------
    >>> regular_jacobian(np.array([[-2e-10, 1e-12], [1e-12, -2e-10]]))
    True
    >>> regular_jacobian(np.array([[1.0, 2.0], [2.0, 4.0]]))
    False
    """
    scale = np.max(np.abs(J), axis=1, keepdims=True)
    if np.any(scale == 0):
        return False
    return bool(np.linalg.svd(J / scale, compute_uv=False)[-1] >= 1e-9)


def _finish(sys_, pts, events, status, notes) -> Branch:
    d = sys_.dim
    rows = np.array([np.concatenate([[p.u[d]], p.u[:d]]) for p in pts])
    # signs read against the size of D_phi F, as for fixed points (`SIGN_TOL`)
    stab = tuple(classify(p.eig, tol=SIGN_TOL * sign_scale(p.jac[:, :d])) for p in pts)
    return Branch(sys_.parameter, rows, stab, tuple(p.eig for p in pts), tuple(events),
                  status, tuple(notes))


__all__ = [
    "Branch", "BranchStatus", "ContinuationOptions", "ContinuationProblem", "Event",
    "EventType", "ExtendedField", "PseudoArclength", "branch_test", "continuation",
    "correct", "extended_field", "fold_test", "hopf_test", "parameter_symbol",
    "region_constraints", "regular_jacobian", "tangent",
]
