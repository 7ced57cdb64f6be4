r"""The report as a LaTeX document, rendered from the result objects.

Every exact number and point goes through :class:`eqselect.theory.latex_printer.ExactLatex`
(one `RootNotes` per document lists algebraic numbers in an appendix); tables
are ``longtable`` with fixed column widths, so they break across pages and fit
the text width; figures stay in their section (minipages with captions and
labels, like the short tables).
"""

from __future__ import annotations

import math


from eqselect.theory import engine
from eqselect.theory.rules import PAPER
from eqselect.theory.latex import PREAMBLE, escape_latex, latex_names
from eqselect.theory.latex_printer import ExactLatex, RootNotes, number_latex
from eqselect.proofs_check.verdict_text import verdicts_latex
from eqselect.studies.report import markov_form, terms
from eqselect.studies.report.exact_values import simplest, snapped

#: Packages the report adds to the shared preamble.
REPORT_PACKAGES = ("\\usepackage{graphicx,longtable,booktabs,array,caption}\n"
                   "\\renewcommand{\\labelitemi}{\\ensuremath{\\bullet}}\n")


def _num(x: float, digits: int) -> str:
    """Math-mode text of a finite float: 0.1667, 1.18 \\cdot 10^{-15}."""
    text = f"{x:.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        return rf"{mant} \cdot 10^{{{int(exp)}}}"
    return text


#: A computed float this close to 0 is printed as 0.
ZERO = 1e-12


def _float(x, digits: int = 4) -> str:
    """A float in math mode; -- for none, infinity as the symbol."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "--"
    if math.isinf(x):
        return r"$\infty$" if x > 0 else r"$-\infty$"
    if abs(x) < ZERO:  # rounding of an exact zero (a center's margin): print 0, not -0
        return "$0$"
    return f"${_num(x, digits)}$"


def _located(x: float, digits: int = 10) -> str:
    """A located value: 0 or a small fraction when it reads as one, else ``digits`` digits."""
    q = snapped(x)
    return f"${number_latex(q)}$" if q is not None else _float(x, digits)


def _located_point(values) -> str:
    """A located point, each coordinate as `_located` prints it (6 digits)."""
    return "(" + ", ".join(_located(float(v), 6) for v in values) + ")"


def decomposition_section(rep, roots: RootNotes) -> str:
    """The game, the terms' definitions, the Markov form where the game has one,
    and each agent's value and terms (:mod:`eqselect.studies.report.terms`)."""
    game = rep.symbolic.game
    p = ExactLatex({**latex_names(game), **terms.pi_names(game)}, roots)
    parts = [terms.notation_paragraph(rep, p), terms.definitions_latex()]
    if markov_form.applies(game):
        parts += [markov_form.chain_latex(game, p), markov_form.uniform_values_latex(rep, p)]
    parts.append(terms.agents_latex(rep, roots, rep.options.full_terms))
    return "\n".join(parts)


#: Longest exact coordinate (characters of its sympy form) the fixed-point table
#: writes exactly; a longer one, an algebraic number of high degree (thousands of
#: characters on a three-player face), is written to six digits with a dagger.
EXACT_COORDINATE_WIDTH = 120
#: The note under a table with such a coordinate.
LONG_COORDINATE_NOTE = (r"$^{\dagger}$ six digits of an exact coordinate too long to print "
                        r"(an algebraic number); \texttt{report.json} holds its exact form.")


def _coords(e, roots: RootNotes) -> str:
    """A fixed point, one math group per coordinate so a long point may wrap in its cell."""
    if e.exact is None:
        cells = [_num(float(v), 6) for v in e.point]
    else:
        cells = [_num(float(x), 6) + r"^{\dagger}" if _long(v)
                 else number_latex(simplest(v), roots) for v, x in zip(e.exact, e.point)]
    return "(" + ", ".join(f"${c}$" for c in cells) + ")"


def _long(exact) -> bool:
    return len(str(exact)) > EXACT_COORDINATE_WIDTH


#: Tables with more rows than this become a ``longtable`` (breaks across pages).
LONG_TABLE_ROWS = 30


