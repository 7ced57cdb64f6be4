"""EG, CGD, LSS, SGA with alignment and HOLA against their defining updates.

Each field is compared with its update written here independently, in the
loss convention of the papers (xi = -v, minimised), from finite differences
of the compiled plain field v; and on Tandem with closed forms in
s = x + y, g = 2 s - 2 (Letcher et al. 2019's losses (x + y)^2 - 2x and
(x + y)^2 - 2y, so xi = (g, g)).
"""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from eqselect.numerics.codegen import compile_exprs
from eqselect.numerics.compiled import compile_field, field_at_precision, field_exact
from eqselect.numerics.fixed_points.find import find_equilibria
from eqselect.theory import PAPER, Decomposition, builtin, normal_form_game, tandem
from eqselect.theory.composite import LSS_DAMPING
from eqselect.theory.games.ipd import LOLA_PAYOFF
from eqselect.theory.rules import Method, Rule, coefficients, method_names, resolve
from scale import full_scale_only

R = sp.Rational
ETA = sp.Symbol("eta")
X, Y = sp.symbols("x y")
S = X + Y
G = 2 * S - 2


def jacobian_fd(f, z, h=1e-6):
    """Central differences of f: R^d -> R^m at z (an m x d matrix)."""
    cols = []
    for k in range(len(z)):
        e = np.zeros(len(z))
        e[k] = h
        cols.append((f(z + e) - f(z - e)) / (2 * h))
    return np.array(cols).T


def plain(dec):
    f = compile_field(dec, resolve("pg")).field
    return lambda z: f(np.asarray(z, dtype=float)[None])[0]


def random_2x2(entries):
    A, B = [entries[0:2], entries[2:4]], [entries[4:6], entries[6:8]]
    return Decomposition(normal_form_game([A, B], "logit"), eta=PAPER.eta)


payoffs = st.lists(st.integers(-5, 5), min_size=8, max_size=8)
points = st.lists(st.floats(-2, 2), min_size=2, max_size=2)


# -- the registry ---------------------------------------------------------------
def test_the_family_is_registered_with_its_sources():
    assert {"eg", "cgd", "lss", "hola", "sga", "sga-fixed"} <= set(method_names())
    assert Rule("sga").spec.aligned and not Rule("sga-fixed").spec.adaptive
    assert Rule("sga", lam=2).uses_lam and not Rule("eg").uses_lam
    assert coefficients("eg") == {"cur": 1, "own": 0, "peer": 0, "lookahead": 0,
                                  "extragradient": 1}
    assert Rule("hola", order=3).describe() == "hola, order 3"
    assert Rule("hola", order=3).to_json()["order"] == 3


@pytest.mark.parametrize("order", [0, 7, 1.5, True])
def test_hola_order_out_of_range_is_refused(order):
    from eqselect.theory import OptionsError

    with pytest.raises(OptionsError, match="HOLA order"):
        Rule("hola", order=order)


# -- each field against its defining update ------------------------------------
@settings(max_examples=15, deadline=None)
@given(payoffs, points)
def test_extragradient_is_the_field_at_the_extrapolated_point(entries, theta):
    dec = random_2x2(entries)
    v, z, eta = plain(dec), np.array(theta), float(PAPER.eta)
    # the reference's loss form: th_eg = th - eta xi(th), step along xi(th_eg)
    xi = lambda w: -v(w)  # noqa: E731
    expected = -xi(z - eta * xi(z))
    got = compile_field(dec, resolve("eg")).field(z[None])[0]
    np.testing.assert_allclose(got, expected, atol=1e-10)


@settings(max_examples=15, deadline=None)
@given(payoffs, points)
def test_cgd_inverts_i_plus_eta_off_diagonal_blocks_in_the_loss_convention(entries, theta):
    dec = random_2x2(entries)
    v, z, eta = plain(dec), np.array(theta), float(PAPER.eta)
    Hxi = jacobian_fd(lambda w: -v(w), z)
    Ho = Hxi * (1 - np.eye(2))  # one parameter per agent: the off-diagonal entries
    expected = -np.linalg.solve(np.eye(2) + eta * Ho, -v(z))
    got = compile_field(dec, resolve("cgd")).field(z[None])[0]
    np.testing.assert_allclose(got, expected, atol=1e-7)


