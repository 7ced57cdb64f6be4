"""The paper's sampled likelihood-ratio estimators of cur, own and peer.

Estimator lemma (docs/theory.md, "Local geometry"). For B sampled trajectories tau with
score S_i = grad_{theta_i} log p(tau), its Hessian H_i and discounted return R_i:

- g_i    = mean(R_i S_i)                      (estimates cur_i = grad_i J_i)
- H_ii   = mean(R_i (S_i S_i^T + H_i))        (estimates Hess_{ii} J_i)
- C_ji   = mean(R_j S_j S_i^T)                (estimates D_ij = d g_j / d theta_i)
- own_i  = eta H_ii^T g_i
- peer_i = eta C_ji^T mean(R_i S_j)

g_i, H_ii and C_ji are unbiased; own_i and peer_i are products of estimates
from the same batch and carry an O(1/B) bias. ``split=True`` takes the two
factors from independent halves of the batch, which removes that bias.

Games: "2x2" (one-shot, sigmoid policies p_i = sigma(theta_i), theta of
shape (n, 2)) and "ipd" (memory-one tabular sigmoid policies over five
states, H-step episodes, theta of shape (n, 10)). All sampling is vectorised
over points and batch and driven by a seeded ``numpy.random.Generator``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from eqselect.theory import GameError
from eqselect.numerics.sources.markov import IPD_PAYOFF, N_STATES
from eqselect.numerics.sources.fields import Source

#: Stag Hunt row payoff [[4, 0], [3, 2]], index 0 = cooperate (docs/replay.md).
STAG_HUNT = ((4, 0), (3, 2))
GAME_KINDS = ("2x2", "ipd")


class SampledComponents(NamedTuple):
    """Estimates at n points, each shape (n, d): d = 2 (2x2) or 10 (IPD).

    ``cur_se`` is the within-batch standard error of ``cur`` (sample standard
    deviation of R_i S_i over the batch divided by sqrt(B)).
    """

    cur: np.ndarray
    own: np.ndarray
    peer: np.ndarray
    cur_se: np.ndarray


class Samples(NamedTuple):
    """Per-trajectory quantities, leading axes (n, B) for n points and batch B.

    Attributes
    ----------
    score : ndarray, shape (n, B, 2, m)
        S_i, the score of agent i in its m parameters.
    score_hess : ndarray, shape (n, B, 2, m)
        The diagonal of H_i (log p is a sum over parameters of separate terms
        for sigmoid tabular policies, so H_i is diagonal).
    ret : ndarray, shape (n, B, 2)
        R_i, the (discounted) return.
    """

    score: np.ndarray
    score_hess: np.ndarray
    ret: np.ndarray


def _sigmoid(t):
    return 0.5 * (1.0 + np.tanh(0.5 * t))


def _rng(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        if rng is None:
            raise GameError("the estimators need a seed or a numpy Generator, got None")
        return np.random.default_rng(int(rng))
    raise GameError(f"rng must be an int seed or numpy.random.Generator, got {rng!r}")


def _payoffs(payoffs) -> np.ndarray:
    """(2, 2, 2) array: payoffs[i][a1, a2]; a single 2x2 row matrix means column = transpose."""
    arr = np.asarray(payoffs, dtype=float)
    if arr.shape == (2, 2):
        arr = np.stack([arr, arr.T])
    if arr.shape != (2, 2, 2):
        raise GameError(f"2x2 payoffs need shape (2, 2) (row, column = transpose) or "
                        f"(2, 2, 2); got {arr.shape}")
    return arr


def sample_2x2(theta, payoffs, batch: int, rng) -> Samples:
    """Sample B joint actions of a one-shot 2x2 game with sigmoid policies.

    a_i = C (index 0) with probability p_i = sigma(theta_i); then
    S_i = 1[a_i = C] - p_i, H_i = -p_i (1 - p_i), R_i = payoffs[i][a_1, a_2].

    Parameters
    ----------
    theta : ndarray, shape (n, 2)
    payoffs : array_like, shape (2, 2) or (2, 2, 2)
    batch : int
    rng : numpy.random.Generator

    Returns
    -------
    Samples
        With m = 1 parameter per agent.
    """
    p = _sigmoid(theta)  # (n, 2)
    coop = rng.random((theta.shape[0], batch, 2)) < p[:, None, :]
    a = (~coop).astype(int)  # 0 = cooperate
    score = (coop - p[:, None, :])[..., None]
    hess = np.broadcast_to(-(p * (1 - p))[:, None, :, None], score.shape)
    pay = _payoffs(payoffs)
    ret = np.stack([pay[i][a[..., 0], a[..., 1]] for i in range(2)], axis=-1)
    return Samples(score, hess, ret)


def sample_ipd(theta, batch: int, rng, horizon: int = 12, gamma: float = 0.96,
               payoff=IPD_PAYOFF) -> Samples:
    """Sample B H-step IPD episodes from memory-one sigmoid policies.

    The state starts at 0; in state s agent i cooperates with probability
    x_i[s] = sigma(theta_i[s]); the outcome (a_1, a_2) pays r_i and moves to
    state 1 + 2 a_1 + a_2. The score and its (diagonal) Hessian are sums over
    the visited states: S_i[s] = sum_t 1[s_t = s] (1[a_i,t = C] - x_i[s]),
    H_i[s, s] = -sum_t 1[s_t = s] x_i[s] (1 - x_i[s]); R_i = sum_t gamma^t r_i(a_t).

    Parameters
    ----------
    theta : ndarray, shape (n, 10)
    batch, horizon : int
    gamma : float
    rng : numpy.random.Generator
    payoff : 2x2 nested sequence
        Row player's payoff; the column player's is the transpose.

    Returns
    -------
    Samples
        With m = 5 parameters (states) per agent.
    """
    n = theta.shape[0]
    x = _sigmoid(theta.reshape(n, 2, N_STATES))  # (n, 2, 5)
    pay = _payoffs(payoff)
    score = np.zeros((n, batch, 2, N_STATES))
    visits = np.zeros((n, batch, N_STATES))
    ret = np.zeros((n, batch, 2))
    state = np.zeros((n, batch), dtype=int)
    rows = np.arange(n)[:, None]
    for t in range(horizon):
        xs = np.stack([x[rows, 0, state], x[rows, 1, state]], axis=-1)  # (n, B, 2)
        coop = rng.random((n, batch, 2)) < xs
        onehot = state[..., None] == np.arange(N_STATES)  # (n, B, 5)
        score += (coop - xs)[..., None] * onehot[:, :, None, :]
        visits += onehot
        a = (~coop).astype(int)
        ret += gamma ** t * np.stack([pay[i][a[..., 0], a[..., 1]] for i in range(2)], -1)
        state = 1 + 2 * a[..., 0] + a[..., 1]
    hess = -visits[:, :, None, :] * (x * (1 - x))[:, None]
    return Samples(score, hess, ret)


def components_from_samples(samples: Samples, eta: float, split: bool = False) -> SampledComponents:
    """cur, own and peer estimates from sampled trajectories (estimator lemma).

    Parameters
    ----------
    samples : Samples
    eta : float
        Inner learning rate.
    split : bool
        If True the two factors of own and peer come from independent halves
        of the batch (unbiased); otherwise both from the whole batch (the
        paper's estimator, O(1/B) bias).

    Returns
    -------
    SampledComponents
        Shapes (n, 2 m), agent 1's parameters first.
    """
    S, Hd, R = samples
    B = S.shape[1]
    RS = R[..., None] * S  # (n, B, 2, m): R_i S_i
    cur = RS.mean(axis=1)
    cur_se = RS.std(axis=1, ddof=1) / np.sqrt(B) if B > 1 else np.full_like(cur, np.nan)
    first, second = (slice(0, B // 2), slice(B // 2, B)) if split else (slice(None),) * 2
    g = RS[:, second].mean(axis=1)
    own, peer = [], []
    for i in range(2):
        j = 1 - i
        Si, Sj, Ri, Rj = S[:, first, i], S[:, first, j], R[:, first, i], R[:, first, j]
        nb = Si.shape[1]
        # H_ii = mean(R_i (S_i S_i^T + H_i)), symmetric
        Hii = np.matmul(np.swapaxes(Ri[..., None] * Si, 1, 2), Si) / nb
        np.einsum("nkk->nk", Hii)[...] += (Ri[..., None] * Hd[:, first, i]).mean(axis=1)
        # C_ji = mean(R_j S_j S_i^T), shape (n, m_j, m_i)
        Cji = np.matmul(np.swapaxes(Rj[..., None] * Sj, 1, 2), Si) / nb
        cross = (R[:, second, i, None] * S[:, second, j]).mean(axis=1)  # mean(R_i S_j)
        own.append(eta * np.einsum("nkl,nk->nl", Hii, g[:, i]))
        peer.append(eta * np.einsum("nkl,nk->nl", Cji, cross))
    flat = S.shape[0], -1
    return SampledComponents(cur.reshape(flat), np.stack(own, 1).reshape(flat),
                             np.stack(peer, 1).reshape(flat), cur_se.reshape(flat))


@dataclass(frozen=True)
class Episode:
    """An IPD episode of the sampled estimators: its length and discount.

    Attributes
    ----------
    horizon : int
        Rounds per episode, >= 1.
    gamma : float
        Discount, in (0, 1].
    """

    horizon: int = 12
    gamma: float = 0.96

    def __post_init__(self):
        if isinstance(self.horizon, bool) or int(self.horizon) != self.horizon or \
                self.horizon < 1:
            raise GameError(f"horizon must be an integer >= 1, got {self.horizon!r}")
        if not 0 < self.gamma <= 1:
            raise GameError(f"gamma must be in (0, 1], got {self.gamma!r}")


def sample_components(game_kind: str, theta, eta=None, batch: int = 192, rng=0,
                      payoffs=None, episode: Episode = Episode(),
                      split: bool = False) -> SampledComponents:
    """Likelihood-ratio estimates of cur, own and peer at many points.

    Parameters
    ----------
    game_kind : {"2x2", "ipd"}
    theta : array_like, shape (n, 2) for "2x2", (n, 10) for "ipd" (or one point)
        Logits (sigmoid policies).
    eta : float, optional
        Inner learning rate (default: the paper's).
    batch : int
        Trajectories per point, B >= 2.
    rng : int or numpy.random.Generator
        Seed or generator (deterministic: same seed, same estimates).
    payoffs : array_like or None
        "2x2": row payoff (2, 2) (column = transpose) or both (2, 2, 2),
        default Stag Hunt [[4, 0], [3, 2]]; "ipd": the row player's stage
        payoff, default the paper's [[3, 0], [5, 1]].
    episode : Episode
        IPD episode length and discount.
    split : bool
        See :func:`components_from_samples`.

    Returns
    -------
    SampledComponents
        ``cur``, ``own``, ``peer`` (same shapes as the exact components) and ``cur_se``.

    Examples
    --------
    >>> est = sample_components("2x2", np.zeros((4, 2)), batch=64, rng=1)
    >>> est.cur.shape, est.peer.shape
    ((4, 2), (4, 2))
    """
    if game_kind not in GAME_KINDS:
        raise GameError(f"unknown game kind {game_kind!r}; valid: {', '.join(GAME_KINDS)}")
    if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or batch < 2:
        raise GameError(f"batch must be an integer >= 2, got {batch!r}")
    dim = 2 if game_kind == "2x2" else 2 * N_STATES
    pts = np.atleast_2d(np.asarray(theta, dtype=float))
    if pts.ndim != 2 or pts.shape[1] != dim:
        raise GameError(f"{game_kind} points need {dim} coordinates; got shape {np.shape(theta)}")
    gen = _rng(rng)
    if eta is None:
        from eqselect.theory import PAPER

        eta = float(PAPER.eta)
    if game_kind == "2x2":
        samples = sample_2x2(pts, STAG_HUNT if payoffs is None else payoffs, int(batch), gen)
    else:
        pay = IPD_PAYOFF if payoffs is None else payoffs
        samples = sample_ipd(pts, int(batch), gen, int(episode.horizon), episode.gamma, pay)
    return components_from_samples(samples, eta, split)


def estimator_variance_trace(theta, batch: int, n_rep: int = 200, seed: int = 0,
                             game_kind: str = "2x2", payoffs=None, horizon: int = 12,
                             gamma: float = 0.96) -> float:
    """tr Cov(cur estimate) over n_rep independent batches at one point.

    The paper's estimator check reports 0.1272 at batch 48 falling to 0.0062
    at batch 768 for its setting; for an unbiased mean of B i.i.d. terms the
    trace falls as 1/B.

    Parameters
    ----------
    theta : array_like, shape (2,) or (10,)
        One point.
    batch, n_rep : int
    seed : int
    game_kind, payoffs, horizon, gamma
        As in :func:`sample_components`.

    Returns
    -------
    float

    Examples
    --------
    >>> t48 = estimator_variance_trace([0.0, 0.0], 48, n_rep=400, seed=0)
    >>> t768 = estimator_variance_trace([0.0, 0.0], 768, n_rep=400, seed=0)
    >>> 8 < t48 / t768 < 32
    True
    """
    if isinstance(n_rep, bool) or not isinstance(n_rep, (int, np.integer)) or n_rep < 2:
        raise GameError(f"n_rep must be an integer >= 2, got {n_rep!r}")
    point = np.asarray(theta, dtype=float).reshape(1, -1)
    reps = np.repeat(point, n_rep, axis=0)  # each row an independent batch
    est = sample_components(game_kind, reps, batch=batch, rng=seed, payoffs=payoffs,
                            episode=Episode(horizon, gamma)).cur
    return float(np.trace(np.atleast_2d(np.cov(est, rowvar=False))))


class SampledSource(Source):
    """The paper's likelihood-ratio estimates of cur, own, peer, as a `GradientSource`.

    Every call to ``components`` draws fresh trajectories from one seeded
    generator, so a run is reproducible from its seed. There is no
    look-ahead estimate: rules that use it are refused by
    `eqselect.numerics.sources.fields.rule_field`.

    Parameters
    ----------
    game_kind : {"2x2", "ipd"}
    batch : int
    rng : int or numpy.random.Generator
    eta : number, optional
        Inner learning rate (default: the paper's).
    payoffs, horizon, gamma, split
        As in :func:`sample_components`.

    Examples
    --------
    >>> src = SampledSource("2x2", batch=16, rng=0)
    >>> sorted(src.components(np.zeros((3, 2))))
    ['cur', 'own', 'peer']
    """

    def __init__(self, game_kind: str, batch: int, rng, eta=None, payoffs=None,
                 horizon: int = 12, gamma: float = 0.96, split: bool = False):
        from eqselect.theory import PAPER

        self.game_kind, self.batch, self.rng = game_kind, batch, _rng(rng)
        self.eta = float(PAPER.eta) if eta is None else eta
        self.payoffs, self.horizon, self.gamma, self.split = payoffs, horizon, gamma, split
        self.dim = 2 if game_kind == "2x2" else 2 * N_STATES

    def components(self, x) -> dict:
        """Estimates of cur, own, peer at points x, shape (n, d) each."""
        est = sample_components(self.game_kind, x, self.eta, self.batch, self.rng,
                                self.payoffs, Episode(self.horizon, self.gamma), self.split)
        return {"cur": est.cur, "own": est.own, "peer": est.peer}
