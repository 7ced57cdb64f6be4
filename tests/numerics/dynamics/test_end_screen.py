"""The shortcuts of the end-point classification and of the success predicate
give the definitions' answers: each is compared with a plain evaluation of the
definition on random end points, dense where the shortcuts decide."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from eqselect.numerics.dynamics.attractors import classify_ends
from eqselect.numerics.dynamics.classify import all_attractors
from eqselect.numerics.dynamics.end_screen import DELTA, VertexScreen, vertex_screen
from eqselect.numerics.dynamics.judges import SUCCESS_DELTA, ScreenedSuccess, screened_success
from eqselect.numerics.dynamics.outcomes import SUCCESS_THRESHOLD, cooperation_success
from eqselect.numerics.dynamics.starts import parameters_to_strategies
from eqselect.numerics.fixed_points.find import find_equilibria
from eqselect.numerics.sources.fields import rule_field
from eqselect.numerics.sources.symbolic import SymbolicSource
from eqselect.theory import Decomposition, Rule, builtin
from eqselect.theory.games.normal_form import normal_form_game

STAG_HUNT_3 = [[[[4, 0], [0, 0]], [[3, 3], [3, 3]]], [[[4, 0], [3, 3]], [[0, 0], [3, 3]]],
               [[[4, 3], [0, 3]], [[0, 3], [0, 3]]]]
_SETUPS: dict = {}


def _setup(name):
    """(game, attractors, field) of a one-state game of two-action logits."""
    if name not in _SETUPS:
        game = (builtin(name, "logit") if name != "stag-hunt-3"
                else normal_form_game(STAG_HUNT_3, "logit", name="sh3"))
        dec = Decomposition(game.substitute(), eta=0.55)
        attractors = all_attractors(dec.game, find_equilibria(dec, Rule("pg")))
        _SETUPS[name] = dec.game, attractors, rule_field(SymbolicSource(dec), Rule("pg"))
    return _SETUPS[name]


def _definition(game, attractors, x, field, tol, step):
    """classify_ends as its docstring defines it, every end point probed."""
    s = parameters_to_strategies(game, x)
    probe = parameters_to_strategies(game, x + step * field(x)) - s
    dist = np.empty((len(x), len(attractors)))
    for j, a in enumerate(attractors):
        d = np.abs(s - np.concatenate(a.strategies)).max(axis=1)
        if a.kind == "at infinity":
            cols = [2 * i + k for i, k in enumerate(a.profile)]
            d = np.where((probe[:, cols] >= -1e-12).all(axis=1), d, np.inf)
        dist[:, j] = d
    best = np.argmin(dist, axis=1)
    nearest = dist[np.arange(len(x)), best]
    return np.where(nearest <= tol, best, -1)


def _ends(rng, n, d, tol):
    """End points: spread, deep towards the vertices, on the vertex screen's
    edges T +- DELTA (and the rounding either side), and a few NaN."""
    edge = np.log1p(-tol) - np.log(tol)
    spread = rng.normal(0, 5, (n, d))
    sign = np.where(rng.random((n, d)) < 0.5, -1.0, 1.0)
    offsets = rng.choice([-2 * DELTA, -DELTA, -DELTA / 2, 0.0, DELTA / 2, DELTA, 2 * DELTA,
                          1e-15, -1e-15, 0.3, -0.3], (n, d))
    edges = sign * (edge + offsets)
    deep = sign * rng.uniform(edge, 9, (n, d))
    pick = rng.integers(0, 3, (n, 1))
    x = np.where(pick == 0, spread, np.where(pick == 1, edges, deep))
    x[rng.random(n) < 0.02, rng.integers(0, d)] = np.nan
    return x


def _fields(game, field, step):
    """The rule's field, its reverse, and one whose probe sits on the probe's
    tolerance (|h u sigma'| about 1e-12, either sign, some zeros)."""
    def tiny(x):
        p = 1 / (1 + np.exp(-x))
        u = 2e-12 * np.sin(1e3 * x) / (step * p * (1 - p))
        u[np.abs(np.sin(1e3 * x)) < 0.05] = 0.0
        return u

    return field, (lambda x: -field(x)), tiny


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["stag-hunt", "chicken", "battle-of-sexes", "stag-hunt-3"]),
       st.sampled_from([0.05, 0.2, 1e-3]), st.integers(0, 2**32 - 1))
