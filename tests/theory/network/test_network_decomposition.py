"""The decomposition by edge templates equals the general N-player derivation, exactly.

On graphs of 3 to 6 agents the assembled cur, own, peer and look-ahead of
`NetworkDecomposition` are compared with `Decomposition` of the same game
written as a general `Game` (every agent coupled to every other, derived
from the values); ``sympy.simplify`` of each difference must be 0.
"""

from __future__ import annotations

import networkx as nx
import pytest
import sympy as sp

from eqselect.theory import Decomposition, builtin
from eqselect.theory.network import (
    NetworkDecomposition, edge_game, edge_templates, network_game, parse_graph, policy_jet)

A, B = sp.symbols("a b")


def _zero(diff: sp.Matrix, params) -> bool:
    """Every entry simplifies to 0. Logits theta enter only through exp(+-theta):
    written as log(z) with z > 0 the entries are rational functions of z, which
    ``cancel`` brings to a normal form before ``simplify`` (an exact rewriting)."""
    z = {t: sp.log(sp.Symbol(f"z_{t}", positive=True)) for t in params}
    return all(sp.simplify(sp.cancel(e.xreplace(z))) == 0 for e in diff)


def _compare(net, eta):
    general = Decomposition(net.game, eta=eta)
    assembled = NetworkDecomposition(net, eta=eta)
    params = net.game.parameters if net.parameterization != "direct" else ()
    for name in ("cur", "own", "peer", "lookahead"):
        diff = getattr(assembled, name) - getattr(general, name)
        assert _zero(diff, params), name


@pytest.mark.parametrize("spec", ["ring:3", "path:4", "star:5", "grid:2x3"])
def test_direct_stag_hunt_with_symbolic_eta(spec):
    net = network_game(parse_graph(spec), builtin("stag-hunt", "direct"), "direct")
    _compare(net, None)


def test_symbolic_payoffs_on_a_random_graph():
    net = network_game(parse_graph("erdos-renyi:5,0.6", seed=3),
                       builtin("stag-hunt", "direct", symbolic=True), "direct")
    assert net.payoff_symbols and len(net.graph.edges) >= 4
    _compare(net, sp.Rational(11, 20))


def test_per_edge_asymmetric_payoffs_logit():
    graph = nx.Graph([("u", "v"), ("v", "w"), ("w", "x"), ("x", "u")])
    table = {("u", "v"): ([[4, 0], [3, 2]], [[1, 2], [0, 5]]),
             ("w", "v"): ([["a", 1], [0, 2]], [[3, 0], [1, "b"]]),
             ("w", "x"): builtin("chicken", "logit"),
             ("u", "x"): ([[2, 0], [0, 1]], [[0, 1], [2, 0]])}
    table = {k: (edge_game(tuple(sp.Matrix(m).subs({sp.Symbol("a"): A, sp.Symbol("b"): B})
                                 .tolist() for m in v), {A: 1, B: 2})
                 if isinstance(v, tuple) else v) for k, v in table.items()}
    net = network_game(graph, table, "logit")
    assert not net.shared
    _compare(net, sp.Rational(1, 2))


RPS = ([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], [[0, 1, -1], [-1, 0, 1], [1, -1, 0]])


def test_three_actions_direct_on_a_triangle():
    net = network_game(parse_graph("ring:3"), RPS, "direct")
    assert net.dim == 2
    _compare(net, sp.Rational(1, 3))



def test_a_lone_agent_in_a_file_graph_has_zero_terms():
    net = network_game(nx.Graph([(0, 1), (1, 2)]), builtin("stag-hunt", "direct"), "direct")
    peer = NetworkDecomposition(net, eta=1).peer
    # the ends have one neighbour, the middle two: 3 (3 p + 1) per neighbour
    p1, p2, p3 = net.game.parameters
    assert (peer - sp.Matrix([9 * p1 + 3, 18 * p2 + 6, 9 * p3 + 3])).expand() == sp.zeros(3, 1)


@pytest.mark.parametrize("param, m", [("logit", 2), ("direct", 3)])
def test_templates_are_contractions_of_the_policy_jet(param, m):
    tpl, jet = edge_templates(param, m), policy_jet(param, m)
    px = [e.xreplace(dict(zip(jet.t, tpl.x))) for e in jet.pi]
    d1x = [[e.xreplace(dict(zip(jet.t, tpl.x))) for e in row] for row in jet.d1]
    py = [e.xreplace(dict(zip(jet.t, tpl.y))) for e in jet.pi]
    P = tpl.payoff
    for k in range(m - 1):
        a_k = sum(d1x[r][k] * P[r, s] * py[s] for r in range(m) for s in range(m))
        assert _zero(sp.Matrix([a_k - tpl.a[k]]), tpl.x + tpl.y)
    assert tpl.u == sum(px[r] * P[r, s] * py[s] for r in range(m) for s in range(m))
