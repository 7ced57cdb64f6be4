"""The verdicts of ``eqselect check`` in words: plain text and LaTeX, one renderer.

Each verdict is written as four things a reader can use (docs/alignment.md,
"Reading a verdict"):

1. the condition in mathematics (plain text, or the verdict's LaTeX statement);
2. the values it rests on: mu_M(P) and mu_M(R), the minimum of <M, n_P> on the
   separatrix and where, the A4 counterexample, the event lambdas, ...;
3. one line on what it means for selection;
4. for a verdict left undecided, what would decide it (``Verdict.to_decide``).

`check_text` and `check_latex` print a whole `CheckResult`; `verdicts_latex`
is the body both ``eqselect check --latex`` and the report's alignment
section use.
"""

from __future__ import annotations

import math
from dataclasses import replace

import sympy as sp

from eqselect.theory.latex import PREAMBLE, escape_latex
from eqselect.theory.profile_names import (
    actions_are_named, profile_actions, profile_name, pure_profile)
from eqselect.proofs_check.face_alignment import FACE_ROUTE
from eqselect.proofs_check.verdict import CheckResult, Verdict

#: Each condition and statement in plain-text mathematics (docs/alignment.md).
PLAIN = {
    "A0": "own(phi*) = 0 at the interior fixed points of v; shift -J_v^{-1} M(phi*)",
    "A1": "mu_M(P) = -lambda_max(sym J_M(P)) > 0",
    "A2": "mu_M(P) > mu_M(R)",
    "A3": "<M(phi), n_P(phi)> > 0 for every phi on the separatrix Sigma between P and R",
    "A4": "<peer(phi), grad W(phi)> >= 0 on the region, W = sum_i J_i",
    "A5": "P stays a stable fixed point of F_lambda = v + lambda M for lambda in "
          "[0, lambda_max]",
    "ift-shift": "d phi*_lambda / d lambda at 0 = -J_v^{-1} M(P)",
    "weyl": "-lambda_max(sym(J_v + lambda J_M)) >= mu + lambda mu_M",
    "radius": "rho_lambda = (mu + lambda mu_M) / (2 L_lambda): <F_lambda(phi), "
              "phi - phi*_lambda> <= -(mu + lambda mu_M)/2 |phi - phi*_lambda|^2 on the ball",
    "two-phase": "1/2 < p <= 1 and q > 1 - p (step and annealing powers of phase 2)",
    "n0": "N_0 = ceil(log(8 V_0 / (delta rho^2)) / (mu_lambda alpha_0)) <= the paper's N_0",
    "speed-up": "N_0(0) / N_0(lambda) >~ 1 + lambda mu_M / mu",
    "restarts": "p_rho = nu(B_rho) <= basin mass of P; E[T] <= 1 / (p_rho (1 - delta))",
    "estimator": "the sampled cur and split-batch peer are unbiased; the one-batch peer's "
                 "bias is O(1/B)",
}

#: What each verdict means for selection, in one line.
MEANING = {
    "A0": "shaping leaves the Nash points' own term at zero and only the peer term moves them",
    "A1": "shaping makes P more strongly attracting",
    "A2": "shaping strengthens P more than the alternative R",
    "A3": "for small lambda > 0 the shaping field pushes the basin boundary away from P: "
          "P's basin grows",
    "A4": "the peer term never decreases total welfare W to first order",
    "A5": "P survives as a stable point of the shaped field over the whole lambda range",
    "ift-shift": "shaping moves P along -J_v^{-1} M(P) at first order; annealing lambda to "
                 "0 returns to P",
    "weyl": "the margin of the shaped field is at least mu + lambda mu_M",
    "radius": "starts inside rho_lambda of the shifted point contract to it",
    "two-phase": "whether the experiments' schedule is covered by the two-phase theorem",
    "n0": "the phase-1 length the theorem asks for, against the paper's",
    "speed-up": "how much faster shaping makes phase 1, against the corollary's bound",
    "restarts": "the restart bound uses a ball no larger than P's measured basin",
    "estimator": "the sampled components the experiments use are the exact ones on average",
}

