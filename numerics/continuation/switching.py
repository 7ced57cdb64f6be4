"""Branch switching at a simple branch point of H(phi, p) = F(phi, p) = 0.

Pseudo-arclength continuation passes straight through a branch point (the
test function det [DH; t^T] changes sign there,
`eqselect.numerics.continuation.events`). The other branch through it is
found by Keller's algebraic bifurcation equation (ABE), as AUTO and
BifurcationKit.jl do:

1. At the located point u* = (phi*, p*) the extended Jacobian
   DH = [D_phi F, D_p F] (d x (d + 1)) has rank d - 1: its null space is
   spanned by two orthonormal vectors phi_1, phi_2 and its left null space
   by one unit vector psi (the last right and left singular vectors, SVD).
2. Every branch through u* has a tangent t = alpha phi_1 + beta phi_2 with

       a_11 alpha^2 + 2 a_12 alpha beta + a_22 beta^2 = 0,
       a_ij = psi^T D^2 H(u*)[phi_i, phi_j],

   the second derivatives taken by central differences of the exact
   (compiled) Jacobian along the null vectors,
   D^2 H[phi_i, phi_j] ~ (DH(u* + h phi_i) - DH(u* - h phi_i)) phi_j / (2 h).
   With A = [[a_11, a_12], [a_12, a_22]] = Q diag(m_1, m_2) Q^T, m_1 < 0 < m_2
   at a simple branch point, the two roots are
   (alpha, beta) = Q (sqrt(m_2), +-sqrt(-m_1)). A (nearly) semi-definite A
   is a degenerate branch point (the roots merge or the quadratic vanishes);
   it is not switched and a note says so. Steps 1-2 and the refinement of a
   roughly located branch point are in
   `eqselect.numerics.continuation.branch_points`.
3. The root whose direction the known branches through u* follow (their
   secants from u* to the next computed point vote for the nearer root) is
   already traced; along each other root the new branch is started at
   u* +- h t (corrected on the hyperplane orthogonal to t) and followed by
   pseudo-arclength continuation in both directions, on the same face and
   with the same constraints as the branch it crosses. The two halves are
   joined through u* into one branch (origin "branch-switch") that carries
   the branch-point event. A branch whose end lands on a row of a known
   branch is that branch, and is dropped. At a branch point on the region's
   boundary one half may leave the region at once (u* +- h t outside it for
   every h): the new branch is then the other half alone, starting at u*.
4. New branches may cross further branch points: they are switched too, up
   to `MAX_SWITCHES` switches and `SWITCH_BUDGET` seconds per run; past
   either a note says that branches born at later branch points may be
   missing.

At a pitchfork the crossing branch is vertical (t_p = 0) at u*: its fold
test changes sign there, but the point is the branch point, so a fold event
at a branch point is dropped (`merge_branch_points`): one event per branch
point.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np

from eqselect.numerics.continuation.branch_points import (branch_directions,
                                                          refine_branch_point)
from eqselect.numerics.continuation.face_branches import to_full
from eqselect.numerics.continuation.pseudo_arclength import (ContinuationProblem,
                                                             continuation)
from eqselect.numerics.continuation.events import G_TOL, region_constraints
from eqselect.numerics.continuation.results import Branch, BranchStatus, EventType
from eqselect.numerics.continuation.system import note_name
from eqselect.numerics.fixed_points.core.record import classify

#: Branch switches (branch points switched at) per continuation run.
MAX_SWITCHES = 12
#: Wall-clock seconds for the branch switches of one run.
SWITCH_BUDGET = 20.0
#: A row this close to a branch point lies on it.
POINT_TOL = 1e-6
#: Branch-point events this close (max-norm in (phi, p)) are one branch point.
MATCH_TOL = 1e-3


def known_directions(rows: np.ndarray, u, event_rows=(), tol: float = POINT_TOL) -> list:
    """Unit secants from u to the rows around the places a branch passes through u.

    ``rows`` are points (phi, p) of one branch in arclength order (p last).
    The places are the rows within ``tol`` of u and the rows ``event_rows``
    (the branch's own branch-point events near u, located less exactly);
    the secants go to the nearest rows before and after each place that lie
    farther than 1e-3 from u.
    """
    out = []
    near = np.max(np.abs(rows - u), axis=1)
    for i in {*np.flatnonzero(near <= tol).tolist(), *event_rows}:
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(rows) and near[j] <= 1e-3:
                j += step
            if 0 <= j < len(rows):
                v = rows[j] - u
                out.append(v / np.linalg.norm(v))
    return out


def new_directions(directions, known) -> list:
    """The roots of the ABE that no known secant is nearer to than to the other root."""
    votes = [0] * len(directions)
    for v in known:
        votes[int(np.argmax([abs(v @ t) for t in directions]))] += 1
    return [t for t, n in zip(directions, votes) if n == 0]


@dataclass
class SwitchBudget:
    """The cap on switches and the wall-clock budget shared by one run.

    Attributes
    ----------
    max_switches : int
    seconds : float
    used : int
        Branch points switched at so far.
    points : list of (float, tuple)
        The branch points met, (p*, phi*) in the game's coordinates, refined
        (`refine_branch_point`); `merge_branch_points` puts the events on them.
    notes : list of str
        Said once when the cap or the budget is reached.
    """

    max_switches: int = MAX_SWITCHES
    seconds: float = SWITCH_BUDGET
    used: int = 0
    points: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    _t0: float = field(default_factory=time.monotonic)

    def spent(self, label: str, value: float) -> bool:
        """Whether no more switch may run (noted once)."""
        why = None
        if self.used >= self.max_switches:
            why = f"the cap of {self.max_switches} branch switches"
        elif time.monotonic() - self._t0 > self.seconds:
            why = f"the time budget of {self.seconds:g} s for branch switching"
        if why and not self.notes:
            at = f" at {label} = {value:.6g}" if math.isfinite(value) else ""
            self.notes.append(f"branch switching stopped{at}: {why} is reached; branches "
                              "born at later branch points may be missing")
        return why is not None


@dataclass
class Switcher:
    """Branch switching on one system (the interior field or one face's).

    Attributes
    ----------
    problem : dict
        Keyword arguments of `ContinuationProblem` other than the start (dec,
        method: a Rule, parameter, region, system, constraints).
    opts : ContinuationOptions
    algorithm : PseudoArclength or None
    budget : SwitchBudget
    to_system, to_full : callable
        Point phi of the game -> coordinates of the system, and a branch in
        the system's coordinates -> the game's (identity for the interior).
    done : list of ndarray
        Branch points (phi*, p*) already switched at, in the system's coordinates.
    notes : list of str
    """

    problem: dict
    opts: object
    algorithm: object = None
    budget: SwitchBudget = field(default_factory=SwitchBudget)
    to_system: object = None
    to_full: object = None
    done: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def run(self, known: list) -> tuple[list, list]:
        """Switch at every branch point of the branches in ``known`` (and of the new ones).

        Returns
        -------
        branches : list of Branch
            The new branches, joined through their branch point.
        ends : list of Branch
            Their two halves as followed from the branch point outward (for
            the boundary hand-overs).
        """
        new, ends, queue = [], [], list(known)
        sys_ = self.problem["system"]
        while queue:
            br = queue.pop(0)
            for ev in br.events:
                if ev.type is not EventType.BRANCH or any(
                        np.max(np.abs(self._u(ev) - v)) <= MATCH_TOL for v in self.done):
                    continue
                if self.budget.spent(note_name(sys_.parameter), ev.value):
                    return new, ends
                u = refine_branch_point(sys_, self._u(ev))
                self.done.append(u)
                inside = self.opts.p_min + 1e-9 < u[-1] < self.opts.p_max - 1e-9
                self.budget.points.append((float(u[-1]), tuple(self._full_point(u[:-1])),
                                           bool(inside)))
                if not inside:  # on the window's edge (or beyond): left out, as every event
                    continue
                self.budget.used += 1
                for joined, halves in self._switch(u, ev, known + new):
                    new.append(joined)
                    ends += halves
                    queue.append(joined)
        return new, ends

    def _u(self, ev) -> np.ndarray:
        """An event's (phi, p) in the system's coordinates."""
        return np.append(self._coords(ev.point), ev.value)

    def _coords(self, x):
        return np.asarray(x, float) if self.to_system is None else self.to_system(x)

    def _full(self, br):
        return br if self.to_full is None else self.to_full(br)

    def _switch(self, u, ev, known) -> list:
        """The new branches through the branch point u (module docstring, step 3)."""
        sys_ = self.problem["system"]
        dirs, note = branch_directions(sys_, u)
        face = "" if getattr(sys_, "interior", True) else f"face {sys_.label}: "
        where = f"{face}branch point at {note_name(sys_.parameter)} = {u[-1]:.6g}"
        if not dirs:
            self.notes.append(f"{where}: not switched ({note})")
            return []
        rows = [np.column_stack([b.points[:, 1:], b.points[:, 0]]) for b in known]
        secants = []
        for b, r in zip(known, rows):
            at = [e.index for e in b.events if e.type is EventType.BRANCH and
                  0 <= e.index < len(r) and np.max(np.abs(self._u(e) - u)) <= MATCH_TOL]
            secants += known_directions(self._system_rows(r), u, at)
        out = []
        for t in new_directions(dirs, secants):
            halves = self._halves(u, t, where)
            if len(halves) == 2 and not any(self._lands_on(h, rows) for h in halves):
                out.append((self._join(u, ev, halves), [self._full(h) for h in halves]))
        return out

    def _system_rows(self, rows):
        if self.to_system is None:
            return rows
        return np.array([[*self.to_system(r[:-1]), r[-1]] for r in rows])

    def _halves(self, u, t, where: str) -> list:
        """The new branch followed from u + h t along t and from u - h t along -t.

        A half that starts back on the crossing branch (the corrector slid
        along it) is retried with a smaller offset h; a closed curve is one
        half. Returns [] when a half cannot be started.
        """
        d = len(u) - 1
        opts = replace(self.opts, ds=abs(self.opts.ds))
        halves = []
        for sign in (1.0, -1.0):
            if halves and halves[0].status is BranchStatus.CLOSED:
                return [halves[0], halves[0]]
            for h in (1e-2, 2.5e-3, 6e-4):
                x0 = u + sign * h * t
                prob = ContinuationProblem(**{**self.problem, "start_point": tuple(x0[:d]),
                                              "start_value": float(x0[d]),
                                              "start_tangent": tuple(sign * t)})
                br = continuation(prob, self.algorithm, opts)
                if br.status is BranchStatus.START_FAILED or not len(br.points):
                    continue
                v = np.append(br.points[0, 1:], br.points[0, 0]) - u
                if abs(v @ t) >= 0.9 * np.linalg.norm(v):
                    halves.append(br)
                    break
            else:
                if self._outside(u, sign * t) and not (halves and not len(halves[0].points)):
                    halves.append(self._empty(where))  # the branch point is its end
                    continue
                self.notes.append(f"{where}: the new branch could not be started "
                                  f"({'+' if sign > 0 else '-'} side)")
                return []
        return halves

    def _outside(self, u, t) -> bool:
        """Whether u + h t lies outside the region for every offset h tried: the
        branch point is on the boundary and the direction t leaves it."""
        d = len(u) - 1
        g, _ = self.problem.get("constraints") or region_constraints(self.problem["region"], d)
        return all(np.any(g((u + h * t)[:d], (u + h * t)[d]) < -G_TOL)
                   for h in (1e-2, 2.5e-3, 6e-4))

    def _empty(self, where: str) -> Branch:
        """The half of a new branch that leaves the region at its branch point."""
        sys_ = self.problem["system"]
        return Branch(sys_.parameter, np.zeros((0, sys_.dim + 1)), (), (), (),
                      BranchStatus.REGION, (f"{where}: this side leaves the region at once",))

    def _lands_on(self, half, rows) -> bool:
        """Whether the half's last row is a row of a known branch (it is that branch)."""
        if not len(half.points):  # a half that leaves the region at its branch point
            return False
        end = np.append(half.points[-1, 1:], half.points[-1, 0])
        end = np.append(self._full_point(end[:-1]), end[-1])
        return any(np.any((np.abs(r[:, -1] - end[-1]) <= 1e-9) &
                          (np.max(np.abs(r[:, :-1] - end[:-1]), axis=1) <= POINT_TOL))
                   for r in rows)

    def _full_point(self, y):
        sys_ = self.problem["system"]
        return sys_.point(y) if hasattr(sys_, "point") else np.asarray(y, float)

    def _join(self, u, ev, halves):
        """One branch: the minus half reversed, the branch point, the plus half."""
        minus, plus = halves
        sys_ = self.problem["system"]
        d = len(u) - 1
        J = sys_.jacobian(u[:d], u[d])
        eig = np.linalg.eigvals(J[:, :d]) if d else np.zeros(0)
        bp_row = np.concatenate([[u[d]], u[:d]])
        if minus is plus:  # a closed curve: it starts and ends at the branch point
            m_rows, m_stab, m_eig, m_ev = np.zeros((0, d + 1)), (), (), ()
        else:
            n = len(minus.points)
            m_rows, m_stab, m_eig = minus.points[::-1], minus.stability[::-1], \
                minus.eigenvalues[::-1]
            m_ev = tuple(replace(e, index=n - 1 - e.index) for e in reversed(minus.events))
        k = len(m_rows)
        bp_ev = replace(ev, point=tuple(float(v) for v in u[:d]), index=k, note="")
        events = (*m_ev, bp_ev, *(replace(e, index=e.index + k + 1) for e in plus.events))
        ends = "a closed curve back to the point" if minus is plus else \
            f"its two ends: {minus.status.value}, {plus.status.value}"
        notes = [f"branch switched at {note_name(sys_.parameter)} = {u[d]:.6g}; {ends}",
                 *(f"{minus.status.value} end: {n}" for n in minus.notes if minus is not plus),
                 *plus.notes]
        p_rows, p_stab, p_eig = plus.points, plus.stability, plus.eigenvalues
        if minus is plus:  # the closing row (the first point again) is the branch point
            p_rows = np.vstack([plus.points[:-1], bp_row])
            p_stab, p_eig = (*plus.stability[:-1], classify(eig)), (*plus.eigenvalues[:-1], eig)
        joined = replace(plus, points=np.vstack([m_rows, bp_row, p_rows]),
                         stability=(*m_stab, classify(eig), *p_stab),
                         eigenvalues=(*m_eig, eig, *p_eig), events=events, notes=tuple(notes))
        return replace(self._full(joined), origin="branch-switch", switched_at=float(u[d]))


def switch_on_faces(tracker, budget: SwitchBudget) -> None:
    """Switch at the branch points of the face branches of a `FaceTracker`, face by face.

    Each face has its own `Switcher` on the face's restricted field G(y, p)
    with its KKT constraints; the new branches join the tracker's, and their
    two ends are handed over to the adjacent faces at boundary events. Rounds
    repeat while they find branches (the budget bounds them).
    """
    switchers = {}
    found = True
    while found and not budget.spent("", math.nan):
        found = False
        for supports, brs in list(tracker.by_face.items()):
            fs = tracker.system(supports)
            if fs.interior or fs.dim == 0 or not any(
                    e.type is EventType.BRANCH for b in brs for e in b.events):
                continue
            if supports not in switchers:
                problem = dict(tracker.problem, system=fs,
                               constraints=(fs.constraints, list(fs.constraint_names)))
                switchers[supports] = Switcher(problem, tracker.opts, tracker.algorithm,
                                               budget, fs.coordinates, partial(to_full, fs))
            new, ends = switchers[supports].run(list(brs))
            for br in new:
                tracker.register(supports, br)
                tracker.branches.append(br)
            for half in ends:
                tracker.hand_over(half, supports)
            found = found or bool(new)
        tracker.run()
    tracker.notes += [n for sw in switchers.values() for n in sw.notes]


def merge_branch_points(events, points=(), tol: float = MATCH_TOL) -> list:
    """One event per branch point.

    Branch events closer than ``tol`` are merged and put on the refined branch
    point of ``points`` ((p*, phi*, inside) triples, `SwitchBudget.points`)
    when one is that close; one refined on the window's edge (``inside``
    false) is left out, as every event on the edge. Fold events at a branch
    point (the crossing branch's vertical tangent) are dropped.
    """
    snapped = []
    for e in events:
        at = next(((v, x, inside) for v, x, inside in points if e.type is EventType.BRANCH
                   and abs(v - e.value) <= tol and
                   max((abs(a - b) for a, b in zip(x, e.point)), default=0.0) <= tol), None)
        if at is None:
            snapped.append(e)
        elif at[2]:
            snapped.append(replace(e, value=at[0], point=tuple(float(a) for a in at[1])))
    events = snapped
    bps = []
    for e in events:
        if e.type is EventType.BRANCH and not any(_same(e, f, tol) for f in bps):
            bps.append(e)
    return [e for e in events
            if (e.type is EventType.BRANCH and any(e is f for f in bps)) or
            (e.type not in (EventType.BRANCH, EventType.FOLD)) or
            (e.type is EventType.FOLD and not any(_same(e, f, tol) for f in bps))]


def _same(e, f, tol: float) -> bool:
    return abs(e.value - f.value) <= tol and \
        max((abs(x - y) for x, y in zip(e.point, f.point)), default=0.0) <= tol


__all__ = ["MAX_SWITCHES", "SWITCH_BUDGET", "SwitchBudget", "Switcher", "known_directions",
           "merge_branch_points", "new_directions", "switch_on_faces"]
