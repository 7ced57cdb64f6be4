r"""Paper-ready LaTeX: the game and the decomposition term by term.

Every exact number is written by one printer, `ExactLatex`
(:mod:`eqselect.theory.latex_printer`), which marks algebraic numbers and
lists their polynomials in `RootNotes`.

Closed forms are grouped and broken over lines by
:mod:`eqselect.theory.closed_forms`; `term_latex` gives one term of the
decomposition for one agent and `decomposition_latex` all of them. Notation
(docs/theory.md): cur_i = nabla_{phi_i} J_i and own_i, peer_i, la_i with
their defining equations; eta the inner learning rate.
"""

from __future__ import annotations

import re

import symengine as se
import sympy as sp

from eqselect.theory import engine
from eqselect.theory.closed_forms import (
    MAX_PRINTED_OPS, align_rows, grouped, s_applies, sigma_symbols, summary_row, tokens)
from eqselect.theory.latex_printer import ExactLatex, RootNotes


#: LaTeX name and defining equation (for agent i) of each term.
TERMS = {
    "cur": (r"\mathrm{cur}", r"\nabla_{\phi_i} J_i"),
    "own": (r"\mathrm{own}", r"\eta\,\bigl(\nabla^2_{\phi_i\phi_i} J_i\bigr)^{\top}"
            r" \nabla_{\phi_i} J_i"),
    "peer": (r"\mathrm{peer}", r"\eta \sum_{j \neq i} D_{ij}^{\top} \nabla_{\phi_j} J_i"),
    "lookahead": (r"\mathrm{la}", r"\eta \sum_{j \neq i} \frac{\partial \nabla_{\phi_i}"
                  r" J_i}{\partial \phi_j} \nabla_{\phi_j} J_j"),
}


def symbol_names(symbols) -> dict:
    r"""LaTeX names: theta1 -> \theta_{1}, p1_0 -> p_{1,0}, sigma_theta1 -> \sigma_{1}."""
    out = {}
    for s in symbols:
        m = re.fullmatch(r"(sigma_theta|theta|p)(\d+)(?:_(\d+))?", s.name)
        if m:
            stem = {"theta": r"\theta", "p": "p", "sigma_theta": r"\sigma"}[m.group(1)]
            sub = m.group(2) + ("," + m.group(3) if m.group(3) else "")
            out[s] = f"{stem}_{{{sub}}}"
        elif s.name == "eta":
            out[s] = r"\eta"
    return out


def latex_names(game) -> dict:
    """LaTeX names of a game's parameters, their sigma_i and eta."""
    syms = list(game.parameters) + list(sigma_symbols(game).values()) + [sp.Symbol("eta")]
    return symbol_names(syms)


# -- the decomposition -------------------------------------------------------------
#: Preamble of every standalone document eqselect writes (pdflatex).
PREAMBLE = ("\\documentclass[10pt]{article}\n"
            "\\usepackage{amsmath,amssymb}\n\\usepackage[a4paper,margin=2cm]{geometry}\n"
            "\\allowdisplaybreaks\n")


def term_lhs(term: str, agent: int, game, coordinate: int | None = None) -> str:
    r"""LaTeX name of agent ``agent``'s (0-based) term, e.g. ``\mathrm{peer}_{1}``.

    With several parameters per agent, ``coordinate`` (0-based within the
    agent) picks one: ``\bigl[\mathrm{peer}_{1}\bigr]_{\theta_{1,0}}``.
    """
    name = rf"{TERMS[term][0]}_{{{agent + 1}}}"
    block = game.parameters[game.slices[agent]]
    if coordinate is None or len(block) == 1:
        return name
    sym = symbol_names([block[coordinate]]).get(block[coordinate], sp.latex(block[coordinate]))
    return rf"\bigl[{name}\bigr]_{{{sym}}}"


def term_latex(dec, term: str, agent: int, *, roots: RootNotes | None = None) -> str:
    r"""LaTeX of one term of the decomposition for one agent (0-based), grouped.

    A single expression for one-parameter agents, a column vector
    (``pmatrix``) otherwise; math mode, without delimiters.

    Examples
    --------
    >>> from eqselect.theory import builtin, Decomposition
    >>> dec = Decomposition(builtin("stag-hunt", "direct", symbolic=True))
    >>> term_latex(dec, "peer", 0)
    '\\eta S \\left(S p_{1} + \\left(c - d\\right)\\right)'
    """
    if term not in TERMS:
        raise ValueError(f"unknown term {term!r}; valid: {', '.join(TERMS)}")
    game = dec.game
    p = ExactLatex(latex_names(game), roots)
    gens = list(game.parameters) + list(sigma_symbols(game).values())
    rows = []
    for e in dec.term_engine(term)[game.slices[agent]]:  # engine form: sized before converting
        ops = se.count_ops(e)
        rows.append(rf"\text{{({ops} operations)}}" if ops > MAX_PRINTED_OPS
                    else " ".join(tokens(grouped(e, game), gens, p)))
    return rows[0] if len(rows) == 1 else r"\begin{pmatrix} " + r" \\ ".join(rows) + \
        r" \end{pmatrix}"


