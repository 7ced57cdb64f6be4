"""Tests for eqselect.numerics.fixed_points.exact_faces.projected (direct parameterisation)."""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gambit_oracle
from eqselect.numerics.fixed_points.core.record import Route, Stability
from eqselect.numerics.fixed_points.core.nash_check import strategies_at
from eqselect.numerics.fixed_points.exact_faces.affine import solve_affine_system
from eqselect.numerics.fixed_points.exact_faces.enumeration import faces, region_blocks
from eqselect.numerics.fixed_points.exact_faces.polynomial import real_solutions
from eqselect.numerics.fixed_points.exact_faces.projected import projected_fixed_points
from eqselect.theory import Decomposition, GameError, builtin, normal_form_game
from eqselect.theory.errors import OptionsError
from eqselect.theory.rules import Rule, resolve

R = sp.Rational


def _by_point(eqs):
    return {e.exact: e for e in eqs}


# -- hand-worked games ----------------------------------------------------------
def test_stag_hunt_pg_has_exactly_three_fixed_points():
    eqs = projected_fixed_points(Decomposition(builtin("stag-hunt", "direct")), Rule("pg"))
    pts = _by_point(eqs)
    assert set(pts) == {(0, 0), (1, 1), (R(2, 3), R(2, 3))}
    assert len(eqs) == 3
    mixed = pts[(R(2, 3), R(2, 3))]
    assert all(isinstance(x, sp.Rational) and x == R(2, 3) for x in mixed.exact)
    assert mixed.stability is Stability.SADDLE and not mixed.boundary
    # DF = [[0, 3], [3, 0]] at the interior point: eigenvalues +-3, mu = -3
    assert sorted(z.real for z in mixed.eigenvalues) == pytest.approx([-3, 3])
    assert mixed.mu == pytest.approx(-3)
    for corner in ((0, 0), (1, 1)):
        assert pts[corner].stability is Stability.STABLE and pts[corner].boundary
    # F(0, 0) = (-2, -2) strictly outward: two stable bound directions
    assert sorted(z.real for z in pts[(0, 0)].eigenvalues) == [-2, -2]
    assert all(e.nash and e.route is Route.EXACT and e.residual == 0 for e in eqs)
    assert pts[(1, 1)].strategies == ((1.0, 0.0), (1.0, 0.0))


def test_matching_pennies_single_interior_center():
    eqs = projected_fixed_points(Decomposition(builtin("matching-pennies", "direct")))
    assert len(eqs) == 1
    (e,) = eqs
    assert e.exact == (R(1, 2), R(1, 2)) and not e.boundary
    # DF = [[0, 4], [-4, 0]]: eigenvalues +-4i, a center of the PG flow
    assert e.stability is Stability.CENTER
    assert sorted(z.imag for z in e.eigenvalues) == pytest.approx([-4, 4])
    assert e.mu == pytest.approx(0) and e.nash


def test_all_zero_game_reports_continua_not_isolated_points():
    g = normal_form_game([[[0, 0], [0, 0]], [[0, 0], [0, 0]]], "direct")
    eqs = projected_fixed_points(Decomposition(g))
    assert eqs and all(e.stability is Stability.DEGENERATE for e in eqs)
    interior = [e for e in eqs if not e.boundary]
    assert len(interior) == 1
    assert any("continuum of fixed points on face" in n for n in interior[0].notes)
    assert "dimension 2" in interior[0].notes[0]
    # every face has a fixed point: 4 vertices, 4 edges, the interior
    assert len(eqs) == 9


def test_nonlinear_continuum_is_reported_degenerate():
    """3 players; only agent 1 cares: F_1 = (p2 - 1/2)(p3 - 1/2), F_2 = F_3 = 0.
    The interior face system is positive-dimensional (two planes)."""
    zero = [[[0, 0], [0, 0]], [[0, 0], [0, 0]]]
    u1 = [[[1, -1], [-1, 1]], [[0, 0], [0, 0]]]
    eqs = projected_fixed_points(Decomposition(normal_form_game([u1, zero, zero], "direct")))
    interior = [e for e in eqs if not e.boundary]
    assert len(interior) == 1
    e = interior[0]
    assert e.stability is Stability.DEGENERATE
    assert "continuum of fixed points on face" in e.notes[0]
    p1, p2, p3 = e.exact
    assert (p2 - R(1, 2)) * (p3 - R(1, 2)) == 0 and 0 < p1 < 1


