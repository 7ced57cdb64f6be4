"""The decomposition against hand-derived closed forms, finite differences
and the exact one-step meta-gradient."""

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scale import examples

from eqselect.numerics.codegen import compile_exprs
from eqselect.theory import (
    Decomposition, builtin, normal_form_game, tandem, unrolled_meta_gradient)
from eqselect.theory.engine import is_exactly_zero

a, b, c, d, eta, p1, p2 = sp.symbols("a b c d eta p1 p2")
S = a - b - c + d


def test_stag_hunt_direct_symbolic_closed_form():
    dec = Decomposition(builtin("stag-hunt", "direct", symbolic=True))
    expected = {
        "cur": [S * p2 + (b - d), S * p1 + (b - d)],
        "own": [0, 0],
        "peer": [eta * S * (S * p1 + (c - d)), eta * S * (S * p2 + (c - d))],
        "lookahead": [eta * S * (S * p1 + (b - d)), eta * S * (S * p2 + (b - d))],
    }
    for name, exprs in expected.items():
        got = dec.component(name)
        assert all(sp.expand(g - e) == 0 for g, e in zip(got, exprs)), name


def test_worked_check_of_the_paper():
    dec = Decomposition(builtin("stag-hunt", "direct"))
    assert sp.expand(dec.peer[0] - 3 * eta * (3 * p1 + 1)) == 0
    assert sp.expand(dec.cur[0] - (3 * p2 - 2)) == 0


def _sig(x):
    return 1 / (1 + np.exp(-x))


def hand_logit_components(A, B, t1, t2, e):
    """Independent closed form for a 2x2 bimatrix game under the logit."""
    p, q = _sig(t1), _sig(t2)
    dp, dq = p * (1 - p), q * (1 - q)
    ddp, ddq = dp * (1 - 2 * p), dq * (1 - 2 * q)
    SA = A[0][0] - A[0][1] - A[1][0] + A[1][1]
    SB = B[0][0] - B[0][1] - B[1][0] + B[1][1]
    dJ1_dp, dJ1_dq = SA * q + A[0][1] - A[1][1], SA * p + A[1][0] - A[1][1]
    dJ2_dq, dJ2_dp = SB * p + B[1][0] - B[1][1], SB * q + B[0][1] - B[1][1]
    g1, g2 = dp * dJ1_dp, dq * dJ2_dq
    cur = [g1, g2]
    own = [e * ddp * dJ1_dp * g1, e * ddq * dJ2_dq * g2]
    peer = [e * (dq * SB * dp) * (dq * dJ1_dq), e * (dp * SA * dq) * (dp * dJ2_dp)]
    la = [e * (dp * SA * dq) * g2, e * (dq * SB * dp) * g1]
    return {"cur": cur, "own": own, "peer": peer, "lookahead": la}


payoff = st.integers(-6, 6)
table = st.tuples(st.tuples(payoff, payoff), st.tuples(payoff, payoff))
angle = st.floats(-3, 3)


@given(A=table, B=table, t1=angle, t2=angle, e=st.floats(0.05, 1.0))
def test_logit_2x2_matches_hand_closed_form(A, B, t1, t2, e):
    dec = Decomposition(normal_form_game([A, B], "logit"), eta=sp.nsimplify(e))
    hand = hand_logit_components(A, B, t1, t2, float(sp.nsimplify(e)))
    for name, exprs in hand.items():
        f = compile_exprs(list(dec.component(name)), dec.game.parameters)
        got = f([t1, t2])
        np.testing.assert_allclose(got, exprs, rtol=1e-9, atol=1e-12)


def _fd_gradient(f, x, h=1e-5):
    """Richardson-extrapolated central differences of a vector function."""
    def central(h):
        cols = []
        for k in range(len(x)):
            e = np.zeros_like(x)
            e[k] = h
            cols.append((f(x + e) - f(x - e)) / (2 * h))
        return np.array(cols).T  # [output, input]
    return (4 * central(h / 2) - central(h)) / 3


