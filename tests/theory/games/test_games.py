"""Built-in games, parameterisations, the IPD closed forms and entropy."""

import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from eqselect.numerics.codegen import compile_exprs
from eqselect.theory import (
    BUILTINS, GameError, builtin, entropy_regularized, ipd, normal_form_game)
from eqselect.theory.games.ipd import IPD_PAYOFF


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_every_builtin_builds(name):
    game = builtin(name)
    assert game.n_agents == len(game.values) >= 2
    assert all(v.free_symbols <= set(game.parameters) for v in game.values)


@pytest.mark.parametrize("param", ["direct", "softmax"])
@given(x=st.lists(st.floats(-3, 3), min_size=4, max_size=4))
def test_strategies_lie_on_the_simplex(param, x):
    game = normal_form_game([np.ones((3, 3)).tolist()] * 2, param)
    point = dict(zip(game.parameters, [abs(v) / 6 if param == "direct" else v for v in x]))
    for strategy in game.strategies:
        probs = [float(p.subs(point)) for p in strategy]
        assert abs(sum(probs) - 1) < 1e-12
        assert all(p >= -1e-12 for p in probs)


def test_parameter_names_follow_the_contract():
    assert [s.name for s in builtin("stag-hunt", "direct").parameters] == ["p1", "p2"]
    assert [s.name for s in builtin("stag-hunt").parameters] == ["theta1", "theta2"]
    g = normal_form_game([np.zeros((3, 2)).tolist()] * 2, "direct")
    assert [s.name for s in g.parameters] == ["p1_0", "p1_1", "p2"]


def test_bad_games_are_refused_with_the_offending_value():
    with pytest.raises(GameError, match=r"shape \(2, 3\)"):
        normal_form_game([[[1, 2], [3, 4]], [[1, 2, 3], [4, 5, 6]]])
    with pytest.raises(GameError, match="not finite"):
        normal_form_game([[[1, float("inf")], [3, 4]], [[1, 2], [3, 4]]])
    with pytest.raises(GameError, match="logit.*softmax"):
        normal_form_game([np.zeros((3, 3)).tolist()] * 2, "logit")
    with pytest.raises(GameError, match="unknown game"):
        builtin("stag-hunting")


def _ipd_numeric(x1, x2, gamma, horizon, payoff=IPD_PAYOFF):
    """Brute force over all joint action paths (finite) or a long power sum."""
    row = np.array([payoff[0][0], payoff[0][1], payoff[1][0], payoff[1][1]], float)
    col = np.array([payoff[0][0], payoff[1][0], payoff[0][1], payoff[1][1]], float)

    def step(s):
        a, b = x1[s], x2[s]
        return np.array([a * b, a * (1 - b), (1 - a) * b, (1 - a) * (1 - b)])

    if horizon is None:
        P = np.array([step(s) for s in range(1, 5)])
        v, total = step(0), np.zeros(2)
        for t in range(3000):
            total += gamma ** t * np.array([v @ row, v @ col])
            v = v @ P
        return total
    total = np.zeros(2)
    for path in itertools.product(range(4), repeat=horizon):
        prob, state = 1.0, 0
        for o in path:
            prob *= step(state)[o]
            state = 1 + o
        disc = np.array([gamma ** t for t in range(horizon)])
        total += prob * np.array([disc @ row[list(path)], disc @ col[list(path)]])
    return total


@pytest.mark.parametrize("horizon", [None, 3])
def test_ipd_values_equal_independent_evaluation(horizon):
    rng = np.random.default_rng(7)
    game = ipd("direct", gamma=sp.Rational(9, 10), horizon=horizon)
    x = rng.uniform(0.05, 0.95, size=10)
    got = compile_exprs(list(game.values), game.parameters)(x)
    want = _ipd_numeric(x[:5], x[5:], 0.9, horizon)
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_ipd_refuses_intractable_horizon():
    with pytest.raises(GameError, match="dynamic-programming"):
        ipd(horizon=12)


def test_entropy_adds_tau_times_shannon_entropy():
    tau = sp.Rational(1, 3)
    base = builtin("matching-pennies", "logit")
    reg = entropy_regularized(base, tau)
    at_zero = {s: 0 for s in base.parameters}
    diff = [sp.simplify((r - b).subs(at_zero)) for r, b in zip(reg.values, base.values)]
    assert diff == [tau * sp.log(2)] * 2
    ipd_reg = entropy_regularized(ipd("logit"), tau)
    gap = (ipd_reg.values[0] - ipd("logit").values[0]).subs({s: 0 for s in ipd_reg.parameters})
    assert sp.simplify(gap - 5 * tau * sp.log(2)) == 0  # summed over five states
    with pytest.raises(GameError, match="tau must be >= 0"):
        entropy_regularized(base, -1)


def test_entropy_is_added_once_and_taken_away_exactly():
    """Guards double regularisation: a second entropy_regularized added another
    tau * H to the values while game.tau recorded one."""
    from eqselect.theory.games.entropy import without_entropy

    plain = builtin("stag-hunt", "softmax", symbolic=True)
    reg = entropy_regularized(plain, sp.Rational(1, 4))
    with pytest.raises(GameError, match="already entropy-regularised"):
        entropy_regularized(reg, sp.Rational(1, 4))
    assert without_entropy(reg) == plain and without_entropy(plain) is plain