def test_peer_only_stag_hunt_loses_the_risk_dominant_corner():
    lam, eta = R(3, 2), R(11, 20)
    dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    F = dec.field("peer-only", 1.5, 0.35)
    p1, p2 = dec.game.parameters
    F00 = F[0].subs({p1: 0, p2: 0})
    assert F00 == -2 + lam * eta * 3 == R(19, 40)  # points into the box
    eqs = projected_fixed_points(dec, Rule("peer-only", lam=1.5))
    pts = _by_point(eqs)
    assert (0, 0) not in pts
    assert pts[(1, 1)].stability is Stability.STABLE
    # the payoff-dominant corner is the only fixed point left (peer_1 > 0 pushes C)
    assert set(pts) == {(1, 1)}
    # with a small lambda the corner survives: F_1(0, 0) = -2 + 3 * 0.55 * 0.5 < 0
    small = _by_point(projected_fixed_points(dec, Rule("peer-only", lam=0.5)))
    assert (0, 0) in small and small[(0, 0)].stability is Stability.STABLE


def test_rock_paper_scissors_simplex_faces():
    rps = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]
    g = normal_form_game([rps, (-np.array(rps)).tolist()], "direct")
    assert region_blocks(g) == ((0, 1), (2, 3))
    eqs = projected_fixed_points(Decomposition(g))
    assert len(eqs) == 1
    (e,) = eqs
    assert e.exact == (R(1, 3),) * 4 and e.nash and not e.boundary
    assert e.stability is Stability.CENTER


def test_sum_active_face_uses_the_simplex_normal():
    """Agent 1 has three actions; action 2 (the last, p = 1 - p_0 - p_1) is
    dominated, so equilibria sit on the face p_0 + p_1 = 1."""
    u1 = [[3, 0], [0, 1], [-5, -5]]
    u2 = [[1, 0], [0, 3], [0, 0]]
    eqs = projected_fixed_points(Decomposition(normal_form_game([u1, u2], "direct")))
    pts = _by_point(eqs)
    assert set(pts) == {(1, 0, 1), (0, 1, 0), (R(3, 4), R(1, 4), R(1, 4))}
    mixed = pts[(R(3, 4), R(1, 4), R(1, 4))]
    assert mixed.boundary and mixed.nash and mixed.stability is Stability.SADDLE
    assert strategies_at(normal_form_game([u1, u2], "direct"), mixed.exact)[0][2] == 0


def test_symbolic_payoffs_use_their_defaults_with_a_note():
    eqs = projected_fixed_points(Decomposition(builtin("stag-hunt", "direct", symbolic=True)))
    assert set(_by_point(eqs)) == {(0, 0), (1, 1), (R(2, 3), R(2, 3))}
    assert all(any("defaults" in n for n in e.notes) for e in eqs)


def test_input_errors():
    with pytest.raises(GameError, match="'direct'"):
        projected_fixed_points(Decomposition(builtin("stag-hunt", "logit")))
    with pytest.raises(GameError, match="eta"):
        projected_fixed_points(Decomposition(builtin("stag-hunt", "direct")), Rule("peer-only"))
    with pytest.raises(OptionsError, match="unknown method"):
        projected_fixed_points(Decomposition(builtin("stag-hunt", "direct")), Rule("sgd"))


# -- helpers --------------------------------------------------------------------
def test_faces_count_and_solve_affine_system():
    assert len(list(faces(((0,), (1,)), 2))) == 9
    assert len(list(faces(((0, 1, 2), (3, 4, 5)), 6))) == 15 ** 2
    Q = Fraction
    assert solve_affine_system([[Q(1), Q(1)], [Q(1), Q(-1)]], [Q(1), Q(0)]) == (
        [Q(1, 2), Q(1, 2)], [])
    assert solve_affine_system([[Q(1), Q(1)], [Q(2), Q(2)]], [Q(1), Q(3)]) is None


def test_real_solutions_drops_complex_roots():
    x, y = sp.symbols("x y")
    assert real_solutions([x ** 2 + 1, y], [x, y]) == []
    assert real_solutions([x * y - 1, x - 2], [x, y]) == [(2, R(1, 2))]


