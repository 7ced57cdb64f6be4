r"""The printer of exact numbers in LaTeX, as a paper writes them.

`ExactLatex` writes every exact number: ``\log 2`` (not
``\log{\left(2 \right)}``), ``\frac{\sqrt{3}}{2}``, and algebraic numbers
given as ``CRootOf`` as a decimal with a mark whose defining polynomial
`RootNotes` lists (in a footnote or an appendix). `number_latex` and
`point_latex` print one number and one point with it. The closed forms
(:mod:`eqselect.theory.closed_forms`) and the decomposition
(:mod:`eqselect.theory.latex`) are printed with it.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter

from eqselect.theory import engine


class RootNotes:
    """Marks for algebraic numbers printed as decimals, and their polynomials.

    Each distinct ``CRootOf`` gets a letter (a, b, ...); `latex_list` gives
    the notes, one item per root, for a footnote or an appendix.
    """

    def __init__(self):
        self.roots: list = []

    def mark(self, root) -> str:
        """The letter of ``root`` (a new root gets the next letter)."""
        if root not in self.roots:
            self.roots.append(root)
        return _letter(self.roots.index(root))

    def latex_list(self) -> str:
        """A ``description`` list of every marked root with its defining polynomial."""
        if not self.roots:
            return ""
        x = sp.Symbol("x")
        items = []
        for k, r in enumerate(self.roots):
            poly = r.expr.subs(next(iter(r.expr.free_symbols)), x) if r.expr.free_symbols \
                else r.expr
            items.append(rf"\item[({_letter(k)})] ${_decimal(r, 12)}\ldots$ is root {r.index} "
                         rf"of ${sp.latex(sp.expand(poly))} = 0$ (roots numbered from 0: the real "
                         "ones in increasing order, then the complex ones).")
        return "\\begin{description}\n" + "\n".join(items) + "\n\\end{description}\n"


def _letter(k: int) -> str:
    return chr(ord("a") + k % 26) + ("" if k < 26 else str(k // 26))


def _decimal(value, digits: int = 6) -> str:
    v = complex(sp.N(value, digits + 4))
    if v.imag == 0:
        return f"{v.real:.{digits}g}"
    sign = "+" if v.imag >= 0 else "-"
    return f"{v.real:.{digits}g} {sign} {abs(v.imag):.{digits}g}\\,i"


class ExactLatex(LatexPrinter):
    r"""sympy's LaTeX printer with log, roots of polynomials and names as a paper writes them.

    Parameters
    ----------
    names : dict, optional
        Symbol -> LaTeX name (see `symbol_names`).
    roots : RootNotes, optional
        Collects the ``CRootOf`` numbers printed; a fresh one by default.

    Examples
    --------
    >>> p = ExactLatex()
    >>> p.doprint(sp.log(2)), p.doprint(sp.sqrt(3) / 2)
    ('\\log 2', '\\frac{\\sqrt{3}}{2}')
    """

    def __init__(self, names: dict | None = None, roots: RootNotes | None = None):
        super().__init__({"symbol_names": names or {}})
        self.roots = roots if roots is not None else RootNotes()

    def _print_log(self, expr, exp=None):
        arg = expr.args[0]
        if (arg.is_Integer and arg > 0) or arg.is_Symbol:
            tex = rf"\log {self._print(arg)}"
        else:
            tex = rf"\log\left({self._print(arg)}\right)"
        return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"

    def _print_ComplexRootOf(self, expr, exp=None):
        tex = rf"{_decimal(expr)}\ldots^{{({self.roots.mark(expr)})}}"
        return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"

    _print_CRootOf = _print_ComplexRootOf

    def _print_Pow(self, expr):
        # a marked root's power goes in parentheses: 1.32\ldots^{(a)}^{2} is a double
        # superscript, which LaTeX refuses
        root = expr.exp.is_Rational and abs(expr.exp.p) == 1 and expr.exp.q > 1  # \sqrt
        if isinstance(expr.base, sp.CRootOf) and not root:
            if expr.exp.is_negative:
                return rf"\frac{{1}}{{{self._print(expr.base ** -expr.exp)}}}"
            return self._print_ComplexRootOf(expr.base, self._print(expr.exp))
        return super()._print_Pow(expr)


def number_latex(value, roots: RootNotes | None = None) -> str:
    r"""LaTeX of one exact number (sympy number, int, Fraction or float).

    Examples
    --------
    >>> number_latex(sp.Rational(2, 3)), number_latex(sp.log(2))
    ('\\frac{2}{3}', '\\log 2')
    >>> number_latex(sp.CRootOf(132 * sp.Symbol("x")**3 - 20 * sp.Symbol("x")**2 - 15, 0))
    '0.540498\\ldots^{(a)}'
    """
    value = sp.Float(value) if isinstance(value, float) else engine.to_sympy(value)
    return ExactLatex(roots=roots).doprint(value)


def point_latex(coords, roots: RootNotes | None = None) -> str:
    r"""LaTeX of a point, e.g. ``\left(\log 2, \log 2\right)``."""
    return r"\left(" + ", ".join(number_latex(c, roots) for c in coords) + r"\right)"
