"""Tests of the integer route for affine fields
(eqselect.numerics.fixed_points.exact_faces.integer_elimination).

The integer route must give exactly what the Fraction / sympy route gives:
the same echelon forms as exact rational elimination, the same polytope
vertices, and, face by face, the same records (points, extreme points,
stability, Nash, notes) as `solve_global_affine` on the sympy field.
"""

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from eqselect.numerics.fixed_points.exact_faces.affine import (
    polytope_vertices, solve_global_affine)
from eqselect.numerics.fixed_points.core.affine_forms import affine_form, integral_form
from eqselect.numerics.fixed_points.exact_faces.problem import ProjectedProblem
from eqselect.numerics.fixed_points.exact_faces.enumeration import (
    block_agents, faces, region_blocks)
from eqselect.numerics.fixed_points.core.field import AffineField, SymbolicField
from eqselect.numerics.fixed_points.exact_faces.integer_elimination import (
    integer_vertices, solve_integer_faces)
from eqselect.numerics.fixed_points.exact_faces.integer_systems import integer_gauss_jordan
from eqselect.numerics.fixed_points.core.nash_check import is_nash, is_nash_rational, strategies_at
from eqselect.numerics.fixed_points.exact_faces.projected import (
    engine_affine_form, projected_problem)
from eqselect.theory import Decomposition, normal_form_game
from eqselect.theory.rules import as_rule

small = st.integers(-3, 3)


@settings(max_examples=60)
@given(st.integers(1, 5), st.integers(1, 5), st.data())
def test_integer_gauss_jordan_is_d_times_the_reduced_echelon_form(n, k, data):
    rows = [data.draw(st.lists(small, min_size=k + 1, max_size=k + 1)) for _ in range(n)]
    R = [list(r) for r in rows]
    pivots, D = integer_gauss_jordan(R, k)
    M = sp.Matrix(rows)
    coef_rank = M[:, :k].rank()
    assert len(pivots) == coef_rank and D != 0
    consistent = not any(R[i][k] for i in range(len(pivots), n))
    assert consistent == (M.rank() == coef_rank)
    assert all(R[i][j] == 0 for i in range(len(pivots), n) for j in range(k))
    if consistent:
        E, sp_pivots = M.rref()
        assert list(sp_pivots) == pivots
        for i in range(len(pivots)):
            assert [sp.Rational(x, D) for x in R[i]] == list(E[i, :])


@settings(max_examples=40)
@given(st.integers(1, 3), st.data())
def test_integer_vertices_equal_the_fraction_vertices(r, data):
    # a box -2 <= z_i <= 2 cut by random half-spaces (bounded, maybe empty)
    cons = [(2, [int(i == j) for i in range(r)]) for j in range(r)]
    cons += [(2, [-int(i == j) for i in range(r)]) for j in range(r)]
    cons += [(data.draw(small), data.draw(st.lists(small, min_size=r, max_size=r)))
             for _ in range(data.draw(st.integers(0, 3)))]
    exact = [(Fraction(c), [Fraction(g) for g in gs]) for c, gs in cons]
    assert integer_vertices(cons, r) == polytope_vertices(exact, r)


def _tables(rng, shape, low=-2, high=2):
    return [rng.integers(low, high + 1, shape).tolist() for _ in range(2)]


def _both_routes(tables, rule):
    game = normal_form_game(tables, "direct")
    dec = Decomposition(game, eta=sp.Rational(1, 2))
    r = as_rule(rule)
    blocks = region_blocks(game)
    fast = projected_problem(dec, r, blocks)
    assert isinstance(fast.field, AffineField)
    F = [sp.expand(e) for e in dec.field(r.method, r.lam, r.own_coef)]
    slow = ProjectedProblem(SymbolicField(game, F, dec.jacobian(r.method, r.lam, r.own_coef)),
                            blocks, block_agents(game, blocks))
    A, c = integral_form(*affine_form(F, game.parameters))
    reference = [e for face in faces(blocks, len(F), slow.agents)
                 for e in solve_global_affine(slow, face, A, c)]
    return fast, F, solve_integer_faces(fast, *integral_form(fast.field.A, fast.field.c)), \
        reference


