"""Separatrix tracing, basin areas and the figures."""

import numpy as np
import pytest
import sympy as sp

from eqselect.numerics.dynamics.basins import basin_monte_carlo
from eqselect.numerics.dynamics.starts import parameters_to_probability
from eqselect.numerics.compiled import compile_field
from eqselect.numerics.fixed_points.core.record import Equilibrium, Route, Stability
from eqselect.numerics.plots.portrait import probability_field
from eqselect.numerics.dynamics.separatrix import (basin_area, flow_outcome, separatrix,
                                                   stable_direction, tangent_signs)
from eqselect.theory import GameError, Rule
from eqselect.numerics.dynamics.starts import SampledStarts


def test_stag_hunt_direct_separatrix_is_the_line(direct_sh):
    sep = separatrix(direct_sh, (2 / 3, 2 / 3), Rule("pg"))
    line = sep.polyline
    assert np.abs(line.sum(axis=1) - 4 / 3).max() < 1e-6
    assert sep.ends == ("boundary", "boundary")
    ends = sorted(map(tuple, np.round([line[0], line[-1]], 9)))
    assert ends == [(1 / 3, 1.0), (1.0, 1 / 3)] or np.allclose(ends, [(1 / 3, 1), (1, 1 / 3)])
    assert sep.eigenvalue == pytest.approx(-3.0)
    assert sep.notes == ()


def test_basin_area_is_exact_two_ninths(direct_sh):
    sep = separatrix(direct_sh, (2 / 3, 2 / 3), Rule("pg"))
    assert basin_area(sep, (1, 1)) == pytest.approx(2 / 9, abs=1e-9)
    assert basin_area(sep, (0, 0)) == pytest.approx(7 / 9, abs=1e-9)


def test_separatrix_accepts_equilibrium_and_flags_non_saddles(direct_sh):
    eq = Equilibrium((2 / 3, 2 / 3), None, (), Stability.STABLE, (), 0.0, False, False,
                     Route.EXACT)
    sep = separatrix(direct_sh, eq, Rule("pg"))
    assert any("not saddle" in n for n in sep.notes)
    off = separatrix(direct_sh, (1.0, 1.0), Rule("pg"))  # a corner: F = (1, 1) there
    assert any("not a fixed point" in n for n in off.notes)
    with pytest.raises(GameError, match="not a saddle"):
        stable_direction(np.array([[0.0, 1.0], [-1.0, 0.0]]))


def test_logit_separatrix_is_invariant_and_bounds_the_flow_basin(logit_sh):
    g = logit_sh.game
    sep = separatrix(logit_sh, (np.log(2), np.log(2)), Rule("pg"))
    assert sep.ends == ("boundary", "boundary")
    line = sep.polyline
    # the stable manifold is invariant: F is tangent to the traced curve
    f = compile_field(logit_sh, Rule("pg")).field(line[1:-1])
    tangent = line[2:] - line[:-2]  # centred chords
    away = np.linalg.norm(line[1:-1] - sep.saddle, axis=1) > 1e-3  # F = 0 at the saddle
    cross = f[:, 0] * tangent[:, 1] - f[:, 1] * tangent[:, 0]
    sine = cross / (np.linalg.norm(f, axis=1) * np.linalg.norm(tangent, axis=1))
    assert away.sum() > 100 and np.abs(sine[away]).max() < 1e-3
    pm = sep.mapped(lambda x: parameters_to_probability(g, x))
    share = basin_area(pm, (1, 1)) / np.prod(pm.upper - pm.lower)
    mc = basin_monte_carlo(logit_sh, Rule("pg"), schedule="flow", steps=600, dt=0.1,
                           starts=SampledStarts(n=2000, seed=5, low=pm.lower[0], high=pm.upper[0]))
    assert mc.interval[0] <= share <= mc.interval[1]


def test_probability_field_logit_push_forward(logit_sh):
    P1, P2, U, V = probability_field(logit_sh, Rule("pg"), n=5)
    p1, p2 = P1[2, 3], P2[2, 3]
    # logit PG: dtheta1 = p1 (1 - p1) (3 p2 - 2), so dp1 = (p1 (1 - p1))^2 (3 p2 - 2)
    assert U[2, 3] == pytest.approx((p1 * (1 - p1)) ** 2 * (3 * p2 - 2))
    assert V[2, 3] == pytest.approx((p2 * (1 - p2)) ** 2 * (3 * p1 - 2))


def test_separatrix_tangent_signs_follow_the_polyline(logit_sh):
    """On a logit separatrix, sign * v at each node points along the polyline's next chord
    (Sigma is invariant and v points towards the saddle on both halves)."""
    cf = compile_field(logit_sh, Rule("pg", 0, 0))
    f = sp.lambdify(logit_sh.game.parameters, list(logit_sh.cur))
    saddle = (np.log(2.0), np.log(2.0))  # p = 2/3 under logit
    sep = separatrix(logit_sh, saddle, Rule("pg"))
    signs = tangent_signs(sep)
    line = sep.polyline
    assert len(signs) == len(line) and signs[len(sep.branches[0]) - 1] == 0
    for k in range(5, len(line) - 5, 37):
        chord = line[k + 1] - line[k]
        t = signs[k] * cf.field(line[k][None])[0]
        cos = chord @ t / (np.linalg.norm(chord) * np.linalg.norm(t))
        assert cos > 0.999
        assert np.allclose(f(*line[k]), cf.field(line[k][None])[0])


def test_flow_outcome_sides_of_the_stag_hunt_separatrix(direct_sh):
    """Direct Stag Hunt: starts just above p1 + p2 = 4/3 reach (1, 1), just below (0, 0)."""
    cf = compile_field(direct_sh, Rule("pg", 0, 0))
    starts = np.array([[0.5, 0.84], [0.5, 0.83], [0.9, 0.4343], [0.9, 0.4323]])
    out = flow_outcome(cf.field, starts, [[1, 1], [0, 0]], box=(np.zeros(2), np.ones(2)))
    assert out.tolist() == [0, 1, 0, 1]
