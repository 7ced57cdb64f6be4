r"""The network report as a LaTeX document, rendered from a `NetworkReport`.

The layout rules are those of :mod:`eqselect.studies.report.document`
(fixed-width tables that break across pages, figures in their section); a
number printed twice (a basin mass in a table and in a figure's legend) is
formatted by one function from one value.
"""

from __future__ import annotations

import numpy as np

from eqselect.theory.latex import PREAMBLE, escape_latex
from eqselect.studies.report.document import REPORT_PACKAGES, _figure, _float, _table
from eqselect.studies.report.network_figures import percent
from eqselect.studies.report.network_terms import decomposition_latex

#: Most distinct degrees listed one per row; more are grouped in ranges.
DEGREE_ROWS = 12


def _pct(x: float) -> str:
    return percent(x).replace("%", "\\%")


def settings_latex(rep) -> str:
    """The settings the numerics used: methods, eta, lambda, c, starts, payoff values."""
    o = rep.options
    b = o.base
    chosen = escape_latex(o.chosen) if o.chosen else "none"
    text = ("\\section*{Settings}\nMethods compared: "
            + ", ".join(escape_latex(m) for m in b.methods)
            + f"; the method whose selection effect, branches and verdicts are reported: "
            f"{chosen}. Numerics at inner learning rate $\\eta = {float(b.eta):g}$, shaping "
            f"coefficient $\\lambda = {float(b.lam):g}$, own-learning coefficient "
            f"$c_{{\\mathrm{{own}}}} = {float(b.own):g}$; basin maps from {o.samples} random "
            f"starts (seed {o.seed}), the paper's schedule for {b.steps} steps.")
    values = [f"${escape_latex(s.name)} = {v}$" for s, v in
              sorted(rep.net.payoff_symbols.items(), key=lambda kv: kv[0].name)]
    if values:
        text += " Payoff values substituted for the numerics: " + ", ".join(values) + "."
    text += "".join(f" {escape_latex(n)}" for n in b.notes)
    return text + "\n"


def _degree_rows(degrees: dict) -> list[str]:
    items = sorted(degrees.items())
    if len(items) > DEGREE_ROWS:  # group into ranges of equal width
        lo, hi = items[0][0], items[-1][0]
        edges = np.linspace(lo, hi + 1, DEGREE_ROWS + 1).astype(int)
        grouped = []
        for a, b in zip(edges[:-1], edges[1:]):
            count = sum(c for d, c in items if a <= d < b)
            if count:
                grouped.append((f"{a}--{b - 1}" if b - 1 > a else f"{a}", count))
        return [f"{d} & {c} \\\\" for d, c in grouped]
    return [f"{d} & {c} \\\\" for d, c in items]


def graph_latex(rep) -> str:
    """The graph in numbers, its degree distribution and (up to 200 agents) its drawing."""
    g = rep.graph
    seed = "" if g["seed"] is None else f", seed {g['seed']}"
    items = [f"graph \\texttt{{{escape_latex(g['spec'])}}} (family {escape_latex(g['family'])}"
             f"{seed})",
             f"{g['agents']} agents, {g['edges']} edges, {g['components']} connected "
             f"component(s)",
             f"degree: minimum {g['degree_min']}, mean {g['degree_mean']:.3f}, maximum "
             f"{g['degree_max']}" + (" (regular)" if g["regular"] else ""),
             f"average clustering coefficient {g['clustering']:.4f}, transitivity "
             f"{g['transitivity']:.4f}"]
    body = ("\\section*{The graph}\n\\begin{itemize}\n"
            + "\n".join(f"\\item {i}" for i in items) + "\n\\end{itemize}\n")
    body += _table("p{2.5cm}>{\\raggedleft\\arraybackslash}p{2cm}", "degree & agents",
                   _degree_rows(g["degrees"]), "Degree distribution.", "tab:degrees")
    if "graph.png" in rep.figures:
        body += _figure("graph.png", 0.62,
                        f"The graph (spring layout, seed {rep.options.seed}); each agent "
                        f"coloured by the share of {escape_latex(rep.options.chosen)} runs in "
                        f"which it ends playing the action of {escape_latex(rep.preferred)}.",
                        "fig:graph")
    return body


def _where(e) -> str:
    if e.label:
        return escape_latex(e.label) + (" at infinity" if not np.all(np.isfinite(e.point))
                                        else "")
    first = np.array([s[0] for s in e.strategies])
    return (f"$\\pi(\\text{{first}}) \\in [{first.min():.3f}, {first.max():.3f}]$, "
            f"mean {first.mean():.3f}")


