r"""Closed forms grouped the way researchers write them, and broken over lines.

`grouped` rewrites one exact expression: logit expressions in
sigma_i = sigma(theta_i) = 1 / (1 + e^{-theta_i}); 2x2 games with payoff
symbols a, b, c, d in S = a - b - c + d; factored, with 1 - x preferred to
-(x - 1). `tokens` renders it with polynomial factors collected in the
parameters, each coefficient in parentheses (for direct symbolic Stag Hunt
cur_1 = S p_2 + (b - d), peer_1 = eta S (S p_1 + (c - d))), as pieces
between which a line may break; `broken_lines` packs them into lines and
`align_rows` writes ``lhs &= ...`` rows for an ``align*``.
"""

from __future__ import annotations

import re

import symengine as se
import sympy as sp

from typing import TYPE_CHECKING

from eqselect.theory import engine

if TYPE_CHECKING:
    from eqselect.theory.latex_printer import ExactLatex

#: Expressions with more operations than this are summarised, not printed.
MAX_PRINTED_OPS = 400
#: Grouping (substitution, factoring) is tried up to this many operations.
MAX_GROUPED_OPS = 250
#: Visible characters per printed line (fits a 17 cm text width at 10 pt).
LINE_WIDTH = 60
#: The 2x2 sub-expression S = a - b - c + d.
S = sp.Symbol("S")


def sigma_symbols(game) -> dict:
    """theta -> the symbol printed sigma_i = sigma(theta_i), for one-logit-per-action games."""
    two = game.actions and all(m == 2 for m in game.actions)
    if game.parameterization == "logit" or (game.parameterization == "softmax" and two):
        return {t: sp.Symbol(f"sigma_{t.name}", positive=True) for t in game.parameters}
    return {}


def _in_sigma(expr, sig: dict):
    """expr with theta = log(s / (1 - s)); None when a log or theta remains."""
    expanded = sp.expand(expr, mul=False, multinomial=False, power_base=False, log=False)
    out = expanded.xreplace({t: sp.log(s / (1 - s)) for t, s in sig.items()})
    if out.has(sp.log) or out.has(sp.exp):
        return None
    return sp.cancel(out)


def _factor(expr):
    """Factored, with two-term factors written as 1 - x rather than x - 1 where the sign allows."""
    try:
        f = sp.factor(expr)
    except (sp.PolynomialError, NotImplementedError):
        return expr
    if not f.is_Mul:
        return f
    coeff, rest = f.as_coeff_mul()
    out = []
    for g in rest:
        base, e = g.as_base_exp()
        if base.is_Add and len(base.args) == 2 and base.as_coeff_Add()[0] < 0 and e.is_Integer:
            if e % 2 == 0:
                base = sp.expand(-base)
            elif coeff < 0:
                base, coeff = sp.expand(-base), -coeff
        out.append(base ** e)
    return sp.Mul(coeff, *out)


def s_applies(game) -> bool:
    """Whether closed forms of ``game`` are written with S = a - b - c + d."""
    names = {s.name for s in game.payoff_symbols}
    return tuple(game.actions) == (2, 2) and {"a", "b", "c", "d"} <= names and "S" not in names


def _with_s(expr, game):
    """expr with a = S + b + c - d, for 2x2 games whose payoffs are the symbols a, b, c, d."""
    if not s_applies(game):
        return None
    syms = {s.name: s for s in game.payoff_symbols}
    a, b, c, d = (syms[k] for k in "abcd")
    return _factor(sp.expand(expr.xreplace({a: S + b + c - d})))


def grouped(expr, game):
    """The expression the way a paper writes it (see the module notes); unchanged if large.

    Examples
    --------
    >>> from eqselect.theory import builtin, Decomposition
    >>> game = builtin("stag-hunt", "direct", symbolic=True)
    >>> dec = Decomposition(game)
    >>> grouped(dec.cur[0], game), grouped(dec.peer[0], game)
    (S*p2 + b - d, S*eta*(S*p1 + c - d))
    """
    ops = se.count_ops(engine.to_engine(expr))
    e = engine.to_sympy(engine.to_engine(expr))
    if ops > MAX_GROUPED_OPS:
        return engine.tidy(e)
    sig = sigma_symbols(game)
    if sig and e.has(sp.exp):
        e = _in_sigma(e, sig) or e
    e = _factor(e)
    alt = _with_s(e, game)
    if alt is not None and sp.count_ops(alt) <= sp.count_ops(e):
        e = alt
    return e


# -- rendering and line breaking ---------------------------------------------------
_SIZING = re.compile(r"\\(left|right|bigl|bigr|Bigl|Bigr|,|;|quad|qquad)(?![A-Za-z])")


def visible_width(tex: str) -> int:
    """Rough printed width of math LaTeX in characters (commands count as one)."""
    t = _SIZING.sub("", tex)
    t = re.sub(r"\\(mathrm|text|operatorname)\{([^}]*)\}", r"\2", t)
    t = re.sub(r"\\[A-Za-z]+", "x", t)
    return len(re.sub(r"[{}^_ &]", "", t))


def _join_terms(tokens: list[str]) -> list[str]:
    """Sum tokens with their signs: [t1, "+ t2", "- t3", ...]."""
    out = []
    for k, t in enumerate(tokens):
        if k == 0:
            out.append(t)
        elif t.startswith("-"):
            out.append("- " + t[1:].lstrip())
        else:
            out.append("+ " + t)
    return out


