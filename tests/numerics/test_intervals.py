"""The arb interval backend: enclosures contain the exact values and decide signs."""

import mpmath
import pytest
import numpy as np
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from eqselect.numerics import intervals as iv
from eqselect.theory import Decomposition, GameError, builtin, entropy_regularized

GAME = entropy_regularized(builtin("stag-hunt", "logit"), sp.Rational(1, 4)).substitute()
DEC = Decomposition(GAME, eta=sp.Rational(11, 20))
EXPRS = [*DEC.cur, *DEC.peer, *DEC.component_jacobian("cur")]
F = iv.IntervalFunction(EXPRS, GAME.parameters)
REF = sp.lambdify(GAME.parameters, EXPRS, "mpmath")

coord = st.floats(-6, 6, allow_nan=False)
width = st.floats(1e-6, 0.3)


@given(coord, coord, width, st.floats(0, 1), st.floats(0, 1))
def test_box_enclosure_holds_the_value_at_every_point_of_the_box(x, y, w, s, t):
    enc = F(iv.box([x, y], [x + w, y + w]))
    with mpmath.workdps(30):
        ref = REF(mpmath.mpf(x) + mpmath.mpf(s) * w, mpmath.mpf(y) + mpmath.mpf(t) * w)
        for e, r in zip(enc, ref):
            lo, hi = iv.bounds(e)
            assert lo <= float(r) <= hi


@given(coord, coord)
def test_point_enclosures_are_tight_enough_to_decide_signs(x, y):
    with iv.working_precision():
        enc = F([x, y])
    with mpmath.workdps(40):
        ref = REF(mpmath.mpf(x), mpmath.mpf(y))
    for e, r in zip(enc, ref):
        lo, hi = iv.bounds(e)
        assert lo <= float(r) <= hi
        assert hi - lo <= 1e-12 * max(1.0, abs(float(r)))
        if abs(float(r)) > 1e-10:  # the ball excludes 0, so its sign is decided
            assert (e > 0) or (e < 0)


def test_rationals_enter_as_tight_balls_not_doubles():
    with iv.working_precision():
        e = iv.to_arb(sp.Rational(11, 20))
        assert (e * 20).contains(11) and float(e.rad()) < 1e-35
        assert not e.contains(iv.to_arb(0.55))  # the double 0.55 is not 11/20


@given(st.lists(st.floats(-3, 3), min_size=9, max_size=9), st.floats(0, 0.1))
def test_lambda_max_enclosure_holds_every_member_matrix(entries, r):
    A = np.array(entries).reshape(3, 3)
    A = (A + A.T) / 2
    m = [[iv.ball(A[i, j] - r, A[i, j] + r) for j in range(3)] for i in range(3)]
    enc = iv.lambda_max_enclosure(m)
    rng = np.random.default_rng(0)
    for _ in range(5):
        E = rng.uniform(-r, r, (3, 3))
        B = A + (E + E.T) / 2
        lo, hi = iv.bounds(enc)
        assert lo <= np.linalg.eigvalsh(B).max() <= hi


def test_symengine_and_sympy_inputs_give_the_same_enclosures():
    """Large fields arrive as symengine graphs; the enclosure must not depend on the form."""
    import symengine as se
    from eqselect.numerics.intervals import IntervalFunction, bounds, box

    x, y = sp.symbols("theta1 theta2")
    e = (sp.exp(-x) / (1 + sp.exp(-x)) ** 2) * (3 * y - sp.Rational(11, 20)) + 1 / (1 + sp.exp(-y))
    a = IntervalFunction([e], [x, y])(box([-1, 0], [0, 1]))[0]
    b = IntervalFunction([se.sympify(e)], [x, y])(box([-1, 0], [0, 1]))[0]
    assert bounds(a) == pytest.approx(bounds(b), rel=1e-12)
    with pytest.raises(GameError, match="theta3"):
        IntervalFunction([se.sympify(e) + se.Symbol("theta3")], [x, y])
