"""Records of rational face points in integers
(eqselect.numerics.fixed_points.exact_faces.integer_records).

Each record must be the one `characterise` builds from Fractions and sympy
numbers at the same point: every field, mu and the eigenvalues included.
"""

from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from eqselect.numerics.fixed_points.core.characterise import KnownStability, characterise
from eqselect.numerics.fixed_points.core.nash_check import is_nash_rational, strategies_at
from eqselect.numerics.fixed_points.core.record import Route
from eqselect.numerics.fixed_points.exact_faces.enumeration import region_blocks
from eqselect.numerics.fixed_points.exact_faces.integer_records import (
    IntegerRecords, is_nash_integer)
from eqselect.numerics.fixed_points.exact_faces.projected import (
    projected_fixed_points, projected_problem)
from eqselect.theory import Decomposition, normal_form_game
from eqselect.theory.rules import as_rule


def _problem(tables, rule="pg", eta=sp.Rational(1, 2)):
    game = normal_form_game(tables, "direct")
    dec = Decomposition(game, eta=eta)
    return dec, projected_problem(dec, as_rule(rule), region_blocks(game))


def _reference(problem, face, at, continuum=None):
    return characterise(at, problem.field, face, exact=at, route=Route.EXACT,
                        notes=list(problem.notes), known=KnownStability(continuum=continuum))


@pytest.mark.parametrize("shape,rule,seed", [((3, 3), "pg", 11), ((4, 4), "pg", 12),
                                             ((2, 3), "meta-mapg", 13), ((3, 2), "lola", 14)])
def test_every_record_is_the_one_characterise_builds(shape, rule, seed):
    """Records of the face search (isolated points and continua's representatives)
    against `characterise` at the same exact points and faces."""
    from eqselect.numerics.fixed_points.exact_faces.boundary_margin import face_at

    rng = np.random.default_rng(seed)
    checked = 0
    for _ in range(6):
        tables = [rng.integers(-2, 3, shape).tolist() for _ in range(2)]
        dec, problem = _problem(tables, rule)
        assert IntegerRecords.of(problem.field, problem.notes) is not None
        for e in projected_fixed_points(dec, as_rule(rule)):
            face = face_at(dec.game, e.exact)
            if face is None:  # interior: the face with every action in the support
                face = _full_face(problem)
            note = e.notes[0] if e.extreme_points else None
            reference = _reference(problem, face, e.exact, note)
            assert e == replace(reference, extreme_points=e.extreme_points,
                                dimension=e.dimension)
            checked += 1
    assert checked > 10


def _full_face(problem):
    from eqselect.numerics.fixed_points.exact_faces.enumeration import faces

    return next(f for f in faces(problem.blocks, len(problem.params), problem.agents)
                if all(len(s) == len(b) + 1 for s, b in zip(f.supports, problem.blocks)))


@settings(max_examples=40)
@given(st.lists(st.integers(2, 3), min_size=2, max_size=3), st.data())
def test_integer_nash_check_equals_the_fraction_check(actions, data):
    size = int(np.prod(actions))
    tables = [np.reshape(data.draw(st.lists(st.integers(-3, 3), min_size=size, max_size=size)),
                         actions).tolist() for _ in actions]
    D = data.draw(st.integers(1, 4))
    X = [data.draw(st.lists(st.integers(0, D), min_size=m, max_size=m)) for m in actions]
    strategies = [[Fraction(x, D) for x in s] for s in X]
    scaled = [(3 * np.array(t)).tolist() for t in tables]  # a positive multiple of the payoffs
    assert is_nash_integer(scaled, X) == is_nash_rational(tables, strategies)


@settings(max_examples=30)
@given(st.lists(st.integers(0, 6), min_size=4, max_size=4), st.integers(1, 12))
def test_strategies_at_a_rational_point_equal_substitution(w, den):
    game = normal_form_game([[[1, 0, 2], [0, 1, 0], [2, 1, 1]],
                             [[0, 1, 1], [1, 2, 0], [0, 0, 1]]], "direct")
    x = [sp.Rational(a, den) for a in w]
    sub = dict(zip(game.parameters, x))
    expected = tuple(tuple(e.xreplace(sub) for e in block) for block in game.strategies)
    got = strategies_at(game, x)
    assert got == expected
    assert all(type(a) is type(b) for s, t in zip(got, expected) for a, b in zip(s, t))


def test_records_fall_back_outside_integer_data():
    """An irrational payoff: no integer records (the caller uses characterise)."""
    game = normal_form_game([[[sp.sqrt(2), 0], [0, 1]], [[1, 0], [0, 1]]], "direct")
    dec = Decomposition(game, eta=sp.Rational(1, 2))
    problem = projected_problem(dec, as_rule("pg"), region_blocks(game))
    assert IntegerRecords.of(problem.field, problem.notes) is None