def _table(spec: str, head: str, rows: list[str], caption: str, label: str) -> str:
    """A captioned table of fixed column widths: in place, or a longtable when long.

    Short tables use ``tabular`` with ``\\captionof`` (longtable's output
    routine can push a bottom float past the page end).
    """
    if len(rows) > LONG_TABLE_ROWS:
        return ("{\\small\n\\begin{longtable}{" + spec + "}\n"
                f"\\caption{{{caption}}}\\label{{{label}}}\\\\\n\\toprule\n{head} \\\\\n"
                "\\midrule\n\\endfirsthead\n\\toprule\n" + head + " \\\\\n\\midrule\n\\endhead\n"
                + "\n".join(rows) + "\n\\bottomrule\n\\end{longtable}\n}\n")
    # a minipage keeps the caption and its table on one page
    return ("\\begin{center}\\begin{minipage}{\\linewidth}\\centering\\small\n"
            f"\\captionof{{table}}{{{caption}}}\\label{{{label}}}\n"
            "\\begin{tabular}{" + spec + "}\n\\toprule\n" + head + " \\\\\n\\midrule\n"
            + "\n".join(rows) + "\n\\bottomrule\n\\end{tabular}\n\\end{minipage}"
            "\\end{center}\n")


def settings_latex(rep, p: ExactLatex) -> str:
    """Every value the numerics used: rule coefficients, temperature, payoff values."""
    o = rep.options
    items = [rf"inner learning rate $\eta = {p.doprint(o.eta)}$",
             rf"shaping coefficient $\lambda = {p.doprint(o.lam)}$",
             rf"own-learning coefficient $c_{{\mathrm{{own}}}} = {p.doprint(o.own)}$ "
             r"(the weight of $\mathrm{own}_i$ in Meta-PG and Meta-MAPG)"]
    if o.tau is not None:
        items.append(rf"entropy temperature $\tau = {p.doprint(o.tau)}$")
    values = [rf"${p.doprint(s)} = {p.doprint(v)}$" for s, v in
              sorted(rep.substituted.items(), key=lambda kv: kv[0].name)]
    if rep.game.name.startswith("ipd") and rep.game.payoffs:
        (r, s), (t, q) = rep.game.payoffs[0]
        values.append(", ".join(rf"${k} = {p.doprint(engine.to_sympy(v))}$"
                                for k, v in zip("RSTP", (r, s, t, q))))
    text = ("\\section*{Settings}\nMethods compared: "
            + ", ".join(escape_latex(m) for m in o.methods) + ". Numerics at "
            + ", ".join(items) + ".")
    if values:
        text += " Payoff values substituted for the numerics: " + ", ".join(values) + "."
    text += "".join(f" {escape_latex(n)}" for n in o.notes)
    return text + "\n"


def _profile(game, e) -> str:
    """The pure profile of a record at infinity, by the game's action names: (C, C)."""
    names = (game.action_name(i, list(st).index(max(st))) for i, st in enumerate(e.strategies))
    return "(" + ", ".join(escape_latex(n) for n in names) + ")"


def equilibria_latex(rep, roots: RootNotes) -> str:
    """The fixed points of each method: point, stability, mu, Nash, how found."""
    if not rep.equilibria:
        return ""
    rows, notes, long_exact = [], [], False
    for m, found in rep.equilibria.items():
        for e in found.equilibria:
            where = _coords(e, roots)
            long_exact = long_exact or any(_long(v) for v in e.exact or ())
            nash = {True: "yes", False: "no", None: "--"}[e.nash]
            rows.append(f"{escape_latex(m)} & {where} & {e.stability.value} & {_float(e.mu)} & "
                        f"{nash} & {e.route.value} \\\\")
        for e in found.at_infinity:  # pure profiles that are limits of the logit dynamics
            nash = {True: "yes", False: "no", None: "--"}[e.nash]
            rows.append(f"{escape_latex(m)} & {_profile(rep.game, e)} at infinity & "
                        f"{e.stability.value} & -- & {nash} & at infinity \\\\")
        if not found.complete:
            notes.append(f"{escape_latex(m)}: found by seeded Newton, may be incomplete.")
        notes += [f"{escape_latex(m)}: continuum component {k} of fixed points, dimension "
                  f"{c['dimension']}, extreme points "
                  + ", ".join("$(" + ", ".join(p) + ")$" for p in c["extreme_points"])
                  + f"; agent(s) {', '.join(map(str, c['varying_agents']))} indifferent on "
                  "it; the table lists points of it" for k, c in enumerate(found.components)]
        notes += [f"{escape_latex(m)}: {escape_latex(str(n))}" for n in found.notes]
    if long_exact:
        notes.append(LONG_COORDINATE_NOTE)
    spec = (">{\\raggedright}p{2cm}>{\\raggedright\\arraybackslash}p{6.2cm}"
            "p{1.7cm}p{1.5cm}p{1cm}p{1.4cm}")
    head = r"method & point $\phi^*$ & stability & $\mu$ & Nash & route"
    caption = (r"Fixed points of each method's field ($\mu = -\lambda_{\max}"
               r"(\operatorname{sym} DF)$; route: exact, interval-certified (a unique "
               r"point proven in a small box), Newton, or a pure profile at "
               r"infinity, stable when the direct parameterisation's vertex is).")
    body = _table(spec, head, rows, caption, "tab:fixed-points")
    if notes:
        body += ("{\\small\n\\begin{itemize}\n" + "\n".join(f"\\item {n}" for n in notes)
                 + "\n\\end{itemize}\n}\n")
    return "\\section*{Fixed points}\n" + body


