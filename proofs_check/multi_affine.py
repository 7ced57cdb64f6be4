"""The minimum of a block-affine polynomial over a product of simplices, exactly.

Let the parameters be cut into blocks (one per agent and state in the direct
parameterisation), block b ranging over the simplex
S_b = {x >= 0, sum x <= 1} (a block of one coordinate: [0, 1]). When a
polynomial g has total degree at most 1 in the coordinates of every block,
fixing all blocks but one leaves g affine on a simplex, whose minimum lies at
a vertex (0 or a unit vector e_k); repeating the argument block by block,

    min over S_1 x ... x S_B of g  =  min over the vertices of the product of g,

a finite set of exact points (pure profiles). So g >= 0 on the region exactly
when g >= 0 at every vertex, and a vertex where g < 0 is an exact
counterexample. No interval enclosure is involved, so the sign does not
depend on the size of g's coefficients (a payoff of 10^6 beside payoffs of 2
makes naive enclosures of g useless near a vertex, where g's negative set
can be 10^-6 wide).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import sympy as sp

#: Vertices of the product region past which the exact vertex route is not taken.
MAX_VERTICES = 4096


@dataclass(frozen=True)
class VertexMinimum:
    """The smallest value of g over the vertices of the region.

    Attributes
    ----------
    point : tuple of sympy.Integer
        The first vertex (in the order of `itertools.product` over the
        blocks) where g < 0; when there is none, a vertex of smallest value.
    value : sympy.Expr
        g there, exact.
    negative : bool
        value < 0 (proven exactly).
    n_vertices : int
        Vertices evaluated.
    """

    point: tuple
    value: object
    negative: bool
    n_vertices: int


def parameter_blocks(d: int, simplex_blocks=()) -> tuple:
    """Every parameter index in exactly one block: the simplex blocks, then singletons."""
    held = {k for b in simplex_blocks for k in b}
    return tuple(tuple(b) for b in simplex_blocks) + tuple((k,) for k in range(d)
                                                           if k not in held)


def is_block_affine(g, symbols, blocks) -> bool:
    """Whether the polynomial g has total degree <= 1 in every block's symbols."""
    if not g.is_polynomial(*symbols):
        return False
    return all(sp.Poly(g, *[symbols[k] for k in b]).total_degree() <= 1 for b in blocks)


def _block_vertices(block):
    """0 and the unit vectors of one block (its simplex's vertices), as {index: value}."""
    return [{k: 0 for k in block}] + [{k: int(k == j) for k in block} for j in block]


def vertex_minimum(g, symbols, blocks) -> VertexMinimum | None:
    """The minimum of a block-affine g over the product of the blocks' simplices.

    Returns None when g is not block-affine, the region has more than
    `MAX_VERTICES` vertices, or the sign of a vertex value is not decided
    exactly (sympy's ``is_negative`` is None).

    Examples
    --------
    >>> x, y = sp.symbols("x y")
    >>> m = vertex_minimum(4 * x * y - x - y + sp.Rational(1, 5), (x, y), ((0,), (1,)))
    >>> m.point, m.value, m.negative
    ((0, 1), -4/5, True)
    """
    if not is_block_affine(g, symbols, blocks):
        return None
    n = math.prod(len(b) + 1 for b in blocks)
    if n > MAX_VERTICES:
        return None
    best = None
    for choice in itertools.product(*(_block_vertices(b) for b in blocks)):
        at = {k: x for part in choice for k, x in part.items()}
        point = tuple(sp.Integer(at[k]) for k in range(len(symbols)))
        value = g.xreplace(dict(zip(symbols, point)))
        neg = value.is_negative
        if neg is None:
            return None
        if neg:  # the first vertex where g < 0 is the counterexample
            return VertexMinimum(point, value, True, n)
        if best is None or (value - best.value).is_negative:
            best = VertexMinimum(point, value, False, n)
    return best
