"""Conditions that fail in games built for it; games without an alternative; bigger games."""

import itertools
import json
import time

import pytest
import sympy as sp

from eqselect.proofs_check.check import check_game
from eqselect.theory import builtin, normal_form_game

ETA = sp.Rational(11, 20)


def symmetric(row, param="direct"):
    col = [list(r) for r in zip(*row)]
    return normal_form_game([row, col], param, name="built")


def test_peer_shaping_that_favours_the_risk_dominant_equilibrium_fails_a3():
    """Symmetric 2x2 coordination [[a, b], [c, d]], direct: with k = a - b - c + d,
    peer_i = eta k (k p_i + c - d) and on Sigma (p1 + p2 = 2 (d - b)/k) the inner product
    with n_P = (1, 1) is 2 eta k (c - b). Stag Hunt: c - b = 3 > 0 (A3 holds); here
    [[4, 2], [0, 3]]: (C, C) pays 4 > 3 but c - b = -2 < 0, so A3 fails."""
    res = check_game(symmetric([[4, 2], [0, 3]]), "peer-only", eta=ETA, statements=False)
    assert res.preferred.point == (1.0, 1.0)
    a3 = res.verdict("A3")
    assert a3.holds is False and a3.certified.value == "exact"
    k = 4 - 2 - 0 + 3
    assert a3.values["inner_product"] == 2 * ETA * k * (0 - 2)
    assert a3.evidence["negative_at"] is not None


def test_a_game_with_one_equilibrium_says_a2_and_a3_do_not_apply():
    res = check_game(builtin("prisoners-dilemma", "direct"), "meta-mapg", eta=ETA,
                     statements=False)
    assert res.alternative is None
    for id in ("A2", "A3"):
        v = res.verdict(id)
        assert v.holds is None and "does not apply" in v.reason


def test_pure_equilibria_at_infinity_are_findings_not_passes():
    res = check_game(builtin("stag-hunt", "logit"), "meta-mapg", eta=ETA)
    assert res.preferred.at_infinity and res.preferred.label == "C,C"  # by action name
    assert res.alternative.label == "D,D"
    assert any("infinity" in f for f in res.findings)
    for id in ("ift-shift", "radius"):
        v = res.verdict(id)
        assert v.holds is None and "infinity" in v.reason
    for id in ("A1", "A2"):  # the point route cannot; the faces the flow reaches decide
        v = res.verdict(id)
        assert "infinity" in v.values["point_route"]
        assert v.holds is not None and v.certified.value == "numerical"


def _stag3(param):
    pay = []
    for i in range(3):
        t = [[[0, 0], [0, 0]], [[0, 0], [0, 0]]]
        for a in itertools.product(range(2), repeat=3):
            t[a[0]][a[1]][a[2]] = 3 if a == (0, 0, 0) else (
                2 if a == (1, 1, 1) else (0 if a[i] == 0 else 1))
        pay.append(t)
    return normal_form_game(pay, param, name="stag-hunt-3")


@pytest.mark.parametrize("game", [
    symmetric([[3, 0, 0], [0, 2, 0], [0, 0, 1]], "softmax"),
    _stag3("direct"),
], ids=["3x3-softmax", "3-player-direct"])
def test_bigger_games_finish_with_verdicts_or_reasons(game):
    t = time.perf_counter()
    res = check_game(game, "meta-mapg", eta=ETA)
    assert time.perf_counter() - t < 60
    assert [v.id for v in res.conditions] == ["A0", "A1", "A2", "A3", "A4", "A5"]
    for v in (*res.conditions, *res.claims):
        assert v.holds in (True, False, None)
        if v.holds is None:
            assert v.reason
    a3 = res.verdict("A3")  # no separatrix to trace: decided from paired starts
    assert "2 parameters" in a3.values["point_route"]
    assert a3.certified.value == "statistical"
    assert a3.values["n"] == (4000 if len(game.parameters) <= 4 else 2000)  # the defaults
    lo, hi = a3.values["flux_interval"]
    assert a3.holds is (lo > 0 if lo > 0 or hi < 0 else None)
    if a3.holds is None:
        assert a3.to_decide and "paired starts" in a3.reason


def test_a_game_without_a_stable_equilibrium_reports_no_p():
    # matching pennies: the only fixed point of v under logit is the centre (0, 0)
    res = check_game(builtin("matching-pennies", "logit"), "meta-mapg", eta=ETA)
    assert res.preferred is None and res.alternative is None
    assert res.verdict("A0").holds is True  # own vanishes at the exact centre
    for id in ("A1", "A2", "A3", "A5"):
        assert res.verdict(id).holds is None and "no P" in res.verdict(id).reason


def test_preferred_profile_by_the_games_action_names(tmp_path, capsys):
    from eqselect.cli import main

    game = tmp_path / "named.toml"
    game.write_text('name = "named"\nactions = [["stag", "hare"], ["stag", "hare"]]\n'
                    'payoffs = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]\n')
    args = ["check", str(game), "--param", "direct", "--method", "peer-only", "--json"]
    assert main([*args, "--preferred", "hare,hare"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["preferred"]["point"] == [0.0, 0.0] and doc["alternative"]["point"] == [1.0, 1.0]
    assert main([*args, "--preferred", "fox,hare"]) == 2
    assert "'fox' is not an action of agent 1 (stag, hare" in capsys.readouterr().err


def test_weyl_with_algebraic_eigenvalues_falls_back_to_intervals():
    """A 3-player Stag Hunt whose fixed point has a 3x3 Jacobian: the exact top
    eigenvalues are CRootOf numbers, which have no interval form; Weyl's exact
    route steps aside and the interval route decides it (the check does not fail)."""
    pay = [[[[4, 0], [0, 0]], [[3, 2], [2, 2]]], [[[4, 0], [3, 2]], [[0, 2], [0, 2]]],
           [[[4, 3], [0, 2]], [[0, 2], [0, 2]]]]
    res = check_game(normal_form_game(pay, "direct", name="stag-hunt-3"), "meta-mapg")
    weyl = next(c for c in res.claims if c.id == "weyl")
    assert weyl.holds is not None and weyl.certified.value == "interval"
