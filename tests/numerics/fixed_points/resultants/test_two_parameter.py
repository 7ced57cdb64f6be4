"""The resultant route: complete, certified fixed points of two-parameter logit fields.

Checked against independent computations: a dense multi-start Newton on the
compiled field (scipy ``fsolve``: every root it finds must be listed), the
residual of every listed root, the certificate's polynomial vanishing on
each root, and pygambit's totally mixed Nash equilibria for PG.
"""

import re
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import fsolve

import gambit_oracle
from eqselect.numerics.compiled import compile_field
from eqselect.numerics.fixed_points.resultants.two_parameter import resultant_attempt
from eqselect.theory import Decomposition, normal_form_game
from eqselect.theory.rules import PAPER, Method, spec
from eqselect.theory.rules import Rule, resolve

GRID = np.array([(a, b) for a in np.linspace(-4, 4, 6) for b in np.linspace(-4, 4, 6)])


def _tables(vals):
    return [[vals[0:2], vals[2:4]], [vals[4:6], vals[6:8]]]


def _fsolve_roots(cf):
    roots = []
    for x0 in GRID:
        x, _, ok, _ = fsolve(lambda x: cf.field(x), x0, fprime=lambda x: cf.jacobian(x),
                             full_output=True, xtol=1e-13)
        if ok == 1 and np.abs(cf.field(x)).max() < 1e-10 and np.abs(x).max() < 15 and \
                abs(np.linalg.det(cf.jacobian(x))) > 1e-6:
            roots.append(x)
    return roots


# every rule with a closed-form field (SOS picks its weight pointwise: no polynomial system)
@pytest.mark.parametrize("method", [m.value for m in Method if not spec(m).adaptive])
@settings(max_examples=4, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=8, max_size=8))
def test_resultant_roots_are_complete_against_multistart_newton(method, vals):
    dec = Decomposition(normal_form_game(_tables(vals), "logit"), eta=1)
    res = resultant_attempt(dec, resolve(method))
    if not res.found:  # a curve of fixed points: the route must say so
        assert res.reason
        return
    cf = compile_field(dec, resolve(method, PAPER.lam, PAPER.own))
    listed = [np.array(e.point) for e in res.points]
    for x in listed:
        assert np.abs(cf.field(x)).max() < 1e-9
        for k, var in enumerate(("u1", "u2")):  # the certificate vanishes on the root
            coeffs = res.certificate[var]["polynomial"]
            u = np.exp(x[k])
            scale = sum(abs(c) * u ** i for i, c in enumerate(coeffs))
            assert abs(sum(c * u ** i for i, c in enumerate(coeffs))) <= 1e-8 * scale
    for root in _fsolve_roots(cf):
        assert any(np.abs(root - x).max() < 1e-6 for x in listed), (root, listed)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=8, max_size=8))
def test_pg_resultant_roots_are_gambits_totally_mixed_equilibria(vals):
    tables = _tables(vals)
    dec = Decomposition(normal_form_game(tables, "logit"), eta=1)
    res = resultant_attempt(dec, Rule("pg"))
    mixed = [tuple(float(s[0]) for s in eq) for eq in gambit_oracle.enummixed(tables)
             if all(0 < float(x) < 1 for s in eq for x in s)]
    if not res.found:
        assert len(mixed) != 1 or res.reason  # a continuum, not an isolated point
        return
    got = sorted(tuple(s[0] for s in e.strategies) for e in res.points)
    assert len(got) == len(mixed)
    for g, m in zip(got, sorted(mixed)):
        assert np.allclose(g, m, atol=1e-12)


def test_coefficients_past_double_size_are_eliminated_under_the_budget():
    """Payoffs of 10^-100: the resultants' coefficients have hundreds of digits, and
    flint's root isolation (uninterruptible) takes seconds to minutes on them. Such
    a system runs in a child process that the budget stops, not in this one."""
    import time

    import sympy as sp

    from eqselect.numerics.fixed_points.core.routes import RouteStatus

    e = sp.Rational(1, 10 ** 100)
    game = normal_form_game([[[e, 0], [0, e]], [[e, 0], [0, e]]], "logit", name="tiny")
    dec = Decomposition(game, eta=PAPER.eta)
    start = time.monotonic()
    res = resultant_attempt(dec, Rule("meta-mapg"), budget=0.3)
    assert time.monotonic() - start < 2.0  # inline, it takes about 4 s
    assert res.status is RouteStatus.BUDGET_EXHAUSTED


@pytest.mark.parametrize("payoffs, method, want", [
    ([[[4, 0], [3, 2]], [[4, 3], [0, 2]]], "pg", ("log(2)", "log(2)")),  # Stag Hunt
    ([[[1, 0], [0, 1]], [[1, 0], [0, 1]]], "meta-mapg", ("0", "0"))])  # coordination
def test_a_rational_root_gives_the_fixed_point_exactly(payoffs, method, want):
    """u = exp(theta) a rational root of its resultant (the isolating interval holds
    one root): theta = log(u) exactly, and the field vanishes there exactly."""
    import sympy as sp

    dec = Decomposition(normal_form_game(payoffs, "logit", name="g"), eta=PAPER.eta)
    res = resultant_attempt(dec, Rule(method))
    (e,) = res.points
    assert tuple(str(v) for v in e.exact) == want
    at = dict(zip(dec.game.parameters, e.exact))
    assert all(sp.simplify(f.subs(at)) == 0 for f in dec.field(Rule(method)))
    assert e.point == tuple(float(v) for v in e.exact)


def test_an_irrational_root_is_interval_certified_and_a_rational_one_exact():
    """Stag Hunt under logit: PG's mixed point has u = exp(theta) = 2 (exact, log 2);
    meta-MAPG's has an irrational u, known by its isolating box, which holds the
    point's exp(theta) (checked here against an independent 40-digit root)."""
    import mpmath

    from eqselect.theory import builtin

    dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
    pg = list(resultant_attempt(dec, resolve("pg")).points)
    meta = list(resultant_attempt(dec, resolve("meta-mapg")).points)
    assert [e.route.value for e in pg] == ["exact"] and str(pg[0].exact[0]) == "log(2)"
    (e,) = meta
    assert e.route.value == "interval-certified" and e.exact is None
    box = [float(v) for v in re.findall(r"\[([\d.]+), ([\d.]+)\]", e.notes[0])[0]]
    cf = compile_field(dec, resolve("meta-mapg"))
    with mpmath.workdps(40):
        root = mpmath.findroot(lambda t: cf.field([t, t])[0], e.point[0])
    assert box[0] - 1e-11 <= float(mpmath.exp(root)) <= box[1] + 1e-11