def equilibria_latex(rep) -> str:
    """Every method's fixed points: where, stability, mu, residual and route."""
    if not rep.equilibria:
        return ""
    rows = [f"{escape_latex(m)} & {_where(e)} & {e.stability} & {_float(e.mu)} & "
            f"{_float(e.residual, 2)} & {e.route} \\\\"
            for m, found in rep.equilibria.items() for e in found]
    caption = (r"Fixed points of each method's field: the consensus profiles, the symmetric "
               r"points $t\mathbf{1}$ of a regular graph, and deflated Newton points from "
               f"{rep.options.newton_seeds} random starts (not proven complete). "
               r"Stability and $\mu = -\lambda_{\max}(\operatorname{sym} DF)$ from sparse "
               r"eigenvalues (ARPACK); residual $\max_i |F_i|$; a consensus under logit lies "
               r"at infinity and is stable when the field points outward there.")
    spec = (">{\\raggedright}p{1.8cm}>{\\raggedright}p{5.2cm}p{1.6cm}p{1.7cm}p{1.7cm}"
            ">{\\raggedright\\arraybackslash}p{1.7cm}")
    return ("\\section*{Fixed points}\n"
            + _table(spec, r"method & point & stability & $\mu$ & residual & route", rows,
                     caption, "tab:fixed-points"))


def branches_latex(rep) -> str:
    """The chosen method's fixed points continued in lambda, their events and figure."""
    if rep.branches is None:
        return ""
    found, events = rep.branches["branches"], rep.branches["events"]
    a, b = (float(v) for v in rep.options.base.lam_range)
    method = escape_latex(rep.options.chosen)
    rows = [f"{e.type} & ${e.lam:.6f}$ & ${e.t:.6f}$ \\\\" for e in events]
    body = (f"{len(found)} branch(es) of fixed points of {method}: "
            f"{escape_latex(rep.branches['route'])}; stability from the sparse spectrum at "
            "every point.\n")
    body += (_table("p{2.2cm}p{3cm}p{3.6cm}", r"event & $\lambda$ & mean parameter", rows,
                    r"Events along the branches (located by bisection in $\lambda$).",
                    "tab:events") if rows else "No events.\n")
    if "branches.png" in rep.figures:
        body += _figure("branches.png", 0.8,
                        f"Fixed points of {method} against $\\lambda$, as the agents' "
                        "probability of the first action: the mean (solid: stable; dashed: "
                        "not stable) and its range over the agents (band); dots: events.",
                        "fig:branches")
    return (f"\\section*{{Fixed points in $\\lambda$ ({method}, $\\lambda \\in "
            f"[{a:g}, {b:g}]$)}}\n" + body)


def basins_latex(rep) -> str:
    """Outcomes, agent shares and the mass of P with its Wilson interval, per method."""
    if not rep.basins:
        return ""
    rows = []
    for m, bm in rep.basins.items():
        low, high = bm.intervals["fraction"]
        shares = ", ".join(f"{escape_latex(k)} {_pct(v)}" for k, v in bm.shares.items())
        agents = ", ".join(f"{escape_latex(k)} {_pct(v)}"
                           for k, v in bm.settling["agent_shares"].items())
        rows.append(f"{escape_latex(m)} & {shares} & {agents} & {_pct(bm.fraction)} "
                    f"[{_pct(low)}, {_pct(high)}] \\\\")
    caption = (f"Outcomes of {rep.options.samples} random starts per method. An agent plays "
               "an action when its probability is at least 0.82; a run reaches consensus when "
               "every agent plays the same action, and is mixed otherwise. The mass is the "
               f"share of starts reaching {escape_latex(rep.preferred)} (the consensus of "
               "highest welfare), with its 95\\% Wilson interval; agents: the mean share of "
               "agents at each action at the last step (none: below 0.82).")
    body = _table(">{\\raggedright}p{1.7cm}>{\\raggedright}p{4.6cm}>{\\raggedright}p{4.4cm}"
                  ">{\\raggedleft\\arraybackslash}p{3.4cm}",
                  "method & share of starts per outcome & agents & mass of P", rows, caption,
                  "tab:basins")
    if "agent-shares.png" in rep.figures:
        body += _figure("agent-shares.png", 0.8,
                        "Share of agents playing the action of "
                        f"{escape_latex(rep.preferred)} at the last step, over the starts of "
                        "each method (the legend: the mass of the table).", "fig:shares")
    return "\\section*{Basins}\n" + body


