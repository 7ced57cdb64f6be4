"""A3 basin-entry alignment: <M, n_P> > 0 on the separatrix Sigma between P and R.

Sigma is the stable manifold (under v) of the saddle between the basins of P
and R; n_P is its unit normal pointing into P's basin.

- Exact route: when v is affine (2x2 games in the direct parameterisation)
  and the saddle's stable eigenvector is rational, Sigma is the segment
  saddle + s w inside the box, n_P is w rotated by 90 degrees towards P, and
  <M(saddle + s w), n_P> is a polynomial in s whose sign on [s_0, s_1] is
  decided exactly (:func:`eqselect.proofs_check.signs.polynomial_sign`).
- Interval route: otherwise Sigma is traced numerically
  (:mod:`eqselect.numerics.dynamics.separatrix`) and covered by boxes, one per
  polyline segment widened by a tube; <M, n_k> (n_k the segment's normal) is
  enclosed on every box. The covering is reported; the curve itself is a
  numerical trace, which the verdict says.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from eqselect.theory import RegionKind
from eqselect.numerics import intervals as iv
from eqselect.numerics.shaping import ShapingField
from eqselect.proofs_check.adapter import trace_separatrix
from eqselect.proofs_check.signs import polynomial_sign
from eqselect.proofs_check.verdict import Certified, Verdict, not_applicable

A3 = r"\langle M(\phi), n_P(\phi)\rangle > 0 \quad \forall \phi \in \Sigma"
S = sp.Symbol("s")


def pick_saddle(fixed_points, P, R):
    """The saddle of v nearest to the midpoint of P and R (finite coordinates)."""
    saddles = [fp for fp in fixed_points if fp.stability == "saddle"]
    if not saddles:
        return None
    mid = np.clip((np.clip(P.point, -20, 20) + np.clip(R.point, -20, 20)) / 2, -20, 20)
    return min(saddles, key=lambda fp: float(np.linalg.norm(np.asarray(fp.point) - mid)))


def check_a3(sf: ShapingField, fixed_points, P, R, tube: float = 1e-4) -> Verdict:
    """A3 for P against R (see the module docstring)."""
    if R is None:
        return not_applicable("A3", A3, "no alternative stable equilibrium R: there is no "
                              "separatrix between P and R, A3 does not apply")
    if sf.trivial:
        return not_applicable("A3", A3, "the rule has no shaping field (M = 0)")
    if len(sf.symbols) != 2:
        return not_applicable("A3", A3, f"the separatrix is traced for 2 parameters; this game "
                              f"has {len(sf.symbols)}: not decidable here")
    saddle = pick_saddle(fixed_points, P, R)
    if saddle is None:
        return not_applicable("A3", A3, "v has no saddle between P and R: Sigma not found")
    exact = _exact_segment(sf, saddle, P)
    if exact is not None:
        return exact
    return _covering(sf, saddle, P, tube)


def _toward(P, base) -> np.ndarray:
    target = np.clip(np.asarray(P.point, dtype=float), -1e3, 1e3)
    return target - np.asarray(base, dtype=float)


def _exact_segment(sf, saddle, P):
    affine = all(x.is_polynomial(*sf.symbols) and sp.Poly(x, *sf.symbols).total_degree() <= 1
                 for x in sf.v)
    if not affine or saddle.exact is None or sf.dec.game.region.kind is not RegionKind.BOX \
            or not all(isinstance(x, (int, sp.Rational)) for x in saddle.exact):
        return None  # an irrational saddle (payoff sqrt(2)): the tube covering decides
    x0 = sp.Matrix(saddle.exact)
    Jv = sf.J_v.xreplace(dict(zip(sf.symbols, saddle.exact)))
    stable = [(val, vecs) for val, _, vecs in Jv.eigenvects() if val.is_real and val < 0]
    if not stable or not all(x.is_Rational for x in stable[0][1][0]):
        return None
    w = stable[0][1][0]
    n = sp.Matrix([-w[1], w[0]])
    if float(n.dot(sp.Matrix(_toward(P, saddle.point)))) < 0:
        n = -n
    lo, hi = _segment_range(x0, w)
    line = x0 + S * w
    g = sp.expand(sf.M.xreplace(dict(zip(sf.symbols, line))).dot(n))
    sign = polynomial_sign(g, S, lo, hi)
    values = {"saddle": tuple(saddle.exact), "Sigma": f"{list(x0)} + s {list(w)}",
              "s_range": (lo, hi), "normal_toward_P": tuple(n),
              "inner_product": g}
    evidence = {"root_isolating_intervals": sign.roots, "sturm_root_count": sign.sturm_count,
                "negative_at": sign.negative_at}
    reason = ("Sigma is the stable eigen-line of the saddle (v is affine), an exact segment; "
              "n_P is unnormalised (only its sign matters)")
    return Verdict("A3", A3, sign.positive, Certified.EXACT, values, evidence, reason)


def _segment_range(x0, w):
    """The s-interval of x0 + s w inside [0, 1]^d (exact)."""
    lo, hi = -sp.oo, sp.oo
    for xi, wi in zip(x0, w):
        if wi == 0:
            continue
        a, b = (0 - xi) / wi, (1 - xi) / wi
        lo, hi = sp.Max(lo, sp.Min(a, b)), sp.Min(hi, sp.Max(a, b))
    return lo, hi


def _refine(f, n, lo, hi, k: int = 8):
    """<M, n> on the box as the hull of its enclosures on k x k sub-boxes (tighter)."""
    from flint import arb

    lows, highs = [], []
    step = (np.asarray(hi) - np.asarray(lo)) / k
    for i in range(k):
        for j in range(k):
            a = np.asarray(lo) + step * (i, j)
            M = f(iv.box(a, a + step))
            b = iv.bounds(M[0] * iv.to_arb(n[0]) + M[1] * iv.to_arb(n[1]))
            lows.append(b[0])
            highs.append(b[1])
    return iv.ball(arb(min(lows)), arb(max(highs)))


def _covering(sf, saddle, P, tube):
    line, ends, notes = trace_separatrix(sf.dec, saddle.point)
    seg = np.diff(line, axis=0)
    keep = np.linalg.norm(seg, axis=1) > 0
    a, seg = line[:-1][keep], seg[keep]
    normals = np.stack([-seg[:, 1], seg[:, 0]], axis=1)
    normals /= np.linalg.norm(normals, axis=1)[:, None]
    k0 = int(np.argmin(np.linalg.norm(a - np.asarray(saddle.point), axis=1)))
    flip = np.sign(np.einsum("ij,ij->i", normals, np.tile(_toward(P, saddle.point), (len(a), 1))))
    # one orientation along the whole curve: continuity from the segment at the saddle
    orient = np.ones(len(a))
    orient[k0] = flip[k0] or 1.0
    for k in range(k0 + 1, len(a)):
        orient[k] = orient[k - 1] * np.sign(normals[k] @ normals[k - 1] or 1.0)
    for k in range(k0 - 1, -1, -1):
        orient[k] = orient[k + 1] * np.sign(normals[k] @ normals[k + 1] or 1.0)
    normals *= orient[:, None]
    f = iv.IntervalFunction(list(sf.M), sf.symbols)
    worst, failed, boxes = float("inf"), [], 0
    with iv.working_precision():
        for k in range(len(a)):
            lo = np.minimum(a[k], a[k] + seg[k]) - tube
            hi = np.maximum(a[k], a[k] + seg[k]) + tube
            M = f(iv.box(lo, hi))
            enc = M[0] * iv.to_arb(normals[k][0]) + M[1] * iv.to_arb(normals[k][1])
            boxes += 1
            if not enc > 0:
                enc = _refine(f, normals[k], lo, hi)
            worst = min(worst, iv.bounds(enc)[0])
            if not enc > 0:
                failed.append((tuple(map(float, lo)), tuple(map(float, hi)), iv.bounds(enc)))
    values = {"saddle": saddle.point, "min_lower_bound": worst, "boxes": boxes}
    evidence = {"covering": {"boxes": boxes, "tube": tube,
                             "max_side": float(np.abs(seg).max() + 2 * tube),
                             "polyline_ends": ends, "first": [
                                 (tuple(np.minimum(a[k], a[k] + seg[k]) - tube),
                                  tuple(np.maximum(a[k], a[k] + seg[k]) + tube))
                                 for k in range(min(5, len(a)))]},
                "failed_boxes": failed[:10], "trace_notes": notes}
    window = ("" if sf.dec.game.region.kind is not RegionKind.FREE
              else "; Sigma is truncated to the tracing window [-8, 8]^2")
    reason = ("Sigma is traced numerically (RK4 on the reversed flow); <M, n> is enclosed "
              f"on a tube of half-width {tube} around every segment{window}")
    if not failed:
        return Verdict("A3", A3, True, Certified.INTERVAL, values, evidence, reason)
    mids = [(np.asarray(b[0]) + np.asarray(b[1])) / 2 for b in failed]
    neg = any(b[2][1] < 0 for b in failed)
    if neg:
        values["counterexample"] = tuple(mids[[b[2][1] < 0 for b in failed].index(True)])
        return Verdict("A3", A3, False, Certified.INTERVAL, values, evidence, reason)
    return Verdict("A3", A3, None, Certified.INTERVAL, values, evidence,
                   reason + f"; {len(failed)} box(es) have an enclosure containing 0")
