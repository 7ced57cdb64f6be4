"""Separatrices of 2-parameter games: stable manifolds of saddles, basin areas.

In a game with two parameters the boundary between the basins of two stable
fixed points is (generically) the stable manifold W^s of a saddle phi_s.
It is traced by the reversed flow (docs/alignment.md, A3's Sigma):

1. eigen-decompose DF(phi_s); the stable eigenvector v belongs to the
   eigenvalue with negative real part;
2. start at phi_s + eps v and phi_s - eps v;
3. integrate phi' = -F(phi) / |F(phi)| (the reversed flow, parameterised by
   arc length so that points are evenly spaced) with RK4 until the path
   leaves the region (the crossing is located by bisection on the segment),
   reaches a fixed point of the reversed flow (|F| below a tolerance) or
   runs out of length.

`basin_area` closes the separatrix along the boundary of a rectangle and
returns the shoelace area of the side that holds a given point: the basin
area of that point's attractor when the separatrix runs wall to wall.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from eqselect.theory import Decomposition, GameError, RegionKind, Rule
from eqselect.theory.budget import WORK_LIMITS
from eqselect.theory.errors import LimitError
from eqselect.theory.validate import real
from eqselect.numerics.compiled import compile_field
from eqselect.numerics.fixed_points.core.record import Equilibrium, Stability
from eqselect.numerics.dynamics.flow import FlowOptions
from eqselect.numerics.dynamics.plain import plain


@dataclass(frozen=True)
class Separatrix:
    """The stable manifold of a saddle as polylines.

    Attributes
    ----------
    saddle : ndarray, shape (2,)
    eigenvalue : float
        The stable eigenvalue of DF at the saddle (< 0).
    direction : ndarray, shape (2,)
        Unit stable eigenvector.
    branches : tuple of ndarray, each shape (m, 2)
        The two half-manifolds, each starting at the saddle and ending where
        it was stopped (``ends``).
    ends : tuple of str
        Per branch: ``"boundary"`` (left the box), ``"fixed point"``
        (|F| fell below tolerance) or ``"length"`` (ran out of arc length).
    lower, upper : ndarray, shape (2,)
        The box the tracing was confined to.
    notes : tuple of str
    """

    saddle: np.ndarray
    eigenvalue: float
    direction: np.ndarray
    branches: tuple
    ends: tuple
    lower: np.ndarray
    upper: np.ndarray
    notes: tuple = ()

    @property
    def polyline(self) -> np.ndarray:
        """Both branches joined through the saddle, shape (m, 2):
        end of branch 0 -> saddle -> end of branch 1."""
        return np.vstack([self.branches[0][::-1], self.branches[1][1:]])

    def mapped(self, fn: Callable) -> "Separatrix":
        """The same curve under a coordinate map ``fn`` (rows -> rows), e.g.
        logits to probabilities; the box corners are mapped too (``fn`` must
        be increasing in each coordinate)."""
        return Separatrix(fn(self.saddle[None])[0], self.eigenvalue, self.direction,
                          tuple(fn(b) for b in self.branches), self.ends,
                          fn(self.lower[None])[0], fn(self.upper[None])[0], self.notes)


def stable_direction(jacobian: np.ndarray) -> tuple[float, np.ndarray]:
    """The stable eigenpair (lambda < 0, unit v) of a 2x2 saddle Jacobian.

    Raises
    ------
    GameError
        When the matrix is not a real saddle (needs real eigenvalues of
        opposite signs).

    Examples
    --------
    >>> lam, v = stable_direction(np.array([[0.0, 3.0], [3.0, 0.0]]))
    >>> round(lam, 9), bool(np.allclose(abs(v), [2 ** -0.5, 2 ** -0.5]))
    (-3.0, True)
    """
    w, vecs = np.linalg.eig(np.asarray(jacobian, dtype=float))
    if np.any(np.abs(w.imag) > 1e-12) or not (w.real.min() < 0 < w.real.max()):
        raise GameError(f"not a saddle: eigenvalues {np.round(w, 6).tolist()}")
    i = int(np.argmin(w.real))
    v = vecs[:, i].real
    return float(w[i].real), v / np.linalg.norm(v)


def _inside(x, lower, upper):
    return bool(np.all(x >= lower) and np.all(x <= upper))


def _exit_point(a, b, lower, upper):
    """Where the segment a -> b (a inside, b outside) leaves the box."""
    t_hi = 1.0
    d = b - a
    for k in range(len(a)):  # exact crossing of each face, the nearest wins
        if d[k] > 0 and b[k] > upper[k]:
            t_hi = min(t_hi, (upper[k] - a[k]) / d[k])
        elif d[k] < 0 and b[k] < lower[k]:
            t_hi = min(t_hi, (lower[k] - a[k]) / d[k])
    return np.clip(a + t_hi * d, lower, upper)


def trace_branch(field: Callable, start: np.ndarray, lower, upper, ds: float = 1e-3,
                 max_length: float = 50.0, ftol: float = 1e-10) -> tuple[np.ndarray, str]:
    """Follow the reversed, arc-length-normalised flow -F/|F| from ``start``.

    Parameters
    ----------
    field : callable
        ``field(x)`` on shape (n, 2).
    start : ndarray, shape (2,)
    lower, upper : array_like, shape (2,)
        The box; tracing stops on leaving it.
    ds : float
        Arc-length step of RK4.
    max_length : float
    ftol : float
        Stop when |F| < ftol (a fixed point of the reversed flow).

    Returns
    -------
    points : ndarray, shape (m, 2)
    end : str
        ``"boundary"``, ``"fixed point"`` or ``"length"``.
    """
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)

    def g(x):
        f = -field(x[None])[0]
        n = np.linalg.norm(f)
        return f / n if n > ftol else np.zeros_like(f), n

    x = np.asarray(start, dtype=float)
    pts = [x]
    for _ in range(int(max_length / ds)):
        k1, n1 = g(x)
        if n1 <= ftol:
            return np.array(pts), "fixed point"
        k2, _ = g(x + 0.5 * ds * k1)
        k3, _ = g(x + 0.5 * ds * k2)
        k4, _ = g(x + ds * k3)
        nxt = x + ds * (k1 + 2 * k2 + 2 * k3 + k4) / 6.0
        if not _inside(nxt, lower, upper):
            pts.append(_exit_point(x, nxt, lower, upper))
            return np.array(pts), "boundary"
        x = nxt
        pts.append(x)
    return np.array(pts), "length"


def _box(game, bound):
    if game.region.kind is RegionKind.BOX:
        return np.zeros(2), np.ones(2)
    if game.region.kind is RegionKind.FREE:
        return np.full(2, -float(bound)), np.full(2, float(bound))
    raise GameError(f"separatrix tracing needs a box or R^2, game {game.name!r} has a "
                    f"{game.region.kind.value} region")



def separatrix(dec: Decomposition, saddle, rule: Rule, *,
               eps: float = 1e-6, ds: float | None = None, bound: float = 8.0,
               max_length: float = 50.0, backend: str = "llvm") -> Separatrix:
    """Trace the stable manifold of a saddle of a 2-parameter game.

    Parameters
    ----------
    dec : Decomposition
        Of a game with exactly two parameters, eta and payoffs numeric.
    saddle : Equilibrium or array_like, shape (2,)
    rule : Rule
        The learning rule whose field F is traced (lambda and c numeric).
    eps : float
        Offset of the two starts along the stable eigenvector.
    ds : float or None
        Arc-length step; None: 1/500 of the longest side of the box.
    bound : float
        For R^2 (logits): trace inside [-bound, bound]^2.
    max_length : float
        Arc length per branch.

    Returns
    -------
    Separatrix

    Raises
    ------
    GameError
        For games without two parameters, a point that is not a saddle.

    Examples
    --------
    >>> from eqselect.theory import builtin, Decomposition
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    >>> sep = separatrix(dec, (2 / 3, 2 / 3), Rule("pg"))
    >>> sep.ends, float(np.abs(sep.polyline.sum(axis=1) - 4 / 3).max()) < 1e-9
    (('boundary', 'boundary'), True)
    """
    game = dec.game
    eps, bound = real(eps, "eps", 0, strict=True), real(bound, "bound", 0, strict=True)
    max_length = real(max_length, "max_length", 0, strict=True)
    if len(game.parameters) != 2:
        raise GameError(f"separatrix tracing needs 2 parameters, game {game.name!r} has "
                        f"{len(game.parameters)}")
    point, notes = _saddle_point(saddle)
    cf = compile_field(dec, Rule(rule.method, float(rule.lam), float(rule.own_coef)),
                       backend)
    residual = float(np.abs(cf.field(point[None])[0]).max())
    if residual > 1e-6:
        notes.append(f"|F(saddle)| = {residual:.3g}: the start is not a fixed point")
    eig, v = stable_direction(cf.jacobian(point[None])[0])
    lower, upper = _box(game, bound)
    ds = float(np.max(upper - lower)) / 500 if ds is None else ds
    if not ds > 0:
        raise GameError(f"arc-length step ds must be > 0, got {plain(ds)}")
    steps = WORK_LIMITS.max_arc_steps
    if not max_length / real(ds, "arc-length step ds") <= steps:
        raise LimitError(f"max_length / ds = {max_length / ds:.3g} arc-length steps per branch;"
                         f" at most {steps} (raise ds or lower max_length)")
    branches, ends = _both_branches(cf.field, point, v, eps, lower, upper, ds, max_length)
    if any(e != "boundary" for e in ends):
        notes.append(f"a branch did not reach the boundary: ends {ends}")
    return Separatrix(point, eig, v, tuple(branches), tuple(ends), lower, upper, tuple(notes))


def _saddle_point(saddle) -> tuple[np.ndarray, list[str]]:
    """The saddle's coordinates, and a note when its record says it is no saddle."""
    if isinstance(saddle, Equilibrium):
        notes = [] if saddle.stability is Stability.SADDLE else [
            f"fixed point was classified {saddle.stability.value}, not saddle"]
        return np.array(saddle.point, dtype=float), notes
    return np.array(saddle, dtype=float).reshape(2), []


