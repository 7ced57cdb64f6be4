"""The baseline: a hand-written numpy closed form of Meta-MAPG on logit Stag Hunt.

Payoffs [[4, 0], [3, 2]] (row player; the column player's are the
transpose), p_i = sigma(theta_i), s_i = p_i (1 - p_i). With
dJ_1/dp_1 = 3 p_2 - 2 and dJ_1/dp_2 = 3 p_1 + 1 (and symmetrically):

    cur_1  = s_1 (3 p_2 - 2)
    own_1  = eta (d cur_1 / d theta_1) cur_1 = eta s_1 (1 - 2 p_1) (3 p_2 - 2) cur_1
    peer_1 = eta (d cur_2 / d theta_1) (dJ_1 / d theta_2) = eta (3 s_1 s_2) s_2 (3 p_1 + 1)

and u = cur + c own + lambda peer, stepped with the paper's schedule over
every start at once, as a careful numpy user would write it.
"""

import numpy as np


def field(theta, eta, c, lam):
    """u(theta) for theta of shape (n, 2)."""
    p = 0.5 * (1.0 + np.tanh(0.5 * theta))
    s = p * (1.0 - p)
    p1, p2, s1, s2 = p[:, 0], p[:, 1], s[:, 0], s[:, 1]
    g1, g2 = 3 * p2 - 2, 3 * p1 - 2
    cur1, cur2 = s1 * g1, s2 * g2
    own1 = eta * s1 * (1 - 2 * p1) * g1 * cur1
    own2 = eta * s2 * (1 - 2 * p2) * g2 * cur2
    peer1 = eta * 3 * s1 * s2 * s2 * (3 * p1 + 1)
    peer2 = eta * 3 * s1 * s2 * s1 * (3 * p2 + 1)
    return np.column_stack([cur1 + c * own1 + lam * peer1, cur2 + c * own2 + lam * peer2])


def basin_fraction(grid, steps, eta, c, lam, base, offset, power, clip, threshold):
    """Share of the grid linspace(0.05, 0.95, grid)^2 whose both p end >= threshold."""
    axis = np.linspace(0.05, 0.95, grid)
    p = np.stack([a.ravel() for a in np.meshgrid(axis, axis, indexing="ij")], axis=1)
    theta = np.log(p) - np.log1p(-p)
    del p
    for k in range(steps):
        theta = np.clip(theta + base / (k + offset) ** power * field(theta, eta, c, lam),
                        -clip, clip)
    ok = np.all(0.5 * (1.0 + np.tanh(0.5 * theta)) >= threshold, axis=1)
    return float(ok.mean())
