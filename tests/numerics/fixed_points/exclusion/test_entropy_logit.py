"""The entropy-exclusion route: PG's fixed points under logit with entropy, proven complete.

The independent computation below never calls the package's field: for a
2x2 game with row payoffs A and column payoffs B (index 0 = first action,
p_i = sigma(theta_i)), the payoff gradients are

    g_1(p_2) = p_2 (A00 - A10) + (1 - p_2) (A01 - A11),
    g_2(p_1) = p_1 (B00 - B01) + (1 - p_1) (B10 - B11),

the logit QRE equations theta_i = g_i / tau reduce to one equation in theta_2,
H(theta_2) = g_2(sigma((g_1(sigma(theta_2))) / tau)) - tau theta_2 = 0, whose
roots are bracketed by sign changes on a fine grid of |theta_2| <= max|g_2|/tau
and refined by bisection in mpmath at 50 digits. DF = diag(s) DG has trace
-tau (s_1 + s_2) < 0 at every root, so the point is stable exactly when
det DG = tau^2 - g_1' g_2' s_1 s_2 > 0.
"""

import os

import mpmath
import numpy as np
import pytest
import sympy as sp
from flint import arb
from hypothesis import example, given, settings, strategies as st

from eqselect.theory import Decomposition, builtin, entropy_regularized
from eqselect.theory.games.normal_form import normal_form_game
from eqselect.theory.rules import Rule
from eqselect.numerics.fixed_points.core.characterise import certified_stability
from eqselect.numerics.fixed_points.exclusion.entropy_logit import ROUTE, applies, entropy_logit_attempt
from eqselect.numerics.fixed_points.find import find_equilibria
from eqselect.numerics.fixed_points.core.record import Stability


def _qre_by_bisection(A, B, tau, n=400_001):
    """Every logit QRE (theta_1, theta_2, stable) of the 2x2 game, independently."""
    A = [[mpmath.mpf(sp.Rational(x).p) / sp.Rational(x).q for x in r] for r in A]
    B = [[mpmath.mpf(sp.Rational(x).p) / sp.Rational(x).q for x in r] for r in B]
    tau = mpmath.mpf(tau.p) / tau.q
    d1 = (A[0][0] - A[1][0]) - (A[0][1] - A[1][1])  # g_1'(p_2)
    d2 = (B[0][0] - B[0][1]) - (B[1][0] - B[1][1])  # g_2'(p_1)

    def g1(p2):
        return p2 * (A[0][0] - A[1][0]) + (1 - p2) * (A[0][1] - A[1][1])

    def g2(p1):
        return p1 * (B[0][0] - B[0][1]) + (1 - p1) * (B[1][0] - B[1][1])

    def sig(t):
        return 1 / (1 + mpmath.exp(-t))

    def H(t2):
        return g2(sig(g1(sig(t2)) / tau)) - tau * t2

    bound = float(max(abs(g2(0)), abs(g2(1))) / tau) + 1.0
    grid = np.linspace(-bound, bound, n)
    with np.errstate(over="ignore"):  # exp overflows to inf far out, where sigma is 0 or 1
        p2 = 1 / (1 + np.exp(-grid))
        s1 = 1 / (1 + np.exp(-(float(A[0][0] - A[1][0]) * p2
                               + float(A[0][1] - A[1][1]) * (1 - p2)) / float(tau)))
    h = s1 * float(B[0][0] - B[0][1]) + (1 - s1) * float(B[1][0] - B[1][1]) - float(tau) * grid
    out = []
    with mpmath.workdps(50):
        for k in np.nonzero(np.sign(h[:-1]) * np.sign(h[1:]) <= 0)[0]:
            lo, hi = mpmath.mpf(grid[k]), mpmath.mpf(grid[k + 1])
            if H(lo) == 0:
                hi = lo
            for _ in range(200):
                mid = (lo + hi) / 2
                if H(lo) * H(mid) <= 0:
                    hi = mid
                else:
                    lo = mid
            t2 = (lo + hi) / 2
            t1 = g1(sig(t2)) / tau
            s = [sig(t) * (1 - sig(t)) for t in (t1, t2)]
            stable = tau ** 2 - d1 * d2 * s[0] * s[1] > 0
            if not out or abs(out[-1][1] - t2) > 1e-20:
                out.append((t1, t2, bool(stable)))
    return out


def _game(A, B, tau):
    g = normal_form_game([A, B], "logit")
    return Decomposition(entropy_regularized(g, tau))


