"""Pseudo-arclength continuation, events, the branch graph and the diagram."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import fsolve

from eqselect.numerics.continuation.branches import (continue_in_lambda, continue_in_parameter,
                                                     interior_fixed_points)
from eqselect.numerics.continuation.corners import corner_fixed_points
from eqselect.numerics.continuation.graph import branch_graph
from eqselect.numerics.continuation.results import ContinuationResult
from eqselect.numerics.fixed_points.core.record import Stability
from eqselect.numerics.plots.bifurcation import bifurcation_diagram, stability_runs
from eqselect.numerics.continuation.pseudo_arclength import (BranchStatus, ContinuationOptions,
                                                ContinuationProblem, EventType, PseudoArclength,
                                                continuation, extended_field, tangent)
from eqselect.theory import (Decomposition, Game, GameError, Region, RegionKind, Rule,
                             builtin, tandem)
from eqselect.theory.exact import to_exact

ETA = 0.55


@pytest.fixture(scope="module")
def stag_direct():
    return Decomposition(builtin("stag-hunt", "direct"), eta=ETA)


@pytest.fixture(scope="module")
def stag_peer(stag_direct):
    return continue_in_lambda(stag_direct, Rule("peer-only", own_coef=0.35), (0, 3))


def _continuous_game(name, symbols, values, params):
    """A continuous game with one scalar parameter per agent and payoff symbols."""
    return Game(name=name, agents=tuple((s,) for s in symbols), values=tuple(values),
                region=Region(RegionKind.FREE), parameterization="continuous",
                payoff_symbols=params)


def _fold_game(a, x0):
    """One agent, J = mu x - a (x - x0)^3 / 3, so F = mu - a (x - x0)^2: a fold at (0, x0)."""
    x, mu = sp.symbols("x mu")
    return _continuous_game("fold", [x], [mu * x - a * (x - x0) ** 3 / 3],
                            {mu: sp.Integer(1)})


def _hopf_game():
    """x' = mu x - y - x r^2, y' = x + mu y - y r^2 as two agents' gradients: Hopf at mu = 0."""
    x, y, mu = sp.symbols("x y mu")
    J1 = mu * x ** 2 / 2 - x * y - x ** 4 / 4 - x ** 2 * y ** 2 / 2
    J2 = x * y + mu * y ** 2 / 2 - y ** 4 / 4 - x ** 2 * y ** 2 / 2
    return _continuous_game("hopf", [x, y], [J1, J2], {mu: sp.Integer(-1)})


# -- Stag Hunt, direct, peer-only: the corner (0, 0) and the saddle branch -------------
def test_corner_boundary_event_in_closed_form(stag_peer):
    # F_1(0, 0) = (b - d) + lam eta S (c - d) = -2 + 3 * 0.55 lam, zero at 40/33
    corner = [e for e in stag_peer.events
              if e.type is EventType.BOUNDARY and e.exact_value is not None]
    assert len(corner) == 1
    ev = corner[0]
    assert ev.exact_value == sp.Rational(40, 33)
    assert ev.point == (0.0, 0.0)
    assert abs(ev.value - 40 / 33) < 1e-9


def test_saddle_branch_reaches_the_corner(stag_peer):
    interior = [b for b in stag_peer.branches
                if b.kind == "interior" and b.origin == "continuation"]
    assert len(interior) == 1
    br = interior[0]
    assert br.status is BranchStatus.REGION
    exit_ev = br.events[-1]
    assert exit_ev.type is EventType.BOUNDARY
    assert abs(exit_ev.value - 40 / 33) < 1e-9
    assert np.max(np.abs(exit_ev.point)) < 1e-9
    # the closed form of the symmetric branch: p = (2 - 3 lam eta) / (3 + 9 lam eta)
    lam, p = br.points[:, 0], br.points[:, 1:]
    expected = (2 - 3 * lam * ETA) / (3 + 9 * lam * ETA)
    assert np.max(np.abs(p - expected[:, None])) < 1e-9
    # one graph node joins the saddle branch, the corner's branch and the two
    # edge branches p1 = 0 and p2 = 0 that leave the corner there
    node = [n for n, a in stag_peer.graph.nodes(data=True)
            if a["type"] == "boundary" and abs(a["lam"] - 40 / 33) < 1e-9]
    assert len(node) == 1
    assert stag_peer.graph.degree(node[0]) == 4


