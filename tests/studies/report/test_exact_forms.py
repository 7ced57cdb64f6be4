"""The report's exact forms: terms in the strategies, simplest exact numbers,
exact points confirmed, located values read as fractions, the IPD's Markov form."""

import numpy as np
import pytest
import sympy as sp

from eqselect.studies.report.exact_values import (
    fraction_of, identified_point, simplest, snapped)
from eqselect.studies.report.strategy_form import StrategyForm, applies, strategy_symbols
from eqselect.theory import Decomposition, builtin
from eqselect.theory.games.normal_form import normal_form_game
from eqselect.theory.rules import Rule

HILO = [[[5, 0, 0], [0, 3, 0], [2, 2, 2]], [[5, 0, 2], [0, 3, 2], [0, 0, 2]]]


def _softmax(theta):
    z = np.exp(np.append(theta, 0.0))
    return z / z.sum()


@pytest.mark.parametrize("term", ["cur", "own", "peer", "lookahead"])
def test_terms_in_the_strategies_equal_the_terms_in_theta(term):
    """Rewritten in pi, each term takes the value of the e^theta form at pi = softmax(theta)."""
    game = normal_form_game(HILO, "softmax")
    assert applies(game)
    eta = sp.Symbol("eta")
    dec = Decomposition(game)
    form = StrategyForm(game, [eta])
    rng = np.random.default_rng(3)
    for expr in dec.term(term)[:2]:
        rewritten = form.rewrite(expr)
        assert not rewritten.has(sp.exp)
        for _ in range(3):
            theta = rng.normal(size=4)
            pis = [_softmax(theta[:2]), _softmax(theta[2:])]
            at_theta = complex(expr.subs(dict(zip(game.parameters, theta))).subs(eta, 0.55))
            at_pi = complex(rewritten.subs({sp.Symbol(f"pi{i + 1}_{k}"): pis[i][k]
                                            for i in range(2) for k in range(3)})
                            .subs(eta, 0.55))
            assert at_pi == pytest.approx(at_theta, rel=1e-9, abs=1e-12)


def test_terms_in_the_strategies_are_the_reduced_fraction_of_an_independent_route():
    """The ring rewrite (numerators over products of base powers, one reduction at the
    end) prints exactly what sympy's expression route gives: e^theta replaced by
    pi_k / pi_m, `sympy.cancel`, the simplex sums divided out, numerator and
    denominator factored."""
    game = normal_form_game(HILO, "softmax")
    eta = sp.Symbol("eta")
    dec = Decomposition(game)
    form = StrategyForm(game, [eta])
    pis = strategy_symbols(game)
    ratio = {sp.exp(t): pis[i][k] / pis[i][-1]
             for i, block in enumerate(game.agents) for k, t in enumerate(block)}
    gens = [s for block in pis for s in block]
    for expr in [game.values[0], game.values[1], *dec.term("cur")]:
        num, den = sp.fraction(sp.cancel(sp.expand_power_exp(expr).subs(ratio)))
        for block in pis:
            while (qr := sp.div(den, sum(block), *gens))[1] == 0:
                den = qr[0]
        assert sp.srepr(form.rewrite(expr)) == sp.srepr(sp.factor(num) / sp.factor(den))


def test_simplest_keeps_the_value_and_shortens_it():
    messy = sp.log(sp.sqrt(10) / (5 * (1 - sp.sqrt(10) / 5)))
    short = simplest(messy)
    assert len(sp.latex(short)) < len(sp.latex(messy))
    assert abs(sp.N(short - messy, 50)) < sp.Float(10) ** -45
    assert simplest(sp.log(sp.Rational(2, 3) / sp.Rational(1, 3))) == sp.log(2)


def test_located_values_read_as_fractions_only_when_that_close():
    f = fraction_of(0.4545454545)
    assert (f.numerator, f.denominator) == (5, 11)
    assert snapped(2.42861e-17) == 0 and snapped(0.1234567) is None
    assert snapped(40 / 33) == sp.Rational(40, 33)


def test_the_logit_stag_hunt_saddle_is_log_2_confirmed_exactly():
    dec = Decomposition(builtin("stag-hunt"), eta=sp.Rational(11, 20))
    third = 1 / 3
    point = identified_point(dec, Rule("pg"), ((2 * third, third), (2 * third, third)))
    assert point == (sp.log(2), sp.log(2))
    # a point that is no fixed point is not "identified"
    assert identified_point(dec, Rule("pg"), ((0.5, 0.5), (0.5, 0.5))) is None


def test_the_ipd_uniform_values_match_the_markov_chain():
    """V_i at the uniform policy from the report's closed forms equals q0 (I - gamma P)^-1 r_i
    computed from the chain's matrices (an independent route)."""
    from eqselect.studies.report.markov_form import uniform_point

    game = builtin("ipd")
    chain = game.structure
    at = uniform_point(game)
    q0, P = chain.q0.subs(at), chain.P.subs(at)
    for i, r in enumerate(chain.rewards):
        want = (q0 * (sp.eye(4) - chain.gamma * P).inv() * r)[0]
        assert sp.nsimplify(game.values[i].subs(at)) == want


def test_an_exact_coordinate_too_long_to_print_is_a_marked_decimal_in_the_table():
    """Guards the report of a three-player game under LOLA: an interior point's
    exact coordinate (thousands of characters) filled the fixed-point table. Past
    `EXACT_COORDINATE_WIDTH` the cell is six digits with a dagger, and a note
    says the exact form is in report.json; a short algebraic coordinate stays exact."""
    from types import SimpleNamespace

    from eqselect.studies.report.document import (
        EXACT_COORDINATE_WIDTH, LONG_COORDINATE_NOTE, equilibria_latex)
    from eqselect.numerics.fixed_points.core.record import Route, Stability
    from eqselect.theory.latex_printer import RootNotes

    x = sp.Symbol("x")
    r = sp.CRootOf(x**3 - x - 1, 0)
    long = sum(sp.Rational(7**k, 3**k + 1) * r**k for k in range(1, 12))
    assert len(str(long)) > EXACT_COORDINATE_WIDTH
    e = SimpleNamespace(exact=(long, r), point=(float(long), float(r)), nash=False, mu=-1.0,
                        stability=Stability.SADDLE, route=Route.EXACT)
    found = SimpleNamespace(equilibria=[e], at_infinity=[], complete=True, components=[],
                            notes=[])
    tex = equilibria_latex(SimpleNamespace(equilibria={"lola": found}), RootNotes())
    assert f"${float(long):.6g}^{{\\dagger}}$" in tex
    assert r"1.32472\ldots^{(a)}" in tex and LONG_COORDINATE_NOTE in tex
    assert len(max(tex.splitlines(), key=len)) < 400