def test_coordination_at_tau_one_tenth_lists_the_far_point():
    """[[2, 0], [0, 1]] at tau = 1/10: the (C, C)-side QRE at theta ~ 20 is found and stable."""
    dec = Decomposition(entropy_regularized(builtin("coordination", "logit").substitute(),
                                            sp.Rational(1, 10)), eta=sp.Rational(11, 20))
    es = find_equilibria(dec, Rule("pg", lam=0))
    assert es.route == ROUTE and es.complete
    ref = _qre_by_bisection([[2, 0], [0, 1]], [[2, 0], [0, 1]], sp.Rational(1, 10))
    assert len(es.equilibria) == len(ref) == 3
    far = max(es.equilibria, key=lambda e: e.point[0])
    assert far.point[0] == pytest.approx(20.0, abs=1e-6)
    assert far.stability is Stability.STABLE  # eigenvalues about -2e-10
    assert max(abs(z.real) for z in far.eigenvalues) < 1e-9
    assert [e.stability for e in es.equilibria] == [
        Stability.STABLE, Stability.SADDLE, Stability.STABLE]
    for e, (t1, t2, stable) in zip(es.equilibria, ref):
        assert e.point == pytest.approx((float(t1), float(t2)), abs=1e-9)
        assert (e.stability is Stability.STABLE) == stable


def test_rules_with_own_or_lookahead_terms_are_refused_with_the_reason():
    dec = Decomposition(entropy_regularized(builtin("stag-hunt", "logit").substitute(),
                                            sp.Rational(1, 4)), eta=sp.Rational(11, 20))
    for rule in ("meta-mapg", "lola", "lookahead", "meta-pg"):
        assert "own or look-ahead" in applies(dec, Rule(rule))
        assert entropy_logit_attempt(dec, Rule(rule)).equilibria is None
    for rule in ("pg", "peer-only", "lola-foerster"):
        assert applies(dec, Rule(rule)) == ""


payoff = st.integers(-4, 4)
matrix = st.tuples(st.tuples(payoff, payoff), st.tuples(payoff, payoff))


@settings(max_examples=25, deadline=None)
@given(A=matrix, B=matrix, tau=st.sampled_from([sp.Rational(1, 10), sp.Rational(1, 4),
                                               sp.Rational(1, 2), sp.Integer(1)]))
@example(A=((4, -1), (0, -1)), B=((-1, 1), (-3, 0)), tau=sp.Rational(1, 10))  # zero on a cut
@example(A=((2, 0), (0, 1)), B=((2, 0), (0, 1)), tau=sp.Rational(1, 100))  # theta ~ 200
def test_certified_list_equals_bisection_of_the_reduced_equation(A, B, tau):
    A, B = [list(r) for r in A], [list(r) for r in B]
    res = entropy_logit_attempt(_game(A, B, tau), Rule("pg"))
    ref = _qre_by_bisection(A, B, tau)
    if not res.complete:  # only a singular (tangential) zero may leave a box open
        assert res.certificate["open_boxes"]
        return
    assert len(res.equilibria) == len(ref)
    for e, (t1, t2, stable) in zip(sorted(res.equilibria, key=lambda e: e.point[1]), ref):
        assert e.point == pytest.approx((float(t1), float(t2)), abs=1e-8)
        assert (e.stability is Stability.STABLE) == stable


def test_stability_is_judged_by_the_enclosure_not_by_the_scale():
    """Eigenvalues -2e-10 and -3e-10 after a similarity: stable; an enclosure
    straddling 0: degenerate; a tiny determinant of each sign: saddle / stable."""
    T = [[arb(1), arb(2)], [arb(1), arb(3)]]  # det 1: T^{-1} = [[3, -2], [-1, 1]]
    Ti = [[arb(3), arb(-2)], [arb(-1), arb(1)]]
    D = [[arb("-2e-10"), arb(0)], [arb(0), arb("-3e-10")]]

    def mul(X, Y):
        return [[X[i][0] * Y[0][j] + X[i][1] * Y[1][j] for j in range(2)] for i in range(2)]

    assert certified_stability(mul(mul(T, D), Ti))[0] is Stability.STABLE
    D[1][1] = arb("3e-10")
    assert certified_stability(mul(mul(T, D), Ti))[0] is Stability.SADDLE
    D[0][0], D[1][1] = arb("2e-10"), arb("3e-10")
    assert certified_stability(mul(mul(T, D), Ti))[0] is Stability.UNSTABLE
    D[0][0] = arb(0, 1e-9)
    assert certified_stability(mul(mul(T, D), Ti))[0] is Stability.DEGENERATE


