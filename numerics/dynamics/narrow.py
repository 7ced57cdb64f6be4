"""Reductions across the few columns of a tall array (one row per start).

A basin map holds one row per start and a handful of columns (parameters,
action probabilities, attractors). numpy reduces along such a short axis
about twenty times slower than it applies an elementwise operation down
whole columns, so these reductions go column by column: ``row_max(a)`` is
``np.maximum(np.maximum(a[:, 0], a[:, 1]), ...)``. Maxima, minima and
logical reductions are exact whatever the order, so every result equals
numpy's own reduction along ``axis=1`` (a test holds them to it).
"""

from __future__ import annotations

import numpy as np

__all__ = ["row_all", "row_argmin", "row_max", "row_max_distance", "rows_finite"]


def row_max(a: np.ndarray) -> np.ndarray:
    """``a.max(axis=1)`` of a 2-D array with at least one column (NaN propagates).

    Examples
    --------
    >>> row_max(np.array([[1.0, 3.0], [4.0, 2.0]])).tolist()
    [3.0, 4.0]
    """
    out = np.array(a[:, 0], dtype=float)
    for j in range(1, a.shape[1]):
        np.maximum(out, a[:, j], out=out)
    return out


def row_max_distance(s: np.ndarray, point) -> np.ndarray:
    """``np.abs(s - point).max(axis=1)``: the max-norm distance of each row to ``point``.

    Examples
    --------
    >>> row_max_distance(np.array([[0.0, 1.0], [0.5, 0.5]]), [0.25, 1.0]).tolist()
    [0.25, 0.5]
    """
    point = np.asarray(point, dtype=float)
    out = np.abs(s[:, 0] - point[0])
    for j in range(1, s.shape[1]):
        np.maximum(out, np.abs(s[:, j] - point[j]), out=out)
    return out


def row_all(a: np.ndarray) -> np.ndarray:
    """``a.all(axis=1)`` of a 2-D boolean array (True for rows of no column).

    Examples
    --------
    >>> row_all(np.array([[True, False], [True, True]])).tolist()
    [False, True]
    """
    out = np.ones(a.shape[0], dtype=bool)
    for j in range(a.shape[1]):
        np.logical_and(out, a[:, j], out=out)
    return out


def rows_finite(a: np.ndarray) -> np.ndarray:
    """``np.isfinite(a).all(axis=1)``: which rows hold no NaN or infinity."""
    out = np.ones(a.shape[0], dtype=bool)
    for j in range(a.shape[1]):
        out &= np.isfinite(a[:, j])
    return out


def row_argmin(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index, value) of each row's smallest entry, the first one on ties.

    The index equals ``np.argmin(a, axis=1)`` on rows without NaN; a row
    holding NaN gets a NaN or infinite value (never a finite one), so a
    test ``value <= tol`` rejects it as numpy's NaN index would.

    Examples
    --------
    >>> index, value = row_argmin(np.array([[2.0, 1.0, 1.0], [0.5, np.inf, 3.0]]))
    >>> index.tolist(), value.tolist()
    ([1, 0], [1.0, 0.5])
    """
    index = np.zeros(a.shape[0], dtype=np.intp)
    value = np.array(a[:, 0], dtype=float)
    for j in range(1, a.shape[1]):
        better = a[:, j] < value
        index[better] = j
        value[better] = a[better, j]
    nan = np.zeros(a.shape[0], dtype=bool)
    for j in range(1, a.shape[1]):
        nan |= np.isnan(a[:, j])
    value[nan] = np.nan  # numpy's argmin points at the NaN: no finite value either
    return index, value
