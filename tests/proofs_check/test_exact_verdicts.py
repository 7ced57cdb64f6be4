"""A4, the IFT shift and Weyl's bound against computations written here, over
random 2x2 games with small integer payoffs (direct and logit).

The game's values, its peer term and welfare are derived in this file from the
payoffs (docs/theory.md, the decomposition) without eqselect's decomposition; A4's sign is
checked by mpmath at 40 digits on a dense grid, the shift and the Weyl gaps
exactly with sympy.
"""

import itertools
import os

import mpmath
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from eqselect.numerics.shaping import ShapingField
from eqselect.proofs_check import geometry
from eqselect.proofs_check.verdict import Certified, PointReport
from eqselect.proofs_check.welfare import check_a4
from eqselect.theory import Decomposition, normal_form_game
from eqselect.theory.rules import Rule

ETA = sp.Rational(11, 20)
X, Y = sp.symbols("x y")
payoff = st.integers(-3, 3)
games = st.lists(payoff, min_size=8, max_size=8)



@st.composite
def mixed_games(draw):
    """2x2 games whose mixed equilibrium is interior: each player's payoff gains
    from its first action have opposite signs against the other's two actions."""
    e = draw(games)
    for base, other in ((0, 2), (4, 5)):  # row: A[0][j] - A[1][j]; column: B[i][0] - B[i][1]
        u = draw(st.integers(1, 3)) * draw(st.sampled_from([1, -1]))
        w = -draw(st.integers(1, 3)) * (1 if u > 0 else -1)
        if base == 0:
            e[0], e[1] = e[2] + u, e[3] + w
        else:
            e[4], e[6] = e[5] + u, e[7] + w
    return e


