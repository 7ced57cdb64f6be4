"""The algebraic resultant route and the interval certification of Newton points.

- Random 2x2 games with payoffs a + b sqrt(2) (a, b small integers) under
  logit, for several closed-form rules: the algebraic route (the route
  "resultant-algebraic" of ``find_equilibria`` for every rule but PG, which
  prefers the exact Nash route) says complete, and lists exactly the fixed points
  of an independent computation written here: the field walked into
  QQ<sqrt(2)>[u1, u2] (sympy's algebraic field, denominators kept as powers
  of u and 1 + u), ``resultant`` over QQ<sqrt(2)>, the roots of its
  square-free part and of the partner polynomial by ``mpmath.polyroots``
  at 60 digits. Every listed point has |F| < 1e-30 at 60 digits. 2 games
  by default, 60 with ``EQSELECT_FULL_SCALE=1``.
- A game whose conjugate system (sqrt(2) -> -sqrt(2)) has positive zeros:
  they are candidates of the norms, and the interval test drops them.
- A transcendental payoff (log 3): Newton, labelled, each point proven by
  the Krawczyk test (route "interval-certified").
- A small budget: the fallback is taken and labelled.
- Several constants (successive norms), and the pseudo-remainder modulo a
  minimal polynomial that keeps the norms small.
"""

import os

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from fraction_walk import fraction_field

from eqselect.numerics.fixed_points.core.routes import RouteStatus
from eqselect.numerics.fixed_points.resultants.algebraic_payoffs import (
    algebraic_attempt, reduce_mod, transcendental_constants)
from eqselect.numerics.fixed_points.core.field import MpField
from eqselect.numerics.fixed_points.find import find_equilibria
from eqselect.numerics.fixed_points.certify.krawczyk import prove_zero
from eqselect.theory import Decomposition, normal_form_game
from eqselect.theory.rules import as_rule
from eqselect.theory.rules import Rule

RULES = ["pg", "meta-pg", "peer-only", "meta-mapg", "lookahead", "lola"]
N_GAMES = 60 if os.environ.get("EQSELECT_FULL_SCALE") == "1" else 2
S2 = sp.sqrt(2)
K = sp.QQ.algebraic_field(S2)
RING, U1, U2 = sp.ring("u1,u2", K)


def _games():
    """Payoffs a + b sqrt(2); each player's diagonal against off-diagonal signs are fixed
    (coordination, or matching pennies for the second player in odd games) so that PG has
    an interior fixed point and the shaped rules usually do too."""
    rng = np.random.default_rng(29)
    out = []
    for k in range(N_GAMES):
        a, b = rng.integers(1, 5, 8).tolist(), rng.integers(-1, 2, 8).tolist()
        v = [x + y * S2 for x, y in zip(a, b)]  # all positive
        flip = -1 if k % 2 else 1
        row = [[v[0], -v[1]], [-v[2], v[3]]]
        col = [[flip * v[4], -flip * v[5]], [-flip * v[6], flip * v[7]]]
        out.append([row, col])
    return out


# -- the independent computation over QQ<sqrt(2)> ------------------------------------
def _walk(e, th, memo):
    """A field component in u = exp(theta) (``fraction_field``) over QQ<sqrt 2>."""
    return fraction_field(e, th, (RING, U1, U2), _algebraic, memo)


def _algebraic(e):
    if e.is_number and not (e.is_Add or e.is_Mul or e.is_Pow and e.exp.is_Integer):
        return RING(K.from_sympy(e))
    return None


def _mp(c):
    return mpmath.mpf(str(sp.N(K.to_sympy(c), 70)))


def _univariate(poly, b):
    """Coefficients (highest first) of poly(., b) in u1 at 60 digits."""
    deg = max((m[0] for m in poly.monoms()), default=0)
    out = [mpmath.mpf(0)] * (deg + 1)
    for (i, j), c in poly.terms():
        out[deg - i] += _mp(c) * b ** j
    return out


def _positive_roots(coeffs):
    while coeffs and abs(coeffs[0]) < mpmath.mpf(10) ** -40 * max(abs(c) for c in coeffs):
        coeffs = coeffs[1:]
    if len(coeffs) < 2:
        return []
    roots = mpmath.polyroots(coeffs, maxsteps=400, extraprec=400)
    return [mpmath.re(z) for z in roots
            if abs(mpmath.im(z)) < mpmath.mpf(10) ** -25 and mpmath.re(z) > 0]


def _without_monomials(num):
    """num with every factor u1 or u2 divided out (no zero on u > 0)."""
    for prime in (U1, U2):
        while num:
            q, r = num.div(prime)
            if r:
                break
            num = q
    return num


