"""Jacobians by central differences, for fields too large to differentiate in code.

The Jacobian of a shaped field holds third derivatives of the values J_i.
For a small game it is compiled from the exact expressions; for a large one
(the discounted IPD's Meta-MAPG field has about 12 000 operations after
common-subexpression elimination, its Jacobian an order of magnitude more)
generating and compiling it costs minutes, while F itself compiles in a
second. Past `SYMBOLIC_JACOBIAN_OPS` the Jacobian is taken from F by
central differences instead (docs/limits.md, "Large fields"):

    DF(x)[:, k] ~ (F(x + h_k e_k) - F(x - h_k e_k)) / (2 h_k),
    h_k = step * max(1, |x_k|),

with error O(h^2 |F'''|) + O(eps / h). In double precision step = eps^(1/3)
(about 6e-6) balances the two, so about 10 digits are right: enough for
Newton's steps, whose convergence then stays fast (the root itself is set
by F, not by DF). At mpmath precision dps, step = 10^(-dps/3) leaves about
2 dps / 3 right digits, enough for the polish and for the eigenvalues that
classify stability.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, Sequence

import mpmath
import numpy as np
import symengine as se

from eqselect.theory.engine import to_engine

#: Field size (operations after cse) past which Jacobians come from differences.
SYMBOLIC_JACOBIAN_OPS = 4000
#: Relative step of double-precision central differences: eps^(1/3).
FLOAT_STEP = float(np.finfo(float).eps) ** (1 / 3)


def field_operations(exprs: Sequence) -> int:
    """Operations in the common-subexpression form of ``exprs`` (symengine).

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> field_operations([x * y + 1, (x * y + 1) ** 2])
    3
    """
    return _operations(tuple(to_engine(e) for e in exprs))


@lru_cache(maxsize=64)
def _operations(exprs: tuple) -> int:
    reps, reduced = se.cse(list(exprs))
    return int(sum(se.count_ops(v) for _, v in reps) + sum(se.count_ops(e) for e in reduced))


def differences_needed(exprs: Sequence) -> bool:
    """Whether a field is too large for a compiled exact Jacobian."""
    return field_operations(exprs) > SYMBOLIC_JACOBIAN_OPS


def central_jacobian(field: Callable[[np.ndarray], np.ndarray], x) -> np.ndarray:
    """DF at many points by central differences of a vectorised F (see module docstring).

    Parameters
    ----------
    field : callable
        ``field(x)``: x shape (n, d) -> shape (n, m).
    x : array_like, shape (n, d) or (d,)

    Returns
    -------
    ndarray, shape (n, m, d) (or (m, d) for one point)

    Examples
    --------
    >>> f = lambda x: np.stack([x[:, 0] ** 2 * x[:, 1], np.sin(x[:, 1])], axis=1)
    >>> np.round(central_jacobian(f, [1.0, 2.0]), 8).tolist()
    [[4.0, 1.0], [0.0, -0.41614684]]
    """
    x = np.asarray(x, dtype=float)
    one = x.ndim == 1
    x = np.atleast_2d(x)
    n, d = x.shape
    h = FLOAT_STEP * np.maximum(1.0, np.abs(x))           # (n, d)
    shifted = np.repeat(x[None, :, :], 2 * d, axis=0)     # (2d, n, d)
    for k in range(d):
        shifted[k, :, k] += h[:, k]
        shifted[d + k, :, k] -= h[:, k]
    # the step actually taken, after rounding of x + h and x - h
    taken = shifted[np.arange(d), :, np.arange(d)] - shifted[d + np.arange(d), :, np.arange(d)]
    values = field(shifted.reshape(2 * d * n, d)).reshape(2 * d, n, -1)
    jac = (values[:d] - values[d:]) / taken[:, :, None]   # (d, n, m)
    jac = np.transpose(jac, (1, 2, 0))
    return jac[0] if one else jac


def mp_central_jacobian(field: Callable, x) -> mpmath.matrix:
    """DF at one point by central differences at the current mpmath precision.

    Parameters
    ----------
    field : callable
        ``field(x)`` -> mpmath column (length m) for a sequence x of mpf.
    x : sequence of mpmath.mpf, length d

    Returns
    -------
    mpmath.matrix, shape (m, d)

    Examples
    --------
    >>> f = lambda x: mpmath.matrix([x[0] ** 2 * x[1], mpmath.sin(x[1])])
    >>> with mpmath.workdps(30):
    ...     J = mp_central_jacobian(f, [mpmath.mpf(1), mpmath.mpf(2)])
    ...     print(mpmath.nstr(J[1, 1], 15))
    -0.416146836547142
    """
    x = [mpmath.mpf(c) for c in x]
    step = mpmath.mpf(10) ** (-(mpmath.mp.dps // 3))
    columns = []
    for k in range(len(x)):
        h = step * max(mpmath.mpf(1), abs(x[k]))
        up, down = list(x), list(x)
        up[k] += h
        down[k] -= h
        columns.append((field(up) - field(down)) / (2 * h))
    m = len(columns[0])
    return mpmath.matrix([[columns[k][r] for k in range(len(x))] for r in range(m)])


__all__ = ["FLOAT_STEP", "SYMBOLIC_JACOBIAN_OPS", "central_jacobian", "differences_needed",
           "field_operations", "mp_central_jacobian"]
