"""Tests for eqselect.numerics.sources.markov: DP values, gradients and Hessians of the IPD."""

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from eqselect.numerics.compiled import compile_components
from eqselect.numerics.sources.markov import (
    IPD_PAYOFF, cooperation_probabilities, ipd_components, ipd_field, ipd_value_grad_hess)
from eqselect.theory import Decomposition, GameError, Rule, coefficients, ipd

GAMMA = sp.Rational(24, 25)


def brute_force_values(theta, horizon, gamma, payoff=IPD_PAYOFF):
    """J_i by enumerating all 4^H joint action paths of one point (logit)."""
    x = 1 / (1 + np.exp(-np.asarray(theta, float).reshape(2, 5)))
    pay = np.asarray(payoff, float)
    J = np.zeros(2)
    for path in itertools.product(range(4), repeat=horizon):
        prob, ret, state = 1.0, np.zeros(2), 0
        for t, outcome in enumerate(path):
            a1, a2 = divmod(outcome, 2)
            p1 = x[0, state] if a1 == 0 else 1 - x[0, state]
            p2 = x[1, state] if a2 == 0 else 1 - x[1, state]
            prob *= p1 * p2
            ret += gamma ** t * np.array([pay[a1, a2], pay[a2, a1]])
            state = 1 + 2 * a1 + a2
        J += prob * ret
    return J


points = st.lists(st.floats(-3, 3), min_size=10, max_size=10).map(np.array)


@pytest.mark.parametrize("horizon", [3, 4])
def test_value_equals_brute_force_enumeration(horizon):
    theta = np.random.default_rng(horizon).normal(size=10)
    J, _, _ = ipd_value_grad_hess(theta, horizon=horizon, gamma=0.96)
    np.testing.assert_allclose(J[0], brute_force_values(theta, horizon, 0.96), rtol=0, atol=1e-12)


