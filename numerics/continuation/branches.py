"""Fixed points of a method's field followed in lambda (or a payoff symbol).

``continue_in_lambda(dec, method, lam_range=(a, b))``:

1. Seeds: the interior fixed points at p = a, found by Newton from a grid of
   starts (deduplicated), or the user's ``starts``.
2. Each seed is followed by pseudo-arclength continuation
   (:mod:`eqselect.numerics.continuation.pseudo_arclength`) with fold, branch-point,
   Hopf and boundary events.
3. Direct parameterisation (BOX region): every corner c in {0, 1}^d is a
   fixed point of the projected dynamics while F(c, p) points outward in
   every coordinate (F_k <= 0 where c_k = 0, F_k >= 0 where c_k = 1). F(c, p)
   is a polynomial in p (affine in lambda for the shaped methods), so the
   values of p where it stops (or starts) being one are solved exactly with
   sympy and reported as "boundary" events.
4. The branches and events become a networkx graph: nodes are the fixed
   points at events and the branch ends, edges the branch segments.

In Stag Hunt (direct, peer-only, eta = 11/20) the risk-dominant corner
(0, 0) stops being a fixed point at lambda = 2 / (3 eta) = 40/33, exactly where
the interior saddle branch reaches it; on the way, at lambda = 1 / (3 eta) =
20/33, D_phi F = [[9 lambda eta, 3], [3, 9 lambda eta]] is singular and the
whole line p1 + p2 = 2/3 is fixed (a branch point).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass, replace

import networkx as nx
import numpy as np
import symengine as se
import sympy as sp

from eqselect.theory import Decomposition, GameError, Region, RegionKind
from eqselect.theory.engine import to_engine, to_sympy
from eqselect.theory.exact import to_exact

from eqselect.numerics.fixed_points.record import Stability
from eqselect.numerics.continuation.pseudo_arclength import (Branch, BranchStatus, ContinuationOptions, ContinuationProblem,
                               Event, EventType, ExtendedField, PseudoArclength, continuation,
                               extended_field, region_constraints)

#: Corners are tracked exactly up to this many parameters (2^d corners).
MAX_CORNER_DIM = 8
#: In a FREE region, Newton solutions beyond this max-norm count as "at infinity"
#: (a logit policy with |theta| > 20 is saturated to within 2e-9).
FAR = 20.0


@dataclass(frozen=True)
class ContinuationResult:
    """Branches, events and their graph for one continuation run.

    Attributes
    ----------
    parameter : str
        "lam" or the payoff symbol's name.
    value_range : tuple of float
        (a, b), seeds at a.
    branches : tuple of Branch
        Arclength branches first, then corner branches.
    events : tuple of Event
        Every event, deduplicated, sorted by parameter value.
    graph : networkx.Graph
        Nodes: fixed points at events and at branch ends (attributes
        ``lam``, ``point``, ``type``); edges: branch segments (attributes
        ``stability``, ``n_points``, ``branch``).
    notes : tuple of str
        Numerical trouble met on the way (failed seeds, singular starts).
    """

    parameter: str
    value_range: tuple
    branches: tuple
    events: tuple
    graph: nx.Graph
    notes: tuple = ()

    def to_json(self) -> dict:
        """The CLI contract: {"parameter", "branches": [{"points", "stability"}], "events"}."""
        return {"parameter": self.parameter,
                "branches": [b.to_json() for b in self.branches],
                "events": [e.to_json() for e in self.events]}


# -- seeds -------------------------------------------------------------------------
def seed_grid(region: Region, d: int, n_per_axis: int = 7, max_points: int = 256,
              seed: int = 0) -> np.ndarray:
    """Starting points for Newton: a grid, or a seeded uniform sample when the grid is large.

    BOX / SIMPLEX: linspace(0.05, 0.95) per axis (SIMPLEX rows outside the
    region dropped); FREE: linspace(-4, 4).

    Examples
    --------
    >>> seed_grid(Region(RegionKind.BOX), 2, n_per_axis=3).shape
    (9, 2)
    """
    lo, hi = (-4.0, 4.0) if region.kind is RegionKind.FREE else (0.05, 0.95)
    if n_per_axis ** d <= max_points:
        axis = np.linspace(lo, hi, n_per_axis)
        pts = np.array(list(itertools.product(axis, repeat=d)), dtype=float).reshape(-1, d)
    else:
        pts = np.random.default_rng(seed).uniform(lo, hi, size=(max_points, d))
    if region.kind is RegionKind.SIMPLEX:
        keep = [region.contains(p) for p in pts]
        pts = pts[np.asarray(keep, dtype=bool)]
    return pts


def interior_fixed_points(system: ExtendedField, value: float, region: Region,
                          seeds=None, tol: float = 1e-11, dedupe: float = 1e-7):
    """Solve F(phi, p) = 0 at p = ``value`` by Newton from many seeds.

    Parameters
    ----------
    system : ExtendedField
    value : float
        The parameter p.
    region : Region
        Solutions outside it are dropped.
    seeds : ndarray, shape (n, d), optional
        Defaults to :func:`seed_grid`.

    Returns
    -------
    points : list of ndarray
        Distinct solutions (max-norm distance > ``dedupe``) with a regular
        D_phi F; in a FREE region only those with max|phi| <= ``FAR``.
    notes : list of str
        Solutions with a singular D_phi F (folds, continua), which are not
        used as seeds.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    >>> pts, _ = interior_fixed_points(extended_field(dec, "pg"), 0.0, dec.game.region)
    >>> [p.round(6).tolist() for p in pts]
    [[0.666667, 0.666667]]
    """
    d = system.dim
    seeds = seed_grid(region, d) if seeds is None else np.atleast_2d(np.asarray(seeds, float))
    g, _ = region_constraints(region, d)
    found, regular, notes = [], [], []
    far = 0
    for x0 in seeds:
        x, ok = newton_at(system, x0, value, tol)
        if not ok or np.any(g(x) < -1e-12):
            continue
        if region.kind is RegionKind.FREE and np.max(np.abs(x)) > FAR:
            far += 1
            continue
        if any(np.max(np.abs(x - y)) <= dedupe for y in found):
            continue
        found.append(x)
        if np.linalg.svd(system.jacobian(x, value)[:, :d], compute_uv=False)[-1] >= 1e-9:
            regular.append(x)
    singular = [x for x in found if not any(x is y for y in regular)]
    if singular:
        notes.append(f"{len(singular)} fixed point(s) at p = {value} have a singular D_phi F "
                     f"(fold, branch point or continuum), not used as seeds, e.g. "
                     f"{np.round(singular[0], 9).tolist()}")
    if far:
        notes.append(f"{far} Newton run(s) at p = {value} ended beyond |phi| = {FAR} "
                     f"(saturated policies, fixed points at infinity); dropped")
    if not found:
        notes.append(f"no fixed point found at p = {value} from {len(seeds)} Newton seeds")
    return regular, notes


def newton_at(system: ExtendedField, x0, value: float, tol: float = 1e-11,
              max_iter: int = 40) -> tuple[np.ndarray, bool]:
    """Newton on F(phi, p) = 0 at fixed p, least-squares steps (Gauss-Newton).

    The minimum-norm step keeps Newton going where D_phi F is singular (a
    continuum of fixed points), so such points are found and reported rather
    than lost.

    Returns
    -------
    x : ndarray, shape (d,)
    converged : bool
        max|F(x, p)| <= tol with a final step below sqrt(tol).

    Examples
    --------
    >>> from eqselect.theory import tandem
    >>> x, ok = newton_at(extended_field(Decomposition(tandem(), eta=0.5), "pg"), [0.0, 0.0], 0.0)
    >>> ok, round(float(x.sum()), 12)
    (True, 1.0)
    """
    x = np.asarray(x0, dtype=float).copy()
    d = system.dim
    step = math.inf
    for _ in range(max_iter + 1):
        F = system.field(x, value)
        if not np.all(np.isfinite(F)):
            return x, False
        if np.max(np.abs(F), initial=0.0) <= tol and step <= math.sqrt(tol):
            return x, True
        J = system.jacobian(x, value)[:, :d]
        if not np.all(np.isfinite(J)):
            return x, False
        try:
            dx = np.linalg.lstsq(J, -F, rcond=None)[0]
        except np.linalg.LinAlgError:
            return x, False
        if not np.all(np.isfinite(dx)):
            return x, False
        x = x + dx
        step = float(np.max(np.abs(dx)))
    return x, False


# -- corners of the box --------------------------------------------------------------
def corner_fixed_points(system: ExtendedField, window, corners=None):
    """Exact windows of p where box corners are fixed points of the projected dynamics.

    A corner c is a fixed point while s_k F_k(c, p) >= 0 for every k, with
    s_k = -1 where c_k = 0 and +1 where c_k = 1 (the field points out of the
    box). Each F_k(c, p) is a polynomial in p: its real roots are isolated
    exactly (sympy), and the status is decided exactly between them.

    Parameters
    ----------
    system : ExtendedField
    window : (float, float)
        p_min < p_max.
    corners : iterable of tuples in {0, 1}^d, optional
        Defaults to all 2^d corners.

    Returns
    -------
    branches : list of Branch
        One per maximal window of p where a corner is fixed (kind "corner",
        stable when every component points strictly outward).
    events : list of Event
        "boundary" events (exact value in ``exact_value``) where a corner
        stops or starts being a fixed point inside the window.
    notes : list of str

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    >>> _, ev, _ = corner_fixed_points(extended_field(dec, "peer-only"), (0, 3), [(0, 0)])
    >>> ev[0].exact_value, ev[0].point
    (40/33, (0.0, 0.0))
    """
    d = system.dim
    sym = sp.Symbol(system.symbol.name)
    lo, hi = (to_exact(window[0], "p_min"), to_exact(window[1], "p_max"))
    corners = itertools.product((0, 1), repeat=d) if corners is None else corners
    branches, events, notes = [], [], []
    phi = [to_engine(s) for s in system.phi]
    for c in corners:
        subs = {phi[k]: se.Integer(int(c[k])) for k in range(d)}
        comps = [sp.expand(to_sympy(e.subs(subs)).xreplace({system.symbol: sym}))
                 for e in system.exprs]
        signed = [(-1 if c[k] == 0 else 1) * comps[k] for k in range(d)]
        try:
            roots = sorted({r for s in signed if s.free_symbols
                            for r in sp.Poly(s, sym).real_roots() if lo < r < hi},
                           key=lambda r: float(r))
        except (sp.PolynomialError, sp.GeneratorsNeeded) as err:
            notes.append(f"corner {tuple(c)}: F is not polynomial in {sym} ({err}); skipped")
            continue
        cuts = [lo, *roots, hi]
        status = []
        for a, b in zip(cuts[:-1], cuts[1:]):
            mid = sp.Rational(a + b, 2) if (a.is_Rational and b.is_Rational) else \
                to_exact(float((a + b) / 2))
            vals = [s.xreplace({sym: mid}) for s in signed]
            status.append((all(v >= 0 for v in vals), all(v > 0 for v in vals)))
        point = tuple(float(v) for v in c)
        for i, r in enumerate(roots):
            if status[i][0] != status[i + 1][0]:
                events.append(Event(EventType.BOUNDARY, float(r), point, exact_value=r,
                                    note=f"corner {tuple(int(v) for v in c)} "
                                         f"{'stops' if status[i][0] else 'starts'} being "
                                         f"a fixed point as {sym} increases"))
        run = None
        for i, (fixed, strict) in enumerate(status):
            if fixed and run is None:
                run = [i, strict]
            elif fixed:
                run[1] = run[1] and strict
            if run is not None and (not fixed or i == len(status) - 1):
                end = i if fixed else i - 1
                branches.append(_corner_branch(system, point, cuts[run[0]], cuts[end + 1],
                                               run[1], lo, hi))
                run = None
    return branches, events, notes


def _corner_branch(system, point, a, b, strict, lo, hi) -> Branch:
    d = system.dim
    rows = np.array([[float(a), *point], [float(b), *point]])
    stab = Stability.STABLE if strict else Stability.DEGENERATE
    events = []
    for idx, v in ((0, a), (1, b)):
        if v != lo and v != hi:
            events.append(Event(EventType.BOUNDARY, float(v), point, index=idx, exact_value=v,
                                note="corner fixed point ends"))
    notes = () if strict else ("a component of F vanishes at the corner over the window",)
    eig = np.full(0, 0j) if d else np.zeros(0)
    return Branch(system.parameter, rows, (stab, stab), (eig, eig), tuple(events),
                  BranchStatus.FIXED, notes, kind="corner")


# -- the graph ---------------------------------------------------------------------------
def branch_graph(branches, tol: float = 1e-7) -> nx.Graph:
    """Nodes: fixed points at events and branch ends; edges: the branch segments between them.

    Nodes closer than ``tol`` (in p and in max-norm of phi) are merged, so a
    branch that ends on a corner where the corner stops being a fixed point
    shares that node with the corner's branch. Node attributes: ``lam``,
    ``point``, ``type`` (an event type, else "start" / "end"); edge
    attributes: ``stability`` (the class held along the segment),
    ``n_points``, ``branch`` (index into ``branches``).
    """
    G = nx.Graph()

    def node(value, point, typ):
        for n, data in G.nodes(data=True):
            if abs(data["lam"] - value) <= tol and \
                    max((abs(x - y) for x, y in zip(data["point"], point)), default=0) <= tol:
                if data["type"] in ("start", "end") and typ not in ("start", "end"):
                    data["type"] = typ
                return n
        n = G.number_of_nodes()
        G.add_node(n, lam=float(value), point=tuple(float(x) for x in point), type=typ)
        return n

    for bi, br in enumerate(branches):
        n = len(br.points)
        kinds = {e.index: e.type.value for e in br.events if 0 <= e.index < n}
        cuts = sorted({0, n - 1, *kinds})
        ids = [node(br.points[i][0], br.points[i][1:],
                    kinds.get(i, "start" if i == 0 else "end")) for i in cuts]
        for (i, j), (a, b) in zip(zip(cuts[:-1], cuts[1:]), zip(ids[:-1], ids[1:])):
            inner = list(br.stability[i + 1:j]) or list(br.stability[i:j + 1])
            stab = Counter(s.value for s in inner).most_common(1)[0][0]
            if a == b:
                continue
            if G.has_edge(a, b):
                G.edges[a, b]["parallel"] = G.edges[a, b].get("parallel", 1) + 1
                continue
            G.add_edge(a, b, stability=stab, n_points=j - i + 1, branch=bi)
    return G


# -- the drivers ---------------------------------------------------------------------------
def _covered(x, value, branches, tol=1e-6) -> bool:
    for br in branches:
        for row in br.points:
            if abs(row[0] - value) <= 1e-9 and np.max(np.abs(row[1:] - x)) <= tol:
                return True
    return False


def _dedupe_events(events, tol=1e-8):
    out = []
    for e in sorted(events, key=lambda e: (e.value, e.type.value)):
        if any(f.type is e.type and abs(f.value - e.value) <= tol and
               max((abs(x - y) for x, y in zip(f.point, e.point)), default=0) <= tol
               for f in out):
            continue
        out.append(e)
    return out


def continue_in_parameter(dec: Decomposition, method, parameter: str = "lam",
                          value_range=(0.0, 3.0), lam=1.5, own_coef=0.35, starts=None,
                          options: ContinuationOptions | None = None,
                          algorithm: PseudoArclength | None = None) -> ContinuationResult:
    """Every branch of fixed points through p = a, followed to p = b, with events.

    Parameters
    ----------
    dec : Decomposition
        eta numeric (or continue in "eta"); payoff symbols other than the
        parameter are set to their defaults.
    method : str or Method
    parameter : str
        "lam" or a payoff symbol's name.
    value_range : (a, b)
        Seeds at a; a > b continues downward.
    lam, own_coef : number
        Fixed values of lambda (when not continued in) and of c.
    starts : sequence of points, optional
        Seeds at p = a instead of the Newton grid.
    options : ContinuationOptions, optional
        Its window and direction are replaced by the range's.

    Returns
    -------
    ContinuationResult

    Raises
    ------
    GameError
        For a degenerate range or an unknown parameter.
    """
    a, b = (float(v) for v in value_range)
    if not (math.isfinite(a) and math.isfinite(b)) or a == b:
        raise GameError(f"parameter range {value_range!r} needs two distinct finite values")
    system = extended_field(dec, method, parameter, lam, own_coef)
    region = dec.game.region
    base = options or ContinuationOptions(ds=0.02, ds_max=0.1)
    opts = replace(base, ds=math.copysign(abs(base.ds), b - a), p_min=min(a, b), p_max=max(a, b))
    notes = []
    if starts is None:
        seeds, seed_notes = interior_fixed_points(system, a, region)
        notes += seed_notes
    else:
        seeds = [np.asarray(s, dtype=float) for s in starts]
    branches = []
    for x in seeds:
        if _covered(x, a, branches):
            continue
        prob = ContinuationProblem(dec, method, tuple(x), a, parameter, lam, own_coef,
                                   region, system)
        br = continuation(prob, algorithm, opts)
        if br.status is BranchStatus.START_FAILED:
            notes.append(f"start {np.round(x, 9).tolist()}: {'; '.join(br.notes)}")
            continue
        notes += [f"branch {len(branches)}: {n}" for n in br.notes]
        branches.append(br)
    events = [e for br in branches for e in br.events]
    if region.kind is RegionKind.BOX:
        if system.dim <= MAX_CORNER_DIM:
            cb, ce, cn = corner_fixed_points(system, (opts.p_min, opts.p_max))
            branches += cb
            events += ce
            notes += cn
        else:
            notes.append(f"corners not tracked: {system.dim} parameters > {MAX_CORNER_DIM}")
    elif region.kind is RegionKind.SIMPLEX:
        notes.append("boundary fixed points on simplex faces are not tracked")
    return ContinuationResult(system.parameter, (a, b), tuple(branches),
                              tuple(_dedupe_events(events)), branch_graph(branches),
                              tuple(notes))


def continue_in_lambda(dec: Decomposition, method, lam_range=(0.0, 3.0), own_coef=0.35,
                       starts=None, options: ContinuationOptions | None = None
                       ) -> ContinuationResult:
    """Fixed points of ``method`` followed in the shaping coefficient lambda.

    See :func:`continue_in_parameter` (``parameter="lam"``).

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    >>> res = continue_in_lambda(dec, "peer-only", (0, 3))
    >>> [(e.type.value, round(e.value, 9), [round(x, 9) for x in e.point]) for e in res.events]
    [('branch', 0.606060606, [0.166666667, 0.166666667]), ('boundary', 1.212121212, [0.0, 0.0])]
    """
    return continue_in_parameter(dec, method, "lam", lam_range, own_coef=own_coef,
                                 starts=starts, options=options)


__all__ = [
    "ContinuationResult", "MAX_CORNER_DIM", "branch_graph", "continue_in_lambda",
    "continue_in_parameter", "corner_fixed_points", "interior_fixed_points", "newton_at",
    "seed_grid",
]
