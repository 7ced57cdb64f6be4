"""Which end points lie in an outcome, and the pressure of a field on a face.

An outcome (`eqselect.theory.outcomes.Outcome`) is a face, a region or a
point of strategy space. This module reads parameters as strategies
(`eqselect.numerics.dynamics.starts.parameters_to_strategies`: agent by
agent, state by state, every action) and answers two questions:

- `members`: which points x lie in the outcome: every held (agent, state,
  action) has probability >= the outcome's threshold (face, region), or
  |p(x) - p*| <= tol in probability coordinates (point);
- `face_pressure`: how a field u pushes a face's held coordinates toward
  saturation. With S(x) the strategies and q = S_held(x) the probability of a
  held action, the field moves q at dq/dt = <grad S_held(x), u(x)>; the
  pressure is the rate at which the gap 1 - q closes,

      pi_k(x) = -d/dt log(1 - q_k) = (dq_k/dt) / (1 - q_k),

  positive when u pushes coordinate k further into saturation. Under logit
  with two actions dq/dt = q (1 - q) u_theta, so pi_k = q u_theta (action 0)
  and the sign of pi_k is that of the direct closure's normal-cone
  multiplier read at the saturated coordinate (docs/alignment.md).

The derivative of S along u is a central difference of the smooth map
x -> S(x) (exact up to O(h^2) rounding, h relative to |u|).
"""

from __future__ import annotations

import numpy as np

from eqselect.theory.outcomes import Outcome, profile_outcome
from eqselect.numerics.dynamics.starts import action_blocks, parameters_to_strategies

#: Relative step of the central difference of S along a field.
STEP = 1e-5


def columns(game, held) -> list[int]:
    """Column of each held (agent, state, action) in `parameters_to_strategies`."""
    offset, col = {}, 0
    for agent, state, _, m in action_blocks(game):
        offset[(agent, state)] = col
        col += m
    return [offset[(a, s)] + act for a, s, act in held]


def members(game, outcome: Outcome, x) -> np.ndarray:
    """Which rows of x (parameters, shape (n, d)) lie in ``outcome``: bool (n,)."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    if outcome.kind == "point":
        from eqselect.numerics.dynamics.starts import parameters_to_probability

        p = parameters_to_probability(game, x)
        return np.linalg.norm(p - np.asarray(outcome.point, dtype=float), axis=1) <= outcome.tol
    S = parameters_to_strategies(game, x)
    ok = np.all(S[:, columns(game, outcome.held)] >= outcome.threshold, axis=1)
    return ok & np.all(np.isfinite(x), axis=1)


def face_pressure(game, outcome: Outcome, x, u) -> np.ndarray:
    """pi_k(x) for every held coordinate k, shape (n, len(held)) (module docstring)."""
    x, u = np.atleast_2d(x), np.atleast_2d(u)
    scale = np.maximum(np.abs(u).max(axis=1, keepdims=True), 1e-300)
    h = STEP / scale
    cols = columns(game, outcome.held)
    up = parameters_to_strategies(game, x + h * u)[:, cols]
    down = parameters_to_strategies(game, x - h * u)[:, cols]
    rate = (up - down) / (2 * h)
    gap = 1.0 - parameters_to_strategies(game, x)[:, cols]
    return np.where(gap > 1e-300, rate / np.maximum(gap, 1e-300), rate)


def candidate_outcome(game, candidate) -> Outcome:
    """The outcome of a P or R chosen among fixed points and pure profiles: a
    pure profile at infinity is the face holding it, a finite point a point."""
    if candidate.at_infinity:
        profile = tuple(int(np.argmax(s)) for s in candidate.strategies)
        return profile_outcome(game, profile, candidate.label)
    from eqselect.numerics.dynamics.starts import parameters_to_probability

    p = parameters_to_probability(game, np.asarray(candidate.point, dtype=float)[None])[0]
    return Outcome(candidate.label, "point", point=tuple(float(v) for v in p),
                   description="a stable fixed point of v")
