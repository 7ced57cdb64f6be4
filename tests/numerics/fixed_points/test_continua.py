"""Continua as sets (issue 9): degenerate games, extreme points against pygambit.

In games with payoff ties a face can hold a polytope of Nash equilibria. The
search reports one representative per such face with the polytope's exact
vertices; the isolated points together with those vertices must be exactly
pygambit's extreme equilibria (``enummixed``), and components group them.
"""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import gambit_oracle
from eqselect.numerics.fixed_points.affine import polytope_vertices
from eqselect.numerics.fixed_points.find import find_equilibria
from eqselect.numerics.fixed_points.nash import is_nash, strategies_at
from eqselect.theory import Decomposition, normal_form_game


def _extreme_sets(tables):
    game = normal_form_game(tables, "direct")
    found = find_equilibria(Decomposition(game, eta=sp.Rational(1, 2)), "pg")
    ours = set()
    for e in found.equilibria:
        if e.extreme_points:
            ours |= {strategies_at(game, p) for p in e.extreme_points}
        elif not any("continuum" in n for n in e.notes):
            ours.add(strategies_at(game, e.exact))
    theirs = {tuple(tuple(sp.Rational(x.numerator, x.denominator) for x in s) for s in eq)
              for eq in gambit_oracle.enummixed(tables)}
    return game, found, ours, theirs


@settings(max_examples=15, deadline=None)
@given(st.sampled_from([(3, 3), (3, 3), (4, 4), (2, 3)]), st.data())
def test_extreme_points_equal_gambit_extreme_equilibria(shape, data):
    size = int(np.prod(shape))
    tables = [np.array(data.draw(st.lists(st.integers(-2, 2), min_size=size, max_size=size)))
              .reshape(shape).tolist() for _ in range(2)]
    game, found, ours, theirs = _extreme_sets(tables)
    assert ours == theirs
    for comp in found.components:
        pts = [tuple(sp.Rational(x) for x in p) for p in comp["extreme_points"]]
        assert all(is_nash(game, strategies_at(game, p)) for p in pts)
        assert 1 <= comp["dimension"] and comp["varying_agents"]


def test_all_zero_game_is_one_component_spanning_the_square():
    tables = [[[0, 0], [0, 0]], [[0, 0], [0, 0]]]
    _, found, ours, theirs = _extreme_sets(tables)
    assert ours == theirs and len(ours) == 4
    assert found.components == [{"extreme_points": [["0", "0"], ["0", "1"], ["1", "0"],
                                                     ["1", "1"]],
                                 "dimension": 2, "varying_agents": [1, 2]}]


def test_polytope_vertices_of_a_triangle():
    Q = Fraction
    tri = [(Q(0), [Q(1), Q(0)]), (Q(0), [Q(0), Q(1)]), (Q(1), [Q(-1), Q(-1)])]
    assert polytope_vertices(tri, 2) == [(Q(0), Q(0)), (Q(0), Q(1)), (Q(1), Q(0))]


@pytest.mark.parametrize("n,count,seed", [(3, 50, 35), (4, 20, 45)])
def test_degenerate_games_at_scale_equal_gambit_and_components_group_them(n, count, seed):
    """Issue 9's scale: 50 random 3x3 and 20 random 4x4 games with payoffs in -5..5.

    Every extreme equilibrium of pygambit is listed (isolated points plus the
    continua's extreme points) and nothing else; every component's extreme
    points are among them, and two components never share one.
    """
    rng = np.random.default_rng(seed)
    for _ in range(count):
        tables = [rng.integers(-5, 6, (n, n)).tolist() for _ in range(2)]
        game, found, ours, theirs = _extreme_sets(tables)
        assert ours == theirs, tables
        seen = set()
        for comp in found.components:
            pts = {strategies_at(game, tuple(sp.Rational(x) for x in p))
                   for p in comp["extreme_points"]}
            assert pts <= theirs and not pts & seen, tables
            seen |= pts