def _poly_terms(expr, gens, p: ExactLatex) -> list[str]:
    """Terms of a polynomial in ``gens``, each coefficient factored and parenthesised if a sum."""
    poly = sp.Poly(expr, *gens)
    terms = poly.terms()
    out = []
    for monom, coeff in terms:
        mono = sp.Mul(*(g ** k for g, k in zip(gens, monom)))
        coeff = _factor(coeff)
        if mono == 1:
            tex = p.doprint(coeff)
            out.append(rf"\left({tex}\right)" if coeff.is_Add and len(terms) > 1 else tex)
        elif coeff.is_Add:
            out.append(rf"\left({p.doprint(coeff)}\right) {p.doprint(mono)}")
        else:
            out.append(p.doprint(coeff * mono))
    if out and out[0].startswith("-"):  # 1 - x rather than -x + 1
        first = next((k for k, t in enumerate(out) if not t.startswith("-")), None)
        if first is not None:
            out.insert(0, out.pop(first))
    return out


def _sum_tokens(expr, gens, p: ExactLatex) -> list[str]:
    present = [g for g in gens if expr.has(g)]
    if present and expr.is_polynomial(*present):
        return _join_terms(_poly_terms(expr, present, p))
    return _join_terms([p.doprint(t) for t in sp.Add.make_args(expr)])


def _group(tokens: list[str], left: str, right: str) -> list[str]:
    """Wrap tokens in a delimiter pair; one token uses \\left \\right, several \\bigl \\bigr."""
    if len(tokens) == 1 or visible_width(" ".join(tokens)) <= LINE_WIDTH:
        return [rf"\left{left}" + " ".join(tokens) + rf"\right{right}"]
    return [rf"\bigl{left}" + tokens[0], *tokens[1:-1], tokens[-1] + rf"\bigr{right}"]


def tokens(expr, gens, p: ExactLatex) -> list[str]:
    """LaTeX pieces of ``expr`` between which a line may break (joined by spaces)."""
    num, den = sp.fraction(expr)
    if den != 1:
        top = tokens(num, gens, p)
        whole = " ".join(top)
        if visible_width(whole) + visible_width(p.doprint(den)) <= LINE_WIDTH:
            return [rf"\frac{{{whole}}}{{{p.doprint(den)}}}"]
        return [rf"\frac{{1}}{{{p.doprint(den)}}}" + t for t in _group(top, "(", ")")[:1]] \
            + _group(top, "(", ")")[1:]
    if expr.is_Add:
        return _sum_tokens(expr, gens, p)
    if expr.is_Mul:
        return _product_tokens(expr, gens, p)
    return [p.doprint(expr)]


def _product_tokens(expr, gens, p: ExactLatex) -> list[str]:
    """A product: number, eta, other symbols, then parameters, then each sum in parentheses."""
    coeff, factors = expr.as_coeff_mul()
    eta = sp.Symbol("eta")

    def rank(f):
        return (0 if f.has(eta) else 2 if any(f.has(g) for g in gens) else 1, sp.default_sort_key(f))

    plain = sorted((f for f in factors if not f.as_base_exp()[0].is_Add), key=rank)
    head = "" if coeff == 1 else "-" if coeff == -1 else p.doprint(coeff) + " "
    head += " ".join(p.doprint(f) for f in plain)
    parts = []
    for f in factors:
        base, e = f.as_base_exp()
        if base.is_Add:
            grp = _group(_sum_tokens(base, gens, p), "(", ")")
            parts.append(grp[:-1] + [grp[-1] + ("" if e == 1 else f"^{{{p.doprint(e)}}}")])
    parts.sort(key=len)
    out = [head.strip()] if head.strip() else []
    for grp in parts:
        if out and len(grp) == 1:
            out[-1] += " " + grp[0]
        elif out:
            out[-1] += " " + grp[0]
            out += grp[1:]
        else:
            out = list(grp)
    return out or ["1"]


def broken_lines(pieces: list[str], first: int = 0, width: int = LINE_WIDTH) -> list[str]:
    """Pack pieces greedily into lines of at most ``width`` visible characters.

    ``first`` is the width already taken on the first line (the left-hand side).
    """
    lines, cur, used = [], [], first
    for piece in pieces:
        w = visible_width(piece)
        if cur and used + w > width:
            lines.append(" ".join(cur))
            cur, used = [], 6
        cur.append(piece)
        used += w + 1
    if cur:
        lines.append(" ".join(cur))
    return lines


def summary_row(lhs: str, ops: list[int]) -> str:
    """An ``align*`` row standing for expressions too large to print."""
    what = (f"exact expression with {ops[0]} operations" if len(ops) == 1 else
            f"{len(ops)} exact expressions with {min(ops)} to {max(ops)} operations")
    return rf"{lhs} &= \text{{({what}; see \texttt{{--json}})}}"


def align_rows(lhs: str, expr, game, p: ExactLatex) -> str:
    """``lhs &= ...`` rows for an ``align*``, the right side grouped and broken."""
    ops = se.count_ops(engine.to_engine(expr))
    if ops > MAX_PRINTED_OPS:
        return summary_row(lhs, [ops])
    e = grouped(expr, game)
    gens = list(game.parameters) + list(sigma_symbols(game).values())
    lines = broken_lines(tokens(e, gens, p), first=visible_width(lhs))
    return f"{lhs} &= " + " \\\\\n  &\\qquad ".join(lines)
