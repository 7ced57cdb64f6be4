"""A logit / softmax field as integer polynomials in u = exp(theta) (python-flint).

Under logit and softmax every field of a normal-form game with rational
payoffs is built from rationals, sums, products, integer powers and
exponentials exp(k . theta) with integer k. With u_i = exp(theta_i) each
exponential is the Laurent monomial u^k, so each component is a rational
function N_i(u) / D_i(u) with integer coefficients. `exp_numerators`
computes N_i and D_i by walking the expression tree once (shared
sub-expressions once), in python-flint's ``fmpz_mpoly`` with a gcd
reduction after every sum, which is much faster than sympy's ``together``
and ``cancel`` on these expressions.
"""

from __future__ import annotations

import sympy as sp

from eqselect.theory.engine import to_sympy


class NotRationalInExp(ValueError):
    """The expression is not rational in exp(theta) with rational coefficients."""


def exp_numerators(F, params):
    """The numerators and denominators of F in u_i = exp(theta_i), reduced.

    Parameters
    ----------
    F : sequence of sympy.Expr
        Field components in the logits ``params``.
    params : sequence of sympy.Symbol

    Returns
    -------
    (list of fmpz_mpoly, list of fmpz_mpoly, fmpz_mpoly_ctx) or None
        N_i and D_i with F_i = N_i / D_i and gcd(N_i, D_i) = 1, in the
        context with generators u1, u2, ... (lex order); None when a
        component is not rational in exp(theta) with rational coefficients
        (a float, an irrational payoff, a bare theta, a log).

    Examples
    --------
    >>> t = sp.Symbol("t")
    >>> nums, dens, ctx = exp_numerators([1 / (1 + sp.exp(-t)) - sp.Rational(1, 3)], [t])
    >>> str(nums[0]), str(dens[0])
    ('2*u1 - 1', '3*u1 + 3')
    """
    import flint

    ctx = flint.fmpz_mpoly_ctx.get(tuple(f"u{i + 1}" for i in range(len(params))), "lex")
    walker = _Walker(ctx, list(params))
    try:
        pairs = [walker.convert(to_sympy(f)) for f in F]
    except NotRationalInExp:
        return None
    return [n for n, _ in pairs], [d for _, d in pairs], ctx


class _Walker:
    """Converts sympy expressions into reduced (numerator, denominator) pairs."""

    def __init__(self, ctx, params):
        self.ctx, self.params, self.memo = ctx, params, {}
        self.one, self.zero = ctx.from_dict({}) + 1, ctx.from_dict({})

    def convert(self, e):
        if e not in self.memo:
            self.memo[e] = self._convert(e)
        return self.memo[e]

    def _convert(self, e):
        if e.is_Rational:
            return self.one * int(e.p), self.one * int(e.q)
        if e.is_Add:
            num, den = self.zero, self.one
            for a in e.args:
                n, d = self.convert(a)
                num, den = _reduce(num * d + n * den, den * d)
            return num, den
        if e.is_Mul:
            num, den = self.one, self.one
            for a in e.args:
                n, d = self.convert(a)
                num, den = num * n, den * d
            return _reduce(num, den)
        if e.is_Pow and e.exp.is_Integer:
            n, d = self.convert(e.base)
            k = int(e.exp)
            if k < 0:
                if n.is_zero():
                    raise NotRationalInExp("division by zero")
                n, d, k = d, n, -k
            return n ** k, d ** k
        if isinstance(e, sp.exp):
            return self._monomial(e.args[0])
        raise NotRationalInExp(str(e))

    def _monomial(self, arg):
        arg = sp.expand(arg)
        powers = [arg.coeff(p) for p in self.params]
        if sp.expand(arg - sum(c * p for c, p in zip(powers, self.params))) != 0 or \
                not all(c.is_Integer for c in powers):
            raise NotRationalInExp(f"exp({arg})")
        pad = (0,) * (self.ctx.nvars() - len(self.params))  # generators beyond u (constants)
        up = tuple(max(int(c), 0) for c in powers) + pad
        down = tuple(max(-int(c), 0) for c in powers) + pad
        return self.ctx.from_dict({up: 1}), self.ctx.from_dict({down: 1})


def _reduce(num, den):
    """num / den with their gcd divided out (and den != 0)."""
    if num.is_zero():
        return num, den.context().from_dict({}) + 1
    g = num.gcd(den)
    if not g.is_one():
        num, den = num // g, den // g
    return num, den


__all__ = ["NotRationalInExp", "exp_numerators"]
