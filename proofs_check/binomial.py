"""Exact binomial tails for the statistical tests of the checker.

The paired-starts test of A3 (`eqselect.proofs_check.paired_starts`) and the
leaving test (`eqselect.proofs_check.statistical_entry`) need

    P(X >= k),  X ~ Binomial(m, p),  p rational,

which is a rational number:

    P(X >= k) = sum_{i = k}^{m} C(m, i) p^i (1 - p)^(m - i).

`upper_tail` sums it in integers (numerators over the common denominator
q^m for p = a / q) from whichever side has fewer terms, and rounds once to
a float: the p-value is correctly rounded, where a floating-point
cumulative distribution function carries a few ulps of error. The sums
hold at most m / 2 + 1 terms of integers of about m log10(q) digits, each
term got from the one before by a product and an exact division by small
integers: milliseconds at m = 4000, 0.3 s at m = `EXACT_TRIALS`, growing as
m^2. Past `EXACT_TRIALS` trials (the checker's default samples stay far
below) the tail is scipy.special's ``bdtrc``, the regularised incomplete
beta function, within about 1e-13 relative: a p-value compared with a
significance level, never near it at that size but for ties at its last
digits.

Examples
--------
>>> upper_tail(40, 30, Fraction(1, 2)) == float(Fraction(sum(comb(40, i) for i in range(30, 41)), 2 ** 40))
True
>>> two_sided_half(30, 40), upper_tail(5, 0, Fraction(1, 100))
(0.0022214337732293643, 1.0)
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

from eqselect.theory import OptionsError

__all__ = ["EXACT_TRIALS", "MAX_TRIALS", "two_sided_half", "upper_tail"]

#: Trials up to which a tail is summed exactly (module docstring).
EXACT_TRIALS = 20_000
#: Most trials a tail is taken over (the checker's paired samples are at most 10^7).
MAX_TRIALS = 10 ** 9


def upper_tail(m: int, k: int, p: Fraction) -> float:
    """P(X >= k) for X ~ Binomial(m, p): exactly, rounded once to a float, for
    m <= `EXACT_TRIALS`; past it, the incomplete beta function (module docstring)."""
    m, k, p = int(m), int(k), Fraction(p)
    if not 0 <= m <= MAX_TRIALS:
        raise OptionsError(f"a binomial tail takes 0 <= m <= {MAX_TRIALS} trials, got {m}")
    if not 0 <= p <= 1:
        raise OptionsError(f"a binomial probability lies in [0, 1], got {p}")
    if k <= 0:
        return 1.0
    if k > m:
        return 0.0
    if p in (0, 1):
        return float(p)
    if m > EXACT_TRIALS:
        from scipy.special import bdtrc  # P(X > k - 1)

        return float(bdtrc(k - 1, m, float(p)))
    a, b = p.numerator, p.denominator - p.numerator
    upper = m - k < k  # sum the shorter side
    first, last = (k, m) if upper else (0, k - 1)
    tail = Fraction(_term_sum(m, a, b, first, last), p.denominator ** m)
    return float(tail if upper else 1 - tail)


def _term_sum(m: int, a: int, b: int, first: int, last: int) -> int:
    """sum_{i = first}^{last} C(m, i) a^i b^(m - i), each term from the one before:
    T_{i+1} = T_i (m - i) a / ((i + 1) b), an exact division (O(digits) a term)."""
    term = comb(m, first) * a ** first * b ** (m - first)
    total = term
    for i in range(first, last):
        term = term * (m - i) * a // ((i + 1) * b)
        total += term
    return total


def two_sided_half(g: int, m: int) -> float:
    """The exact two-sided p-value of g successes in m trials of probability 1/2
    (McNemar's exact test): min(1, 2 P(X >= max(g, m - g))); 1 when m = 0."""
    if m == 0:
        return 1.0
    far = max(int(g), int(m) - int(g))
    if 2 * far == m:
        return 1.0
    return min(1.0, 2.0 * upper_tail(m, far, Fraction(1, 2)))  # doubling is exact
