"""Entropy-regularised fields under the direct parameterisation.

Stag Hunt (payoffs [[4, 0], [3, 2]]) with tau H(pi): on the diagonal p1 = p2 = p
the PG field is g(p) = 3 p - 2 + tau log((1 - p) / p), written here by hand.
"""

import numpy as np
import pytest
from scipy.optimize import brentq
import sympy as sp

from eqselect.numerics.continuation.branches import continue_in_lambda
from eqselect.numerics.fixed_points.find import find_equilibria
from eqselect.numerics.fixed_points.newton.entropy_interior import to_region
from eqselect.theory import Decomposition, builtin, normal_form_game
from eqselect.theory.games.entropy import entropy_regularized
from eqselect.theory.rules import Rule

TAU = 0.25


def _hand_roots(tau):
    def g(p):
        return 3 * p - 2 + tau * np.log((1 - p) / p)

    grid = np.concatenate([np.logspace(-9, -1, 400), np.linspace(0.1, 1 - 1e-9, 4000)])
    vals = g(grid)
    return [brentq(g, a, b, xtol=1e-15) for a, b, fa, fb in
            zip(grid[:-1], grid[1:], vals[:-1], vals[1:]) if fa * fb < 0]


@pytest.fixture(scope="module")
def stag_tau():
    return Decomposition(entropy_regularized(builtin("stag-hunt", "direct"), TAU), eta=0.55)


def test_direct_entropy_pg_has_the_three_interior_points(stag_tau):
    found = find_equilibria(stag_tau, Rule("pg"))
    assert found.route == "newton-interior" and not found.complete and found.seeds == 64
    hand = _hand_roots(TAU)
    assert len(hand) == 3
    got = sorted(e.point for e in found.equilibria)
    assert len(got) == 3
    for (p1, p2), p in zip(got, hand):
        assert p1 == pytest.approx(p, rel=1e-10) and p2 == pytest.approx(p, rel=1e-10)
    assert [round(p, 5) for p in hand] == [0.00034, 0.76505, 0.97621]
    stab = [e.stability.value for e in sorted(found.equilibria, key=lambda e: e.point)]
    assert stab == ["stable", "saddle", "stable"]


def test_direct_entropy_points_are_proven_by_the_krawczyk_test(stag_tau):
    """Each interior point lies in a proven box, and that box holds the hand root."""
    found = find_equilibria(stag_tau, Rule("pg"))
    assert all(e.route.value == "interval-certified" for e in found.equilibria)
    assert any("3 of 3 interior point(s) interval-certified" in n for n in found.notes)
    for e, p in zip(sorted(found.equilibria, key=lambda e: e.point), _hand_roots(TAU)):
        box = [n for n in e.notes if n.startswith("interval-certified")][0]
        lo, hi = (float(x) for x in box.split(" in p in [")[1].split("]")[0].split(", "))
        # the note prints the box's ends to 12 digits
        assert lo - 1e-11 * abs(lo) <= e.point[0] <= hi + 1e-11 * abs(hi)
        assert hi - lo <= 1e-11 * abs(hi)
        assert abs(p - e.point[0]) < 1e-12


def test_direct_entropy_continuation_follows_every_interior_branch(stag_tau):
    result = continue_in_lambda(stag_tau, Rule("pg"), (0, 1))
    starts = sorted(round(b.points[0, 1], 6) for b in result.branches)
    assert starts == [round(p, 6) for p in _hand_roots(TAU)]
    assert any("entropy" in n for n in result.notes)


def test_softmax_coordinates_cover_the_open_region():
    z = np.array([[-30.0, 30.0], [0.0, 0.0]])
    p = to_region(z, ((0,), (1,)))
    assert (p > 0).all() and (p < 1).all()
    blocks = ((0, 1),)
    q = to_region(np.array([[1.0, -2.0]]), blocks)
    e = np.exp([1.0, -2.0])
    assert np.allclose(q, e / (1 + e.sum()))


# -- a log payoff is no entropy term ------------------------------------------------------
# Symmetric 2x2 game with payoffs [[sqrt(2), 0], [log(3), 1]]: the pure profiles
# (x1, y1) and (x2, y2) are strict Nash equilibria, and the mixed one has
# q = 1 / (1 + sqrt(2) - log(3)) (indifference sqrt(2) q = log(3) q + 1 - q).
_IRR = [[[sp.sqrt(2), 0], [sp.log(3), 1]], [[sp.sqrt(2), sp.log(3)], [0, 1]]]
_Q = 1 / (1 + sp.sqrt(2) - sp.log(3))


def test_log_payoff_direct_is_solved_exactly_face_by_face():
    found = find_equilibria(Decomposition(normal_form_game(_IRR, "direct"), eta=0.55), Rule("pg"))
    assert found.route == "exact-faces" and found.complete
    exact = sorted((e.exact for e in found.equilibria), key=lambda x: float(x[0]))
    assert [tuple(sp.simplify(v - w) == 0 for v, w in zip(x, y)) for x, y in
            zip(exact, [(0, 0), (_Q, _Q), (1, 1)])] == [(True, True)] * 3
    stab = [e.stability.value for e in sorted(found.equilibria, key=lambda e: e.point)]
    assert stab == ["stable", "saddle", "stable"]


def test_log_payoff_logit_lists_the_pure_profiles_at_infinity():
    found = find_equilibria(Decomposition(normal_form_game(_IRR, "logit"), eta=0.55), Rule("pg"))
    assert found.complete and len(found.equilibria) == 1
    (theta,) = {round(float(t), 12) for t in found.equilibria[0].point}
    assert theta == pytest.approx(float(sp.log(_Q / (1 - _Q))), abs=1e-12)
    assert sorted(tuple(s[0] for s in e.strategies) for e in found.at_infinity) == [
        (0.0, 0.0), (1.0, 1.0)]


def test_log_payoff_continuation_tracks_the_corners():
    result = continue_in_lambda(Decomposition(normal_form_game(_IRR, "direct"), eta=0.55),
                                Rule("pg"), (0, 1))
    assert not any("entropy" in n for n in result.notes)
    starts = sorted(tuple(round(v, 9) for v in b.points[0, 1:]) for b in result.branches)
    q = round(float(_Q), 9)
    assert starts == [(0.0, 0.0), (q, q), (1.0, 1.0)]
