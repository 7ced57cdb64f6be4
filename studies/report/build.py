"""Compute a report: derive, equilibria, continuation and basins for one game.

The sections keep the result objects (`EquilibriumSet`, `ContinuationResult`,
`BasinMap`); :mod:`eqselect.studies.report.document` renders them as LaTeX and
`Report.to_json` as the JSON document (``eqselect.theory.serialize.document``).
Sections that do not apply to a game say so and why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import sympy as sp

from eqselect.theory import Decomposition, EqselectError, Game
from eqselect.theory.rules import PAPER, Method, Rule
from eqselect.theory.serialize import document

#: Methods compared in a report by default: plain PG and the two peer-shaped rules.
REPORT_METHODS = ("pg", "peer-only", "meta-mapg")
#: Numerical fixed-point search and continuation run up to this many parameters.
MAX_NUMERIC_PARAMETERS = 4

@dataclass(frozen=True)
class ReportOptions:
    """What a report computes (defaults: the paper's, docs/rules.md).

    Attributes
    ----------
    methods : tuple of str
        Methods compared (fixed points, basins, phase portraits).
    eta, lam, own : sympy numbers
        Inner learning rate, shaping coefficient lambda, own coefficient c.
    tau : sympy number or None
        Entropy temperature the game was regularised with (stated only).
    grid, steps : int
        Basin-map grid points per axis and updates per start.
    lam_range : (number, number)
        The continuation window in lambda.
    tikz : bool
        Also write pgfplots versions of the bifurcation diagram and portraits.
    full_terms : bool
        Print every value and term in full (LaTeX up to a size, all of them
        in ``terms.txt``) instead of summarising the large ones.
    axes : tuple of two str, or None
        The two coordinates of the basin slice of a game with more than two
        parameters (as ``eqselect basins --axes``); None: every player's
        first action for players 1 and 2.
    fixed : tuple of (str, float)
        Coordinates held off the slice's axes (``--fix``); the rest start
        from the uniform strategy.
    notes : tuple of str
        What the command line decided for the user (a parameterisation
        switched), stated in the report.
    """

    methods: tuple = REPORT_METHODS
    eta: object = PAPER.eta
    lam: object = PAPER.lam
    own: object = PAPER.own
    tau: object = None
    grid: int = 21
    steps: int = PAPER.steps
    lam_range: tuple = (sp.Integer(0), sp.Integer(3))
    tikz: bool = False
    full_terms: bool = False
    axes: tuple | None = None
    fixed: tuple = ()
    notes: tuple = ()

    def rule(self, method) -> Rule:
        """The rule of one method at this report's coefficients."""
        return Rule(method, lam=self.lam, own_coef=self.own)

    @property
    def continuation_method(self) -> str | None:
        """The first compared method whose field depends on lambda (None if none does)."""
        return next((m for m in self.methods if self.rule(m).uses_lam), None)

    def to_json(self) -> dict:
        return {"methods": list(self.methods), "eta": str(self.eta), "lam": str(self.lam),
                "own": str(self.own), "tau": None if self.tau is None else str(self.tau),
                "grid": self.grid, "steps": self.steps,
                "lam_range": [str(v) for v in self.lam_range], "tikz": self.tikz,
                "full_terms": self.full_terms,
                "axes": None if self.axes is None else list(self.axes),
                "fix": [[k, v] for k, v in self.fixed], "notes": list(self.notes)}

@dataclass
class Report:
    """Everything a report holds, as result objects.

    ``game`` keeps its payoff symbols (closed forms); ``numeric`` is the
    decomposition at the substituted values the numerics used.
    """

    game: Game
    options: ReportOptions
    symbolic: Decomposition
    numeric: Decomposition
    equilibria: dict = field(default_factory=dict)
    continuation: object = None
    basins: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    check: object = None  # the alignment verdicts (a proofs_check CheckResult)
    skipped: dict = field(default_factory=dict)

    @property
    def substituted(self) -> dict:
        """Payoff symbol -> the value the numerics used."""
        return dict(self.game.payoff_symbols)

    def to_json(self) -> dict:
        """The report as one JSON document (kind ``"report"``)."""
        cont = None
        if self.continuation is not None:
            cont = {**self.continuation.to_json(), "method": self.options.continuation_method,
                    "notes": list(self.continuation.notes)}
        body = {"game": self.game.name, "parameterization": self.game.parameterization,
                "settings": {"eta": float(self.options.eta), "lam": float(self.options.lam),
                             "own": float(self.options.own)},
                "derive": self.symbolic.to_json(),
                "equilibria": {m: s.to_json() for m, s in self.equilibria.items()},
                "continuation": cont,
                "basins": {m: b.to_json() for m, b in self.basins.items()},
                "check": None if self.check is None else self.check.to_json(),
                "figures": list(self.figures), "skipped": self.skipped}
        inputs = {"game": self.game.name, "parameterization": self.game.parameterization,
                  "payoff_values": {s.name: str(v) for s, v in self.substituted.items()},
                  **self.options.to_json()}
        return document("report", body, inputs)

def build_report(game: Game, out_dir, options: ReportOptions | None = None,
                 progress=None) -> Report:
    """Run every analysis that applies to ``game`` and write the report files.

    Parameters
    ----------
    game : Game
        Payoff symbols are kept for the closed forms and set to their
        defaults for the numerics.
    out_dir : str or Path
        Created if missing; gets report.tex, report.json and the figures.
    options : ReportOptions, optional
        The paper's settings by default.
    progress : object with ``update(n)``, optional
    """
    from eqselect.studies.report.document import report_latex

    opts = options or ReportOptions()
    for m in opts.methods:
        Method.parse(m)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rep = Report(game, opts, Decomposition(game),
                 Decomposition(game.substitute(), eta=opts.eta))
    _tick(progress)
    d = len(game.parameters)
    if d <= MAX_NUMERIC_PARAMETERS:
        _equilibria(rep)
        _tick(progress)
        _continuation(rep, out)
    else:
        reason = (f"{d} parameters: numerical fixed-point search and continuation run up to "
                  f"{MAX_NUMERIC_PARAMETERS} (use eqselect equilibria / continue directly)")
        rep.skipped["equilibria"] = rep.skipped["continuation"] = reason
        _tick(progress)
    _alignment(rep)
    _tick(progress)
    if game.strategies and game.parameterization == "direct" and game.tau:
        rep.skipped["basins"] = ("basin maps of an entropy-regularised game need the logit or "
                                 "softmax parameterisation (the entropy gradient is infinite "
                                 "on the boundary of the simplex)")
    elif game.strategies:
        _basins_and_portraits(rep, out)
    else:
        rep.skipped["basins"] = ("basin maps and phase portraits need a finite game (policies "
                                 "over actions); this game's parameters are continuous")
    _tick(progress)
    if opts.full_terms:
        from eqselect.studies.report.terms import full_terms_text

        (out / "terms.txt").write_text(full_terms_text(rep.symbolic))
        rep.figures["terms.txt"] = "terms"
    (out / "report.json").write_text(json.dumps(rep.to_json(), indent=2))
    (out / "report.tex").write_text(report_latex(rep))
    return rep

def _alignment(rep: Report) -> None:
    """The alignment conditions and the paper's statements for the first shaping
    method compared (the same verdicts as ``eqselect check``; docs/alignment.md)."""
    from eqselect.proofs_check import check_game

    method = rep.options.continuation_method
    if method is None:
        rep.skipped["alignment"] = "none of the compared methods shapes the field (M = 0)"
        return
    if not rep.game.strategies:
        rep.skipped["alignment"] = ("the alignment conditions compare equilibria of a finite "
                                    "game; this game's parameters are continuous")
        return
    try:
        # rep.game is regularised already (at options.tau); the derivation is shared
        rep.check = check_game(rep.game, rep.options.rule(method), eta=rep.options.eta,
                               decomposition=rep.numeric)
    except EqselectError as exc:
        rep.skipped["alignment"] = str(exc)
    except Exception as exc:  # noqa: BLE001 - one section's failure must not lose the others
        rep.skipped["alignment"] = (f"the check stopped with an internal error "
                                    f"({type(exc).__name__}); eqselect check on this game "
                                    "shows it in full")


def _tick(progress, n: int = 1) -> None:
    if progress is not None:
        progress.update(n)

def _rule(rep: Report, method) -> Rule:
    """``method`` with the report's lambda and c."""
    return Rule(method, float(rep.options.lam), float(rep.options.own))

#: Seconds for each exact fixed-point route in a report (a report runs unattended,
#: so it allows more than the interactive default).
REPORT_BUDGET = 30.0


def _equilibria(rep: Report) -> None:
    from eqselect.numerics.fixed_points.find import find_equilibria, sort_key

    for m in rep.options.methods:
        try:
            found = find_equilibria(rep.numeric, _rule(rep, m), budget=REPORT_BUDGET)
        except EqselectError as exc:  # e.g. an exact search past its budget
            rep.skipped[f"equilibria of {m}"] = str(exc)
            continue
        found.equilibria[:] = [_with_exact(rep, m, e) for e in found.equilibria]
        found.equilibria.sort(key=sort_key)
        rep.equilibria[m] = found


def _with_exact(rep: Report, method: str, e):
    """``e`` with its exact point when the search left it as floats and the point is
    confirmed exactly (`identified_point`); the record's notes say so."""
    from dataclasses import replace

    from eqselect.studies.report.exact_values import identified_point

    if e.exact is not None or e.boundary:
        return e
    rule = Rule(method, rep.options.lam, rep.options.own)
    exact = identified_point(rep.numeric, rule, e.strategies)
    if exact is None:
        return e
    note = ("exact point read from the strategies as fractions and confirmed: the field "
            "vanishes there in exact arithmetic")
    return replace(e, exact=exact, notes=tuple(e.notes) + (note,))

def _continuation(rep: Report, out: Path) -> None:
    from eqselect.numerics.continuation.branches import continue_in_lambda
    from eqselect.numerics.plots.bifurcation import bifurcation_diagram
    from eqselect.numerics.plots.style import parameter_label

    method = rep.options.continuation_method
    if method is None:
        rep.skipped["continuation"] = "none of the compared methods depends on lambda"
        return
    window = tuple(float(v) for v in rep.options.lam_range)
    result = continue_in_lambda(
        rep.numeric, Rule(method, own_coef=float(rep.options.own)), window)
    rep.continuation = result
    if result.branches:
        names = [parameter_label(s) for s in rep.game.parameters]
        bifurcation_diagram(result, coordinate=0, path=out / "bifurcation.png", names=names)
        rep.figures["bifurcation.png"] = "bifurcation"
        if rep.options.tikz:
            from eqselect.numerics.plots.tikz import bifurcation_tikz

            bifurcation_tikz(result, 0, ylabel=names[0].strip("$"), path=out / "bifurcation.tex")
            rep.figures["bifurcation.tex"] = "tikz"

def basin_starts(rep: Report):
    """The report's starts: the grid of a two-parameter game, else a two-axis slice
    (``axes`` and ``fixed`` of the options; the rest start uniform)."""
    from eqselect.numerics.dynamics.slices import SliceStarts
    from eqselect.numerics.dynamics.starts import GridStarts

    game, opts = rep.numeric.game, rep.options
    if opts.axes is None and not opts.fixed and len(game.parameters) == 2:
        return GridStarts(int(opts.grid))
    axes = opts.axes or tuple(f"{i + 1}:{game.action_name(i, 0)}"
                              for i in range(min(2, game.n_agents)))
    return SliceStarts(int(opts.grid), tuple(axes), tuple(opts.fixed))


def _basin_map(rep: Report, method: str):
    """One method's basin map, its end points classified by attractor.

    The attractors are the method's fixed points of the report's search
    (with the pure profiles at infinity); the fraction is the preferred
    attractor's share (payoff-dominant), so that the table, the figure's
    title and its legend state one number. Without a fixed-point list the
    map counts the paper's success predicate, and the report says so.
    """
    from dataclasses import replace

    from eqselect.numerics.dynamics.attractors import preferred_attractor
    from eqselect.numerics.dynamics.basins import run_basins
    from eqselect.numerics.dynamics.classify import CYCLE_WINDOW, all_attractors
    from eqselect.numerics.dynamics.judges import AttractorJudge, SuccessJudge
    from eqselect.numerics.dynamics.problem import BasinProblem

    dec, opts = rep.numeric, rep.options
    found = rep.equilibria.get(method)
    starts = basin_starts(rep)
    if found is None:
        rep.skipped[f"attractors of {method}"] = (
            "no fixed-point list: its basin map counts the paper's success predicate")
        return run_basins(BasinProblem(dec, _rule(rep, method), starts, opts.steps,
                                       judge=SuccessJudge(), kernel=_kernel(dec.game)))
    attractors = all_attractors(dec.game, found)
    index, notes = preferred_attractor(dec.game, attractors, "payoff-dominant")
    judge = AttractorJudge(preferred=index, predicate=False, window=CYCLE_WINDOW)
    bm = run_basins(BasinProblem(dec, _rule(rep, method), starts, opts.steps, judge=judge,
                                 fixed_points=found, kernel=_kernel(dec.game)))
    return replace(bm, notes=tuple(notes) + tuple(bm.notes))


def _kernel(game) -> str:
    """The compiled chain kernel for a Markov game (its closed form is huge), else numpy."""
    from eqselect.numerics.dynamics.kernels.fused import available

    return "numba" if game.structure is not None and available() else "numpy"


#: Size (inches) of a basin map or phase portrait: two fit side by side at the
#: report's text width, so they print at their own size (fonts >= 7 pt).
REPORT_FIGURE = (3.25, 3.9)


def _basins_and_portraits(rep: Report, out: Path) -> None:
    from eqselect.numerics.plots.portrait import basin_plot, phase_portrait, resized

    dec, opts = rep.numeric, rep.options
    for m in opts.methods:
        bm = _basin_map(rep, m)
        rep.basins[m] = bm
        basin_plot(bm, out / f"basin-{m}.png", game=rep.game, size=REPORT_FIGURE)
        rep.figures[f"basin-{m}.png"] = "basin"
    if len(rep.game.parameters) != 2:
        rep.skipped["phase portraits"] = (
            f"a phase portrait draws a two-parameter field; this game has "
            f"{len(rep.game.parameters)} parameters (the basin maps are slices)")
        return
    for m in opts.methods:
        found = rep.equilibria.get(m)
        points = found.equilibria if found is not None else None
        sep = _separatrix(rep, m, points or [])
        drawn = list(points or []) + list(found.at_infinity if found is not None else [])
        resized(phase_portrait(dec, opts.rule(m), fixed_points=drawn, separatrix=sep),
                REPORT_FIGURE, out / f"phase-{m}.png")
        rep.figures[f"phase-{m}.png"] = "phase"
        if opts.tikz:
            from eqselect.numerics.plots.tikz import phase_portrait_tikz

            phase_portrait_tikz(dec, opts.rule(m), fixed_points=points, separatrix=sep,
                                path=out / f"phase-{m}.tex")
            rep.figures[f"phase-{m}.tex"] = "tikz"

def _separatrix(rep: Report, method: str, points):
    """The stable manifold of the method's saddle, when it has exactly one."""
    from eqselect.numerics.dynamics.separatrix import separatrix
    from eqselect.numerics.fixed_points.core.record import Stability

    saddles = [e for e in points if e.stability is Stability.SADDLE and not e.boundary]
    if len(saddles) != 1:
        return None
    return separatrix(rep.numeric, saddles[0].point, rep.options.rule(method))
