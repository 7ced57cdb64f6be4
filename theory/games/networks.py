"""Built-in games on graphs: Stag Hunt on the common network families.

=====================  =================================  ================
name                   graph                              agents
=====================  =================================  ================
stag-hunt-ring         ``ring:12``                        12
stag-hunt-lattice      ``torus:4x4``                      16
stag-hunt-small-world  ``watts-strogatz:16,4,0.1``, seed 0  16
stag-hunt-scale-free   ``barabasi-albert:16,2``, seed 0   16
=====================  =================================  ================

Every edge plays the Stag Hunt of `eqselect.theory.games.builtins`
([[4, 0], [3, 2]], the column player the transpose; with ``symbolic=True``
the row payoffs are a, b, c, d). They are small enough for every command;
larger graphs are written as game files (docs/networks.md).
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from eqselect.theory.game import Game

#: name -> (graph spec, description)
NETWORKS = {
    "stag-hunt-ring": ("ring:12", "Stag Hunt with both neighbours on a ring of 12"),
    "stag-hunt-lattice": ("torus:4x4", "Stag Hunt with four neighbours on a 4 x 4 torus"),
    "stag-hunt-small-world": ("watts-strogatz:16,4,0.1",
                              "Stag Hunt on a Watts-Strogatz small world (16 agents, seed 0)"),
    "stag-hunt-scale-free": ("barabasi-albert:16,2",
                             "Stag Hunt on a Barabasi-Albert scale-free graph (16 agents, seed 0)"),
}
_DEFAULT = ((4, 0), (3, 2))


def network_builtin(name: str, parameterization: str = "logit", symbolic: bool = False) -> Game:
    """One of the built-in network games (module table) as a `Game`.

    Its ``structure`` is the `NetworkGame`.

    Examples
    --------
    >>> g = network_builtin("stag-hunt-ring", "direct")
    >>> g.n_agents, g.structure.graph.spec
    (12, 'ring:12')
    """
    # networkx (a fifth of a second) is imported only when a network game is built
    from eqselect.theory.network.game import edge_game, network_game
    from eqselect.theory.network.graphs import parse_graph

    spec, text = NETWORKS[name]
    if symbolic:
        syms = sp.symbols("a b c d")
        row = ((syms[0], syms[1]), (syms[2], syms[3]))
        defaults = dict(zip(syms, (4, 0, 3, 2)))
    else:
        row, defaults = _DEFAULT, {}
    col = tuple(zip(*row))
    edge = edge_game((row, col), defaults)
    net = network_game(parse_graph(spec, 0), edge, parameterization or "logit", name=name,
                       description=text)
    return replace(net, action_names=("C", "D")).game
