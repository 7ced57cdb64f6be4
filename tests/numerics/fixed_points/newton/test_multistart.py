"""Tests for eqselect.numerics.fixed_points: Newton with deflation, seeds, exact solving."""

import itertools

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import fsolve

from eqselect.numerics.compiled import compile_field
from eqselect.numerics.fixed_points.core.record import Route, Stability
from eqselect.numerics.fixed_points.core.characterise import best_response_gap
from eqselect.numerics.fixed_points.newton.deflation import deflated_step, deflation_operator
from eqselect.numerics.fixed_points.exact_faces.sympy_solve import exact_fixed_points
from eqselect.numerics.fixed_points.core.field import MpField
from eqselect.numerics.fixed_points.newton.multistart import (NewtonOptions, mp_pinv_solve,
                                                              newton_fixed_points)
from eqselect.numerics.fixed_points.newton.seeds import seed_points
from eqselect.theory import (
    ETA, Decomposition, Game, GameError, Region, RegionKind, builtin, tandem)
from eqselect.theory.rules import Rule, resolve

X, Y = sp.symbols("x y")


@pytest.fixture(scope="module")
def stag_pg():
    dec = Decomposition(builtin("stag-hunt", "logit"))
    return dec, newton_fixed_points(dec, Rule("pg"), options=NewtonOptions(dps=30, tol=1e-20))


def two_root_game() -> Game:
    """v = (1 - x^2, x - y): exactly two roots, (1, 1) and (-1, -1)."""
    return Game(name="two-roots", agents=((X,), (Y,)),
                values=(X - X ** 3 / 3, -(Y - X) ** 2 / 2),
                region=Region(RegionKind.FREE), parameterization="continuous")


# -- hand-worked games -------------------------------------------------------------
def test_stag_hunt_interior_root_is_ln2_saddle(stag_pg):
    _, res = stag_pg
    assert len(res.equilibria) == 1
    eq, point = res.equilibria[0], res.points[0]
    with mpmath.workdps(30):
        assert all(abs(c - mpmath.log(2)) < mpmath.mpf("1e-25") for c in point)
    assert eq.stability is Stability.SADDLE
    assert eq.route is Route.NEWTON and eq.nash is True and eq.boundary is False
    assert [list(s) for s in eq.strategies] == [pytest.approx([2 / 3, 1 / 3])] * 2
    assert eq.residual < 1e-20
    # eigenvalues of DF at the root: +-3 sigma'(ln 2)^2 = +-3 (2/9)^2
    assert sorted(z.real for z in eq.eigenvalues) == pytest.approx([-4 / 27, 4 / 27])
    assert eq.mu == pytest.approx(-4 / 27)


def test_stag_hunt_pure_equilibria_at_infinity_not_returned(stag_pg):
    _, res = stag_pg
    assert res.diverged > 0
    assert any("diverged" in n for n in res.notes)
    assert all(max(abs(c) for c in e.point) < 50 for e in res.equilibria)


def test_matching_pennies_center():
    dec = Decomposition(builtin("matching-pennies", "logit"))
    res = newton_fixed_points(dec, Rule("pg"), options=NewtonOptions(n_seeds=16))
    assert len(res.equilibria) == 1
    eq = res.equilibria[0]
    assert eq.point == pytest.approx((0.0, 0.0), abs=1e-20)
    assert eq.stability is Stability.CENTER
    assert all(abs(z.real) < 1e-25 and abs(z.imag) == pytest.approx(0.25) for z in eq.eigenvalues)
    assert eq.nash is True


def test_tandem_lookahead_continuum_marked_degenerate():
    dec = Decomposition(tandem(), eta=0.55)
    res = newton_fixed_points(dec, Rule("lookahead"), options=NewtonOptions(n_seeds=6))
    assert res.equilibria
    for eq, point in zip(res.equilibria, res.points):
        assert abs(point[0] + point[1] - 1) < 1e-20
        assert eq.stability is Stability.DEGENERATE
        assert any("singular Jacobian: possibly a continuum" in n for n in eq.notes)
        assert eq.nash is None and eq.strategies == ()


