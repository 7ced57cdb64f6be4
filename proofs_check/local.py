"""A0-A2: Nash consistency, local drift alignment, selective alignment.

- A0: own(phi*) = 0 at interior fixed points of v (own_i = eta Hess_ii^T grad_i J_i
  vanishes where grad_i J_i = 0); peer(phi*) and the shift -J_v^{-1} M(phi*).
- A1: mu_M(P) > 0.
- A2: mu_M(P) > mu_M(R).
Exact at exact points, interval enclosures at Newton points (docs/alignment.md).
"""

from __future__ import annotations

import sympy as sp

from eqselect.numerics import intervals as iv
from eqselect.numerics.shaping import ShapingField
from eqselect.proofs_check.verdict import Certified, PointReport, Verdict, not_applicable

A0 = (r"\mathrm{own}(\phi^*) = 0 \text{ at interior fixed points of } v;\ "
      r"\dot\phi^*_\lambda|_{0} = -J_v^{-1} M(\phi^*)")
A1 = r"\mu_M(P) = -\lambda_{\max}(\operatorname{sym} J_M(P)) > 0"
A2 = r"\mu_M(P) > \mu_M(R)"

INFINITY_REASON = ("{who} is a pure profile at infinity under {param}: the policy saturates, "
                   "J_v and J_M vanish there and mu, mu_M -> 0, so the margin condition cannot "
                   "be decided; check it in --param direct or the regularised game (--tau > 0)")


def _values_at(sf: ShapingField, fp):
    """own, peer, M and the shift at a fixed point: exact when its point is exact."""
    if fp.exact is not None and all(x.is_Rational for x in fp.exact):
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


def check_a0(sf: ShapingField, fixed_points) -> Verdict:
    """A0 at every interior fixed point of v (boundary points are skipped, said so)."""
    interior = [(k, fp) for k, fp in enumerate(fixed_points) if not fp.boundary]
    if not interior:
        return not_applicable("A0", A0, "no interior fixed point of v: own(phi*) = 0 is a "
                              "statement about interior points only")
    values, evidence, holds, cert = {}, {}, True, Certified.EXACT
    for k, fp in interior:
        own, peer, shift, how, trace = _values_at(sf, fp)
        if how is Certified.EXACT:
            ok = all(x == 0 for x in own)
        else:
            cert = Certified.INTERVAL
            # own = eta Hess^T v vanishes with v: at a Newton point |v| = residual
            ok = all(max(abs(a), abs(b)) <= 1e-6 + 1e3 * fp.residual for a, b in own)
            evidence[f"#{k}"] = {"own_enclosure": own, "residual": fp.residual}
        holds = holds and ok
        values[f"#{k}"] = {"point": fp.point, "own": own, "peer": peer,
                           "shift_direction": shift, "trace_J_v": trace}
        if shift is None:
            values[f"#{k}"]["finding"] = ("J_v is singular here: the implicit-function shift "
                                          "-J_v^{-1} M is not defined")
    return Verdict("A0", A0, holds, cert, values, evidence)


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
        return not_applicable("A1", A1, INFINITY_REASON.format(
            who="P", param=sf.dec.game.parameterization))
    exact, encl = _margin_known(P, "mu_M")
    values = {"mu_M(P)": exact if exact is not None else P.mu_M, "P": P.point}
    reason = ("P lies on the boundary of the region: the margin is that of the full "
              "Jacobian J_M") if _on_boundary(sf, P) else ""
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
    for who, r in (("P", P), ("R", R)):
        if r.at_infinity:
            return not_applicable("A2", A2, INFINITY_REASON.format(
                who=who, param=sf.dec.game.parameterization))
    (ep, ip), (er, ir) = _margin_known(P, "mu_M"), _margin_known(R, "mu_M")
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


def _on_boundary(sf: ShapingField, r: PointReport) -> bool:
    from eqselect.theory import RegionKind

    if sf.dec.game.region.kind is RegionKind.FREE:
        return False
    return any(x <= 0 or x >= 1 for x in r.point)
