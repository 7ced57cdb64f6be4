r"""The decomposition of a network game by edge templates, for the report.

On a directed edge i -> j with payoff matrix P = A_ij the templates of
:mod:`eqselect.theory.network.templates` are written in phi_i, phi_j:

    a = grad_{phi_i} u,  b = grad_{phi_j} u,  h = Hess_{phi_i phi_i} u,
    c = d^2 u / d phi_i d phi_j,     u = pi(phi_i)^T P pi(phi_j),

exact, with P the edge game's payoffs (row end: P = row; column end:
P = column^T; both the same matrix in a symmetric edge game). The N-agent
terms are the sums over neighbours of docs/networks.md.
"""

from __future__ import annotations

import sympy as sp

from eqselect.theory.latex import escape_latex
from eqselect.theory.network.templates import edge_templates

TEMPLATES = ("a", "b", "h", "c")
PHI_I, PHI_J = sp.Symbol("phi_i"), sp.Symbol("phi_j")


def orientations(net) -> dict:
    """The payoff matrices P = A_ij an edge's end can hold: ``{"row end": P, ...}``;
    one entry when both ends hold the same matrix, none when payoffs differ per edge."""
    if not net.shared or not net.pairs:
        return {}
    row, col_t = net.pairs[0]
    if sp.Matrix(row) == sp.Matrix(col_t):
        return {"either end": row}
    return {"row end": row, "column end": col_t}


def _phis(d: int) -> tuple:
    if d == 1:
        return (PHI_I,), (PHI_J,)
    return (tuple(sp.Symbol(f"phi_i{k}") for k in range(d)),
            tuple(sp.Symbol(f"phi_j{k}") for k in range(d)))


def edge_terms(net, matrix) -> dict:
    """The templates a, b, h, c with P = ``matrix``, in phi_i and phi_j, factored."""
    tpl = edge_templates(net.parameterization, net.actions)
    xi, yj = _phis(net.dim)
    at = tpl.at(xi, yj, matrix)
    return {name: at[name].applyfunc(lambda e: sp.factor(sp.cancel(e))) for name in TEMPLATES}


def generic_terms(net) -> dict:
    """The templates with P left as the placeholders P_rs (payoffs given per edge)."""
    tpl = edge_templates(net.parameterization, net.actions)
    xi, yj = _phis(net.dim)
    m = net.actions
    names = sp.Matrix(m, m, lambda r, s: sp.Symbol(f"P_{r}{s}"))
    sub = {**dict(zip(tpl.x, xi)), **dict(zip(tpl.y, yj)),
           **{tpl.payoff[r, s]: names[r, s] for r in range(m) for s in range(m)}}
    return {name: getattr(tpl, name).xreplace(sub).applyfunc(sp.factor) for name in TEMPLATES}


def edge_terms_json(net) -> dict:
    """Every orientation's templates as sympy strings (``generic`` for per-edge payoffs)."""
    table = {k: edge_terms(net, p) for k, p in orientations(net).items()} or {
        "generic": generic_terms(net)}
    return {k: {name: [[str(e) for e in row] for row in mat.tolist()]
                for name, mat in terms.items()} for k, terms in table.items()}


def _latex(e) -> str:
    return sp.latex(e, symbol_names={PHI_I: r"\phi_i", PHI_J: r"\phi_j"})


def payoff_table_latex(net) -> str:
    """The edge game as a bimatrix: row end's payoff, column end's payoff."""
    if not net.shared:
        distinct = len({tuple(map(tuple, p)) for p in net.pairs})
        return (f"Payoffs are given edge by edge ({distinct} distinct pair(s) "
                r"$(A_{ij}, A_{ji})$ over the graph's edges).\par" + "\n")
    row, col_t = net.pairs[0]
    m = net.actions
    names = [escape_latex(n) for n in (net.action_names or [str(a) for a in range(m)])]
    head = " & " + " & ".join(names) + r" \\ \hline"
    body = "\n".join(f"{names[r]} & " + " & ".join(
        f"${_latex(row[r][s])},\\ {_latex(col_t[s][r])}$" for s in range(m)) + r" \\"
                     for r in range(m))
    return ("The edge game every edge $\\{u, v\\}$ plays ($u$ chooses the row, $v$ the column; "
            "each cell: $u$'s payoff, $v$'s payoff):\n\\begin{center}\\begin{tabular}{l"
            + "c" * m + "}\n" + head + "\n" + body + "\n\\end{tabular}\\end{center}\n")


def templates_latex(net) -> str:
    """The templates of each orientation as display equations."""
    table = {k: edge_terms(net, p) for k, p in orientations(net).items()}
    if not table:
        table = {"every edge, $P = A_{ij}$ of that edge": generic_terms(net)}
    parts = []
    for where, terms in table.items():
        label = escape_latex(where) if "$" not in where else where
        rows = [rf"{name}(\phi_i, \phi_j) &= {_latex(_scalar(mat))}" for name, mat in
                terms.items()]
        parts.append(f"\\paragraph{{Templates, {label}.}}\n"
                     "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n")
    return "".join(parts)


def _scalar(mat):
    return mat[0, 0] if mat.shape == (1, 1) else mat


ASSEMBLY = r"""The $N$-agent terms are sums over neighbours (docs/networks.md), with
$a_{ij} = a(\phi_i, \phi_j)$ on the directed edge $i \to j$ (its $P = A_{ij}$), and
$g_i = \sum_{j \in N(i)} a_{ij}$, $H_i = \sum_{j \in N(i)} h_{ij}$:
\begin{align*}
\mathrm{cur}_i &= g_i, &
\mathrm{own}_i &= \eta\, H_i^{\top} g_i, \\
\mathrm{peer}_i &= \eta \sum_{j \in N(i)} c_{ji}^{\top} b_{ij}, &
\mathrm{la}_i &= \eta \sum_{j \in N(i)} c_{ij}\, g_j,
\end{align*}
because $\nabla_{\phi_j} J_i = b_{ij}$ and $D_{ij} = \partial g_j / \partial \phi_i = c_{ji}$
vanish unless $i$ and $j$ are neighbours. These are exactly the terms of the general
$N$-player derivation (checked term by term on graphs of 3 to 6 agents).
"""


def decomposition_latex(net) -> str:
    """The edge game, its templates and the assembly over neighbours."""
    u = r"u(\phi_i, \phi_j) = \pi(\phi_i)^{\top} P\, \pi(\phi_j)"
    intro = (f"On a directed edge $i \\to j$ agent $i$ receives ${u}$ with $P = A_{{ij}}$ "
             f"({escape_latex(net.parameterization)} parameterisation, {net.actions} actions "
             "per agent). The edge templates, derived once for the edge game and exact: "
             r"$a = \nabla_{\phi_i} u$, $b = \nabla_{\phi_j} u$, "
             r"$h = \nabla^2_{\phi_i\phi_i} u$, $c = \partial^2 u / \partial \phi_i "
             r"\partial \phi_j$." + "\n")
    return payoff_table_latex(net) + intro + templates_latex(net) + ASSEMBLY


__all__ = ["decomposition_latex", "edge_terms", "edge_terms_json", "generic_terms",
           "orientations"]