def test_tandem_lola_closed_form_from_the_field():
    # derive x + y = s* from LOLA's field with eta symbolic: F_1(x, s - x) = 0
    s = sp.Symbol("s")
    field = Decomposition(tandem()).field("lola")
    on_line = [sp.expand(f.subs(Y, s - X)) for f in field]
    assert all(not e.has(X) for e in on_line)  # F depends on x + y only
    (s_star,) = sp.solve(on_line[0], s)
    assert sp.simplify(s_star - (1 - 2 * ETA) / (1 - 4 * ETA)) == 0
    eta = sp.Rational(1, 10)
    res = newton_fixed_points(Decomposition(tandem(), eta=0.1), Rule("lola"),
                              options=NewtonOptions(n_seeds=6))
    assert res.equilibria
    target = mpmath.mpf(sp.N(s_star.subs(ETA, eta), 40))
    for eq, point in zip(res.equilibria, res.points):
        assert abs(point[0] + point[1] - target) < 1e-20
        assert eq.stability is Stability.DEGENERATE


def test_stag_hunt_peer_only_roots_agree_with_fsolve():
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=0.55)
    res = newton_fixed_points(dec, Rule("peer-only", lam=1.5),
                              options=NewtonOptions(dps=30, tol=1e-20))
    assert res.equilibria
    mpf = MpField(dec, Rule("peer-only", 1.5, 0.35))
    cf = compile_field(dec, Rule("peer-only", 1.5, 0.35))
    with mpmath.workdps(30):
        for eq, point in zip(res.equilibria, res.points):
            assert max(abs(v) for v in mpf.field(point)) < 1e-20
            start = np.array(eq.point) + 1e-3
            sol = fsolve(lambda x: cf.field(x), start, fprime=lambda x: cf.jacobian(x),
                         xtol=1e-14)
            assert sol == pytest.approx(eq.point, abs=1e-8)
    for a, b in itertools.combinations(res.equilibria, 2):
        assert max(abs(p - q) for p, q in zip(a.point, b.point)) > 1e-6
    # the shifted point is no longer Nash (peer term moves it)
    assert all(eq.nash is False for eq in res.equilibria)


def test_deflation_finds_both_roots_from_one_seed():
    dec = Decomposition(two_root_game())
    seeds = [[0.5, 0.3]] * 5
    res = newton_fixed_points(dec, Rule("pg"), options=NewtonOptions(seeds=seeds, n_seeds=0))
    found = sorted(tuple(round(c, 12) for c in e.point) for e in res.equilibria)
    assert found == [(-1.0, -1.0), (1.0, 1.0)]
    assert any("deflation round" in n for n in res.notes)
    # DF = [[-2x, 0], [1, -1]]: stable at (1, 1), saddle at (-1, -1)
    kinds = {tuple(round(c) for c in e.point): e.stability for e in res.equilibria}
    assert kinds == {(1, 1): Stability.STABLE, (-1, -1): Stability.SADDLE}
    # without deflation the same seed only ever reaches one root
    plain = newton_fixed_points(dec, Rule("pg"),
                                options=NewtonOptions(seeds=seeds, n_seeds=0, max_rounds=0))
    assert len(plain.equilibria) == 1


# -- helpers -----------------------------------------------------------------------
def test_seed_points_latin_hypercube():
    x = seed_points(3, 10, seed=7, box=(-2, 2))
    assert np.array_equal(x, seed_points(3, 10, seed=7, box=(-2, 2)))
    assert ((x >= -2) & (x <= 2)).all()
    strata = np.floor((x + 2) / 4 * 10).astype(int)
    for k in range(3):
        assert sorted(strata[:, k]) == list(range(10))
    assert seed_points(2, 3, seeds=[[9.0, 9.0]])[-1].tolist() == [9.0, 9.0]


@given(st.lists(st.floats(-3, 3), min_size=2, max_size=2),
       st.lists(st.floats(-3, 3), min_size=4, max_size=4))
def test_deflation_operator_gradient_matches_finite_differences(x, r):
    x, roots = np.array([x]), np.array(r).reshape(2, 2)
    if np.min(np.linalg.norm(x - roots, axis=1)) < 0.1:
        return
    m, g = deflation_operator(x, roots)
    h = 1e-6
    for k in range(2):
        e = np.zeros((1, 2))
        e[0, k] = h
        fd = (np.log(deflation_operator(x + e, roots)[0])
              - np.log(deflation_operator(x - e, roots)[0])) / (2 * h)
        assert g[0, k] == pytest.approx(fd[0], rel=1e-5, abs=1e-7)
    expected = np.prod([1 / np.sum((x[0] - q) ** 2) + 1 for q in roots])
    assert m[0] == pytest.approx(expected)


