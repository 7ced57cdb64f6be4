"""Routes of the fixed-point search: budgets, labels, fixed points at infinity, records.

Fixed points you can trust: every exact route runs under a budget
and falls back (labelled); logit fields report the pure equilibria at
infinity; the mpmath field is generated once and equals sympy.
"""

import json
import time

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st

import gambit_oracle
from eqselect.theory.budget import run_with_budget
from eqselect.numerics.fixed_points.core.field import MpField
from eqselect.numerics.fixed_points.find import find_equilibria
from eqselect.numerics.fixed_points.infinity.pure_profiles import pure_profiles_at_infinity
from eqselect.numerics.fixed_points.core.nash_check import strategies_at
from eqselect.numerics.fixed_points.core.record import Route, Stability
from eqselect.numerics.fixed_points.newton.seeds import newton_seeds
from eqselect.theory import Decomposition, GameError, builtin, normal_form_game
from eqselect.theory.rules import Rule, resolve

STAG3 = [[[[4, 0], [0, 0]], [[3, 3], [3, 3]]], [[[4, 0], [3, 3]], [[0, 0], [3, 3]]],
         [[[4, 3], [0, 3]], [[0, 3], [0, 3]]]]


# -- budgets -----------------------------------------------------------------------
def test_budget_really_stops_the_work():
    start = time.monotonic()
    run = run_with_budget(time.sleep, (30,), 0.3)
    assert not run.finished and "budget" in run.error
    assert time.monotonic() - start < 5


def test_budget_reports_errors_of_the_work():
    run = run_with_budget(int, ("not a number",), 5.0)
    assert not run.finished and run.error.startswith("ValueError")


def test_two_parameter_logit_route_is_the_certified_resultant():
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=0.55)
    # small systems are eliminated in-process
    found = find_equilibria(dec, Rule("pg"), budget=1e-6)
    assert found.route == "resultant" and found.complete
    assert found.certificate["u1"]["polynomial"] == [-2, 1]  # u1 = 2, theta1 = ln 2
    assert "every finite fixed point is listed" in found.notes[0]
    assert [round(x, 12) for x in found.equilibria[0].point] == [round(np.log(2), 12)] * 2


def test_face_search_past_its_budget_is_refused_clearly():
    dec = Decomposition(normal_form_game(STAG3, "direct"), eta=0.55)
    with pytest.raises(GameError, match="budget"):
        find_equilibria(dec, Rule("meta-mapg"), budget=1e-3)


# -- the 3-player Stag Hunt ------------------------------------------------------------
@pytest.mark.parametrize("method,theta", [("meta-mapg", 1.5097), ("pg", 1.8663),
                                          ("lola", 1.6595)])
def test_three_player_stag_hunt_interior_saddle_found_and_labelled(method, theta):
    dec = Decomposition(normal_form_game(STAG3, "logit"), eta=0.55)
    found = find_equilibria(dec, resolve(method), budget=1.0)
    if method == "pg":  # the interior points are the totally mixed Nash equilibria
        assert found.complete and found.route == "nash-interior"
    else:
        assert not found.complete and found.route == "newton" and found.seeds == 96
    pts = [e.point for e in found.equilibria]
    assert any(np.allclose(p, theta, atol=1e-4) for p in pts)
    sym = [e for e in found.equilibria if np.allclose(e.point, theta, atol=1e-4)][0]
    assert sym.stability is Stability.SADDLE
    # the two pure equilibria (all stag, all hare) are reported at infinity; for PG
    # (Nash = fixed vertex) nothing else, shaped rules may hold more vertices
    profiles = {tuple(int(s[0] == 1.0) for s in e.strategies) for e in found.at_infinity}
    assert {(1, 1, 1), (0, 0, 0)} <= profiles
    assert method != "pg" or profiles == {(1, 1, 1), (0, 0, 0)}


def test_seeds_grow_with_dimension_and_use_an_inner_box():
    x, how = newton_seeds(3, 10, seed=4)
    assert x.shape == (10, 3) and "[-3, 3]^3" in how
    assert np.abs(x[5:]).max() <= 3 and np.abs(x[:5]).max() <= 8


