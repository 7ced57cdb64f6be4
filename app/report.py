"""``eqselect report``: derive, equilibria, continuation and basins for one game.

The report is written to a folder as a LaTeX document (``report.tex``, which
compiles with pdflatex), PNG figures and ``report.json``. Sections that do
not apply to a game say so and why (for example basin maps, which need a game
with two parameters).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import sympy as sp

from eqselect.theory import Decomposition, Game
from eqselect.theory.latex import decomposition_latex, escape_latex

#: Methods compared in a report: plain PG and the two peer-shaped rules.
REPORT_METHODS = ("pg", "peer-only", "meta-mapg")
#: Numerical fixed-point search and continuation run up to this many parameters.
MAX_NUMERIC_PARAMETERS = 4
PAPER_ETA, PAPER_LAM, PAPER_OWN = sp.Rational(11, 20), 1.5, 0.35


@dataclass
class Report:
    """Everything a report holds; ``to_json`` is ``report.json``."""

    game: str
    parameterization: str
    derive: dict
    equilibria: dict = field(default_factory=dict)
    continuation: dict | None = None
    basins: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)
    skipped: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"game": self.game, "parameterization": self.parameterization,
                "settings": {"eta": float(PAPER_ETA), "lam": PAPER_LAM, "own": PAPER_OWN},
                "derive": self.derive, "equilibria": self.equilibria,
                "continuation": self.continuation, "basins": self.basins,
                "figures": self.figures, "skipped": self.skipped}


def build_report(game: Game, out_dir, progress=None) -> Report:
    """Run every analysis that applies to ``game`` and write the report files.

    Parameters
    ----------
    game : Game
        Payoff symbols are kept for the closed forms and set to their
        defaults for the numerics.
    out_dir : str or Path
        Created if missing; gets report.tex, report.json and PNG figures.
    progress : object with ``update(n)``, optional
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    symbolic = Decomposition(game)
    dec = Decomposition(game.substitute(), eta=PAPER_ETA)
    rep = Report(game.name, game.parameterization, symbolic.to_json())
    _tick(progress)
    d = len(game.parameters)
    found = {}
    if d <= MAX_NUMERIC_PARAMETERS:
        found = _equilibria(rep, dec)
        _tick(progress)
        _continuation(rep, dec, out)
    else:
        reason = (f"{d} parameters: numerical fixed-point search and continuation run up to "
                  f"{MAX_NUMERIC_PARAMETERS} (use eqselect equilibria / continue directly)")
        rep.skipped["equilibria"] = rep.skipped["continuation"] = reason
        _tick(progress)
    _tick(progress)
    if d == 2 and game.strategies:
        _basins_and_portraits(rep, dec, out, found)
    else:
        rep.skipped["basins"] = "basin maps and phase portraits need a finite game with two parameters"
    _tick(progress)
    (out / "report.json").write_text(json.dumps(rep.to_json(), indent=2))
    (out / "report.tex").write_text(report_latex(rep, symbolic))
    return rep


def _tick(progress, n: int = 1) -> None:
    if progress is not None:
        progress.update(n)


def _equilibria(rep: Report, dec: Decomposition) -> dict:
    from eqselect.numerics.fixed_points.find import find_equilibria, sort_key

    sets = {}
    for m in REPORT_METHODS:
        sets[m] = find_equilibria(dec, m, PAPER_LAM, PAPER_OWN)
        sets[m].equilibria.sort(key=sort_key)
        rep.equilibria[m] = sets[m].to_json()
    return sets


def _continuation(rep: Report, dec: Decomposition, out: Path) -> None:
    from eqselect.numerics.continuation.branches import continue_in_lambda
    from eqselect.numerics.plots.bifurcation import bifurcation_diagram

    result = continue_in_lambda(dec, "peer-only", (0.0, 3.0), own_coef=PAPER_OWN)
    rep.continuation = {**result.to_json(), "method": "peer-only", "notes": list(result.notes)}
    if result.branches:
        bifurcation_diagram(result, coordinate=0, path=out / "bifurcation.png")
        rep.figures.append("bifurcation.png")


def _basins_and_portraits(rep: Report, dec: Decomposition, out: Path, found: dict) -> None:
    from eqselect.numerics.dynamics.basins import basin_map
    from eqselect.numerics.plots.portrait import basin_plot, phase_portrait

    for m in REPORT_METHODS:
        bm = basin_map(dec, m, PAPER_LAM, PAPER_OWN, grid=21, steps=140)
        rep.basins[m] = bm.to_json()
        basin_plot(bm, out / f"basin-{m}.png")
        rep.figures.append(f"basin-{m}.png")
    for m in ("pg", "meta-mapg"):
        points = found[m].equilibria if m in found else None
        phase_portrait(dec, m, PAPER_LAM, PAPER_OWN, fixed_points=points,
                       separatrix=_separatrix(dec, m, points or []),
                       path=out / f"phase-{m}.png")
        rep.figures.append(f"phase-{m}.png")


