"""The cycle test: `ParameterRecurrence` against the definition (`Recurrence` on
every step's strategies), and the bounds its screen rests on."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from eqselect.numerics.dynamics.recurrence import (
    SCREEN_MARGIN, ParameterRecurrence, Recurrence, stay_box, strategy_lipschitz)
from eqselect.numerics.dynamics.starts import parameters_to_strategies
from eqselect.theory import builtin
from eqselect.theory.games.normal_form import normal_form_game

G33 = [[[4, 4, -3], [5, -3, -3], [4, -3, 4]], [[-5, -5, 3], [3, -1, -4], [2, 3, 3]]]
GAMES = {"logit": builtin("stag-hunt", "logit"), "direct": builtin("stag-hunt", "direct"),
         "softmax": normal_form_game(G33, "softmax", name="g33"),
         "direct-3": normal_form_game(G33, "direct", name="g33")}


def _paths(kind: str, rng, n: int, steps: int) -> np.ndarray:
    """Paths of n runs, shape (steps + 1, n, d): loops of random radius and speed
    round random centres (some come back, some do not go away), drifts, and
    runs that hover at the edge of going away."""
    game = GAMES[kind]
    d = len(game.parameters)
    scale = 4.0 if kind in ("logit", "softmax") else 0.25
    centre = rng.uniform(-scale, scale, (n, d)) if scale > 1 else rng.uniform(0.1, 0.4, (n, d))
    radius = rng.choice([0.01, 0.1, 0.3, 1.0, 3.0], n)[:, None] * scale / 4
    speed = rng.choice([0.02, 0.1, 0.5], n)[:, None]
    phase = rng.uniform(0, 2 * np.pi, (n, d))
    k = np.arange(steps + 1)[:, None, None]
    loops = centre + radius * np.sin(speed * k + phase)
    drift = centre + rng.normal(0, 0.05 * scale, (n, d)) * k
    pick = rng.random(n) < 0.5
    return np.where(pick[None, :, None], loops, drift)


def _edge_path(rng, n: int, steps: int) -> np.ndarray:
    """Logit runs whose first probability sits within 1e-12 of going away
    (|p_k - p_0| = 5 eps +- 1e-12); half of them come back now and then."""
    x0 = rng.uniform(-3, 3, (n, 2))
    p0 = 1 / (1 + np.exp(-x0[:, 0]))
    sign = np.where(p0 < 0.5, 1.0, -1.0)
    returns = rng.random(n) < 0.5
    out = np.repeat(x0[None], steps + 1, axis=0)
    for k in range(1, steps + 1):
        jitter = rng.choice([-1e-12, 0.0, 1e-12, 1e-9, -1e-9], n)
        jitter[returns & (rng.random(n) < 0.05)] = -0.08
        p = p0 + sign * (0.1 + jitter)
        out[k, :, 0] = np.log(p) - np.log1p(-p)
    return out


def _definition(game, path) -> np.ndarray:
    test = Recurrence(parameters_to_strategies(game, path[0]))
    for x in path[1:]:
        test.update(parameters_to_strategies(game, x))
    return test.recurrent


def _screened(game, path) -> np.ndarray:
    """As `eqselect.numerics.dynamics.window.cycling` feeds it: runs found
    recurrent are dropped from the next steps."""
    test = ParameterRecurrence(game, path[0])
    rows = np.arange(path.shape[1])
    for x in path[1:]:
        keep = test.update(x[rows])
        if keep is not None:
            rows = rows[keep]
    return test.recurrent


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(sorted(GAMES)), st.integers(0, 2**32 - 1))
def test_screened_verdicts_are_the_definitions(kind, seed):
    rng = np.random.default_rng(seed)
    game = GAMES[kind]
    path = _paths(kind, rng, 60, 120)
    assert _screened(game, path).tolist() == _definition(game, path).tolist()


def test_both_verdicts_occur_in_the_random_paths():
    """The comparison above is not vacuous: cycles and non-cycles both appear."""
    rng = np.random.default_rng(3)
    for kind in GAMES:
        verdicts = _definition(GAMES[kind], _paths(kind, rng, 200, 120))
        assert 0 < verdicts.sum() < len(verdicts), kind


@pytest.mark.parametrize("seed", range(4))
def test_runs_at_the_edge_of_going_away_get_the_definitions_verdict(seed):
    game = GAMES["logit"]
    path = _edge_path(np.random.default_rng(seed), 400, 60)
    expected = _definition(game, path)
    assert 0 < expected.sum() < len(expected)
    assert _screened(game, path).tolist() == expected.tolist()


def test_non_finite_steps_are_seen_as_the_definition_sees_them():
    game = GAMES["logit"]
    path = np.zeros((6, 3, 2))
    path[1:, :, 0] = [[2.0], [np.nan], [0.0], [2.0], [0.0]]  # away, NaN, back
    path[2, 1] = 0.0  # the second run skips the NaN
    path[1:, 2, 0] = [2.0, np.inf, 0.0, -np.inf, 0.0]
    assert _screened(game, path).tolist() == _definition(game, path).tolist() == [
        False, True, True]


@pytest.mark.parametrize("kind", sorted(GAMES))
def test_the_lipschitz_constant_bounds_the_strategy_map(kind):
    game, rng = GAMES[kind], np.random.default_rng(0)
    d = len(game.parameters)
    x = rng.uniform(-3, 3, (4000, d)) if kind in ("logit", "softmax") else rng.random((4000, d))
    y = x + rng.normal(0, 0.05, x.shape)
    ds = np.abs(parameters_to_strategies(game, x) - parameters_to_strategies(game, y)).max(1)
    ratio = ds / np.abs(x - y).max(1)
    L = strategy_lipschitz(game)
    assert ratio.max() <= L * (1 + 1e-9)
    assert ratio.max() >= 0.6 * L  # and is not loose


@pytest.mark.parametrize("kind", sorted(GAMES))
def test_inside_the_stay_box_strategies_stay_within_reach(kind):
    game, rng = GAMES[kind], np.random.default_rng(1)
    d = len(game.parameters)
    x0 = rng.uniform(-6, 6, (3000, d)) if kind in ("logit", "softmax") else rng.random((3000, d))
    lo, hi = stay_box(game, x0, 0.1)
    assert np.all(lo <= x0) and np.all(x0 <= hi)
    finite = np.where(np.isfinite(lo), lo, x0 - 50), np.where(np.isfinite(hi), hi, x0 + 50)
    corner = np.where(rng.random(x0.shape) < 0.5, *finite)
    inside = finite[0] + rng.random(x0.shape) * (finite[1] - finite[0])
    s0 = parameters_to_strategies(game, x0)
    for x in (corner, inside):
        d_k = np.abs(parameters_to_strategies(game, x) - s0).max(1)
        assert d_k.max() <= 0.1 - SCREEN_MARGIN / 2


def test_the_logit_stay_box_is_the_exact_interval():
    """Just past a finite edge of the box a logit's probability is 5 eps away."""
    game, rng = GAMES["logit"], np.random.default_rng(2)
    x0 = rng.uniform(-4, 4, (2000, 2))
    lo, hi = stay_box(game, x0, 0.1)
    s0 = parameters_to_strategies(game, x0)
    for edge in (lo, hi):
        ok = np.isfinite(edge[:, 0])
        x = x0[ok].copy()
        x[:, 0] = edge[ok, 0]
        d_k = np.abs(parameters_to_strategies(game, x) - s0[ok]).max(1)
        assert np.allclose(d_k, 0.1 - SCREEN_MARGIN, atol=1e-12)
