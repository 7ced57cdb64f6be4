"""The cycle test of a basin map: does a run come back to where it was?

A run that reached no attractor is stepped ``window`` more times
(`eqselect.numerics.dynamics.window.cycling`). With s_k its strategies
(every action probability) at step k of the window, d_k = |s_k - s_0|_inf
its distance from the window's first point and D_k = max_{j <= k} d_j its
largest excursion so far, the run is a cycle when it first goes away
(d > 5 eps) and later comes back, d_k < max(eps, share D_k) (`Recurrence`,
eps = 0.02, share = 1/4): a closed orbit, or a spiral that winds round once
in the window.

`ParameterRecurrence` takes the parameters x_k of each step instead and
computes strategies only for the runs whose verdict they can change: a run
that has not gone away and whose x_k lies in a box around x_0 where
d_k < 5 eps provably (`stay_box`: the exact interval of a logit, else a
Lipschitz bound, `strategy_lipschitz`) needs none. Its verdicts are
`Recurrence`'s on every step. On the compiled kernel the same screen and
test run inside the stepping loop
(`eqselect.numerics.dynamics.kernels.cycle`), which hands back to
`ParameterRecurrence` the runs whose verdict comes within rounding of a
threshold.
"""

from __future__ import annotations

import numpy as np

from eqselect.numerics.dynamics.narrow import row_all, row_max
from eqselect.numerics.dynamics.starts import (
    action_blocks, parameters_to_probability, parameters_to_strategies, start_kind)

__all__ = ["EPS", "SCREEN_MARGIN", "SHARE", "ParameterRecurrence", "Recurrence", "recurrent",
           "stay_box", "strategy_lipschitz"]

#: The cycle test's eps: a run goes away past 5 eps and comes back within eps ...
EPS = 0.02
#: ... or within this share of its largest excursion.
SHARE = 0.25


class Recurrence:
    """Online cycle test over a window of extra steps (no path kept in memory).

    With d_k the max-norm distance (strategy space) of step k from the
    window's first point s_0 and D_k = max_{j <= k} d_j its largest
    excursion so far, a run is recurrent when it first goes away (d > 5 eps)
    and later comes back, d_k < max(eps, share * D_k): a closed orbit, or a
    spiral that winds round once in the window (Matching Pennies' discrete
    PG spirals slowly outward).
    """

    def __init__(self, s0: np.ndarray, eps: float = EPS, share: float = SHARE):
        self.s0, self.eps, self.share = np.array(s0, dtype=float), eps, share
        n = len(self.s0)
        self.widest = np.zeros(n)
        self.left = np.zeros(n, dtype=bool)
        self.back = np.zeros(n, dtype=bool)

    def update(self, s: np.ndarray, rows: np.ndarray | None = None) -> None:
        """Take the strategies of the next step, shape (n, S), or of the runs ``rows``
        only (indices into the runs, s then shape (len(rows), S))."""
        if rows is None:
            d = row_max(np.abs(s - self.s0))
            self.widest = np.maximum(self.widest, d)
            self.back |= self.left & (d < np.maximum(self.eps, self.share * self.widest))
            self.left |= d > 5 * self.eps
            return
        d = row_max(np.abs(s - self.s0[rows]))
        widest = self.widest[rows] = np.maximum(self.widest[rows], d)
        self.back[rows] |= self.left[rows] & (d < np.maximum(self.eps, self.share * widest))
        self.left[rows] |= d > 5 * self.eps

    @property
    def recurrent(self) -> np.ndarray:
        """Which runs went away and came back (bool, shape (n,))."""
        return self.back.copy()


def strategy_lipschitz(game) -> float:
    """L with |s(x) - s(y)|_inf <= L |x - y|_inf for the map x -> strategies
    (`parameters_to_strategies`).

    By the mean value theorem L is the largest row sum of |ds/dx| over the
    parameter space, block by block (agent and state, m actions):

    - logit, s = (sigma(x_1), .., sigma(x_{m-1}), 1 - sum_a sigma(x_a)):
      sigma' <= 1/4, so (m - 1) / 4 (the last action's row);
    - softmax (m >= 3, the last logit pinned at 0): ds_a/dx_b = s_a (delta_ab - s_b),
      a row sums to at most 2 s_a (1 - s_a) <= 1/2;
    - direct, s = (x_1, .., x_{m-1}, 1 - sum_a x_a): m - 1.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> [strategy_lipschitz(builtin("stag-hunt", p)) for p in ("logit", "direct")]
    [0.25, 1.0]
    """
    kind = start_kind(game)
    blocks = [m for _, _, _, m in action_blocks(game)]
    if kind == "direct":
        return float(max(m - 1 for m in blocks))
    if kind == "softmax":
        return 0.5
    return max(m - 1 for m in blocks) / 4


