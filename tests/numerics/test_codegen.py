"""Compiled functions equal sympy at random points, for every backend."""

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from eqselect.numerics.codegen import BACKENDS, compile_exprs
from eqselect.numerics.compiled import compile_field
from eqselect.theory import COMPONENTS, Decomposition, builtin, ipd
from eqselect.theory.rules import Rule


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@given(x=st.lists(st.floats(-4, 4), min_size=2, max_size=2), e=st.floats(0.01, 1))
def test_backends_equal_sympy(backend, x, e):
    dec = Decomposition(builtin("stag-hunt", "logit"))
    exprs = list(dec.own + dec.peer + dec.lookahead)
    f = compile_exprs(exprs, dec.game.parameters, params=[sp.Symbol("eta")], backend=backend)
    sub = {**dict(zip(dec.game.parameters, x)), sp.Symbol("eta"): e}
    want = [float(ex.evalf(subs=sub)) for ex in exprs]
    np.testing.assert_allclose(f(x, [e]), want, rtol=1e-10, atol=1e-13)
    many = f(np.array([x, x]), [e])
    assert many.shape == (2, 2)


def test_compile_refuses_free_symbols_and_unknown_backends():
    x, y = sp.symbols("x y")
    with pytest.raises(ValueError, match="no value: y"):
        compile_exprs([x * y], [x])
    with pytest.raises(ValueError, match="valid: llvm"):
        compile_exprs([x], [x], backend="fortran")


def test_compiled_field_and_jacobian_match_the_exact_ones():
    dec = Decomposition(builtin("stag-hunt", "direct"), eta=sp.Rational(11, 20))
    cf = compile_field(dec, Rule("meta-mapg", 1.5, 0.35))
    pts = np.array([[0.2, 0.7], [0.9, 0.1]])
    F = dec.field("meta-mapg", sp.Rational(3, 2), sp.Rational(7, 20))
    J = dec.jacobian("meta-mapg", sp.Rational(3, 2), sp.Rational(7, 20))
    for k, p in enumerate(pts):
        sub = dict(zip(dec.game.parameters, p))
        np.testing.assert_allclose(cf.field(pts)[k], [float(e.subs(sub)) for e in F])
        np.testing.assert_allclose(cf.jacobian(pts)[k], np.array(J.subs(sub), dtype=float))


def test_ipd_one_step_series_holds_numerically():
    """d J_i(phi + eta v)/d phi_i - (cur + own + peer + la + sla) = O(eta^2) for the IPD."""
    game = ipd("logit")
    dec = Decomposition(game)
    J = compile_exprs(list(game.values), game.parameters)
    v = compile_exprs(dec.term_engine("cur"), game.parameters)
    terms = {k: dec.term_engine(k) for k in COMPONENTS[1:]}
    first = compile_exprs([sum(terms[k][r] for k in COMPONENTS[1:]) for r in range(10)],
                          game.parameters, params=[sp.Symbol("eta")])
    x = np.random.default_rng(3).normal(size=10)

    def meta(e, h=1e-4):
        out = np.zeros(10)
        for k in range(10):
            i = 0 if k < 5 else 1
            step = np.zeros(10)
            step[k] = h
            f = lambda y: J(y + e * v(y))[i]
            out[k] = (f(x + step) - f(x - step)) / (2 * h)
        return out

    r = [np.abs(meta(e) - v(x) - first(x, [e])).max() for e in (0.02, 0.01, 0.005)]
    # a residual of order eta^2 quarters when eta halves (order eta would halve it)
    assert 0.2 < r[1] / r[0] < 0.3 and 0.2 < r[2] / r[1] < 0.3


@given(num=st.integers(-40, 40), den=st.integers(1, 17), e=st.integers(1, 9))
def test_float_mpmath_and_exact_evaluations_agree(num, den, e):
    from eqselect.numerics.compiled import field_at_precision, field_exact

    dec = Decomposition(builtin("stag-hunt", "logit"), eta=sp.Rational(e, 10))
    point = [sp.Rational(num, den), sp.Rational(-num, den + 1)]
    exact = field_exact(dec, Rule("meta-mapg", 1.5, 0.35), point=point)
    mp = field_at_precision(dec, Rule("meta-mapg", 1.5, 0.35), x=point, dps=60)
    fl = compile_field(dec, Rule("meta-mapg", 1.5, 0.35)).field(np.array(point, dtype=float))
    for ex, m, f in zip(exact, mp, fl):
        ref = sp.N(ex, 70)
        assert abs(sp.Float(mpmath.nstr(m, 60), 60) - ref) <= 1e-50 * (1 + abs(ref))
        assert abs(f - float(ref)) <= 1e-12 * (1 + abs(float(ref)))