def test_classification_is_the_definition(name, tol, seed):
    game, attractors, field = _setup(name)
    assert vertex_screen(game, attractors, tol) is not None  # the screen is what is tested
    x = _ends(np.random.default_rng(seed), 600, len(game.parameters), tol)
    for f in _fields(game, field, 1e-3):
        fast = classify_ends(game, attractors, x, f, tol)
        assert fast.tolist() == _definition(game, attractors, x, f, tol, 1e-3).tolist()


def test_the_random_end_points_reach_every_outcome():
    """The comparison above is not vacuous: every attractor, passing runs and
    the band all occur."""
    game, attractors, field = _setup("stag-hunt")
    x = _ends(np.random.default_rng(0), 4000, 2, 0.05)
    labels = classify_ends(game, attractors, x, field, 0.05)
    assert set(labels.tolist()) >= {-1} | {j for j, a in enumerate(attractors)
                                          if a.stability != "unlisted"}
    screen = vertex_screen(game, attractors, 0.05)
    targets = screen.targets(x)
    assert (targets == -3).sum() > 100 and (targets >= 0).sum() > 100


def test_the_screen_stands_aside_where_it_does_not_apply():
    game, attractors, _ = _setup("stag-hunt")
    assert vertex_screen(game, attractors, 0.3) is None  # two vertices could be within tol
    assert vertex_screen(game, attractors, 1e-9) is None  # the margin would drown in rounding
    assert vertex_screen(builtin("stag-hunt", "direct"), attractors, 0.05) is None
    mixed = _setup("stag-hunt")[1][0].__class__("m", "fixed point", "stable", (0.0, 0.0),
                                                ((0.5, 0.5), (0.5, 0.5)), None)
    assert vertex_screen(game, attractors + (mixed,), 0.05) is None
    assert isinstance(vertex_screen(game, attractors, 0.05), VertexScreen)


def _band_points(rng, n, d, edge, kind):
    """Parameters spread, and on the success edge +- SUCCESS_DELTA and rounding."""
    scale = 3.0 if kind == "logit" else 0.3
    x = rng.normal(edge if kind == "logit" else 0.5, scale, (n, d))
    offsets = rng.choice([-2 * SUCCESS_DELTA, -SUCCESS_DELTA, 0.0, SUCCESS_DELTA,
                          2 * SUCCESS_DELTA, 1e-16, -1e-16], (n, d))
    on_edge = rng.random((n, d)) < 0.5
    x = np.where(on_edge, edge + offsets, x)
    x[rng.random(n) < 0.02, 0] = np.nan
    return x


@pytest.mark.parametrize("name,param", [("stag-hunt", "logit"), ("stag-hunt", "direct"),
                                        ("ipd", "logit"), ("chicken", "softmax")])
def test_the_screened_success_predicate_is_the_compiled_one(name, param):
    game = builtin(name, param).substitute()
    reference = cooperation_success(game, SUCCESS_THRESHOLD, "lambda")
    fast = screened_success(game, reference, SUCCESS_THRESHOLD)
    assert isinstance(fast, ScreenedSuccess)
    kind = "direct" if param == "direct" else "logit"
    x = _band_points(np.random.default_rng(1), 3000, len(game.parameters), fast.edge, kind)
    if kind == "direct":
        x = np.clip(x, 0.0, 1.0)
    expected = reference(x)
    assert 0 < expected.sum() < len(x)
    assert fast(x).tolist() == expected.tolist()


def test_games_whose_first_action_is_not_one_parameter_keep_the_compiled_predicate():
    game = normal_form_game([[[1, 0, 0], [0, 1, 0], [0, 0, 1]]] * 2, "softmax", name="c3")
    reference = cooperation_success(game, SUCCESS_THRESHOLD, "lambda")
    assert screened_success(game, reference, SUCCESS_THRESHOLD) is reference
