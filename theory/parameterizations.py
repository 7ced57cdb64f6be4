"""Policy parameterisations: parameters -> mixed strategies.

Each function returns the parameter symbols of one agent in one state and
the agent's mixed strategy over its m actions as exact expressions.

- direct: phi = (pi(a_0), ..., pi(a_{m-2})), pi(a_{m-1}) = 1 - sum(phi);
  the region is the box (m = 2) or the simplex {phi >= 0, sum(phi) <= 1}.
- logit (two actions): pi(a_0) = sigma(theta) = 1 / (1 + exp(-theta)).
- softmax (m actions): pi(a_k) = exp(theta_k) / (1 + sum_l exp(theta_l)) for
  k < m - 1, the last action's logit fixed at 0 so that the map is
  one-to-one (with m = 2 this is the logit parameterisation).
"""

from __future__ import annotations

from enum import Enum

import sympy as sp

from eqselect.theory.canonical import product, total
from eqselect.theory.game import GameError, Region, RegionKind


class Parameterization(str, Enum):
    """How an agent's policy is written in its parameters."""

    DIRECT = "direct"
    LOGIT = "logit"
    SOFTMAX = "softmax"

    @classmethod
    def parse(cls, name: str) -> "Parameterization":
        """The parameterisation called ``name``; a clear error otherwise."""
        try:
            return cls(name)
        except ValueError:
            valid = ", ".join(p.value for p in cls)
            raise GameError(f"unknown parameterization {name!r}; valid: {valid}") from None


def sigmoid(x: sp.Expr) -> sp.Expr:
    """sigma(x) = 1 / (1 + exp(-x)), exact."""
    return 1 / (1 + sp.exp(-x))


def parameter_names(kind: Parameterization, agent: int, m: int, state: int | None,
                    multi: bool) -> list[str]:
    """Names of one agent's parameters in one state.

    ``p1``, ``theta2`` for a single parameter per agent; ``p1_0``, ``p1_1``
    when the agent has several (``multi``), the suffix counting the agent's
    parameters in state order.
    """
    stem = "p" if kind is Parameterization.DIRECT else "theta"
    count = m - 1
    if not multi:
        return [f"{stem}{agent + 1}"]
    offset = (state or 0) * count
    return [f"{stem}{agent + 1}_{offset + k}" for k in range(count)]


def policy(kind: Parameterization, symbols: list[sp.Symbol], m: int) -> tuple[sp.Expr, ...]:
    """The mixed strategy over m actions written in ``symbols`` (m - 1 of them)."""
    if len(symbols) != m - 1:
        raise GameError(f"{m} actions need {m - 1} parameters, got {len(symbols)}")
    if kind is Parameterization.DIRECT:
        # 1 - sum(symbols), built in canonical form (theory.canonical)
        rest = total([sp.S.One, *(product(sp.S.NegativeOne, [s]) for s in symbols)])
        return tuple(symbols) + (rest,)
    if kind is Parameterization.LOGIT:
        if m != 2:
            raise GameError(
                f"the logit parameterization needs two actions, this agent has {m}; "
                "use softmax (--param softmax on the command line)")
        p = sigmoid(symbols[0])
        return (p, 1 - p)
    denom = 1 + sum((sp.exp(t) for t in symbols), sp.Integer(0))
    return tuple(sp.exp(t) / denom for t in symbols) + (1 / denom,)


def symbol_for(name: str) -> sp.Symbol:
    """A parameter symbol. Plain (no assumptions) so that it round-trips
    through symengine unchanged."""
    return sp.Symbol(name)


def policy_region(kind: Parameterization, agents, shape) -> Region:
    """Where the policy parameters live: free (logit, softmax), the box [0, 1]^N
    (direct, two actions each), else a product of simplices, one per agent."""
    if kind is not Parameterization.DIRECT:
        return Region(RegionKind.FREE)
    if all(m == 2 for m in shape):
        return Region(RegionKind.BOX)
    blocks, start = [], 0
    for block in agents:
        blocks.append(tuple(range(start, start + len(block))))
        start += len(block)
    return Region(RegionKind.SIMPLEX, tuple(blocks))
