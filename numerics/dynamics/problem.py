"""A basin problem (what to run) and a basin map (what was found).

`BasinProblem` holds the inputs of a basin computation: the decomposition,
the learning rule (method, lambda, c, and its annealing), the starts, the
number of steps, the schedule, how an end point is judged (a success
predicate, or the attractor it reaches) and the backends. `BasinMap` holds
the outcomes and refers to the problem that produced them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from eqselect.theory import PAPER, Decomposition, GameError, OptionsError, Rule
from eqselect.theory.serialize import Record, jsonable
from eqselect.numerics.dynamics.judges import FRACTION, AttractorJudge, SuccessJudge
from eqselect.numerics.dynamics.starts import GridStarts, SampledStarts
from eqselect.numerics.dynamics.plain import plain

KERNELS = ("numpy", "numba")


@dataclass(frozen=True, eq=False)
class BasinProblem:
    """The inputs of a basin map.

    Attributes
    ----------
    dec : Decomposition or None
        With eta and every payoff symbol numeric: the rule's field is
        compiled from it (None: ``source`` and ``game`` give the field).
    rule : Rule
        Method, lambda, c; ``rule.annealing`` (an object with ``lam(k)``)
        makes lambda step dependent.
    starts : GridStarts, SampledStarts or GivenStarts
    steps : int
        Updates (discrete schedules) or RK4 steps of size ``dt`` (flow).
    schedule : "paper", "flow", PaperSchedule or ConstantSchedule
    judge : SuccessJudge or AttractorJudge
        How an end point is judged (`eqselect.numerics.dynamics.judges`).
    fixed_points : EquilibriumSet, sequence of Equilibrium, or None
        The rule's fixed points: the success judge labels end points by the
        nearest stable one, the attractor judge names the attractor reached
        (it needs an `EquilibriumSet`, which says whether the list is complete).
    tol : float
        Distance (probability coordinates) for the fixed-point labels.
    dt : float
        Flow step.
    backend : str
        Code-generation backend of the field (`eqselect.numerics.codegen`).
    kernel : "numpy" or "numba"
        The stepping loop: vectorised numpy (the reference) or a fused
        compiled kernel (`eqselect.numerics.dynamics.kernels`).
    per_start : bool
        Put every start, end point and attractor index in the JSON.
    source : GradientSource or None
        Steps with ``rule_field(source, rule)`` instead of the
        decomposition's compiled components (the replay's dynamic
        programming or sampled estimators, a sweep cell's field); the
        numba kernel then needs the source's ``compiled(schedule, rule)``
        -> (kernel module, run-time values).
    game : Game or None
        The game the starts and the predicate read; None: ``dec.game``.
    """

    dec: Decomposition | None
    rule: Rule = field(default_factory=Rule)
    starts: object = field(default_factory=GridStarts)
    steps: int = PAPER.steps
    schedule: object = "paper"
    judge: object = field(default_factory=SuccessJudge)
    fixed_points: object = None
    tol: float = 0.05
    dt: float = 0.05
    backend: str = "llvm"
    kernel: str = "numpy"
    per_start: bool = False
    source: object = None
    game: object = None

    def __post_init__(self):
        if self.game is None:
            if self.dec is None:
                raise GameError("a basin problem needs a decomposition, or a gradient source "
                                "and its game")
            object.__setattr__(self, "game", self.dec.game)
        if self.dec is None and self.source is None:
            raise GameError("a basin problem without a decomposition needs a gradient source")
        if self.kernel not in KERNELS:
            raise GameError(f"unknown kernel {self.kernel!r}; valid: {', '.join(KERNELS)}")
        if self.source is not None and self.kernel != "numpy" and not hasattr(self.source,
                                                                              "compiled"):
            raise GameError("this gradient source has no compiled kernel; use kernel='numpy'")
        if int(self.steps) != self.steps or self.steps < 0:
            raise GameError(f"steps must be a non-negative integer, got {plain(self.steps)}")
        if isinstance(self.judge, AttractorJudge) and not hasattr(self.fixed_points,
                                                                  "complete"):
            raise GameError("judging by attractor needs the rule's fixed points as an "
                            "EquilibriumSet (find_equilibria) in fixed_points")
        game = self.game
        if game.parameterization == "direct" and game.tau is not None and game.tau != 0:
            # the entropy gradient tau log p is unbounded at the boundary, where
            # projected steps jump from face to face: no meaningful basin map
            raise OptionsError(
                f"basins of the entropy-regularised game (tau = {game.tau}) need the logit or "
                "softmax parameterisation: under 'direct' the entropy gradient is infinite on "
                "the boundary of the simplex, so projected steps jump from face to face")

    @property
    def fixed_point_list(self) -> list:
        """The fixed points as a list of `Equilibrium` (empty when none are given)."""
        fp = self.fixed_points
        if fp is None:
            return []
        return list(fp.equilibria) if hasattr(fp, "equilibria") else list(fp)

    def to_json(self) -> dict:
        """The inputs that identify the run (game, rule, starts, steps, schedule)."""
        return {"game": self.game.name, "rule": self.rule.to_json(),
                "starts": self.starts.to_json(), "steps": int(self.steps),
                "schedule": self.schedule if isinstance(self.schedule, str)
                else type(self.schedule).__name__, "kernel": self.kernel}


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
    """

    problem: BasinProblem
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
        labels = self.labels if self.labels is not None else [None] * self.n
        return [{"start": [float(v) for v in a], "end": [float(v) for v in b],
                 "attractor": None if k is None else int(k)}
                for a, b, k in zip(self.starts, self.final, labels)]