#: What would decide a condition left undecided, when its check does not say.
TO_DECIDE = {
    "A0": "exact fixed points (--param direct, or a game whose fixed points are algebraic)",
    "A1": "a finite P (--param direct or --tau > 0) whose mu_M(P) is exact or enclosed "
          "away from 0",
    "A2": "an alternative R (a second stable equilibrium), and exact P and R or enclosures "
          "of mu_M(P) and mu_M(R) that do not overlap",
    "A3": "an alternative R (a second stable equilibrium), then an exact separatrix "
          "(--param direct, affine v) or a covering of the traced separatrix by boxes on "
          "which <M, n_P> is enclosed away from 0",
    "A4": "a finer subdivision around the undecided boxes, or a factorisation of g that "
          "isolates the factor vanishing there",
    "A5": "a continuation branch through P (a finite P: --param direct or --tau > 0)",
    "ift-shift": "an interior P with J_v invertible: a finite one under logit (--tau > 0), "
                 "an interior equilibrium in the direct parameterisation",
    "weyl": "a finite P (--param direct or --tau > 0) with exact coordinates, so that every "
            "gap is formed exactly",
    "radius": "an interior P with a positive margin mu + lambda mu_M at the shifted point, "
              "and a finer subdivision of the ball",
    "n0": "a certified radius at P (see radius)",
    "speed-up": "certified radii at lambda = 0 and at lambda (see radius)",
    "restarts": "a certified radius at P (see radius)",
}


def with_to_decide(v: Verdict) -> Verdict:
    """``v`` with ``to_decide`` filled for an undecided verdict whose check left it empty."""
    if v.holds is not None or v.to_decide or v.id not in TO_DECIDE:
        return v
    return replace(v, to_decide=TO_DECIDE[v.id])


def verdict_word(v: Verdict) -> str:
    """holds, holds (with equality), fails, or not decided."""
    if v.holds is None:
        return "not decided"
    if v.holds is False:
        return "fails"
    status = v.values.get("status")
    equal = isinstance(status, (list, tuple)) and status and all(s == "equality" for s in status)
    return "holds (with equality)" if equal else "holds"


def show(x) -> str:
    """A value as a reader reads it: exact numbers as they are, floats to 6 digits."""
    if isinstance(x, sp.MatrixBase):
        x = tuple(x)
    if isinstance(x, bool) or x is None:
        return str(x)
    if isinstance(x, float):
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return f"{x + 0.0:.6g}"
    if isinstance(x, sp.Basic):
        return str(x) if x.is_Rational or not x.is_number else f"{str(x)} = {float(x):.6g}"
    if isinstance(x, (list, tuple)):
        return "(" + ", ".join(show(y) for y in x) + ")"
    return str(x)


def _margin(r, which: str):
    if r is None:
        return None
    exact = getattr(r, f"exact_{which}")
    return exact if exact is not None else getattr(r, which)


def _events(v: Verdict) -> list:
    """(``"<type> at lambda"``, lambda) for each event of a continuation, once each."""
    out = []
    for ev in v.values.get("events", ()):
        if isinstance(ev, dict):
            lam = ev.get("exact_lam") if ev.get("exact_lam") is not None else ev.get("lam")
            pair = (f"{ev.get('type')} at lambda", lam)
            if all(pair[0] != a or show(lam) != show(b) for a, b in out):
                out.append(pair)
    return out


