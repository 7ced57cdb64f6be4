"""Fields against an independent computation from the definitions (docs/theory.md).

The reference here writes J_i as the multilinear expected payoff of a
normal-form game under the logit parameterisation in mpmath, takes every
derivative by central differences at 50 digits, and builds the terms from
their definitions:

    v_i    = grad_{phi_i} J_i
    la_i   = eta sum_{j != i} (d v_i / d phi_j) v_j
    peer_i = eta sum_{j != i} (d v_j / d phi_i)^T grad_{phi_j} J_i

SOS (Letcher et al. 2019) is u + p peer with u = v + la, p = min(p1, p2),
p1 = min(1, -a ||u||^2 / <peer, u>) when <peer, u> < 0 (else 1) and
p2 = ||v||^2 when ||v|| < b (else 1), a = 1/2, b = 1/10; SGA (Balduzzi et
al. 2018) is v + s lambda A v with A = (H - H^T)/2, H = Dv and
s = sign(<v, H^T v> <A v, H^T v> / d + 1/10).
"""

import itertools

import mpmath
import pytest
import sympy as sp

from eqselect.theory import Decomposition
from eqselect.theory.budget import run_with_budget
from eqselect.theory.games.normal_form import normal_form_game

R = sp.Rational
ETA, LAM = R(11, 20), R(3, 2)
# a 3-player 2-action game without symmetry: payoffs of profiles (a1, a2, a3) in
# lexicographic order, one row per player
THREE_PLAYER = ([3, -1, 2, 0, 1, 4, -2, 5], [1, 0, -3, 2, 2, 1, 0, 3], [0, 2, 1, -1, 3, 0, 4, 1])
POINT = (R(1, 2), R(-1, 3), R(2, 5))


def _tensor(values):
    t = [[[None] * 2 for _ in range(2)] for _ in range(2)]
    for k, (a, b, c) in enumerate(itertools.product(range(2), repeat=3)):
        t[a][b][c] = values[k]
    return t


class _Reference:
    """v, la, peer and H of the logit 3-player game by central differences."""

    H = mpmath.mpf("1e-12")

    def __init__(self, payoffs):
        self.payoffs = payoffs

    def value(self, i, x):
        p = [1 / (1 + mpmath.exp(-t)) for t in x]
        total = mpmath.mpf(0)
        for k, prof in enumerate(itertools.product(range(2), repeat=3)):
            weight = mpmath.mpf(1)
            for a, q in zip(prof, p):
                weight *= q if a == 0 else 1 - q
            total += weight * self.payoffs[i][k]
        return total

    def partial(self, f, x, k):
        xp, xm = list(x), list(x)
        xp[k] += self.H
        xm[k] -= self.H
        return (f(xp) - f(xm)) / (2 * self.H)

    def grad(self, i, x, k):
        """d J_i / d phi_k (each agent has one parameter: phi_k is agent k's)."""
        return self.partial(lambda y: self.value(i, y), x, k)

    def second(self, i, x, k, m):
        return self.partial(lambda y: self.grad(i, y, k), x, m)

    def terms(self, x, eta):
        n = len(x)
        v = [self.grad(i, x, i) for i in range(n)]
        Hm = [[self.second(r, x, r, c) for c in range(n)] for r in range(n)]
        la = [eta * sum(Hm[i][j] * v[j] for j in range(n) if j != i) for i in range(n)]
        peer = [eta * sum(Hm[j][i] * self.grad(i, x, j) for j in range(n) if j != i)
                for i in range(n)]
        return v, la, peer, Hm


def _sos(v, la, peer, a=mpmath.mpf(1) / 2, b=mpmath.mpf(1) / 10):
    u = [x + y for x, y in zip(v, la)]
    dot = mpmath.fdot(peer, u)
    p1 = min(1, -a * mpmath.fdot(u, u) / dot) if dot < 0 else 1
    p2 = mpmath.fdot(v, v) if mpmath.fdot(v, v) < b * b else 1
    return [x + min(p1, p2) * y for x, y in zip(u, peer)]


def _sga(v, Hm, lam):
    n = len(v)
    g = [sum(Hm[k][c] * v[k] for k in range(n)) for c in range(n)]
    av = [sum((Hm[r][c] - Hm[c][r]) / 2 * v[c] for c in range(n)) for r in range(n)]
    s = mpmath.sign(mpmath.fdot(v, g) * mpmath.fdot(av, g) / n + mpmath.mpf(1) / 10)
    return [x + s * lam * y for x, y in zip(v, av)]


@pytest.fixture(scope="module")
def three_player():
    return Decomposition(normal_form_game([_tensor(t) for t in THREE_PLAYER], "logit"), eta=ETA)


@pytest.mark.parametrize("method", ["sos", "sga"])
def test_pointwise_rules_at_a_three_player_logit_point_are_exact_quickly_and_right(
        three_player, method):
    # Simplifying the exact values at this point costs minutes (a polynomial gcd
    # over three exponentials), so SOS's weight and SGA's sign must be decided
    # by interval arithmetic within the budget, the values staying exact.
    run = run_with_budget(three_player.field_at, (method, list(POINT), LAM), seconds=15.0)
    assert run.finished, run.error
    with mpmath.workdps(50):
        ref = _Reference(THREE_PLAYER)
        x = [mpmath.mpf(t.p) / t.q for t in POINT]
        eta, lam = mpmath.mpf(11) / 20, mpmath.mpf(3) / 2
        v, la, peer, Hm = ref.terms(x, eta)
        expected = _sos(v, la, peer) if method == "sos" else _sga(v, Hm, lam)
        got = [sp.N(e, 50) for e in run.value]
        assert all(e.is_Float is False for e in run.value)  # exact values, not floats
        assert max(abs(mpmath.mpf(str(a)) - b) for a, b in zip(got, expected)) < 1e-18
