"""The local analysis of a branch point of H(phi, p) = F(phi, p) = 0.

At a simple branch point u* = (phi*, p*) the extended Jacobian
DH = [D_phi F, D_p F] (d x (d + 1)) has rank d - 1, a two-dimensional null
space spanned by orthonormal phi_1, phi_2 and a one-dimensional left null
space spanned by psi.

- `refine_branch_point`: Newton on Moore's extended system
  F + mu psi = 0, DH^T psi = 0, psi . psi = 1, which is regular at a simple
  branch point, puts a roughly located point on it.
- `branch_directions`: the tangents t = alpha phi_1 + beta phi_2 of the two
  branches through u*, the roots of Keller's algebraic bifurcation equation
  a_11 alpha^2 + 2 a_12 alpha beta + a_22 beta^2 = 0 with
  a_ij = psi^T D^2 H(u*)[phi_i, phi_j] (second derivatives by central
  differences of the exact Jacobian along the null vectors).

Used by the branch switching of `eqselect.numerics.continuation.switching`.
"""

from __future__ import annotations

import math

import numpy as np


def branch_directions(system, u, h: float = 1e-5, rank_tol: float = 1e-6):
    """Tangents of the two branches crossing at a simple branch point u = (phi*, p*).

    Solves Keller's algebraic bifurcation equation on the null space of
    DH(u) (module docstring, steps 1-2).

    Parameters
    ----------
    system : ExtendedField or FaceField
        ``jacobian(phi, p)`` gives DH, shape (d, d + 1).
    u : ndarray, shape (d + 1,)
        The branch point, p last.
    h : float
        Step of the central differences of DH along the null vectors.
    rank_tol : float
        The null space is two-dimensional when the (d - 1)-th singular value
        of DH exceeds ``rank_tol`` times the largest and the d-th does not.

    Returns
    -------
    directions : list of ndarray
        Two unit tangents in R^{d+1}; empty at a degenerate point.
    note : str
        Why the list is empty ("" otherwise).

    Examples
    --------
    Transcritical point of F(x, p) = x (p - x) at the origin: the branches
    x = 0 and x = p.

    >>> class F:
    ...     def jacobian(self, x, p):
    ...         return np.array([[p - 2 * x[0], x[0]]])
    >>> dirs, _ = branch_directions(F(), np.zeros(2))
    >>> sorted(np.round(np.abs(t), 6).tolist() for t in dirs)
    [[0.0, 1.0], [0.707107, 0.707107]]
    """
    d = len(u) - 1
    J = system.jacobian(u[:d], u[d])
    U, s, Vt = np.linalg.svd(J)
    scale = max(s[0] if s.size else 0.0, 1.0)
    if d >= 2 and s[d - 2] <= rank_tol * scale:
        return [], "the null space of [D_phi F, D_p F] has dimension > 2"
    if d >= 1 and s[d - 1] > rank_tol * scale:
        return [], "[D_phi F, D_p F] has full rank (no branch point)"
    Phi = Vt[d - 1:] if d >= 1 else np.eye(1)
    psi = U[:, d - 1] if d >= 1 else np.ones(0)
    A = np.empty((2, 2))
    for i in range(2):
        up, um = u + h * Phi[i], u - h * Phi[i]
        dJ = (system.jacobian(up[:d], up[d]) - system.jacobian(um[:d], um[d])) / (2 * h)
        A[i] = [psi @ dJ @ Phi[j] for j in range(2)]
    A = 0.5 * (A + A.T)
    m, Q = np.linalg.eigh(A)
    size = np.abs(m).max()
    if not np.all(np.isfinite(m)) or size <= 1e-8 or -m[0] * m[1] <= 1e-8 * size ** 2:
        return [], (f"degenerate branch point: the quadratic form of the second derivatives "
                    f"on the null space has eigenvalues {m[0]:.3g}, {m[1]:.3g}")
    out = []
    for sign in (1.0, -1.0):
        ab = Q @ np.array([math.sqrt(m[1]), sign * math.sqrt(-m[0])])
        t = ab @ Phi
        out.append(t / np.linalg.norm(t))
    return out, ""


def refine_branch_point(system, u, tol: float = 1e-12, max_iter: int = 12):
    """The branch point near u, by Newton on Moore's extended system.

    Unknowns z = (phi, p, mu, psi) in R^{2d+2}; equations

        F(phi, p) + mu psi = 0,    DH(phi, p)^T psi = 0,    psi . psi = 1,

    regular at a simple branch point (where mu = 0 and psi spans the left
    null space of DH). Its Jacobian is taken by central differences of the
    residual (which holds the exact DH). Event location by regula falsi on
    det [DH; t^T] is only approximate near a branch point (the corrector's
    bordered matrix is singular there); this puts it on the point.

    Returns
    -------
    ndarray, shape (d + 1,)
        The refined (phi*, p*), or u itself when Newton does not reach
        max|residual| <= ``tol`` or moves farther than 1e-2.
    """
    d = len(u) - 1
    psi = np.linalg.svd(system.jacobian(u[:d], u[d]))[0][:, -1] if d else np.zeros(0)

    def residual(z):
        x, p, mu, q = z[:d], z[d], z[d + 1], z[d + 2:]
        return np.concatenate([system.field(x, p) + mu * q, system.jacobian(x, p).T @ q,
                               [q @ q - 1.0]])

    z = np.concatenate([u, [0.0], psi])
    for _ in range(max_iter):
        r = residual(z)
        if not np.all(np.isfinite(r)):
            return u
        if np.max(np.abs(r)) <= tol:
            break
        h = 1e-7 * (1.0 + np.abs(z))
        J = np.column_stack([(residual(z + h[k] * e) - residual(z - h[k] * e)) / (2 * h[k])
                             for k, e in enumerate(np.eye(len(z)))])
        z = z - np.linalg.lstsq(J, r, rcond=None)[0]
    ok = np.all(np.isfinite(z)) and np.max(np.abs(residual(z))) <= 1e3 * tol
    return z[:d + 1] if ok and np.max(np.abs(z[:d + 1] - u)) <= 1e-2 else u


__all__ = ["branch_directions", "refine_branch_point"]