def _reference(dec, rule):
    """Sorted theta of the positive common zeros of the numerators, or None (a curve)."""
    r = as_rule(rule)
    memo, th = {}, dec.game.parameters
    nums = [_without_monomials(_walk(f, th, memo)[0])
            for f in dec.field(r.method, r.lam, r.own_coef)]
    res = nums[0].resultant(nums[1])  # eliminates u1
    if not res:
        return None
    u2 = sp.Symbol("u2")
    R2 = sp.Poly.from_dict({(m[-1],): K.to_sympy(c) for m, c in res.terms()}, u2,
                           domain=K).sqf_part()
    out = []
    with mpmath.workdps(60):
        for b in _positive_roots([mpmath.mpf(str(sp.N(c, 70))) for c in R2.all_coeffs()]):
            cols = [_univariate(n, b) for n in nums]
            base = min((c for c in cols if max(abs(x) for x in c) > 1e-30), key=len)
            for a in _positive_roots(base):
                vals = [sum(c * a ** (len(col) - 1 - k) for k, c in enumerate(col)) for col in cols]
                scale = [sum(abs(c) * a ** (len(col) - 1 - k) for k, c in enumerate(col)) + 1
                         for col in cols]
                if all(abs(v) < mpmath.mpf(10) ** -30 * s for v, s in zip(vals, scale)):
                    out.append((float(mpmath.log(a)), float(mpmath.log(b))))
    out.sort()
    return [p for i, p in enumerate(out) if i == 0 or not np.allclose(p, out[i - 1], atol=1e-9)]


@pytest.mark.parametrize("k", range(N_GAMES))
def test_algebraic_route_equals_independent_solve_over_q_sqrt2(k):
    dec = Decomposition(normal_form_game(_games()[k], "logit"), eta=1)
    for rule in RULES:
        expected = _reference(dec, rule)
        found = algebraic_attempt(dec, Rule(rule))  # PG: find_equilibria prefers nash-interior
        if expected is None:
            assert not found.complete
            continue
        assert found.complete, (rule, found.notes)
        got = sorted(tuple(e.point) for e in found.points)
        assert len(got) == len(expected), (rule, got, expected)
        assert np.allclose(got, expected, atol=1e-8) if got else True, (rule, got, expected)
        assert all(e.route.value == "interval-certified" for e in found.points)
        mpf = MpField(dec, Rule(rule))
        with mpmath.workdps(60):
            for cand in found.certificate["candidates"]:
                if cand["decision"] == "fixed point":
                    x = [mpmath.mpf(v) for v in cand["theta"]]
                    assert max(abs(v) for v in mpf.field(x)) < 1e-30


def test_zeros_of_the_conjugate_system_are_candidates_and_are_dropped():
    """Row payoffs diag(2 + sqrt 2, 1), column diag(1, 3 + sqrt 2): PG's interior point is
    u = (3 + sqrt 2, 1 / (2 + sqrt 2)); with sqrt 2 -> -sqrt 2 (both still coordination
    games) the conjugate system has its own positive zero (3 - sqrt 2, 1 / (2 - sqrt 2)),
    a root of both norms, which the interval test must drop."""
    game = [[[2 + S2, 0], [0, 1]], [[1, 0], [0, 3 + S2]]]
    dec = Decomposition(normal_form_game(game, "logit"), eta=1)
    found = algebraic_attempt(dec, Rule("pg"))
    assert found.complete
    exact = find_equilibria(dec, Rule("pg"))  # the exact Nash route agrees
    assert exact.route == "nash-interior"
    assert np.allclose([e.point for e in exact.equilibria], [e.point for e in found.points])
    true_u, conj_u = (3 + S2, 1 / (2 + S2)), (3 - S2, 1 / (2 - S2))
    assert np.allclose([e.point for e in found.points], [[float(sp.log(u)) for u in true_u]])
    assert found.certificate["algebraic_numbers"] == [{"value": "sqrt(2)",
                                                       "minimal_polynomial": [-2, 0, 1]}]

    def holds(cand, u):
        return all(float(cand[k][0]) <= float(v) <= float(cand[k][1])
                   for k, v in zip(("u1", "u2"), u))

    decisions = {name: [c["decision"] for c in found.certificate["candidates"] if holds(c, u)]
                 for name, u in (("true", true_u), ("conjugate", conj_u))}
    assert decisions == {"true": ["fixed point"], "conjugate": ["not a zero"]}
    assert sum(c["decision"] == "not a zero" for c in found.certificate["candidates"]) == 3


