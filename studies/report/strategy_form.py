r"""The terms of a softmax game written in the strategies pi instead of e^theta.

Under softmax with the last action as reference, agent i's strategy is
:math:`\pi_{i,k} = e^{\theta_{i,k}} / (1 + \sum_l e^{\theta_{i,l}})` and
:math:`\pi_{i,m} = 1 / (1 + \sum_l e^{\theta_{i,l}})`, so
:math:`e^{\theta_{i,k}} = \pi_{i,k} / \pi_{i,m}` exactly. Every value and
term of such a game is a rational function of the :math:`e^{\theta}`;
replacing each :math:`e^{\theta_{i,k}}` by :math:`\pi_{i,k}/\pi_{i,m}` and
clearing the factors :math:`\pi_{i,1} + \dots + \pi_{i,m}` (equal to 1 on
the simplex) gives the same function written in the strategies, the form a
paper prints (for example :math:`\mathrm{cur}_{1,k} = \pi_{1,k}(\dots)`).

The rewriting is exact, in sparse polynomials over the rationals
(`sympy.polys.rings`): each subexpression is held as a numerator over a
denominator kept as a product of powers of the bases it came from, so a sum
is taken over a common multiple found by comparing exponents, base by base,
and the one greatest-common-divisor computation is the final reduction
(reducing after every operation, as the field `sympy.polys.fields` does,
costs several times more). The result is the reduced fraction, the one the
field gives. An expression outside that field (an irrational payoff, a
function other than exp) is left alone and the caller prints it as it is.
"""

from __future__ import annotations

import sympy as sp

from eqselect.theory.engine import to_sympy

#: Operations above which an expression is not rewritten (the field
#: arithmetic would dominate a report's time).
MAX_REWRITE_OPS = 4000


class NotRational(Exception):
    """The expression is not a rational function of the exponentials and symbols."""


def strategy_symbols(game) -> list[list[sp.Symbol]]:
    """pi_{i,k} symbols, one list per agent (``pi1_0``, ``pi1_1``, ...)."""
    return [[sp.Symbol(f"pi{i + 1}_{k}") for k in range(m)]
            for i, m in enumerate(game.actions)]


def applies(game) -> bool:
    """True for one-state softmax games with an agent of three or more actions."""
    return (game.parameterization == "softmax" and game.states == 1 and bool(game.actions)
            and max(game.actions) > 2)


class StrategyForm:
    """Rewrites the exact expressions of one softmax game in its strategies.

    Parameters
    ----------
    game : Game
        A game for which `applies` is True.
    others : sequence of sympy.Symbol
        Further symbols the expressions hold (eta, payoff symbols).

    Examples
    --------
    >>> from eqselect.theory.games.normal_form import normal_form_game
    >>> g = normal_form_game([[[1, 0, 0], [0, 1, 0], [0, 0, 1]]] * 2, "softmax")
    >>> StrategyForm(g).rewrite(g.values[0])
    pi1_0*pi2_0 + pi1_1*pi2_1 + pi1_2*pi2_2
    """

    def __init__(self, game, others=()):
        self.pis = strategy_symbols(game)
        gens = [s for block in self.pis for s in block] + list(others)
        self.ring, *self.gen = sp.ring(gens, sp.QQ)
        where = {s: g for s, g in zip(gens, self.gen)}
        self.others = {s: (where[s], {}) for s in others}
        self.exp_of = {}  # theta_{i,k} -> pi_{i,k} / pi_{i,m} as (numerator, {base: power})
        self.sums = []
        for i, block in enumerate(game.agents):
            pis = [where[s] for s in self.pis[i]]
            for k, theta in enumerate(block):
                self.exp_of[theta] = (pis[k], {pis[-1]: 1})
            self.sums.append(sum(pis[1:], pis[0]))

    def rewrite(self, expr):
        """``expr`` in the strategies (sympy), or raise `NotRational`."""
        expr = to_sympy(expr)
        if sp.count_ops(expr) > MAX_REWRITE_OPS:
            raise NotRational("too large to rewrite")
        num, bases = self._eval(expr)
        num, den = num.cancel(_product(self.ring, bases))
        for s in self.sums:  # the simplex: pi_{i,1} + ... + pi_{i,m} = 1
            while True:
                q, r = den.div(s)
                if r != 0:
                    break
                den = q
        return sp.factor(num.as_expr()) / sp.factor(den.as_expr())

    def _eval(self, e):
        """``e`` as (numerator, {base: power}): the numerator over the product of
        the bases' powers, all polynomials of the ring."""
        if e.is_Rational:
            return self.ring(sp.Rational(e)), {}
        if e.is_Symbol:
            if e in self.others:
                return self.others[e]
            raise NotRational(f"symbol {e} outside the field")
        if e.is_Add:
            return _sum(self.ring, [self._eval(a) for a in e.args])
        if e.is_Mul:
            num, bases = self.ring.one, {}
            for a in e.args:
                n, b = self._eval(a)
                num, bases = num * n, _merged(bases, b)
            return num, bases
        if e.is_Pow and e.exp.is_Integer:
            return _power(self.ring, self._eval(e.base), int(e.exp))
        if isinstance(e, sp.exp):
            return self._exp(e.args[0])
        raise NotRational(f"{type(e).__name__} outside the field")

    def _exp(self, arg):
        """e^{arg} for arg an integer combination of the parameters."""
        out = (self.ring.one, {})
        for term in sp.Add.make_args(sp.expand(arg)):
            coeff, rest = term.as_coeff_Mul()
            if rest not in self.exp_of or not coeff.is_Integer:
                raise NotRational(f"exp({arg}) is not a monomial in the e^theta")
            n, b = _power(self.ring, self.exp_of[rest], int(coeff))
            out = (out[0] * n, _merged(out[1], b))
        return out


def _merged(a: dict, b: dict) -> dict:
    """The product of two denominators as {base: power}."""
    out = dict(a)
    for base, k in b.items():
        out[base] = out.get(base, 0) + k
    return out


def _product(ring, bases: dict):
    """The polynomial prod base^power of a {base: power} denominator."""
    out = ring.one
    for base, k in bases.items():
        out *= base ** k
    return out


def _power(ring, value, k: int):
    """(num / den)^k for an integer k: a negative power makes the numerator a base."""
    num, bases = value
    if k >= 0:
        return num ** k, {b: e * k for b, e in bases.items()}
    if not num:
        raise ZeroDivisionError("a zero raised to a negative power")
    return _product(ring, {b: -e * k for b, e in bases.items()}), {num: -k}


def _sum(ring, values):
    """Fractions added over a common multiple of their denominators: the highest
    power of each base (the least common multiple when the bases are coprime)."""
    common = {}
    for _, bases in values:
        for base, k in bases.items():
            common[base] = max(common.get(base, 0), k)
    out = ring.zero
    for num, bases in values:
        out += num * _product(ring, {b: k - bases.get(b, 0) for b, k in common.items()})
    return out, {b: k for b, k in common.items() if k}