#: 25 examples each with ``EQSELECT_FULL_SCALE=1`` (README, "Running the tests"), 8 by default.
SETTINGS = settings(max_examples=25 if os.environ.get("EQSELECT_FULL_SCALE") == "1" else 8, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _payoffs(e):
    return [[[e[0], e[1]], [e[2], e[3]]], [[e[4], e[5]], [e[6], e[7]]]]


def _values(e, param):
    """J_1, J_2 in the game's own coordinates (x, y): probabilities or logits."""
    p, q = (X, Y) if param == "direct" else (1 / (1 + sp.exp(-X)), 1 / (1 + sp.exp(-Y)))
    a, b = _payoffs(e)
    xs, ys = (p, 1 - p), (q, 1 - q)
    return [sum(m[i][j] * xs[i] * ys[j] for i in range(2) for j in range(2)) for m in (a, b)]


def _peer(e, param):
    """peer_i = eta D_ij^T grad_j J_i with D_ij = d(grad_j J_j)/d phi_i (two agents)."""
    J1, J2 = _values(e, param)
    return (ETA * sp.diff(J2, Y, X) * sp.diff(J1, Y), ETA * sp.diff(J1, X, Y) * sp.diff(J2, X))


def _g(e, param):
    W = sum(_values(e, param))
    p1, p2 = _peer(e, param)
    return p1 * sp.diff(W, X) + p2 * sp.diff(W, Y)


def _shaping(e, param, rule="peer-only"):
    game = normal_form_game(_payoffs(e), param)
    return ShapingField(Decomposition(game, eta=ETA), Rule(rule))


def _grid_min(g, lo, hi, n=29):
    f = sp.lambdify((X, Y), g, "mpmath")
    pts = [lo + (hi - lo) * mpmath.mpf(k) / (n - 1) for k in range(n)]
    with mpmath.workdps(40):
        return min(f(a, b) for a, b in itertools.product(pts, pts))


def _agrees(v, g, lo, hi):
    """The A4 verdict against g on a grid and at its counterexample."""
    low = _grid_min(g, lo, hi)
    if v.holds is True:
        assert low >= -mpmath.mpf(10) ** -30
    if low < -mpmath.mpf(10) ** -20:
        assert v.holds is False
    if v.holds is False:
        x = v.values["counterexample"]
        with mpmath.workdps(40):
            assert sp.lambdify((X, Y), g, "mpmath")(*map(mpmath.mpf, map(str, x))) < 0


@SETTINGS
@given(games)
def test_a4_direct_agrees_with_the_inner_product_written_here(e):
    sf = _shaping(e, "direct")
    g = _g(e, "direct")
    mine = sf.dec.game.parameters
    assert sp.expand(g.subs({X: mine[0], Y: mine[1]}, simultaneous=True)
                     - check_a4.__globals__["welfare_alignment"](sf)) == 0
    v = check_a4(sf)
    _agrees(v, g, 0, 1)
    if v.holds is False:  # a dyadic point, re-evaluated exactly
        assert v.certified is Certified.EXACT
        assert v.values["value_there"] == g.subs(dict(zip((X, Y), v.values["counterexample"])))


@SETTINGS
@given(games, st.sampled_from(["peer-only", "meta-mapg"]))
def test_a4_logit_agrees_with_mpmath_on_a_dense_grid(e, rule):
    v = check_a4(_shaping(e, "logit", rule))
    g = _g(e, "logit")
    _agrees(v, g, -8, 8)
    if v.certified is Certified.EXACT and v.holds is True:  # proven on all of R^2
        assert "R^2" in v.values["region"]
        _agrees(v, g, -30, 30)


def _interior_point(e):
    """The mixed equilibrium of the direct game, exact, when it is interior."""
    J1, J2 = _values(e, "direct")
    sol = sp.solve([sp.diff(J1, X), sp.diff(J2, Y)], [X, Y], dict=True)
    assume(len(sol) == 1 and all(s in sol[0] and 0 < sol[0][s] < 1 for s in (X, Y)))
    return sol[0][X], sol[0][Y]


def _report(point):
    return PointReport("mixed", tuple(float(x) for x in point), tuple(point),
                       tuple((float(x), float(1 - x)) for x in point))


@SETTINGS
@given(mixed_games(), st.sampled_from(["peer-only", "meta-mapg"]))
def test_ift_shift_is_minus_jv_inverse_m_computed_here(e, rule):
    point = _interior_point(e)
    J1, J2 = _values(e, "direct")
    v = sp.Matrix([sp.diff(J1, X), sp.diff(J2, Y)])
    # own_i = eta (d^2 J_i / d phi_i^2) grad_i J_i = 0: J_i is linear in its own phi_i
    M = sp.Matrix(_peer(e, "direct"))
    at = dict(zip((X, Y), point))
    Jv = v.jacobian([X, Y]).subs(at)
    assume(Jv.det() != 0)
    shift = -Jv.inv() * M.subs(at)
    verdict = geometry.check_ift(_shaping(e, "direct", rule), _report(point))
    assert verdict.holds is True
    got = verdict.values["shift_direction"]
    assert all(abs(float(a) - float(b)) <= 1e-6 * (1 + abs(float(b))) for a, b in zip(got, shift))
    assert (verdict.certified is Certified.EXACT) == (M.subs(at) == sp.zeros(2, 1))


@SETTINGS
@given(mixed_games(), st.sampled_from(["peer-only", "meta-mapg"]))
def test_weyl_gaps_are_the_exact_eigenvalue_gaps(e, rule):
    point = _interior_point(e)
    J1, J2 = _values(e, "direct")
    at = dict(zip((X, Y), point))
    Jv = sp.Matrix([sp.diff(J1, X), sp.diff(J2, Y)]).jacobian([X, Y]).subs(at)
    JM = sp.Matrix(_peer(e, "direct")).jacobian([X, Y]).subs(at)

    def top(A):  # largest eigenvalue of the symmetric part, by sympy's eigenvalues
        return max(((A + A.T) / 2).eigenvals(), key=lambda r: float(r))

    verdict = geometry.check_weyl(_shaping(e, "direct", rule), _report(point), 3)
    assert verdict.holds is True and verdict.certified is Certified.EXACT
    for lam, status in zip(verdict.values["lambda_grid"][1:], verdict.values["status"]):
        lam = sp.nsimplify(lam)
        gap = sp.simplify(-top(Jv + lam * JM) + top(Jv) + lam * top(JM))
        assert gap >= 0
        assert (status == "equality") == (gap == 0)


def test_matching_pennies_logit_tau_half_meta_mapg_is_decided_exactly():
    """Guards the case where M(P) = 0 at theta = 0: the IFT shift holds exactly
    (0 = -J_v^{-1} M), A4 holds by the signs of g's factors on all of R^2 and
    Weyl's gap is exactly 0."""
    from eqselect.proofs_check.check import check_game
    from eqselect.theory import builtin

    res = check_game(builtin("matching-pennies", "logit"), "meta-mapg", eta=ETA,
                     tau=sp.Rational(1, 2))
    ift, a4, weyl = (res.verdict(k) for k in ("ift-shift", "A4", "weyl"))
    assert ift.holds is True and ift.certified is Certified.EXACT
    assert ift.values["shift_direction"] == (0, 0)
    assert a4.holds is True and a4.certified is Certified.EXACT
    assert a4.values["region"] == "all of R^2"
    assert weyl.holds is True and weyl.certified is Certified.EXACT
    assert set(weyl.values["status"]) == {"equality"}