def test_transcendental_payoff_falls_back_to_newton_with_certified_points():
    game = [[[4, 0], [1 + sp.log(3), 2]], [[4, 1 + sp.log(3)], [0, 2]]]
    dec = Decomposition(normal_form_game(game, "logit"), eta=1)
    attempt = algebraic_attempt(dec, Rule("meta-mapg"))
    assert attempt.status is RouteStatus.UNDECIDED and not attempt.points
    assert transcendental_constants(list(dec.field("meta-mapg"))) == ["log(3)"]
    found = find_equilibria(dec, Rule("meta-mapg"))
    assert found.route == "newton" and not found.complete
    assert "log(3) is transcendental" in found.notes[0]
    assert found.equilibria
    assert all(e.route.value == "interval-certified" for e in found.equilibria)
    mpf = MpField(dec, Rule("meta-mapg"))
    for e in found.equilibria:
        assert any(n.startswith("interval-certified: exactly one fixed point") for n in e.notes)
        assert max(abs(v) for v in mpf.field(e.point)) < 1e-12


def test_krawczyk_proves_a_zero_and_refuses_a_box_without_one():
    from flint import arb

    def f(b):
        return [b[0] ** 2 - 2]

    def jac(b):
        return [[2 * b[0]]]

    proven = prove_zero(f, jac, [arb("1.45") + arb(0, 0.05)])
    assert proven is not None and proven[0].contains(arb(2).sqrt()) and proven[0].rad() < 1e-12
    assert prove_zero(f, jac, [arb("1.55") + arb(0, 0.05)]) is None  # [1.5, 1.6]: no zero


def test_a_small_budget_takes_the_labelled_fallback():
    game = [[[4, 0], [S2 + 1, 2]], [[4, S2 + 1], [0, 2]]]
    dec = Decomposition(normal_form_game(game, "logit"), eta=1)
    found = find_equilibria(dec, Rule("meta-mapg"), budget=1e-4)
    assert found.route == "newton" and not found.complete
    assert "algebraic resultant route: stopped after the budget" in found.notes[0]
    assert "may be incomplete" in found.notes[0]
    full = find_equilibria(dec, Rule("meta-mapg"))
    assert full.route == "resultant-algebraic" and full.complete and len(full.equilibria) == 1


def test_several_algebraic_constants_by_successive_norms():
    """sqrt(2) and 2^(1/3) (norm degree 6 over Q): the algebraic route's PG point equals
    the exact interior Nash route's, and its certificate names both minimal polynomials."""
    game = [[[2 + S2, 0], [0, sp.cbrt(2)]], [[1, 0], [0, 1 + S2]]]
    dec = Decomposition(normal_form_game(game, "logit"), eta=1)
    found = algebraic_attempt(dec, Rule("pg"))
    assert found.complete and len(found.points) == 1
    assert {(a["value"], tuple(a["minimal_polynomial"])) for a in
            found.certificate["algebraic_numbers"]} == {("sqrt(2)", (-2, 0, 1)),
                                                          ("2**(1/3)", (-2, 0, 0, 1))}
    exact = find_equilibria(dec, Rule("pg"))
    assert exact.route == "nash-interior"
    assert np.allclose(exact.equilibria[0].point, found.points[0].point, atol=1e-12)


@settings(max_examples=30)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 7),
                          st.integers(-9, 9)), min_size=1, max_size=8))
def test_reduce_mod_keeps_the_values_at_every_root_of_m(terms):
    """m(a) = 2 a^2 - 1 (roots +-1/sqrt 2, not monic): the pseudo-remainder has degree < 2
    in a and equals 2^e p at both roots, for one e >= 0, at every u."""
    import flint

    ctx = flint.fmpz_mpoly_ctx.get(("u1", "u2", "a1"), "lex")
    p = ctx.from_dict({})
    for i, j, k, c in terms:
        p += c * ctx.from_dict({(i, j, k): 1})
    m = 2 * ctx.gens()[2] ** 2 - 1
    red = reduce_mod(p, m, 2)
    assert red.degrees()[2] < 2
    with mpmath.workdps(40):
        for alpha in (1 / mpmath.sqrt(2), -1 / mpmath.sqrt(2)):
            for u in ((mpmath.mpf(3) / 7, mpmath.mpf(5) / 3), (mpmath.mpf(2), mpmath.mpf(1) / 9)):
                def at(q):
                    return sum(int(c) * u[0] ** int(k[0]) * u[1] ** int(k[1]) * alpha ** int(k[2])
                               for k, c in q.to_dict().items())
                want, got = at(p), at(red)
                if abs(want) < 1e-20:
                    assert abs(got) < 1e-15
                    continue
                ratio = mpmath.log(got / want, 2)
                assert abs(ratio - mpmath.nint(ratio)) < 1e-20 and ratio > -0.5
