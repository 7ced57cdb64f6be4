r"""The report's decomposition section: the game, its values and the four terms.

What is printed depends on the game, so that every page reads as a paper would:

- two-action games: each term in closed form, grouped, in
  :math:`\sigma_i` (logit) or :math:`p_i` (direct);
- softmax games with three or more actions: each term rewritten in the
  strategies :math:`\pi_{i,k}` (:mod:`eqselect.studies.report.strategy_form`);
- repeated games with a Markov chain (the IPD): the chain, the value
  :math:`V_i = q_0^{\top} (I - \gamma P)^{-1} r_i` and its derivatives,
  stated once, with the exact values of every term at the uniform policy
  (:mod:`eqselect.studies.report.markov_form`);
- an expression too large to print is summarised by its structure (the
  symbols it depends on, polynomial or rational, its degree and number of
  terms) and its operation count; ``eqselect report --full-terms`` prints it
  in full (in LaTeX up to `FULL_LATEX_OPS` operations, and every one of
  them in ``terms.txt``).

Notation (docs/theory.md, section 2): :math:`D_{ij} = \partial(\nabla_{\phi_j}
J_j)/\partial \phi_i`, the response of agent j's inner step to agent i's
parameters.
"""

from __future__ import annotations

import itertools

import symengine as se
import sympy as sp

from eqselect.theory import engine
from eqselect.theory.closed_forms import (
    broken_lines, grouped, sigma_symbols, tokens, visible_width)
from eqselect.theory.latex import TERMS, escape_latex, latex_names, term_lhs
from eqselect.theory.latex_printer import ExactLatex
from eqselect.studies.report import strategy_form

#: Largest expression printed in closed form by default (sympy operations).
PRINTED_OPS = 160
#: Largest expression printed in LaTeX under ``--full-terms``.
FULL_LATEX_OPS = 5000
#: Largest expression whose structure is computed with sympy's polynomials.
STRUCTURE_OPS = 2000


def player_label(game, i: int) -> str:
    """A player's name as text: ``Row``, or ``player 1`` for a default numeric name."""
    name = game.player_name(i)
    return escape_latex(f"player {name}" if name.isdigit() else name)


def players_sentence(game) -> str:
    """``Players: Row (agent 1; actions High, Mid, Safe); Column (...).``"""
    if not game.actions:
        return ""
    parts = [f"{player_label(game, i)} (agent {i + 1}; actions "
             + ", ".join(escape_latex(game.action_name(i, a)) for a in range(m)) + ")"
             for i, m in enumerate(game.actions)]
    return "Players: " + "; ".join(parts) + ".\n"


def payoff_table(game, p: ExactLatex) -> str:
    """The payoffs by action names: a bimatrix for two players, a profile list for more."""
    if not game.payoffs:
        return ""
    num = lambda x: p.doprint(engine.to_sympy(x))
    names = lambda i: [escape_latex(game.action_name(i, a)) for a in range(game.actions[i])]
    if game.n_agents == 2:
        cols = names(1)
        head = (f"{player_label(game, 0)} $\\backslash$ {player_label(game, 1)} & "
                + " & ".join(cols) + r" \\")
        rows = [f"{r} & " + " & ".join(f"${num(game.payoffs[0][a][b])}, {num(game.payoffs[1][a][b])}$"
                                       for b in range(len(cols))) + r" \\"
                for a, r in enumerate(names(0))]
        spec = "l" + "c" * len(cols)
    else:
        head = (" & ".join(player_label(game, i) for i in range(game.n_agents))
                + " & " + " & ".join(f"$u_{{{i + 1}}}$" for i in range(game.n_agents)) + r" \\")
        rows = []
        for prof in itertools.product(*(range(m) for m in game.actions)):
            vals = []
            for table in game.payoffs:
                for k in prof:
                    table = table[k]
                vals.append(f"${num(table)}$")
            rows.append(" & ".join(escape_latex(game.action_name(i, a)) for i, a in
                                   enumerate(prof)) + " & " + " & ".join(vals) + r" \\")
        spec = "l" * game.n_agents + "r" * game.n_agents
    what = "stage-game payoffs" if game.states > 1 else "payoffs"
    return (f"The {what} $u_i$ (each cell: " + ", ".join(f"$u_{{{i + 1}}}$" for i in
                                                         range(game.n_agents)) + "):\n"
            "\\begin{center}\\small\n\\begin{tabular}{" + spec + "}\n\\toprule\n" + head
            + "\n\\midrule\n" + "\n".join(rows) + "\n\\bottomrule\n\\end{tabular}\n"
            "\\end{center}\n")


