"""The paper's rate statements: two-phase exponents and N_0, speed-up, restarts, estimators.

- two-phase: phase 2 needs alpha_n = alpha_0 n^{-p}, lambda_n = lambda_c n^{-q} with
  1/2 < p <= 1 and q > 1 - p; checked exactly for the paper's schedules
  (step power and annealing power from ``PAPER``).
- n0: N_0 = ceil(log(8 V_0 / (delta rho^2)) / (mu_lambda alpha_0)) from the certified
  radius and margin, against the paper's N_0.
- speed-up: N_0(0) / N_0(lambda) against 1 + lambda mu_M / mu.
- restarts: p_rho = nu(B_rho) for the paper's restart law (uniform on
  [-3, 3]^d in theta) must not exceed the measured basin mass of P, and
  E[T] <= 1 / (p_rho (1 - delta)).
- estimator: sampled cur is unbiased for the exact cur; own and peer from one
  batch carry an O(1/B) bias, measured at two batch sizes.
(docs/alignment.md, "The paper's statements".)
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from eqselect.theory import PAPER
from eqselect.theory.exact import to_exact
from eqselect.proofs_check.verdict import Certified, Verdict, not_applicable

TWO_PHASE = (r"\tfrac12 < p \le 1,\ q > 1 - p \Rightarrow \textstyle\sum\alpha_n = \infty,"
             r"\ \sum\alpha_n^2 < \infty,\ \sum\alpha_n\lambda_n < \infty")
N0 = (r"N_0 = \Big\lceil \frac{\log\bigl(8 V_0 / (\delta\rho^2)\bigr)}{\mu_{\lambda_c}\alpha_0}"
      r"\Big\rceil")
SPEEDUP = r"N_0(0) / N_0(\lambda) \gtrsim 1 + \lambda\mu_M/\mu"
RESTART = (r"p_\rho = \nu(B_\rho) \le \text{basin mass of } P,\quad "
           r"E[T] \le 1/(p_\rho(1-\delta))")
ESTIMATOR = (r"E[\hat g_i] = \mathrm{cur}_i,\quad E[\widehat{\mathrm{peer}}_i] - "
             r"\mathrm{peer}_i = O(1/B)")
DELTA = sp.Rational(1, 10)


def check_two_phase() -> Verdict:
    """The paper's schedule exponents against the theorem's conditions (exact)."""
    p, q = to_exact(PAPER.lr_power), to_exact(PAPER.anneal_power)
    conds = {"1/2 < p <= 1": bool(sp.Rational(1, 2) < p <= 1), "q > 1 - p": bool(q > 1 - p)}
    holds = all(conds.values())
    reason = "" if holds else (f"the paper's experiments use step power p = {p} and annealing "
                               f"power q = {q}: the theorem's phase-2 conditions do not cover "
                               "that schedule")
    return Verdict("two-phase", TWO_PHASE, holds, Certified.EXACT,
                   {"p": p, "q": q, **conds}, {}, reason)


def n0(V0: float, rho: float, mu_lam: float, alpha0: float, delta=float(DELTA)) -> int:
    """N_0 of the two-phase theorem."""
    return max(0, math.ceil(math.log(8 * V0 / (delta * rho ** 2)) / (mu_lam * alpha0)))


def check_n0(radius: Verdict, P, lam) -> Verdict:
    """N_0 from the certified radius, against the paper's phase-1 length."""
    if radius.holds is not True:
        return not_applicable("n0", N0, "no certified radius at P (see 'radius')")
    alpha0 = PAPER.lr_base / PAPER.lr_offset ** PAPER.lr_power
    lo = math.log(PAPER.grid_low / (1 - PAPER.grid_low))
    V0 = 0.5 * sum(max((lo - x) ** 2, (-lo - x) ** 2) for x in radius.values["phi*_lambda"])
    m, rho = radius.values["m"], radius.values["rho"]
    N = n0(V0, rho, m, alpha0)
    return Verdict("n0", N0, N <= PAPER.anneal_n0, Certified.NUMERICAL,
                   {"N_0": N, "paper_N_0": PAPER.anneal_n0, "V_0": V0, "rho": rho,
                    "mu_lambda": m, "alpha_0": alpha0, "delta": float(DELTA)},
                   {}, "V_0 = |phi_0 - phi*|^2 / 2 at the farthest start of the paper's grid")


