"""Exact binomial tails against scipy's floating-point ones and against their sums."""

from fractions import Fraction
from math import comb

import pytest
from hypothesis import given, settings, strategies as st

from eqselect.proofs_check import binomial
from eqselect.proofs_check.binomial import MAX_TRIALS, two_sided_half, upper_tail
from eqselect.theory import OptionsError


@settings(max_examples=60, deadline=None)
@given(m=st.integers(0, 600), data=st.data(),
       p=st.sampled_from([Fraction(1, 2), Fraction(1, 100), Fraction(3, 7)]))
def test_upper_tails_are_scipys_to_its_rounding(m, data, p):
    stats = pytest.importorskip("scipy.stats")
    k = data.draw(st.integers(-2, m + 2))
    got, ref = upper_tail(m, k, p), float(stats.binom.sf(k - 1, m, float(p)))
    assert got == pytest.approx(ref, rel=1e-9, abs=1e-300)


@settings(max_examples=40, deadline=None)
@given(m=st.integers(1, 300), data=st.data())
def test_mcnemar_p_values_are_scipys_binomtest_to_its_rounding(m, data):
    stats = pytest.importorskip("scipy.stats")
    g = data.draw(st.integers(0, m))
    assert two_sided_half(g, m) == pytest.approx(stats.binomtest(g, m, 0.5).pvalue, rel=1e-9)


def test_tails_are_the_exact_sums_correctly_rounded():
    # both sides of the shortcut (summing the shorter side) and the p = 1/2 symmetry
    for m, k in [(40, 30), (40, 10), (7, 7), (1001, 500), (1001, 502)]:
        exact = Fraction(sum(comb(m, i) for i in range(k, m + 1)), 2 ** m)
        assert upper_tail(m, k, Fraction(1, 2)) == float(exact)
    exact = sum(Fraction(comb(50, i)) * Fraction(1, 100) ** i * Fraction(99, 100) ** (50 - i)
                for i in range(3, 51))
    assert upper_tail(50, 3, Fraction(1, 100)) == float(exact)
    assert two_sided_half(20, 40) == 1.0 and two_sided_half(0, 0) == 1.0


def test_bad_sizes_are_refused_before_any_work():
    with pytest.raises(OptionsError, match="trials"):
        upper_tail(MAX_TRIALS + 1, 3, Fraction(1, 2))
    with pytest.raises(OptionsError, match=r"\[0, 1\]"):
        upper_tail(10, 3, Fraction(3, 2))


def test_past_the_exact_size_the_incomplete_beta_gives_the_same_tails(monkeypatch):
    exact = [upper_tail(900, k, p) for k, p in [(10, Fraction(1, 100)), (470, Fraction(1, 2)),
                                                (300, Fraction(3, 7))]]
    monkeypatch.setattr(binomial, "EXACT_TRIALS", 100)
    beta = [upper_tail(900, k, p) for k, p in [(10, Fraction(1, 100)), (470, Fraction(1, 2)),
                                               (300, Fraction(3, 7))]]
    assert beta == pytest.approx(exact, rel=1e-12)
    assert upper_tail(10 ** 7, 10 ** 5 + 500, Fraction(1, 100)) == pytest.approx(
        0.0564, abs=0.01)  # the normal approximation: z = 500 / sqrt(10^7 0.01 0.99) = 1.59