def components_by_finite_differences(dec, x, e, dps=40):
    """cur, own, peer, la from central differences of the exact values J_i.

    The differences are taken by mpmath at ``dps`` digits (mpmath.diff picks
    the step for that precision), so they are accurate far beyond the 1e-9
    the comparison asks for; only the values J_i are used, never the
    derivatives eqselect computes.
    """
    game = dec.game
    d = len(game.parameters)
    with mpmath.workdps(dps):
        J = sp.lambdify(game.parameters, list(game.values), modules="mpmath")
        pt = [mpmath.mpf(float(c)) for c in x]
        e = mpmath.mpf(sp.Rational(e).p) / sp.Rational(e).q

        def deriv(i, order):
            return mpmath.diff(lambda *y: J(*y)[i], pt, order)

        unit = [tuple(int(r == k) for r in range(d)) for k in range(d)]
        grads = [[deriv(i, unit[k]) for k in range(d)] for i in range(game.n_agents)]
        owner = [i for i, s in enumerate(game.slices) for _ in range(s.start, s.stop)]
        v = [grads[owner[r]][r] for r in range(d)]
        # Dv[r][c] = d v_r / d phi_c = d^2 J_owner(r) / d phi_r d phi_c
        Dv = [[deriv(owner[r], tuple(unit[r][k] + unit[c][k] for k in range(d)))
               for c in range(d)] for r in range(d)]
        out = {name: [mpmath.mpf(0)] * d for name in ("own", "peer", "lookahead")}
        for r in range(d):
            i = owner[r]
            for k in range(d):
                if owner[k] == i:
                    out["own"][r] += e * Dv[k][r] * v[k]
                else:
                    out["peer"][r] += e * Dv[k][r] * grads[i][k]
                    out["lookahead"][r] += e * Dv[r][k] * v[k]
        out["cur"] = v
        return {k: np.array([float(c) for c in vals]) for k, vals in out.items()}


payoff3 = st.lists(st.integers(-4, 4), min_size=9, max_size=9)


@settings(max_examples=examples(6, 25))  # each derives a 3x3 softmax decomposition
@given(U1=payoff3, U2=payoff3, x=st.lists(st.floats(-1.5, 1.5), min_size=4, max_size=4))
def test_softmax_3x3_components_match_finite_differences(U1, U2, x):
    game = normal_form_game([np.reshape(U1, (3, 3)).tolist(), np.reshape(U2, (3, 3)).tolist()],
                            "softmax")
    dec = Decomposition(game, eta=sp.Rational(1, 2))
    x = np.array(x)
    fd = components_by_finite_differences(dec, x, 0.5)
    for name, want in fd.items():
        got = compile_exprs(list(dec.component(name)), game.parameters)(x)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=name)


@given(A=table, B=table, t1=angle, t2=angle)
def test_one_step_meta_objective_matches_components_to_first_order(A, B, t1, t2):
    """Finite differences of J_i(phi + eta v(phi)) equal cur + (own + peer + la + sla) + o(eta).

    A wrong or missing first-order term leaves a residual of order eta, so
    residual / eta stays O(1); with the right terms it vanishes as eta -> 0.
    """
    game = normal_form_game([A, B], "logit")
    dec = Decomposition(game)
    J = compile_exprs(list(game.values), game.parameters)
    v = compile_exprs(list(dec.cur), game.parameters)
    first = compile_exprs(list(dec.own + dec.peer + dec.lookahead + dec.self_lookahead),
                          game.parameters, params=[eta])
    x = np.array([t1, t2])
    e = 0.0025
    meta = [_fd_gradient(lambda y, i=i: np.atleast_1d(J(y + e * v(y))[i]), x, 1e-3)[0][i]
            for i in range(2)]
    residual = np.array(meta) - v(x) - first(x, [e])
    scale = 1 + np.abs(first(x, [1.0])).max() + np.abs(v(x)).max()
    assert np.abs(residual).max() / e <= 1e-2 * scale


