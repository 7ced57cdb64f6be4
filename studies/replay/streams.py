"""One random stream per run: the sampled estimators with a generator for every start.

The paper's authors seed every training run on its own (docs/replay.md,
"The authors' protocol"): run r owns a numpy ``Generator`` g_r (PCG64, what
``numpy.random.default_rng`` returns), and every update of run r draws its
batch from g_r alone. `RunStreams` is that gradient source: at points x,
shape (n, d), it draws row r's batch from g_r, in the order the authors
draw it, and forms cur, own and peer with the estimator lemma
(`eqselect.numerics.sources.estimators.components_from_samples`, the same
estimators as eqselect's shared-stream `SampledSource`).

Draw order, per update and run (a different order gives other numbers from
the same seed):

- Stag Hunt: one array of B x 2 uniforms, row b holding the two agents'
  draws of sample b; agent i cooperates when its uniform is < p_i;
- IPD (H = 12 rounds, discount 0.96): for every round t = 0..H-1, B
  uniforms for agent 1, then B for agent 2, each compared with the
  cooperation probability of the sample's current state.

Since each run consumes only its own stream, a run gives the same numbers
whichever other runs are stepped beside it.
"""

from __future__ import annotations

import numpy as np

from eqselect.numerics.sources.estimators import (
    components_from_samples, sample_2x2, sample_ipd)
from eqselect.numerics.sources.fields import Source
from eqselect.numerics.sources.markov import N_STATES

#: Stag Hunt's row payoff, index 0 = cooperate; the column player's is the transpose.
STAG_HUNT_PAYOFF = ((4.0, 0.0), (3.0, 2.0))


class _Drawn:
    """Uniforms drawn beforehand, handed out one ``random(shape)`` call after another.

    The samplers of `eqselect.numerics.sources.estimators` ask their
    generator for one array per call: (n, B, 2) for a one-shot game, one
    (n, B, 2) per round for the IPD. ``pieces`` holds those arrays in the
    order they are asked for, each row drawn from its run's own generator.
    """

    def __init__(self, pieces):
        self.pieces = list(pieces)
        self.next = 0

    def random(self, shape) -> np.ndarray:
        piece = self.pieces[self.next]
        if tuple(shape) != piece.shape:
            raise ValueError(f"drawn uniforms have shape {piece.shape}, asked for {tuple(shape)}")
        self.next += 1
        return piece


class RunStreams(Source):
    """The sampled estimates of (cur, own, peer), each run drawing from its own generator.

    Parameters
    ----------
    game : {"stag-hunt", "ipd"}
    batch : int
        Trajectories per update and run.
    generators : sequence of numpy.random.Generator
        One per run, in the order of the rows of the points stepped.
    eta : float
        Inner learning rate.

    Notes
    -----
    ``one_draw_per_step`` tells `eqselect.numerics.sources.fields.rule_field`
    to draw the terms once per update under an annealed lambda.

    Examples
    --------
    >>> gens = [np.random.default_rng(s) for s in (1, 2)]
    >>> src = RunStreams("stag-hunt", 8, gens, 0.55)
    >>> a = src.components(np.zeros((2, 2)))["cur"]
    >>> b = RunStreams("stag-hunt", 8, [np.random.default_rng(2)], 0.55).components(
    ...     np.zeros((1, 2)))["cur"]
    >>> bool(np.array_equal(a[1], b[0]))  # run 2 draws the same alone or beside run 1
    True
    """

    one_draw_per_step = True

    horizon, gamma = 12, 0.96

    def __init__(self, game: str, batch: int, generators, eta: float):
        if game not in ("stag-hunt", "ipd"):
            raise ValueError(f"RunStreams knows 'stag-hunt' and 'ipd', got {game!r}")
        self.game, self.batch, self.eta = game, int(batch), float(eta)
        self.generators = list(generators)
        self.dim = 2 if game == "stag-hunt" else 2 * N_STATES

    def components(self, x) -> dict:
        """Estimates at x, shape (n, d), n = the number of generators."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        if len(x) != len(self.generators):
            raise ValueError(f"{len(x)} points for {len(self.generators)} run streams")
        B = self.batch
        if self.game == "stag-hunt":
            drawn = _Drawn([np.stack([g.random((B, 2)) for g in self.generators])])
            samples = sample_2x2(x, STAG_HUNT_PAYOFF, B, drawn)
        else:
            # per run: round by round, B uniforms for agent 1 then B for agent 2,
            # which is one call of H * 2 * B uniforms read in that order
            u = np.stack([g.random(self.horizon * 2 * B) for g in self.generators])
            u = u.reshape(len(x), self.horizon, 2, B).transpose(1, 0, 3, 2)  # (H, n, B, 2)
            samples = sample_ipd(x, B, _Drawn(u), self.horizon, self.gamma)
        est = components_from_samples(samples, self.eta)
        return {"cur": est.cur, "own": est.own, "peer": est.peer}


def generators(seeds) -> list:
    """``numpy.random.default_rng(s)`` for every seed s, in order."""
    return [np.random.default_rng(int(s)) for s in seeds]
