"""The rule registry: every field against the update that defines it
(finite differences, explicit one-step computations) and the Tandem game."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from eqselect.numerics.compiled import compile_field, field_at_precision, field_exact
from eqselect.theory import Decomposition, Game, Region, RegionKind, normal_form_game, tandem
from eqselect.theory.errors import OptionsError
from eqselect.theory.rules import (
    OWN_COEF, PAPER, REGISTRY, SOS_CONSTANTS, Method, Rule, coefficients, method_names, resolve)
from eqselect.theory.adaptive import sos_weight

x1, x2, y, eta = sp.symbols("x1 x2 y eta")
R = sp.Rational


def general_game() -> Game:
    """Two agents (two parameters and one), not a potential game: H = Dv is
    not symmetric and every term of the decomposition is non-zero."""
    J1 = (x1 - x1 ** 3 / 6) * y + x1 * x2 * y ** 2 - x1 ** 2 / 2 - x2 ** 2 + x2 * y / 3
    J2 = -x1 * y + (1 - x2 ** 2 / 2) * y ** 2 / 2 - y ** 2 + x1 ** 2 * y / 4
    return Game(name="general", agents=((x1, x2), (y,)), values=(J1, J2),
                region=Region(RegionKind.FREE), parameterization="continuous")


POINT = np.array([0.4, -0.7, 0.9])


def numeric(exprs, symbols=(x1, x2, y)):
    f = sp.lambdify(symbols, list(exprs), "numpy")
    return lambda z: np.array(f(*z), dtype=float)


def jacobian_fd(f, z, h=1e-5):
    cols = [(f(z + h * e) - f(z - h * e)) / (2 * h) for e in np.eye(len(z))]
    return np.array(cols).T


@pytest.fixture(scope="module")
def dec():
    return Decomposition(general_game())


def test_registry_names_every_method_with_its_source():
    assert method_names() == tuple(m.value for m in Method)
    for m, s in REGISTRY.items():
        assert s.method is m and s.formula and s.source
        if m not in (Method.PG, Method.PEER_ONLY):
            assert "20" in s.source  # a year: a citation
    assert {"sos", "sga", "consensus", "lola-foerster", "meta-mapg-exact"} <= set(method_names())


def test_the_six_original_methods_keep_their_coefficients():
    lam, c = sp.Symbol("lambda"), OWN_COEF
    table = {"pg": (1, 0, 0, 0), "meta-pg": (1, c, 0, 0), "peer-only": (1, 0, lam, 0),
             "meta-mapg": (1, c, lam, 0), "lookahead": (1, 0, 0, 1), "lola": (1, 0, 1, 1)}
    for m, row in table.items():
        assert coefficients(m) == dict(zip(("cur", "own", "peer", "lookahead"), row))


def test_rule_accepts_sos_constants_and_describes_them():
    r = Rule("sos", sos_a=0.25)
    assert r.sos_a == R(1, 4) and r.sos_b == SOS_CONSTANTS.b
    assert r.describe() == "sos, a = 1/4, b = 1/10"
    assert r.to_json()["sos_a"] == "1/4" and "sos_a" not in Rule("pg").to_json()
    assert Rule("sga", lam=2).uses_lam and not Rule("sos").uses_lam
    with pytest.raises(OptionsError, match="pointwise"):
        coefficients("sos")


def test_resolve_overrides_only_what_is_given():
    r = resolve(Rule("meta-mapg", lam=2), own_coef=1)
    assert (r.lam, r.own_coef) == (2, 1)
    assert resolve("meta-mapg").lam == PAPER.lam
    assert resolve("meta-mapg", symbolic=True).lam == sp.Symbol("lambda")


def test_field_accepts_a_rule(dec):
    F = dec.field(Rule("meta-mapg", lam=2, own_coef=R(1, 3)))
    assert F == dec.cur + dec.own / 3 + 2 * dec.peer
    assert dec.field(Rule("meta-mapg", lam=2), lam=5) == dec.field("meta-mapg", 5, PAPER.own)
    assert dec.jacobian(Rule("peer-only", lam=2)) == dec.jacobian("peer-only", 2)


# -- SGA and consensus: finite differences of the defining update ------------
def test_sga_is_v_plus_lambda_a_transpose_v_in_the_loss_convention(dec):
    lam = R(3, 4)
    sub = dict(zip((x1, x2, y), POINT))
    v = numeric(dec.cur)
    # losses xi = -v, H = D xi, A = (H - H^T)/2; SGA descends along xi + lam A^T xi
    H = jacobian_fd(lambda z: -v(z), POINT)
    A = (H - H.T) / 2
    xi = -v(POINT)
    expected = -(xi + float(lam) * A.T @ xi)
    got = np.array([float(e.evalf(subs=sub)) for e in dec.field("sga-fixed", lam)])
    np.testing.assert_allclose(got, expected, rtol=1e-8, atol=1e-9)
    assert np.abs(A).max() > 0.1  # the adjustment is really there


def test_consensus_is_v_minus_gamma_grad_half_squared_norm(dec):
    gamma = R(2, 5)
    v = numeric(dec.cur)
    half_sq = lambda z: np.array([v(z) @ v(z) / 2])  # noqa: E731
    grad = jacobian_fd(half_sq, POINT)[0]
    expected = v(POINT) - float(gamma) * grad
    sub = dict(zip((x1, x2, y), POINT))
    got = np.array([float(e.evalf(subs=sub)) for e in dec.field("consensus", gamma)])
    np.testing.assert_allclose(got, expected, rtol=1e-8, atol=1e-9)


payoff = st.integers(-5, 5)


@given(st.lists(payoff, min_size=8, max_size=8), st.lists(st.floats(-2, 2), min_size=2,
                                                          max_size=2))
def test_sga_and_consensus_of_random_2x2_games_match_differences(entries, theta):
    A = [entries[0:2], entries[2:4]]
    B = [entries[4:6], entries[6:8]]
    dec = Decomposition(normal_form_game([A, B], "logit"), eta=PAPER.eta)
    z = np.array(theta)
    v = compile_field(dec, Rule("pg")).field
    H = jacobian_fd(lambda w: v(w[None])[0], z, 1e-6)
    vz = v(z[None])[0]
    sga = compile_field(dec, Rule("sga-fixed", lam=2)).field(z[None])[0]
    np.testing.assert_allclose(sga, vz + 2 * (H - H.T) / 2 @ vz, atol=1e-7)
    co = compile_field(dec, Rule("consensus", lam=R(1, 3))).field(z[None])[0]
    np.testing.assert_allclose(co, vz - H.T @ vz / 3, atol=1e-7)


def test_symplectic_and_consensus_terms_are_the_game_jacobian_products(dec):
    H, v = dec.game_jacobian, dec.cur
    assert H == dec.jacobian("pg")
    assert (dec.symplectic - dec.antisymmetric_part * v).applyfunc(sp.expand) == sp.zeros(3, 1)
    assert (dec.consensus + H.T * v).applyfunc(sp.expand) == sp.zeros(3, 1)


# -- LOLA (Foerster) and exact Meta-MAPG: explicit one-step computations -----
def _explicit(game, e, opponents_only):
    """Agent i's explicit one-step gradient at POINT, by central differences.

    opponents_only: grad_i J_i + d/dphi_i J_i(phi_i fixed, phi_-i + e g_-i(phi))
    (Foerster et al.'s LOLA); otherwise d J_i(phi + e v(phi)) / d phi_i.
    """
    J = numeric(game.values)
    v = numeric(Decomposition(game).cur)
    blocks = list(game.slices)
    out = np.zeros(3)
    for i, sl in enumerate(blocks):
        own_idx = np.arange(sl.start, sl.stop)

        def f(z, i=i, own_idx=own_idx):
            step = z + e * v(z)
            if opponents_only:
                step[own_idx] = POINT[own_idx]
            return np.array([J(step)[i]])

        g = jacobian_fd(f, POINT, 1e-6)[0]
        out[own_idx] = g[own_idx]
    if opponents_only:
        grad = jacobian_fd(lambda z: J(z), POINT, 1e-6)
        for i, sl in enumerate(blocks):
            out[sl] += grad[i, sl]
    return out


@pytest.mark.parametrize("method,opponents_only", [("lola-foerster", True),
                                                   ("meta-mapg-exact", False)])
def test_first_order_fields_match_the_explicit_step_to_order_eta_squared(method,
                                                                         opponents_only):
    game = general_game()
    sub = dict(zip((x1, x2, y), POINT))
    errors = []
    for e in (R(1, 50), R(1, 100)):
        F = Decomposition(game, eta=e).field(method)
        got = np.array([float(t.evalf(subs=sub)) for t in F])
        errors.append(np.abs(got - _explicit(game, float(e), opponents_only)).max())
    assert errors[1] < 1e-2
    assert 3.5 < errors[0] / errors[1] < 4.5  # the remainder is O(eta^2)


def test_lola_foerster_drops_exactly_the_lookahead_term(dec):
    assert dec.field("lola") - dec.field("lola-foerster") == dec.lookahead
    assert dec.field("meta-mapg-exact") == (dec.cur + dec.own + dec.peer + dec.lookahead
                                            + dec.self_lookahead)


# -- SOS ----------------------------------------------------------------------
def _grid(n=7):
    ticks = [R(k, 2) - R(3, 2) for k in range(n)]
    return [(a, b, c) for a in ticks for b in ticks for c in ticks[::2]]


def test_sos_weight_branches_exactly():
    a, b = R(1, 2), R(1, 10)
    assert sos_weight(R(1, 400), 1, -1, a, b) == R(1, 400)   # small ||v||: p <= ||v||^2
    assert sos_weight(4, 1, 3, a, b) == 1                     # shaping agrees with u
    assert sos_weight(4, 1, -2, a, b) == R(1, 4)              # p1 = a ||u||^2 / |<s,u>|
    assert sos_weight(4, 1, -R(1, 4), a, b) == 1              # p1 capped at 1


def test_sos_field_at_is_lookahead_plus_a_bounded_share_of_the_shaping():
    dec = Decomposition(general_game(), eta=R(1, 2))
    a, b = SOS_CONSTANTS.a, SOS_CONSTANTS.b
    seen = set()
    for point in _grid():
        F = sp.Matrix(dec.field_at("sos", point))
        v = sp.Matrix(dec.field_at("pg", point))
        u = sp.Matrix(dec.field_at("lookahead", point))
        s = sp.Matrix(dec.field_at("lola", point)) - u
        dot, small = s.dot(u), v.dot(v) < b ** 2
        if small:  # near a fixed point the shaping weight is at most ||v||^2
            p = (F - u).dot(s) / s.dot(s) if s.dot(s) else 0
            assert F == u + p * s and 0 <= p <= v.dot(v)
            seen.add("p2")
        elif dot < 0 and -a * u.dot(u) / dot < 1:
            # LOLA would turn u too far: SOS keeps <F, u> = (1 - a) ||u||^2 exactly
            assert F.dot(u) == (1 - a) * u.dot(u)
            seen.add("p1")
        else:
            assert F == u + s  # full LOLA shaping
            seen.add("lola")
    assert seen >= {"p1", "lola"}


def test_sos_symbolic_piecewise_agrees_with_the_pointwise_rule():
    dec = Decomposition(general_game(), eta=R(1, 2))
    F = dec.field("sos")
    for point in _grid(4)[:12]:
        sub = dict(zip((x1, x2, y), point))
        assert [e.xreplace(sub) for e in F] == dec.field_at("sos", point)


def test_compiled_sos_matches_exact_and_its_jacobian_matches_differences():
    dec = Decomposition(general_game(), eta=R(1, 2))
    cf = compile_field(dec, Rule("sos"))
    points = _grid(5)[:40]
    xs = np.array(points, dtype=float)
    exact = np.array([[float(v) for v in dec.field_at("sos", p)] for p in points])
    np.testing.assert_allclose(cf.field(xs), exact, rtol=1e-12, atol=1e-12)
    mp = field_at_precision(dec, Rule("sos"), x=points[7], dps=40)
    np.testing.assert_allclose([float(t) for t in mp], exact[7], rtol=1e-13)
    assert field_exact(dec, Rule("sos"), point=points[7]) == dec.field_at("sos", points[7])
    rng = np.random.default_rng(5)
    zs = np.vstack([rng.uniform(-1.5, 1.5, size=(400, 3)), rng.uniform(-0.03, 0.03, (5, 3))])
    u = compile_field(dec, Rule("lookahead")).field(zs)  # F = u + p peer
    peer = compile_field(dec, Rule("lola")).field(zs) - u
    p = np.sum((cf.field(zs) - u) * peer, 1) / np.sum(peer * peer, 1)
    branches = {"full": np.isclose(p, 1), "small v": p < 0.01, "a-bound": (p > 0.01) & (p < 0.99)}
    for name, mask in branches.items():
        picked = zs[mask][:4]
        assert len(picked) >= 4, name
        for z in picked:
            fd = jacobian_fd(lambda w: cf.field(w[None])[0], z, 1e-6)
            np.testing.assert_allclose(cf.jacobian(z[None])[0], fd, rtol=1e-5, atol=1e-6)


def test_sos_refuses_fixed_coefficients_and_a_symbolic_jacobian():
    dec = Decomposition(tandem())
    with pytest.raises(OptionsError, match="piecewise"):
        dec.field_engine("sos")
    with pytest.raises(OptionsError, match="piecewise"):
        dec.jacobian("sos")


# -- Tandem (Letcher et al. 2019) -------------------------------------------
def test_tandem_lookahead_sos_sga_consensus_keep_the_fixed_points():
    x, yy = sp.symbols("x y")
    dec = Decomposition(tandem())
    on_line = {yy: 1 - x}
    for m in ("pg", "lookahead", "sos", "sga", "sga-fixed", "consensus"):
        assert all(sp.simplify(e.subs(on_line)) == 0 for e in dec.field(m)), m


def test_tandem_sos_has_no_other_fixed_point():
    dec = Decomposition(tandem(), eta=PAPER.eta)
    for k in range(-12, 13):
        s = 1 + R(k, 8)
        F = dec.field_at("sos", [s / 2, s / 2])
        assert (F == [0, 0]) == (k == 0)


@pytest.mark.parametrize("method,line", [
    ("lola", (1 - 2 * eta) / (1 - 4 * eta)),
    ("lola-foerster", 1 / (1 - 2 * eta)),
    ("meta-mapg-exact", (1 - 6 * eta) / (1 - 8 * eta)),
])
def test_tandem_lola_forms_move_the_fixed_points(method, line):
    x, yy, s = sp.symbols("x y s")
    F = Decomposition(tandem()).field(method)
    fixed = sp.solve(sp.expand(F[0]).subs(x, s - yy), s)
    assert len(fixed) == 1 and sp.simplify(fixed[0] - line) == 0
    assert sp.simplify(F[1] - F[0]) == 0
    assert sp.simplify(line.subs(eta, R(1, 10)) - 1) != 0  # off the line x + y = 1


def test_the_own_coefficient_is_not_the_payoff_c():
    """Guards the symbolic 2x2 games: the own coefficient and the payoff c were
    one symbol, so filling in the payoffs of a symbolic field also set c."""
    from eqselect.theory import builtin

    game = builtin("stag-hunt", "logit", symbolic=True)
    filled = Decomposition(game).field("meta-mapg").subs(game.payoff_symbols)
    numeric = Decomposition(game.substitute()).field("meta-mapg")
    assert sp.simplify(filled - numeric) == sp.zeros(2, 1)
    assert OWN_COEF in numeric.free_symbols and sp.Symbol("c") not in numeric.free_symbols


def test_a_game_file_may_name_a_payoff_c(tmp_path):
    from eqselect.theory.io.spec import load_spec

    f = tmp_path / "g.toml"
    f.write_text('payoffs = [[[4, "c"], [3, 2]], [[4, 3], ["c", 2]]]\n[symbols]\nc = 1\n')
    assert [s.name for s in load_spec(f).payoff_symbols] == ["c"]
