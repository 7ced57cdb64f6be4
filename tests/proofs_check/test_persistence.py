"""A5 on F_lambda = v + lambda M, against fixed points of F_lambda solved in the test."""

import os

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from eqselect.numerics.shaping import ShapingField
from eqselect.proofs_check.persistence import check_a5, explain, field_rule
from eqselect.proofs_check.verdict import PointReport
from eqselect.theory import Decomposition, builtin, normal_form_game
from eqselect.theory.rules import Rule
from payoff_tables import v_and_peer

ETA = sp.Rational(11, 20)
x, y, lam = sp.symbols("x y lam")
LAM_MAX = 3


def _point(label, pt):
    return PointReport(label, tuple(float(v) for v in pt), tuple(sp.Integer(v) for v in pt), ())


def _F(A, B, with_own=False):
    """F_lambda = v + lambda peer from the payoff tables (J_i = x^T A_i y), written here."""
    v, peer = v_and_peer(A, B, x, y, ETA)
    return v + lam * peer


def _corner_lost(F, corner):
    """The smallest lambda in (0, LAM_MAX] where the corner stops being a stable fixed point
    of the projected flow: a component of F (pointing outward at lambda = 0) reaches 0."""
    out = [1 if c == 1 else -1 for c in corner]
    at = F.subs({x: corner[0], y: corner[1]})
    roots = []
    for k in range(2):
        f = sp.expand(at[k] * out[k])
        assert f.subs(lam, 0) > 0
        roots += [r for r in sp.solve(sp.Eq(f, 0), lam) if r.is_real and 0 < r <= LAM_MAX]
    return min(roots) if roots else None


base, gap = st.integers(-4, 4), st.integers(1, 6)


@settings(max_examples=12 if os.environ.get("EQSELECT_FULL_SCALE") == "1" else 3)  # each runs the continuation too
@given(a=st.tuples(base, base, gap, gap), b=st.tuples(base, base, gap, gap))
def test_direct_a5_matches_the_corners_solved_here(a, b):
    """Random coordination-type 2x2 games, peer-only, P = (1, 1), R = (0, 0): where each
    corner stops being a stable fixed point of F_lambda, A5's verdict, the lambda beyond
    which only P is stable, and the corner events agree with F_lambda solved here."""
    (c1, b1, p1, q1), (c2, b2, p2, q2) = a, b
    A = [[c1 + p1, b1], [c1, b1 + q1]]
    B = [[b2 + p2, b2], [c2, c2 + q2]]
    game = normal_form_game([A, B], "direct", name="random")
    sf = ShapingField(Decomposition(game, eta=ETA), Rule("peer-only"))
    F = _F(A, B)
    assert sp.expand(sf.F(1).subs(dict(zip(sf.symbols, (x, y)))) - F.subs(lam, 1)) == sp.zeros(2, 1)
    v = check_a5(sf, _point("C,C", (1, 1)), _point("D,D", (0, 0)), LAM_MAX)
    assert v.certified.value == "exact"
    p_lost, r_lost = _corner_lost(F, (1, 1)), _corner_lost(F, (0, 0))
    assert v.holds is (p_lost is None)
    assert v.values["P_branch"]["lost_at"] == p_lost
    assert v.values["R_branch"]["lost_at"] == r_lost
    beyond = v.values.get("selection_global_beyond")
    if r_lost is not None and (p_lost is None or r_lost < p_lost):
        assert beyond == r_lost
    else:
        assert beyond is None
    corner_events = {e["exact_lam"] for e in v.values["events"]
                     if e["type"] == "boundary" and e["point"] is not None
                     and tuple(float(c) for c in e["point"]) in ((0.0, 0.0), (1.0, 1.0))}
    assert {r for r in (p_lost, r_lost) if r is not None} <= corner_events


def test_direct_stag_hunt_peer_only_events_are_exact():
    """Stag Hunt, peer-only, eta = 11/20: F_lambda = (3 p2 - 2 + lam 3 eta (3 p1 + 1), ...).
    (0, 0) stops being fixed at lambda = 2 / (3 eta) = 40/33; at lambda = 1 / (3 eta) =
    20/33 the whole segment p1 + p2 = 1/3 is fixed (a line of fixed points)."""
    sf = ShapingField(Decomposition(builtin("stag-hunt", "direct"), eta=ETA), Rule("peer-only"))
    v = check_a5(sf, _point("C,C", (1, 1)), _point("D,D", (0, 0)), LAM_MAX)
    assert (v.holds, v.certified.value) == (True, "exact")
    assert v.values["selection_global_beyond"] == sp.Rational(40, 33)
    lams = {e["exact_lam"] for e in v.values["events"]}
    assert {sp.Rational(20, 33), sp.Rational(40, 33)} <= lams
    line = [e for e in v.values["events"] if e.get("line_of_fixed_points") or e["type"] == "line"]
    assert line and line[0]["exact_lam"] == sp.Rational(20, 33)
    eqs = line[0].get("line_of_fixed_points") or line[0]["equations"]
    assert all(e == "Eq(3*p1 + 3*p2 - 1, 0)" for e in eqs)
    assert "R stops" in v.reason and "P stays stable" in v.reason


def test_the_sentence_never_calls_p_the_only_stable_point_when_both_go():
    text, beyond = explain(sp.Rational(1, 2), sp.Rational(1, 2), 3)
    assert beyond is None and "only P" not in text and "both" in text
    text, beyond = explain(sp.Rational(1, 3), sp.Rational(1, 2), 3)
    assert beyond is None and text.startswith("P stops")
    text, beyond = explain(0.5, 0.5 + 1e-9, 3, same=lambda a, b: abs(a - b) < 1e-6)
    assert beyond is None and "both" in text


def test_field_rule_builds_f_lambda():
    """F_lambda's rule: c = lambda in meta-mapg gives cur + lambda (own + peer) = v + lambda M."""
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=ETA)
    sf = ShapingField(dec, Rule("meta-mapg"))
    r = field_rule(sf)
    L = sp.Symbol("lambda")
    diff = dec.field(r.method, L, L) - (sf.v + L * sf.M)
    assert all(sp.simplify(d) == 0 for d in diff)
    assert field_rule(ShapingField(dec, Rule("lola"))) is None
