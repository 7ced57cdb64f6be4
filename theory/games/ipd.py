"""The iterated prisoner's dilemma with memory-one tabular policies.

Five states: the start state 0, then the outcome of the previous round,
state = 1 + 2 a_1 + a_2 with action 0 = cooperate (CC, CD, DC, DD). Each
agent has one cooperation probability per state, x_i[s] = pi_i(C | s),
written in its parameters by the chosen parameterisation (direct or logit).
States are the joint outcome seen from agent 1's side for both agents.

With q0[a] = P(first outcome a) and P[a, a'] = P(next outcome a' | outcome a)
(4 x 4), and r_i[a] agent i's payoff in outcome a:

- discounted, infinite horizon: J_i = q0 (I - gamma P)^{-1} r_i;
- finite horizon H:             J_i = sum_{t=0}^{H-1} gamma^t q0 P^t r_i.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from eqselect.theory.exact import to_exact
from eqselect.theory.game import Game, GameError, Region, RegionKind
from eqselect.theory.parameterizations import Parameterization, parameter_names, policy, symbol_for

#: Row player's payoffs [[CC, CD], [DC, DD]] in the paper; column is the transpose.
IPD_PAYOFF = ((3, 0), (5, 1))
#: Foerster et al.'s (and Letcher et al.'s) rewards [[-1, -3], [0, -2]]: their
#: losses are these negated. Not an affine image of IPD_PAYOFF (3 - 4 = -1 but
#: 0 - 4 != -3), so ``ipd-lola`` is another game than ``ipd``.
LOLA_PAYOFF = ((-1, -3), (0, -2))
N_STATES = 5
#: Finite horizons longer than this have no tractable closed form.
MAX_SYMBOLIC_HORIZON = 4


@dataclass(frozen=True)
class MarkovChain:
    """The outcome chain of a memory-one repeated 2x2 game.

    Attributes
    ----------
    q0 : sympy.Matrix, shape (1, 4)
        Distribution of the first outcome.
    P : sympy.Matrix, shape (4, 4)
        Outcome-to-outcome transition matrix.
    rewards : tuple of sympy.Matrix, shape (4, 1)
        Per-agent payoff of each outcome.
    gamma : sympy.Rational
    horizon : int or None
        None for the discounted infinite horizon.
    coop : tuple of tuple of sympy.Expr
        coop[i][s] = pi_i(C | s) in the parameters.
    """

    q0: sp.Matrix
    P: sp.Matrix
    rewards: tuple
    gamma: sp.Expr
    horizon: int | None
    coop: tuple


def outcome_probabilities(x1: sp.Expr, x2: sp.Expr) -> list[sp.Expr]:
    """P(CC), P(CD), P(DC), P(DD) for cooperation probabilities x1, x2."""
    return [x1 * x2, x1 * (1 - x2), (1 - x1) * x2, (1 - x1) * (1 - x2)]


def markov_chain(coop, payoff, gamma, horizon) -> MarkovChain:
    """The outcome chain for per-state cooperation probabilities ``coop``."""
    q0 = sp.Matrix([outcome_probabilities(coop[0][0], coop[1][0])])
    P = sp.Matrix([outcome_probabilities(coop[0][s], coop[1][s]) for s in range(1, N_STATES)])
    row = [payoff[0][0], payoff[0][1], payoff[1][0], payoff[1][1]]
    col = [payoff[0][0], payoff[1][0], payoff[0][1], payoff[1][1]]
    return MarkovChain(q0, P, (sp.Matrix(row), sp.Matrix(col)), gamma, horizon, coop)


def chain_values(chain: MarkovChain) -> tuple[sp.Expr, sp.Expr]:
    """J_1, J_2 of the chain, exact (see the module docstring)."""
    if chain.horizon is None:
        M = sp.eye(4) - chain.gamma * chain.P
        return tuple((chain.q0 * M.LUsolve(r))[0] for r in chain.rewards)
    values = [sp.Integer(0), sp.Integer(0)]
    v = chain.q0
    for t in range(chain.horizon):
        for i, r in enumerate(chain.rewards):
            values[i] += chain.gamma ** t * (v * r)[0]
        v = v * chain.P
    return tuple(values)


def ipd(parameterization: str = "logit", gamma=sp.Rational(24, 25),
        horizon: int | None = None, payoff=IPD_PAYOFF, name: str | None = None) -> Game:
    """The memory-one iterated prisoner's dilemma as a `Game`.

    Parameters
    ----------
    parameterization : {"logit", "direct"}
    gamma : number
        Discount factor in (0, 1] (< 1 for the infinite horizon).
    horizon : int or None
        None for the discounted infinite horizon; otherwise H >= 1 rounds.
        Closed forms are built up to H = 4; longer horizons are evaluated
        exactly by dynamic programming in :mod:`eqselect.numerics.sources.markov`.
    payoff : 2x2 nested sequence
        Row player's payoffs, index 0 = cooperate; the column player's are
        the transpose.
    name : str, optional
        The game's name (default "ipd", or "ipd-finite" with a horizon).

    Examples
    --------
    >>> g = ipd("direct", gamma=sp.Rational(1, 2))
    >>> [s.name for s in g.agents[0]]
    ['p1_0', 'p1_1', 'p1_2', 'p1_3', 'p1_4']
    """
    kind = Parameterization.parse(parameterization)
    if kind is Parameterization.SOFTMAX:
        kind = Parameterization.LOGIT  # two actions: softmax is the logit
    gamma = to_exact(gamma, "discount gamma")
    if not (0 < gamma <= 1) or (horizon is None and gamma == 1):
        raise GameError(f"discount gamma must lie in (0, 1) (or (0, 1] with a horizon), got {gamma}")
    if horizon is not None and (not isinstance(horizon, int) or isinstance(horizon, bool)
                                or horizon < 1):
        raise GameError(f"horizon must be a positive integer, got {horizon!r}")
    if horizon is not None and horizon > MAX_SYMBOLIC_HORIZON:
        raise GameError(
            f"the finite-horizon IPD has no tractable closed form for H = {horizon} "
            f"(> {MAX_SYMBOLIC_HORIZON}); use eqselect.numerics.sources.markov for exact "
            "dynamic-programming values and gradients")
    payoff = tuple(tuple(to_exact(x, "IPD payoff") for x in row) for row in payoff)
    agents, coop, strategies = [], [], []
    for i in range(2):
        syms = []
        for s in range(N_STATES):
            syms += [symbol_for(nm) for nm in parameter_names(kind, i, 2, s, multi=True)]
        agents.append(tuple(syms))
        pols = [policy(kind, [t], 2) for t in syms]
        coop.append(tuple(p[0] for p in pols))
        strategies.append(tuple(x for p in pols for x in p))
    chain = markov_chain(coop, payoff, gamma, horizon)
    name = name or ("ipd" if horizon is None else "ipd-finite")
    region = Region(RegionKind.BOX if kind is Parameterization.DIRECT else RegionKind.FREE)
    return Game(
        name=name, agents=tuple(agents), values=chain_values(chain), region=region,
        parameterization=kind.value, strategies=tuple(strategies),
        payoffs=(payoff, tuple(zip(*payoff))), actions=(2, 2), states=N_STATES,
        description=_describe(gamma, horizon, payoff), structure=chain,
        action_names=(("C", "D"), ("C", "D")),
    )


def _describe(gamma, horizon, payoff) -> str:
    how = "discounted infinite horizon" if horizon is None else f"horizon {horizon}"
    rewards = "" if payoff == IPD_PAYOFF else f", row payoff {[list(r) for r in payoff]}"
    return f"iterated prisoner's dilemma, memory-one policies, {how}, gamma = {gamma}{rewards}"


def ipd_lola(parameterization: str = "logit") -> Game:
    """The IPD as Foerster et al. 2018 and Letcher et al. 2019 write it (``ipd-lola``).

    Rewards [[-1, -3], [0, -2]] (their losses negated), discount 0.96, the
    first round's cooperation probability from each agent's parameter 0
    (theta_i[0]), then one per previous outcome CC, CD, DC, DD seen from
    agent 1's side; J_i = q0 (I - gamma P)^{-1} r_i, so their loss L_i is
    -J_i and their gradient step is this library's ascent step.

    Examples
    --------
    >>> g = ipd_lola()
    >>> g.name, g.payoffs[0]
    ('ipd-lola', ((-1, -3), (0, -2)))
    """
    return ipd(parameterization, sp.Rational(24, 25), None, LOLA_PAYOFF, name="ipd-lola")
