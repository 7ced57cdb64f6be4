"""Judging many-agent runs by consensus and by the share of agents at each action.

With hundreds of agents the attractors of a run are too many to list, but
what matters is the convention reached: an agent *plays* action a at an end
point when its probability of a is at least ``threshold``; a run reaches
*consensus on a* when every agent plays a, and is *mixed* otherwise. The
basin fraction is the share of starts reaching consensus on the preferred
action (for Stag Hunt on a graph, the payoff-dominant convention: everyone
hunts stag). The mean share of agents playing each action over the starts
is reported beside the outcome counts (docs/networks.md, "Basins").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eqselect.theory import GameError
from eqselect.numerics.dynamics.basin_map import FRACTION, BasinMap
from eqselect.numerics.dynamics.outcomes import wilson_interval
from eqselect.numerics.dynamics.plain import plain
from eqselect.numerics.dynamics.starts import SampledStarts, chunks, parameters_to_strategies

MIXED = "mixed"


def action_shares(game, x, threshold: float) -> np.ndarray:
    """Which action each agent plays at points x: shape (n, N), -1 where none
    reaches ``threshold`` (one-state games with the same m actions per agent)."""
    m = int(game.actions[0])
    out = np.empty((len(x), game.n_agents), dtype=np.int64)
    for part in chunks(len(x), 1 << 14):
        s = parameters_to_strategies(game, x[part]).reshape(-1, game.n_agents, m)
        best = s.argmax(axis=2)
        out[part] = np.where(s.max(axis=2) >= threshold, best, -1)
    return out


@dataclass(frozen=True)
class ConsensusJudge:
    """Judge each start by the convention its end point holds (module docstring).

    Attributes
    ----------
    preferred : int
        The action whose consensus counts as success (0: the first action,
        stag in Stag Hunt).
    threshold : float
        Probability at which an agent counts as playing an action (the
        paper's 0.82).
    """

    preferred: int = 0
    threshold: float = 0.82

    def __post_init__(self):
        if not 0.5 < self.threshold < 1:
            raise GameError(f"threshold must be in (0.5, 1), got {plain(self.threshold)}")
        if int(self.preferred) != self.preferred or self.preferred < 0:
            raise GameError(f"preferred is an action index, got {plain(self.preferred)}")

    def _check(self, game) -> int:
        if not game.actions or game.states != 1 or len(set(game.actions)) != 1:
            raise GameError(f"a consensus judge needs one-state agents with the same actions; "
                            f"{game.name!r} has actions {game.actions} in {game.states} states")
        m = int(game.actions[0])
        if self.preferred >= m:
            raise GameError(f"preferred action {self.preferred} is not one of {m}")
        return m

    def success(self, problem):
        """``success(x)``: every agent plays the preferred action."""
        game = problem.game
        self._check(game)

        def success(x):
            return np.all(action_shares(game, np.atleast_2d(x), self.threshold)
                          == self.preferred, axis=1)

        return success

    def settled(self, problem, field) -> None:
        return None

    def summarise(self, problem, run, progress=None) -> BasinMap:
        """The map: outcomes ``consensus <action>`` and ``mixed``, the fraction of
        consensus on the preferred action, and in ``settling`` the mean share of
        agents playing each action (``agent_shares``; ``none``: below the threshold)."""
        from eqselect.numerics.dynamics.attractors import Attractor

        game = problem.game
        m = self._check(game)
        plays = action_shares(game, run.final, self.threshold)
        names = [f"consensus {game.action_name(0, a)}" for a in range(m)]
        labels = np.full(len(plays), -1, dtype=np.int64)
        for a in range(m):
            labels[np.all(plays == a, axis=1)] = a
        n = len(plays)
        outcomes = {nm: int(np.sum(labels == a)) for a, nm in enumerate(names)}
        outcomes[MIXED] = int(np.sum(labels < 0))
        ok = labels == self.preferred
        k = int(ok.sum())
        shares = {nm: c / n for nm, c in outcomes.items()}
        agent = {game.action_name(0, a): float(np.mean(plays == a)) for a in range(m)}
        agent["none"] = float(np.mean(plays < 0))
        intervals = None
        if isinstance(problem.starts, SampledStarts):
            z = problem.starts.z
            intervals = {FRACTION: wilson_interval(k, n, z),
                         **{nm: wilson_interval(c, n, z) for nm, c in outcomes.items()}}
        hits = run.first_hit[ok & (run.first_hit >= 0)]
        attractors = tuple(Attractor(nm, "consensus", "stable", (), (), None) for nm in names)
        return BasinMap(problem, run.schedule, run.lam, run.starts_probability, run.starts,
                        run.final, ok, labels, attractors, run.first_hit, k / n, outcomes,
                        float(hits.mean()) if hits.size else None, tuple(run.notes),
                        shares=shares, intervals=intervals, settling={"agent_shares": agent},
                        preferred=names[self.preferred])
