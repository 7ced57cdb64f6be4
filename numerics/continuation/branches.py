"""Fixed points of a method's field followed in lambda (or a payoff symbol, eta, or a
symbolic entropy temperature tau).

``continue_in_lambda(dec, method, lam_range=(a, b))``:

1. Seeds: the interior fixed points at p = a (and those at p = b on no
   branch found from a, followed back towards a, so that a reversed range
   finds the same branches), found by the batch Newton of
   `eqselect.numerics.fixed_points.newton.multistart` from a grid of starts
   (`eqselect.numerics.fixed_points.newton.seeds.seed_grid`, deduplicated), or the
   user's ``starts``.
2. Each seed is followed by pseudo-arclength continuation
   (:mod:`eqselect.numerics.continuation.pseudo_arclength`) with fold, branch-point,
   Hopf and boundary events.
3. Direct parameterisation (BOX or SIMPLEX region): every corner c in
   {0, 1}^d (every pure profile of a simplex product) is a fixed point of
   the projected dynamics while F(c, p) points outward in every coordinate
   (F_k <= 0 where c_k = 0, F_k >= 0 where c_k = 1; for simplices every KKT
   multiplier >= 0). F(c, p) is a polynomial in p (affine in lambda for the
   shaped methods), so the values of p where it stops (or starts) being one
   are solved exactly with sympy and reported as "boundary" events
   (`eqselect.numerics.continuation.corners`). Fixed points on edges and
   faces (some coordinates at a bound, the others interior) are followed by
   pseudo-arclength continuation of the field restricted to the face, with
   the support probabilities and the KKT multipliers as constraints; at a
   "boundary" event the branch passes to the adjacent face and continues
   there (`eqselect.numerics.continuation.face_branches`).
4. Branch points: at each "branch" event the second branch through the
   point is found from Keller's algebraic bifurcation equation and followed
   both ways, on the interior and on every face
   (`eqselect.numerics.continuation.switching`), so that a branch living
   between two branch points is found from either end of the range.
5. The branches and events become a networkx graph
   (`eqselect.numerics.continuation.graph`): nodes are the fixed
   points at events and the branch ends, edges the branch segments.

In Stag Hunt (direct, peer-only, eta = 11/20) the risk-dominant corner
(0, 0) stops being a fixed point at lambda = 2 / (3 eta) = 40/33, exactly where
the interior saddle branch reaches it and two edge branches (p1 = 0 and
p2 = 0, saddles) leave it; on the way, at lambda = 1 / (3 eta) =
20/33, D_phi F = [[9 lambda eta, 3], [3, 9 lambda eta]] is singular and the
whole segment p1 + p2 = 1/3 is fixed (a branch point): the switch there
follows it to the edges p2 = 0 and p1 = 0, where the edge branches start.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from eqselect.theory import Decomposition, GameError, Region, RegionKind

from eqselect.numerics.continuation.corners import (MAX_CORNER_DIM, MAX_VERTICES,
                                                    corner_fixed_points)
from eqselect.numerics.continuation.face_branches import (MAX_TRACKED_FACES, FaceTracker,
                                                          n_faces)
from eqselect.numerics.continuation.graph import branch_graph
from eqselect.numerics.continuation.pseudo_arclength import (ContinuationOptions,
                                                             ContinuationProblem,
                                                             PseudoArclength, continuation,
                                                             region_constraints,
                                                             regular_jacobian)
from eqselect.numerics.continuation.results import BranchStatus, ContinuationResult
from eqselect.numerics.continuation.switching import (SwitchBudget, Switcher,
                                                      merge_branch_points, switch_on_faces)
from eqselect.numerics.continuation.system import ExtendedField, extended_field
from eqselect.theory.rules import Rule
from eqselect.numerics.rule_argument import require_rule
from eqselect.numerics.fixed_points.infinity.pure_profiles import AT_INFINITY
from eqselect.numerics.fixed_points.newton.entropy_interior import has_entropy
from eqselect.numerics.fixed_points.newton.multistart import newton_batch
from eqselect.numerics.fixed_points.newton.seeds import seed_grid

#: Residual max|F| a batch-Newton root must reach to seed a branch.
SEED_TOL = 1e-10


def interior_fixed_points(system: ExtendedField, value: float, region: Region,
                          seeds=None, tol: float = SEED_TOL, dedupe: float = 1e-7):
    """Solve F(phi, p) = 0 at p = ``value`` by Newton from many seeds at once.

    The batch Newton of the fixed-point search (`newton_batch`, minimum-norm
    steps so that a singular D_phi F still gives a step) runs from every
    seed; a root must have max|F| <= ``tol``.

    Parameters
    ----------
    system : ExtendedField
    value : float
        The parameter p.
    region : Region
        Solutions outside it are dropped.
    seeds : ndarray, shape (n, d), optional
        Defaults to `seed_grid`.

    Returns
    -------
    points : list of ndarray
        Distinct solutions (max-norm distance > ``dedupe``) with a regular
        D_phi F; in a FREE region only those with max|phi| <= ``AT_INFINITY``.
    notes : list of str
        Solutions with a singular D_phi F (folds, continua), which are not
        used as seeds.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    >>> pts, _ = interior_fixed_points(extended_field(dec, Rule("pg")), 0.0, dec.game.region)
    >>> [p.round(6).tolist() for p in pts]
    [[0.666667, 0.666667]]
    """
    d = system.dim
    seeds = seed_grid(region, d) if seeds is None else np.atleast_2d(np.asarray(seeds, float))
    field_at = system.at(value)
    x, status = newton_batch(field_at, seeds, np.zeros((0, d)), 40)
    g, _ = region_constraints(region, d)
    found, far = [], int(np.sum(status == 2)) if region.kind is RegionKind.FREE else 0
    for xk in x[status == 1]:
        if np.max(np.abs(field_at.field(xk)[0]), initial=0.0) > tol or np.any(g(xk) < -1e-12):
            continue
        if region.kind is RegionKind.FREE and np.max(np.abs(xk)) > AT_INFINITY:
            far += 1
            continue
        if not any(np.max(np.abs(xk - y)) <= dedupe for y in found):
            found.append(xk)
    regular = [xk for xk in found if regular_jacobian(system.jacobian(xk, value)[:, :d])]
    return regular, _seed_notes(found, regular, far, f"{system.label} = {value:g}",
                                 len(seeds), region.kind is not RegionKind.FREE)


def _entropy_seeds(dec, rule, value) -> list:
    """Interior fixed points at lambda = ``value`` of an entropy-regularised direct game,
    from the fixed-point search in softmax coordinates (they can lie near the boundary)."""
    from eqselect.numerics.fixed_points.newton.entropy_interior import (
        interior_fixed_points as interior)

    return [np.array(e.point) for e in interior(dec, rule.with_(lam=value)).equilibria]


def _seed_notes(found, regular, far, at: str, n_seeds, bounded: bool) -> list:
    notes = []
    singular = [x for x in found if not any(x is y for y in regular)]
    if singular:
        notes.append(f"{len(singular)} fixed point(s) for {at} have a singular D_phi F "
                     f"(fold, branch point or continuum), not used as seeds, e.g. "
                     f"{np.round(singular[0], 9).tolist()}")
    if far:
        notes.append(f"{far} Newton run(s) for {at} ended beyond |phi| = "
                     f"{AT_INFINITY:g} (saturated policies, fixed points at infinity); dropped")
    if not found:
        notes.append(f"no zero of F found for {at} from {n_seeds} Newton seeds (fixed "
                     "points on the boundary are followed as corner and face branches)"
                     if bounded else
                     f"no fixed point found for {at} from {n_seeds} Newton seeds")
    return notes


# -- the drivers ---------------------------------------------------------------------------
def _covered(x, value, branches, tol=1e-6) -> bool:
    for br in branches:
        for row in br.points:
            if abs(row[0] - value) <= 1e-9 and np.max(np.abs(row[1:] - x)) <= tol:
                return True
    return False


def _dedupe_events(events, tol=1e-8):
    """Events of the same type at the same point merged; an exactly solved one is kept."""
    out = []
    for e in sorted(events, key=lambda e: (e.exact_value is None, e.value, e.type.value)):
        if any(f.type is e.type and abs(f.value - e.value) <= tol and
               max((abs(x - y) for x, y in zip(f.point, e.point)), default=0) <= tol
               for f in out):
            continue
        out.append(e)
    return sorted(out, key=lambda e: (e.value, e.type.value))


def continue_in_parameter(dec: Decomposition, rule: Rule = Rule(), parameter: str = "lam",
                          value_range=(0.0, 3.0), starts=None,
                          options: ContinuationOptions | None = None,
                          algorithm: PseudoArclength | None = None) -> ContinuationResult:
    """Every branch of fixed points through p = a, followed to p = b, with events.

    Parameters
    ----------
    dec : Decomposition
        eta numeric (or continue in "eta"); payoff symbols other than the
        parameter are set to their defaults.
    rule : Rule
        Method and exact coefficients (`eqselect.theory.rules.resolve` makes
        one from what a user typed).
    parameter : str
        "lam", a payoff symbol's name, "eta" (kept symbolic by ``dec``) or the name
        of the game's symbolic entropy temperature (quantal response branches).
    value_range : (a, b)
        Seeds at a; a > b continues downward.
    starts : sequence of points, optional
        Seeds at p = a instead of the Newton grid.
    options : ContinuationOptions, optional
        Its window and direction are replaced by the range's.

    Raises
    ------
    GameError
        For a degenerate range or an unknown parameter.
    """
    a, b = (float(v) for v in value_range)
    if not (math.isfinite(a) and math.isfinite(b)) or a == b:
        raise GameError(f"parameter range {value_range!r} needs two distinct finite values")
    rule = require_rule(rule, "continue_in_parameter")
    system = extended_field(dec, rule, parameter)
    region = dec.game.region
    base = options or ContinuationOptions(ds=0.02, ds_max=0.1)
    opts = replace(base, ds=math.copysign(abs(base.ds), b - a), p_min=min(a, b), p_max=max(a, b))
    notes = list(system.notes)
    seeds = _seeds(dec, rule, system, parameter, a, starts, notes)
    branches = _follow(dec, rule, system, seeds, a, parameter, algorithm, opts, notes)
    if starts is None:  # branches alive at the far end only: followed back from b
        back, back_notes = interior_fixed_points(system, b, region)
        back = [x for x in back if not _covered(x, b, branches)]
        if back:
            notes += back_notes
            rev = replace(opts, ds=-opts.ds)
            branches += _follow(dec, rule, system, back, b, parameter, algorithm, rev, notes,
                                len(branches))
    budget = SwitchBudget()
    switched, ends = _switch(dec, rule, system, branches, parameter, opts, algorithm, budget,
                             notes)
    branches += switched
    cb, ce, cn = _boundary_branches(system, region, opts, _blocks(dec), has_entropy(dec))
    if region.kind is not RegionKind.FREE and not has_entropy(dec):
        fb, fn = _face_branches(dec, rule, system, branches + ends, ce, opts, _blocks(dec),
                                algorithm, parameter, budget)
        branches += fb
        notes += fn
    branches += cb
    events = merge_branch_points(_dedupe_events([e for br in branches for e in br.events] +
                                                ce), budget.points)
    return ContinuationResult(system.parameter, (a, b), tuple(branches), tuple(events),
                              branch_graph(branches),
                              tuple(dict.fromkeys(notes + cn + budget.notes)))


def _seeds(dec, rule, system, parameter, a, starts, notes) -> list:
    """The starts at p = a: the user's, the entropy-regularised interior fixed points, or
    the batch-Newton solutions (`interior_fixed_points`, its notes added to ``notes``)."""
    region = dec.game.region
    if starts is not None:
        return [np.asarray(s, dtype=float) for s in starts]
    if parameter in ("lam", "lambda") and region.kind is not RegionKind.FREE and \
            has_entropy(dec):
        return _entropy_seeds(dec, rule, a)
    seeds, seed_notes = interior_fixed_points(system, a, region)
    notes += seed_notes
    return seeds


def _follow(dec, rule, system, seeds, a, parameter, algorithm, opts, notes,
            first: int = 0) -> list:
    """One arclength branch per seed not already on a branch (failures noted)."""
    branches = []
    for x in seeds:
        if _covered(x, a, branches):
            continue
        prob = ContinuationProblem(dec, rule, tuple(x), a, parameter, dec.game.region, system)
        br = continuation(prob, algorithm, opts)
        if br.status is BranchStatus.START_FAILED:
            notes.append(f"start {np.round(x, 9).tolist()}: {'; '.join(br.notes)}")
            continue
        at_once = np.ptp(br.points[:, 0]) <= 1e-9 and br.status in (BranchStatus.WINDOW,
                                                                    BranchStatus.REGION)
        if at_once and not _on_boundary(x, dec.game.region):
            notes.append(f"start {np.round(x, 9).tolist()} for {system.label} = {a:g}: its "
                         "branch leaves the window at once (a fold on the window's end)")
            continue
        if at_once:
            notes.append(f"start {np.round(x, 9).tolist()} for {system.label} = {a:g} lies on the boundary "
                         "and the interior branch leaves the region at once; see the face "
                         "and corner branches")
            continue
        notes += [f"branch {first + len(branches)}: {n}" for n in br.notes]
        branches.append(br)
    return branches


def _on_boundary(x, region: Region) -> bool:
    """Whether the point x lies on the boundary of a box or simplex region."""
    g, _ = region_constraints(region, len(x))
    return bool(np.any(g(np.asarray(x, dtype=float)) <= 1e-12))


def _switch(dec, rule, system, branches, parameter, opts, algorithm, budget, notes) -> tuple:
    """The interior branches born at the branch points of ``branches`` and their two
    ends (`eqselect.numerics.continuation.switching`); trouble goes to ``notes``."""
    switcher = Switcher(dict(dec=dec, method=rule, parameter=parameter,
                             region=dec.game.region, system=system),
                        opts, algorithm, budget)
    switched, ends = switcher.run(branches)
    notes += switcher.notes
    return switched, ends


def _blocks(dec) -> tuple:
    """The simplex blocks of a box or simplex region (singletons for a box)."""
    from eqselect.numerics.fixed_points.exact_faces.enumeration import region_blocks

    return region_blocks(dec.game) if dec.game.region.kind is not RegionKind.FREE else ()


def _boundary_branches(system, region, opts, blocks, entropy: bool):
    """Corner branches and events of a box or simplex product; a note for regions not tracked.

    ``entropy`` (the game carries tau H(pi), `has_entropy`): no boundary point is fixed.
    """
    if region.kind is not RegionKind.FREE and entropy:
        return [], [], ["entropy term: F is infinite on the boundary, which is no fixed point"]
    if region.kind is RegionKind.BOX:
        if system.dim <= MAX_CORNER_DIM:
            return corner_fixed_points(system, (opts.p_min, opts.p_max))
        return [], [], [f"corners not tracked: {system.dim} parameters > {MAX_CORNER_DIM}"]
    if region.kind is RegionKind.SIMPLEX:
        n = math.prod(len(b) + 1 for b in blocks)
        if n <= MAX_VERTICES:
            return corner_fixed_points(system, (opts.p_min, opts.p_max), blocks=blocks)
        return [], [], [f"pure profiles not tracked: {n} vertices > {MAX_VERTICES}"]
    return [], [], []


def _face_branches(dec, rule, system, interior, corner_events, opts, blocks, algorithm,
                   parameter, budget):
    """Edge and face branches (`eqselect.numerics.continuation.face_branches`): seeded on
    every face at both ends of the window, handed over at boundary events and switched at
    branch points (`eqselect.numerics.continuation.switching`)."""
    n = n_faces(blocks)
    if n > MAX_TRACKED_FACES:
        return [], [f"edge and face fixed points not tracked: {n} faces > "
                    f"{MAX_TRACKED_FACES}"]
    problem = dict(dec=dec, method=rule, parameter=parameter, region=dec.game.region)
    tracker = FaceTracker(problem, system, blocks, opts, algorithm)
    full = tuple(tuple(range(len(b) + 1)) for b in blocks)
    for br in interior:
        tracker.register(full, br)
    a, b = (opts.p_min, opts.p_max) if opts.ds > 0 else (opts.p_max, opts.p_min)
    tracker.seed(a, math.copysign(1.0, b - a))
    for br in interior:
        tracker.hand_over(br)
    for ev in corner_events:
        tracker.release(ev)
    tracker.run()
    tracker.seed(b, math.copysign(1.0, a - b))
    switch_on_faces(tracker, budget)
    return tracker.branches, tracker.notes


def continue_in_lambda(dec: Decomposition, rule: Rule = Rule(), lam_range=(0.0, 3.0),
                       starts=None, options: ContinuationOptions | None = None
                       ) -> ContinuationResult:
    """Fixed points of ``method`` followed in the shaping coefficient lambda.

    See :func:`continue_in_parameter` (``parameter="lam"``).

    Examples
    --------
    >>> from eqselect.theory import Rule, builtin
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    >>> res = continue_in_lambda(dec, Rule("peer-only"), (0, 3))
    >>> [(e.type.value, round(e.value, 9), [round(x, 9) for x in e.point]) for e in res.events]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('boundary', 0.606060606, [0.333333333, 0.0]),
     ('boundary', 0.606060606, [0.0, 0.333333333]),
     ('branch', 0.606060606, [0.166666667, 0.166666667]),
     ('boundary', 1.212121212, [0.0, 0.0])]
    >>> sorted((b.kind, b.face, b.origin) for b in res.branches)
    ... # doctest: +NORMALIZE_WHITESPACE
    [('corner', 'p1 = 0; p2 = 0', 'continuation'), ('corner', 'p1 = 1; p2 = 1', 'continuation'),
     ('face', 'p1 = 0', 'continuation'), ('face', 'p2 = 0', 'continuation'),
     ('interior', '', 'branch-switch'), ('interior', '', 'continuation')]
    """
    return continue_in_parameter(dec, rule, "lam", lam_range, starts=starts, options=options)


__all__ = [
    "ContinuationResult", "MAX_CORNER_DIM", "branch_graph", "continue_in_lambda",
    "continue_in_parameter", "corner_fixed_points", "interior_fixed_points", "seed_grid",
]
