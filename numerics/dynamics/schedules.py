"""Discrete learning schedules: the paper's step sizes, annealing, and the runner.

The paper's experiments (docs/replay.md) update every agent at once,

    theta_{k+1} = clip(theta_k + lr_k * u(theta_k), -8, 8),
    lr_k = 0.9 / (k + 10)^0.24,   k = 0, 1, 2, ...

with u the method's update direction. `run_schedule` runs this for many
starts at once (one field call per step over all points). For the direct
parameterisation the clip is replaced by the projection onto the region
(box or simplex), the discrete analogue of the projected dynamics.

Annealing (docs/replay.md, two-phase theorem): lambda_k = lambda_c for
k < N_0, then lambda_k = lambda_c / (1 + (k - N_0)/30)^0.7. Since every
method's field is affine in lambda, F_lambda = F_0 + lambda (F_1 - F_0)
exactly, and `annealed_field` builds a step-dependent field(x, k) from two
compiled fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from eqselect.theory import PAPER, GameError, Region, RegionKind
from eqselect.numerics.dynamics.flow import region_projector
from eqselect.numerics.dynamics.plain import plain


@dataclass(frozen=True)
class PaperSchedule:
    """lr_k = base / (k + offset)^power, logits clipped to [-clip, clip].

    Examples
    --------
    >>> s = PaperSchedule()
    >>> round(s.lr(0), 6)  # 0.9 / 10^0.24
    0.517896
    """

    base: float = PAPER.lr_base
    offset: float = PAPER.lr_offset
    power: float = PAPER.lr_power
    clip: float = PAPER.clip

    def __post_init__(self):
        if not self.base > 0:
            raise GameError(f"schedule base must be > 0, got {plain(self.base)}")
        if not self.offset > 0:
            raise GameError(f"schedule offset must be > 0, got {plain(self.offset)}")
        if not self.power >= 0:
            raise GameError(f"schedule power must be >= 0, got {plain(self.power)}")
        if not self.clip > 0:
            raise GameError(f"schedule clip must be > 0, got {plain(self.clip)}")

    def lr(self, k):
        """lr_k = base / (k + offset)^power (k may be an array)."""
        out = self.base / (np.asarray(k, dtype=float) + self.offset) ** self.power
        return float(out) if np.ndim(out) == 0 else out


@dataclass(frozen=True)
class ConstantSchedule:
    """lr_k = rate for every k; logits clipped to [-clip, clip] (None: no clip).

    Examples
    --------
    >>> ConstantSchedule(0.1).lr(7)
    0.1
    """

    rate: float = 0.1
    clip: float | None = 8.0

    def __post_init__(self):
        if not self.rate > 0:
            raise GameError(f"constant step rate must be > 0, got {plain(self.rate)}")
        if self.clip is not None and not self.clip > 0:
            raise GameError(f"schedule clip must be > 0 or None, got {plain(self.clip)}")

    def lr(self, k):
        """The constant rate (broadcast to k's shape when k is an array)."""
        if np.ndim(k):
            return np.full(np.shape(k), float(self.rate))
        return float(self.rate)


@dataclass(frozen=True)
class PaperAnnealing:
    """lambda_k = lambda_c for k < n0, then lambda_c / (1 + (k - n0)/tau)^power.

    The paper's two-phase schedule: lambda_c = 1.5, N_0 = 100, tau = 30,
    power 0.7.

    Examples
    --------
    >>> a = PaperAnnealing()
    >>> a.lam(99), a.lam(100), round(a.lam(130), 6)  # 1.5 / 2^0.7
    (1.5, 1.5, 0.923358)
    """

    lam_c: float = float(PAPER.lam)
    n0: int = PAPER.anneal_n0
    tau: float = PAPER.anneal_tau
    power: float = PAPER.anneal_power

    def __post_init__(self):
        if not self.lam_c >= 0:
            raise GameError(f"lambda_c must be >= 0, got {plain(self.lam_c)}")
        if int(self.n0) != self.n0 or self.n0 < 0:
            raise GameError(f"N_0 must be a non-negative integer, got {plain(self.n0)}")
        if not self.tau > 0:
            raise GameError(f"annealing tau must be > 0, got {plain(self.tau)}")
        if not self.power >= 0:
            raise GameError(f"annealing power must be >= 0, got {plain(self.power)}")

    def lam(self, k) -> float:
        """lambda_k."""
        if k < self.n0:
            return float(self.lam_c)
        return float(self.lam_c / (1 + (k - self.n0) / self.tau) ** self.power)


@dataclass(frozen=True)
class ScheduleRun:
    """Result of `run_schedule`.

    Attributes
    ----------
    final : ndarray, shape (n, d)
        theta_K after K = steps updates.
    trajectory : ndarray, shape (steps + 1, n, d) or None
        theta_0 ... theta_K when recorded.
    first_hit : ndarray of int, shape (n,)
        Smallest k in 0..K with success(theta_k) (-1: never, or no predicate).
    notes : tuple of str
    """

    final: np.ndarray
    trajectory: np.ndarray | None
    first_hit: np.ndarray
    notes: tuple = ()


def annealed_field(f0: Callable, f1: Callable, lam_k: Callable) -> Callable:
    """field(x, k) = F_0(x) + lambda_k (F_1(x) - F_0(x)).

    Exact for every method of the paper, whose field is affine in lambda:
    pass the compiled fields at lambda = 0 and lambda = 1.

    Examples
    --------
    >>> f = annealed_field(lambda x: 0 * x, lambda x: x, PaperAnnealing().lam)
    >>> f(np.ones((1, 2)), 0).tolist()
    [[1.5, 1.5]]
    """
    def field(x, k):
        a = f0(x)
        return a + lam_k(k) * (f1(x) - a)

    return field


def run_schedule(field: Callable, x0, schedule=None, steps: int = 140,
                 success: Callable | None = None, region: Region | None = None,
                 step_dependent: bool = False, record: bool = False) -> ScheduleRun:
    """Run theta_{k+1} = proj(theta_k + lr_k u(theta_k)) from many starts at once.

    Steps, for k = 0 .. steps - 1, over all n starts together:
    (1) u = field(theta_k) (or field(theta_k, k)), one call on shape (n, d);
    (2) theta_{k+1} = theta_k + lr_k u;
    (3) project: clip to [-clip, clip] on the free region (logits), onto
    the box / simplex for the direct parameterisation;
    (4) record the first k with success(theta_k).

    Parameters
    ----------
    field : callable
        ``field(x)`` -> shape (n, d), or ``field(x, k)`` if ``step_dependent``.
    x0 : array_like, shape (n, d)
    schedule : PaperSchedule, ConstantSchedule or None
        None means ``PaperSchedule()``.
    steps : int
    success : callable or None
        ``success(x)`` -> bool array (n,).
    region : Region or None
        None or FREE: logits, clipped by the schedule; BOX / SIMPLEX:
        projected steps.
    step_dependent : bool
        Call ``field(x, k)`` (annealing).
    record : bool
        Keep the trajectory.

    Returns
    -------
    ScheduleRun
        ``notes`` counts non-finite trajectories if any appear.

    Examples
    --------
    >>> run = run_schedule(lambda x: np.ones_like(x), np.zeros((3, 2)), steps=40)
    >>> float(run.final.max())  # clipped at the paper's bound
    8.0
    """
    schedule = PaperSchedule() if schedule is None else schedule
    if int(steps) != steps or steps < 0:
        raise GameError(f"steps must be a non-negative integer, got {plain(steps)}")
    region = region or Region(RegionKind.FREE)
    proj = region_projector(region, getattr(schedule, "clip", None))
    x = proj(np.array(x0, dtype=float, ndmin=2))
    hit = np.full(x.shape[0], -1, dtype=int)
    traj = [x.copy()] if record else None
    if success is not None:
        hit[np.asarray(success(x), dtype=bool)] = 0
    for k in range(steps):
        u = field(x, k) if step_dependent else field(x)
        x = proj(x + schedule.lr(k) * u)
        if record:
            traj.append(x.copy())
        if success is not None:
            hit[(hit < 0) & np.asarray(success(x), dtype=bool)] = k + 1
    notes = ()
    bad = int(np.sum(~np.isfinite(x).all(axis=1)))
    if bad:
        notes = (f"{bad} trajectories became non-finite",)
    return ScheduleRun(x, np.stack(traj) if record else None, hit, notes)
