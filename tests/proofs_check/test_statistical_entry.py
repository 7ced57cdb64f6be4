"""Statistical A3 (paired starts) against the trace-certified A3 on random 2x2 logit games,
the paired statistics against a direct count, and the outcome route on the IPD."""

import os

import numpy as np
import pytest
import sympy as sp

from eqselect.numerics.codegen import compile_exprs
from eqselect.numerics.shaping import ShapingField
from eqselect.proofs_check import adapter
from eqselect.proofs_check.check import check_game
from eqselect.proofs_check.paired_starts import SampleOptions, flips, paired_difference
from eqselect.proofs_check.statistical_entry import statistical_a3
from eqselect.theory import Decomposition, Rule, builtin, normal_form_game
from eqselect.theory.outcomes import named_outcomes, parse_outcome, profile_outcome

ETA = sp.Rational(11, 20)
#: 20 games with EQSELECT_FULL_SCALE=1, 6 by default (about 2 s a game).
N_GAMES = 20 if os.environ.get("EQSELECT_FULL_SCALE") == "1" else 6


def _coordination_games(k, seed=7):
    """Random 2x2 games (payoffs in -5..5) with (0, 0) and (1, 1) strict Nash."""
    rng, out = np.random.default_rng(seed), []
    while len(out) < k:
        A, B = rng.integers(-5, 6, size=(2, 2)), rng.integers(-5, 6, size=(2, 2))
        if A[0, 0] > A[1, 0] and B[0, 0] > B[0, 1] and A[1, 1] > A[0, 1] and B[1, 1] > B[1, 0]:
            out.append((A.tolist(), B.tolist()))
    return out


def _signs_on_sigma(dec, sf, saddle, P):
    """Signs of <M, n_P> at the nodes of Sigma traced here (floats; n_P the polyline's
    tangent rotated by 90 degrees, oriented towards P at the saddle): computed apart
    from the checker's arb enclosures of +-det[v, M] / |v|."""
    poly, _, _ = adapter.trace_separatrix(dec, saddle)
    M = compile_exprs(list(sf.M), list(sf.symbols))(poly)
    t = np.gradient(poly, axis=0)  # one curve through the saddle: one orientation
    n = np.stack([-t[:, 1], t[:, 0]], axis=1)
    toward = np.clip(np.asarray(P, dtype=float), -1e3, 1e3) - np.asarray(saddle)
    n *= np.sign(n[np.argmin(np.linalg.norm(poly - saddle, axis=1))] @ toward)
    g = np.einsum("ij,ij->i", M, n) / np.linalg.norm(n, axis=1)
    return np.sign(g[np.abs(g) > 1e-12 * np.abs(g).max()])


@pytest.mark.parametrize("A, B", _coordination_games(N_GAMES))
def test_statistical_a3_agrees_in_sign_with_the_traced_a3(A, B):
    """Where <M, n_P> has one sign on all of Sigma, the statistical A3 agrees with the
    trace-certified A3 wherever it is decided and the net change exceeds its interval's
    width. Where the sign changes along Sigma the statistical verdict decides the flux
    for the start law only, and may differ (docs/alignment.md, "A3")."""
    g = normal_form_game([A, B], "logit", name="random")
    res = check_game(g, "peer-only", eta=ETA, statements=False, sampling=None)
    exact = res.verdict("A3")
    dec = Decomposition(g.substitute(), eta=ETA)
    sf = ShapingField(dec, Rule("peer-only"))
    P = profile_outcome(g, tuple(int(np.argmax(s)) for s in res.preferred.strategies))
    R = profile_outcome(g, tuple(int(np.argmax(s)) for s in res.alternative.strategies))
    st = statistical_a3(dec, Rule("peer-only"), P, R, SampleOptions(n=4000))
    assert st.certified.value == "statistical" and st.values["n"] == 4000
    lo, hi = st.values["flux_interval"]
    if st.holds is True:
        assert lo > 0 and st.values["leaving_p_value"] >= 0.05
    saddle = np.asarray(exact.values["saddle"], dtype=float)
    signs = set(_signs_on_sigma(dec, sf, saddle, res.preferred.point))
    assert exact.holds is not None and exact.holds == (signs == {1.0})
    net, (nlo, nhi) = st.values["net_change"], st.values["net_change_interval"]
    if len(signs) == 1 and st.holds is not None and abs(net) > nhi - nlo:
        assert st.holds == exact.holds
    if exact.holds:  # inward everywhere: no start may leave P for R
        assert st.values["P->R"] == 0
    assert st.values["R->P"] <= st.values["gains"] and st.values["P->R"] <= st.values["losses"]


