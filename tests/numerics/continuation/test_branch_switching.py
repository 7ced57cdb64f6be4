"""Branch switching at branch points ("a reversed range finds the same branches and
events as the forward one"), against a game whose branches are known in closed form.

The continuous two-agent game with values

    J_1 = -x^4 / 4 + (7/4) x^2 - 2 x y,        J_2 = -y^2 / 2 + 2 x y,

under peer-only (eta = 1) has the field

    F_1 = (7/2) x - 2 y - 4 lambda x - x^3,     F_2 = 2 x - (1 + 4 lambda) y.

With w = 1 + 4 lambda, F_2 = 0 gives y = 2 x / w, and then
F_1 = x (9/2 - w - 4/w - x^2): the branch x = y = 0 for every lambda, and the
branch x^2 = 9/2 - w - 4/w, y = 2 x / w, which exists for
w in [(9 - sqrt 17) / 4, (9 + sqrt 17) / 4], i.e. lambda in
[(5 - sqrt 17) / 16, (5 + sqrt 17) / 16] = [0.0548, 0.5702]: a closed curve
(a "bubble") born at one pitchfork and dying at the other. From either end of
the window [0, 1] only x = y = 0 is a fixed point, so the bubble can only be
found by switching branches.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import sympy as sp

from eqselect.numerics.continuation.branches import continue_in_lambda
from eqselect.numerics.continuation.results import BranchStatus, Event, EventType
from eqselect.numerics.continuation.branch_points import (branch_directions,
                                                          refine_branch_point)
from eqselect.numerics.continuation.switching import (SwitchBudget, Switcher,
                                                      known_directions, merge_branch_points,
                                                      new_directions)
from eqselect.numerics.continuation.pseudo_arclength import ContinuationOptions
from eqselect.numerics.continuation.system import extended_field
from eqselect.numerics.fixed_points.core.record import classify
from eqselect.theory import Decomposition, Game, Region, RegionKind
from eqselect.theory.rules import Rule

LAM1, LAM2 = (5 - math.sqrt(17)) / 16, (5 + math.sqrt(17)) / 16


@pytest.fixture(scope="module")
def bubble():
    x, y = sp.symbols("x y")
    values = (-x ** 4 / 4 + sp.Rational(7, 4) * x ** 2 - 2 * x * y, -y ** 2 / 2 + 2 * x * y)
    game = Game(name="bubble", agents=((x,), (y,)), values=values,
                region=Region(RegionKind.FREE), parameterization="continuous")
    return Decomposition(game, eta=1)


def _closed_form_error(br) -> float:
    """max |x^2 - (9/2 - w - 4/w)| + max |y - 2 x / w| over the rows of a branch."""
    lam, x, y = br.points.T
    w = 1 + 4 * lam
    return float(np.max(np.abs(x ** 2 - (4.5 - w - 4 / w))) + np.max(np.abs(y - 2 * x / w)))


def test_the_field_is_the_one_worked_by_hand(bubble):
    ef = extended_field(bubble, Rule("peer-only"))
    x, lam = np.array([0.3, -0.2]), 0.7
    F = ef.field(x, lam)
    assert F == pytest.approx([3.5 * 0.3 + 0.4 - 4 * lam * 0.3 - 0.027,
                               0.6 + (1 + 4 * lam) * 0.2], abs=1e-12)


def test_bifurcation_equation_gives_both_tangents(bubble):
    # at (0, 0, LAM1) the branches are x = y = 0 (tangent e_lambda) and the bubble,
    # vertical there with tangent along the kernel (w, 2) / |.| of D_phi F, w = 1 + 4 LAM1
    ef = extended_field(bubble, Rule("peer-only"))
    u = refine_branch_point(ef, np.array([1e-4, -1e-4, LAM1 + 1e-4]))
    assert u == pytest.approx([0.0, 0.0, LAM1], abs=1e-10)
    dirs, note = branch_directions(ef, u)
    assert note == "" and len(dirs) == 2
    w = 1 + 4 * LAM1
    kernel = np.array([w, 2.0, 0.0]) / math.hypot(w, 2.0)
    got = sorted(np.abs(np.array(dirs)).round(8).tolist())
    want = sorted(np.abs(np.array([[0.0, 0.0, 1.0], kernel])).round(8).tolist())
    assert got == want


def test_no_branch_point_where_the_jacobian_has_full_rank(bubble):
    ef = extended_field(bubble, Rule("peer-only"))
    dirs, note = branch_directions(ef, np.array([0.0, 0.0, 0.3]))
    assert dirs == [] and "full rank" in note


@pytest.mark.parametrize("window", [(0.0, 1.0), (1.0, 0.0)])
def test_the_bubble_is_found_from_either_end(bubble, window):
    res = continue_in_lambda(bubble, Rule("peer-only"), window)
    switched = [b for b in res.branches if b.origin == "branch-switch"]
    assert len(res.branches) == 2 and len(switched) == 1
    loop = switched[0]
    assert loop.status is BranchStatus.CLOSED
    assert loop.switched_at == pytest.approx(LAM1 if window[0] == 0 else LAM2, abs=1e-10)
    assert np.allclose(loop.points[0], loop.points[-1])
    assert loop.points[:, 0].min() == pytest.approx(LAM1, abs=1e-9)
    assert loop.points[:, 0].max() == pytest.approx(LAM2, abs=1e-6)
    assert _closed_form_error(loop) < 1e-6
    assert loop.points[:, 1].min() < -0.5 < 0.5 < loop.points[:, 1].max()  # both halves
    for (lam, x, _), stab in zip(loop.points, loop.stability):
        jac = np.array([[3.5 - 4 * lam - 3 * x ** 2, -2.0], [2.0, -(1 + 4 * lam)]])
        assert stab is classify(np.linalg.eigvals(jac))
    # one event per branch point, on the point; no fold reported at a branch point
    bps = [e for e in res.events if e.type is EventType.BRANCH]
    assert [e.value for e in bps] == pytest.approx([LAM1, LAM2], abs=1e-12)
    assert all(np.max(np.abs(e.point)) < 1e-12 for e in bps)
    assert not [e for e in res.events if e.type is EventType.FOLD]


def test_switched_branch_matches_the_closed_form_at_several_lambdas(bubble):
    # a start on x = y = 0 only: the pitchfork branch reaching the window's end is found
    # by the switch alone (no seeds at the far end with user starts)
    res = continue_in_lambda(bubble, Rule("peer-only"), (0, 0.3), starts=[(0.0, 0.0)])
    (br,) = [b for b in res.branches if b.origin == "branch-switch"]
    assert br.status is BranchStatus.WINDOW
    assert _closed_form_error(br) < 1e-8
    for sign in (1, -1):  # every row on the closed form, rows all along each half
        rows = br.points[np.sign(br.points[:, 1]) == sign]
        for lam in (0.1, 0.2, 0.3):
            assert np.min(np.abs(rows[:, 0] - lam)) < 0.05
    # both ends on the window's edge lambda = 0.3, at x = +-sqrt(9/2 - w - 4/w), w = 2.2
    x_end = math.sqrt(4.5 - 2.2 - 4 / 2.2)
    ends = sorted(br.points[[0, -1]].tolist())
    assert ends == [pytest.approx([0.3, -x_end, -x_end / 1.1], abs=1e-10),
                    pytest.approx([0.3, x_end, x_end / 1.1], abs=1e-10)]
    # stability along the joined branch, row by row: the class of the eigenvalues of
    # D_phi F = [[7/2 - 4 lambda - 3 x^2, -2], [2, -(1 + 4 lambda)]] there
    for (lam, x, _), stab in zip(br.points, br.stability):
        jac = np.array([[3.5 - 4 * lam - 3 * x ** 2, -2.0], [2.0, -(1 + 4 * lam)]])
        assert stab is classify(np.linalg.eigvals(jac))
    assert {"stable", "unstable"} <= {s.value for s in br.stability}
    doc = json.loads(json.dumps(res.to_json()))
    origins = sorted((b["origin"], b["switched_at"]) for b in doc["branches"])
    assert origins[0] == ("branch-switch", pytest.approx(LAM1, abs=1e-10))
    assert origins[1] == ("continuation", None)


def test_the_cap_on_switches_is_said(bubble):
    ef = extended_field(bubble, Rule("peer-only"))
    res = continue_in_lambda(bubble, Rule("peer-only"), (0, 1))
    trivial = [b for b in res.branches if b.origin == "continuation"]
    budget = SwitchBudget(max_switches=0)
    sw = Switcher(dict(dec=bubble, method="peer-only", parameter="lam", lam=None,
                       own_coef=None, region=bubble.game.region, system=ef),
                  ContinuationOptions(ds=0.02, p_min=0, p_max=1), budget=budget)
    new, ends = sw.run(trivial)
    assert new == [] and ends == []
    assert len(budget.notes) == 1 and "cap of 0 branch switches" in budget.notes[0]


def test_known_secants_vote_for_the_nearer_root():
    # a branch through u = 0 along (1, 1) / sqrt 2 in (x, p), sampled on both sides
    rows = np.array([[-0.1, -0.1], [0.0, 0.0], [0.12, 0.1]])
    secants = known_directions(rows, np.zeros(2))
    assert len(secants) == 2
    roots = [np.array([1.0, 1.0]) / math.sqrt(2), np.array([0.0, 1.0])]
    assert [t.tolist() for t in new_directions(roots, secants)] == [[0.0, 1.0]]
    # a roughly located branch-point row (1e-4 off) still marks the branch as through u
    rough = np.array([[-0.1, -0.1], [1e-4, 0.0], [0.12, 0.1]])
    assert known_directions(rough, np.zeros(2)) == []
    assert len(known_directions(rough, np.zeros(2), event_rows=[1])) == 2


def test_one_event_per_branch_point():
    refined = [(0.5, (0.0, 0.0), True), (3.0, (1.0, 1.0), False)]
    events = [Event(EventType.BRANCH, 0.5 + 2e-4, (1e-4, 0.0)),
              Event(EventType.BRANCH, 0.5, (0.0, 0.0)),
              Event(EventType.FOLD, 0.5 - 1e-4, (0.0, 3e-4)),
              Event(EventType.FOLD, 0.9, (0.2, 0.0)),
              Event(EventType.BRANCH, 3.0 - 1e-5, (1.0, 1.0))]  # on the window's edge
    out = merge_branch_points(events, refined)
    assert [(e.type, e.value, e.point) for e in out] == [
        (EventType.BRANCH, 0.5, (0.0, 0.0)), (EventType.FOLD, 0.9, (0.2, 0.0))]
