"""A5 persistence: P (and R) followed in lambda; logit-QRE branches in tau.

In lambda: every branch of fixed points of the rule's field through lambda = 0
is continued to ``lam_max`` (pseudo-arclength, with corner fixed points of
the box tracked exactly). A5 holds when the branch through P stays stable up
to ``lam_max``; the fold or boundary event where R's branch ends is the
lambda beyond which selection is global.

In tau (entropy-regularised games): the principal branch is followed from a
large temperature, where the regularised game has one fixed point, down to
the game's tau, with lambda = 0 and with the rule's lambda; where it lands
(near P or near R) is reported, and P's branch is followed upward from tau to
find the fold where it is born (docs/alignment.md, "A5").
"""

from __future__ import annotations

import numpy as np

from eqselect.proofs_check import adapter
from eqselect.proofs_check.verdict import Certified, Verdict, not_applicable

A5 = (r"P \text{ stays a stable fixed point of } F_\lambda \text{ for } "
      r"\lambda \in [0, \lambda_{\max}]")


def _branch_of(branches, point, tol=1e-3):
    """The branch whose row at lambda = 0 is ``point`` (finite coordinates)."""
    if point is None or not np.all(np.isfinite(point)):
        return None
    for k, b in enumerate(branches):
        row = b.points[0]
        if abs(row[0]) < 1e-9 and np.max(np.abs(row[1:] - np.asarray(point))) < tol:
            return k
    return None


def _summary(b, k):
    stable_to = 0.0
    for row, st in zip(b.points, b.stability):
        if st != "stable":
            break
        stable_to = float(row[0])
    end = {"branch": k, "kind": b.kind, "status": b.status, "lam_end": float(b.points[-1][0]),
           "stable_up_to": stable_to, "events": [
               {"type": t, "lam": v, "exact_lam": ex, "point": p} for t, v, p, ex in b.events]}
    return end


def check_a5(sf, P, R, lam_max: float) -> Verdict:
    """A5 in lambda over [0, lam_max] (see the module docstring)."""
    if sf.trivial:
        return not_applicable("A5", A5, "the rule has no shaping field (M = 0): nothing moves")
    if P.at_infinity:
        return not_applicable("A5", A5, "P lies at infinity under logit: there is no finite "
                              "branch to continue; use --param direct or --tau > 0")
    branches, events, notes = adapter.lambda_branches(sf.dec, sf.rule, lam_max)
    kp = _branch_of(branches, P.point)
    values = {"lam_max": lam_max, "events": [
        {"type": t, "lam": v, "exact_lam": ex, "point": p} for t, v, p, ex in events]}
    evidence = {"branches": len(branches), "notes": list(notes)}
    if kp is None:
        why = [n for n in notes if "not tracked" in n]
        return Verdict("A5", A5, None, Certified.NUMERICAL, values, evidence,
                       "no continuation branch starts at P: not decidable here"
                       + (f" ({'; '.join(why)})" if why else ""))
    sp_ = _summary(branches[kp], kp)
    values["P_branch"] = sp_
    holds = sp_["stable_up_to"] >= lam_max - 1e-9
    reason = ""
    kr = _branch_of(branches, None if R is None or R.at_infinity else R.point)
    if kr is not None:
        sr = _summary(branches[kr], kr)
        values["R_branch"] = sr
        if sr["lam_end"] < lam_max - 1e-9 or sr["stable_up_to"] < lam_max - 1e-9:
            ev = sr["events"][-1] if sr["events"] else None
            values["selection_global_beyond"] = ev["exact_lam"] if ev and ev["exact_lam"] \
                is not None else sr["stable_up_to"]
            reason = (f"R stops being a stable fixed point at lambda = "
                      f"{values['selection_global_beyond']}: beyond it P is the only stable "
                      "fixed point on the followed branches")
    elif R is not None:
        reason = "R is not on a branch through lambda = 0 (at infinity or not followed)"
    return Verdict("A5", A5, bool(holds), Certified.NUMERICAL, values, evidence, reason)


def tau_paths(game, sf, P, R, tau, tau_high: float = 10.0) -> dict:
    """Logit-QRE branches in tau, with and without shaping (see the module docstring)."""
    out = {"tau_from": tau_high, "tau_to": float(tau)}
    dec_tau = adapter.tau_game_decomposition(game, tau, sf.dec.eta)
    for label, rule in (("no shaping (pg)", "pg"), (sf.rule.describe(), sf.rule)):
        branches, events, notes = adapter.tau_branches(dec_tau, rule, float(sf.rule.lam),
                                                       (tau_high, float(tau)))
        ends, others = [], []
        for b in branches:
            end = b.points[-1]
            reached = abs(end[0] - float(tau)) < 1e-6
            near = None
            for name, r in (("P", P), ("R", R)):
                if r is not None and not r.at_infinity and reached and \
                        np.max(np.abs(end[1:] - np.asarray(r.point))) < 0.5:
                    near = name
            # the principal path starts at the high temperature; branches found
            # from the low end (e.g. P's, born at a fold) are reported beside it
            principal = abs(b.points[0][0] - tau_high) < 1e-6
            (ends if principal else others).append(
                {"start": b.points[0].tolist(), "end": end.tolist(),
                 "reaches_tau": bool(reached), "lands_near": near, "status": b.status})
        out[label] = {"principal": ends, "other_branches": others, "events": [
            {"type": t, "tau": v, "point": p} for t, v, p, _ in events], "notes": list(notes)}
    if P is not None and not P.at_infinity:
        branches, events, _ = adapter.tau_branches(dec_tau, "pg", 0.0, (float(tau), tau_high),
                                                   starts=[P.point])
        out["P_branch_upward"] = {"events": [{"type": t, "tau": v, "point": p}
                                             for t, v, p, _ in events],
                                  "end": branches[0].points[-1].tolist() if branches else None}
    return out