def alignment_latex(rep) -> str:
    """The verdicts of the alignment conditions and the paper's statements, written
    by the renderer of ``eqselect check --latex`` (one text for both)."""
    res = rep.check
    if res is None:
        return ""
    rule = escape_latex(res.rule["method"])
    return ("\\section*{Alignment conditions}\n"
            f"Alignment conditions A0--A5 and the paper's statements for {rule} "
            "(docs/alignment.md states each one; the same verdicts as "
            "\\texttt{eqselect check}).\n" + verdicts_latex(res, rep.game))


def continuation_latex(rep, p: ExactLatex) -> str:
    """Events of the continuation in lambda, and the bifurcation diagram."""
    res = rep.continuation
    if res is None:
        return ""
    a, b = (p.doprint(v) for v in rep.options.lam_range)
    method = escape_latex(rep.options.continuation_method)
    rows = [f"{ev.type.value} & {_located(ev.value)} & {_located_point(ev.point)} \\\\"
            for ev in res.events]
    body = (_table("p{2.2cm}p{3cm}>{\\raggedright\\arraybackslash}p{10cm}",
                   r"event & $\lambda$ & point", rows,
                   rf"Events along the branches of {method} fixed points (located "
                   r"numerically to about $10^{-10}$; a value within $10^{-9}$ of a fraction "
                   r"with denominator at most 1000 is printed as that fraction).", "tab:events")
            if rows else "No events.\n")
    body += "".join(f"\\par\\noindent Note: {escape_latex(str(n))}\n" for n in res.notes)
    if "bifurcation.png" in rep.figures:
        first = p.doprint(rep.game.parameters[0])
        body += _figure("bifurcation.png", 0.85,
                        rf"Bifurcation diagram of {method}: ${first}$ at the fixed points against "
                        r"$\lambda$ (solid: stable; dashed: not stable; black marks: events).",
                        "fig:bifurcation")
    return (rf"\section*{{Continuation in $\lambda$ ({method}, $\lambda \in [{a}, {b}]$)}}"
            + "\n" + body)


def _figure(files, width: float, caption: str, label: str) -> str:
    """Figures in place, in their own section: a minipage with ``\\captionof``
    (a floating ``figure`` could drift above its section's heading)."""
    files = [files] if isinstance(files, str) else files
    graphics = "\\hfill\n".join(f"\\includegraphics[width={width:.3g}\\textwidth]{{{f}}}"
                                for f in files)
    return ("\\begin{center}\\begin{minipage}{\\linewidth}\\centering\n"
            f"{graphics}\n\\captionof{{figure}}{{{caption}}}\\label{{{label}}}\n"
            "\\end{minipage}\\end{center}\n")


def _shares(bm) -> str:
    """Every outcome a start reached, with its share: (C, C) 62.1\\%, ..."""
    if bm.shares is None:
        share = float(bm.fraction)
        return f"success predicate holds {100 * share:.1f}\\%, fails {100 * (1 - share):.1f}\\%"
    return ", ".join(f"{escape_latex(name)} {100 * share:.1f}\\%"
                     for name, share in bm.shares.items() if share > 0) or "--"


def _counted(bm) -> str:
    """What the fraction counts: the preferred attractor, the success predicate, or
    nothing (a map by attractor without an attractor to prefer)."""
    if bm.shares is not None:
        return escape_latex(bm.preferred) if bm.preferred else "no attractor to prefer"
    return f"success predicate ($p_i \\geq {float(PAPER.success):g}$)"


def _fraction(bm) -> str:
    """The fraction column: a percentage, or -- when nothing is counted."""
    if bm.shares is not None and not bm.preferred:
        return "--"
    return f"{100 * bm.fraction:.1f}\\%"


