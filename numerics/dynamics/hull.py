"""Distance from end points to a continuum of fixed points: the convex hull of its
extreme points (`eqselect.numerics.dynamics.attractors` names the continuum;
its extreme points come from the fixed-point search).
"""

from __future__ import annotations

import numpy as np

__all__ = ["hull_distance", "inside_hull"]


def hull_distance(s: np.ndarray, vertices) -> np.ndarray:
    """Max-norm distance of rows of s to the convex hull of the vertices: 0 inside
    (`inside_hull`), else an upper bound.

    Outside, each segment between two vertices offers the point nearest to
    the row in the Euclidean sense, and the bound is the smallest max-norm
    offset to such a point. For a point, a segment or a polygon (whose
    boundary is such segments) it lies between the true distance d and
    sqrt(S) d, S the number of coordinates (the Euclidean nearest point is
    no farther than sqrt(S) d in the Euclidean norm); for a polytope of higher
    dimension, whose boundary has two-dimensional faces, it is a bound only.
    """
    v = np.asarray(vertices, dtype=float)
    best = np.abs(s[:, None, :] - v[None, :, :]).max(axis=2).min(axis=1)
    for a in range(len(v)):
        for b in range(a + 1, len(v)):
            e = v[b] - v[a]
            t = np.clip((s - v[a]) @ e / max(float(e @ e), 1e-300), 0.0, 1.0)
            best = np.minimum(best, np.abs(s - v[a] - t[:, None] * e).max(axis=1))
    best[inside_hull(s, v)] = 0.0
    return best


def inside_hull(s: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rows of s in the convex hull of the rows of v (a continuum of two or more
    dimensions: every fixed point of a game whose field vanishes is one).

    The test runs in the vertices' affine span (an orthonormal basis from the
    SVD): a row off the span is outside; in it, a Delaunay triangulation of
    the vertices finds the row's simplex, or none.
    """
    inside = np.zeros(len(s), dtype=bool)
    if len(v) < 3 or not len(s):
        return inside
    centre = v.mean(axis=0)
    _, sv, vt = np.linalg.svd(v - centre, full_matrices=False)
    k = int(np.sum(sv > 1e-12 * max(1.0, sv[0])))
    if k < 2:  # a point or a segment: the segments are exact
        return inside
    basis = vt[:k]
    y = (s - centre) @ basis.T
    near = np.abs(s - centre - y @ basis).max(axis=1) <= 1e-9
    if not near.any():
        return inside
    from scipy.spatial import Delaunay
    from scipy.spatial import QhullError

    try:
        found = Delaunay((v - centre) @ basis.T).find_simplex(y[near], tol=1e-12)
    except QhullError:  # vertices Qhull cannot triangulate: the segments' bound stands
        return inside
    inside[np.flatnonzero(near)[found >= 0]] = True
    return inside