def _both_branches(field, point, v, eps, lower, upper, ds, max_length):
    """The two halves of the stable manifold, from point +- eps v."""
    branches, ends = [], []
    for sign in (1.0, -1.0):
        start = point + sign * eps * v
        if not _inside(start, lower, upper):
            branches.append(point[None].copy())
            ends.append("boundary")
            continue
        pts, end = trace_branch(field, start, lower, upper, ds, max_length)
        branches.append(np.vstack([point[None], pts]))
        ends.append(end)
    return branches, ends


def _shoelace(poly: np.ndarray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _contains(poly: np.ndarray, pt) -> bool:
    """Even-odd ray casting."""
    x, y = float(pt[0]), float(pt[1])
    inside = False
    xs, ys = poly[:, 0], poly[:, 1]
    for i in range(len(poly)):
        x1, y1, x2, y2 = xs[i - 1], ys[i - 1], xs[i], ys[i]
        if (y1 > y) != (y2 > y):
            xc = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if xc > x:
                inside = not inside
    return inside


def _perimeter_position(p, lower, upper) -> float:
    """Counter-clockwise boundary coordinate in [0, 4) of a point on the box."""
    u = (np.asarray(p) - lower) / (upper - lower)
    x, y = np.clip(u, 0, 1)
    tol = 1e-9
    if abs(y) <= tol:
        return float(x)
    if abs(x - 1) <= tol:
        return 1.0 + float(y)
    if abs(y - 1) <= tol:
        return 2.0 + (1.0 - float(x))
    if abs(x) <= tol:
        return 3.0 + (1.0 - float(y))
    raise GameError(f"separatrix end {np.asarray(p).tolist()} is not on the box boundary")


def basin_area(sep: Separatrix, inside) -> float:
    """Area of the part of the box, cut by the separatrix, that holds ``inside``.

    The polyline runs from boundary point A through the saddle to boundary
    point B; the polygon is closed by walking the box boundary from B back to
    A counter-clockwise through the corners, and its complement gives the
    other side. The shoelace formula gives the area of whichever side holds
    ``inside`` (in the separatrix's coordinates; use `Separatrix.mapped`
    for probabilities).

    Raises
    ------
    GameError
        When a branch did not end on the boundary (the separatrix does not
        cut the box in two).

    Examples
    --------
    >>> from eqselect.theory import builtin, Decomposition
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    >>> round(basin_area(separatrix(dec, (2 / 3, 2 / 3), Rule("pg")), (1, 1)), 9)  # 2/9
    0.222222222
    """
    if any(e != "boundary" for e in sep.ends):
        raise GameError(f"the separatrix does not cut the box in two: branch ends {sep.ends}")
    lower, upper = sep.lower, sep.upper
    line = sep.polyline
    a, b = line[0], line[-1]
    ta, tb = _perimeter_position(a, lower, upper), _perimeter_position(b, lower, upper)
    corners = [lower, np.array([upper[0], lower[1]]), upper, np.array([lower[0], upper[1]])]
    # corners strictly between tb and ta going counter-clockwise from B
    walk = []
    t = tb
    span = (ta - tb) % 4.0
    for k in range(1, 5):
        c = np.floor(t) + k
        if c - t < span and c - t > 0:
            walk.append(corners[int(c) % 4])
    poly = np.vstack([line] + ([np.array(walk)] if walk else []))
    area = abs(_shoelace(poly))
    total = float(np.prod(upper - lower))
    # a point on the box boundary (a pure equilibrium at a corner) is nudged
    # towards the centre so that the even-odd test is unambiguous
    centre = 0.5 * (lower + upper)
    probe = np.clip(np.asarray(inside, dtype=float), lower, upper)
    probe = probe + 1e-7 * (centre - probe)
    return area if _contains(poly, probe) else total - area


def tangent_signs(sep: Separatrix) -> np.ndarray:
    """Orientation of F along `Separatrix.polyline`, one sign per row.

    Sigma is invariant under the flow and F points along it towards the
    saddle. On the polyline (end of branch 0 -> saddle -> end of branch 1)
    the direction of travel is therefore +F on branch 0 and -F on branch 1;
    the saddle row (F = 0) gets 0. Rotating ``sign * F`` by 90 degrees gives
    a normal of one orientation along the whole curve.

    Examples
    --------
    >>> sep = Separatrix(np.zeros(2), -1.0, np.array([1.0, 0.0]),
    ...                  (np.zeros((3, 2)), np.zeros((2, 2))), ("boundary",) * 2,
    ...                  -np.ones(2), np.ones(2))
    >>> tangent_signs(sep).tolist()
    [1.0, 1.0, 0.0, -1.0]
    """
    n0, n1 = len(sep.branches[0]), len(sep.branches[1])
    return np.concatenate([np.ones(n0 - 1), [0.0], -np.ones(n1 - 1)])


def flow_outcome(field: Callable, starts, targets,
                 options: FlowOptions = FlowOptions(steps=20000), tol: float = 1e-3,
                 box: tuple | None = None, coords: Callable | None = None) -> np.ndarray:
    """Which target each start reaches under phi' = F(phi) (RK4, fixed step).

    Parameters
    ----------
    field : callable
        ``field(x)`` on shape (n, 2).
    starts : ndarray, shape (n, 2)
    targets : ndarray, shape (k, 2)
        Attractors (finite coordinates).
    options : FlowOptions
        Its step ``dt`` and the most ``steps`` run (the flow stops once every
        start is within ``tol`` of a target).
    tol : float
    box : (lower, upper) of array_like, or None
        A box the states are clipped to (projected flow of a box game).
    coords : callable or None
        The map (rows -> rows) in which closeness is measured, e.g. logits to
        probabilities: a saturated attractor (theta = 20) is approached at a
        speed of order e^-theta in theta, but within ``tol`` in probability
        soon.

    Returns
    -------
    ndarray of int, shape (n,)
        Index of the target reached within ``tol`` (max norm), -1 if none.
    """
    x = np.array(starts, dtype=float)
    coords = coords or (lambda y: y)
    targets = coords(np.asarray(targets, dtype=float))
    out = np.full(len(x), -1)
    dt = options.dt

    def clip(y):
        return y if box is None else np.clip(y, box[0], box[1])

    for _ in range(options.steps):
        k1 = field(x)
        k2 = field(clip(x + 0.5 * dt * k1))
        k3 = field(clip(x + 0.5 * dt * k2))
        k4 = field(clip(x + dt * k3))
        x = clip(x + dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6.0)
        dist = np.max(np.abs(coords(x)[:, None, :] - targets[None]), axis=2)
        hit = (out < 0) & (dist.min(axis=1) < tol)
        out[hit] = dist[hit].argmin(axis=1)
        if np.all(out >= 0):
            break
    return out
