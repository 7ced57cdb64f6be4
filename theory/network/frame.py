"""The outline of a network game that the numerics read: agents, region, policies by name.

The basin engine, the starts and the consensus judge read a game's agents,
parameter names, region, parameterisation and actions, never its values:
the sparse field (`eqselect.numerics.network.field.NetworkField`) gives
those. `NetworkFrame` holds exactly these attributes, in the shape of
`eqselect.theory.Game`, built in time linear in the agents and without
sympy arithmetic, so that a graph of 10^4 agents starts at once. Its
``strategies`` (the symbolic mixed strategies) are formed only when read;
``NetworkGame.game`` is the full general `Game`, for small graphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from eqselect.theory.parameterizations import (
    Parameterization, parameter_names, policy, policy_region, symbol_for)


@dataclass(frozen=True, eq=False)
class NetworkFrame:
    """A network game's agents, region and action names (module docstring).

    Attributes
    ----------
    name : str
    agents : tuple of tuple of sympy.Symbol
        Agent i's parameters (``p1``, ``theta1``, ``theta1_0`` ... as for `Game`).
    region : Region
    parameterization : str
    actions : tuple of int
    players : tuple of str
    action_names : tuple of tuple of str
    structure : NetworkGame
    """

    name: str
    agents: tuple
    region: object
    parameterization: str
    actions: tuple
    players: tuple
    action_names: tuple
    structure: object
    states: int = 1
    tau: object = None
    description: str = ""

    @property
    def n_agents(self) -> int:
        """N, the number of agents."""
        return len(self.agents)

    @property
    def parameters(self) -> tuple:
        """phi, all parameters in agent order."""
        return tuple(s for block in self.agents for s in block)

    @property
    def slices(self) -> tuple:
        """``slices[i]`` picks agent i's parameters out of phi."""
        d = self.actions[0] - 1 if self.actions else 1
        return tuple(slice(i * d, (i + 1) * d) for i in range(self.n_agents))

    @cached_property
    def strategies(self) -> tuple:
        """Every agent's mixed strategy as sympy expressions (formed when first read)."""
        kind = Parameterization.parse(self.parameterization)
        return tuple(policy(kind, list(a), m) for a, m in zip(self.agents, self.actions))

    def player_name(self, agent: int) -> str:
        """``players[agent]``."""
        return self.players[agent]

    def action_name(self, agent: int, action: int) -> str:
        """Name of one of agent's actions (``str(action)`` when none are given)."""
        return self.action_names[agent][action] if self.action_names else str(action)


def network_frame(net) -> NetworkFrame:
    """The `NetworkFrame` of a `NetworkGame`: the agents and region of ``net.game``
    without its values.

    Examples
    --------
    >>> from eqselect.theory.network import network_game, parse_graph
    >>> net = network_game(parse_graph("ring:3"), ([[4, 0], [3, 2]], [[4, 3], [0, 2]]))
    >>> network_frame(net).parameters
    (theta1, theta2, theta3)
    """
    kind = Parameterization.parse(net.parameterization)
    m, n = net.actions, net.n_agents
    agents = tuple(tuple(symbol_for(s) for s in parameter_names(kind, i, m, 0, multi=m > 2))
                   for i in range(n))
    names = (tuple(net.action_names),) * n if net.action_names else ()
    return NetworkFrame(net.name, agents, policy_region(kind, agents, (m,) * n), kind.value,
                        (m,) * n, tuple(net.graph.names), names, net,
                        description=net.description)


__all__ = ["NetworkFrame", "network_frame"]