def test_flips_count_and_interval_by_hand():
    """g = 30 gains, l = 10 losses of n = 400: D = 0.05, sd = sqrt(0.1 - 0.0025),
    Wald half width 1.96 sd / sqrt(399); McNemar p = P(|Bin(40, 1/2) - 20| >= 10)."""
    from scipy import stats

    gained = np.zeros(400, dtype=bool)
    lost = np.zeros(400, dtype=bool)
    gained[:30], lost[30:40] = True, True
    f = flips(gained, lost, SampleOptions(n=400))
    half = stats.norm.ppf(0.975) * np.sqrt((0.1 - 0.0025) / 399)
    assert f["change"] == pytest.approx(0.05)
    assert f["interval"] == pytest.approx((0.05 - half, 0.05 + half))
    p = 2 * stats.binom.cdf(10, 40, 0.5)
    assert f["p_value"] == pytest.approx(p) and f["sign"] == 1
    same = paired_difference(lost, gained, SampleOptions(n=400))  # P at the smaller lambda: a
    assert (same["gains"], same["losses"]) == (30, 10)
    none = flips(np.zeros(50, dtype=bool), np.zeros(50, dtype=bool), SampleOptions(n=50))
    assert none["sign"] == 0 and none["interval"] == (0.0, 0.0)


def test_ipd_outcomes_and_state_profiles():
    g = builtin("ipd", "logit")
    coop, defect, success = named_outcomes(g)
    assert coop.name == "mutual-cooperation" and coop.kind == "face"
    assert set(coop.held) == {(0, 0, 0), (0, 1, 0), (1, 0, 0), (1, 1, 0)}
    assert set(defect.held) == {(0, 0, 1), (0, 4, 1), (1, 0, 1), (1, 4, 1)}
    assert coop.payoffs == (3, 3) and defect.payoffs == (1, 1)
    assert success.held == ((0, 0, 0), (1, 0, 0))
    same = parse_outcome(g, "start:C,C;CC:C,C")
    assert set(same.held) == set(coop.held)
    from eqselect.proofs_check.outcome_regions import members

    x = np.full((1, 10), -8.0)
    x[0, [0, 1, 5, 6]] = 8.0  # cooperate at start and CC, defect elsewhere
    assert members(g, coop, x)[0] and not members(g, defect, x)[0]
    assert members(g, success, x)[0]


def test_starts_crossing_from_p_to_r_fail_a3_whatever_the_net_flux():
    """400 starts: 60 enter P from R, and 0 / 10 cross from P to R (a third
    outcome takes 5 more from P either way). The net change is positive in both;
    A3 is pointwise on Sigma between P and R, so 10 of 70 crossing P -> R (above
    the 1% a first-order argument leaves to second-order effects) fail it, while
    losses to the third outcome do not."""
    from eqselect.proofs_check.paired_starts import PairedSample
    from eqselect.proofs_check.statistical_entry import verdict_from
    from eqselect.theory.outcomes import Outcome

    def sample(p_to_r):
        n, d = 400, 0.3
        in_P0, in_R0 = np.zeros(n, bool), np.zeros(n, bool)
        in_Pd, in_Rd = np.zeros(n, bool), np.zeros(n, bool)
        in_R0[:60], in_Pd[:60] = True, True                      # R -> P
        in_P0[60:60 + p_to_r], in_Rd[60:60 + p_to_r] = True, True  # P -> R
        in_P0[100:105] = True                                    # P -> a third outcome
        in_P0[200:300], in_Pd[200:300] = True, True              # stay in P
        opts = SampleOptions(n=n)
        return PairedSample((0.0, d), {0.0: in_P0, d: in_Pd}, {0.0: in_R0, d: in_Rd},
                            {}, n, opts), d

    P, R = (Outcome(x, "face", ((0, 0, a),)) for x, a in (("P", 0), ("R", 1)))
    clean = verdict_from(*sample(0), P, R)
    assert clean.holds is True and clean.values["P->R"] == 0 and clean.values["losses"] == 5
    crossed = verdict_from(*sample(10), P, R)
    assert crossed.values["net_change"] > 0 and crossed.values["P->R"] == 10
    assert crossed.holds is False and crossed.values["leaving_p_value"] < 0.05
