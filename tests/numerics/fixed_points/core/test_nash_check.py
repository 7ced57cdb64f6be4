"""Tests for eqselect.numerics.fixed_points.core.nash_check: exact best-response checks."""


import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import gambit_oracle
from eqselect.numerics.fixed_points.core.nash_check import (
    action_values, exact_sign, is_nash, strategies_at)
from eqselect.theory import GameError, builtin, normal_form_game

R = sp.Rational


def test_exact_sign_rationals_and_algebraic_numbers():
    assert exact_sign(R(-1, 3)) == -1
    assert exact_sign(sp.Integer(0)) == 0
    assert exact_sign(sp.sqrt(2) - R(141421, 100000)) == 1
    assert exact_sign(sp.sqrt(2) - R(141422, 100000)) == -1
    # a radical expression that is exactly zero
    assert exact_sign((1 + sp.sqrt(3)) ** 2 - 4 - 2 * sp.sqrt(3)) == 0


def test_exact_sign_refuses_symbols_and_complex_values():
    with pytest.raises(GameError, match="free symbols"):
        exact_sign(sp.Symbol("x"))
    with pytest.raises(GameError, match="not real"):
        exact_sign(1 + sp.I)


def test_strategies_at_direct_simplex_game_is_exact():
    g = normal_form_game([[[1, 0, 0], [0, 1, 0]], [[0, 1, 0], [1, 0, 0]]], "direct")
    s = strategies_at(g, (R(1, 3), R(1, 2), R(1, 4)))
    assert s == ((R(1, 3), R(2, 3)), (R(1, 2), R(1, 4), R(1, 4)))
    with pytest.raises(GameError, match="3 parameters"):
        strategies_at(g, (0, 0))


def test_action_values_hand_worked_stag_hunt():
    g = builtin("stag-hunt", "direct")
    # against a partner who plays C with probability q: u(C) = 4q, u(D) = 3q + 2(1-q)
    q = R(1, 5)
    assert action_values(g, ((1, 0), (q, 1 - q)), 0) == (4 * q, 3 * q + 2 * (1 - q))


def test_is_nash_on_the_named_equilibria():
    g = builtin("stag-hunt", "direct")
    third = (R(2, 3), R(1, 3))
    assert is_nash(g, ((1, 0), (1, 0)))
    assert is_nash(g, ((0, 1), (0, 1)))
    assert is_nash(g, (third, third))
    assert not is_nash(g, ((1, 0), (0, 1)))
    assert not is_nash(g, ((R(1, 2), R(1, 2)), third))
    pd = builtin("prisoners-dilemma", "direct")
    assert is_nash(pd, ((0, 1), (0, 1)))
    assert not is_nash(pd, ((1, 0), (1, 0)))
    mp = builtin("matching-pennies", "direct")
    assert is_nash(mp, ((R(1, 2), R(1, 2)), (R(1, 2), R(1, 2))))
    assert not is_nash(mp, ((R(1, 2), R(1, 2)), (R(1, 3), R(2, 3))))


def test_is_nash_input_errors():
    g = builtin("stag-hunt", "direct")
    with pytest.raises(GameError, match="2 agents"):
        is_nash(g, ((1, 0),))
    with pytest.raises(GameError, match="3 entries"):
        is_nash(g, ((1, 0, 0), (1, 0)))
    with pytest.raises(GameError, match="free payoff symbols"):
        is_nash(builtin("stag-hunt", "direct", symbolic=True), ((1, 0), (1, 0)))
    with pytest.raises(GameError, match="one-shot"):
        is_nash(builtin("ipd", "direct"), ((1, 0), (1, 0)))


@settings(max_examples=15)
@given(st.data())
def test_is_nash_agrees_with_gambit_regret(data):
    """Random 2- and 3-player games, random rational profiles (and gambit's own
    equilibria): is_nash holds iff gambit's exact max regret is zero."""
    shape = data.draw(st.sampled_from([(2, 2), (2, 3), (3, 3), (2, 2, 2)]))
    tables = [data.draw(st.lists(st.integers(-5, 5), min_size=int(np.prod(shape)),
                                 max_size=int(np.prod(shape))))
              for _ in shape]
    tables = [np.array(t, dtype=int).reshape(shape).tolist() for t in tables]
    game = normal_form_game(tables, "direct")
    profiles = []
    for m in shape:
        w = data.draw(st.lists(st.integers(0, 3), min_size=m, max_size=m).filter(any))
        profiles.append(tuple(R(x, sum(w)) for x in w))
    assert is_nash(game, profiles) == gambit_oracle.max_regret_is_zero(tables, profiles)
    if len(shape) == 2:
        for eq in gambit_oracle.enummixed(tables):
            prof = [tuple(R(x.numerator, x.denominator) for x in strat) for strat in eq]
            assert is_nash(game, prof)
