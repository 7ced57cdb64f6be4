"""The bridge to symengine, which does the heavy differentiation.

sympy stays the language of the API and of presentation; symengine's
differentiation is orders of magnitude faster on the large rational
functions of repeated games (the discounted IPD's values have ~12,000
operations), so derivatives are taken there and converted back on demand.
"""

from __future__ import annotations

import functools

import symengine as se

import sympy as sp


def _no_text(expr):
    if isinstance(expr, (str, bytes)):
        raise TypeError(f"expressions are built, never parsed from text: got {expr!r}")
    return expr


def to_engine(expr) -> se.Basic:
    """A symengine copy of a sympy expression or number (text is refused).

    Sums, products, plain symbols and rationals are copied node by node, each
    shared subexpression once (a normal-form game's strategies recur in every
    term of its values); any other node, and a tree too deep to walk, by
    symengine's ``sympify``.
    """
    if isinstance(_no_text(expr), sp.Basic):
        try:
            return _copy(expr, {}, se.sympify)
        except RecursionError:
            pass
    return se.sympify(expr)


def _copy(e, memo, other):
    """``e`` in symengine; ``other`` converts the nodes that are not copied here."""
    out = memo.get(e)
    if out is None:
        if type(e) is sp.Symbol:
            out = se.Symbol(e.name)
        elif e.is_Rational:
            out = se.Integer(int(e.p)) if e.is_Integer else se.Rational(int(e.p), int(e.q))
        elif e.is_Add:
            out = se.Add(*[_copy(a, memo, other) for a in e.args])
        elif e.is_Mul:
            out = se.Mul(*[_copy(a, memo, other) for a in e.args])
        else:
            out = other(e)
        memo[e] = out
    return out


def to_sympy(expr) -> sp.Expr:
    """The sympy expression of a symengine expression or number (text is refused)."""
    return expr._sympy_() if hasattr(expr, "_sympy_") else sp.sympify(_no_text(expr))


def gradient(value: se.Basic, symbols) -> list[se.Basic]:
    """[d value / d s for s in symbols]."""
    return [value.diff(s) for s in symbols]


def jacobian(exprs, symbols) -> list[list[se.Basic]]:
    """J[r][c] = d exprs[r] / d symbols[c]."""
    return [[e.diff(s) for s in symbols] for e in exprs]


@functools.lru_cache(maxsize=512)
def tidy(expr: sp.Expr, max_ops: int = 600) -> sp.Expr:
    """A readable exact form: factored when small enough, untouched otherwise.

    Factoring treats exp(-theta) as a generator, so logit expressions come
    out as rational functions of the exponentials. Remembered per expression:
    a report factors the same terms for its JSON and for its LaTeX.
    """
    if expr.is_number or sp.count_ops(expr) > max_ops:
        return expr
    try:
        return sp.factor(sp.cancel(expr))
    except (sp.PolynomialError, NotImplementedError):
        return expr


def is_exactly_zero(expr: sp.Expr) -> bool:
    """True when ``expr`` is identically zero, decided exactly.

    Every exponential exp(sum_k c_k t_k) is written as prod_k u_k^{c_k} with a
    fresh symbol u_k per term t_k, which turns expressions built from sigmoids
    and softmaxes into rational functions; ``cancel`` then decides zero
    exactly. (False means "not shown zero" for expressions outside that
    class, e.g. with logarithms that do not cancel syntactically.)
    """
    expr = to_sympy(expr)
    bases: dict = {}
    repl = {}
    for e in expr.atoms(sp.exp):
        factor = sp.Integer(1)
        for term, coeff in sp.expand(e.args[0]).as_coefficients_dict().items():
            if term == 1:
                factor *= sp.exp(coeff)
                continue
            u = bases.setdefault(term, sp.Dummy("u"))
            factor *= u ** coeff
        repl[e] = factor
    if repl:
        expr = expr.xreplace(repl)
    return sp.cancel(sp.together(expr)) == 0
