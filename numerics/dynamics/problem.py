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
from eqselect.numerics.rule_argument import require_rule
from eqselect.numerics.dynamics.judges import AttractorJudge, SuccessJudge
from eqselect.numerics.dynamics.starts import GridStarts, SampledStarts
from eqselect.numerics.dynamics.plain import plain
from eqselect.numerics.dynamics.kernels.choice import KERNEL_CHOICES as KERNELS, PRECISIONS


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
    kernel : "auto", "numpy" or "numba"
        The stepping loop: vectorised numpy (the reference), a fused
        compiled kernel (`eqselect.numerics.dynamics.kernels`), or "auto"
        (the default): the faster of the two for this problem
        (`eqselect.numerics.dynamics.kernels.choice`). The map says which
        loop ran (`BasinMap.kernel`), and a note when the compiled kernel
        could not run and numpy ran instead.
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
    precision : "float64" or "float32"
        The compiled kernel's floating-point type. float32 steps 8 starts
        per vector instead of 4 and needs the compiled kernel; its notes
        count the starts whose outcome differs from a float64 run on a
        sample of the starts (`eqselect.numerics.dynamics.kernels.fused.
        float32_check`).
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
    kernel: str = "auto"
    per_start: bool = False
    source: object = None
    game: object = None
    precision: str = "float64"

    def __post_init__(self):
        require_rule(self.rule, "BasinProblem")
        if self.game is None:
            if self.dec is None:
                raise GameError("a basin problem needs a decomposition, or a gradient source "
                                "and its game")
            object.__setattr__(self, "game", self.dec.game)
        if self.dec is None and self.source is None:
            raise GameError("a basin problem without a decomposition needs a gradient source")
        if self.kernel not in KERNELS:
            raise GameError(f"unknown kernel {self.kernel!r}; valid: {', '.join(KERNELS)}")
        if self.precision not in PRECISIONS:
            raise GameError(f"unknown precision {self.precision!r}; valid: "
                            f"{', '.join(PRECISIONS)}")
        if self.precision != "float64" and (self.kernel == "numpy" or self.source is not None):
            raise GameError("float32 runs on the compiled kernel of a decomposition's field; "
                            f"got kernel={self.kernel!r}"
                            + (" with a gradient source" if self.source is not None else ""))
        if self.source is not None and self.kernel == "numba" and not hasattr(self.source,
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
                else type(self.schedule).__name__, "kernel": self.kernel,
                "precision": self.precision}


__all__ = ["KERNELS", "BasinProblem"]
