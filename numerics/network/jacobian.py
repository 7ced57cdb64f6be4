"""Sparse Jacobians of a network field by complex steps on a colouring.

Row i of DF depends on the parameters of agents within distance R of i in
the graph: R = 1 for cur, own and peer (each a sum over i's edges of terms in
phi_i and phi_j), R = 2 when the look-ahead term is used (it holds g_j of
every neighbour j). Columns whose agents are more than 2R apart share no
row, so one colour class of a greedy colouring of the graph's 2R-th power
is one directional derivative. Each is taken by the complex step
(Squire and Trapp 1998)

    DF(x) v = Im F(x + i h v) / h + O(h^2),   h = 1e-20,

which has no subtractive cancellation: the Jacobian is exact to rounding,
at the cost of one complex field evaluation per colour. Greedy colouring
uses at most Delta_{2R} + 1 colours, Delta_{2R} the maximum degree of the
2R-th power of the graph (at most Delta^2 for R = 1, Delta the maximum
degree), independent of N.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sps

#: The complex step.
STEP = 1e-20


@dataclass(frozen=True)
class Colouring:
    """Which parameters are differentiated together.

    Attributes
    ----------
    pattern : scipy.sparse.csr_matrix of bool, shape (N d, N d)
        Where DF may be non-zero.
    colour : ndarray of int, shape (N d,)
        Each parameter's colour.
    n_colours : int
    radius : int
        R, the graph distance a row reaches.
    """

    pattern: sps.csr_matrix
    colour: np.ndarray
    n_colours: int
    radius: int


def colouring(field, coef: dict) -> Colouring:
    """The sparsity pattern and column colouring of a combination of terms."""
    radius = 2 if coef.get("lookahead") else 1
    graph = field.net.graph.to_networkx()
    adj = nx.to_scipy_sparse_array(graph, nodelist=range(field.n), format="csr")
    reach = sps.identity(field.n, format="csr") + adj
    pattern = reach
    for _ in range(radius - 1):
        pattern = pattern @ reach
    conflict = nx.Graph()
    conflict.add_nodes_from(range(field.n))
    rows, cols = (pattern.T @ pattern).nonzero()
    conflict.add_edges_from((int(a), int(b)) for a, b in zip(rows, cols) if a < b)
    agent = nx.greedy_color(conflict, strategy="largest_first")
    d = field.d
    colour = np.array([agent[i] * d + k for i in range(field.n) for k in range(d)])
    block = sps.csr_matrix(np.ones((d, d), dtype=bool))
    full = sps.kron(pattern.astype(bool), block, format="csr")
    return Colouring(full, colour, int(colour.max()) + 1, radius)


def sparse_jacobian(field, x, coef: dict, colours: Colouring | None = None) -> sps.csr_matrix:
    """DF(x) of ``field.combination(., coef)`` as a sparse matrix, exact to rounding.

    Parameters
    ----------
    field : NetworkField
    x : ndarray, shape (N d,)
    coef : dict
        Coefficients of cur, own, peer, lookahead (`float_coefficients`).
    colours : Colouring, optional
        Reused across points of the same field and coefficients.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (N d, N d)
    """
    colours = colours or colouring(field, coef)
    x = np.asarray(x, dtype=float).reshape(-1)
    seeds = np.zeros((colours.n_colours, x.size))
    seeds[colours.colour, np.arange(x.size)] = 1.0
    values = field.combination(x[None, :] + 1j * STEP * seeds, coef).imag / STEP
    rows, cols = colours.pattern.nonzero()
    data = values[colours.colour[cols], rows]
    return sps.csr_matrix((data, (rows, cols)), shape=(x.size, x.size))
