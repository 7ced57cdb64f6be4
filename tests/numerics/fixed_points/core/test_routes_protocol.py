"""The route protocol: one result type, an ordered table, typed routes and components."""

import json

import pytest
import sympy as sp

from eqselect.theory.rules import resolve
from eqselect.numerics.fixed_points.core.routes import (FixedPointProblem, RouteEntry,
                                                       RouteResult, RouteStatus,
                                                       SearchOptions, SetRoute, not_found)
from eqselect.numerics.fixed_points.find import ROUTES, EquilibriumSet, find_equilibria, solve
from eqselect.theory import Decomposition, GameError, builtin, normal_form_game
from eqselect.theory.errors import OptionsError
from eqselect.theory.serialize import document
from eqselect.theory.rules import Rule


def test_set_routes_print_the_strings_of_the_json_contract():
    assert [r.value for r in SetRoute] == [
        "exact-faces", "exact-solve", "resultant", "resultant-algebraic", "nash-interior",
        "entropy-exclusion", "sos-from-lookahead", "zeros-of-v", "newton", "newton-interior",
        "none (time budget)"]
    assert f"[route {SetRoute.NASH_INTERIOR}]" == "[route nash-interior]"
    assert json.dumps({"route": SetRoute.NEWTON}) == '{"route": "newton"}'


def test_a_route_without_a_list_returns_no_points():
    with pytest.raises(ValueError, match="returns no points"):
        RouteResult(SetRoute.NEWTON, RouteStatus.UNDECIDED, points=(object(),))
    out = not_found(SetRoute.EXACT_SOLVE, "stopped", budget_out=True)
    assert out.status is RouteStatus.BUDGET_EXHAUSTED and not out.found and not out.complete


@pytest.mark.parametrize("kw,message", [({"seed": -1}, "seed"), ({"n_seeds": 1.5}, "seeds"),
                                        ({"budget": -1.0}, "budget")])
def test_search_options_are_checked(kw, message):
    with pytest.raises(OptionsError, match=message):
        SearchOptions(**kw)


def _problem():
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=sp.Rational(11, 20))
    return FixedPointProblem(dec, resolve("pg", None, None))


def _fixed(route, status, reason="", n=0, after=""):
    pts = tuple(find_equilibria(_problem().dec, Rule("pg")).equilibria)[:n]
    return RouteEntry(route, f"{route.value} route", lambda p: True,
                      lambda p: RouteResult(route, status, pts, reason), after_others=after)


def test_the_table_takes_the_first_complete_route_and_skips_inapplicable_ones():
    table = (RouteEntry(SetRoute.RESULTANT, "x", lambda p: False, lambda p: 1 / 0),
             _fixed(SetRoute.NASH_INTERIOR, RouteStatus.UNDECIDED, "too hard"),
             _fixed(SetRoute.EXACT_SOLVE, RouteStatus.COMPLETE, n=1, after="after the {reasons}"),
             _fixed(SetRoute.NEWTON, RouteStatus.PARTIAL, n=1))
    out = solve(_problem(), table)
    assert out.route is SetRoute.EXACT_SOLVE and out.complete and len(out.equilibria) == 1
    assert out.notes == ["after the nash-interior route: too hard"]


def test_a_partial_list_is_preferred_to_the_fallback_and_the_fallback_says_why():
    partial = _fixed(SetRoute.RESULTANT_ALGEBRAIC, RouteStatus.PARTIAL, "undecided pair", 1)
    gave_way = _fixed(SetRoute.RESULTANT, RouteStatus.BUDGET_EXHAUSTED, "stopped")
    newton = RouteEntry(SetRoute.NEWTON, "", lambda p: True,
                        lambda p: RouteResult(SetRoute.NEWTON, RouteStatus.PARTIAL, seeds=3,
                                              sampling="a grid"), fallback=True)
    assert solve(_problem(), (partial, newton)).route is SetRoute.RESULTANT_ALGEBRAIC
    out = solve(_problem(), (gave_way, newton))
    assert out.route is SetRoute.NEWTON and not out.complete and out.seeds == 3
    assert out.notes[0] == ("exact route not used (resultant route: stopped); fell back to "
                            "Newton with deflation from 3 seed(s), a grid: the list may be "
                            "incomplete")
    with pytest.raises(GameError, match="stopped"):
        solve(_problem(), (gave_way,))


@pytest.mark.parametrize("game,param,rule,first", [
    ("stag-hunt", "direct", "pg", SetRoute.EXACT_FACES),
    ("stag-hunt", "direct", "sos", SetRoute.EXACT_FACES),
    ("stag-hunt", "logit", "sos", SetRoute.SOS_FROM_LOOKAHEAD),
    ("stag-hunt", "logit", "pg", SetRoute.RESULTANT),
    ("stag-hunt", "logit", "meta-mapg", SetRoute.RESULTANT),
    ("tandem", None, "lola", SetRoute.EXACT_SOLVE)])
def test_each_kind_of_problem_meets_its_first_route(game, param, rule, first):
    g = builtin(game, param) if param else builtin(game)
    p = FixedPointProblem(Decomposition(g, eta=sp.Rational(11, 20)),
                          resolve(rule, None, None))
    assert [e.route for e in ROUTES if e.applies(p)][0] is first


def test_points_carry_their_component_and_components_their_strategies():
    """Two coordinated actions with equal payoffs: the edge between them is a segment of
    fixed points (one component of dimension 1); the third action's profile is isolated."""
    u = [[1, 1, 0], [1, 1, 0], [0, 0, 2]]
    dec = Decomposition(normal_form_game([u, u], "direct"), eta=sp.Rational(1, 2))
    found = find_equilibria(dec, Rule("pg"))
    doc = document("equilibria", found, {})
    assert len(found.components) >= 1 and all(c.dimension >= 1 for c in found.components)
    for k, comp in enumerate(doc["components"]):
        assert set(comp) == {"extreme_points", "dimension", "varying_agents",
                             "extreme_strategies"}
        for point, strategies in zip(comp["extreme_points"], comp["extreme_strategies"]):
            p = [sp.Rational(x) for x in point]  # direct: p_i1, p_i2 and 1 - their sum
            assert strategies == [[str(p[0]), str(p[1]), str(1 - p[0] - p[1])],
                                  [str(p[2]), str(p[3]), str(1 - p[2] - p[3])]]
    pure_c = [e for e in doc["equilibria"] if e["exact"] == ["0", "0", "0", "0"]]
    assert pure_c and pure_c[0]["component"] is None
    on = [e for e in doc["equilibria"] if e["component"] is not None]
    assert on and all(0 <= e["component"] < len(found.components) for e in on)


def test_a_route_name_from_outside_is_converted_once():
    out = EquilibriumSet([], "pg", 0.0, 0.0, False, [], "none (time budget)")
    assert out.route is SetRoute.TIME_BUDGET and out.to_json()["route"] == "none (time budget)"
    with pytest.raises(ValueError):
        EquilibriumSet([], "pg", 0.0, 0.0, False, [], "guessed")