@given(A=table, B=table, t1=angle, t2=angle, e=st.sampled_from([sp.Rational(1, 10), sp.Rational(1, 2)]))
def test_unrolled_meta_gradient_matches_finite_differences(A, B, t1, t2, e):
    """The exact one-step meta-gradient equals central differences of J_i(phi'),
    phi' = phi + eta v(phi), with v itself taken by differences (mpmath, 30 digits)."""
    game = normal_form_game([A, B], "logit")
    dec = Decomposition(game, eta=e)
    exact = compile_exprs(list(unrolled_meta_gradient(dec, 1)), game.parameters)
    with mpmath.workdps(30):
        J = sp.lambdify(game.parameters, list(game.values), modules="mpmath")
        eta_mp = mpmath.mpf(e.p) / e.q

        def inner(y):  # one plain-PG step, v_i = d J_i / d phi_i by differences
            v = [mpmath.diff(lambda *z: J(*z)[i], y, tuple(int(k == i) for k in range(2)))
                 for i in range(2)]
            return [y[k] + eta_mp * v[k] for k in range(2)]

        pt = [mpmath.mpf(t1), mpmath.mpf(t2)]
        meta = [float(mpmath.diff(lambda *y: J(*inner(list(y)))[i], pt,
                                  tuple(int(k == i) for k in range(2)))) for i in range(2)]
    np.testing.assert_allclose(exact([t1, t2]), meta, rtol=1e-9, atol=1e-12)


@given(A=table, B=table, t1=angle, t2=angle)
def test_logit_2x2_components_match_finite_differences(A, B, t1, t2):
    game = normal_form_game([A, B], "logit")
    dec = Decomposition(game, eta=sp.Rational(11, 20))
    fd = components_by_finite_differences(dec, np.array([t1, t2]), sp.Rational(11, 20))
    for name, want in fd.items():
        got = compile_exprs(list(dec.component(name)), game.parameters)([t1, t2])
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=name)


def test_two_step_unrolled_meta_gradient_matches_finite_differences():
    game = normal_form_game([((4, 0), (3, 2)), ((4, 3), (0, 2))], "logit")
    dec = Decomposition(game, eta=sp.Rational(11, 20))
    J = compile_exprs(list(game.values), game.parameters)
    v = compile_exprs(list(dec.cur), game.parameters)
    exact = compile_exprs(list(unrolled_meta_gradient(dec, 2)), game.parameters)
    x = np.array([0.4, -0.9])

    def two_steps(y):
        y = y + 0.55 * v(y)
        return y + 0.55 * v(y)

    meta = [_fd_gradient(lambda y, i=i: np.atleast_1d(J(two_steps(y))[i]), x, 1e-3)[0][i]
            for i in range(2)]
    np.testing.assert_allclose(exact(x), meta, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name,param", [("stag-hunt", "logit"), ("stag-hunt", "direct"),
                                        ("matching-pennies", "logit"), ("chicken", "direct")])
def test_series_check_exact_for_2x2(name, param):
    assert Decomposition(builtin(name, param)).series_check()["holds"]


def test_series_check_exact_symbolic_payoffs():
    assert Decomposition(builtin("stag-hunt", "direct", symbolic=True)).series_check()["holds"]


def test_series_check_catches_a_wrong_term():
    dec = Decomposition(builtin("stag-hunt", "logit"))
    dec._parts["peer"][0] = dec._parts["peer"][0] * 2
    assert not dec.series_check()["holds"]


def test_tandem_lookahead_keeps_and_lola_moves_the_fixed_points():
    x, y, s = sp.symbols("x y s")
    dec = Decomposition(tandem())
    on_line = {y: 1 - x}
    assert all(sp.expand(e.subs(on_line)) == 0 for e in dec.field("pg"))
    assert all(sp.expand(e.subs(on_line)) == 0 for e in dec.field("lookahead"))
    lola = dec.field("lola")
    assert all(sp.simplify(e.subs(on_line) - 4 * eta) == 0 for e in lola)
    # LOLA's fixed points: the line x + y = s* with s* = (1 - 2 eta) / (1 - 4 eta)
    fixed = sp.solve(sp.expand(lola[0]).subs(x, s - y), s)
    assert len(fixed) == 1 and sp.simplify(fixed[0] - (1 - 2 * eta) / (1 - 4 * eta)) == 0


