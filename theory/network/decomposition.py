"""The decomposition of a network game, assembled from edge templates.

With the templates a, b, h, c of :mod:`eqselect.theory.network.templates` on
every directed edge i -> j (written a_ij = a(phi_i, phi_j; A_ij), ...), the
terms of docs/theory.md section 2 are sparse sums over neighbours
(docs/networks.md):

    g_i    = sum_{j in N(i)} a_ij                       cur_i = g_i
    H_i    = sum_{j in N(i)} h_ij                       own_i = eta H_i^T g_i
    peer_i = eta sum_{j in N(i)} c_ji^T b_ij
    la_i   = eta sum_{j in N(i)} c_ij g_j

because grad_{phi_j} J_i = b_ij and D_ij = d g_j / d phi_i = c_ji vanish
unless i and j are neighbours (J_i holds phi_j only through the edge ij, and
g_j holds phi_i only through the edge ji). The result equals the general
N-player derivation (`eqselect.theory.Decomposition` of ``net.game``)
exactly; a test checks it on graphs of 3 to 6 agents.
"""

from __future__ import annotations

from functools import cached_property

import sympy as sp

from eqselect.theory.exact import to_exact
from eqselect.theory.network.game import NetworkGame
from eqselect.theory.network.templates import edge_templates
from eqselect.theory.errors import GameError

ETA = sp.Symbol("eta")
#: The terms assembled here, in the order of `eqselect.theory.COMPONENTS`.
NETWORK_TERMS = ("cur", "own", "peer", "lookahead")


class NetworkDecomposition:
    """cur, own, peer and look-ahead of a network game, assembled edge by edge.

    Parameters
    ----------
    net : NetworkGame
    eta : number or sympy.Expr, optional
        Inner learning rate (default: the symbol eta).

    Examples
    --------
    >>> from eqselect.theory.games.builtins import builtin
    >>> from eqselect.theory.network.graphs import parse_graph
    >>> from eqselect.theory.network.game import network_game
    >>> net = network_game(parse_graph("path:3"), builtin("stag-hunt", "direct"), "direct")
    >>> NetworkDecomposition(net, eta=1).peer[1].expand()  # two neighbours: 2 x 3 (3 p2 + 1)
    18*p2 + 6
    """

    def __init__(self, net: NetworkGame, eta=None):
        if not isinstance(net, NetworkGame):
            raise GameError(f"NetworkDecomposition takes a NetworkGame, got {type(net).__name__}")
        self.net = net
        self.eta = ETA if eta is None else to_exact(eta, "inner learning rate eta")
        self.templates = edge_templates(net.parameterization, net.actions)

    @cached_property
    def edge_terms(self) -> tuple:
        """Per directed edge (`NetworkGame.directed` order): the dict of a, b, h, c."""
        agents = self.net.game.agents
        return tuple(self.templates.at(agents[i], agents[j], a)
                     for i, j, a in self.net.directed())

    @cached_property
    def node_gradients(self) -> tuple:
        """g_i = sum_{j in N(i)} a_ij, one d x 1 matrix per agent."""
        return self._node_sum("a")

    @cached_property
    def node_hessians(self) -> tuple:
        """H_i = sum_{j in N(i)} h_ij, one d x d matrix per agent."""
        return self._node_sum("h")

    def _node_sum(self, name: str) -> tuple:
        d = self.net.dim
        shape = (d, 1) if name in ("a", "b") else (d, d)
        out = [sp.zeros(*shape) for _ in range(self.net.n_agents)]
        for (i, _, _), terms in zip(self.net.directed(), self.edge_terms):
            out[i] += terms[name]
        return tuple(out)

    def _reverse(self, e: int) -> int:
        half = len(self.net.graph.edges)
        return e + half if e < half else e - half

    @cached_property
    def cur(self) -> sp.Matrix:
        """cur_i = g_i = sum_{j in N(i)} a_ij."""
        return sp.Matrix.vstack(*self.node_gradients)

    @cached_property
    def own(self) -> sp.Matrix:
        """own_i = eta H_i^T g_i."""
        return sp.Matrix.vstack(*(self.eta * h.T * g for h, g
                                  in zip(self.node_hessians, self.node_gradients)))

    @cached_property
    def peer(self) -> sp.Matrix:
        """peer_i = eta sum_{j in N(i)} c_ji^T b_ij (D_ij = c_ji)."""
        d = self.net.dim
        out = [sp.zeros(d, 1) for _ in range(self.net.n_agents)]
        for e, ((i, _, _), terms) in enumerate(zip(self.net.directed(), self.edge_terms)):
            out[i] += self.edge_terms[self._reverse(e)]["c"].T * terms["b"]
        return sp.Matrix.vstack(*(self.eta * v for v in out))

    @cached_property
    def lookahead(self) -> sp.Matrix:
        """la_i = eta sum_{j in N(i)} c_ij g_j."""
        d, g = self.net.dim, self.node_gradients
        out = [sp.zeros(d, 1) for _ in range(self.net.n_agents)]
        for (i, j, _), terms in zip(self.net.directed(), self.edge_terms):
            out[i] += terms["c"] * g[j]
        return sp.Matrix.vstack(*(self.eta * v for v in out))

    @property
    def shaping(self) -> sp.Matrix:
        """M = own + peer."""
        return self.own + self.peer

    @property
    def components(self) -> dict:
        """Every assembled term by name (``NETWORK_TERMS`` order)."""
        return {name: getattr(self, name) for name in NETWORK_TERMS}
