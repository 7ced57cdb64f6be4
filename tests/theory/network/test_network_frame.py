"""The frame of a network game holds what its general Game holds, except the values."""

import numpy as np
import pytest

from eqselect.theory.io.network_spec import network_spec
from eqselect.numerics.dynamics.starts import SampledStarts, parameters_to_strategies

SPEC = {"graph": "watts-strogatz:8,4,0.3", "seed": 2, "actions": ["Stag", "Hare"],
        "payoffs": [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]}


@pytest.mark.parametrize("param", ["direct", "logit"])
def test_frame_matches_the_general_game(param):
    net = network_spec(SPEC, param)
    frame, game = net.frame, net.game
    assert frame.agents == game.agents
    assert frame.parameters == game.parameters
    assert frame.slices == game.slices
    assert frame.region == game.region
    assert (frame.parameterization, frame.actions, frame.states) == (
        game.parameterization, game.actions, game.states)
    assert [frame.player_name(i) for i in range(8)] == [game.player_name(i) for i in range(8)]
    assert frame.action_name(3, 1) == game.action_name(3, 1) == "Hare"
    assert frame.strategies == game.strategies


def test_frame_draws_the_same_starts_as_the_general_game():
    net = network_spec(SPEC, "logit")
    starts = SampledStarts(20, 4)
    p_frame, x_frame = starts.draw(net.frame)
    p_game, x_game = starts.draw(net.game)
    assert np.array_equal(x_frame, x_game) and np.array_equal(p_frame, p_game)
    assert np.array_equal(parameters_to_strategies(net.frame, x_frame),
                          parameters_to_strategies(net.game, x_game))


def test_a_large_graph_file_does_not_form_symbolic_values():
    net = network_spec({**SPEC, "graph": "ring:3000"}, "logit")
    frame = net.frame
    assert frame.n_agents == 3000 and len(frame.parameters) == 3000
    assert "game" not in net.__dict__ and "strategies" not in frame.__dict__
