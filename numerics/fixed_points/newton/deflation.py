"""Deflation of found roots (Farrell, Birkisson & Funke 2015, SIAM J. Sci. Comput. 37(1), A2026).

After roots r_1..r_k are known, Newton is run on

    G(x) = M(x) F(x),   M(x) = prod_j (1 / ||x - r_j||^2 + 1),

so that an iteration cannot return to a found root. With the undeflated
step delta = -DF(x)^+ F(x), Sherman-Morrison gives the deflated step in
closed form (their shifted deflation, p = 2, shift 1):

    step = delta / (1 - grad(log M)(x) . delta),
    grad(log M)(x) = sum_j -2 (x - r_j) / (s_j (1 + s_j)),  s_j = ||x - r_j||^2.
"""

from __future__ import annotations

import numpy as np


def deflation_operator(x, roots) -> tuple[np.ndarray, np.ndarray]:
    """M(x) = prod_j (1/||x - r_j||^2 + 1) and grad log M(x), vectorised.

    Parameters
    ----------
    x : ndarray, shape (n, d)
    roots : ndarray, shape (k, d)

    Returns
    -------
    m : ndarray, shape (n,)
    grad_log_m : ndarray, shape (n, d)
        sum_j -2 (x - r_j) / (s_j (1 + s_j)), s_j = ||x - r_j||^2.

    Examples
    --------
    >>> m, g = deflation_operator(np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]))
    >>> float(m[0]), g.tolist()
    (2.0, [[-1.0, 0.0]])
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    roots = np.asarray(roots, dtype=float).reshape(-1, x.shape[1])
    diff = x[:, None, :] - roots[None, :, :]  # (n, k, d)
    s = np.einsum("nkd,nkd->nk", diff, diff)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.prod(1.0 / s + 1.0, axis=1)
        g = np.sum(-2.0 * diff / (s * (1.0 + s))[:, :, None], axis=1)
    return m, g


def deflated_step(delta, x, roots) -> np.ndarray:
    """The Newton step of G = M F from the Newton step delta of F.

    step = delta / (1 - grad(log M)(x) . delta) (Sherman-Morrison on
    DG = M DF + F grad(M)^T, Farrell et al. 2015); with no roots the step is delta. Rows whose denominator
    vanishes come back as inf (the caller treats them as failed).

    Examples
    --------
    >>> deflated_step(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]]), np.zeros((0, 2))).tolist()
    [[1.0, 0.0]]
    """
    delta = np.atleast_2d(delta)
    if len(roots) == 0:
        return delta
    _, g = deflation_operator(x, roots)
    denom = 1.0 - np.einsum("nd,nd->n", g, delta)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = delta / denom[:, None]
    out[~np.isfinite(out).all(axis=1)] = np.inf
    return out


__all__ = ["deflated_step", "deflation_operator"]