def notation_paragraph(rep, p: ExactLatex) -> str:
    """Parameters, how the strategies are written, eta: every symbol the terms use."""
    game = rep.symbolic.game
    params = "$, $".join(p.doprint(s) for s in game.parameters)  # a break between any two
    text = (rf"\paragraph{{Game.}} {escape_latex(game.description or game.name)}. "
            + players_sentence(game)
            + f"Parameterisation: {escape_latex(game.parameterization)}; parameters "
            + r"$\phi = (" + params + ")$.")
    if game.states > 1:
        text += " Each agent has one parameter per state (see the Markov form below)."
    elif strategy_form.applies(game):
        text += (r" Agent $i$'s actions are numbered $k = 0, \dots, m_i - 1$ in the order "
                 r"listed; it plays action $k < m_i - 1$ with probability "
                 r"$\pi_{i,k} = e^{\theta_{i,k}} / (1 + \sum_l e^{\theta_{i,l}})$ and its last "
                 r"action with $\pi_{i,m_i-1} = 1 / (1 + \sum_l e^{\theta_{i,l}})$; the values "
                 r"and terms below are written in the $\pi_{i,k}$ (with $\sum_k \pi_{i,k} = 1$), "
                 r"using $e^{\theta_{i,k}} = \pi_{i,k} / \pi_{i,m_i-1}$.")
    elif sigma_symbols(game):
        text += (r" Agent $i$ plays its first action with probability "
                 r"$\sigma_i = 1/(1 + e^{-\theta_i})$.")
    elif game.parameterization == "direct" and game.actions:
        text += " Each parameter is the probability of the action it names."
    if game.payoff_symbols:
        text += (" Payoff symbols: " + ", ".join(f"${p.doprint(s)}$" for s in game.free_symbols)
                 + " (their values are stated under Settings).")
    text += (r" The inner learning rate is the symbol $\eta$ in the closed forms; "
             r"$D_{ij} = \partial(\nabla_{\phi_j} J_j)/\partial\phi_i$ is the $d_j \times d_i$ "
             r"matrix of how agent $j$'s inner step responds to agent $i$'s parameters.")
    return text + "\n" + payoff_table(game, p)


def definitions_latex() -> str:
    """The four terms' defining equations, once."""
    return ("\\paragraph{Terms.} For each agent $i$ (docs/theory.md, section 2):\n"
            "\\begin{align*}\n" + " \\\\\n".join(rf"{name}_i &= {rhs}"
                                                 for name, rhs in TERMS.values())
            + "\n\\end{align*}\n")


def _ops(expr) -> int:
    """sympy's operation count, taken on the engine form (cheap on huge expressions)."""
    return int(se.count_ops(engine.to_engine(expr)))


def structure_text(exprs, p: ExactLatex, coefficients=()) -> str:
    """What expressions are, in LaTeX text: polynomial or rational, degree, number of
    terms, and the variables (every free symbol but the ``coefficients``)."""
    syms = sorted({engine.to_sympy(s) for e in exprs for s in engine.to_engine(e).free_symbols}
                  - set(coefficients), key=str)
    shown = ", ".join(f"${p.doprint(s)}$" for s in syms[:4]) + (", ..." if len(syms) > 4 else "")
    where = f"the {len(syms)} variables {shown}" if len(syms) > 1 else shown
    if max(_ops(e) for e in exprs) > STRUCTURE_OPS:
        return f"functions of {where}"
    kinds = set()
    for e in exprs:
        num, den = sp.fraction(sp.together(engine.to_sympy(e)))
        try:
            pn, pd = sp.Poly(num, *syms), sp.Poly(den, *syms)
        except sp.PolynomialError:
            return f"functions of {where}"
        kinds.add(f"polynomials of degree {pn.total_degree()} with up to "
                  f"{len(pn.terms())} terms" if pd.total_degree() == 0 else
                  f"ratios of polynomials of degrees {pn.total_degree()} and "
                  f"{pd.total_degree()}")
    return "; ".join(sorted(kinds)) + f" in {where}"


