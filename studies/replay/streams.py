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
- IPD: for every round t = 0..H-1, B uniforms for agent 1, then B for
  agent 2, each compared with the cooperation probability of the sample's
  current state.

Since each run consumes only its own stream, a run gives the same numbers
whichever other runs are stepped beside it.
"""

from __future__ import annotations

import numpy as np

from eqselect.numerics.sources.estimators import (
    Samples, components_from_samples, sample_2x2)
from eqselect.numerics.sources.fields import Source
from eqselect.numerics.sources.markov import IPD_PAYOFF, N_STATES

#: Stag Hunt's row payoff, index 0 = cooperate; the column player's is the transpose.
STAG_HUNT_PAYOFF = ((4.0, 0.0), (3.0, 2.0))


def sample_ipd_in_turn(theta, batch: int, rng: np.random.Generator, horizon: int = 12,
                       gamma: float = 0.96, payoff=IPD_PAYOFF) -> Samples:
    """B IPD episodes of one run, drawn agent by agent and round by round.

    In round t every episode is in a state s_t (s_0 = 0); agent 1 cooperates
    when its uniform is < x_1[s_t], then agent 2 likewise, and the state moves
    to 1 + 2 a_1 + a_2 (0 = C). Scores, their Hessian diagonal and the
    discounted returns are as in `eqselect.numerics.sources.estimators.sample_ipd`.

    Parameters
    ----------
    theta : ndarray, shape (10,)
        Agent 1's five logits, then agent 2's.
    batch, horizon : int
    rng : numpy.random.Generator
    gamma : float
    payoff : 2x2 nested sequence
        The row player's stage payoff (the column player's is the transpose).

    Returns
    -------
    Samples
        Leading axes (1, B).
    """
    x = 1.0 / (1.0 + np.exp(-np.asarray(theta, dtype=float).reshape(2, N_STATES)))
    pay = np.asarray(payoff, dtype=float)
    pay = np.stack([pay, pay.T])
    score = np.zeros((batch, 2, N_STATES))
    visits = np.zeros((batch, N_STATES))
    ret = np.zeros((batch, 2))
    state = np.zeros(batch, dtype=int)
    rows = np.arange(batch)
    for t in range(horizon):
        p = x[:, state]  # (2, B): each agent's cooperation probability in the sample's state
        coop = np.stack([rng.random(batch) < p[0], rng.random(batch) < p[1]], axis=1)
        score[rows, :, state] += coop - p.T
        visits[rows, state] += 1
        a = (~coop).astype(int)
        ret += gamma ** t * np.stack([pay[i][a[:, 0], a[:, 1]] for i in range(2)], axis=1)
        state = 1 + 2 * a[:, 0] + a[:, 1]
    hess = -visits[:, None, :] * (x * (1 - x))[None]
    return Samples(score[None], hess[None], ret[None])


class _Drawn:
    """Uniforms drawn beforehand, handed out as one ``random(shape)`` call.

    `sample_2x2` asks its generator for one array of shape (n, B, 2); rows
    drawn from n separate generators are served that way in one piece.
    """

    def __init__(self, uniforms: np.ndarray):
        self.uniforms = uniforms

    def random(self, shape) -> np.ndarray:
        if tuple(shape) != self.uniforms.shape:
            raise ValueError(f"drawn uniforms have shape {self.uniforms.shape}, "
                             f"asked for {tuple(shape)}")
        return self.uniforms


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
        if self.game == "stag-hunt":
            drawn = _Drawn(np.stack([g.random((self.batch, 2)) for g in self.generators]))
            samples = sample_2x2(x, STAG_HUNT_PAYOFF, self.batch, drawn)
        else:
            parts = [sample_ipd_in_turn(row, self.batch, g)
                     for row, g in zip(x, self.generators)]
            samples = Samples(*(np.concatenate(f, axis=0) for f in zip(*parts)))
        est = components_from_samples(samples, self.eta)
        return {"cur": est.cur, "own": est.own, "peer": est.peer}


def generators(seeds) -> list:
    """``numpy.random.default_rng(s)`` for every seed s, in order."""
    return [np.random.default_rng(int(s)) for s in seeds]
