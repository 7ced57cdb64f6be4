"""Starts of a basin map: grids and random samples in probability space.

A basin map starts every run from initial probabilities p (docs/replay.md,
"Basin map"): a grid linspace(low, high, N)^d (the paper: N = 21, 0.05,
0.95) or a random sample, mapped to parameters by theta = logit(p) for logit
policies and phi = p for direct ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Literal

import numpy as np

from eqselect.theory import PAPER, GameError, RegionKind
from eqselect.numerics.dynamics.plain import plain

#: Most starts a grid may have (grids are streamed in chunks, so this bounds
#: time, not memory).
MAX_GRID_STARTS = 10_000_000


def start_kind(game) -> str:
    """``"logit"``, ``"softmax"`` or ``"direct"``: how start probabilities map to parameters.

    ``"logit"`` also covers softmax games with two actions per agent (one
    logit per agent and state).

    Raises
    ------
    GameError
        For games without policies (continuous games).
    """
    if game.parameterization == "direct":
        return "direct"
    if game.parameterization == "logit" or (
            game.parameterization == "softmax" and game.actions
            and all(m == 2 for m in game.actions)):
        return "logit"
    if game.parameterization == "softmax" and game.actions:
        return "softmax"
    raise GameError(
        f"basin starts live in probability space and need a game with policies "
        f"(direct, logit or softmax parameterization); game {game.name!r} has "
        f"{game.parameterization!r}")


def probability_kind(game) -> str:
    """``"logit"`` or ``"direct"``: games with one probability per parameter.

    A square grid of one probability per parameter (a sweep cell, a phase
    portrait) needs these; softmax games with three or more actions have
    starts of their own (`start_kind`, `simplex_starts`, slices).

    Raises
    ------
    GameError
        For parameterisations with no one-probability-per-parameter grid.
    """
    kind = start_kind(game)
    if kind == "softmax":
        raise GameError(
            f"probability grids need the direct or logit parameterization (two actions "
            f"per agent for softmax); game {game.name!r} has {game.parameterization!r} "
            "(eqselect basins takes slices of it: --axes, --fix)")
    return kind


def action_blocks(game) -> list[tuple[int, int, list[int], int]]:
    """One entry per agent and state: (agent, state, parameter indices, m).

    Agent i's parameters are ``states * (m_i - 1)`` numbers, state by state;
    in each state the m_i - 1 parameters belong to its first m_i - 1 actions
    (direct: their probabilities; logit / softmax: their logits against the
    last action, whose logit is pinned at 0; docs/theory.md).
    """
    out = []
    for i, sl in enumerate(game.slices):
        m = int(game.actions[i]) if game.actions else 2
        for state in range(game.states):
            start = sl.start + state * (m - 1)
            out.append((i, state, list(range(start, start + m - 1)), m))
    return out


def probability_to_parameters(game, p) -> np.ndarray:
    """Map start probabilities to parameters: logit(p) (logit), log(p_k / p_last)
    (softmax) or p (direct).

    Parameters
    ----------
    game : Game
    p : array_like, shape (n, d)
        One probability per parameter: that of the action the parameter
        belongs to (`action_blocks`), each in (0, 1) for logits.

    Raises
    ------
    GameError
        For probabilities outside (0, 1) (logits) or [0, 1] (direct), for
        blocks whose probabilities sum past 1, or for games without policies.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> probability_to_parameters(builtin("stag-hunt", "logit"), [[0.5, 0.75]]).round(6).tolist()
    [[0.0, 1.098612]]
    """
    p = np.asarray(p, dtype=float)
    p = p.reshape(1, -1) if p.ndim < 2 else p
    kind = start_kind(game)
    if np.any((p <= 0) | (p >= 1)) and kind != "direct":
        bad = p[(p <= 0) | (p >= 1)][0]
        raise GameError(f"start probability {plain(bad)} is outside (0, 1); its logit is infinite")
    if kind == "logit":
        x = np.empty_like(p)
        for part in chunks(len(p), 1 << 16):  # no temporaries over a large grid
            x[part] = np.log(p[part]) - np.log1p(-p[part])
        return x
    if np.any((p < 0) | (p > 1)):
        raise GameError(f"start probabilities must lie in [0, 1], got {plain(p.min())}..{plain(p.max())}")
    blocks = ([list(b) for b in game.region.blocks] if game.region.kind is RegionKind.SIMPLEX
              else [b for _, _, b, _ in action_blocks(game)] if kind == "softmax" else [])
    for b in blocks:
        total = p[:, b].sum(axis=1).max()
        if total > 1 or (kind == "softmax" and total >= 1):
            raise GameError(f"start probabilities sum to {plain(total)} >= 1 in a simplex "
                            f"block {b}")
    if kind == "direct":
        return p.copy()  # the caller's array stays its own
    x = np.log(p)
    for b in blocks:
        x[:, b] -= np.log1p(-p[:, b].sum(axis=1))[:, None]
    return x


def parameters_to_probability(game, x) -> np.ndarray:
    """Inverse of `probability_to_parameters`: sigma(theta), the softmax, or phi itself.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> parameters_to_probability(builtin("stag-hunt", "logit"), [[0.0, 0.0]]).tolist()
    [[0.5, 0.5]]
    """
    x = np.array(x, dtype=float, ndmin=2)
    kind = start_kind(game)
    if kind == "logit":
        return 0.5 * (1.0 + np.tanh(0.5 * x))  # sigma, overflow-free
    if kind == "direct":
        return x
    p = np.empty_like(x)
    for _, _, b, _ in action_blocks(game):
        top = np.maximum(x[:, b].max(axis=1), 0.0)[:, None]  # the pinned logit is 0
        e = np.exp(x[:, b] - top)
        p[:, b] = e / (np.exp(-top) + e.sum(axis=1, keepdims=True))
    return p


def parameters_to_strategies(game, x) -> np.ndarray:
    """Every agent's full mixed strategy, shape (n, sum_i states m_i).

    Columns follow ``game.strategies``: agent by agent, state by state, all
    actions (the last one 1 - the others).

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> parameters_to_strategies(builtin("stag-hunt", "direct"), [[0.25, 1.0]]).tolist()
    [[0.25, 0.75, 1.0, 0.0]]
    """
    p = parameters_to_probability(game, x)
    cols = []
    for _, _, b, _ in action_blocks(game):
        cols += [p[:, b], 1.0 - p[:, b].sum(axis=1, keepdims=True)]
    return np.concatenate(cols, axis=1)


def strategies_to_parameters(game, s) -> np.ndarray:
    """Inverse of `parameters_to_strategies` (each block's last action dropped)."""
    s = np.array(s, dtype=float, ndmin=2)
    keep, col = [], 0
    for _, _, b, m in action_blocks(game):
        keep += list(range(col, col + m - 1))
        col += m
    if s.shape[1] != col:
        raise GameError(f"game {game.name!r} has {col} action probabilities per start, "
                        f"got {s.shape[1]}")
    return probability_to_parameters(game, s[:, keep])


def simplex_starts(game, n: int, rng) -> np.ndarray:
    """Start probabilities (one per parameter) uniform on each agent's simplex.

    Each agent and state draws its strategy from the uniform (flat
    Dirichlet) distribution on the simplex of its m actions; for two actions
    that is p uniform on (0, 1).
    """
    cols = []
    for _, _, b, m in action_blocks(game):
        draw = rng.dirichlet(np.ones(m), size=int(n))
        cols.append(draw[:, :m - 1])
    p = np.concatenate(cols, axis=1)
    # a flat Dirichlet draw is 0 or 1 with probability 0; keep logits finite anyway
    return np.clip(p, 1e-12, 1 - 1e-12) if start_kind(game) != "direct" else p


def _check_range(low, high) -> None:
    if not 0 <= low <= high <= 1:
        raise GameError(f"need 0 <= low <= high <= 1, got low={plain(low)}, high={plain(high)}")


def grid_starts(d: int, grid: int = 21, low: float = PAPER.grid_low,
                high: float = PAPER.grid_high,
                max_starts: int = MAX_GRID_STARTS) -> np.ndarray:
    """All points of linspace(low, high, grid)^d, first coordinate slowest.

    Examples
    --------
    >>> grid_starts(2, 3, 0.0, 1.0).tolist()[:4]
    [[0.0, 0.0], [0.0, 0.5], [0.0, 1.0], [0.5, 0.0]]
    """
    if int(grid) != grid or grid < 1:
        raise GameError(f"grid must be a positive integer, got {plain(grid)}")
    _check_range(low, high)
    if grid ** d > max_starts:
        raise GameError(f"a {grid}-point grid in {d} dimensions has {grid ** d} starts "
                        f"(limit {max_starts}); use basin_monte_carlo")
    return axis_grid(np.linspace(low, high, int(grid)), d)


def axis_grid(axis: np.ndarray, d: int) -> np.ndarray:
    """All points of axis^d, shape (len(axis)^d, d), first coordinate slowest."""
    g = len(axis)
    out = np.empty((g ** d, d))
    cube = out.reshape((g,) * d + (d,))  # a view: no grid-sized temporaries
    for j in range(d):
        cube[..., j] = axis.reshape((1,) * j + (-1,) + (1,) * (d - j - 1))
    return out


def monte_carlo_starts(game, n: int, seed: int,
                       sampler: Literal["probability", "simplex", "normal", "uniform-parameter"] = "probability",
                       low: float = PAPER.grid_low, high: float = PAPER.grid_high,
                       scale: float = 1.35) -> tuple[np.ndarray, np.ndarray]:
    """Random starts (probabilities, parameters), reproducible from ``seed``.

    - ``"probability"``: p uniform in [low, high]^d, mapped to parameters
      (an agent with three or more actions draws its strategy uniform on
      its simplex, as ``"simplex"``: a box draw would leave the simplex);
    - ``"simplex"``: each agent's strategy uniform on its simplex
      (`simplex_starts`), for any number of actions;
    - ``"normal"``: theta ~ N(0, scale^2) (the paper's ablation, logit only);
    - ``"uniform-parameter"``: theta uniform in [-scale, scale]^d (restarts,
      logit only).
    """
    if int(n) != n or n < 1:
        raise GameError(f"sample size n must be a positive integer, got {plain(n)}")
    rng = np.random.default_rng(seed)
    d = len(game.parameters)
    if sampler == "probability":
        _check_range(low, high)
        p = rng.uniform(low, high, size=(int(n), d))
        wide = [(b, m) for _, _, b, m in action_blocks(game) if m > 2]
        if wide:  # a box draw would leave the simplex of three or more actions
            simplex = simplex_starts(game, n, rng)
            for b, _ in wide:
                p[:, b] = simplex[:, b]
        return p, probability_to_parameters(game, p)
    if sampler == "simplex":
        p = simplex_starts(game, n, rng)
        return p, probability_to_parameters(game, p)
    if sampler not in ("normal", "uniform-parameter"):
        raise GameError(f"unknown sampler {sampler!r}; valid: probability, simplex, normal, "
                        "uniform-parameter")
    if start_kind(game) != "logit":
        raise GameError(f"sampler {sampler!r} draws logits; game {game.name!r} is "
                        f"{game.parameterization}")
    if sampler == "normal":
        x = rng.normal(0.0, scale, size=(int(n), d))
    else:
        x = rng.uniform(-scale, scale, size=(int(n), d))
    return parameters_to_probability(game, x), x


@dataclass(frozen=True)
class GridStarts:
    """The grid linspace(low, high, grid)^d of initial probabilities."""

    grid: int = 21
    low: float = PAPER.grid_low
    high: float = PAPER.grid_high

    def draw(self, game) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities, parameters), each shape (grid^d, d).

        Under logits every parameter is the logit of one grid value, so the
        parameters are the grid of the axis's logits: grid logarithms
        instead of grid^d, the same numbers (elementwise the same formula).
        """
        d = len(game.parameters)
        p = grid_starts(d, self.grid, self.low, self.high)
        if start_kind(game) != "logit":
            return p, probability_to_parameters(game, p)
        axis = np.linspace(self.low, self.high, int(self.grid))
        return p, axis_grid(probability_to_parameters(game, axis[:, None]).ravel(), d)

    def to_json(self) -> dict:
        return {"kind": "grid", "grid": int(self.grid), "low": self.low, "high": self.high}


@dataclass(frozen=True)
class SampledStarts:
    """``n`` random starts from ``seed`` (see `monte_carlo_starts`); the basin
    fraction gets a Wilson interval at ``z`` (1.96: 95%)."""

    n: int = 1000
    seed: int = 0
    sampler: str = "probability"
    low: float = PAPER.grid_low
    high: float = PAPER.grid_high
    scale: float = 1.35
    z: float = 1.96

    def draw(self, game) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities, parameters), each shape (n, d)."""
        return monte_carlo_starts(game, self.n, self.seed, self.sampler, self.low, self.high,
                                  self.scale)

    def to_json(self) -> dict:
        return {"kind": "sample", "n": int(self.n), "seed": self.seed,
                "sampler": self.sampler, "low": self.low, "high": self.high,
                "scale": self.scale, "z": self.z}


@dataclass(frozen=True, eq=False)
class GivenStarts:
    """Starts given as parameters (points of the game's region), shape (n, d).

    For a game without policies (a continuous field) the "probabilities" of
    a `BasinMap` are the parameters themselves.
    """

    parameters: np.ndarray

    def draw(self, game) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities, parameters), each shape (n, d)."""
        x = np.array(self.parameters, dtype=float, ndmin=2)
        if x.shape[1] != len(game.parameters):
            raise GameError(f"starts have {x.shape[1]} coordinates; game {game.name!r} has "
                            f"{len(game.parameters)} parameters")
        return (parameters_to_probability(game, x) if game.strategies else x.copy()), x

    def to_json(self) -> dict:
        return {"kind": "given", "n": int(np.shape(self.parameters)[0])}


def chunks(n: int, size: int) -> Iterator[slice]:
    """Consecutive slices of at most ``size`` rows covering range(n).

    Examples
    --------
    >>> list(chunks(5, 2))
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    for a in range(0, n, size):
        yield slice(a, min(n, a + size))
