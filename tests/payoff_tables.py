"""v and the peer term of a direct 2x2 game from its payoff tables: the tests' reference.

J_1 = sum A[i][j] s_i t_j and J_2 = sum B[i][j] s_i t_j with s = (x, 1 - x),
t = (y, 1 - y); v = (dJ_1/dx, dJ_2/dy); peer_1 = eta d(dJ_2/dy)/dx dJ_1/dy and
peer_2 = eta d(dJ_1/dx)/dy dJ_2/dx (docs/theory.md). Written apart from
eqselect's derivation, so the checker's tests compare two computations.
"""

import sympy as sp


def v_and_peer(A, B, x, y, eta):
    """(v, peer) as 2 x 1 sympy matrices in the symbols ``x`` and ``y``."""
    s, t = (x, 1 - x), (y, 1 - y)
    J1 = sum(A[i][j] * s[i] * t[j] for i in range(2) for j in range(2))
    J2 = sum(B[i][j] * s[i] * t[j] for i in range(2) for j in range(2))
    v = sp.Matrix([sp.diff(J1, x), sp.diff(J2, y)])
    peer = sp.Matrix([eta * sp.diff(v[1], x) * sp.diff(J1, y),
                      eta * sp.diff(v[0], y) * sp.diff(J2, x)])
    return v, peer
