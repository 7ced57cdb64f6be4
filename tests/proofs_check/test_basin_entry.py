"""A3 (basin entry) against computations written here, independently of eqselect's own.

Direct 2x2 games: the saddle, its stable eigenvector and <M, n_P> along the eigen-line
are derived in the test from the payoff tables (J_i = x^T A_i y, peer from its
definition). Logit games: the separatrix is integrated backwards from the saddle at
30 digits with mpmath (RK4, n_P from the traced curve's own chord, not from v) and
the sign of <M, n_P> is compared with the verdict.
"""

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from eqselect.numerics.shaping import ShapingField
from eqselect.proofs_check.adapter import FixedPoint
from eqselect.proofs_check.basin_entry import check_a3, exact_sign
from eqselect.proofs_check.verdict import PointReport
from eqselect.theory import Decomposition, entropy_regularized, normal_form_game
from eqselect.theory.rules import Rule
from payoff_tables import v_and_peer

ETA = sp.Rational(11, 20)
x, y = sp.symbols("x y")


def _point(label, pt, exact=None):
    return PointReport(label, tuple(float(v) for v in pt), exact, ())


def _saddle(pt, exact=None):
    return FixedPoint(tuple(float(v) for v in pt), exact, (), "saddle", None, False,
                      "test", 0.0)


def _independent_direct(A, B):
    """(saddle, stable vector w, normal n towards (1, 1), M = peer) from the tables.

    J_1 = sum A[i][j] s_i t_j with s = (x, 1 - x), t = (y, 1 - y); likewise J_2 with B.
    peer_1 = eta d(dJ_2/dy)/dx * dJ_1/dy, peer_2 = eta d(dJ_1/dx)/dy * dJ_2/dx.
    """
    v, peer = v_and_peer(A, B, x, y, ETA)
    sol = sp.solve(list(v), [x, y], dict=True)[0]
    k1, k2 = sp.diff(v[0], y), sp.diff(v[1], x)
    w = sp.Matrix([sp.sqrt(k1), -sp.sqrt(k2)])  # J w = -sqrt(k1 k2) w
    n = sp.Matrix([sp.sqrt(k2), sp.sqrt(k1)])  # w rotated, positive components: towards (1, 1)
    return (sol[x], sol[y]), w, n, peer, (k1, k2)


base, gap = st.integers(-4, 4), st.integers(1, 6)


@given(a=st.tuples(base, base, gap, gap), b=st.tuples(base, base, gap, gap))
def test_direct_a3_matches_the_eigen_line_computed_here(a, b):
    """Random coordination-type 2x2 games (two strict pure equilibria (1,1) and (0,0),
    hence an interior saddle): A3's verdict and the extreme values of
    <M, n_P / |n_P|> on Sigma agree with the saddle's stable eigen-line derived here."""
    (c1, b1, p1, q1), (c2, b2, p2, q2) = a, b
    A = [[c1 + p1, b1], [c1, b1 + q1]]  # A00 > A10, A11 > A01
    B = [[b2 + p2, b2], [c2, c2 + q2]]  # B00 > B01, B11 > B10
    game = normal_form_game([A, B], "direct", name="random")
    sf = ShapingField(Decomposition(game, eta=ETA), Rule("peer-only"))
    saddle, w, n, peer, _ = _independent_direct(A, B)
    v = check_a3(sf, [_saddle(saddle, saddle)], _point("P", (1, 1), (1, 1)),
                 _point("R", (0, 0), (0, 0)))
    assert v.certified.value == "exact"
    # <M, n> along saddle + r w is affine in r: its extremes are at the box walls
    r = sp.Symbol("r")
    line = [saddle[0] + r * w[0], saddle[1] + r * w[1]]
    ends = []
    for k in range(2):
        for wall in (0, 1):
            rk = sp.solve(sp.Eq(line[k], wall), r)[0]
            other = line[1 - k].subs(r, rk)
            if sp.N(other, 30) >= -1e-25 and sp.N(other, 30) <= 1 + 1e-25:
                ends.append(rk)
    g = (peer.subs({x: line[0], y: line[1]}).T * n)[0] / sp.sqrt(n.dot(n))
    mine = sorted(float(sp.N(g.subs(r, e), 30)) for e in ends)
    expected = all(sp.N(g.subs(r, e), 30) > 0 for e in ends)
    assert v.holds is expected
    # the verdict's own values: its unnormalised inner product at its segment's ends
    nv = sp.Matrix(v.values["normal_toward_P"])
    lo, hi = v.values["s_range"]
    theirs = sorted(float(sp.N(v.values["inner_product"].subs(sp.Symbol("s"), e)
                               / sp.sqrt(nv.dot(nv)), 30)) for e in (lo, hi))
    assert theirs == pytest.approx([mine[0], mine[-1]], rel=1e-12, abs=1e-12)