def _separatrix(dec: Decomposition, method: str, points):
    """The stable manifold of the method's saddle, when it has exactly one."""
    from eqselect.numerics.fixed_points.record import Stability
    from eqselect.numerics.dynamics.separatrix import separatrix

    saddles = [e for e in points if e.stability is Stability.SADDLE and not e.boundary]
    if len(saddles) != 1:
        return None
    return separatrix(dec, saddles[0].point, method, PAPER_LAM, PAPER_OWN)


# -- LaTeX ------------------------------------------------------------------------
def _num(x) -> str:
    return "--" if x is None else f"{x:.4g}"


def report_latex(rep: Report, symbolic: Decomposition) -> str:
    """The report as a complete LaTeX document (compiles with pdflatex)."""
    parts = [
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb,graphicx}\n"
        "\\usepackage[margin=2cm]{geometry}\n\\begin{document}\n",
        f"\\section*{{eqselect report: {escape_latex(rep.game)} ({escape_latex(rep.parameterization)})}}\n",
        f"Settings: $\\eta = {sp.latex(PAPER_ETA)}$, $\\lambda = {PAPER_LAM}$, "
        f"own coefficient $c = {PAPER_OWN}$ (the paper's).\n",
        "\\subsection*{The decomposition}\n", decomposition_latex(symbolic),
        _equilibria_latex(rep), _continuation_latex(rep), _basins_latex(rep),
        _skipped_latex(rep), "\\end{document}\n",
    ]
    return "\n".join(p for p in parts if p)


def _equilibria_latex(rep: Report) -> str:
    if not rep.equilibria:
        return ""
    rows = []
    for m, found in rep.equilibria.items():
        for e in found["equilibria"]:
            where = e["exact"] or [f"{x:.6g}" for x in e["point"]]
            nash = {True: "yes", False: "no", None: "--"}[e["nash"]]
            rows.append(f"{escape_latex(m)} & $({', '.join(escape_latex(str(w)) for w in where)})$ & "
                        f"{e['stability']} & {_num(e['mu'])} & {nash} & {e['route']} \\\\")
    return ("\\subsection*{Fixed points}\n\\begin{tabular}{llllll}\n\\hline\n"
            "method & point & stability & $\\mu$ & Nash & route \\\\\n\\hline\n"
            + "\n".join(rows) + "\n\\hline\n\\end{tabular}\n")


def _continuation_latex(rep: Report) -> str:
    if rep.continuation is None:
        return ""
    rows = [f"{ev['type']} & {ev['lam']:.10g} & $({', '.join(f'{x:.6g}' for x in ev['point'])})$ \\\\"
            for ev in rep.continuation["events"]]
    body = ("\\begin{tabular}{lll}\n\\hline\nevent & $\\lambda$ & point \\\\\n\\hline\n"
            + "\n".join(rows) + "\n\\hline\n\\end{tabular}\n") if rows else "No events.\n"
    fig = ("\n\\includegraphics[width=0.6\\textwidth]{bifurcation.png}\n"
           if "bifurcation.png" in rep.figures else "")
    return ("\\subsection*{Continuation in $\\lambda$ (peer-only, $\\lambda \\in [0, 3]$)}\n"
            + body + fig)


def _basins_latex(rep: Report) -> str:
    if not rep.basins:
        return ""
    rows = [f"{escape_latex(m)} & {100 * b['fraction']:.1f}\\% \\\\" for m, b in rep.basins.items()]
    figs = "\n".join(f"\\includegraphics[width=0.32\\textwidth]{{{f}}}"
                     for f in rep.figures if f.startswith(("basin-", "phase-")))
    return ("\\subsection*{Basins (paper schedule, $21\\times 21$ grid, 140 steps)}\n"
            "Share of starts where every agent plays its first action with probability "
            "at least 0.82 at the end.\n\n"
            "\\begin{tabular}{lr}\n\\hline\nmethod & basin \\\\\n\\hline\n" + "\n".join(rows)
            + "\n\\hline\n\\end{tabular}\n\n" + figs + "\n")


def _skipped_latex(rep: Report) -> str:
    if not rep.skipped:
        return ""
    items = "\n".join(f"\\item {escape_latex(k)}: {escape_latex(v)}" for k, v in rep.skipped.items())
    return "\\subsection*{Not computed}\n\\begin{itemize}\n" + items + "\n\\end{itemize}\n"