# -- agreement with gambit on random generic games --------------------------------
def _gambit_profiles(tables, rational):
    if rational:
        return [tuple(tuple(R(x.numerator, x.denominator) for x in strat) for strat in eq)
                for eq in gambit_oracle.enummixed(tables)]
    return gambit_oracle.enumpoly(tables)


def _tables(data, shape, lo=-20, hi=20):
    size = int(np.prod(shape))
    return [np.array(data.draw(st.lists(st.integers(lo, hi), min_size=size,
                                        max_size=size))).reshape(shape).tolist()
            for _ in shape]


def _our_profiles(tables):
    game = normal_form_game(tables, "direct")
    eqs = projected_fixed_points(Decomposition(game), Rule("pg"))
    return game, eqs


@settings(max_examples=12)
@given(st.data())
def test_two_player_nash_points_equal_gambit_enummixed(data):
    """PG fixed points of the projected dynamics are exactly the Nash equilibria.

    "Generic" here: every fixed point we find is regular (no zero normal-cone
    multiplier, i.e. no unused action that is also a best response; a
    nonsingular Jacobian on its face; no continuum), and gambit reports an
    odd number of equilibria (Wilson's oddness theorem holds for generic
    games). Games with payoff ties that break these are skipped with assume.
    """
    shape = data.draw(st.tuples(st.integers(2, 4), st.integers(2, 4)))
    tables = _tables(data, shape)
    game, eqs = _our_profiles(tables)
    assume(all(e.stability is not Stability.DEGENERATE for e in eqs))
    theirs = _gambit_profiles(tables, rational=True)
    assume(len(theirs) % 2 == 1)
    ours = [strategies_at(game, e.exact) for e in eqs]
    assert all(e.nash for e in eqs)
    assert len(ours) == len(set(ours))
    assert set(ours) == set(theirs)


@settings(max_examples=6)
@given(st.data())
def test_three_player_nash_points_equal_gambit_enumpoly(data):
    """Same as the 2-player test for 2x2x2 games, where the face systems are
    nonlinear (Groebner route); gambit's floats are compared to 1e-9.
    Generic as in the 2-player test."""
    tables = _tables(data, (2, 2, 2), -9, 9)
    game, eqs = _our_profiles(tables)
    assume(all(e.stability is not Stability.DEGENERATE for e in eqs))
    theirs = _gambit_profiles(tables, rational=False)
    assume(len(theirs) % 2 == 1)
    assert all(e.nash for e in eqs)
    ours = [tuple(tuple(float(x) for x in s) for s in strategies_at(game, e.exact))
            for e in eqs]
    assert len(ours) == len(theirs)
    for prof in theirs:
        flat = np.concatenate(prof)
        dists = [np.max(np.abs(np.concatenate(o) - flat)) for o in ours]
        assert min(dists) < 1e-9


@pytest.mark.parametrize("method", ["peer-only", "meta-mapg", "lola", "lookahead"])
def test_shaped_fixed_points_satisfy_the_box_normal_cone(method):
    """Independent re-check on the box: F_k = 0 at free coordinates, F_k <= 0 at
    p_k = 0, F_k >= 0 at p_k = 1 (float evaluation of the exact field). The
    2x2x2 game makes the meta-mapg face systems nonlinear (algebraic roots)."""
    games = [builtin("stag-hunt", "direct"),
             normal_form_game([[[[7, -3], [2, 5]], [[-6, 4], [1, -8]]],
                               [[[-2, 6], [3, -7]], [[5, 1], [-4, 2]]],
                               [[[4, -5], [-1, 3]], [[2, 6], [-7, 1]]]], "direct")]
    for game in games[: 2 if method == "meta-mapg" else 1]:
        dec = Decomposition(game, eta=0.55)
        field = sp.lambdify(game.parameters, list(dec.field(method, 1.5, 0.35)))
        eqs = projected_fixed_points(dec, resolve(method, 1.5, 0.35))
        assert eqs
        for e in eqs:
            F = np.asarray(field(*e.point), dtype=float)
            for x, f in zip(e.point, F):
                if x == 0:
                    assert f <= 1e-9
                elif x == 1:
                    assert f >= -1e-9
                else:
                    assert abs(f) < 1e-9 and 0 < x < 1
            assert e.boundary == any(x in (0, 1) for x in e.point)