def test_branch_point_where_a_line_of_fixed_points_crosses(stag_peer):
    # D_phi F = [[9 lam eta, 3], [3, 9 lam eta]] is singular at lam = 1 / (3 eta) = 20/33,
    # where the line p1 + p2 = 1/3 is fixed; the saddle turns unstable there
    bp = [e for e in stag_peer.events if e.type is EventType.BRANCH]
    assert len(bp) == 1
    assert abs(bp[0].value - 20 / 33) < 1e-8
    assert np.allclose(bp[0].point, [1 / 6, 1 / 6], atol=1e-8)
    stabilities = {d["stability"] for _, _, d in stag_peer.graph.edges(data=True)}
    assert {"saddle", "unstable", "stable"} <= stabilities


def test_switch_at_the_branch_point_follows_the_line_of_fixed_points(stag_peer):
    # the second root of the bifurcation equation at (1/6, 1/6, 20/33) is the line
    # p1 + p2 = 1/3 (vertical in lambda), followed to the edges p2 = 0 and p1 = 0
    switched = [b for b in stag_peer.branches if b.origin == "branch-switch"]
    assert len(switched) == 1
    br = switched[0]
    assert br.switched_at == pytest.approx(20 / 33, abs=1e-12)
    assert np.max(np.abs(br.points[:, 0] - 20 / 33)) < 1e-9
    assert np.max(np.abs(br.points[:, 1] + br.points[:, 2] - 1 / 3)) < 1e-9
    ends = sorted(br.points[i, 1:].tolist() for i in (0, -1))
    assert np.allclose(ends, [[0.0, 1 / 3], [1 / 3, 0.0]], atol=1e-12)
    assert [e.type for e in br.events].count(EventType.BOUNDARY) == 2
    assert [e.type for e in stag_peer.events].count(EventType.FOLD) == 0


def test_payoff_dominant_corner_stays_fixed(stag_peer):
    corners = {tuple(b.points[0, 1:]): b for b in stag_peer.branches if b.kind == "corner"}
    assert set(corners) == {(0.0, 0.0), (1.0, 1.0)}
    assert corners[(1.0, 1.0)].points[:, 0].tolist() == [0.0, 3.0]
    assert corners[(0.0, 0.0)].stability[0] is Stability.STABLE


def test_corner_event_in_a_payoff_symbol():
    # symbolic Stag Hunt, peer-only at lam = 3/2: F_1(0, 0) = (b - 2) + (33/40)(3 - b),
    # so (0, 0) is a fixed point for b <= -19/7 and stops being one there as b increases
    dec = Decomposition(builtin("stag-hunt", "direct", symbolic=True), eta=ETA)
    system = extended_field(dec, Rule("peer-only", lam=1.5), "b")
    _, events, notes = corner_fixed_points(system, (-4, 0), [(0, 0)])
    assert not notes
    assert [e.exact_value for e in events] == [sp.Rational(-19, 7)]
    assert "stops being a fixed point as b increases" in events[0].note