@given(st.lists(st.floats(-2, 2), min_size=8, max_size=8))
def test_deflated_step_is_newton_step_of_deflated_system(v):
    # F(x) = A x + b linear; G = M F; DG = M A + F grad(M)^T
    A = np.array(v[:4]).reshape(2, 2) + 3 * np.eye(2)
    b, x = np.array(v[4:6]), np.array(v[6:8])
    root = np.array([[0.3, -0.7]])
    if np.linalg.norm(x - root[0]) < 0.1 or abs(np.linalg.det(A)) < 0.1:
        return
    F = A @ x + b
    m, glog = deflation_operator(x[None], root)
    DG = m[0] * A + np.outer(F, m[0] * glog[0])
    if abs(np.linalg.det(DG)) < 1e-6:
        return
    direct = np.linalg.solve(DG, -m[0] * F)
    step = deflated_step(-np.linalg.solve(A, F)[None], x[None], root)[0]
    assert step == pytest.approx(direct, rel=1e-6, abs=1e-9)


def test_mp_pinv_solve_regular_and_singular():
    with mpmath.workdps(30):
        J = mpmath.matrix([[2, 1], [1, 3]])
        F = mpmath.matrix([1, 2])
        x = mp_pinv_solve(J, F)
        assert mpmath.norm(J * x - F) < mpmath.mpf("1e-28")
        y = mp_pinv_solve(mpmath.matrix([[1, 1], [1, 1]]), mpmath.matrix([2, 2]))
        assert abs(y[0] - 1) < 1e-25 and abs(y[1] - 1) < 1e-25  # minimum-norm


def test_best_response_gap_positive_off_equilibrium():
    game = builtin("stag-hunt", "logit")
    assert best_response_gap(game, (float(np.log(2)), float(np.log(2)))) < 1e-12
    assert best_response_gap(game, (0.0, 0.0)) > 0.1


# -- exact route -------------------------------------------------------------------
def test_exact_stag_hunt_is_log2():
    eqs = exact_fixed_points(Decomposition(builtin("stag-hunt", "logit")), Rule("pg"))
    assert [e.exact for e in eqs] == [(sp.log(2), sp.log(2))]
    assert eqs[0].route is Route.EXACT and eqs[0].stability is Stability.SADDLE


def test_exact_tandem_lola_reports_continuum():
    eqs = exact_fixed_points(Decomposition(tandem(), eta=0.1), Rule("lola"))
    assert len(eqs) == 1
    assert sum(eqs[0].exact) == sp.Rational(4, 3)
    assert eqs[0].stability is Stability.DEGENERATE
    assert any("continuum" in n for n in eqs[0].notes)


@pytest.mark.parametrize("name,method,eta", [("stag-hunt", "peer-only", 0.55),
                                             ("matching-pennies", "pg", None),
                                             ("coordination", "pg", None)])
def test_exact_never_disagrees_with_newton(name, method, eta):
    dec = Decomposition(builtin(name, "logit"), eta=eta)
    exact = exact_fixed_points(dec, resolve(method))
    if exact is None:  # allowed: it could not decide
        return
    newton = newton_fixed_points(dec, resolve(method), options=NewtonOptions(n_seeds=32))
    assert sorted(np.round(e.point, 9).tolist() for e in exact) == \
        sorted(np.round(e.point, 9).tolist() for e in newton.equilibria)


# -- errors ------------------------------------------------------------------------
def test_refuses_box_region_and_free_symbols():
    with pytest.raises(GameError, match="region"):
        newton_fixed_points(Decomposition(builtin("stag-hunt", "direct")), Rule("pg"))
    with pytest.raises(GameError, match="eta"):
        newton_fixed_points(Decomposition(builtin("stag-hunt", "logit")), Rule("peer-only"))
    with pytest.raises(GameError, match="box"):
        seed_points(2, 4, box=(1, 1))
    with pytest.raises(GameError, match="seeds"):
        seed_points(2, 4, seeds=[[1.0, 2.0, 3.0]])
    with pytest.raises(GameError, match="seeds"):
        seed_points(2, 4, seeds=[[1.0, float("nan")]])
    assert exact_fixed_points(Decomposition(builtin("stag-hunt", "direct")), Rule("pg")) is None


def test_to_json_round_trip(stag_pg):
    out = stag_pg[1].equilibria[0].to_json()
    assert out["route"] == "newton" and out["stability"] == "saddle"
