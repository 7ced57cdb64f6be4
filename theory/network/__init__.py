"""eqselect.theory.network: games on graphs and their decomposition by edge templates.

Graphs from named families, edge lists or GraphML (`graphs`), the game on a
graph (`game`), the edge templates derived once per edge game (`templates`)
and the N-agent terms assembled from them as sums over neighbours
(`decomposition`); game files with a ``graph`` key (`spec`). See
docs/networks.md.
"""

from eqselect.theory.network.decomposition import NetworkDecomposition
from eqselect.theory.network.game import EdgeGame, NetworkGame, edge_game, network_game
from eqselect.theory.network.graphs import Graph, from_networkx, parse_graph
from eqselect.theory.network.templates import EdgeTemplates, PolicyJet, edge_templates, policy_jet

__all__ = ["EdgeGame", "EdgeTemplates", "Graph", "NetworkDecomposition", "NetworkGame",
           "PolicyJet", "edge_game", "edge_templates", "from_networkx", "network_game",
           "parse_graph", "policy_jet"]
