"""The paper's local statements at P: IFT shift, Weyl bound, certified radius.

With F_lambda = v + lambda M, J_v = Dv(P), J_M = DM(P) (docs/alignment.md):

- ift-shift: the branch phi*_lambda of F_lambda = 0 through P has tangent
  -J_v^{-1} M(P) at lambda = 0. At an exact P where M(P) = 0 exactly the
  branch is constant and the statement holds exactly; otherwise the shift is
  compared with the central secant of two 30-digit Newton solutions at
  lambda = -h and lambda = h.
- weyl: -lambda_max(sym(J_v + lambda J_M)) >= mu + lambda mu_M on a grid of
  lambda in [0, lambda_max]: at an exact P every gap is formed exactly (0 is
  equality), elsewhere every comparison is enclosed in arb balls.
- radius: at the shifted point phi*_lambda, with m = mu + lambda mu_M > 0 and an
  interval bound L of the Lipschitz constant of DF_lambda on a ball,
  rho_lambda = m / (2 L); on the ball of that radius the contraction
  <F_lambda(phi), phi - phi*_lambda> <= -(m/2) |phi - phi*_lambda|^2 follows from
  lambda_max(sym DF_lambda) <= -m/2 on the ball, which is enclosed directly.
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import sympy as sp

from eqselect.theory import GameError, engine
from eqselect.theory.exact import to_exact
from eqselect.theory.functions import refuse_unknown_functions
from eqselect.numerics import intervals as iv
from eqselect.numerics.shaping import ShapingField, lambda_max_exact
from eqselect.proofs_check.verdict import Certified, Verdict, not_applicable

IFT = r"\frac{d\phi^*_\lambda}{d\lambda}\Big|_{0} = -J_v^{-1} M(\phi^*)"
WEYL = (r"-\lambda_{\max}(\operatorname{sym}(J_v + \lambda J_M)) \ge \mu + \lambda \mu_M")
RADIUS = (r"\rho_\lambda = \frac{\mu + \lambda\mu_M}{2 L_\lambda}:\ "
          r"\langle F_\lambda(\phi), \phi - \phi^*_\lambda\rangle \le "
          r"-\tfrac12(\mu + \lambda\mu_M)\|\phi - \phi^*_\lambda\|^2 \text{ on } B_{\rho_\lambda}")


def _finite_interior(sf, P, id, statement):
    if P.at_infinity:
        return not_applicable(id, statement, "P lies at infinity (a pure profile under logit): "
                              "mu -> 0 there and the statement has no finite point to apply to")
    from eqselect.theory import RegionKind

    if sf.dec.game.region.kind is not RegionKind.FREE and \
            any(x <= 0 or x >= 1 for x in P.point):
        return not_applicable(id, statement, "P lies on the boundary of the region: the "
                              "unconstrained local statement does not apply there")
    return None


def newton(sf: ShapingField, lam, x0, dps: int = 30):
    """A root of F_lambda near x0 at ``dps`` digits (mpmath), or None."""
    syms = sf.symbols
    refuse_unknown_functions([*sf.F(lam), *sf.DF(lam)], "the shaped field")
    F = sp.lambdify(syms, list(sf.F(lam)), "mpmath")
    J = sp.lambdify(syms, sf.DF(lam).tolist(), "mpmath")
    with mpmath.workdps(dps):
        try:
            x = mpmath.findroot(lambda *a: F(*a), [mpmath.mpf(float(v)) for v in x0],
                                J=lambda *a: mpmath.matrix(J(*a)), tol=mpmath.mpf(10) ** (-dps + 5))
        except (ZeroDivisionError, ValueError, TypeError):
            return None  # no root found, or the iterate left the real domain (log p, p < 0)
        if any(mpmath.im(x[k]) != 0 for k in range(len(syms))):
            return None
        return [mpmath.re(x[k]) for k in range(len(syms))]


#: Largest denominator tried when a Newton point is recognised as rational.
MAX_DENOMINATOR = 10**4
#: Operation count past which an entry is not simplified.
MAX_SIMPLIFY_OPS = 400


def _simplified(x):
    """x simplified by sympy when small enough, else as it is."""
    return sp.simplify(x) if sp.count_ops(x) <= MAX_SIMPLIFY_OPS else x


def exact_point(sf: ShapingField, P):
    """P as an exact point: its exact coordinates, or its Newton point recognised.

    A Newton point whose coordinates are within 1e-12 of fractions with small
    denominators is accepted only when v vanishes there exactly (sympy), so the
    exact point is a proven fixed point of v. None otherwise.
    """
    if P.exact is not None:
        return tuple(P.exact)
    if P.at_infinity:
        return None
    cand = tuple(sp.Rational(float(x)).limit_denominator(MAX_DENOMINATOR) for x in P.point)
    if any(abs(float(c) - float(x)) > 1e-12 for c, x in zip(cand, P.point)):
        return None
    sub = dict(zip(sf.symbols, cand))
    return cand if all(_simplified(e.xreplace(sub)) == 0 for e in sf.v) else None


def check_ift(sf: ShapingField, P, h: float = 1e-8) -> Verdict:
    """IFT shift: exact when M(P) = 0 exactly, else against a central secant.

    1. At an exact P with M(P) = 0 exactly, F_lambda(P) = v(P) + lambda M(P) = 0
       for every lambda: the IFT branch (unique near P) is constant, and
       0 = -J_v^{-1} M(P) holds exactly.
    2. Otherwise the shift -J_v^{-1} M(P) (exact at an exact P) is compared with
       (phi*_h - phi*_{-h}) / (2h), two 30-digit Newton solutions; the error
       is relative to max(|shift|, 1e-6), so a shift near 0 is compared in
       absolute terms and never divided by.
    """
    skip = _finite_interior(sf, P, "ift-shift", IFT)
    if skip or sf.trivial:
        return skip or not_applicable("ift-shift", IFT, "M = 0: nothing shifts")
    exact = exact_point(sf, P)
    if exact is not None:
        done = _exact_ift(sf, exact)
        if done is not None:
            return done
    sub = dict(zip(sf.symbols, exact if exact is not None else P.point))
    Jv, M = sf.J_v.xreplace(sub).evalf(40), sf.M.xreplace(sub).evalf(40)
    if abs(Jv.det()) < 1e-20:
        return not_applicable("ift-shift", IFT, "J_v is singular at P: the implicit function "
                              "theorem does not apply")
    shift = [float(x) for x in -Jv.LUsolve(M)]
    xm, xh = newton(sf, sp.Float(-h, 40), P.point), newton(sf, sp.Float(h, 40), P.point)
    if xm is None or xh is None:
        return not_applicable("ift-shift", IFT, "Newton did not converge near P")
    secant = [float((b - a) / (2 * mpmath.mpf(h))) for a, b in zip(xm, xh)]
    err = float(np.linalg.norm(np.subtract(secant, shift)) / max(np.linalg.norm(shift), 1e-6))
    return Verdict("ift-shift", IFT, err < 1e-4, Certified.NUMERICAL,
                   {"shift_direction": shift, "secant": secant, "relative_error": err, "h": h},
                   {"newton_digits": 30, "difference": "central, at lambda = -h and h"})


def _exact_ift(sf: ShapingField, point):
    """The verdict when J_v is exactly singular or M(P) = 0 exactly, else None."""
    sub = dict(zip(sf.symbols, point))
    Jv = sf.J_v.xreplace(sub).applyfunc(_simplified)
    M = sf.M.xreplace(sub).applyfunc(_simplified)
    values = {"point": point, "M(P)": tuple(M)}
    if _simplified(Jv.det()) == 0:
        return not_applicable("ift-shift", IFT, "J_v is singular at P (exactly): the implicit "
                              "function theorem does not apply", **values)
    if not all(x == 0 for x in M):
        return None
    values["shift_direction"] = tuple(sp.Integer(0) for _ in point)
    return Verdict("ift-shift", IFT, True, Certified.EXACT, values, {},
                   "M(P) = 0 exactly and v(P) = 0: F_lambda(P) = 0 for every lambda, so the "
                   "branch through P is constant and 0 = -J_v^{-1} M(P)")


def check_weyl(sf: ShapingField, P, lam_max, n: int = 7) -> Verdict:
    """Weyl's bound on a grid of lambda: exact gaps at an exact P, else balls.

    At an exact P every gap -lambda_max(sym(J_v + lambda J_M)) - mu - lambda mu_M
    is formed exactly (:func:`eqselect.numerics.shaping.lambda_max_exact`): 0
    after simplification is equality, otherwise its sign is that of an arb
    enclosure of the exact closed form. Elsewhere each gap is enclosed from
    the enclosed matrices.
    """
    if P.at_infinity:
        return not_applicable("weyl", WEYL, "P lies at infinity: J_v = J_M = 0 there")
    exact = exact_point(sf, P)
    pt = exact if exact is not None else [sp.Rational(x) for x in P.point]
    sub = dict(zip(sf.symbols, pt))
    Jv, JM = sf.J_v.xreplace(sub), sf.J_M.xreplace(sub)
    grid = [sp.Rational(k, n - 1) * to_exact(lam_max, "lambda_max") for k in range(n)]
    if exact is not None:
        done = _exact_weyl(Jv.applyfunc(_simplified), JM.applyfunc(_simplified), grid, pt)
        if done is not None:
            return done
    margins, status = [], []
    with iv.working_precision():
        mu = -iv.lambda_max_enclosure(iv.symmetric_part(iv.interval_matrix(_arb(Jv))))
        muM = -iv.lambda_max_enclosure(iv.symmetric_part(iv.interval_matrix(_arb(JM))))
        for lam in grid[1:]:  # at lambda = 0 both sides are mu
            lhs = -iv.lambda_max_enclosure(iv.symmetric_part(
                iv.interval_matrix(_arb(Jv + lam * JM))))
            gap = lhs - (mu + iv.to_arb(lam) * muM)
            margins.append((float(lam), iv.bounds(gap)))
            if gap >= 0:
                status.append("enclosure >= 0")
            elif gap < 0:
                status.append("violated")
            else:
                ex = _exact_gap(Jv, JM, lam)
                status.append("exact >= 0" if ex is not None and ex >= 0 else "undecided")
    holds = False if "violated" in status else (None if "undecided" in status else True)
    v = Verdict("weyl", WEYL, holds, Certified.INTERVAL,
                {"lambda_grid": [float(x) for x in grid], "gap_enclosures": margins,
                 "status": status}, {"point": [str(x) for x in pt]})
    return v if holds is not None else v.undecided(
        "a gap enclosure contains 0", "an exact P (its exact coordinates or a Newton point "
        "recognised as a rational fixed point) so that each gap is formed exactly")


def _exact_weyl(Jv, JM, grid, pt):
    """Weyl from exact gaps on the grid, or None when one cannot be formed or signed."""
    tops = [lambda_max_exact(A) for A in (Jv, JM)]
    if any(t is None for t in tops):
        return None
    gaps, status, margins = [], [], []
    with iv.working_precision():
        for lam in grid[1:]:
            top = lambda_max_exact(Jv + lam * JM)
            if top is None:
                return None
            gap = _simplified(-top + tops[0] + lam * tops[1])
            try:
                enc = iv.IntervalFunction([gap], [])([])[0] if gap != 0 else iv.to_arb(0)
            except GameError:  # a form with no interval enclosure (CRootOf): not exact here
                return None
            if gap == 0:
                status.append("equality")
            elif enc > 0:
                status.append("exact > 0")
            elif enc < 0:
                status.append("violated")
            else:
                return None
            gaps.append(gap)
            margins.append((float(lam), iv.bounds(enc)))
    holds = "violated" not in status
    reason = "equality at every lambda of the grid" if set(status) == {"equality"} else (
        "with equality at some lambda" if "equality" in status else "")
    return Verdict("weyl", WEYL, holds, Certified.EXACT,
                   {"lambda_grid": [float(x) for x in grid], "gap_enclosures": margins,
                    "status": status, "gaps_exact": gaps},
                   {"point": [str(x) for x in pt]}, reason)


def _arb(A):
    return [[iv.IntervalFunction([x], [])([])[0] for x in row] for row in A.tolist()]


def _exact_gap(Jv, JM, lam):
    if not all(x.is_Rational for x in (*Jv, *JM)):
        return None
    top = [lambda_max_exact(A) for A in (Jv + lam * JM, Jv, JM)]
    if any(t is None for t in top):
        return None
    gap = sp.nsimplify(-top[0] + top[1] + lam * top[2])
    return 0 if gap == 0 else (gap if gap.is_Rational else None)


def certified_radius(sf: ShapingField, center, lam, m: float, r0: float = 1.0):
    """(rho, L, lambda_max bound on the ball) for F_lambda at ``center`` with margin m."""
    F = [engine.to_engine(e) for e in sf.F(lam)]
    phi = [engine.to_engine(s) for s in sf.symbols]
    # second derivatives in symengine (sympy's diff of logit fields takes minutes),
    # each unordered pair once: |D^2 F|_F counts d^2 F_i / dx_a dx_b twice for a != b
    second, weight = [], []
    for Fi in F:
        for a in range(len(phi)):
            da = Fi.diff(phi[a])
            for b in range(a, len(phi)):
                second.append(engine.to_sympy(da.diff(phi[b])))
                weight.append(1 if a == b else 2)
    f2 = iv.IntervalFunction(second, sf.symbols)
    fj = iv.IntervalFunction(list(sf.DF(lam)), sf.symbols)
    d = len(sf.symbols)
    r, L = r0, float("nan")
    with iv.working_precision():
        for _ in range(30):  # shrink until the enclosure of D^2 F is finite
            B = iv.box([c - r for c in center], [c + r for c in center])
            L = math.sqrt(sum(w * max(abs(a), abs(b)) ** 2
                              for w, (a, b) in zip(weight, map(iv.bounds, f2(B)))))
            if math.isfinite(L):
                break
            r /= 4
        if not math.isfinite(L):
            return 0.0, L, (float("nan"), float("nan"))
        # L bounds the Lipschitz constant of DF on the r-box, so on any smaller ball
        rho = m / (2 * L) if L > 0 else r
        rho = min(rho, r)
        top = (-float("inf"), -float("inf"))
        k = 8 if d <= 2 else (3 if d <= 4 else 1)  # the ball's box cut into k^d boxes
        for idx in itertools.product(range(k), repeat=d):
            lo = [c - rho + 2 * rho * i / k for c, i in zip(center, idx)]
            vals = fj(iv.box(lo, [x + 2 * rho / k for x in lo]))
            J = [[vals[i * d + j] for j in range(d)] for i in range(d)]
            b = iv.bounds(iv.lambda_max_enclosure(iv.symmetric_part(J)))
            top = (max(top[0], b[0]), max(top[1], b[1]))
    return rho, L, top


def check_radius(sf: ShapingField, P, lam, margins_fn) -> Verdict:
    """The certified radius at phi*_lambda and the contraction inequality on it."""
    skip = _finite_interior(sf, P, "radius", RADIUS)
    if skip:
        return skip
    x = newton(sf, to_exact(lam, "lambda"), P.point)
    if x is None:
        return not_applicable("radius", RADIUS, "phi*_lambda not found by Newton from P")
    center = [float(c) for c in x]
    mg = margins_fn(center)
    m = mg.mu + float(lam) * mg.mu_M
    values = {"phi*_lambda": center, "mu": mg.mu, "mu_M": mg.mu_M, "m": m, "lam": float(lam)}
    if not m > 0:
        return Verdict("radius", RADIUS, None, Certified.INTERVAL, values, {},
                       "mu + lambda mu_M <= 0 at phi*_lambda: no positive radius is certified")
    rho, L, top = certified_radius(sf, center, lam, m)
    values.update({"rho": rho, "L": L})
    evidence = {"lambda_max_sym_DF_on_ball": top, "ball_box_half_width": rho,
                "L_bound": "Frobenius norm of the enclosed second derivatives of F"}
    if top[1] <= -m / 2:
        return Verdict("radius", RADIUS, True, Certified.INTERVAL, values, evidence)
    return Verdict("radius", RADIUS, None, Certified.INTERVAL, values, evidence,
                   "the enclosure of lambda_max(sym DF_lambda) on the ball exceeds -m/2 "
                   "(overestimation of naive interval evaluation): not certified here")
