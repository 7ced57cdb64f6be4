"""The shaping field M of each rule and the margins mu, mu_M (exact and enclosed)."""

import mpmath
import numpy as np
import pytest
import sympy as sp

from eqselect.numerics.shaping import ShapingField, lambda_max_exact, margins_at
from eqselect.theory import Decomposition, builtin, entropy_regularized
from eqselect.theory.rules import Rule

ETA = sp.Rational(11, 20)


@pytest.mark.parametrize("method, pieces", [
    ("pg", ()), ("meta-pg", ("own",)), ("peer-only", ("peer",)),
    ("meta-mapg", ("own", "peer")), ("lookahead", ("lookahead",)),
    ("lola", ("lookahead", "peer"))])
def test_M_is_the_rules_pieces(method, pieces):
    dec = Decomposition(builtin("chicken", "logit"), eta=ETA)
    sf = ShapingField(dec, Rule(method))
    expected = sum((dec.component(p) for p in pieces), sp.zeros(2, 1))
    assert all(sp.simplify(a - b) == 0 for a, b in zip(sf.M, expected))
    lam = sp.Rational(3, 2)
    assert all(sp.simplify(a - b) == 0 for a, b in zip(sf.F(lam), dec.cur + lam * expected))


def test_direct_stag_hunt_margins_are_exact():
    # v = (3 p2 - 2, 3 p1 - 2): J_v = [[0, 3], [3, 0]], mu = -3; peer_i = 3 eta (3 p_i + 1):
    # J_M = 9 eta I, mu_M = -9 eta = -99/20 at every point
    sf = ShapingField(Decomposition(builtin("stag-hunt", "direct"), eta=ETA), Rule("peer-only"))
    m = margins_at(sf, (2 / 3, 2 / 3), (sp.Rational(2, 3),) * 2)
    assert m.certified == "exact" and m.exact_mu == -3 and m.exact_mu_M == sp.Rational(-99, 20)
    assert m.enclosure_mu[0] <= -3 <= m.enclosure_mu[1]


def test_lambda_max_exact_matches_numpy_in_three_dimensions():
    A = sp.Matrix([[1, 2, 0], [0, -1, sp.Rational(1, 3)], [4, 0, 2]])
    top = lambda_max_exact(A)
    S = np.array((A + A.T) / 2, dtype=float)
    assert abs(float(top) - np.linalg.eigvalsh(S).max()) < 1e-12


def _fd_jacobian(exprs, syms, x, h):
    f = sp.lambdify(syms, list(exprs), "mpmath")
    d = len(syms)
    J = mpmath.matrix(d, d)
    for j in range(d):
        e = [mpmath.mpf(0)] * d
        e[j] = h
        up = f(*[a + b for a, b in zip(x, e)])
        dn = f(*[a - b for a, b in zip(x, e)])
        for i in range(d):
            J[i, j] = (up[i] - dn[i]) / (2 * h)
    return J


def _lambda_max_sym(J):
    S = (J + J.T) / 2
    return max(mpmath.eigsy(S)[0])


def test_margins_at_a_newton_point_match_finite_differences_at_30_digits():
    g = entropy_regularized(builtin("stag-hunt", "logit"), sp.Rational(1, 4)).substitute()
    sf = ShapingField(Decomposition(g, eta=ETA), Rule("meta-mapg"))
    x = (3.7145615674983645, 3.7145615674983645)
    m = margins_at(sf, x)
    with mpmath.workdps(30):
        pt = [mpmath.mpf(v) for v in x]
        mu = -_lambda_max_sym(_fd_jacobian(sf.v, sf.symbols, pt, mpmath.mpf(10) ** -10))
        mu_M = -_lambda_max_sym(_fd_jacobian(sf.M, sf.symbols, pt, mpmath.mpf(10) ** -10))
    assert m.certified == "interval"
    assert m.enclosure_mu[0] - 1e-15 <= float(mu) <= m.enclosure_mu[1] + 1e-15
    assert m.enclosure_mu_M[0] - 1e-15 <= float(mu_M) <= m.enclosure_mu_M[1] + 1e-15