# -- equilibria at infinity -----------------------------------------------------------
def _pure_nash(tables):
    out = set()
    for eq in gambit_oracle.enummixed(tables):
        if all(max(s) == 1 for s in eq):
            out.add(tuple(tuple(int(x) for x in s) for s in eq))
    return out


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(-4, 4), min_size=8, max_size=8))
def test_pg_at_infinity_are_the_pure_nash_equilibria_of_gambit(vals):
    tables = [[vals[0:2], vals[2:4]], [vals[4:6], vals[6:8]]]
    dec = Decomposition(normal_form_game(tables, "logit"), eta=0.55)
    eqs = pure_profiles_at_infinity(dec, Rule("pg"))
    got = {tuple(tuple(int(x) for x in s) for s in e.strategies) for e in eqs}
    assert got == _pure_nash(tables)
    for e in eqs:
        assert e.route is Route.AT_INFINITY and e.nash
        # the point +-inf maps to the pure profile: check at a large finite logit
        big = tuple(40.0 if x > 0 else -40.0 for x in e.point)
        approx = strategies_at(dec.game, big)
        assert np.allclose(np.array(approx, dtype=float), e.strategies, atol=1e-12)


CLOSED_FORM_RULES = ["pg", "meta-pg", "peer-only", "meta-mapg", "lookahead", "lola",
                     "lola-foerster", "meta-mapg-exact", "sga-fixed", "consensus"]


def _strict_at(tables, ends) -> bool:
    """No payoff tie for either agent at the pure profile ``ends`` (+1: first action)."""
    a = [0 if e > 0 else 1 for e in ends]
    return (tables[0][0][a[1]] != tables[0][1][a[1]]
            and tables[1][a[0]][0] != tables[1][a[0]][1])


@settings(max_examples=8, deadline=None)
@given(st.lists(st.integers(-4, 4), min_size=8, max_size=8),
       st.sampled_from(CLOSED_FORM_RULES))
@example([4, 0, 3, 2, 4, 3, 0, 2], "meta-mapg")  # Stag Hunt
@example([4, 0, 3, 2, 4, 3, 0, 2], "consensus")
def test_every_rule_points_like_pg_deep_near_a_pure_profile(vals, method):
    """The profiles at infinity of a shaped rule are read from the rule's own
    logit field at theta = +-T (T = 60, mpmath at 60 digits): a strict pure
    Nash equilibrium is listed exactly when every component points outward
    there (guards the (D, D) of logit Meta-MAPG Stag Hunt, once missed).
    Profiles with a payoff tie are left out: higher-order terms decide them."""
    tables = [[vals[0:2], vals[2:4]], [vals[4:6], vals[6:8]]]
    dec = Decomposition(normal_form_game(tables, "logit"), eta=sp.Rational(11, 20))
    listed = {tuple(x > 0 for x in e.point): e.stability
              for e in pure_profiles_at_infinity(dec, Rule(method))}
    mp = MpField(dec, resolve(method))
    with mpmath.workdps(60):
        for ends in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
            if not _strict_at(tables, ends):
                continue
            f = mp.field([60 * e for e in ends])
            outward = [mpmath.sign(f[i]) * ends[i] for i in range(2)]
            key = tuple(e > 0 for e in ends)
            if all(o > 0 for o in outward):
                assert listed.get(key) is Stability.STABLE, (ends, listed)
            elif any(o < 0 for o in outward):
                assert key not in listed, (ends, listed)


def test_logit_prisoners_dilemma_reports_its_nash_at_infinity():
    found = find_equilibria(Decomposition(builtin("prisoners-dilemma", "logit"), eta=0.55),
                            Rule("pg"))
    assert found.equilibria == []
    assert [(e.strategies, e.stability, e.nash) for e in found.at_infinity] == [
        (((0.0, 1.0), (0.0, 1.0)), Stability.STABLE, True)]
    doc = json.loads(json.dumps(found.to_json()))
    assert doc["at_infinity"][0]["route"] == "at-infinity"
    assert doc["at_infinity"][0]["point"] == [None, None]


