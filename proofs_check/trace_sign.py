"""The sign of <M, n_P> along a numerically traced separatrix, certified at every node.

Sigma is invariant under v, so at a point phi of Sigma its tangent is
v(phi) / |v(phi)| and its normal is v rotated by 90 degrees: no finite
difference of the polyline is needed. With t the direction of travel
along the polyline (`eqselect.numerics.dynamics.separatrix.tangent_signs`)
and sigma = +-1 the orientation that makes the normal point into P's basin
at the saddle,

    <M, n_P> = sigma * det[t, M] / |t|,   t = +-v(phi),

is enclosed in arb balls at each traced node (an exact float point, so the
enclosure is as tight as the precision; 128 bits, raised to 512 where a ball
still holds 0). At the saddle itself (v = 0) t is the stable eigenvector.

What is certified: the value at every node of the trace. What is not: that
the nodes lie exactly on Sigma (RK4 on the reversed flow) and the sign
between nodes. A node where the value is certified negative is confirmed
to sit on the boundary of the two basins by a bracket: the two points
node +- delta n_P, flowed forward under v, reach P and R respectively, so
Sigma crosses the segment between them (docs/alignment.md, A3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eqselect.theory import RegionKind, Rule
from eqselect.numerics import intervals as iv
from eqselect.numerics.compiled import compile_field
from eqselect.numerics.dynamics.flow import FlowOptions
from eqselect.numerics.dynamics.separatrix import flow_outcome, separatrix, tangent_signs

#: Precisions (bits) tried in turn while a node's ball holds 0.
PRECISIONS = (128, 256, 512)
#: Half-widths of the bracket that confirms a counterexample lies on Sigma.
BRACKETS = (1e-6, 1e-4, 1e-2)


@dataclass(frozen=True)
class TraceSign:
    """<M, n_P> at the nodes of a traced separatrix.

    Attributes
    ----------
    nodes : ndarray, shape (m, 2)
    lower, upper : ndarray, shape (m,)
        Certified bounds of <M, n_P / |n_P|> at each node.
    window : tuple of float
        The square [-b, b]^2 (R^2) or the box the trace was confined to.
    ends, notes : tuple of str
        How each branch of the trace ended; the tracer's notes.
    travel : ndarray, shape (m,)
        +1 / -1: the direction of travel is +-v at the node; 0 at the saddle.
    sigma : float
        The orientation that turns the rotated travel direction into n_P.
    direction : ndarray, shape (2,)
        The travel direction at the saddle (minus the stable eigenvector).
    """

    nodes: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    window: tuple
    ends: tuple
    notes: tuple
    travel: np.ndarray
    sigma: float
    direction: np.ndarray

    def normal(self, k: int, field) -> np.ndarray:
        """The unit normal n_P at node k (floats; ``field`` is v on shape (n, 2))."""
        x = self.nodes[k]
        t = self.direction if self.travel[k] == 0 else self.travel[k] * field(x[None])[0]
        n = self.sigma * np.array([-t[1], t[0]])
        return n / np.linalg.norm(n)

    @property
    def positive(self) -> bool:
        """Every node certified > 0."""
        return bool(np.all(self.lower > 0))

    @property
    def negative_nodes(self) -> np.ndarray:
        """Indices of nodes certified < 0."""
        return np.flatnonzero(self.upper < 0)

    @property
    def open_nodes(self) -> np.ndarray:
        """Indices of nodes whose ball still holds 0 at the highest precision (or is not
        finite)."""
        return np.flatnonzero(~(self.lower > 0) & ~(self.upper < 0))


def window_bound(sf, points, base: float = 8.0, margin: float = 2.0) -> float:
    """Half-width of the tracing square in R^2: the paper's clip 8, widened to hold
    every finite coordinate of ``points`` (P, R, the saddle) with a margin."""
    finite = [abs(float(x)) for p in points for x in p if np.isfinite(float(x))]
    return max(base, max(finite, default=0.0) + margin)


def trace_sign(sf, saddle_point, toward_P, bound: float) -> TraceSign:
    """Trace Sigma through the saddle under v and enclose <M, n_P> at every node.

    Parameters
    ----------
    sf : ShapingField
    saddle_point : array_like, shape (2,)
    toward_P : array_like, shape (2,)
        A direction from the saddle into P's basin (fixes the orientation).
    bound : float
        Half-width of the tracing square (R^2 regions).
    """
    sep = separatrix(sf.dec, np.asarray(saddle_point, float), Rule("pg"), bound=bound)
    nodes = sep.polyline
    travel = tangent_signs(sep)
    w = -np.asarray(sep.direction, float)  # travel direction at the saddle row
    sigma = 1.0 if np.dot([-w[1], w[0]], toward_P) >= 0 else -1.0
    f = iv.IntervalFunction([*sf.M, *sf.v], sf.symbols)
    lower, upper = np.empty(len(nodes)), np.empty(len(nodes))
    for k, x in enumerate(nodes):
        lower[k], upper[k] = _node_bounds(f, x, travel[k], sigma, w)
    # the exit points of a box game lie on its walls, where an entropy term's log is
    # infinite: they are no points of the open box and are left out, with a note
    wall = np.any((nodes <= sep.lower) | (nodes >= sep.upper), axis=1)
    drop = wall & ~(np.isfinite(lower) & np.isfinite(upper))
    notes = tuple(sep.notes) + ((f"{int(drop.sum())} node(s) on the region's walls, where "
                                 "the field is not finite, left out",) if drop.any() else ())
    nodes, lower, upper, travel = nodes[~drop], lower[~drop], upper[~drop], travel[~drop]
    window = (float(sep.lower[0]), float(sep.upper[0]))
    return TraceSign(nodes, lower, upper, window, tuple(sep.ends), notes, travel, sigma, w)


def _node_bounds(f, x, travel, sigma, w) -> tuple[float, float]:
    """Bounds of sigma det[t, M] / |t| at the float point x, precision raised while
    the ball holds 0."""
    for bits in PRECISIONS:
        with iv.working_precision(bits):
            m0, m1, v0, v1 = f([iv.to_arb(float(c)) for c in x])
            if travel == 0:
                t0, t1 = iv.to_arb(float(w[0])), iv.to_arb(float(w[1]))
            else:
                t0, t1 = travel * v0, travel * v1
            val = sigma * (t0 * m1 - t1 * m0) / (t0 * t0 + t1 * t1).sqrt()
            lo, hi = iv.bounds(val)
        if lo > 0 or hi < 0:
            break
    return lo, hi


def bracket(sf, node, normal, P, R, window) -> dict | None:
    """Confirm that Sigma crosses node +- delta n_P: the two ends flowed under v reach
    P (the + side) and R (the - side). The first delta in `BRACKETS` that does it,
    or None."""
    cf = compile_field(sf.dec, Rule("pg", 0, 0))
    targets = np.array([np.clip(P, *window), np.clip(R, *window)], dtype=float)
    box = sf.dec.game.region.kind is RegionKind.BOX
    clip = (np.zeros(2), np.ones(2)) if box else None
    logit = sf.dec.game.parameterization == "logit"
    coords = (lambda y: 1.0 / (1.0 + np.exp(-y))) if logit else None
    tol = 0.1 * float(np.max(np.abs((coords or (lambda y: y))(targets[:1])
                                    - (coords or (lambda y: y))(targets[1:]))))
    for delta in BRACKETS:
        ends = np.array([node + delta * normal, node - delta * normal])
        reached = flow_outcome(cf.field, ends, targets, FlowOptions(dt=0.1, steps=40000),
                               tol, clip, coords)
        if reached.tolist() == [0, 1]:
            return {"delta": delta, "plus_side": ends[0].tolist(), "minus_side": ends[1].tolist(),
                    "reached": ["P", "R"], "closeness": tol,
                    "measured_in": "probabilities" if logit else "parameters",
                    "flow": "RK4, dt = 0.1, under v"}
    return None