def rests_on(result: CheckResult, v: Verdict) -> list[tuple[str, object]]:
    """(name, value) pairs a verdict rests on (values as the verdict holds them)."""
    vals, P, R = v.values, result.preferred, result.alternative
    out = []
    if v.id in ("A1", "A2", "weyl", "radius") and P is not None:
        out.append(("mu_M(P)", _margin(P, "mu_M")))
    if v.id == "A2" and R is not None:
        out.append(("mu_M(R)", _margin(R, "mu_M")))
    keys = {
        "A0": (), "A1": (), "A2": ("difference",),
        "A3": ("inner_product", "minimum", "minimum_at", "min_lower_bound", "counterexample",
               "saddle", "Sigma", "n", "delta", "gains", "losses", "R->P", "P->R", "flux",
               "flux_interval"),
        "A4": ("counterexample", "value_there", "region"),
        "A5": ("selection_global_beyond", "P_vanishes_at"),
        "ift-shift": ("shift_direction", "secant", "relative_error", "M(P)"),
        "weyl": ("gaps_exact",),
        "radius": ("phi*_lambda", "m", "rho", "L"),
    }.get(v.id)
    if keys is None:  # the statements of rates: their scalar values
        keys = [k for k, x in vals.items() if isinstance(x, (int, float, sp.Basic, str))][:5]
    out += [(k, vals[k]) for k in keys if k in vals]
    if v.id == "A3" and v.evidence.get("negative_at") is not None:
        out.append(("<M, n_P> < 0 at s", v.evidence["negative_at"]))
    if v.id == "A4" and "signed_factors" in vals and "counterexample" not in vals:
        out += [(f"{sign} factor of g", f) for f, sign in vals["signed_factors"]]
    if v.id == "A0":  # one entry per interior fixed point, "#k" as in the fixed-point list
        out += [(f"shift at {k}", x["shift_direction"]) for k, x in vals.items()
                if isinstance(x, dict) and x.get("shift_direction") is not None]
    if v.id in ("A1", "A2") and vals.get("route") == FACE_ROUTE:
        out = [(k, vals[k]) for k in ("mu_M(P)", "mu_M(R)", "difference", "median", "ends")
               if k in vals]
    if v.id == "A5" and "P_mass" in vals:
        out += [(f"m_P({m['lam']:g})", f"{m['mass']:.4g} [{m['interval'][0]:.4g}, "
                 f"{m['interval'][1]:.4g}]") for m in vals["P_mass"]]
    if v.id == "A5":
        out += _events(v)
        branch = vals.get("P_branch")
        if isinstance(branch, dict) and "stable_up_to" in branch:
            out.append(("P stable up to lambda", branch["stable_up_to"]))
    return out


#: Names of values written in mathematics in LaTeX.
LATEX_NAMES = {"inner_product": r"$\langle M, n_P\rangle$ on $\Sigma$",
               "mu_M(P)": r"$\mu_M(P)$", "mu_M(R)": r"$\mu_M(R)$", "M(P)": "$M(P)$",
               "phi*_lambda": r"$\phi^*_\lambda$", "rho": r"$\rho$", "m": "$m$", "L": "$L$",
               "<M, n_P> < 0 at s": r"$\langle M, n_P\rangle < 0$ at $s$",
               "R->P": r"$R \to P$", "P->R": r"$P \to R$", "delta": r"$\delta$"}


def latex_value(x) -> str:
    """A value in LaTeX: numbers and expressions in math mode, text escaped."""
    if isinstance(x, sp.MatrixBase):
        x = tuple(x)
    if isinstance(x, bool) or x is None:
        return str(x)
    if isinstance(x, float):
        if math.isinf(x):
            return r"$\infty$" if x > 0 else r"$-\infty$"
        text = f"{x + 0.0:.6g}"
        if "e" in text:
            mant, exp = text.split("e")
            text = rf"{mant} \cdot 10^{{{int(exp)}}}"
        return f"${text}$"
    if isinstance(x, int):
        return f"${x}$"
    if isinstance(x, sp.Basic):
        return f"${sp.latex(x)}$"
    if isinstance(x, (list, tuple)):
        return "(" + ", ".join(latex_value(y) for y in x) + ")"
    return escape_latex(str(x))


def _latex_name(name: str) -> str:
    if name in LATEX_NAMES:
        return LATEX_NAMES[name]
    return escape_latex(name).replace("lambda", r"$\lambda$")


def _label(r, game) -> str:
    """How P or R was chosen, then its pure profile by action names (``#2 (Stag, Stag)``)
    when ``game`` names its actions and the label does not already say it."""
    profile = None if game is None else pure_profile(game, r.strategies)
    if profile is None or not actions_are_named(game) \
            or r.label == ",".join(profile_actions(game, profile)):
        return r.label
    return f"{r.label} {profile_name(game, profile)}"


def _point(r, game=None) -> str:
    if r is None:
        return "none"
    if r.outcome is not None:  # a face at infinity, a region or a named point
        mu = "" if r.mu_M is None else f"; mu_M = {r.mu_M + 0.0:.6g} (face, {r.certified})"
        return f"{r.label} ({r.outcome['kind']}: {r.outcome['description']}){mu}"
    pt = ", ".join(show(float(x)) for x in r.point)
    mu = "" if r.at_infinity else \
        f"; mu = {r.mu + 0.0:.6g}, mu_M = {r.mu_M + 0.0:.6g} ({r.certified})"  # no -0
    return f"{_label(r, game)} at ({pt}){mu}"


