"""mu and mu_M at a boundary point: one number in `eqselect equilibria` and `eqselect check`."""

import json

import pytest



def _json(printed, *argv):
    return json.loads(printed(argv))


def _multipliers_by_hand(M, point):
    """Box [0, 1]^2 vertex: M_k presses on p_k = 1, -M_k on p_k = 0."""
    return min(M[k] if x == 1 else -M[k] for k, x in enumerate(point))


def test_boundary_mu_is_the_same_number_in_equilibria_and_check(printed):
    eq = _json(printed, "equilibria", "stag-hunt", "--param", "direct", "--method", "pg",
               "--json")
    ck = _json(printed, "check", "stag-hunt", "--param", "direct", "--method", "peer-only",
               "--json")
    mu = {tuple(e["point"]): e["mu"] for e in eq["equilibria"]}
    for who in ("preferred", "alternative"):
        point = tuple(ck[who]["point"])
        assert ck[who]["mu"] == mu[point]
        # v = cur: cur_1 = 3 p2 - 2, cur_2 = 3 p1 - 2 (a - b - c + d = 3, b - d = -2)
        cur = [3 * point[1] - 2, 3 * point[0] - 2]
        assert mu[point] == _multipliers_by_hand(cur, point)
        # M = peer = 3 eta (3 p_i + 1) per agent (docs/theory.md's worked check)
        peer = [3 * 0.55 * (3 * x + 1) for x in point]
        assert ck[who]["mu_M"] == pytest.approx(_multipliers_by_hand(peer, point), rel=1e-15)
    assert mu[(1.0, 1.0)] == 1 and mu[(0.0, 0.0)] == 2
    a1 = next(c for c in ck["conditions"] if c["id"] == "A1")
    assert a1["holds"] is True and a1["certified"] == "exact" and a1["values"]["mu_M(P)"] == "33/5"
