"""A3 in any dimension: the flux of M across the boundary between P's and R's basins,
estimated with paired starts.

Let B_P(lambda) be the set of starts whose run under F_lambda = v + lambda M
ends in P, and m_P(lambda) its mass under the start law nu. When the
boundary Sigma between B_P(0) and B_R(0) is a hypersurface with normal n_P
(into B_P), moving the field by lambda M moves Sigma, to first order, by
lambda times a normal displacement whose sign is that of <M, n_P> transported
along the flow (the variational equation); the mass that crosses from B_R to
B_P is

    d m_P / d lambda (0) = flux of M across Sigma, weighted by nu,

so A3's pointwise condition <M, n_P> > 0 on Sigma makes it positive, and its
sign is what A3 promises: P's basin grows for small lambda > 0.

With more than two outcomes, P's basin borders several others; the flux
through all of its boundary is d m_P / d lambda, and the part through Sigma
(between P and R) is reported beside it.

The estimate: n starts drawn once (`paired_starts.draw_starts`), each run at
lambda = 0 and at lambda = delta (common random numbers). A start enters P's
basin when it ends outside P at 0 and in P at delta, leaves it the other way
(R -> P and P -> R are counted apart). With g and l the entering and leaving
counts,

    (g - l) / n  estimates  m_P(delta) - m_P(0) = delta * flux + O(delta^2),

and `paired_starts.flips` gives its interval and the exact conditional test.
A3 is pointwise: under <M, n_P> > 0 on all of Sigma no start leaves P's
basin for R's (to first order in delta). So A3 fails (statistical) when the
net interval lies below 0, or when starts cross from P to R beyond a share
`LEAVING_SHARE` of those crossing Sigma either way (`leaving_test`:
<M, n_P> < 0 on part of Sigma, whatever the net flux); it holds when the interval lies
above 0, the test rejects "no net flux" and no more starts leave than that
share; it is not decided otherwise (no start flipped, or the interval holds
0). The net flux itself is the selection effect, reported beside it.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from eqselect.theory import Decomposition, Rule
from eqselect.theory.outcomes import Outcome
from eqselect.numerics.shaping import ShapingField
from eqselect.proofs_check.basin_entry import A3
from eqselect.proofs_check.binomial import upper_tail
from eqselect.proofs_check.paired_starts import (
    PairedSample, SampleOptions, flips, run_paired)
from eqselect.proofs_check.verdict import Certified, Verdict, not_applicable


def family(sf: ShapingField):
    """lambda -> the registry rule whose field is F_lambda = v + lambda M (None if none)."""
    import sympy as sp

    from eqselect.proofs_check.persistence import field_rule

    rule = field_rule(sf)
    if rule is None:
        return None

    def at(lam: float) -> Rule:
        if isinstance(rule.own_coef, sp.Symbol):
            return rule.with_(lam=lam, own_coef=lam)
        return rule.with_(lam=lam)

    return at


def default_delta(rule: Rule) -> float:
    """delta of A3's pair: a fifth of the rule's lambda (a fifth when lambda is 0)."""
    lam = float(rule.lam) if rule.uses_lam else 1.0
    return 0.2 * (lam if lam > 0 else 1.0)


def statistical_a3(dec: Decomposition, rule: Rule, P: Outcome, R: Outcome | None,
                   options: SampleOptions | None = None, *,
                   sample: PairedSample | None = None) -> Verdict:
    """A3 for outcomes P and R from paired starts at lambda = 0 and lambda = delta.

    Parameters
    ----------
    dec : Decomposition
        Numeric eta and payoffs; its game has policies.
    rule : Rule
        The rule whose M is checked (`eqselect.numerics.shaping.ShapingField`).
    P, R : Outcome
        The preferred and the alternative outcome (`eqselect.theory.outcomes`).
    options : SampleOptions or None
        Sample size, seed, steps, confidence, delta.
    sample : PairedSample or None
        A sample already run at 0 and delta (its options are then used).

    Returns
    -------
    Verdict
        ``certified`` "statistical"; values: delta, n, confidence, the flips
        R -> P and P -> R, the net change and its interval, the flux estimate
        (change / delta) and its interval, the test's p-value.
    """
    sf = ShapingField(dec, rule)
    if R is None:
        return not_applicable("A3", A3, "no alternative outcome R: there is no boundary "
                              "between P's and R's basins, A3 does not apply")
    if sf.trivial:
        return not_applicable("A3", A3, "the rule has no shaping field (M = 0)")
    at = family(sf)
    if at is None:
        return not_applicable("A3", A3, f"M = {' + '.join(sf.pieces)}: no rule weighs these "
                              "pieces by lambda, so F_lambda = v + lambda M cannot be run")
    o = options or (sample.options if sample is not None else SampleOptions())
    delta = float(o.delta) if o.delta is not None else default_delta(rule)
    if sample is None or 0.0 not in sample.lams or delta not in sample.lams:
        sample = run_paired(dec, at, dec.game, (P, R), (0.0, delta), o)
    return verdict_from(sample, delta, P, R)


def verdict_from(sample: PairedSample, delta: float, P: Outcome, R: Outcome) -> Verdict:
    """The statistical A3 verdict of a sample run at 0 and ``delta``."""
    o = sample.options
    p0, pd = sample.in_P[0.0], sample.in_P[delta]
    f = flips(pd & ~p0, p0 & ~pd, o)
    lo, hi = f["interval"]
    values = {"route": "paired starts (common random numbers)", "P": P.name, "R": R.name,
              "delta": delta, "n": sample.n, "confidence": f["confidence"],
              "steps": o.steps, "seed": o.seed, "gains": f["gains"], "losses": f["losses"],
              "R->P": int(np.sum(sample.in_R[0.0] & pd)),
              "P->R": int(np.sum(p0 & sample.in_R[delta])),
              "net_change": f["change"], "net_change_interval": (lo, hi),
              "flux": f["change"] / delta, "flux_interval": (lo / delta, hi / delta),
              "p_value": f["p_value"]}
    evidence = {"in_P(0)": int(sample.in_P[0.0].sum()), "in_R(0)": int(sample.in_R[0.0].sum()),
                "in_P(delta)": int(sample.in_P[delta].sum()),
                "in_R(delta)": int(sample.in_R[delta].sum()), "notes": list(sample.notes)}
    conf = f"{100 * f['confidence']:g}%"
    said = (f"{sample.n} paired starts at lambda = 0 and {delta:g}: {f['gains']} enter P's "
            f"basin ({values['R->P']} of them from R), {f['losses']} leave it "
            f"({values['P->R']} to R); net flux {f['change'] / delta:.4g} per unit "
            f"lambda, {conf} interval [{lo / delta:.4g}, {hi / delta:.4g}]")
    leaving = leaving_test(values["R->P"], values["P->R"], o)
    values["leaving_p_value"] = leaving
    if f["sign"] < 0:
        return Verdict("A3", A3, False, Certified.STATISTICAL, values, evidence,
                       said + f" (exact test p = {f['p_value']:.2g}): P's basin shrinks")
    if values["P->R"] and leaving < 1 - float(o.confidence):
        return Verdict("A3", A3, False, Certified.STATISTICAL, values, evidence,
                       said + f": starts leave P's basin for R's across Sigma (more than "
                       f"{LEAVING_SHARE:.0%} of the starts crossing between them, exact test "
                       f"p = {leaving:.2g}), so <M, n_P> < 0 on part of Sigma")
    if f["sign"] > 0:
        return Verdict("A3", A3, True, Certified.STATISTICAL, values, evidence,
                       said + f" (exact test p = {f['p_value']:.2g}); no more starts leave "
                       "P's basin for R's than second-order effects explain")
    why = ("no start entered or left P's basin" if f["gains"] + f["losses"] == 0 else
           "the interval holds 0 or the exact test does not reject 'no net flux'")
    return Verdict("A3", A3, None, Certified.STATISTICAL, values, evidence,
                   f"{said}: {why}", "more paired starts (--samples N) or a larger delta")


#: Share of the starts that change outcome which may leave P's basin while A3
#: still holds: under <M, n_P> > 0 on all of Sigma no start leaves it to first
#: order in delta, and the second-order band near points where <M, n_P> is
#: close to 0 is thin.
LEAVING_SHARE = 0.01


def leaving_test(gains: int, losses: int, options: SampleOptions) -> float:
    """p-value of "at most `LEAVING_SHARE` of the m = gains + losses starts crossing
    Sigma (R -> P gains, P -> R losses) leave P": P(Binomial(m, LEAVING_SHARE) >=
    losses); 1 when none leaves.

    A3 is pointwise (<M, n_P> > 0 everywhere on Sigma), so a basin whose net
    mass grows while starts also leave it across part of Sigma fails A3: the
    net flux is the selection effect, reported beside the verdict.
    """
    m = gains + losses
    if losses == 0 or m == 0:
        return 1.0
    return upper_tail(m, losses, Fraction(str(LEAVING_SHARE)))  # 1/100 exactly


__all__ = ["LEAVING_SHARE", "default_delta", "family", "leaving_test", "statistical_a3",
           "verdict_from"]
