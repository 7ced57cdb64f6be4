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

The rewriting is done in a sparse rational-function field over the
rationals (`sympy.polys.fields`), which is exact and fast; an expression
outside that field (an irrational payoff, a function other than exp) is
left alone and the caller prints it as it is.
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
        self.field, *self.gen = sp.field(gens, sp.QQ)
        where = {s: g for s, g in zip(gens, self.gen)}
        self.others = {s: where[s] for s in others}
        self.exp_of = {}  # theta_{i,k} -> pi_{i,k} / pi_{i,m} in the field
        self.sums = []
        for i, block in enumerate(game.agents):
            pis = [where[s] for s in self.pis[i]]
            for k, theta in enumerate(block):
                self.exp_of[theta] = pis[k] / pis[-1]
            self.sums.append(sum(pis[1:], pis[0]).numer)

    def rewrite(self, expr):
        """``expr`` in the strategies (sympy), or raise `NotRational`."""
        expr = to_sympy(expr)
        if sp.count_ops(expr) > MAX_REWRITE_OPS:
            raise NotRational("too large to rewrite")
        value = self._eval(expr)
        num, den = value.numer, value.denom
        for s in self.sums:  # the simplex: pi_{i,1} + ... + pi_{i,m} = 1
            while True:
                q, r = den.div(s)
                if r != 0:
                    break
                den = q
        return sp.factor(num.as_expr()) / sp.factor(den.as_expr())

    def _eval(self, e):
        if e.is_Rational:
            return self.field(sp.Rational(e))
        if e.is_Symbol:
            if e in self.others:
                return self.others[e]
            raise NotRational(f"symbol {e} outside the field")
        if e.is_Add:
            out = self.field(0)
            for a in e.args:
                out += self._eval(a)
            return out
        if e.is_Mul:
            out = self.field(1)
            for a in e.args:
                out *= self._eval(a)
            return out
        if e.is_Pow and e.exp.is_Integer:
            return self._eval(e.base) ** int(e.exp)
        if isinstance(e, sp.exp):
            return self._exp(e.args[0])
        raise NotRational(f"{type(e).__name__} outside the field")

    def _exp(self, arg):
        """e^{arg} for arg an integer combination of the parameters."""
        out = self.field(1)
        for term in sp.Add.make_args(sp.expand(arg)):
            coeff, rest = term.as_coeff_Mul()
            if rest not in self.exp_of or not coeff.is_Integer:
                raise NotRational(f"exp({arg}) is not a monomial in the e^theta")
            out *= self.exp_of[rest] ** int(coeff)
        return out
