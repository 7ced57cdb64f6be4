"""A5 for outcomes, and the measured selection effect.

For an outcome P that is not a finite fixed point (a face at infinity, a
region) there is no branch to continue; what persists or not is its basin.
With one sample of starts run under F_lambda = v + lambda M at every lambda
of a grid in [0, lambda_max] (`paired_starts`, common random numbers), the
mass of P's basin is

    m_P(lambda) = #{starts ending in P} / n,   Wilson interval at the confidence,

and A5 for outcomes reads: P keeps a basin of positive mass along the whole
grid (every Wilson lower bound > 0). The first grid lambda where no start
reaches P is where P's basin vanishes (the face stops attracting within the
sample's resolution: m_P < about 3 / n at 95%): A5 fails there. The same is
reported for R: beyond the lambda where R's basin vanishes while P's stays,
selection is global. Certified ``statistical``.

The selection effect is the paired change of P's mass from lambda = 0 to the
rule's lambda, m_P(lambda) - m_P(0), with the interval of
`paired_starts.paired_difference`: what the conditions predict, measured.
"""

from __future__ import annotations

from eqselect.theory.outcomes import Outcome
from eqselect.proofs_check.paired_starts import PairedSample, paired_difference
from eqselect.proofs_check.persistence import A5
from eqselect.proofs_check.verdict import Certified, Verdict


def lambda_grid(lam: float, lam_max: float, points: int = 3) -> tuple:
    """0, the rule's lambda and lam_max, with ``points`` - 1 steps up to lam_max in all."""
    step = lam_max / max(points - 1, 1)
    grid = {round(k * step, 12) for k in range(points)} | {float(lam)}
    return tuple(sorted(x for x in grid if 0 <= x <= lam_max))


def _vanishes(sample, grid, which: str):
    hits = sample.in_P if which == "P" else sample.in_R
    return next((lam for lam in grid if lam > 0 and not hits[lam].any()), None)


def check_outcome_a5(sample: PairedSample, grid, P: Outcome, R: Outcome | None) -> Verdict:
    """A5 for outcomes on ``grid`` (module docstring)."""
    masses = [sample.mass(lam, "P") for lam in grid]
    values = {"route": "basin mass along lambda (paired starts)", "lam_max": max(grid),
              "field": "F_lambda = v + lambda M", "P_mass": masses, "n": sample.n,
              "confidence": sample.options.confidence}
    if R is not None:
        values["R_mass"] = [sample.mass(lam, "R") for lam in grid]
    p_gone, r_gone = _vanishes(sample, grid, "P"), (
        _vanishes(sample, grid, "R") if R is not None else None)
    if r_gone is not None and (p_gone is None or r_gone < p_gone):
        values["selection_global_beyond"] = r_gone
    if p_gone is not None:
        values["P_vanishes_at"] = p_gone
        return Verdict("A5", A5, False, Certified.STATISTICAL, values, {}, (
            f"no start of {sample.n} reaches P = {P.name} at lambda = {p_gone:g}: its basin "
            f"vanishes (mass below the sample's resolution)"))
    low = min(m["interval"][0] for m in masses)
    if low > 0:
        why = (f"P = {P.name} keeps a basin of positive mass at every lambda of "
               f"{', '.join(f'{x:g}' for x in grid)} (smallest Wilson lower bound {low:.3g})")
        if r_gone is not None:
            why += f"; R = {R.name}'s basin vanishes at lambda = {r_gone:g}"
        return Verdict("A5", A5, True, Certified.STATISTICAL, values, {}, why)
    return Verdict("A5", A5, None, Certified.STATISTICAL, values, {},
                   "a Wilson interval of P's basin mass reaches 0", "more starts (--samples N)")


def selection_effect(sample: PairedSample, lam: float, P: Outcome) -> dict:
    """m_P(lam) - m_P(0) with its paired interval (module docstring)."""
    d = paired_difference(sample.in_P[0.0], sample.in_P[float(lam)], sample.options)
    return {"P": P.name, "lam": float(lam), "mass_at_0": sample.mass(0.0, "P"),
            "mass_at_lam": sample.mass(float(lam), "P"), **d,
            "field": "F_lambda = v + lambda M", "steps": sample.options.steps,
            "seed": sample.options.seed}


__all__ = ["check_outcome_a5", "lambda_grid", "selection_effect"]
