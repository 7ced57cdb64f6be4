"""The predictor and corrector of pseudo-arclength continuation (Keller 1977).

- `tangent`: the unit tangent t of H(u) = F(phi, p) = 0, oriented along the
  previous one: [DH; t_prev^T] t = e_{d+1};
- `correct`: Newton on [H(u); t . (u - u_pred)] = 0, the hyperplane through
  the predicted point u_pred = u_k + ds t_k orthogonal to t_k.
"""

from __future__ import annotations

import math

import numpy as np

from eqselect.numerics.continuation.system import ExtendedField


def tangent(jac_ext: np.ndarray, t_ref: np.ndarray) -> np.ndarray:
    """Unit tangent t of H = 0: [DH; t_ref^T] t = e_{d+1}, so t . t_ref > 0.

    Falls back to the SVD null vector (oriented along t_ref) when the bordered
    matrix is singular.

    Examples
    --------
    >>> tangent(np.array([[1.0, -1.0]]), np.array([0.0, 1.0])).round(6).tolist()
    [0.707107, 0.707107]
    """
    d1 = jac_ext.shape[1]
    A = np.vstack([jac_ext, t_ref])
    b = np.zeros(d1)
    b[-1] = 1.0
    try:
        t = np.linalg.solve(A, b)
        if not np.all(np.isfinite(t)) or np.linalg.cond(A) > 1e13:
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        t = np.linalg.svd(jac_ext)[2][-1]
        if t @ t_ref < 0:
            t = -t
    return t / np.linalg.norm(t)


def correct(system: ExtendedField, u_pred: np.ndarray, t: np.ndarray,
            tol: float, max_iter: int) -> tuple[np.ndarray, int, bool]:
    """Newton on [F(u); t . (u - u_pred)] = 0 from u_pred.

    Returns
    -------
    u : ndarray, shape (d + 1,)
        (phi, p), the parameter last.
    iterations : int
    converged : bool
        max|F(u)| <= tol and the last Newton step below sqrt(tol).
    """
    u = u_pred.copy()
    d = system.dim
    step = math.inf
    for it in range(max_iter + 1):
        F = system.field(u[:d], u[d])
        if not np.all(np.isfinite(F)):
            return u, it, False
        if np.max(np.abs(F), initial=0.0) <= tol and step <= math.sqrt(tol):
            return u, it, True
        if it == max_iter:
            break
        A = np.vstack([system.jacobian(u[:d], u[d]), t])
        if not np.all(np.isfinite(A)):
            return u, it, False
        G = np.append(F, t @ (u - u_pred))
        try:
            du = np.linalg.solve(A, -G)
        except np.linalg.LinAlgError:
            return u, it, False
        if not np.all(np.isfinite(du)):
            return u, it, False
        u = u + du
        step = float(np.max(np.abs(du)))
    return u, max_iter, False


__all__ = ["correct", "tangent"]
