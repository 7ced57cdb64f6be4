"""Distance to a continuum of fixed points (its extreme points' convex hull),
against a linear program, and the basin map of a game whose field vanishes."""

import numpy as np
from hypothesis import given, settings, strategies as st
from scipy.optimize import linprog

from eqselect.numerics.dynamics.hull import hull_distance


def lp_distance(x, v) -> float:
    """min t over lambda >= 0, sum lambda = 1, |x - lambda v|_inf <= t (an LP)."""
    n, d = v.shape
    c = np.r_[np.zeros(n), 1.0]
    a_ub = np.block([[-v.T, -np.ones((d, 1))], [v.T, -np.ones((d, 1))]])
    b_ub = np.r_[-x, x]
    a_eq = np.r_[np.ones(n), 0.0][None, :]
    res = linprog(c, a_ub, b_ub, a_eq, [1.0], bounds=[(0, None)] * n + [(0, None)])
    assert res.status == 0
    return res.x[-1]


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10 ** 6), st.integers(3, 6))
def test_the_distance_to_a_polygon_is_the_linear_programs(seed, n):
    """A polygon in the strategy space of a 2 x 2 game, (p, 1 - p, q, 1 - q): its
    interior at distance 0 (the segments between vertices alone miss it), and
    every point outside between the LP's distance d and sqrt(4) d."""
    rng = np.random.default_rng(seed)
    pq = rng.uniform(0, 1, (n, 2))
    lift = lambda a: np.column_stack([a[:, 0], 1 - a[:, 0], a[:, 1], 1 - a[:, 1]])
    v, s = lift(pq), lift(rng.uniform(0, 1, (24, 2)))
    got = hull_distance(s, v)
    want = np.array([lp_distance(x, v) for x in s])
    assert np.all(got >= want - 1e-9) and np.all(got <= 2 * want + 1e-9)
    assert np.all(got[want <= 1e-12] == 0)  # inside: 0, as the LP says


def test_a_game_whose_field_vanishes_rests_everywhere_on_its_continuum():
    """Every payoff 0: every point is a fixed point; a basin map runs no start
    anywhere, and every start is named by the continuum that holds it."""
    from eqselect.numerics.dynamics.basins import basin_map
    from eqselect.numerics.dynamics.starts import GridStarts
    from eqselect.numerics.fixed_points.find import find_equilibria
    from eqselect.theory import Decomposition, Rule, normal_form_game

    game = normal_form_game([[[0, 0], [0, 0]], [[0, 0], [0, 0]]], "direct", name="zero")
    dec = Decomposition(game, eta=0.55)
    found = find_equilibria(dec, Rule("pg"))
    bm = basin_map(dec, Rule("pg"), GridStarts(7), steps=20, equilibria=found)
    assert np.array_equal(bm.final, bm.starts)  # nothing moves
    assert bm.outcomes.get("still moving", 0) == 0 and sum(bm.outcomes.values()) == 49


def test_ends_where_the_field_vanishes_are_counted_at_rest_under_the_discrete_schedule():
    """Logit, every payoff 0: the field vanishes, no start moves; the ends no listed
    point holds are at rest at a fixed point (as the flow reports them), every
    one of them, and a map whose runs all move has none at rest."""
    from eqselect.numerics.dynamics.basins import basin_map
    from eqselect.numerics.dynamics.starts import GridStarts
    from eqselect.numerics.fixed_points.find import find_equilibria
    from eqselect.theory import Decomposition, Rule, builtin, normal_form_game

    game = normal_form_game([[[0, 0], [0, 0]], [[0, 0], [0, 0]]], "logit", name="zero")
    dec = Decomposition(game, eta=0.55)
    bm = basin_map(dec, Rule("pg"), GridStarts(6), steps=10,
                   equilibria=find_equilibria(dec, Rule("pg"), n_seeds=4))
    assert np.array_equal(bm.final, bm.starts)
    moving = bm.outcomes.get("still moving", 0)
    assert moving > 0 and bm.settling["at_rest_off_attractors"] == moving
    sh = Decomposition(builtin("stag-hunt", "logit"), eta=0.55)
    short = basin_map(sh, Rule("pg"), GridStarts(6), steps=3,
                      equilibria=find_equilibria(sh, Rule("pg")))
    assert short.settling["still_moving"] > 0 and short.settling["at_rest_off_attractors"] == 0
