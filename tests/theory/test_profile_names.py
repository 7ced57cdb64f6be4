"""Points named by the game's actions: pure profiles, strategies by action name."""

import sympy as sp

from eqselect.theory import builtin, normal_form_game, tandem
from eqselect.theory.profile_names import (
    actions_are_named, exact_strategies, named_strategies, player_and_action_names,
    point_names, profile_name, pure_profile, strategies_at)

GAME = normal_form_game([[[3, 0, 1], [2, 2, 0]], [[1, 0, 2], [0, 3, 1]]], "direct",
                        players=["row", "col"], action_names=[["U", "D"], ["L", "M", "R"]])


def test_a_vertex_is_the_pure_profile_of_its_actions():
    # direct: row's p1 is P(U); col's p2_0, p2_1 are P(L), P(M)
    for profile, point in (((0, 0), (1, 1, 0)), ((1, 2), (0, 0, 0)), ((0, 1), (1, 0, 1))):
        strategies = exact_strategies(GAME, point)
        assert pure_profile(GAME, strategies) == profile
        names = [GAME.action_names[i][a] for i, a in enumerate(profile)]
        assert profile_name(GAME, profile) == "(" + ", ".join(names) + ")"
        assert point_names(GAME, strategies)["profile"] == names


def test_a_mixed_point_has_no_profile_and_exact_named_strategies():
    half = sp.Rational(1, 2)
    strategies = exact_strategies(GAME, (half, sp.Rational(1, 3), 0))
    assert pure_profile(GAME, strategies) is None
    assert named_strategies(GAME, strategies) == [{"U": "1/2", "D": "1/2"},
                                                  {"L": "1/3", "M": "0", "R": "2/3"}]


def test_floats_are_pure_within_the_tolerance_only():
    near = ((1 - 1e-12, 1e-12), (0.0, 1.0, 0.0))
    assert pure_profile(GAME, near) == (0, 1)
    assert pure_profile(GAME, ((1 - 1e-6, 1e-6), (0.0, 1.0, 0.0))) is None
    assert named_strategies(GAME, near)[1] == {"L": "0.0", "M": "1.0", "R": "0.0"}


def test_exact_coordinates_win_over_floats():
    floats = ((0.5, 0.5), (1.0, 0.0, 0.0))
    assert strategies_at(GAME, None, floats) == floats
    exact = strategies_at(GAME, (1, 1, 0), floats)
    assert exact == ((1, 0), (1, 0, 0)) and all(isinstance(x, sp.Integer) for s in exact
                                                  for x in s)


def test_logit_points_are_named_exactly():
    game = builtin("stag-hunt", "logit")
    strategies = exact_strategies(game, (sp.log(2), sp.log(2)))
    assert named_strategies(game, strategies) == [{"C": "2/3", "D": "1/3"}] * 2


def test_names_of_the_game():
    assert player_and_action_names(GAME) == {"players": ["row", "col"],
                                             "actions": [["U", "D"], ["L", "M", "R"]]}
    assert actions_are_named(GAME) and actions_are_named(builtin("stag-hunt"))
    plain = normal_form_game([[[1, 0], [0, 1]], [[1, 0], [0, 1]]], "direct")
    assert not actions_are_named(plain)


def test_games_without_one_strategy_per_agent_have_no_names():
    game = tandem()
    assert player_and_action_names(game) == {}
    assert point_names(game, ((0.1,), (0.2,))) == {"profile": None, "named_strategies": None}
