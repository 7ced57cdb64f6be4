"""The agent-by-agent face filter (eqselect.numerics.fixed_points.exact_faces.split_faces).

Sound: a face it rejects holds no fixed point, so the face search gives the
same list with and without it; and it applies only where each agent's field
ignores its own parameters.
"""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from eqselect.numerics.fixed_points.core.affine_forms import integral_form
from eqselect.numerics.fixed_points.exact_faces import split_faces
from eqselect.numerics.fixed_points.exact_faces.enumeration import region_blocks
from eqselect.numerics.fixed_points.exact_faces.integer_elimination import solve_integer_faces
from eqselect.numerics.fixed_points.exact_faces.integer_systems import face_table
from eqselect.numerics.fixed_points.exact_faces.projected import projected_problem
from eqselect.numerics.fixed_points.exact_faces.split_faces import SplitFilter, split_table
from eqselect.theory import Decomposition, normal_form_game
from eqselect.theory.rules import as_rule


def _problem(tables, rule="pg"):
    game = normal_form_game(tables, "direct")
    dec = Decomposition(game, eta=sp.Rational(1, 2))
    problem = projected_problem(dec, as_rule(rule), region_blocks(game))
    return problem, *integral_form(problem.field.A, problem.field.c)


def _without_filter(problem, A, c, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(split_faces.SplitFilter, "of", classmethod(lambda cls, *args: None))
        return solve_integer_faces(problem, A, c)


@settings(max_examples=25)
@given(st.integers(2, 4), st.integers(2, 4), st.integers(0, 2 ** 32 - 1))
def test_the_list_is_the_same_with_and_without_the_filter(m1, m2, seed):
    monkeypatch = pytest.MonkeyPatch()
    rng = np.random.default_rng(seed)
    tables = [rng.integers(-2, 3, (m1, m2)).tolist() for _ in range(2)]  # ties: degenerate
    problem, A, c = _problem(tables)
    assert SplitFilter.of(A, c, problem.blocks, problem.agents) is not None
    assert solve_integer_faces(problem, A, c) == _without_filter(problem, A, c, monkeypatch)


def test_no_face_holding_a_fixed_point_is_rejected(monkeypatch):
    rng = np.random.default_rng(5)
    kept = rejected = 0
    for _ in range(8):
        tables = [rng.integers(-1, 2, (3, 3)).tolist() for _ in range(2)]
        problem, A, c = _problem(tables)
        found = {e.exact for e in _without_filter(problem, A, c, monkeypatch)}
        filt = SplitFilter.of(A, c, problem.blocks, problem.agents)
        d = len(c)
        for (face, *_), halves in zip(face_table(problem.blocks, d, problem.agents),
                                      split_table(problem.blocks, d, problem.agents)):
            alone = _one_face(problem, A, c, face, monkeypatch)
            if filt.rejects(halves):
                rejected += 1
                assert not alone, face.describe()
            else:
                kept += 1
        assert found
    assert rejected > kept  # it does rule out most faces


def _one_face(problem, A, c, face, monkeypatch):
    """The face search's output on one face (the table cut to that face, unfiltered)."""
    from eqselect.numerics.fixed_points.exact_faces import integer_elimination

    table = face_table(problem.blocks, len(c), problem.agents)
    entry = next(e for e in table if e[0] is face)
    with monkeypatch.context() as m:
        m.setattr(integer_elimination, "face_table", lambda *args: (entry,))
        return _without_filter(problem, A, c, monkeypatch)


def test_fields_with_own_terms_are_not_filtered():
    """Meta-MAPG's own and peer terms make F_i depend on phi_i: no filter."""
    problem, A, c = _problem([[[3, 0], [1, 2]], [[2, 1], [0, 3]]], "meta-mapg")
    assert SplitFilter.of(A, c, problem.blocks, problem.agents) is None
    problem, A, c = _problem([[[3, 0], [1, 2]], [[2, 1], [0, 3]]], "pg")
    assert SplitFilter.of(A, c, problem.blocks, problem.agents) is not None