#: Slack under 5 eps of the screens of `ParameterRecurrence`: far above the
#: rounding of a strategy (a few units in the last place of a number <= 1).
SCREEN_MARGIN = 1e-9


def stay_box(game, x0: np.ndarray, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi), shape (n, d): a box of parameters around each x0 inside which
    the strategies stay within ``reach`` - `SCREEN_MARGIN` of s(x0) (max-norm).

    Two-action logits (one parameter a block, s = (sigma(x), 1 - sigma(x))):
    the exact interval sigma^-1([p0 - r, p0 + r]), r = reach - margin (sigma
    is increasing); otherwise the cube of half-width r / L, L =
    `strategy_lipschitz`. A run inside the box has d <= reach whatever the
    rounding of its strategies (some 1e-16, under the margin).
    """
    r = reach - SCREEN_MARGIN
    if start_kind(game) == "logit" and all(m == 2 for _, _, _, m in action_blocks(game)):
        p0 = parameters_to_probability(game, x0)
        with np.errstate(divide="ignore", invalid="ignore"):
            lo, hi = (np.log(q) - np.log1p(-q) for q in (p0 - r, p0 + r))
        lo[~(p0 - r > 0)] = -np.inf  # sigma > p0 - r everywhere
        hi[~(p0 + r < 1)] = np.inf
        return lo, hi
    half = r / strategy_lipschitz(game)
    return x0 - half, x0 + half


class ParameterRecurrence:
    """`Recurrence` of runs given by their parameters x_k, computing the strategies
    s(x_k) only for the runs whose verdict they can change.

    Until a run has gone away (d > 5 eps), its steps decide only whether it
    goes away now; a step inside the `stay_box` of reach 5 eps around x_0
    has d_k < 5 eps and is left out. Its d_k would only have raised the
    run's largest excursion D to at most 5 eps, and the run's first step
    away (d_m > 5 eps) raises D above that before D can decide any return
    (d_k < max(eps, share D_k), k > m): the verdicts are `Recurrence`'s on
    every step. A non-finite x falls outside the box and is passed on, as
    `Recurrence` sees it.

    Parameters
    ----------
    game : Game
    x0 : ndarray, shape (n, d)
        The parameters at the window's first point.
    eps, share : float
        As for `Recurrence`.
    """

    def __init__(self, game, x0: np.ndarray, eps: float = EPS, share: float = SHARE):
        self.game, x0 = game, np.array(x0, dtype=float)
        self.test = Recurrence(parameters_to_strategies(game, x0), eps, share)
        self.lo, self.hi = stay_box(game, x0, 5 * eps)
        self.rows = np.arange(len(x0))

    def update(self, x: np.ndarray) -> np.ndarray | None:
        """Take the parameters of the next step of the runs still tested (``rows``),
        shape (len(rows), d).

        Returns None, or which of those runs stay tested (bool) when some
        became recurrent: their verdict is final, and the next update takes
        the others only.
        """
        test, rows = self.test, self.rows
        whole = len(rows) == len(test.left)
        away = ~row_all((x >= self.lo) & (x <= self.hi))
        need = np.flatnonzero(away | (test.left if whole else test.left[rows]))
        if not need.size:
            return None
        if need.size == len(rows):
            which = rows
            test.update(parameters_to_strategies(self.game, x), None if whole else rows)
        else:
            which = rows[need]
            test.update(parameters_to_strategies(self.game, x[need]), which)
        done = test.back[which]  # only a step taken can make a run recurrent
        if not done.any():
            return None
        keep = np.ones(len(rows), dtype=bool)
        keep[need[done]] = False
        self.rows, self.lo, self.hi = rows[keep], self.lo[keep], self.hi[keep]
        return keep

    @property
    def recurrent(self) -> np.ndarray:
        """Which runs went away and came back (bool, shape (n,)); a run once
        recurrent stays so, whatever its later steps."""
        return self.test.recurrent


def recurrent(strategies_path: np.ndarray, eps: float = EPS, share: float = SHARE) -> np.ndarray:
    """`Recurrence` over a whole path of strategies, shape (T + 1, n, S).

    Examples
    --------
    >>> t = np.linspace(0, 4 * np.pi, 200)
    >>> loop = np.stack([0.5 + 0.3 * np.cos(t), 0.5 + 0.3 * np.sin(t)], axis=1)[:, None, :]
    >>> line = np.stack([t / 20, t / 20], axis=1)[:, None, :]
    >>> recurrent(np.concatenate([loop, line], axis=1)).tolist()
    [True, False]
    """
    test = Recurrence(strategies_path[0], eps, share)
    for s in strategies_path[1:]:
        test.update(s)
    return test.recurrent
