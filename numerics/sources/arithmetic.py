"""Numbers for the IPD's dynamic programming in float, mpmath or exact rational
arithmetic, and the exact linear solve of the discounted occupancy
(`eqselect.numerics.sources.markov`)."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

from eqselect.theory import GameError
from eqselect.theory.games.ipd import N_STATES

N_PARAMS = 2 * N_STATES
ARITHMETICS = ("float", "mpmath", "fraction")


def _points(theta, arithmetic: str) -> np.ndarray:
    """theta as an (n, 10) array in the requested arithmetic."""
    if arithmetic not in ARITHMETICS:
        raise GameError(f"unknown arithmetic {arithmetic!r}; valid: {', '.join(ARITHMETICS)}")
    if arithmetic == "float":
        pts = np.atleast_2d(np.asarray(theta, dtype=float))
    else:
        raw = np.atleast_2d(np.asarray(theta, dtype=object))
        pts = np.vectorize(lambda v: _scalar(v, arithmetic), otypes=[object])(raw)
    if pts.ndim != 2 or pts.shape[1] != N_PARAMS:
        raise GameError(f"IPD points need {N_PARAMS} coordinates (theta1_0..theta2_4); "
                        f"got shape {np.shape(theta)}")
    return pts


def _scalar(v, arithmetic: str):
    """One number in the requested arithmetic (floats enter Fraction by their decimal string)."""
    if arithmetic == "float":
        return float(v)
    if arithmetic == "fraction":
        if isinstance(v, mpmath.mpf):
            raise GameError(f"an mpmath number {v} cannot enter exact rational arithmetic")
        return Fraction(str(v)) if isinstance(v, float) else Fraction(v)
    if isinstance(v, Fraction):
        return mpmath.mpf(v.numerator) / v.denominator
    return mpmath.mpf(str(v)) if isinstance(v, float) else mpmath.mpf(v)


def _payoff_vectors(payoff, arithmetic: str) -> np.ndarray:
    """r, shape (4, 2): column i is agent i's payoff in outcomes CC, CD, DC, DD."""
    pay = np.asarray(payoff, dtype=object)
    if pay.shape != (2, 2):
        raise GameError(f"IPD payoff must be 2x2 (row player's), got shape {pay.shape}")
    row = [pay[0, 0], pay[0, 1], pay[1, 0], pay[1, 1]]
    col = [pay[0, 0], pay[1, 0], pay[0, 1], pay[1, 1]]
    if arithmetic != "float":
        return np.array([[_scalar(a, arithmetic), _scalar(b, arithmetic)]
                         for a, b in zip(row, col)], dtype=object)
    return np.array(list(zip(row, col)), dtype=float)


def _solve_right(B, A):
    """X with X A = B for B (n, ..., 4), A (n, 4, 4) (row-diagonally dominant)."""
    flat = B.reshape(B.shape[0], int(np.prod(B.shape[1:-1])), 4)
    if A.dtype != object:
        X = np.linalg.solve(np.swapaxes(A, 1, 2), np.swapaxes(flat, 1, 2))
        return np.swapaxes(X, 1, 2).reshape(B.shape)
    return _gauss_right(flat, A).reshape(B.shape)


def _gauss_right(B, A):
    """Exact elimination without pivoting for X A = B (A^T X^T = B^T).

    I - gamma P is strictly row-diagonally dominant for gamma < 1, so every
    Schur complement keeps a non-zero pivot.
    """
    M = np.swapaxes(A, 1, 2).copy()  # solve M Y = R, Y = X^T, R = B^T
    R = np.swapaxes(B, 1, 2).copy()
    m = M.shape[1]
    for c in range(m):
        piv = M[:, c, c]
        for r in range(m):
            if r == c:
                continue
            f = M[:, r, c] / piv
            M[:, r, :] = M[:, r, :] - f[:, None] * M[:, c, :]
            R[:, r, :] = R[:, r, :] - f[:, None] * R[:, c, :]
    Y = R / M[:, np.arange(m), np.arange(m)][:, :, None]
    return np.swapaxes(Y, 1, 2)
