"""A0-A2: Nash consistency, local drift alignment, selective alignment.

- A0: own(phi*) = 0 at interior fixed points of v (own_i = eta Hess_ii^T grad_i J_i
  vanishes where grad_i J_i = 0); peer(phi*) and the shift -J_v^{-1} M(phi*).
- A1: mu_M(P) > 0.
- A2: mu_M(P) > mu_M(R).
Exact at exact points, interval enclosures at Newton points (docs/alignment.md).

At a boundary point of the direct parameterisation mu and mu_M are the face
margins (`boundary_margins`: the restricted Jacobian on the face and the
normal-cone multipliers, docs/theory.md "Margins at the boundary"), the
number ``eqselect equilibria`` prints. A pure profile at infinity under logit
is decided through the same quantities at the vertex of its direct closure
(`closure_margins`; the correspondence is in docs/alignment.md, "Pure profiles
at infinity").
"""

from __future__ import annotations

import math

import sympy as sp

from eqselect.theory import RegionKind
from eqselect.numerics import intervals as iv
from eqselect.numerics.shaping import ShapingField
from eqselect.proofs_check.verdict import Certified, PointReport, Verdict, not_applicable

A0 = (r"\mathrm{own}(\phi^*) = 0 \text{ at interior fixed points of } v;\ "
      r"\dot\phi^*_\lambda|_{0} = -J_v^{-1} M(\phi^*)")
A1 = r"\mu_M(P) = -\lambda_{\max}(\operatorname{sym} J_M(P)) > 0"
A2 = r"\mu_M(P) > \mu_M(R)"

INFINITY_REASON = ("{who} is a pure profile at infinity under {param}: the policy saturates, "
                   "J_v and J_M vanish there and mu, mu_M -> 0; {why}")
CLOSURE_NOTE = ("{who} is a pure profile at infinity under {param}: mu_M is that of its "
                "vertex in the direct closure, whose normal-cone multipliers have the signs "
                "of the logit field's pressure on the profile (docs/alignment.md)")


def boundary_margins(sf: ShapingField, exact) -> dict | None:
    """mu and mu_M at an exact boundary point of the direct parameterisation.

    The face margins of v and of M (`face_margin`): min of -lambda_max of the
    symmetric restricted Jacobian and the normal-cone multipliers. None for a
    free region, an interior point, or a margin sympy cannot decide exactly.

    Returns
    -------
    dict or None
        ``mu, mu_M`` (floats), ``exact_mu, exact_mu_M``, ``certified`` ("exact"),
        ``face`` (the face's description).
    """
    from eqselect.theory import RegionKind
    from eqselect.numerics.fixed_points.exact_faces.boundary_margin import face_at, face_margin

    if sf.dec.game.region.kind is RegionKind.FREE or exact is None or \
            not all(isinstance(x, sp.Basic) and x.is_Rational for x in exact):
        return None
    face = face_at(sf.dec.game, exact)
    if face is None:
        return None
    sub = dict(zip(sf.symbols, exact))
    mv = face_margin(sf.J_v.xreplace(sub), list(sf.v.xreplace(sub)), face)
    mm = face_margin(sf.J_M.xreplace(sub), list(sf.M.xreplace(sub)), face)
    if mv.value is None or mm.value is None:
        return None
    return {"mu": float(sp.N(mv.value, 20)), "mu_M": float(sp.N(mm.value, 20)),
            "exact_mu": mv.value, "exact_mu_M": mm.value, "certified": "exact",
            "face": mv.face}


def closure_margins(sf: ShapingField, strategies):
    """(mu, mu_M) of a pure profile's vertex in the direct closure, or the reason not.

    Under logit with two agents of two actions, every term of peer and
    lookahead at the profile is the direct term times s_i s_j^2 > 0
    (docs/alignment.md), so M's pressure on each bound has the sign of the
    direct closure's multiplier. The own term is s_i^2 (1 - 2 p_i) g_i^2 under
    logit and 0 in the direct closure: a rule with an own piece is not
    decided this way.
    """
    from eqselect.theory import Decomposition
    from eqselect.theory.games.normal_form import normal_form_game

    game = sf.dec.game
    if game.tau is not None or game.states != 1 or game.actions != (2, 2):
        return None, ("the direct-closure correspondence is derived for two agents of two "
                      "actions without entropy")
    other = sorted(set(sf.pieces) - {"peer", "lookahead"})
    if other:
        return None, (f"M has the piece(s) {', '.join(other)}, whose logit scale at a pure "
                      "profile differs from peer's, so the direct closure does not decide "
                      "the sign of the logit margin")
    direct = normal_form_game(game.payoffs, "direct", name=game.name)
    dsf = ShapingField(Decomposition(direct, eta=sf.dec.eta), sf.rule)
    vertex = tuple(sp.Integer(round(s[0])) for s in strategies)
    out = boundary_margins(dsf, vertex)
    if out is None:
        return None, "the vertex margins of the direct closure are not decided exactly"
    return out, ""


