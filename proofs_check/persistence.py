"""A5 persistence: P (and R) followed in lambda along F_lambda = v + lambda M; QRE branches in tau.

In lambda: the field continued is F_lambda = v + lambda M (docs/alignment.md),
M the rule's shaping field, whatever weight the rule itself gives M. It is the
field of a registry rule with its own coefficient c set to lambda
(`field_rule`: meta-mapg's cur + lambda own + lambda peer, peer-only's
cur + lambda peer, ...); rules whose M no registry rule weighs by lambda
(lookahead, lola: la enters with weight 1) are not continued, which the
verdict says; their F_lambda is still decided on the exact route.

- Exact route: when F_lambda is affine in phi on a box (direct 2x2 games) its
  fixed points are solved exactly in lambda, face by face
  (:mod:`eqselect.proofs_check.exact_branches`); the lambda where P's (and
  R's) point stops being a stable fixed point is an exact real root, and the
  events (boundary, line of fixed points, fold, Hopf) are exact.
- Continuation: every branch through lambda = 0 is followed to ``lam_max``
  (pseudo-arclength with fold, branch-point, Hopf and boundary events, corner
  points tracked exactly); P's and R's branches are read from it.

A5 holds when P stays a stable fixed point on [0, lam_max]. The sentence that
explains it is computed from both branches: R stopping before P, both at the
same lambda, or P first.

In tau (entropy-regularised games): the principal branch is followed from a
large temperature, where the regularised game has one fixed point, down to
the game's tau, with lambda = 0 and with the rule's lambda; where it lands
(near P or near R) is reported, and P's branch is followed upward from tau to
find the fold where it is born (docs/alignment.md, "A5").
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from eqselect.theory import RegionKind
from eqselect.theory.exact import to_exact
from eqselect.theory.rules import LAMBDA, REGISTRY, TERMS, Rule
from eqselect.proofs_check import adapter
from eqselect.proofs_check import exact_branches as eb
from eqselect.proofs_check.verdict import Certified, Verdict, not_applicable

A5 = (r"P \text{ stays a stable fixed point of } F_\lambda = v + \lambda M \text{ for } "
      r"\lambda \in [0, \lambda_{\max}]")
#: Two lambdas closer than this are one event on the numerical route.
SAME_LAMBDA = 1e-6
#: Branch ends that are failures of the continuation, not events of the field.
STOPPED = ("ds_min", "max_steps", "start_failed")


def field_rule(sf) -> Rule | None:
    """A registry rule whose field, with c = lambda, is F_lambda = v + lambda M.

    Its weights must be 1 on cur, "lam" or "own" on every piece of M and 0
    elsewhere; the rule's own method is preferred. None when there is none.

    Examples
    --------
    >>> from eqselect.theory import builtin, Decomposition
    >>> from eqselect.numerics.shaping import ShapingField
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=sp.Rational(11, 20))
    >>> field_rule(ShapingField(dec, Rule("lola-foerster"))).method.value
    'peer-only'
    >>> field_rule(ShapingField(dec, Rule("lookahead"))) is None
    True
    """
    specs = [REGISTRY[sf.rule.method]] + [s for m, s in REGISTRY.items() if m != sf.rule.method]
    for s in specs:
        w = dict(zip(TERMS, s.weights))
        if s.adaptive or w["cur"] != 1:
            continue
        if all((w[t] in ("lam", "own")) if t in sf.pieces else w[t] == 0
               for t in TERMS if t != "cur"):
            needs_c = any(w[t] == "own" for t in sf.pieces)
            return Rule(s.method, own_coef=LAMBDA) if needs_c else Rule(s.method)
    return None


def _continuable(sf, rule) -> bool:
    """Whether the continuation takes the rule: on a box with an entropy term its seeds are
    solved at a numeric own coefficient c, so c = lambda is refused there."""
    boxed_entropy = sf.dec.game.tau is not None and \
        sf.dec.game.region.kind is not RegionKind.FREE
    return rule is not None and not (boxed_entropy and isinstance(rule.own_coef, sp.Symbol))


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


def explain(p_lost, r_lost, lam_max, same=lambda a, b: a == b) -> tuple[str, object]:
    """The sentence that explains A5 from both branches, and the lambda beyond which P is
    the only stable one of the two (None when there is none).

    ``p_lost``, ``r_lost``: where P's and R's points stop being stable fixed
    points of F_lambda (None: not on [0, lam_max]; R may also be None when there
    is no R on a branch).

    Examples
    --------
    >>> text, beyond = explain(None, sp.Rational(40, 33), 3)
    >>> text.split(":")[0], beyond
    ('R stops being a stable fixed point at lambda = 40/33 while P stays stable on [0, 3]', 40/33)
    >>> explain(1, 1, 3)[0]
    'P and R both stop being stable fixed points at lambda = 1: beyond it neither is'
    """
    if p_lost is None and r_lost is None:
        return f"P and R both stay stable fixed points on [0, {lam_max}]", None
    if p_lost is None:
        return (f"R stops being a stable fixed point at lambda = {r_lost} while P stays "
                f"stable on [0, {lam_max}]: beyond it, of the two only P is stable"), r_lost
    if r_lost is None:
        return f"P stops being a stable fixed point at lambda = {p_lost}; R stays stable", None
    if same(p_lost, r_lost):
        return (f"P and R both stop being stable fixed points at lambda = {p_lost}: beyond it "
                "neither is"), None
    if _less(p_lost, r_lost):
        return (f"P stops being a stable fixed point at lambda = {p_lost}, before R "
                f"(at lambda = {r_lost})"), None
    return (f"R stops being a stable fixed point at lambda = {r_lost} and P at lambda = "
            f"{p_lost}: in between, of the two only P is stable"), r_lost


def _less(a, b) -> bool:
    return bool(sp.N(a, 30) < sp.N(b, 30)) if isinstance(a, sp.Basic) or \
        isinstance(b, sp.Basic) else a < b


def check_a5(sf, P, R, lam_max) -> Verdict:
    """A5 in lambda over [0, lam_max] on F_lambda (see the module docstring); an exact
    ``lam_max`` (a sympy or int number) keeps the exact route on the exact range."""
    if sf.trivial:
        return not_applicable("A5", A5, "the rule has no shaping field (M = 0): nothing moves")
    if P.at_infinity:
        return not_applicable("A5", A5, "P lies at infinity under logit: there is no finite "
                              "branch to continue; use --param direct or --tau > 0")
    rule = field_rule(sf)
    exact = _exact(sf, P, R, lam_max)  # on the exact range when lam_max is exact
    lam_exact, lam_max = lam_max, float(lam_max)
    values = {"lam_max": lam_max, "field": "F_lambda = v + lambda M"}
    if not _continuable(sf, rule):
        why = (f"F_lambda = v + lambda M with M = {' + '.join(sf.pieces)}: no rule weighs "
               "these pieces by lambda, so the continuation does not build F_lambda"
               if rule is None else "the continuation seeds an entropy-regularised box "
               "game at a numeric own coefficient, so it does not follow c = lambda")
        if exact is None:
            return not_applicable("A5", A5, why + "; not decided here")
        values["events"] = _events((), exact)
        return _exact_verdict(exact, values, {"continuation": why}, lam_max, lam_exact)
    try:
        branches, events, notes = adapter.lambda_branches(sf.dec, rule, lam_max)
    except (np.linalg.LinAlgError, FloatingPointError, OverflowError) as exc:
        # coefficients past double range (payoffs near the 10^300 a game file allows)
        why = f"the numerical continuation failed ({type(exc).__name__}: {exc})"
        if exact is None:
            return not_applicable("A5", A5, why + "; not decided here")
        values["events"] = _events((), exact)
        return _exact_verdict(exact, values, {"continuation": why}, lam_max, lam_exact)
    values.update({"continued_as": rule.method.value + (
                       " with c = lambda" if isinstance(rule.own_coef, sp.Symbol) else ""),
                   "events": _events(events, exact)})
    evidence = {"branches": len(branches), "notes": list(notes)}
    if exact is not None:
        return _exact_verdict(exact, values, evidence, lam_max, lam_exact)
    return _numerical_verdict(branches, P, R, values, evidence, notes, lam_max)


#: The continuation's event type for each exact one.
_KIND = {"boundary": "boundary", "line": "branch", "hopf": "hopf"}


def _events(numeric, exact) -> list:
    """The continuation's events, each with the exact lambda of a matching exact event;
    then the exact events the continuation did not report."""
    out = [{"type": t, "lam": v, "exact_lam": ex, "point": p} for t, v, p, ex in numeric]
    if exact is None:
        return out
    seen = set()
    for e in out:
        for x in exact["events"]:
            if abs(x["lam"] - e["lam"]) < SAME_LAMBDA and _KIND[x["type"]] == e["type"]:
                e["exact_lam"] = e["exact_lam"] if e["exact_lam"] is not None else x["exact_lam"]
                if x["type"] == "line":  # the branch point is a line of fixed points
                    e["line_of_fixed_points"] = x["equations"]
                seen.add(id(x))
    keys = set()
    for x in exact["events"]:
        key = (x["type"], x["exact_lam"], x["point"])
        if id(x) not in seen and key not in keys:
            keys.add(key)
            out.append({"type": x["type"], "lam": x["lam"], "exact_lam": x["exact_lam"],
                        "point": x["point"], "face": x["face"], "source": "exact solve"})
    return out


def _exact(sf, P, R, lam_max):
    """P's and R's points and the events, exact, or None off the exact route."""
    F = sf.v + LAMBDA * sf.M
    if sf.dec.game.region.kind is not RegionKind.BOX or len(sf.symbols) > 2 \
            or not eb.is_affine(F, sf.symbols) or P.exact is None:
        return None
    lam = to_exact(lam_max, "lam_max")
    faces = eb.all_faces(F, sf.symbols)
    out = {"events": eb.events(F, sf.symbols, lam)}
    for who, x in (("P", P), ("R", R)):
        if x is None:
            out[who] = None
            continue
        sol = _face_of(faces, x.exact)
        if sol is None:
            return None
        out[who] = {"face": sol.face, "point": sol.point,
                    "lost_at": eb.stable_until(sol, lam)}
    return out


def _face_of(faces, exact):
    if exact is None or not all(isinstance(x, sp.Basic) and x.is_Rational for x in exact):
        return None
    face = tuple(x if x in (0, 1) else None for x in exact)
    for sol in faces:
        if sol.face == face and all(sp.simplify(v.xreplace({LAMBDA: 0}) - x) == 0
                                    for v, x in zip(sol.point, exact)):
            try:
                eb.stable_until(sol, sp.Integer(0))
            except ValueError:
                return None
            return sol
    return None


def _exact_verdict(exact, values, evidence, lam_max, lam_exact):
    p_lost = exact["P"]["lost_at"]
    r_lost = exact["R"]["lost_at"] if exact["R"] is not None else None
    for who in ("P", "R"):
        if exact[who] is not None:
            lost = exact[who]["lost_at"]
            values[f"{who}_branch"] = {"point": exact[who]["point"], "lost_at": lost,
                                       "stable_up_to": lam_max if lost is None else lost}
    if exact["R"] is None:
        reason = ("P stays a stable fixed point on the whole range" if p_lost is None
                  else f"P stops being a stable fixed point at lambda = {p_lost}")
        beyond = None
    else:
        reason, beyond = explain(p_lost, r_lost, to_exact(lam_exact, "lam_max"))
    if beyond is not None:
        values["selection_global_beyond"] = beyond
    evidence["exact"] = ("fixed points of F_lambda solved face by face in lambda "
                         "(Cramer's rule); stability conditions' real roots isolated exactly")
    return Verdict("A5", A5, p_lost is None, Certified.EXACT, values, evidence, reason)


def _numerical_verdict(branches, P, R, values, evidence, notes, lam_max):
    kp = _branch_of(branches, P.point)
    if kp is None:
        why = [n for n in notes if "not tracked" in n]
        return Verdict("A5", A5, None, Certified.NUMERICAL, values, evidence,
                       "no continuation branch starts at P: not decidable here"
                       + (f" ({'; '.join(why)})" if why else ""))
    sp_ = _summary(branches[kp], kp)
    values["P_branch"] = sp_
    p_lost = _lost(sp_, lam_max)
    if p_lost is not None and sp_["status"] in STOPPED and sp_["stable_up_to"] >= \
            sp_["lam_end"] - SAME_LAMBDA:
        return Verdict("A5", A5, None, Certified.NUMERICAL, values, evidence,
                       f"the continuation of P's branch stopped at lambda = "
                       f"{sp_['lam_end']:.6g} ({sp_['status']}) with P still stable: not "
                       "decided beyond it")
    kr = _branch_of(branches, None if R is None or R.at_infinity else R.point)
    if kr is not None:
        sr = _summary(branches[kr], kr)
        values["R_branch"] = sr
        reason, beyond = explain(p_lost, _lost(sr, lam_max), lam_max,
                                 same=lambda a, b: abs(a - b) < SAME_LAMBDA)
        if beyond is not None:
            values["selection_global_beyond"] = beyond
    elif R is not None:
        reason = "R is not on a branch through lambda = 0 (at infinity or not followed)"
    else:
        reason = ""
    return Verdict("A5", A5, p_lost is None, Certified.NUMERICAL, values, evidence, reason)


def _lost(summary, lam_max):
    """Where a followed branch stops being stable (its last event's exact lambda when it
    has one there), None if it stays stable to lam_max."""
    end = min(summary["stable_up_to"], summary["lam_end"])
    if end >= lam_max - 1e-9:
        return None
    ev = [e for e in summary["events"] if abs(e["lam"] - end) < SAME_LAMBDA]
    return ev[-1]["exact_lam"] if ev and ev[-1]["exact_lam"] is not None else end


def tau_paths(game, sf, P, R, tau, tau_high: float = 10.0) -> dict:
    """Logit-QRE branches in tau, with and without shaping (see the module docstring)."""
    out = {"tau_from": tau_high, "tau_to": float(tau)}
    dec_tau = adapter.tau_game_decomposition(game, tau, sf.dec.eta)
    for label, rule in (("no shaping (pg)", Rule("pg")), (sf.rule.describe(), sf.rule)):
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
        branches, events, _ = adapter.tau_branches(dec_tau, Rule("pg"), 0.0,
                                                   (float(tau), tau_high), starts=[P.point])
        out["P_branch_upward"] = {"events": [{"type": t, "tau": v, "point": p}
                                             for t, v, p, _ in events],
                                  "end": branches[0].points[-1].tolist() if branches else None}
    return out