# -- folds, Hopf ----------------------------------------------------------------------
@pytest.mark.parametrize("a,x0", [(1, 0), (2, 0.3), (0.5, -1.25)])
def test_fold_of_the_normal_form(a, x0):
    dec = Decomposition(_fold_game(a, x0), eta=0.5)
    res = continue_in_parameter(dec, Rule("pg"), "mu", (1, -1))
    assert len(res.branches) == 1  # the second seed lies on the first branch
    folds = [e for e in res.events if e.type is EventType.FOLD]
    assert len(folds) == 1
    assert abs(folds[0].value) < 1e-6
    assert abs(folds[0].point[0] - x0) < 1e-6
    br = res.branches[0]
    assert br.status is BranchStatus.WINDOW
    assert {br.stability[0], br.stability[-1]} == {Stability.STABLE, Stability.UNSTABLE}


# x0 rounded to 9 digits: exact numbers refuse magnitudes below 10^-300 (such as 2e-308)
@given(a=st.floats(0.2, 5.0), x0=st.floats(-2.0, 2.0).map(lambda v: round(v, 9)),
       mu0=st.floats(0.3, 2.0))
def test_fold_location_property(a, x0, mu0):
    # F = mu - a (x - x0)^2 from mu0 down to -mu0: the fold sits at (0, x0)
    dec = Decomposition(_fold_game(to_exact(a), to_exact(x0)), eta=0.5)
    res = continue_in_parameter(dec, Rule("pg"), "mu", (mu0, -mu0))
    folds = [e for e in res.events if e.type is EventType.FOLD]
    assert len(folds) == 1
    assert abs(folds[0].value) < 1e-6 and abs(folds[0].point[0] - x0) < 1e-6


def test_continuum_is_reported_not_dropped():
    # Tandem under PG: every point with x + y = 1 is fixed, so no isolated seed exists
    res = continue_in_lambda(Decomposition(tandem(), eta=0.5), Rule("peer-only"), (0, 1))
    assert res.branches == ()
    assert any("singular D_phi F" in n for n in res.notes)


def test_start_without_a_fixed_point_fails_with_a_note():
    # F = mu - x^2 has no zero at mu = -1
    prob = ContinuationProblem(Decomposition(_fold_game(1, 0), eta=0.5), Rule("pg"), (0.5,), -1.0,
                               parameter="mu")
    br = continuation(prob, options=ContinuationOptions(p_min=-2, p_max=2))
    assert br.status is BranchStatus.START_FAILED
    assert len(br.points) == 0 and "did not converge" in br.notes[0]


def test_hopf_of_the_normal_form():
    dec = Decomposition(_hopf_game(), eta=0.5)
    res = continue_in_parameter(dec, Rule("pg"), "mu", (-1, 1), starts=[(0.0, 0.0)])
    hopf = [e for e in res.events if e.type is EventType.HOPF]
    assert len(hopf) == 1
    assert abs(hopf[0].value) < 1e-9
    assert not [e for e in res.events if e.type is not EventType.HOPF]


# -- agreement with solving from scratch -------------------------------------------------
def test_branch_agrees_with_fsolve():
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=ETA)
    res = continue_in_lambda(dec, Rule("meta-mapg"), (0, 3))
    br = res.branches[0]
    system = extended_field(dec, Rule("meta-mapg", own_coef=0.35), "lam")
    rows = br.points[np.linspace(1, len(br.points) - 1, 5).astype(int)]
    for lam, *x in rows:
        x = np.asarray(x)
        sol = fsolve(lambda z: system.field(z, lam), x + 0.05,
                     fprime=lambda z: system.jacobian(z, lam)[:, :2], xtol=1e-13)
        assert np.max(np.abs(sol - x)) < 1e-8


def test_seeds_and_problem_direct(stag_direct):
    pts, notes = interior_fixed_points(extended_field(stag_direct, Rule("pg")), 0.0,
                                       stag_direct.game.region)
    assert len(pts) == 1 and np.allclose(pts[0], [2 / 3, 2 / 3]) and not notes
    prob = ContinuationProblem(stag_direct, Rule("peer-only"), (0.6, 0.7), 0.0)
    br = continuation(prob, PseudoArclength(), ContinuationOptions(ds=0.05, p_min=0, p_max=1))
    assert br.status is BranchStatus.WINDOW
    assert br.points[-1, 0] == 1.0
    assert np.allclose(br.points[0, 1:], [2 / 3, 2 / 3], atol=1e-12)