def selection_latex(rep) -> str:
    """P's mass against lambda under the chosen method (table and figure)."""
    sel = rep.selection
    if sel is None:
        return ""
    action = sel["preferred"].removeprefix("consensus ")
    rows = [f"${p['lam']:g}$ & {_pct(p['fraction'])} & [{_pct(p['low'])}, {_pct(p['high'])}] "
            f"& {_pct(p['agent_shares'][action])} \\\\" for p in sel["points"]]
    method = escape_latex(sel["method"])
    body = _table("p{1.6cm}>{\\raggedleft}p{2.2cm}>{\\raggedleft}p{3.4cm}"
                  ">{\\raggedleft\\arraybackslash}p{3.4cm}",
                  r"$\lambda$ & mass of P & 95\% Wilson interval & agents at "
                  + escape_latex(action), rows,
                  f"Mass of {escape_latex(sel['preferred'])} under {method} against "
                  f"$\\lambda$, {sel['samples']} random starts at each value; the last "
                  f"column: the mean share of agents playing {escape_latex(action)} at the "
                  "last step.", "tab:selection")
    if "selection.png" in rep.figures:
        body += _figure("selection.png", 0.8,
                        f"The selection effect: the mass of {escape_latex(sel['preferred'])} "
                        f"under {method} against $\\lambda$ with 95\\% Wilson intervals, "
                        f"and the mean share of agents playing {escape_latex(action)} (dotted); "
                        "dashed: plain PG's mass, which has no $\\lambda$.", "fig:selection")
    return "\\section*{The selection effect}\n" + body


def _verdict_values(v) -> str:
    parts = []
    for k, val in v.values.items():
        if isinstance(val, float):
            parts.append(f"{escape_latex(k)} $= {val:.4g}$")
    return "; ".join(parts)


def alignment_latex(rep) -> str:
    """The verdicts of the graph checks for the chosen method, with reasons and values."""
    res = rep.check
    if res is None:
        return ""
    state = {True: "holds", False: "fails", None: "undecided"}
    rows = [f"{v.id} & ${v.statement}$ & {state[v.holds]} & {v.certified.value} & "
            f"{escape_latex(v.reason)}{'; ' if v.reason and v.values else ''}"
            f"{_verdict_values(v)} \\\\" for v in res.conditions]
    method = escape_latex(rep.options.chosen)
    return ("\\section*{Alignment on the graph}\n"
            f"P = {escape_latex(res.preferred)}, R = {escape_latex(res.alternative)} "
            f"(welfare " + ", ".join(f"{escape_latex(k)} ${w:g}$" for k, w in
                                     res.welfare.items())
            + f"); the verdicts of \\texttt{{eqselect check}} for {method} "
            "(docs/networks.md, ``Alignment on graphs'').\n"
            + _table(">{\\raggedright}p{0.8cm}>{\\raggedright}p{3.6cm}p{1.6cm}p{1.7cm}"
                     ">{\\raggedright\\arraybackslash}p{7cm}",
                     "id & condition & verdict & certified & reason and values", rows,
                     "Alignment conditions on the graph.", "tab:alignment"))


def skipped_latex(rep) -> str:
    """What was not computed, and why."""
    if not rep.skipped:
        return ""
    items = "\n".join(f"\\item {escape_latex(k)}: {escape_latex(v)}"
                      for k, v in rep.skipped.items())
    return "\\section*{Not computed}\n\\begin{itemize}\n" + items + "\n\\end{itemize}\n"


def network_report_latex(rep) -> str:
    """The network report as a complete LaTeX document (compiles with pdflatex)."""
    title = escape_latex(f"{rep.net.name} ({rep.net.parameterization})")
    parts = [PREAMBLE + REPORT_PACKAGES + "\\begin{document}\n",
             f"\\section*{{eqselect report: {title}}}\n", settings_latex(rep),
             graph_latex(rep), "\\section*{The decomposition by edge templates}\n",
             decomposition_latex(rep.net), equilibria_latex(rep), branches_latex(rep),
             basins_latex(rep), selection_latex(rep), alignment_latex(rep),
             skipped_latex(rep), "\\end{document}\n"]
    return "\n".join(x for x in parts if x)


__all__ = ["network_report_latex"]
