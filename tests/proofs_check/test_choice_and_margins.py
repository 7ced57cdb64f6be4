"""P and R from complete lists, ties for P, and one mu / mu_M at the boundary."""

import numpy as np
import pytest
import sympy as sp

from eqselect.theory import Decomposition, builtin
from eqselect.theory.rules import PAPER, Rule
from eqselect.proofs_check import check_game
from eqselect.proofs_check.choice import choose_candidates
from eqselect.proofs_check.adapter import fixed_points


def test_direct_stag_hunt_keeps_its_other_verdicts(checked_direct_sh):
    res = checked_direct_sh  # check_game(builtin("stag-hunt", "direct"), "peer-only", ...)
    assert str(res.verdict("A3").values["inner_product"]) == "99/10"
    assert [str(x) for x in res.verdict("A4").values["counterexample"]] == ["1/8", "1/8"]
    assert res.verdict("A2").holds is True
    assert res.verdict("A2").values["difference"] == sp.Rational(33, 5) + sp.Rational(33, 20)


def test_coordination_tau_one_tenth_peer_only_prefers_the_far_cc_point():
    """[[2, 0], [0, 1]], logit, tau = 1/10: P is the (C, C)-side QRE near theta = (20, 20)."""
    res = check_game(builtin("coordination", "logit"), "peer-only", tau=sp.Rational(1, 10),
                     statements=False)
    assert res.complete
    assert res.preferred.point == pytest.approx((20.0, 20.0), abs=1e-6)
    assert res.alternative.point == pytest.approx((-9.9986, -9.9986), abs=1e-3)
    assert res.verdict("A2").holds is True


@pytest.mark.parametrize("game", ["battle-of-sexes", "chicken"])
def test_ties_for_p_are_listed_and_each_is_checked(game):
    g = builtin(game, "direct").substitute()
    dec = Decomposition(g, eta=PAPER.eta)
    fps = fixed_points(dec, Rule("pg", lam=0))
    choice = choose_candidates(g, fps.points, "payoff-dominant")
    stable = [c for c in choice.candidates if c.stable]
    welfare = max(c.welfare for c in stable)
    assert len(choice.ties) == sum(np.isclose(c.welfare, welfare) for c in stable) == 2
    res = check_game(builtin(game, "direct"), "peer-only", statements=False)
    assert [t["label"] for t in res.ties] == [c.label for c in choice.ties]
    assert res.ties[0]["A1"].holds == res.verdict("A1").holds
    for t in res.ties:
        assert t["A1"].holds == (t["mu_M"] > 0)
        assert t["alternative"] != t["label"]
    assert any("tie for P" in f for f in res.findings)
    named = check_game(builtin(game, "direct"), "peer-only", preferred=1, statements=False)
    assert named.ties == () and named.preferred.label == "#1"


def test_pure_profile_at_infinity_is_decided_through_the_direct_closure(checked_direct_sh):
    logit = check_game(builtin("stag-hunt", "logit"), "peer-only", statements=False)
    direct = checked_direct_sh  # check_game(builtin("stag-hunt", "direct"), "peer-only", ...)
    assert logit.preferred.at_infinity and logit.preferred.label == "C,C"
    for k in ("A1", "A2"):
        assert logit.verdict(k).holds == direct.verdict(k).holds
        assert logit.verdict(k).values["mu_M(P)"] == direct.verdict(k).values["mu_M(P)"]
        assert "direct closure" in logit.verdict(k).reason
    own = check_game(builtin("stag-hunt", "logit"), "meta-mapg", statements=False)
    a1 = own.verdict("A1")
    # the closure does not decide a rule with an own piece; the face route does:
    # own_i = eta s_i^2 (1 - 2 p_i) g_i^2 points inward at (C, C) and outweighs
    # peer's s_i s_j^2 on the diagonal the flow of v comes in along
    assert "own" in a1.values["point_route"]
    assert a1.holds is False and a1.certified.value == "numerical"
    assert a1.values["mu_M(P)"] < 0 and a1.values["ends"] > 0


def test_logit_peer_term_is_the_direct_term_times_s_i_s_j_squared():
    """The correspondence docs/alignment.md rests on, at random points."""
    L = Decomposition(builtin("stag-hunt", "logit").substitute(), eta=sp.Rational(11, 20))
    D = Decomposition(builtin("stag-hunt", "direct").substitute(), eta=sp.Rational(11, 20))
    t, p = L.game.parameters, D.game.parameters
    rng = np.random.default_rng(3)
    for a, b in rng.uniform(-4, 4, size=(4, 2)):
        sig = [1 / (1 + np.exp(-a)), 1 / (1 + np.exp(-b))]
        s = [x * (1 - x) for x in sig]
        for i in range(2):
            lhs = float(L.peer[i].subs({t[0]: a, t[1]: b}))
            rhs = s[i] * s[1 - i] ** 2 * float(D.peer[i].subs({p[0]: sig[0], p[1]: sig[1]}))
            assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-15)