def _where(rep) -> str:
    """The starts of the maps in words: the grid, or the slice and what it holds fixed."""
    o = rep.options
    first = next(iter(rep.basins.values()))
    axes = getattr(first.problem.starts, "axes", None)
    grid = rf"${o.grid}\times {o.grid}$ starts"
    if not axes:
        return grid + " (initial probabilities of the two players' first actions)"
    fixed = ", ".join(f"{escape_latex(k)} $= {v:g}$" for k, v in o.fixed)
    rest = "the other coordinates at the uniform strategy"
    return (f"{grid} on the slice over {escape_latex(axes[0])} and {escape_latex(axes[1])} "
            f"(PLAYER:ACTION probabilities; {fixed + '; ' if fixed else ''}{rest}; "
            r"choose them with \texttt{-{}-axes} and \texttt{-{}-fix})")


def basins_latex(rep) -> str:
    """Basin shares per outcome and one fraction per method (defined once in the
    caption), basin maps and phase portraits."""
    if not rep.basins:
        return ""
    o = rep.options
    rows = [f"{escape_latex(m)} & {_shares(b)} & {_counted(b)} & {_fraction(b)} \\\\"
            for m, b in rep.basins.items()]
    order = ", ".join(escape_latex(m) for m in rep.basins)
    figures = _figure([f for f, k in rep.figures.items() if k == "basin"], 0.48,
                      f"Basin maps ({order}, in reading order): each start coloured by the "
                      "outcome its run reaches; the title states the fraction of the table "
                      "and the legend every outcome's share.", "fig:basins")
    if any(k == "phase" for k in rep.figures.values()):
        figures += _figure([f for f, k in rep.figures.items() if k == "phase"], 0.48,
                           f"Phase portraits ({order}, in reading order) in probability "
                           "coordinates, line width proportional to speed; fixed points drawn "
                           "by stability as the legend of each panel names them (a pure "
                           "profile at infinity sits at its corner); the separatrix where the "
                           "method has one interior saddle.", "fig:phase")
    table = _table(">{\\raggedright}p{2cm}>{\\raggedright}p{7.4cm}"
                   ">{\\raggedright}p{3cm}>{\\raggedleft\\arraybackslash}p{1.4cm}",
                   r"method & share of the starts per outcome & fraction counts & fraction",
                   rows,
                   f"Outcomes of {_where(rep)}, paper schedule, {o.steps} steps. The "
                   "fraction is the share of the starts whose run reaches the outcome named "
                   "in its row: the preferred (payoff-dominant) attractor among the method's "
                   "fixed points, or, without a fixed-point list, the paper's success "
                   "predicate (every player's first action with probability at least "
                   f"{float(PAPER.success):g} at the last step).", "tab:basins")
    notes = sorted({f"{escape_latex(m)}: {escape_latex(str(n))}"
                    for m, b in rep.basins.items() for n in b.notes})
    if notes:
        table += ("{\\small\n\\begin{itemize}\n" + "\n".join(f"\\item {n}" for n in notes)
                  + "\n\\end{itemize}\n}\n")
    return "\\section*{Basins}\n" + table + figures


def skipped_latex(rep) -> str:
    if not rep.skipped:
        return ""
    items = "\n".join(f"\\item {escape_latex(k)}: {escape_latex(v)}" for k, v in rep.skipped.items())
    return "\\section*{Not computed}\n\\begin{itemize}\n" + items + "\n\\end{itemize}\n"


def report_latex(rep) -> str:
    """The report as a complete LaTeX document (compiles with pdflatex)."""
    roots = RootNotes()
    p = ExactLatex(latex_names(rep.game), roots)
    title = escape_latex(f"{rep.game.name} ({rep.game.parameterization})")
    parts = [PREAMBLE + REPORT_PACKAGES + "\\begin{document}\n",
             f"\\section*{{eqselect report: {title}}}\n", settings_latex(rep, p),
             "\\section*{The decomposition}\n", decomposition_section(rep, roots),
             equilibria_latex(rep, roots), continuation_latex(rep, p), alignment_latex(rep),
             basins_latex(rep),
             skipped_latex(rep)]
    if roots.roots:
        parts.append("\\section*{Algebraic numbers}\nMarked decimals are real algebraic "
                     "numbers, given exactly by their defining polynomials:\n"
                     + roots.latex_list())
    parts.append("\\end{document}\n")
    return "\n".join(x for x in parts if x)