def summary_row(lhs: str, exprs, p: ExactLatex, full: bool, coefficients=()) -> str:
    """An ``align*`` row standing for expressions too large to print."""
    ops = [_ops(e) for e in exprs]
    count = (f"{ops[0]} operations" if len(ops) == 1 else
             f"{len(ops)} components, {min(ops)} to {max(ops)} operations")
    where = (r"in full in \texttt{terms.txt}" if full else
             r"printed in full by \texttt{eqselect report -{}-full-terms}")
    return (rf"{lhs} &= \text{{\parbox[t]{{12.5cm}}{{\raggedright "
            rf"{structure_text(exprs, p, coefficients)}; {count}; {where}}}}}")


def expression_rows(lhs: str, expr, game, p: ExactLatex) -> str:
    """``lhs &= ...`` rows, the right side grouped and broken over lines."""
    e = engine.to_sympy(expr)
    gens = list(game.parameters) + list(sigma_symbols(game).values())
    if sp.count_ops(e) <= 250:
        e = grouped(e, game)
    pis = [x for block in strategy_form.strategy_symbols(game) for x in block] \
        if strategy_form.applies(game) else []
    pieces = tokens(e, gens + pis, p)
    lines = broken_lines(pieces, first=visible_width(lhs))
    return f"{lhs} &= " + " \\\\\n  &\\qquad ".join(lines)


def term_rows(lhs_of, exprs, game, p: ExactLatex, full: bool) -> list[str]:
    """Rows of one term (one per coordinate), or one summary row when they are large.

    ``lhs_of(k)`` is the left side of coordinate k.
    """
    limit = FULL_LATEX_OPS if full else PRINTED_OPS
    if max(_ops(e) for e in exprs) > limit:
        coefficients = set(game.free_symbols) | {sp.Symbol("eta")}
        return [summary_row(lhs_of(None), exprs, p, full, coefficients)]
    return [expression_rows(lhs_of(k), e, game, p) for k, e in enumerate(exprs)]


def _in_strategies(game, exprs, others):
    """The expressions written in pi (softmax, three or more actions), else as they are."""
    if not strategy_form.applies(game):
        return list(exprs)
    form = strategy_form.StrategyForm(game, others)
    out = []
    for e in exprs:
        try:
            out.append(form.rewrite(engine.to_sympy(e)))
        except strategy_form.NotRational:
            out.append(e)
    return out


def pi_names(game) -> dict:
    r"""LaTeX names of the strategy symbols: pi1_0 -> \pi_{1,0}."""
    return {s: rf"\pi_{{{i + 1},{k}}}" for i, block in
            enumerate(strategy_form.strategy_symbols(game)) for k, s in enumerate(block)}


def agents_latex(rep, roots, full: bool) -> str:
    """Values and terms, agent by agent, headed by the player's name."""
    dec = rep.symbolic
    game = dec.game
    p = ExactLatex({**latex_names(game), **pi_names(game)}, roots)
    others = sorted(set(game.free_symbols) | {sp.Symbol("eta")}, key=str)
    out = []
    for i, block in enumerate(game.slices):
        rows = term_rows(lambda k, i=i: f"J_{{{i + 1}}}",
                         _in_strategies(game, [game.values[i]], others), game, p, full)
        for term in TERMS:
            exprs = _in_strategies(game, dec.term_engine(term)[block], others)
            rows += term_rows(lambda k, t=term, i=i: term_lhs(t, i, game, k), exprs, game,
                              p, full)
        out += [rf"\paragraph{{Agent {i + 1} ({player_label(game, i)}).}}",
                "\\begin{align*}", " \\\\\n".join(rows), "\\end{align*}"]
    return "\n".join(out) + "\n"


def full_terms_text(dec) -> str:
    """Every value and term in full, as sympy text (``terms.txt`` of ``--full-terms``).

    Large games are written as common subexpressions ``x0 = ...`` first, then
    each value and term in them: the same expressions, exactly, in far less text.
    """
    doc = dec.to_json()
    lines = [f"# {dec.game.name} ({dec.game.parameterization}): values and terms, exact",
             f"# parameters: {', '.join(doc['parameters'])}"]
    lines += [f"{k} = {v}" for k, v in doc.get("subexpressions", [])]
    lines += [f"J_{i + 1} = {v}" for i, v in enumerate(doc["values"])]
    for term, exprs in doc["components"].items():
        lines += [f"{term}[{name}] = {e}" for name, e in zip(doc["parameters"], exprs)]
    return "\n".join(lines) + "\n"