@pytest.mark.parametrize("horizon", [3, None])
def test_value_equals_sympy_closed_form(horizon):
    game = ipd("logit", gamma=GAMMA, horizon=horizon)
    theta = np.random.default_rng(7).normal(size=10)
    sub = dict(zip(game.parameters, theta))
    exact = [float(v.subs(sub)) for v in game.values]
    J, _, _ = ipd_value_grad_hess(theta, horizon=horizon, gamma=0.96)
    np.testing.assert_allclose(J[0], exact, rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize("horizon", [3, None])
def test_fraction_arithmetic_is_exact(horizon):
    p = [Fraction(1, 3), Fraction(1, 2), Fraction(2, 5), Fraction(1, 7), Fraction(3, 4),
         Fraction(2, 7), Fraction(5, 6), Fraction(1, 9), Fraction(1, 2), Fraction(2, 3)]
    game = ipd("direct", gamma=GAMMA, horizon=horizon)
    sub = dict(zip(game.parameters, [sp.Rational(v.numerator, v.denominator) for v in p]))
    J, grad, _ = ipd_value_grad_hess([p], horizon=horizon, gamma=Fraction(24, 25),
                                     parameterization="direct", arithmetic="fraction")
    for i in range(2):
        assert sp.Rational(J[0, i].numerator, J[0, i].denominator) == sp.simplify(
            game.values[i].subs(sub))
        d0 = sp.diff(game.values[i], game.parameters[0]).subs(sub)
        assert sp.Rational(grad[0, i, 0].numerator, grad[0, i, 0].denominator) == d0


def test_mpmath_arithmetic_matches_float():
    theta = np.random.default_rng(1).normal(size=(2, 10))
    Jf, gf, hf = ipd_value_grad_hess(theta, horizon=5)
    Jm, gm, hm = ipd_value_grad_hess(theta, horizon=5, arithmetic="mpmath")
    for a, b in ((Jf, Jm), (gf, gm), (hf, hm)):
        np.testing.assert_allclose(a, b.astype(float), atol=1e-12)


@pytest.mark.parametrize("horizon,param", [(12, "logit"), (None, "logit"), (12, "direct")])
def test_derivatives_equal_central_finite_differences(horizon, param):
    rng = np.random.default_rng(11)
    theta = rng.normal(size=10) if param == "logit" else rng.uniform(0.1, 0.9, size=10)
    _, grad, hess = ipd_value_grad_hess(theta, horizon=horizon, parameterization=param)
    h = 1e-5
    steps = theta + h * np.eye(10)[:, None, :] * np.array([1, -1])[None, :, None]
    J, G, _ = ipd_value_grad_hess(steps.reshape(20, 10), horizon=horizon,
                                  parameterization=param)
    J, G = J.reshape(10, 2, 2), G.reshape(10, 2, 2, 10)
    fd_grad = (J[:, 0] - J[:, 1]).T / (2 * h)  # (agent, k)
    fd_hess = np.moveaxis((G[:, 0] - G[:, 1]) / (2 * h), 0, 1)  # (agent, l, k)
    np.testing.assert_allclose(grad[0], fd_grad, atol=1e-6)
    np.testing.assert_allclose(hess[0], fd_hess, atol=1e-6)
    np.testing.assert_allclose(hess[0], np.swapaxes(hess[0], 1, 2), atol=1e-12)


@pytest.fixture(scope="module", params=[3, None], ids=["H3", "infinite"])
def exact_components(request):
    dec = Decomposition(ipd("logit", gamma=GAMMA, horizon=request.param),
                        eta=sp.Rational(11, 20))
    return request.param, compile_components(dec)


def test_components_equal_exact_decomposition(exact_components):
    horizon, compiled = exact_components
    theta = np.random.default_rng(5).normal(size=(20, 10)) * 1.5
    ref = compiled(theta)
    comps = ipd_components(theta, eta=0.55, horizon=horizon, gamma=0.96)
    for k, name in enumerate(("cur", "own", "peer", "lookahead")):
        np.testing.assert_allclose(getattr(comps, name), ref[:, k], rtol=0, atol=1e-10,
                                   err_msg=name)


@given(points)
def test_components_property_h3(theta):
    dec_field = _H3_CACHE.setdefault("f", compile_components(
        Decomposition(ipd("logit", gamma=GAMMA, horizon=3), eta=sp.Rational(11, 20))))
    ref = dec_field(theta[None])[0]
    comps = ipd_components(theta[None], eta=0.55, horizon=3)
    np.testing.assert_allclose(np.stack([c[0] for c in comps]), ref[:4], atol=1e-10)


_H3_CACHE = {}


@pytest.mark.parametrize("method", ["pg", "meta-pg", "peer-only", "meta-mapg", "lookahead", "lola"])
def test_field_is_the_method_combination(method):
    theta = np.random.default_rng(2).normal(size=(4, 10))
    comps = ipd_components(theta, eta=0.55)
    coef = coefficients(method, 1.5, 0.35)
    expected = sum(float(coef[k]) * getattr(comps, k) for k in coef)
    F = ipd_field(Rule(method, lam=1.5, own_coef=0.35), eta=0.55)
    np.testing.assert_allclose(F(theta), expected, atol=1e-13)
    np.testing.assert_allclose(F(theta[0]), expected[0], atol=1e-13)


def test_always_cooperate_value_and_cooperation_probabilities():
    J, _, _ = ipd_value_grad_hess(np.full(10, 40.0), horizon=12, gamma=0.96)
    np.testing.assert_allclose(J[0], 3 * (1 - 0.96 ** 12) / 0.04, rtol=1e-12)
    x, dx, ddx = cooperation_probabilities(np.array([[2.0] * 10]))
    s = 1 / (1 + np.exp(-2.0))
    np.testing.assert_allclose([x[0, 0, 0], dx[0, 0, 0], ddx[0, 0, 0]],
                               [s, s * (1 - s), s * (1 - s) * (1 - 2 * s)])


@pytest.mark.parametrize("kwargs, match", [
    (dict(horizon=0), "horizon"), (dict(horizon=None, gamma=1), "gamma"),
    (dict(gamma=1.5), "gamma"), (dict(parameterization="softmax"), "parameterization"),
    (dict(arithmetic="fraction"), "logit"), (dict(arithmetic="quad"), "arithmetic"),
    (dict(payoff=[[1, 2, 3]]), "payoff")])
def test_bad_input_raises_game_error(kwargs, match):
    with pytest.raises(GameError, match=match):
        ipd_value_grad_hess([[0] * 10], **kwargs)


def test_bad_shape_raises_game_error():
    with pytest.raises(GameError, match="10 coordinates"):
        ipd_value_grad_hess(np.zeros((3, 4)))
