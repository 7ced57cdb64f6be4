"""Sparse Jacobians, fixed points and spectra of network fields."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from eqselect.theory import Decomposition, Rule, builtin
from eqselect.theory.network import network_game, parse_graph
from eqselect.numerics.network.equilibria import consensus_points, spectrum, symmetric_points
from eqselect.numerics.network.field import NetworkField
from eqselect.numerics.network.jacobian import colouring, sparse_jacobian
from eqselect.numerics.network.newton import NewtonOptions, deflated_newton, network_equilibria
from eqselect.numerics.sources.fields import float_coefficients


@pytest.mark.parametrize("method", ["meta-mapg", "lola", "pg"])
def test_complex_step_jacobian_equals_the_exact_one(method):
    net = network_game(parse_graph("erdos-renyi:6,0.5", 2), builtin("stag-hunt", "logit"),
                       "logit")
    field = NetworkField(net, 0.55)
    x = np.random.default_rng(1).normal(size=6)
    J = sparse_jacobian(field, x, float_coefficients(Rule(method))).toarray()
    exact = Decomposition(net.game, eta=sp.Rational(11, 20)).jacobian(
        method, lam=sp.Rational(3, 2), own_coef=sp.Rational(7, 20))
    want = np.array(sp.lambdify(net.game.parameters, exact, "numpy")(*x), dtype=float)
    assert np.abs(J - want).max() < 1e-12


def test_colours_do_not_grow_with_the_ring():
    # greedy colouring of the ring's square (degree 4) and fourth power (degree 8)
    for n in (20, 2000):
        net = network_game(parse_graph(f"ring:{n}"), builtin("stag-hunt", "logit"), "logit")
        field = NetworkField(net, 0.55)
        assert colouring(field, {"cur": 1.0}).n_colours <= 5
        assert colouring(field, {"cur": 1.0, "lookahead": 1.0}).n_colours <= 9


def test_symmetric_point_of_a_ring_is_the_two_player_mixed_equilibrium():
    # on a k-regular graph F(t 1) = k F_pair(t, t): the PG root is p = 2/3 (Stag Hunt)
    net = network_game(parse_graph("ring:10"), builtin("stag-hunt", "direct"), "direct")
    field = NetworkField(net, 0.55)
    [point] = symmetric_points(field, {"cur": 1.0})
    assert np.allclose(point.point, 2 / 3) and point.stability == "unstable"
    vals, mu = spectrum(sparse_jacobian(field, point.point, {"cur": 1.0}))
    # DF = 3 A (A the adjacency): eigenvalues 3 * 2 cos(2 pi k / 10), top 6
    assert np.isclose(vals[0].real, 6.0) and np.isclose(mu, -6.0)


def test_sparse_spectrum_matches_dense_on_a_large_torus():
    net = network_game(parse_graph("torus:10x10"), builtin("stag-hunt", "direct"), "direct")
    field = NetworkField(net, 0.55)
    J = sparse_jacobian(field, np.full(100, 0.3), float_coefficients(Rule("meta-mapg")))
    vals, mu = spectrum(J)
    dense = np.linalg.eigvals(J.toarray())
    assert np.isclose(vals[0].real, dense.real.max())
    assert np.isclose(mu, -np.linalg.eigvalsh((J + J.T).toarray() / 2).max())


def test_consensus_and_deflation():
    net = network_game(parse_graph("ring:8"), builtin("stag-hunt", "logit"), "logit")
    field = NetworkField(net, 0.55)
    coef = float_coefficients(Rule("pg"))
    labels = {e.label: e.stability for e in consensus_points(field, coef)}
    assert labels == {"consensus C": "stable", "consensus D": "stable"}
    [sym] = symmetric_points(field, coef)
    assert np.allclose(1 / (1 + np.exp(-sym.point)), 2 / 3)
    # deflation: Newton from next to the root is pushed off the known root
    again = deflated_newton(field, coef, sym.point + 0.01, [sym.point], NewtonOptions())
    assert again is None or np.abs(again - sym.point).max() > 1e-6
    found = network_equilibria(field, Rule("pg"), NewtonOptions(seeds=4))
    assert {e.route for e in found} >= {"consensus", "symmetric"}
    assert all(e.residual < 1e-9 for e in found if e.route != "consensus")


def test_symmetric_branch_in_lambda_moves_the_mixed_point_toward_hare():
    from eqselect.numerics.network.continuation import continue_symmetric

    net = network_game(parse_graph("ring:10"), builtin("stag-hunt", "logit"), "logit")
    field = NetworkField(net, 0.55)
    [branch], events = continue_symmetric(field, Rule("meta-mapg"), np.linspace(0, 3, 7))
    assert np.isclose(branch.ts[0], np.log(2))  # p = 2/3 at lambda = 0
    assert np.all(np.diff(branch.ts) < 0) and events == []
    # each point solves the field of its own lambda
    for lam, t in zip(branch.lams, branch.ts):
        u = field.field(np.full((1, 10), t), Rule("meta-mapg", lam=lam))
        assert np.abs(u).max() < 1e-9


def test_the_symmetric_point_leaves_the_box_where_the_closed_form_says():
    # direct, k-regular: F(t 1) = k (3t - 2) + lambda 3 k eta (3t + 1) = 0, so
    # t = (2 - 3 lambda eta) / (3 + 9 lambda eta) reaches 0 at lambda = 2 / (3 eta)
    from eqselect.numerics.network.continuation import continue_symmetric

    net = network_game(parse_graph("ring:6"), builtin("stag-hunt", "direct"), "direct")
    field = NetworkField(net, 0.55)
    branches, events = continue_symmetric(field, Rule("peer-only"), np.linspace(0, 2, 9))
    [event] = events
    assert event.type == "boundary" and abs(event.lam - 2 / (3 * 0.55)) < 1e-5
    [branch] = branches
    lam = np.array(branch.lams)
    assert np.allclose(branch.ts, (2 - 3 * lam * 0.55) / (3 + 9 * lam * 0.55))
