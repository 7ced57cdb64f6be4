"""A logit field as a fraction in u = exp(theta), by a tree walk: the tests' reference.

The denominators of a two-parameter logit field are products of u1, u2,
1 + u1 and 1 + u2 (all positive). The walk keeps them as exponents, so no
gcd is ever taken, and returns (numerator in the ring, exponents). It is
written apart from eqselect's own elimination so that the random-game tests
compare two independent computations (tests/numerics/fixed_points).
"""

import sympy as sp


def fraction_field(e, th, ring, constant, memo):
    """(numerator, exponents of u1, u2, 1 + u1, 1 + u2 in the denominator) of ``e``.

    Parameters
    ----------
    e : sympy.Expr
        A component of the field in theta1, theta2.
    th : (theta1, theta2)
    ring : (R, u1, u2)
        A sympy polynomial ring in u1, u2 and its generators.
    constant : callable
        ``constant(e)``: the ring element of a number leaf, or None when
        ``e`` is not one (rationals, or algebraic numbers over QQ<alpha>).
    memo : dict
    """
    if e in memo:
        return memo[e]
    R, u1, u2 = ring
    zero, c = (0, 0, 0, 0), constant(e)
    if c is not None:
        out = (c, zero)
    elif e.is_Add:
        parts = [fraction_field(a, th, ring, constant, memo) for a in e.args]
        den = tuple(max(p[1][k] for p in parts) for k in range(4))
        num = R(0)
        for n, d in parts:
            for k, prime in enumerate(_primes(ring)):
                n = n * prime ** (den[k] - d[k])
            num += n
        out = (num, den)
    elif e.is_Mul:
        num, den = R(1), zero
        for a in e.args:
            n, d = fraction_field(a, th, ring, constant, memo)
            num, den = num * n, tuple(x + y for x, y in zip(den, d))
        out = (num, den)
    elif e.is_Pow and e.exp.is_Integer:
        n, d = fraction_field(e.base, th, ring, constant, memo)
        k = int(e.exp)
        out = (n ** k, tuple(k * x for x in d)) if k >= 0 else _invert(ring, n ** -k, d, -k)
    elif isinstance(e, sp.exp):
        arg = sp.expand(e.args[0])
        c = [int(arg.coeff(t)) for t in th]
        out = (u1 ** max(c[0], 0) * u2 ** max(c[1], 0), (max(-c[0], 0), max(-c[1], 0), 0, 0))
    else:
        raise AssertionError(f"unexpected node {e}")
    memo[e] = out
    return out


def _primes(ring):
    _, u1, u2 = ring
    return (u1, u2, 1 + u1, 1 + u2)


def _invert(ring, den, den_exps, k):
    """(prod primes^(k den_exps)) / den, with den a constant times powers of the primes."""
    exps = [0, 0, 0, 0]
    for j, prime in enumerate(_primes(ring)):
        while True:
            q, r = den.div(prime)
            if r:
                break
            den, exps[j] = q, exps[j] + 1
    assert den.is_ground, f"denominator factor {den} is not a product of u and 1 + u"
    num = ring[0](1)
    for prime, x in zip(_primes(ring), den_exps):
        num *= prime ** (k * x)
    return num.quo_ground(den.LC), tuple(exps)
