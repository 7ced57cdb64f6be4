"""Which equilibrium a learner reaches from one start, under each method.

For a start phi_0 (given in the probability coordinates of the basin maps)
and each rule, the run of the paper's schedule is the basin engine's
(`eqselect.numerics.dynamics.basins.run_basins` on one given start):

1. the rule's fixed points name the attractors
   (`eqselect.numerics.fixed_points.find.find_equilibria`, with the pure
   profiles at infinity), and the run's end point is classified against them
   (`AttractorJudge`: an attractor, "still moving" or "cycle");
2. the trajectory is the run's state after k = 0, ..., K steps, read at
   `MAX_CHECKPOINTS` evenly spaced k (each a run of the engine from phi_0);
3. the number of steps is the first k from which every later checkpoint
   lies within `SETTLE_TOL` (max-norm on the strategies) of the attractor
   reached; None when the run reaches none.

Every `Selection` says what it was computed from (rule, steps, start).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from eqselect.theory import PAPER
from eqselect.theory.errors import OptionsError
from eqselect.theory.rules import Rule

#: Checkpoints of a trajectory (the run is repeated from the start for each).
MAX_CHECKPOINTS = 48
#: Distance (max-norm on strategies) within which a run has reached its attractor.
SETTLE_TOL = 0.05


@dataclass(frozen=True)
class Selection:
    """The outcome one rule reaches from one start.

    Attributes
    ----------
    method : str
    rule : Rule
    start : tuple of float
        The start in probability coordinates.
    outcome : str
        The attractor's name (its pure profile by action names, or its
        point), "still moving" or "cycle".
    steps : int or None
        First step from which the run stays within `SETTLE_TOL` of the
        outcome; None when the outcome is no attractor.
    checkpoints : ndarray of int, shape (n,)
        The steps k at which the trajectory is read.
    trajectory : ndarray, shape (n, d)
        The run in probability coordinates at those steps.
    notes : tuple of str
    """

    method: str
    rule: Rule
    start: tuple
    outcome: str
    steps: int | None
    checkpoints: np.ndarray = field(repr=False)
    trajectory: np.ndarray = field(repr=False)
    notes: tuple = ()

    def to_json(self) -> dict:
        return {"method": self.method, "lam": str(self.rule.lam),
                "own": str(self.rule.own_coef), "start": list(self.start),
                "outcome": self.outcome, "steps": self.steps,
                "trajectory": {"steps": self.checkpoints.tolist(),
                               "points": self.trajectory.round(6).tolist()},
                "notes": list(self.notes)}


def start_parameters(game, start) -> np.ndarray:
    """The parameters of a start given in probability coordinates, shape (1, d)."""
    from eqselect.numerics.dynamics.starts import probability_to_parameters

    p = np.array(start, dtype=float, ndmin=2)
    d = len(game.parameters)
    if p.shape[1] != d:
        raise OptionsError(f"--start has {p.shape[1]} coordinates; game {game.name!r} has {d} "
                           "(one probability per parameter, as the basin maps use)")
    if not np.all((p > 0) & (p < 1)):
        raise OptionsError("--start: every coordinate is a probability strictly between 0 "
                           "and 1")
    return probability_to_parameters(game, p)


def select(dec, rule: Rule, start, steps: int = PAPER.steps, found=None) -> Selection:
    """The outcome ``rule`` reaches from ``start`` (see the module docstring).

    Parameters
    ----------
    dec : Decomposition
        At numeric payoffs and eta.
    rule : Rule
    start : sequence of float
        Probability coordinates, one per parameter.
    steps : int
        Updates of the paper's schedule.
    found : EquilibriumSet, optional
        The rule's fixed points (searched when not given).

    Examples
    --------
    >>> from eqselect.theory import Decomposition, builtin
    >>> dec = Decomposition(builtin("stag-hunt"), eta=0.55)
    >>> s = select(dec, Rule("meta-mapg", 1.5, 0.35), (0.6, 0.5))
    >>> s.outcome, s.steps is not None
    ('(C, C)', True)
    """
    from eqselect.numerics.dynamics.basins import run_basins
    from eqselect.numerics.dynamics.classify import CYCLE_WINDOW
    from eqselect.numerics.dynamics.judges import AttractorJudge, SuccessJudge
    from eqselect.numerics.dynamics.problem import BasinProblem
    from eqselect.numerics.dynamics.starts import GivenStarts, parameters_to_probability
    from eqselect.numerics.fixed_points.find import find_equilibria

    x0 = GivenStarts(start_parameters(dec.game, start))
    if found is None:
        found = find_equilibria(dec, rule)
    judge = AttractorJudge(preferred=None, predicate=False, window=CYCLE_WINDOW)
    bm = run_basins(BasinProblem(dec, rule, x0, steps, judge=judge, fixed_points=found))
    outcome = next(name for name, n in bm.outcomes.items() if n)
    ks = np.unique(np.linspace(0, steps, min(steps + 1, MAX_CHECKPOINTS)).round().astype(int))
    finals = np.vstack([run_basins(BasinProblem(dec, rule, x0, int(k), judge=SuccessJudge()))
                        .final for k in ks])
    target = next((a for a in bm.attractors if a.name == outcome), None)
    settled = _settle_step(dec.game, ks, finals, target)
    incomplete = ("the fixed-point list is not proven complete: an attractor it misses "
                  "shows up as 'still moving'")
    notes = tuple(bm.notes) + (() if found.complete or incomplete in bm.notes
                               else (incomplete,))
    return Selection(rule.method.value, rule, tuple(float(v) for v in np.ravel(start)),
                     outcome, settled, ks, parameters_to_probability(dec.game, finals), notes)


def _settle_step(game, ks, finals, target) -> int | None:
    """First checkpoint from which every later one lies within SETTLE_TOL of the target."""
    from eqselect.numerics.dynamics.starts import parameters_to_strategies

    if target is None:
        return None
    have = parameters_to_strategies(game, finals).reshape(len(ks), -1)
    if target.vertices:  # a continuum: the distance to its hull, not to its listed point
        from eqselect.numerics.dynamics.hull import hull_distance

        near = hull_distance(have, target.vertices) <= SETTLE_TOL
    else:
        want = np.concatenate([np.ravel(s) for s in target.strategies]).astype(float)
        near = np.max(np.abs(have - want), axis=1) <= SETTLE_TOL
    if not near[-1]:
        return None
    far = np.flatnonzero(~near)
    return int(ks[0] if far.size == 0 else ks[far[-1] + 1])
