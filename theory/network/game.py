"""Games on graphs: every agent plays a two-player game with each neighbour.

On a graph with edges E, agent i's value is the sum over its neighbours

    J_i(phi) = sum_{j in N(i)} pi_i(phi_i)^T A_ij pi_j(phi_j),

with A_ij the payoff matrix of i against j (m x m, rows i's actions) and pi_i
i's mixed strategy under the parameterisation (a polymatrix, or graphical,
game). An edge game given as (row, column) payoffs for the edge (u, v) has
A_uv = row and A_vu = column^T; the payoffs are shared by every edge or given
edge by edge, numbers or expressions in declared payoff symbols.

`NetworkGame` keeps this structure (the graph, one pair (A_ij, A_ji) per
edge); `NetworkGame.game` is the same game as a general `Game` (its values
the sums above, exact), on which every other part of eqselect runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Mapping

import networkx as nx
import sympy as sp

from eqselect.theory.errors import GameError
from eqselect.theory.exact import to_exact
from eqselect.theory.functions import refuse_unknown_functions
from eqselect.theory.game import Game
from eqselect.theory.network.graphs import Graph, from_networkx
from eqselect.theory.parameterizations import (
    Parameterization, parameter_names, policy, policy_region, symbol_for)


@dataclass(frozen=True, eq=False)
class NetworkGame:
    """A game on a graph (see the module docstring).

    Attributes
    ----------
    name : str
    graph : Graph
        Agents 0 .. N-1 and the edges (i, j), i < j.
    pairs : tuple of (A_ij, A_ji)
        Per edge of ``graph.edges``: the payoff matrices of its two ends as
        tuples of rows of exact expressions (A_ij: i's payoffs, rows i's
        actions, columns j's).
    shared : bool
        Whether every edge plays the same pair.
    parameterization : str
        ``"direct"``, ``"logit"`` or ``"softmax"``.
    actions : int
        m, the actions of every agent.
    action_names : tuple of str
    payoff_symbols : mapping of sympy.Symbol to exact number
    description : str
    """

    name: str
    graph: Graph
    pairs: tuple
    shared: bool
    parameterization: str
    actions: int
    action_names: tuple = ()
    payoff_symbols: Mapping = field(default_factory=dict)
    description: str = ""

    @property
    def n_agents(self) -> int:
        """N, the number of agents."""
        return self.graph.n

    @property
    def dim(self) -> int:
        """d_i = m - 1, the parameters of one agent."""
        return self.actions - 1

    def directed(self) -> tuple:
        """Every edge in both directions: ``(i, j, A_ij)``, the edges i < j first
        (index k) and then their reverses (index k + |E|)."""
        forward = [(i, j, a) for (i, j), (a, _) in zip(self.graph.edges, self.pairs)]
        backward = [(j, i, b) for (i, j), (_, b) in zip(self.graph.edges, self.pairs)]
        return tuple(forward + backward)

    def substitute(self, values: Mapping | None = None) -> "NetworkGame":
        """The same game with payoff symbols replaced (default: their defaults)."""
        values = dict(self.payoff_symbols if values is None else values)
        by_name = {s.name: s for s in self.payoff_symbols}
        sub = {}
        for key, value in values.items():
            name = key.name if isinstance(key, sp.Symbol) else key
            if name not in by_name:
                raise GameError(f"{str(key)[:40]!r} is not a payoff symbol of {self.name!r}")
            sub[by_name[name]] = to_exact(value, f"value of {name}")
        done: dict = {}  # each distinct pair once (shared payoffs: one for every edge)
        for pair in self.pairs:
            if pair not in done:
                done[pair] = tuple(_matrix_map(m, lambda e: e.xreplace(sub)) for m in pair)
        pairs = tuple(done[pair] for pair in self.pairs)
        rest = {k: v for k, v in self.payoff_symbols.items() if k not in sub}
        return replace(self, pairs=pairs, payoff_symbols=rest)

    @cached_property
    def frame(self):
        """The agents, region and action names of `game` without its values
        (`eqselect.theory.network.frame.NetworkFrame`): what the numerics read,
        built in time linear in the agents."""
        from eqselect.theory.network.frame import network_frame

        return network_frame(self)

    @cached_property
    def game(self) -> Game:
        """The network game as a general `Game` (values summed over neighbours, exact;
        ``structure`` is this `NetworkGame`)."""
        kind = Parameterization.parse(self.parameterization)
        m, n = self.actions, self.n_agents
        agents, strategies = [], []
        for i in range(n):
            syms = tuple(symbol_for(s) for s in parameter_names(kind, i, m, 0, multi=m > 2))
            agents.append(syms)
            strategies.append(policy(kind, list(syms), m))
        terms = [[] for _ in range(n)]
        for i, j, a in self.directed():
            terms[i].append(bilinear(strategies[i], a, strategies[j]))
        region = policy_region(kind, agents, (m,) * len(agents))
        return Game(name=self.name, agents=tuple(agents),
                    values=tuple(sp.Add(*t) for t in terms), region=region,
                    parameterization=kind.value, strategies=tuple(strategies),
                    payoff_symbols=dict(self.payoff_symbols), actions=(m,) * n,
                    description=self.description, structure=self,
                    players=tuple(self.graph.names),
                    action_names=(tuple(self.action_names),) * n if self.action_names else ())


def bilinear(p, a, q) -> sp.Expr:
    """p^T A q for strategy vectors p, q and a matrix A given as rows."""
    return sp.Add(*(p[r] * a[r][s] * q[s] for r in range(len(p)) for s in range(len(q))
                    if a[r][s] != 0))


def _matrix_map(matrix, fn) -> tuple:
    return tuple(tuple(fn(e) for e in row) for row in matrix)


@dataclass(frozen=True)
class EdgeGame:
    """A two-player game played on an edge (u, v): u's payoffs ``row``, v's ``column``,
    both indexed [u's action][v's action]; exact entries."""

    row: tuple
    column: tuple
    symbols: Mapping = field(default_factory=dict)
    action_names: tuple = ()


def edge_game(payoffs, symbols: Mapping | None = None) -> EdgeGame:
    """An `EdgeGame` from a two-player `Game`, an `EdgeGame`, or a (row, column) pair.

    Raises
    ------
    GameError
        For a game that is not a one-state two-player finite game, payoffs that
        are not two square m x m tensors, or undeclared symbols.

    Examples
    --------
    >>> edge_game(([[4, 0], [3, 2]], [[4, 3], [0, 2]])).column
    ((4, 3), (0, 2))
    """
    if isinstance(payoffs, EdgeGame):
        return payoffs
    if isinstance(payoffs, Game):
        if payoffs.n_agents != 2 or not payoffs.payoffs or payoffs.states != 1:
            raise GameError(f"an edge game is a one-state two-player game; {payoffs.name!r} "
                            "is not")
        names = payoffs.action_names[0] if payoffs.action_names else ()
        return _checked(payoffs.payoffs, dict(payoffs.payoff_symbols), names)
    if not isinstance(payoffs, (list, tuple)) or len(payoffs) != 2:
        raise GameError("an edge game's payoffs are a pair (row, column) of m x m matrices")
    if symbols is not None and not isinstance(symbols, Mapping):
        raise GameError("edge game symbols map sympy symbols to their default values")
    declared = {s: to_exact(v, f"default of {s}") for s, v in (symbols or {}).items()}
    if any(not isinstance(s, sp.Symbol) for s in declared):
        raise GameError("edge game symbols are sympy symbols (game files declare them by name)")
    return _checked(payoffs, declared, ())


def _checked(pair, symbols: dict, names) -> EdgeGame:
    rows = [_square(table, who) for table, who in zip(pair, ("row", "column"))]
    if len(rows[0]) != len(rows[1]):
        raise GameError(f"edge payoffs: the row matrix is {len(rows[0])} x {len(rows[0])}, "
                        f"the column matrix {len(rows[1])} x {len(rows[1])}")
    entries = [e for table in rows for r in table for e in r]
    refuse_unknown_functions(entries, "an edge payoff")
    undeclared = set().union(*(e.free_symbols for e in entries)) - set(symbols)
    if undeclared:
        raise GameError(f"edge payoffs use undeclared symbol(s) "
                        f"{', '.join(sorted(map(str, undeclared)))}")
    return EdgeGame(rows[0], rows[1], symbols, tuple(names))


def _square(table, who: str) -> tuple:
    """An m x m matrix (m >= 2) of exact entries, as a tuple of rows."""
    if hasattr(table, "tolist"):
        table = table.tolist()
    ok = (isinstance(table, (list, tuple)) and len(table) >= 2
          and all(isinstance(r, (list, tuple)) and len(r) == len(table) for r in table))
    if not ok:
        raise GameError(f"edge payoffs: the {who} matrix must be square, m x m with m >= 2")
    return tuple(tuple(to_exact(e, f"edge payoff ({who})") for e in r) for r in table)


def network_game(graph, edge_payoffs, parameterization: str = "logit", *,
                 name: str | None = None, description: str = "") -> NetworkGame:
    """A game on a graph: every agent plays the edge game with each neighbour.

    Parameters
    ----------
    graph : networkx.Graph or Graph
        Undirected; node labels become player names.
    edge_payoffs : Game, EdgeGame, (row, column) pair, or mapping
        Shared by every edge, or a mapping ``{(u, v): edge game}`` with one
        entry per edge of the graph (u plays the row, v the column).
    parameterization : {"logit", "direct", "softmax"}
    name, description : str

    Returns
    -------
    NetworkGame

    Examples
    --------
    >>> from eqselect.theory.games.builtins import builtin
    >>> net = network_game(nx.cycle_graph(3), builtin("stag-hunt", "direct"), "direct")
    >>> net.game.values[0].expand()
    3*p1*p2 + 3*p1*p3 - 4*p1 + p2 + p3 + 4
    """
    g = graph if isinstance(graph, Graph) else from_networkx(graph)
    Parameterization.parse(parameterization)
    if isinstance(edge_payoffs, Mapping):
        pairs, games = _per_edge(g, edge_payoffs)
    else:
        shared = edge_game(edge_payoffs)
        games = [shared]
        pairs = ((shared.row, _transpose(shared.column)),) * len(g.edges)
    m = len(games[0].row)
    if any(len(e.row) != m for e in games):
        raise GameError("every edge game of a network needs the same number of actions")
    symbols = {}
    for e in games:
        for s, v in e.symbols.items():
            if symbols.setdefault(s, v) != v:
                raise GameError(f"payoff symbol {s} has two defaults: {symbols[s]} and {v}")
    return NetworkGame(name or f"network({g.spec})", g, tuple(pairs),
                       not isinstance(edge_payoffs, Mapping), parameterization, m,
                       games[0].action_names, symbols, description)


def _per_edge(g: Graph, table: Mapping) -> tuple:
    index = {name: k for k, name in enumerate(g.names)}
    given = {}
    for key, payoff in table.items():
        if not isinstance(key, tuple) or len(key) != 2 or any(str(u) not in index for u in key):
            raise GameError(f"per-edge payoffs are keyed by edges (u, v) of the graph; "
                            f"got {str(key)[:60]!r}")
        u, v = (index[str(x)] for x in key)
        if (min(u, v), max(u, v)) in given:
            raise GameError(f"edge {key!r} has payoffs twice")
        e = edge_game(payoff)
        # A_uv = row, A_vu = column^T; the pair is stored from the smaller index
        pair = (e.row, _transpose(e.column)) if u < v else (_transpose(e.column), e.row)
        given[(min(u, v), max(u, v))] = (pair, e)
    missing = [edge for edge in g.edges if edge not in given]
    extra = [edge for edge in given if edge not in set(g.edges)]
    if missing or extra:
        bad = (missing or extra)[0]
        raise GameError(f"per-edge payoffs must cover exactly the graph's edges; edge "
                        f"({g.names[bad[0]]}, {g.names[bad[1]]}) is "
                        f"{'missing' if missing else 'not in the graph'}")
    return tuple(given[e][0] for e in g.edges), [given[e][1] for e in g.edges]


def _transpose(matrix) -> tuple:
    return tuple(zip(*matrix))


__all__ = ["EdgeGame", "NetworkGame", "bilinear", "edge_game", "network_game"]
