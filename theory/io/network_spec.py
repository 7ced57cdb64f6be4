"""Network games from game files: a ``graph`` key beside the edge game's payoffs.

TOML / JSON::

    name = "stag-hunt-small-world"          # optional
    description = "..."                     # optional
    graph = "watts-strogatz:100,4,0.1"      # a family spec or a graph file (docs/networks.md)
    seed = 1                                # optional: seed of a random family (default 0)
    parameterization = "logit"              # optional; the command line wins
    actions = ["Stag", "Hare"]              # optional action names (every agent)
    payoffs = [[[4, 0], [3, 2]],            # the edge game shared by every edge: the row
               [[4, 3], [0, 2]]]            # and column players' m x m payoffs
    [symbols]                               # optional payoff symbols and defaults
    a = 4
    [[edges]]                               # optional, per edge (then no 'payoffs'):
    between = ["1", "2"]                    # two node names (families: agents "1" .. "N")
    payoffs = [[["a", 0], [3, 2]], [["a", 3], [0, 2]]]

Entries are numbers or expressions read by the whitelisting parser
(:mod:`eqselect.theory.io.expressions`); the graph spec is read by
:func:`eqselect.theory.network.graphs.parse_graph`, never evaluated.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from eqselect.theory.errors import GameError
from eqselect.theory.io.expressions import parse_expression
from eqselect.theory.io.file_values import declared_defaults, file_number, file_texts
from eqselect.theory.network.game import NetworkGame, edge_game, network_game
from eqselect.theory.network.graphs import parse_graph

KEYS = frozenset({"name", "description", "graph", "seed", "parameterization", "actions",
                  "payoffs", "symbols", "edges"})


def network_spec(data: dict, parameterization: str | None = None, default_name: str = "network",
                 base: Path | None = None, *, fallback: str = "logit") -> NetworkGame:
    """A `NetworkGame` from a parsed spec dictionary (module docstring).

    Parameters
    ----------
    data : dict
    parameterization : str, optional
        Wins over the spec's; None takes the spec's, else ``fallback``.
    default_name : str
    base : Path, optional
        Folder a relative graph file path is read from.

    Raises
    ------
    GameError
        One line naming the key or value that breaks the rules.
    """
    unknown = set(data) - KEYS
    if unknown:
        raise GameError(f"unknown key(s) in network game spec: {', '.join(sorted(unknown))}")
    if ("payoffs" in data) == ("edges" in data):
        raise GameError("a network game spec needs exactly one of 'payoffs' (shared by every "
                        "edge) and 'edges' (per edge)")
    if isinstance(data["graph"], list):
        raise GameError("a list of graphs is swept by eqselect sweep (the 'graph' axis, "
                        "docs/networks.md); this command takes one graph spec")
    graph = parse_graph(data["graph"], data.get("seed", 0), base)
    symbols = declared_defaults(data.get("symbols", {}))
    lookup = {s.name: s for s in symbols}
    if "payoffs" in data:
        payoffs = edge_game(_pair(data["payoffs"], lookup), symbols)
    else:
        payoffs = _edges(data["edges"], lookup, symbols)
    texts = file_texts(data, default_name, fallback, parameterization)
    net = network_game(graph, payoffs, texts["parameterization"], name=texts["name"],
                       description=texts["description"])
    return _named_actions(net, data.get("actions"))


def _named_actions(net: NetworkGame, names) -> NetworkGame:
    if names is None:
        return net
    ok = (isinstance(names, list) and len(names) == net.actions
          and all(isinstance(x, str) and x.strip() and len(x) <= 64 for x in names)
          and len(set(names)) == len(names))
    if not ok:
        raise GameError(f"'actions' must be {net.actions} distinct names, one per action")
    return replace(net, action_names=tuple(names))


def _pair(payoffs, lookup) -> tuple:
    """The (row, column) matrices of one edge game, entries read exactly."""
    if not isinstance(payoffs, list) or len(payoffs) != 2:
        raise GameError("an edge game's 'payoffs' are two m x m matrices: the row and the "
                        "column player's")

    def entry(x):
        if isinstance(x, str):
            return parse_expression(x, lookup)
        return file_number(x, "payoff entry")

    return tuple([[entry(x) for x in row] if isinstance(row, list) else row for row in m]
                 if isinstance(m, list) else m for m in payoffs)


def _edges(table, lookup, symbols) -> dict:
    if not isinstance(table, list) or not table:
        raise GameError("'edges' is a list of tables, each with 'between' and 'payoffs'")
    out = {}
    for k, item in enumerate(table):
        if not isinstance(item, dict) or set(item) != {"between", "payoffs"}:
            raise GameError(f"edge {k + 1} of 'edges' needs exactly 'between' and 'payoffs'")
        ends = item["between"]
        if not isinstance(ends, list) or len(ends) != 2:
            raise GameError(f"edge {k + 1}: 'between' names two nodes")
        out[tuple(str(u) for u in ends)] = edge_game(_pair(item["payoffs"], lookup), symbols)
    return out


def load_network(path, parameterization: str | None = None) -> NetworkGame | None:
    """The `NetworkGame` of a .toml / .json game file with a ``graph`` key, else None.

    The file is read once, within the size limit of game files
    (:mod:`eqselect.theory.limits`), and its general `Game` is not built:
    the numeric routes of network games work on the graph directly.

    Raises
    ------
    GameError
        For a file that cannot be read or parsed, or a network spec that breaks a rule.
    """
    from eqselect.theory.io.file_text import parse_table, read_text

    path = Path(path)
    if path.suffix.lower() not in (".toml", ".json") or not path.is_file():
        return None
    data = parse_table(read_text(path), path)
    if "graph" not in data:
        return None
    return network_spec(data, parameterization, path.stem, path.parent)