# -- the mpmath field, generated once --------------------------------------------------
_MP = {}


def _mp_stag():
    if not _MP:
        dec = Decomposition(builtin("stag-hunt", "logit"), eta=sp.Rational(11, 20))
        _MP["dec"], _MP["f"] = dec, MpField(dec, Rule("meta-mapg"))
    return _MP["dec"], _MP["f"]


@settings(max_examples=5, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=2, max_size=2))
def test_mp_field_equals_sympy_and_its_jacobian_finite_differences(x):
    dec, mpf = _mp_stag()
    sub = dict(zip(dec.game.parameters, [sp.Float(v, 50) for v in x]))
    want = [sp.N(e.xreplace(sub), 45) for e in mpf.field_expr]
    with mpmath.workdps(40):
        got = mpf.field(x)
        assert all(abs(got[k] - mpmath.mpf(str(want[k]))) < mpmath.mpf(10) ** -30
                   for k in range(2))
        J, h = mpf.jacobian(x), mpmath.mpf(10) ** -12
        for c in range(2):
            up = [mpmath.mpf(v) + (h if i == c else 0) for i, v in enumerate(x)]
            dn = [mpmath.mpf(v) - (h if i == c else 0) for i, v in enumerate(x)]
            fd = (mpf.field(up) - mpf.field(dn)) / (2 * h)
            assert all(abs(J[k, c] - fd[k]) < mpmath.mpf(10) ** -18 for k in range(2))


# -- one record shape -------------------------------------------------------------------
def test_equilibrium_set_json_says_route_and_completeness():
    found = find_equilibria(Decomposition(builtin("stag-hunt", "direct"), eta=0.55), Rule("pg"))
    doc = json.loads(json.dumps(found.to_json()))
    assert {"equilibria", "method", "lam", "own_coef", "complete", "notes", "route",
            "seeds", "sampling", "at_infinity"} <= set(doc)
    assert doc["route"] == "exact-faces" and doc["complete"] is True
    eq = doc["equilibria"][0]
    assert {"point", "exact", "strategies", "stability", "nash", "boundary", "eigenvalues",
            "mu", "route", "residual", "notes"} <= set(eq)
    assert all(len(z) == 2 for z in eq["eigenvalues"])


def test_rule_in_first_slot_equals_old_keywords():
    dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    old = find_equilibria(dec, Rule("peer-only", 0.5, 0.35))
    new = find_equilibria(dec, Rule("peer-only", lam=sp.Rational(1, 2)))
    assert [e.exact for e in old.equilibria] == [e.exact for e in new.equilibria]
    assert old.lam == new.lam == 0.5


# -- irrational payoffs (sympy: "sorted roots not supported over EX") -------------------
def test_irrational_payoff_direct_route_is_exact_and_hand_checked():
    r2 = sp.sqrt(2)
    a = [[4, 0], [1 + r2, 2]]
    tables = [a, [[a[0][0], a[1][0]], [a[0][1], a[1][1]]]]  # symmetric: B = A^T
    dec = Decomposition(normal_form_game(tables, "direct"), eta=0.55)
    found = find_equilibria(dec, Rule("pg"))
    assert found.complete and found.route == "exact-faces"
    mixed = 2 / (5 - r2)  # 4 q = (1 + sqrt 2) q + 2 (1 - q)
    pts = {tuple(round(x, 12) for x in e.point): e for e in found.equilibria}
    assert set(pts) == {(0.0, 0.0), (1.0, 1.0), (round(float(mixed), 12),) * 2}
    inner = pts[(round(float(mixed), 12),) * 2]
    assert sp.simplify(inner.exact[0] - mixed) == 0
    assert inner.nash and inner.stability is Stability.SADDLE
    logit = find_equilibria(Decomposition(normal_form_game(tables, "logit"), eta=0.55), Rule("pg"))
    assert [round(x, 9) for x in logit.equilibria[0].point] == \
        [round(float(sp.log(mixed / (1 - mixed))), 9)] * 2
