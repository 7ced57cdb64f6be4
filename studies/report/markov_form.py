r"""The decomposition of a memory-one repeated game (the IPD) in its Markov form.

The closed forms of the IPD's terms run to millions of operations; the code
does not print them but computes them from the outcome chain
(:mod:`eqselect.theory.games.ipd`, :mod:`eqselect.numerics.sources.chain_field`).
The report states that form once:

.. math::

    V_i = q_0^{\top} (I - \gamma P)^{-1} r_i, \qquad
    \partial V_i = \partial q_0^{\top} v_i + \gamma\, w^{\top} \partial P\, v_i,

with :math:`N = (I - \gamma P)^{-1}`, :math:`v_i = N r_i`,
:math:`w^{\top} = q_0^{\top} N`, and the second derivatives that the own,
peer and look-ahead terms contract; then it gives the exact value of every
term at the uniform policy (every cooperation probability 1/2), computed
from the exact closed forms.
"""

from __future__ import annotations

import symengine as se
import sympy as sp

from eqselect.theory import engine
from eqselect.theory.latex import TERMS
from eqselect.theory.latex_printer import ExactLatex
from eqselect.studies.report.terms import player_label

#: The outcome states after the start state, agent 1's action first.
OUTCOMES = ("CC", "CD", "DC", "DD")


def applies(game) -> bool:
    """True for games whose values come from an outcome Markov chain."""
    return game.structure is not None and hasattr(game.structure, "P")


def uniform_point(game) -> dict:
    """Parameters of the uniform policy: theta = 0 (logit) or p = 1/2 (direct)."""
    value = sp.Rational(1, 2) if game.parameterization == "direct" else sp.Integer(0)
    return {s: value for s in game.parameters}


def chain_latex(game, p: ExactLatex) -> str:
    """The chain: states, q_0, P, r_i, gamma, and the value in Markov form."""
    chain = game.structure
    x = r"\sigma(\theta_{i,s})" if game.parameterization == "logit" else "p_{i,s}"
    r = [", ".join(p.doprint(v) for v in reward) for reward in chain.rewards]
    states = ", ".join(OUTCOMES)
    text = (r"\paragraph{Markov form.} State $s = 0$ is the start; states $s = 1, \dots, 4$ "
            f"are the previous round's outcome {states} (agent 1's action first). Agent $i$ "
            rf"cooperates in state $s$ with probability $x_{{i,s}} = {x}$. With "
            r"$\rho(x, y) = (xy,\ x(1-y),\ (1-x)y,\ (1-x)(1-y))$, the first outcome is "
            r"distributed as $q_0 = \rho(x_{1,0}, x_{2,0})$ and row $k$ of the outcome "
            r"transition matrix $P$ is $\rho(x_{1,k}, x_{2,k})$; the payoff vectors over the "
            rf"outcomes are $r_1 = ({r[0]})^{{\top}}$ and $r_2 = ({r[1]})^{{\top}}$, and "
            rf"$\gamma = {p.doprint(chain.gamma)}$.")
    if chain.horizon is None:
        text += (r" The value, and its derivatives along parameters $\phi, \psi$ (with "
                 r"$N = (I - \gamma P)^{-1}$, $v_i = N r_i$, $w^{\top} = q_0^{\top} N$), are"
                 "\n\\begin{align*}\n"
                 r"V_i &= q_0^{\top} (I - \gamma P)^{-1} r_i, \\" "\n"
                 r"\partial_\phi V_i &= \partial_\phi q_0^{\top} v_i + \gamma\, w^{\top} "
                 r"\partial_\phi P\, v_i, \\" "\n"
                 r"\partial_\psi \partial_\phi V_i &= \partial_{\psi\phi} q_0^{\top} v_i "
                 r"+ \gamma \bigl(\partial_\phi q_0^{\top} N \partial_\psi P "
                 r"+ \partial_\psi q_0^{\top} N \partial_\phi P + w^{\top} "
                 r"\partial_{\psi\phi} P\bigr) v_i \\" "\n"
                 r"&\qquad + \gamma^2 w^{\top} \bigl(\partial_\phi P\, N \partial_\psi P "
                 r"+ \partial_\psi P\, N \partial_\phi P\bigr) v_i." "\n\\end{align*}\n")
    else:
        text += (rf" The value over {chain.horizon} rounds is "
                 r"$V_i = \sum_{t=0}^{H-1} \gamma^t q_0^{\top} P^t r_i$ "
                 rf"($H = {chain.horizon}$).\n")
    text += (r"The terms contract these derivatives as in their definitions: "
             r"$\mathrm{cur}_i = \nabla_{\phi_i} V_i$, the Hessian blocks of $V_i$ give "
             r"$\mathrm{own}_i$ and $\mathrm{la}_i$, and those of $V_j$ give "
             r"$D_{ij}$ in $\mathrm{peer}_i$. $V_i$ is the $J_i$ of the other sections." + "\n")
    return text


def state_name(game, k: int) -> str:
    """``theta_{1,s}`` with s named: start, CC, CD, DC, DD."""
    per = len(game.parameters) // game.n_agents
    agent, s = divmod(k, per)
    where = "start" if s == 0 else OUTCOMES[s - 1]
    return f"{player_label(game, agent)}, {where}"


def uniform_values_latex(rep, p: ExactLatex) -> str:
    """Every term's exact value at the uniform policy, one row per parameter."""
    dec = rep.numeric
    game = dec.game
    at = {engine.to_engine(s): engine.to_engine(v) for s, v in uniform_point(game).items()}
    value = lambda e: engine.to_sympy(se.expand(engine.to_engine(e).xreplace(at)))
    cols = {t: [value(e) for e in dec.term_engine(t)] for t in TERMS}
    names = [p.doprint(s) for s in game.parameters]
    rows = [f"${names[k]}$ & {state_name(game, k)} & "
            + " & ".join(rf"$\displaystyle {p.doprint(cols[t][k])}$" for t in TERMS) + r" \\"
            for k in range(len(names))]
    values = ", ".join(f"$V_{{{i + 1}}} = {p.doprint(value(v))}$"
                       for i, v in enumerate(game.values))
    where = (r"$\theta = 0$" if game.parameterization == "logit" else r"$p = 1/2$")
    return (f"At the uniform policy ({where}, every cooperation probability $1/2$): "
            f"{values}. The terms there, exact (with $\\eta$ at its value under Settings):\n"
            "\\begin{center}\\small\\renewcommand{\\arraystretch}{2}\n"
            "\\begin{tabular}{llrrrr}\n\\toprule\n"
            "parameter & player, state & " + " & ".join(f"${TERMS[t][0]}_i$" for t in TERMS)
            + r" \\" + "\n\\midrule\n" + "\n".join(rows)
            + "\n\\bottomrule\n\\end{tabular}\n\\end{center}\n")