def test_tangent_is_a_unit_null_vector():
    J = np.array([[2.0, 1.0, -1.0], [0.5, 3.0, 2.0]])
    t = tangent(J, np.array([0.0, 0.0, 1.0]))
    assert np.allclose(J @ t, 0, atol=1e-12)
    assert abs(np.linalg.norm(t) - 1) < 1e-12 and t[-1] > 0


# -- options and input errors ----------------------------------------------------------
@pytest.mark.parametrize("kwargs,match", [
    ({"ds": 1.0}, r"ds_min <= \|ds\| <= ds_max"),
    ({"ds": 0.0}, r"ds_min <= \|ds\| <= ds_max"),
    ({"ds_min": 0.0}, "0 < ds_min"),
    ({"ds_max": 1e-9}, "ds_min = 1e-06 <= ds_max"),
    ({"p_min": 1.0, "p_max": 0.0}, "p_min < p_max"),
    ({"max_steps": 0}, "max_steps"),
    ({"newton_tol": 1.0}, r"\(0, 1e-2\]"),
])
def test_options_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ContinuationOptions(**kwargs)


def test_unknown_parameter_lists_valid_ones(stag_direct):
    with pytest.raises(GameError, match="valid parameters: lam"):
        extended_field(stag_direct, Rule("peer-only"), "zeta")
    with pytest.raises(GameError, match="distinct"):
        continue_in_lambda(stag_direct, Rule("peer-only"), (1.0, 1.0))


# -- the public JSON contract, the graph and the plot -----------------------------------
def test_json_shape(stag_peer):
    out = json.loads(json.dumps(stag_peer.to_json()))
    assert set(out) >= {"parameter", "branches", "events", "notes"}
    assert out["parameter"] == "lam" and out["notes"] == list(stag_peer.notes)
    valid = {s.value for s in Stability}
    for br in out["branches"]:
        assert set(br) >= {"points", "stability", "parameter", "status"}
        assert len(br["points"]) == len(br["stability"])
        assert all(len(row) == 3 for row in br["points"])
        assert set(br["stability"]) <= valid
    for ev in out["events"]:
        assert set(ev) >= {"type", "lam", "point", "parameter", "value"}
        assert ev["parameter"] == "lam" and ev["value"] == ev["lam"]
        assert ev["type"] in {"fold", "boundary", "branch", "hopf"}
        assert isinstance(ev["lam"], float) and len(ev["point"]) == 2


def test_graph_attributes(stag_peer):
    G = stag_peer.graph
    assert isinstance(stag_peer, ContinuationResult)
    for _, a in G.nodes(data=True):
        assert set(a) == {"lam", "point", "type"}
    for _, _, a in G.edges(data=True):
        assert {"stability", "n_points"} <= set(a) and a["n_points"] >= 2
    assert branch_graph(stag_peer.branches).number_of_nodes() == G.number_of_nodes()


def test_bifurcation_diagram_writes_png(stag_peer, tmp_path):
    path = tmp_path / "bif.png"
    fig = bifurcation_diagram(stag_peer, coordinate=1, path=path)
    assert path.stat().st_size > 1000
    lines = fig.axes[0].get_lines()
    assert {ln.get_linestyle() for ln in lines} >= {"-", "--"}
    with pytest.raises(ValueError, match="coordinate 2"):
        bifurcation_diagram(stag_peer, coordinate=2)


def test_stability_runs_cover_every_row():
    S, U = Stability.STABLE, Stability.UNSTABLE
    runs = stability_runs([U, S, S, S, U])
    assert runs[0] == (0, 1, False) and runs[-1][1] == 5
    assert [r[2] for r in runs] == [False, True, False]
