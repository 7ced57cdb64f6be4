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
hold at most m / 2 + 1 terms of integers of about m log10(q) digits (a few
milliseconds at m = 4000); `MAX_TRIALS` bounds m before any work.

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

__all__ = ["MAX_TRIALS", "two_sided_half", "upper_tail"]

#: Most trials a tail is summed over (the checker's samples stay far below).
MAX_TRIALS = 1_000_000


def upper_tail(m: int, k: int, p: Fraction) -> float:
    """P(X >= k) for X ~ Binomial(m, p), exactly, rounded once to a float."""
    m, k, p = int(m), int(k), Fraction(p)
    if not 0 <= m <= MAX_TRIALS:
        raise OptionsError(f"a binomial tail takes 0 <= m <= {MAX_TRIALS} trials, got {m}")
    if not 0 <= p <= 1:
        raise OptionsError(f"a binomial probability lies in [0, 1], got {p}")
    if k <= 0:
        return 1.0
    if k > m:
        return 0.0
    a, b, q = p.numerator, p.denominator - p.numerator, p.denominator
    terms = range(k, m + 1) if m - k < k else range(0, k)  # the shorter side
    total = sum(comb(m, i) * a ** i * b ** (m - i) for i in terms)
    tail = Fraction(total, q ** m)
    return float(tail if m - k < k else 1 - tail)


def two_sided_half(g: int, m: int) -> float:
    """The exact two-sided p-value of g successes in m trials of probability 1/2
    (McNemar's exact test): min(1, 2 P(X >= max(g, m - g))); 1 when m = 0."""
    if m == 0:
        return 1.0
    far = max(int(g), int(m) - int(g))
    if 2 * far == m:
        return 1.0
    return min(1.0, 2.0 * upper_tail(m, far, Fraction(1, 2)))  # doubling is exact