def test_an_irrational_stable_eigenvector_gives_an_exact_algebraic_value():
    """Row [[4, 0], [3, 2]], column [[5, 2], [0, 2]]: k1 = 3, k2 = 5, so the stable
    eigenvector (sqrt 3, -sqrt 5) is irrational; <M, n_P> is the exact constant
    121/20 + 11 sqrt(15)/10 (scaled as the verdict's normal (1, sqrt(15)/5))."""
    A, B = [[4, 0], [3, 2]], [[5, 2], [0, 2]]
    game = normal_form_game([A, B], "direct", name="irrational-eigenvector")
    sf = ShapingField(Decomposition(game, eta=ETA), Rule("peer-only"))
    saddle, w, n, peer, _ = _independent_direct(A, B)
    v = check_a3(sf, [_saddle(saddle, saddle)], _point("P", (1, 1), (1, 1)),
                 _point("R", (0, 0), (0, 0)))
    assert (v.holds, v.certified.value) == (True, "exact")
    g = v.values["inner_product"]
    assert sp.simplify(g - (sp.Rational(121, 20) + 11 * sp.sqrt(15) / 10)) == 0
    nv = sp.Matrix(v.values["normal_toward_P"])
    mine = (peer.subs({x: saddle[0], y: saddle[1]}).T * n)[0] / sp.sqrt(n.dot(n))
    assert sp.simplify(g / sp.sqrt(nv.dot(nv)) - mine) == 0


def test_exact_sign_of_algebraic_numbers():
    assert exact_sign(sp.sqrt(2) - sp.Rational(99, 70)) == -1
    assert exact_sign(sp.sqrt(3) + sp.sqrt(2) - sp.sqrt(5 + 2 * sp.sqrt(6))) == 0
    assert exact_sign(sp.Rational(33, 10) - 77 * sp.sqrt(5) / 40) == -1


# -- logit, entropy-regularised ------------------------------------------------------------

def _regularised(A, tau):
    B = [[A[j][i] for j in range(2)] for i in range(2)]
    g = entropy_regularized(normal_form_game([A, B], "logit", name="game"), tau).substitute()
    return g, Decomposition(g, eta=ETA)


def _newton(f, jac, start, dps=30):
    with mpmath.workdps(dps):
        z = mpmath.matrix([mpmath.mpf(s) for s in start])
        for _ in range(60):
            z = z - mpmath.lu_solve(mpmath.matrix(jac(*z)), mpmath.matrix(f(*z)))
        return [z[0], z[1]]


def _trace_independently(dec, saddle, bound, h=0.05, dps=30):
    """Sigma by RK4 on phi' = -v / |v| at ``dps`` digits, from the saddle along the
    stable eigenvector (both halves), until the square [-bound, bound]^2 is left."""
    th = dec.game.parameters
    f = sp.lambdify(th, list(dec.cur), "mpmath")
    J = sp.lambdify(th, dec.cur.jacobian(sp.Matrix(th)), "mpmath")
    with mpmath.workdps(dps):
        ev, vecs = mpmath.eig(mpmath.matrix(J(*saddle)))
        i = min(range(2), key=lambda k: mpmath.re(ev[k]))
        w = [mpmath.re(vecs[0, i]), mpmath.re(vecs[1, i])]

        def g(p):
            u = f(*p)
            nrm = mpmath.sqrt(u[0] ** 2 + u[1] ** 2)
            return [-u[0] / nrm, -u[1] / nrm]

        halves = []
        for sign in (1, -1):
            p = [saddle[0] + sign * mpmath.mpf("1e-8") * w[0],
                 saddle[1] + sign * mpmath.mpf("1e-8") * w[1]]
            pts = [list(saddle), p]
            while max(abs(p[0]), abs(p[1])) < bound and len(pts) < 4000:
                k1 = g(p)
                k2 = g([p[j] + h / 2 * k1[j] for j in range(2)])
                k3 = g([p[j] + h / 2 * k2[j] for j in range(2)])
                k4 = g([p[j] + h * k3[j] for j in range(2)])
                p = [p[j] + h * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]) / 6 for j in range(2)]
                pts.append(p)
            halves.append(pts)
    return halves