def _exact_argument(x) -> bool:
    """A coordinate the exact route takes: a rational, or the log of a positive
    rational (theta = log u of the resultant route; exp(theta) is then u)."""
    return bool(x.is_Rational or (isinstance(x, sp.log) and x.args[0].is_Rational
                                  and x.args[0] > 0))


def _values_at(sf: ShapingField, fp):
    """own, peer, M and the shift at a fixed point: exact when its point is exact."""
    if fp.exact is not None and all(_exact_argument(x) for x in fp.exact):
        sub = dict(zip(sf.symbols, fp.exact))
        own = sf.dec.own.xreplace(sub)
        peer = sf.dec.peer.xreplace(sub)
        M = sf.M.xreplace(sub)
        Jv = sf.J_v.xreplace(sub)
        shift = None if Jv.det() == 0 else sp.simplify(-Jv.LUsolve(M))
        return own, peer, shift, Certified.EXACT, Jv.trace()
    with iv.working_precision():
        f = iv.IntervalFunction([*sf.dec.own, *sf.dec.peer], sf.symbols)
        vals = f(fp.exact if fp.exact is not None else fp.point)
    d = len(sf.symbols)
    own = [iv.bounds(x) for x in vals[:d]]
    peer = [iv.bounds(x) for x in vals[d:]]
    sub = dict(zip(sf.symbols, [sp.Float(x, 30) for x in fp.point]))
    Jv = sf.J_v.xreplace(sub).evalf(30)
    M = sf.M.xreplace(sub).evalf(30)
    shift = None if abs(Jv.det()) < 1e-14 else [float(x) for x in -Jv.LUsolve(M)]
    return own, peer, shift, Certified.INTERVAL, float(Jv.trace())


#: Why own vanishes on every zero of v, isolated or on a continuum.
ON_ZEROS = ("own_i = eta Hess_ii(J_i)^T grad_i J_i is linear in grad_i J_i = v_i (the "
            "decomposition's definition), so own = 0 on the whole zero set of v: at every "
            "interior fixed point and on every continuum (component) of them")


def check_a0(sf: ShapingField, fixed_points) -> Verdict:
    """A0 at every interior fixed point of v (boundary points are skipped, said so)."""
    interior = [(k, fp) for k, fp in enumerate(fixed_points) if not fp.boundary]
    if not interior:
        if sf.dec.game.region.kind is not RegionKind.FREE:
            return not_applicable("A0", A0, "no interior fixed point of v: own(phi*) = 0 is a "
                                  "statement about interior points only")
        return Verdict("A0", A0, True, Certified.EXACT, {"zero_set": ON_ZEROS}, {},
                       "no fixed point of v was found (the list is seeded); " + ON_ZEROS)
    values, evidence, holds, cert = {}, {}, True, Certified.EXACT
    for k, fp in interior:
        own, peer, shift, how, trace = _values_at(sf, fp)
        if how is Certified.EXACT:
            ok = all(x == 0 for x in own)
        else:
            cert = Certified.INTERVAL
            # own = eta Hess^T v vanishes with v: at a Newton point |v| = residual
            ok = all(max(abs(a), abs(b)) <= 1e-6 + 1e3 * fp.residual for a, b in own)
            if not all(math.isfinite(v) for pair in own for v in pair):
                ok = None  # an enclosure past double range decides nothing
            evidence[f"#{k}"] = {"own_enclosure": own, "residual": fp.residual}
        holds = None if ok is None or holds is None else holds and ok
        values[f"#{k}"] = {"point": fp.point, "own": own, "peer": peer,
                           "shift_direction": shift, "trace_J_v": trace}
        if shift is None:
            values[f"#{k}"]["finding"] = ("J_v is singular here: the implicit-function shift "
                                          "-J_v^{-1} M is not defined")
        if shift is None or fp.stability == "degenerate":
            # a degenerate zero lies on a continuum of zeros of v: own = eta H^T v is 0
            # on all of it, whatever point of the component Newton landed on
            values[f"#{k}"]["component"] = ON_ZEROS
    reason = "" if holds is not None else (
        "own's enclosure at an interior fixed point is not finite in floating point "
        "(payoffs past double range): not decidable here; " + ON_ZEROS)
    return Verdict("A0", A0, holds, cert, values, evidence, reason)