def check_text(result: CheckResult, game=None) -> str:
    """Plain text: P, R (named by ``game``'s actions when given), then per verdict its
    line, statement, values, meaning, next step."""
    lines = [f"{result.game} ({result.parameterization}); rule {result.rule['method']}",
             f"P: {_point(result.preferred, game)}", f"R: {_point(result.alternative, game)}",
             ""]
    for v in (*result.conditions, *result.claims):
        v = with_to_decide(v)
        why = f"  [{v.reason}]" if v.reason else ""
        lines.append(f"{v.id:10s} {verdict_word(v):12s} {v.certified.value:9s}{why}".rstrip())
        if v.id in PLAIN:
            lines.append(f"    statement: {PLAIN[v.id]}")
        values = rests_on(result, v)
        if values:
            lines.append("    rests on: " + "; ".join(f"{k} = {show(x)}" for k, x in values))
        if v.id in MEANING:
            lines.append(f"    meaning: {MEANING[v.id]}")
        if v.holds is None and v.to_decide:
            lines.append(f"    to decide: {v.to_decide}")
    if result.selection is not None:
        lines.append(selection_line(result.selection))
    lines += [f"note: {f}" for f in result.findings]
    return "\n".join(lines) + "\n"


def selection_line(sel: dict) -> str:
    """The measured selection effect in one line (docs/alignment.md)."""
    lo, hi = sel["interval"]
    a, b = sel["mass_at_0"], sel["mass_at_lam"]
    return (f"selection effect: P's basin mass {a['mass']:.4g} at lambda = 0 -> "
            f"{b['mass']:.4g} at lambda = {sel['lam']:g} (F_lambda = v + lambda M): change "
            f"{sel['change']:+.4g}, {100 * sel['confidence']:g}% interval [{lo:+.4g}, {hi:+.4g}]"
            f" ({sel['gains']} starts gained, {sel['losses']} lost of {sel['n']}; statistical)")


def _verdict_latex(result: CheckResult, v: Verdict) -> str:
    v = with_to_decide(v)
    head = (f"\\item[{escape_latex(v.id)}] \\textbf{{{verdict_word(v)}}} "
            f"({v.certified.value}). ${v.statement}$.")
    parts = [head]
    values = rests_on(result, v)
    if values:
        parts.append("\\emph{Rests on:} " + "; ".join(
            f"{_latex_name(k)} = {latex_value(x)}" for k, x in values) + ".")
    if v.id in MEANING:
        parts.append(f"\\emph{{Meaning:}} {escape_latex(MEANING[v.id])}.")
    if v.reason:
        parts.append(f"\\emph{{Why:}} {escape_latex(v.reason)}.")
    if v.holds is None and v.to_decide:
        parts.append(f"\\emph{{To decide:}} {escape_latex(v.to_decide)}.")
    return "\n".join(parts)


def verdicts_latex(result: CheckResult, game=None) -> str:
    """The verdicts as a LaTeX description list (needs amsmath and amssymb).

    Set ``\\sloppy`` in a group, so long values break at spaces rather than
    run into the margin.
    """
    items = "\n".join(_verdict_latex(result, v) for v in (*result.conditions, *result.claims))
    pts = (f"\\noindent $P$: {escape_latex(_point(result.preferred, game))}.\\\\\n"
           f"$R$: {escape_latex(_point(result.alternative, game))}.\n")
    notes = "".join(f"\\par\\noindent Note: {escape_latex(str(f))}\n" for f in result.findings)
    if result.selection is not None:
        notes = (f"\\par\\noindent {escape_latex(selection_line(result.selection))}\n"
                 + notes)
    return ("{\\sloppy\n" + pts + "\\begin{description}\n" + items + "\n\\end{description}\n"
            + notes + "}\n")


def check_latex(result: CheckResult, standalone: bool = False, game=None) -> str:
    """``eqselect check --latex``: the verdicts as a fragment, or a complete document.

    The fragment needs the packages amsmath and amssymb; ``standalone`` adds
    the preamble and ``\\begin{document}`` so pdflatex compiles it as it is.
    """
    title = (f"{escape_latex(result.game)} ({escape_latex(result.parameterization)}), "
             f"rule {escape_latex(result.rule['method'])}")
    body = verdicts_latex(result, game)
    if not standalone:
        return f"% eqselect check: {title}; needs amsmath and amssymb\n" + body
    return (PREAMBLE + "\\begin{document}\n"
            f"\\section*{{Alignment conditions: {title}}}\n" + body + "\\end{document}\n")
