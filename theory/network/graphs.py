"""Graphs of a network game: named families, edge lists and GraphML, seeded.

A graph spec is ``FAMILY:ARGUMENTS`` or a path to a file:

=====================================  ==========================================
spec                                   graph
=====================================  ==========================================
``ring:N``                             cycle C_N (N >= 3)
``path:N``                             path P_N (N >= 2)
``complete:N``                         K_N (N >= 2)
``star:N``                             one hub and N - 1 leaves (N >= 2)
``grid:RxC``                           R x C lattice, four neighbours (R, C >= 1, RC >= 2)
``torus:RxC``                          R x C lattice with wrap-around (R, C >= 3)
``watts-strogatz:N,K,P``               small world: ring of even degree K, each
                                       edge rewired with probability P (connected)
``barabasi-albert:N,M``                scale-free: preferential attachment, M edges
                                       per new node (1 <= M < N)
``erdos-renyi:N,P``                    G(N, P)
``FILE.edgelist`` / ``.txt`` / ``.csv``  one edge ``u v`` per line (``#`` comments)
``FILE.graphml``                       GraphML
=====================================  ==========================================

Random families take a seed (same spec and seed, same graph). Specs are read
by regular expressions, never evaluated; a spec that breaks a rule is
refused with one line naming it. Nodes are numbered 0 .. N-1 (agents 1 .. N):
families in networkx's order, files in sorted order of their labels (numeric
labels numerically), and the labels are kept as the players' names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import networkx as nx

from eqselect.theory.errors import GameError

#: Most agents a network game may have (the sparse kernels are linear in the
#: edges; the bound keeps a typing slip from asking for a billion agents).
MAX_AGENTS = 1_000_000
#: Most bytes of a graph file read.
MAX_GRAPH_FILE_BYTES = 50_000_000
FILE_SUFFIXES = (".edgelist", ".txt", ".csv", ".graphml")

_INT = r"(\d{1,7})"
_PROB = r"((?:0|1)(?:\.\d{1,12})?|\.\d{1,12})"
_FAMILIES = {
    "ring": re.compile(_INT), "path": re.compile(_INT), "complete": re.compile(_INT),
    "star": re.compile(_INT), "grid": re.compile(_INT + "x" + _INT),
    "torus": re.compile(_INT + "x" + _INT),
    "watts-strogatz": re.compile(_INT + "," + _INT + "," + _PROB),
    "barabasi-albert": re.compile(_INT + "," + _INT),
    "erdos-renyi": re.compile(_INT + "," + _PROB),
}
_FORMS = {"ring": "ring:N", "path": "path:N", "complete": "complete:N", "star": "star:N",
          "grid": "grid:RxC", "torus": "torus:RxC", "watts-strogatz": "watts-strogatz:N,K,P",
          "barabasi-albert": "barabasi-albert:N,M", "erdos-renyi": "erdos-renyi:N,P"}


@dataclass(frozen=True)
class Graph:
    """An undirected simple graph on agents 0 .. N-1, in canonical form.

    Attributes
    ----------
    n : int
        Number of agents N.
    edges : tuple of (int, int)
        Each edge once, as (i, j) with i < j, sorted.
    names : tuple of str
        A name per agent (a file's node labels; "1" .. "N" for families).
    spec : str
        The spec it was built from (or ``"networkx"``).
    seed : int or None
        The seed of a random family (None: deterministic).
    """

    n: int
    edges: tuple
    names: tuple
    spec: str = "networkx"
    seed: int | None = None

    def neighbours(self) -> tuple:
        """``neighbours()[i]``: the sorted neighbours of agent i."""
        out = [[] for _ in range(self.n)]
        for i, j in self.edges:
            out[i].append(j)
            out[j].append(i)
        return tuple(tuple(sorted(nb)) for nb in out)

    def to_networkx(self) -> nx.Graph:
        """The graph as a networkx ``Graph`` on nodes 0 .. N-1."""
        g = nx.Graph()
        g.add_nodes_from(range(self.n))
        g.add_edges_from(self.edges)
        return g


def from_networkx(graph, spec: str = "networkx", seed: int | None = None) -> Graph:
    """The canonical `Graph` of any networkx graph (directions dropped).

    Nodes are numbered in sorted order of their labels (numbers numerically,
    labels of mixed types by their text), so that the same graph always gives the same
    agents.

    Raises
    ------
    GameError
        For an object that is not a networkx graph, no nodes, a self-loop, or
        more than ``MAX_AGENTS`` nodes.

    Examples
    --------
    >>> from_networkx(nx.path_graph(3)).edges
    ((0, 1), (1, 2))
    """
    if not isinstance(graph, nx.Graph):
        raise GameError(f"a network game needs a networkx graph, got {type(graph).__name__}")
    if graph.number_of_nodes() < 2 or graph.number_of_nodes() > MAX_AGENTS:
        raise GameError(f"a network game needs 2 to {MAX_AGENTS} agents, the graph has "
                        f"{graph.number_of_nodes()}")
    loops = list(nx.selfloop_edges(graph))
    if loops:
        raise GameError(f"graph {spec[:80]!r} has a self-loop at node {loops[0][0]!r}; "
                        "an agent does not play itself")
    try:  # numbers numerically, lattice coordinates row by row
        order = sorted(graph.nodes)
    except TypeError:  # labels of mixed types
        order = sorted(graph.nodes, key=str)
    index = {node: k for k, node in enumerate(order)}
    edges = sorted({tuple(sorted((index[u], index[v]))) for u, v in graph.edges})
    return Graph(len(order), tuple(edges), tuple(str(v) for v in order), spec, seed)


def parse_graph(spec: str, seed: int = 0, base: Path | None = None) -> Graph:
    """The graph a spec names (see the module table).

    Parameters
    ----------
    spec : str
        ``FAMILY:ARGUMENTS`` or a file path (relative paths from ``base``).
    seed : int
        Seed of the random families.
    base : Path, optional
        Folder relative file paths are read from (a game file's own folder).

    Raises
    ------
    GameError
        One line naming the rule the spec breaks.

    Examples
    --------
    >>> parse_graph("ring:4").edges
    ((0, 1), (0, 3), (1, 2), (2, 3))
    >>> parse_graph("ring:two")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    eqselect.theory.errors.GameError: graph spec 'ring:two' does not read as ring:N (whole ...)
    """
    if not isinstance(spec, str) or not spec or len(spec) > 1000:
        raise GameError(f"a graph spec is text such as 'ring:100', got {str(spec)[:60]!r}")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise GameError(f"a graph seed is a non-negative integer, got {seed!r}")
    if spec.lower().endswith(FILE_SUFFIXES):
        return _read_file(Path(base or ".") / spec, spec)
    family, _, args = spec.partition(":")
    if family not in _FAMILIES:
        raise GameError(f"unknown graph family {family[:40]!r} in {spec[:80]!r}; families: "
                        f"{', '.join(_FORMS.values())}, or a file ending in "
                        f"{', '.join(FILE_SUFFIXES)}")
    match = _FAMILIES[family].fullmatch(args)
    if match is None:
        raise GameError(f"graph spec {spec[:80]!r} does not read as {_FORMS[family]} "
                        f"(whole numbers of at most 7 digits, probabilities such as 0.1; "
                        f"at most {MAX_AGENTS} agents)")
    values = [float(v) if "." in v else int(v) for v in match.groups()]
    graph = _family(family, values, seed, spec)
    random = family in ("watts-strogatz", "barabasi-albert", "erdos-renyi")
    out = from_networkx(graph, spec, seed if random else None)
    return replace(out, names=tuple(str(k + 1) for k in range(out.n)))


def _family(family: str, v: list, seed: int, spec: str):
    n = v[0] * v[1] if family in ("grid", "torus") else v[0]
    if n > MAX_AGENTS:
        raise GameError(f"graph {spec!r} has {n} agents; at most {MAX_AGENTS}")
    least = {"ring": 3, "torus": 9}.get(family, 2)
    if n < least:
        raise GameError(f"graph {spec!r} has {n} agents; {family} needs at least {least}")
    if family == "ring":
        return nx.cycle_graph(n)
    if family == "path":
        return nx.path_graph(n)
    if family == "complete":
        return nx.complete_graph(n)
    if family == "star":
        return nx.star_graph(n - 1)
    if family == "grid":
        return nx.grid_2d_graph(v[0], v[1])
    if family == "torus":
        if min(v) < 3:
            raise GameError(f"graph {spec!r}: a torus needs at least 3 rows and 3 columns")
        return nx.grid_2d_graph(v[0], v[1], periodic=True)
    if family == "watts-strogatz":
        _, k, p = v
        if k % 2 or not 2 <= k < n or not 0 <= p <= 1:
            raise GameError(f"graph {spec!r}: watts-strogatz:N,K,P needs an even K with "
                            f"2 <= K < N and 0 <= P <= 1")
        return nx.connected_watts_strogatz_graph(n, k, p, tries=1000, seed=seed)
    if family == "barabasi-albert":
        if not 1 <= v[1] < n:
            raise GameError(f"graph {spec!r}: barabasi-albert:N,M needs 1 <= M < N")
        return nx.barabasi_albert_graph(n, v[1], seed=seed)
    if not 0 <= v[1] <= 1:
        raise GameError(f"graph {spec!r}: erdos-renyi:N,P needs 0 <= P <= 1")
    return nx.gnp_random_graph(n, v[1], seed=seed)


def _read_file(path: Path, spec: str) -> Graph:
    if not path.is_file():
        raise GameError(f"graph file not found: {spec[:200]!r}")
    if path.stat().st_size > MAX_GRAPH_FILE_BYTES:
        raise GameError(f"graph file {spec[:200]!r} is larger than {MAX_GRAPH_FILE_BYTES} bytes")
    if path.suffix.lower() == ".graphml":
        try:
            graph = nx.read_graphml(path)
        except Exception as exc:  # networkx raises several types for a malformed file
            raise GameError(f"graph file {spec[:200]!r} is not readable GraphML "
                            f"({str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__})"
                            ) from None
        return from_networkx(nx.Graph(graph), spec)
    return from_networkx(_edge_list(path, spec), spec)


def _edge_list(path: Path, spec: str) -> nx.Graph:
    """One edge per line, two labels split by spaces, tabs or a comma."""
    graph = nx.Graph()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GameError(f"cannot read graph file {spec[:200]!r}: {exc}") from None
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p for p in re.split(r"[\s,]+", line) if p]
        if len(parts) != 2 or not all(re.fullmatch(r"[\w.\-]{1,64}", p) for p in parts):
            raise GameError(f"graph file {spec[:200]!r}, line {number}: expected two node "
                            f"labels, got {line[:60]!r}")
        graph.add_edge(*(int(p) if p.isdigit() else p for p in parts))
    return graph
