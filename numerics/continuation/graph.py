"""The branches of a continuation run as a graph.

Nodes are the fixed points at events and at branch ends; edges are the
branch segments between them. Nodes closer than a tolerance are merged, so
branches meeting at a point (a branch ending where a corner stops being a
fixed point) share that node.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx


def branch_graph(branches, tol: float = 1e-7) -> nx.Graph:
    """Nodes: fixed points at events and branch ends; edges: the branch segments between them.

    Nodes closer than ``tol`` (in p and in max-norm of phi) are merged, so a
    branch that ends on a corner where the corner stops being a fixed point
    shares that node with the corner's branch. Node attributes: ``lam``,
    ``point``, ``type`` (an event type, else "start" / "end"); edge
    attributes: ``stability`` (the class held along the segment),
    ``n_points``, ``branch`` (index into ``branches``).
    """
    G = nx.Graph()

    def node(value, point, typ):
        for n, data in G.nodes(data=True):
            if abs(data["lam"] - value) <= tol and \
                    max((abs(x - y) for x, y in zip(data["point"], point)), default=0) <= tol:
                if data["type"] in ("start", "end") and typ not in ("start", "end"):
                    data["type"] = typ
                return n
        n = G.number_of_nodes()
        G.add_node(n, lam=float(value), point=tuple(float(x) for x in point), type=typ)
        return n

    for bi, br in enumerate(branches):
        n = len(br.points)
        kinds = {e.index: e.type.value for e in br.events if 0 <= e.index < n}
        cuts = sorted({0, n - 1, *kinds})
        ids = [node(br.points[i][0], br.points[i][1:],
                    kinds.get(i, "start" if i == 0 else "end")) for i in cuts]
        for (i, j), (a, b) in zip(zip(cuts[:-1], cuts[1:]), zip(ids[:-1], ids[1:])):
            inner = list(br.stability[i + 1:j]) or list(br.stability[i:j + 1])
            stab = Counter(s.value for s in inner).most_common(1)[0][0]
            if a == b:
                continue
            if G.has_edge(a, b):
                G.edges[a, b]["parallel"] = G.edges[a, b].get("parallel", 1) + 1
                continue
            G.add_edge(a, b, stability=stab, n_points=j - i + 1, branch=bi)
    return G


__all__ = ["branch_graph"]
