"""Continuous flow phi' = F(phi), vectorised over many starts, with projection.

For the direct parameterisation the parameters live in a box or a product of
capped simplices, and the learning dynamics are the *projected* dynamics
phi' = P_T(phi)(F(phi)): the component of F that points out of the region at
a boundary point is removed (the projection onto the tangent cone T(phi)).
For the box [0, 1]^d this is exact and cheap: zero F_i where phi_i = 0 and
F_i < 0 or phi_i = 1 and F_i > 0. After every step the state is projected
back onto the region (clip for the box, Euclidean projection per block for
the simplex) so that discretisation never leaves it.

All functions work on every start at once: the field is called once per
stage over an array of shape (n_points, d); there are no per-point loops.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from eqselect.theory import GameError, Region, RegionKind
from eqselect.numerics.dynamics.plain import plain


def project_box(x: np.ndarray, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """Euclidean projection onto the box [low, high]^d (a clip).

    Examples
    --------
    >>> project_box(np.array([[-0.5, 0.3, 1.7]])).tolist()
    [[0.0, 0.3, 1.0]]
    """
    return np.clip(x, low, high)


def project_capped_simplex(y: np.ndarray) -> np.ndarray:
    """Euclidean projection of rows onto {x >= 0, sum(x) <= 1}.

    Steps: (1) clip at 0; if the sum is at most 1 that is the projection.
    (2) Otherwise project onto the simplex {x >= 0, sum(x) = 1} by the
    sort-and-threshold rule (Held et al. 1974; Duchi et al. 2008):
    x = max(y - t, 0) with t = (sum_{k<=rho} u_k - 1) / rho, u sorted
    decreasingly and rho = max{j : u_j - (sum_{k<=j} u_k - 1)/j > 0}.

    Parameters
    ----------
    y : ndarray, shape (n, m)

    Returns
    -------
    ndarray, shape (n, m)

    Examples
    --------
    >>> project_capped_simplex(np.array([[1.0, 0.5], [0.25, -0.5]])).tolist()
    [[0.75, 0.25], [0.25, 0.0]]
    """
    y = np.asarray(y, dtype=float)
    clipped = np.maximum(y, 0.0)
    over = clipped.sum(axis=1) > 1.0
    if not over.any():
        return clipped
    u = -np.sort(-y[over], axis=1)
    css = np.cumsum(u, axis=1) - 1.0
    j = np.arange(1, y.shape[1] + 1)
    rho = np.count_nonzero(u - css / j > 0, axis=1)
    t = css[np.arange(u.shape[0]), rho - 1] / rho
    out = clipped.copy()
    out[over] = np.maximum(y[over] - t[:, None], 0.0)
    return out


def region_projector(region: Region, bound: float | None = None) -> Callable:
    """The map x -> nearest point of the region, vectorised over rows.

    Parameters
    ----------
    region : Region
    bound : float or None
        For the free region R^d: clip every coordinate to [-bound, bound]
        (the paper clips logits to [-8, 8]); None leaves it unbounded.
    """
    if region.kind is RegionKind.BOX:
        return project_box
    if region.kind is RegionKind.SIMPLEX:
        blocks = [list(b) for b in region.blocks]

        def project(x):
            out = np.array(x, dtype=float, copy=True)
            for b in blocks:  # loop over parameter blocks, not over points
                out[:, b] = project_capped_simplex(out[:, b])
            return out

        return project
    if bound is None:
        return lambda x: x
    return lambda x: np.clip(x, -bound, bound)


def tangent_projector(region: Region, atol: float = 1e-12) -> Callable:
    """The map (x, F) -> F with outward components at the boundary removed.

    For the box: F_i := 0 where (x_i <= 0 and F_i < 0) or (x_i >= 1 and
    F_i > 0), which is the projection onto the tangent cone of the box.
    For the simplex and the free region F is returned unchanged (the
    simplex is handled by projecting the state after each step).
    """
    if region.kind is not RegionKind.BOX:
        return lambda x, f: f

    def project(x, f):
        out = np.array(f, dtype=float, copy=True)
        out[((x <= atol) & (out < 0)) | ((x >= 1 - atol) & (out > 0))] = 0.0
        return out

    return project


@dataclass(frozen=True)
class FlowResult:
    """Flow of many starts.

    Attributes
    ----------
    times : ndarray, shape (steps + 1,)
    final : ndarray, shape (n, d)
    trajectory : ndarray, shape (steps + 1, n, d) or None
    first_hit : ndarray of int, shape (n,)
        First step index at which ``success`` held (-1: never; all -1 when no
        predicate was given).
    notes : tuple of str
    """

    times: np.ndarray
    final: np.ndarray
    trajectory: np.ndarray | None
    first_hit: np.ndarray
    notes: tuple = ()


def rk4_step(field: Callable, x: np.ndarray, h: float,
             tangent: Callable | None = None, project: Callable | None = None) -> np.ndarray:
    """One classical Runge-Kutta step of x' = F(x) for every row of x.

    k1 = F(x), k2 = F(x + h k1/2), k3 = F(x + h k2/2), k4 = F(x + h k3),
    x+ = x + h (k1 + 2 k2 + 2 k3 + k4) / 6, each F replaced by its tangent
    projection and each stage point by its region projection when given.

    Examples
    --------
    >>> x = np.array([[1.0]])
    >>> round(float(rk4_step(lambda x: -x, x, 0.1)[0, 0]), 9)  # e^-0.1 = 0.904837418
    0.9048375
    """
    tan = tangent or (lambda y, f: f)
    proj = project or (lambda y: y)

    def g(y):
        return tan(y, field(y))

    k1 = g(x)
    k2 = g(proj(x + 0.5 * h * k1))
    k3 = g(proj(x + 0.5 * h * k2))
    k4 = g(proj(x + h * k3))
    return proj(x + h * (k1 + 2 * k2 + 2 * k3 + k4) / 6.0)


@dataclass(frozen=True)
class FlowOptions:
    """How a flow is integrated.

    Attributes
    ----------
    dt : float
        RK4 step size (> 0); the horizon is ``steps * dt``.
    steps : int
        Number of steps (>= 0).
    bound : float or None
        Clip the free region to [-bound, bound]^d (> 0; None: no clipping).
    record : bool
        Keep the whole trajectory.
    reverse : bool
        Integrate the reversed flow -F (stable manifolds).
    """

    dt: float = 0.05
    steps: int = 140
    bound: float | None = None
    record: bool = False
    reverse: bool = False

    def __post_init__(self):
        if not self.dt > 0:
            raise GameError(f"flow step dt must be > 0, got {plain(self.dt)}")
        if int(self.steps) != self.steps or self.steps < 0:
            raise GameError(f"steps must be a non-negative integer, got {plain(self.steps)}")
        if self.bound is not None and not self.bound > 0:
            raise GameError(f"bound must be > 0 or None, got {plain(self.bound)}")


def integrate_flow(field: Callable, x0, region: Region | None = None,
                   success: Callable | None = None,
                   options: FlowOptions = FlowOptions()) -> FlowResult:
    """Integrate phi' = F(phi) (or -F) from many starts at once with fixed-step RK4.

    Parameters
    ----------
    field : callable
        ``field(x)`` with x shape (n, d) -> shape (n, d).
    x0 : array_like, shape (n, d)
    region : Region or None
        Projected dynamics on a box or simplex (see the module docstring);
        None or FREE for R^d.
    success : callable or None
        ``success(x)`` -> bool array (n,), to record first-hit steps.
    options : FlowOptions
        Step, number of steps, clipping bound, recording, direction.

    Returns
    -------
    FlowResult
        ``notes`` says when some points still move (max |P F| > 1e-6 at the
        end) or when values became non-finite.

    Examples
    --------
    >>> from eqselect.theory import Region, RegionKind
    >>> box = Region(RegionKind.BOX)
    >>> res = integrate_flow(lambda x: np.ones_like(x), [[0.2, 0.5]], box,
    ...                      options=FlowOptions(dt=0.1, steps=10))
    >>> res.final.tolist()
    [[1.0, 1.0]]
    """
    dt, steps, record = options.dt, options.steps, options.record
    x, proj, tan = _flow_setup(x0, dt, steps, region, options.bound)
    f = (lambda y: -field(y)) if options.reverse else field
    hit = np.full(x.shape[0], -1, dtype=int)
    traj = [x.copy()] if record else None
    if success is not None:
        hit[np.asarray(success(x), dtype=bool)] = 0
    for k in range(1, steps + 1):
        x = rk4_step(f, x, dt, tan, proj)
        if record:
            traj.append(x.copy())
        if success is not None:
            hit[(hit < 0) & np.asarray(success(x), dtype=bool)] = k
    return FlowResult(np.arange(steps + 1) * dt, x,
                      np.stack(traj) if record else None, hit,
                      _settling_notes(x, f, tan, steps * dt))


def _flow_setup(x0, dt, steps, region, bound):
    """Checked inputs of a flow: (projected starts, region projector, tangent projector)."""
    if not dt > 0:
        raise GameError(f"flow step dt must be > 0, got {plain(dt)}")
    if int(steps) != steps or steps < 0:
        raise GameError(f"steps must be a non-negative integer, got {plain(steps)}")
    region = region or Region(RegionKind.FREE)
    proj = region_projector(region, bound)
    return proj(np.array(x0, dtype=float, ndmin=2)), proj, tangent_projector(region)


def _settling_notes(x, f, tan, horizon: float) -> tuple[str, ...]:
    """Whether the flow settled: non-finite points, or points that still move."""
    if not np.all(np.isfinite(x)):
        return (f"{int(np.sum(~np.isfinite(x).all(axis=1)))} trajectories became non-finite",)
    speed = np.abs(tan(x, f(x))).max(axis=1) if x.size else np.zeros(0)
    moving = int(np.sum(speed > 1e-6))
    if moving:
        return (f"{moving} of {x.shape[0]} points still move at t = {horizon:g} "
                f"(max |F| = {speed.max():.3g})",)
    return ()


def integrate_until_settled(field: Callable, x0, settled: Callable, dt: float = 0.05,
                            steps: int = 2000, region: Region | None = None,
                            check_every: int = 10, tol: float = 1e-6) -> tuple:
    """Integrate the projected flow until every start has settled, or ``steps`` run out.

    Every ``check_every`` RK4 steps the runs are tested: a run has settled
    when ``settled(x)`` holds (it reached an attractor) or its projected
    speed max |P F(x)| is below ``tol`` (it rests at a fixed point, e.g. a
    saddle it started on). Settled runs stop there; the rest go on. The
    horizon ``steps * dt`` is the time limit.

    Returns
    -------
    final : ndarray, shape (n, d)
    done : ndarray of bool, shape (n,)
        Settled within the time limit.
    used : int
        Steps run (the last check at which some run still moved, or
        ``steps``).

    Examples
    --------
    >>> from eqselect.theory import Region, RegionKind
    >>> x, done, used = integrate_until_settled(
    ...     lambda x: -x, [[1.0], [0.0]], lambda x: np.abs(x[:, 0]) < 1e-3, dt=0.1,
    ...     steps=500)
    >>> done.tolist(), used, bool(abs(x[0, 0]) < 1e-3)
    ([True, True], 70, True)
    """
    if int(check_every) != check_every or check_every < 1:
        raise GameError(f"check_every must be a positive integer, got {plain(check_every)}")
    x, proj, tan = _flow_setup(x0, dt, steps, region, None)

    def rests(y):
        speed = np.abs(tan(y, field(y))).max(axis=1) if y.size else np.zeros(len(y))
        return np.asarray(settled(y), dtype=bool) | (speed < tol)

    done = rests(x)
    used = 0
    while used < steps and not done.all():
        live = np.flatnonzero(~done)
        y = x[live]
        for _ in range(min(int(check_every), steps - used)):
            y = rk4_step(field, y, dt, tan, proj)
        used = min(used + int(check_every), steps)
        x[live] = y
        done[live] = rests(y)
    return x, done, used
