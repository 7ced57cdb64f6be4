"""Two basin maps of one game compared: an overlay and a difference map.

For two rules A and B run from the same starts, each start either reaches
the outcome the maps' fraction counts (`counted`) or not. The overlay draws
A's map with the boundary of B's counted region over it; the difference map
colours each start by the pair: both, only A, only B, neither, with the
share of each in the legend. The figure of ``eqselect basins --method A B
--compare``.
"""

from __future__ import annotations

import numpy as np

from eqselect.numerics.plots.portrait import draw_basin, draw_starts, plane_of
from eqselect.numerics.plots.style import OKABE_ITO, finish, new_figure, probability_label

#: The four cases of the difference map, in order of their value 0..3.
CASES = ("neither", "only {b}", "only {a}", "both")
CASE_COLORS = ("#DDDDDD", OKABE_ITO[7], OKABE_ITO[1], OKABE_ITO[3])


def counted(bm) -> np.ndarray:
    """Per start, whether it reaches what the map's fraction counts (bool, shape (n,))."""
    if bm.preferred is not None and bm.attractors and bm.labels is not None:
        names = [a.name for a in bm.attractors]
        return np.asarray(bm.labels) == names.index(bm.preferred)
    if bm.success is None:
        raise ValueError("the map counts neither a preferred attractor nor a success predicate")
    return np.asarray(bm.success, dtype=bool)


def difference(a, b) -> tuple[np.ndarray, dict]:
    """(case per start, 0..3 as in `CASES`; share of each case by name)."""
    ca, cb = counted(a), counted(b)
    if ca.shape != cb.shape:
        raise ValueError("the two maps have different starts")
    case = 2 * ca.astype(int) + cb.astype(int)
    names = [c.format(a=a.method, b=b.method) for c in CASES]
    return case, {n: float(np.mean(case == k)) for k, n in enumerate(names)}


def compare_plot(a, b, path=None, size=(7.0, 4.3)):
    """Overlay (A's map, B's boundary) and difference map of two basin maps.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (left, right) = new_figure(1, 2, figsize=size)
    draw_basin(left, a)
    plane, grid = plane_of(b)
    cb = counted(b).astype(float)
    if grid is not None and len(plane) == grid * grid:
        left.contour(plane[::grid, 0], plane[:grid, 1], cb.reshape(grid, grid).T, levels=[0.5],
                     colors="black", linewidths=1.6)
    left.set_title(f"{a.method} map; black: edge of\n{b.method}'s region", fontsize=9)
    case, shares = difference(a, b)
    names = [f"{n}: {100 * s:.1f}%" for n, s in shares.items()]
    draw_starts(right, plane, case, CASE_COLORS, names, grid)
    counted_what = a.preferred or "success predicate"
    right.set_title(f"reaching {counted_what}:\n{a.method} vs {b.method}", fontsize=9)
    axes = getattr(a.problem.starts, "axes", None)
    labels = ([f"initial P({n})" for n in axes] if axes else
              [probability_label(a.problem.game, k, True) for k in range(2)])
    for ax in (left, right):
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.tick_params(labelsize=8)
        ax.set_xlabel(labels[0], fontsize=8)
        ax.set_ylabel(labels[1], fontsize=8)
    return finish(fig, path)
