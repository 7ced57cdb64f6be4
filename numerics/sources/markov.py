"""Exact values, gradients and Hessians of the memory-one IPD by dynamic programming.

The closed form of the finite-horizon IPD (:func:`eqselect.theory.games.ipd`) grows
too fast past H = 4; the same numbers come from propagating the outcome
distribution and its first and second parameter derivatives forward in time
(forward-mode differentiation of the Markov chain), vectorised over many
parameter points at once.

Model (docs/replay.md): five states, the start state 0 and then the
previous outcome, state = 1 + 2 a_1 + a_2 with action 0 = cooperate. Agent i
cooperates in state s with probability x_i[s] (x = sigmoid(theta) for the logit
parameterisation, x = p for the direct one). The parameters are ordered
phi = (phi_1[0..4], phi_2[0..4]) as in ``ipd(...).parameters``.

With Q[s, a] = P(outcome a | state s) (row 0 = q0, rows 1..4 = P),
w_t = distribution of the outcome of round t, r_i[a] agent i's payoff:

1. w_0 = q0,  w_{t+1} = w_t P;
2. dw_{t+1}[k] = dw_t[k] P + w_t dP[k];
3. d2w_{t+1}[k, l] = d2w_t[k, l] P + dw_t[k] dP[l] + dw_t[l] dP[k] + w_t d2P[k, l];
4. J_i = sum_{t<H} gamma^t w_t r_i (and the same sums for grad, Hess).

For the discounted infinite horizon the discounted occupancy S = sum_t gamma^t w_t
solves S (I - gamma P) = q0, and differentiating gives the same source terms:
dS (I - gamma P) = dq0 + gamma S dP, d2S (I - gamma P) = d2q0 + gamma (dS dP + dS dP + S d2P).

dP[k] for k = (i, s) is non-zero only in row s - 1 (s >= 1) and d2P[k, l] only
when both parameters belong to the same state, which the propagation exploits.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable, NamedTuple

import mpmath
import numpy as np

from eqselect.theory import PAPER, GameError, Rule
from eqselect.theory.games.ipd import IPD_PAYOFF, N_STATES
from eqselect.numerics.sources.arithmetic import (  # noqa: F401  (re-exported)
    ARITHMETICS, N_PARAMS, _payoff_vectors, _points, _scalar, _solve_right)
from eqselect.numerics.sources.fields import Source, rule_field

PARAMETERIZATIONS = ("logit", "direct")
#: Points per block of the propagation (the working set stays in cache).
CHUNK = 512


class IPDComponents(NamedTuple):
    """The decomposition terms of the IPD at many points, each shape (n, 10)."""

    cur: np.ndarray
    own: np.ndarray
    peer: np.ndarray
    lookahead: np.ndarray


def cooperation_probabilities(theta: np.ndarray, parameterization: str = "logit"):
    """x = pi(C | s) and its first two derivatives in the agent's own parameter.

    Parameters
    ----------
    theta : ndarray, shape (n, 10)
    parameterization : {"logit", "direct"}
        logit: x = sigma(theta), x' = x (1 - x), x'' = x' (1 - 2 x);
        direct: x = theta, x' = 1, x'' = 0.

    Returns
    -------
    x, dx, ddx : ndarray, shape (n, 2, 5) each (agent, state)

    Examples
    --------
    >>> x, dx, ddx = cooperation_probabilities(np.zeros((1, 10)))
    >>> float(x[0, 0, 0]), float(dx[0, 0, 0]), float(ddx[0, 0, 0])
    (0.5, 0.25, 0.0)
    """
    t = theta.reshape(theta.shape[0], 2, N_STATES)
    if parameterization == "direct":
        one = np.ones_like(t)
        return t, one, one * 0
    if parameterization != "logit":
        raise GameError(f"unknown parameterization {parameterization!r}; "
                        f"valid: {', '.join(PARAMETERIZATIONS)}")
    if t.dtype == object:
        if any(isinstance(v, Fraction) for v in t.flat):
            raise GameError("the logit parameterization is not rational: use "
                            "arithmetic='mpmath' (or 'float'), or parameterization='direct'")
        x = np.vectorize(lambda v: 1 / (1 + mpmath.exp(-v)), otypes=[object])(t)
    else:
        x = 0.5 * (1.0 + np.tanh(0.5 * t))  # sigma(t) without overflow
    dx = x * (1 - x)
    return x, dx, dx * (1 - 2 * x)


# -- the outcome kernel and its derivatives -----------------------------------
def outcome_kernel(x, dx, ddx):
    """Q[s, a] = P(outcome a | state s) and its derivatives, per state.

    Parameters
    ----------
    x, dx, ddx : ndarray, shape (n, 2, 5)
        From :func:`cooperation_probabilities`.

    Returns
    -------
    Q : ndarray, shape (n, 5, 4)
        Q[:, 0] = q0, Q[:, 1:] = P.
    dQ : ndarray, shape (n, 5, 2, 4)
        dQ[:, s, i] = d Q[:, s] / d phi_i[s] (no other parameter moves row s).
    d2Q : ndarray, shape (n, 5, 2, 2, 4)
        d2Q[:, s, i, j] = d^2 Q[:, s] / (d phi_i[s] d phi_j[s]).
    """
    x1, x2 = x[:, 0], x[:, 1]
    y1, y2 = 1 - x1, 1 - x2
    Q = np.stack([x1 * x2, x1 * y2, y1 * x2, y1 * y2], axis=-1)
    dq_dx1 = np.stack([x2, y2, -x2, -y2], axis=-1)  # dQ/dx1, shape (n, 5, 4)
    dq_dx2 = np.stack([x1, -x1, y1, -y1], axis=-1)
    d1, d2 = dx[:, 0, :, None], dx[:, 1, :, None]
    dd1, dd2 = ddx[:, 0, :, None], ddx[:, 1, :, None]
    dQ = np.stack([d1 * dq_dx1, d2 * dq_dx2], axis=2)
    mixed = d1 * d2 * np.array([1, -1, -1, 1], dtype=Q.dtype)  # x1' x2' d2Q/dx1dx2
    d2Q = np.stack([np.stack([dd1 * dq_dx1, mixed], axis=2),
                    np.stack([mixed, dd2 * dq_dx2], axis=2)], axis=2)
    return Q, dQ, d2Q


def _zeros(shape, dtype):
    if dtype == object:
        return np.full(shape, 0, dtype=object)
    return np.zeros(shape, dtype=dtype)


def _initial(Q, dQ, d2Q):
    """w_0 = q0 and its derivatives, shapes (n, 4), (n, 10, 4), (n, 10, 10, 4)."""
    n, dt = Q.shape[0], Q.dtype
    dw = _zeros((n, 2, N_STATES, 4), dt)
    dw[:, :, 0] = dQ[:, 0]
    d2w = _zeros((n, 2, N_STATES, 2, N_STATES, 4), dt)
    d2w[:, :, 0, :, 0] = d2Q[:, 0]
    return Q[:, 0], dw.reshape(n, N_PARAMS, 4), d2w.reshape(n, N_PARAMS, N_PARAMS, 4)


def _first_source(w, dQ):
    """T1[k] = w dP[k], shape (n, 10, 4): for k = (i, s), s >= 1, w[s-1] dQ[s, i]."""
    n = w.shape[0]
    out = _zeros((n, 2, N_STATES, 4), dQ.dtype)
    out[:, :, 1:] = np.swapaxes(w[:, :, None, None] * dQ[:, 1:], 1, 2)
    return out.reshape(n, N_PARAMS, 4)


def _second_source(w, dw, dQ, d2Q):
    """T2[k, l] = dw[k] dP[l] + dw[l] dP[k] + w d2P[k, l], shape (n, 10, 10, 4)."""
    zero = _zeros((w.shape[0], N_PARAMS, N_PARAMS, 4), dQ.dtype)
    half = _half_second_source(w, dw, dQ, d2Q, zero)
    return half + np.swapaxes(half, 1, 2)


def _half_second_source(w, dw, dQ, d2Q, E):
    """Add the half source dw[k] dP[l] + w d2P[k, l] / 2 to E (n, 10, 10, 4) in place.

    The full source T2 is this half plus its transpose in (k, l); since the
    right product with P acts on the outcome axis only, propagating the halves
    and symmetrising once at the end gives the same d2w without a transpose
    per step.
    """
    n = w.shape[0]
    view = E.reshape(n, N_PARAMS, 2, N_STATES, 4)
    dQs = np.swapaxes(dQ[:, 1:], 1, 2)  # (n, 2, 4 states s >= 1, 4)
    # dw[k] dP[l], l = (j, s'): dw[k, s'-1] dQ[s', j]
    view[:, :, :, 1:] += dw[:, :, None, :, None] * dQs[:, None]
    # w d2P[k, l] only for k = (i, s), l = (j, s), s >= 1: a writable diagonal view
    diag = np.einsum("nisjsb->nijsb", E.reshape(n, 2, N_STATES, 2, N_STATES, 4))
    diag[:, :, :, 1:] += w[:, None, None, :, None] * np.moveaxis(d2Q[:, 1:], 1, 3) / 2
    return E


def _right(a, P):
    """a P over the outcome axis: a shape (n, ..., 4), P shape (n, 4, 4)."""
    m = int(np.prod(a.shape[1:-1]))
    return np.matmul(a.reshape(a.shape[0], m, 4), P).reshape(a.shape)


def _finite_occupancy(Q, dQ, d2Q, horizon: int, gamma):
    """S = sum_{t<H} gamma^t w_t and its first and second derivatives.

    The second derivative is carried as a half E with d2w_t = E_t + E_t^T
    (see :func:`_half_second_source`).
    """
    P = Q[:, 1:]
    w, dw, d2w = _initial(Q, dQ, d2Q)
    E = d2w / 2
    S, dS, d2S = w, dw, E.copy()
    disc = gamma
    for _ in range(1, horizon):
        E = _half_second_source(w, dw, dQ, d2Q, _right(E, P))
        dw = _right(dw, P) + _first_source(w, dQ)
        w = _right(w, P)
        S, dS = S + disc * w, dS + disc * dw
        d2S += disc * E
        disc = disc * gamma
    return S, dS, d2S + np.swapaxes(d2S, 1, 2)


def _discounted_occupancy(Q, dQ, d2Q, gamma):
    """S = sum_{t>=0} gamma^t w_t and derivatives, from S (I - gamma P) = q0."""
    P = Q[:, 1:]
    A = np.eye(4, dtype=int)[None] - gamma * P
    w0, dw0, d2w0 = _initial(Q, dQ, d2Q)
    S = _solve_right(w0, A)
    dS = _solve_right(dw0 + gamma * _first_source(S, dQ), A)
    d2S = _solve_right(d2w0 + gamma * _second_source(S, dS, dQ, d2Q), A)
    return S, dS, d2S


# -- public API ---------------------------------------------------------------
def ipd_value_grad_hess(theta, horizon: int | None = 12, gamma=0.96, payoff=IPD_PAYOFF,
                        parameterization: str = "logit", arithmetic: str = "float"):
    """J_i, grad J_i and Hess J_i of the memory-one IPD at many points.

    Exact dynamic programming (see the module docstring for the recursions);
    no closed form is built, so any horizon works.

    Parameters
    ----------
    theta : array_like, shape (n, 10) or (10,)
        Points (theta1_0..theta1_4, theta2_0..theta2_4), logits or
        cooperation probabilities according to ``parameterization``.
    horizon : int or None
        Number of rounds H >= 1; None for the discounted infinite horizon.
    gamma : number
        Discount factor in (0, 1] ((0, 1) for the infinite horizon).
    payoff : 2x2 nested sequence
        Row player's payoffs (index 0 = cooperate); the column player's are the transpose.
    parameterization : {"logit", "direct"}
    arithmetic : {"float", "mpmath", "fraction"}
        "mpmath" computes in mpmath's working precision; "fraction" is exact
        rational arithmetic (direct parameterisation and rational inputs only).

    Returns
    -------
    J : ndarray, shape (n, 2)
    grad : ndarray, shape (n, 2, 10)
        grad[:, i, k] = d J_i / d phi_k (all ten parameters).
    hess : ndarray, shape (n, 2, 10, 10)
        hess[:, i, k, l] = d^2 J_i / (d phi_k d phi_l).
    Object arrays (of mpf or Fraction) unless arithmetic is "float".

    Raises
    ------
    GameError
        For a bad horizon, discount, payoff shape, point shape or parameterisation.

    Examples
    --------
    Always cooperating earns 3 per round: J = 3 (1 - gamma^H) / (1 - gamma).

    >>> J, g, h = ipd_value_grad_hess(np.full(10, 30.0), horizon=12, gamma=0.96)
    >>> round(float(J[0, 0]), 6) == round(3 * (1 - 0.96 ** 12) / 0.04, 6)
    True
    >>> g.shape, h.shape
    ((1, 2, 10), (1, 2, 10, 10))
    """
    pts = _points(theta, arithmetic)
    gamma = _check_horizon_gamma(horizon, gamma, arithmetic)
    if parameterization not in PARAMETERIZATIONS:
        raise GameError(f"unknown parameterization {parameterization!r}; "
                        f"valid: {', '.join(PARAMETERIZATIONS)}")
    r = _payoff_vectors(payoff, arithmetic)
    # blocks of points keep the (n, 10, 10, 4) working arrays in cache
    blocks = [_block(pts[i:i + CHUNK], horizon, gamma, r, parameterization)
              for i in range(0, max(len(pts), 1), CHUNK)]
    return tuple(np.concatenate(parts) for parts in zip(*blocks))


def _block(pts, horizon, gamma, r, parameterization):
    """J, grad, Hess for one block of points (see :func:`ipd_value_grad_hess`)."""
    x, dx, ddx = cooperation_probabilities(pts, parameterization)
    Q, dQ, d2Q = outcome_kernel(x, dx, ddx)
    if horizon is None:
        S, dS, d2S = _discounted_occupancy(Q, dQ, d2Q, gamma)
    else:
        S, dS, d2S = _finite_occupancy(Q, dQ, d2Q, horizon, gamma)
    return S @ r, np.swapaxes(dS @ r, 1, 2), np.moveaxis(d2S @ r, 3, 1)


def _check_horizon_gamma(horizon, gamma, arithmetic):
    if horizon is not None and (isinstance(horizon, bool) or not isinstance(horizon, int)
                                or horizon < 1):
        raise GameError(f"horizon must be a positive integer or None, got {horizon!r}")
    g = float(gamma)
    if not (0 < g <= 1) or (horizon is None and g == 1):
        raise GameError(f"discount gamma must lie in (0, 1) (or (0, 1] with a horizon), "
                        f"got {gamma}")
    return _scalar(gamma, arithmetic)


def components_from_derivatives(grad, hess, eta) -> IPDComponents:
    """cur, own, peer and look-ahead from grad J_i and Hess J_i (docs/theory.md).

    With blocks b_1 = 0..4, b_2 = 5..9 and g_i = grad J_i:

    - cur_i = g_i[b_i]
    - own_i = eta Hess J_i[b_i, b_i]^T g_i[b_i]
    - peer_i = eta Hess J_j[b_j, b_i]^T g_i[b_j]        (j != i)
    - la_i = eta Hess J_i[b_i, b_j] g_j[b_j]

    Parameters
    ----------
    grad : ndarray, shape (n, 2, 10)
    hess : ndarray, shape (n, 2, 10, 10)
    eta : float

    Returns
    -------
    IPDComponents
        Each field of shape (n, 10), aligned with (theta1_0, ..., theta2_4).
    """
    b = (slice(0, N_STATES), slice(N_STATES, N_PARAMS))
    parts = {k: [] for k in IPDComponents._fields}
    for i in range(2):
        j = 1 - i
        gi = grad[:, i, b[i]]
        gj = grad[:, j, b[j]]
        parts["cur"].append(gi)
        parts["own"].append(eta * np.einsum("nkr,nk->nr", hess[:, i, b[i], b[i]], gi))
        parts["peer"].append(eta * np.einsum("nkr,nk->nr", hess[:, j, b[j], b[i]],
                                             grad[:, i, b[j]]))
        parts["lookahead"].append(eta * np.einsum("nrk,nk->nr", hess[:, i, b[i], b[j]], gj))
    return IPDComponents(**{k: np.concatenate(v, axis=1) for k, v in parts.items()})


def ipd_components(theta, eta=None, horizon: int | None = 12, gamma=0.96, payoff=IPD_PAYOFF,
                   parameterization: str = "logit", arithmetic: str = "float") -> IPDComponents:
    """The exact cur, own, peer and look-ahead terms of the IPD at many points.

    Parameters
    ----------
    theta : array_like, shape (n, 10)
    eta : number, optional
        Inner learning rate (default: the paper's).
    horizon, gamma, payoff, parameterization, arithmetic
        As in :func:`ipd_value_grad_hess`.

    Returns
    -------
    IPDComponents
        ``cur``, ``own``, ``peer``, ``lookahead``, each shape (n, 10).

    Examples
    --------
    >>> c = ipd_components(np.zeros((3, 10)))
    >>> c.peer.shape
    (3, 10)
    """
    _, grad, hess = ipd_value_grad_hess(theta, horizon, gamma, payoff, parameterization,
                                        arithmetic)
    if eta is None:
        eta = float(PAPER.eta)
    if arithmetic != "float":
        eta = _scalar(eta, arithmetic)
    return components_from_derivatives(grad, hess, eta)


class MarkovSource(Source):
    """The exact IPD terms by dynamic programming, as a `GradientSource`.

    Parameters
    ----------
    eta : number
        Inner learning rate (default: the paper's).
    horizon, gamma, payoff, parameterization
        As in :func:`ipd_value_grad_hess`.

    Examples
    --------
    >>> src = MarkovSource()
    >>> sorted(src.components(np.zeros((2, 10))))
    ['cur', 'lookahead', 'own', 'peer']
    """

    dim = N_PARAMS

    def __init__(self, eta=None, horizon: int | None = 12, gamma=0.96, payoff=IPD_PAYOFF,
                 parameterization: str = "logit"):
        _check_horizon_gamma(horizon, gamma, "float")
        self.eta = float(PAPER.eta) if eta is None else eta
        self.horizon, self.gamma, self.payoff = horizon, gamma, payoff
        self.parameterization = parameterization

    def components(self, x) -> dict:
        """cur, own, peer, lookahead at points x, shape (n, 10) each."""
        c = ipd_components(np.atleast_2d(np.asarray(x, dtype=float)), self.eta, self.horizon,
                           self.gamma, self.payoff, self.parameterization)
        return c._asdict()


def ipd_field(rule: Rule, eta=None, horizon: int | None = 12, gamma=0.96, payoff=IPD_PAYOFF,
              parameterization: str = "logit") -> Callable[[np.ndarray], np.ndarray]:
    """A learning rule's update direction on the IPD as a vectorised function.

    F = cur + c own + lambda peer + la with the rule's coefficients, formed by
    :func:`eqselect.numerics.sources.fields.rule_field` on a `MarkovSource`.

    Parameters
    ----------
    rule : Rule
        pg, meta-pg, peer-only, meta-mapg, lookahead or lola, with its
        coefficients.
    eta : number, optional
        The inner learning rate (default the paper's).
    horizon, gamma, payoff, parameterization
        As in :func:`ipd_value_grad_hess`.

    Returns
    -------
    field : callable
        ``field(x)``, x shape (n, 10) or (10,) -> shape (n, 10) or (10,).

    Examples
    --------
    >>> F = ipd_field(Rule("pg"))
    >>> np.allclose(F(np.zeros(10)), ipd_components(np.zeros((1, 10))).cur[0])
    True
    """
    u = rule_field(MarkovSource(eta, horizon, gamma, payoff, parameterization), rule)

    def field(x):
        x = np.asarray(x, dtype=float)
        out = u(np.atleast_2d(x))
        return out[0] if x.ndim == 1 else out

    return field
