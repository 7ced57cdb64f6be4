"""A1 and A2 at saturated faces the flow reaches.

A face at infinity (an outcome holding some (agent, state, action)
coordinates saturated) has no finite point where J_M could be formed: the
policy saturates, and J_v, J_M tend to 0 there. What is finite and signed is
M's pressure on the held coordinates, the rate at which M closes each gap
1 - q_k (`outcome_regions.face_pressure`):

    pi_k(x) = -d/dt log(1 - q_k(x))  under  phi' = M(phi),

read at the end points x the flow of v reaches on the face (a sample of
starts run at lambda = 0, `paired_starts`; an end point is on the face when
every held probability is >= `SATURATED`). Its minimum over the held
coordinates is the face's analogue of the vertex margin of the direct
closure (the smallest normal-cone multiplier, docs/theory.md "Margins at the
boundary"): positive when M pushes every held coordinate further into
saturation. So at a face

    mu_M(face) = min over reached end points x, held k of pi_k(x),

A1 is mu_M(P) > 0 and A2 is mu_M(P) > mu_M(R), both ``numerical`` (values at
sampled end points, in floating point); the median over end points is
reported beside the minimum.
"""

from __future__ import annotations

import math

import numpy as np

from eqselect.theory.outcomes import Outcome
from eqselect.proofs_check import adapter
from eqselect.proofs_check.local import A1, A2
from eqselect.proofs_check.outcome_regions import face_pressure
from eqselect.proofs_check.paired_starts import PairedSample
from eqselect.proofs_check.verdict import Certified, Verdict, not_applicable

#: The ``route`` value of a verdict decided at faces.
FACE_ROUTE = "face pressure at the end points reached"
#: Below this |mu_M| the sign is not read (floating-point noise of M).
ZERO = 1e-12
#: Said when M's pressure is not a finite number at some end point.
NOT_FINITE = ("; M's pressure is not finite in floating point at some end point (payoffs "
              "past double range): not decidable here")


def shaping_at(dec, at) -> callable:
    """x -> M(x) = F_1(x) - F_0(x) for the family ``at`` (lambda -> Rule)."""
    f0, f1 = adapter.field_evaluator(dec, at(0.0)), adapter.field_evaluator(dec, at(1.0))
    return lambda x: f1(x) - f0(x)


def face_margin(game, M, outcome: Outcome, ends) -> dict | None:
    """mu_M of a face at the end points ``ends`` in it (None when there are none)."""
    if outcome.kind == "point" or len(ends) == 0:
        return None
    pi = face_pressure(game, outcome, ends, M(ends)).min(axis=1)
    worst = int(np.argmin(pi))
    return {"mu_M": float(pi[worst]), "median": float(np.median(pi)),
            "positive_share": float(np.mean(pi > ZERO)), "ends": int(len(ends)),
            "worst_end": tuple(float(v) for v in ends[worst])}


#: A held coordinate counts as saturated (the end point on the face, not only
#: in the outcome's region) from this probability on.
SATURATED = 0.99


def _ends(sample: PairedSample, game, outcome: Outcome, which: str):
    """The end points at lambda = 0 on the face: in the outcome, every held
    probability >= `SATURATED` (all of the outcome's ends when none is)."""
    from dataclasses import replace

    from eqselect.proofs_check.outcome_regions import members

    inside = sample.in_P[0.0] if which == "P" else sample.in_R[0.0]
    ends = sample.final[0.0][inside]
    if outcome.kind == "point" or not len(ends):
        return ends
    on_face = members(game, replace(outcome, threshold=SATURATED), ends)
    return ends[on_face] if on_face.any() else ends


def face_margins(dec, at, game, outcomes, sample: PairedSample) -> dict:
    """{"P": margin or None, "R": ...} at the faces reached at lambda = 0."""
    M = shaping_at(dec, at)
    return {who: (face_margin(game, M, o, _ends(sample, game, o, who)) if o is not None
                  else None)
            for who, o in zip("PR", outcomes)}


def _none_reached(who, o, sample) -> str:
    if o.kind == "point":
        return f"{who} = {o.name} is a finite point, not a face"
    return (f"the flow of v reaches the face {who} = {o.name} from none of the {sample.n} "
            "sampled starts: no end point to read M's pressure at")


def check_face_a1(margins: dict, P: Outcome, sample: PairedSample) -> Verdict:
    """A1 at the face P: mu_M(P) > 0 (module docstring)."""
    m = margins["P"]
    if m is None:
        return not_applicable("A1", A1, _none_reached("P", P, sample))
    values = {"route": FACE_ROUTE, "mu_M(P)": m["mu_M"], "median": m["median"],
              "ends": m["ends"],
              "positive_share": m["positive_share"], "P": P.name}
    reason = (f"P = {P.name} is a face at infinity: mu_M is the smallest rate at which M "
              "drives a held coordinate's probability q toward 1 (the growth rate of "
              f"-ln(1 - q)) over the {m['ends']} end points the flow of v reaches in it "
              "(docs/alignment.md)")
    if not math.isfinite(m["mu_M"]):
        return Verdict("A1", A1, None, Certified.NUMERICAL, values, {"worst_end": m["worst_end"]},
                       reason + NOT_FINITE)
    if abs(m["mu_M"]) <= ZERO:
        return Verdict("A1", A1, None, Certified.NUMERICAL, values, {"worst_end": m["worst_end"]},
                       reason + "; the minimum is 0 to rounding")
    return Verdict("A1", A1, m["mu_M"] > 0, Certified.NUMERICAL, values,
                   {"worst_end": m["worst_end"]}, reason)


def check_face_a2(margins: dict, P: Outcome, R: Outcome | None, sample) -> Verdict:
    """A2 at faces: mu_M(P) > mu_M(R)."""
    if R is None:
        return not_applicable("A2", A2, "no alternative outcome R: A2 does not apply")
    for who, o in (("P", P), ("R", R)):
        if margins[who] is None:
            return not_applicable("A2", A2, _none_reached(who, o, sample))
    p, r = margins["P"]["mu_M"], margins["R"]["mu_M"]
    values = {"route": FACE_ROUTE, "mu_M(P)": p, "mu_M(R)": r, "difference": p - r,
              "P": P.name, "R": R.name}
    reason = ("mu_M of each face is M's smallest pressure on its held coordinates at the end "
              "points the flow of v reaches in it (docs/alignment.md)")
    if not (math.isfinite(p) and math.isfinite(r)):
        return Verdict("A2", A2, None, Certified.NUMERICAL, values, {}, reason + NOT_FINITE)
    if abs(p - r) <= ZERO * max(1.0, abs(p), abs(r)):
        return Verdict("A2", A2, None, Certified.NUMERICAL, values, {}, reason +
                       "; the two are equal to rounding")
    return Verdict("A2", A2, p > r, Certified.NUMERICAL, values, {}, reason)


__all__ = ["check_face_a1", "check_face_a2", "face_margin", "face_margins", "shaping_at"]