def _same_record(a, b):
    assert a.exact == b.exact and a.extreme_points == b.extreme_points
    assert (a.stability, a.nash, a.boundary, a.route, a.notes) == \
        (b.stability, b.nash, b.boundary, b.route, b.notes)
    assert a.point == b.point and a.strategies == b.strategies
    assert np.allclose(a.eigenvalues, b.eigenvalues, rtol=1e-12, atol=1e-12)
    assert a.residual == b.residual == 0.0


@pytest.mark.parametrize("shape,rule,seed", [((3, 3), "pg", 1), ((2, 3), "pg", 2),
                                             ((3, 3), "peer-only", 3), ((3, 2), "lola", 4),
                                             ((4, 4), "pg", 5), ((2, 2), "meta-mapg", 6)])
def test_integer_route_gives_the_records_of_the_fraction_route(shape, rule, seed):
    rng = np.random.default_rng(seed)
    for _ in range(4):
        tables = _tables(rng, shape)
        problem, F, fast, reference = _both_routes(tables, rule)
        assert problem.field.F == F  # the sympy field rebuilt from A and c
        assert len(fast) == len(reference)
        for a, b in zip(fast, reference):
            _same_record(a, b)


def test_engine_affine_form_refuses_products_and_free_symbols():
    import symengine as se

    p, q, eta = sp.symbols("p q eta")
    assert engine_affine_form([se.sympify(3 * p - sp.Rational(1, 2))], (p, q)) == \
        ([[Fraction(3), Fraction(0)]], [Fraction(-1, 2)])
    assert engine_affine_form([se.sympify(p * q)], (p, q)) is None
    assert engine_affine_form([se.sympify(eta * p)], (p, q)) is None
    assert engine_affine_form([se.sympify(sp.sqrt(2) * p)], (p, q)) is None


@settings(max_examples=30)
@given(st.lists(small, min_size=9, max_size=9), st.lists(small, min_size=9, max_size=9),
       st.lists(st.integers(0, 4), min_size=6, max_size=6))
def test_affine_field_values_strategies_and_nash_equal_the_sympy_ones(u1, u2, w):
    tables = [np.reshape(u1, (3, 3)).tolist(), np.reshape(u2, (3, 3)).tolist()]
    game = normal_form_game(tables, "direct")
    dec = Decomposition(game, eta=sp.Rational(1, 2))
    field = projected_problem(dec, as_rule("pg"), region_blocks(game)).field
    x = [sp.Rational(a, max(1, sum(w[:3]))) for a in w[:2]] + \
        [sp.Rational(a, max(1, sum(w[3:]))) for a in w[3:5]]
    sub = dict(zip(game.parameters, x))
    assert field.values(x) == [e.xreplace(sub) for e in dec.field("pg")]
    assert np.array_equal(field.jacobian(x),
                          np.array(dec.jacobian("pg").tolist(), dtype=float))
    strategies = field.exact_strategies(x)
    assert strategies == strategies_at(game, x)
    assert field.nash(strategies) == is_nash(game, strategies_at(game, x))


def test_is_nash_rational_agrees_with_is_nash_on_every_pure_profile_of_a_3_player_game():
    rng = np.random.default_rng(0)
    tables = [rng.integers(-1, 2, (2, 2, 2)).tolist() for _ in range(3)]
    game = normal_form_game(tables, "direct")
    for a in itertools.product(range(2), repeat=3):
        prof = tuple(tuple(int(i == k) for i in range(2)) for k in a)
        assert is_nash_rational(tables, prof) == is_nash(game, prof)
    half = ((Fraction(1, 2),) * 2,) * 3
    assert is_nash_rational(tables, half) == is_nash(game, tuple(
        tuple(sp.Rational(1, 2) for _ in s) for s in half))
