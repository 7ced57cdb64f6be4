"""The result of a basin problem: `BasinMap`, one field per fact.

Written by the judges (`eqselect.numerics.dynamics.judges`) from what the
basin engine (`eqselect.numerics.dynamics.basins.run_basins`) stepped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eqselect.theory.serialize import Record, jsonable
from eqselect.numerics.dynamics.starts import SampledStarts

#: The key of the preferred outcome's share and interval.
FRACTION = "fraction"


#: The order of the basin JSON keys (docs/cli.md, "eqselect basins --json").
_JSON_ORDER = ("schedule", "lam", "fraction", "outcomes", "mean_first_hit", "interval", "notes",
               "attractors", "shares", "intervals", "settling", "preferred")


@dataclass(frozen=True)
class BasinMap(Record):
    """Outcomes of one learning rule from many starts.

    Attributes
    ----------
    problem : BasinProblem
        What was asked (game, rule, starts, steps, schedule, judge).
    schedule : str
        What ran: ``"paper"``, ``"constant"``, ``"flow"`` or ``"annealed"``.
    lam : float or str
        lambda (a description of the annealing schedule when annealed).
    starts_probability, starts, final : ndarray, shape (n, d)
        Start probabilities, start parameters, end parameters.
    success : ndarray of bool, shape (n,), or None
        The success predicate at each end point (None: not judged by it).
    labels : ndarray of int, shape (n,), or None
        Index into ``attractors`` of the outcome each start reached; -1:
        none (by attractor: still moving), -2: cycle; None without fixed points.
    attractors : tuple of Attractor
        What ``labels`` index: the attractors (by attractor), or the stable
        fixed points within ``problem.tol`` (by success, with fixed points).
    first_hit : ndarray of int, shape (n,)
        First step with success (-1: never).
    fraction : float
        Share of starts reaching the preferred outcome.
    outcomes : dict of str to int
        Starts per outcome.
    mean_first_hit : float or None
        Mean first-hit step over the successes.
    notes : tuple of str
    shares : dict of str to float or None
        Share of the starts per outcome (sums to 1; by attractor).
    intervals : dict of str to (float, float) or None
        Wilson intervals at the starts' z, random starts only: ``"fraction"``
        for the basin fraction, and one per outcome when judged by attractor.
    settling : dict or None
        How the runs ended: starts still moving, their distances to the
        nearest fixed point, steps run (flow: until every start settled).
    preferred : str or None
        Name of the preferred attractor (None: the success predicate).
    kernel : {"numba", "numpy"} or None
        The loop that stepped the starts: the fused compiled kernel or the
        numpy reference (``problem.kernel`` is what was asked, possibly "auto").
    """

    problem: object  # the BasinProblem solved
    schedule: str
    lam: object
    starts_probability: np.ndarray
    starts: np.ndarray
    final: np.ndarray
    success: np.ndarray | None
    labels: np.ndarray | None
    attractors: tuple
    first_hit: np.ndarray
    fraction: float
    outcomes: dict
    mean_first_hit: float | None
    notes: tuple = ()
    shares: dict | None = None
    intervals: dict | None = None
    settling: dict | None = None
    preferred: str | None = None
    kernel: str | None = None

    _json_skip = ("problem", "starts_probability", "starts", "final", "success", "labels",
                  "first_hit", "intervals")

    def to_json(self) -> dict:
        """The map's JSON (`Record.to_json`), its keys in the order of the CLI contract."""
        out = super().to_json()
        first = [k for k in _JSON_ORDER if k in out]
        return {**{k: out[k] for k in first}, **{k: v for k, v in out.items() if k not in first}}

    @property
    def interval(self) -> tuple | None:
        """The Wilson interval of the basin fraction (random starts; None for a grid)."""
        return None if self.intervals is None else self.intervals.get(FRACTION)

    @property
    def label_names(self) -> tuple:
        """The names of what ``labels`` index."""
        return tuple(a.name for a in self.attractors)

    # -- the inputs, read through the problem --------------------------------
    @property
    def game(self) -> str:
        """The game's name."""
        return self.problem.game.name

    @property
    def method(self) -> str:
        """The rule's method name."""
        return self.problem.rule.method.value

    @property
    def own_coef(self) -> float:
        """The own-learning coefficient c."""
        return float(self.problem.rule.own_coef)

    @property
    def grid(self) -> int | None:
        """Points per axis for a grid map; None for Monte Carlo."""
        s = self.problem.starts
        return None if isinstance(s, SampledStarts) else int(s.grid)

    @property
    def seed(self) -> int | None:
        """The seed of a Monte-Carlo map; None for a grid."""
        s = self.problem.starts
        return s.seed if isinstance(s, SampledStarts) else None

    @property
    def steps(self) -> int:
        """Steps per start."""
        return int(self.problem.steps)

    @property
    def n(self) -> int:
        """Number of starts."""
        return int(self.starts.shape[0])

    def _json_extra(self) -> dict:
        per = {k: v for k, v in (self.intervals or {}).items() if k != FRACTION}
        out = {"interval": jsonable(self.interval), "intervals": jsonable(per) if per else None,
               "grid": self.grid, "steps": self.steps, "n": self.n, "game": self.game,
               "method": self.method, "own_coef": self.own_coef, "seed": self.seed,
               "reached": int(round(self.fraction * self.n))}
        if self.problem.per_start:
            out["per_start"] = self.per_start()
        return out

    def per_start(self) -> list[dict]:
        """Every start: its parameters, its end point and its outcome index
        (into ``attractors``; -1 still moving, -2 cycle; null without labels)."""
        return [row for part in self.per_start_parts(max(self.n, 1)) for row in part]

    def per_start_parts(self, size: int):
        """`per_start` in parts of ``size`` starts, in order (a writer streams them:
        the rows of 10^6 starts are never held at once)."""
        for a in range(0, self.n, size):
            part = slice(a, min(self.n, a + size))
            labels = (self.labels[part].tolist() if self.labels is not None
                      else [None] * (part.stop - part.start))
            yield [{"start": s, "end": e, "attractor": k} for s, e, k in
                   zip(self.starts[part].tolist(), self.final[part].tolist(), labels)]


__all__ = ["FRACTION", "BasinMap"]