def test_fields_are_the_method_table():
    dec = Decomposition(builtin("stag-hunt", "logit"))
    lam, cc = sp.symbols("lambda c_own")  # c_own: the own coefficient, not a payoff c
    assert dec.field("meta-mapg") == dec.cur + cc * dec.own + lam * dec.peer
    assert dec.field("lola", 9, 9) == dec.cur + dec.lookahead + dec.peer
    assert dec.field("peer-only", 2) == dec.cur + 2 * dec.peer


def test_jacobian_of_pg_is_the_game_jacobian():
    dec = Decomposition(builtin("stag-hunt", "direct"))
    assert dec.jacobian("pg") == sp.Matrix([[0, 3], [3, 0]])
    JM = dec.component_jacobian("peer")
    assert is_exactly_zero(JM[0, 0] - 9 * eta) and JM[0, 1] == 0


def test_public_accessors_expose_the_exact_terms():
    from eqselect.theory import COMPONENTS

    game = builtin("stag-hunt", "logit")
    dec = Decomposition(game)
    assert dec.parameters == game.parameters
    comps = dec.components
    assert tuple(comps) == COMPONENTS
    assert all(comps[k] == dec.component(k) == dec.term(k) for k in COMPONENTS)
    assert [sp.sympify(e) for e in dec.term_engine("peer")] == list(dec.peer)
    assert [sp.sympify(e) for e in dec.values_engine()] == list(game.values)
    mine = dec.term_engine("cur")
    mine[0] = 0  # a copy: the decomposition is unchanged
    assert dec.field("pg") == dec.cur and dec.cur[0] != 0
    with pytest.raises(KeyError, match="valid"):
        dec.term("hessian")


def test_to_json_is_the_derive_contract():
    from eqselect.commands.derive import derive_json

    dec = Decomposition(builtin("stag-hunt", "direct", symbolic=True))
    doc = dec.to_json()
    assert list(doc)[:6] == ["game", "parameterization", "parameters", "agents", "values",
                             "components"]
    assert list(doc["components"]) == ["cur", "own", "peer", "lookahead"]
    assert doc["parameters"] == ["p1", "p2"] and doc["certified"] == "exact"
    names = {n: sp.Symbol(n) for n in ("a", "b", "c", "d", "eta", "p1", "p2")}
    for got, want in zip(doc["components"]["peer"], dec.peer):
        assert sp.expand(sp.parse_expr(got, local_dict=names) - want) == 0
    assert derive_json(dec) == doc


def test_printed_form_depends_on_the_size_not_the_machine(monkeypatch):
    """derive --json factors small games' expressions for reading and prints a
    large game's (a 3x3 softmax game, ~6 500 operations) as derived without
    trying, so the text is the same on every machine."""
    import symengine as se

    from eqselect.theory import PAPER, engine, normal_form_game
    from eqselect.theory import decomposition as dmod

    calls = []
    real = engine.tidy
    monkeypatch.setattr(engine, "tidy", lambda e: calls.append(e) or real(e))
    a = [[3, 0, 1], [0, 2, 0], [1, 0, 1]]
    big = Decomposition(normal_form_game([a, [list(r) for r in zip(*a)]], "softmax"),
                        eta=PAPER.eta)
    exprs = list(big._values) + [e for n in dmod.JSON_COMPONENTS for e in big._parts[n]]
    assert sum(se.count_ops(e) for e in exprs) > dmod.TIDY_MAX_OPS
    js = big.to_json()
    assert calls == []
    assert js["components"]["cur"] == [str(engine.to_sympy(e)) for e in big._parts["cur"]]
    small = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta).to_json()
    assert calls  # the 2x2 game is factored
    assert small["components"]["cur"]
