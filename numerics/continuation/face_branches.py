"""Branches of fixed points on the edges and faces of the direct parameterisation's region.

Under the direct parameterisation a fixed point of the projected dynamics may
sit on a face of the box or of the product of simplices: some coordinates at
a bound (an action out of an agent's support), the others interior. On the
face phi = P y + q it solves the restricted system G(y, p) = 0 with every KKT
multiplier mu_j >= 0 (`eqselect.numerics.continuation.faces`), and is
followed in p by the same pseudo-arclength continuation as the interior
branches, with the support probabilities and the multipliers as its
constraints:

1. Seeds: on every face of dimension 1 .. d - 1, the fixed points at p = a
   (and afterwards at p = b, followed back towards a, so that a reversed
   range finds the same branches), by batch Newton on G from a grid.
2. A branch that reaches a "boundary" event passes to the adjacent face: a
   probability reaching 0 drops that action from the support, a multiplier
   reaching 0 adds it. The branch continues there from the event point, in
   the direction where the constraint that just vanished becomes positive.
   Interior branches that reach the boundary, and corners that stop or start
   being fixed points (exact events), hand over the same way.
3. Corners (dimension 0) are tracked exactly (`corners`); a branch that
   reaches one ends there.

Stability on a face: the eigenvalues of D_y G (the projected dynamics'
linearisation on the face) together with -mu_j (strictly outward F is a
stable direction, a zero multiplier a degenerate one).
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from eqselect.theory import Region, RegionKind

from eqselect.numerics.continuation.faces import FaceField
from eqselect.numerics.continuation.pseudo_arclength import (ContinuationOptions,
                                                             ContinuationProblem, continuation)
from eqselect.numerics.continuation.results import BranchStatus, EventType
from eqselect.numerics.continuation.steps import correct, tangent
from eqselect.numerics.fixed_points.exact_faces.enumeration import faces
from eqselect.numerics.fixed_points.newton.multistart import newton_batch
from eqselect.numerics.fixed_points.newton.seeds import seed_grid

#: Faces are tracked up to this many faces of the region (3^d for a box).
MAX_TRACKED_FACES = 800
#: A probability above this counts as in the support of a point.
SUPPORT_TOL = 1e-9
#: Wall-clock seconds for the face branches of one run; past it the seeding
#: and the hand-overs stop and a note says the face branches may be incomplete.
FACE_BUDGET = 20.0


def n_faces(blocks) -> int:
    """Number of faces of the product of simplex blocks: prod (2^(b + 1) - 1)."""
    return math.prod(2 ** (len(b) + 1) - 1 for b in blocks)


def support_of(blocks, x) -> tuple:
    """Per block, the actions with probability > SUPPORT_TOL at the point x."""
    out = []
    for block in blocks:
        probs = [x[i] for i in block] + [1.0 - sum(x[i] for i in block)]
        out.append(tuple(k for k, v in enumerate(probs) if v > SUPPORT_TOL))
    return tuple(out)


@dataclass
class FaceTracker:
    """Face branches of one continuation run, seeded and handed over face to face.

    Attributes
    ----------
    problem : dict
        The keyword arguments of `ContinuationProblem` shared by every branch
        (dec, method: a Rule, parameter, region).
    base : ExtendedField
    blocks : tuple of tuple of int
    opts : ContinuationOptions
        Window and direction of the run (ds > 0: from p_min up).
    algorithm : PseudoArclength or None
    budget : float
        Wall-clock seconds (`FACE_BUDGET`); past them no more faces are seeded
        and no more branches followed, and ``notes`` says so.
    by_face : dict
        Supports -> branches on that face (the interior ones included).
    branches, notes : list
        The face branches found, and what went wrong on the way.
    """

    problem: dict
    base: object
    blocks: tuple
    opts: ContinuationOptions
    algorithm: object = None
    budget: float = FACE_BUDGET
    by_face: dict = field(default_factory=dict)
    branches: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    _systems: dict = field(default_factory=dict)
    _faces: dict = field(default_factory=dict)
    _t0: float = field(default_factory=time.monotonic)
    _spent: bool = False
    _queue: deque = field(default_factory=deque)

    def system(self, supports) -> FaceField:
        """The restricted field of a face (compiled once per face)."""
        if not self._faces:
            self._faces.update((f.supports, f) for f in faces(self.blocks, self.base.dim))
        if supports not in self._systems:
            names = tuple(s.name for s in self.base.phi)
            self._systems[supports] = FaceField(self.base, self._faces[supports], self.blocks,
                                                names)
        return self._systems[supports]

    def covered(self, supports, x, value, tol: float = 1e-6) -> bool:
        """Whether a branch on the face already holds (value, x)."""
        for br in self.by_face.get(supports, ()):
            hit = (np.abs(br.points[:, 0] - value) <= 1e-9) & \
                (np.max(np.abs(br.points[:, 1:] - x), axis=1) <= tol)
            if np.any(hit):
                return True
        return False

    def register(self, supports, branch) -> None:
        """Record a branch found elsewhere (an interior one) on its face."""
        self.by_face.setdefault(supports, []).append(branch)

    def out_of_time(self, doing: str) -> bool:
        """Whether the budget is spent (noted once, saying where it ran out)."""
        if not self._spent and time.monotonic() - self._t0 > self.budget:
            self._spent = True
            self.notes.append(f"edge and face branches: time budget of {self.budget:g} s "
                              f"spent while {doing}; the face branches listed may be "
                              "incomplete")
        return self._spent

    # -- seeds and hand-overs -----------------------------------------------------------
    def seed(self, value: float, sign: float) -> None:
        """Queue the fixed points at p = value on every proper face of positive dimension."""
        self.system(tuple(tuple(range(len(b) + 1)) for b in self.blocks))
        for supports in list(self._faces):
            fs = self.system(supports)
            if fs.dim == 0 or fs.interior:
                continue
            if self.out_of_time(f"seeding the faces ({self.base.label} = {value:g})"):
                break
            for x in face_seeds(fs, value):
                self._queue.append((supports, x, value, sign))
        self.run()

    def hand_over(self, branch, supports=None) -> None:
        """Queue the face entered at the final boundary event of ``branch``."""
        if branch.status is not BranchStatus.REGION or not branch.events:
            return
        ev = branch.events[-1]
        if ev.type is not EventType.BOUNDARY:
            return
        x = np.array(ev.point)
        if supports is None:  # an interior branch: the face is the point's support
            nxt = support_of(self.blocks, x)
        else:
            nxt = self.system(supports).transitions.get(ev.note.rsplit(": ", 1)[-1])
        if nxt is not None:
            self._queue.append((nxt, x, ev.value, None))

    def release(self, event) -> None:
        """Queue the faces a corner opens onto at an exact corner event (multipliers = 0)."""
        x = np.array(event.point)
        fs = self.system(support_of(self.blocks, x))
        mu = fs.multipliers(x, event.value)
        names = fs.constraint_names[len(fs.constraint_names) - len(mu):]
        for name, m in zip(names, mu):
            if abs(m) <= 1e-9:
                self._queue.append((fs.transitions[name], x, event.value, None))

    def run(self) -> None:
        """Follow every queued start not already on a branch of its face."""
        while self._queue and not self.out_of_time("following the face branches"):
            supports, x, value, sign = self._queue.popleft()
            fs = self.system(supports)
            if fs.dim == 0 or self.covered(supports, x, value):
                continue
            for sgn in ([sign] if sign else self._directions(fs, x, value)):
                self._follow(fs, supports, x, value, sgn)

    # -- one branch -----------------------------------------------------------------------
    def _follow(self, fs: FaceField, supports, x, value, sign) -> None:
        opts = replace(self.opts, ds=math.copysign(abs(self.opts.ds), sign))
        prob = ContinuationProblem(**self.problem, start_point=tuple(fs.coordinates(x)),
                                   start_value=value, system=fs,
                                   constraints=(fs.constraints, list(fs.constraint_names)))
        br = continuation(prob, self.algorithm, opts)
        if br.status is BranchStatus.START_FAILED:
            self.notes.append(f"{_where(fs)}, start {np.round(x, 9).tolist()}: "
                              f"{'; '.join(br.notes)}")
            return
        full = to_full(fs, br)
        self.notes += [f"{_where(fs)}: {n}" for n in br.notes]
        self.register(supports, full)
        self.branches.append(full)
        self.hand_over(full, supports)

    def _directions(self, fs: FaceField, x, value) -> list:
        """Signs of dp along which the branch enters the face (its vanished constraints grow)."""
        y0 = fs.coordinates(x)
        u0 = np.append(y0, value)
        e_p = np.zeros(fs.dim + 1)
        e_p[-1] = 1.0
        t = tangent(fs.jacobian(y0, value), e_p)
        if abs(t[-1]) < 1e-9:
            self.notes.append(f"{_where(fs)}: the branch is vertical in {self.base.label} at "
                              f"the hand-over ({self.base.label} = {value:.6g}; fold, branch "
                              "point or continuum); not followed")
            return []
        zero = np.abs(fs.constraints(y0, value)) < 1e-6
        out = []
        for sgn in (1.0, -1.0):
            if (sgn < 0 and value <= self.opts.p_min + 1e-12) or \
                    (sgn > 0 and value >= self.opts.p_max - 1e-12):
                continue
            u, _, ok = correct(fs, u0 + sgn * 1e-4 * t, t, 1e-11, 12)
            if ok and np.all(fs.constraints(u[:-1], u[-1])[zero] > 0):
                out.append(sgn)
        if not out and zero.any() and self.opts.p_min < value < self.opts.p_max:
            self.notes.append(f"{_where(fs)}: at the hand-over ({self.base.label} = "
                              f"{value:.6g}) no direction enters the face (a degenerate meeting of faces); "
                              "not followed")
        return out


def _where(fs: FaceField) -> str:
    return "interior" if fs.interior else f"face {fs.label}"


def face_seeds(fs: FaceField, value: float, tol: float = 1e-10) -> list:
    """Fixed points of the projected dynamics in the relative interior of a face at p.

    Batch Newton on G(y, p) = 0 from a grid in [0.05, 0.95]^k; a root counts
    when max|G| <= tol, every support probability is > SUPPORT_TOL (a point
    on the face's own boundary is seeded on the smaller face), every
    multiplier is >= 0 and D_y G is regular (singular ones are folds or
    continua: no seeds).
    """
    k = fs.dim
    seeds = seed_grid(Region(RegionKind.BOX), k, n_per_axis=7 if k <= 2 else 3, max_points=64)
    y, status = newton_batch(fs.at(value), seeds, np.zeros((0, k)), 40)
    found = []
    for yk in y[status == 1]:
        c = fs.constraints(yk, value)
        n_probs = len(c) - len(fs.multipliers(fs.point(yk), value)) if len(c) else 0
        if np.max(np.abs(fs.field(yk, value))) > tol or np.any(c[:n_probs] <= SUPPORT_TOL) \
                or np.any(c[n_probs:] < 0):
            continue
        if np.linalg.svd(fs.jacobian(yk, value)[:, :k], compute_uv=False)[-1] < 1e-9:
            continue
        if not any(np.max(np.abs(yk - z)) <= 1e-7 for z in found):
            found.append(yk)
    return [fs.point(yk) for yk in found]


def to_full(fs: FaceField, br):
    """The branch in the game's coordinates phi = P y + q, with the face's stability."""
    rows = np.array([[r[0], *fs.point(r[1:])] for r in br.points])
    stab = tuple(fs.stability(r[1:], r[0], eig) for r, eig in zip(rows, br.eigenvalues))
    events = tuple(replace(e, point=tuple(float(v) for v in fs.point(e.point)),
                           note=f"{fs.label}: {e.note}" if e.note else fs.label)
                   for e in br.events)
    return replace(br, points=rows, stability=stab, events=events,
                   kind="interior" if fs.interior else "face",
                   face="" if fs.interior else fs.label)


__all__ = ["FaceTracker", "MAX_TRACKED_FACES", "face_seeds", "n_faces", "support_of",
           "to_full"]
