"""The second baseline: the same closed form as `benchmarks.stag_hunt_numpy`, in numba.

What a careful numba user writes by hand for Meta-MAPG on logit Stag Hunt:
one ``prange`` over the starts (every core), each start stepped through the
paper's schedule with the update of `benchmarks.stag_hunt_numpy.field`
written out in scalars (p_i = sigma(theta_i) by tanh, as there), no
fastmath. The rates lr_k are computed once, in Python floats, like
eqselect's kernel.
"""

import math

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, parallel=True, error_model="numpy")
def _run(theta, rates, eta, c, lam, clip, threshold):
    n = theta.shape[0]
    ok = np.zeros(n, dtype=np.bool_)
    for i in numba.prange(n):
        t1, t2 = theta[i, 0], theta[i, 1]
        for k in range(rates.shape[0]):
            p1 = 0.5 * (1.0 + math.tanh(0.5 * t1))
            p2 = 0.5 * (1.0 + math.tanh(0.5 * t2))
            s1, s2 = p1 * (1.0 - p1), p2 * (1.0 - p2)
            g1, g2 = 3.0 * p2 - 2.0, 3.0 * p1 - 2.0
            cur1, cur2 = s1 * g1, s2 * g2
            own1 = eta * s1 * (1.0 - 2.0 * p1) * g1 * cur1
            own2 = eta * s2 * (1.0 - 2.0 * p2) * g2 * cur2
            peer1 = eta * 3.0 * s1 * s2 * s2 * (3.0 * p1 + 1.0)
            peer2 = eta * 3.0 * s1 * s2 * s1 * (3.0 * p2 + 1.0)
            t1 = min(max(t1 + rates[k] * (cur1 + c * own1 + lam * peer1), -clip), clip)
            t2 = min(max(t2 + rates[k] * (cur2 + c * own2 + lam * peer2), -clip), clip)
        ok[i] = (0.5 * (1.0 + math.tanh(0.5 * t1)) >= threshold
                 and 0.5 * (1.0 + math.tanh(0.5 * t2)) >= threshold)
    return ok


def basin_fraction(grid, steps, eta, c, lam, base, offset, power, clip, threshold):
    """Share of the grid linspace(0.05, 0.95, grid)^2 whose both p end >= threshold."""
    axis = np.linspace(0.05, 0.95, grid)
    p = np.stack([a.ravel() for a in np.meshgrid(axis, axis, indexing="ij")], axis=1)
    theta = np.log(p) - np.log1p(-p)
    rates = np.array([base / (k + offset) ** power for k in range(steps)], dtype=float)
    return float(_run(theta, rates, eta, c, lam, clip, threshold).mean())