@settings(max_examples=15, deadline=None)
@given(payoffs, points)
def test_lss_is_half_of_xi_plus_h_transpose_h_inverse_xi(entries, theta):
    dec = random_2x2(entries)
    v, z = plain(dec), np.array(theta)
    Hxi = jacobian_fd(lambda w: -v(w), z)
    if abs(np.linalg.det(Hxi)) < 1e-3 or dec.jacobian_singular_everywhere:
        return  # near a pole of LSS (or its damped form, tested on Tandem)
    xi = -v(z)
    expected = -(xi + Hxi.T @ np.linalg.solve(Hxi, xi)) / 2
    got = compile_field(dec, resolve("lss")).field(z[None])[0]
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


def _sga_game(name):
    if name == "ipd-lola":
        return builtin("ipd-lola")
    rng = np.random.default_rng(1)  # a 3x3 game whose alignment sign is -1 at several points
    return normal_form_game([rng.integers(-5, 6, (3, 3)).tolist(),
                             rng.integers(-5, 6, (3, 3)).tolist()], "softmax")


@pytest.mark.parametrize("name", ["softmax-3x3", pytest.param("ipd-lola", marks=full_scale_only)])
def test_sga_alignment_sign_is_reproduced_where_it_is_minus_one(name):
    """Balduzzi et al.'s rule (loss form, finite differences), on a 3x3 softmax game
    and, with EQSELECT_FULL_SCALE=1, on ipd-lola."""
    dec = Decomposition(_sga_game(name), eta=PAPER.eta)
    v = plain(dec)
    aligned = compile_field(dec, resolve("sga", lam=1)).field
    fixed = compile_field(dec, resolve("sga-fixed", lam=1)).field
    rng = np.random.default_rng(0)
    d = len(dec.game.parameters)
    signs = []
    for z in rng.normal(0, 1.5 if d == 4 else 1, (12, d)):
        xi = -v(z)
        J = jacobian_fd(lambda w: -v(w), z)
        A = (J - J.T) / 2
        grad_ham = J.T @ xi
        sign = np.sign((xi @ grad_ham) * ((A.T @ xi) @ grad_ham) / d + 0.1)
        expected = -(xi + sign * A.T @ xi)
        np.testing.assert_allclose(aligned(z[None])[0], expected, rtol=1e-6, atol=1e-8)
        if sign < 0:  # where the sign is -1 the fixed-sign SGA is another update
            assert np.abs(fixed(z[None])[0] - expected).max() > 1e-6
        signs.append(sign)
    assert signs.count(-1) >= 2 and signs.count(1) >= 2