def _margin_known(r: PointReport, which: str):
    exact = getattr(r, f"exact_{which}")
    if exact is not None:
        return exact, None
    return None, getattr(r, f"enclosure_{which}")


def check_a1(sf: ShapingField, P: PointReport) -> Verdict:
    """A1: mu_M(P) > 0."""
    if sf.trivial:
        return not_applicable("A1", A1, "the rule has no shaping field (M = 0)")
    if P.at_infinity:
        closure, why = closure_margins(sf, P.strategies)
        if closure is None:
            return not_applicable("A1", A1, INFINITY_REASON.format(
                who="P", param=sf.dec.game.parameterization, why=why))
        value = closure["exact_mu_M"]
        return Verdict("A1", A1, bool(value > 0), Certified.EXACT,
                       {"mu_M(P)": value, "P": P.label, "face": closure["face"]}, {},
                       CLOSURE_NOTE.format(who="P", param=sf.dec.game.parameterization))
    exact, encl = _margin_known(P, "mu_M")
    values = {"mu_M(P)": exact if exact is not None else P.mu_M, "P": P.point}
    reason = ("P lies on the boundary of the region: mu_M is the face margin, the smaller "
              "of -lambda_max(sym J_M) on the face and M's normal-cone multipliers "
              "(docs/theory.md)") if _on_boundary(sf, P) else ""
    if exact is not None:
        return Verdict("A1", A1, bool(exact > 0), Certified.EXACT, values, {}, reason)
    holds = True if encl[0] > 0 else (False if encl[1] <= 0 else None)
    v = Verdict("A1", A1, holds, Certified.INTERVAL, values,
                {"enclosure_mu_M(P)": encl}, reason)
    return v if holds is not None else v.undecided("the enclosure of mu_M(P) contains 0")


def check_a2(sf: ShapingField, P: PointReport, R: PointReport | None) -> Verdict:
    """A2: mu_M(P) > mu_M(R)."""
    if R is None:
        return not_applicable("A2", A2, "no alternative stable equilibrium R: A2 does not apply")
    if sf.trivial:
        return not_applicable("A2", A2, "the rule has no shaping field (M = 0)")
    known, reasons = [], []
    for who, r in (("P", P), ("R", R)):
        if not r.at_infinity:
            known.append(_margin_known(r, "mu_M"))
            continue
        closure, why = closure_margins(sf, r.strategies)
        if closure is None:
            return not_applicable("A2", A2, INFINITY_REASON.format(
                who=who, param=sf.dec.game.parameterization, why=why))
        known.append((closure["exact_mu_M"], None))
        reasons.append(CLOSURE_NOTE.format(who=who, param=sf.dec.game.parameterization))
    if reasons:
        return _a2_decided(P, R, known, "; ".join(reasons))
    (ep, ip), (er, ir) = known
    values = {"mu_M(P)": ep if ep is not None else P.mu_M,
              "mu_M(R)": er if er is not None else R.mu_M}
    if ep is not None and er is not None:
        diff = ep - er
        values["difference"] = diff
        return Verdict("A2", A2, bool(diff > 0), Certified.EXACT, values)
    ip = ip or (float(ep),) * 2
    ir = ir or (float(er),) * 2
    holds = True if ip[0] > ir[1] else (False if ip[1] <= ir[0] else None)
    v = Verdict("A2", A2, holds, Certified.INTERVAL, values,
                {"enclosure_mu_M(P)": ip, "enclosure_mu_M(R)": ir})
    return v if holds is not None else v.undecided("the enclosures of mu_M(P), mu_M(R) overlap")


def _a2_decided(P, R, known, reason) -> Verdict:
    """A2 where P or R is decided through its direct closure (exact there)."""
    (ep, ip), (er, ir) = known
    values = {"mu_M(P)": ep if ep is not None else P.mu_M,
              "mu_M(R)": er if er is not None else R.mu_M}
    if ep is not None and er is not None:
        values["difference"] = ep - er
        return Verdict("A2", A2, bool(ep - er > 0), Certified.EXACT, values, {}, reason)
    ip = ip or (float(ep),) * 2
    ir = ir or (float(er),) * 2
    holds = True if ip[0] > ir[1] else (False if ip[1] <= ir[0] else None)
    v = Verdict("A2", A2, holds, Certified.INTERVAL, values,
                {"enclosure_mu_M(P)": ip, "enclosure_mu_M(R)": ir}, reason)
    return v if holds is not None else v.undecided("the enclosures of mu_M(P), mu_M(R) overlap")


def _on_boundary(sf: ShapingField, r: PointReport) -> bool:
    from eqselect.theory import RegionKind

    if sf.dec.game.region.kind is RegionKind.FREE:
        return False
    return any(x <= 0 or x >= 1 for x in r.point)