def payoffs_latex(game, p: ExactLatex) -> str:
    """The payoff tables: matrices for two players, a table of profiles for more."""
    if not game.payoffs:
        return ""
    if game.n_agents == 2:
        mats = []
        for i, table in enumerate(game.payoffs):
            body = r" \\ ".join(" & ".join(p.doprint(engine.to_sympy(x)) for x in row) for row in table)
            mats.append(rf"U_{{{i + 1}}} = \begin{{bmatrix}} {body} \end{{bmatrix}}")
        return r"\[ " + r", \qquad ".join(mats) + r" \]" + "\n"
    import itertools

    n = game.n_agents
    head = " & ".join(rf"$a_{{{i + 1}}}$" for i in range(n)) + " & " + " & ".join(
        rf"$U_{{{i + 1}}}$" for i in range(n))
    rows = []
    for profile in itertools.product(*(range(m) for m in game.actions)):
        vals = []
        for table in game.payoffs:
            for k in profile:
                table = table[k]
            vals.append(f"${p.doprint(engine.to_sympy(table))}$")
        rows.append(" & ".join(str(k + 1) for k in profile) + " & " + " & ".join(vals) + r" \\")
    return ("\\begin{center}\\small\n\\begin{tabular}{" + "c" * n + "|" + "r" * n + "}\n"
            + head + " \\\\\n\\hline\n" + "\n".join(rows) + "\n\\end{tabular}\n\\end{center}\n")


def _game_paragraph(dec, p: ExactLatex) -> str:
    game = dec.game
    params = ", ".join(p.doprint(s) for s in game.parameters)
    text = (rf"\paragraph{{Game.}} {escape_latex(game.description or game.name)}; "
            rf"parameterisation: {escape_latex(game.parameterization)}; parameters "
            rf"$\phi = ({params})$")
    if sigma_symbols(game):
        text += r", written through $\sigma_i = \sigma(\theta_i) = 1/(1 + e^{-\theta_i})$"
    if dec.eta != sp.Symbol("eta"):
        text += rf"; inner learning rate $\eta = {p.doprint(dec.eta)}$"
    text += ".\n"
    if s_applies(game):
        text += r"Closed forms use $S = a - b - c + d$." + "\n"
    return text + payoffs_latex(game, p)


def decomposition_latex(dec, standalone: bool = False, roots: RootNotes | None = None) -> str:
    """LaTeX for the game, its values and each agent's cur, own, peer, la, grouped and broken.

    Parameters
    ----------
    dec : Decomposition
    standalone : bool
        Wrap in a complete ``article`` document that compiles with pdflatex.
    roots : RootNotes, optional
        Collects algebraic numbers printed as decimals (a report lists them).
    """
    game = dec.game
    p = ExactLatex(latex_names(game), roots)
    lines = [_game_paragraph(dec, p), r"\paragraph{Values.}", r"\begin{align*}",
             " \\\\\n".join(align_rows(rf"J_{{{i + 1}}}", v, game, p)
                            for i, v in enumerate(game.values)),
             r"\end{align*}", r"\paragraph{Terms.} For each agent $i$:", r"\begin{align*}",
             " \\\\\n".join(rf"{name}_i &= {rhs}" for name, rhs in TERMS.values()),
             r"\end{align*}"]
    for i, block in enumerate(game.slices):
        rows = []
        for term in TERMS:
            exprs = dec.term_engine(term)[block]
            ops = [se.count_ops(engine.to_engine(e)) for e in exprs]
            if len(exprs) > 1 and min(ops) > MAX_PRINTED_OPS:
                rows.append(summary_row(term_lhs(term, i, game), ops))
                continue
            rows += [align_rows(term_lhs(term, i, game, k), e, game, p)
                     for k, e in enumerate(exprs)]
        lines += [rf"\paragraph{{Agent {i + 1}.}}", r"\begin{align*}", " \\\\\n".join(rows),
                  r"\end{align*}"]
    body = "\n".join(line for line in lines if line) + "\n"
    if not standalone:
        return body
    return (PREAMBLE + "\\begin{document}\n"
            f"\\section*{{The own/peer decomposition of {escape_latex(game.name)}}}\n"
            + body + "\\end{document}\n")


#: Every character LaTeX treats specially, and what prints it literally.
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$",
    "%": r"\%", "&": r"\&", "_": r"\_", "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
    "|": r"\textbar{}", '"': r'\texttt{"}', "`": r"\textasciigrave{}",
}
#: Characters that form a ligature with an equal neighbour (``--`` an en dash,
#: ``''`` a closing quote); an empty group between the two keeps them apart.
_LIGATURE_HALVES = "-'"


def escape_latex(text: str) -> str:
    r"""Plain text made safe for LaTeX: it prints literally and runs nothing.

    The ten special characters (``# $ % & ~ _ ^ \ { }``) and ``< > | " ` ``
    become the commands that print them; ``--`` and ``''`` are kept from
    becoming a dash or a closing quote (``--param`` prints as typed); line
    breaks, tabs and other control characters become one space (a blank line
    would end a paragraph inside a command's argument); accented letters lose their accents and any other
    non-ASCII character becomes ``?``, since pdflatex without extra packages
    stops at characters its fonts lack.

    Examples
    --------
    >>> print(escape_latex(r"a_b \input{x} ~^"))
    a\_b \textbackslash{}input\{x\} \textasciitilde{}\textasciicircum{}
    >>> print(escape_latex("use --param direct"))
    use -{}-param direct
    """
    import unicodedata

    if not isinstance(text, str):
        text = str(text)
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c if c.isascii() else "?" for c in decomposed
                         if not unicodedata.combining(c))
    out = []
    for ch, after in zip(ascii_text, ascii_text[1:] + " "):
        if ch in _LATEX_SPECIALS:
            out.append(_LATEX_SPECIALS[ch])
        elif ch in _LIGATURE_HALVES and after == ch:
            out.append(ch + "{}")
        elif ch.isspace() or not ch.isprintable():
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(ch)
    return "".join(out).strip()