def _signs_along(dec, M, halves, toward_P, dps=30):
    """<M, n_P> at the midpoints of the traced chords, n_P the chord rotated by 90 degrees
    towards P (oriented at the saddle), as mpf values: [(point, value)]."""
    fM = sp.lambdify(dec.game.parameters, list(M), "mpmath")
    out = []
    with mpmath.workdps(dps):
        for half in halves:
            a, b = half[0], half[1]
            n0 = [-(b[1] - a[1]), b[0] - a[0]]
            orient = 1 if n0[0] * toward_P[0] + n0[1] * toward_P[1] > 0 else -1
            for p, q in zip(half[1:-1], half[2:]):
                n = [-(q[1] - p[1]) * orient, (q[0] - p[0]) * orient]
                mid = [(p[j] + q[j]) / 2 for j in range(2)]
                m = fM(*mid)
                out.append(([float(c) for c in mid],
                            (m[0] * n[0] + m[1] * n[1]) / mpmath.sqrt(n[0] ** 2 + n[1] ** 2)))
    return out


def _logit_case(A, tau, rule, starts):
    """(sf, fixed points, P, R, saddle) with P, R, the saddle by 30-digit Newton from
    ``starts`` = (P's, R's, the saddle's)."""
    g, dec = _regularised(A, tau)
    th = g.parameters
    f = sp.lambdify(th, list(dec.cur), "mpmath")
    J = sp.lambdify(th, dec.cur.jacobian(sp.Matrix(th)), "mpmath")
    P, R, S = (_newton(f, J, s) for s in starts)
    sf = ShapingField(dec, Rule(rule))
    return sf, dec, P, R, S


@pytest.fixture(scope="module")
def coordination():
    """[[2, 0], [0, 1]], logit, tau = 1/10, peer-only: P near theta = (20, 20)."""
    return _logit_case([[2, 0], [0, 1]], sp.Rational(1, 10), "peer-only",
                       [(20, 20), (-10, -10), (-0.8, -0.8)])


def test_coordination_tau_one_tenth_a3_is_false_with_a_point_on_sigma(coordination):
    sf, dec, P, R, S = coordination
    assert float(P[0]) == pytest.approx(20.0, abs=0.1)  # the saturated (C, C)-side point
    v = check_a3(sf, [_saddle(S)], _point("C,C", P), _point("D,D", R))
    assert (v.holds, v.certified.value) == (False, "trace-certified")
    pt = np.array(v.values["counterexample"])
    lo, hi = v.values["value_there"]
    assert hi < 0
    assert v.evidence["bracket"]["reached"] == ["P", "R"]
    # the independent trace passes within 1e-3 of the point, and <M, n_P> is negative there
    toward = [float(P[0]) - float(S[0]), float(P[1]) - float(S[1])]
    along = _signs_along(dec, sf.M, _trace_independently(dec, S, 22), toward)
    d, val = min(((np.linalg.norm(np.array(q) - pt), val) for q, val in along),
                 key=lambda t: t[0])
    assert d < 1e-2 and val < 0
    assert float(val) == pytest.approx(lo, rel=0.05)


@pytest.mark.parametrize("A, tau, rule, starts", [
    ([[4, 0], [3, 2]], sp.Rational(1, 4), "meta-mapg", [(3.7, 3.7), (-8, -8), (1.2, 1.2)]),
    ([[2, 0], [0, 1]], sp.Rational(1, 4), "peer-only", [(8, 8), (-3.7, -3.7), (-1.2, -1.2)]),
    ([[2, 0], [0, 1]], sp.Rational(1, 4), "meta-mapg", [(8, 8), (-3.7, -3.7), (-1.2, -1.2)]),
    ([[5, 0], [4, 2]], sp.Rational(1, 4), "peer-only", [(3.7, 3.7), (-8, -8), (1.2, 1.2)]),
])
def test_logit_a3_sign_matches_an_independent_trace(A, tau, rule, starts):
    """Entropy-regularised logit games (the first is the regularised Stag Hunt of
    `eqselect check stag-hunt --tau 0.25 --method meta-mapg`): A3 holds exactly when
    <M, n_P> is positive all along the separatrix traced here, and fails when it is
    clearly negative somewhere on it."""
    sf, dec, P, R, S = _logit_case(A, tau, rule, starts)
    v = check_a3(sf, [_saddle(S)], _point("C,C", P), _point("D,D", R))
    toward = [float(P[0]) - float(S[0]), float(P[1]) - float(S[1])]
    bound = max(8.0, max(abs(float(c)) for c in (*P, *R)) + 2)
    along = _signs_along(dec, sf.M, _trace_independently(dec, S, bound, h=0.1), toward)
    lowest = float(min(val for _, val in along))
    assert v.certified.value == "trace-certified"
    if lowest > 0:
        assert v.holds is True
        assert v.values["min_lower_bound"] == pytest.approx(lowest, rel=0.2)
    else:
        assert lowest < -1e-6 and v.holds is False
        assert v.values["value_there"][1] < 0
