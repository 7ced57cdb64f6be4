"""Start maps for every game (softmax, simplices, N players) and two-axis slices."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from eqselect.numerics.dynamics.slices import SliceStarts, coordinate
from eqselect.numerics.dynamics.starts import (
    monte_carlo_starts, parameters_to_strategies, strategies_to_parameters)
from eqselect.theory import OptionsError, builtin
from eqselect.theory.games.normal_form import normal_form_game

G33 = [[[4, 4, -3], [5, -3, -3], [4, -3, 4]], [[-5, -5, 3], [3, -1, -4], [2, 3, 3]]]


def _game(param):
    return normal_form_game(G33, param, name="g33", players=["row", "col"],
                            action_names=[["A", "B", "C"], ["A", "B", "C"]])


def _symbolic_strategies(game, x):
    """The game's own strategy expressions at x (the reference for the numpy map)."""
    sub = dict(zip(game.parameters, x))
    return np.array([float(sp.N(e.subs(sub))) for s in game.strategies for e in s])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.02, 1.0), min_size=6, max_size=6))
def test_softmax_strategy_map_matches_the_game_and_inverts(weights):
    game = _game("softmax")
    w = np.array(weights).reshape(2, 3)
    s = (w / w.sum(axis=1, keepdims=True)).ravel()
    x = strategies_to_parameters(game, [s])
    assert np.allclose(parameters_to_strategies(game, x)[0], s)
    assert np.allclose(_symbolic_strategies(game, x[0]), s)


def test_direct_and_ipd_maps():
    game = _game("direct")
    s = [[0.2, 0.3, 0.5, 0.6, 0.4, 0.0]]
    assert strategies_to_parameters(game, s).tolist() == [[0.2, 0.3, 0.6, 0.4]]
    ipd = builtin("ipd", "logit")
    x = np.linspace(-2, 2, 10)[None, :]
    assert np.allclose(parameters_to_strategies(ipd, x)[0], _symbolic_strategies(ipd, x[0]))


def test_simplex_sampler_is_uniform_on_each_simplex():
    game = _game("softmax")
    p, x = monte_carlo_starts(game, 4000, seed=2, sampler="simplex")
    s = parameters_to_strategies(game, x)
    assert np.allclose(s.reshape(-1, 2, 3).sum(axis=2), 1.0)
    # flat Dirichlet(1, 1, 1): each marginal is Beta(1, 2), mean 1/3, variance 1/18
    assert np.allclose(s.mean(axis=0), 1 / 3, atol=0.02)
    assert np.allclose(s.var(axis=0), 1 / 18, atol=0.01)


def test_slice_holds_fixed_values_and_shares_the_rest():
    game = _game("softmax")
    plane, x = SliceStarts(5, ("row:A", "col:B"), (("col:C", 0.25),)).draw(game)
    s = parameters_to_strategies(game, x)
    assert np.allclose(s[:, 0], plane[:, 0]) and np.allclose(s[:, 4], plane[:, 1])
    assert np.allclose(s[:, 5], 0.25)  # held
    assert np.allclose(s[:, 1], s[:, 2])  # row's other actions share what is left
    assert np.allclose(s.reshape(-1, 2, 3).sum(axis=2), 1.0)
    assert len(plane) == 5 * 4  # col:B + 0.25 < 1 keeps four of 0.05, 0.275, ..., 0.95


def test_slice_on_one_player_drops_points_off_the_simplex():
    plane, x = SliceStarts(5, ("p1_0", "p1_1"), (), 0.0, 1.0).draw(_game("direct"))
    assert np.all(plane.sum(axis=1) <= 1 + 1e-12) and len(plane) == 15
    assert np.allclose(x[:, 2:], 1 / 3)  # col uniform


def test_coordinate_names():
    game = _game("softmax")
    assert coordinate(game, "theta2_1") == (1, 0, 1)
    assert coordinate(game, "col:C") == (1, 0, 2) and coordinate(game, "2:2") == (1, 0, 2)
    assert coordinate(builtin("ipd", "logit"), "theta1_3") == (0, 3, 0)


@pytest.mark.parametrize("axes,fixed,needle", [
    (("row:A", "row:Z"), (), "unknown axis"),
    (("row:A", "row:A"), (), "two different axes"),
    (("row:A", "col:A"), (("col:B", 1.5),), "probability must lie"),
    (("row:A", "col:A"), (("row:A", 0.5),), "is an axis"),
    (("row:A", "col:A"), (("theta1_1", 99.0),), "logit must lie"),
])
def test_slice_errors(axes, fixed, needle):
    with pytest.raises(OptionsError, match=needle):
        SliceStarts(3, axes, fixed).draw(_game("softmax"))


def _g32_direct():
    return normal_form_game([[[1, 3], [0, 1], [2, 0]], [[1, 3], [2, 0], [0, 1]]], "direct",
                            name="g32", players=["Alice", "Bob"],
                            action_names=[["U", "M", "D"], ["L", "R"]])


def test_probability_sampler_stays_on_a_simplex_of_three_actions():
    """A box draw of Alice's two free probabilities (U, M) leaves her simplex."""
    game = _g32_direct()
    p, x = monte_carlo_starts(game, 500, 1, "probability", 0.0, 1.0)
    s = parameters_to_strategies(game, x)
    assert (s >= -1e-12).all() and np.allclose(s[:, :3].sum(axis=1), 1.0)
    assert p[:, :2].sum(axis=1).max() <= 1 + 1e-12


def test_start_errors_show_plain_numbers():
    from eqselect.numerics.dynamics.starts import probability_to_parameters
    from eqselect.theory import GameError

    with pytest.raises(GameError) as err:
        probability_to_parameters(_g32_direct(), np.array([[np.float64(0.9), 0.9, 0.5]]))
    assert "np." not in str(err.value) and "1.8" in str(err.value)
    with pytest.raises(GameError) as err:
        probability_to_parameters(builtin("stag-hunt", "logit"), np.array([[1.0, 0.5]]))
    assert "np." not in str(err.value)
