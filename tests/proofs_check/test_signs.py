"""Sign decisions re-check: isolating intervals isolate, counterexamples are negative."""

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scale import examples

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


# -- signed factors: the sign claimed against evaluation at random points --------------

from eqselect.proofs_check.signs import Sign, monotone_pairs, signed_factors, term_sign  # noqa: E402

A, B = sp.symbols("a b")
#: Factors of known sign over R^2 and the sign each has.
SIGNED = [(sp.exp(A - B), Sign.POSITIVE), ((A - 2 * B) ** 2, Sign.NONNEGATIVE),
          (1 + sp.exp(B), Sign.POSITIVE), (1 / (1 + sp.exp(-A)), Sign.POSITIVE),
          (A * (sp.exp(A) - 1), Sign.NONNEGATIVE),
          ((A - B) * (sp.exp(A) - sp.exp(B)) + 2 * (A + B) * (sp.exp(A + B) - 1),
           Sign.NONNEGATIVE),
          (sp.Rational(-3, 7), Sign.NEGATIVE)]
RESIDUALS = [sp.Integer(1), A + B - 1, A * B - sp.exp(A)]


@settings(max_examples=examples(10, 30), deadline=None)
@given(st.lists(st.sampled_from(range(len(SIGNED))), min_size=1, max_size=4),
       st.sampled_from(range(len(RESIDUALS))),
       st.lists(st.tuples(st.integers(-40, 40), st.integers(-40, 40)), min_size=8, max_size=8))
def test_signed_factors_agree_with_evaluation(picks, k, points):
    expr = sp.expand(sp.Mul(*[SIGNED[i][0] for i in picks]) * RESIDUALS[k])
    fac = signed_factors(expr)
    assert sp.simplify(sp.Mul(*[f for f, _ in fac.known]) * fac.residual - expr) == 0
    for x, y in points:
        val = expr.subs({A: sp.Rational(x, 8), B: sp.Rational(y, 8)}).evalf(40)
        k_val = sp.Mul(*[f for f, _ in fac.known]).subs({A: sp.Rational(x, 8),
                                                          B: sp.Rational(y, 8)}).evalf(40)
        if fac.sign in (Sign.POSITIVE, Sign.NONNEGATIVE):
            assert k_val >= 0
        if fac.sign in (Sign.NEGATIVE, Sign.NONPOSITIVE):
            assert k_val <= 0
        if fac.decided in (Sign.POSITIVE, Sign.NONNEGATIVE):
            assert val >= 0
        if fac.decided in (Sign.NEGATIVE, Sign.NONPOSITIVE):
            assert val <= 0
    if k == 0:  # nothing of unknown sign was multiplied in
        assert fac.decided is not Sign.UNKNOWN


def test_an_identity_is_an_exact_zero():
    s = 1 / (1 + sp.exp(-A))
    assert signed_factors(sp.log(1 - s) - sp.log(s) + A).decided is Sign.ZERO


def test_monotone_pairs_refuse_a_sum_of_mixed_sign():
    assert monotone_pairs(A * (sp.exp(A) - 1) - B * (sp.exp(B) - 1)) is Sign.UNKNOWN
    assert term_sign(A * (sp.exp(B) - 1)) is Sign.UNKNOWN


def test_probabilities_are_nonnegative_only_when_declared():
    assert term_sign(A * B ** 2) is Sign.UNKNOWN
    assert term_sign(A * B ** 2, frozenset({A})) is Sign.NONNEGATIVE