def check_speedup(r0: Verdict, rl: Verdict, lam, hits=None) -> Verdict:
    """N_0(0) / N_0(lambda) and measured first-hit times against 1 + lambda mu_M / mu.

    ``hits`` = (steps under v, steps under F_lambda) from the same starts to the
    balls of radius min(rho_0, rho_lambda) about phi* and phi*_lambda.
    """
    if r0.holds is not True or rl.holds is not True:
        return not_applicable("speed-up", SPEEDUP, "needs certified radii at lambda = 0 and at "
                              "lambda (see 'radius')")
    alpha0 = PAPER.lr_base / PAPER.lr_offset ** PAPER.lr_power
    a = n0(1.0, r0.values["rho"], r0.values["m"], alpha0)
    b = n0(1.0, rl.values["rho"], rl.values["m"], alpha0)
    mu, muM = r0.values["mu"], rl.values["mu_M"]
    bound = 1 + float(lam) * muM / mu
    values = {"N_0(0)": a, "N_0(lambda)": b, "N_0 ratio": a / b if b else float("inf"),
              "1 + lambda mu_M / mu": bound}
    if hits is None:
        return Verdict("speed-up", SPEEDUP, bool(values["N_0 ratio"] >= 0.9 * bound),
                       Certified.NUMERICAL, values, {"V_0": 1.0}, "'>~' read as within 10%")
    h0, hl = (np.asarray(h, dtype=float) for h in hits)
    ok = (h0 > 0) & (hl > 0)  # started outside both balls and reached both
    measured = float(h0[ok].mean() / hl[ok].mean()) if ok.any() else float("nan")
    values["measured first-hit ratio"] = measured
    values["mean first-hit steps"] = (float(h0[ok].mean()), float(hl[ok].mean())) \
        if ok.any() else None
    return Verdict("speed-up", SPEEDUP, bool(measured >= 0.9 * bound), Certified.NUMERICAL,
                   values, {"starts": int(ok.sum()), "V_0": 1.0},
                   "'>~' read as within 10%; first hits measured by Euler flows (dt = 1/2)")


def check_restart(radius: Verdict, basin_mass: float, n_starts: int, box: float = 3.0) -> Verdict:
    """p_rho of the uniform restart law against P's measured basin mass."""
    if radius.holds is not True:
        return not_applicable("restarts", RESTART, "no certified radius at P (see 'radius')")
    d = len(radius.values["phi*_lambda"])
    rho = radius.values["rho"]
    c_d = math.pi ** (d / 2) / math.gamma(d / 2 + 1)
    p_rho = min(1.0, c_d * rho ** d / (2 * box) ** d)
    se = math.sqrt(max(basin_mass * (1 - basin_mass), 1e-12) / n_starts)
    bound = 1 / (p_rho * (1 - float(DELTA)))
    return Verdict("restarts", RESTART, bool(p_rho <= basin_mass + 3 * se), Certified.NUMERICAL,
                   {"p_rho": p_rho, "basin_mass": basin_mass, "E[T] bound": bound,
                    "E[T] from basin mass": 1 / max(basin_mass, 1e-300)},
                   {"starts": n_starts, "restart_law": f"uniform on [-{box}, {box}]^{d}"},
                   "p_rho counts the ball only if it lies in the restart box")


def check_estimator(exact_fn, theta, payoffs, eta: float, batches=(16, 64),
                    n_rep: int = 4000, seed: int = 0) -> Verdict:
    """Unbiased cur, and the O(1/B) bias of the one-batch peer product, measured."""
    from eqselect.numerics.sources.estimators import sample_components

    cur_x, peer_x = exact_fn(theta)
    pts = np.repeat(np.asarray(theta, float)[None], n_rep, axis=0)
    values, ok, finite = {}, True, True
    for B in batches:
        est = sample_components("2x2", pts, eta=eta, batch=B, rng=seed + B, payoffs=payoffs)
        split = sample_components("2x2", pts, eta=eta, batch=B, rng=seed + B + 1,
                                  payoffs=payoffs, split=True)
        with np.errstate(all="ignore"):  # overflow is reported below, not warned about
            z_cur = (est.cur.mean(0) - cur_x) / (est.cur.std(0, ddof=1) / math.sqrt(n_rep))
            z_split = (split.peer.mean(0) - peer_x) / (split.peer.std(0, ddof=1)
                                                       / math.sqrt(n_rep))
            bias = est.peer.mean(0) - peer_x
        stats = np.concatenate([z_cur, z_split, bias])
        finite = finite and bool(np.all(np.isfinite(stats)))
        ok = ok and bool(np.all(np.abs(z_cur) < 4.5) and np.all(np.abs(z_split) < 4.5))
        values[f"B={B}"] = {"z_cur": _finite(z_cur), "z_peer_split": _finite(z_split),
                            "peer_bias": _finite(bias), "B_times_bias": _finite(B * bias)}
    evidence = {"theta": list(map(float, theta)), "replicates": n_rep, "seed": seed}
    if not finite:  # NaN or inf z-scores decide nothing (payoffs past double range)
        return Verdict("estimator", ESTIMATOR, None, Certified.NUMERICAL, values, evidence,
                       "the sampled estimates or their spread are not finite in floating "
                       "point (null entries): not decidable here")
    return Verdict("estimator", ESTIMATOR, ok, Certified.NUMERICAL, values, evidence,
                   "unbiasedness tested at |z| < 4.5; the bias of the one-batch product is "
                   "reported with B * bias (constant under O(1/B))")


def _finite(x) -> list:
    """Floats of ``x`` for the JSON document, None for NaN and inf (not valid JSON)."""
    return [float(v) if math.isfinite(v) else None for v in np.asarray(x, dtype=float)]
