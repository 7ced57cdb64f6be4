"""Sign decisions re-check: isolating intervals isolate, counterexamples are negative."""

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from eqselect.numerics import intervals as iv
from eqselect.proofs_check.signs import box_sign, polynomial_sign

S = sp.Symbol("s")
roots = st.lists(st.fractions(0, 1, max_denominator=12), min_size=1, max_size=4, unique=True)


@given(roots, st.booleans())
def test_isolating_intervals_isolate_and_the_sign_is_right(rs, flip):
    p = sp.Mul(*[(S - sp.Rational(r.numerator, r.denominator)) for r in rs]) * (-1 if flip else 1)
    sign = polynomial_sign(p, S, 0, 1)
    true_roots = [r for r in sp.Poly(p, S).real_roots() if 0 <= r <= 1]
    assert len(sign.roots) == len(set(true_roots)) == sign.sturm_count
    for lo, hi in sign.roots:  # open intervals, or a point (an exact rational root)
        inside = [r for r in set(true_roots) if (lo < r < hi if lo < hi else r == lo)]
        assert len(inside) == 1
    assert not sign.positive
    if sign.negative_at is not None:
        assert p.subs(S, sign.negative_at) < 0


def test_positive_polynomial_is_proven_positive():
    sign = polynomial_sign(S**2 + S + 1, S, -2, 2)
    assert sign.positive and sign.roots == ()


def test_box_sign_proves_and_refutes():
    x, y = sp.symbols("x y")
    f = iv.IntervalFunction([x * y + x + y + sp.Rational(1, 10)], [x, y])
    ok = box_sign(lambda b: f(b)[0], [0, 0], [1, 1])
    assert ok.holds is True and ok.proven >= 1
    g = iv.IntervalFunction([x * y - sp.Rational(1, 4)], [x, y])
    bad = box_sign(lambda b: g(b)[0], [sp.Integer(0)] * 2, [sp.Integer(1)] * 2)
    assert bad.holds is False
    cx, cy = bad.counterexample
    assert cx * cy < 0.25 and bad.counter_enclosure[1] < 0