def test_a_rational_zero_is_reported_exactly():
    """Matching pennies at tau = 1/2: the only QRE is theta = (0, 0), where
    G = g(1/2) - 0 = 0 in exact arithmetic; it is stable (trace < 0, det > 0)."""
    dec = Decomposition(entropy_regularized(builtin("matching-pennies", "logit").substitute(),
                                            sp.Rational(1, 2)), eta=sp.Rational(11, 20))
    es = find_equilibria(dec, Rule("pg", lam=0))
    assert es.complete and len(es.equilibria) == 1
    (e,) = es.equilibria
    assert e.exact == (0, 0) and e.point == (0.0, 0.0)
    assert e.stability is Stability.STABLE
    ref = _qre_by_bisection([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], sp.Rational(1, 2))
    assert len(ref) == 1 and abs(ref[0][0]) < 1e-30 and ref[0][2]


def test_free_root_signs_are_read_against_the_size_of_DF():
    """A Newton root whose DF is uniformly small (saturated logits) keeps its class;
    a DF with one tiny eigenvalue beside a large one is still degenerate."""
    from types import SimpleNamespace

    import mpmath

    from eqselect.numerics.fixed_points.core.characterise import characterise

    def field(J):
        return SimpleNamespace(game=SimpleNamespace(strategies=()),
                               values=lambda x: mpmath.matrix([0, 0]),
                               jacobian=lambda x: mpmath.matrix(J))

    small = characterise([0, 0], field([[-2e-10, 1e-11], [0, -3e-10]]))
    assert small.stability is Stability.STABLE
    tilted = characterise([0, 0], field([[-2e-10, 0], [0, 3e-10]]))
    assert tilted.stability is Stability.SADDLE
    mixed = characterise([0, 0], field([[-2, 0], [0, -2e-10]]))
    assert mixed.stability is Stability.DEGENERATE


def _zeros_of_field_over_s(dec, rule, bound, n=13):
    """Roots of F_i / s_i found by mpmath Newton (50 digits) from an n x n grid of
    starts over |theta_i| <= bound, F from the decomposition's own rule field,
    s_i = sigma'(theta_i) evaluated directly (no reduced form)."""
    t = dec.game.parameters
    F = sp.lambdify(t, list(dec.field(rule.method, rule.lam, rule.own_coef)), "mpmath")

    def H(*x):
        return [f * (2 + 2 * mpmath.cosh(v)) for f, v in zip(F(*x), x)]

    found = []
    with mpmath.workdps(50):
        for a in np.linspace(-bound, bound, n):
            for b in np.linspace(-bound, bound, n):
                try:
                    r = mpmath.findroot(H, (mpmath.mpf(a), mpmath.mpf(b)), tol=1e-40)
                except (ValueError, ZeroDivisionError):
                    continue
                r = (float(r[0]), float(r[1]))
                if max(abs(v) for v in H(*r)) < 1e-8 and all(
                        max(abs(u - v) for u, v in zip(r, q)) > 1e-6 for q in found):
                    found.append(r)
    return sorted(found, key=lambda r: r[1])


@settings(max_examples=4 if os.environ.get("EQSELECT_FULL_SCALE") == "1" else 1, deadline=None)
@given(A=matrix, B=matrix, tau=st.sampled_from([sp.Rational(1, 4), sp.Rational(1, 2)]))
@example(A=((2, 0), (0, 1)), B=((2, 0), (0, 1)), tau=sp.Rational(1, 10))
def test_peer_only_list_equals_newton_on_the_rule_field_from_a_grid(A, B, tau):
    """Peer-only (lambda = 3/2, eta = 11/20): the proven list against an independent
    Newton sweep over the box the route bounds the zeros by."""
    g = normal_form_game([[list(r) for r in A], [list(r) for r in B]], "logit")
    dec = Decomposition(entropy_regularized(g, tau), eta=sp.Rational(11, 20))
    rule = Rule("peer-only")
    res = entropy_logit_attempt(dec, rule)
    assert res.complete
    bound = max(abs(x) for side in res.certificate["search_box"] for x in side)
    ref = _zeros_of_field_over_s(dec, rule, bound)
    got = sorted((e.point for e in res.equilibria), key=lambda p: p[1])
    assert len(got) == len(ref)
    for p, q in zip(got, ref):
        assert p == pytest.approx(q, abs=1e-7)
