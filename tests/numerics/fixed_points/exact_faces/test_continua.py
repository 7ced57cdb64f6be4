"""Continua as sets: degenerate games, extreme points against pygambit.

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
from eqselect.numerics.fixed_points.exact_faces.affine import polytope_vertices
from eqselect.numerics.fixed_points.find import find_equilibria
from eqselect.numerics.fixed_points.core.nash_check import is_nash, strategies_at
from eqselect.theory import Decomposition, normal_form_game
from eqselect.theory.rules import as_rule
from eqselect.theory.rules import Rule, resolve


def _extreme_sets(tables):
    game = normal_form_game(tables, "direct")
    found = find_equilibria(Decomposition(game, eta=sp.Rational(1, 2)), Rule("pg"))
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
    for k, comp in enumerate(found.components):
        pts = [tuple(sp.Rational(x) for x in p) for p in comp["extreme_points"]]
        assert all(is_nash(game, strategies_at(game, p)) for p in pts)
        assert 1 <= comp.dimension and comp.varying_agents
        assert list(comp.extreme_strategies) == [strategies_at(game, p) for p in pts]
        on = [e for e in found.equilibria if e.component == k]
        assert on and all(set(e.extreme_points) <= set(comp.extreme_points)
                          or tuple(e.exact) in comp.extreme_points for e in on)
    assert all(e.component is None for e in found.equilibria
               if not e.extreme_points and not any(
                   e.exact is not None and tuple(e.exact) in c.extreme_points
                   for c in found.components))


def test_all_zero_game_is_one_component_spanning_the_square():
    tables = [[[0, 0], [0, 0]], [[0, 0], [0, 0]]]
    _, found, ours, theirs = _extreme_sets(tables)
    assert ours == theirs and len(ours) == 4
    assert [c.to_json() for c in found.components] == [{
        "extreme_points": [["0", "0"], ["0", "1"], ["1", "0"], ["1", "1"]],
        "dimension": 2, "varying_agents": [1, 2],
        "extreme_strategies": [[["0", "1"], ["0", "1"]], [["0", "1"], ["1", "0"]],
                               [["1", "0"], ["0", "1"]], [["1", "0"], ["1", "0"]]]}]
    # every point of the square lies on the component; none is isolated
    assert [e.component for e in found.equilibria] == [0] * len(found.equilibria)


def test_polytope_vertices_of_a_triangle():
    Q = Fraction
    tri = [(Q(0), [Q(1), Q(0)]), (Q(0), [Q(0), Q(1)]), (Q(1), [Q(-1), Q(-1)])]
    assert polytope_vertices(tri, 2) == [(Q(0), Q(0)), (Q(0), Q(1)), (Q(1), Q(0))]


@pytest.mark.parametrize("n,count,seed", [(3, 50, 35), (4, 20, 45)])
def test_degenerate_games_at_scale_equal_gambit_and_components_group_them(n, count, seed):
    """At scale: 50 random 3x3 and 20 random 4x4 games with payoffs in -5..5.

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


# -- continua on polynomial faces (three agents) ---------------------------------------
def _scaled_coordination(a, b, c, d):
    """Agents 1 and 2 coordinate for (a, b) when agent 3 plays 0, for (c, d) when it
    plays 1; agent 3 is indifferent, so F3 = 0 and two equations leave a curve."""
    u = [[[a, c], [0, 0]], [[0, 0], [b, d]]]
    return [u, u, [[[0, 0], [0, 0]], [[0, 0], [0, 0]]]]


def test_polytope_continuum_on_a_polynomial_face_lists_its_extreme_points():
    # F1 = (2 - p3)(2 p2 - 1), F2 = (2 - p3)(2 p1 - 1): the segment p1 = p2 = 1/2
    game = normal_form_game(_scaled_coordination(1, 1, 2, 2), "direct")
    found = find_equilibria(Decomposition(game, eta=sp.Rational(1, 2)), Rule("pg"))
    half = sp.Rational(1, 2)
    cont = [e for e in found.equilibria if e.extreme_points and e.exact[0] == half]
    assert len(cont) == 1 and "a polytope, its extreme points listed" in " ".join(cont[0].notes)
    assert sorted(cont[0].extreme_points) == [(half, half, 0), (half, half, 1)]
    assert "(dimension 1)" in " ".join(cont[0].notes) and cont[0].dimension == 1
    for p in (*cont[0].extreme_points, (half, half, sp.Rational(1, 3))):
        assert is_nash(game, strategies_at(game, p))
    comps = [{k: v for k, v in c.to_json().items() if k != "extreme_strategies"}
             for c in found.components]
    assert {"extreme_points": [["1/2", "1/2", "0"], ["1/2", "1/2", "1"]], "dimension": 1,
            "varying_agents": [3]} in comps


@pytest.mark.parametrize("method", ["pg", "peer-only"])
def test_curved_continuum_on_a_polynomial_face_is_labelled_with_samples(method):
    # PG: F1 = p2 (3 - p3) - 1, a curve p1 = p2 = 1 / (3 - p3): not a polytope
    game = normal_form_game(_scaled_coordination(1, 1, 2, 1), "direct")
    dec = Decomposition(game, eta=sp.Rational(1, 2))
    found = find_equilibria(dec, resolve(method))
    interior = "agent 1 support {0, 1}; agent 2 support {0, 1}; agent 3 support {0, 1} that"
    curved = [e for e in found.equilibria
              if any("not shown to be a polytope" in n and interior in n for n in e.notes)]
    assert curved and not curved[0].extreme_points
    note = next(n for n in curved[0].notes if "samples:" in n)
    samples = [tuple(sp.sympify(x) for x in s.strip("()").split(", "))  # our own output
               for s in note.split("samples: ")[1].split("; this is")[0].split("; ")]
    assert len(samples) >= 2
    rule = as_rule(method)
    F = dec.field(rule.method, rule.lam, rule.own_coef)
    for s in samples:  # every sample is an interior zero of the field, exactly
        sub = dict(zip(game.parameters, s))
        assert all(sp.simplify(f.xreplace(sub)) == 0 for f in F)
        assert all(0 < x < 1 for x in s[:2])
