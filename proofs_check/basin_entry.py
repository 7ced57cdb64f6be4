"""A3 basin-entry alignment: <M, n_P> > 0 on the separatrix Sigma between P and R.

Sigma is the stable manifold (under v) of the saddle between the basins of P
and R; n_P is its normal pointing into P's basin.

- Exact route: when v is affine (2x2 games in the direct parameterisation)
  and the saddle is exact, Sigma is the segment saddle + s w inside the box,
  w the stable eigenvector of J_v (rational, or with square roots when the
  eigenvalue is irrational), n_P is w rotated by 90 degrees towards P, and
  g(s) = <M(saddle + s w), n_P> is a polynomial in s. Rational coefficients:
  its sign on [s_0, s_1] is decided by real-root isolation
  (:func:`eqselect.proofs_check.signs.polynomial_sign`). Algebraic
  coefficients: an affine g is decided by its two end values, each an exact
  algebraic number whose sign is proven (`exact_sign`); a g of higher degree
  by interval subdivision in s along the exact line (``interval``).
- Trace route: otherwise Sigma is traced numerically and <M, n_P> is
  enclosed at every traced node (:mod:`eqselect.proofs_check.trace_sign`),
  certified ``trace-certified``; a node certified negative, bracketed between
  a start that reaches P and one that reaches R, makes A3 false.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from eqselect.theory import RegionKind, Rule
from eqselect.theory.engine import to_sympy
from eqselect.numerics import intervals as iv
from eqselect.numerics.compiled import compile_field
from eqselect.numerics.shaping import ShapingField
from eqselect.proofs_check import trace_sign as ts
from eqselect.proofs_check.signs import box_sign, polynomial_sign
from eqselect.proofs_check.verdict import Certified, Verdict, not_applicable

A3 = r"\langle M(\phi), n_P(\phi)\rangle > 0 \quad \forall \phi \in \Sigma"
S = sp.Symbol("s")
_T = sp.Symbol("t")


def pick_saddle(fixed_points, P, R):
    """The saddle of v nearest to the midpoint of P and R (finite coordinates)."""
    saddles = [fp for fp in fixed_points if fp.stability == "saddle"]
    if not saddles:
        return None
    mid = np.clip((np.clip(P.point, -20, 20) + np.clip(R.point, -20, 20)) / 2, -20, 20)
    return min(saddles, key=lambda fp: float(np.linalg.norm(np.asarray(fp.point) - mid)))


def check_a3(sf: ShapingField, fixed_points, P, R) -> Verdict:
    """A3 for P against R (see the module docstring)."""
    if R is None:
        return not_applicable("A3", A3, "no alternative stable equilibrium R: there is no "
                              "separatrix between P and R, A3 does not apply")
    if sf.trivial:
        return not_applicable("A3", A3, "the rule has no shaping field (M = 0)")
    unstable = [fp.stability for fp in fixed_points
                if fp.stability != "stable" and tuple(fp.point) == tuple(P.point)]
    if unstable:  # P named by an index of the list (--preferred N)
        return not_applicable("A3", A3, f"P is a {unstable[0]} fixed point of v, not a "
                              "stable one: it has no basin, so there is no separatrix "
                              "between P's and R's basins")
    if len(sf.symbols) != 2:
        return not_applicable("A3", A3, f"the separatrix is traced for 2 parameters; this game "
                              f"has {len(sf.symbols)}: not decidable here")
    saddle = pick_saddle(fixed_points, P, R)
    if saddle is None:
        return not_applicable("A3", A3, "v has no saddle between P and R: Sigma not found")
    exact = _exact_segment(sf, saddle, P)
    if exact is not None:
        return exact
    try:
        return _along_trace(sf, saddle, P, R)
    except (np.linalg.LinAlgError, FloatingPointError, OverflowError) as exc:
        # v's Jacobian past double range (payoffs near the 10^300 a game file allows)
        return not_applicable("A3", A3, f"the separatrix could not be traced in floating "
                              f"point ({type(exc).__name__}: {exc}): not decidable here")


def exact_sign(x) -> int | None:
    """The sign of an exact real number, proven.

    0 only when x is structurally 0 or algebraic with minimal polynomial t;
    otherwise x != 0 and its arb enclosure is refined (up to 4096 bits) until
    it excludes 0. None when x is not algebraic and no enclosure decides.

    Examples
    --------
    >>> exact_sign(sp.sqrt(2) - sp.Rational(99, 70)), exact_sign(sp.sqrt(2) - sp.Rational(140, 99))
    (-1, 1)
    """
    x = to_sympy(x)
    if x.is_Rational:
        return int(sp.sign(x))
    try:
        if sp.minimal_polynomial(x, _T) == _T:
            return 0
    except (NotImplementedError, sp.polys.polyerrors.NotAlgebraic):
        pass  # not provably algebraic: an enclosure that excludes 0 still decides
    for bits in (128, 512, 1024, 4096):
        with iv.working_precision(bits):
            lo, hi = iv.bounds(iv.to_arb(x))
        if lo > 0 or hi < 0:
            return 1 if lo > 0 else -1
    return None


def _toward(P, base) -> np.ndarray:
    target = np.clip(np.asarray(P.point, dtype=float), -1e3, 1e3)
    return target - np.asarray(base, dtype=float)


def _is_exact(point) -> bool:
    return point is not None and all(isinstance(x, (int, sp.Basic)) and to_sympy(x).is_number
                                     and not to_sympy(x).has(sp.Float) for x in point)


def _affine(sf) -> bool:
    return all(x.is_polynomial(*sf.symbols) and sp.Poly(x, *sf.symbols).total_degree() <= 1
               for x in sf.v)


def _stable_vector(Jv):
    """The stable eigenvector of a 2x2 exact saddle Jacobian (None if the eigenvalue's
    sign is not decided)."""
    for val, _, vecs in Jv.eigenvects():
        if val.is_real is not False and exact_sign(val) == -1:
            return sp.Matrix([sp.radsimp(x) for x in vecs[0]])
    return None


def _exact_segment(sf, saddle, P):
    if not _affine(sf) or sf.dec.game.region.kind is not RegionKind.BOX \
            or not _is_exact(saddle.exact):
        return None
    x0 = sp.Matrix([to_sympy(x) for x in saddle.exact])
    w = _stable_vector(sf.J_v.xreplace(dict(zip(sf.symbols, x0))))
    if w is None:
        return None
    n = sp.Matrix([-w[1], w[0]])
    target = (sp.Matrix([to_sympy(x) for x in P.exact]) if _is_exact(P.exact)
              else sp.Matrix([sp.Rational(float(x)) for x in _toward(P, (0, 0))]))
    if exact_sign(n.dot(target - x0)) == -1:
        n = -n
    lo, hi = _segment_range(x0, w)
    g = sp.expand(sf.M.xreplace(dict(zip(sf.symbols, x0 + S * w))).dot(n))
    values = {"saddle": tuple(x0), "Sigma": f"{list(x0)} + s {list(w)}",
              "s_range": (lo, hi), "normal_toward_P": tuple(n), "inner_product": g}
    reason = ("Sigma is the stable eigen-line of the saddle (v is affine), an exact segment; "
              "n_P is unnormalised (only its sign matters)")
    poly = sp.Poly(g, S)
    if all(c.is_Rational for c in poly.all_coeffs()) and lo.is_Rational and hi.is_Rational:
        sign = polynomial_sign(g, S, lo, hi)
        evidence = {"root_isolating_intervals": sign.roots, "sturm_root_count": sign.sturm_count,
                    "negative_at": sign.negative_at}
        return Verdict("A3", A3, sign.positive, Certified.EXACT, values, evidence, reason)
    if poly.degree() <= 1:
        return _affine_ends(g, lo, hi, values, reason)
    return _subdivided(g, lo, hi, values, reason)


def _affine_ends(g, lo, hi, values, reason):
    """An affine g with algebraic coefficients: positive on [lo, hi] iff at both ends."""
    ends = {"s_0": g.subs(S, lo), "s_1": g.subs(S, hi)}
    signs = {k: exact_sign(sp.radsimp(v)) for k, v in ends.items()}
    evidence = {"end_values": ends, "end_signs": signs,
                "how": "affine in s: the extreme values are at the ends; each sign is proven "
                       "(minimal polynomial, then arb enclosures)"}
    if None in signs.values():
        return Verdict("A3", A3, None, Certified.EXACT, values, evidence,
                       reason + "; the sign of an end value was not decided")
    holds = all(s > 0 for s in signs.values())
    if not holds:
        values["counterexample_s"] = lo if signs["s_0"] <= 0 else hi
    return Verdict("A3", A3, holds, Certified.EXACT, values, evidence, reason)


def _subdivided(g, lo, hi, values, reason):
    """g of degree >= 2 with algebraic coefficients: subdivision in s on the exact line."""
    f = iv.IntervalFunction([g], [S])
    pad = 1e-12
    res = box_sign(lambda b: f(b)[0], [float(sp.N(lo, 30)) - pad], [float(sp.N(hi, 30)) + pad],
                   min_width=1e-9, strict=True)
    evidence = {"proven_intervals": res.proven, "undecided": res.undecided,
                "counter_enclosure": res.counter_enclosure}
    if res.counterexample is not None:
        values["counterexample_s"] = res.counterexample[0]
    return Verdict("A3", A3, res.holds, Certified.INTERVAL, values, evidence,
                   reason + "; g has algebraic coefficients: its sign is proven by interval "
                   "subdivision in s on the exact segment")


def _segment_range(x0, w):
    """The s-interval of x0 + s w inside [0, 1]^d (exact)."""
    lo, hi = None, None
    for xi, wi in zip(x0, w):
        if wi == 0:
            continue
        a, b = sp.radsimp((0 - xi) / wi), sp.radsimp((1 - xi) / wi)
        if exact_sign(a - b) == 1:
            a, b = b, a
        lo = a if lo is None or exact_sign(a - lo) == 1 else lo
        hi = b if hi is None or exact_sign(b - hi) == -1 else hi
    return lo, hi


def _along_trace(sf, saddle, P, R):
    """The trace route (module docstring)."""
    free = sf.dec.game.region.kind is RegionKind.FREE
    bound = ts.window_bound(sf, [P.point, R.point, saddle.point]) if free else 8.0
    tr = ts.trace_sign(sf, saddle.point, _toward(P, saddle.point), bound)
    values = {"saddle": saddle.point, "min_lower_bound": float(tr.lower.min()),
              "nodes": len(tr.nodes)}
    k_min = int(np.argmin(tr.lower))
    evidence = {"trace": {"nodes": len(tr.nodes), "ends": tr.ends, "window": tr.window,
                          "notes": tr.notes},
                "smallest": {"node": tr.nodes[k_min].tolist(),
                             "enclosure": (float(tr.lower[k_min]), float(tr.upper[k_min]))},
                "first_nodes": [(tr.nodes[k].tolist(), (float(tr.lower[k]), float(tr.upper[k])))
                                for k in range(min(5, len(tr.nodes)))]}
    window = f"; Sigma is truncated to [{tr.window[0]:g}, {tr.window[1]:g}]^2" if free else ""
    reason = ("Sigma is traced numerically (RK4 on the reversed flow); <M, n_P> is enclosed "
              "in arb balls at every traced node, n_P being v rotated by 90 degrees "
              f"(Sigma is invariant under v){window}")
    if tr.positive:
        return Verdict("A3", A3, True, Certified.TRACE, values, evidence, reason)
    if len(tr.negative_nodes):
        return _counterexample(sf, tr, P, R, values, evidence, reason)
    evidence["open_nodes"] = [tr.nodes[k].tolist() for k in tr.open_nodes[:10]]
    return Verdict("A3", A3, None, Certified.TRACE, values, evidence,
                   reason + f"; at {len(tr.open_nodes)} node(s) the ball holds 0 at "
                   f"{ts.PRECISIONS[-1]} bits (<M, n_P> touches 0 there)")


def _counterexample(sf, tr, P, R, values, evidence, reason):
    """The most negative node, confirmed on Sigma by a bracket between P's and R's basins."""
    k = int(tr.negative_nodes[np.argmin(tr.upper[tr.negative_nodes])])
    node = tr.nodes[k]
    normal = tr.normal(k, compile_field(sf.dec, Rule("pg", 0, 0)).field)
    br = ts.bracket(sf, node, normal, P.point, R.point, tr.window)
    values.update({"counterexample": tuple(node.tolist()),
                   "value_there": (float(tr.lower[k]), float(tr.upper[k]))})
    evidence["bracket"] = br
    if br is None:
        return Verdict("A3", A3, None, Certified.TRACE, values, evidence,
                       reason + "; <M, n_P> is certified negative at a traced node, but no "
                       "bracket confirmed that the node separates P's basin from R's")
    return Verdict("A3", A3, False, Certified.TRACE, values, evidence,
                   reason + f"; <M, n_P> is certified negative at the node "
                   f"{np.round(node, 6).tolist()}, which lies within {br['delta']:g} of "
                   "Sigma: its two sides flow to P and to R")
