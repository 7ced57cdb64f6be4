"""Shortcuts of the classification of end points, giving the definition's labels.

`eqselect.numerics.dynamics.attractors.classify_ends` labels an end point x
by the nearest attractor whose strategies lie within ``tol`` of s(x)
(max-norm over every action probability); a pure profile at infinity counts
only when the probe step x + h u along the field u lowers no probability of
the profile's actions (by more than 1e-12). Both tests need the strategies
of every end point; in one-state games of two-action logits,
p_i = sigma(x_i), most end points are decided from their logits alone:

1. the vertex screen (`VertexScreen`), when every attractor is a pure
   profile. The distance of s(x) to the vertex of profile a is
   max_i (1 - p_i(a_i)), so with T = logit(1 - tol) a point whose every
   |x_i| >= T + `DELTA` is within tol of the vertex of its signs (a_i = 0
   where x_i > 0) and farther than tol from every other (tol < 1/4); a point
   with some |x_i| < T - `DELTA` is farther than tol from every vertex. The
   margin DELTA moves p by tol (1 - tol) DELTA >= 1e-13 for tol >= 1e-6, far
   above the rounding of p (some 1e-16), so the computed distances decide
   alike. Points in the band between are classified by the definition.
2. the probe by sign (`pushed_out`): sigma is increasing, so where
   h u_i >= 0 (profile action 0; <= 0 for action 1) the probe's probability
   of the profile's action does not drop, up to the rounding of p, far below
   1e-12; only the other end points take the probe step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eqselect.numerics.dynamics.narrow import row_all
from eqselect.numerics.dynamics.starts import (
    action_blocks, parameters_to_strategies, start_kind)

__all__ = ["BAND", "DELTA", "VertexScreen", "logit_agents", "profile_columns", "pushed_out",
           "vertex_screen"]

#: Margin in logit space around T = logit(1 - tol) (see the module docstring).
DELTA = 1e-7
#: Target of an end point in the band: the definition classifies it.
BAND = -3
#: Label of an end point that reached no attractor (`attractors.MOVING`).
_MOVING = -1
#: Most agents of a game the vertex screen takes (its table has 2^N entries).
MAX_SCREEN_AGENTS = 16


def logit_agents(game) -> tuple[int, ...] | None:
    """Each agent's parameter in a one-state game of two-action logits, else None."""
    if game.states != 1 or start_kind(game) != "logit":
        return None
    blocks = action_blocks(game)
    if any(m != 2 for _, _, _, m in blocks):
        return None
    return tuple(b[0] for _, _, b, _ in blocks)


def profile_columns(game, profile) -> list[int]:
    """The strategy columns of a pure profile's actions (one per agent and state)."""
    cols, col = [], 0
    for agent, _, _, m in action_blocks(game):
        cols.append(col + profile[agent])
        col += m
    return cols


def pushed_out(game, x, u, profile, step: float, s=None) -> np.ndarray:
    """The probe of a pure profile at infinity: which rows of x move no probability
    of the profile's actions down by more than 1e-12 in one step along u.

    The definition, ``s(x + step u) - s(x) >= -1e-12`` on the profile's
    columns, for the rows that the sign of u (two-action logits, see the
    module docstring) does not decide.

    Parameters
    ----------
    x, u : ndarray, shape (n, d)
        End points and the field there.
    profile : tuple of int
    step : float
    s : ndarray, shape (n, S), optional
        The strategies at x (computed where needed when None).

    Returns
    -------
    ndarray of bool, shape (n,)
    """
    ok = np.zeros(len(x), dtype=bool)
    agents = logit_agents(game)
    if agents is not None and step > 0:
        ok[:] = True
        for i, a in zip(agents, profile):
            ok &= u[:, i] >= 0 if a == 0 else u[:, i] <= 0  # NaN: left to the definition
    rows = np.flatnonzero(~ok)
    if rows.size:
        cols = profile_columns(game, profile)
        now = parameters_to_strategies(game, x[rows]) if s is None else s[rows]
        probe = parameters_to_strategies(game, x[rows] + step * u[rows]) - now
        ok[rows] = row_all(probe[:, cols] >= -1e-12)
    return ok


@dataclass(frozen=True)
class VertexScreen:
    """The vertex screen of a game's pure-profile attractors (module docstring, 1).

    Attributes
    ----------
    agents : tuple of int
        Each agent's parameter.
    table : ndarray of int
        The attractor at each profile, by code sum_i a_i 2^i (-1: none).
    edge : float
        T = logit(1 - tol).
    """

    agents: tuple
    table: np.ndarray
    edge: float

    def targets(self, x: np.ndarray) -> np.ndarray:
        """Per end point: the index of the only attractor within tol, -1 when none
        is, `BAND` when the definition must decide (shape (n,))."""
        inner = np.ones(len(x), dtype=bool)
        outer = np.zeros(len(x), dtype=bool)
        code = np.zeros(len(x), dtype=np.intp)
        for bit, i in enumerate(self.agents):
            t = x[:, i]
            size = np.abs(t)
            inner &= size >= self.edge + DELTA
            outer |= size < self.edge - DELTA
            code |= (t < 0).astype(np.intp) << bit
        out = np.full(len(x), BAND, dtype=int)
        out[outer] = _MOVING
        out[inner] = self.table[code[inner]]
        return out


def vertex_screen(game, attractors, tol: float) -> VertexScreen | None:
    """The `VertexScreen` of the attractors, or None where it does not apply: a game
    other than one-state two-action logits (at most `MAX_SCREEN_AGENTS`),
    tol outside [1e-6, 1/4), an attractor other than a pure profile whose
    strategies are exactly 0 and 1, or two attractors at one profile."""
    agents = logit_agents(game)
    if agents is None or len(agents) > MAX_SCREEN_AGENTS or not 1e-6 <= tol < 0.25:
        return None
    table = np.full(1 << len(agents), _MOVING, dtype=int)
    for j, a in enumerate(attractors):
        flat = [float(v) for s in a.strategies for v in s]
        if (a.profile is None or a.vertices or any(v not in (0.0, 1.0) for v in flat)
                or len(a.profile) != len(agents)):
            return None
        code = sum(int(k) << bit for bit, k in enumerate(a.profile))
        if table[code] != _MOVING:
            return None
        table[code] = j
    return VertexScreen(agents, table, float(np.log1p(-tol) - np.log(tol)))