def test_sga_exact_precise_and_compiled_values_agree():
    dec = Decomposition(builtin("chicken", "logit").substitute(), eta=PAPER.eta)
    rule = Rule("sga", lam=2)
    for point in ([R(1, 3), R(-1, 2)], [R(2), R(1, 5)]):
        exact = [float(x) for x in field_exact(dec, resolve(rule), point=point)]
        precise = [float(x) for x in field_at_precision(dec, resolve(rule), x=point)]
        compiled = compile_field(dec, resolve(rule)).field(np.array(point, float)[None])[0]
        np.testing.assert_allclose(exact, precise, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(exact, compiled, rtol=1e-9, atol=1e-12)


# -- HOLA: LOLA's series ---------------------------------------------------------
def test_hola_order_one_is_lola_exactly():
    for game in (tandem(), builtin("stag-hunt", "logit")):
        dec = Decomposition(game)
        hola = dec.field(Rule("hola", order=1))
        assert (hola - dec.field("lola")).applyfunc(sp.simplify) == sp.zeros(len(hola), 1)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_hola_truncates_the_opponent_step_meta_gradient(order):
    """Direct Stag Hunt: J_1(p1, p2 + eta v_2(p)) differentiated and cut at eta^n."""
    game = builtin("stag-hunt", "direct")
    p1, p2 = game.parameters
    J1, J2 = game.values
    v1, v2 = sp.diff(J1, p1), sp.diff(J2, p2)
    m1 = sp.diff(J1.subs(p2, p2 + ETA * v2), p1)
    m2 = sp.diff(J2.subs(p1, p1 + ETA * v1), p2)
    cut = [sum(sp.expand(m).coeff(ETA, k) * ETA ** k for k in range(order + 1)) for m in (m1, m2)]
    got = Decomposition(game).field(Rule("hola", order=order))
    assert [sp.expand(a - b) for a, b in zip(got, cut)] == [0, 0]


# -- Tandem: closed forms ----------------------------------------------------------
TANDEM_FIELDS = {  # ascent fields, both coordinates equal
    "eg": -G * (1 - 4 * ETA),
    "cgd": -G / (1 + 2 * ETA),
    "lss": -G * (32 + LSS_DAMPING) / (2 * (16 + LSS_DAMPING)),
    "sga": -G,
    Rule("hola", order=1): -(G * (1 - 2 * ETA) - 4 * ETA * S),
    Rule("hola", order=2): -(G * (1 - 2 * ETA + 4 * ETA ** 2) - 4 * ETA * S),
    Rule("hola", order=3): -(G * (1 - 2 * ETA + 4 * ETA ** 2) - 4 * ETA * S),
}


@pytest.mark.parametrize("rule", list(TANDEM_FIELDS), ids=str)
def test_tandem_fields_equal_their_closed_forms(rule):
    dec = Decomposition(tandem())
    expected = TANDEM_FIELDS[rule]
    assert [sp.simplify(e - expected) for e in dec.field(rule)] == [0, 0]


def test_tandem_lola_is_the_stated_loss_gradient():
    dec = Decomposition(tandem())
    xi = -dec.field("lola")[0]
    assert sp.expand(xi - (G * (1 - 2 * ETA) - 4 * ETA * S)) == 0


TANDEM_LINES = {  # the line x + y = s of fixed points at eta
    "eg": lambda eta: 1, "cgd": lambda eta: 1, "lss": lambda eta: 1, "sga": lambda eta: 1,
    Rule("hola", order=1): lambda eta: (1 - 2 * eta) / (1 - 4 * eta),
    Rule("hola", order=2): lambda eta: (1 - 2 * eta + 4 * eta ** 2) / (1 - 2 * eta) ** 2,
}


@pytest.mark.parametrize("rule", list(TANDEM_LINES), ids=str)
def test_tandem_fixed_points_of_each_new_rule_are_their_closed_forms(rule):
    eta = PAPER.eta
    found = find_equilibria(Decomposition(tandem(), eta=eta), resolve(rule))
    assert found.complete and len(found.equilibria) == 1
    e = found.equilibria[0]
    assert sum(e.exact) == TANDEM_LINES[rule](eta)
    assert any("continuum" in n for n in e.notes)


# -- fixed points from PG's: filtered by invertibility, the rule's Jacobian -------
@pytest.mark.parametrize("method", ["cgd", "lss", "sga"])
def test_zeros_of_v_are_the_rule_zeros_with_its_own_jacobian(method):
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
    pg = find_equilibria(dec, resolve("pg"))
    got = find_equilibria(dec, resolve(method))
    assert got.route.value == "zeros-of-v"
    assert [e.point for e in got.equilibria] == [e.point for e in pg.equilibria]
    assert got.complete == (method != "lss")
    f = compile_field(dec, resolve(method)).field
    for e in got.equilibria:
        z = np.array(e.point)
        assert np.abs(f(z[None])[0]).max() < 1e-12
        J = jacobian_fd(lambda w: f(w[None])[0], z)
        expected = sorted(np.linalg.eigvals(J), key=lambda c: (c.real, c.imag))
        eigs = sorted((complex(a, b) for a, b in
                       ([x.real, x.imag] for x in e.eigenvalues)),
                      key=lambda c: (c.real, c.imag))
        np.testing.assert_allclose(eigs, expected, atol=1e-6)


def test_cgd_drops_zeros_where_its_matrix_is_singular():
    """Tandem at eta = -1/2: I - eta H_o = [[1, -1], [-1, 1]] is singular everywhere."""
    found = find_equilibria(Decomposition(tandem(), eta=R(-1, 2)), resolve("cgd"))
    assert found.equilibria == [] and "1 dropped as singular" in found.notes[0]


# -- ipd-lola: the reference's game ----------------------------------------------
def test_ipd_lola_values_are_the_discounted_returns_with_lola_rewards():
    game = builtin("ipd-lola")
    assert game.name == "ipd-lola" and game.payoffs[0] == LOLA_PAYOFF
    rng = np.random.default_rng(0)
    theta = rng.normal(0, 1, (2, 5))
    p = 1 / (1 + np.exp(-theta))
    q0 = np.array([p[0, 0] * p[1, 0], p[0, 0] * (1 - p[1, 0]),
                   (1 - p[0, 0]) * p[1, 0], (1 - p[0, 0]) * (1 - p[1, 0])])
    a, b = p[0, 1:, None], p[1, 1:, None]
    P = np.hstack([a * b, a * (1 - b), (1 - a) * b, (1 - a) * (1 - b)])
    M = q0 @ np.linalg.inv(np.eye(4) - 0.96 * P)
    r1, r2 = np.array([-1, -3, 0, -2]), np.array([-1, 0, -3, -2])
    got = compile_exprs(game.values, game.parameters)(theta.ravel())
    np.testing.assert_allclose(got, [M @ r1, M @ r2], rtol=1e-10)
    assert Method.EG.value in method_names()
