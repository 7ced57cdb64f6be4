"""Paper-ready LaTeX of a decomposition: the game, the values, every term.

Notation follows the paper: \\nabla_{\\phi_i} J_i for the current term,
\\mathrm{own}_i, \\mathrm{peer}_i and \\mathrm{la}_i with their defining
equations, \\eta for the inner learning rate.
"""

from __future__ import annotations

import re

import symengine as se
import sympy as sp

from eqselect.theory import engine

#: Expressions with more operations than this are summarised, not printed.
MAX_PRINTED_OPS = 400

_DEFINITIONS = {
    "cur": r"\nabla_{\phi_{%(i)s}} J_{%(i)s}",
    "own": r"\mathrm{own}_{%(i)s} = \eta\,\bigl(\nabla^2_{\phi_{%(i)s}\phi_{%(i)s}} J_{%(i)s}\bigr)^{\top}"
           r" \nabla_{\phi_{%(i)s}} J_{%(i)s}",
    "peer": r"\mathrm{peer}_{%(i)s} = \eta \sum_{j \neq %(i)s} D_{%(i)s j}^{\top} \nabla_{\phi_j} J_{%(i)s}",
    "lookahead": r"\mathrm{la}_{%(i)s} = \eta \sum_{j \neq %(i)s}"
                 r" \frac{\partial \nabla_{\phi_{%(i)s}} J_{%(i)s}}{\partial \phi_j} \nabla_{\phi_j} J_j",
}


def symbol_names(symbols) -> dict:
    """LaTeX names: theta1 -> \\theta_{1}, p1_0 -> p_{1,0}, eta -> \\eta."""
    out = {}
    for s in symbols:
        m = re.fullmatch(r"(theta|p)(\d+)(?:_(\d+))?", s.name)
        if m:
            stem = r"\theta" if m.group(1) == "theta" else "p"
            sub = m.group(2) + ("," + m.group(3) if m.group(3) else "")
            out[s] = f"{stem}_{{{sub}}}"
    return out


def expr_latex(expr, names: dict) -> str:
    """LaTeX of one expression, tidied, or a summary when it is too large.

    ``expr`` may be a sympy or a symengine expression. Its size is counted
    in symengine: sympy's traversal of the large shared expression trees of
    repeated games takes minutes.
    """
    ops = se.count_ops(engine.to_engine(expr))
    if ops > MAX_PRINTED_OPS:
        return rf"\text{{(exact expression with {ops} operations; see \texttt{{--json}})}}"
    return sp.latex(engine.tidy(engine.to_sympy(engine.to_engine(expr))), symbol_names=names)


def _vector_latex(exprs, names) -> str:
    if len(exprs) == 1:
        return expr_latex(exprs[0], names)
    rows = r" \\ ".join(expr_latex(e, names) for e in exprs)
    return r"\begin{pmatrix} " + rows + r" \end{pmatrix}"


def _payoffs_latex(game) -> str:
    if not game.payoffs or len(game.actions) != 2:
        return ""
    mats = []
    for i, table in enumerate(game.payoffs):
        body = r" \\ ".join(" & ".join(sp.latex(engine.to_sympy(x)) for x in row) for row in table)
        mats.append(rf"U_{{{i + 1}}} = \begin{{bmatrix}} {body} \end{{bmatrix}}")
    return r"\[ " + r", \qquad ".join(mats) + r" \]" + "\n"


def decomposition_latex(dec, standalone: bool = False) -> str:
    """LaTeX for the game, its values and each agent's cur, own, peer, la.

    Parameters
    ----------
    dec : Decomposition
    standalone : bool
        Wrap in a complete ``article`` document that compiles with pdflatex.
    """
    game = dec.game
    names = symbol_names(game.parameters)
    params = ", ".join(sp.latex(s, symbol_names=names) for s in game.parameters)
    eta = sp.latex(dec.eta)
    lines = [
        rf"\paragraph{{Game.}} {escape_latex(game.description or game.name)}; "
        rf"parameterisation: {game.parameterization}; parameters $\phi = ({params})$; "
        rf"inner learning rate $\eta = {eta}$." if dec.eta != sp.Symbol("eta") else
        rf"\paragraph{{Game.}} {escape_latex(game.description or game.name)}; "
        rf"parameterisation: {game.parameterization}; parameters $\phi = ({params})$.",
        _payoffs_latex(game),
        r"\paragraph{Values.}",
        r"\begin{align*}",
        " \\\\\n".join(rf"J_{{{i + 1}}} &= {expr_latex(v, names)}"
                       for i, v in enumerate(game.values)),
        r"\end{align*}",
    ]
    for i, block in enumerate(game.slices):
        lines += [rf"\paragraph{{Agent {i + 1}.}}", r"\begin{align*}"]
        rows = []
        for name, template in _DEFINITIONS.items():
            exprs = dec._parts[name][block]
            rows.append(template % {"i": i + 1} + " &= " + _vector_latex(exprs, names))
        lines += [" \\\\\n".join(rows), r"\end{align*}"]
    body = "\n".join(line for line in lines if line)
    if not standalone:
        return body + "\n"
    return ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
            "\\usepackage[margin=2cm]{geometry}\n\\begin{document}\n"
            f"\\section*{{The own/peer decomposition of {escape_latex(game.name)}}}\n"
            + body + "\n\\end{document}\n")


#: Every character LaTeX treats specially, and what prints it literally.
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$",
    "%": r"\%", "&": r"\&", "_": r"\_", "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
    "|": r"\textbar{}",
}


def escape_latex(text: str) -> str:
    r"""Plain text made safe for LaTeX: it prints literally and runs nothing.

    The ten special characters (``# $ % & ~ _ ^ \ { }``) and ``< > |``
    become the commands that print them; line breaks, tabs and other control
    characters become one space (a blank line would end a paragraph inside a
    command's argument); accented letters lose their accents and any other
    non-ASCII character becomes ``?``, since pdflatex without extra packages
    stops at characters its fonts lack.

    Examples
    --------
    >>> print(escape_latex(r"a_b \input{x} ~^"))
    a\_b \textbackslash{}input\{x\} \textasciitilde{}\textasciicircum{}
    """
    import unicodedata

    if not isinstance(text, str):
        text = str(text)
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c if c.isascii() else "?" for c in decomposed
                         if not unicodedata.combining(c))
    out = []
    for ch in ascii_text:
        if ch in _LATEX_SPECIALS:
            out.append(_LATEX_SPECIALS[ch])
        elif ch.isspace() or not ch.isprintable():
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(ch)
    return "".join(out).strip()
